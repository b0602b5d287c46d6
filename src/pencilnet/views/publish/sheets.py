"""An exercise's question sheet and its answer key, as documents in every format `publish` writes.

The question sheet gives the network, the sample and the questions (each quantity to work out,
with room for the answer); the answer key is the same with the answers, the config's `expected:`
section. Neither has a picture: a picture of the network shows its nets and outs.
"""

import re

from pencilnet.views.example import Example
from pencilnet.views.publish.blocks import Document, Heading, Items, Paragraph, Table


def sheet(config: Example, answers: bool, title: str | None = None) -> Document:
    if config.expected is None:
        from pencilnet.core.errors import InputError

        raise InputError(f"{config.source}: expected: expected an exercise's answer key (pencilnet exercise writes "
                         "one), found none")
    model, names = config.model, config.model.names
    x, target = config.sample(config.expected.sample or 1)  # None only for a function, which has no sheet
    kind = "Answer key" if answers else "Exercise"
    document = Document(_titled(kind, title or config.name or config.source))
    places = config.expected.pencil_decimals
    rounding = f"every number you carry on rounded half up to {places} decimals" if isinstance(places, int) \
        else "exact arithmetic"
    blocks = document.blocks
    blocks.append(Paragraph((f"Work one step of backpropagation by hand for the sample below, {rounding}: "
                             f"the forward pass, the total error E = {_loss(config.loss)}, every gradient by the "
                             f"chain rule, and every new weight, new = old − {config.schedule.learning_rate:g} × "
                             "∂E/∂w.",)))
    blocks.append(Heading(2, "The network"))
    rows = []
    for index, layer in enumerate(model.layers):
        sources, targets = names.nodes[index], names.nodes[index + 1]
        for i, row in enumerate(names.weights[index]):
            rows += [((str(name),), (f"{sources[i]} → {targets[j]}",), (layer.activation,),
                      (f"{layer.weights[i, j]:g}",)) for j, name in enumerate(row)]
        rows += [((str(name),), (f"bias → {targets[j] if len(names.biases[index]) > 1 else ', '.join(targets)}",),
                  (layer.activation,), (f"{value:g}",))
                 for j, (name, value) in enumerate(zip(names.biases[index], layer.biases, strict=True))]
    blocks.append(Table((("weight",), ("connects",), ("activation of the target",), ("value",)), tuple(rows),
                        (False, False, False, True)))
    blocks.append(Heading(2, "The sample"))
    blocks.append(Items(tuple((f"{name} = {value:g}",) for name, value in zip(names.nodes[0], x, strict=True))
                        + ((f"target: ({', '.join(f'{t:g}' for t in target)}); bias input "
                            f"{model.bias_input:g}",),)))
    blocks.append(Heading(2, "The answers" if answers else "The questions"))
    entries = config.expected.entries
    blocks.append(Table((("quantity",), ("answer",)),
                        tuple(((entry.name,), (entry.published if answers else "",)) for entry in entries),
                        (False, True)))
    return document


def _titled(kind: str, name: str) -> str:
    """"Exercise: name", or "Answer key: name"; a name that says it is an exercise, as `exercise`
    names its configs ("Exercise for ben: a 2-2-2 network"), gives that word to the sheet's kind,
    so that the title does not say it twice ("Answer key for ben: a 2-2-2 network")."""
    said = re.match(r"exercise\b:?", name, re.IGNORECASE)
    if said is None:
        return f"{kind}: {name}"
    return kind + (":" if said.group().endswith(":") else "") + name[said.end():]


def _loss(loss: str) -> str:
    from pencilnet.core.losses import LOSSES

    return LOSSES[loss].formula.removeprefix("E = ")
