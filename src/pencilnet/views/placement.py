"""Where the labels of a drawing go: on their own edge, clear of every other edge, node and label.

Pure geometry, in the drawing's units (inches), with NumPy only: `diagram` measures each label's
box with matplotlib's renderer and draws; this module tries, for each label, spots along its
own edge (the text lying along the edge, or level where the edge is steep) and picks the one
nearest where it reads best among those whose box meets nothing else. A label's box is a
rectangle: a centre, the direction of its text, half its width and half its height.
"""

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


def _candidates(scene: Scene, edge: int, size: tuple[float, float], preferred: float) -> tuple[_Boxes, np.ndarray]:
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
    others = np.arange(len(scene.starts)) != edge
    free &= ~_hit_segments(boxes, scene.starts[others], scene.ends[others], scene.half_widths[others] + EDGE_AIR)
    free &= ~_hit_circles(boxes, scene.centres, scene.radii)
    free &= ~_hit_boxes(boxes, _Boxes.of(list(scene.obstacles)))
    order = np.flatnonzero(free)[np.argsort(costs[free], kind="stable")]
    return _Boxes(centres[order], angles[order], size[0] / 2, size[1] / 2), costs[order]


def place(scene: Scene, labels: list[tuple[int, tuple[float, float], float]]) -> list[Box] | None:
    """A box for each label (its edge, its box's width and height, the spot along the edge it is
    best read at), or None if some label finds no free spot: the caller spreads the drawing out
    and asks again. The labels with the fewest free spots are placed first, each on its
    cheapest spot that meets no label placed before it."""
    options = [_candidates(scene, edge, size, preferred)[0] for edge, size, preferred in labels]
    placed: dict[int, Box] = {}
    for k in sorted(range(len(labels)), key=lambda k: len(options[k].c)):
        boxes = options[k]
        free = np.flatnonzero(~_hit_boxes(boxes, _Boxes.of(list(placed.values()))))
        if not len(free):
            return None
        i = free[0]
        angle = float(np.degrees(np.arctan2(boxes.u[i, 1], boxes.u[i, 0])))
        placed[k] = Box((float(boxes.c[i, 0]), float(boxes.c[i, 1])), angle, float(boxes.w[i]), float(boxes.h[i]))
    return [placed[k] for k in range(len(labels))]
