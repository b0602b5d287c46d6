"""Online training compiled with numba (the optional extra `pencilnet[fast]`).

One sample at a time, NumPy spends its time on calls, not on arithmetic: some 25 calls a
sample at about half a microsecond each, for a 36-36-2 network whose arithmetic takes a
microsecond or two. This is the online loop of `fast.write_updates` as plain loops numba compiles:
the same operations in the same order per number, except the sums (of a matrix product, of a
shared bias), which NumPy adds up in an order of its own: the two paths agree to about
1e-12 over a few hundred updates, not to the last bit, and over long runs the differences grow.
`online_optimized` is the same loop for every other optimizer: each sample's gradient into a
flat vector, then the optimizer's step parameter by parameter, with `update`'s operations in
`update`'s order (from the same gradient, the same bits as NumPy's `InPlace` step).

Importing this module imports numba, so the engine imports it only when a run is worth it.
"""

from typing import NamedTuple

import numba
import numpy as np

from pencilnet.core.losses import FUSED, from_net
from pencilnet.core.model import Model
from pencilnet.training.fast import closed_form

# The activations and losses the kernel computes, by the integer code it dispatches on: the
# position in these tuples. Every name in `core.activations.ACTIVATIONS` and `core.losses.LOSSES`
# must be here too (a test checks it); a run with one that is not trains in NumPy.
ACTIVATION_CODES = ("identity", "sigmoid", "tanh", "relu", "softmax")
LOSS_CODES = ("half_sse", "mse", "cross_entropy", "binary_cross_entropy", "output")
ACTIVATIONS = {name: code for code, name in enumerate(ACTIVATION_CODES)}
LOSSES = {name: code for code, name in enumerate(LOSS_CODES)}


class LayerRow(NamedTuple):
    """How the kernel sees a layer: one row of integers of `layout`."""

    weights_at: int  # where the layer's weights start in the parameter vector
    biases_at: int
    sources: int
    targets: int
    activation: int  # its code in ACTIVATION_CODES
    shared_bias: int
    frozen_weights: int
    frozen_biases: int
    in_at: int  # where the layer's input and out lie in the kernel's `values`
    out_at: int


# The columns of a row, as numba needs them: plain integers.
W_AT, B_AT, SOURCES, TARGETS, ACTIVATION, SHARED, FROZEN_WEIGHTS, FROZEN_BIASES, IN_AT, OUT_AT = (
    LayerRow._fields.index(name) for name in ("weights_at", "biases_at", "sources", "targets", "activation",
                                              "shared_bias", "frozen_weights", "frozen_biases", "in_at", "out_at"))


def layout(model: Model, loss: str):
    """The layers as `online` takes them, and the loss's code, whether the output layer's ∂E/∂net
    is fused (see `core.losses.FUSED`) and whether the output layer's net, not its out, goes to
    `outputs` (see `loop.Run.terms`); (None, None) for a layer or loss it lacks."""
    if loss not in LOSSES or any(layer.activation not in ACTIVATIONS for layer in model.layers):
        return None, None
    if closed_form(model, loss) is not None:  # ∂E/∂net from net in closed form: NumPy's `output_dE_dnet`
        return None, None
    sizes, rows = model.sizes, []
    w_at, b_at = 0, sum(layer.weights.size for layer in model.layers)
    for index, layer in enumerate(model.layers):
        rows.append(LayerRow(w_at, b_at, sizes[index], sizes[index + 1], ACTIVATIONS[layer.activation],
                             layer.shared_bias, layer.frozen_weights, layer.frozen_biases, sum(sizes[:index]),
                             sum(sizes[:index + 1])))
        w_at, b_at = w_at + layer.weights.size, b_at + layer.biases.size
    activation = model.layers[-1].activation
    return np.array(rows, dtype=np.int64), (LOSSES[loss], (activation, loss) in FUSED, from_net(loss, activation))


EPSILON = 1e-15  # as in losses.py


@numba.njit(cache=True)
def _activate(kind, values, at, size):
    """net -> out in place, for values[at:at + size]."""
    if kind == 1:
        for j in range(at, at + size):
            values[j] = 1.0 / (1.0 + np.exp(-values[j]))
    elif kind == 2:
        for j in range(at, at + size):
            values[j] = np.tanh(values[j])
    elif kind == 3:
        for j in range(at, at + size):
            values[j] = max(values[j], 0.0)
    elif kind == 4:
        largest = values[at]
        for j in range(at, at + size):
            largest = max(largest, values[j])
        total = 0.0
        for j in range(at, at + size):
            values[j] = np.exp(values[j] - largest)
            total += values[j]
        for j in range(at, at + size):
            values[j] /= total


@numba.njit(cache=True)
def _scale(kind, values, at, grads, size):
    """∂E/∂out -> ∂E/∂net in place, for grads[:size], from the outputs values[at:at + size]."""
    if kind == 1:
        for j in range(size):
            out = values[at + j]
            grads[j] *= (1.0 - out) * out
    elif kind == 2:
        for j in range(size):
            out = values[at + j]
            grads[j] *= 1.0 - out * out
    elif kind == 3:
        for j in range(size):
            grads[j] *= 1.0 if values[at + j] > 0.0 else 0.0
    elif kind == 4:  # the softmax Jacobian: out (g - Σ g out)
        total = 0.0
        for j in range(size):
            total += grads[j] * values[at + j]
        for j in range(size):
            grads[j] = (grads[j] - total) * values[at + j]


def _clip(value):
    return min(max(value, EPSILON), 1.0 - EPSILON)


_clip = numba.njit(cache=True)(_clip)


@numba.njit(cache=True)
def _forward_and_output_delta(parameters, layout, bias_input, loss, fused, record_net, inputs, targets, outputs,
                              values, delta, sample):
    """The forward pass of row `sample` into `values`, its output (or, with `record_net`, its
    output layer's net) into `outputs`, and the output layer's ∂E/∂net into `delta`."""
    layers = layout.shape[0]
    last = layout[layers - 1]
    for i in range(inputs.shape[1]):
        values[i] = inputs[sample, i]
    for layer in range(layers):  # forward: net = Σ in × w + b × bias input, then out
        row = layout[layer]
        n_in, n_out, w_at, b_at, in_at, out_at = (row[SOURCES], row[TARGETS], row[W_AT], row[B_AT], row[IN_AT],
                                                  row[OUT_AT])
        net = values[out_at:out_at + n_out]
        net[:] = 0.0
        for i in range(n_in):  # row by row of the weights, as they lie in memory
            source, weights = values[in_at + i], parameters[w_at + i * n_out:w_at + (i + 1) * n_out]
            for j in range(n_out):
                net[j] += source * weights[j]
        for j in range(n_out):
            net[j] += parameters[b_at + (0 if row[SHARED] else j)] * bias_input
        if record_net and layer == layers - 1:  # the loop takes E from net (see `loop.Run.terms`)
            for j in range(n_out):
                outputs[sample, j] = net[j]
        _activate(row[ACTIVATION], values, out_at, n_out)
    out_at, n_out = last[OUT_AT], last[TARGETS]
    for j in range(n_out):  # ∂E/∂net of the output layer
        out, target = values[out_at + j], targets[sample, j]
        if not record_net:
            outputs[sample, j] = out
        if fused or loss == 0:
            delta[j] = out - target
        elif loss == 1:
            delta[j] = 2.0 * (out - target) / n_out
        elif loss == 2:
            delta[j] = -target / _clip(out)
        elif loss == 3:
            delta[j] = (_clip(out) - target) / (_clip(out) * _clip(1.0 - out))
        else:  # the outputs themselves: ∂E/∂out = 1
            delta[j] = 1.0
    if not fused:
        _scale(last[ACTIVATION], values, out_at, delta, n_out)


@numba.njit(cache=True)
def online(parameters, layout, bias_input, loss, fused, record_net, learning_rate, inputs, targets, outputs, values,
           deltas):
    """One update per row of `inputs`, in order; each row's output (its net with `record_net`)
    before its update goes to `outputs`.

    `values` holds the input and every layer's out end to end (layout[:, IN_AT], layout[:, OUT_AT]
    say where); `deltas` is scratch for two layers' ∂E/∂net (times the rate)."""
    layers = layout.shape[0]
    last = layout[layers - 1]
    for sample in range(inputs.shape[0]):
        delta = deltas[0]
        _forward_and_output_delta(parameters, layout, bias_input, loss, fused, record_net, inputs, targets, outputs,
                                  values, delta, sample)
        for j in range(last[TARGETS]):  # times the rate, as the NumPy loop does: each ∂E/∂net below is a step
            delta[j] *= learning_rate
        for layer in range(layers - 1, -1, -1):  # backward, each layer's update from the weights before it
            row = layout[layer]
            n_in, n_out, w_at, b_at, in_at = row[SOURCES], row[TARGETS], row[W_AT], row[B_AT], row[IN_AT]
            delta, back = deltas[(layers - 1 - layer) % 2], deltas[(layers - layer) % 2]
            for i in range(n_in):  # ∂E/∂out of the layer before, and the new weights, in one pass
                source, weights = values[in_at + i], parameters[w_at + i * n_out:w_at + (i + 1) * n_out]
                if layer:
                    total = 0.0
                    for j in range(n_out):
                        total += weights[j] * delta[j]
                    back[i] = total
                if not row[FROZEN_WEIGHTS]:
                    for j in range(n_out):
                        weights[j] -= source * delta[j]
            if not row[FROZEN_BIASES]:
                if row[SHARED]:
                    total = 0.0
                    for j in range(n_out):
                        total += delta[j]
                    parameters[b_at] -= total * bias_input
                else:
                    for j in range(n_out):
                        parameters[b_at + j] -= delta[j] * bias_input
            if layer:
                _scale(layout[layer - 1, ACTIVATION], values, in_at, back, n_in)


# The optimizers the kernel below steps, by code; and the order of the settings it takes.
OPTIMIZER_CODES = ("sgd", "adam", "adamw", "rmsprop")
MOMENTUM, DAMPENING, NESTEROV, BETA1, BETA2, EPS, ALPHA, WEIGHT_DECAY = range(8)


def optimizer_settings(optimizer) -> tuple[int, np.ndarray]:
    """An optimizer as `online_optimized` takes it: its code and its settings, in the order above."""
    o = optimizer
    return OPTIMIZER_CODES.index(o.name), np.array([o.momentum, o.dampening, float(o.nesterov), o.betas[0],
                                                    o.betas[1], o.eps, o.alpha, o.weight_decay])


@numba.njit(cache=True, error_model="numpy")
def _optimizer_step(code, settings, theta, gradient, buffers, mask, lr, t):
    """`core.optimizers.InPlace`'s step, number by number: the same operations in the same order
    (`update`'s), so each parameter gets the same bits from the same gradient. `buffers` rows: sgd
    velocity; adam m, v; rmsprop square_avg, velocity. Frozen parameters (mask 0) have gradient 0.
    `gradient` becomes g (∇ + λθ with coupled decay). Each case is a loop of its own, without a
    test inside, and division is IEEE's (error_model "numpy", as NumPy's): the loops vectorize."""
    n, wd, momentum = theta.size, settings[WEIGHT_DECAY], settings[MOMENTUM]
    if wd != 0.0 and code == 2:  # adamw: θ decayed first
        decay = lr * wd
        for k in range(n):
            theta[k] = theta[k] - (theta[k] * decay) * mask[k]
    elif wd != 0.0:
        for k in range(n):
            gradient[k] = gradient[k] + (theta[k] * wd) * mask[k]
    if code == 0:
        velocity = buffers[0]
        if momentum == 0.0:
            for k in range(n):
                theta[k] = theta[k] - gradient[k] * lr
            return
        if t == 1:
            velocity[:] = gradient
        else:  # (1 − dampening) × g: with dampening 0, g × 1.0 is g, as `update` has it
            damped = 1 - settings[DAMPENING]
            for k in range(n):
                velocity[k] = velocity[k] * momentum + gradient[k] * damped
        if settings[NESTEROV] != 0.0:
            for k in range(n):
                theta[k] = theta[k] - (gradient[k] + velocity[k] * momentum) * lr
        else:
            for k in range(n):
                theta[k] = theta[k] - velocity[k] * lr
    elif code == 3:
        square, velocity = buffers[0], buffers[1]
        alpha, eps = settings[ALPHA], settings[EPS]
        if momentum == 0.0:
            for k in range(n):
                g = gradient[k]
                square[k] = square[k] * alpha + (g * (1 - alpha)) * g
                theta[k] = theta[k] - (g / (np.sqrt(square[k]) + eps)) * lr
        else:
            for k in range(n):
                g = gradient[k]
                square[k] = square[k] * alpha + (g * (1 - alpha)) * g
                velocity[k] = velocity[k] * momentum + g / (np.sqrt(square[k]) + eps)
                theta[k] = theta[k] - velocity[k] * lr
    else:
        m, v = buffers[0], buffers[1]
        beta1, beta2, eps = settings[BETA1], settings[BETA2], settings[EPS]
        correction1, correction2 = 1 - beta1 ** float(t), 1 - beta2 ** float(t)
        for k in range(n):
            g = gradient[k]
            m[k] = m[k] * beta1 + g * (1 - beta1)
            v[k] = v[k] * beta2 + (g * (1 - beta2)) * g
            theta[k] = theta[k] - ((m[k] / correction1) * lr) / (np.sqrt(v[k] / correction2) + eps)


@numba.njit(cache=True)
def online_optimized(parameters, gradient, layout, bias_input, loss, fused, record_net, learning_rate, inputs, targets,
                     outputs, values, deltas, code, settings, buffers, mask, steps):
    """`online` with an optimizer: per sample, the gradient into `gradient` (frozen parameters'
    places left at 0), then one step of the optimizer `code` (see `optimizer_settings`) over all
    parameters; `steps[0]` counts the steps (t), across calls."""
    layers = layout.shape[0]
    for sample in range(inputs.shape[0]):
        delta = deltas[0]
        _forward_and_output_delta(parameters, layout, bias_input, loss, fused, record_net, inputs, targets, outputs,
                                  values, delta, sample)
        for layer in range(layers - 1, -1, -1):  # backward: the gradient, from the weights before the step
            row = layout[layer]
            n_in, n_out, w_at, b_at, in_at = row[SOURCES], row[TARGETS], row[W_AT], row[B_AT], row[IN_AT]
            delta, back = deltas[(layers - 1 - layer) % 2], deltas[(layers - layer) % 2]
            for i in range(n_in):
                source, weights = values[in_at + i], parameters[w_at + i * n_out:w_at + (i + 1) * n_out]
                if layer:
                    total = 0.0
                    for j in range(n_out):
                        total += weights[j] * delta[j]
                    back[i] = total
                if not row[FROZEN_WEIGHTS]:
                    for j in range(n_out):
                        gradient[w_at + i * n_out + j] = source * delta[j]
            if not row[FROZEN_BIASES]:
                if row[SHARED]:
                    total = 0.0
                    for j in range(n_out):
                        total += delta[j]
                    gradient[b_at] = total * bias_input
                else:
                    for j in range(n_out):
                        gradient[b_at + j] = delta[j] * bias_input
            if layer:
                _scale(layout[layer - 1, ACTIVATION], values, in_at, back, n_in)
        steps[0] += 1
        _optimizer_step(code, settings, parameters, gradient, buffers, mask, learning_rate, steps[0])
