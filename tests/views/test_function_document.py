"""A function's document in Markdown, HTML and LaTeX from one structure (the blocks a network's
document is made of): the numbers of configs/adam-quadratic.yaml worked by hand, the formulas of f
and ∂f/∂θ as mathematics in each format, and a LaTeX table of the widest optimizer that fits the page."""

import re

import pytest
from helpers import ROOT

from pencilnet.core.arithmetic import EXACT
from pencilnet.core.objective import objective_of, steps
from pencilnet.core.optimizers import Optimizer
from pencilnet.views.numbers import Style
from pencilnet.views.objective_document import files, symbol, written
from pencilnet.views.publish import latex

ADAM = ROOT / "configs" / "adam-quadratic.yaml"


def adam_files(name: str, count: int = 2):
    """The files of `count` Adam steps on (θ − 4)² from θ = 10, learning rate 0.5, as published to `name`."""
    objective = objective_of("(theta - 4)**2", {"theta": 10})
    run = steps(objective, Optimizer("adam"), 0.5, count)
    return files(objective, run, name, Style(4), "Adam on (theta - 4)^2", EXACT)


@pytest.fixture
def sketch(monkeypatch):
    """A stand-in for the picture of the path (matplotlib takes half a second; the CLI's tests draw it)."""
    from pencilnet.views import objective_plot

    drawn = {"svg": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>', "pdf": b"%PDF-1.4 sketch"}
    monkeypatch.setattr(objective_plot, "path_picture", lambda objective, run, title, kind: drawn[kind])


def test_the_same_worked_step_in_markdown_html_and_latex(tmp_path, sketch):
    # Step 1 by hand: ∂f/∂θ = 2 × (10 − 4) = 12; m = 0.1 × 12 = 1.2; v = 0.001 × 144 = 0.144;
    # m̂ = 1.2 / 0.1 = 12; v̂ = 0.144 / 0.001 = 144; update = 0.5 × 12 / √144 = 0.5; θ = 10 − 0.5 = 9.5;
    # f = 6² = 36 before, 5.5² = 30.25 after.
    (picture, picture_bytes), (md_path, md) = adam_files(str(tmp_path / "adam.md"))
    assert picture.name == "adam-path.svg" and picture_bytes.lstrip().startswith(b"<?xml")
    assert "| theta | $10$ | $12.0000$ | $1.2000$ | $0.1440$ | $12.0000$ | $144.0000$ | $0.5000$ | $9.5000$ |" in md
    assert ("\\frac{\\partial f}{\\partial \\theta} = 2 \\times ( \\theta - 4 ) = 2 \\times ( 10 - 4 ) = 12.0000"
            in md)
    assert "f before the step: $f = 36.0000$; after it: $f = 30.2500$." in md
    assert "![The steps: each step's point on the curve of f.](adam-path.svg)" in md
    assert "∂E" not in md and "partial E" not in md
    [(page_path, page)] = adam_files(str(tmp_path / "adam.html"))
    # ∂f/∂θ as MathML, the rule's m = 0.9 × m + 0.1 × ∂f/∂θ as mathematics, the path as inline SVG
    d_theta = "<mfrac><mrow><mo>∂</mo><mi>f</mi></mrow><mrow><mo>∂</mo><mi>θ</mi></mrow></mfrac>"
    assert f"<mn>0.1</mn><mo>×</mo>{d_theta}" in page and "<svg" in page and "<img" not in page
    assert "<td class=\"n\"><math><mn>144.0000</mn></math></td>" in page
    (pdf, pdf_bytes), (tex_path, tex) = adam_files(str(tmp_path / "adam.tex"))
    assert pdf.name == "adam-path.pdf" and pdf_bytes.startswith(b"%PDF")
    assert "\\networkpicture{adam-path.pdf}" in tex and "(theta in the config)" in tex
    assert "\\[ f = {( \\theta - 4 )}^{2} \\]" in tex
    # step 2 by hand, from the shown θ = 9.5000: 2 × (9.5 − 4) = 11
    assert "2 \\times ( 9.5000 - 4 ) = 11.0000" in tex


def test_standard_output_is_markdown_saying_where_the_picture_went(sketch):
    [(path, text)] = adam_files("-", 1)
    assert str(path) == "-" and text.startswith("# Adam on")
    assert "(The picture of the path is left out: the document went to standard output" in text


def test_a_notebook_is_refused_in_one_line(tmp_path):
    from pencilnet.core.errors import InputError

    with pytest.raises(InputError, match=r"expected a file name ending in .md, .html or .tex for a function's steps"):
        adam_files(str(tmp_path / "adam.ipynb"))


@pytest.mark.parametrize(("text", "expected"), [
    ("(theta - 4)**2", "{( \\theta - 4 )}^{2}"),
    ("-x**2", "- {x}^{2}"),  # −(x²): the power binds tighter than the sign
    ("(-x)**2", "{( - x )}^{2}"),
    ("2**3**x", "{2}^{{3}^{x}}"),  # right-associative
    ("x - (y - 1)", "x - ( y - 1 )"),  # a difference on the right keeps its parentheses; a sum on the left not
    ("(x + y) - 1", "x + y - 1"),
    ("exp(x)/sqrt(y) * 3", "\\frac{{e}^{x}}{\\operatorname{sqrt} ( y )} \\times 3"),  # a fraction needs none
    ("(x/y)**2", "{( \\frac{x}{y} )}^{2}"),  # but as a power's base it does
    ("abs(x)*log(y)", "| x | \\times \\ln ( y )"),
])
def test_an_expression_as_mathematics(text, expected):
    objective = objective_of(text, {"x": 1, "y": 2, "theta": 3})
    assert latex.math(written(objective.tree)) == expected


def test_parameters_named_as_greek_letters_are_written_as_them():
    assert [symbol(n) for n in ("theta", "theta1", "x_2", "w", "beta_")] == [
        latex.Var("θ"), latex.Var("θ", "1"), latex.Var("x", "2"), latex.Var("w"), latex.Var("beta_")]


def test_the_widest_tables_fit_the_latex_page(tmp_path):
    """AdamW with weight decay on two parameters: nine columns of numbers a step; pdflatex's log has no
    overfull box (the table shrinks to fit, as a network's does)."""
    from test_publish import need_pdflatex, pdflatex

    need_pdflatex()
    objective = objective_of("(1 - x)**2 + 100*(y - x**2)**2 + exp(x)/sqrt(y) - abs(x)*log(y)", {"x": -1, "y": 2})
    run = steps(objective, Optimizer("adamw", weight_decay=0.01), 0.001, 2)
    for path, content in files(objective, run, str(tmp_path / "wide.tex"), Style(4), "Wide", EXACT):
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    assert pdflatex(tmp_path, "wide.tex").returncode == 0
    log = (tmp_path / "wide.log").read_text(errors="replace")
    assert not re.findall(r"Overfull \\hbox|Missing character", log)


def test_pencil_arithmetic_rounds_what_a_person_carries(sketch):
    from pencilnet.core.arithmetic import arithmetic_of

    objective = objective_of("(theta - 4)**2", {"theta": 10})
    pencil = arithmetic_of(2)
    run = steps(objective, Optimizer("adam"), 0.5, 1, arithmetic=pencil)
    [(_, text)] = files(objective, run, "-", Style(2, None, 2), "Adam to 2 decimals", pencil)
    # by hand to 2 decimals: m = 0.1 × 12 = 1.20, v = 0.001 × 144 = 0.144 → 0.14, m̂ = 12.00, v̂ = 0.14 / 0.001
    # = 140.00, update = 0.5 × 12 / √140 = 0.5070926 (kept), θ = 10 − 0.5070926 = 9.4929 → 9.49
    assert "| theta | $10$ | $12$ | $1.20$ | $0.14$ | $12.00$ | $140.00$ | $0.5070926$ | $9.49$ |" in text
    assert "Arithmetic: as with a pencil, to 2 decimals: every parameter and optimizer state" in text
