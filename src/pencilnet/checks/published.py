"""A config's published values: what was printed, and how a computed value is judged against it.

Records only, cheap to import: every config load builds them, and only `verify` needs the checking.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # decimal is imported only where pencil arithmetic or verify runs
    from decimal import Decimal

INHERIT = "inherit"  # an expected entry without its own arithmetic uses the section's


@dataclass(frozen=True, eq=False)
class Expected:
    """One published number: its name, the digits as printed, and how to judge it."""

    name: str
    published: str
    tolerance: "Decimal | None" = None  # None: the printed digits must be reproduced
    pencil_decimals: int | None | str = INHERIT  # None for exact, or INHERIT: the section's
    erratum: str | None = None
    note: str | None = None
    corrected: str | None = None  # beside an erratum: the right value, checked as any published value
    label: str | None = None  # the name as the publication wrote it (with the config's labels), if other


@dataclass(frozen=True, eq=False)
class Expectations:
    pencil_decimals: int | None  # the decimals the publication computed with, None for exact
    sample: int
    entries: list[Expected]
