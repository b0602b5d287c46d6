"""The network as a textbook draws it, for one stage: nodes in columns, every edge with its label
clear of the other edges, the nodes and the other labels; compact (colours, no numbers) for
wide layers. Returned as a matplotlib figure or as the bytes of an svg, png or pdf file.

Drawing coordinates are inches (the figure is sized to the drawing and the axes fill it),
so node sizes, gaps and font sizes relate directly and do not depend on the network's size.
"""

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from pencilnet.core.stages import Walk
from pencilnet.views.example import Example
from pencilnet.views.network_labels import Edge, check_stage, edges_of, node_lines, output_notes, subtitle, title_of
from pencilnet.views.numbers import Style
from pencilnet.views.pictures import matplotlib_figure, rendered

LABEL_MAX_NODES = 8  # wider layers are drawn compactly: thin coloured edges, no numbers
LABEL_MAX_EDGES = 24  # more edges between two layers than this (8 × 3) and their labels would pile up
CMAP = "coolwarm"  # blue negative, red positive, grey (still visible on white) near zero
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


def _layout(sizes, edges: list[Edge], dx: float, dy: float, radius: float, bias_gap: float,
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


def _preferred(e: Edge, sizes) -> float:
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


def _place_labels(layout: _Layout, frame, edges: list[Edge], shown: list[int], line_widths: list[float],
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
                  for (x, y), (w, h) in zip(layout.nodes[-1], measured[len(shown):], strict=False))
    sizes = [len(column) for column in layout.nodes]
    scene = placement.Scene(starts, ends, np.array(line_widths) / 72 / 2, centres, radii,
                            # clear of the headings beneath the bottom row and of the titles above
                            (x0, x1, -layout.top - layout.radius - 0.1, y1 - 1.05), notes)
    return placement.place(scene, [(k, measured[n], _preferred(edges[k], sizes)) for n, k in enumerate(shown)])


def figure_of(config: Example, stage: str, rec: Walk, style: Style | None = None):
    """The figure `draw` writes: the network at `stage` for the sample in `rec`, every label on
    its own edge and clear of the other edges, the nodes and the other labels."""
    check_stage(stage)
    matplotlib, Figure = matplotlib_figure()
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

    edges = edges_of(config, stage, rec, style)
    by_gradient = stage == "backprop" and not labelled
    if by_gradient:
        edges = [dataclasses.replace(e, value=e.gradient) for e in edges]
    limit = max(abs(e.value) for e in edges) or 1.0
    norm, cmap = Normalize(-limit, limit), matplotlib.colormaps[CMAP]
    thin, thick = (0.8, 5.0) if labelled else (0.2, 1.6)
    line_widths = [thin + (thick - thin) * abs(e.value) / limit for e in edges]
    notes = output_notes(config, stage, rec, style) if labelled else []  # no room beside packed nodes
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
    for k, box in zip(shown, boxes, strict=False):
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
    lines = node_lines(config, stage, rec, style)
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
    for (x, y), note in zip(nodes[-1], notes, strict=False):
        ax.text(x + radius + 0.15, y, "\n".join(note), zorder=3, **_note_options())

    headings = ["input layer"] + ["hidden layer"] * (len(sizes) - 2) + ["output layer"]
    for c, heading in enumerate(headings):
        ax.text(c * layout.dx, -top - radius - 0.15, heading if labelled else f"{heading} ({sizes[c]})",
                fontsize=10, ha="center", va="top", color="#555555")
    if by_gradient:
        title = "Backpropagation: the colour of every edge is its ∂E/∂w"
    else:
        title = title_of(config, stage, rec, style)
    figure.text(0.5, 1 - 0.3 / height, title, fontsize=13, weight="bold",
                ha="center", va="top")
    figure.text(0.5, 1 - 0.7 / height, subtitle(config, rec, style), fontsize=10, ha="center", va="top",
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


def picture(config: Example, stage: str, rec: Walk, kind: str, style: Style | None = None) -> bytes:
    """The network at `stage` (forward, error, backprop or step) for the sample in `rec`, as the
    bytes of a `kind` file: svg, png or pdf."""
    check_stage(stage)
    return rendered(figure_of(config, stage, rec, style), kind)
