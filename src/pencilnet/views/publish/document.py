"""The worked example as a document, before it has a format.

`build` turns one `Walk` (forward pass, error, backprop and step for one sample) into a
`Document`: headings, paragraphs, equations, tables and figures whose mathematics is a
short list of tokens. Markdown, HTML and LaTeX each only say how a block and a token are
written, so the three formats have one structure, and every number in them is the engine's,
shown by `Style`.
"""

from dataclasses import dataclass, field

import numpy as np

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.losses import FUSED
from pencilnet.core.stages import LayerChain, Walk, trainable
from pencilnet.io.config import Config
from pencilnet.views.numbers import Style
from pencilnet.views.tables import layer_title
from pencilnet.views.updates import HEADS, RESULTS, rule, state_keys

LARGE = 20  # a layer with more parameters than this gets its general formula, a few rows and a table
FEW = 3  # rows written out for a large layer
LONG_SUM = 8  # a written-out sum of a large layer with more terms shows the first and the last ones
LINE = 80  # an equation wider than this (in characters, roughly) is broken over several lines


# --- mathematics as tokens ----------------------------------------------------------------


@dataclass(frozen=True)
class Var:
    """A named quantity: Var("net", "h1") is net with subscript h1; Var("w", "5", "new") is w5's new value."""

    base: str
    sub: str = ""
    sup: str = ""


@dataclass(frozen=True)
class Num:
    text: str  # as Style wrote it


@dataclass(frozen=True)
class Op:
    text: str  # + − × = ( ) [ ] , ⋯ > Σ and the like


@dataclass(frozen=True)
class Fn:
    name: str  # σ, tanh, relu, max, ln, exp


@dataclass(frozen=True)
class Sum:
    """Σ over `index`."""

    index: str


@dataclass(frozen=True)
class Half:
    """½."""


@dataclass(frozen=True)
class Partial:
    """∂top/∂bottom."""

    top: Var
    bottom: Var


@dataclass(frozen=True)
class Frac:
    top: tuple
    bottom: tuple


@dataclass(frozen=True)
class Power:
    base: tuple
    exponent: tuple


def width(tokens) -> float:
    """A rough width in characters, to decide where a long equation is broken."""
    total = 0.0
    for t in tokens:
        if isinstance(t, Var):
            total += len(t.base) + 0.7 * (len(t.sub) + len(t.sup))
        elif isinstance(t, Num):
            total += len(t.text)
        elif isinstance(t, Op):
            total += 1 if t.text in "()[]," else len(t.text) + 1.5
        elif isinstance(t, Fn):
            total += len(t.name) + 0.5
        elif isinstance(t, Partial):
            total += max(width([t.top]), width([t.bottom])) + 1
        elif isinstance(t, Frac):
            total += max(width(t.top), width(t.bottom))
        elif isinstance(t, Power):
            total += width(t.base) + 0.7 * width(t.exponent)
        elif isinstance(t, Sum):
            total += 2.5
        else:
            total += 1
    return total


# --- blocks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int  # 1 the title, 2 a step, 3 a part of it
    text: str


@dataclass(frozen=True)
class Paragraph:
    parts: tuple  # prose (str) and inline mathematics (tuple of tokens)


@dataclass(frozen=True)
class Equation:
    """lhs = steps[0] = steps[1] = …, each step a tuple of tokens."""

    lhs: tuple
    steps: tuple

    def lines(self) -> list[tuple[bool, tuple]]:
        """The equation as display lines: (True, tokens) starts with "=", (False, tokens) goes on
        with a long sum. One line when it fits; else a step per line, a long step broken before + or −."""
        if width(self.lhs) + sum(width(s) + 3 for s in self.steps) <= LINE:
            return [(True, sum(((Op("="), *s) if i else s for i, s in enumerate(self.steps)), ()))]
        lines = []
        for step in self.steps:
            current, first = [], True
            for k, token in enumerate(step):
                # Broken before a + or − once the line is long, unless little would be left for the next one.
                if (token in (Op("+"), Op("−")) and current and width(current) > LINE - 12
                        and width(step[k:]) > 12):
                    lines.append((first, tuple(current)))
                    current, first = [], False
                current.append(token)
            lines.append((first, tuple(current)))
        return lines


@dataclass(frozen=True)
class Table:
    header: tuple  # cells: each a tuple of parts, as a paragraph's
    rows: tuple
    numeric: tuple  # per column: right-aligned when True


@dataclass(frozen=True)
class Figure:
    stage: str  # the diagram's stage: forward, backprop or step
    caption: str


@dataclass(frozen=True)
class Items:
    items: tuple  # each a tuple of parts


@dataclass(frozen=True)
class Document:
    title: str
    blocks: list = field(default_factory=list)

    @property
    def figures(self) -> list[str]:
        return [block.stage for block in self.blocks if isinstance(block, Figure)]


# --- how quantities are named ----------------------------------------------------------------


def param(name: str, new: bool = False) -> Var:
    """w5 → w with subscript 5, bw3 → bw with subscript 3."""
    base = name.rstrip("0123456789")
    return Var(base, name[len(base):], "new" if new else "")


def node(name: str) -> Var:
    """An input x1 as a variable; other nodes are named by their net or out."""
    base = name.rstrip("0123456789")
    return Var(base, name[len(base):])


def net(name: str) -> Var:
    return Var("net", name)


def out(name: str) -> Var:
    return Var("out", name)


E = Var("E")
ETA = Var("η")


def d(top: Var, bottom: Var) -> Partial:
    return Partial(top, bottom)


def times(*factors) -> tuple:
    """factors joined by ×; a factor is a token or a tuple of tokens."""
    tokens = []
    for k, factor in enumerate(factors):
        if k:
            tokens.append(Op("×"))
        tokens.extend(factor if isinstance(factor, tuple) else (factor,))
    return tuple(tokens)


def plus(terms: list) -> tuple:
    tokens = []
    for k, term in enumerate(terms):
        if k:
            tokens.append(Op("+"))
        tokens.extend(term if isinstance(term, tuple) else (term,))
    return tuple(tokens)


def paren(tokens) -> tuple:
    return (Op("("), *tokens, Op(")"))


def shorten(terms: list, count: int, large: bool) -> list:
    """A large layer's long sum as its first terms, ⋯ and its last term: `terms` holds them all."""
    if not large or count <= LONG_SUM:
        return terms
    return terms[:FEW] + [Op("⋯")] + terms[-1:]


class Numbers:
    """Style's three ways of showing a number, as tokens; a negative operand is put in parentheses."""

    def __init__(self, style: Style):
        self.style = style

    def _token(self, text: str, operand: bool) -> tuple:
        return paren((Num(text),)) if operand and text.startswith("-") else (Num(text),)

    def number(self, x, operand: bool = False) -> tuple:
        return self._token(self.style.number(x), operand)

    def result(self, x, operand: bool = False) -> tuple:
        return self._token(self.style.result(x), operand)

    def given(self, x, operand: bool = False) -> tuple:
        return self._token(self.style.given(x), operand)


# --- activations and losses, written out ---------------------------------------------------


def activation_of(name: str, net_value: tuple, nets: list | None = None) -> tuple:
    """The activation applied to `net_value`; softmax needs every net of its layer, `nets`."""
    if name == "sigmoid":
        return (Frac((Num("1"),), (Num("1"), Op("+"), Power((Var("e"),), (Op("−"), *net_value)))),)
    if name == "tanh":
        return (Fn("tanh"), *paren(net_value))
    if name == "relu":
        return (Fn("max"), Op("("), Num("0"), Op(","), *net_value, Op(")"))
    if name == "identity":
        return net_value
    if name == "softmax":
        return (Frac((Power((Var("e"),), net_value),), plus([(Power((Var("e"),), n),) for n in nets])),)
    raise ValueError(f"no written form for the activation {name!r}")


def activation_formula(name: str) -> tuple:
    """out = f(net) in general, for the layer's heading."""
    symbol = (Fn("σ"),) if name == "sigmoid" else ()
    if name == "softmax":
        return (Var("out", "k"), Op("="), Frac((Power((Var("e"),), (Var("net", "k"),)),),
                                                  (Sum("j"), Power((Var("e"),), (Var("net", "j"),)))))
    body = activation_of(name, (Var("net"),))
    return (Var("out"), Op("="), *((*symbol, *paren((Var("net"),)), Op("=")) if symbol else ()), *body)


def slope(name: str, o: tuple) -> tuple:
    """∂out/∂net in terms of out (`o`: a name or a number)."""
    if name in ("sigmoid", "softmax"):
        return times(o, paren((Num("1"), Op("−"), *o)))
    if name == "tanh":
        return (Num("1"), Op("−"), Power(o, (Num("2"),)))
    if name == "relu":
        return (Op("["), *o, Op(">"), Num("0"), Op("]"))
    if name == "identity":
        return (Num("1"),)
    raise ValueError(f"no written form for the activation {name!r}")


def loss_term(loss: str, t: tuple, o: tuple, n: int) -> tuple:
    """One output's error term with `t` the target and `o` the output (names or numbers)."""
    if loss == "half_sse":
        return (Half(), Power(paren((*t, Op("−"), *o)), (Num("2"),)))
    if loss == "mse":
        return (Frac((Power(paren((*t, Op("−"), *o)), (Num("2"),)),), (Num(str(n)),)),)
    if loss == "cross_entropy":
        return (Op("−"), *t, Op("×"), Fn("ln"), *paren(o))
    if loss == "binary_cross_entropy":
        return (Op("−"), Op("["), *t, Fn("ln"), *paren(o), Op("+"), *paren((Num("1"), Op("−"), *t)),
                Fn("ln"), *paren((Num("1"), Op("−"), *o)), Op("]"))
    raise ValueError(f"no written form for the loss {loss!r}")


def loss_slope(loss: str, t: tuple, o: tuple, n: int) -> tuple:
    """∂E/∂out of one output."""
    if loss == "half_sse":
        return (*o, Op("−"), *t)
    if loss == "mse":
        return (Frac((Num("2"), Op("×"), *paren((*o, Op("−"), *t))), (Num(str(n)),)),)
    if loss == "cross_entropy":
        return (Op("−"), Frac(t, o))
    if loss == "binary_cross_entropy":
        return (Frac((*o, Op("−"), *t), (*o, Op("×"), *paren((Num("1"), Op("−"), *o)))),)
    raise ValueError(f"no written form for the loss {loss!r}")


LOSS_NAMES = {"half_sse": "half the sum of squared errors", "mse": "the mean squared error",
              "cross_entropy": "the cross-entropy", "binary_cross_entropy": "the binary cross-entropy"}


def loss_formula(loss: str, outputs: int) -> tuple:
    t, o = (Var("target", "k"),), (Var("out", "k"),)
    if loss == "mse":
        return (Var("E"), Op("="), Frac((Num("1"),), (Num(str(outputs)),)), Sum("k"),
                Power(paren((*t, Op("−"), *o)), (Num("2"),)))
    if loss == "half_sse":
        return (Var("E"), Op("="), Half(), Sum("k"), Power(paren((*t, Op("−"), *o)), (Num("2"),)))
    return (Var("E"), Op("="), Sum("k"), *loss_term(loss, t, o, outputs))


# --- the document ----------------------------------------------------------------------------


def arithmetic_sentence(walk: Walk, style: Style) -> str:
    decimals = walk.arithmetic.decimals
    if decimals is None:
        return (f"Arithmetic: exact, in double precision. Each number is shown rounded half up to "
                f"{style.decimals} decimals (a small one keeps more digits), so the last digit of "
                "a result may differ from what its rounded factors give.")
    return (f"Arithmetic: as with a pencil, to {decimals} decimals. Every net, out, ∂E/∂out, ∂out/∂net, "
            "∂E/∂net, back-propagated term and new parameter was rounded half up to "
            f"{decimals} decimals before it was used further; the gradients and the error terms keep every digit "
            "the product of those rounded factors has.")


class Builder:
    def __init__(self, config: Config, walk: Walk, style: Style, title: str | None):
        self.config, self.walk, self.style = config, walk, style
        self.model, self.names = walk.model, walk.model.names
        self.n = Numbers(style)
        self.doc = Document(title or config.name or "A worked example of backpropagation")
        self.chains = {(index, bias): LayerChain(self.model, walk.gradients, index, bias)
                       for index in range(len(self.model.layers)) for bias in (False, True)}
        # The optimizer's step when it is not the article's plain one (momentum, Adam, …, or decay).
        self.stateful = walk.update if walk.update is not None and not walk.update.optimizer.plain else None

    def add(self, *blocks):
        self.doc.blocks.extend(blocks)

    def say(self, *parts):
        self.add(Paragraph(tuple(parts)))

    def large(self, index: int) -> bool:
        layer = self.model.layers[index]
        return layer.weights.size + layer.biases.size > LARGE

    def bias_value(self) -> tuple:
        return self.n.given(self.model.bias_input)

    def input_value(self, index: int, i: int) -> tuple:
        """What feeds source i of layer `index`: an input as given, or the previous layer's out."""
        value = self.walk.trace.layers[index].inputs[i]
        return self.n.given(value, True) if index == 0 else self.n.number(value, True)

    def input_var(self, index: int, i: int) -> Var:
        source = self.names.nodes[index][i]
        return node(source) if index == 0 else out(source)

    def build(self) -> Document:
        self.network()
        self.forward()
        self.error()
        self.backprop()
        self.update()
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
        inputs = [(node(n), Op("="), *self.n.given(v)) for n, v in zip(names.nodes[0], x)]
        targets = [(Var("target", n), Op("="), *self.n.given(v)) for n, v in zip(names.nodes[-1], target)]
        self.add(Items((
            ("Inputs: ", *self.listed(inputs, model.inputs > LARGE), "."),
            ("Targets: ", *self.listed(targets, len(target) > LARGE),
             f" (class {self.config.classes[int(np.argmax(target))]!r})."),
            ("Learning rate: ", (ETA, Op("="), *self.n.given(walk.learning_rate)), "."),
            ("Error: ", loss_formula(walk.loss, len(target)), f", {LOSS_NAMES[walk.loss]}."),
        )))
        rows = []
        for index, layer in enumerate(model.layers):
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

    def span(self, names) -> str:
        names = [str(n) for n in names]
        return ", ".join(names) if len(names) <= 3 else f"{names[0]} … {names[-1]}"

    def listed(self, items: list, large: bool) -> tuple:
        """Several equations in a sentence, separated by commas; a long list shortened."""
        shown = items[:FEW] + [(Op("⋯"),)] + items[-1:] if large and len(items) > FEW + 1 else items
        parts = []
        for k, item in enumerate(shown):
            parts += [", "] * bool(k) + [item]
        return tuple(parts)

    def edge(self, r) -> str:
        return f"bias → {r.target}" if r.source == "bias" else f"{r.source} → {r.target}"

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
                self.add(Equation((net(target),), (
                    plus(shorten(symbols, count, large) + [bias_symbol]),
                    plus(shorten(values, count, large) + [bias_number]),
                    self.n.number(seen.net[j]))))
            for j in shown:
                target = targets[j]
                if layer.activation == "softmax":
                    body = activation_of("softmax", self.n.number(seen.net[j]),
                                         [self.n.number(v) for v in seen.net])
                else:
                    body = activation_of(layer.activation, self.n.number(seen.net[j], True))
                first = (Fn(ACTIVATIONS[layer.activation].symbol), *paren((net(target),)))
                steps = (first, body) if body != self.n.number(seen.net[j]) else (first,)
                self.add(Equation((out(target),), (*steps, self.n.number(seen.out[j]))))
            if few:
                rows = tuple(((t,), (self.n.number(seen.net[j]),), (self.n.number(seen.out[j]),))
                             for j, t in enumerate(targets))
                self.add(Table((("node",), ("net",), ("out",)), rows, (False, True, True)))
        winner = int(np.argmax(trace.output))
        self.say(f"The largest output is {names.nodes[-1][winner]}'s, ", self.n.number(trace.output[winner]),
                 f": before the update the network says {self.config.classes[winner]!r}.")

    # 3. the error ------------------------------------------------------------------------------

    def error(self):
        report, names = self.walk.report, self.names.nodes[-1]
        count = len(names)
        self.add(Heading(2, "3. The total error"))
        self.say("The error compares each output with its target: ", loss_formula(report.loss, count),
                 ". One term per output node:")
        for k, name in enumerate(names):
            t, o = self.n.given(report.target[k], True), self.n.number(report.output[k], True)
            self.add(Equation((Var("E", name),), (loss_term(report.loss, (Var("target", name),), (out(name),), count),
                                                   loss_term(report.loss, t, o, count),
                                                   self.n.result(report.terms[k]))))
        terms = [(Var("E", name),) for name in names]
        values = [self.n.result(v, True) for v in report.terms]
        self.add(Equation((Var("E", "total"),), (plus(terms), plus(values), self.n.result(report.total))))

    # 4. backpropagation ----------------------------------------------------------------------

    def backprop(self):
        self.add(Heading(2, "4. Backpropagation"))
        self.say("How much does the error change when one parameter changes and nothing else does? The chain "
                 "rule answers it in three factors: how the error changes with the out of the node the edge "
                 "enters, how that out changes with the node's net, and how the net changes with the parameter:")
        w = Var("w")
        self.add(Equation((d(E, w),), (times(d(E, Var("out")), d(Var("out"), Var("net")), d(Var("net"), w)),)))
        self.say("The last factor is what the edge carries into the net: the out of the node it leaves, an input, "
                 "or the bias input. The first two factors belong to the node, so they are worked out once per "
                 "node and shared by all the edges that enter it. Their product is the node's error signal ",
                 (d(E, Var("net")),), ".")
        last = len(self.model.layers) - 1
        # The article's four groups; a network without a hidden layer has only the two outside ones.
        parts = iter(range(1, 5))
        self.add(Heading(3, f"Part {next(parts)}: the weights on the outside, into the output layer"))
        self.node_signals(last)
        self.gradients(last, False)
        if last:
            self.add(Heading(3, f"Part {next(parts)}: the weights on the inside"))
            self.say("A hidden node feeds every node of the next layer, so a change in its out reaches the error "
                     "along each of those edges: its ", (d(E, Var("out")),), " is a sum with one term per node "
                     "it feeds, that node's error signal times the weight of the edge between them.")
            for index in range(last - 1, -1, -1):
                if last > 1:
                    self.add(Heading(4, layer_title(self.model, index)))
                self.node_signals(index)
                self.gradients(index, False)
        self.add(Heading(3, f"Part {next(parts)}: the bias weights on the outside"))
        self.gradients(last, True)
        if last:
            self.add(Heading(3, f"Part {next(parts)}: the bias weights on the inside"))
            for index in range(last - 1, -1, -1):
                self.gradients(index, True)
        self.add(Heading(3, "All the gradients"))
        self.add(Figure("backprop", "Each edge with its gradient, each node with its error signal."))
        rows = []
        for bias in (False, True):
            for index in range(len(self.model.layers)):
                for r in self.chains[index, bias]:
                    rows.append(((r.name,), (self.edge(r),), (self.factors(r),), (self.n.result(r.gradient),)))
        self.add(Table((("parameter",), ("edge",), ("factors",), ((d(E, Var("w")),),)), tuple(rows),
                       (False, False, True, True)))

    def kind(self, index: int) -> str:
        """How the node's error signal is formed: "fused" (out − target), "coupled" (softmax) or "plain"."""
        layer = self.model.layers[index]
        if index == len(self.model.layers) - 1 and (layer.activation, self.walk.loss) in FUSED:
            return "fused"
        return "coupled" if ACTIVATIONS[layer.activation].coupled else "plain"

    def node_signals(self, index: int):
        """∂E/∂out, ∂out/∂net and ∂E/∂net of each node of layer `index`, from the layer after it."""
        model, names, walk = self.model, self.names, self.walk
        layer, found = model.layers[index], walk.gradients.layers[index]
        nodes, seen = names.nodes[index + 1], walk.trace.layers[index]
        last, kind, large = index == len(model.layers) - 1, self.kind(index), self.large(index)
        count = len(nodes)
        shown = range(FEW) if large and count > FEW else range(count)
        if kind == "fused":
            self.say(f"With {layer.activation} outputs and {LOSS_NAMES[walk.loss]}, the first two factors "
                     "multiply out to a simple difference: each output's error signal is its out minus its target.")
        elif kind == "coupled":
            self.say("Softmax couples its nodes (each net moves every out), so a node's error signal sums over all "
                     "of them: ", (d(E, Var("net", "k")), Op("="), Var("out", "k"), *paren((
                         d(E, Var("out", "k")), Op("−"), Sum("j"), d(E, Var("out", "j")), Op("×"),
                         Var("out", "j")))),
                     ".")
        if len(shown) < count:
            self.say(f"The first {len(shown)} of the layer's {count} nodes are written out; the table of all the "
                     "gradients below has every one.")
        for j in shown:
            name = nodes[j]
            o = self.n.number(seen.out[j], True)
            if kind == "fused":
                self.add(Equation((d(E, net(name)),), (
                    (out(name), Op("−"), Var("target", name)),
                    (*o, Op("−"), *self.n.given(walk.target[j], True)), self.n.number(found.dE_dnet[j]))))
                continue
            if last:
                self.add(Equation((d(E, out(name)),), (
                    loss_slope(walk.loss, (Var("target", name),), (out(name),), count),
                    loss_slope(walk.loss, self.n.given(walk.target[j], True), o, count),
                    self.n.number(found.dE_dout[j]))))
            else:
                fed = names.nodes[index + 2]
                after, weights = walk.gradients.layers[index + 1], model.layers[index + 1].weights
                k_all = len(fed)
                symbols = shorten([times(d(E, net(k)), param(str(names.weights[index + 1][j, m])))
                                   for m, k in enumerate(fed)], k_all, large)
                values = shorten([times(self.n.number(after.dE_dnet[m], True), self.n.given(weights[j, m], True))
                                  for m in range(k_all)], k_all, large)
                terms = shorten([self.n.number(found.terms[j, m], True) for m in range(k_all)], k_all, large)
                steps = (plus(symbols), plus(values), plus(terms)) if k_all > 1 else (plus(symbols), plus(values))
                self.add(Equation((d(E, out(name)),), (*steps, self.n.number(found.dE_dout[j]))))
            if kind == "coupled":
                outs, slopes = seen.out, found.dE_dout
                inner = plus([times(self.n.number(slopes[m], True), self.n.number(outs[m], True))
                              for m in range(count)])
                self.add(Equation((d(E, net(name)),), (
                    times(o, paren((*self.n.number(slopes[j], True), Op("−"), *paren(inner)))),
                    self.n.number(found.dE_dnet[j]))))
                continue
            self.add(Equation((d(out(name), net(name)),), (
                slope(layer.activation, (out(name),)), slope(layer.activation, o), self.n.number(found.dout_dnet[j]))))
            self.add(Equation((d(E, net(name)),), (
                times(d(E, out(name)), d(out(name), net(name))),
                times(self.n.number(found.dE_dout[j], True), self.n.number(found.dout_dnet[j], True)),
                self.n.number(found.dE_dnet[j]))))

    def factors(self, r) -> tuple:
        """The numbers a chain row's gradient is the product of, as shown in the table."""
        bias_input = self.n.given(r.dnet_dw, True)
        dnet_dw = bias_input if r.source == "bias" or r.layer == 0 else self.n.number(r.dnet_dw, True)
        if r.shared:
            return times(self.n.number(r.dE_dout, True), dnet_dw)
        if self.kind(r.layer) != "plain":
            return times(self.n.number(r.dE_dnet, True), dnet_dw)
        return times(self.n.number(r.dE_dout, True), self.n.number(r.dout_dnet, True), dnet_dw)

    def gradients(self, index: int, bias: bool):
        rows = self.chains[index, bias]
        large = self.large(index)
        shown = rows[:FEW] if large else rows[:]
        kind = self.kind(index)
        for r in shown:
            w, target = param(r.name), r.target
            if r.shared:
                first = times(paren((Sum("j"), d(E, Var("net", "j")))), d(Var("net", "j"), w))
                nodes = self.names.nodes[index + 1]
                signal = plus([self.n.number(v, True) for v in self.walk.gradients.layers[index].dE_dnet])
                self.add(Equation((d(E, w),), (first, times(paren(signal), self.factors(r)[-1]),
                                                self.n.result(r.gradient))))
                self.say(f"(One bias weight feeds all of {self.span(nodes)}, so its gradient sums theirs.)")
                continue
            if kind == "plain":
                first = times(d(E, out(target)), d(out(target), net(target)), d(net(target), w))
            else:
                first = times(d(E, net(target)), d(net(target), w))
            self.add(Equation((d(E, w),), (first, self.factors(r), self.n.result(r.gradient))))
        if len(shown) < len(rows):
            self.say(f"… and so on for the other {len(rows) - len(shown)} of {rows[0].name} … {rows[-1].name}: the "
                     "table of all the gradients below has every one.")

    # 5. the update ---------------------------------------------------------------------------

    def update(self):
        if self.stateful is not None:
            return self.optimizer_update()
        walk = self.walk
        self.add(Heading(2, "5. The update"))
        self.say("Each parameter takes a step against its gradient, as long as the learning rate: ",
                 (Var("w", "", "new"), Op("="), Var("w"), Op("−"), ETA, Op("×"), d(E, Var("w"))),
                 ". Every gradient comes from the weights before the update.")
        rate = self.n.given(walk.learning_rate)
        for bias in (False, True):
            for index, layer in enumerate(self.model.layers):
                rows = self.chains[index, bias]
                after = walk.new_model.layers[index].biases if bias else walk.new_model.layers[index].weights.ravel()
                frozen = layer.frozen_biases if bias else layer.frozen_weights
                if frozen:
                    self.say(f"{rows[0].name} … {rows[-1].name} are frozen: they keep their values.")
                    continue
                large = self.large(index)
                for position, r in enumerate(rows[:FEW] if large else rows[:]):
                    w = param(r.name)
                    self.add(Equation((param(r.name, new=True),), (
                        (w, Op("−"), ETA, Op("×"), d(E, w)),
                        (*self.n.given(r.value), Op("−"), *rate, Op("×"), *self.n.result(r.gradient, True)),
                        self.n.number(after[position]))))
                if large:
                    table = tuple(((r.name,), (self.n.given(r.value),), (self.n.result(r.gradient),),
                                   (self.n.number(after[position]),)) for position, r in enumerate(rows))
                    self.say(f"Every parameter of {rows[0].name} … {rows[-1].name}:")
                    self.add(Table((("parameter",), ("old",), ((d(E, Var("w")),),), ("new",)), table,
                                   (False, True, True, True)))
        self.add(Figure("step", "The network after the update: each edge with its old and its new weight."))

    def optimizer_update(self):
        """The step of an optimizer that keeps state or decays weights: its rule with its numbers,
        as mathematics, then every parameter's gradient, intermediates and new value in one table."""
        from pencilnet.views.publish import rules  # it builds on this module's tokens

        found = self.stateful
        self.add(Heading(2, "5. The update"))
        start = " It starts from a state of zeros, so this is its step 1." if found.steps == 1 else ""
        self.say(f"This step is taken by {found.optimizer.describe()}, with torch.optim's formulas, from the "
                 f"gradients above (they come from the weights before the update).{start} For each parameter, in "
                 "order:")
        self.add(Items(tuple(rules.parts(formula) for formula in rule(found.optimizer, found.learning_rate,
                                                                      found.steps, self.style).split("; "))))
        keys, free = state_keys(found), trainable(self.model)
        rows = []
        for position, name in enumerate(self.names.parameters):
            if free is None or free[position]:
                rows.append(((name,), (self.n.given(found.old[position]),),
                             (self.n.result(found.values["gradient"][position]),),
                             *(((self.n.result if key in RESULTS else self.n.number)(found.values[key][position]),)
                               for key in keys),
                             (self.n.number(found.values["new"][position]),)))
        frozen = len(self.names.parameters) - len(rows)
        if frozen:
            self.say(f"{frozen} frozen parameter{'s keep their values' if frozen > 1 else ' keeps its value'} "
                     "and no state.")
        self.add(Table((("parameter",), ("old",), ((d(E, Var("w")),),), *((HEADS[key],) for key in keys), ("new",)),
                       tuple(rows), (False, *[True] * (len(keys) + 3))))
        self.add(Figure("step", "The network after the update: each edge with its old and its new weight."))

    # 6. published values -------------------------------------------------------------------

    def published(self):
        expected = self.config.expected
        # A published example is of plain gradient descent: a document of another optimizer's step
        # is not that example, and its update is not the one the publication printed.
        if expected is None or self.stateful is not None:
            return
        flagged = [e for e in expected.entries if e.erratum or e.tolerance is not None or e.note]
        how = ("exact arithmetic" if expected.pencil_decimals is None
               else f"pencil arithmetic to {expected.pencil_decimals} decimals")
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


def build(config: Config, walk: Walk, style: Style, title: str | None = None) -> Document:
    """The document of `walk`, a pass through the stages of `config`'s network for one sample."""
    return Builder(config, walk, style, title).build()


def prose(text: str) -> list[tuple[bool, str]]:
    """A prose string as (is code, text) pieces: `pencilnet verify` in backquotes is code."""
    pieces = text.split("`")
    return [(k % 2 == 1, piece) for k, piece in enumerate(pieces) if piece]
