"""Rich views of a dataset's samples, built from its arrays; nothing here prints.

`image` breaks a picture down as the article does: the picture itself, then every pixel
as one input value x1 … x36, read row by row from the top left.
"""

import math

import numpy as np
from rich import box
from rich.color import Color
from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text

# Without colour (a pipe, NO_COLOR) a pixel is drawn with a shade glyph instead, light pixels
# as the densest glyph, as a light-on-dark terminal shows them. With colour the glyph has the
# pixel's grey as both its colour and its background, so only the background is seen.
SHADES = " ░▒▓█"
VECTOR_BLOCKS = 3  # the input vector is shown as this many side-by-side blocks of rows
# What one sample's view shows at most, so a sample of 1,000,000 values costs no more than one of
# a few hundred: the first SHOWN_VALUES values (80 rows of 3 blocks), and a picture of at most
# PICTURE_PIXELS pixels (64 × 64, two cells each); the rest is left out and said to be.
SHOWN_VALUES = 240
PICTURE_PIXELS = 64 * 64
# A grid of pictures drawn to a file (`data show --out`): each is 1.6 × 1.8 inches at 100 dpi,
# 160 × 180 RGBA pixels (115,200 bytes) of the figure's raster, plus its matplotlib Axes; the
# raster is kept under 64 MiB, which bounds the memory and the time alike.
GRID_PICTURE_BYTES = 160 * 180 * 4
GRID_MOST = 64 * 2**20 // GRID_PICTURE_BYTES  # 582 pictures


def image(inputs_row: np.ndarray, label: str, sample: int, feature_names: list[str]) -> Group:
    """Sample `sample` (counted from 1): its picture beside its input vector, and its label.

    The picture is square when the number of inputs is a square (36 → 6 × 6), else as
    near square as it goes, filled row by row. Values are clipped to [0, 1] for shading
    only; the table shows them as they are."""
    values = np.asarray(inputs_row, dtype=np.float64).ravel()
    layout = Table.grid(padding=(0, 4))
    layout.add_column()
    layout.add_column()
    drawn = len(values) <= PICTURE_PIXELS
    layout.add_row(picture(values) if drawn else Text(""), _vector(values[:SHOWN_VALUES], feature_names))
    parts: list[Text | Table] = [Text(f"Sample {sample}: {label}", style="bold"), layout]
    if len(values) > SHOWN_VALUES:
        parts.append(Text(f"x{SHOWN_VALUES + 1} … x{len(values)}: {len(values) - SHOWN_VALUES:,} more values not "
                          f"shown" + ("" if drawn else f"; no picture: {len(values):,} values are more than the "
                                                       f"{PICTURE_PIXELS:,} pixels one is drawn from"),
                          style="dim"))
    return Group(*parts, _legend(values, feature_names))


def picture(values: np.ndarray) -> Text:
    """One pixel as two character cells (about square on a terminal), shaded by its grey."""
    width = _width(len(values))
    text = Text()
    for index, value in enumerate(values):
        if index and index % width == 0:
            text.append("\n")
        text.append(_shade(value) * 2, style=_grey(value))
    return text


def _width(count: int) -> int:
    return max(1, math.ceil(math.sqrt(count)))


def _shade(value: float) -> str:
    level = min(max(value, 0.0), 1.0) if math.isfinite(value) else 0.0
    return SHADES[round(level * (len(SHADES) - 1))]


def _grey(value: float) -> Style:
    level = round(255 * min(max(value, 0.0), 1.0)) if math.isfinite(value) else 0
    color = Color.from_rgb(level, level, level)
    return Style(color=color, bgcolor=color)


def _vector(values: np.ndarray, feature_names: list[str]) -> Table:
    """x1 … xN with their values to 4 places, in blocks side by side. With few inputs the
    file's name for each column is shown beside it; with many there is no room for it in
    80 columns, and the legend names the file's columns instead."""
    names = [f"x{i + 1}" for i in range(len(values))]
    blocks = VECTOR_BLOCKS if len(values) > 12 else 1
    show_columns = blocks == 1 and _renamed(feature_names, len(values))
    rows = math.ceil(len(values) / blocks)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for _ in range(blocks):
        table.add_column("input", justify="left")
        if show_columns:
            table.add_column("column", justify="left", style="dim")
        table.add_column("value", justify="right")
    for row in range(rows):
        cells = []
        for block in range(blocks):
            index = block * rows + row
            if index < len(values):
                cells += [names[index]] + ([feature_names[index]] if show_columns else []) + [f"{values[index]:.4f}"]
            else:
                cells += [""] * (3 if show_columns else 2)
        table.add_row(*cells)
    return table


def _legend(values: np.ndarray, feature_names: list[str]) -> Text:
    count, width = len(values), _width(len(values))
    lines = []
    if count <= PICTURE_PIXELS:  # else no picture is drawn, and none explained
        shape = f"the {width} × {width} pixels" if width * width == count else "the pixels"
        per_row = "" if width * width == count else f", {width} to a row"
        lines.append(f"x1 … x{count}: {shape} row by row from the top left{per_row}; 0 is black, 1 is white")
    if count > 12 and _renamed(feature_names, count):
        lines.append(f"in the file: the columns {feature_names[0]} … {feature_names[-1]}, in that order")
    return Text("\n".join(lines), style="dim")


def _renamed(feature_names: list[str], count: int) -> bool:
    """Whether the file names its `count` columns otherwise than x1 … x`count` (stops at the first that differs)."""
    return len(feature_names) == count and any(name != f"x{i + 1}" for i, name in enumerate(feature_names))


def samples_picture(images: np.ndarray, labels: list[str], kind: str, first: int = 1, columns: int = 8,
                    source: str = "picture") -> bytes:
    """A grid of square grayscale pictures (each row of `images` is one, pixel by pixel from the
    top left, 0 black and 1 white), each titled with its sample number and label, as the bytes of
    a `kind` file (svg, png or pdf); `source` names the data in a message."""
    from pencilnet.core.errors import InputError
    from pencilnet.views.pictures import matplotlib_figure, rendered

    side = int(round(np.sqrt(images.shape[1])))
    if side * side != images.shape[1]:
        raise InputError(f"{source}: expected square pictures, found {images.shape[1]} values a sample")
    _, Figure = matplotlib_figure()
    count = len(images)
    columns = min(columns, count)
    rows = -(-count // columns)
    figure = Figure(figsize=(1.6 * columns, 1.8 * rows))
    for k, (image, label) in enumerate(zip(images, labels, strict=False)):
        ax = figure.add_subplot(rows, columns, k + 1)
        ax.imshow(image.reshape(side, side), cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
        ax.set_title(f"{first + k}: {label}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    figure.tight_layout()
    return rendered(figure, kind)
