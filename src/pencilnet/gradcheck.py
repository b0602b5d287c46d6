"""Backprop against central finite differences, for every parameter of a network."""

from dataclasses import dataclass

import numpy as np

from . import engine
from .model import Model, flatten, unflatten


@dataclass(frozen=True)
class Check:
    name: str
    analytic: float  # from backprop
    numeric: float  # the five-point central difference of E at θ
    relative_error: float  # |analytic − numeric| / max(|analytic| + |numeric|, floor)


def gradcheck(model: Model, x, target, loss: str, step: float = 1e-4, floor: float = 1e-6) -> list[Check]:
    """One check per parameter, worst first.

    The numeric gradient is the five-point central difference
    (E(θ−2h) − 8 E(θ−h) + 8 E(θ+h) − E(θ+2h)) / 12h: its truncation error shrinks as h⁴, so h
    can be large enough (1e-4, scaled by the parameter's size) that float roundoff in E,
    about 1e-16 × E / h, stays near 1e-12. The two-point difference leaves about 1e-10 of
    noise, which is already 1e-5 of a 1e-5 gradient. Gradients below `floor` are compared in
    absolute terms: relative to a tiny gradient, noise would look like an error."""
    theta = flatten(model)
    trace = engine.forward(model, x)
    analytic = np.array([row.gradient for row in engine.chain(model, engine.backprop(model, trace, target, loss))])

    def total_error(vector):
        return engine.error(engine.forward(unflatten(model, vector), x), target, loss).total

    numeric = np.empty_like(theta)
    for i, value in enumerate(theta):
        h = step * max(1.0, abs(value))
        shifted = []
        for k in (-2, -1, 1, 2):
            vector = theta.copy()
            vector[i] = value + k * h
            shifted.append(total_error(vector))
        numeric[i] = (shifted[0] - 8 * shifted[1] + 8 * shifted[2] - shifted[3]) / (12 * h)
    relative = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    checks = [Check(name, float(a), float(n), float(r))
              for name, a, n, r in zip(model.names.parameters, analytic, numeric, relative)]
    return sorted(checks, key=lambda c: -c.relative_error)
