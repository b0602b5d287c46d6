"""A config's declared errata and tolerances are marked beside the values they concern, in
every stage table that shows such a value, and keyed by the same mark beneath."""

import json
import re

import pytest
from helpers import ROOT

FOOTNOTE = re.compile(r"[†‡§¶‖]")  # the marks, as a reader sees them

ARTICLE = (ROOT / "configs" / "article.yaml").read_text()

# The article's network with other declarations: one per stage's kind of quantity. By hand
# (exact arithmetic): net_y1 = 0.70203 × 0.05 + 0.58404 × 0.33 + 0.15 = 0.3778, published 0.3779;
# ∂E/∂out_h2 = 0.1432 × 0.33 + (-0.0515) × 0.07 = 0.0436, published 0.0437; ∂E/∂w1 = -0.000422.
DECLARED = ARTICLE.split("expected:")[0] + """\
expected:
  values:
    net_y1: {value: "0.3779", tolerance: "0.0001", note: "rounded as it went"}
    out_h2: "0.5841"
    dE/dout_h2: {value: "0.0437", tolerance: "0.0001"}
    dE/dw1: {value: "0.00042", erratum: "a lost sign"}
"""


def row(out: str, first: str) -> str:
    """The table line whose first cell is `first`."""
    return next(line for line in out.splitlines() if line.split()[:1] == [first])


@pytest.fixture
def narrow(cli, monkeypatch):
    """The CLI as a pipe or a CI log sees it: 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    return cli


@pytest.mark.parametrize("pencil", [[], ["--pencil", "4"]], ids=["exact", "pencil 4"])
def test_step_marks_the_new_weights_the_article_printed_otherwise(narrow, pencil):
    out = narrow("step", *pencil).stdout
    # w5_new: 0.05 − 0.5 × 0.1005 = −0.00025 (the article lost the sign); w8_new: 0.07 − 0.5 × (−0.0301)
    # = 0.08505 from the rounded gradient, 0.0850 from the whole one (the article printed 0.0851)
    assert re.search(r"-0\.000(254|3) †$", row(out, "w5")), row(out, "w5")
    assert re.search(r"0\.0850 ‡$", row(out, "w8")), row(out, "w8")
    for name in ("w1", "w6", "bw4"):
        assert not FOOTNOTE.search(row(out, name))
    notes = " ".join(out.split("bw4")[-1].split())  # beneath the table, wrapped at 80 columns
    assert "† w5_new: published 0.00025, a declared erratum (a lost sign:" in notes
    assert "‡ w8_new: published 0.0851, declared to hold within 0.0001; the article rounded" in notes


def test_a_marked_number_stays_aligned_on_its_last_digit(cli):
    out = cli("step").stdout
    plain, marked = row(out, "w1"), row(out, "w5")
    # the mark stands beyond the column of numbers: "0.1002" and "≈ -0.000254" end in one column
    assert marked.endswith("≈ -0.000254 †") and plain.endswith("0.1002")
    assert len(plain) == len(marked) - len(" †")


def test_error_marks_the_total(narrow):
    out = narrow("error").stdout
    # ½ (0 − 0.5934)² + ½ (1 − 0.7353)² = 0.1760 + 0.0350 = 0.2111; the article printed 0.21105
    assert row(out, "E_total").endswith("≈ 0.2111 †")
    assert not FOOTNOTE.search(row(out, "E_y1")) and not FOOTNOTE.search(row(out, "E_y2"))
    assert "† E_total: published 0.21105, a declared erratum" in " ".join(out.split())


def test_forward_and_backprop_mark_their_values(cli, tmp_path):
    config = tmp_path / "declared.yaml"
    config.write_text(DECLARED)
    forward = cli("forward", config).stdout
    assert row(forward, "y1").endswith("≈ 0.3778 †   out_y1 = σ(0.3778)   ≈ 0.5934")
    assert "† net_y1: published 0.3779, declared to hold within 0.0001; rounded as it went" in forward
    assert "out_h2" not in forward.split("Predicted class")[1]  # reproduced: nothing to declare
    backprop = cli("backprop", config).stdout
    # the hidden node's sum, its row in Part 2's table, and the summary of all gradients
    assert row(backprop, "h2").split("   ")[1].endswith("= 0.0436 †")
    assert row(backprop, "w1").endswith("≈ -0.000422 ‡")  # Part 2
    summary = backprop.split("All the gradients")[1]
    assert row(summary, "w5").split()[2:5] == ["w1", "-0.000422", "‡"]  # side by side
    # ∂E/∂out_h2 is a factor of w2, w4 and bw2 as well; each mark has one note
    assert [line.split()[0] for line in backprop.splitlines() if "†" in line] == ["h2", "w2", "w4", "bw2", "†"]
    assert backprop.count("‡") == 3
    assert "† dE/dout_h2: published 0.0437, declared to hold within 0.0001" in backprop
    assert "‡ dE/dw1: published 0.00042, a declared erratum (a lost sign)" in backprop
    step = cli("step", config).stdout  # the gradient's column there carries its mark too
    assert row(step, "w1").split()[:4] == ["w1", "0.1", "-0.000422", "†"]
    assert "† dE/dw1: published 0.00042, a declared erratum (a lost sign)" in step


def test_another_sample_has_no_marks(cli):
    two = ("samples=[{inputs: [0.15, 0.35], target: [0, 1]}, {inputs: [0.1, 0.2], target: [1, 0]}]")
    out = cli("step", "--set", two, "--sample", "2").stdout
    assert "†" not in out and "‡" not in out


def test_json_lists_the_declarations_beside_the_values(cli, tmp_path):
    step = json.loads(cli("step", "--json").stdout)
    assert step["expected"] == {
        "w5_new": {"published": "0.00025", "kind": "erratum", "erratum": "a lost sign: 0.05 - 0.5 x 0.1005 = -0.00025"},
        "w8_new": {"published": "0.0851", "kind": "tolerance", "tolerance": "0.0001",
                   "note": "the article rounded this gradient to -0.0301 before the update, but not the others"}}
    assert json.loads(cli("error", "--json").stdout)["expected"]["E_total"]["kind"] == "erratum"
    walk = json.loads(cli("walkthrough", "--json").stdout)
    assert "expected" not in walk["forward"] and "expected" not in walk["backprop"]  # nothing declared there
    config = tmp_path / "declared.yaml"
    config.write_text(DECLARED)
    backprop = json.loads(cli("backprop", config, "--json").stdout)
    assert set(backprop["expected"]) == {"dE/dout_h2", "dE/dw1"}
    assert backprop["expected"]["dE/dout_h2"] == {"published": "0.0437", "kind": "tolerance", "tolerance": "0.0001"}
    # only a key added: the rest as it was
    assert set(backprop) == {"sample", "gradients", "chain", "nodes", "inputs", "expected", "arithmetic"}


def test_an_optimizers_step_table_marks_them_too(cli, tmp_path):
    config = tmp_path / "momentum.yaml"
    config.write_text(ARTICLE.replace("  epochs: 1 ", "  optimizer: {name: sgd, momentum: 0.9}\n  epochs: 1 "))
    out = cli("step", config).stdout
    # the first step with momentum is plain gradient descent (b = ∂E/∂w): the same new weights
    assert "momentum 0.9" in out
    assert row(out, "w5").endswith("-0.000254 †") and row(out, "w8").endswith("0.0850 ‡")
    assert "† w5_new: published 0.00025, a declared erratum" in out


def test_a_note_that_wraps_goes_on_under_itself_not_under_its_mark(narrow):
    # At 80 columns w8's note takes two lines; the second starts under the note's first letter.
    lines = narrow("step").stdout.splitlines()
    first = next(k for k, line in enumerate(lines) if line.startswith("‡ w8_new: published 0.0851"))
    assert lines[first + 1].startswith("  ") and lines[first + 1].strip().endswith("but not the others")
