"""Named schemes for random initial weights, drawn from one seeded generator."""

import numpy as np

SCHEMES = ("xavier", "he", "uniform")


def initial_parameters(sizes: list[int], scheme: str, seed: int, spread: float = 0.5):
    """Weights and biases for each layer of a network of `sizes`, always the same for one seed.

    xavier (Glorot): uniform in ±sqrt(6 / (fan_in + fan_out)), biases 0 — suits sigmoid and tanh;
    he: normal with standard deviation sqrt(2 / fan_in), biases 0 — suits relu;
    uniform: weights and biases uniform in ±spread, as in hand-made examples.
    """
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        if scheme == "xavier":
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            weights.append(rng.uniform(-limit, limit, (fan_in, fan_out)))
            biases.append(np.zeros(fan_out))
        elif scheme == "he":
            weights.append(rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)))
            biases.append(np.zeros(fan_out))
        elif scheme == "uniform":
            weights.append(rng.uniform(-spread, spread, (fan_in, fan_out)))
            biases.append(rng.uniform(-spread, spread, fan_out))
        else:
            raise ValueError(f"unknown scheme {scheme!r}")
    return weights, biases
