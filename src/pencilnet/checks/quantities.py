"""Every quantity the tool computes, under one name each, for `verify` and `expect`.

Names follow the article's notation:
  net_h1, out_y2                        the forward pass
  E_total, E_y1                         the error and its terms
  dE/dout_y1, dout_y1/dnet_y1, dE/dnet_y1   the chain-rule factors at a node
  dE_y1/dout_h1                         what flows back to hidden node h1 from the node y1 it feeds
  dE/dw5, dnet_y1/dw5                   a gradient, and the input its weight multiplies
  dE/dx1, dE_h1/dx1                     the gradient of an input, and what flows back to it from h1
  e_y1, delta_y1, delta_h1              books' conventions: e = target − out, δ = −∂E/∂net
  w5_new, change_w5                     a parameter after one step, and new − old
  term_w1                               one term of a weighted sum: the source's value × w1 (x1 × w1)
  exp_y1, sum_exp                       a softmax layer's e^net (of the net as computed) and, for the
                                        output layer, their sum: the numerator and denominator of out
  epoch_3_error                         the mean error measured during epoch 3 (each sample's E from
                                        the forward pass just before its batch's update)
  epoch_3_error_total, epoch_3_sse      the same summed over the samples, not averaged; and the sum over
                                        the samples of Σ_k (target_k − out_k)², neither halved nor averaged
  error_after_3_epochs, w5_after_3_epochs   after 3 epochs of training
  out_y1_after_3_epochs, net_h1_after_3_epochs   the sample's values with the weights after 3 epochs
  lr_epoch_3                            the learning rate of epoch 3 (with a learning-rate schedule)
  w5_after_3_steps                      a parameter after 3 steps on the sample (`step --steps 3`)
  dE/dw5_step_2, change_w5_step_2       the gradient step 2 used, and what it changed w5 by (new − old)
  out_y1_after_3_steps, E_total_after_3_steps   the sample's values with the weights after 3 steps
  velocity_w5_after_2_steps             an optimizer's state after 2 steps: velocity (momentum buffer),
  m_…, v_…, mhat_…, vhat_…, square_avg_…    Adam's moments and their bias corrections, RMSprop's average
"""

import re

import numpy as np

from pencilnet.core.model import Model, flatten, shared_target
from pencilnet.core.stages import Walk, chain, error, forward

EPOCH_NAME = re.compile(r"epoch_(\d+)_(?:error|error_total|sse)|error_after_(\d+)_epochs?|(\w+)_after_(\d+)_epochs?"
                        r"|lr_epoch_(\d+)")
# E as a multiple of Σ_k (target_k − out_k)², for the losses where it is one: ½ for half_sse, 1/n of
# the n outputs for mse. Other losses have no sum of squares in their E, so `epoch_N_sse` is not theirs.
SQUARES = {"half_sse": lambda outputs: 2.0, "mse": lambda outputs: float(outputs)}
STATES = ("velocity", "m", "v", "mhat", "vhat", "square_avg")
STEP_NAME = re.compile(rf"(?:({'|'.join(STATES)})_)?(b?w\d+)_after_(\d+)_steps?")
SAMPLE_STEP_NAME = re.compile(r"()((?:net|out)_\w+|E_\w+)_after_(\d+)_steps?")
STEP_VALUE_NAME = re.compile(r"(dE/d|change_)(b?w\d+)_step_(\d+)")
MAX_STEPS = 10_000  # as `step --steps` allows: each step is a pass through the stages


def one_step_names(model: Model) -> list[str]:
    """The names of every quantity of one forward pass, backprop and step, in that order."""
    names = model.names
    found = []
    for node in names.computed_nodes:
        found += [f"net_{node}", f"out_{node}"]
    found += ["E_total"] + [f"E_{node}" for node in names.nodes[-1]]
    for index, layer_nodes in enumerate(names.nodes[1:]):
        for node in layer_nodes:
            found += [f"dE/dout_{node}", f"dout_{node}/dnet_{node}", f"dE/dnet_{node}"]
            if index + 1 < len(model.layers):
                found += [f"dE_{fed}/dout_{node}" for fed in names.nodes[index + 2]]
    for x in names.nodes[0]:
        found += [f"dE/d{x}"] + [f"dE_{fed}/d{x}" for fed in names.nodes[1]]
    found += [f"e_{node}" for node in names.nodes[-1]] + [f"delta_{node}" for node in names.computed_nodes]
    rows = _targets(model)
    found += [f"dE/d{p}" for p in names.parameters] + [f"dnet_{rows[p]}/d{p}" for p in names.parameters]
    found += [f"term_{p}" for p in names.parameters] + _exp_names(model)
    return found + [f"{p}_new" for p in names.parameters] + [f"change_{p}" for p in names.parameters]


def _exp_names(model: Model) -> list[str]:
    """exp_… of every node of a softmax layer, and sum_exp when the output layer is one."""
    found = [f"exp_{node}" for layer, nodes in zip(model.layers, model.names.nodes[1:], strict=True)
             if layer.activation == "softmax" for node in nodes]
    return found + (["sum_exp"] if model.layers[-1].activation == "softmax" else [])


def _targets(model: Model) -> dict[str, str]:
    """The node each parameter feeds: w5 → y1, bw3 → y1."""
    names, feeds = model.names, {}
    for index, weights in enumerate(names.weights):
        targets = names.nodes[index + 1]
        for j, name in zip(np.tile(np.arange(weights.shape[1]), weights.shape[0]), weights.ravel(), strict=True):
            feeds[str(name)] = targets[j]
        if model.layers[index].shared_bias:  # named as chain names it: the span of the layer
            feeds[names.biases[index][0]] = shared_target(targets)
        else:
            feeds.update(zip(names.biases[index], targets, strict=True))
    return feeds


def epochs_of(name: str, model: Model, loss: str | None = None) -> int | None:
    """The number of epochs an epoch quantity needs, or None if `name` is not one (of `loss`, if given)."""
    match = EPOCH_NAME.fullmatch(name)
    if not match or (loss is not None and name.endswith("_sse") and loss not in SQUARES):
        return None
    during, after, parameter, parameter_after, rate = match.groups()
    if parameter is not None and parameter not in model.names.parameters and not _of_sample(parameter, model):
        return None
    digits = during or after or parameter_after or rate
    if len(digits) > 18:  # past any run of epochs, and past what int() reads beyond 4,300 digits
        return None
    count = int(digits)
    return count if count >= 1 else None


def steps_of(name: str, model: Model) -> int | None:
    """The number of steps a step quantity needs (`w5_after_3_steps`, `m_w5_after_2_steps`), or None."""
    match = STEP_NAME.fullmatch(name) or SAMPLE_STEP_NAME.fullmatch(name) or STEP_VALUE_NAME.fullmatch(name)
    if not match or not (match.group(2) in model.names.parameters or _of_sample(match.group(2), model)):
        return None
    count = int(match.group(3))
    return count if 1 <= count <= MAX_STEPS else None


def _of_sample(name: str, model: Model) -> bool:
    """Whether `name` is a value of the sample's forward pass or error: net_h1, out_y2, E_total, E_y1."""
    names = model.names
    return (name == "E_total" or name in {f"E_{node}" for node in names.nodes[-1]}
            or name in {f"{kind}_{node}" for kind in ("net", "out") for node in names.computed_nodes})


def sample_values(model: Model, x, target, loss: str, arithmetic, suffix: str) -> dict[str, float]:
    """The sample's net, out and error terms with `model`'s weights, each name followed by `suffix`."""
    trace = forward(model, x, arithmetic)
    values = _forward_values(model, trace, error(trace, target, loss, arithmetic))
    return {f"{name}{suffix}": value for name, value in values.items()}


def _forward_values(model: Model, trace, report) -> dict[str, float]:
    """net_… and out_… of every node, then E_total and each E_y…, as one pass gives them."""
    values: dict[str, float] = {}
    for layer_nodes, seen in zip(model.names.nodes[1:], trace.layers, strict=True):
        for j, node in enumerate(layer_nodes):
            values[f"net_{node}"], values[f"out_{node}"] = float(seen.net[j]), float(seen.out[j])
    values["E_total"] = report.total
    values.update({f"E_{node}": float(v) for node, v in zip(model.names.nodes[-1], report.terms, strict=True)})
    return values


def known(name: str, model: Model) -> bool:
    return (name in set(one_step_names(model)) or epochs_of(name, model) is not None
            or steps_of(name, model) is not None)


def after_steps(config, arithmetic, steps: int, sample: int) -> dict[str, float]:
    """Each parameter, and each of the optimizer's state variables, after 1 … `steps` steps on `sample`."""
    values = {}
    names = config.model.names.parameters
    for count, walk in enumerate(config.walks(sample, steps, arithmetic), start=1):
        found = walk.update
        for key, vector in [("", found.values["new"])] + [(f"{k}_", found.values[k]) for k in STATES
                                                           if k in found.values]:
            values.update({f"{key}{p}_after_{count}_steps": float(v) for p, v in zip(names, vector, strict=True)})
        changes = walk.update.values["new"] - flatten(walk.model)
        for p, gradient, change in zip(names, walk.update.values["gradient"], changes, strict=True):
            values[f"dE/d{p}_step_{count}"], values[f"change_{p}_step_{count}"] = float(gradient), float(change)
        values.update(sample_values(walk.new_model, walk.x, walk.target, walk.loss, arithmetic,
                                    f"_after_{count}_steps"))
    return values


def one_step(config, arithmetic, sample: int) -> dict[str, float]:
    """Every one-step quantity of `sample` under `arithmetic`, by name."""
    return of_walk(config.walk(sample, arithmetic))


def of_walk(walk: Walk) -> dict[str, float]:
    """Every quantity of one pass through the stages, by name."""
    model, names = walk.model, walk.model.names
    trace, gradients, new = walk.trace, walk.gradients, walk.new_model
    values = _forward_values(model, trace, walk.report)
    for index, found in enumerate(gradients.layers):
        for j, node in enumerate(names.nodes[index + 1]):
            values[f"dE/dout_{node}"] = float(found.dE_dout[j])
            values[f"dout_{node}/dnet_{node}"] = float(found.dout_dnet[j])
            values[f"dE/dnet_{node}"] = float(found.dE_dnet[j])
            values[f"delta_{node}"] = -float(found.dE_dnet[j])  # books' δ: the error signal's other sign
            if found.terms is not None:
                for k, fed in enumerate(names.nodes[index + 2]):
                    values[f"dE_{fed}/dout_{node}"] = float(found.terms[j, k])
    assert gradients.dE_dx is not None and gradients.input_terms is not None  # backprop always makes them
    for i, x in enumerate(names.nodes[0]):
        values[f"dE/d{x}"] = float(gradients.dE_dx[i])
        values.update({f"dE_{fed}/d{x}": float(gradients.input_terms[i, k]) for k, fed in enumerate(names.nodes[1])})
    outputs = zip(names.nodes[-1], walk.target, trace.output, strict=True)
    values.update({f"e_{node}": float(t - o) for node, t, o in outputs})
    for row in chain(model, gradients):
        values[f"dE/d{row.name}"] = row.gradient
        values[f"dnet_{row.target}/d{row.name}"] = row.dnet_dw
    old = model.parameters()
    values.update({f"{p}_new": v for p, v in new.parameters().items()})
    values.update({f"change_{p}": v - old[p] for p, v in new.parameters().items()})
    for index, (layer, seen) in enumerate(zip(model.layers, trace.layers, strict=True)):
        source = np.append(seen.inputs, model.bias_input)  # what each weight, then each bias, multiplies
        for i, row in enumerate(names.weights[index]):
            values.update({f"term_{p}": float(seen.inputs[i] * layer.weights[i, j]) for j, p in enumerate(row)})
        values.update({f"term_{p}": float(source[-1] * b) for p, b in zip(names.biases[index], layer.biases,
                                                                            strict=True)})
        if layer.activation == "softmax":
            powers = np.exp(seen.net)
            values.update({f"exp_{node}": float(e) for node, e in zip(names.nodes[index + 1], powers, strict=True)})
            if index == len(model.layers) - 1:
                values["sum_exp"] = float(powers.sum())
    return values


def after_epochs(config, arithmetic, epochs: int, sample: int = 1) -> dict[str, float]:
    """The epoch quantities of a training run of `epochs` epochs; net, out and the error of `sample`
    with the weights it ends with."""
    from dataclasses import replace

    from pencilnet.training.loop import train  # the loop and its runs, only where a quantity trains

    schedule = replace(config.schedule, epochs=epochs, target_error=None)
    history = train(config.model, config.train_inputs, config.train_targets, schedule, config.loss, arithmetic)
    numbers = history.epochs or list(range(1, len(history.errors) + 1))
    kept = list(zip(numbers, history.errors, strict=True))  # a long run's: an evenly spread sample
    values = {f"epoch_{n}_error": e for n, e in kept}
    count = len(config.train_inputs)  # the mean's count: the sum of the samples' E is the mean × count
    values.update({f"epoch_{n}_error_total": e * count for n, e in kept})
    if config.loss in SQUARES:
        factor = SQUARES[config.loss](config.model.layers[-1].size)
        values.update({f"epoch_{n}_sse": e * count * factor for n, e in kept})
    values[f"error_after_{epochs}_epochs"] = history.final_error
    values.update({f"lr_epoch_{n}": rate for n, rate in zip(numbers, history.learning_rates or (), strict=True)})
    values.update({f"{p}_after_{epochs}_epochs": v for p, v in history.model.parameters().items()})
    x, target = config.sample(sample)
    values.update(sample_values(history.model, x, target, config.loss, arithmetic, f"_after_{epochs}_epochs"))
    return values


def lookup(name: str, computed: dict[str, float]) -> float:
    """`name` in `computed`, accepting "epoch" for "epochs" after a count of one."""
    if name in computed:
        return computed[name]
    plural = re.sub(r"_epoch$", "_epochs", name)
    if plural in computed:
        return computed[plural]
    from pencilnet.core.errors import InputError  # an epoch a long run's evenly spread history left out

    raise InputError(f"{name}: a run of more than 1,024 epochs keeps an evenly spread sample of its epochs' "
                     "errors, and this epoch is not among them: ask for one that is (1, the last, or one after "
                     "a power of two)")
