"""A result the numbers shown give only roughly is marked "≈" in documents, as in the terminal
(issue 26 item 25). The article in exact arithmetic: ∂E/∂w1 = −0.0134 × 0.2092 × 0.15, which is
−0.000420492 by hand, while the engine's gradient, from unrounded factors, is −0.000422."""

import re

import pencilnet
from pencilnet.core.arithmetic import arithmetic_of
from pencilnet.views.numbers import Style
from pencilnet.views.publish import latex, markdown
from pencilnet.views.publish.blocks import Equation
from pencilnet.views.publish.builder import build


def equations(document) -> dict[str, Equation]:
    return {latex.math(block.lhs): block for block in document.blocks if isinstance(block, Equation)}


def test_the_terminal_and_the_document_mark_the_same_gradient(cli):
    table = cli("backprop").stdout
    assert re.search(r" w1 .*≈ -0\.000422", table)  # the terminal's mark
    config = pencilnet.load()
    found = equations(build(config, config.walk(1), Style(4)))
    w1 = found[r"\frac{\partial E}{\partial w_{1}}"]
    assert w1.rough == frozenset({2})
    text = markdown.render(build(config, config.walk(1), Style(4)), {"forward": "f", "backprop": "b", "step": "s"})
    assert r"( -0.0134 ) \times 0.2092 \times 0.15 \approx -0.000422" in text


def test_pencil_arithmetic_carries_what_it_shows_so_nothing_is_rough():
    config = pencilnet.load()
    document = build(config, config.walk(1, arithmetic_of(4)), Style(4, pencil=4))
    assert not [block for block in document.blocks if isinstance(block, Equation) and block.rough]


def test_a_rough_step_on_a_line_of_its_own_starts_with_its_relation():
    from pencilnet.views.publish.math import Num, Op

    long = tuple(token for k in range(12) for token in ((Op("+"),) if k else ()) + (Num("0.123456"),))
    equation = Equation((Num("x"),), (long, (Num("1.4815"),)), frozenset({1}))
    lines = equation.lines()
    assert lines[0][0] == "=" and lines[-1] == ("≈", (Num("1.4815"),))
    assert r"&\approx 1.4815" in latex.aligned(equation)
