"""Legible wherever it runs: at 80 columns (a pipe, a CI log) every number is whole, every
formula on one line, no line wider than the console or ending in spaces; at 200 the tables
look as they always have."""

import re

import numpy as np
import pytest
from helpers import ROOT, text_of
from rich.cells import cell_len
from rich.text import Text

from pencilnet.views.layout import Grid, break_formula

SOFTMAX = """\
name: a 3-4-2 tanh and softmax network
inputs: 3
layers:
  - size: 4
    activation: tanh
    weights: [[0.1, -0.2, 0.3, 0.05], [0.4, 0.1, -0.3, 0.2], [-0.1, 0.25, 0.15, -0.35]]
    biases: [0.1, -0.1, 0.2, 0.0]
  - size: 2
    activation: softmax
    weights: [[0.3, -0.2], [0.1, 0.4], [-0.25, 0.15], [0.2, -0.1]]
    biases: [0.05, -0.05]
loss: cross_entropy
samples:
  - inputs: [0.5, -1.2, 0.8]
    target: [1, 0]
"""

COMMANDS = [("forward",), ("error",), ("backprop",), ("step",), ("walkthrough",), ("verify",), ("summary",),
            ("gradcheck",), ("train", "--epochs", "200"), ("summary", ROOT / "configs/fruit.yaml"),
            ("forward", ROOT / "configs/fruit.yaml"), ("backprop", "--pencil", "4"),
            ("error", "--set", "layers[1].biases=[-200, 200]"),
            ("train", "--set", "training.learning_rate=500", "--epochs", "100")]


def assert_legible(out: str, width: int) -> None:
    for line in out.splitlines():
        assert cell_len(line) <= width, line
        assert line == line.rstrip(), f"trailing spaces: {line!r}"
        assert not re.search(r"\d…|…\d", line), f"a number cut: {line!r}"
        assert not re.search(r"×\s*$|^\s*×", line), f"a product split: {line!r}"
        assert not re.search(r"0{12}", line), f"a number of a dozen zeros: {line!r}"


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(map(str, args)))
def test_every_command_is_legible_at_80_columns(cli, monkeypatch, args):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert_legible(result.stdout, 80)


@pytest.mark.parametrize("command", ["forward", "error", "backprop", "step"])
def test_a_softmax_network_is_legible_at_80_columns(cli, monkeypatch, tmp_path, command):
    (tmp_path / "soft.yaml").write_text(SOFTMAX)
    monkeypatch.setenv("COLUMNS", "80")
    result = cli(command, tmp_path / "soft.yaml")
    assert result.exit_code == 0, result.output
    assert_legible(result.stdout, 80)


def test_formulas_stay_whole_at_80_columns(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = [line.strip() for line in cli("walkthrough").stdout.splitlines()]
    for formula in ["net_h1 = 0.15 × 0.1 + 0.35 × 0.12 + 0.8", "net_y1 = 0.7020 × 0.05 + 0.5841 × 0.33 + 0.15",
                    "out_y2 = σ(1.0217)", "0.1432 × 0.05 + (-0.0515) × 0.4 = 0.00716 + (-0.0206) = -0.0134",
                    "0.5841 × (1 − 0.5841) = 0.2429", "0.05 − 0.5 × 0.1005"]:
        assert any(formula in line for line in lines), formula
    # the node and its numbers stay on the row; the arithmetic goes beneath it
    assert any(re.fullmatch(r"h1\s+0\.8570\s+0\.7020", line) for line in lines)


def test_wide_consoles_keep_one_row_per_node(cli):
    lines = [line.strip() for line in cli("forward").stdout.splitlines()]  # COLUMNS=200
    assert any(re.fullmatch(r"h1\s+net_h1 = 0.15 × 0.1 \+ 0.35 × 0.12 \+ 0.8\s+0.8570\s+out_h1 = σ\(0.8570\)\s+0.7020",
                            line) for line in lines)
    assert not any("beneath each row" in line for line in lines)


def test_verify_shows_every_digit_in_a_ci_log(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("verify").stdout
    assert_legible(out, 80)
    row = next(line for line in out.splitlines() if line.strip().startswith("dE/dw1 "))
    assert row.split()[1:3] == ["-0.000420492", "-0.00042049200"]  # published and computed, whole
    assert "exact: -0.00042199601" in out


def test_grid_breaks_arithmetic_only_between_terms():
    grid = Grid("name", "~formula", "#value")
    formula = " + ".join(f"0.{i}234 × (-0.{i}5)" for i in range(1, 9)) + " = 1.2345"
    grid.add_row("h1", formula, "1.2345")
    out = text_of(grid, width=40)
    assert_legible(out, 40)
    pieces = [line.strip() for line in out.splitlines()]
    assert "h1     1.2345" in pieces
    assert "".join(p for p in pieces if p.startswith(("0.1234", "+", "="))).replace("+", " + ").replace(
        "=", " = ").split() == formula.split()


def test_grid_stacks_rows_when_even_the_numbers_do_not_fit():
    grid = Grid("parameter", "#backprop", "#finite differences")
    grid.add_row("w1", "-0.000421996007", "-0.0004219960069")
    out = text_of(grid, width=44)  # side by side they need 47 columns, even with the header broken
    assert_legible(out, 44)
    assert [line.strip() for line in out.splitlines() if line] == [
        "w1", "backprop: -0.000421996007", "finite differences: -0.0004219960069"]
    narrow = text_of(grid, width=24)
    assert_legible(narrow, 24)
    assert "    finite differences:\n        -0.0004219960069\n" in narrow


def test_break_formula_keeps_a_long_product_whole():
    lines = break_formula(Text("a = 0.1234567 × 0.7654321 × 0.5555555"), 10, 4)
    assert [line.plain for line in lines] == ["a", "    = 0.1234567 × 0.7654321 × 0.5555555"]


def test_no_color_means_no_escape_codes(cli, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "\x1b[1m" in cli("error").stdout  # a terminal gets bold titles...
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli("error").stdout  # ...but NO_COLOR means no styles at all


def test_the_text_diagram_speaks_of_colours_only_where_they_show(cli, monkeypatch):
    legend = "(1) is a bias node: it feeds 1 to every node of the next layer"
    assert cli("diagram").stdout.rstrip().endswith(legend)  # a pipe: no colours, no word of them
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert "red: positive, blue: negative" in cli("diagram").stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert cli("diagram").stdout.rstrip().endswith(legend) and "red:" not in cli("diagram").stdout


def test_tiny_values_in_scientific_notation(cli):
    out = cli("error", "--set", "layers[1].biases=[-200, 200]").stdout
    total = next(line for line in out.splitlines() if line.startswith("E_total"))
    # An independent forward pass: out_y1 = σ(net_y1) ≈ e^net_y1 for net_y1 ≈ -199.6, and its
    # term ½ out_y1² ≈ 1.5e-174; out_y2 = σ(≈ 200.8) is 1 in float64, so its term is exactly 0.
    hidden = 1 / (1 + np.exp(-(np.array([0.15, 0.35]) @ [[0.1, 0.2], [0.12, 0.17]] + [0.8, 0.25])))
    net_y1 = hidden @ [0.05, 0.33] - 200
    term = 0.5 * (1 / (1 + np.exp(-net_y1))) ** 2
    mantissa, exponent = f"{term:.2e}".split("e")
    # (the † keys the config's declared erratum of the published E_total, beneath)
    assert total == f"E_total = {mantissa}e{int(exponent)} + 0.0000 = {mantissa}e{int(exponent)} †"
    assert "1.51e-174" in total


def test_shown_factors_multiply_to_the_shown_result_or_say_so(cli):
    out = cli("walkthrough").stdout
    # By hand from the numbers shown: 0.1432 × 0.33 = 0.047256, which rounds to 0.0473, not
    # the 0.0472 that the unrounded factors give; so the row says ≈ there.
    assert "0.1432 × 0.33 + (-0.0515) × 0.07 ≈ 0.0472 + (-0.00361) = 0.0436" in out
    assert "0.1432 × 0.05 + (-0.0515) × 0.4 = 0.00716 + (-0.0206) = -0.0134" in out  # 0.00716, -0.0206: exact
    # -0.0134 × 0.2092 = -0.00280328: shown -0.00281 (exactly -0.0028133), so ≈
    assert re.search(r"h1 .*0\.2092\s+≈ -0\.00281", out)
    # -0.0134 × 0.2092 × 0.15 = -0.000420492, shown -0.000422 (the article's own figure is the first)
    assert re.search(r"w1\s+x1 → h1\s+-0\.0134\s+0\.2092\s+0\.15 \(x1\)\s+≈ -0\.000422", out)
    # 0.5934 × 0.2413 × 0.7020 = 0.100518..., which is 0.1005: no ≈
    assert re.search(r"w5\s+h1 → y1\s+0\.5934\s+0\.2413\s+0\.7020 \(out_h1\)\s+0\.1005", out)
    # 0.05 − 0.5 × 0.1005 = -0.00025, shown -0.000254; 0.07 − 0.5 × (-0.0301) = 0.08505 → 0.0851, shown 0.0850
    assert re.search(r"0\.05 − 0\.5 × 0\.1005\s+≈ -0\.000254", out)
    assert re.search(r"0\.07 − 0\.5 × \(-0\.0301\)\s+≈ 0\.0850", out)
    assert "E_total = 0.1760 + 0.0350 ≈ 0.2111" in out  # 0.2110 by hand
    assert "The published example rounded as it went, to 4 decimals: --pencil 4 does too." in out
    assert out.count("Exact arithmetic") == 1  # said once, not once per stage


def test_pencil_arithmetic_needs_no_approximation(cli):
    out = cli("walkthrough", "--pencil", "4").stdout
    assert "≈" not in out  # every factor shown is the factor used
    assert "0.1432 × 0.33 + (-0.0515) × 0.07 = 0.0473 + (-0.0036) = 0.0437" in out  # the article's ∂E/∂out_h2


def test_softmax_outputs_are_shown_as_powers_over_their_sum(cli, tmp_path):
    (tmp_path / "soft.yaml").write_text(SOFTMAX)
    out = cli("forward", tmp_path / "soft.yaml").stdout
    # An independent forward pass in NumPy
    x = np.array([0.5, -1.2, 0.8])
    hidden = np.tanh(x @ [[0.1, -0.2, 0.3, 0.05], [0.4, 0.1, -0.3, 0.2], [-0.1, 0.25, 0.15, -0.35]]
                     + [0.1, -0.1, 0.2, 0.0])
    net = hidden @ [[0.3, -0.2], [0.1, 0.4], [-0.25, 0.15], [0.2, -0.1]] + [0.05, -0.05]
    total = np.exp(net).sum()
    assert f"out_y1 = e^({net[0]:.4f}) / {total:.4f}" in out
    assert f"Σ e^net = {np.exp(net[0]):.4f} + {np.exp(net[1]):.4f} = {total:.4f}" in out
    assert "softmax(" not in out
    back = cli("backprop", tmp_path / "soft.yaml").stdout
    out_y1 = np.exp(net[0]) / total
    assert f"{out_y1:.4f} − 1 = {out_y1 - 1:.4f}" in back  # softmax and cross-entropy: ∂E/∂net = out − target
    assert "three factors" not in back and "(into the hidden layers)" not in back
    error = cli("error", tmp_path / "soft.yaml").stdout
    assert "−0 " not in error and "−(0 × ln(" in error  # no negative zero


def test_softmax_without_cross_entropy_multiplies_out_as_written(cli, tmp_path):
    (tmp_path / "soft.yaml").write_text(SOFTMAX.replace("loss: cross_entropy", "loss: half_sse"))
    out = cli("backprop", tmp_path / "soft.yaml").stdout
    x = np.array([0.5, -1.2, 0.8])
    hidden = np.tanh(x @ [[0.1, -0.2, 0.3, 0.05], [0.4, 0.1, -0.3, 0.2], [-0.1, 0.25, 0.15, -0.35]]
                     + [0.1, -0.1, 0.2, 0.0])
    net = hidden @ [[0.3, -0.2], [0.1, 0.4], [-0.25, 0.15], [0.2, -0.1]] + [0.05, -0.05]
    o = np.exp(net) / np.exp(net).sum()
    dE_dout = o - [1, 0]
    coupling = dE_dout @ o
    assert re.search(rf"Σ_j ∂E/∂out_j × out_j = .* [=≈] {coupling:.4f}", out), out
    row = f"{o[0]:.4f} × ({dE_dout[0]:.4f} − ({coupling:.4f}))" if coupling < 0 else \
        f"{o[0]:.4f} × ({dE_dout[0]:.4f} − {coupling:.4f})"
    assert row in out, out


def test_one_rule_for_numbers_of_every_size():
    from pencilnet.views.numbers import Style, significant

    four = Style(4)
    assert four.number(1.51e-175) == "1.51e-175"  # not 175 zeros
    assert four.number(-0.0000099) == "-9.90e-6" and four.number(0.0000123) == "0.0000123"
    assert four.number(2.5e12) == "2.50e12" and four.number(123456.0) == "123456.0000"
    assert four.given(1e-7) == "1e-7"
    # --decimals N: N places, and a smaller value keeps min(N, 3) significant digits
    assert Style(0).number(0.857) == "1" and Style(0).number(-0.3) == "0"  # whole numbers, no -0
    assert Style(1).number(0.857) == "0.9" and Style(2).number(-0.000422) == "-0.00042"
    assert Style(3).number(-0.000422) == "-0.000422" and Style(6).number(0.857) == "0.857000"
    assert significant(-0.0, 10) == "0" and significant(-2.5e-8, 10) == "-2.5e-8"
    assert Style(4, pencil=4).result(-0.0) == "0" and Style(4, pencil=4).result(1e-12) == "1e-12"


def test_decimals_help_states_the_rule(cli):
    out = cli("forward", "--help").stdout
    assert "significant" in out


def test_predict_json_has_each_actual_class_and_the_confusion_matrix(cli):
    import csv
    import json

    data = json.loads(cli("predict", ROOT / "configs/fruit.yaml", "--json").stdout)
    with open(ROOT / "data/fruit-test.csv", newline="") as file:
        labels = [row["label"] for row in csv.DictReader(file)]
    found = data["predictions"]
    assert [p["actual"] for p in found] == labels  # the file's own labels, in order
    assert all(p["right"] == (p["actual"] == p["class"]) for p in found)
    classes = data["confusion"]["classes"]
    counts = [[sum(p["actual"] == a and p["class"] == b for p in found) for b in classes] for a in classes]
    assert data["confusion"]["counts"] == counts
    assert data["accuracy"] == sum(p["right"] for p in found) / len(found)


def test_declared_errata_and_tolerances_are_shown_beside_their_stage(cli):
    error = " ".join(cli("error").stdout.split())
    assert "E_total: published 0.21105, a declared erratum (a slip:" in error
    step = " ".join(cli("step").stdout.split())
    assert "w5_new: published 0.00025, a declared erratum (a lost sign:" in step
    assert "w8_new: published 0.0851, declared to hold within 0.0001;" in step
    assert "declared" not in cli("forward").stdout  # nothing declared there
    # the published values are for sample 1: another sample's tables do not mention them
    other = cli("error", "--set", "samples=[{inputs: [0.15, 0.35], target: [0, 1]}, {inputs: [0.1, 0.2], "
                "target: [1, 0]}]", "--sample", "2").stdout
    assert "declared" not in other


def test_backprop_ends_with_every_gradient_side_by_side(cli):
    out = cli("backprop", "--pencil", "4").stdout
    rows = [line.split() for line in out.split("All the gradients")[1].splitlines()]
    # the article's figures: ∂E/∂w1 = -0.000420492 and ∂E/∂w2 = 0.00159221 (pencil arithmetic);
    # by hand, ∂E/∂w5 = 0.5934 × 0.2413 × 0.7020 = 0.10051756884 and ∂E/∂bw3 = 0.5934 × 0.2413
    assert ["w5", "0.10051756884", "w1", "-0.000420492", "bw3", "0.14318742"] in rows
    assert ["w6", "-0.03616045524", "w2", "0.0015922095", "bw4", "-0.05151062"] in rows
    assert ["outside", "∂E/∂w", "inside", "∂E/∂w", "bias", "∂E/∂w"] in rows


def test_forward_names_the_weights_as_the_article_writes_them(cli):
    lines = cli("forward").stdout.splitlines()
    # the article's w1 x1→h1, w3 x2→h1, w5 h1→y1, w7 h2→y1 and bias weights bw1 … bw4
    for formula in ["net_h1 = x1 × w1 + x2 × w3 + bw1", "net_h2 = x1 × w2 + x2 × w4 + bw2",
                    "net_y1 = out_h1 × w5 + out_h2 × w7 + bw3", "net_y2 = out_h1 × w6 + out_h2 × w8 + bw4"]:
        assert formula in lines
    negative = cli("forward", "--set", "bias_input=-1").stdout
    assert "net_y1 = out_h1 × w5 + out_h2 × w7 + (-1) × bw3" in negative.splitlines()
