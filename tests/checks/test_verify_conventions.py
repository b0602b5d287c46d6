"""How publications state their numbers, and `verify`'s verdicts on them (issue 23)."""

from decimal import Decimal

from pencilnet.checks import quantities
from pencilnet.checks.published import Expected
from pencilnet.checks.verify import reproduces
from pencilnet.core.arithmetic import EXACT


def test_a_tolerance_finer_than_twelve_digits_compares_every_digit(article):
    # out_y1 of the article, exactly: σ(0.37773...) = 0.5933...; published with all of its 16 digits
    # and two zeros more, at a tolerance of 1e-18 it is still the same number.
    value = quantities.one_step(article, EXACT, 1)["out_y1"]
    published = repr(value) + "00"
    assert reproduces(value, Expected("out_y1", published, Decimal("1e-18")))
    # One unit in the 16th decimal is 1e-16 away: beyond 1e-18, within 1e-15.
    moved = str(Decimal(repr(value)) + Decimal("1e-16"))
    assert not reproduces(value, Expected("out_y1", moved, Decimal("1e-18")))
    assert reproduces(value, Expected("out_y1", moved, Decimal("1e-15")))
