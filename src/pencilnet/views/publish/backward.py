"""The backward half of the document: every gradient by the chain rule, then the update.

Functions of a `Builder` (its model, walk, numbers and blocks): backpropagation from the output
layer back, part by part as the article goes, then the step the optimizer takes.
"""


import numpy as np

from pencilnet.core.activations import activation_of as row_of
from pencilnet.core.losses import FUSED, LOSSES
from pencilnet.core.optimizers import Update
from pencilnet.core.stages import trainable
from pencilnet.views.numbers import agrees, shown_value
from pencilnet.views.publish import rules
from pencilnet.views.publish.blocks import Equation, Figure, Heading, Items, Table
from pencilnet.views.publish.formulas import LOSS_NAMES, loss_slope, slope
from pencilnet.views.publish.math import (
    ETA,
    FEW,
    E,
    Numbers,
    Op,
    Sum,
    Var,
    d,
    net,
    out,
    param,
    paren,
    plus,
    shorten,
    times,
)
from pencilnet.views.publish.page import Page
from pencilnet.views.table_parts import layer_name
from pencilnet.views.updates import HEADS, RESULTS, rule, state_keys


def backprop(b: Page):
    b.add(Heading(2, "4. Backpropagation"))
    b.say("How much does the error change when one parameter changes and nothing else does? The chain "
          "rule answers it in three factors: how the error changes with the out of the node the edge "
          "enters, how that out changes with the node's net, and how the net changes with the parameter:")
    w = Var("w")
    b.add(Equation((d(E, w),), (times(d(E, Var("out")), d(Var("out"), Var("net")), d(Var("net"), w)),)))
    b.say("The last factor is what the edge carries into the net: the out of the node it leaves, an input, "
          "or the bias input. The first two factors belong to the node, so they are worked out once per "
          "node and shared by all the edges that enter it. Their product is the node's error signal ",
          (d(E, Var("net")),), ".")
    last = len(b.model.layers) - 1
    # The article's four groups; a network without a hidden layer has only the two outside ones.
    parts = iter(range(1, 5))
    # A deeper network's inside parts go layer by layer as the reader walks back: Part 2.1 is
    # the layer just before the output layer's, Part 2.2 the one before it, and so on.
    inside = list(range(last - 1, -1, -1))

    def into(part: int, k: int, index: int, what: str) -> Heading:
        source = "" if what.startswith("bias") else f", from the {layer_name(b.model, index)}"
        return Heading(4, f"Part {part}.{k + 1}: the {what} into the {layer_name(b.model, index + 1)}{source}")

    b.add(Heading(3, f"Part {next(parts)}: the weights on the outside, into the output layer"))
    node_signals(b, last)
    gradients(b, last, False)
    if last:
        part = next(parts)
        b.add(Heading(3, f"Part {part}: the weights on the inside"))
        b.say("A hidden node feeds every node of the next layer, so a change in its out reaches the error "
              "along each of those edges: its ", (d(E, Var("out")),), " is a sum with one term per node "
              "it feeds, that node's error signal times the weight of the edge between them.")
        for k, index in enumerate(inside):
            if last > 1:
                b.add(into(part, k, index, "weights"))
            node_signals(b, index)
            gradients(b, index, False)
    b.add(Heading(3, f"Part {next(parts)}: the bias weights on the outside"))
    gradients(b, last, True)
    if last:
        part = next(parts)
        b.add(Heading(3, f"Part {part}: the bias weights on the inside"))
        for k, index in enumerate(inside):
            if last > 1:
                b.add(into(part, k, index, "bias weights"))
            gradients(b, index, True)
    b.add(Heading(3, "All the gradients"))
    b.add(Figure("backprop", "Each edge with its gradient, each node with its error signal."))
    rows = []
    for bias in (False, True):
        for index in range(len(b.model.layers)):
            for r in b.chains[index, bias]:
                approx = (Op("≈"),) if gradient_is_rough(b, r) else ()
                rows.append(((r.name,), (b.edge(r),), (factors(b, r),), ((*approx, *b.n.result(r.gradient)),)))
    b.add(Table((("parameter",), ("edge",), ("factors",), ((d(E, Var("w")),),)), tuple(rows),
                (False, False, True, True)))


def signal_kind(b: Page, index: int) -> str:
    """How the node's error signal is formed: "fused" (out − target), "coupled" (softmax) or "plain"."""
    layer = b.model.layers[index]
    if index == len(b.model.layers) - 1 and (layer.activation, b.walk.loss) in FUSED:
        return "fused"
    return "coupled" if row_of(layer.activation).coupled else "plain"


def node_signals(b: Page, index: int):
    """∂E/∂out, ∂out/∂net and ∂E/∂net of each node of layer `index`, from the layer after it."""
    model, names, walk = b.model, b.names, b.walk
    layer, found = model.layers[index], walk.gradients.layers[index]
    nodes, seen = names.nodes[index + 1], walk.trace.layers[index]
    last, kind, large = index == len(model.layers) - 1, signal_kind(b, index), b.large(index)
    count = len(nodes)
    shown = range(FEW) if large and count > FEW else range(count)
    if kind == "fused":
        b.say(f"With {layer.activation} outputs and {LOSS_NAMES[walk.loss]}, the first two factors "
              "multiply out to a simple difference: each output's error signal is its out minus its target.")
    elif kind == "coupled":
        b.say("Softmax couples its nodes (each net moves every out), so a node's error signal sums over all "
              "of them: ", (d(E, Var("net", "k")), Op("="), Var("out", "k"), *paren((
                  d(E, Var("out", "k")), Op("−"), Sum("j"), d(E, Var("out", "j")), Op("×"),
                  Var("out", "j")))),
              ".")
    if len(shown) < count:
        b.say(f"The first {len(shown)} of the layer's {count} nodes are written out; the table of all the "
              "gradients below has every one.")
    loss = LOSSES[walk.loss]
    outs = [b.style.number(v) for v in seen.out]
    if last:  # ∂E/∂out of every output worked out from the outs as shown: the oracle for "=" or "≈"
        by_hand = loss.derivative(np.array([float(shown_value(v)) for v in outs]), walk.target)
    for j in shown:
        name = nodes[j]
        o = b.n.number(seen.out[j], True)
        if kind == "fused":
            difference = shown_value(outs[j]) - shown_value(b.style.given(walk.target[j]))
            b.add(Equation((d(E, net(name)),), (
                (out(name), Op("−"), Var("target", name)),
                (*o, Op("−"), *b.n.given(walk.target[j], True)), b.n.number(found.dE_dnet[j])),
                b.rough(2, difference, b.style.number(found.dE_dnet[j]))))
            continue
        if last:
            b.add(Equation((d(E, out(name)),), (
                loss_slope(walk.loss, (Var("target", name),), (out(name),), count),
                loss_slope(walk.loss, b.n.given(walk.target[j], True), o, count),
                b.n.number(found.dE_dout[j])), b.rough(2, float(by_hand[j]), b.style.number(found.dE_dout[j]))))
        else:
            hidden_signal(b, index, j)
        if kind == "coupled":
            slopes = found.dE_dout
            inner = plus([times(b.n.number(slopes[m], True), b.n.number(seen.out[m], True))
                          for m in range(count)])
            b.add(Equation((d(E, net(name)),), (
                times(o, paren((*b.n.number(slopes[j], True), Op("−"), *paren(inner)))),
                b.n.number(found.dE_dnet[j]))))
            continue
        activation = row_of(layer.activation)
        slope_text, signal_text = b.style.number(found.dout_dnet[j]), b.style.number(found.dE_dnet[j])
        by_hand_slope = float(activation.derivative(np.array([float(shown_value(outs[j]))]))[0])
        b.add(Equation((d(out(name), net(name)),), (
            slope(layer.activation, (out(name),)), slope(layer.activation, o), b.n.number(found.dout_dnet[j])),
            b.rough(2, by_hand_slope, slope_text)))
        product = shown_value(b.style.number(found.dE_dout[j])) * shown_value(slope_text)
        b.add(Equation((d(E, net(name)),), (
            times(d(E, out(name)), d(out(name), net(name))),
            times(b.n.number(found.dE_dout[j], True), b.n.number(found.dout_dnet[j], True)),
            b.n.number(found.dE_dnet[j])), b.rough(2, product, signal_text)))


def hidden_signal(b: Page, index: int, j: int):
    """∂E/∂out of hidden node j of layer `index`: a sum over the nodes it feeds, each that node's
    ∂E/∂net times the weight between them; "≈" where the numbers shown give a step only roughly."""
    model, names, walk = b.model, b.names, b.walk
    found, large, name = walk.gradients.layers[index], b.large(index), names.nodes[index + 1][j]
    fed = names.nodes[index + 2]
    after, weights = walk.gradients.layers[index + 1], model.layers[index + 1].weights
    k_all = len(fed)
    symbols = shorten([times(d(E, net(k)), param(str(names.weights[index + 1][j, m])))
                       for m, k in enumerate(fed)], k_all, large)
    values = shorten([times(b.n.number(after.dE_dnet[m], True), b.n.given(weights[j, m], True))
                      for m in range(k_all)], k_all, large)
    assert found.terms is not None  # a hidden layer's ∂E/∂out is a sum of back-propagated terms
    terms = shorten([b.n.number(found.terms[j, m], True) for m in range(k_all)], k_all, large)
    steps = (plus(symbols), plus(values), plus(terms)) if k_all > 1 else (plus(symbols), plus(values))
    rough: frozenset = frozenset()
    if len(symbols) == k_all:  # written out whole: every step can be redone by hand
        products = [shown_value(b.style.number(after.dE_dnet[m])) * shown_value(b.style.given(weights[j, m]))
                    for m in range(k_all)]
        result = b.style.number(found.dE_dout[j])
        if k_all > 1:
            shown_terms = [b.style.number(found.terms[j, m]) for m in range(k_all)]
            if not all(agrees(p, t) for p, t in zip(products, shown_terms, strict=True)):
                rough |= {2}
            rough |= b.rough(3, sum(shown_value(t) for t in shown_terms), result)
        else:
            rough = b.rough(2, products[0], result)
    b.add(Equation((d(E, out(name)),), (*steps, b.n.number(found.dE_dout[j])), rough))


def factor_texts(b: Page, r) -> list[str]:
    """The numbers a chain row's gradient is the product of, as shown in the table."""
    bias_input = b.style.given(r.dnet_dw)
    dnet_dw = bias_input if r.source == "bias" or r.layer == 0 else b.style.number(r.dnet_dw)
    if r.shared:
        return [b.style.number(r.dE_dout), dnet_dw]
    if signal_kind(b, r.layer) != "plain":
        return [b.style.number(r.dE_dnet), dnet_dw]
    return [b.style.number(r.dE_dout), b.style.number(r.dout_dnet), dnet_dw]


def factors(b: Page, r) -> tuple:
    return times(*(b.n.shown(text, True) for text in factor_texts(b, r)))


def gradient_is_rough(b: Page, r, summed: bool = False) -> bool:
    """Whether the factors shown, multiplied by hand, give the gradient's digits only roughly;
    `summed`: a shared bias's equation, whose first factor is written as the sum of its nodes'."""
    texts = factor_texts(b, r)
    if summed:
        signals = [shown_value(b.style.number(v)) for v in b.walk.gradients.layers[r.layer].dE_dnet]
        product = sum(signals) * shown_value(texts[-1])
    else:
        product = shown_value("1")
        for text in texts:
            product *= shown_value(text)
    return not agrees(product, b.style.result(r.gradient))


def gradients(b: Page, index: int, bias: bool):
    rows = b.chains[index, bias]
    large = b.large(index)
    shown = rows[:FEW] if large else rows[:]
    kind = signal_kind(b, index)
    for r in shown:
        w, target = param(r.name), r.target
        rough = frozenset({2}) if gradient_is_rough(b, r, summed=r.shared) else frozenset()
        if r.shared:
            first = times(paren((Sum("j"), d(E, Var("net", "j")))), d(Var("net", "j"), w))
            nodes = b.names.nodes[index + 1]
            signal = plus([b.n.number(v, True) for v in b.walk.gradients.layers[index].dE_dnet])
            b.add(Equation((d(E, w),), (first, times(paren(signal), factors(b, r)[-1]), b.n.result(r.gradient)),
                           rough))
            b.say(f"(One bias weight feeds all of {b.span(nodes)}, so its gradient sums theirs.)")
            continue
        if kind == "plain":
            first = times(d(E, out(target)), d(out(target), net(target)), d(net(target), w))
        else:
            first = times(d(E, net(target)), d(net(target), w))
        b.add(Equation((d(E, w),), (first, factors(b, r), b.n.result(r.gradient)), rough))
    if len(shown) < len(rows):
        b.say(f"… and so on for the other {len(rows) - len(shown)} of {rows[0].name} … {rows[-1].name}: the "
              "table of all the gradients below has every one.")


# 5. the update ---------------------------------------------------------------------------


def update(b: Page):
    if b.stateful is not None:
        return optimizer_update(b, b.stateful)
    walk = b.walk
    b.add(Heading(2, "5. The update"))
    b.say("Each parameter takes a step against its gradient, as long as the learning rate: ",
          (Var("w", "", "new"), Op("="), Var("w"), Op("−"), ETA, Op("×"), d(E, Var("w"))),
          ". Every gradient comes from the weights before the update.")
    rate = b.n.given(walk.learning_rate)
    for bias in (False, True):
        for index, layer in enumerate(b.model.layers):
            rows = b.chains[index, bias]
            after = walk.new_model.layers[index].biases if bias else walk.new_model.layers[index].weights.ravel()
            frozen = layer.frozen_biases if bias else layer.frozen_weights
            if frozen:
                b.say(f"{rows[0].name} … {rows[-1].name} are frozen: they keep their values.")
                continue
            large = b.large(index)
            for position, r in enumerate(rows[:FEW] if large else rows[:]):
                w = param(r.name)
                rough = frozenset({2}) if rough_update(b, r, after[position]) else frozenset()
                b.add(Equation((param(r.name, new=True),), (
                    (w, Op("−"), ETA, Op("×"), d(E, w)),
                    (*b.n.given(r.value), Op("−"), *rate, Op("×"), *b.n.result(r.gradient, True)),
                    b.n.number(after[position])), rough))
            if large:
                table = tuple(((r.name,), (b.n.given(r.value),), (b.n.result(r.gradient),),
                               ((*((Op("≈"),) if rough_update(b, r, after[position]) else ()),
                                 *b.n.number(after[position])),)) for position, r in enumerate(rows))
                b.say(f"Every parameter of {rows[0].name} … {rows[-1].name}:")
                b.add(Table((("parameter",), ("old",), ((d(E, Var("w")),),), ("new",)), table,
                            (False, True, True, True)))
    b.add(Figure("step", "The network after the update: each edge with its old and its new weight."))


def rough_update(b: Page, r, new: float) -> bool:
    """Whether old − η × ∂E/∂w, worked by hand from the numbers shown, gives the new value only roughly."""
    by_hand = shown_value(b.style.given(r.value)) - shown_value(b.style.given(b.walk.learning_rate)) * \
        shown_value(b.style.result(r.gradient))
    return not agrees(by_hand, b.style.number(new))


def optimizer_update(b: Page, found: Update):
    """The step of an optimizer that keeps state or decays weights: its rule with its numbers,
    then every parameter's gradient, intermediates and new value in one table."""
    b.add(Heading(2, "5. The update"))
    start = " It starts from a state of zeros, so this is its step 1." if found.steps == 1 else ""
    b.say(f"This step is taken by {found.optimizer.describe()}, with torch.optim's formulas, from the "
          f"gradients above (they come from the weights before the update).{start} For each parameter, in "
          "order:")
    b.add(Items(tuple(rules.parts(formula)  # as mathematics, like every formula
                      for formula in rule(found.optimizer, found.learning_rate, found.steps, b.style).split("; "))))
    free = trainable(b.model)
    table = update_table(b.n, b.names.parameters, found, free)
    frozen = len(b.names.parameters) - len(table.rows)
    if frozen:
        b.say(f"{frozen} frozen parameter{'s keep their values' if frozen > 1 else ' keeps its value'} "
              "and no state.")
    b.add(table)
    b.add(Figure("step", "The network after the update: each edge with its old and its new weight."))


def update_table(n: Numbers, names, found: Update, free=None, gradient: tuple = (d(E, Var("w")),),
                 given: bool = True) -> Table:
    """A row per parameter of one optimizer step (`free`: which ones train; None: all): its old value,
    its gradient (headed `gradient`), each intermediate and its new value. `given`: the old values are
    as the config gives them (the first step), else as the engine carried them."""
    keys = state_keys(found)
    rows = []
    for position, name in enumerate(names):
        if free is None or free[position]:
            rows.append(((name,), ((n.given if given else n.number)(found.old[position]),),
                         (n.result(found.values["gradient"][position]),),
                         *(((n.result if key in RESULTS else n.number)(found.values[key][position]),) for key in keys),
                         (n.number(found.values["new"][position]),)))
    return Table((("parameter",), ("old",), (gradient,), *((HEADS[key],) for key in keys), ("new",)), tuple(rows),
                 (False, *[True] * (len(keys) + 3)))
