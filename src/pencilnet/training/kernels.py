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

The kernels are generated from the rows of `core.activations` and `core.losses` (their
`compiled_*` forms), each activation and loss a branch on its integer code (its place in the
rows), and both online loops from one template: the same source cannot drift apart, and each
loop keeps its inner loops free of tests, so they vectorize. The source is compiled into this
module under names that carry a hash of it, so numba's cache on disk serves it again and a
changed row compiles anew.

Importing this module imports numba, so the engine imports it only when a run is worth it.
"""

import hashlib
import textwrap
from typing import NamedTuple

import numba
import numpy as np

from pencilnet.core.activations import ACTIVATIONS, activation_of
from pencilnet.core.losses import FUSED, LOSSES, from_net
from pencilnet.core.model import Model
from pencilnet.training.closed import closed_form

# Each activation and loss by the integer code the kernel dispatches on: its place in the rows.
ACTIVATION_CODES = {name: code for code, name in enumerate(ACTIVATIONS)}
LOSS_CODES = {name: code for code, name in enumerate(LOSSES)}
# A layer's activation settings reach the kernels as one number (a slope): no row has more yet.
SETTINGS = max(len(row.settings) for row in ACTIVATIONS.values())
assert SETTINGS <= 1, "the kernels pass one setting per layer: pass more before adding such a row"


class LayerRow(NamedTuple):
    """How the kernel sees a layer: one row of integers of its table."""

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
W_AT, B_AT, SOURCES, TARGETS, ACTIVATION, SHARED, FROZEN_WEIGHTS, FROZEN_BIASES, IN_AT, OUT_AT = range(10)


def table(model: Model, loss: str):
    """(the layers as the kernels take them: integer rows, and each layer's activation settings as
    floats; the loss's code, whether the output layer's ∂E/∂net is fused (see `core.losses.FUSED`)
    and whether the output layer's net, not its out, goes to `outputs` (see `loop.Run.terms`)), or
    None where ∂E/∂net is taken in closed form from net (NumPy's `output_dE_dnet`)."""
    if closed_form(model, loss) is not None:
        return None
    sizes, rows, settings = model.sizes, [], np.zeros((len(model.layers), max(SETTINGS, 1)))
    w_at, b_at = 0, sum(layer.weights.size for layer in model.layers)
    for index, layer in enumerate(model.layers):
        row = activation_of(layer.activation)
        rows.append(LayerRow(w_at, b_at, sizes[index], sizes[index + 1], ACTIVATION_CODES[row.family],
                             layer.shared_bias, layer.frozen_weights, layer.frozen_biases, sum(sizes[:index]),
                             sum(sizes[:index + 1])))
        settings[index, :len(row.settings)] = list(row.settings.values())
        w_at, b_at = w_at + layer.weights.size, b_at + layer.biases.size
    activation = model.layers[-1].activation
    return (np.array(rows, dtype=np.int64), settings,
            (LOSS_CODES[loss], (activation, loss) in FUSED, from_net(loss, activation)))


EPSILON = 1e-15  # as in losses.py


def _clip(value):
    return min(max(value, EPSILON), 1.0 - EPSILON)


_clip = numba.njit(cache=True)(_clip)


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
    """`steppers.InPlace`'s step, number by number: the same operations in the same order
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



# --- the kernels' source, from the rows ------------------------------------------------------


def _branches(forms: list[tuple[str, str, tuple]], element: str, variable: str) -> str:
    """`if kind == 0: … elif kind == 1: …`, one branch per row: an expression of `variable`
    computed for each element (`element` the loop that sets it), or a block; nothing for ""."""
    lines = []
    for code, (name, form, settings) in enumerate(forms):
        body = [f"{name} = setting" for name in settings]  # a row's one setting, as a number
        if "\n" in form:
            body += form.splitlines()
        elif form:
            body += element.format(expr=form, var=variable).splitlines()
        lines.append(f"{'if' if not code else 'elif'} kind == {code}:  # {name}")
        lines += [f"    {line}" for line in body or ["pass"]]
    return "\n".join(lines)


ACTIVATE = """
def _activate_{h}(kind, values, at, size, setting):
    \"\"\"net -> out in place, for values[at:at + size].\"\"\"
{activate}


def _scale_{h}(kind, values, at, grads, size, setting):
    \"\"\"∂E/∂out -> ∂E/∂net in place, for grads[:size], from the outputs values[at:at + size].\"\"\"
{scale}


def _forward_and_output_delta_{h}(parameters, layers, settings, bias_input, loss, fused, record_net, inputs, targets,
                                  outputs, values, delta, sample):
    \"\"\"The forward pass of row `sample` into `values`, its output (or, with `record_net`, its
    output layer's net) into `outputs`, and the output layer's ∂E/∂net into `delta`.\"\"\"
    count = layers.shape[0]
    last = layers[count - 1]
    for i in range(inputs.shape[1]):
        values[i] = inputs[sample, i]
    for layer in range(count):  # forward: net = Σ in × w + b × bias input, then out
        row = layers[layer]
        n_in, n_out, w_at, b_at, in_at, out_at = row[2], row[3], row[0], row[1], row[8], row[9]
        net = values[out_at:out_at + n_out]
        net[:] = 0.0
        for i in range(n_in):  # row by row of the weights, as they lie in memory
            source, weights = values[in_at + i], parameters[w_at + i * n_out:w_at + (i + 1) * n_out]
            for j in range(n_out):
                net[j] += source * weights[j]
        for j in range(n_out):
            net[j] += parameters[b_at + (0 if row[5] else j)] * bias_input
        if record_net and layer == count - 1:  # the loop takes E from net (see `loop.Run.terms`)
            for j in range(n_out):
                outputs[sample, j] = net[j]
        _activate_{h}(row[4], values, out_at, n_out, settings[layer, 0])
    out_at, n_out = last[9], last[3]
    for j in range(n_out):  # ∂E/∂net of the output layer
        out, target = values[out_at + j], targets[sample, j]
        if not record_net:
            outputs[sample, j] = out
        if fused:
            delta[j] = out - target
{losses}
    if not fused:
        _scale_{h}(last[4], values, out_at, delta, n_out, settings[count - 1, 0])
"""

# The two online loops: plain gradient descent steps each weight as its gradient is found (the
# rate folded into ∂E/∂net); with an optimizer the gradient goes into a vector, then one step.
ONLINE = """

def {name}_{h}({parameters}):
    \"\"\"{doc}\"\"\"
    count = layers.shape[0]
    last = layers[count - 1]
    for sample in range(inputs.shape[0]):
        delta = deltas[0]
        _forward_and_output_delta_{h}(parameters, layers, settings, bias_input, loss, fused, record_net, inputs,
                                      targets, outputs, values, delta, sample)
{rate}
        for layer in range(count - 1, -1, -1):  # backward, each layer's gradient from the weights before it
            row = layers[layer]
            n_in, n_out, w_at, b_at, in_at = row[2], row[3], row[0], row[1], row[8]
            delta, back = deltas[(count - 1 - layer) % 2], deltas[(count - layer) % 2]
            for i in range(n_in):  # ∂E/∂out of the layer before, and the weights' gradient, in one pass
                source, weights = values[in_at + i], parameters[w_at + i * n_out:w_at + (i + 1) * n_out]
                if layer:
                    total = 0.0
                    for j in range(n_out):
                        total += weights[j] * delta[j]
                    back[i] = total
                if not row[6]:
                    for j in range(n_out):
                        {weight}
            if not row[7]:
                if row[5]:
                    total = 0.0
                    for j in range(n_out):
                        total += delta[j]
                    {shared}
                else:
                    for j in range(n_out):
                        {bias}
            if layer:
                _scale_{h}(layers[layer - 1, 4], values, in_at, back, n_in, settings[layer - 1, 0])
{step}
"""

LOOPS = {
    "online": dict(
        parameters="parameters, layers, settings, bias_input, loss, fused, record_net, learning_rate, inputs, "
                   "targets, outputs, values, deltas",
        doc="One update per row of `inputs`, in order; each row's output (its net with `record_net`) before its "
            "update goes to `outputs`. `values` holds the input and every layer's out end to end (layers[:, 8], "
            "layers[:, 9] say where); `deltas` is scratch for two layers' ∂E/∂net (times the rate).",
        rate="        for j in range(last[3]):  # times the rate, as the NumPy loop does: each ∂E/∂net is a step\n"
             "            delta[j] *= learning_rate",
        weight="weights[j] -= source * delta[j]", shared="parameters[b_at] -= total * bias_input",
        bias="parameters[b_at + j] -= delta[j] * bias_input", step=""),
    "online_optimized": dict(
        parameters="parameters, gradient, layers, settings, bias_input, loss, fused, record_net, learning_rate, "
                   "inputs, targets, outputs, values, deltas, code, optimizer, buffers, mask, steps",
        doc="`online` with an optimizer: per sample, the gradient into `gradient` (frozen parameters' places "
            "left at 0), then one step of the optimizer `code` (see `optimizer_settings`) over all parameters; "
            "`steps[0]` counts the steps (t), across calls.",
        rate="", weight="gradient[w_at + i * n_out + j] = source * delta[j]",
        shared="gradient[b_at] = total * bias_input",
        bias="gradient[b_at + j] = delta[j] * bias_input",
        step="        steps[0] += 1\n        _optimizer_step(code, optimizer, parameters, gradient, buffers, mask, "
             "learning_rate, steps[0])"),
}


def source() -> str:
    """The kernels' source, with {h} where the hash of it goes."""
    rows = list(ACTIVATIONS.values())
    activate = _branches([(r.name, r.compiled_out, tuple(r.settings)) for r in rows],
                         "for j in range(at, at + size):\n    {var} = values[j]\n    values[j] = {expr}", "x")
    scale = _branches([(r.name, r.compiled_slope, tuple(r.settings)) for r in rows],
                      "for j in range(size):\n    {var} = values[at + j]\n    grads[j] *= {expr}", "o")
    losses = "\n".join(f"        elif loss == {code}:  # {name}\n            delta[j] = {row.compiled_derivative}"
                       for code, (name, row) in enumerate(LOSSES.items()))
    text = ACTIVATE.replace("{activate}", textwrap.indent(activate, "    ")).replace(
        "{scale}", textwrap.indent(scale, "    ")).replace("{losses}", losses)
    for name, parts in LOOPS.items():
        loop = ONLINE.replace("{name}", name)
        for key, value in parts.items():
            loop = loop.replace("{" + key + "}", value)
        text += loop
    return text


def _build() -> dict:
    text = source()
    h = hashlib.sha256(text.encode()).hexdigest()[:12]
    text = text.replace("{h}", h)
    names = globals()  # defined here, so numba's cache finds them again in this module
    exec(compile(text, __file__, "exec"), names)
    found = {}
    for name in ("_activate", "_scale", "_forward_and_output_delta", "online", "online_optimized"):
        found[name] = names[f"{name}_{h}"] = numba.njit(cache=True)(names[f"{name}_{h}"])
    return found


_KERNELS = _build()
online, online_optimized = _KERNELS["online"], _KERNELS["online_optimized"]
