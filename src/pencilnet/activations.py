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


def _sigmoid(net):
    # exp overflows to inf for net < -709 (1 / (1 + inf) is the correct limit 0) and
    # underflows to 0 for net > 745 (giving 1): both are the right answer, not a fault.
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-net))


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", "σ", _sigmoid, lambda out: out * (1.0 - out),
                          "out (1 − out)", "{o} × (1 − {o})"),
    "tanh": Activation("tanh", "tanh", np.tanh, lambda out: 1.0 - out * out, "1 − out²", "1 − {o}²"),
    "relu": Activation("relu", "relu", lambda net: np.maximum(net, 0.0),
                       lambda out: (out > 0.0).astype(float), "1 if out > 0 else 0", "[{o} > 0]"),
    "identity": Activation("identity", "id", lambda net: net + 0.0, lambda out: np.ones_like(out), "1", "1"),
}
