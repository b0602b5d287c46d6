"""Backprop against central finite differences, for every parameter of a network."""

from dataclasses import dataclass

import numpy as np

from . import engine
from .model import Model, flatten, unflatten

EPSILON = np.finfo(float).eps


@dataclass(frozen=True)
class Check:
    name: str
    analytic: float  # from backprop
    numeric: float  # the five-point central difference of E at θ
    relative_error: float  # |analytic − numeric| / max(|analytic| + |numeric|, tiny)
    resolution: float  # the smallest difference finite differences can tell from float roundoff

    def passed(self, tolerance: float) -> bool:
        difference = abs(self.analytic - self.numeric)
        return difference <= max(tolerance * (abs(self.analytic) + abs(self.numeric)), self.resolution)


def gradcheck(model: Model, x, target, loss: str, step: float = 1e-4) -> list[Check]:
    """One check per parameter, worst first.

    The numeric gradient is the five-point central difference
    (E(θ−2h) − 8 E(θ−h) + 8 E(θ+h) − E(θ+2h)) / 12h: its truncation error shrinks as h⁴, so h
    can be large enough (1e-4, scaled by the parameter's size) that float roundoff stays
    small. That roundoff, about ε × E / h, is still there: a gradient of 1e-6 cannot be
    checked to one part in a million. So a difference also passes when it is below
    `resolution`, a generous bound on it, rather than judging noise against a tiny gradient."""
    theta = flatten(model)
    trace = engine.forward(model, x)
    analytic = np.array([row.gradient for row in engine.chain(model, engine.backprop(model, trace, target, loss))])

    def total_error(vector):
        return engine.error(engine.forward(unflatten(model, vector), x), target, loss).total

    scale = max(1.0, abs(engine.error(trace, target, loss).total))
    numeric, resolution = np.empty_like(theta), np.empty_like(theta)
    for i, value in enumerate(theta):
        h = step * max(1.0, abs(value))
        shifted = []
        for k in (-2, -1, 1, 2):
            vector = theta.copy()
            vector[i] = value + k * h
            shifted.append(total_error(vector))
        numeric[i] = (shifted[0] - 8 * shifted[1] + 8 * shifted[2] - shifted[3]) / (12 * h)
        resolution[i] = 50 * EPSILON * scale / h
    relative = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-300)
    checks = [Check(name, float(a), float(n), float(r), float(q))
              for name, a, n, r, q in zip(model.names.parameters, analytic, numeric, relative, resolution)]
    return sorted(checks, key=lambda c: -c.relative_error)
