"""How numbers are carried from one stage to the next: exactly, or rounded as by hand.

Every named intermediate the article writes down passes through `arithmetic.carry`, the one
place where a person with a pencil would round before carrying a number on.
"""

from typing import TYPE_CHECKING

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


class Exact:
    """float64 throughout: the number carried on is the number computed."""

    decimals = None

    def carry(self, value):
        return value

    def __str__(self):
        return "exact"


class Pencil:
    """Arithmetic as done by hand: each named intermediate is rounded half up to `decimals`
    places before it is used further. Products of rounded factors (the gradients, the
    error terms) keep the digits the multiplication gives, as a person writes them."""

    def __init__(self, decimals: int):
        self.decimals = decimals
        self._round = np.vectorize(lambda v: float(half_up(v, decimals)), otypes=[np.float64])

    def carry(self, value):
        return self._round(value)

    def __str__(self):
        return f"pencil {self.decimals}"


EXACT = Exact()


def arithmetic_of(decimals: int | None):
    """Pencil arithmetic at `decimals` places, or exact arithmetic for None."""
    return EXACT if decimals is None else Pencil(decimals)

