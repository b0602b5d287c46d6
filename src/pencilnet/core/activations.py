"""Activation functions by name, each beside its derivative.

Derivatives are written in terms of the activation's output, as the article does
(∂out/∂net = out (1 − out) for the sigmoid), so backprop needs only the forward trace.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
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
    # The same arithmetic for the training loop, written into arrays it keeps: `apply(net)` turns
    # net into out in place, and `scale(out, dE_dout, spare)` turns dE_dout into ∂E/∂net in place,
    # using `spare`, an array of its shape, as scratch. New arrays for a whole batch cost more than
    # the arithmetic on them (fresh memory must be mapped), and for one sample each call counts.
    apply: Callable[[np.ndarray], None] = None
    scale: Callable[[np.ndarray, np.ndarray, np.ndarray], None] = None

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


# In place, for the training loop: the arithmetic of the functions above, operation for operation,
# so the numbers are the same to the last bit. (Training runs under np.errstate already.)

def _sigmoid_apply(net):
    np.negative(net, out=net)
    np.exp(net, out=net)
    net += 1.0
    np.reciprocal(net, out=net)


def _sigmoid_scale(out, grad, spare):
    np.subtract(1.0, out, out=spare)
    spare *= out
    grad *= spare


def _tanh_scale(out, grad, spare):
    np.multiply(out, out, out=spare)
    np.subtract(1.0, spare, out=spare)
    grad *= spare


def _relu_scale(out, grad, spare):
    np.greater(out, 0.0, out=spare)
    grad *= spare


def _softmax_apply(net):
    net -= np.max(net, axis=-1, keepdims=True)
    np.exp(net, out=net)
    net /= np.sum(net, axis=-1, keepdims=True)


def _softmax_scale(out, grad, spare):
    np.multiply(grad, out, out=spare)
    grad -= np.sum(spare, axis=-1, keepdims=True)
    grad *= out


def _nothing(*arrays):
    pass


ACTIVATIONS = {
    "sigmoid": Activation("sigmoid", "σ", _sigmoid, lambda out: out * (1.0 - out),
                          "out (1 − out)", "{o} × (1 − {o})", apply=_sigmoid_apply, scale=_sigmoid_scale),
    "tanh": Activation("tanh", "tanh", np.tanh, lambda out: 1.0 - out * out, "1 − out²", "1 − {o}²",
                       apply=lambda net: np.tanh(net, out=net), scale=_tanh_scale),
    "relu": Activation("relu", "relu", lambda net: np.maximum(net, 0.0),
                       lambda out: (out > 0.0).astype(float), "1 if out > 0 else 0", "[{o} > 0]",
                       apply=lambda net: np.maximum(net, 0.0, out=net), scale=_relu_scale),
    "identity": Activation("identity", "id", lambda net: net + 0.0, lambda out: np.ones_like(out), "1", "1",
                           apply=_nothing, scale=_nothing),
    "softmax": Activation("softmax", "softmax", _softmax, lambda out: out * (1.0 - out),
                          "out (1 − out) on the diagonal", "{o} × (1 − {o})", coupled=True,
                          apply=_softmax_apply, scale=_softmax_scale),
}
