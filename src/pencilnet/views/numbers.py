"""How a number is shown: one rule for every table, title, picture and line of text."""

import math

from pencilnet.core.arithmetic import half_up


class Style:
    """How numbers are shown: `decimals` places, a row limit for big networks, and, in
    pencil mode, the decimals every carried intermediate was rounded to."""

    def __init__(self, decimals: int = 4, rows: int | None = 24, pencil: int | None = None):
        self.decimals = decimals
        self.rows = rows  # None: every row
        self.pencil = pencil

    def number(self, x: float) -> str:
        """`decimals` places, rounded half up as a person would (0.08505 → 0.0851), but never
        fewer than three significant digits for a small non-zero value below 1: a gradient
        such as -0.000422 would otherwise show as -0.0004, or as 0.0000."""
        x = float(x)
        if not math.isfinite(x):
            return str(x)
        places = self.decimals
        # In pencil mode every number shown this way was carried at `pencil` decimals: show those.
        if self.pencil is None and x != 0 and abs(x) < min(1.0, 10.0 ** (2 - places)):
            places = max(places, 2 - math.floor(math.log10(abs(x))))
        text = f"{half_up(x, places):f}"
        return text[1:] if text.startswith("-") and not text.strip("-0.") else text

    def result(self, x: float) -> str:
        """A product that is not carried on (a gradient, an error term). In pencil mode it keeps
        every digit the multiplication of rounded factors gives, as the article writes
        −0.0134 × 0.2092 × 0.15 = −0.000420492; otherwise it is shown like any number."""
        if self.pencil is None or not math.isfinite(x):
            return self.number(x)
        # Three factors of `pencil` decimals have at most 3 × pencil decimals; more is float noise.
        text = f"{half_up(x, 3 * self.pencil + 1):f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return text if text not in ("-0", "") else "0"

    def given(self, x: float) -> str:
        """A value the user wrote (an input, a weight), without padding zeros: 0.15, 0.1."""
        text = self.number(x)
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("", "-0") else text

    def operand(self, text: str) -> str:
        return f"({text})" if text.startswith("-") else text

    def limit(self, rows: list) -> tuple[list, int]:
        if self.rows is None or len(rows) <= self.rows:
            return rows, 0
        return rows[: self.rows], len(rows) - self.rows
