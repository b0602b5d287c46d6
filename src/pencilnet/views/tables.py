"""Rich tables for each stage, built from the engine's records; nothing here prints.

The tables follow the article's order: forward pass layer by layer, the error term by
term, the gradients in its four groups of weights, the update, then training.
"""

from collections.abc import Sequence

import numpy as np
from rich.console import Group
from rich.table import Table
from rich.text import Text

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.gradcheck import FLOOR
from pencilnet.core.losses import LOSSES
from pencilnet.core.model import Model, flatten, span
from pencilnet.core.stages import ChainRow, ErrorReport, Gradients, LayerChain, Trace
from pencilnet.io.config import Config
from pencilnet.training.loop import History
from pencilnet.views.declared import declared, describe, of_stage
from pencilnet.views.layout import FOOTNOTE_MARKS, Formulas, Grid
from pencilnet.views.numbers import Style, agrees, relation, scientific, shown_value, significant

MAX_TERMS = 4  # a weighted sum with more sources is shortened: the first terms, then a count
SPARK = "▁▂▃▄▅▆▇█"
APART = " … "  # between the first and last name of a long run, in tables: "w1 … w1296"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _table(*columns: str) -> Grid:
    """Columns named with a leading "#" hold numbers and are right-aligned (the "#" is dropped);
    "~" marks written-out arithmetic, which moves beneath its row when the table is too wide
    (`layout.column` has the rest)."""
    return Grid(*columns)


def _section(title: str, table: Grid, items, style: Style, what: str, row=None) -> Group:
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


def _mark(value, text: str) -> str:
    """A result as shown, with "≈ " before it when the numbers shown beside it, multiplied and
    added by hand, do not give its digits (they are rounded; the result was not)."""
    return text if agrees(value, text) else f"≈ {text}"


def _sum(texts: list[str]):
    return sum((shown_value(t) for t in texts), shown_value("0"))


def _softmax_sum(net: np.ndarray, style: Style) -> tuple[str, list[str], str] | None:
    """Σ e^net of a softmax layer: the terms e^net_k and their sum as shown, or None where
    e^net overflows (the engine subtracts the largest net first; a person cannot)."""
    with np.errstate(over="ignore"):
        powers = np.exp(net)
    if not np.all(np.isfinite(powers)) or not np.isfinite(powers.sum()):
        return None
    return style.number(powers.sum()), [style.number(p) for p in powers], "Σ e^net"


class Declared:
    """The config's declared errata and tolerances, marked beside the values they concern, so
    that a reader sees them in the row without running `verify`; `notes()` keys each mark to
    what was published and why it differs.

    A mark is given on first use (`beside`), so marks run in the order of the rows; a declared
    value of the stage whose row is not shown is still listed beneath, without a mark."""

    def __init__(self, config: Config, sample: int, stage: str):
        self.entries, self.stage = declared(config, sample), stage
        self.marks: dict[str, str] = {}

    def beside(self, name: str, text: str) -> str:
        """`text`, a value as shown, with the mark of `name` after it if one is declared."""
        if name not in self.entries:
            return text
        if name not in self.marks:
            count = len(self.marks)
            # †, ‡, §, ¶, ‖, then numbered: [6], [7]…
            self.marks[name] = FOOTNOTE_MARKS[count] if count < len(FOOTNOTE_MARKS) else f"[{count + 1}]"
        return f"{text} {self.marks[name]}"

    def notes(self) -> list:
        """The notes beneath the table: a mark, then its note, which wraps under itself, not under the mark."""
        unmarked = [name for name in self.entries if name not in self.marks and of_stage(name, self.stage)]
        rows = [(self.marks.get(name, ""), f"{name}: {describe(entry)}")
                for name in list(self.marks) + unmarked for entry in self.entries[name]]
        if not rows:
            return []
        grid = Table.grid(padding=(0, 1) if self.marks else 0)
        if self.marks:
            grid.add_column(no_wrap=True, style="yellow")
        grid.add_column(style="yellow")
        for mark, note in rows:
            grid.add_row(*((mark, note) if self.marks else (note,)))
        return [grid]


def _symbolic(model: Model, index: int) -> Formulas:
    """The weighted sums by name, as the article writes them (net_y1 = out_h1 × w5 + …): which
    weight multiplies which input. The first nodes of a big layer show the pattern."""
    names, layer = model.names, model.layers[index]
    sources = names.nodes[index] if index == 0 else [f"out_{node}" for node in names.nodes[index]]
    bias_input = "" if model.bias_input == 1 else f"{Style().operand(Style().given(model.bias_input))} × "
    lines = []
    for j in range(min(layer.size, 2 if layer.size > MAX_TERMS else layer.size)):
        products = _terms(len(sources), lambda i: f"{sources[i]} × {names.weights[index][i, j]}")
        bias = names.biases[index][0 if layer.shared_bias else j]
        lines.append(f"net_{names.nodes[index + 1][j]} = {' + '.join(products + [bias_input + str(bias)])}")
    if layer.size > len(lines):
        lines.append("…")
    return Formulas(lines, style="dim")


def forward(config: Config, trace: Trace, sample: int, style: Style) -> Group:
    model, names = config.model, config.model.names
    x_text = ", ".join(_terms(model.inputs, lambda i: f"{names.nodes[0][i]} = {style.given(trace.x[i])}", "inputs"))
    parts = [Text(f"Sample {sample}: {x_text}", style="bold")]
    marks = Declared(config, sample, "forward")
    if config.scaling is not None:  # the data section standardises: the file's raw values, then these
        scaling = config.scaling
        raw = scaling.offset + trace.x * scaling.scale
        how = f"{names.nodes[0][0]} = (raw − {'mean' if scaling.method == 'zscore' else 'min'}) / " \
              f"{'sd' if scaling.method == 'zscore' else 'range'}"
        raw_text = ", ".join(_terms(model.inputs, lambda i: f"{names.nodes[0][i]} = ({style.number(raw[i])} − "
                                    f"{style.number(scaling.offset[i])}) / {style.number(scaling.scale[i])}", "inputs"))
        parts.append(Text(f"Standardised ({scaling.method}, {how}, fitted on the training data): {raw_text}"))
    for index, (layer, seen) in enumerate(zip(model.layers, trace.layers)):
        activation = ACTIVATIONS[layer.activation]
        shown = style.given if index == 0 else style.number  # given inputs, computed outs
        softmax = _softmax_sum(seen.net, style) if activation.coupled else None
        bias_input = style.given(model.bias_input)

        def row(j: int, layer=layer, seen=seen, activation=activation, shown=shown, softmax=softmax) -> tuple:
            node = names.nodes[index + 1][j]
            sources = len(seen.inputs)
            inputs = [shown(seen.inputs[i]) for i in range(min(sources, MAX_TERMS))]
            weights = [style.given(layer.weights[i, j]) for i in range(min(sources, MAX_TERMS))]
            products = _terms(sources, lambda i: f"{style.operand(inputs[i])} × {style.operand(weights[i])}")
            bias = style.given(layer.biases[0 if layer.shared_bias else j])
            bias_term = style.operand(bias) if model.bias_input == 1 else f"{bias_input} × {style.operand(bias)}"
            net, out = style.number(seen.net[j]), style.number(seen.out[j])
            if sources <= MAX_TERMS:
                net = _mark(sum(shown_value(x) * shown_value(w) for x, w in zip(inputs, weights))
                            + shown_value(bias_input) * shown_value(bias), net)
            plain_net = net.removeprefix("≈ ")
            if softmax:
                total = softmax[0]
                how = f"out_{node} = e^{style.operand(plain_net)} / {total}"
                out = _mark(float(np.exp(float(shown_value(plain_net))) / float(shown_value(total))), out)
            else:
                how = f"out_{node} = {activation.symbol}({plain_net})"
                if not activation.coupled:
                    out = _mark(float(activation.function(np.array([float(shown_value(plain_net))]))[0]), out)
            return (style.name(node), f"net_{node} = {' + '.join(products + [bias_term])}",
                    marks.beside(f"net_{node}", net), how, marks.beside(f"out_{node}", out))

        out_header = "~out = e^net / Σ e^net" if softmax else f"~out = {activation.symbol}(net)"
        table = _table("node", "~net = Σ input × weight + bias", "#net", out_header, "#out")
        parts.append(_section(layer_title(model, index), table, range(layer.size), style, "nodes", row))
        parts += [_symbolic(model, index), Text("")]
        if softmax:
            powers = _terms(len(softmax[1]), lambda k: softmax[1][k])
            parts.append(Text(f"Σ e^net = {' + '.join(powers)} = {softmax[0]}"))
    from pencilnet.core.metrics import classes_of

    winner = int(classes_of(trace.output, config.threshold)[0])
    if len(trace.output) == 1:  # one sigmoid output: two classes and a threshold
        side = "at or above" if winner else "below"
        reason = f"{names.nodes[-1][0]} = {style.number(trace.output[0])}, {side} the threshold {config.threshold:g}"
    else:
        reason = f"{names.nodes[-1][winner]} has the largest output, {style.number(trace.output[winner])}"
    parts.append(Text(f"Predicted class: {config.classes[winner]} ({reason})", style="bold"))
    return Group(*parts, *marks.notes())


def error(config: Config, report: ErrorReport, style: Style, sample: int = 1) -> Group:
    loss = LOSSES[report.loss]
    names = config.model.names.nodes[-1]
    n = str(len(report.terms))
    outs = [style.number(o) for o in report.output]
    # What the terms come to from the outputs as shown: the oracle for "=" or "≈".
    by_hand = loss.terms(np.array([float(shown_value(o)) for o in outs]), report.target)
    marks = Declared(config, sample, "error")

    def row(k: int) -> tuple:
        t, o = style.given(report.target[k]), outs[k]
        arithmetic = loss.term_arithmetic.format(t=t, o=style.operand(o), n=n)
        return (f"E_{names[k]}", config.classes[k], t, marks.beside(f"out_{names[k]}", o), arithmetic,
                marks.beside(f"E_{names[k]}", _mark(float(by_hand[k]), style.result(report.terms[k]))))

    table = _table("output", "class", "#target", "#out",
                   "~term = " + loss.term_arithmetic.format(t="target", o="out", n="n"), "#term")
    section = _section(f"The total error: {loss.formula}", table, range(len(names)), style, "outputs", row)
    shown_terms = [style.result(term) for term in report.terms]
    terms = _terms(len(report.terms), lambda k: style.operand(shown_terms[k]))
    total = style.result(report.total)
    equals = relation(_sum(shown_terms), total) if len(report.terms) <= MAX_TERMS else "="
    total_line = Text(f"E_total = {' + '.join(terms)} {equals} {marks.beside('E_total', total)}", style="bold")
    return Group(section, total_line, *marks.notes())


def _node_factors(config: Config, trace: Trace, target: np.ndarray, gradients: Gradients,
                  style: Style, marks: Declared) -> list[Group]:
    """Per node, from the output layer back: ∂E/∂out (for a hidden node, a sum over the
    nodes it feeds), ∂out/∂net and their product ∂E/∂net, with the arithmetic written out so
    that every row multiplies out as written ("≈" where the factors shown are rounded)."""
    model, names = config.model, config.model.names
    loss = LOSSES[config.loss]
    sections = []
    last = len(model.layers) - 1
    for index in range(last, -1, -1):
        found, activation = gradients.layers[index], ACTIVATIONS[model.layers[index].activation]
        nodes = names.nodes[index + 1]
        outs = [style.number(o) for o in trace.layers[index].out]
        dE_dout = [style.number(v) for v in found.dE_dout]
        fused = index == last and gradients.output_branch == "fused"
        where = "output" if index == last else "hidden"
        notes = []
        if fused:
            title = (f"The error signal at each output node: with {model.layers[index].activation} outputs and "
                     f"{config.loss},\n  ∂E/∂net simplifies to out − target")
        elif activation.coupled:
            title = (f"The error signal at each {where} node: softmax couples its outputs, so\n"
                     "  ∂E/∂net_k = out_k × (∂E/∂out_k − Σ_j ∂E/∂out_j × out_j)")
        elif index == last:
            title = "The error signal at each output node: ∂E/∂net = ∂E/∂out × ∂out/∂net"
        else:
            title = "The error signal at each hidden node: ∂E/∂out sums over the nodes k it feeds"
        if index == last:
            how_header = "∂E/∂out = " + loss.derivative_arithmetic.format(o="out", t="target", n="n")
            by_hand = loss.derivative(np.array([float(shown_value(o)) for o in outs]), target)
        else:
            how_header = "∂E/∂out = Σ_k ∂E/∂net_k × w(→k)"
        coupling = None
        if activation.coupled and not fused:
            products = _terms(len(nodes), lambda k: f"{style.operand(dE_dout[k])} × {outs[k]}")
            coupling = style.number(float(np.dot(found.dE_dout, trace.layers[index].out)))
            if len(nodes) <= MAX_TERMS:
                value = sum(shown_value(d) * shown_value(o) for d, o in zip(dE_dout, outs))
                equals = relation(value, coupling)
            else:
                equals = "="
            notes.append(Text(f"Σ_j ∂E/∂out_j × out_j = {' + '.join(products)} {equals} {coupling}"))

        def row(j: int, index=index, found=found, activation=activation, nodes=nodes, outs=outs,
                dE_dout=dE_dout, fused=fused, coupling=coupling) -> tuple:
            name, out = nodes[j], style.operand(outs[j])
            node, dE_dnet = style.name(name), style.number(found.dE_dnet[j])
            if fused:
                t = style.given(target[j])
                return node, f"{out} − {style.operand(t)} = " + marks.beside(
                    f"dE/dnet_{name}", _mark(shown_value(outs[j]) - shown_value(t), dE_dnet))
            if found.terms is None:
                how = loss.derivative_arithmetic.format(o=out, t=style.operand(style.given(target[j])),
                                                        n=str(len(nodes)))
                how += f" {relation(float(by_hand[j]), dE_dout[j])} {marks.beside(f'dE/dout_{name}', dE_dout[j])}"
            else:
                downstream, weights = gradients.layers[index + 1].dE_dnet, model.layers[index + 1].weights[j]
                count = len(downstream)
                factors = [(style.number(downstream[k]), style.given(weights[k])) for k in range(min(count, MAX_TERMS))]
                terms = [style.number(found.terms[j, k]) for k in range(min(count, MAX_TERMS))]
                products = _terms(count, lambda k: f"{style.operand(factors[k][0])} × {style.operand(factors[k][1])}")
                parts = _terms(count, lambda k: style.operand(terms[k]))
                whole = count <= MAX_TERMS
                first = "=" if not whole or all(agrees(shown_value(a) * shown_value(w), term)
                                                 for (a, w), term in zip(factors, terms)) else "≈"
                second = relation(_sum(terms), dE_dout[j]) if whole else "="
                how = (f"{' + '.join(products)} {first} {' + '.join(parts)} {second} "
                       f"{marks.beside(f'dE/dout_{name}', dE_dout[j])}")
            if coupling is not None:
                arithmetic = f"{out} × ({dE_dout[j]} − {style.operand(coupling)})"
                value = shown_value(outs[j]) * (shown_value(dE_dout[j]) - shown_value(coupling))
                return node, how, f"{arithmetic} = {marks.beside(f'dE/dnet_{name}', _mark(value, dE_dnet))}"
            slope_value = style.number(found.dout_dnet[j])
            slope = activation.derivative_arithmetic.format(o=out)
            by_hand_slope = float(activation.derivative(np.array([float(shown_value(outs[j]))]))[0])
            slope_shown = marks.beside(f"dout_{name}/dnet_{name}", slope_value)
            return (node, how, f"{slope} {relation(by_hand_slope, slope_value)} {slope_shown}",
                    marks.beside(f"dE/dnet_{name}", _mark(shown_value(dE_dout[j]) * shown_value(slope_value), dE_dnet)))

        if fused:
            table = _table("node", "~∂E/∂net = out − target")
        elif coupling is not None:
            table = _table("node", "~" + how_header, "~∂E/∂net = out × (∂E/∂out − Σ)")
        else:
            table = _table("node", "~" + how_header, f"~∂out/∂net = {activation.derivative_formula}",
                           "#∂E/∂net")
        sections.append(_section(title, table, range(len(nodes)), style, "nodes", row))
        sections.extend(notes)
    return sections


GROUPS = (  # the article's four kinds of weights, in its order
    ("Part 1: weights on the outside (hidden → output)", False, True),
    ("Part 2: weights on the inside", False, False),
    ("Part 3: bias weights on the outside", True, True),
    ("Part 4: bias weights on the inside", True, False),
)


def backprop(config: Config, trace: Trace, target, gradients: Gradients, style: Style, sample: int = 1) -> Group:
    marks = Declared(config, sample, "backprop")
    parts: list = _node_factors(config, trace, np.asarray(target, dtype=float), gradients, style, marks)
    parts.append(Text("Each gradient is a product of chain-rule factors:\n"
                      "  ∂E/∂w = ∂E/∂out × ∂out/∂net × ∂net/∂w, or ∂E/∂net × ∂net/∂w", style="bold"))
    last = len(config.model.layers) - 1
    for title, bias, outside in GROUPS:
        layers = [last] if outside else range(last - 1, -1, -1)  # from the output back, as the article goes
        chosen = _Joined([LayerChain(config.model, gradients, index, bias) for index in layers])
        if len(chosen):
            if not outside and not bias:  # the article's network has one hidden layer; a deeper one more
                title += " (input → hidden)" if last == 1 else " (into the hidden layers)"
            parts.append(_chain_table(title, chosen, style, marks))
    parts.append(_gradient_summary(config, gradients, style, marks))
    if gradients.dE_dx is not None:
        parts.append(_input_gradients(config, gradients, style, marks))
    return Group(*parts, *marks.notes())


def _gradient_summary(config: Config, gradients: Gradients, style: Style, marks: Declared) -> Group:
    """Every gradient at a glance, as the article sums them up: weights on the outside, weights
    on the inside and bias weights, side by side."""
    model, last = config.model, len(config.model.layers) - 1
    columns = [_Joined([LayerChain(model, gradients, last, False)]),
               _Joined([LayerChain(model, gradients, index, False) for index in range(last - 1, -1, -1)]),
               _Joined([LayerChain(model, gradients, index, True) for index in range(last, -1, -1)])]
    table = _table("outside", "#∂E/∂w", "inside", "#∂E/∂w", "bias", "#∂E/∂w")
    count = max(len(column) for column in columns)
    shown = count if style.rows is None else min(count, style.rows)
    for position in range(shown):
        cells = []
        for column in columns:
            r = column[position] if position < len(column) else None
            cells += ([style.name(r.name), marks.beside(f"dE/d{r.name}", style.result(r.gradient))] if r is not None
                      else ["", ""])
        table.add_row(*cells)
    parts = [Text("All the gradients", style="bold"), table]
    if shown < count:
        parts.append(Text(f"… {count - shown} more rows not shown (--all shows every row)", style="dim italic"))
    return Group(*parts)


def _input_gradients(config: Config, gradients: Gradients, style: Style, marks: Declared) -> Group:
    """∂E/∂x for each input: the sum, over the first layer's nodes, of what flows back to it."""
    names, weights = config.model.names, config.model.layers[0].weights
    dE_dnet = gradients.layers[0].dE_dnet
    fed = names.nodes[1]

    def row(i: int) -> tuple:
        products = _terms(len(fed), lambda j: f"{style.operand(style.number(dE_dnet[j]))} × "
                                              f"{style.operand(style.given(weights[i, j]))}")
        x = names.nodes[0][i]
        return style.name(x), " + ".join(products), marks.beside(f"dE/d{x}", style.number(gradients.dE_dx[i]))

    table = _table("input", "∂E/∂x = Σ_j ∂E/∂net_j × w(x → j)", "#∂E/∂x")
    return _section(f"Part {len(GROUPS) + 1}: the inputs, ∂E/∂x (what a change of each input would do)", table,
                    range(len(names.nodes[0])), style, "inputs", row)


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


def _chain_table(title: str, rows: "_Joined", style: Style, marks: Declared) -> Group:
    coupled = any(part.coupled for part in rows.parts)

    def cells(r: ChainRow) -> tuple:
        input_value = style.number(r.dnet_dw) if r.layer and r.source != "bias" else style.given(r.dnet_dw)
        what = "bias input" if r.source == "bias" else r.source if r.layer == 0 else f"out_{r.source}"
        gradient = style.result(r.gradient)
        if coupled:
            factors, named = [style.number(r.dE_dnet)], [f"dE/dnet_{r.target}"]
        elif r.shared:
            factors, named = [f"Σ {style.number(r.dE_dout)}", "—"], ["", ""]
        else:
            factors = [style.number(r.dE_dout), style.number(r.dout_dnet)]
            named = [f"dE/dout_{r.target}", f"dout_{r.target}/dnet_{r.target}"]
        if not r.shared:
            product = shown_value(input_value)
            for factor in factors:
                product *= shown_value(factor)
            gradient = _mark(product, gradient)
        factors = [marks.beside(name, factor) for name, factor in zip(named, factors)]
        return (style.name(r.name), f"{r.source} → {r.target}", *factors,
                f"{marks.beside(f'dnet_{r.target}/d{r.name}', input_value)} ({what})",
                marks.beside(f"dE/d{r.name}", gradient))

    if coupled:
        table = _table("parameter", "edge", "#∂E/∂net", "#∂net/∂w", "#∂E/∂w")
        title += "\n  ∂E/∂w = ∂E/∂net × ∂net/∂w, with ∂E/∂net from the table above"
    else:
        table = _table("parameter", "edge", "#∂E/∂out", "#∂out/∂net", "#∂net/∂w", "#∂E/∂w")
    if any(part.bias and part.layer.shared_bias for part in rows.parts):
        title += "\n  a shared bias sums ∂E/∂net over its layer's nodes"
    return _section(title, table, rows, style, "parameters", cells)


def step(config: Config, gradients: Gradients, new: Model, learning_rate: float, style: Style,
         sample: int = 1) -> Group:
    after = flatten(new)
    rate = style.given(learning_rate)
    marks = Declared(config, sample, "step")

    def row(item: tuple) -> tuple:
        position, r = item
        gradient, old = style.result(r.gradient), style.given(r.value)
        arithmetic = f"{old} − {rate} × {style.operand(gradient)}"
        new = _mark(shown_value(old) - shown_value(rate) * shown_value(gradient), style.number(after[position]))
        return (style.name(r.name), old, marks.beside(f"dE/d{r.name}", gradient), arithmetic,
                marks.beside(f"{r.name}_new", new))

    table = _table("parameter", "#old", "#∂E/∂w", "~new = old − η × ∂E/∂w", "#new")
    rows = _Joined([LayerChain(config.model, gradients, index, bias)
                    for bias in (False, True) for index in range(len(config.model.layers))])
    section = _section(f"Updating the weights: new = old − {rate} × ∂E/∂w", table, _Enumerated(rows), style,
                       "parameters", row)
    return Group(section, *marks.notes())


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
    scheduled = schedule.lr_schedule.name != "constant" and history.learning_rates
    chosen = epochs_to_show(epochs, style.rows)
    # Spaced rows: the change is still from the epoch just before, not from the row above.
    change = "#change" if len(chosen) == epochs else "#change from the epoch before"
    table = _table("#epoch", "#error", change, *(["#test accuracy"] if tested else []),
                   *(["#learning rate"] if scheduled else []))
    for i in chosen:
        change = "" if i == 0 else style.number(history.errors[i] - history.errors[i - 1])
        extra = [f"{100 * history.test_accuracy[i]:.1f}%"] if tested else []
        extra += [style.given(history.learning_rates[i])] if scheduled else []
        table.add_row(str(i + 1), style.number(history.errors[i]), change, *extra)
    title = f"Error by epoch: the mean over {plural(len(config.train_inputs), 'sample')}, measured during the epoch"
    parts: list = [Text(title, style="bold"), table]
    if config.default_init is not None:
        parts.insert(0, Text(f"Initial weights: {config.default_init.describe()}"))
    if len(chosen) < epochs:
        parts.append(Text(f"{len(chosen)} of {epochs} epochs shown, evenly spaced (--all shows every epoch)",
                          style="dim italic"))
    if epochs > 1:
        parts.append(Text(f"curve: {sparkline(history.errors)}"))
    first = history.errors[0] if history.errors else float("nan")
    how = (batch_mode(schedule.batch_size, len(config.train_inputs))
           + (", shuffled each epoch" if schedule.shuffle else ""))
    parts.append(Text(f"{plural(epochs, 'epoch')} at learning rate {style.given(schedule.learning_rate)} ({how})\n"
                      f"Error: {style.number(first)} in the first epoch, {style.number(history.final_error)} "
                      "with the final weights", style="bold"))
    if not schedule.optimizer.plain or scheduled:
        rates = (f", {schedule.lr_schedule.describe()}: {style.given(history.learning_rates[-1])} in the last epoch"
                 if scheduled else "")
        parts.append(Text(f"Optimizer: {schedule.optimizer.describe()}; learning rate "
                          f"{style.given(schedule.learning_rate)}{rates}."))
    if history.stopped_early:
        parts.append(Text(f"Stopped early: the error of epoch {epochs}, {style.number(history.errors[-1])} "
                          f"(measured during the epoch), reached the target {style.given(schedule.target_error)}."))
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


def exact_note(config: Config, style: Style) -> Text:
    """Said once above the stages computed exactly: why a shown result can differ in its last digit
    from the shown numbers worked by hand, and from a publication that rounded as it went."""
    text = f"Exact arithmetic, {style.decimals} decimals shown; ≈: the numbers shown give it only roughly."
    published = config.expected.pencil_decimals if config.expected is not None else None
    if published is not None:
        text += f"\nThe published example rounded as it went, to {published} decimals: --pencil {published} does too."
    return Text(text, style="italic")


VERDICT_STYLES = {"match": "green", "rounding": "cyan", "erratum": "yellow", "differs": "bold red"}


def verify(config: Config, verdicts, style: Style) -> Group:
    rows = []
    for v in verdicts:
        places = max(style.decimals, len(v.published.split(".")[1]) + 2 if "." in v.published else 2)
        places = min(places, 341)  # a float's shortest form has no more decimals than this
        shown = Style(places)
        difference = ("+" if v.difference > 0 else "") + significant(v.difference, 2) if v.difference else "0"
        rows.append((v.name, v.published, shown.number(v.computed), shown.number(v.exact),
                     difference, Text(v.verdict, style=VERDICT_STYLES[v.verdict]), v.note))
    arithmetic = verdicts[0].arithmetic if verdicts else "exact"
    table = _table("quantity", "#published", f"#computed ({arithmetic})", "~~#exact", "#difference", "verdict",
                   "?note")
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
    schedule = config.schedule
    lines = [f"Loss: {LOSSES[config.loss].formula} ({config.loss}); bias input {style.given(model.bias_input)}",
             f"Training: learning rate {style.given(schedule.learning_rate)}, {plural(schedule.epochs, 'epoch')}, "
             f"{batch_mode(schedule.batch_size, len(config.train_inputs))}"
             + (", shuffled" if schedule.shuffle else ""),
             f"Data: {plural(len(config.train_inputs), 'training sample')}"
             + (f", {plural(len(config.test_inputs), 'test sample')}" if config.test_inputs is not None else "")
             + f"; classes: {', '.join(config.classes)}"]
    if config.default_init is not None:
        lines.append(f"Initial weights: {config.default_init.describe()}")
    name = config.name or config.source
    title = f"{name}, {model.parameter_count} parameters" if shape in name else \
        f"{name}: a {shape} network, {model.parameter_count} parameters"
    return Group(Text(title, style="bold"), table, *[Text(line) for line in lines])


def predictions(config: Config, found, style: Style) -> Group:
    """A `metrics.Predictions`: each sample's class and outputs, and whether it is right when that is known."""
    names = config.model.names.nodes[-1]
    if found.predicted is None:  # a regression: outputs, and their targets when known
        columns = ["#sample", *[f"#{n}" for n in names]]
        if found.scores is not None:
            columns += [f"#target {n}" for n in names]
    elif len(names) == 1:  # one output: the probability of the second (positive) class
        columns = ["#sample", "class", f"#{names[0]} (P({config.classes[1]}))"]
    else:
        columns = ["#sample", "class", *[f"#{n} ({c})" for n, c in zip(names, config.classes)]]
    if found.actual is not None:
        columns += ["actual", "right"]

    def row(i: int) -> tuple:
        cells = [str(i + 1)] + ([config.classes[found.predicted[i]]] if found.predicted is not None else [])
        cells += [style.number(v) for v in found.outputs[i]]
        if found.actual is not None:
            cells += [config.classes[found.actual[i]], "✓" if found.right[i] else "✗"]
        elif found.scores is not None:
            cells += [style.number(v) for v in found.targets[i]]
        return tuple(cells)

    parts = [_section("Predictions", _table(*columns), range(len(found.outputs)), style, "samples", row)]
    if found.confusion is not None:
        parts.append(confusion_table(config.classes, found.confusion, "These samples"))
    if found.scores is not None:
        parts.append(scores(found.scores, "These samples"))
    return Group(*parts)


def scores(found, title: str) -> Text:
    """A regression's measures: no classes, so no accuracy."""
    return Text(f"{title}: mean error {found.error:.6g}, R² {found.r2:.4f}, "
                f"mean absolute error {found.mean_absolute_error:.6g}", style="bold")


def gradcheck(checks, tolerance: float, style: Style) -> Group:
    table = _table("parameter", "#backprop", "#finite differences", "#relative difference", "verdict")
    def verdict_of(c) -> Text:
        if c.within(tolerance):
            return Text("ok", style="green")
        if c.passed(tolerance):  # finite differences cannot resolve this gradient any finer
            return Text(f"within roundoff (±{significant(c.resolution, 2)})", style="yellow")
        if c.unresolved(tolerance):  # a resolution as large as the gradient vouches for nothing
            return Text(f"not resolved (±{significant(c.resolution, 2)})", style="bold red")
        return Text("differs", style="bold red")

    rows = [(c.name, significant(c.analytic, 10), significant(c.numeric, 10),
             scientific(c.relative_error, 3) if c.relative_error >= FLOOR else f"< {significant(FLOOR, 1)}", verdict_of(c))
            for c in checks]
    bad = sum(not c.passed(tolerance) for c in checks)
    tolerance_text = significant(tolerance, 6)
    title = f"Backprop against central finite differences, worst first (tolerance {tolerance_text})"
    rough = sum(c.passed(tolerance) and not c.within(tolerance) for c in checks)
    verdict = (f"{len(checks)} gradients: all within {tolerance_text}" + (
               f" ({rough} only within the roundoff of finite differences, which cannot check them more finely)"
               if rough else "") if not bad
               else f"{len(checks)} gradients: {bad} differ by more than {tolerance_text}")
    return Group(_section(title, table, rows, style, "parameters"),
                 Text(verdict, style="bold red" if bad else "bold green"))
