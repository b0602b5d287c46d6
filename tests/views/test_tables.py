"""Renderers on a fixed-width console, compared as text."""

import re

import numpy as np
import pytest
from helpers import text_of

from pencilnet.core.stages import backprop, forward
from pencilnet.io.config import parse
from pencilnet.views import backprop_tables, run_tables, stage_tables, table_parts
from pencilnet.views.numbers import Style


def test_number_format():
    style = Style(4)
    assert style.number(0.857) == "0.8570"
    assert style.number(-0.0000001) == "-1.00e-7"  # three significant digits, never -0.0000
    assert style.number(-0.000421996) == "-0.000422"
    assert style.number(0.0016) == "0.00160"
    assert style.number(0.0362) == "0.0362"
    assert style.number(0.0) == "0.0000"
    assert style.number(-0.00000000000000001) == "-1.00e-17"
    assert style.number(float("nan")) == "nan"
    assert style.given(0.1) == "0.1" and style.given(0.15) == "0.15" and style.given(1.0) == "1"
    assert style.given(-0.5) == "-0.5" and style.operand("-0.5") == "(-0.5)"
    assert Style(0).number(2.5) == "3" and Style(0).number(-2.5) == "-3"  # half up, not half to even
    assert style.number(0.08505) == "0.0851"  # on the decimal digits seen, not on the binary value
    assert Style(1).number(0.25) == "0.3"  # one decimal asked for: one significant digit at least
    assert style.number(123456.0) == "123456.0000"


def test_forward_renders_the_weighted_sums(article):
    x, _ = article.sample(1)
    out = text_of(stage_tables.forward(article, forward(article.model, x), 1, Style()))
    lines = [line.strip() for line in out.splitlines()]
    assert "Sample 1: x1 = 0.15, x2 = 0.35" in lines
    assert any(re.fullmatch(r"h1\s+net_h1 = 0.15 × 0.1 \+ 0.35 × 0.12 \+ 0.8\s+0.8570\s+out_h1 = σ\(0.8570\)\s+0.7020",
                            line) for line in lines), out


BIG = """\
inputs: 6
bias_input: -1
layers:
  - weights: {w1}
    biases: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]
  - weights: {w2}
    biases: [0.5, -0.5]
samples:
  - {{inputs: [1, 2, 3, 4, 5, 6], target: [1, 0]}}
"""


def big_config():
    rng = np.random.default_rng(0)
    w1 = np.round(rng.normal(size=(6, 7)), 3).tolist()
    w2 = np.round(rng.normal(size=(7, 2)), 3).tolist()
    return parse(BIG.format(w1=w1, w2=w2), "big.yaml")


def test_long_sums_and_tables_are_shortened():
    config = big_config()
    x, t = config.sample(1)
    trace = forward(config.model, x)
    out = text_of(stage_tables.forward(config, trace, 1, Style(rows=3)))
    assert "… (4 more terms)" in out  # six products: three shown, the rest counted
    assert "-1 × 0.1" in out  # the bias input is written when it is not 1
    assert "… 4 more nodes not shown (--all shows every row)" in out
    grads = backprop(config.model, trace, t)
    out = text_of(backprop_tables.backprop(config, trace, t, grads, Style(rows=5)))
    assert "… 37 more parameters not shown" in out  # 6 × 7 inner weights, 5 shown
    everything = text_of(backprop_tables.backprop(config, trace, t, grads, Style(rows=None)))
    assert "not shown" not in everything and "w42" in everything


def test_hidden_layers_are_numbered_in_titles():
    config = big_config()
    assert table_parts.layer_title(config.model, 0) == "Part 1: from the input layer to the hidden layer"
    assert table_parts.layer_title(config.model, 1) == "Part 2: from the hidden layer to the output layer"


def test_epochs_to_show_and_sparkline():
    assert run_tables.epochs_to_show(5, 24) == [0, 1, 2, 3, 4]
    shown = run_tables.epochs_to_show(1000, 10)
    assert shown[0] == 0 and shown[-1] == 999 and len(shown) == 10
    assert run_tables.epochs_to_show(1000, None) == list(range(1000))
    assert run_tables.sparkline([3, 2, 1]) == "█▅▁"  # 3.5 of 7 steps rounds to the fifth block
    assert len(run_tables.sparkline(list(range(1000)), width=60)) == 60
    assert run_tables.sparkline([1, 1]) == "▁▁"


def test_a_standardised_sample_shows_its_raw_inputs(tmp_path):
    import pencilnet
    from pencilnet.views.numbers import Style

    # Raw features 10, 20, 30 (mean 20, population sd √(200/3) ≈ 8.165): sample 1 is 10 → −1.2247.
    (tmp_path / "d.csv").write_text("a,label\n10,x\n20,y\n30,x\n")
    config = pencilnet.loads("layers:\n  - {size: 2, activation: softmax, init: xavier}\nloss: cross_entropy\n"
                             "data: {train: d.csv, standardize: zscore}\n", base_dir=tmp_path)
    walk = config.walk(1)
    assert walk.x[0] == pytest.approx(-10 / (200 / 3) ** 0.5)
    text = text_of(stage_tables.forward(config, walk.trace, 1, Style(4)))
    shown = " ".join(text.split())
    assert "Standardised (zscore, x1 = (raw − mean) / sd, fitted on the training data): " in shown
    assert "x1 = (10.0000 − 20.0000) / 8.1650" in shown
