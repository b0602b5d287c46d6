"""The view of one picture: its pixels, its input vector x1 … x36 and its label."""

import re

import numpy as np
from helpers import text_of as text_at

from pencilnet.io import fruit
from pencilnet.views import data as render_data


def text_of(renderable, width: int = 120, color_system=None) -> str:
    return text_at(renderable, width, color_system)


def fruit_picture():
    images, labels = fruit.generate(4, 1)
    return images[0], labels[0]


def test_plain_text_has_the_vector_and_the_label():
    x, label = fruit_picture()
    text = text_of(render_data.image(x, label, 1, fruit.column_names(36)))
    assert text.startswith(f"Sample 1: {label}\n")
    assert re.search(r"\bx1\s+" + re.escape(f"{x[0]:.4f}"), text)
    assert re.search(r"\bx36\s+" + re.escape(f"{x[35]:.4f}"), text)
    assert "the 6 × 6 pixels row by row from the top left" in text and "columns p1 … p36" in text
    assert "\x1b[" not in text


def test_plain_text_picture_is_six_rows_of_shade_glyphs():
    x = np.linspace(0, 1, 36)
    lines = text_of(render_data.image(x, "tomato", 2, [f"x{i}" for i in range(1, 37)])).splitlines()
    picture = [line[:12] for line in lines[1:7]]
    assert picture[0].startswith("  ")  # black first, drawn as blank without colour
    assert picture[5].endswith("██")  # white last, as the densest glyph
    assert all(set(row) <= set(render_data.SHADES) for row in picture)
    assert "in the file" not in "\n".join(lines)  # the names are the inputs' own


def test_colour_gives_each_pixel_its_grey_background():
    x, label = fruit_picture()
    text = text_of(render_data.image(x, label, 1, fruit.column_names(36)), color_system="truecolor")
    backgrounds = re.findall(r"48;2;(\d+);(\d+);(\d+)", text)
    assert len(backgrounds) == 36
    assert all(r == g == b for r, g, b in backgrounds)
    assert int(backgrounds[0][0]) == round(255 * x[0])
    assert label in text and "x36" in text


def test_few_inputs_show_the_file_columns_and_values_out_of_range_are_clipped_for_shading():
    text = text_of(render_data.image(np.array([0.15, 0.35, -2.0, 7.5, np.nan]), "tomato", 1,
                                      ["left", "right", "low", "high", "gap"]))
    assert re.search(r"x1\s+left\s+0.1500", text) and re.search(r"x4\s+high\s+7.5000", text)
    assert re.search(r"x5\s+gap\s+nan", text)
    assert "3 to a row" in text
    assert len(re.findall(r"48;2;", text_of(render_data.image(np.array([-2.0, 7.5]), "a", 1, ["a", "b"]),
                                               color_system="truecolor"))) == 2


def test_fits_in_80_columns():
    x, label = fruit_picture()
    text = text_of(render_data.image(x, label, 1, fruit.column_names(36)), width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    for i, value in enumerate(x):  # no name or value cut short
        assert re.search(rf"\bx{i + 1}\s+{value:.4f}", text), i


def test_a_sample_of_a_million_values_shows_the_first_and_says_what_it_left_out():
    import time

    values = np.linspace(0, 1, 1_000_000)
    start = time.perf_counter()
    text = text_of(render_data.image(values, "x", 1, [f"x{i + 1}" for i in range(len(values))]), width=80)
    assert time.perf_counter() - start < 5  # the whole vector took over two minutes
    assert re.search(r"\bx240\s+0\.0002", text) and not re.search(r"\bx241\s+\d", text)
    assert "x241 … x1000000: 999,760 more values not shown; no picture" in " ".join(text.split())
    assert not set(text) & set(render_data.SHADES[1:])  # no picture drawn
    assert len(text) < 10_000
