"""Backprop against central finite differences, for every parameter of a network, each with its verdict."""

from dataclasses import dataclass

import numpy as np

from pencilnet.core.activations import activation_of
from pencilnet.core.losses import dE_dout_from_net, output_dE_dnet
from pencilnet.core.model import Model, flatten, unflatten
from pencilnet.core.stages import Trace, backprop, chain, error, forward

EPSILON = np.finfo(float).eps
# A relative difference below this is float roundoff: its digits change with the CPU (AVX-512's exp
# moves last bits), so such checks are shown as "< 1e-9" and rank as ties, in parameter order.
FLOOR = 1e-9
SPACING = 1e-3  # the first spacing h, relative to the parameter's size (at least 1)
HALVINGS = 12  # the finest spacing tried is SPACING / 2**12: below it roundoff swamps any gradient worth checking
# Finite differences check a gradient when their uncertainty is at most this part of it: a
# gradient 1% wrong then lies more than twice the uncertainty away, so it cannot pass.
RESOLVES = 0.003

# The verdicts, best first. The first two pass; the last two say finite differences cannot
# check this gradient here (at this sample), which is not a pass either.
OK, ROUNDOFF, DIFFERS, UNRESOLVED, KINK = "ok", "within roundoff", "differs", "not resolved", "kink"
PASSING = (OK, ROUNDOFF)


@dataclass(frozen=True, eq=False)
class Check:
    name: str
    analytic: float  # from backprop
    numeric: float  # the five-point central difference of E at θ
    relative_error: float  # |analytic − numeric| / max(|analytic| + |numeric|, tiny)
    resolution: float  # ± the numeric gradient's own uncertainty (inf: no spacing avoids a kink)
    spacing: float  # the h the numeric gradient was taken at
    verdict: str  # one of OK, ROUNDOFF, DIFFERS, UNRESOLVED, KINK

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING


@dataclass(frozen=True, eq=False)
class Gradcheck:
    """Every parameter's check, worst first (those below FLOOR in parameter order), and what they say together."""

    checks: tuple[Check, ...]
    tolerance: float

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def having(self, *verdicts: str) -> list[Check]:
        return [c for c in self.checks if c.verdict in verdicts]

    @property
    def failure(self) -> str | None:
        """One line saying why the check did not pass, or None if it did."""
        total = len(self.checks)
        if differ := self.having(DIFFERS):
            return (f"{len(differ)} of {total} gradients differ from finite differences by more than "
                    f"{self.tolerance:g} (worst: {differ[0].name}, {differ[0].relative_error:.2e})")
        unchecked = self.having(UNRESOLVED, KINK)
        if not unchecked:
            return None
        first = unchecked[0]
        why = ("the spacing crosses a kink" if first.verdict == KINK else
               f"{first.analytic:.3g} against a resolution of ±{first.resolution:.1e}")
        return (f"{len(unchecked)} of {total} gradients cannot be checked by finite differences at this sample "
                f"(worst: {first.name}, {why}): not checked; try another sample")


def gradcheck(model: Model, x, target, loss: str, tolerance: float = 1e-6, analytic=None) -> Gradcheck:
    """Check `analytic` (backprop's gradient by default, in `flatten`'s order) parameter by parameter.

    The numeric gradient is the five-point central difference
    ((E(θ−2h) − E(θ+2h)) + 8 (E(θ+h) − E(θ−h))) / 12h, written so that E the same on both
    sides (a dead relu unit, an input of 0) gives exactly 0. Its truncation error shrinks as h⁴,
    so h can start large enough (1e-3, scaled by the parameter's size) that float roundoff
    stays small; it is halved while the two last values disagree by more than a gradient 1%
    wrong would, and wherever the spacing would cross a kink (a relu node's net changing
    sign between the points). The uncertainty of the value kept is twice how far it is from
    the value at twice its spacing, and never less than the roundoff of E itself, which grows
    as an output saturates (for cross-entropy, by 1 / (1 − out)).

    The verdicts: `ok` within the tolerance; `differs` further than the uncertainty; `within
    roundoff` inside an uncertainty small enough to catch a gradient 1% wrong; otherwise finite
    differences cannot check the gradient here: `kink` when a kink forced the spacing down
    (or no spacing avoids it), `not resolved` when E is too imprecise. Whether a gradient is
    resolved is judged from finite differences alone, never from the value being checked."""
    theta = flatten(model)
    trace = forward(model, x)
    if analytic is None:
        analytic = [row.gradient for row in chain(model, backprop(model, trace, target, loss))]
    analytic = np.asarray(analytic, dtype=float)
    kinked = [k for k, layer in enumerate(model.layers) if _has_kink(layer.activation)]
    sides = _sides(trace, kinked)
    uncertainty = _roundoff(trace, target, loss)

    def at(i: int, h: float) -> tuple[float, bool]:
        """The five-point difference at spacing h, and whether its points lie on θ's side of every kink."""
        values, same = [], True
        for k in (-2, -1, 1, 2):
            vector = theta.copy()
            vector[i] = theta[i] + k * h
            shifted = forward(unflatten(model, vector), x)
            values.append(error(shifted, target, loss).total)
            same = same and _sides(shifted, kinked) == sides
        return ((values[0] - values[3]) + 8 * (values[2] - values[1])) / (12 * h), same

    checks = []
    for i, name in enumerate(model.names.parameters):
        numeric, resolution, spacing, crossed = _numeric(at, i, SPACING * max(1.0, abs(theta[i])), uncertainty)
        a = float(analytic[i])
        relative = abs(a - numeric) / max(abs(a) + abs(numeric), 1e-300)
        checks.append(Check(name, a, numeric, relative, resolution, spacing,
                            _verdict(a, numeric, resolution, crossed, tolerance)))
    # failures first, then the largest differences; stable: ties below FLOOR keep parameter order
    return Gradcheck(tuple(sorted(checks, key=lambda c: (c.passed, -max(c.relative_error, FLOOR)))), tolerance)


def _numeric(at, i: int, h: float, uncertainty: float) -> tuple[float, float, float, bool]:
    """(numeric gradient, its uncertainty, its spacing, whether a kink made the spacing smaller)."""
    crossed = False
    coarse = None
    best: tuple[float, float, float] | None = None
    for _ in range(HALVINGS):
        if coarse is None:
            coarse, same = at(i, h)
            if not same:
                crossed, coarse, h = True, None, h / 2
                continue
        fine, same = at(i, h / 2)
        if not same:  # a kink between the points only a finer spacing shows
            crossed, coarse, h = True, None, h / 4
            continue
        resolution = max(2 * abs(coarse - fine), 50 * uncertainty / (h / 2))
        if best is not None and resolution >= best[1]:
            break  # roundoff has come to dominate: a finer spacing only makes it worse
        best = (fine, resolution, h / 2)
        if resolution <= RESOLVES * abs(fine):
            break
        coarse, h = fine, h / 2
    if best is None:  # every spacing crosses a kink (a relu node's net is 0 at θ, say)
        return float(at(i, h)[0]), float("inf"), h, True
    return float(best[0]), float(best[1]), best[2], crossed


def _verdict(analytic: float, numeric: float, resolution: float, crossed: bool, tolerance: float) -> str:
    difference = abs(analytic - numeric)
    if resolution == float("inf"):
        return KINK
    if difference <= tolerance * (abs(analytic) + abs(numeric)):  # exactly 0 against 0 is agreement
        return OK
    if difference > resolution:
        return DIFFERS
    if resolution <= RESOLVES * abs(numeric):
        return ROUNDOFF
    return KINK if crossed else UNRESOLVED


def _has_kink(activation: str) -> bool:
    """Whether the activation's derivative jumps at net 0 (relu does; the smooth ones do not)."""
    row = activation_of(activation)
    if row.coupled:
        return False
    below, above = row.derivative(row.function(np.array([-1e-12, 1e-12])))
    return bool(abs(above - below) > 1e-6)


def _sides(trace: Trace, kinked: list[int]) -> list[bytes]:
    """Which side of its kink every node of a kinked layer is on."""
    return [np.greater(trace.layers[k].net, 0.0).tobytes() for k in kinked]


def _roundoff(trace: Trace, target, loss: str) -> float:
    """Roundoff in E: its own size, plus each output's roundoff times how much E moves with it. A
    cross-entropy on probabilities is computed from net, so there it is net's roundoff that counts."""
    last = trace.layers[-1]
    t = np.asarray(target, dtype=float)
    closed = output_dE_dnet(loss, last.activation, last.net, last.out, t)
    if closed is not None:
        sensitivity = np.abs(closed) * np.maximum(1.0, np.abs(last.net))
    else:
        sensitivity = np.abs(dE_dout_from_net(loss, last.activation, last.net, last.out, t)) * np.maximum(
            1.0, np.abs(last.out))
    return float(EPSILON * (max(1.0, abs(error(trace, target, loss).total)) + float(sensitivity.sum())))
