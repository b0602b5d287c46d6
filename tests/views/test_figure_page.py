"""A published picture's text is readable on the page (issue 26, item 27): no label, node line,
heading or key of a document's diagram comes out under 7 points, measured from what the reader
gets, not from what the drawing code meant: the font sizes in the PDF that LaTeX includes, times
the scale the document's \\networkpicture (or \\turnedpicture) gives it on A4; the font sizes in
the SVG of the HTML page, times the scale of its width on a window of a usual 1280 pixels. Figures
float to the top of a page or fill a page of their own: never a page half empty beneath one."""

import re
import zlib

import pytest
from helpers import thorough_beyond

import pencilnet
from pencilnet.io.starter import starter_config
from pencilnet.views.numbers import Style
from pencilnet.views.publish import latex, publish

pytest.importorskip("matplotlib")

READABLE = 7.0  # points on the page
# The LaTeX document's text block on A4 with margins of 2.2 cm (geometry): 166 mm × 253 mm.
TEXT_WIDTH, TEXT_HEIGHT = 166 / 25.4 * 72, 253 / 25.4 * 72
# The HTML page shows a picture at its own size, or as wide as the window less 1rem each side.
WINDOW = 1280 - 2 * 16  # CSS pixels, 96 to the inch: 72 points are 96 pixels

NETWORKS = ["article", "2,3,3,2", "3,4,4,4,3", "64,16,10"]  # the last drawn compact: too wide for labels


def _config(layers: str):
    if layers == "article":
        return pencilnet.load()
    return pencilnet.loads(starter_config(layers, "sigmoid", "xavier", 1, 0.5, 100))


def _pdf_fonts_and_size(pdf: bytes) -> tuple[list[float], float, float]:
    """Every font size the PDF's pages set (`/F1 9 Tf`) and the page's width and height in points."""
    width, height = map(float, re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf).groups())
    sizes = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        sizes += [float(size) for size in re.findall(rb"/F\d+ ([\d.]+) Tf", text)]
    return sizes, width, height


def _latex_scale(width: float, height: float, angle: int) -> float:
    """What \\networkpicture does with a picture of `width` × `height` points: turned by `angle`,
    kept at its size if it fits the text width and 0.9 of the text height, else made to fit both."""
    if angle == 90:
        width, height = height, width
    return min(1.0, TEXT_WIDTH / width, 0.9 * TEXT_HEIGHT / height)


def _svg_fonts_and_width(svg: str) -> tuple[list[float], float]:
    """Every font size of an inline SVG's text (in its user units, points) and its width in points."""
    width = float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg).group(1))
    return [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)], width


# Each draws three pictures: locally one network each (both failed before: 6.8 and 5.7 points).
@pytest.mark.parametrize("layers", thorough_beyond(NETWORKS, 0))
def test_every_text_of_a_published_picture_is_readable_on_the_latex_page(tmp_path, layers):
    config = _config(layers)
    files = dict(publish(config, config.walk(1), tmp_path / "n.tex", Style()))
    tex = files[tmp_path / "n.tex"]
    found = re.findall(r"\\(networkpicture|turnedpicture)\{([^}]+)\}", tex)
    assert len(found) == 3  # forward, backprop, step
    says = r"\newcommand{\turnedpicture}" in tex  # else LaTeX chose: the better of upright and turned
    smallest = {}
    for command, name in found:
        fonts, width, height = _pdf_fonts_and_size(files[tmp_path / name])
        scale = (_latex_scale(width, height, 90 if command == "turnedpicture" else 0) if says
                 else max(_latex_scale(width, height, 0), _latex_scale(width, height, 90)))
        smallest[name] = round(min(fonts) * scale, 1)
    assert all(size >= READABLE for size in smallest.values()), smallest


@pytest.mark.parametrize("layers", thorough_beyond(NETWORKS, 1))
def test_every_text_of_a_published_picture_is_readable_in_the_html_page(tmp_path, layers):
    config = _config(layers)
    page = dict(publish(config, config.walk(1), tmp_path / "n.html", Style()))[tmp_path / "n.html"]
    shown = {}
    for k, svg in enumerate(re.findall(r"<svg.*?</svg>", page, re.S)):
        fonts, width = _svg_fonts_and_width(svg)
        shown[k] = round(min(fonts) * min(1.0, WINDOW / (width * 96 / 72)), 1)
    assert len(shown) == 3 and all(size >= READABLE for size in shown.values()), shown


def test_the_measure_sees_the_sizes_it_reads():
    """The oracle itself: a PDF and an SVG of known sizes."""
    stream = zlib.compress(b"BT /F1 9 Tf 1 0 0 1 5 5 Tm (w1) Tj /F2 12.5 Tf ET")
    pdf = b"%PDF-1.4\n<< /MediaBox [ 0 0 612 288 ] >>\nstream\n" + stream + b"\nendstream\n"
    assert _pdf_fonts_and_size(pdf) == ([9.0, 12.5], 612.0, 288.0)
    # 612 points wide: wider than the text, so made to fit it; turned, it keeps its size
    assert _latex_scale(612, 288, 0) == pytest.approx(TEXT_WIDTH / 612)
    assert _latex_scale(612, 288, 90) == 1.0
    svg = '<svg width="540pt" height="100pt"><text style="font-size: 9px; font-family: serif">a</text></svg>'
    assert _svg_fonts_and_width(svg) == ([9.0], 540.0)


def test_a_picture_is_turned_only_when_upright_its_text_would_be_too_small():
    from pencilnet.views.pictures import on_page

    # The article's forward picture, 7.6 × 6.7 inches: upright at 0.86, 7.7 points; kept upright.
    assert on_page(7.6, 6.7) == (pytest.approx(470 / (7.6 * 72)), False)
    # 12 × 8 inches: upright 0.54 (4.9 points), turned 0.75 (6.8): turned
    assert on_page(12, 8)[1] is True
    assert on_page(5, 4) == (1.0, False)  # small enough: its own size, never enlarged


def test_figures_float_to_a_page_top_or_fill_a_page_of_their_own():
    r"""A figure goes at the top of a page with text beneath (up to 0.9 of the page) or on a page of
    its own only when it fills most of it (0.88): LaTeX's defaults (0.7 and 0.5) sent a picture of
    0.6 to a page of its own, half empty."""
    preamble = latex.PREAMBLE
    assert r"\renewcommand{\topfraction}{0.9}" in preamble
    assert r"\renewcommand{\floatpagefraction}{0.88}" in preamble
    assert r"\begin{figure}[tbp]" in preamble and r"\begin{figure}[p]" not in preamble
