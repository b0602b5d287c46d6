"""What each stage writes on a network's nodes and edges, in the picture and in the text diagram
alike: an edge's weight (its gradient, its new value), a node's net and out, the notes beside
the outputs, the title and the subtitle. Every number goes through `Style`."""

from dataclasses import dataclass

import numpy as np

from pencilnet.core.activations import activation_of as row_of
from pencilnet.core.errors import InputError
from pencilnet.core.losses import LOSSES
from pencilnet.core.stages import Walk
from pencilnet.views.example import Example
from pencilnet.views.numbers import Style
from pencilnet.views.terminal import one_line

STAGES = ("forward", "error", "backprop", "step")


def check_stage(stage: str):
    if stage not in STAGES:
        raise InputError(f"--stage: expected one of {', '.join(STAGES)}, found {stage!r}")


@dataclass(frozen=True, eq=False)
class Edge:
    layer: int  # index into model.layers
    source: int  # row in the weight matrix, or -1 for the bias node
    target: int
    name: str  # w5, bw3
    value: float  # what sets colour and width: the weight (after the step in stage "step")
    gradient: float  # ∂E/∂w: sets them instead in a compact drawing of backprop, which has no labels
    label: str


def edges_of(config: Example, stage: str, rec: Walk, style: Style) -> list[Edge]:
    model, names = config.model, config.model.names
    edges = []
    for index, layer in enumerate(model.layers):
        found, after = rec.gradients.layers[index], rec.new_model.layers[index]
        rows = [(i, j, str(names.weights[index][i, j]), layer.weights[i, j], found.weights[i, j],
                 after.weights[i, j]) for i, j in np.ndindex(layer.weights.shape)]
        shared = [0 if layer.shared_bias else j for j in range(layer.size)]  # a shared bias feeds every node
        rows += [(-1, j, names.biases[index][k], layer.biases[k], found.biases[k], after.biases[k])
                 for j, k in enumerate(shared)]
        for i, j, name, old, gradient, new in rows:
            if stage == "backprop":
                label = f"{name} = {style.given(old)}\n∂E/∂{name} = {style.result(gradient)}"
            elif stage == "step":
                label = f"{name}: {style.given(old)} → {style.number(new)}"
            else:
                label = f"{name} = {style.given(old)}"
            edges.append(Edge(index, i, j, name, float(new if stage == "step" else old), float(gradient), label))
    return edges


def node_lines(config: Example, stage: str, rec: Walk, style: Style) -> list[list[list[str]]]:
    """Per layer, per node: the lines written in the node, its name first."""
    names = config.model.names.nodes
    layers = [[[name, style.given(v)] for name, v in zip(names[0], rec.trace.x, strict=False)]]
    for index, seen in enumerate(rec.trace.layers):
        found = rec.gradients.layers[index]
        nodes = []
        for j, name in enumerate(names[index + 1]):
            if stage == "backprop":
                nodes.append([name, f"out {style.number(seen.out[j])}", f"∂E/∂net {style.number(found.dE_dnet[j])}"])
            elif stage == "step":
                nodes.append([name])
            else:
                nodes.append([name, f"net {style.number(seen.net[j])}", f"out {style.number(seen.out[j])}"])
        layers.append(nodes)
    return layers


def output_notes(config: Example, stage: str, rec: Walk, style: Style) -> list[tuple[str, str, str]]:
    """What is written beside each output node in the error stage: its target, and its
    error term with the numbers written in."""
    if stage != "error":
        return []
    loss, report = LOSSES[config.loss], rec.report
    notes = []
    for k, name in enumerate(config.model.names.nodes[-1]):
        t, o = style.given(report.target[k]), style.operand(style.number(report.output[k]))
        term = loss.term_arithmetic.format(t=t, o=o, n=len(report.terms))
        notes.append((f"target {t} ({config.classes[k]})", f"E_{name} = {term}", f"= {style.result(report.terms[k])}"))
    return notes


def title_of(config: Example, stage: str, rec: Walk, style: Style) -> str:
    symbols = sorted({row_of(layer.activation).symbol for layer in config.model.layers})
    act = symbols[0] if len(symbols) == 1 else "activation"
    if stage == "forward":
        bias = "" if config.model.bias_input == 1 else f"{style.given(config.model.bias_input)} × "
        return f"Forward pass: net = Σ input × weight + {bias}bias weight, out = {act}(net)"
    if stage == "error":
        terms = " + ".join(style.result(v) for v in rec.report.terms[:4])
        more = " + …" if len(rec.report.terms) > 4 else ""
        return f"The total error: {LOSSES[config.loss].formula} = {terms}{more} = {style.result(rec.report.total)}"
    if stage == "backprop":
        return "Backpropagation: ∂E/∂w on every edge, ∂E/∂net in every node"
    if rec.update is not None and not rec.update.optimizer.plain:  # its rule has several lines: `step` shows them
        return f"Updating the weights: step {rec.update.steps} of {rec.update.optimizer.describe()}"
    return f"Updating the weights: new = old − {style.given(rec.learning_rate)} × ∂E/∂w"


def subtitle(config: Example, rec: Walk, style: Style) -> str:
    x = ", ".join(f"{n} = {style.given(v)}" for n, v in zip(config.model.names.nodes[0][:4], rec.trace.x, strict=False))
    more = ", …" if len(rec.trace.x) > 4 else ""
    target = ", ".join(style.given(v) for v in rec.report.target[:4]) + (", …" if len(rec.report.target) > 4 else "")
    target = f"[{target}]"
    name = f"{one_line(config.name)}: " if config.name else ""  # a user's text: shown, never obeyed (no RTL mark)
    return f"{name}sample {rec.sample} ({x}{more}; target {target})"
