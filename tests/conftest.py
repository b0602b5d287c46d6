import numpy as np
import pytest

import pencilnet
from pencilnet.model import Layer, Model


@pytest.fixture
def article():
    """The article's config, as bundled with the package."""
    return pencilnet.load()


def random_model(rng: np.random.Generator, sizes: list[int], activations: list[str]) -> Model:
    layers = [Layer(rng.normal(0, 0.8, (a, b)), rng.normal(0, 0.5, b), act)
              for a, b, act in zip(sizes, sizes[1:], activations)]
    return Model(tuple(layers), bias_input=float(rng.choice([1.0, -1.0, 0.5])))


import os  # noqa: E402

from hypothesis import settings  # noqa: E402

# In CI, the same examples on every run: a property test must not pass or fail by luck there.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
