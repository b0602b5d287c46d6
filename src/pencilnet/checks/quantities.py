"""Every quantity the tool computes, under one name each, for `verify` and `expect`.

Names follow the article's notation:
  net_h1, out_y2                        the forward pass
  E_total, E_y1                         the error and its terms
  dE/dout_y1, dout_y1/dnet_y1, dE/dnet_y1   the chain-rule factors at a node
  dE_y1/dout_h1                         what flows back to hidden node h1 from the node y1 it feeds
  dE/dw5, dnet_y1/dw5                   a gradient, and the input its weight multiplies
  w5_new                                a parameter after one step
  epoch_3_error                         the mean error measured during epoch 3
  error_after_3_epochs, w5_after_3_epochs   after 3 epochs of training
"""

import re

import numpy as np

from pencilnet.core.model import Model, shared_target
from pencilnet.core.stages import Walk, chain
from pencilnet.training.loop import train

EPOCH_NAME = re.compile(r"epoch_(\d+)_error|error_after_(\d+)_epochs?|(\w+)_after_(\d+)_epochs?")


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
    rows = _targets(model)
    found += [f"dE/d{p}" for p in names.parameters] + [f"dnet_{rows[p]}/d{p}" for p in names.parameters]
    return found + [f"{p}_new" for p in names.parameters]


def _targets(model: Model) -> dict[str, str]:
    """The node each parameter feeds: w5 → y1, bw3 → y1."""
    names, feeds = model.names, {}
    for index, weights in enumerate(names.weights):
        targets = names.nodes[index + 1]
        for j, name in zip(np.tile(np.arange(weights.shape[1]), weights.shape[0]), weights.ravel()):
            feeds[str(name)] = targets[j]
        if model.layers[index].shared_bias:  # named as chain names it: the span of the layer
            feeds[names.biases[index][0]] = shared_target(targets)
        else:
            feeds.update(zip(names.biases[index], targets))
    return feeds


def epochs_of(name: str, model: Model) -> int | None:
    """The number of epochs an epoch quantity needs, or None if `name` is not one."""
    match = EPOCH_NAME.fullmatch(name)
    if not match:
        return None
    during, after, parameter, parameter_after = match.groups()
    if parameter is not None and parameter not in model.names.parameters:
        return None
    digits = during or after or parameter_after
    if len(digits) > 18:  # past any run of epochs, and past what int() reads beyond 4,300 digits
        return None
    count = int(digits)
    return count if count >= 1 else None


def known(name: str, model: Model) -> bool:
    return name in set(one_step_names(model)) or epochs_of(name, model) is not None


def one_step(config, arithmetic, sample: int) -> dict[str, float]:
    """Every one-step quantity of `sample` under `arithmetic`, by name."""
    return of_walk(config.walk(sample, arithmetic))


def of_walk(walk: Walk) -> dict[str, float]:
    """Every quantity of one pass through the stages, by name."""
    model, names = walk.model, walk.model.names
    trace, report, gradients, new = walk.trace, walk.report, walk.gradients, walk.new_model
    values: dict[str, float] = {}
    for layer_nodes, seen in zip(names.nodes[1:], trace.layers):
        for j, node in enumerate(layer_nodes):
            values[f"net_{node}"], values[f"out_{node}"] = float(seen.net[j]), float(seen.out[j])
    values["E_total"] = report.total
    values.update({f"E_{node}": float(v) for node, v in zip(names.nodes[-1], report.terms)})
    for index, found in enumerate(gradients.layers):
        for j, node in enumerate(names.nodes[index + 1]):
            values[f"dE/dout_{node}"] = float(found.dE_dout[j])
            values[f"dout_{node}/dnet_{node}"] = float(found.dout_dnet[j])
            values[f"dE/dnet_{node}"] = float(found.dE_dnet[j])
            if found.terms is not None:
                for k, fed in enumerate(names.nodes[index + 2]):
                    values[f"dE_{fed}/dout_{node}"] = float(found.terms[j, k])
    for row in chain(model, gradients):
        values[f"dE/d{row.name}"] = row.gradient
        values[f"dnet_{row.target}/d{row.name}"] = row.dnet_dw
    values.update({f"{p}_new": v for p, v in new.parameters().items()})
    return values


def after_epochs(config, arithmetic, epochs: int) -> dict[str, float]:
    """The epoch quantities of a training run of `epochs` epochs."""
    from dataclasses import replace

    schedule = replace(config.schedule, epochs=epochs, target_error=None)
    history = train(config.model, config.inputs, config.targets, schedule, config.loss, arithmetic)
    values = {f"epoch_{n}_error": e for n, e in enumerate(history.errors, start=1)}
    values[f"error_after_{epochs}_epochs"] = history.final_error
    values.update({f"{p}_after_{epochs}_epochs": v for p, v in history.model.parameters().items()})
    return values


def lookup(name: str, computed: dict[str, float]) -> float:
    """`name` in `computed`, accepting "epoch" for "epochs" after a count of one."""
    if name in computed:
        return computed[name]
    return computed[re.sub(r"_epoch$", "_epochs", name)]
