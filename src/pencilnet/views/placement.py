"""Where the labels of a drawing go: on their own edge, clear of every other edge, node and label.

Pure geometry, in the drawing's units (inches), with NumPy only: `diagram` measures each label's
box with matplotlib's renderer and draws; this module tries, for each label, spots along its
own edge (the text lying along the edge, or level where the edge is steep) and picks the one
nearest where it reads best among those whose box meets nothing else. A label's box is a
rectangle: a centre, the direction of its text, half its width and half its height.

A label can only meet what lies near its own edge, so each search looks only there: edges,
nodes and placed labels are kept in a grid of cells (`_Grid`), and the work grows with the
number of edges, not with its square (a 2-3×200-2 network's 1,803 labels: seconds, not minutes).
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

STEEPEST = 50.0  # degrees: text along a steeper edge is hard to read; such labels lie level where they can
EDGE_AIR = 0.04  # inches between a label's box and an edge it does not name
LABEL_AIR = 0.04  # between two labels' boxes, and between a box and a node or a note
SPOTS = np.linspace(0.06, 0.94, 45)  # where along its edge a label may sit, 0 at the start, 1 at the end
LEVEL_COST = 0.5  # the second choice of direction costs as much as moving half the edge


@dataclass(frozen=True)
class Box:
    centre: tuple[float, float]
    angle: float  # degrees, of the text's baseline
    half_width: float
    half_height: float


@dataclass(frozen=True)
class Scene:
    """What labels must keep clear of: edges (with their half widths), nodes, other boxes (the
    notes beside the outputs), and the rectangle they must stay inside."""

    starts: np.ndarray  # (edges, 2)
    ends: np.ndarray
    half_widths: np.ndarray
    centres: np.ndarray  # (nodes, 2)
    radii: np.ndarray
    bounds: tuple[float, float, float, float]  # x0, x1, y0, y1
    obstacles: tuple[Box, ...] = ()


class _Boxes:
    """Many boxes as arrays: centres (n, 2), unit directions along (n, 2) and across (n, 2) the
    text, half widths and half heights (n,)."""

    def __init__(self, centres, angles, half_widths, half_heights):
        a = np.radians(np.asarray(angles, float))
        self.c = np.asarray(centres, float).reshape(-1, 2)
        self.u = np.column_stack([np.cos(a), np.sin(a)])
        self.v = np.column_stack([-self.u[:, 1], self.u[:, 0]])
        self.w = np.broadcast_to(np.asarray(half_widths, float), len(self.c))
        self.h = np.broadcast_to(np.asarray(half_heights, float), len(self.c))

    @classmethod
    def of(cls, boxes: list[Box]) -> "_Boxes":
        return cls([b.centre for b in boxes], [b.angle for b in boxes], [b.half_width for b in boxes],
                   [b.half_height for b in boxes])

    def grown(self, by: float) -> "_Boxes":
        bigger = _Boxes(self.c, np.zeros(len(self.c)), self.w + by, self.h + by)
        bigger.u, bigger.v = self.u, self.v
        return bigger

    def corners(self) -> np.ndarray:  # (n, 4, 2)
        w, h = (self.w[:, None] * self.u), (self.h[:, None] * self.v)
        return np.stack([self.c + w + h, self.c - w + h, self.c - w - h, self.c + w - h], axis=1)

    def local(self, points: np.ndarray) -> np.ndarray:
        """`points` (m, 2) in each box's frame: (n, m, 2)."""
        offsets = points[None, :, :] - self.c[:, None, :]
        return np.stack([(offsets * self.u[:, None, :]).sum(-1), (offsets * self.v[:, None, :]).sum(-1)], axis=-1)


class _Grid:
    """Rectangles (x0, x1, y0, y1) in square cells `size` wide, found again by any rectangle they may meet."""

    def __init__(self, size: float):
        self.size = size
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)

    def _span(self, rect) -> tuple[range, range]:
        x0, x1, y0, y1 = (int(np.floor(v / self.size)) for v in rect)
        return range(x0, x1 + 1), range(y0, y1 + 1)

    def add(self, index: int, rect) -> None:
        xs, ys = self._span(rect)
        for i in xs:
            for j in ys:
                self.cells[i, j].append(index)

    def near(self, rect) -> np.ndarray:
        """The indices of the rectangles that share a cell with `rect`, each once, in order."""
        xs, ys = self._span(rect)
        found = [k for i in xs for j in ys for k in self.cells.get((i, j), ())]
        return np.unique(np.array(found, int))


def _extent(boxes: "_Boxes") -> tuple[float, float, float, float]:
    """The rectangle, level, that holds every box."""
    corners = boxes.corners().reshape(-1, 2)
    return corners[:, 0].min(), corners[:, 0].max(), corners[:, 1].min(), corners[:, 1].max()


def _grow(rect, by: float) -> tuple[float, float, float, float]:
    x0, x1, y0, y1 = rect
    return x0 - by, x1 + by, y0 - by, y1 + by


class _Near:
    """What the labels of a scene must keep clear of, found by where it is: its edges (each as
    its rectangle grown by its half width and EDGE_AIR) and its nodes."""

    def __init__(self, scene: Scene, size: float):
        self.edges, self.nodes = _Grid(size), _Grid(size)
        reach = scene.half_widths + EDGE_AIR
        for k, (a, b) in enumerate(zip(scene.starts, scene.ends, strict=True)):
            self.edges.add(k, _grow((min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1])), reach[k]))
        for k, (c, r) in enumerate(zip(scene.centres, scene.radii, strict=True)):
            self.nodes.add(k, _grow((c[0], c[0], c[1], c[1]), r + LABEL_AIR))


def _hit_segments(boxes: _Boxes, starts: np.ndarray, ends: np.ndarray, air: np.ndarray) -> np.ndarray:
    """(boxes,): whether any segment comes within its `air` of the box. Each segment is clipped
    (Liang–Barsky) against the box grown by that air, in the box's own frame."""
    if not len(starts):
        return np.zeros(len(boxes.c), bool)
    p0 = boxes.local(starts)
    d = boxes.local(ends) - p0
    low, high = np.zeros(p0.shape[:2]), np.ones(p0.shape[:2])
    meets = np.ones(p0.shape[:2], bool)
    for axis, half in ((0, boxes.w), (1, boxes.h)):
        reach = half[:, None] + air[None, :]
        for sign in (-1.0, 1.0):
            p, q = sign * d[..., axis], reach - sign * p0[..., axis]
            parallel = np.abs(p) < 1e-12
            meets &= ~(parallel & (q < 0))
            r = q / np.where(parallel, 1.0, p)
            low = np.where(~parallel & (p < 0), np.maximum(low, r), low)
            high = np.where(~parallel & (p > 0), np.minimum(high, r), high)
    return np.asarray((meets & (low <= high)).any(axis=1))


def _hit_circles(boxes: _Boxes, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    local = boxes.local(centres)
    limit = np.stack([boxes.w, boxes.h], axis=-1)[:, None, :]
    gap = local - np.clip(local, -limit, limit)
    return (np.hypot(gap[..., 0], gap[..., 1]) < radii[None, :] + LABEL_AIR).any(axis=1)


def _hit_boxes(boxes: _Boxes, others: _Boxes) -> np.ndarray:
    """(boxes,): whether each box, grown by LABEL_AIR, meets any of `others` (separating axes:
    two rectangles are apart if and only if some side's direction separates their corners)."""
    if not len(others.c):
        return np.zeros(len(boxes.c), bool)
    grown = boxes.grown(LABEL_AIR)
    mine, theirs = grown.corners()[:, None], others.corners()[None, :]  # (n, 1, 4, 2), (1, m, 4, 2)
    apart = np.zeros((len(boxes.c), len(others.c)), bool)
    for axis in (grown.u[:, None, None, :], grown.v[:, None, None, :], others.u[None, :, None, :],
                 others.v[None, :, None, :]):
        a, b = (mine * axis).sum(-1), (theirs * axis).sum(-1)  # (n, m, 4)
        apart |= (a.max(-1) < b.min(-1)) | (b.max(-1) < a.min(-1))
    return np.asarray((~apart).any(axis=1))


def _level(angle: float) -> float:
    """An edge's direction as text reads it: never upside down."""
    return angle - 180 if angle > 90 else angle + 180 if angle <= -90 else angle


def _candidates(scene: Scene, near: _Near, edge: int, size: tuple[float, float],
                preferred: float) -> tuple[_Boxes, np.ndarray]:
    """The boxes along edge `edge` that meet no other edge, node or note, cheapest first, and their costs."""
    start, end = scene.starts[edge], scene.ends[edge]
    angle = _level(float(np.degrees(np.arctan2(end[1] - start[1], end[0] - start[0]))))
    # Along the edge, or level; a steep edge's label reads better level, if it has the room.
    choices = [(angle, 0.0), (0.0, LEVEL_COST)] if abs(angle) <= STEEPEST else [(0.0, 0.0), (angle, LEVEL_COST)]
    centres = np.concatenate([start + SPOTS[:, None] * (end - start)] * len(choices))
    angles = np.repeat([a for a, _ in choices], len(SPOTS))
    costs = np.abs(np.tile(SPOTS, len(choices)) - preferred) + np.repeat([c for _, c in choices], len(SPOTS))
    boxes = _Boxes(centres, angles, size[0] / 2, size[1] / 2)
    corners = boxes.corners()
    x0, x1, y0, y1 = scene.bounds
    free = ((corners[..., 0].min(-1) >= x0) & (corners[..., 0].max(-1) <= x1)
            & (corners[..., 1].min(-1) >= y0) & (corners[..., 1].max(-1) <= y1))
    region = _extent(boxes)
    others = near.edges.near(region)
    others = others[others != edge]
    free &= ~_hit_segments(boxes, scene.starts[others], scene.ends[others], scene.half_widths[others] + EDGE_AIR)
    nodes = near.nodes.near(region)
    free &= ~_hit_circles(boxes, scene.centres[nodes], scene.radii[nodes])
    free &= ~_hit_boxes(boxes, _Boxes.of(list(scene.obstacles)))
    order = np.flatnonzero(free)[np.argsort(costs[free], kind="stable")]
    return _Boxes(centres[order], angles[order], size[0] / 2, size[1] / 2), costs[order]


def place(scene: Scene, labels: list[tuple[int, tuple[float, float], float]]) -> list[Box] | None:
    """A box for each label (its edge, its box's width and height, the spot along the edge it is
    best read at), or None if some label finds no free spot: the caller spreads the drawing out
    and asks again. The labels with the fewest free spots are placed first, each on its
    cheapest spot that meets no label placed before it."""
    if not labels:
        return []
    # A cell about as wide as a label: each search looks at a few cells.
    cell = max(max(max(w, h) for _, (w, h), _ in labels), 0.1)
    near = _Near(scene, cell)
    options = [_candidates(scene, near, edge, size, preferred)[0] for edge, size, preferred in labels]
    placed: dict[int, Box] = {}
    taken = _Grid(cell)  # the placed labels, by the cells they cover
    order: list[int] = []  # the labels placed, in the grid's numbering
    for k in sorted(range(len(labels)), key=lambda k: len(options[k].c)):
        boxes = options[k]
        if not len(boxes.c):
            return None
        close = [placed[order[n]] for n in taken.near(_grow(_extent(boxes), LABEL_AIR))]
        free = np.flatnonzero(~_hit_boxes(boxes, _Boxes.of(close)))
        if not len(free):
            return None
        i = free[0]
        angle = float(np.degrees(np.arctan2(boxes.u[i, 1], boxes.u[i, 0])))
        placed[k] = Box((float(boxes.c[i, 0]), float(boxes.c[i, 1])), angle, float(boxes.w[i]), float(boxes.h[i]))
        taken.add(len(order), _extent(_Boxes.of([placed[k]])))
        order.append(k)
    return [placed[k] for k in range(len(labels))]
