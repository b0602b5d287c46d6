"""The NumPy training loop: parameters updated in place, arrays kept from batch to batch.

Plain gradient descent folds the learning rate into the backward pass and steps each layer as it
goes. Every other optimizer (momentum, Adam, RMSprop, weight decay) has each batch's mean
gradient written into one flat vector laid out as the parameters, and then one step of
`core.optimizers.InPlace` on the flat vectors: the formulas of `optimizers.update`, in place."""

import os
import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from pencilnet.core.activations import IN_PLACE_NAMES, activation_of
from pencilnet.core.losses import FUSED, LOSSES, Loss, from_net, terms_from_net
from pencilnet.core.model import Model, flatten, unflatten, views
from pencilnet.core.optimizers import InPlace, Optimizer, State
from pencilnet.core.stages import SGD, trainable
from pencilnet.training.closed import closed_form, written_terms

# Samples trained between checks of the error and the parameters, of the clock and of Ctrl-C: few
# enough that a check is quick to come, many enough that checking costs nothing next to training.
# In batches, four times as many (whole batches): 32 updates of 32 samples between checks cost
# some 5% more than 128 (measured on the 36-36-2 network), while 1,024 online updates hide it.
STRETCH = 1024
BATCH_STRETCH = 4 * STRETCH

class LayerPlan(NamedTuple):
    """One layer as training on batches of one size goes through it: its parameters (views into
    the run's vector, changed in place), its in-place functions and the arrays it writes into."""

    weights: np.ndarray
    biases: np.ndarray
    apply: Callable[[np.ndarray], None]  # net -> out, in place
    scale: Callable[[np.ndarray, np.ndarray, np.ndarray], None]  # (out, ∂E/∂out, spare): ∂E/∂out -> ∂E/∂net
    net: np.ndarray  # its net, then its out (training writes the output layer's into the caller's array)
    spare: np.ndarray  # scratch for `scale`
    dE_dout: np.ndarray  # its ∂E/∂out, from the layer after, then its ∂E/∂net (unused for the output layer)
    weights_for_back: np.ndarray  # the weights as the product for the layer before's ∂E/∂out takes them
    input_for_step: np.ndarray | None  # its input laid out for the weights' step (None: the first layer's)
    weight_step: np.ndarray  # the step for the weights, learning rate in
    bias_step: np.ndarray  # the step for the biases: a batch's, summed over its samples
    weight_gradient: np.ndarray | None  # with an optimizer: views into the run's gradient vector
    bias_gradient: np.ndarray | None


class Plan(NamedTuple):
    """What training on batches of one size goes through, with every array it writes into, made once."""

    rows: int  # the batch's size; 0 for one sample at a time, as vectors
    layers: tuple[LayerPlan, ...]
    delta: np.ndarray  # ∂E/∂out of the output layer, where the loss's ufunc writes it (see `Loss.ufunc`)
    ones: np.ndarray | None  # a batch's bias steps are ones @ ∂E/∂net, a matrix product (None for one sample)
    updates: Callable | None = None  # the function that trains, written for this plan (see `write_updates`)
    source: str | None = None  # its source


class ExactRun:
    """The run object (see `loop.Run`) in float64: the parameters as one vector in `flatten`'s
    order, with each layer's weights and biases as views into it, all updated in place, and
    arrays for the intermediate values kept from one batch to the next. An update costs its
    arithmetic only: no new Model, and new arrays only for what a loss or a layer's options
    compute apart (∂E/∂out of most losses, a shared bias's step, a bias input other than 1).

    With an optimizer other than plain gradient descent, the gradient too is one vector (with
    views per layer), and `optimizer` holds the optimizer's state, which `mark` and `rewind`
    keep with the parameters."""

    def __init__(self, model: Model, loss: str, compiled: bool = False, optimizer: Optimizer = SGD):
        self.template = model
        self.parameters = flatten(model)  # a new array, ours to change
        self.saved = self.parameters.copy()  # the parameters after the last whole epoch
        self.marked = self.parameters.copy()  # the parameters when `mark` was last called
        self.layers = views(model, self.parameters)  # (weights, biases) of each layer
        self.activations = [activation_of(layer.activation) for layer in model.layers]
        self.loss = LOSSES[loss]
        self.fused = FUSED.get((model.layers[-1].activation, loss))
        self.closed = closed_form(model, loss)
        self.records_net = from_net(loss, model.layers[-1].activation)
        self.plans = {}  # rows in a batch (0: one sample, as vectors) -> its Plan
        self.optimizer: InPlace | None = None
        if not optimizer.plain:
            # Frozen parameters' places in the gradient are never written: they stay 0 (see InPlace).
            self.gradient = np.zeros_like(self.parameters)
            self.gradients = views(model, self.gradient)
            free = trainable(model)
            self.optimizer = InPlace(optimizer, self.parameters, self.gradient, free)
            self.marked_state: State = self.optimizer.state()
        self.kernel = (compiled_online(optimized=True) if self.optimizer else compiled_online()) if compiled else None
        if self.kernel:
            from pencilnet.training import compiled as kernel

            found = kernel.table(model, loss)
            self.values, self.deltas = np.empty(sum(model.sizes)), np.empty((2, max(model.sizes)))
            if self.optimizer:
                self.settings = kernel.optimizer_settings(optimizer)
                self.mask = np.ones(self.parameters.size) if free is None else free.astype(np.float64)
            if found is None:  # ∂E/∂net in closed form from net: NumPy trains
                self.kernel = None
            else:
                self.table, self.layer_settings, self.codes = found

    def _plan(self, rows: int) -> Plan:
        """The Plan for batches of `rows` samples (0: one sample, as vectors)."""
        if rows in self.plans:
            return self.plans[rows]
        shape = (rows,) if rows else ()
        nets = [np.empty(shape + (w.shape[1],)) for w, _ in self.layers]
        gradients = self.gradients if self.optimizer else [(None, None)] * len(nets)
        # One sample at a time, a layer's ∂E/∂net is its biases' gradient (when they are its own,
        # trained and fed by 1): the backward pass writes it into the gradient vector itself.
        deltas = [b if _is_bias_gradient(self.template, rows, index, b) else np.empty(net.shape)
                  for index, ((_, b), net) in enumerate(zip(gradients, nets))]
        layers = []
        for index, ((w, b), activation, net) in enumerate(zip(self.layers, self.activations, nets)):
            source = nets[index - 1] if index else None
            for_step = None if source is None else source.T if rows else source[:, None]
            layers.append(LayerPlan(w, b, activation.apply, activation.scale, net, np.empty(net.shape),
                                    deltas[index], w.T if rows else w, for_step, np.empty(w.shape),
                                    np.empty(w.shape[1]), *gradients[index]))
        delta = deltas[-1] if self.fused is None and self.loss.ufunc else np.empty(nets[-1].shape)
        self.plans[rows] = Plan(rows, tuple(layers), delta, np.ones(rows) if rows else None)
        return self.plans[rows]

    def train(self, inputs: np.ndarray, targets: np.ndarray, size: int, learning_rate: float, outputs: np.ndarray):
        """Batches of `size` rows in turn, one update each; each sample's output before its update goes to `outputs`."""
        if size == 1 and self.kernel and self.optimizer:
            steps = np.array([self.optimizer.steps])
            self.kernel(self.parameters, self.gradient, self.table, self.layer_settings, self.template.bias_input,
                        *self.codes,
                        learning_rate, inputs, targets, outputs, self.values, self.deltas, *self.settings,
                        self.optimizer.rows, self.mask, steps)
            self.optimizer.steps = int(steps[0])
            return None
        if size == 1 and self.kernel:
            return self.kernel(self.parameters, self.table, self.layer_settings, self.template.bias_input,
                               *self.codes, learning_rate, inputs, targets, outputs, self.values, self.deltas)
        if size == 1:
            return self._updates(0)(inputs, targets, outputs, learning_rate)
        whole = len(inputs) // size * size  # then a last, shorter batch, if there is one
        if whole:
            self._updates(size)(inputs[:whole], targets[:whole], outputs[:whole], learning_rate)
        if whole < len(inputs):
            self._updates(len(inputs) - whole)(inputs[whole:], targets[whole:], outputs[whole:], learning_rate)

    def _updates(self, rows: int) -> Callable:
        """The function that trains on a batch of `rows` samples (0: on samples one at a time)."""
        plan = self._plan(rows)
        if plan.updates is None:
            names, source = write_updates(self.template, plan, self.loss, self.fused,
                                          self.optimizer.step if self.optimizer else None, self.closed, self.records_net)
            exec(compile(source, f"<pencilnet training, {rows or 'one sample'} a batch>", "exec"), names)
            self.plans[rows] = plan = plan._replace(updates=names["updates"], source=source)
        return plan.updates

    def _forward(self, x, plan: Plan):
        """Every layer's out for the batch `x`, into the plan's arrays; returns the output layer's,
        whose net is left in that layer's spare array."""
        value, bias_input = x, self.template.bias_input
        for layer in plan.layers:
            value = np.matmul(value, layer.weights, out=layer.net)
            value += layer.biases if bias_input == 1.0 else layer.biases * bias_input
            if layer is plan.layers[-1]:
                np.copyto(layer.spare, value)
            layer.apply(value)
        return value

    def mean_error(self, inputs, targets) -> float:
        """`mean_error` with the current parameters, a stretch at a time in the arrays kept: a
        forward pass over all the data at once would need new arrays as big as the data (unless
        training was in one full batch, whose arrays are that big already)."""
        total = 0.0
        step = len(inputs) if len(inputs) in self.plans else STRETCH  # a full batch's arrays are there already
        for start in range(0, len(inputs), step):
            x, t = inputs[start:start + step], targets[start:start + step]
            plan = self._plan(len(x))
            out = self._forward(x, plan)
            # The cross-entropies from net, as the stages take them: exact however saturated out is.
            total += float(terms_from_net(self.loss.name, self.template.layers[-1].activation, plan.layers[-1].spare,
                                          out, t).sum())
        return total / len(inputs)

    def terms(self, written: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return written_terms(self.loss.name, self.template.layers[-1].activation, self.records_net, written, targets)

    def largest(self) -> float:
        # Both reductions are NaN if any parameter is, and max() keeps a NaN that comes first.
        return max(float(np.maximum.reduce(self.parameters)), -float(np.minimum.reduce(self.parameters)))

    def mark(self):
        np.copyto(self.marked, self.parameters)
        if self.optimizer:
            self.marked_state = self.optimizer.state()

    def rewind(self):
        np.copyto(self.parameters, self.marked)
        if self.optimizer:
            self.optimizer.restore(self.marked_state)

    def epoch_done(self):
        np.copyto(self.saved, self.parameters)  # for a clean stop after this epoch

    def last_good(self) -> Model:
        return unflatten(self.template, self.saved.copy())

    def model(self) -> Model:
        return unflatten(self.template, self.parameters)


def _is_bias_gradient(model: Model, rows: int, index: int, biases: np.ndarray | None) -> bool:
    """Whether layer `index`'s ∂E/∂net, one sample at a time, is its biases' gradient as it stands."""
    layer = model.layers[index]
    return (biases is not None and not rows and model.bias_input == 1.0 and not layer.shared_bias
            and not layer.frozen_biases)


def write_updates(model: Model, plan: Plan, loss: Loss, fused: Callable | None,
                  optimize: Callable | None = None, closed: Callable | None = None,
                  records_net: bool = False) -> tuple[dict, str]:
    """The source of `updates`, the function that trains for `plan`, and the names it uses.

    NumPy's cost on small arrays is per call, not per number, and a loop over the layers, with
    its tests of each layer's options, costs a good part of what the arithmetic does. So the
    statements of one update are written out for this network, every option decided here and
    every result written into the plan's arrays, and compiled once (as `dataclasses` writes an
    `__init__`). `updates(inputs, targets, outputs, rate)` makes one update for each batch of
    `plan.rows` rows (their number a multiple of it), or for each sample (`plan.rows` 0): then
    with np.dot (quicker to call than matmul on vectors) and the outer product for the weights' step.
    The order of operations is the stages', with the rate (over the batch's size) folded into
    the output layer's ∂E/∂net once: each ∂E/∂net after it is then the step for the biases.

    With `optimize` (an optimizer's `InPlace.step`), the backward pass writes the batch's mean
    gradient into the plan's gradient views instead (1 / the batch's size folded in where the
    rate was; frozen parameters' places left alone, at 0), and `optimize(rate)` makes the step.
    With `records_net`, each sample's output layer's net, not its out, goes to `outputs` (see
    `loop.Run.terms`); with `closed` (see `closed_form`), ∂E/∂net is computed from it."""
    names = {"dot": np.dot, "matmul": np.matmul, **IN_PLACE_NAMES}
    names.update({"fused": fused, "derivative": loss.derivative, "delta_out": plan.delta, "ones": plan.ones,
                  "bias_input": model.bias_input, "closed": closed, "copyto": np.copyto})
    if optimize:
        names.update({"sum": np.sum, "optimize": optimize})
    batch = plan.rows > 0

    # Each activation's in-place statements (its row's), written in where a call would cost a
    # Python call per layer and update, about a twentieth of an online update.
    def apply(index, net):
        return [line.format(net=net) for line in activation_of(model.layers[index].activation).apply_statements]

    def scale(index, out, grad):
        return [line.format(out=out, grad=grad, spare=f"spare{index}")
                for line in activation_of(model.layers[index].activation).scale_statements]

    product = "matmul" if batch else "dot"
    scaled = "" if model.bias_input == 1.0 else " * bias_input"
    last = len(plan.layers) - 1
    lines, value = [], "x"
    for index, layer in enumerate(plan.layers):  # forward
        names.update({f"{name}{index}": array for name, array in layer._asdict().items()})
        net = "out" if index == last else f"net{index}"
        lines += [f"{product}({value}, weights{index}, out={net})", f"add({net}, biases{index}{scaled}, out={net})"]
        if records_net and index == last:  # the net stays in the caller's array; out goes in the layer's own
            net = f"net{index}"
            lines.append(f"copyto({net}, out)")
        lines += apply(index, net)
        value = net
    if closed:  # the output layer's ∂E/∂net, times the rate
        lines.append(f"delta = closed(out, {value}, t)")
    elif fused:
        lines.append(f"delta = fused({value}, t)")
    else:
        lines += [f"delta = {loss.ufunc}({value}, t, out=delta_out)" if loss.ufunc else f"delta = derivative({value}, t)",
                  *scale(last, value, "delta")]
    if not optimize:
        lines.append("multiply(delta, rate, out=delta)")
    elif plan.rows > 1:  # the batch's gradient is the mean of its samples'
        lines.append(f"multiply(delta, {1.0 / plan.rows!r}, out=delta)")
    for index in range(last, -1, -1):  # backward, every step from the weights before it
        layer = model.layers[index]
        if index:  # ∂E/∂out of the layer before
            back = f"delta, weights_for_back{index}" if batch else f"weights{index}, delta"
            lines.append(f"{product}({back}, out=dE_dout{index - 1})")
        if optimize:
            lines += _gradient(model, plan, index, scaled)
        else:
            if not layer.frozen_weights:
                source = f"input_for_step{index}" if index else "x.T" if batch else "x_column"
                step = f"{'matmul' if batch else 'multiply'}({source}, delta, out=weight_step{index})"
                lines.append(f"subtract(weights{index}, {step}, out=weights{index})")
            if not layer.frozen_biases:
                step = f"matmul(ones, delta, out=bias_step{index})" if batch else "delta"
                step = f"{step}.sum(keepdims=True)" if layer.shared_bias else step
                lines.append(f"subtract(biases{index}, {step}{scaled}, out=biases{index})")
        if index:
            lines += [*scale(index - 1, f"net{index - 1}", f"dE_dout{index - 1}"), f"delta = dE_dout{index - 1}"]
    if optimize:
        lines.append("optimize(rate)")
    if batch:  # the rate over the batch's size: its gradient is the mean of its samples'
        head = [] if optimize else [f"rate = rate / {plan.rows}"]
        head += [f"shape = (len(inputs) // {plan.rows}, {plan.rows}, -1)",
                 "for x, t, out in zip(inputs.reshape(shape), targets.reshape(shape), outputs.reshape(shape)):"]
    else:
        head = ["for x, x_column, t, out in zip(inputs, inputs[:, :, None], targets, outputs):"]
    body = [f"    {line}" for line in head] + [f"        {line}" for line in lines]
    # Every name a keyword-only parameter with its value as the default: a local, quicker to look up.
    used = set(re.findall(r"\w+", "\n".join(body)))
    names = {name: value for name, value in names.items() if name in used}
    signature = "inputs, targets, outputs, rate, *, " + ", ".join(f"{name}={name}" for name in names)
    return names, f"def updates({signature}):\n" + "".join(f"{line}\n" for line in body)


def _gradient(model: Model, plan: Plan, index: int, scaled: str) -> list[str]:
    """The statements that write layer `index`'s gradient (from its ∂E/∂net, `delta`) into the
    gradient vector's views: none for what is frozen, nor for biases whose `delta` is the view."""
    layer, laid, batch, lines = model.layers[index], plan.layers[index], plan.rows > 0, []
    if not layer.frozen_weights:
        source = f"input_for_step{index}" if index else "x.T" if batch else "x_column"
        lines.append(f"{'matmul' if batch else 'multiply'}({source}, delta, out=weight_gradient{index})")
    delta = plan.delta if index == len(plan.layers) - 1 else laid.dE_dout
    if layer.frozen_biases or delta is laid.bias_gradient:
        return lines
    summed = f"matmul(ones, delta, out=bias_step{index})" if batch else "delta"
    if layer.shared_bias:
        lines.append(f"sum({summed}, keepdims=True, out=bias_gradient{index})")
    elif batch:
        lines.append(f"matmul(ones, delta, out=bias_gradient{index})")
    elif not scaled:
        return lines + [f"copyto(bias_gradient{index}, delta)"]
    else:
        return lines + [f"multiply(delta, bias_input, out=bias_gradient{index})"]
    if scaled:
        lines.append(f"multiply(bias_gradient{index}, bias_input, out=bias_gradient{index})")
    return lines


def compiled_online(optimized: bool = False):
    """The compiled online loop (`optimized`: the one that steps an optimizer), or None without
    numba (or with PENCILNET_NUMBA=0 in the environment)."""
    if os.environ.get("PENCILNET_NUMBA") == "0":
        return None
    try:
        from pencilnet.training.compiled import online, online_optimized
    except ImportError:  # numba is an optional extra; NumPy gives the same numbers, slower
        return None
    return online_optimized if optimized else online
