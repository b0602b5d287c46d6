"""The computation: forward pass, error, backprop, gradient-descent step, training.

Pure functions over immutable records; nothing here prints or touches files.
Every named intermediate the article writes down (net, out, each error term, each
chain-rule factor, each sum of back-propagated terms) passes through `arithmetic.carry`,
the one place where a person with a pencil would round before carrying a number on.

Records are frozen dataclasses with eq=False: records holding arrays have no meaningful ==
(an array comparison has no single truth value), and leaving out the generated __eq__
makes each about a third cheaper to define, which every command pays at start-up.
"""

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import ACTIVATIONS
from .losses import FUSED, LOSSES
from .model import Model, flatten, shared_target, unflatten, views


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
        from .rounding import half_up  # decimal arithmetic: only pencil mode needs it

        self._round = np.vectorize(lambda v: float(half_up(v, decimals)), otypes=[np.float64])

    def carry(self, value):
        return self._round(value)

    def __str__(self):
        return f"pencil {self.decimals}"


EXACT = Exact()


def arithmetic_of(decimals: int | None):
    """Pencil arithmetic at `decimals` places, or exact arithmetic for None."""
    return EXACT if decimals is None else Pencil(decimals)


@dataclass(frozen=True, eq=False)
class LayerTrace:
    inputs: np.ndarray  # what fed this layer: x, or the previous layer's out
    net: np.ndarray
    out: np.ndarray


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


@dataclass(frozen=True, eq=False)
class Schedule:
    """How to train: the learning rate, how many epochs, and how samples are grouped."""

    learning_rate: float
    epochs: int
    batch_size: int | None = 1  # 1: online, one update per sample (the article's way); None: full batch
    shuffle: bool = False  # a new order of the samples every epoch, from `seed`
    seed: int = 0
    target_error: float | None = None  # stop after the first epoch whose error is at or below this


@dataclass(frozen=True, eq=False)
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
    return counts(forward(model, inputs).output, targets)


def counts(outputs, targets) -> np.ndarray:
    """counts[i, j]: samples of class i (their target's largest entry) whose largest output is j."""
    found = np.zeros((np.shape(targets)[1],) * 2, dtype=int)
    np.add.at(found, (np.argmax(np.asarray(targets), axis=1), np.argmax(np.asarray(outputs), axis=1)), 1)
    return found


# (epoch, samples done in it, mean error of those samples so far). Called at most every
# PROGRESS_INTERVAL seconds, at the end of a stretch of samples or of an epoch, and after the
# last epoch: a caller that redraws something does so a few times a second, never per sample.
Progress = Callable[[int, int, float], None]
PROGRESS_INTERVAL = 0.1
# Samples trained between checks of the error (for NaN), of the clock and of Ctrl-C: few enough
# that a check is quick to come, many enough that checking costs nothing next to training.
STRETCH = 1024
# Online runs of at least this many updates use the loop compiled by numba, when it is installed
# (see `compiled`): about half a second to start, then ten times NumPy's speed or more.
COMPILED_FROM = 50_000


def train(model: Model, inputs, targets, schedule: Schedule, loss: str = "half_sse", arithmetic=EXACT,
          on_progress: Progress | None = None, test: tuple | None = None) -> History:
    """Gradient descent over the samples for `schedule.epochs` epochs (fewer if the target error
    is reached): forward, error, backprop and step for each batch, each gradient from the
    weights before the step. Raises `TrainingDiverged` when the error stops being a finite number.

    `on_progress` is called a few times a second at most (see `Progress`), and after the last epoch."""
    inputs, targets = np.asarray(inputs, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    count = len(inputs)
    size = count if schedule.batch_size is None else min(schedule.batch_size, count)
    if arithmetic is not EXACT and size != 1:
        raise ValueError("pencil arithmetic trains online only, one sample at a time")
    rng = np.random.default_rng(schedule.seed)
    if arithmetic is not EXACT:
        run = _PencilRun(model, loss, arithmetic)
    else:  # the compiled loop pays for its start (importing numba, loading the code) only on long runs
        run = _ExactRun(model, loss, compiled=size == 1 and count * schedule.epochs >= COMPILED_FROM)
    errors, test_accuracy = [], ([] if test is not None else None)
    epoch = 0
    try:
        # A diverging run overflows on its way to NaN; that is caught and reported below, not warned about.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            epoch, stopped = _epochs(run, inputs, targets, schedule, size, rng, errors, test_accuracy, on_progress,
                                     test)
    except KeyboardInterrupt:
        raise TrainingInterrupted(len(errors), errors, run.last_good()) from None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        final_error = run.mean_error(inputs, targets)
    if not np.isfinite(final_error):  # the very last update broke the weights
        raise TrainingDiverged(epoch, count, run.last_good())
    return History(errors, run.model(), final_error, epoch, stopped, test_accuracy)


def _epochs(run, inputs, targets, schedule: Schedule, size: int, rng, errors: list, test_accuracy: list | None,
            on_progress, test) -> tuple[int, bool]:
    """The training loop proper; returns the epochs run and whether the target error stopped it.

    Each epoch goes by stretches of whole batches. The run writes each sample's output, from
    the weights before its batch's update, into `outputs`; the stretch's errors are worked out
    from those at once, which costs far less than doing it sample by sample."""
    count = len(inputs)
    stretch = count if size == count else max(size, STRETCH // size * size)
    outputs = np.empty((min(stretch, count), targets.shape[1]))
    # A full batch is the same sum in any order, so it is never shuffled. Otherwise a shuffled
    # stretch is gathered into buffers kept for the whole run: no copy of the data per batch or epoch.
    shuffle = schedule.shuffle and size < count
    if shuffle:
        gathered_inputs, gathered_targets = np.empty((stretch, inputs.shape[1])), np.empty((stretch, targets.shape[1]))
    reported = time.monotonic()
    epoch = 0
    for epoch in range(1, schedule.epochs + 1):
        order = rng.permutation(count) if shuffle else None
        total = 0.0
        for start in range(0, count, stretch):
            stop = min(start + stretch, count)
            if shuffle:  # mode="clip": the indices are valid, and it writes straight into `out`
                x = np.take(inputs, order[start:stop], axis=0, out=gathered_inputs[:stop - start], mode="clip")
                t = np.take(targets, order[start:stop], axis=0, out=gathered_targets[:stop - start], mode="clip")
            else:
                x, t = inputs[start:stop], targets[start:stop]
            out = outputs[:stop - start]
            run.train(x, t, size, schedule.learning_rate, out)
            found = run.loss.terms(out, t).sum(axis=1)  # each sample's error, before its batch's update
            part = float(found.sum())
            if not np.isfinite(part):
                first = start + int(np.argmin(np.isfinite(found)))
                raise TrainingDiverged(epoch, int(order[first] if shuffle else first) + 1, run.last_good())
            total += part
            if on_progress and stop < count and time.monotonic() - reported >= PROGRESS_INTERVAL:
                on_progress(epoch, stop, total / stop)
                reported = time.monotonic()
        errors.append(total / count)
        run.epoch_done()
        if test_accuracy is not None:
            test_accuracy.append(accuracy(run.model(), *test))
        done = schedule.target_error is not None and errors[-1] <= schedule.target_error
        if on_progress and (done or epoch == schedule.epochs or time.monotonic() - reported >= PROGRESS_INTERVAL):
            on_progress(epoch, count, errors[-1])
            reported = time.monotonic()
        if done:
            return epoch, epoch < schedule.epochs
    return epoch, False


class _ExactRun:
    """The training loop's state: the parameters as one vector in `flatten`'s order, with each
    layer's weights and biases as views into it, all updated in place, and arrays for the
    intermediate values kept from one batch to the next. An update costs its arithmetic only:
    no new Model, and, for big batches, no new arrays."""

    def __init__(self, model: Model, loss: str, compiled: bool = False):
        self.template = model
        self.parameters = flatten(model)  # a new array, ours to change
        self.saved = self.parameters.copy()  # the parameters after the last whole epoch
        weights = views(model, self.parameters)
        self.layers = [(w, b, ACTIVATIONS[layer.activation], layer.frozen_weights, layer.frozen_biases,
                        layer.shared_bias) for (w, b), layer in zip(weights, model.layers)]
        self.bias_input = model.bias_input
        self.loss = LOSSES[loss]
        self.fused = FUSED.get((model.layers[-1].activation, loss))
        fused, derivative, scale = self.fused, self.loss.derivative, self.layers[-1][2].scale

        def output_delta(out, t, spare):  # ∂E/∂net of the output layer, fused where there is a fused form
            if fused:
                return fused(out, t)
            delta = derivative(out, t)
            scale(out, delta, spare)
            return delta

        self.output_delta = output_delta
        self.gradients = [np.empty(w.shape) for w, *_ in self.layers]
        self.plans = {}  # rows in a batch (0: one sample, as vectors) -> what `_plan` gives
        self.kernel = _compiled_online() if compiled else None
        if self.kernel:
            self._describe(model, loss)

    def _describe(self, model: Model, loss: str):
        """The layers as the compiled loop takes them: one row of integers each (see `compiled`)."""
        from . import compiled

        sizes, rows, w_at, b_at = model.sizes, [], 0, sum(layer.weights.size for layer in model.layers)
        for index, layer in enumerate(model.layers):
            rows.append([w_at, b_at, sizes[index], sizes[index + 1], compiled.ACTIVATIONS[layer.activation],
                         layer.shared_bias, layer.frozen_weights, layer.frozen_biases, sum(sizes[:index]),
                         sum(sizes[:index + 1])])
            w_at, b_at = w_at + layer.weights.size, b_at + layer.biases.size
        self.layout = np.array(rows, dtype=np.int64)
        self.loss_code, self.is_fused = compiled.LOSSES[loss], self.fused is not None
        self.values, self.deltas = np.empty(sum(sizes)), np.empty((2, 2 * max(sizes)))

    def _plan(self, rows: int):
        """For batches of `rows` samples (0: one sample, as vectors), what the loops go through, with
        the arrays they write into, made once: the hidden layers (weights, biases, activation, net),
        the output layer (weights, biases, activation), and the layers from the last back, each with
        its input (None: the batch's), the array for ∂E/∂out of the layer before (None for the first),
        that layer's `scale` and scratch, and the array for its weights' gradient; then scratch for
        the output layer, and an array for its outputs."""
        if rows not in self.plans:
            shape = (rows,) if rows else ()
            nets = [np.empty(shape + (w.shape[1],)) for w, *_ in self.layers]
            spares = [np.empty(net.shape) for net in nets]
            hidden = [(w, b, activation.apply, net) for (w, b, activation, *_), net in zip(self.layers, nets)][:-1]
            steps = []
            for index in range(len(self.layers) - 1, -1, -1):
                w, b, _, frozen_weights, frozen_biases, shared = self.layers[index]
                before = (nets[index - 1], np.empty(nets[index - 1].shape), self.layers[index - 1][2].scale,
                          spares[index - 1]) if index else (None, None, None, None)
                steps.append((w, b, frozen_weights, frozen_biases, shared, *before, self.gradients[index]))
            self.plans[rows] = hidden, self.layers[-1][:2] + (self.layers[-1][2].apply,), steps, spares[-1], nets[-1]
        return self.plans[rows]

    def train(self, inputs: np.ndarray, targets: np.ndarray, size: int, learning_rate: float, outputs: np.ndarray):
        """Batches of `size` rows in turn, one update each; each sample's output before its update goes to `outputs`."""
        if size == 1 and self.kernel:
            return self.kernel(self.parameters, self.layout, self.bias_input, self.loss_code, self.is_fused,
                               learning_rate, inputs, targets, outputs, self.values, self.deltas)
        if size == 1:
            return self._online(inputs, targets, learning_rate, outputs)
        for start in range(0, len(inputs), size):
            end = start + size
            self._batch(inputs[start:end], targets[start:end], learning_rate, outputs[start:end])

    def _online(self, inputs, targets, learning_rate, outputs):
        # One sample at a time NumPy's cost is per call, not per number, so this loop makes as few
        # calls as it can, and as little else: `_forward` and `_batch` written out for vectors, with
        # the outer product for the gradient.
        hidden, (w_out, b_out, apply_out), steps, spare, _ = self._plan(0)
        bias_input, output_delta, matmul, outer = self.bias_input, self.output_delta, np.matmul, np.multiply.outer
        scaled = bias_input != 1.0
        for x, t, out in zip(inputs, targets, outputs):
            value = x
            for w, b, apply, net in hidden:
                matmul(value, w, out=net)
                net += b * bias_input if scaled else b
                apply(net)
                value = net
            matmul(value, w_out, out=out)
            out += b_out * bias_input if scaled else b_out
            apply_out(out)
            delta = output_delta(out, t, spare)
            for w, b, frozen_weights, frozen_biases, shared, source, back, scale, back_spare, _ in steps:
                if back is not None:  # ∂E/∂out of the layer before, from the weights before this step
                    matmul(w, delta, out=back)
                step = learning_rate * delta
                if not frozen_weights:
                    w -= outer(x if source is None else source, step)
                if not frozen_biases:
                    if shared:
                        step = step.sum(keepdims=True)
                    b -= step * bias_input if scaled else step
                if back is not None:
                    scale(source, back, back_spare)
                    delta = back

    def _forward(self, x, hidden, output_layer, outputs):
        """Every layer's out for the batch `x`, into the plan's arrays; the output layer's into `outputs`."""
        value, bias_input = x, self.bias_input
        for w, b, apply, net in hidden:
            np.matmul(value, w, out=net)
            net += b * bias_input if bias_input != 1.0 else b
            apply(net)
            value = net
        w, b, apply = output_layer
        np.matmul(value, w, out=outputs)
        outputs += b * bias_input if bias_input != 1.0 else b
        apply(outputs)

    def _batch(self, x, t, learning_rate, outputs):
        hidden, output_layer, steps, spare, _ = self._plan(len(x))
        self._forward(x, hidden, output_layer, outputs)
        delta = self.output_delta(outputs, t, spare)
        rate = learning_rate / len(x)  # the batch's gradient is the mean of its samples' gradients
        for w, b, frozen_weights, frozen_biases, shared, source, back, scale, back_spare, gradient in steps:
            if back is not None:  # ∂E/∂out of the layer before, from the weights before this step
                np.matmul(delta, w.T, out=back)
            if not frozen_weights:
                np.matmul((x if source is None else source).T, delta, out=gradient)
                gradient *= rate
                w -= gradient
            if not frozen_biases:
                found = np.add.reduce(delta, axis=0, keepdims=shared)
                if shared:
                    found = np.add.reduce(found, axis=1)
                found *= rate * self.bias_input
                b -= found
            if back is not None:
                scale(source, back, back_spare)
                delta = back

    def mean_error(self, inputs, targets) -> float:
        """`mean_error` with the current parameters, a stretch at a time in the arrays kept: a
        forward pass over all the data at once would need new arrays as big as the data (unless
        training was in one full batch, whose arrays are that big already)."""
        total = 0.0
        step = len(inputs) if len(inputs) in self.plans else STRETCH  # a full batch's arrays are there already
        for start in range(0, len(inputs), step):
            x, t = inputs[start:start + step], targets[start:start + step]
            hidden, output_layer, _, _, out = self._plan(len(x))
            self._forward(x, hidden, output_layer, out)
            total += float(self.loss.terms(out, t).sum())
        return total / len(inputs)

    def epoch_done(self):
        np.copyto(self.saved, self.parameters)  # for a clean stop after this epoch

    def last_good(self) -> Model:
        return unflatten(self.template, self.saved.copy())

    def model(self) -> Model:
        return unflatten(self.template, self.parameters)


def _compiled_online():
    """The compiled online loop, or None without numba (or with PENCILNET_NUMBA=0 in the environment)."""
    if os.environ.get("PENCILNET_NUMBA") == "0":
        return None
    try:
        from .compiled import online
    except ImportError:  # numba is an optional extra; NumPy gives the same numbers, slower
        return None
    return online


class _PencilRun:
    """Online training through the recorded stages, so every carried number is rounded."""

    def __init__(self, model: Model, loss: str, arithmetic):
        self.current, self.loss_name, self.arithmetic = model, loss, arithmetic
        self.loss = LOSSES[loss]
        self.good = model

    def train(self, inputs, targets, size, learning_rate, outputs):
        for x, t, out in zip(inputs, targets, outputs):
            trace = forward(self.current, x, self.arithmetic)
            out[:] = trace.output
            gradients = backprop(self.current, trace, t, self.loss_name, self.arithmetic)
            self.current = step(self.current, gradients, learning_rate, self.arithmetic)

    def mean_error(self, inputs, targets) -> float:
        return mean_error(self.current, inputs, targets, self.loss_name, self.arithmetic)

    def epoch_done(self):
        self.good = self.current

    def last_good(self) -> Model:
        return self.good

    def model(self) -> Model:
        return self.current


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
