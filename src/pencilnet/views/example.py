"""What a view needs to know about the example it shows, as a Protocol.

Views take records, never the config loader's class: anything with these attributes (the
loaded `Config` has them all) can be shown. The arrays and lists are read, never changed.
"""

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from pencilnet.checks.published import Expectations
from pencilnet.core.model import Model
from pencilnet.training.schedule import Schedule


class Example(Protocol):
    @property
    def source(self) -> str: ...  # how messages name the file

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> Model: ...

    @property
    def loss(self) -> str: ...

    @property
    def schedule(self) -> Schedule: ...

    @property
    def train_inputs(self) -> np.ndarray: ...

    @property
    def test_inputs(self) -> np.ndarray | None: ...

    @property
    def classes(self) -> Sequence[str]: ...

    @property
    def expected(self) -> Expectations | None: ...

    @property
    def threshold(self) -> float: ...

    @property
    def default_init(self) -> Any: ...  # io.config.DefaultInit (layers, scheme, seed, describe()) or None

    @property
    def scaling(self) -> Any: ...  # io.datasets.Scaling (offset, scale, method) or None

    def sample(self, number: int) -> tuple[np.ndarray, np.ndarray]: ...  # inputs and target, counted from 1


def class_names(example: Example) -> list[str]:
    """The names of the classes a classifier tells apart, indexed as `metrics.classes_of` counts
    them: one per output node; for one output two, the config's two classes, or when it names
    only one (a 0/1 target column), the threshold's two sides of that name: "malignant < 0.5",
    "malignant ≥ 0.5"."""
    outputs = example.model.layers[-1].size
    classes = list(example.classes)
    if outputs != 1 or len(classes) == 2:
        return classes
    name = classes[0] if classes else example.model.names.nodes[-1][0]
    return [f"{name} < {example.threshold:g}", f"{name} ≥ {example.threshold:g}"]
