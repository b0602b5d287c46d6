"""The worked example as a document, before it has a format.

`build` turns one `Walk` (forward pass, error, backprop and step for one sample) into a
`Document`: the network, the forward pass and the error here; backpropagation and the update
in `backward`. Every number in it is the engine's, shown by `Style`.
"""

import math

import numpy as np

from pencilnet.core.activations import activation_of as row_of
from pencilnet.core.arithmetic import arithmetic_of
from pencilnet.core.losses import LOSSES
from pencilnet.core.metrics import classes_of
from pencilnet.core.stages import Walk
from pencilnet.views.example import Example, class_names
from pencilnet.views.numbers import Style, shown_value
from pencilnet.views.publish import backward
from pencilnet.views.publish.blocks import Document, Equation, Figure, Heading, Items, Table
from pencilnet.views.publish.formulas import LOSS_NAMES, activation_formula, activation_of, loss_formula, loss_term
from pencilnet.views.publish.math import (
    ETA,
    FEW,
    LARGE,
    LONG_SUM,
    Fn,
    Op,
    Sum,
    Var,
    net,
    node,
    out,
    param,
    paren,
    plus,
    shorten,
    times,
)
from pencilnet.views.publish.page import Page
from pencilnet.views.table_parts import layer_title


def arithmetic_sentence(walk: Walk, style: Style) -> str:
    decimals = getattr(walk.arithmetic, "decimals", None)  # None: exact
    if decimals is None:
        return (f"Arithmetic: exact, in double precision. Each number is shown rounded half up to "
                f"{style.decimals} decimals (a small one keeps more digits), so the last digit of "
                "a result may differ from what its rounded factors give.")
    return (f"Arithmetic: as with a pencil, to {decimals} decimals. Every net, out, ∂E/∂out, ∂out/∂net, "
            "∂E/∂net, back-propagated term and new parameter was rounded half up to "
            f"{decimals} decimals before it was used further; the gradients and the error terms keep every digit "
            "the product of those rounded factors has.")


class Builder(Page):
    """The document's sections, written one after another onto the page."""

    def build(self) -> Document:
        self.network()
        self.forward()
        self.error()
        backward.backprop(self)
        backward.update(self)
        self.published()
        return self.doc

    # 1. the network --------------------------------------------------------------------------

    def network(self):
        model, names, walk = self.model, self.names, self.walk
        shape = "-".join(map(str, model.sizes))
        sample = f"sample {walk.sample} of {self.config.source}" if walk.sample else self.config.source
        method = "gradient descent" if self.stateful is None else self.stateful.optimizer.describe()
        self.say(f"One step of {method} on a {shape} network, worked by hand: the forward pass, the total "
                 f"error, every gradient by the chain rule and the updated parameters. The numbers are those of "
                 f"{sample}, each computed by pencilnet.")
        self.say(arithmetic_sentence(walk, self.style))
        self.add(Heading(2, "1. The network"))
        self.add(Figure("forward", "The network with its initial weights; each node shows its net and out for "
                                   "this sample."))
        last = len(model.layers) - 1
        layers = [f"{model.inputs} input{'s' if model.inputs > 1 else ''} ({self.span(names.nodes[0])})"]
        for index, layer in enumerate(model.layers):
            role = "output layer" if index == last else "hidden layer" if last == 1 else f"hidden layer {index + 1}"
            layers.append(f"the {role} of {layer.size} ({self.span(names.nodes[index + 1])}, {layer.activation})")
        self.say("Layers: " + ", ".join(layers) + f"; {model.parameter_count} parameters in all. Weights are "
                 "numbered layer by layer, then by the node they leave, then by the node they enter; the bias "
                 f"weights bw1, bw2, … likewise. Each bias weight multiplies a bias input of ",
                 self.bias_value(), ".")
        x, target = walk.x, walk.target
        inputs = [(node(n), Op("="), *self.n.given(v)) for n, v in zip(names.nodes[0], x, strict=True)]
        targets = [(Var("target", n), Op("="), *self.n.given(v)) for n, v in zip(names.nodes[-1], target, strict=True)]
        self.add(Items((
            ("Inputs: ", *self.listed(inputs, model.inputs > LARGE), "."),
            ("Targets: ", *self.listed(targets, len(target) > LARGE),
             f" (class {class_names(self.config)[int(classes_of(target)[0])]!r})."),
            ("Learning rate: ", (ETA, Op("="), *self.n.given(walk.learning_rate)), "."),
            ("Error: ", loss_formula(walk.loss, len(target)), f", {LOSS_NAMES[walk.loss]}."),
        )))
        rows = []
        for index in range(len(model.layers)):
            if self.large(index):
                continue
            for bias in (False, True):
                for r in self.chains[index, bias]:
                    rows.append(((r.name,), (self.edge(r),), (self.n.given(r.value),)))
        if rows:
            self.add(Table((("parameter",), ("edge",), ("initial value",)), tuple(rows), (False, False, True)))
        if any(self.large(index) for index in range(len(model.layers))):
            self.say(f"A layer of more than {LARGE} parameters is not listed here: the table of updates at the end "
                     "gives every initial value.")

    # 2. the forward pass ---------------------------------------------------------------------

    def forward(self):
        model, names, trace = self.model, self.names, self.walk.trace
        self.add(Heading(2, "2. The forward pass"))
        self.say("Each node adds up its inputs, each times the weight of its edge, plus its bias weight times the "
                 "bias input: that sum is its net. Its activation turns the net into its out, which feeds the next "
                 "layer.")
        for index, layer in enumerate(model.layers):
            seen, large = trace.layers[index], self.large(index)
            self.add(Heading(3, layer_title(model, index)))
            self.say(f"Activation: {layer.activation}, ", activation_formula(layer.activation), ".")
            targets = names.nodes[index + 1]
            few = large and layer.size > FEW  # only some of its nodes written out, then a table of all
            shown = range(FEW) if few else range(layer.size)
            if few:
                self.say(f"This layer has {layer.weights.size + layer.biases.size} parameters: the first "
                         f"{FEW} of its {layer.size} nodes are written out, and the table after them gives "
                         "every net and out.")
            elif large:
                self.say(f"This layer has {layer.weights.size + layer.biases.size} parameters: its sums are "
                         "shortened to their first and last terms.")
            if large:  # the general formula the rows written out follow
                source = Var("x", "i") if index == 0 else Var("out", "i")
                term = (Var("bw", "j"),) if self.model.bias_input == 1 else times(Var("bw", "j"), self.bias_value())
                self.add(Equation((Var("net", "j"),), ((Sum("i"), source, Op("×"), Var("w", "ij"), Op("+"), *term),)))
            for j in shown:
                target = targets[j]
                sources = range(len(seen.inputs))
                symbols = [(self.input_var(index, i), Op("×"), param(str(names.weights[index][i, j])))
                           for i in sources]
                values = [times(self.input_value(index, i), self.n.given(layer.weights[i, j], True))
                          for i in sources]
                bias_name = param(names.biases[index][0 if layer.shared_bias else j])
                bias = layer.biases[0 if layer.shared_bias else j]
                bias_symbol = bias_name if self.model.bias_input == 1 else times(bias_name, self.bias_value())
                bias_number = (self.n.given(bias, True) if self.model.bias_input == 1
                               else times(self.n.given(bias, True), self.bias_value()))
                count = len(symbols)
                net_text = self.style.number(seen.net[j])
                self.add(Equation((net(target),), (
                    plus(shorten(symbols, count, large) + [bias_symbol]),
                    plus(shorten(values, count, large) + [bias_number]),
                    self.n.number(seen.net[j])), self.rough(2, self.net_by_hand(index, j), net_text)))
            for j in shown:
                target = targets[j]
                if layer.activation == "softmax":
                    body = activation_of("softmax", self.n.number(seen.net[j]),
                                         [self.n.number(v) for v in seen.net])
                else:
                    body = activation_of(layer.activation, self.n.number(seen.net[j], True))
                first = (Fn(row_of(layer.activation).symbol), *paren((net(target),)))
                steps = (first, body) if body != self.n.number(seen.net[j]) else (first,)
                self.add(Equation((out(target),), (*steps, self.n.number(seen.out[j])),
                                  self.rough(len(steps), self.out_by_hand(index, j), self.style.number(seen.out[j]))))
            if few:
                rows = tuple(((t,), (self.n.number(seen.net[j]),), (self.n.number(seen.out[j]),))
                             for j, t in enumerate(targets))
                self.add(Table((("node",), ("net",), ("out",)), rows, (False, True, True)))
        winner = int(classes_of(trace.output, self.config.threshold)[0])
        says = f": before the update the network says {class_names(self.config)[winner]!r}."
        if len(trace.output) == 1:  # one output: two classes and a threshold
            side = "at or above" if winner else "below"
            self.say(f"The output {names.nodes[-1][0]} is ", self.n.number(trace.output[0]),
                     f", {side} the threshold {self.config.threshold:g}" + says)
        else:
            self.say(f"The largest output is {names.nodes[-1][winner]}'s, ", self.n.number(trace.output[winner]), says)

    # 3. the error ------------------------------------------------------------------------------

    def error(self):
        report, names = self.walk.report, self.names.nodes[-1]
        count = len(names)
        self.add(Heading(2, "3. The total error"))
        self.say("The error compares each output with its target: ", loss_formula(report.loss, count),
                 ". One term per output node:")
        # each term worked out from the outs as shown: the oracle for "=" or "≈"
        outs = np.array([float(shown_value(self.style.number(v))) for v in report.output])
        by_hand = LOSSES[report.loss].terms(outs, report.target)
        for k, name in enumerate(names):
            t, o = self.n.given(report.target[k], True), self.n.number(report.output[k], True)
            self.add(Equation((Var("E", name),), (loss_term(report.loss, (Var("target", name),), (out(name),), count),
                                                   loss_term(report.loss, t, o, count),
                                                   self.n.result(report.terms[k])),
                              self.rough(2, float(by_hand[k]), self.style.result(report.terms[k]))))
        terms = [(Var("E", name),) for name in names]
        values = [self.n.result(v, True) for v in report.terms]
        total = sum(shown_value(self.style.result(v)) for v in report.terms)
        self.add(Equation((Var("E", "total"),), (plus(terms), plus(values), self.n.result(report.total)),
                          self.rough(2, total, self.style.result(report.total))))

    def net_by_hand(self, index: int, j: int):
        """net of node j of layer `index` worked out from the numbers its equation shows, or None
        where the equation shortens the sum (a large layer's)."""
        layer, seen = self.model.layers[index], self.walk.trace.layers[index]
        if self.large(index) and len(seen.inputs) > LONG_SUM:
            return None
        shown = self.style.given if index == 0 else self.style.number
        total = sum(shown_value(shown(x)) * shown_value(self.style.given(layer.weights[i, j]))
                    for i, x in enumerate(seen.inputs))
        bias = layer.biases[0 if layer.shared_bias else j]
        return total + shown_value(self.style.given(bias)) * shown_value(self.style.given(self.model.bias_input))

    def out_by_hand(self, index: int, j: int) -> float | None:
        """out of node j of layer `index` from its net as shown (softmax: from every net as shown)."""
        layer, seen = self.model.layers[index], self.walk.trace.layers[index]
        nets = [float(shown_value(self.style.number(v))) for v in seen.net]
        try:
            if layer.activation == "softmax":
                return math.exp(nets[j]) / sum(math.exp(n) for n in nets)
            return float(row_of(layer.activation).function(np.array([nets[j]]))[0])
        except OverflowError:  # e^net past a float's range: no mark rather than a wrong one
            return None

    # 6. published values -------------------------------------------------------------------

    def published(self):
        expected = self.config.expected
        # A published example is of plain gradient descent: a document of another optimizer's step
        # is not that example, and its update is not the one the publication printed.
        if expected is None or self.stateful is not None:
            return
        flagged = [e for e in expected.entries if e.erratum or e.tolerance is not None or e.note]
        how = ("exact arithmetic" if expected.pencil_decimals is None
               else f"pencil arithmetic to {arithmetic_of(expected.pencil_decimals).rounding()}")
        self.add(Heading(2, "Published values"))
        self.say(f"This example has been published before, computed with {how} for sample {expected.sample}; "
                 f"the config lists {len(expected.entries)} of its printed numbers, and `pencilnet verify` checks "
                 "each against the engine." + (" These need a word:" if flagged else " All of them agree."))
        items = []

        def sentence(text: str) -> str:
            return text if text.endswith((".", "!", "?")) else text + "."

        for e in flagged:
            if e.erratum:
                items.append((sentence(f"{e.name}: printed {e.published}, an erratum: {e.erratum}"),))
            elif e.tolerance is not None:
                note = f": {e.note}" if e.note else ""
                items.append((sentence(f"{e.name}: printed {e.published}, accepted within {e.tolerance}{note}"),))
            else:
                items.append((sentence(f"{e.name}: printed {e.published}: {e.note}"),))
        if items:
            self.add(Items(tuple(items)))


def build(config: Example, walk: Walk, style: Style, title: str | None = None) -> Document:
    """The document of `walk`, a pass through the stages of `config`'s network for one sample."""
    return Builder(config, walk, style, title).build()
