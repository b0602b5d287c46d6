"""Label placement looks only near each label's own edge (issue 26, item 11): its work grows with
the number of edges, not with their square, and it still keeps every label clear of the rest."""

import numpy as np
import pytest
from helpers import thorough_beyond

from pencilnet.views import placement


def deep_scene(layers: int) -> tuple[placement.Scene, list]:
    """A 2-3×`layers`-2 network's edges as the diagram lays it out: columns 4.8 inches apart,
    nodes 2.4 apart; one 0.55 × 0.22 inch label per edge, best read at a third of its length."""
    sizes = [2] + [3] * layers + [2]
    columns = [[(4.8 * i, 2.4 * (j - (n - 1) / 2)) for j in range(n)] for i, n in enumerate(sizes)]
    segments = [(a, b) for left, right in zip(columns, columns[1:], strict=False) for a in left for b in right]
    starts, ends = np.array([a for a, _ in segments]), np.array([b for _, b in segments])
    centres = np.array([xy for column in columns for xy in column])
    scene = placement.Scene(starts, ends, np.full(len(segments), 0.01), centres, np.full(len(centres), 0.68),
                            (-1.0, 4.8 * (len(sizes) - 1) + 1.0, -5.0, 5.0))
    return scene, [(k, (0.55, 0.22), 0.3) for k in range(len(segments))]


@pytest.mark.parametrize("layers", thorough_beyond([40, 200], 0))
def test_each_label_is_checked_against_the_edges_near_it_not_every_edge(monkeypatch, layers):
    scene, labels = deep_scene(layers)  # 200: 1,803 edges, as the network
    assert len(labels) == 9 * layers + 3
    looked_at: list[int] = []
    real = placement._hit_segments

    def counting(boxes, starts, ends, air):
        looked_at.append(len(starts))
        return real(boxes, starts, ends, air)

    monkeypatch.setattr(placement, "_hit_segments", counting)
    boxes = placement.place(scene, labels)
    assert boxes is not None and len(boxes) == len(labels)
    # Edges between two columns of three nodes: a label's search meets the nine of its own gap
    # and a few of the next; before, every one of the others (1,802 of them), for every label.
    assert max(looked_at) <= 30


def test_labels_placed_near_only_still_meet_no_other_edge_node_or_label():
    scene, labels = deep_scene(6)
    boxes = placement.place(scene, labels)
    assert boxes is not None
    every = placement._Boxes.of(boxes)
    for k, box in enumerate(boxes):
        one = placement._Boxes.of([box])
        others = np.arange(len(scene.starts)) != k
        assert not placement._hit_segments(one, scene.starts[others], scene.ends[others],
                                           scene.half_widths[others] + placement.EDGE_AIR)[0]
        assert not placement._hit_circles(one, scene.centres, scene.radii)[0]
        rest = placement._Boxes.of([b for n, b in enumerate(boxes) if n != k])
        assert not placement._hit_boxes(one, rest)[0]
    assert len(every.c) == len(labels)
