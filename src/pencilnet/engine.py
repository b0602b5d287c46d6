"""The computation: forward pass, error, backprop, gradient-descent step, training.

Pure functions over immutable records; nothing here prints or touches files.
Every named intermediate the article writes down (net, out, each error term, each
chain-rule factor, each sum of back-propagated terms) passes through `arithmetic.carry`,
the one place where a person with a pencil would round before carrying a number on.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import ACTIVATIONS
from .losses import LOSSES
from .model import Model
from .rounding import half_up


class Exact:
    """float64 throughout: the number carried on is the number computed."""

    decimals = None

    def carry(self, value):
        return value

    def __str__(self):
        return "exact"


class Pencil:
    """Arithmetic as done by hand: each named intermediate is rounded half up to `decimals`
    places before it is used further. Products of rounded factors (the gradients, the
    error terms) keep the digits the multiplication gives, as a person writes them."""

    def __init__(self, decimals: int):
        self.decimals = decimals
        self._round = np.vectorize(lambda v: float(half_up(v, decimals)), otypes=[np.float64])

    def carry(self, value):
        return self._round(value)

    def __str__(self):
        return f"pencil {self.decimals}"


EXACT = Exact()


def arithmetic_of(decimals: int | None):
    """Pencil arithmetic at `decimals` places, or exact arithmetic for None."""
    return EXACT if decimals is None else Pencil(decimals)


@dataclass(frozen=True)
class LayerTrace:
    inputs: np.ndarray  # what fed this layer: x, or the previous layer's out
    net: np.ndarray
    out: np.ndarray


@dataclass(frozen=True)
class Trace:
    x: np.ndarray
    layers: tuple[LayerTrace, ...]

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1].out


@dataclass(frozen=True)
class ErrorReport:
    loss: str
    target: np.ndarray
    output: np.ndarray
    terms: np.ndarray  # E_y1, E_y2, ...
    total: float


@dataclass(frozen=True)
class LayerGradients:
    """The chain-rule factors of one layer and the gradients they give.

    ∂E/∂w(i→j) = dE_dout[j] × dout_dnet[j] × dnet_dw[i], and ∂E/∂bw(j) uses the bias input as dnet_dw.
    For a hidden layer, dE_dout[j] is the sum of `terms[j, k]` over the nodes k it feeds:
    terms[j, k] = ∂E/∂net_k × w(j→k), the article's ∂E_yk/∂out_hj.
    """

    dE_dout: np.ndarray  # (targets,)
    dout_dnet: np.ndarray  # (targets,)
    dE_dnet: np.ndarray  # (targets,), carried back to the layer before
    dnet_dw: np.ndarray  # (sources,): the layer's inputs
    terms: np.ndarray | None  # (targets, next layer's targets); None for the output layer
    weights: np.ndarray  # ∂E/∂w, (sources, targets)
    biases: np.ndarray  # ∂E/∂bw, (targets,)


@dataclass(frozen=True)
class Gradients:
    layers: tuple[LayerGradients, ...]


@dataclass(frozen=True)
class History:
    errors: list[float]  # mean error per sample during each epoch, before that sample's update
    model: Model  # after the last epoch
    final_error: float  # mean error per sample with the final weights
    epochs_run: int


def forward(model: Model, x, arithmetic=EXACT) -> Trace:
    carry = arithmetic.carry
    values = np.asarray(x, dtype=np.float64)
    layers = []
    for layer in model.layers:
        net = carry(values @ layer.weights + layer.biases * model.bias_input)
        out = carry(ACTIVATIONS[layer.activation].function(net))
        layers.append(LayerTrace(values, net, out))
        values = out
    return Trace(np.asarray(x, dtype=np.float64), tuple(layers))


def error(trace: Trace, target, loss: str = "half_sse") -> ErrorReport:
    # Nothing is carried on from the error terms (backprop starts from ∂E/∂out), so, like
    # the gradients, they keep the digits their arithmetic gives in pencil mode too.
    target = np.asarray(target, dtype=np.float64)
    terms = LOSSES[loss].terms(trace.output, target)
    return ErrorReport(loss, target, trace.output, terms, float(terms.sum()))


def backprop(model: Model, trace: Trace, target, loss: str = "half_sse", arithmetic=EXACT) -> Gradients:
    """Gradients of E for one sample, from the output layer back, reusing `trace`."""
    carry = arithmetic.carry
    target = np.asarray(target, dtype=np.float64)
    dE_dout = carry(LOSSES[loss].derivative(trace.output, target))
    terms = None
    found = []
    for index in range(len(model.layers) - 1, -1, -1):
        layer, seen = model.layers[index], trace.layers[index]
        dout_dnet = carry(ACTIVATIONS[layer.activation].derivative(seen.out))
        # The gradient is the plain product of the factors, as written by hand; only the
        # factor handed back to earlier layers is carried (rounded, in pencil mode).
        product = dE_dout * dout_dnet
        dE_dnet = carry(product)
        found.append(LayerGradients(
            dE_dout, dout_dnet, dE_dnet, seen.inputs, terms,
            np.outer(seen.inputs, product), product * model.bias_input,
        ))
        if index:
            terms = carry(layer.weights * dE_dnet)  # terms[j, k] = w(j→k) × ∂E/∂net_k
            dE_dout = carry(terms.sum(axis=1))
    return Gradients(tuple(reversed(found)))


def step(model: Model, gradients: Gradients, learning_rate: float, arithmetic=EXACT) -> Model:
    """new = old − learning rate × gradient, for every parameter at once; `model` is untouched."""
    carry = arithmetic.carry
    return model.replace(
        [carry(l.weights - learning_rate * g.weights) for l, g in zip(model.layers, gradients.layers)],
        [carry(l.biases - learning_rate * g.biases) for l, g in zip(model.layers, gradients.layers)],
    )


def mean_error(model: Model, inputs, targets, loss: str = "half_sse", arithmetic=EXACT) -> float:
    """Mean over samples of each sample's total error E."""
    totals = [error(forward(model, x, arithmetic), t, loss).total for x, t in zip(inputs, targets)]
    return float(np.mean(totals))


def train(model: Model, inputs, targets, learning_rate: float, epochs: int, loss: str = "half_sse",
          arithmetic=EXACT, on_epoch: Callable[[int, float], None] | None = None) -> History:
    """Online gradient descent, as the article does: forward, error, backprop, step per sample.

    `on_epoch(epoch, error)` is called after each epoch (for a progress display).
    """
    errors = []
    for epoch in range(1, epochs + 1):
        total = 0.0
        for x, t in zip(inputs, targets):
            trace = forward(model, x, arithmetic)
            total += error(trace, t, loss).total
            model = step(model, backprop(model, trace, t, loss, arithmetic), learning_rate, arithmetic)
        errors.append(total / len(inputs))
        if on_epoch:
            on_epoch(epoch, errors[-1])
    return History(errors, model, mean_error(model, inputs, targets, loss, arithmetic), epochs)


@dataclass(frozen=True)
class ChainRow:
    """One parameter's gradient with the three chain-rule factors it is the product of."""

    name: str  # w5, bw3
    layer: int  # index into model.layers
    source: str  # h1, or "bias"
    target: str  # y1
    value: float  # the parameter's value
    dE_dout: float
    dout_dnet: float
    dnet_dw: float
    gradient: float


def chain(model: Model, gradients: Gradients) -> list[ChainRow]:
    """Every parameter in the article's order (w1..wN, then bw1..bwM) with its factors."""
    names = model.names
    weights, biases = [], []
    for index, (layer, found) in enumerate(zip(model.layers, gradients.layers)):
        sources, targets = names.nodes[index], names.nodes[index + 1]
        for i, j in np.ndindex(layer.weights.shape):
            weights.append(ChainRow(
                str(names.weights[index][i, j]), index, sources[i], targets[j], float(layer.weights[i, j]),
                float(found.dE_dout[j]), float(found.dout_dnet[j]), float(found.dnet_dw[i]),
                float(found.weights[i, j])))
        for j, target in enumerate(targets):
            biases.append(ChainRow(
                names.biases[index][j], index, "bias", target, float(layer.biases[j]),
                float(found.dE_dout[j]), float(found.dout_dnet[j]), model.bias_input, float(found.biases[j])))
    return weights + biases
