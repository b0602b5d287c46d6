"""Backprop against central finite differences, for every parameter of a network."""

from dataclasses import dataclass

import numpy as np

from pencilnet.core.losses import dE_dout_from_net, output_dE_dnet
from pencilnet.core.model import Model, flatten, unflatten
from pencilnet.core.stages import backprop, chain, error, forward

EPSILON = np.finfo(float).eps
# A relative difference below this is float roundoff: its digits change with the CPU (AVX-512's exp
# moves last bits), so such checks are shown as "< 1e-9" and rank as ties, in parameter order.
FLOOR = 1e-9


@dataclass(frozen=True, eq=False)
class Check:
    name: str
    analytic: float  # from backprop
    numeric: float  # the five-point central difference of E at θ
    relative_error: float  # |analytic − numeric| / max(|analytic| + |numeric|, tiny)
    resolution: float  # the smallest difference finite differences can tell from float roundoff

    def passed(self, tolerance: float) -> bool:
        return self.within(tolerance) or (self.resolved and abs(self.analytic - self.numeric) <= self.resolution)

    def unresolved(self, tolerance: float) -> bool:
        """Neither within the tolerance nor a gradient finite differences can resolve: not checked, so not a pass."""
        return not self.within(tolerance) and not self.resolved

    @property
    def resolved(self) -> bool:
        """Whether finite differences can tell this gradient from nothing: a resolution as large
        as the gradient itself would pass any backprop value near it, right or wrong."""
        return self.resolution < max(abs(self.analytic), abs(self.numeric))

    def within(self, tolerance: float) -> bool:
        return abs(self.analytic - self.numeric) <= tolerance * (abs(self.analytic) + abs(self.numeric))


def gradcheck(model: Model, x, target, loss: str, step: float = 1e-3) -> list[Check]:
    """One check per parameter, worst first (those below FLOOR in parameter order).

    The numeric gradient is the five-point central difference
    (E(θ−2h) − 8 E(θ−h) + 8 E(θ+h) − E(θ+2h)) / 12h, whose truncation error shrinks as h⁴, so
    h can be large enough that float roundoff stays small. It is taken at two steps, h and
    h/2 (h = 1e-3, scaled by the parameter's size), and the smaller step's value is used.
    How far the two disagree is the numeric gradient's own uncertainty: float roundoff in E
    is not always as small as ε × E (an error computed from an output saturated near 1
    loses digits in 1 − out), and a gradient cannot be checked more finely than it can be
    computed. A difference passes if it is within the tolerance, or within `resolution`:
    twice that uncertainty, and never less than the roundoff of E itself, which grows as an
    output saturates (for cross-entropy, by 1 / (1 − out)); but only when that resolution is
    smaller than the gradient: finite differences that cannot resolve a gradient do not vouch for it."""
    theta = flatten(model)
    trace = forward(model, x)
    analytic = np.array([row.gradient for row in chain(model, backprop(model, trace, target, loss))])

    def total_error(vector):
        return error(forward(unflatten(model, vector), x), target, loss).total

    def five_point(i: int, h: float) -> float:
        shifted = []
        for k in (-2, -1, 1, 2):
            vector = theta.copy()
            vector[i] = theta[i] + k * h
            shifted.append(total_error(vector))
        return (shifted[0] - 8 * shifted[1] + 8 * shifted[2] - shifted[3]) / (12 * h)

    # Roundoff in E: its own size, plus each output's roundoff times how much E moves with it. A
    # cross-entropy on probabilities is computed from net, so there it is net's roundoff that counts.
    last = trace.layers[-1]
    t = np.asarray(target, dtype=float)
    closed = output_dE_dnet(loss, last.activation, last.net, last.out, t)
    if closed is not None:
        sensitivity = np.abs(closed) * np.maximum(1.0, np.abs(last.net))
    else:
        sensitivity = np.abs(dE_dout_from_net(loss, last.activation, last.net, last.out, t)) * np.maximum(
            1.0, np.abs(last.out))
    uncertainty = EPSILON * (max(1.0, abs(error(trace, target, loss).total)) + float(sensitivity.sum()))
    numeric, resolution = np.empty_like(theta), np.empty_like(theta)
    for i, value in enumerate(theta):
        h = step * max(1.0, abs(value))
        coarse, fine = five_point(i, h), five_point(i, h / 2)
        numeric[i] = fine
        resolution[i] = max(2 * abs(coarse - fine), 50 * uncertainty / (h / 2))
    relative = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-300)
    checks = [Check(name, float(a), float(n), float(r), float(q))
              for name, a, n, r, q in zip(model.names.parameters, analytic, numeric, relative, resolution)]
    return sorted(checks, key=lambda c: -max(c.relative_error, FLOOR))  # stable: ties keep their order
