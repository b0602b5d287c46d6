"""The article's stages for one sample: forward pass, error, backprop and the update.

Pure functions over immutable records; nothing here prints or touches files. Each stage
consumes the record of the one before, and `walk` makes all four for one sample in one place,
so every command, picture and check shows the same numbers.

Records are frozen dataclasses with eq=False: records holding arrays have no meaningful ==
(an array comparison has no single truth value), and leaving out the generated __eq__
makes each about a third cheaper to define, which every command pays at start-up.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from pencilnet.core.activations import activation_of
from pencilnet.core.arithmetic import EXACT
from pencilnet.core.losses import FUSED, dE_dout_from_net, output_dE_dnet, terms_from_net
from pencilnet.core.model import Model, flatten, shared_target, unflatten
from pencilnet.core.optimizers import Optimizer, State, Update, start, update

SGD = Optimizer()  # plain gradient descent, the article's update


@dataclass(frozen=True, eq=False)
class LayerTrace:
    inputs: np.ndarray  # what fed this layer: x, or the previous layer's out
    net: np.ndarray
    out: np.ndarray
    activation: str = ""  # its name: the error of the output layer is computed from net for some


@dataclass(frozen=True, eq=False)
class Trace:
    x: np.ndarray
    layers: tuple[LayerTrace, ...]

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1].out


@dataclass(frozen=True, eq=False)
class ErrorReport:
    loss: str
    target: np.ndarray
    output: np.ndarray
    terms: np.ndarray  # E_y1, E_y2, ...
    total: float


@dataclass(frozen=True, eq=False)
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


@dataclass(frozen=True, eq=False)
class Gradients:
    layers: tuple[LayerGradients, ...]
    # How the output layer's ∂E/∂net was formed: "fused" (out − target, for an activation and loss
    # that belong together), "closed" (another closed form of a cross-entropy, from net),
    # "softmax" (its Jacobian, summing over all outputs) or "plain" (∂E/∂out × ∂out/∂net): the
    # views say which, they do not work it out again.
    output_branch: str = "plain"
    # ∂E/∂x for each input, Σ_j w(i→j) × ∂E/∂net_j over the first layer's nodes, and those terms
    # (inputs, first layer's nodes): what lecture notes print beside ∂E/∂w for a single neuron.
    dE_dx: np.ndarray | None = None
    input_terms: np.ndarray | None = None



def forward(model: Model, x, arithmetic=EXACT) -> Trace:
    """Every layer's net and out for one sample `x` (or a batch, one row per sample)."""
    carry = arithmetic.carry
    values = np.asarray(x, dtype=np.float64)
    layers = []
    for layer in model.layers:
        net = carry(values @ layer.weights + layer.biases * model.bias_input, "net")
        out = carry(activation_of(layer.activation).function(net), "out")
        layers.append(LayerTrace(values, net, out, layer.activation))
        values = out
    return Trace(np.asarray(x, dtype=np.float64), tuple(layers))


def error(trace: Trace, target, loss: str = "half_sse", arithmetic=EXACT) -> ErrorReport:
    """E for one sample (or a batch): one term per output and their total.

    Exact arithmetic takes a cross-entropy's logarithm from the output layer's net, right at any
    saturation; pencil arithmetic takes it from the rounded outputs, as a hand calculation does."""
    # Nothing is carried on from the error terms (backprop starts from ∂E/∂out), so, like
    # the gradients, they keep the digits their arithmetic gives in pencil mode too.
    target = np.asarray(target, dtype=np.float64)
    last = trace.layers[-1]
    activation = last.activation if arithmetic is EXACT else None
    terms = terms_from_net(loss, activation, last.net, last.out, target)
    return ErrorReport(loss, target, trace.output, terms, float(terms.sum()))


def backprop(model: Model, trace: Trace, target, loss: str = "half_sse", arithmetic=EXACT) -> Gradients:
    """Gradients of E for one sample, from the output layer back, reusing `trace`."""
    carry = arithmetic.carry
    target = np.asarray(target, dtype=np.float64)
    exact = arithmetic is EXACT
    output = trace.layers[-1]
    activation_name = model.layers[-1].activation if exact else None
    dE_dout = carry(dE_dout_from_net(loss, activation_name, output.net, output.out, target), "error")
    terms = None
    found = []
    last = len(model.layers) - 1
    branch = "plain"
    for index in range(last, -1, -1):
        layer, seen = model.layers[index], trace.layers[index]
        activation = activation_of(layer.activation)
        dout_dnet = carry(activation.derivative(seen.out), "slope")
        # The gradient is the plain product of the factors, as written by hand; only the
        # factor handed back to earlier layers is carried (rounded, in pencil mode).
        closed = None
        if index == last:  # a cross-entropy's ∂E/∂net in closed form (from net in exact arithmetic)
            closed = output_dE_dnet(loss, layer.activation, seen.net if exact else None, seen.out, target)
        if closed is not None:
            # "fused": the out − target of an activation and loss that belong together
            product, branch = closed, "fused" if (layer.activation, loss) in FUSED else "closed"
        elif activation.coupled:
            product = activation.backward(seen.out, dE_dout)
            branch = "softmax" if index == last else branch
        else:  # the factors as carried: in pencil mode, the rounded ∂out/∂net
            product = dE_dout * dout_dnet
        dE_dnet = carry(product, "delta")
        if arithmetic.follows("delta_first"):  # δ rounded, then times the input: δ × out_h2
            product = dE_dnet
        bias_gradient = product * model.bias_input
        found.append(LayerGradients(
            dE_dout, dout_dnet, dE_dnet, seen.inputs, terms, np.outer(seen.inputs, product),
            np.atleast_1d(bias_gradient.sum()) if layer.shared_bias else bias_gradient,
        ))
        unrounded = layer.weights * dE_dnet  # terms[j, k] = w(j→k) × ∂E/∂net_k
        terms = carry(unrounded, "error")
        summed = unrounded if arithmetic.follows("sum_then_round") else terms
        dE_dout = carry(summed.sum(axis=1), "error")
    return Gradients(tuple(reversed(found)), branch, dE_dout, terms)  # the last round: the inputs


def step(model: Model, gradients: Gradients, learning_rate: float, arithmetic=EXACT) -> Model:
    """new = old − learning rate × gradient, for every parameter not frozen; `model` is untouched."""
    return optimize(model, gradients, learning_rate, arithmetic).new_model


@dataclass(frozen=True, eq=False)
class Step:
    """One update of the parameters: the optimizer's record of it, and the model it gives."""

    update: Update
    new_model: Model


def optimize(model: Model, gradients: Gradients, learning_rate: float, arithmetic=EXACT,
             optimizer: Optimizer = SGD, state: State | None = None) -> Step:
    """One step of `optimizer` from `state` (its start when None), every parameter not frozen.
    Gradients always come from the old weights; `model` is untouched."""
    theta = flatten(model)
    state = start(optimizer, theta.size) if state is None else state
    gradient = arithmetic.carry(gradient_vector(gradients), "gradient")  # kept, unless asked to round
    found = update(optimizer, theta, gradient, state, learning_rate, trainable(model),
                   partial(arithmetic.carry, kind="weight"))
    return Step(found, unflatten(model, found.values["new"]))


def gradient_vector(gradients: Gradients) -> np.ndarray:
    """∂E/∂θ for every parameter, in `flatten`'s order (weights layer by layer, then biases)."""
    layers = gradients.layers
    return np.concatenate([found.weights.ravel() for found in layers] + [found.biases for found in layers])


def trainable(model: Model) -> np.ndarray | None:
    """Which parameters a step may change, in `flatten`'s order; None when all may."""
    if not any(layer.frozen_weights or layer.frozen_biases for layer in model.layers):
        return None
    return np.concatenate([np.full(layer.weights.size, not layer.frozen_weights) for layer in model.layers]
                          + [np.full(layer.biases.size, not layer.frozen_biases) for layer in model.layers])


@dataclass(frozen=True, eq=False)
class ChainRow:
    """One parameter's gradient with the three chain-rule factors it is the product of.

    For a softmax layer (`coupled`) ∂E/∂net is a sum over all its outputs, so the gradient is
    dE_dnet × dnet_dw rather than the product of the first two factors shown."""

    name: str  # w5, bw3
    layer: int  # index into model.layers
    source: str  # h1, or "bias"
    target: str  # y1; for a shared bias, the span of the layer's nodes, "h1…h4"
    value: float  # the parameter's value
    dE_dout: float
    dout_dnet: float
    dnet_dw: float
    dE_dnet: float
    gradient: float
    coupled: bool = False
    shared: bool = False  # a bias weight shared by a layer: dE_dout holds Σ_j ∂E/∂net_j, dout_dnet 1


class LayerChain(Sequence):
    """The chain rows of one layer's weights, or of its bias weights, made when asked for:
    a table showing two dozen of a million parameters makes two dozen rows."""

    def __init__(self, model: Model, gradients: Gradients, index: int, bias: bool):
        self.model, self.at, self.bias = model, index, bias  # (not `index`: a Sequence has that method)
        self.layer, self.found = model.layers[index], gradients.layers[index]
        self.coupled = activation_of(self.layer.activation).coupled
        self.names = model.names
        self.width = self.layer.weights.shape[1]

    def __len__(self) -> int:
        return self.layer.biases.size if self.bias else self.layer.weights.size

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[k] for k in range(*position.indices(len(self)))]
        if not -len(self) <= position < len(self):
            raise IndexError(position)
        position %= len(self)
        layer, found, index = self.layer, self.found, self.at
        targets = self.names.nodes[index + 1]
        if not self.bias:
            i, j = divmod(position, self.width)
            return ChainRow(
                str(self.names.weights[index][i, j]), index, self.names.nodes[index][i], targets[j],
                float(layer.weights[i, j]), float(found.dE_dout[j]), float(found.dout_dnet[j]),
                float(found.dnet_dw[i]), float(found.dE_dnet[j]), float(found.weights[i, j]), self.coupled)
        if layer.shared_bias:  # one weight feeding every node: its gradient sums theirs
            span = shared_target(targets)
            total = float(found.dE_dnet.sum())
            return ChainRow(self.names.biases[index][0], index, "bias", span, float(layer.biases[0]), total, 1.0,
                            self.model.bias_input, total, float(found.biases[0]), self.coupled, True)
        j = position
        return ChainRow(
            self.names.biases[index][j], index, "bias", targets[j], float(layer.biases[j]), float(found.dE_dout[j]),
            float(found.dout_dnet[j]), self.model.bias_input, float(found.dE_dnet[j]), float(found.biases[j]),
            self.coupled)


def chain(model: Model, gradients: Gradients) -> list[ChainRow]:
    """Every parameter in the article's order (w1..wN, then bw1..bwM) with its factors."""
    count = len(model.layers)
    return [row for bias in (False, True) for index in range(count)
            for row in LayerChain(model, gradients, index, bias)]


@dataclass(frozen=True, eq=False)
class Walk:
    """All four stages for one sample, each computed once from the one before."""

    model: Model  # the parameters the stages start from
    x: np.ndarray
    target: np.ndarray
    loss: str
    learning_rate: float
    arithmetic: object  # Exact or Pencil
    trace: Trace
    report: ErrorReport
    gradients: Gradients
    new_model: Model  # after one step; its gradients came from `model`
    sample: int | None = None  # which sample of a config, counted from 1, when it came from one
    update: Update | None = None  # the optimizer's step, every intermediate and its state


def walk(model: Model, x, target, loss: str, learning_rate: float, arithmetic=EXACT, sample: int | None = None,
         optimizer: Optimizer = SGD, state: State | None = None) -> Walk:
    """Forward, error, backprop and step for one sample: the one pass every view is made from.
    `state` is the optimizer's state before the step (its start when None)."""
    x, target = np.asarray(x, dtype=np.float64), np.asarray(target, dtype=np.float64)
    trace = forward(model, x, arithmetic)
    gradients = backprop(model, trace, target, loss, arithmetic)
    stepped = optimize(model, gradients, learning_rate, arithmetic, optimizer, state)
    return Walk(model, x, target, loss, learning_rate, arithmetic, trace, error(trace, target, loss, arithmetic),
                gradients, stepped.new_model, sample, stepped.update)


def walks(model: Model, x, target, loss: str, learning_rate: float, steps: int, arithmetic=EXACT,
          sample: int | None = None, optimizer: Optimizer = SGD) -> list[Walk]:
    """`steps` successive passes on the same sample, each from the model and optimizer state the
    one before left: a worked example of momentum or Adam repeats the article's one step."""
    found, state = [], None
    for _ in range(steps):
        done = walk(model, x, target, loss, learning_rate, arithmetic, sample, optimizer, state)
        assert done.update is not None  # a walk always records its step
        found.append(done)
        model, state = done.new_model, done.update.after
    return found
