"""The network diagram as lines for a terminal: per pair of layers, every edge with its label,
then the values of the nodes it leads to."""

from rich.console import Group
from rich.text import Text

from pencilnet.core.errors import InputError
from pencilnet.core.stages import Walk
from pencilnet.views.example import Example
from pencilnet.views.network_labels import check_stage, edges_of, node_lines, output_notes, subtitle, title_of
from pencilnet.views.numbers import Style
from pencilnet.views.table_parts import layer_title

TEXT_MAX_NODES = 6  # wider layers do not fit a terminal's lines


def text(config: Example, stage: str, rec: Walk, style: Style | None = None) -> Group:
    """The diagram as lines for a terminal: per pair of layers, every edge with its label,
    then the values of the nodes it leads to."""
    check_stage(stage)
    style = style or Style()
    model = config.model
    if max(model.sizes) > TEXT_MAX_NODES:
        raise InputError(f"the network has a layer of {max(model.sizes)} nodes: too large to draw in the "
                         f"terminal (at most {TEXT_MAX_NODES}); use --out FILE.svg or --out FILE.png")
    names = model.names.nodes
    bias = style.given(model.bias_input)
    lines = node_lines(config, stage, rec, style)
    edges = edges_of(config, stage, rec, style)
    parts: list = [Text(title_of(config, stage, rec, style), style="bold"), Text(subtitle(config, rec, style))]
    for index in range(len(model.layers)):
        parts.append(Text(""))
        parts.append(Text(layer_title(model, index), style="bold"))
        mine = [e for e in edges if e.layer == index]
        sources = [names[index][e.source] if e.source >= 0 else f"({bias})" for e in mine]
        labels = [e.label.replace("\n", ", ") for e in mine]
        left, right = max(map(len, sources)), max(map(len, labels))
        for e, source, label in zip(mine, sources, labels, strict=False):
            line = Text(f"  {source:<{left}} ── ")
            line.append(label, style="red" if e.value > 0 else "blue" if e.value < 0 else "")
            # Padding the lines out to one length puts the arrowheads, and the nodes, in a column.
            line.append(f" {'─' * (right - len(label))}──▶ {names[index + 1][e.target]}")
            parts.append(line)
        for node in lines[index + 1]:
            if len(node) > 1:
                parts.append(Text(f"  {node[0]}: " + ", ".join(node[1:]), style="bold"))
    notes = output_notes(config, stage, rec, style)
    if notes:
        parts.append(Text(""))
        for name, (target, term, value) in zip(names[-1], notes, strict=False):
            parts.append(Text(f"  {name}: {target}, {term} {value}"))
    parts.append(Text(""))
    parts.append(Legend(f"({bias}) is a bias node: it feeds {bias} to every node of the next layer",
                        "; red: positive, blue: negative"))
    return Group(*parts)


class Legend:
    """The text diagram's legend: what the colours mean is said only where colours are shown
    (not in a pipe, a file, or with NO_COLOR)."""

    def __init__(self, always: str, colours: str):
        self.always, self.colours = always, colours

    def __rich_console__(self, console, options):
        coloured = console.color_system is not None and not console.no_color
        yield Text(self.always + (self.colours if coloured else ""), style="dim italic")
