"""Activation functions by name, each beside its derivative.

Derivatives are written in terms of the activation's output, as the article does
(∂out/∂net = out (1 − out) for the sigmoid), so backprop needs only the forward trace.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Activation:
    name: str
    symbol: str  # how the renderer writes it: out = σ(net)
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]  # ∂out/∂net from out
    derivative_formula: str  # in terms of out
    derivative_arithmetic: str  # the same with the number written in: "{o} × (1 − {o})"
    # Softmax couples its outputs: each net moves every out, so ∂E/∂net_k = Σ_j ∂E/∂out_j ∂out_j/∂net_k
    # and `derivative` is only the diagonal ∂out_k/∂net_k of that Jacobian.
    coupled: bool = False

    def backward(self, out: np.ndarray, dE_dout: np.ndarray) -> np.ndarray:
        """∂E/∂net from ∂E/∂out, for one sample (1-D) or a batch (one row per sample)."""
        if self.coupled:  # the softmax Jacobian is diag(out) − out outᵀ
            return out * (dE_dout - np.sum(dE_dout * out, axis=-1, keepdims=True))
        return dE_dout * self.derivative(out)


def _sigmoid(net):
    # exp overflows to inf for net < -709 (1 / (1 + inf) is the correct limit 0) and
    # underflows to 0 for net > 745 (giving 1): both are the right answer, not a fault.
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-net))


def _softmax(net):
    # Shifting by the largest net changes nothing mathematically and keeps exp from overflowing.
    shifted = np.exp(net - np.max(net, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", "σ", _sigmoid, lambda out: out * (1.0 - out),
                          "out (1 − out)", "{o} × (1 − {o})"),
    "tanh": Activation("tanh", "tanh", np.tanh, lambda out: 1.0 - out * out, "1 − out²", "1 − {o}²"),
    "relu": Activation("relu", "relu", lambda net: np.maximum(net, 0.0),
                       lambda out: (out > 0.0).astype(float), "1 if out > 0 else 0", "[{o} > 0]"),
    "identity": Activation("identity", "id", lambda net: net + 0.0, lambda out: np.ones_like(out), "1", "1"),
    "softmax": Activation("softmax", "softmax", _softmax, lambda out: out * (1.0 - out),
                          "out (1 − out) on the diagonal", "{o} × (1 − {o})", coupled=True),
}
