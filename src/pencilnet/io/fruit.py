"""Made-up 6×6 grayscale pictures of red apples and tomatoes, the article's two classes.

Each picture is drawn at 8× the resolution and averaged down to 6×6, so an edge that
crosses a pixel gives it an in-between grey, as a camera would. 0 is black, 1 is white:

- the background is a light table top;
- a red fruit is a mid grey (red is dark in grayscale);
- an apple is a round body, taller than wide, with a dip at the top where a dark stem,
  a pixel wide, stands above the centre;
- a tomato is wider and flatter, and its top is a dark star of broad leaves spread across
  the top rows.

The features are drawn bold enough to be seen at 6×6 (stroke widths of about a pixel):
thinner ones average away into the background and leave pictures a person cannot tell apart.

Every picture is shifted by up to one pixel each way, varies in size and brightness and
has pixel noise, so no single pixel tells the classes apart, but the shape does.
Everything random comes from `numpy.random.default_rng(seed)`, never the global random
state: the same seed gives the same pictures (on one NumPy version: NumPy may change how
its generators draw values in a new release).
"""

import csv
import io

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.io.files import write_atomic

CLASSES = ["red apple", "tomato"]  # in the article's order: one-hot [1, 0] and [0, 1]
SIDE = 6  # pixels per side
FINE = 8  # each pixel is drawn as FINE × FINE points, then averaged
DECIMALS = 4  # places written to a CSV file; see write_csv
LEAVES = 5  # arms of a tomato's star of leaves
# Pictures drawn at once at the fine resolution: each takes several 48 × 48 float64 arrays
# (18 KB each) while it is drawn, so a block of 256 stays near 30 MB whatever the count; what
# grows with the count is 36 values a picture (and its CSV text, capped by the data file's size).
BLOCK = 256


def generate(count: int, seed: int) -> tuple[np.ndarray, list[str]]:
    """`count` pictures, half of each class in a shuffled order, and their labels.

    Returns (images, labels): images is (count, 36) float64 in [0, 1], row-major from the
    top-left pixel; labels[i] is "red apple" or "tomato"."""
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 2:
        raise InputError(f"count: expected a whole number of at least 2 (one picture of each class), "
                         f"found {count!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: expected a whole number of at least 0, found {seed!r}")
    rng = np.random.default_rng(seed)
    # Alternate the classes, then shuffle: the counts differ by at most one.
    is_tomato = rng.permutation(np.arange(count) % 2 == 1)
    scenes = _scenes(rng, is_tomato)
    images = np.empty((count, SIDE, SIDE))
    for start in range(0, count, BLOCK):  # drawing draws nothing random: blocks give the same pictures
        part = slice(start, min(start + BLOCK, count))
        fine = _draw({key: values[part] for key, values in scenes.items()}, is_tomato[part])
        images[part] = fine.reshape(-1, SIDE, FINE, SIDE, FINE).mean(axis=(2, 4))
    images = images * scenes["brightness"][:, None, None] + rng.normal(0.0, 0.1, images.shape)
    images = np.clip(images, 0.0, 1.0).reshape(count, SIDE * SIDE)
    labels = [CLASSES[int(t)] for t in is_tomato]
    return images, labels


def _scenes(rng: np.random.Generator, is_tomato: np.ndarray) -> dict[str, np.ndarray]:
    """The random choices for each picture, drawn in a fixed order (so a seed means one set)."""
    n = len(is_tomato)
    shift = rng.integers(-1, 2, size=(n, 2))  # whole pixels, each way
    jitter = rng.uniform(-0.2, 0.2, size=(n, 2))  # and a little less than a pixel
    size = rng.uniform(0.9, 1.1, n)
    return {
        "cx": SIDE / 2 + shift[:, 0] + jitter[:, 0],
        "cy": 3.5 + shift[:, 1] + jitter[:, 1],
        # an apple is taller than wide; a tomato is wider than tall
        "rx": np.where(is_tomato, 2.7, 1.7) * size,
        "ry": np.where(is_tomato, 1.5, 2.0) * size,
        "background": rng.uniform(0.8, 0.97, n),
        "skin": rng.uniform(0.28, 0.45, n),
        "dark": rng.uniform(0.02, 0.15, n),  # stem and leaves
        "turn": rng.uniform(0, 2 * np.pi / LEAVES, n),  # how the star of leaves is turned
        "brightness": rng.uniform(0.85, 1.1, n),
    }


def _draw(s: dict[str, np.ndarray], is_tomato: np.ndarray) -> np.ndarray:
    """Each picture at FINE × the resolution: (count, 48, 48) grey values."""
    points = (np.arange(SIDE * FINE) + 0.5) / FINE  # the centres of the fine points, in pixels
    x = points[None, None, :]
    y = points[None, :, None]
    cx, cy, rx, ry = (s[k][:, None, None] for k in ("cx", "cy", "rx", "ry"))
    body = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1
    top = cy - ry  # the highest point of the body

    # The apple's dip: a notch cut into the top of the body around the stem.
    dip = ((x - cx) / (0.45 * rx)) ** 2 + ((y - top) / 0.6) ** 2 <= 1
    # Its stem: a thin upright stroke from inside the dip to a pixel above the body.
    stem = (np.abs(x - cx) <= 0.5) & (y >= top - 1.2) & (y <= top + 0.4)
    apple = (body & ~dip, stem)

    # The tomato's leaves: LEAVES thin strokes out from the top of the body, lying flat on it.
    leaves = np.zeros_like(body)
    for k in range(LEAVES):
        angle = s["turn"][:, None, None] + k * 2 * np.pi / LEAVES
        end_x, end_y = cx + 1.5 * np.cos(angle), top + 0.4 + 0.8 * np.sin(angle)
        leaves |= _near_segment(x, y, cx, top + 0.4, end_x, end_y, 0.45)
    tomato = (body, leaves)

    tomato_mask = is_tomato[:, None, None]
    fruit = np.where(tomato_mask, tomato[0], apple[0])
    dark = np.where(tomato_mask, tomato[1], apple[1])
    picture = np.where(fruit, s["skin"][:, None, None], s["background"][:, None, None])
    return np.where(dark, s["dark"][:, None, None], picture)


def _near_segment(x, y, x0, y0, x1, y1, half_width: float) -> np.ndarray:
    """The points within `half_width` of the segment from (x0, y0) to (x1, y1)."""
    dx, dy = x1 - x0, y1 - y0
    along = np.clip(((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
    return (x - x0 - along * dx) ** 2 + (y - y0 - along * dy) ** 2 <= half_width ** 2


def column_names(features: int) -> list[str]:
    """p1 … pN: p1 is the top-left pixel, then along the row (row-major)."""
    return [f"p{i + 1}" for i in range(features)]


def write_csv(path, images: np.ndarray, labels: list[str]) -> None:
    """Write `images` and `labels` as CSV with the header p1,…,p36,label, atomically.

    Values are rounded to DECIMALS (4) places and written as Python's repr of the rounded
    float, the shortest text that reads back as exactly that float (0.8712, 0.05, 1.0):
    4 places are finer than a screen's 256 grey levels (steps of 1/255 ≈ 0.0039) and far
    finer than the pictures' noise (σ = 0.1), so nothing a network could learn is lost,
    and 1000 pictures stay under 300 kB. The file is written to a temporary file in the same directory,
    flushed to disk, then renamed over `path`, so a crash leaves the old file or the new
    one, never half of one."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 2 or len(images) != len(labels):
        raise InputError(f"{path}: expected one row of pixels per label, found pixels of shape "
                         f"{images.shape} and {len(labels)} labels")
    if not np.isfinite(images).all():
        row, column = np.argwhere(~np.isfinite(images))[0]
        raise InputError(f"{path}: row {row + 1}, column 'p{column + 1}': expected a finite number, "
                         f"found {images[row, column]}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(column_names(images.shape[1]) + ["label"])
    for row, label in zip(images, labels, strict=True):
        # + 0.0 turns a -0.0 into 0.0
        writer.writerow([repr(round(float(v), DECIMALS) + 0.0) for v in row] + [label])
    write_atomic(path, buffer.getvalue())
