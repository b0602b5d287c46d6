"""Activations and losses written out as tokens: a layer's formula, its value at a number, its slope.

Each is its row's (`core.activations`, `core.losses`): the row writes its own formulas with the
tokens of `core.written`, so a new activation or loss is written out without a line here.
"""

from pencilnet.core.activations import activation_of as row_of
from pencilnet.core.losses import LOSSES

LOSS_NAMES = {name: loss.words for name, loss in LOSSES.items()}


def activation_of(name: str, net_value: tuple, nets: list | None = None) -> tuple:
    """The activation applied to `net_value`; softmax needs every net of its layer, `nets`."""
    return row_of(name).written(net_value, nets)


def activation_formula(name: str) -> tuple:
    """out = f(net) in general, for the layer's heading."""
    return row_of(name).heading()


def slope(name: str, o: tuple) -> tuple:
    """∂out/∂net in terms of out (`o`: a name or a number)."""
    return row_of(name).written_slope(o)


def loss_term(loss: str, t: tuple, o: tuple, n: int) -> tuple:
    """One output's error term with `t` the target and `o` the output (names or numbers)."""
    return LOSSES[loss].written_term(t, o, n)


def loss_slope(loss: str, t: tuple, o: tuple, n: int) -> tuple:
    """∂E/∂out of one output."""
    return LOSSES[loss].written_slope(t, o, n)


def loss_formula(loss: str, outputs: int) -> tuple:
    return LOSSES[loss].written_total(outputs)
