"""Pictures: the diagram per stage (SVG, PNG, text), the error curve, and their commands."""

import builtins
import dataclasses
import json
import re
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from helpers import ROOT, thorough_beyond
from helpers import text_of as text_at

from pencilnet.core.errors import InputError
from pencilnet.core.model import Layer, Model
from pencilnet.io.files import write_atomic
from pencilnet.views import history_plot, network_figure, network_text, pictures
from pencilnet.views.network_labels import STAGES


def text_of(renderable) -> str:
    return text_at(renderable, 120)


pytest.importorskip("matplotlib")


def draw(config, stage, walk, out_path, style=None):
    """What `diagram --out` does: the name checked, the picture's bytes written (views write no file)."""
    path = pictures.check_path(out_path)
    write_atomic(path, network_figure.picture(config, stage, walk, pictures.kind_of(path), style))
    return path


def plot_history(errors, out_path, test_accuracy=None):
    """What `plot --out` does."""
    path = pictures.check_path(out_path)
    write_atomic(path, history_plot.picture(errors, pictures.kind_of(path), test_accuracy))
    return path


def png_size(path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, after checking the signature."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    return ["".join(e.itertext()) for e in root.iter() if e.tag.endswith("text")]


@pytest.fixture
def records(article):
    return article.walk(1)


@pytest.fixture(scope="module")
def the_article():
    import pencilnet

    return pencilnet.load()


@pytest.fixture(scope="module")
def svgs(the_article, tmp_path_factory):
    """The article's diagram at each stage as an SVG, drawn once for the tests that read them."""
    folder = tmp_path_factory.mktemp("svgs")
    return {stage: draw(the_article, stage, the_article.walk(1), folder / f"{stage}.svg")
            for stage in STAGES}


@pytest.fixture
def big(article):
    """A 36-36-2 network with random weights: 1406 parameters."""
    rng = np.random.default_rng(7)
    sizes = [36, 36, 2]
    model = Model(tuple(Layer(rng.normal(0, 0.5, (a, b)), rng.normal(0, 0.5, b))
                        for a, b in zip(sizes, sizes[1:], strict=False)))
    return dataclasses.replace(article, model=model, train_inputs=rng.random((1, 36)),
                               train_targets=np.array([[0.0, 1.0]]))


EXPECTED = {  # numbers the article's example shows at each stage
    "forward": ["0.8570", "0.7020", "0.3395", "0.5841", "1.0217", "0.7353"],
    "error": ["0.1760", "0.0350", "0.2111", "target 0 (red apple)"],
    "backprop": ["∂E/∂w5 = 0.1005", "∂E/∂w1 = -0.000422", "-0.00281"],
    "step": ["w1: 0.1 → 0.1002", "w5: 0.05 → -0.000254"],
}


@pytest.mark.parametrize("stage", STAGES)
def test_svg_has_the_labels_as_text(svgs, stage):
    path = svgs[stage]
    texts = svg_texts(path)
    joined = "\n".join(texts)
    assert 5_000 < path.stat().st_size < 500_000
    for node in ["x1", "x2", "h1", "h2", "y1", "y2"]:
        assert node in texts
    for name in [f"w{i}" for i in range(1, 9)] + [f"bw{i}" for i in range(1, 5)]:
        assert re.search(rf"\b{name}\b", joined), name
    if stage != "step":
        assert "w5 = 0.05" in texts and "bw1 = 0.8" in texts
    for text in EXPECTED[stage]:
        assert text in joined, text


def test_png_is_a_png_of_sensible_size(article, records, tmp_path):
    # one stage: the stages differ in their texts, which the SVG test reads, not in how the file is made
    path = draw(article, "error", records, tmp_path / "net.png")
    width, height = png_size(path)
    assert width >= 400 and height >= 300
    assert 10_000 < path.stat().st_size < 300_000


def test_the_same_network_gives_the_same_svg(article, records, svgs, tmp_path):
    assert svgs["forward"].read_bytes() == draw(article, "forward", records, tmp_path / "b.svg").read_bytes()


def test_a_large_network_is_drawn_compactly_without_edge_labels(big, tmp_path):
    # 1,368 edges: labels would pile up (and placing them is what takes time), so none are drawn
    path = draw(big, "forward", big.walk(1), tmp_path / "big.svg")
    texts = svg_texts(path)
    assert not [t for t in texts if re.match(r"b?w\d+ ?[=:]", t)]
    assert "h36" in texts  # 36 nodes in 11 inches: names still fit
    assert "input layer (36)" in texts


def test_output_notes_and_total_in_the_error_stage(svgs):
    joined = "\n".join(svg_texts(svgs["error"]))
    assert "E = ½ Σ (target − out)² = 0.1760 + 0.0350 = 0.2111" in joined
    assert "E_y1 = ½ × (0 − 0.5934)²" in joined


def test_decimals_come_from_the_style(article, records, tmp_path):
    from pencilnet.views.numbers import Style

    texts = svg_texts(draw(article, "forward", records, tmp_path / "d.svg", Style(6)))
    assert "net 0.857000" in texts and "out 0.702033" in texts


@pytest.mark.parametrize("name", ["net.eps", "net", "net.svg.txt"])
def test_only_svg_png_and_pdf(article, records, tmp_path, name):
    with pytest.raises(InputError, match="expected a file name ending in .svg, .png or .pdf"):
        draw(article, "forward", records, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_and_unknown_stage(article, records, tmp_path):
    with pytest.raises(InputError, match="no such directory"):
        draw(article, "forward", records, tmp_path / "nowhere" / "net.png")
    with pytest.raises(InputError, match="--stage"):
        draw(article, "sideways", records, tmp_path / "net.png")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(article, records, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    path = tmp_path / "net.png"
    path.write_bytes(b"old")

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError):
        draw(article, "forward", records, path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["net.png"]


def refuse_matplotlib(monkeypatch):
    real = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)


def test_without_matplotlib_one_line_says_how_to_get_it(article, records, tmp_path, monkeypatch):
    refuse_matplotlib(monkeypatch)
    with pytest.raises(InputError) as caught:
        draw(article, "forward", records, tmp_path / "net.png")
    assert str(caught.value) == "drawing needs matplotlib: pip install 'pencilnet[plot]'"
    with pytest.raises(InputError):
        plot_history([0.2, 0.1], tmp_path / "curve.png")
    # The text diagram needs no matplotlib.
    assert "x1  ── w1 = 0.1 ────▶ h1" in text_of(network_text.text(article, "forward", records))


def test_text_diagram(article, records):
    forward = text_of(network_text.text(article, "forward", records))
    assert "x1  ── w1 = 0.1 ────▶ h1" in forward
    assert "(1) ── bw4 = 0.7 ───▶ y2" in forward
    assert "h1: net 0.8570, out 0.7020" in forward
    assert "∂E/∂w5 = 0.1005" in text_of(network_text.text(article, "backprop", records))
    assert "w1: 0.1 → 0.1002" in text_of(network_text.text(article, "step", records))
    assert "E_y1 = ½ × (0 − 0.5934)² = 0.1760" in text_of(network_text.text(article, "error", records))


def test_an_optimizers_step_is_titled_by_its_optimizer_not_the_plain_rule(cli):
    # Adam's first step moves every parameter by about the rate (0.5): w1 0.1 → 0.6000 (see
    # test_publish); the plain rule old − 0.5 × ∂E/∂w would give 0.1002, so its formula must not head it.
    out = cli("diagram", "--stage", "step", "--set", "training.optimizer={name: adam}").stdout
    assert out.splitlines()[0] == "Updating the weights: step 1 of adam (betas 0.9, 0.999, eps 1e-08)"
    assert "w1: 0.1 → 0.6000" in out and "∂E/∂w" not in out.splitlines()[0]


def test_text_diagram_refuses_a_large_network(big):
    with pytest.raises(InputError, match="too large to draw in the terminal.*--out"):
        network_text.text(big, "forward", big.walk(1))


def test_plot_history(tmp_path):
    errors = list(0.2 * np.exp(-np.arange(300) / 40))
    width, height = png_size(plot_history(errors, tmp_path / "curve.png"))
    assert width >= 400 and height >= 300
    texts = svg_texts(plot_history(errors, tmp_path / "curve.svg", test_accuracy=[0.5] * 300))
    assert "test accuracy" in texts and "Error by epoch" in texts
    assert history_plot.wants_log_scale(errors) and not history_plot.wants_log_scale([0.2, 0.1, 0.05])


# --- the commands -----------------------------------------------------------------------




def test_diagram_command_in_the_terminal(cli):
    result = cli("diagram", "--stage", "backprop")
    assert result.exit_code == 0, result.output
    assert "∂E/∂w5 = 0.1005" in result.stdout


@pytest.mark.parametrize("name", thorough_beyond(["net.svg", "net.png"], 0))  # both formats in CI
def test_diagram_command_writes_the_file(cli, tmp_path, name):
    path = tmp_path / name
    result = cli("diagram", "--stage", "step", "--out", str(path), "--decimals", "3")
    assert result.exit_code == 0, result.output
    assert path.stat().st_size > 5_000 and result.stdout == ""
    if name.endswith(".svg"):
        assert "w1: 0.1 → 0.100" in svg_texts(path)


def test_diagram_command_errors_are_one_line(cli, tmp_path):
    result = cli("diagram", "--out", str(tmp_path / "net.jpg"))
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert result.stderr.startswith("pencilnet: error: ")
    result = cli("diagram", "--sample", "3")
    assert result.exit_code == 2 and "--sample" in result.stderr


def test_commands_without_matplotlib(cli, tmp_path, monkeypatch):
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"errors": [0.2, 0.1]}))
    refuse_matplotlib(monkeypatch)
    for args in (["diagram", "--out", str(tmp_path / "n.png")],
                 ["plot", str(history), "--out", str(tmp_path / "c.png")]):
        result = cli(*args)
        assert result.exit_code == 2
        assert result.stderr == "pencilnet: error: drawing needs matplotlib: pip install 'pencilnet[plot]'\n"


def test_plot_command_on_train_output(cli, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(cli("train", "--json", "--epochs", "50").stdout)
    result = cli("plot", str(history), "--out", str(tmp_path / "curve.png"))
    assert result.exit_code == 0, result.output
    assert png_size(tmp_path / "curve.png")[0] >= 400
    result = cli("plot", str(history))
    assert result.exit_code == 0 and "curve: " in result.stdout and "50 epochs" in result.stdout


def test_plot_command_with_test_accuracy(cli, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"errors": [0.3, 0.2, None, 0.1], "test_accuracies": [0.5, 0.6, 0.7, 0.75],
                                   "test_errors": [0.35, 0.3, 0.3, 0.4]}))
    result = cli("plot", str(history), "-o", str(tmp_path / "curve.svg"))
    assert result.exit_code == 0, result.output
    assert {"test accuracy", "test error"} <= set(svg_texts(tmp_path / "curve.svg"))
    history.write_text(json.dumps({"errors": [0.3, 0.2], "test_errors": [0.3]}))
    result = cli("plot", str(history), "-o", str(tmp_path / "curve.svg"), "--force")
    assert result.exit_code == 2 and "test_errors: expected one value per epoch (2), found 1" in result.output


def test_plot_puts_a_long_runs_sample_at_the_epochs_it_was_kept_from(cli, tmp_path, monkeypatch):
    # A run of 10 epochs kept as a sample (train --json's error_epochs): plot drew the four errors at
    # epochs 1 to 4 and said "4 epochs"; they belong at 1, 5, 9 and 10.
    from pencilnet.views import history_plot

    history = tmp_path / "history.json"
    history.write_text(json.dumps({"epochs": 10, "errors": [0.4, 0.3, 0.2, 0.1], "error_epochs": [1, 5, 9, 10]}))
    drawn = []
    monkeypatch.setattr(history_plot, "picture", lambda *args: drawn.append(args) or b"")
    assert cli("plot", str(history), "--out", str(tmp_path / "curve.svg")).exit_code == 0
    assert drawn[0][3] == [1, 5, 9, 10]
    shown = cli("plot", str(history)).stdout
    assert "10 epochs (an even sample of 4 kept): error 0.4000 in the first, 0.1000 in the last" in " ".join(
        shown.split())


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "invalid JSON"),
    ("[1, 2]", "expected the output of `pencilnet train --json`"),
    ('{"errors": []}', "errors: expected a non-empty list of numbers"),
    ('{"errors": [0.1, "x"]}', 'errors[1]: expected a number from 0 to 1e+300 (or null), found "x"'),
    ('{"errors": [null]}', "expected at least one number"),
    ('{"errors": [0.2, 0.1], "test_accuracies": [0.5]}', "test_accuracies: expected one value per epoch (2), found 1"),
    ('{"errors": [0.2, 0.1], "error_epochs": [1]}', "error_epochs: expected a list of one epoch per error"),
    ('{"errors": [0.2, 0.1], "error_epochs": [3, 2]}', "error_epochs[1]: expected a whole number from 1, greater "
                                                       "than the one before, found 2"),
])
def test_plot_command_bad_history(cli, tmp_path, content, message):
    history = tmp_path / "history.json"
    if content is not None:
        history.write_text(content)
    result = cli("plot", str(history), "--out", str(tmp_path / "curve.png"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "curve.png").exists()


def test_data_show_draws_a_grid_of_pictures(cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "grid.svg"
    result = cli("data", "show", str(ROOT / "data" / "fruit-test.csv"), "--sample", "3", "--count", "5",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    texts = svg_texts(out)
    assert "3: red apple" in texts and "7: tomato" in texts and not any(t.startswith("8:") for t in texts)
    png = tmp_path / "grid.png"
    assert cli("data", "show", str(ROOT / "data" / "fruit-test.csv"), "--out", str(png)).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli("data", "show", str(ROOT / "data" / "fruit-test.csv"), "--out", str(tmp_path / "g.txt")).exit_code == 2


def test_the_plot_legend_sits_below_the_curves():
    pytest.importorskip("matplotlib")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    errors = [0.2 * 0.7 ** i for i in range(10)]
    figure = history_plot.history_figure(errors, [0.9, 0.97, 0.98, 0.99, 0.99, 0.98, 0.99, 1.0, 0.99, 0.99])
    renderer = FigureCanvasAgg(figure).get_renderer()
    axes = figure.axes[0]
    legend = axes.get_legend().get_window_extent(renderer)
    for ax in figure.axes:  # both y axes share the plotting area
        assert legend.y1 <= ax.get_window_extent(renderer).y0  # wholly beneath it: no line can cross it
    assert legend.y0 >= 0  # and inside the picture


# --- labels clear of every other edge, node and label ---------------------------------


def _network(article, sizes, activations, loss, shared=False, seed=3):
    """The article's config with another network: random weights, one sample, one class per output."""
    rng = np.random.default_rng(seed)
    layers = tuple(Layer(rng.normal(0, 0.8, (a, b)), rng.normal(0, 0.5, 1 if shared else b), act, shared_bias=shared)
                   for a, b, act in zip(sizes, sizes[1:], activations, strict=False))
    target = np.eye(sizes[-1])[:1]
    return dataclasses.replace(article, model=Model(layers), loss=loss, train_inputs=rng.random((1, sizes[0])),
                               train_targets=target, classes=[f"class {k + 1}" for k in range(sizes[-1])])


DRAWN = {  # (sizes, activations, loss, shared bias, stage)
    "3-4-2 tanh softmax": ([3, 4, 2], ["tanh", "softmax"], "cross_entropy", False, "backprop"),
    "3-4-2 shared bias": ([3, 4, 2], ["tanh", "sigmoid"], "half_sse", True, "step"),
    "2-8-8-2": ([2, 8, 8, 2], ["tanh", "relu", "sigmoid"], "half_sse", False, "forward"),
    "8-3-8": ([8, 3, 8], ["sigmoid", "sigmoid"], "half_sse", False, "backprop"),
    "1-1-1": ([1, 1, 1], ["sigmoid", "sigmoid"], "half_sse", False, "error"),
    "1-1-1 shared bias": ([1, 1, 1], ["sigmoid", "sigmoid"], "half_sse", True, "step"),
}


def _drawn_geometry(figure):
    """After a draw by the renderer, in the drawing's inches: every edge segment with
    half its line width, every node circle, every label's box (its outline, rotated as drawn)
    by the index of the edge it names, and every other boxed text (the notes)."""
    from matplotlib.patches import Circle

    if hasattr(figure, "draw_without_rendering"):  # matplotlib 3.6: the renderer lays everything out, paints nothing
        figure.draw_without_rendering()
    else:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure).draw()
    ax = figure.axes[0]
    to_inches = ax.transData.inverted()
    collection = next(c for c in ax.collections if c.get_gid() == "edges")
    segments = [np.asarray(s, float) for s in collection.get_segments()]
    halves = np.broadcast_to(collection.get_linewidths(), (len(segments),)) / 72 / 2
    circles = [(np.asarray(p.center, float), p.radius) for p in ax.patches if isinstance(p, Circle)]
    labels, notes = {}, []
    for text in ax.texts:
        patch = text.get_bbox_patch()
        if patch is None:
            continue
        outline = to_inches.transform(patch.get_path().transformed(patch.get_transform()).vertices[:-1])
        if (text.get_gid() or "").startswith("label "):
            labels[int(text.get_gid().split()[1])] = outline
        else:
            notes.append(outline)
    return segments, halves, circles, labels, notes


def _cross(u, v):
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]


def _to_segment(p, a, b):
    """Distances from points p to segments ab, broadcast over their leading axes."""
    d = b - a
    t = np.clip(((p - a) * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-18), 0, 1)
    return np.hypot(*np.moveaxis(p - a - t[..., None] * d, -1, 0))


def _inside(p, polygon):
    """Which points p (m, 2) lie inside a convex outline (its vertices in order)."""
    sides = np.roll(polygon, -1, axis=0) - polygon
    signs = _cross(sides[None], p[:, None] - polygon[None])
    return (signs >= 0).all(1) | (signs <= 0).all(1)


def _gaps(polygon, a, b):
    """Distances between a convex outline and the segments ab (m, 2): 0 where they meet."""
    p, q = polygon[None], np.roll(polygon, -1, axis=0)[None]
    a_, b_ = a[:, None], b[:, None]
    crossing = ((_cross(q - p, a_ - p) * _cross(q - p, b_ - p) < 0)
                & (_cross(b_ - a_, p - a_) * _cross(b_ - a_, q - a_) < 0)).any(1)
    meet = crossing | _inside(a, polygon) | _inside(b, polygon)
    apart = np.minimum(np.minimum(_to_segment(a_, p, q), _to_segment(b_, p, q)), _to_segment(p, a_, b_)).min(1)
    return np.where(meet, 0.0, apart)


def _overlaps(first, second) -> bool:
    return bool((_gaps(first, second, np.roll(second, -1, axis=0)) == 0).any())


def _clashes(figure) -> list[str]:
    segments, halves, circles, labels, notes = _drawn_geometry(figure)
    starts, ends = np.array([s[0] for s in segments]), np.array([s[1] for s in segments])
    centres, radii = np.array([c for c, _ in circles]), np.array([r for _, r in circles])
    found = []
    for k, box in labels.items():
        on = _gaps(box, starts, ends) <= halves
        found += [f"label {k} on edge {m}" for m in np.flatnonzero(on) if m != k]
        sides = (box[None], np.roll(box, -1, axis=0)[None])
        near = _inside(centres, box) | (_to_segment(centres[:, None], *sides).min(1) <= radii)
        found += [f"label {k} on the node at {centres[m].round(2)}" for m in np.flatnonzero(near)]
        found += [f"label {k} on label {m}" for m, other in labels.items() if m > k and _overlaps(box, other)]
        found += [f"label {k} on a note" for note in notes if _overlaps(box, note)]
    return found


@pytest.mark.parametrize("stage", thorough_beyond(["backprop", "step", "error"], 0))  # all three in CI
def test_no_label_on_another_edge_node_or_label_in_the_article(the_article, stage):
    figure = network_figure.figure_of(the_article, stage, the_article.walk(1))
    _, _, _, labels, _ = _drawn_geometry(figure)
    assert len(labels) == 12  # w1 … w8 and bw1 … bw4, every one labelled
    assert _clashes(figure) == []


# Locally all but 8-3-8, the slowest to draw (it spreads out three times), and the second 3-4-2;
# every one in CI.
@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.thorough)
                                  if name in ("8-3-8", "3-4-2 shared bias") else name for name in DRAWN])
def test_no_label_on_another_edge_node_or_label_in_small_networks(the_article, name):
    sizes, activations, loss, shared, stage = DRAWN[name]
    config = _network(the_article, sizes, activations, loss, shared)
    figure = network_figure.figure_of(config, stage, config.walk(1))
    _, _, _, labels, _ = _drawn_geometry(figure)
    # every edge between two layers of at most LABEL_MAX_EDGES weights is labelled
    expected = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False) if a * b <= network_figure.LABEL_MAX_EDGES)
    assert len(labels) == expected
    assert _clashes(figure) == []


def test_the_clash_check_sees_a_label_put_on_another_edge(the_article):
    """The oracle itself: a label moved onto the middle of another edge is caught."""
    figure = network_figure.figure_of(the_article, "backprop", the_article.walk(1))
    segments, _, _, _, _ = _drawn_geometry(figure)
    label = next(t for t in figure.axes[0].texts if t.get_gid() == "label 0")
    label.set_position(tuple(np.mean(segments[5], axis=0)))
    assert "label 0 on edge 5" in _clashes(figure)


def test_a_network_with_no_room_still_gets_every_label(the_article, monkeypatch):
    """Should no spread of the drawing leave room (placement finds none), every label is still
    drawn, on its own edge where it reads best, rather than the picture failing."""
    from pencilnet.views import placement

    monkeypatch.setattr(placement, "place", lambda scene, labels: None)
    figure = network_figure.figure_of(the_article, "forward", the_article.walk(1))
    segments, _, _, labels, _ = _drawn_geometry(figure)
    assert sorted(labels) == list(range(12))
    for k, outline in labels.items():  # each centred on its own edge
        centre = (outline.min(axis=0) + outline.max(axis=0)) / 2  # a box is symmetric about its centre
        assert _to_segment(centre, *segments[k]) < 0.05
