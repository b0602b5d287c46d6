"""Documents quote a config's text escaped for their format, typeset their numbers and fit the
page (issue 26, items 8, 11, 21, 22, 23, 27 and 28).

A config whose every text field holds hostile markup (HTML, LaTeX and Markdown commands, TeX's
specials, terminal escapes, a line break that would start a heading, a long unbreakable word) is
published in all three formats: pdflatex compiles the LaTeX without an error or an overfull box,
html5lib parses the HTML without a parse error and finds no script, and the Markdown has no
raw markup. Every LaTeX table fits the text width (pdflatex's log says so), small numbers read
1.78 × 10⁻¹⁰ and an optimizer's rule is mathematics."""

import re
import shutil
import subprocess

import helpers
import pytest
from helpers import thorough_beyond
from test_publish import need_pdflatex, pdflatex, sketches  # noqa: F401 (a fixture)

from pencilnet.views.publish import html, latex

LONG = "x" * 140  # a word longer than a line
HOSTILE = ("<script>alert(1)</script><img src=x onerror=alert(2)> \\input{/etc/passwd} \\write18{rm -rf /} "
           "} { 100% #1 a_b x^2 $x$ & ~ \x1b]52;c;SGk=\x07\x1b[2J\u202e\n# not a heading\n\n    not code `tick` "
           "[link](javascript:alert(3)) " + LONG)


def hostile_config(folder) -> str:
    """The article's config with HOSTILE in every field that holds text."""
    return helpers.hostile_config(folder, " " + HOSTILE)


def published(cli, folder, name: str, *options) -> str:
    result = cli("publish", *options, "--out", folder / name)
    assert result.exit_code == 0, result.output
    return (folder / name).read_text(encoding="utf-8")


def test_hostile_text_in_latex_is_text_and_compiles_without_an_overfull_box(cli, tmp_path, sketches):  # noqa: F811
    need_pdflatex()
    tex = published(cli, tmp_path, "hostile.tex", hostile_config(tmp_path))
    body = tex[tex.index(r"\begin{document}"):]
    assert r"\input" not in body and r"\write18" not in body and r"\textbackslash{}input" in body
    assert "\x1b" not in tex and "\u202e" not in tex
    for special in ("100\\%", "\\#1", "a\\_b", "x\\textasciicircum{}2", "\\$x\\$", "\\&", "\\}"):
        assert special in body, special
    run = pdflatex(tmp_path, "hostile.tex")
    assert run.returncode == 0, run.stdout[-3000:]
    log = (tmp_path / "hostile.log").read_text(errors="replace")
    assert "Overfull \\hbox" not in log, "a long word or a table ran off the page"
    assert "No \\author given" not in log


def test_hostile_text_in_html_is_text_and_the_page_parses(cli, tmp_path, sketches):  # noqa: F811
    html5lib = pytest.importorskip("html5lib")
    page = published(cli, tmp_path, "hostile.html", hostile_config(tmp_path))
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(page)  # strict: any parse error (a control character, stray markup) raises
    assert tree.findall(".//script") == [] and tree.findall(".//img") == []
    assert "\x1b" not in page and "\u202e" not in page and "\\x1b]52;c;" in page
    assert "overflow-wrap" in page  # a long word breaks rather than running off the page


def test_hostile_text_in_markdown_is_text(cli, tmp_path, sketches):  # noqa: F811
    text = published(cli, tmp_path, "hostile.md", hostile_config(tmp_path))
    assert "<script>" not in text and "\\<script\\>" in text
    assert "\x1b" not in text and "\u202e" not in text
    assert not [line for line in text.splitlines() if line.startswith("# not a heading")]
    assert not [line for line in text.splitlines() if line.startswith("    not code")]
    assert "\\[link\\](javascript:alert(3))" in text and "\\$x\\$" in text


def test_small_numbers_are_typeset_as_powers_of_ten():
    from pencilnet.views.publish.math import Num

    assert latex.math((Num("1.78e-10"),)) == r"1.78 \times 10^{-10}"
    assert latex.math((Num("-2.5e12"),)) == r"-2.5 \times 10^{12}"
    assert latex.math((Num("1e-08"),)) == r"10^{-8}"
    assert html.math((Num("1.78e-10"),)) == ("<mn>1.78</mn><mo>×</mo><msup><mn>10</mn><mrow><mo>−</mo><mn>10</mn>"
                                             "</mrow></msup>")
    assert html.math((Num("-0.5"),)) == "<mn>−0.5</mn>"


ADAM = ("--set", "training.optimizer={name: adam}")


def test_the_adam_document_has_its_rule_as_mathml_and_no_article_values(cli, tmp_path, sketches):  # noqa: F811
    page = published(cli, tmp_path, "adam.html", *ADAM)
    update = page[page.index("5. The update"):]
    rules = update[update.index("<ul>"):update.index("<table")]
    assert "1e-08" not in rules and "0.9^" not in rules  # mathematics, not plain text
    assert "<msup><mrow><mn>0.9</mn></mrow><mrow><mn>1</mn></mrow></msup>" in rules
    assert '<mover accent="true"><mi>m</mi><mo>^</mo></mover>' in rules
    assert "<msup><mn>10</mn><mrow><mo>−</mo><mn>8</mn></mrow></msup>" in rules
    assert "Published values" not in page and "plain gradient descent" not in page


def test_a_result_shows_no_float_noise():
    from pencilnet.views.numbers import Style

    assert Style(10, None, 10).result(-1799999.9999999998) == "-1800000"
    assert Style(10, None, 10).result(-0.00042199600651003806) == "-0.00042199600651"
    assert Style(4, None, 4).result(-0.0134 * 0.2092 * 0.15) == "-0.000420492"  # the article's, every digit


@pytest.mark.parametrize("case", thorough_beyond(
    [("adam", ADAM), ("adam_pencil", (*ADAM, "--pencil", "12")), ("article", ())], 0), ids=lambda case: case[0])
def test_every_latex_table_fits_the_text_width(cli, tmp_path, sketches, case):  # noqa: F811
    need_pdflatex()
    name, options = case
    published(cli, tmp_path, f"{name}.tex", *options)
    run = pdflatex(tmp_path, f"{name}.tex")
    assert run.returncode == 0, run.stdout[-3000:]
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    # The Adam step's table ran 109.5 pt off the page before (its "new" column cut).
    assert not re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log), name


def test_latex_quotes_stay_straight_and_it_says_to_run_twice(cli, tmp_path, sketches):  # noqa: F811
    tex = published(cli, tmp_path, "quotes.tex")
    assert r"\textquotesingle{}tomato\textquotesingle{}" in tex and "'tomato'" not in tex
    assert r"\author{}" in tex and "pdflatex twice" in tex
    result = cli("publish", "--out", tmp_path / "twice.tex")
    assert "run pdflatex twice" in result.stderr


def test_publish_to_stdout_writes_markdown_without_pictures(cli, tmp_path):
    result = cli("publish", "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Red apple or tomato") and "left out" in result.stdout
    assert "](" not in result.stdout  # no link to a picture that is not there
    assert list(tmp_path.iterdir()) == []


def test_a_network_too_big_to_draw_is_published_saying_its_pictures_are_left_out(cli, tmp_path, monkeypatch):
    from pencilnet.io import budget

    monkeypatch.setattr(budget, "DRAWN_EDGES_LIMIT", 5)  # the article's 8 edges are too many
    text = published(cli, tmp_path, "big.md")
    assert "(The pictures of the network are left out: its 8 edges are more than the 5 a picture shows" in text
    assert not list(tmp_path.glob("*.svg"))


def test_publish_has_the_budget_every_command_has(cli, tmp_path):
    # 784-1000-10: 795,010 parameters, about 2.4 million rows of document: 4.6 GiB
    (tmp_path / "huge.yaml").write_text("inputs: 784\ninit: {scheme: xavier}\nlayers: [{size: 1000}, {size: 10}]\n"
                                        f"samples: [{{inputs: {[0] * 784}, target: {[0] * 10}}}]\n", encoding="utf-8")
    result = cli("publish", tmp_path / "huge.yaml", "--out", tmp_path / "huge.md")
    assert result.exit_code == 2
    assert "GiB" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "huge.md").exists()


def test_a_wide_picture_is_turned_to_fit_the_page(cli, tmp_path, sketches):  # noqa: F811
    tex = published(cli, tmp_path, "fig.tex")
    assert r"\networkpicture{fig-network-forward.pdf}" in tex
    assert r"angle=90" in tex and r"\begin{figure}[p]" in tex  # readable labels: the text height, not its width


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_a_long_word_in_latex_breaks(tmp_path):
    assert r"\allowbreak{}" in latex.text(LONG) and r"\allowbreak{}" not in latex.text("short words only")
    tex = latex.PREAMBLE + "\\begin{document}\n" + latex.text("A " + LONG + " end.") + "\n\\end{document}\n"
    (tmp_path / "long.tex").write_text(tex)
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "long.tex"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0 and "Overfull" not in (tmp_path / "long.log").read_text(errors="replace")


def test_a_picture_s_text_in_the_page_is_shown_not_obeyed():
    svg = html._svg('<?xml version="1.0"?>\n<svg><text>N\x1b[2J\u202eevil</text></svg>', "p")
    assert svg == "<svg><text>N\\x1b[2J\\u202eevil</text></svg>"
