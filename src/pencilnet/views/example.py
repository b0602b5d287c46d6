"""What a view needs to know about the example it shows, as a Protocol.

Views take records, never the config loader's class: anything with these attributes (the
loaded `Config` has them all) can be shown. The arrays and lists are read, never changed.
"""

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
    def classes(self) -> list[str]: ...

    @property
    def expected(self) -> Expectations | None: ...

    @property
    def threshold(self) -> float: ...

    @property
    def scaling(self) -> Any: ...  # io.datasets.Scaling (offset, scale, method) or None
