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
from pencilnet.views.pictures import READABLE, matplotlib_figure, on_page, rendered

LABEL_MAX_NODES = 8  # wider layers are drawn compactly: thin coloured edges, no numbers
LABEL_MAX_EDGES = 24  # more edges between two layers than this (8 × 3) and their labels would pile up
CMAP = "coolwarm"  # blue negative, red positive, grey (still visible on white) near zero
LABEL_SIZE = 9  # points, for the labels on edges
LABEL_BOX = dict(boxstyle="round,pad=0.25", fc="white", lw=0.8)
NAME = dict(fontsize=11, weight="bold", ha="center", va="center")  # a node's name, in a labelled drawing
NODE_LINES = dict(fontsize=9, ha="center", va="center", linespacing=1.2)  # its numbers, beneath
BIAS_SIZE = 10
TITLE = dict(fontsize=13, weight="bold", ha="center", va="top")
SUBTITLE = dict(fontsize=10, ha="center", va="top", color="#444444")
KEY_WIDTH, KEY_BAR = 3.8, 3.2  # inches, for each key beneath the drawing and its colour bar
HEADING_HALF = 0.45  # half the width of "hidden layer" beneath a column
COMPACT_HEIGHT = 11.0, 5.0  # inches: the tallest column of a compact drawing, alone and on a page
COMPACT_GAP = 4.0, 2.6  # inches between the columns of a compact drawing, alone and on a page
SPREAD = 1.1  # when some label finds no free spot, the gaps grow by this much and the search runs again
MAX_SPREADS = 16


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
    """The width and height in inches of each text (with its box, if it has one) as the renderer
    lays it out (the box: the text's extent, its pad on every side, and half its outline beyond)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    scratch = Figure(figsize=(4, 4))
    renderer = FigureCanvasAgg(scratch).get_renderer()
    found = []
    for text, options in texts:
        extent = scratch.text(0.5, 0.5, text, **options).get_window_extent(renderer)
        more = 0.0
        if "bbox" in options:
            box = options["bbox"]
            pad = float(box["boxstyle"].split("pad=")[1]) * options["fontsize"] / 72  # the pad is in font sizes
            more = 2 * pad + box["lw"] / 72
        found.append((extent.width / scratch.dpi + more, extent.height / scratch.dpi + more))
    return found


def _node_block(Figure, text: list[str]) -> tuple[float, float, float]:
    """The width and height of a node's lines (its name above its numbers), and its name's height."""
    (name_w, name_h), *rest = _measure(Figure, [(text[0], NAME)] + ([("\n".join(text[1:]), NODE_LINES)]
                                                                    if len(text) > 1 else []))
    return max([name_w] + [w for w, _ in rest]), name_h + sum(h for _, h in rest), name_h


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


def figure_of(config: Example, stage: str, rec: Walk, style: Style | None = None, page: bool = False):
    """The figure `draw` writes: the network at `stage` for the sample in `rec`, every label on
    its own edge and clear of the other edges, the nodes and the other labels. `page`: drawn for
    a document, whose A4 page shows no text of it smaller than READABLE."""
    check_stage(stage)
    matplotlib, Figure = matplotlib_figure()
    from matplotlib.cm import ScalarMappable
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap, Normalize
    from matplotlib.patches import Circle
    from matplotlib.ticker import MaxNLocator

    from pencilnet.views import placement

    style = style or Style()
    model, sizes = config.model, config.model.sizes
    widest = max(sizes)
    labelled = widest <= LABEL_MAX_NODES
    written = edges_of(config, stage, rec, style)
    cmap = matplotlib.colormaps[CMAP]
    thin, thick = (0.8, 5.0) if labelled else (0.2, 1.6)
    notes = output_notes(config, stage, rec, style) if labelled else []  # no room beside packed nodes
    label_options = dict(fontsize=LABEL_SIZE, ha="center", va="center", rotation_mode="anchor", linespacing=1.1,
                         bbox=LABEL_BOX)
    note_sizes = _measure(Figure, [("\n".join(note), _note_options()) for note in notes])
    lines = node_lines(config, stage, rec, style)
    bias_text = style.given(model.bias_input)
    shaded = not labelled and stage in ("forward", "error")  # a second key, for the nodes' shade
    # Sizes in inches, from what they hold. Labelled: a node just holds its lines. Compact: the
    # tallest column is kept to COMPACT_HEIGHT however many nodes it has.
    if labelled:
        blocks = [[_node_block(Figure, text) for text in column] for column in lines]
        radius = max(math.hypot(w / 2, h / 2) for column in blocks for w, h, _ in column) + 0.06
        (bias_width, _), = _measure(Figure, [(bias_text, dict(fontsize=BIAS_SIZE))])
        bias_radius = max(0.2, bias_width / 2 + 0.08)
    else:
        compact_dy = min(0.6, COMPACT_HEIGHT[page] / widest)
        radius, bias_radius = min(0.3, 0.4 * compact_dy), 0.16

    def frame(layout: _Layout, least_width: float):
        side = max(radius, HEADING_HALF if labelled else 0.7) + 0.1  # a compact one's count beside
        right = radius + 0.25 + max(w for w, _ in note_sizes) if notes else side
        x0, x1 = -side, (len(sizes) - 1) * layout.dx + right
        more = max(0.0, least_width - (x1 - x0)) / 2  # as wide as the titles and the key, at least
        # the headings and the key beneath the bottom row; the titles above the bias nodes
        return x0 - more, x1 + more, -layout.top - radius - 1.4, layout.top + layout.bias_gap + bias_radius + 1.05

    def arranged(edges: list[Edge], line_widths: list[float], shown: list[int], texts: dict[int, str],
                 least_width: float):
        """The layout and the labels' boxes; columns start a label and a bit apart and spread until
        every label finds a free spot. On a page: None once the labels would come out too small."""
        measured = _measure(Figure, [(texts[k], label_options) for k in shown]) + note_sizes
        if not labelled:
            return _layout(sizes, edges, COMPACT_GAP[page], compact_dy, radius, 0.9, bias_radius), []
        if not shown:  # room to see the edges between the nodes; on a page, closer if it must be
            for air in (0.8, 0.5, 0.25):
                layout = _layout(sizes, edges, 2 * radius + air, 2 * radius + air / 2, radius,
                                 radius + bias_radius + air / 4, bias_radius)
                x0, x1, y0, y1 = frame(layout, least_width)
                if not page or on_page(x1 - x0, y1 - y0)[0] * LABEL_SIZE >= READABLE:
                    break
            return layout, []
        label_w = max(w for w, _ in measured[:len(shown)])
        label_h = max(h for _, h in measured[:len(shown)])
        dx, dy = 2 * radius + label_w + 0.4, 2 * radius + 2 * label_h + 0.2
        bias_gap = radius + bias_radius + 2 * label_h
        for attempt in range(MAX_SPREADS):
            spread = SPREAD ** attempt
            layout = _layout(sizes, edges, dx * spread, dy * spread, radius, bias_gap * spread, bias_radius)
            x0, x1, y0, y1 = frame(layout, least_width)
            if page and on_page(x1 - x0, y1 - y0)[0] * LABEL_SIZE < READABLE:
                return None  # spreading out only makes it smaller
            boxes = _place_labels(layout, (x0, x1, y0, y1), edges, shown, line_widths, measured)
            if boxes is not None:
                return layout, boxes
        if page:
            return None
        # still crowded after spreading out: each label where it reads best, level
        return layout, [placement.Box(tuple(np.add(a, _preferred(edges[k], sizes) * np.subtract(b, a))), 0.0, 0.0, 0.0)
                        for k in shown for a, b in [layout.segments[k]]]

    # Every edge between two layers that are not too wide gets its label. On a page, where those
    # would come out too small, the edges carry only their names (the values are in the document's
    # tables), and where even those would, none: a textbook's figure of a bigger network.
    labelled_edges = [k for k, e in enumerate(written)
                      if labelled and model.layers[e.layer].weights.size <= LABEL_MAX_EDGES]
    (subtitle_width, _), = _measure(Figure, [(subtitle(config, rec, style), SUBTITLE)])
    for tier in ("values", "names", "none") if page else ("values",):
        # Without their values on the edges, the edges' colours show the gradients in backprop.
        by_gradient = stage == "backprop" and (not labelled or tier != "values")
        edges = [dataclasses.replace(e, value=e.gradient) for e in written] if by_gradient else written
        limit = max(abs(e.value) for e in edges) or 1.0
        line_widths = [thin + (thick - thin) * abs(e.value) / limit for e in edges]
        title = "Backpropagation: the colour of every edge is its ∂E/∂w" if by_gradient else title_of(
            config, stage, rec, style)
        (title_width, _), = _measure(Figure, [(title, TITLE)])
        least_width = max(title_width, subtitle_width, KEY_WIDTH * (2 if shaded else 1)) + 0.4
        shown = [] if tier == "none" else labelled_edges
        texts = {k: edges[k].name if tier == "names" else edges[k].label for k in shown}
        found = arranged(edges, line_widths, shown, texts, least_width)
        if found is not None:
            layout, boxes = found
            break
    norm = Normalize(-limit, limit)

    nodes, bias_nodes, top = layout.nodes, layout.bias_nodes, layout.top
    x0, x1, y0, y1 = frame(layout, least_width)
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
        ax.text(*box.centre, texts[k], rotation=box.angle, zorder=4, gid=f"label {k}",
                **{**label_options, "bbox": {**LABEL_BOX, "ec": cmap(norm(e.value))}})

    # In a compact drawing there is no room for numbers in the nodes: their shade shows out.
    shade = None
    if shaded:
        outs = np.concatenate([seen.out for seen in rec.trace.layers])
        low, high = float(outs.min()), float(outs.max())
        # Only the light part of the map, so node names stay readable on the darkest node.
        greens = ListedColormap(matplotlib.colormaps["Greens"](np.linspace(0.0, 0.7, 256)))
        shade = ScalarMappable(norm=Normalize(low, high if high > low else low + 1), cmap=greens)
    # The largest font at which "x36" still fits its circle; names too small to read are left out.
    name_size = min(9.0, 2 * radius * 72 / 2.0)
    smallest = READABLE / on_page(width, height)[0] if page else 5.0
    for c, column in enumerate(nodes):
        for j, (x, y) in enumerate(column):
            fill = shade.to_rgba(rec.trace.layers[c - 1].out[j]) if shade and c else "white"
            ax.add_patch(Circle((x, y), radius, fc=fill, ec="#333333", lw=1.4 if labelled else 0.5, zorder=2))
            text = lines[c][j]
            if labelled:  # the name above the other lines, the two centred together
                _, tall, name_height = blocks[c][j]
                ax.text(x, y + (tall - name_height) / 2, text[0], zorder=3, **NAME)
                if len(text) > 1:
                    ax.text(x, y - name_height / 2, "\n".join(text[1:]), zorder=3, **NODE_LINES)
            elif name_size >= smallest:
                ax.text(x, y, text[0], fontsize=name_size, ha="center", va="center", zorder=3)
    for x, y in bias_nodes:
        ax.add_patch(Circle((x, y), layout.bias_radius, fc="#eeeeee", ec="#333333", lw=1.0 if labelled else 0.6,
                            zorder=2))
        ax.text(x, y, bias_text, fontsize=BIAS_SIZE if labelled else 9, ha="center", va="center", zorder=3)
    for (x, y), note in zip(nodes[-1], notes, strict=False):
        ax.text(x + radius + 0.15, y, "\n".join(note), zorder=3, **_note_options())

    headings = ["input layer"] + ["hidden layer"] * (len(sizes) - 2) + ["output layer"]
    for c, heading in enumerate(headings):
        ax.text(c * layout.dx, -top - radius - 0.15, heading if labelled else f"{heading} ({sizes[c]})",
                fontsize=10, ha="center", va="top", color="#555555")
    figure.text(0.5, 1 - 0.3 / height, title, **TITLE)
    figure.text(0.5, 1 - 0.7 / height, subtitle(config, rec, style), **SUBTITLE)

    # The keys: edge colour and width, and in a compact drawing the nodes' shade.
    what = "∂E/∂w" if by_gradient else "weight after the step" if stage == "step" else "weight"
    keys = [(ScalarMappable(norm=norm, cmap=cmap),
             f"edge colour: {what}, blue negative, red positive\nwidth ∝ |{what.split()[0]}|")]
    if tier != "values" and labelled_edges:
        keys[0] = (keys[0][0], f"{keys[0][1]}; the values are in the tables")
    if shade:
        keys.append((shade, "node shade: out"))
    for k, (mappable, key) in enumerate(keys):
        centre = 0.5 + (k - (len(keys) - 1) / 2) * KEY_WIDTH / width
        bar = figure.add_axes((centre - KEY_BAR / 2 / width, 0.3 / height, KEY_BAR / width, 0.14 / height))
        figure.colorbar(mappable, cax=bar, orientation="horizontal")
        bar.xaxis.set_major_locator(MaxNLocator(5))  # numbers of 9 points, well apart
        bar.tick_params(labelsize=9)
        bar.set_title(key, fontsize=9)
    return figure


def picture(config: Example, stage: str, rec: Walk, kind: str, style: Style | None = None) -> bytes:
    """The network at `stage` (forward, error, backprop or step) for the sample in `rec`, as the
    bytes of a `kind` file: svg, png or pdf."""
    check_stage(stage)
    return rendered(figure_of(config, stage, rec, style), kind)


def page_picture(config: Example, stage: str, rec: Walk, kind: str, style: Style) -> tuple[bytes, bool]:
    """The picture of `stage` drawn for a document's page (no text smaller than READABLE there),
    and whether it is turned a quarter on the page to be that large."""
    check_stage(stage)
    figure = figure_of(config, stage, rec, style, page=True)
    return rendered(figure, kind), on_page(*figure.get_size_inches())[1]
