"""`pencilnet publish`: every number in the document is the engine's, the HTML is one valid
page that fetches nothing, and the LaTeX compiles.

The oracle for the numbers is `walkthrough --json` (full precision) with the same options:
the Markdown's LaTeX and the HTML's MathML are each read back into one plain linear form
by code written here, independently of the renderers, and every number in the mathematics
is compared with the engine's value at the number of decimals the document shows.
"""

import json
import math
import os
import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import numpy as np
import pytest
import yaml
from helpers import CASES, ROOT, random_model, thorough_beyond

pytest.importorskip("matplotlib")


@pytest.fixture
def sketches(monkeypatch):
    """Stand-in pictures, for the tests about the text: drawing each diagram takes half a second."""
    from pencilnet.views import network_figure

    def picture(config, stage, walk, kind, style=None) -> bytes:
        if kind == "pdf":  # pdflatex must be able to include it
            import io

            from matplotlib.figure import Figure

            buffer = io.BytesIO()
            Figure(figsize=(2, 1)).savefig(buffer, format="pdf")
            return buffer.getvalue()
        return (f'<svg xmlns="http://www.w3.org/2000/svg"><title>{stage}</title>'
                '<!-- a stand-in for the picture matplotlib draws --></svg>').encode()

    monkeypatch.setattr(network_figure, "picture", picture)


# --- reading the mathematics back ---------------------------------------------------------


def linear_latex(tex: str) -> str:
    """LaTeX mathematics as a linear text: ∂E/∂w5 as (∂E)/(∂w_5), x² as x^(2), w5's new value as w_5^(new)."""
    text = re.sub(r"-(?=\s)", "−", tex)  # the operator: a number's own sign is written against it
    text = text.replace(r"\begin{aligned}", "").replace(r"\end{aligned}", "").replace(r"\\", " ").replace("&", "")
    text = text.replace(r"\quad", "").replace("{}", "").replace(r"\tfrac{1}{2}", "½")
    for command, symbol in ((r"\partial", "∂"), (r"\approx", "≈"), (r"\times", "×"), (r"\cdots", "⋯"), (r"\sum", "Σ"),
                            (r"\sigma", "σ"), (r"\eta", "η"), (r"\tanh", "tanh"), (r"\ln", "ln"), (r"\max", "max")):
        text = text.replace(command, symbol)
    text = re.sub(r"\\math(?:rm|it)\{(\w+)\}", r"\1", text)
    text = re.sub(r"\\operatorname\{(\w+)\}", r"\1", text)
    previous = None
    while previous != text:  # innermost groups first
        previous = text
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", text)
        text = re.sub(r"_\{([^{}]*)\}", r"_\1", text)
        text = re.sub(r"\^\{([^{}]*)\}", r"^(\1)", text)
        text = re.sub(r"(?<![a-z}])\{([^{}]*)\}", r"\1", text)  # a bare group, not an argument of \frac
    assert "\\" not in text, f"LaTeX left unread: {text}"
    return re.sub(r"\s+", "", text)


class MathReader(HTMLParser):
    """Every <math> element of a page as a linear text, and every table row's cells."""

    def __init__(self):
        super().__init__()
        self.maths, self.stack, self.rows, self.cell = [], [], [], None
        self.equation = None  # the lines of a display equation, one <math> each, read as one

    def handle_starttag(self, tag, attrs):
        if tag == "div" and ("class", "eq") in attrs:
            self.equation = []
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self.cell = []
        if tag == "math" or self.stack:
            self.stack.append((tag, []))

    def handle_endtag(self, tag):
        if self.stack:
            name, parts = self.stack.pop()
            assert name == tag, (name, tag)
            if name in ("msub", "msup", "msubsup", "mfrac"):
                assert len(parts) == (3 if name == "msubsup" else 2), (name, parts)
            text = {"msub": lambda p: f"{p[0]}_{p[1]}", "msup": lambda p: f"{p[0]}^({p[1]})",
                    "msubsup": lambda p: f"{p[0]}_{p[1]}^({p[2]})",
                    "mfrac": lambda p: f"({p[0]})/({p[1]})"}.get(name, "".join)(parts)
            if self.stack:
                self.stack[-1][1].append(text)
            elif self.equation is not None:
                self.equation.append(text)
            else:
                self.maths.append(text)
                if self.cell is not None:
                    self.cell.append(self.maths[-1])
        if tag == "div" and self.equation is not None:
            self.maths.append("".join(self.equation))
            self.equation = None
        if tag in ("td", "th") and self.rows:
            self.rows[-1].append("".join(self.cell or []))
            self.cell = None

    def handle_data(self, data):
        if self.stack and data.strip():
            # a number's sign as "-", to tell it from the operator −, as linear_latex does
            self.stack[-1][1].append(data.strip().replace("−", "-") if self.stack[-1][0] == "mn" else data.strip())
        elif self.cell is not None and data.strip():
            self.cell.append(data.strip())


def markdown_maths(text: str) -> list[str]:
    displays = re.findall(r"^\$\$\n(.*?)\n\$\$$", text, flags=re.S | re.M)
    rest = re.sub(r"^\$\$\n.*?\n\$\$$", "", text, flags=re.S | re.M)
    inline = re.findall(r"(?<![\\$])\$([^$]+)\$", rest)
    return [linear_latex(m) for m in displays + inline]


def markdown_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("| "):
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            rows.append([linear_latex(c[1:-1]) if c.startswith("$") else c for c in cells])
    return rows


# --- what the engine says -------------------------------------------------------------------


NUMBER = re.compile(r"(?<![\w.^])-?\d+(?:\.\d+)?")


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def agrees(text: str, value: float) -> bool:
    """`text` is `value` rounded to the decimals `text` shows."""
    return abs(float(text) - value) <= 0.5 * 10.0 ** -decimals(text) * (1 + 1e-9) + 1e-15


def named_values(data: dict) -> dict[str, float]:
    """The quantity each equation's left-hand side names, in the linear form, → the engine's value."""
    found = {}
    for node, value in data["forward"]["net"].items():
        found[f"net_{node}"] = value
        found[f"out_{node}"] = data["forward"]["out"][node]
    for node, value in data["error"]["terms"].items():
        found[f"E_{node}"] = value
    found["E_total"] = data["error"]["error"]
    for node, entry in data["backprop"]["nodes"].items():
        found[f"(∂E)/(∂out_{node})"] = entry["dE_dout"]
        found[f"(∂out_{node})/(∂net_{node})"] = entry["dout_dnet"]
        found[f"(∂E)/(∂net_{node})"] = entry["dE_dnet"]
    for name, value in data["backprop"]["gradients"].items():
        base = name.rstrip("0123456789")
        found[f"(∂E)/(∂{base}_{name[len(base):]})"] = value
        found[f"{base}_{name[len(base):]}^(new)"] = data["step"]["weights"][name]
    return found


def all_values(data) -> list[float]:
    if isinstance(data, dict):
        return [v for item in data.values() for v in all_values(item)]
    if isinstance(data, list):
        return [v for item in data for v in all_values(item)]
    return [float(data)] if isinstance(data, (int, float)) and not isinstance(data, bool) else []


ARITHMETIC = re.compile(r"[-\d.×+−()]+")  # numbers and + − × only: a step Python can evaluate


def by_hand(arithmetic: str) -> Decimal:
    """Plain arithmetic as a person does it, in decimals: no binary rounding on the way."""
    python = re.sub(r"\d+(?:\.\d+)?", lambda found: f"Decimal('{found.group()}')", arithmetic)
    return eval(python.replace("×", "*").replace("−", "-"), {"Decimal": Decimal})  # noqa: S307 (+ − × only)


def gives(worked: Decimal, shown: str) -> bool:
    """`worked`, rounded half up to the places `shown` has, is `shown`."""
    return worked.quantize(Decimal(1).scaleb(-decimals(shown)), rounding=ROUND_HALF_UP) == Decimal(shown)


def check_numbers(maths: list[str], rows: list[list[str]], data: dict, places: int = 4,
                  pencil: bool = False) -> set[str]:
    """Every number of the mathematics is one of the engine's; each equation naming a quantity
    ends in its value; the table of all gradients has the engine's. Returns the names checked.

    Each step of plain arithmetic followed by "=" gives the number after it, rounded to the digits
    shown, and one followed by "≈" does not (issue 26 item 25: the terminal's tables mark such a
    result, and so must a document). In pencil arithmetic every number shown is the number carried,
    so every step is "=": a factor shown in the wrong place, or a wrong one, fails even when it is
    one of the engine's."""
    for m in maths:
        parts = re.split("([=≈])", m)
        steps, relations = parts[0::2], parts[1::2]
        for k in range(1, len(steps) - 1):
            left, right, relation = steps[k], steps[k + 1], relations[k]
            if ARITHMETIC.fullmatch(left) and NUMBER.fullmatch(right):
                worked = by_hand(left)
                assert relation == ("=" if gives(worked, right) else "≈"), f"{m}: {left} is {worked}"
                # Pencil arithmetic carries what it shows, except the products it keeps whole (error terms,
                # gradients), which are shown to 12 significant digits: their sum may then be one unit off
                # in its 12th digit, and that step is rightly "≈".
                shown = Decimal(right.replace("−", "-"))
                twelfth = Decimal(10) ** (shown.adjusted() - 11) if shown else Decimal(0)
                assert relation == "=" or not pencil or abs(worked - shown) <= twelfth, \
                    f"{m}: pencil arithmetic carries what it shows"
    values = all_values(data)
    outputs = len(data["error"]["terms"])
    named, checked = named_values(data), set()
    for m in maths:
        for number in NUMBER.findall(m.replace("^(2)", "²")):
            constant = abs(float(number)) in (0, 1, 2, outputs) and "." not in number
            assert constant or any(agrees(number, v) for v in values), f"{number} in {m}: not the engine's"
        lhs, _, rest = m.partition("=")
        if lhs in named and re.search("[=≈]", rest):
            shown = re.split("[=≈]", rest)[-1]
            value = named[lhs]
            # The document's precision: its decimals, or three significant digits for a small value.
            assert decimals(shown) >= min(places, 3 - math.floor(math.log10(abs(value)))) if value else True, m
            assert agrees(shown, value), f"{m}: the engine has {value}"
            checked.add(lhs)
    gradients = data["backprop"]["gradients"]
    table = [row for row in rows if len(row) == 4 and row[0] in gradients and "→" in row[1]]
    assert [row[0] for row in table] == list(gradients), "the table of all gradients lists every parameter in order"
    for name, _, factors, shown in table:
        assert agrees(shown.removeprefix("≈"), gradients[name]), (name, shown, gradients[name])
        if ARITHMETIC.fullmatch(factors) and NUMBER.fullmatch(shown.removeprefix("≈")):
            worked = by_hand(factors)
            assert shown.startswith("≈") == (not gives(worked, shown.removeprefix("≈"))), (name, factors, shown)
    return checked


def engine(cli, *options) -> dict:
    result = cli("walkthrough", *options, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def publish(cli, tmp_path, name: str, *options) -> str:
    result = cli("publish", *options, "--out", tmp_path / name)
    assert result.exit_code == 0, result.output
    return (tmp_path / name).read_text(encoding="utf-8")


def html_reader(text: str) -> MathReader:
    reader = MathReader()
    reader.feed(text)
    reader.close()
    return reader


# --- the article ---------------------------------------------------------------------------


@pytest.mark.parametrize("arithmetic", [("--pencil", "4"), ("--exact",)])
def test_every_number_of_the_article_document_is_the_engines(cli, tmp_path, sketches, arithmetic):
    data = engine(cli, *arithmetic)
    markdown = publish(cli, tmp_path, "a.md", *arithmetic)
    page = publish(cli, tmp_path, "a.html", *arithmetic)
    reader = html_reader(page)
    everything = set(named_values(data))
    pencil = "--pencil" in arithmetic
    from_markdown = check_numbers(markdown_maths(markdown), markdown_rows(markdown), data, pencil=pencil)
    from_html = check_numbers(reader.maths, reader.rows, data, pencil=pencil)
    # Every net, out, error term, node factor, gradient and new value is written out, in both formats.
    assert from_markdown == from_html == everything


def test_the_article_in_pencil_arithmetic_shows_its_hand_calculation(cli, tmp_path, sketches):
    # The article's own figures, which pencil arithmetic to 4 decimals reproduces:
    # net_h1 = 0.15 × 0.1 + 0.35 × 0.12 + 0.8 = 0.857; ∂E/∂out_h1 = 0.1432 × 0.05 + (−0.0515) × 0.4
    # = 0.0072 + (−0.0206) = −0.0134; ∂E/∂w1 = −0.0134 × 0.2092 × 0.15 = −0.000420492.
    maths = markdown_maths(publish(cli, tmp_path, "a.md", "--pencil", "4"))
    assert "net_h1=x_1×w_1+x_2×w_3+bw_1=0.15×0.1+0.35×0.12+0.8=0.8570" in maths
    assert ("(∂E)/(∂out_h1)=(∂E)/(∂net_y1)×w_5+(∂E)/(∂net_y2)×w_6"
            "=0.1432×0.05+(-0.0515)×0.4=0.0072+(-0.0206)=-0.0134") in maths
    assert ("(∂E)/(∂w_1)=(∂E)/(∂out_h1)×(∂out_h1)/(∂net_h1)×(∂net_h1)/(∂w_1)"
            "=(-0.0134)×0.2092×0.15=-0.000420492") in maths
    assert "w_5^(new)=w_5−η×(∂E)/(∂w_5)=0.05−0.5×0.10051756884=-0.0003" in maths
    assert "out_h1=σ(net_h1)=(1)/(1+e^(−0.8570))=0.7020" in maths


def test_the_article_document_in_order_with_its_published_values(cli, tmp_path, sketches):
    text = publish(cli, tmp_path, "a.md", "--pencil", "4", "--title", "Week 3: backprop by hand")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0] == "# Week 3: backprop by hand"
    order = ["1. The network", "2. The forward pass", "3. The total error", "4. Backpropagation",
             "Part 1: the weights on the outside", "Part 2: the weights on the inside",
             "Part 3: the bias weights on the outside", "Part 4: the bias weights on the inside",
             "All the gradients", "5. The update", "Published values"]
    positions = [next(i for i, h in enumerate(headings) if name in h) for name in order]
    assert positions == sorted(positions)
    assert text.count("Arithmetic:") == 1 and "as with a pencil, to 4 decimals" in text
    # The two slips and the one tolerance of the published example, each with its explanation.
    published = text.split("## Published values")[1]
    assert "E\\_total: printed 0.21105, an erratum: a slip" in published
    assert "w5\\_new: printed 0.00025, an erratum: a lost sign" in published
    assert "w8\\_new: printed 0.0851, accepted within 0.0001: the article rounded" in published
    for stage in ("forward", "backprop", "step"):
        picture = tmp_path / f"a-network-{stage}.svg"
        assert picture.exists() and f"](a-network-{stage}.svg)" in text


def test_no_published_values_without_an_expected_section(cli, tmp_path, sketches):
    config = tmp_path / "plain.yaml"
    data = yaml.safe_load((ROOT / "configs" / "article.yaml").read_text())
    del data["expected"]
    config.write_text(yaml.safe_dump(data))
    text = publish(cli, tmp_path, "a.md", config)
    assert "Published values" not in text and "Arithmetic: exact" in text


# --- any network ------------------------------------------------------------------------------


def write_config(tmp_path, sizes, hidden, output, loss, seed: int) -> str:
    rng = np.random.default_rng(seed)
    model = random_model(rng, sizes, hidden + [output])
    target = np.eye(sizes[-1])[rng.integers(sizes[-1])]
    data = {
        "inputs": sizes[0], "bias_input": model.bias_input,
        "layers": [{"size": layer.size, "activation": layer.activation, "weights": layer.weights.round(3).tolist(),
                    "biases": layer.biases.round(3).tolist()} for layer in model.layers],
        "loss": loss, "training": {"learning_rate": 0.3},
        "classes": [f"class {k}" for k in range(sizes[-1])],
        "samples": [{"inputs": rng.uniform(-1, 1, sizes[0]).round(2).tolist(), "target": target.tolist()}],
    }
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


CONFIGURABLE = [c for c in CASES if "softmax" not in c[0]]  # a config takes softmax on the output layer only


# Locally the three hidden layers and a fused softmax; every case in CI.
@pytest.mark.parametrize("case", thorough_beyond(CONFIGURABLE, 1, 2), ids=lambda c: "-".join(c[0] + [c[1], c[2]]))
def test_every_activation_and_loss_document_is_the_engines(cli, tmp_path, sketches, case):
    hidden, output, loss = case
    sizes = [3] + [3] * len(hidden) + [2]
    config = write_config(tmp_path, sizes, hidden, output, loss, seed=len(hidden) * 7 + len(loss))
    for arithmetic in (("--exact",), ("--pencil", "5")):
        data = engine(cli, config, *arithmetic)
        text = publish(cli, tmp_path, "n.md", config, *arithmetic)
        # The engine forms a softmax layer's gradient from its unrounded ∂E/∂net (only the factor it
        # carries back is rounded), so in pencil arithmetic that line's shown product is off in the last digits.
        redone = "--pencil" in arithmetic and (output, loss) != ("softmax", "half_sse")
        checked = check_numbers(markdown_maths(text), markdown_rows(text), data, pencil=redone)
        # every quantity is written out, except the two factors a fused or softmax output replaces
        missing = set(named_values(data)) - checked
        assert all("(∂E)/(∂out_y" in m or "(∂out_" in m for m in missing), missing


def test_a_network_without_a_hidden_layer_has_two_groups_of_gradients(cli, tmp_path, sketches):
    config = write_config(tmp_path, [3, 2], [], "sigmoid", "half_sse", seed=1)
    data = engine(cli, config, "--pencil", "4")
    text = publish(cli, tmp_path, "one.md", config, "--pencil", "4")
    assert set(named_values(data)) == check_numbers(markdown_maths(text), markdown_rows(text), data, pencil=True)
    parts = [line for line in text.splitlines() if line.startswith("### Part") and "weights" in line]
    assert parts == ["### Part 1: the weights on the outside, into the output layer",
                     "### Part 2: the bias weights on the outside"]


def test_a_shared_bias_and_frozen_weights(cli, tmp_path, sketches):
    data = yaml.safe_load((ROOT / "configs" / "article.yaml").read_text())
    del data["expected"]  # its values are those of the article's network
    data["layers"][1].update(bias="shared", biases=0.6)
    data["layers"][0]["freeze"] = "weights"
    config = tmp_path / "shared.yaml"
    config.write_text(yaml.safe_dump(data))
    data = engine(cli, config)
    text = publish(cli, tmp_path, "shared.md", config)
    checked = check_numbers(markdown_maths(text), markdown_rows(text), data)
    assert set(named_values(data)) - checked == {f"w_{n}^(new)" for n in range(1, 5)}  # frozen: not updated
    # one bias weight bw3 into y1 and y2: its gradient is the sum of their error signals, times the bias input 1
    line = next(m for m in markdown_maths(text) if m.startswith("(∂E)/(∂bw_3)="))
    signals = data["backprop"]["nodes"]
    # 0.1473 + (−0.0579) = 0.0894 by hand, and the gradient is 0.0893: "≈", as the terminal marks it
    assert f"=({signals['y1']['dE_dnet']:.4f}+({signals['y2']['dE_dnet']:.4f}))×1≈0.0893" in line
    assert "w1, w2, w3, w4 are frozen" not in text and "w1 … w4 are frozen: they keep their values." in text
    assert [data["step"]["weights"][f"w{n}"] for n in range(1, 5)] == [0.1, 0.2, 0.12, 0.17]


def test_an_optimizers_step_is_its_own_not_the_articles_formula(cli, tmp_path, sketches):
    # Adam's first step from a zero state: m = 0.1 g, v = 0.001 g², m̂ = m / 0.1 = g, v̂ = v / 0.001 = g²,
    # so the update is 0.5 × g / (|g| + 1e-8) = 0.5 × sign(g) and new = old − update to within 0.5e-8 / |g| ≤ 1.3e-5
    # (the smallest gradient here is w1's, −0.000422): w1 = 0.1 + 0.5 = 0.6000, w2 = 0.2 − 0.5 = −0.3000.
    text = publish(cli, tmp_path, "adam.md", "--set", "training.optimizer={name: adam}", "--set",
                   "layers[0].freeze=weights")
    update = text[text.index("## 5. The update"):]
    # The rule as mathematics, like every formula (eps as a power of ten, never 1e-08).
    assert r"$\mathrm{update} = 0.5 \times \hat{m} / ( \sqrt{\hat{v}} + 10^{-8} )$" in update
    assert r"$\mathrm{new} = \mathrm{old} - \mathrm{update}$" in update
    assert r"$v = 0.999 \times v + 0.001 \times {( \frac{\partial E}{\partial w} )}^{2}$" in update
    assert "η" not in update, "the plain formula w − η × ∂E/∂w does not describe Adam's step"
    rows = {row[0]: row for row in markdown_rows(update)[1:]}
    assert sorted(rows) == sorted(["w5", "w6", "w7", "w8", "bw1", "bw2", "bw3", "bw4"])  # w1 … w4 frozen
    assert "4 frozen parameters keep their values and no state." in update
    for name, old, gradient, m, _v, mhat, _vhat, step, new in rows.values():
        g = float(gradient)
        assert float(step) == pytest.approx(0.5 * math.copysign(1, g), abs=6e-5), name
        assert float(new) == pytest.approx(float(old) - float(step), abs=1e-4), name
        assert float(mhat) == pytest.approx(g, rel=2e-3) and float(m) == pytest.approx(0.1 * g, rel=5e-3)
    assert text.splitlines()[2].startswith("One step of adam (betas 0.9, 0.999, eps 1e-08) on a 2-2-2 network")
    # The article's published values are of plain gradient descent: not this document's example.
    assert "Published values" not in text and "plain gradient descent" not in text


def test_an_optimizers_rule_in_latex_has_hats_roots_and_powers():
    from pencilnet.views.publish.latex import text

    # A caret in prose is a caret: a user's "x^2" is text (issue 26 item 8); rules are mathematics.
    assert text("m̂ = m / (1 − 0.9^t); √v̂") == r"$\hat{m}$ = m / (1 $-$ 0.9\textasciicircum{}t); $\surd$$\hat{v}$"


def test_a_large_network_gets_formulas_a_few_rows_and_complete_tables(cli, tmp_path, sketches):
    config = write_config(tmp_path, [12, 9, 2], ["sigmoid"], "sigmoid", "half_sse", seed=3)  # 117 + 20 parameters
    data = engine(cli, config)
    text = publish(cli, tmp_path, "big.md", config)
    maths, rows = markdown_maths(text), markdown_rows(text)
    checked = check_numbers(maths, rows, data)
    # The large first layer: three nets written out, shortened (first terms, ⋯, last term), and a table of all nine.
    nets = [m for m in maths if m.startswith("net_h")]
    assert [m.split("=")[0] for m in nets] == ["net_h1", "net_h2", "net_h3"]
    assert all("⋯" in m for m in nets)
    assert {f"h{j}" for j in range(1, 10)} <= {row[0] for row in rows}
    # Three of its 108 weight gradients written out; the output layer (20 parameters) in full.
    assert {name for name in checked if name.startswith("(∂E)/(∂w_")} == (
        {"(∂E)/(∂w_1)", "(∂E)/(∂w_2)", "(∂E)/(∂w_3)"} | {f"(∂E)/(∂w_{n})" for n in range(109, 127)})
    # Every update of the large layer in its table: old, gradient and new value.
    update = {row[0]: row for row in rows if len(row) == 4 and "→" not in row[1]}
    for name in [f"w{n}" for n in range(1, 109)] + [f"bw{n}" for n in range(1, 10)]:
        assert agrees(update[name][3].removeprefix("≈"), data["step"]["weights"][name]), name
        old, gradient, new = (cell.removeprefix("≈") for cell in update[name][1:])
        worked = by_hand(f"{old}−{data['step']['learning_rate']}×({gradient})")
        assert update[name][3].startswith("≈") == (not gives(worked, new)), (name, update[name])
    assert len(text) < 120_000


# --- HTML -----------------------------------------------------------------------------------


def test_the_html_is_one_valid_page_that_fetches_nothing(cli, tmp_path):
    html5lib = pytest.importorskip("html5lib")
    page = publish(cli, tmp_path, "a.html", "--pencil", "4")
    html5lib.HTMLParser(strict=True).parse(page)  # raises on any parse error of the HTML5 syntax
    assert list(tmp_path.iterdir()) == [tmp_path / "a.html"], "one file: the pictures are inside it"

    class References(HTMLParser):
        tags, links, ids = [], [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            for key, value in attrs:
                if key in ("src", "href", "xlink:href", "action", "srcset", "data"):
                    self.links.append(value)
                if key == "id":
                    self.ids.append(value)

    found = References()
    found.feed(page)
    assert "link" not in found.tags and "script" not in found.tags and "iframe" not in found.tags
    assert all(link.startswith(("#", "data:")) for link in found.links), [link[:40] for link in found.links]
    assert not re.search(r"url\((?!#)|@import", page)
    assert len(found.ids) == len(set(found.ids)), "two inline pictures share an id"
    assert found.tags.count("svg") == 3 and found.tags.count("math") > 50
    assert "@media print" in page


# --- LaTeX ------------------------------------------------------------------------------------


def need_pdflatex():
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing in CI: .ci/run installs texlive-latex-base and -recommended")
        pytest.skip("pdflatex is not installed")


def pdflatex(folder, name: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", name],
                          cwd=folder, capture_output=True, text=True, timeout=120)


def test_the_latex_compiles_with_pdflatex(cli, tmp_path):
    need_pdflatex()
    text = publish(cli, tmp_path, "worked.tex", "--pencil", "4")
    assert text.startswith(r"\documentclass")
    assert text.rstrip().endswith("\\end{document}\n% written by pencilnet publish")
    packages = set(re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]+)\}", text))
    assert packages <= {"inputenc", "geometry", "amsmath", "graphicx", "longtable", "booktabs"}
    assert r"\includegraphics" in text and (tmp_path / "worked-network-forward.pdf").exists()
    run = pdflatex(tmp_path, "worked.tex")
    assert run.returncode == 0, run.stdout[-3000:]
    assert (tmp_path / "worked.pdf").read_bytes().startswith(b"%PDF")
    assert "Missing character" not in (tmp_path / "worked.log").read_text(errors="replace")


# Between them, every activation and loss, fused and not, and three hidden layers (a heading level more).
# Locally the softmax with its full Jacobian; every case in CI.
@pytest.mark.parametrize("case", thorough_beyond([CASES[1], CASES[2], CASES[3], CASES[4]], 2),
                         ids=lambda c: "-".join(c[0] + [c[1], c[2]]))
def test_the_latex_of_every_activation_and_loss_compiles(cli, tmp_path, sketches, case):
    need_pdflatex()
    hidden, output, loss = case
    config = write_config(tmp_path, [3] + [3] * len(hidden) + [2], hidden, output, loss, seed=5)
    publish(cli, tmp_path, "n.tex", config, "--pencil", "4", "--title", "Every token: ½ σ Σ ∂ → ⋯ − ×")
    run = pdflatex(tmp_path, "n.tex")
    assert run.returncode == 0, run.stdout[-3000:]
    assert "Missing character" not in (tmp_path / "n.log").read_text(errors="replace")


def test_latex_prose_escapes_what_tex_would_read_as_commands(cli, tmp_path, sketches):
    text = publish(cli, tmp_path, "t.tex", "--title", "50% of #1 & $x_1$ ~ {a} \\ ✓")
    title = re.search(r"\\title\{(.*)\}\n", text).group(1)
    assert title == r"50\% of \#1 \& \$x\_1\$ \textasciitilde{} \{a\} \textbackslash{} [U+2713]"


# --- the command ------------------------------------------------------------------------------


@pytest.mark.parametrize("name, message", [
    ("a.txt", "a.txt: expected a file name ending in .md, .html, .tex or .ipynb, found '.txt'"),
    ("a", "a: expected a file name ending in .md, .html, .tex or .ipynb, found 'no suffix'"),
    ("no/such/a.md", "no/such/a.md: no such directory: no/such"),
    ("my notes.tex", "my notes.tex: expected a name of letters, digits, - and _ for a LaTeX document"),
])
def test_a_bad_out_is_one_line_and_exit_2_writing_nothing(cli, tmp_path, sketches, monkeypatch, name, message):
    monkeypatch.chdir(tmp_path)
    result = cli("publish", "--out", name)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"pencilnet: error: {message}") and result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_options_as_the_stage_commands(cli, tmp_path, sketches):
    article = (ROOT / "configs" / "article.yaml").read_text()
    result = cli("publish", "-", "--exact", "--pencil", "4", "--out", tmp_path / "a.md", input=article)
    assert result.exit_code == 2 and "--pencil and --exact" in result.stderr
    result = cli("publish", "-", "--sample", "2", "--out", tmp_path / "a.md", input=article)
    assert result.exit_code == 2 and "--sample: expected a sample number from 1 to 1, found 2" in result.stderr
    result = cli("publish", "-", "--out", tmp_path / "from-stdin.md", input=article)
    assert result.exit_code == 0 and (tmp_path / "from-stdin.md").read_text().startswith("# Red apple or tomato")
    (tmp_path / "article.yaml").write_text(article)
    text = publish(cli, tmp_path, "a.md", tmp_path / "article.yaml", "--decimals", "6",
                   "--set", "training.learning_rate=0.25")
    assert "\\eta = 0.25" in text and "= 0.857000" in text  # net_h1 to six decimals
    assert result.stdout == ""


def test_it_says_what_it_wrote_on_stderr(cli, tmp_path, sketches):
    result = cli("publish", "--out", tmp_path / "a.md")
    assert result.stdout == ""
    assert [line.rsplit("/", 1)[-1] for line in result.stderr.splitlines()] == [
        "a-network-forward.svg", "a-network-backprop.svg", "a-network-step.svg", "a.md"]


def test_the_docs_show_what_publish_writes(cli, tmp_path, sketches):
    section = (ROOT / "docs" / "publishing.md").read_text(encoding="utf-8")
    excerpt = re.search(r"```markdown\n(.*?)```", section, flags=re.S).group(1)
    assert excerpt in publish(cli, tmp_path, "worked.md", "--pencil", "4")
    assert (ROOT / "docs" / "publish-article-page.png").exists() and "](publish-article-page.png)" in section
