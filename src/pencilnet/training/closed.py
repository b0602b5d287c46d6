"""What every run shares about the output layer: its ∂E/∂net in closed form where the product of
factors would lose digits, and the error terms from what a run wrote (outputs, or nets)."""

from collections.abc import Callable

import numpy as np

from pencilnet.core.activations import activation_of
from pencilnet.core.losses import FUSED, LOSSES, from_net, output_dE_dnet, terms_from_net
from pencilnet.core.model import Model


def written_terms(loss: str, activation: str, records_net: bool, written: np.ndarray, targets) -> np.ndarray:
    """Each sample's error terms from what a run wrote to `outputs`: its outputs, or (`records_net`)
    the output layer's nets, from which the cross-entropies are exact however saturated out is."""
    if not records_net:
        return LOSSES[loss].terms(written, targets)
    return terms_from_net(loss, activation, written, activation_of(activation).function(written), targets)


def closed_form(model: Model, loss: str) -> Callable | None:
    """The output layer's ∂E/∂net as a function of (net, out, target) where the product
    ∂E/∂out × ∂out/∂net is not exact (a cross-entropy on sigmoid or softmax outputs that `FUSED`
    does not write as out − target: it divides by an output that may have saturated to 0 or 1);
    None elsewhere. It is `core.losses.output_dE_dnet`, as the stages take it."""
    activation = model.layers[-1].activation
    if not from_net(loss, activation) or (activation, loss) in FUSED:
        return None
    return lambda net, out, target: output_dE_dnet(loss, activation, net, out, target)
