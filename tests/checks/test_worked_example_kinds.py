"""Kinds of published worked examples beyond the article's: the output itself differentiated,
input gradients, values after N epochs or steps, a slip beside its correction, and a book's own
sign conventions and labels. Each against numbers worked by hand in the comments."""

import json
import re

import pytest
from helpers import ROOT

# One sigmoid neuron f = σ(w1·x1 + w2·x2 + bw1), w = (2, −3), bw1 = −3, at x = (−1, −2):
#   net = 2 × −1 + (−3) × (−2) − 3 = 1, out = σ(1) = 0.7311, ∂f/∂net = 0.7311 × 0.2689 = 0.1966
#   ∂f/∂w1 = x1 × 0.1966 = −0.1966, ∂f/∂w2 = −2 × 0.1966 = −0.3932, ∂f/∂bw1 = 0.1966
#   ∂f/∂x1 = w1 × 0.1966 = 0.3932, ∂f/∂x2 = −3 × 0.1966 = −0.5898
# Lecture notes print these to two places: 0.20, −0.20, −0.39, 0.39, −0.59.
NEURON = """\
name: one sigmoid neuron, its output differentiated
inputs: 2
layers:
  - size: 1
    activation: sigmoid
    weights: [[2], [-3]]
    biases: [-3]
loss: output
samples:
  - {inputs: [-1, -2], target: [0]}
expected:
  arithmetic: exact
  values:
    out_y1: "0.73"
    dE/dnet_y1: "0.20"
    dE/dw1: "-0.20"
    dE/dw2: "-0.39"
    dE/dbw1: "0.20"
    dE/dx1: "0.39"
    dE/dx2: "-0.59"
"""


def test_the_output_itself_and_the_inputs_gradients_reproduce_a_single_neuron(cli, tmp_path):
    path = tmp_path / "neuron.yaml"
    path.write_text(NEURON)
    result = cli("verify", str(path))
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(cli("backprop", str(path), "--json").stdout)
    assert data["inputs"]["x1"] == pytest.approx(2 * 0.19661193324148185, rel=1e-12)
    assert data["nodes"]["y1"]["dE_dout"] == 1.0  # ∂f/∂out = 1: nothing but the output is differentiated
    assert "E = Σ out (the outputs themselves are differentiated)" in cli("error", str(path)).stdout
    tables = cli("backprop", str(path)).stdout
    assert "∂E/∂x" in tables and "x1" in tables


def test_input_gradients_agree_with_finite_differences(article):
    import numpy as np

    from pencilnet.core.stages import backprop, error, forward

    x, target = article.sample(1)
    found = backprop(article.model, forward(article.model, x), target, article.loss)
    h = 1e-6
    for i in range(len(x)):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        numeric = (error(forward(article.model, up), target).total - error(forward(article.model, down), target).total)
        assert found.dE_dx[i] == pytest.approx(numeric / (2 * h), rel=1e-6)
    assert np.allclose(found.input_terms.sum(axis=1), found.dE_dx)


def test_values_after_epochs_and_steps(cli, tmp_path):
    # After one step (one epoch of the one sample) the article's error is 0.190152945909, the
    # figure `train --epochs 1` reports as its final error: two paths, one number.
    section = cli("expect", "--decimals", "9", "--steps", "1").stdout
    assert 'E_total_after_1_steps: "0.190152946"' in section
    final = json.loads(cli("train", "--json", "--epochs", "1").stdout)["final_error"]
    assert final == pytest.approx(0.190152946, abs=5e-10)
    # out_y2 after one step, by hand from the new weights rounded to four places (step --json):
    #   out_h1 = σ(0.1002 × 0.15 + 0.1205 × 0.35 + 0.8014) = σ(0.858605) = 0.7024
    #   out_h2 = σ(0.1992 × 0.15 + 0.1681 × 0.35 + 0.2447) = σ(0.333415) = 0.5826
    #   out_y2 = σ(0.4181 × 0.7024 + 0.085 × 0.5826 + 0.7258) = σ(1.06899) = 0.7444
    # and out_y1 after three epochs, from the weights `train --epochs 3 --json` reports, below.
    import math

    w = json.loads(cli("train", "--json", "--epochs", "3").stdout)["weights"]
    sigma = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    h1, h2 = sigma(w["w1"] * 0.15 + w["w3"] * 0.35 + w["bw1"]), sigma(w["w2"] * 0.15 + w["w4"] * 0.35 + w["bw2"])
    y1 = f"{sigma(w['w5'] * h1 + w['w7'] * h2 + w['bw3']):.6f}"
    text = (ROOT / "configs" / "article.yaml").read_text().split("expected:")[0]
    config = tmp_path / "after.yaml"
    config.write_text(text + 'expected:\n  values:\n    E_total_after_1_epochs: "0.1902"\n'
                      f'    out_y2_after_1_steps: "0.7444"\n    out_y1_after_3_epochs: "{y1}"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout


def test_a_printed_slip_and_its_correction_under_one_name(cli, tmp_path):
    text = (ROOT / "configs" / "article.yaml").read_text().split("expected:")[0]
    config = tmp_path / "slip.yaml"
    # The article printed w5_new = 0.00025; 0.05 − 0.5 × 0.1005 = −0.00025.
    entry = ('expected:\n  arithmetic: pencil 4\n  values:\n    w5_new:\n      value: "0.00025"\n'
             '      erratum: "a lost sign"\n      corrected: "{}"\n')
    config.write_text(text + entry.format("-0.00025"))
    data = json.loads(cli("verify", str(config), "--json").stdout)
    assert cli("verify", str(config)).exit_code == 0 and data["passed"]
    # two rows under one name: the printed slip, declared; its correction, reproduced (pencil 4)
    assert [(e["name"], e["published"], e["verdict"]) for e in data["entries"]] == [
        ("w5_new", "0.00025", "erratum"), ("w5_new", "-0.00025", "match")]
    config.write_text(text + entry.format("-0.00026"))  # a wrong correction fails like any value
    failed = cli("verify", str(config))
    assert failed.exit_code == 1 and "w5_new" in failed.stderr
    config.write_text(text + entry.format("-0.00025").replace('      erratum: "a lost sign"\n', ""))
    refused = cli("verify", str(config))
    assert refused.exit_code == 2 and "corrected: expected a correction beside an erratum" in refused.stderr


def test_a_books_signs_and_labels(cli, tmp_path):
    # A book writes e = target − out and δ = −∂E/∂net, and numbers weights from node to node:
    # e_y1 = 0 − 0.5934 = −0.5934; δ_y1 = −(0.5934 × 0.2413) = −0.1432; the article's w5
    # (h1 → y1) is the book's w35 when inputs are nodes 1, 2, hidden 3, 4 and outputs 5, 6.
    text = (ROOT / "configs" / "article.yaml").read_text().split("expected:")[0]
    config = tmp_path / "book.yaml"
    config.write_text(text + "labels: {h1: n3, y1: n5, w5: w35}\n"
                      'expected:\n  values:\n    e_n5: "-0.5934"\n    delta_n5: "-0.1432"\n    dE/dw35: "0.1005"\n'
                      '    delta_n3: "0.0028"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "dE/dw35" in result.stdout
    # The tables show the publication's labels beside pencilnet's names.
    assert re.search(r"^ w5 \(w35\) +h1 → y1 ", cli("backprop", str(config)).stdout, re.M)
    assert re.search(r"^ h1 \(n3\) +net_h1 = ", cli("forward", str(config)).stdout, re.M)
    config.write_text(text + "labels: {w55: x}\n")
    bad = cli("forward", str(config))
    assert bad.exit_code == 2 and "labels.w55: expected a node or parameter of this network" in bad.stderr
