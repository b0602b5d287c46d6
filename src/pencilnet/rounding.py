"""Rounding as a person does it: half up, on the decimal digits that are seen."""

from decimal import ROUND_HALF_UP, Decimal, localcontext


def half_up(x: float, places: int) -> Decimal:
    """`x` rounded to `places` decimals, a tie going away from zero, judged on the shortest
    decimal form of the float: 0.08505 becomes 0.0851, although the binary double nearest
    0.08505 lies just below it and binary rounding would give 0.0850."""
    with localcontext() as context:
        context.prec = 800  # enough digits for any float at any number of places asked for
        return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
