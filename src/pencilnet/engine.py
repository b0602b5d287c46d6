"""The computation: forward pass, error, backprop, gradient-descent step, training.

Pure functions over immutable records; nothing here prints or touches files.
Every named intermediate the article writes down (net, out, each error term, each
chain-rule factor, each sum of back-propagated terms) passes through `arithmetic.carry`,
the one place where a person with a pencil would round before carrying a number on.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import ACTIVATIONS
from .losses import FUSED, LOSSES
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
class Schedule:
    """How to train: the learning rate, how many epochs, and how samples are grouped."""

    learning_rate: float
    epochs: int
    batch_size: int | None = 1  # 1: online, one update per sample (the article's way); None: full batch
    shuffle: bool = False  # a new order of the samples every epoch, from `seed`
    seed: int = 0
    target_error: float | None = None  # stop after the first epoch whose error is at or below this


@dataclass(frozen=True)
class History:
    errors: list[float]  # per epoch: the mean of each sample's error, measured before its batch's update
    model: Model  # after the last epoch run
    final_error: float  # mean error per sample with the final weights
    epochs_run: int
    stopped_early: bool = False  # the target error was reached before the last epoch
    test_accuracy: list[float] | None = None  # per epoch, when a test set was given


class TrainingInterrupted(Exception):
    """Ctrl-C during training: what was learnt up to the last whole epoch."""

    def __init__(self, epochs_done: int, errors: list[float], model: Model):
        self.epochs_done, self.errors, self.model = epochs_done, errors, model
        super().__init__(f"after {epochs_done} epochs")


class TrainingDiverged(ArithmeticError):
    """Training produced a NaN or an infinity; the message says where."""

    def __init__(self, epoch: int, sample: int, model: Model):
        self.epoch, self.sample, self.model = epoch, sample, model  # model: after the last whole epoch
        super().__init__(f"epoch {epoch}, sample {sample}")


def forward(model: Model, x, arithmetic=EXACT) -> Trace:
    """Every layer's net and out for one sample `x` (or a batch, one row per sample)."""
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


def _output_dE_dnet(activation: str, loss: str, out, target, dE_dout):
    """∂E/∂net at the output layer, through the simple fused form where one exists."""
    fused = FUSED.get((activation, loss))
    return fused(out, target) if fused else ACTIVATIONS[activation].backward(out, dE_dout)


def backprop(model: Model, trace: Trace, target, loss: str = "half_sse", arithmetic=EXACT) -> Gradients:
    """Gradients of E for one sample, from the output layer back, reusing `trace`."""
    carry = arithmetic.carry
    target = np.asarray(target, dtype=np.float64)
    dE_dout = carry(LOSSES[loss].derivative(trace.output, target))
    terms = None
    found = []
    last = len(model.layers) - 1
    for index in range(last, -1, -1):
        layer, seen = model.layers[index], trace.layers[index]
        activation = ACTIVATIONS[layer.activation]
        dout_dnet = carry(activation.derivative(seen.out))
        # The gradient is the plain product of the factors, as written by hand; only the
        # factor handed back to earlier layers is carried (rounded, in pencil mode).
        if index == last and (layer.activation, loss) in FUSED:
            product = FUSED[layer.activation, loss](seen.out, target)
        elif activation.coupled:
            product = activation.backward(seen.out, dE_dout)
        else:  # the factors as carried: in pencil mode, the rounded ∂out/∂net
            product = dE_dout * dout_dnet
        dE_dnet = carry(product)
        bias_gradient = product * model.bias_input
        found.append(LayerGradients(
            dE_dout, dout_dnet, dE_dnet, seen.inputs, terms, np.outer(seen.inputs, product),
            np.atleast_1d(bias_gradient.sum()) if layer.shared_bias else bias_gradient,
        ))
        if index:
            terms = carry(layer.weights * dE_dnet)  # terms[j, k] = w(j→k) × ∂E/∂net_k
            dE_dout = carry(terms.sum(axis=1))
    return Gradients(tuple(reversed(found)))


def step(model: Model, gradients: Gradients, learning_rate: float, arithmetic=EXACT) -> Model:
    """new = old − learning rate × gradient, for every parameter not frozen; `model` is untouched."""
    carry = arithmetic.carry
    weights, biases = [], []
    for layer, found in zip(model.layers, gradients.layers):
        weights.append(layer.weights if layer.frozen_weights else carry(layer.weights - learning_rate * found.weights))
        biases.append(layer.biases if layer.frozen_biases else carry(layer.biases - learning_rate * found.biases))
    return model.replace(weights, biases)


def mean_error(model: Model, inputs, targets, loss: str = "half_sse", arithmetic=EXACT) -> float:
    """Mean over samples of each sample's total error E."""
    if arithmetic is EXACT:  # the whole set at once: the same sums, one matrix product per layer
        return float(LOSSES[loss].terms(forward(model, inputs).output, np.asarray(targets)).sum(axis=1).mean())
    totals = [error(forward(model, x, arithmetic), t, loss).total for x, t in zip(inputs, targets)]
    return float(np.mean(totals))


def accuracy(model: Model, inputs, targets) -> float:
    """The fraction of samples whose largest output is their target's largest entry."""
    out = forward(model, inputs).output
    return float(np.mean(np.argmax(out, axis=1) == np.argmax(np.asarray(targets), axis=1)))


def confusion(model: Model, inputs, targets) -> np.ndarray:
    """counts[i, j]: samples of class i that the network puts in class j."""
    predicted = np.argmax(forward(model, inputs).output, axis=1)
    actual = np.argmax(np.asarray(targets), axis=1)
    counts = np.zeros((np.shape(targets)[1],) * 2, dtype=int)
    np.add.at(counts, (actual, predicted), 1)
    return counts


Progress = Callable[[int, int, float], None]  # (epoch, samples done in it, mean error so far)


def train(model: Model, inputs, targets, schedule: Schedule, loss: str = "half_sse", arithmetic=EXACT,
          on_progress: Progress | None = None, test: tuple | None = None) -> History:
    """Gradient descent over the samples for `schedule.epochs` epochs (fewer if the target error
    is reached): forward, error, backprop and step for each batch, each gradient from the
    weights before the step. Raises `TrainingDiverged` when the error stops being a finite number.

    `on_progress` is called at the end of each epoch and, within long epochs, every 256 samples."""
    inputs, targets = np.asarray(inputs, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    count = len(inputs)
    size = count if schedule.batch_size is None else min(schedule.batch_size, count)
    if arithmetic is not EXACT and size != 1:
        raise ValueError("pencil arithmetic trains online only, one sample at a time")
    rng = np.random.default_rng(schedule.seed)
    run = _PencilRun(model, loss, arithmetic) if arithmetic is not EXACT else _ExactRun(model, loss)
    errors, test_accuracy = [], ([] if test is not None else None)
    epoch = 0
    try:
        # A diverging run overflows on its way to NaN; that is caught and reported below, not warned about.
        with np.errstate(over="ignore", invalid="ignore"):
            epoch, stopped = _epochs(run, inputs, targets, schedule, size, rng, errors, test_accuracy, on_progress,
                                     test)
    except KeyboardInterrupt:
        raise TrainingInterrupted(len(errors), errors, run.last_good) from None
    final = run.model()
    with np.errstate(over="ignore", invalid="ignore"):
        final_error = mean_error(final, inputs, targets, loss, arithmetic)
    if not np.isfinite(final_error):  # the very last update broke the weights
        raise TrainingDiverged(epoch, count, run.last_good)
    return History(errors, final, final_error, epoch, stopped, test_accuracy)


def _epochs(run, inputs, targets, schedule: Schedule, size: int, rng, errors: list, test_accuracy: list | None,
            on_progress, test) -> tuple[int, bool]:
    """The training loop proper; returns the epochs run and whether the target error stopped it."""
    count = len(inputs)
    epoch = 0
    for epoch in range(1, schedule.epochs + 1):
        order = rng.permutation(count) if schedule.shuffle else np.arange(count)
        total = 0.0
        for start in range(0, count, size):
            chosen = order[start:start + size]
            batch_error = run.update(inputs[chosen], targets[chosen], schedule.learning_rate)
            if not np.isfinite(batch_error):
                raise TrainingDiverged(epoch, int(chosen[0]) + 1, run.last_good)
            total += batch_error
            if on_progress and (start // size) % max(1, 256 // size) == 0 and start:
                on_progress(epoch, start + len(chosen), total / (start + len(chosen)))
        errors.append(total / count)
        run.epoch_done()
        if test_accuracy is not None:
            test_accuracy.append(accuracy(run.model(), *test))
        if on_progress:
            on_progress(epoch, count, errors[-1])
        if schedule.target_error is not None and errors[-1] <= schedule.target_error:
            return epoch, epoch < schedule.epochs
    return epoch, False


class _ExactRun:
    """The training loop's state: plain mutable copies of the parameters, updated in place,
    so that an update costs only its arithmetic (no new Model per sample)."""

    def __init__(self, model: Model, loss: str):
        self.template = model
        self.weights = [layer.weights.copy() for layer in model.layers]
        self.biases = [layer.biases.copy() for layer in model.layers]
        self.functions = [ACTIVATIONS[layer.activation] for layer in model.layers]
        self.frozen = [(layer.frozen_weights, layer.frozen_biases) for layer in model.layers]
        self.shared = [layer.shared_bias for layer in model.layers]
        self.bias_input = model.bias_input
        self.loss = LOSSES[loss]
        self.output_name, self.loss_name = model.layers[-1].activation, loss
        self.last_good = model

    def update(self, x: np.ndarray, t: np.ndarray, learning_rate: float) -> float:
        """One step on a batch (rows are samples); returns the sum of the samples' errors."""
        outs = [x]
        for weights, biases, activation in zip(self.weights, self.biases, self.functions):
            outs.append(activation.function(outs[-1] @ weights + biases * self.bias_input))
        out = outs[-1]
        total = float(self.loss.terms(out, t).sum())
        delta = _output_dE_dnet(self.output_name, self.loss_name, out, t, self.loss.derivative(out, t))
        rate = learning_rate / len(x)  # the batch's gradient is the mean of its samples' gradients
        for index in range(len(self.weights) - 1, -1, -1):
            weights = self.weights[index]
            grad_w = outs[index].T @ delta
            grad_b = delta.sum(axis=0) * self.bias_input
            if index:  # ∂E/∂net of the layer before, from the weights before this step
                delta = self.functions[index - 1].backward(outs[index], delta @ weights.T)
            frozen_weights, frozen_biases = self.frozen[index]
            if not frozen_weights:
                weights -= rate * grad_w
            if not frozen_biases:
                self.biases[index] -= rate * (grad_b.sum(keepdims=True) if self.shared[index] else grad_b)
        return total

    def epoch_done(self):
        self.last_good = self.model()  # one copy of the parameters per epoch, for a clean stop

    def model(self) -> Model:
        return self.template.replace(self.weights, self.biases)


class _PencilRun:
    """Online training through the recorded stages, so every carried number is rounded."""

    def __init__(self, model: Model, loss: str, arithmetic):
        self.current, self.loss, self.arithmetic = model, loss, arithmetic
        self.last_good = model

    def update(self, x: np.ndarray, t: np.ndarray, learning_rate: float) -> float:
        trace = forward(self.current, x[0], self.arithmetic)
        total = error(trace, t[0], self.loss).total
        gradients = backprop(self.current, trace, t[0], self.loss, self.arithmetic)
        self.current = step(self.current, gradients, learning_rate, self.arithmetic)
        return total

    def epoch_done(self):
        self.last_good = self.current

    def model(self) -> Model:
        return self.current


@dataclass(frozen=True)
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
        self.model, self.index, self.bias = model, index, bias
        self.layer, self.found = model.layers[index], gradients.layers[index]
        self.coupled = ACTIVATIONS[self.layer.activation].coupled
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
        layer, found, index = self.layer, self.found, self.index
        targets = self.names.nodes[index + 1]
        if not self.bias:
            i, j = divmod(position, self.width)
            return ChainRow(
                str(self.names.weights[index][i, j]), index, self.names.nodes[index][i], targets[j],
                float(layer.weights[i, j]), float(found.dE_dout[j]), float(found.dout_dnet[j]),
                float(found.dnet_dw[i]), float(found.dE_dnet[j]), float(found.weights[i, j]), self.coupled)
        if layer.shared_bias:  # one weight feeding every node: its gradient sums theirs
            span = f"{targets[0]}…{targets[-1]}" if len(targets) > 1 else targets[0]
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
    return [row for bias in (False, True) for index in range(count) for row in LayerChain(model, gradients, index, bias)]
