"""How numbers are carried from one stage to the next: exactly, or rounded as by hand.

Every named intermediate the article writes down passes through `arithmetic.carry`, the one
place where a person with a pencil would round before carrying a number on.
"""

from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:  # decimal is imported only where pencil arithmetic or verify runs
    from decimal import Decimal


def half_up(x: float, places: int) -> "Decimal":
    """`x` rounded to `places` decimals, a tie going away from zero, judged on the shortest
    decimal form of the float: 0.08505 becomes 0.0851, although the binary double nearest
    0.08505 lies just below it and binary rounding would give 0.0850."""
    from decimal import ROUND_HALF_UP, Decimal, localcontext  # only pencil arithmetic and verify need it

    if not np.isfinite(x):  # an overflowed intermediate: carried on as it is, as exact arithmetic does
        return Decimal(repr(float(x)))
    with localcontext() as context:
        context.prec = 800  # enough digits for any float at any number of places asked for
        return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class Arithmetic(Protocol):
    """How a calculation carries its numbers: `Exact`, or `Pencil` (rounded as by hand)."""

    decimals: int | None

    def carry(self, value, kind: str = "net"): ...

    def follows(self, path: str) -> bool: ...


class Exact:
    """float64 throughout: the number carried on is the number computed."""

    decimals: int | None = None
    paths: frozenset[str] = frozenset()

    def carry(self, value, kind: str = "net"):
        return value

    def follows(self, path: str) -> bool:
        return False

    def __str__(self):
        return "exact"


# What a person may round before carrying it on, by kind: each named intermediate has one.
#   net, out   the forward pass            error  ∂E/∂out and the terms ∂E_k/∂out_j that sum to it
#   slope      ∂out/∂net                   delta  ∂E/∂net (books' δ, their "error term" Err_j)
#   gradient   ∂E/∂w (kept as the product gives it unless a number of places is given)
#   weight     a new parameter, and an optimizer's state (velocity, m, v, m̂, v̂, …)
KINDS = ("net", "out", "error", "slope", "delta", "gradient", "weight")
KEPT = ("gradient",)  # not rounded unless asked for: a product of rounded factors keeps its digits

# The orders of hand rounding that are all correct work, beside the default (each product of
# rounded factors written out in full, each term rounded before it is summed, the gradient kept):
PATHS = {
    "delta_first": "∂E/∂net rounded before it multiplies the input (δ × input, not three factors)",
    "sum_then_round": "the terms of a hidden node's ∂E/∂out summed before rounding, not one by one",
    "gradient_rounded": "each gradient rounded before the update",
}


def significant(x: float, figures: int) -> "Decimal":
    """`x` rounded half up to `figures` significant figures, judged on its shortest decimal form."""
    from decimal import Decimal

    exact = Decimal(repr(float(x)))
    if not exact.is_finite() or exact == 0:
        return exact
    return half_up(x, figures - 1 - exact.adjusted())


class Pencil:
    """Arithmetic as done by hand: each named intermediate is rounded half up, by default to
    `decimals` places, before it is used further (`places` gives a kind its own number of places;
    `significant` counts significant figures instead). Products of rounded factors (the gradients,
    the error terms) keep the digits the multiplication gives, as a person writes them. `paths`
    names the orders of rounding (see PATHS) this hand calculation follows beside the default."""

    def __init__(self, decimals: int, places: dict[str, int] | None = None, significant: bool = False,
                 paths: frozenset[str] = frozenset()):
        self.decimals, self.places = decimals, dict(places or {})
        self.significant, self.paths = significant, frozenset(paths)
        rule = _significant if significant else _decimal
        self._rounders = {kind: np.vectorize(rule(self.places.get(kind, decimals)), otypes=[np.float64])
                          for kind in KINDS if kind not in KEPT or kind in self.places}
        if "gradient_rounded" in self.paths and "gradient" not in self._rounders:
            self._rounders["gradient"] = np.vectorize(rule(decimals), otypes=[np.float64])

    def carry(self, value, kind: str = "net"):
        rounder = self._rounders.get(kind)
        return value if rounder is None else rounder(value)

    def follows(self, path: str) -> bool:
        return path in self.paths

    def along(self, paths) -> "Pencil":
        """The same rounding, following the orders `paths` (see PATHS)."""
        return Pencil(self.decimals, self.places, self.significant, frozenset(paths))

    def rounding(self) -> str:
        """How it rounds, in words: "4 decimals", "4 significant figures", "4 decimals (out 3)"."""
        unit = "significant figures" if self.significant else "decimals"
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.places.items()))
        return f"{self.decimals} {unit}" + (f" ({kinds})" if kinds else "")

    def _key(self) -> tuple:
        return self.decimals, tuple(sorted(self.places.items())), self.significant, self.paths

    def __eq__(self, other) -> bool:
        return isinstance(other, Pencil) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self):
        unit = " significant" if self.significant else ""
        kinds = "".join(f", {kind} {n}" for kind, n in sorted(self.places.items()))
        return f"pencil {self.decimals}{unit}{kinds}"


def _decimal(places: int):
    return lambda v: float(half_up(v, places))


def _significant(figures: int):
    return lambda v: float(significant(v, figures))


def divisor(carry, raw, name: str):
    """`raw` carried (rounded, in pencil arithmetic) to be divided by: refused when the rounding
    made zero of a value that was not, since the quotient would then be the rounding's, not the
    calculation's (Adam's v̂ = 1e-7 at 4 places: the update would be m̂ / eps)."""
    carried = carry(raw)
    zeroed = (np.asarray(carried) == 0) & (np.asarray(raw) != 0)
    if np.any(zeroed):
        from pencilnet.core.errors import InputError

        value = float(np.asarray(raw)[zeroed].flat[0])
        owner = getattr(getattr(carry, "func", carry), "__self__", "pencil arithmetic")
        raise InputError(f"{owner} rounds {name} = {value:.3g} to 0, and the step divides by it: carry more "
                         "places, or significant figures (arithmetic: {pencil: 4, significant: true})")
    return carried


EXACT = Exact()


def arithmetic_of(decimals):
    """Pencil arithmetic at `decimals` places, or exact arithmetic for None; an arithmetic itself
    (a config's `arithmetic: {pencil: 4, out: 3}`) as it is."""
    if decimals is None:
        return EXACT
    return Pencil(decimals) if isinstance(decimals, int) else decimals

