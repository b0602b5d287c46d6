"""A config's published values: what was printed, and how a computed value is judged against it.

Records only, cheap to import: every config load builds them, and only `verify` needs the checking.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # decimal is imported only where pencil arithmetic or verify runs
    from decimal import Decimal

INHERIT = "inherit"  # an expected entry without its own arithmetic uses the section's


@dataclass(frozen=True)
class Ulps:
    """A tolerance in units in the last place of the published float: a full-precision number printed
    by a program that sums in another order differs from ours by a few of them."""

    count: int

    def __str__(self) -> str:
        return f"{self.count} ulp"


@dataclass(frozen=True, eq=False)
class Expected:
    """One published number: its name, the digits as printed, and how to judge it."""

    name: str
    published: str
    tolerance: "Decimal | Ulps | None" = None  # None: the printed digits must be reproduced
    pencil_decimals: Any = INHERIT  # decimals (None for exact), a Pencil, or INHERIT: the section's
    erratum: str | None = None
    note: str | None = None
    corrected: str | None = None  # beside an erratum: the right value, checked as any published value
    label: str | None = None  # the name as the publication wrote it (with the config's labels), if other
    line: int | None = None  # where the config writes it, for reports that point at the line


@dataclass(frozen=True, eq=False)
class Expectations:
    pencil_decimals: Any  # the decimals the publication computed with (None for exact), or a Pencil
    sample: int | None  # None: a function's steps, which have no sample
    entries: list[Expected]
