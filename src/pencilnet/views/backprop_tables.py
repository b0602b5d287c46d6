"""Backpropagation as Rich tables: each node's error signal from the output layer back, then
every gradient with its chain-rule factors in the article's four groups, then all of them at a
glance. Nothing here prints."""

import numpy as np
from rich.console import Group
from rich.text import Text

from pencilnet.core.activations import activation_of as row_of
from pencilnet.core.losses import LOSSES
from pencilnet.core.stages import ChainRow, Gradients, LayerChain, Trace
from pencilnet.views.declared import Declared
from pencilnet.views.example import Example
from pencilnet.views.numbers import Style, agrees, relation, shown_value
from pencilnet.views.table_parts import MAX_TERMS, Joined, grid, layer_name, mark, shortened, shown_sum, titled


def _node_factors(config: Example, trace: Trace, target: np.ndarray, gradients: Gradients,
                  style: Style, marks: Declared) -> list[Group]:
    """Per node, from the output layer back: ∂E/∂out (for a hidden node, a sum over the
    nodes it feeds), ∂out/∂net and their product ∂E/∂net, with the arithmetic written out so
    that every row multiplies out as written ("≈" where the factors shown are rounded)."""
    model, names = config.model, config.model.names
    loss = LOSSES[config.loss]
    sections: list = []
    last = len(model.layers) - 1
    for index in range(last, -1, -1):
        found, activation = gradients.layers[index], row_of(model.layers[index].activation)
        nodes = names.nodes[index + 1]
        outs = [style.number(o) for o in trace.layers[index].out]
        dE_dout = [style.number(v) for v in found.dE_dout]
        fused = index == last and gradients.output_branch == "fused"
        at = ("each output node" if index == last else "each hidden node" if last == 1
              else f"each node of {layer_name(model, index + 1)}")
        notes = []
        if fused:
            title = (f"The error signal at each output node: with {model.layers[index].activation} outputs and "
                     f"{config.loss},\n  ∂E/∂net simplifies to out − target")
        elif activation.coupled:
            title = (f"The error signal at {at}: softmax couples its outputs, so\n"
                     "  ∂E/∂net_k = out_k × (∂E/∂out_k − Σ_j ∂E/∂out_j × out_j)")
        elif index == last:
            title = "The error signal at each output node: ∂E/∂net = ∂E/∂out × ∂out/∂net"
        else:
            title = f"The error signal at {at}: ∂E/∂out sums over the nodes k it feeds"
        by_hand = None
        if index == last:
            how_header = "∂E/∂out = " + loss.derivative_arithmetic.format(o="out", t="target", n="n")
            by_hand = loss.derivative(np.array([float(shown_value(o)) for o in outs]), target)
        else:
            how_header = "∂E/∂out = Σ_k ∂E/∂net_k × w(→k)"
        coupling = None
        if activation.coupled and not fused:
            products = shortened(len(nodes),
                                 lambda k, dE_dout=dE_dout, outs=outs: f"{style.operand(dE_dout[k])} × {outs[k]}")
            coupling = style.number(float(np.dot(found.dE_dout, trace.layers[index].out)))
            if len(nodes) <= MAX_TERMS:
                value = sum(shown_value(d) * shown_value(o) for d, o in zip(dE_dout, outs, strict=False))
                equals = relation(value, coupling)
            else:
                equals = "="
            notes.append(Text(f"Σ_j ∂E/∂out_j × out_j = {' + '.join(products)} {equals} {coupling}"))

        def row(j: int, index=index, found=found, activation=activation, nodes=nodes, outs=outs,
                dE_dout=dE_dout, fused=fused, coupling=coupling, by_hand=by_hand) -> tuple:
            name, out = nodes[j], style.operand(outs[j])
            node, dE_dnet = style.name(name), style.number(found.dE_dnet[j])
            if fused:
                t = style.given(target[j])
                return node, f"{out} − {style.operand(t)} = " + marks.beside(
                    f"dE/dnet_{name}", mark(shown_value(outs[j]) - shown_value(t), dE_dnet))
            if found.terms is None:
                how = loss.derivative_arithmetic.format(o=out, t=style.operand(style.given(target[j])),
                                                        n=str(len(nodes)))
                how += f" {relation(float(by_hand[j]), dE_dout[j])} {marks.beside(f'dE/dout_{name}', dE_dout[j])}"
            else:
                downstream, weights = gradients.layers[index + 1].dE_dnet, model.layers[index + 1].weights[j]
                count = len(downstream)
                factors = [(style.number(downstream[k]), style.given(weights[k]))
                           for k in range(min(count, MAX_TERMS))]
                terms = [style.number(found.terms[j, k]) for k in range(min(count, MAX_TERMS))]
                products = shortened(count,
                                     lambda k: f"{style.operand(factors[k][0])} × {style.operand(factors[k][1])}")
                parts = shortened(count, lambda k: style.operand(terms[k]))
                whole = count <= MAX_TERMS
                first = "=" if not whole or all(agrees(shown_value(a) * shown_value(w), term)
                                                 for (a, w), term in zip(factors, terms, strict=False)) else "≈"
                second = relation(shown_sum(terms), dE_dout[j]) if whole else "="
                how = (f"{' + '.join(products)} {first} {' + '.join(parts)} {second} "
                       f"{marks.beside(f'dE/dout_{name}', dE_dout[j])}")
            if coupling is not None:
                arithmetic = f"{out} × ({dE_dout[j]} − {style.operand(coupling)})"
                value = shown_value(outs[j]) * (shown_value(dE_dout[j]) - shown_value(coupling))
                return node, how, f"{arithmetic} = {marks.beside(f'dE/dnet_{name}', mark(value, dE_dnet))}"
            slope_value = style.number(found.dout_dnet[j])
            slope = activation.derivative_arithmetic.format(o=out)
            by_hand_slope = float(activation.derivative(np.array([float(shown_value(outs[j]))]))[0])
            slope_shown = marks.beside(f"dout_{name}/dnet_{name}", slope_value)
            return (node, how, f"{slope} {relation(by_hand_slope, slope_value)} {slope_shown}",
                    marks.beside(f"dE/dnet_{name}", mark(shown_value(dE_dout[j]) * shown_value(slope_value), dE_dnet)))

        if fused:
            table = grid("node", "~∂E/∂net = out − target")
        elif coupling is not None:
            table = grid("node", "~" + how_header, "~∂E/∂net = out × (∂E/∂out − Σ)")
        else:
            table = grid("node", "~" + how_header, f"~∂out/∂net = {activation.derivative_formula}", "#∂E/∂net")
        sections.append(titled(title, table, range(len(nodes)), style, "nodes", row))
        sections.extend(notes)
    return sections


GROUPS = (  # the article's four kinds of weights, in its order
    ("weights on the outside", False, True),
    ("weights on the inside", False, False),
    ("bias weights on the outside", True, True),
    ("bias weights on the inside", True, False),
)


def _group_title(model, what: str, bias: bool, outside: bool) -> str:
    """The group's name and, for weights, the layers its edges join: a network without a hidden
    layer has no inside, and its outside edges leave the inputs."""
    last = len(model.layers) - 1
    if bias:
        return what
    if outside:
        return f"{what} ({'hidden' if last else 'input'} → output)"
    return f"{what} ({'input → hidden' if last == 1 else 'into the hidden layers'})"


def backprop(config: Example, trace: Trace, target, gradients: Gradients, style: Style,
             sample: int | None = 1) -> Group:
    marks = Declared(config, sample, "backprop")
    parts: list = _node_factors(config, trace, np.asarray(target, dtype=float), gradients, style, marks)
    parts.append(Text("Each gradient is a product of chain-rule factors:\n"
                      "  ∂E/∂w = ∂E/∂out × ∂out/∂net × ∂net/∂w, or ∂E/∂net × ∂net/∂w", style="bold"))
    last = len(config.model.layers) - 1
    number = 0  # the parts that exist, numbered without gaps: a network without a hidden layer has two
    for what, bias, outside in GROUPS:
        layers = [last] if outside else range(last - 1, -1, -1)  # from the output back, as the article goes
        chosen = Joined([LayerChain(config.model, gradients, index, bias) for index in layers])
        if len(chosen):
            number += 1
            title = f"Part {number}: {_group_title(config.model, what, bias, outside)}"
            parts.append(_chain_table(title, chosen, style, marks))
    parts.append(_gradient_summary(config, gradients, style, marks))
    if gradients.dE_dx is not None:
        parts.append(_input_gradients(config, gradients, style, marks, number + 1))
    return Group(*parts, *marks.notes())


def _gradient_summary(config: Example, gradients: Gradients, style: Style, marks: Declared) -> Group:
    """Every gradient at a glance, as the article sums them up: weights on the outside, weights
    on the inside and bias weights, side by side."""
    model, last = config.model, len(config.model.layers) - 1
    columns = [Joined([LayerChain(model, gradients, last, False)]),
               Joined([LayerChain(model, gradients, index, False) for index in range(last - 1, -1, -1)]),
               Joined([LayerChain(model, gradients, index, True) for index in range(last, -1, -1)])]
    heads = ["outside", "#∂E/∂w", "inside", "#∂E/∂w", "bias", "#∂E/∂w"]
    if not last:  # no hidden layer, nothing inside
        del columns[1], heads[2:4]
    table = grid(*heads)
    count = max(len(column) for column in columns)
    shown = count if style.rows is None else min(count, style.rows)
    for position in range(shown):
        cells = []
        for column in columns:
            r = column[position] if position < len(column) else None
            cells += ([style.name(r.name), marks.beside(f"dE/d{r.name}", style.result(r.gradient))] if r is not None
                      else ["", ""])
        table.add_row(*cells)
    parts: list = [Text("All the gradients", style="bold"), table]
    if shown < count:
        parts.append(Text(f"… {count - shown} more rows not shown (--all shows every row)", style="dim italic"))
    return Group(*parts)


def _input_gradients(config: Example, gradients: Gradients, style: Style, marks: Declared, number: int) -> Group:
    """∂E/∂x for each input: the sum, over the first layer's nodes, of what flows back to it."""
    names, weights = config.model.names, config.model.layers[0].weights
    dE_dnet, dE_dx = gradients.layers[0].dE_dnet, gradients.dE_dx
    assert dE_dx is not None  # shown only when the engine computed it
    fed = names.nodes[1]

    def row(i: int) -> tuple:
        products = shortened(len(fed), lambda j: f"{style.operand(style.number(dE_dnet[j]))} × "
                                                 f"{style.operand(style.given(weights[i, j]))}")
        x = names.nodes[0][i]
        return style.name(x), " + ".join(products), marks.beside(f"dE/d{x}", style.number(dE_dx[i]))

    table = grid("input", "∂E/∂x = Σ_j ∂E/∂net_j × w(x → j)", "#∂E/∂x")
    return titled(f"Part {number}: the inputs, ∂E/∂x (what a change of each input would do)", table,
                    range(len(names.nodes[0])), style, "inputs", row)


def _chain_table(title: str, rows: "Joined", style: Style, marks: Declared) -> Group:
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
            gradient = mark(product, gradient)
        factors = [marks.beside(name, factor) for name, factor in zip(named, factors, strict=False)]
        return (style.name(r.name), f"{r.source} → {r.target}", *factors,
                f"{marks.beside(f'dnet_{r.target}/d{r.name}', input_value)} ({what})",
                marks.beside(f"dE/d{r.name}", gradient))

    if coupled:
        table = grid("parameter", "edge", "#∂E/∂net", "#∂net/∂w", "#∂E/∂w")
        title += "\n  ∂E/∂w = ∂E/∂net × ∂net/∂w, with ∂E/∂net from the table above"
    else:
        table = grid("parameter", "edge", "#∂E/∂out", "#∂out/∂net", "#∂net/∂w", "#∂E/∂w")
    if any(part.bias and part.layer.shared_bias for part in rows.parts):
        title += "\n  a shared bias sums ∂E/∂net over its layer's nodes"
    return titled(title, table, rows, style, "parameters", cells)
