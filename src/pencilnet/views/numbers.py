"""How a number is shown: one rule for every table, title, picture and line of text."""

import math
from typing import SupportsFloat

from pencilnet.core.arithmetic import half_up

SCIENTIFIC = 5  # five zeros or more after the decimal point before a digit: 1.51e-7, not 0.000000151
LARGE = 1e10  # from here on: 1.23e12
FLOAT_DIGITS = 12  # significant digits a product of a few float64 factors holds; the rest is noise


def scientific(x: float, significant: int) -> str:
    """1.51e-175, 1.23e12: a mantissa of `significant` digits, the exponent without padding."""
    mantissa, exponent = f"{x:.{max(significant, 1) - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def significant(x: float, digits: int) -> str:
    """`digits` significant digits, as `format(x, "g")` gives them, but with the same exponent
    and sign conventions as every other number: 1.5e-7, never -0."""
    text = f"{float(x):.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    return "0" if text == "-0" else text


def shown_value(text: str):
    """The number a cell shows, as a Decimal: what a person checking by hand starts from."""
    from decimal import Decimal

    return Decimal(text.strip("()").replace("≈ ", ""))


def agrees(value, text: str) -> bool:
    """Whether `value` (worked out from the numbers shown) is shown as `text`: rounded half up
    to the digits `text` has, it gives `text`'s digits."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

    try:
        value, shown = Decimal(repr(value)) if isinstance(value, float) else value, shown_value(text)
    except InvalidOperation:  # "inf", "nan": shown as they are
        return repr(value) == text
    if not (value.is_finite() and shown.is_finite()):
        return value == shown
    mantissa = text.strip("()").split("e")[0]
    if "e" in text:
        digits = len(mantissa.lstrip("-").replace(".", "").lstrip("0"))
        return f"{value:.{max(digits, 1) - 1}e}" == f"{shown:.{max(digits, 1) - 1}e}"
    places = len(mantissa.split(".")[1]) if "." in mantissa else 0
    with localcontext() as context:
        context.prec = 1000  # a huge value (1e300 × 1e200) has more digits than the default 28
        try:
            return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == shown
        except InvalidOperation:  # more digits still: no one checks such a number by hand
            return False


def relation(value, text: str) -> str:
    """"=" when the numbers shown give `text`, "≈" when only their unrounded values do."""
    return "=" if agrees(value, text) else "≈"


def _unsigned_zero(text: str) -> str:
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


class Style:
    """How numbers are shown: `decimals` places, a row limit for big networks, and, in
    pencil mode, the decimals every carried intermediate was rounded to."""

    def __init__(self, decimals: int = 4, rows: int | None = 24, pencil: int | None = None,
                 labels: dict[str, str] | None = None):
        self.decimals = decimals
        self.rows = rows  # None: every row
        self.pencil = getattr(pencil, "decimals", pencil)  # an arithmetic of its own: its default places
        self.labels = labels or {}  # a publication's names for pencilnet's, from a config's `labels:`

    def name(self, name: str) -> str:
        """A node's or a parameter's name, with the publication's label beside it: "w5 (w35)"."""
        label = self.labels.get(name)
        return f"{name} ({label})" if label else name

    def number(self, x: SupportsFloat) -> str:
        """`decimals` places, rounded half up as a person would (0.08505 → 0.0851); a small
        value keeps min(decimals, 3) significant digits (-0.000422 at 4 decimals, never -0.0004
        or 0.0000), and a value that would need five zeros or more after the point to show
        them, or is 1e10 or more, is written 1.51e-175. Never a negative zero; "-" is a number's sign,
        "−" the operation."""
        x = float(x)
        if not math.isfinite(x):
            return str(x)
        places = self.decimals
        significant = min(self.decimals, 3)
        # In pencil mode every number shown this way was carried at `pencil` decimals: show those.
        if self.pencil is None and x != 0 and significant and abs(x) < 10.0 ** (significant - 1 - places):
            places = max(places, significant - 1 - math.floor(math.log10(abs(x))))
        if x != 0 and ((places > self.decimals and abs(x) < 10.0 ** -SCIENTIFIC) or abs(x) >= LARGE):
            return scientific(x, max(significant, 1))
        return _unsigned_zero(f"{half_up(x, places):f}")

    def fixed(self, x: SupportsFloat) -> str:
        """`decimals` places, never scientific, never fewer than three significant digits: a value
        written into a file that other programs read digit by digit."""
        x = float(x)
        if not math.isfinite(x):
            return str(x)
        places = self.decimals
        if x != 0 and abs(x) < min(1.0, 10.0 ** (2 - places)):
            places = max(places, 2 - math.floor(math.log10(abs(x))))
        return _unsigned_zero(f"{half_up(x, places):f}")

    def result(self, x: SupportsFloat) -> str:
        """A product shown as the final figure of its row (a gradient, an error term). In
        pencil mode it keeps every digit the multiplication of rounded factors gives, as the
        article writes −0.0134 × 0.2092 × 0.15 = −0.000420492; otherwise it is shown like any
        number."""
        x = float(x)
        if self.pencil is None or not math.isfinite(x):
            return self.number(x)
        # Three factors of `pencil` decimals have at most 3 × pencil decimals; more is float noise,
        # and so is a digit beyond what a float holds (−1799999.9999999998 is −1800000; −0.39646 × 0.95491
        # is −0.3785836186, which the engine's float carries as −0.37858361860000006).
        places = 3 * self.pencil + 1
        if x != 0:
            places = max(0, min(places, FLOAT_DIGITS - 1 - math.floor(math.log10(abs(x)))))
        text = f"{half_up(float(f'{x:.15g}'), places):f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        if text in ("-0", "0", ""):
            return "0"
        digits = text.lstrip("-0.")
        if text.lstrip("-").startswith("0." + "0" * SCIENTIFIC) or abs(x) >= LARGE:
            return scientific(x, len(digits))
        return text

    def given(self, x: SupportsFloat) -> str:
        """A value the user wrote (an input, a weight), without padding zeros: 0.15, 0.1."""
        text = self.number(x)
        mantissa, e, exponent = text.partition("e")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        return "0" if mantissa in ("", "-0") else mantissa + e + exponent

    def operand(self, text: str) -> str:
        return f"({text})" if text.startswith("-") else text

    def limit(self, rows: list) -> tuple[list, int]:
        if self.rows is None or len(rows) <= self.rows:
            return rows, 0
        return rows[: self.rows], len(rows) - self.rows
