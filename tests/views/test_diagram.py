"""Pictures: the diagram per stage (SVG, PNG, text), the error curve, and their commands."""

import builtins
import dataclasses
import json
import re
import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from helpers import ROOT
from helpers import text_of as text_at

from pencilnet.core.errors import InputError
from pencilnet.core.model import Layer, Model
from pencilnet.views import diagram


def text_of(renderable) -> str:
    return text_at(renderable, 120)


pytest.importorskip("matplotlib")


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


@pytest.fixture
def big(article):
    """A 36-36-2 network with random weights: 1406 parameters."""
    rng = np.random.default_rng(7)
    sizes = [36, 36, 2]
    model = Model(tuple(Layer(rng.normal(0, 0.5, (a, b)), rng.normal(0, 0.5, b)) for a, b in zip(sizes, sizes[1:])))
    return dataclasses.replace(article, model=model, train_inputs=rng.random((1, 36)),
                               train_targets=np.array([[0.0, 1.0]]))


EXPECTED = {  # numbers the article's example shows at each stage
    "forward": ["0.8570", "0.7020", "0.3395", "0.5841", "1.0217", "0.7353"],
    "error": ["0.1760", "0.0350", "0.2111", "target 0 (red apple)"],
    "backprop": ["∂E/∂w5 = 0.1005", "∂E/∂w1 = -0.000422", "-0.00281"],
    "step": ["w1: 0.1 → 0.1002", "w5: 0.05 → -0.000254"],
}


@pytest.mark.parametrize("stage", diagram.STAGES)
def test_svg_has_the_labels_as_text(article, records, tmp_path, stage):
    path = diagram.draw(article, stage, records, tmp_path / "net.svg")
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


@pytest.mark.parametrize("stage", diagram.STAGES)
def test_png_is_a_png_of_sensible_size(article, records, tmp_path, stage):
    path = diagram.draw(article, stage, records, tmp_path / "net.png")
    width, height = png_size(path)
    assert width >= 400 and height >= 300
    assert 10_000 < path.stat().st_size < 300_000


def test_the_same_network_gives_the_same_svg(article, records, tmp_path):
    first = diagram.draw(article, "forward", records, tmp_path / "a.svg").read_bytes()
    assert first == diagram.draw(article, "forward", records, tmp_path / "b.svg").read_bytes()


def test_a_large_network_is_drawn_compactly_without_edge_labels(big, tmp_path):
    # 1,368 edges: labels would pile up (and placing them is what takes time), so none are drawn
    path = diagram.draw(big, "forward", big.walk(1), tmp_path / "big.svg")
    texts = svg_texts(path)
    assert not [t for t in texts if re.match(r"b?w\d+ ?[=:]", t)]
    assert "h36" in texts  # 36 nodes in 11 inches: names still fit
    assert "input layer (36)" in texts
    width, height = png_size(diagram.draw(big, "step", big.walk(1), tmp_path / "big.png"))
    assert width >= 400 and height >= 300


def test_output_notes_and_total_in_the_error_stage(article, records, tmp_path):
    joined = "\n".join(svg_texts(diagram.draw(article, "error", records, tmp_path / "e.svg")))
    assert "E = ½ Σ (target − out)² = 0.1760 + 0.0350 = 0.2111" in joined
    assert "E_y1 = ½ × (0 − 0.5934)²" in joined


def test_decimals_come_from_the_style(article, records, tmp_path):
    from pencilnet.views.numbers import Style

    texts = svg_texts(diagram.draw(article, "forward", records, tmp_path / "d.svg", Style(6)))
    assert "net 0.857000" in texts and "out 0.702033" in texts


@pytest.mark.parametrize("name", ["net.eps", "net", "net.svg.txt"])
def test_only_svg_png_and_pdf(article, records, tmp_path, name):
    with pytest.raises(InputError, match="expected a file name ending in .svg, .png or .pdf"):
        diagram.draw(article, "forward", records, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_and_unknown_stage(article, records, tmp_path):
    with pytest.raises(InputError, match="no such directory"):
        diagram.draw(article, "forward", records, tmp_path / "nowhere" / "net.png")
    with pytest.raises(InputError, match="--stage"):
        diagram.draw(article, "sideways", records, tmp_path / "net.png")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(article, records, tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    path = tmp_path / "net.png"
    path.write_bytes(b"old")

    def broken(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(OSError):
        diagram.draw(article, "forward", records, path)
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
        diagram.draw(article, "forward", records, tmp_path / "net.png")
    assert str(caught.value) == "drawing needs matplotlib: pip install 'pencilnet[plot]'"
    with pytest.raises(InputError):
        diagram.plot_history([0.2, 0.1], tmp_path / "curve.png")
    # The text diagram needs no matplotlib.
    assert "x1  ── w1 = 0.1 ────▶ h1" in text_of(diagram.text(article, "forward", records))


def test_text_diagram(article, records):
    forward = text_of(diagram.text(article, "forward", records))
    assert "x1  ── w1 = 0.1 ────▶ h1" in forward
    assert "(1) ── bw4 = 0.7 ───▶ y2" in forward
    assert "h1: net 0.8570, out 0.7020" in forward
    assert "∂E/∂w5 = 0.1005" in text_of(diagram.text(article, "backprop", records))
    assert "w1: 0.1 → 0.1002" in text_of(diagram.text(article, "step", records))
    assert "E_y1 = ½ × (0 − 0.5934)² = 0.1760" in text_of(diagram.text(article, "error", records))


def test_text_diagram_refuses_a_large_network(big):
    with pytest.raises(InputError, match="too large to draw in the terminal.*--out"):
        diagram.text(big, "forward", big.walk(1))


def test_plot_history(tmp_path):
    errors = list(0.2 * np.exp(-np.arange(300) / 40))
    width, height = png_size(diagram.plot_history(errors, tmp_path / "curve.png"))
    assert width >= 400 and height >= 300
    texts = svg_texts(diagram.plot_history(errors, tmp_path / "curve.svg", test_accuracy=[0.5] * 300))
    assert "test accuracy" in texts and "Error by epoch" in texts
    assert diagram.wants_log_scale(errors) and not diagram.wants_log_scale([0.2, 0.1, 0.05])


# --- the commands -----------------------------------------------------------------------




def test_diagram_command_in_the_terminal(cli):
    result = cli("diagram", "--stage", "backprop")
    assert result.exit_code == 0, result.output
    assert "∂E/∂w5 = 0.1005" in result.stdout


@pytest.mark.parametrize("name", ["net.svg", "net.png"])
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
    for args in (["diagram", "--out", str(tmp_path / "n.png")], ["plot", str(history), "--out", str(tmp_path / "c.png")]):
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
    history.write_text(json.dumps({"errors": [0.3, 0.2, None, 0.1], "test_accuracies": [0.5, 0.6, 0.7, 0.75]}))
    result = cli("plot", str(history), "-o", str(tmp_path / "curve.svg"))
    assert result.exit_code == 0, result.output
    assert "test accuracy" in svg_texts(tmp_path / "curve.svg")


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "invalid JSON"),
    ("[1, 2]", "expected the output of `pencilnet train --json`"),
    ('{"errors": []}', "errors: expected a non-empty list of numbers"),
    ('{"errors": [0.1, "x"]}', 'errors[1]: expected a number from 0 to 1e+300 (or null), found "x"'),
    ('{"errors": [null]}', "expected at least one number"),
    ('{"errors": [0.2, 0.1], "test_accuracies": [0.5]}', "test_accuracies: expected one value per epoch (2), found 1"),
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
    figure = diagram.history_figure(errors, [0.9, 0.97, 0.98, 0.99, 0.99, 0.98, 0.99, 1.0, 0.99, 0.99])
    renderer = FigureCanvasAgg(figure).get_renderer()
    axes = figure.axes[0]
    legend = axes.get_legend().get_window_extent(renderer)
    for ax in figure.axes:  # both y axes share the plotting area
        assert legend.y1 <= ax.get_window_extent(renderer).y0  # wholly beneath it: no line can cross it
    assert legend.y0 >= 0  # and inside the picture


def test_article_bias_labels_keep_off_the_other_bias_edge(article, tmp_path, monkeypatch):
    """bw3's label used to lie across the thick bw4 edge (and bw1's across bw2's): now the middle
    line of each is kept off the other edge. (Their boxes' corners can still touch it: the fan of
    a bias node's edges is narrow next to the node.)"""
    pytest.importorskip("matplotlib")
    seen = {}
    place = diagram._label_spots

    def spy(shown, *args):
        seen["shown"], seen["spots"] = shown, place(shown, *args)
        return seen["spots"]

    monkeypatch.setattr(diagram, "_label_spots", spy)
    diagram.draw(article, "backprop", article.walk(1), tmp_path / "net.png")
    edges = {e.name: (np.asarray(a, float), np.asarray(b, float)) for e, (a, b) in seen["shown"]}

    def gap(points, start, end) -> float:
        direction = end - start
        t = np.clip(((points - start) @ direction) / (direction @ direction), 0, 1)
        return float(np.sqrt(((points - start - t[:, None] * direction) ** 2).sum(-1)).min())

    labels = {}
    for (e, (start, end)), (t, angle) in zip(seen["shown"], seen["spots"]):
        where = np.asarray(start) + t * (np.asarray(end) - np.asarray(start))
        labels[e.name] = diagram._label_shape(where[0], where[1], angle, e.label)
    for label, other in [("bw3", "bw4"), ("bw4", "bw3"), ("bw1", "bw2")]:
        points, half = labels[label]
        assert gap(points, *edges[other]) > half / 3, (label, other)
