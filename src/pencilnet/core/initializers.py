"""Named schemes for random initial weights, drawn from one seeded generator."""

import numpy as np

SCHEMES = ("xavier", "he", "uniform")


def draw(rng: "np.random.Generator", scheme: str, fan_in: int, fan_out: int, spread: float = 0.5):
    """One layer's weights (fan_in × fan_out) and biases (fan_out):

    xavier (Glorot): uniform in ±sqrt(6 / (fan_in + fan_out)), biases 0 — suits sigmoid and tanh;
    he: normal with standard deviation sqrt(2 / fan_in), biases 0 — suits relu;
    uniform: weights and biases uniform in ±spread, as in hand-made examples.
    """
    if scheme == "xavier":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)), np.zeros(fan_out)
    if scheme == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)), np.zeros(fan_out)
    if scheme == "uniform":
        return rng.uniform(-spread, spread, (fan_in, fan_out)), rng.uniform(-spread, spread, fan_out)
    raise ValueError(f"unknown scheme {scheme!r}")


def initial_parameters(sizes: list[int], scheme: str, seed: int, spread: float = 0.5):
    """Weights and biases for each layer of a network of `sizes`, always the same for one seed."""
    rng = np.random.default_rng(seed)
    drawn = [draw(rng, scheme, fan_in, fan_out, spread) for fan_in, fan_out in zip(sizes, sizes[1:], strict=False)]
    return [w for w, _ in drawn], [b for _, b in drawn]
