"""Pictures of the network: the diagram a textbook draws, per stage, and the error curve.

The figures use matplotlib, an optional extra, imported only when a picture is asked for;
the text diagram for the terminal needs only Rich. Nothing here prints. Every number goes
through `render.Style`, so a picture and a table always show the same digits.

Drawing coordinates are inches (the figure is sized to the drawing and the axes fill it),
so node sizes, gaps and font sizes relate directly and do not depend on the network's size.
"""

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Group
from rich.text import Text

from pencilnet.core.activations import activation_of
from pencilnet.core.errors import InputError
from pencilnet.core.losses import LOSSES
from pencilnet.core.stages import Walk
from pencilnet.io.config import Config
from pencilnet.io.files import write_atomic
from pencilnet.views.numbers import Style
from pencilnet.views.tables import layer_title

STAGES = ("forward", "error", "backprop", "step")
FORMATS = (".svg", ".png", ".pdf")  # PDF for LaTeX documents
TEXT_MAX_NODES = 6  # wider layers do not fit a terminal's lines
LABEL_MAX_NODES = 8  # wider layers are drawn compactly: thin coloured edges, no numbers
LABEL_MAX_EDGES = 24  # more edges between two layers than this (8 × 3) and their labels would pile up
CMAP = "coolwarm"  # blue negative, red positive, grey (still visible on white) near zero
MISSING = "drawing needs matplotlib: pip install 'pencilnet[plot]'"


def _check_stage(stage: str):
    if stage not in STAGES:
        raise InputError(f"--stage: expected one of {', '.join(STAGES)}, found {stage!r}")


def _check_path(out_path) -> Path:
    path = Path(out_path)
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"{path}: expected a file name ending in .svg, .png or .pdf, "
                         f"found {path.suffix or 'no suffix'!r}")
    if not path.parent.is_dir():
        raise InputError(f"{path}: no such directory: {path.parent}")
    return path


def _matplotlib():
    """matplotlib's Figure, imported only now: pictures are an optional extra."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: never open a window, never need a display
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError(MISSING) from None
    return matplotlib, Figure


def _save(figure, path: Path):
    """Render in memory, then write atomically: a failed or interrupted write never leaves half
    a picture under the name asked for."""
    import io

    import matplotlib

    buffer = io.BytesIO()
    # Text in an SVG stays text (searchable, selectable) rather than becoming outlines.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "pencilnet"}):
        kind = path.suffix[1:].lower()
        # No date in an SVG or a PDF: the same network gives the same file.
        dateless = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(kind)
        figure.savefig(buffer, format=kind, dpi=100, metadata=dateless)
    write_atomic(path, buffer.getvalue())


def check_picture(out_path) -> Path:
    """Fail now, not after a long training run, if a picture could not be written."""
    path = _check_path(out_path)
    _matplotlib()
    return path


# --- what each stage writes on nodes and edges --------------------------------------------


@dataclass(frozen=True, eq=False)
class _Edge:
    layer: int  # index into model.layers
    source: int  # row in the weight matrix, or -1 for the bias node
    target: int
    name: str  # w5, bw3
    value: float  # what sets colour and width: the weight (after the step in stage "step")
    gradient: float  # ∂E/∂w: sets them instead in a compact drawing of backprop, which has no labels
    label: str


def _edges(config: Config, stage: str, rec: Walk, style: Style) -> list[_Edge]:
    model, names = config.model, config.model.names
    edges = []
    for index, layer in enumerate(model.layers):
        found, after = rec.gradients.layers[index], rec.new_model.layers[index]
        rows = [(i, j, str(names.weights[index][i, j]), layer.weights[i, j], found.weights[i, j],
                 after.weights[i, j]) for i, j in np.ndindex(layer.weights.shape)]
        shared = [0 if layer.shared_bias else j for j in range(layer.size)]  # a shared bias feeds every node
        rows += [(-1, j, names.biases[index][k], layer.biases[k], found.biases[k], after.biases[k])
                 for j, k in enumerate(shared)]
        for i, j, name, old, gradient, new in rows:
            if stage == "backprop":
                label = f"{name} = {style.given(old)}\n∂E/∂{name} = {style.number(gradient)}"
            elif stage == "step":
                label = f"{name}: {style.given(old)} → {style.number(new)}"
            else:
                label = f"{name} = {style.given(old)}"
            edges.append(_Edge(index, i, j, name, float(new if stage == "step" else old), float(gradient), label))
    return edges


def _node_lines(config: Config, stage: str, rec: Walk, style: Style) -> list[list[list[str]]]:
    """Per layer, per node: the lines written in the node, its name first."""
    names = config.model.names.nodes
    layers = [[[name, style.given(v)] for name, v in zip(names[0], rec.trace.x)]]
    for index, seen in enumerate(rec.trace.layers):
        found = rec.gradients.layers[index]
        nodes = []
        for j, name in enumerate(names[index + 1]):
            if stage == "backprop":
                nodes.append([name, f"out {style.number(seen.out[j])}", f"∂E/∂net {style.number(found.dE_dnet[j])}"])
            elif stage == "step":
                nodes.append([name])
            else:
                nodes.append([name, f"net {style.number(seen.net[j])}", f"out {style.number(seen.out[j])}"])
        layers.append(nodes)
    return layers


def _output_notes(config: Config, stage: str, rec: Walk, style: Style) -> list[tuple[str, str, str]]:
    """What is written beside each output node in the error stage: its target, and its
    error term with the numbers written in."""
    if stage != "error":
        return []
    loss, report = LOSSES[config.loss], rec.report
    notes = []
    for k, name in enumerate(config.model.names.nodes[-1]):
        t, o = style.given(report.target[k]), style.operand(style.number(report.output[k]))
        term = loss.term_arithmetic.format(t=t, o=o, n=len(report.terms))
        notes.append((f"target {t} ({config.classes[k]})", f"E_{name} = {term}", f"= {style.number(report.terms[k])}"))
    return notes


def _title(config: Config, stage: str, rec: Walk, style: Style) -> str:
    symbols = sorted({activation_of(layer.activation).symbol for layer in config.model.layers})
    act = symbols[0] if len(symbols) == 1 else "activation"
    if stage == "forward":
        bias = "" if config.model.bias_input == 1 else f"{style.given(config.model.bias_input)} × "
        return f"Forward pass: net = Σ input × weight + {bias}bias weight, out = {act}(net)"
    if stage == "error":
        terms = " + ".join(style.number(v) for v in rec.report.terms[:4])
        more = " + …" if len(rec.report.terms) > 4 else ""
        return f"The total error: {LOSSES[config.loss].formula} = {terms}{more} = {style.number(rec.report.total)}"
    if stage == "backprop":
        return "Backpropagation: ∂E/∂w on every edge, ∂E/∂net in every node"
    if rec.update is not None and not rec.update.optimizer.plain:  # its rule has several lines: `step` shows them
        return f"Updating the weights: step {rec.update.steps} of {rec.update.optimizer.describe()}"
    return f"Updating the weights: new = old − {style.given(rec.learning_rate)} × ∂E/∂w"


def _subtitle(config: Config, rec: Walk, style: Style) -> str:
    x = ", ".join(f"{n} = {style.given(v)}" for n, v in zip(config.model.names.nodes[0][:4], rec.trace.x))
    more = ", …" if len(rec.trace.x) > 4 else ""
    target = ", ".join(style.given(v) for v in rec.report.target[:4]) + (", …" if len(rec.report.target) > 4 else "")
    target = f"[{target}]"
    name = f"{config.name}: " if config.name else ""
    return f"{name}sample {rec.sample} ({x}{more}; target {target})"


# --- the picture --------------------------------------------------------------------------


LABEL_SIZE = 9  # points, for the labels on edges
LABEL_BOX = dict(boxstyle="round,pad=0.25", fc="white", lw=0.8)
SPREAD = 1.15  # when some label finds no free spot, the gaps grow by this much and the search runs again
MAX_SPREADS = 8


@dataclass(frozen=True)
class _Layout:
    """Where everything sits, in inches: node centres per column, bias nodes, edges rim to rim."""

    nodes: list[list[tuple[float, float]]]
    bias_nodes: list[tuple[float, float]]
    segments: list[tuple[tuple[float, float], tuple[float, float]]]
    dx: float
    top: float
    bias_gap: float
    radius: float
    bias_radius: float


def _layout(sizes, edges: list[_Edge], dx: float, dy: float, radius: float, bias_gap: float,
            bias_radius: float) -> _Layout:
    top = (max(sizes) - 1) / 2 * dy
    nodes = [[(c * dx, ((n - 1) / 2 - i) * dy) for i in range(n)] for c, n in enumerate(sizes)]
    # A layer's bias node sits above the gap before it, nearer the nodes it feeds, so its
    # edges run down to them without passing over the source column.
    bias_nodes = [((c + 0.55) * dx, top + bias_gap) for c in range(len(sizes) - 1)]
    segments = []
    for e in edges:
        sx, sy = nodes[e.layer][e.source] if e.source >= 0 else bias_nodes[e.layer]
        tx, ty = nodes[e.layer + 1][e.target]
        # From rim to rim, so each line visibly ends at its node.
        length = math.hypot(tx - sx, ty - sy)
        ux, uy = (tx - sx) / length, (ty - sy) / length
        r0 = bias_radius if e.source < 0 else radius
        segments.append(((sx + ux * r0, sy + uy * r0), (tx - ux * radius, ty - uy * radius)))
    return _Layout(nodes, bias_nodes, segments, dx, top, bias_gap, radius, bias_radius)


def _measure(Figure, texts: list[tuple[str, dict]]) -> list[tuple[float, float]]:
    """The width and height in inches of each text with its box, as the renderer lays it out
    (the box: the text's extent, its pad on every side, and half its outline beyond)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    scratch = Figure(figsize=(4, 4))
    renderer = FigureCanvasAgg(scratch).get_renderer()
    found = []
    for text, options in texts:
        extent = scratch.text(0.5, 0.5, text, **options).get_window_extent(renderer)
        box = options["bbox"]
        pad = float(box["boxstyle"].split("pad=")[1]) * options["fontsize"] / 72  # the pad is in font sizes
        more = 2 * pad + box["lw"] / 72
        found.append((extent.width / scratch.dpi + more, extent.height / scratch.dpi + more))
    return found


def _preferred(e: _Edge, sizes) -> float:
    """Where along its edge a label reads best when nothing is in the way: edges from different
    sources cross, so the first source's labels near their start, the last source's near their end."""
    count = sizes[e.layer]
    if e.source < 0 or count == 1:
        return 0.5
    return 0.25 + 0.5 * e.source / (count - 1)


NOTE_PAD = 0.3  # in font sizes: the box around the notes beside the output nodes


def _note_options() -> dict:
    return dict(fontsize=9, ha="left", va="center", linespacing=1.3,
                bbox=dict(boxstyle=f"round,pad={NOTE_PAD}", fc="#fff8e7", ec="#c8a951", lw=0.8))


def _place_labels(layout: _Layout, frame, edges: list[_Edge], shown: list[int], line_widths: list[float],
                  measured: list[tuple[float, float]]) -> "list | None":
    """A box for the label of each edge in `shown`, clear of everything else, or None if the
    layout has no room for some label. `measured`: the labels' sizes, then the notes'."""
    from pencilnet.views import placement

    x0, x1, y0, y1 = frame
    starts = np.array([a for a, _ in layout.segments], float)
    ends = np.array([b for _, b in layout.segments], float)
    centres = np.array([xy for column in layout.nodes for xy in column] + layout.bias_nodes, float)
    radii = np.array([layout.radius] * (len(centres) - len(layout.bias_nodes))
                     + [layout.bias_radius] * len(layout.bias_nodes))
    pad = NOTE_PAD * _note_options()["fontsize"] / 72
    notes = tuple(placement.Box((x + layout.radius + 0.15 - pad + w / 2, y), 0.0, w / 2, h / 2)
                  for (x, y), (w, h) in zip(layout.nodes[-1], measured[len(shown):]))
    sizes = [len(column) for column in layout.nodes]
    scene = placement.Scene(starts, ends, np.array(line_widths) / 72 / 2, centres, radii,
                            # clear of the headings beneath the bottom row and of the titles above
                            (x0, x1, -layout.top - layout.radius - 0.1, y1 - 1.05), notes)
    return placement.place(scene, [(k, measured[n], _preferred(edges[k], sizes)) for n, k in enumerate(shown)])


def figure_of(config: Config, stage: str, rec: Walk, style: Style | None = None):
    """The figure `draw` writes: the network at `stage` for the sample in `rec`, every label on
    its own edge and clear of the other edges, the nodes and the other labels."""
    _check_stage(stage)
    matplotlib, Figure = _matplotlib()
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap, Normalize
    from matplotlib.patches import Circle

    from pencilnet.views import placement

    style = style or Style()
    model, sizes = config.model, config.model.sizes
    widest = max(sizes)
    labelled = widest <= LABEL_MAX_NODES
    # Gaps in inches. Labelled: room for a label along every edge and three lines in a node.
    # Compact: the tallest column is kept to about 11 inches however many nodes it has.
    with_labels = [layer for layer in model.layers if layer.weights.size <= LABEL_MAX_EDGES]
    labels = max((layer.weights.size for layer in with_labels), default=0)
    dx = 4.8 + 0.12 * max(0, labels - 4) if labelled else 4.0
    dy = 2.4 if labelled else min(0.6, 11.0 / widest)
    radius = 0.68 if labelled else min(0.3, 0.4 * dy)
    bias_gap = 1.8 if labelled else 0.9
    bias_radius = radius * 0.55 if labelled else 0.12

    edges = _edges(config, stage, rec, style)
    by_gradient = stage == "backprop" and not labelled
    if by_gradient:
        edges = [dataclasses.replace(e, value=e.gradient) for e in edges]
    limit = max(abs(e.value) for e in edges) or 1.0
    norm, cmap = Normalize(-limit, limit), matplotlib.colormaps[CMAP]
    thin, thick = (0.8, 5.0) if labelled else (0.2, 1.6)
    line_widths = [thin + (thick - thin) * abs(e.value) / limit for e in edges]
    notes = _output_notes(config, stage, rec, style) if labelled else []  # no room beside packed nodes
    shown = [k for k, e in enumerate(edges) if labelled and model.layers[e.layer].weights.size <= LABEL_MAX_EDGES]
    label_options = dict(fontsize=LABEL_SIZE, ha="center", va="center", rotation_mode="anchor", linespacing=1.1,
                         bbox=LABEL_BOX)
    measured = _measure(Figure, [(edges[k].label, label_options) for k in shown]
                        + [("\n".join(note), _note_options()) for note in notes]) if shown else []

    def frame(layout: _Layout):
        x0, x1 = -1.0, (len(sizes) - 1) * layout.dx + (3.1 if notes else 1.0)
        return x0, x1, -layout.top - 1.9, layout.top + layout.bias_gap + 1.6  # headings below; titles above

    # Spread the drawing until every label finds a free spot (in the networks tried, at most three times).
    for attempt in range(MAX_SPREADS if shown else 1):
        spread = SPREAD ** attempt
        layout = _layout(sizes, edges, dx * spread, dy * spread, radius, bias_gap * spread, bias_radius)
        boxes = _place_labels(layout, frame(layout), edges, shown, line_widths, measured) if shown else []
        if boxes is not None:
            break
    if boxes is None:  # still crowded after spreading out: each label where it reads best, level
        boxes = [placement.Box(tuple(np.add(a, _preferred(edges[k], sizes) * np.subtract(b, a))), 0.0, 0.0, 0.0)
                 for k in shown for a, b in [layout.segments[k]]]

    nodes, bias_nodes, top = layout.nodes, layout.bias_nodes, layout.top
    x0, x1, y0, y1 = frame(layout)
    width, height = x1 - x0, y1 - y0
    figure = Figure(figsize=(width, height))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal")
    ax.axis("off")
    ax.add_collection(LineCollection(
        layout.segments, colors=[cmap(norm(e.value)) for e in edges], zorder=1, alpha=1.0 if labelled else 0.6,
        linewidths=line_widths, gid="edges"))
    for k, box in zip(shown, boxes):
        e = edges[k]
        ax.text(*box.centre, e.label, rotation=box.angle, zorder=4, gid=f"label {k}",
                **{**label_options, "bbox": {**LABEL_BOX, "ec": cmap(norm(e.value))}})

    # In a compact drawing there is no room for numbers in the nodes: their shade shows out.
    shade = None
    if not labelled and stage in ("forward", "error"):
        outs = np.concatenate([seen.out for seen in rec.trace.layers])
        low, high = float(outs.min()), float(outs.max())
        # Only the light part of the map, so node names stay readable on the darkest node.
        greens = ListedColormap(matplotlib.colormaps["Greens"](np.linspace(0.0, 0.7, 256)))
        shade = ScalarMappable(norm=Normalize(low, high if high > low else low + 1), cmap=greens)
    lines = _node_lines(config, stage, rec, style)
    # The largest font at which "x36" still fits its circle; below 5 pt names are left out.
    name_size = 12 if labelled else min(9.0, 2 * radius * 72 / 2.0)
    for c, column in enumerate(nodes):
        for j, (x, y) in enumerate(column):
            fill = shade.to_rgba(rec.trace.layers[c - 1].out[j]) if shade and c else "white"
            ax.add_patch(Circle((x, y), radius, fc=fill, ec="#333333", lw=1.4 if labelled else 0.5, zorder=2))
            text = lines[c][j]
            if labelled:
                ax.text(x, y + 0.14 * (len(text) - 1), text[0], fontsize=name_size, weight="bold",
                        ha="center", va="center", zorder=3)
                if len(text) > 1:
                    ax.text(x, y - 0.1 * (len(text) - 1), "\n".join(text[1:]), fontsize=9, ha="center",
                            va="center", zorder=3, linespacing=1.2)
            elif name_size >= 5:
                ax.text(x, y, text[0], fontsize=name_size, ha="center", va="center", zorder=3)
    for x, y in bias_nodes:
        ax.add_patch(Circle((x, y), layout.bias_radius, fc="#eeeeee", ec="#333333", lw=1.0 if labelled else 0.6,
                            zorder=2))
        ax.text(x, y, style.given(model.bias_input), fontsize=10 if labelled else 7, ha="center", va="center",
                zorder=3)
    for (x, y), note in zip(nodes[-1], notes):
        ax.text(x + radius + 0.15, y, "\n".join(note), zorder=3, **_note_options())

    headings = ["input layer"] + ["hidden layer"] * (len(sizes) - 2) + ["output layer"]
    for c, heading in enumerate(headings):
        ax.text(c * layout.dx, -top - radius - 0.15, heading if labelled else f"{heading} ({sizes[c]})",
                fontsize=10, ha="center", va="top", color="#555555")
    if by_gradient:
        title = "Backpropagation: the colour of every edge is its ∂E/∂w"
    else:
        title = _title(config, stage, rec, style)
    figure.text(0.5, 1 - 0.3 / height, title, fontsize=13, weight="bold",
                ha="center", va="top")
    figure.text(0.5, 1 - 0.7 / height, _subtitle(config, rec, style), fontsize=10, ha="center", va="top",
                color="#444444")

    # The keys: edge colour and width, and in a compact drawing the nodes' shade.
    what = "∂E/∂w" if by_gradient else "weight after the step" if stage == "step" else "weight"
    keys = [(ScalarMappable(norm=norm, cmap=cmap),
             f"edge colour: {what} (blue negative, red positive); width ∝ |{what.split()[0]}|")]
    if shade:
        keys.append((shade, "node shade: out"))
    for k, (mappable, title) in enumerate(keys):
        centre = 0.5 + (k - (len(keys) - 1) / 2) * 4.6 / width
        bar = figure.add_axes((centre - 2.0 / width, 0.3 / height, 4.0 / width, 0.14 / height))
        figure.colorbar(mappable, cax=bar, orientation="horizontal")
        bar.tick_params(labelsize=8)
        bar.set_title(title, fontsize=9)
    return figure


def draw(config: Config, stage: str, rec: Walk, out_path, style: Style | None = None) -> Path:
    """Draw the network at `stage` (forward, error, backprop or step) for the sample in `rec`
    and write it to `out_path`, an .svg or a .png. Returns the path written."""
    _check_stage(stage)
    path = _check_path(out_path)
    _save(figure_of(config, stage, rec, style), path)
    return path


# --- the text diagram ---------------------------------------------------------------------


def text(config: Config, stage: str, rec: Walk, style: Style | None = None) -> Group:
    """The diagram as lines for a terminal: per pair of layers, every edge with its label,
    then the values of the nodes it leads to."""
    _check_stage(stage)
    style = style or Style()
    model = config.model
    if max(model.sizes) > TEXT_MAX_NODES:
        raise InputError(f"the network has a layer of {max(model.sizes)} nodes: too large to draw in the "
                         f"terminal (at most {TEXT_MAX_NODES}); use --out FILE.svg or --out FILE.png")
    names = model.names.nodes
    bias = style.given(model.bias_input)
    lines = _node_lines(config, stage, rec, style)
    edges = _edges(config, stage, rec, style)
    parts: list = [Text(_title(config, stage, rec, style), style="bold"), Text(_subtitle(config, rec, style))]
    for index in range(len(model.layers)):
        parts.append(Text(""))
        parts.append(Text(layer_title(model, index), style="bold"))
        mine = [e for e in edges if e.layer == index]
        sources = [names[index][e.source] if e.source >= 0 else f"({bias})" for e in mine]
        labels = [e.label.replace("\n", ", ") for e in mine]
        left, right = max(map(len, sources)), max(map(len, labels))
        for e, source, label in zip(mine, sources, labels):
            line = Text(f"  {source:<{left}} ── ")
            line.append(label, style="red" if e.value > 0 else "blue" if e.value < 0 else "")
            # Padding the lines out to one length puts the arrowheads, and the nodes, in a column.
            line.append(f" {'─' * (right - len(label))}──▶ {names[index + 1][e.target]}")
            parts.append(line)
        for node in lines[index + 1]:
            if len(node) > 1:
                parts.append(Text(f"  {node[0]}: " + ", ".join(node[1:]), style="bold"))
    notes = _output_notes(config, stage, rec, style)
    if notes:
        parts.append(Text(""))
        for name, (target, term, value) in zip(names[-1], notes):
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


# --- the error curve ----------------------------------------------------------------------


def wants_log_scale(errors) -> bool:
    """A log scale when the errors span more than two decades: on a linear one, everything
    after the first steep fall would lie flat on the axis."""
    values = np.asarray(errors, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    return bool(len(positive)) and positive.max() / positive.min() > 100


def plot_history(errors: list[float], out_path, test_accuracy: list[float] | None = None,
                 epochs: list[int] | None = None) -> Path:
    """The error by epoch (log scale when it spans more than two decades), with the test
    accuracy on a second axis when given, written to an .svg or a .png."""
    path = _check_path(out_path)
    _save(history_figure(errors, test_accuracy, epochs), path)
    return path


def history_figure(errors: list[float], test_accuracy: list[float] | None = None, epochs: list[int] | None = None):
    """The figure `plot_history` writes; `epochs` numbers the values (None: 1, 2, … each epoch)."""
    _, Figure = _matplotlib()
    values = np.asarray(errors, dtype=float)
    epochs = np.arange(1, len(values) + 1) if epochs is None else np.asarray(epochs, dtype=float)
    figure = Figure(figsize=(8, 5))
    ax = figure.add_subplot()
    ax.plot(epochs, values, color="#c0392b", lw=1.8, label="error", marker="o" if len(values) <= 30 else None,
            ms=4)
    log = wants_log_scale(values)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("error (mean over the samples)" + (", log scale" if log else ""))
    ax.set_title("Error by epoch", fontsize=13, weight="bold")
    ax.grid(True, alpha=0.3)
    handles = list(ax.get_lines())
    if test_accuracy is not None:
        right = ax.twinx()
        accuracy = np.asarray(test_accuracy, dtype=float)
        handles += right.plot(epochs, accuracy, color="#2471a3", lw=1.8,
                              label="test accuracy")
        right.set_ylabel("test accuracy")
        if np.nanmax(accuracy) <= 1:
            right.set_ylim(0, 1.02)
    # Beneath the axes, where no curve can run: inside, the accuracy line sits near the top
    # and the error starts there.
    ax.legend(handles, [h.get_label() for h in handles], loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=len(handles), frameon=False)
    figure.tight_layout()
    return figure


def draw_samples(images: np.ndarray, labels: list[str], out_path, first: int = 1, columns: int = 8) -> Path:
    """A grid of square grayscale pictures (each row of `images` is one, pixel by pixel from the
    top left, 0 black and 1 white), each titled with its sample number and label."""
    path = _check_path(out_path)
    side = int(round(np.sqrt(images.shape[1])))
    if side * side != images.shape[1]:
        raise InputError(f"{path}: expected square pictures, found {images.shape[1]} values a sample")
    _, Figure = _matplotlib()
    count = len(images)
    columns = min(columns, count)
    rows = -(-count // columns)
    figure = Figure(figsize=(1.6 * columns, 1.8 * rows))
    for k, (image, label) in enumerate(zip(images, labels)):
        ax = figure.add_subplot(rows, columns, k + 1)
        ax.imshow(image.reshape(side, side), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_title(f"{first + k}: {label}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    figure.tight_layout()
    _save(figure, path)
    return path
