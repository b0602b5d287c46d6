"""gradcheck's order and its table on any CPU: differences below what finite differences
resolve are roundoff, whose digits and ranking change with the CPU (AVX-512's exp), so they
are shown as "< 1e-9" and ranked as ties, in the parameters' order."""

from helpers import text_of

from pencilnet.core.gradcheck import FLOOR, Check, Gradcheck, gradcheck
from pencilnet.views import tables
from pencilnet.views.numbers import Style


def test_roundoff_keeps_the_parameters_order(article):
    x, target = article.sample(1)
    checks = gradcheck(article.model, x, target, article.loss).checks
    # the article's backprop is right: every difference is roundoff, below 1e-9 on any CPU
    assert max(c.relative_error for c in checks) < FLOOR
    assert [c.name for c in checks] == list(article.model.names.parameters)


def test_the_table_shows_roundoff_as_below_the_floor():
    checks = (Check("w1", 0.5, 0.5 + 1e-8, 1e-8, 1e-9, 1e-3, "ok"), Check("w2", 0.25, 0.25, 1.34e-10, 1e-9, 1e-3, "ok"),
              Check("w3", 0.25, 0.25, 0.0, 1e-9, 1e-3, "ok"))
    text = text_of(tables.gradcheck(Gradcheck(checks, 1e-6), Style(4, 24)))
    rows = [line.split() for line in text.splitlines() if line.strip().startswith("w")]
    assert [row[-2:] for row in rows] == [["1.00e-8", "ok"], ["1e-9", "ok"], ["1e-9", "ok"]]
    assert [row[-3] for row in rows[1:]] == ["<", "<"]
