"""The NumPy run's update function, written out for one network and one batch size.

NumPy's cost on small arrays is per call, not per number: the statements of one update are
written out (each activation's and loss's in-place statements from its row), every option
decided here and every result written into the plan's arrays, and compiled once."""

import re
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from pencilnet.core.activations import IN_PLACE_NAMES, activation_of
from pencilnet.core.losses import Loss
from pencilnet.core.model import Model


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
    for index, planned in enumerate(plan.layers):  # forward
        names.update({f"{name}{index}": array for name, array in planned._asdict().items()})
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
        derivative = f"{loss.ufunc}({value}, t, out=delta_out)" if loss.ufunc else f"derivative({value}, t)"
        lines += [f"delta = {derivative}",
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
