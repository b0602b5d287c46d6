"""Rich tables for each stage, built from the engine's records; nothing here prints.

The tables follow the article's order: forward pass layer by layer, the error term by
term, the gradients in its four groups of weights, the update, then training.
"""

from collections.abc import Sequence

import numpy as np
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.losses import FUSED, LOSSES
from pencilnet.core.model import Model, flatten, span
from pencilnet.core.stages import ChainRow, ErrorReport, Gradients, LayerChain, Trace
from pencilnet.io.config import Config
from pencilnet.training.loop import History
from pencilnet.views.numbers import Style

MAX_TERMS = 4  # a weighted sum with more sources is shortened: the first terms, then a count
SPARK = "▁▂▃▄▅▆▇█"
APART = " … "  # between the first and last name of a long run, in tables: "w1 … w1296"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _table(*columns: str) -> Table:
    """Columns named with a leading "#" hold numbers and are right-aligned (the "#" is dropped)."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for name in columns:
        numeric = name.startswith("#")
        table.add_column(name[1:] if numeric else name, justify="right" if numeric else "left")
    return table


def _section(title: str, table: Table, items, style: Style, what: str, row=None) -> Group:
    """A title line, the table with at most `style.rows` rows, then what was left out.

    `row(item)` makes the cells of one item (default: the item is its cells); only the rows
    shown are made, so a network of a million parameters costs a table of two dozen.
    The title is a line of its own: as a table title, Rich would wrap it to a narrow table."""
    shown, hidden = style.limit(items)
    for item in shown:
        table.add_row(*(row(item) if row else item))
    parts = [Text(title, style="bold"), table]
    if hidden:
        parts.append(Text(f"… {hidden} more {what} not shown (--all shows every row)", style="dim italic"))
    return Group(*parts)


def layer_title(model: Model, index: int) -> str:
    count = len(model.layers)

    def name(position: int) -> str:
        if position == 0:
            return "input layer"
        if position == count:
            return "output layer"
        return "hidden layer" if count == 2 else f"hidden layer {position}"

    return f"Part {index + 1}: from the {name(index)} to the {name(index + 1)}"


def _terms(count: int, term, what: str = "terms") -> list[str]:
    """At most MAX_TERMS terms of a long sum, `term(i)` each: the first ones, then how many
    are left out. Only the terms shown are formatted."""
    if count <= MAX_TERMS:
        return [term(i) for i in range(count)]
    return [term(i) for i in range(MAX_TERMS - 1)] + [f"… ({count - MAX_TERMS + 1} more {what})"]


def forward(config: Config, trace: Trace, sample: int, style: Style) -> Group:
    model, names = config.model, config.model.names
    x_text = ", ".join(_terms(model.inputs, lambda i: f"{names.nodes[0][i]} = {style.given(trace.x[i])}", "inputs"))
    parts = [Text(f"Sample {sample}: {x_text}", style="bold")]
    for index, (layer, seen) in enumerate(zip(model.layers, trace.layers)):
        activation = ACTIVATIONS[layer.activation]
        shown = style.given if index == 0 else style.number  # given inputs, computed outs

        def bias(j: int) -> str:
            value = style.operand(style.given(layer.biases[0 if layer.shared_bias else j]))
            return value if model.bias_input == 1 else f"{style.given(model.bias_input)} × {value}"

        def row(j: int) -> tuple:
            node = names.nodes[index + 1][j]
            products = _terms(len(seen.inputs),
                              lambda i: f"{shown(seen.inputs[i])} × {style.operand(style.given(layer.weights[i, j]))}")
            net, out = style.number(seen.net[j]), style.number(seen.out[j])
            return (node, f"net_{node} = {' + '.join(products + [bias(j)])}", net,
                    f"out_{node} = {activation.symbol}({net})", out)

        table = _table("node", "net = Σ input × weight + bias", "#net", f"out = {activation.symbol}(net)", "#out")
        parts.append(_section(layer_title(model, index), table, range(layer.size), style, "nodes", row))
    winner = int(np.argmax(trace.output))
    output_name = names.nodes[-1][winner]
    parts.append(Text(f"Predicted class: {config.classes[winner]} "
                      f"({output_name} has the largest output, {style.number(trace.output[winner])})", style="bold"))
    return Group(*parts)


def error(config: Config, report: ErrorReport, style: Style) -> Group:
    loss = LOSSES[report.loss]
    names = config.model.names.nodes[-1]
    n = str(len(report.terms))

    def row(k: int) -> tuple:
        t, o = style.given(report.target[k]), style.number(report.output[k])
        arithmetic = loss.term_arithmetic.format(t=t, o=style.operand(o), n=n)
        return f"E_{names[k]}", config.classes[k], t, o, arithmetic, style.result(report.terms[k])

    table = _table("output", "class", "#target", "#out",
                   "term = " + loss.term_arithmetic.format(t="target", o="out", n="n"), "#term")
    section = _section(f"The total error: {loss.formula}", table, range(len(names)), style, "outputs", row)
    terms = _terms(len(report.terms), lambda k: style.operand(style.result(report.terms[k])))
    total = Text(f"E_total = {' + '.join(terms)} = {style.result(report.total)}", style="bold")
    return Group(section, total)


def _node_factors(config: Config, trace: Trace, target: np.ndarray, gradients: Gradients,
                  style: Style) -> list[Group]:
    """Per node, from the output layer back: ∂E/∂out (for a hidden node, a sum over the
    nodes it feeds), ∂out/∂net and their product ∂E/∂net, with the arithmetic written out."""
    model, names = config.model, config.model.names
    sections = []
    last = len(model.layers) - 1
    for index in range(last, -1, -1):
        found, activation = gradients.layers[index], ACTIVATIONS[model.layers[index].activation]
        nodes = names.nodes[index + 1]
        if index == last:
            title = "The error signal at each output node: ∂E/∂net = ∂E/∂out × ∂out/∂net"
            if (model.layers[index].activation, config.loss) in FUSED:
                title = (f"The error signal at each output node: with {model.layers[index].activation} outputs and "
                         f"{config.loss}, ∂E/∂net simplifies to out − target")
            elif activation.coupled:
                title = ("The error signal at each output node: softmax couples its outputs, so "
                         "∂E/∂net_k = out_k × (∂E/∂out_k − Σ_j ∂E/∂out_j × out_j)")
            how_header = "∂E/∂out = " + LOSSES[config.loss].derivative_arithmetic.format(o="out", t="target", n="n")
        else:
            title = "The error signal at each hidden node: ∂E/∂out sums over the nodes k it feeds"
            how_header = "∂E/∂out = Σ_k ∂E/∂net_k × w(→k)"
        def row(j: int, index=index, found=found, activation=activation, nodes=nodes) -> tuple:
            node = nodes[j]
            out = style.operand(style.number(trace.layers[index].out[j]))
            if found.terms is None:
                how = LOSSES[config.loss].derivative_arithmetic.format(
                    o=out, t=style.operand(style.given(target[j])), n=str(len(nodes)))
            else:
                downstream, weights = gradients.layers[index + 1].dE_dnet, model.layers[index + 1].weights[j]
                products = _terms(len(downstream), lambda k: f"{style.operand(style.number(downstream[k]))} × "
                                                             f"{style.operand(style.given(weights[k]))}")
                parts = _terms(len(downstream), lambda k: style.operand(style.number(found.terms[j, k])))
                how = " + ".join(products) + " = " + " + ".join(parts)
            slope = activation.derivative_arithmetic.format(o=out)
            return (node, f"{how} = {style.number(found.dE_dout[j])}",
                    f"{slope} = {style.number(found.dout_dnet[j])}", style.number(found.dE_dnet[j]))

        table = _table("node", how_header, f"∂out/∂net = {activation.derivative_formula}",
                       "#∂E/∂net")
        sections.append(_section(title, table, range(len(nodes)), style, "nodes", row))
    return sections


GROUPS = (  # the article's four kinds of weights, in its order
    ("Part 1: weights on the outside (hidden → output)", False, True),
    ("Part 2: weights on the inside", False, False),
    ("Part 3: bias weights on the outside", True, True),
    ("Part 4: bias weights on the inside", True, False),
)


def backprop(config: Config, trace: Trace, target, gradients: Gradients, style: Style) -> Group:
    parts: list = _node_factors(config, trace, np.asarray(target, dtype=float), gradients, style)
    parts.append(Text("Each gradient is the product of three factors: ∂E/∂w = ∂E/∂out × ∂out/∂net × ∂net/∂w",
                      style="bold"))
    last = len(config.model.layers) - 1
    for title, bias, outside in GROUPS:
        layers = [last] if outside else range(last - 1, -1, -1)  # from the output back, as the article goes
        chosen = _Joined([LayerChain(config.model, gradients, index, bias) for index in layers])
        if len(chosen):
            parts.append(_chain_table(title, chosen, style))
    return Group(*parts)


class _Enumerated(Sequence):
    """(position, item) pairs of a sequence, made when asked for."""

    def __init__(self, items: Sequence):
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[k] for k in range(*position.indices(len(self)))]
        return position, self.items[position]


class _Joined(Sequence):
    """Several sequences read as one, without copying them."""

    def __init__(self, parts: list):
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[k] for k in range(*position.indices(len(self)))]
        for part in self.parts:
            if position < len(part):
                return part[position]
            position -= len(part)
        raise IndexError(position)


def _chain_table(title: str, rows: "_Joined", style: Style) -> Group:
    coupled = any(part.coupled for part in rows.parts)

    def cells(r: ChainRow) -> tuple:
        if r.source == "bias":
            dnet_dw = f"{style.given(r.dnet_dw)} (bias input)"
        elif r.layer == 0:
            dnet_dw = f"{style.given(r.dnet_dw)} ({r.source})"
        else:
            dnet_dw = f"{style.number(r.dnet_dw)} (out_{r.source})"
        if coupled:
            factors = [style.number(r.dE_dnet)]
        elif r.shared:
            factors = [f"Σ {style.number(r.dE_dout)}", "—"]
        else:
            factors = [style.number(r.dE_dout), style.number(r.dout_dnet)]
        return r.name, f"{r.source} → {r.target}", *factors, dnet_dw, style.result(r.gradient)

    if coupled:
        table = _table("parameter", "edge", "#∂E/∂net", "#∂net/∂w", "#∂E/∂w")
        title += " (softmax: ∂E/∂w = ∂E/∂net × ∂net/∂w, with ∂E/∂net from the table above)"
    else:
        table = _table("parameter", "edge", "#∂E/∂out", "#∂out/∂net", "#∂net/∂w", "#∂E/∂w")
    if any(part.bias and part.layer.shared_bias for part in rows.parts):
        title += " (a shared bias sums ∂E/∂net over its layer's nodes)"
    return _section(title, table, rows, style, "parameters", cells)


def step(config: Config, gradients: Gradients, new: Model, learning_rate: float, style: Style) -> Group:
    after = flatten(new)
    rate = style.given(learning_rate)

    def row(item: tuple) -> tuple:
        position, r = item
        gradient = style.result(r.gradient)
        arithmetic = f"{style.given(r.value)} − {rate} × {style.operand(gradient)}"
        return r.name, style.given(r.value), gradient, arithmetic, style.number(after[position])

    table = _table("parameter", "#old", "#∂E/∂w", "new = old − η × ∂E/∂w", "#new")
    rows = _Joined([LayerChain(config.model, gradients, index, bias)
                    for bias in (False, True) for index in range(len(config.model.layers))])
    return _section(f"Updating the weights: new = old − {rate} × ∂E/∂w", table,
                    _Enumerated(rows), style, "parameters", row)


def sparkline(values: list[float], width: int = 60) -> str:
    """The error curve in one line of block characters; long runs are averaged into `width` bins."""
    data = np.asarray(values, dtype=float)
    if len(data) > width:
        data = np.array([chunk.mean() for chunk in np.array_split(data, width)])
    low, high = float(data.min()), float(data.max())
    if high == low:
        return SPARK[0] * len(data)
    scaled = (data - low) / (high - low) * (len(SPARK) - 1)
    return "".join(SPARK[int(round(v))] for v in scaled)


def epochs_to_show(count: int, rows: int | None) -> list[int]:
    """Every epoch for short runs; otherwise evenly spaced ones, always the first and the last."""
    if rows is None or count <= max(rows, 2):
        return list(range(count))
    return sorted({int(round(i)) for i in np.linspace(0, count - 1, max(rows, 2))})


def batch_mode(batch_size: int | None, samples: int) -> str:
    if batch_size == 1:
        return "online: one update per sample"
    if batch_size is None or batch_size >= samples:
        return "full batch: one update per epoch"
    return f"mini-batches of {batch_size}"


def train(config: Config, history: History, schedule, style: Style, confusion: np.ndarray | None = None) -> Group:
    epochs = len(history.errors)
    tested = history.test_accuracy is not None
    table = _table("#epoch", "#error", "#change", *(["#test accuracy"] if tested else []))
    chosen = epochs_to_show(epochs, style.rows)
    for i in chosen:
        change = "" if i == 0 else style.number(history.errors[i] - history.errors[i - 1])
        extra = [f"{100 * history.test_accuracy[i]:.1f}%"] if tested else []
        table.add_row(str(i + 1), style.number(history.errors[i]), change, *extra)
    title = f"Error by epoch: the mean over {plural(len(config.inputs), 'sample')}, measured during the epoch"
    parts: list = [Text(title, style="bold"), table]
    if len(chosen) < epochs:
        parts.append(Text(f"{len(chosen)} of {epochs} epochs shown, evenly spaced (--all shows every epoch)",
                          style="dim italic"))
    if epochs > 1:
        parts.append(Text(f"curve: {sparkline(history.errors)}"))
    first = history.errors[0] if history.errors else float("nan")
    how = batch_mode(schedule.batch_size, len(config.inputs)) + (", shuffled each epoch" if schedule.shuffle else "")
    parts.append(Text(f"{plural(epochs, 'epoch')} at learning rate {style.given(schedule.learning_rate)} ({how}): "
                      f"error {style.number(first)} in the first epoch, {style.number(history.final_error)} "
                      "with the final weights", style="bold"))
    if history.stopped_early:
        parts.append(Text(f"Stopped early: the error reached the target {style.given(schedule.target_error)}."))
    if confusion is not None:
        parts.append(confusion_table(config.classes, confusion))
    names, before, after = config.model.names.parameters, flatten(config.model), flatten(history.model)

    def row(i: int) -> tuple:
        return names[i], style.number(before[i]), style.number(after[i]), style.number(after[i] - before[i])

    parts.append(_section("Final weights", _table("parameter", "#initial", "#final", "#change"), range(len(names)),
                          style, "parameters", row))
    return Group(*parts)


def confusion_table(classes: list[str], counts: np.ndarray, title: str = "Test set") -> Group:
    """Rows: the true class; columns: the predicted one; and the accuracy."""
    table = _table("actual \\ predicted", *[f"#{name}" for name in classes])
    for name, row in zip(classes, counts):
        table.add_row(name, *[str(n) for n in row])
    total = int(counts.sum())
    right = int(np.trace(counts))
    accuracy = right / total if total else float("nan")
    return Group(Text(f"{title}: {right} of {total} right, accuracy {100 * accuracy:.1f}%", style="bold"), table)


def pencil_note(decimals: int) -> Text:
    """Which numbers were rounded, said once above a stage computed with pencil arithmetic."""
    return Text(f"Pencil arithmetic: every net, out, ∂E/∂out, ∂out/∂net, ∂E/∂net, back-propagated term and "
                f"sum, and new weight was rounded half up to {decimals} decimals before it was used further; "
                "gradients and error terms keep every digit their multiplication gives.", style="italic")


VERDICT_STYLES = {"match": "green", "rounding": "cyan", "erratum": "yellow", "differs": "bold red"}


def verify(config: Config, verdicts, style: Style) -> Group:
    rows = []
    for v in verdicts:
        places = max(style.decimals, len(v.published.split(".")[1]) + 2 if "." in v.published else 2)
        places = min(places, 341)  # a float's shortest form has no more decimals than this
        shown = Style(places)
        difference = f"{v.difference:+.2g}" if v.difference else "0"
        rows.append((v.name, v.published, shown.number(v.computed), shown.number(v.exact),
                     difference, Text(v.verdict, style=VERDICT_STYLES[v.verdict]), v.note))
    arithmetic = verdicts[0].arithmetic if verdicts else "exact"
    table = _table("quantity", "#published", f"#computed ({arithmetic})", "#exact", "#difference", "verdict",
                   "note")
    counts = {kind: sum(v.verdict == kind for v in verdicts) for kind in VERDICT_STYLES}
    summary = (f"{plural(len(verdicts), 'published number')}: {counts['match']} match, "
               f"{plural(counts['rounding'], 'rounding difference')}, "
               f"{counts['erratum']} declared {'erratum' if counts['erratum'] == 1 else 'errata'}"
               f", {counts['differs']} differ")
    title = f"Published numbers of {config.name or config.source}, sample {config.expected.sample}"
    section = _section(title, table, rows, style, "quantities")
    return Group(section, Text(summary, style="bold red" if counts["differs"] else "bold green"))


def summary(config: Config, style: Style) -> Group:
    model, names = config.model, config.model.names
    table = _table("layer", "nodes", "activation", "weights", "bias weights", "#parameters")
    table.add_row("input", f"{model.inputs} ({span(names.nodes[0], APART)})", "", "", "", "")
    for index, layer in enumerate(model.layers):
        role = "output" if index == len(model.layers) - 1 else f"hidden {index + 1}"
        weights = f"{span(names.weights[index].ravel(), APART)}" + (" (frozen)" if layer.frozen_weights else "")
        biases = span(names.biases[index], APART) + (" (shared)" if layer.shared_bias else "")
        biases += " (frozen)" if layer.frozen_biases else ""
        table.add_row(role, f"{layer.size} ({span(names.nodes[index + 1], APART)})", layer.activation, weights, biases,
                      str(layer.weights.size + layer.biases.size))
    table.add_row("total", "", "", "", "", str(model.parameter_count), style="bold")
    shape = "-".join(map(str, model.sizes))
    lines = [f"Loss: {LOSSES[config.loss].formula} ({config.loss}); bias input {style.given(model.bias_input)}",
             f"Training: learning rate {style.given(config.learning_rate)}, {plural(config.epochs, 'epoch')}, "
             f"{batch_mode(config.batch_size, len(config.inputs))}" + (", shuffled" if config.shuffle else ""),
             f"Data: {plural(len(config.inputs), 'training sample')}"
             + (f", {plural(len(config.test_inputs), 'test sample')}" if config.test_inputs is not None else "")
             + f"; classes: {', '.join(config.classes)}"]
    return Group(Text(f"{config.name or config.source}: a {shape} network, {model.parameter_count} parameters",
                      style="bold"), table, *[Text(line) for line in lines])


def predictions(config: Config, outputs: np.ndarray, targets: np.ndarray | None, confusion: np.ndarray | None,
                style: Style) -> Group:
    names = config.model.names.nodes[-1]
    columns = ["#sample", "class", *[f"#{n} ({c})" for n, c in zip(names, config.classes)]]
    if targets is not None:
        columns += ["actual", "right"]

    def row(i: int) -> tuple:
        out = outputs[i]
        cells = [str(i + 1), config.classes[int(np.argmax(out))], *[style.number(v) for v in out]]
        if targets is not None:
            actual = int(np.argmax(targets[i]))
            cells += [config.classes[actual], "✓" if actual == int(np.argmax(out)) else "✗"]
        return tuple(cells)

    parts = [_section("Predictions", _table(*columns), range(len(outputs)), style, "samples", row)]
    if confusion is not None:
        parts.append(confusion_table(config.classes, confusion, "These samples"))
    return Group(*parts)


def gradcheck(checks, tolerance: float, style: Style) -> Group:
    table = _table("parameter", "#backprop", "#finite differences", "#relative difference", "verdict")
    def verdict_of(c) -> Text:
        if c.within(tolerance):
            return Text("ok", style="green")
        if c.passed(tolerance):  # finite differences cannot resolve this gradient any finer
            return Text(f"within roundoff (±{c.resolution:.1e})", style="yellow")
        return Text("differs", style="bold red")

    rows = [(c.name, f"{c.analytic:.10g}", f"{c.numeric:.10g}", f"{c.relative_error:.2e}", verdict_of(c))
            for c in checks]
    bad = sum(not c.passed(tolerance) for c in checks)
    title = f"Backprop against central finite differences, worst first (tolerance {tolerance:g})"
    rough = sum(c.passed(tolerance) and not c.within(tolerance) for c in checks)
    verdict = (f"{len(checks)} gradients: all within {tolerance:g}" + (
               f" ({rough} only within the roundoff of finite differences, which cannot check them more finely)"
               if rough else "") if not bad
               else f"{len(checks)} gradients: {bad} differ by more than {tolerance:g}")
    return Group(_section(title, table, rows, style, "parameters"),
                 Text(verdict, style="bold red" if bad else "bold green"))
