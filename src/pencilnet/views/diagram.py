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

from pencilnet.core.activations import ACTIVATIONS
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
LABEL_MAX_EDGES = 20  # more edges between two layers than this and their labels would pile up
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
    symbols = sorted({ACTIVATIONS[layer.activation].symbol for layer in config.model.layers})
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


EDGE_HALF_WIDTH = 0.03  # inches: the widest edge drawn, halved, with a little air


def _label_shape(x: float, y: float, angle: float, label: str) -> tuple[np.ndarray, float]:
    """A label as points along its middle line and a half height, in inches. Widths are
    estimated (a digit of DejaVu Sans is 0.64 em), with room for the box around the text."""
    lines = label.split("\n")
    width = max(len(line) for line in lines) * 0.64 * LABEL_SIZE / 72 + 0.15
    half = (len(lines) * 1.2 * LABEL_SIZE / 72 + 0.14) / 2
    along = np.linspace(-width / 2, width / 2, max(2, int(width / half) + 1))
    a = math.radians(angle)
    return np.column_stack([x + along * math.cos(a), y + along * math.sin(a)]), half


def _label_spots(shown, sizes, apex: float, nodes, radius: float) -> list[tuple[float, float]]:
    """Where along its edge (0 at the start, 1 at the end) each label goes, and its angle.

    A bias node's edges fan out from one point above the nodes: their labels lie level, one
    above the other in the free band over the top row (`apex` is the bias nodes' height), so
    they meet neither each other nor the weights' labels below. Weight edges from different
    sources cross: labelling the first source's edges near their start and the last source's
    near their end keeps crossing labels apart; where two labels still meet, each in turn
    slides along its edge to the spot that overlaps other labels and the nodes least.
    """
    centres = np.array([xy for column in nodes for xy in column])
    top = centres[:, 1].max()
    spots, movable = [], []
    for k, (e, (start, end)) in enumerate(shown):
        if e.source < 0:
            y = apex - (apex - top) * (e.target + 1) / (sizes[e.layer + 1] + 1)
            level = (start[1] - y) / (start[1] - end[1])
            spots.append((level, 0.0))
            movable.append((k, level))
        else:
            count = sizes[e.layer]
            preferred = 0.5 if count == 1 else 0.25 + 0.5 * e.source / (count - 1)
            spots.append((preferred, math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))))
            movable.append((k, preferred))

    def shape(k: int, t: float):
        e, (start, end) = shown[k]
        return _label_shape(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]), spots[k][1],
                            e.label)

    def clash(points, half, others) -> float:
        total = 0.0
        for other, other_half in others:
            gap = np.sqrt(((points[:, None, :] - other[None, :, :]) ** 2).sum(-1)).min()
            total += max(0.0, half + other_half - gap)
        return total

    starts = np.array([start for _, (start, _) in shown], dtype=float)
    directions = np.array([end for _, (_, end) in shown], dtype=float) - starts
    lengths = np.maximum((directions ** 2).sum(-1), 1e-12)

    def crossing(points, half, k) -> float:
        """How far a label's box reaches over the other edges: a label lying on an edge it
        does not name is read as that edge's."""
        offsets = points[None, :, :] - starts[:, None, :]  # (edges, points, 2)
        t = np.clip((offsets * directions[:, None, :]).sum(-1) / lengths[:, None], 0.0, 1.0)
        gaps = np.sqrt(((offsets - t[:, :, None] * directions[:, None, :]) ** 2).sum(-1)).min(axis=1)
        reach = np.maximum(0.0, half + EDGE_HALF_WIDTH - gaps)
        return float(reach.sum() - reach[k])

    for _ in range(3):  # three sweeps: enough, in the networks tried, for the labels to settle
        for k, preferred in movable:
            others = [shape(m, spots[m][0]) for m in range(len(shown)) if m != k]
            others += [(centres, radius)]

            def cost(t: float) -> float:
                points, half = shape(k, t)
                return 100 * (clash(points, half, others) + crossing(points, half, k)) + abs(t - preferred)

            spots[k] = (min(np.linspace(0.12, 0.88, 39), key=cost), spots[k][1])
    return spots


def draw(config: Config, stage: str, rec: Walk, out_path, style: Style | None = None) -> Path:
    """Draw the network at `stage` (forward, error, backprop or step) for the sample in `rec`
    and write it to `out_path`, an .svg or a .png. Returns the path written."""
    _check_stage(stage)
    path = _check_path(out_path)
    matplotlib, Figure = _matplotlib()
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap, Normalize
    from matplotlib.patches import Circle

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
    top = (widest - 1) / 2 * dy
    # Room above the top row for the bias edges' labels, one level per node fed.
    bias_gap = max(1.8, 0.6 * (max((layer.size for layer in with_labels), default=0) + 1)) if labelled else 0.9
    nodes = [[(c * dx, ((n - 1) / 2 - i) * dy) for i in range(n)] for c, n in enumerate(sizes)]
    # A layer's bias node sits above the gap before it, nearer the nodes it feeds, so its
    # edges run down to them without passing over the source column.
    bias_nodes = [((c + 0.55) * dx, top + bias_gap) for c in range(len(model.layers))]
    bias_radius = radius * 0.55 if labelled else 0.12

    notes = _output_notes(config, stage, rec, style) if labelled else []  # no room beside packed nodes
    x0, x1 = -1.0, (len(sizes) - 1) * dx + (3.1 if notes else 1.0)
    y0, y1 = -top - 1.9, top + bias_gap + 1.6  # headings and colour bars below; titles above
    width, height = x1 - x0, y1 - y0
    figure = Figure(figsize=(width, height))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set(xlim=(x0, x1), ylim=(y0, y1), aspect="equal")
    ax.axis("off")

    edges = _edges(config, stage, rec, style)
    by_gradient = stage == "backprop" and not labelled
    if by_gradient:
        edges = [dataclasses.replace(e, value=e.gradient) for e in edges]
    limit = max(abs(e.value) for e in edges) or 1.0
    norm, cmap = Normalize(-limit, limit), matplotlib.colormaps[CMAP]
    thin, thick = (0.8, 5.0) if labelled else (0.2, 1.6)
    segments = []
    for e in edges:
        sx, sy = nodes[e.layer][e.source] if e.source >= 0 else bias_nodes[e.layer]
        tx, ty = nodes[e.layer + 1][e.target]
        # From rim to rim, so each line visibly ends at its node.
        length = math.hypot(tx - sx, ty - sy)
        ux, uy = (tx - sx) / length, (ty - sy) / length
        r0 = bias_radius if e.source < 0 else radius
        segments.append(((sx + ux * r0, sy + uy * r0), (tx - ux * radius, ty - uy * radius)))
    ax.add_collection(LineCollection(
        segments, colors=[cmap(norm(e.value)) for e in edges], zorder=1, alpha=1.0 if labelled else 0.6,
        linewidths=[thin + (thick - thin) * abs(e.value) / limit for e in edges]))

    if labelled:
        shown = [(e, seg) for e, seg in zip(edges, segments) if model.layers[e.layer].weights.size <= LABEL_MAX_EDGES]
        for (e, (start, end)), (t, angle) in zip(shown, _label_spots(shown, sizes, top + bias_gap, nodes, radius)):
            ax.text(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]), e.label,
                    fontsize=LABEL_SIZE, ha="center", va="center", rotation=angle, rotation_mode="anchor",
                    linespacing=1.1, zorder=4,
                    bbox=dict(boxstyle="round,pad=0.25", fc="white", ec=cmap(norm(e.value)), lw=0.8))

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
        ax.add_patch(Circle((x, y), bias_radius, fc="#eeeeee", ec="#333333", lw=1.0 if labelled else 0.6, zorder=2))
        ax.text(x, y, style.given(model.bias_input), fontsize=10 if labelled else 7, ha="center", va="center",
                zorder=3)
    for (x, y), note in zip(nodes[-1], notes):
        ax.text(x + radius + 0.15, y, "\n".join(note), fontsize=9, ha="left", va="center", linespacing=1.3, zorder=3,
                bbox=dict(boxstyle="round,pad=0.3", fc="#fff8e7", ec="#c8a951", lw=0.8))

    headings = ["input layer"] + ["hidden layer"] * (len(sizes) - 2) + ["output layer"]
    for c, heading in enumerate(headings):
        ax.text(c * dx, -top - radius - 0.15, heading if labelled else f"{heading} ({sizes[c]})", fontsize=10,
                ha="center", va="top", color="#555555")
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
    _save(figure, path)
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
    parts.append(Text(f"({bias}) is a bias node: it feeds {bias} to every node of the next layer; "
                      "in colour, red: positive, blue: negative", style="dim italic"))
    return Group(*parts)


# --- the error curve ----------------------------------------------------------------------


def wants_log_scale(errors) -> bool:
    """A log scale when the errors span more than two decades: on a linear one, everything
    after the first steep fall would lie flat on the axis."""
    values = np.asarray(errors, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    return bool(len(positive)) and positive.max() / positive.min() > 100


def plot_history(errors: list[float], out_path, test_accuracy: list[float] | None = None) -> Path:
    """The error by epoch (log scale when it spans more than two decades), with the test
    accuracy on a second axis when given, written to an .svg or a .png."""
    path = _check_path(out_path)
    _save(history_figure(errors, test_accuracy), path)
    return path


def history_figure(errors: list[float], test_accuracy: list[float] | None = None):
    """The figure `plot_history` writes."""
    _, Figure = _matplotlib()
    values = np.asarray(errors, dtype=float)
    epochs = np.arange(1, len(values) + 1)
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
        handles += right.plot(np.arange(1, len(accuracy) + 1), accuracy, color="#2471a3", lw=1.8,
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
