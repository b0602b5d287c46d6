"""The page a worked example is written onto: the walk, the numbers' style, the document so far,
and the small helpers every section uses (`builder` writes the network, the forward pass and
the error; `backward` the backpropagation and the update)."""

from pencilnet.core.stages import LayerChain, Walk
from pencilnet.views.example import Example
from pencilnet.views.numbers import Style, agrees
from pencilnet.views.publish.blocks import Document, Paragraph
from pencilnet.views.publish.math import FEW, LARGE, Numbers, Op, Var, node, out


class Page:
    def __init__(self, config: Example, walk: Walk, style: Style, title: str | None):
        self.config, self.walk, self.style = config, walk, style
        self.model, self.names = walk.model, walk.model.names
        self.n = Numbers(style)
        self.doc = Document(title or config.name or "A worked example of backpropagation")
        self.chains = {(index, bias): LayerChain(self.model, walk.gradients, index, bias)
                       for index in range(len(self.model.layers)) for bias in (False, True)}
        # The optimizer's step when it is not the article's plain one (momentum, Adam, …, or decay).
        self.stateful = walk.update if walk.update is not None and not walk.update.optimizer.plain else None

    def rough(self, k: int, value, text: str) -> frozenset:
        """{k}, the place of an equation's step, when `value`, worked out by hand from the numbers
        shown before it, does not give the digits of `text`: that step follows "≈"."""
        return frozenset() if value is None or agrees(value, text) else frozenset({k})

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
