"""The article's stages as Rich tables: the forward pass layer by layer, the error term by term
and the update, each from the engine's records (backpropagation is in `backprop_tables`).
Nothing here prints."""

import numpy as np
from rich.console import Group
from rich.text import Text

from pencilnet.core.activations import activation_of as row_of
from pencilnet.core.arithmetic import arithmetic_of
from pencilnet.core.losses import LOSSES
from pencilnet.core.model import Model, flatten
from pencilnet.core.stages import ErrorReport, Gradients, LayerChain, Trace, Walk
from pencilnet.views.declared import Declared
from pencilnet.views.example import Example, class_names
from pencilnet.views.layout import Formulas
from pencilnet.views.numbers import Style, relation, shown_value
from pencilnet.views.table_parts import (
    MAX_TERMS,
    Enumerated,
    Joined,
    grid,
    layer_title,
    mark,
    shortened,
    shown_sum,
    titled,
)


def _softmax_sum(net: np.ndarray, style: Style) -> tuple[str, list[str], str] | None:
    """Σ e^net of a softmax layer: the terms e^net_k and their sum as shown, or None where
    e^net overflows (the engine subtracts the largest net first; a person cannot)."""
    with np.errstate(over="ignore"):
        powers = np.exp(net)
    if not np.all(np.isfinite(powers)) or not np.isfinite(powers.sum()):
        return None
    return style.number(powers.sum()), [style.number(p) for p in powers], "Σ e^net"


def _symbolic(model: Model, index: int) -> Formulas:
    """The weighted sums by name, as the article writes them (net_y1 = out_h1 × w5 + …): which
    weight multiplies which input. The first nodes of a big layer show the pattern."""
    names, layer = model.names, model.layers[index]
    sources = names.nodes[index] if index == 0 else [f"out_{node}" for node in names.nodes[index]]
    bias_input = "" if model.bias_input == 1 else f"{Style().operand(Style().given(model.bias_input))} × "
    lines = []
    for j in range(min(layer.size, 2 if layer.size > MAX_TERMS else layer.size)):
        products = shortened(len(sources), lambda i, j=j: f"{sources[i]} × {names.weights[index][i, j]}")
        bias = names.biases[index][0 if layer.shared_bias else j]
        lines.append(f"net_{names.nodes[index + 1][j]} = {' + '.join(products + [bias_input + str(bias)])}")
    if layer.size > len(lines):
        lines.append("…")
    return Formulas(lines, style="dim")


def forward(config: Example, trace: Trace, sample: int | None, style: Style) -> Group:
    model, names = config.model, config.model.names
    x_text = ", ".join(shortened(model.inputs, lambda i: f"{names.nodes[0][i]} = {style.given(trace.x[i])}", "inputs"))
    parts: list = [Text(f"Sample {sample}: {x_text}", style="bold")]
    marks = Declared(config, sample, "forward")
    if config.scaling is not None:  # the data section standardises: the file's raw values, then these
        scaling = config.scaling
        raw = scaling.offset + trace.x * scaling.scale
        how = f"{names.nodes[0][0]} = (raw − {'mean' if scaling.method == 'zscore' else 'min'}) / " \
              f"{'sd' if scaling.method == 'zscore' else 'range'}"
        raw_text = ", ".join(shortened(model.inputs, lambda i: f"{names.nodes[0][i]} = ({style.number(raw[i])} − "
                                    f"{style.number(scaling.offset[i])}) / {style.number(scaling.scale[i])}", "inputs"))
        parts.append(Text(f"Standardised ({scaling.method}, {how}, fitted on the training data): {raw_text}"))
    for index, (layer, seen) in enumerate(zip(model.layers, trace.layers, strict=False)):
        activation = row_of(layer.activation)
        shown = style.given if index == 0 else style.number  # given inputs, computed outs
        softmax = _softmax_sum(seen.net, style) if activation.coupled else None
        bias_input = style.given(model.bias_input)

        def row(j: int, index=index, layer=layer, seen=seen, activation=activation, shown=shown, softmax=softmax,
                bias_input=bias_input) -> tuple:
            node = names.nodes[index + 1][j]
            sources = len(seen.inputs)
            inputs = [shown(seen.inputs[i]) for i in range(min(sources, MAX_TERMS))]
            weights = [style.given(layer.weights[i, j]) for i in range(min(sources, MAX_TERMS))]
            products = shortened(sources, lambda i: f"{style.operand(inputs[i])} × {style.operand(weights[i])}")
            bias = style.given(layer.biases[0 if layer.shared_bias else j])
            bias_term = style.operand(bias) if model.bias_input == 1 else f"{bias_input} × {style.operand(bias)}"
            net, out = style.number(seen.net[j]), style.number(seen.out[j])
            if sources <= MAX_TERMS:
                net = mark(sum(shown_value(x) * shown_value(w) for x, w in zip(inputs, weights, strict=True))
                           + shown_value(bias_input) * shown_value(bias), net)
            plain_net = net.removeprefix("≈ ")
            if softmax:
                total = softmax[0]
                how = f"out_{node} = e^{style.operand(plain_net)} / {total}"
                out = mark(float(np.exp(float(shown_value(plain_net))) / float(shown_value(total))), out)
            else:
                how = f"out_{node} = {activation.symbol}({plain_net})"
                if not activation.coupled:
                    out = mark(float(activation.function(np.array([float(shown_value(plain_net))]))[0]), out)
            return (style.name(node), f"net_{node} = {' + '.join(products + [bias_term])}",
                    marks.beside(f"net_{node}", net), how, marks.beside(f"out_{node}", out))

        out_header = "~out = e^net / Σ e^net" if softmax else f"~out = {activation.symbol}(net)"
        table = grid("node", "~net = Σ input × weight + bias", "#net", out_header, "#out")
        parts.append(titled(layer_title(model, index), table, range(layer.size), style, "nodes", row))
        parts += [_symbolic(model, index), Text("")]
        if softmax:
            powers = shortened(len(softmax[1]), lambda k, each=softmax[1]: each[k])
            parts.append(Text(f"Σ e^net = {' + '.join(powers)} = {softmax[0]}"))
    from pencilnet.core.metrics import classes_of

    winner = int(classes_of(trace.output, config.threshold)[0])
    if len(trace.output) == 1:  # one sigmoid output: two classes and a threshold
        side = "at or above" if winner else "below"
        reason = f"{names.nodes[-1][0]} = {style.number(trace.output[0])}, {side} the threshold {config.threshold:g}"
    else:
        reason = f"{names.nodes[-1][winner]} has the largest output, {style.number(trace.output[winner])}"
    parts.append(Text(f"Predicted class: {class_names(config)[winner]} ({reason})", style="bold"))
    return Group(*parts, *marks.notes())


def error(config: Example, report: ErrorReport, style: Style, sample: int | None = 1) -> Group:
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
                marks.beside(f"E_{names[k]}", mark(float(by_hand[k]), style.result(report.terms[k]))))

    table = grid("output", "class", "#target", "#out",
                   "~term = " + loss.term_arithmetic.format(t="target", o="out", n="n"), "#term")
    section = titled(f"The total error: {loss.formula}", table, range(len(names)), style, "outputs", row)
    shown_terms = [style.result(term) for term in report.terms]
    terms = shortened(len(report.terms), lambda k: style.operand(shown_terms[k]))
    total = style.result(report.total)
    equals = relation(shown_sum(shown_terms), total) if len(report.terms) <= MAX_TERMS else "="
    total_line = Text(f"E_total = {' + '.join(terms)} {equals} {marks.beside('E_total', total)}", style="bold")
    return Group(section, total_line, *marks.notes())


def step(config: Example, gradients: Gradients, new: Model, learning_rate: float, style: Style,
         sample: int | None = 1) -> Group:
    after = flatten(new)
    rate = style.given(learning_rate)
    marks = Declared(config, sample, "step")

    def row(item: tuple) -> tuple:
        position, r = item
        gradient, old = style.result(r.gradient), style.given(r.value)
        arithmetic = f"{old} − {rate} × {style.operand(gradient)}"
        new = mark(shown_value(old) - shown_value(rate) * shown_value(gradient), style.number(after[position]))
        return (style.name(r.name), old, marks.beside(f"dE/d{r.name}", gradient), arithmetic,
                marks.beside(f"{r.name}_new", new))

    table = grid("parameter", "#old", "#∂E/∂w", "~new = old − η × ∂E/∂w", "#new")
    rows = Joined([LayerChain(config.model, gradients, index, bias)
                    for bias in (False, True) for index in range(len(config.model.layers))])
    section = titled(f"Updating the weights: new = old − {rate} × ∂E/∂w", table, Enumerated(rows), style,
                       "parameters", row)
    return Group(section, *marks.notes())


def pencil_note(decimals) -> Text:
    """Which numbers were rounded, said once above a stage computed with pencil arithmetic (`decimals`:
    its places, or the arithmetic itself)."""
    rounding = arithmetic_of(decimals).rounding()
    return Text(f"Pencil arithmetic: every net, out, ∂E/∂out, ∂out/∂net, ∂E/∂net, back-propagated term and "
                f"sum, and new weight was rounded half up to {rounding} before it was used further; "
                "gradients and error terms keep every digit their multiplication gives.", style="italic")


def exact_note(config: Example, style: Style) -> Text:
    """Said once above the stages computed exactly: why a shown result can differ in its last digit
    from the shown numbers worked by hand, and from a publication that rounded as it went."""
    text = f"Exact arithmetic, {style.decimals} decimals shown; ≈: the numbers shown give it only roughly."
    published = config.expected.pencil_decimals if config.expected is not None else None
    if isinstance(published, int):
        text += f"\nThe published example rounded as it went, to {published} decimals: --pencil {published} does too."
    elif published is not None:
        text += (f"\nThe published example rounded as it went, to {published.rounding()}: a config arithmetic of "
                 "the same does too.")
    return Text(text, style="italic")


# The four stages of one sample (the article's Steps 2 to 5), numbered as pencilnet makes them.
TITLES = {"forward": "Stage 1: forward propagation", "error": "Stage 2: the total error",
          "backprop": "Stage 3: backpropagation", "step": "Stage 4: updating the weights"}


def stage(name: str, walk: Walk, config: Example, style: Style) -> list:
    """The tables of one stage of `walk` (forward, error, backprop or step); "walkthrough": the
    four, each under a rule with its title."""
    if name == "walkthrough":
        from rich.rule import Rule

        return [part for one, title in TITLES.items() for part in [Rule(title), *stage(one, walk, config, style)]]
    if name == "forward":
        return [forward(config, walk.trace, walk.sample, style)]
    if name == "error":
        return [error(config, walk.report, style, walk.sample)]
    if name == "backprop":
        from pencilnet.views.backprop_tables import backprop

        return [backprop(config, walk.trace, walk.target, walk.gradients, style, walk.sample)]
    if walk.update is None or walk.update.optimizer.plain:
        return [step(config, walk.gradients, walk.new_model, walk.learning_rate, style, walk.sample)]
    from pencilnet.views.updates import step_table

    return [step_table(walk.model.names.parameters, walk.update, style,
                       declared=Declared(config, walk.sample, "step"))]
