"""What `train` shows after a run: a big network's final weights as one line per layer (every
weight with --all), and the test set before the weights for a classifier and a regression alike.

Issue 22 item 14: `train` printed every final weight of a big network (the first --rows of them
and a count) and put a regression's test-set line after the weights, a classifier's before.
"""

import numpy as np
import pytest
from helpers import ROOT, text_of

import pencilnet
from pencilnet.core.model import Layer, Model
from pencilnet.views import run_tables
from pencilnet.views.numbers import Style

FRUIT = ROOT / "configs" / "fruit.yaml"


def test_a_big_network_shows_how_much_each_layer_moved():
    # Two layers of known changes: every weight of the first moves by +0.1 (and one by -0.5),
    # the second's do not move, so the means are worked out by hand below.
    before = Model((Layer(np.zeros((6, 8)), np.zeros(8)), Layer(np.ones((8, 2)), np.ones(2))))
    first = np.full((6, 8), 0.1)
    first[2, 3] = -0.5  # w20: row 2, column 3 of an 8-wide layer is the 2·8 + 3 + 1 = 20th weight
    after = Model((Layer(first, np.full(8, 0.1)), Layer(np.ones((8, 2)), np.ones(2))))
    assert before.parameter_count == 74  # beyond a few dozen
    text = text_of(run_tables.final_weights(before, after, Style()), 120)
    assert "Final weights: how much each layer moved (--all shows all 74)" in text
    rows = [line.split() for line in text.splitlines() if line.startswith((" hidden", " output"))]
    # mean |change| of the first layer: (55 × 0.1 + 0.5) / 56 = 6.0 / 56 = 0.107142…
    assert rows[0] == ["hidden", "1", "w1", "…", "w48,", "bw1", "…", "bw8", "56", "0.1071", "w20:", "-0.5000"]
    assert rows[1][-4:] == ["18", "0.0000", "w49:", "0.0000"]
    assert "w1 " not in text.split("largest change")[1].replace("w1 …", "")  # no row per weight
    every = text_of(run_tables.final_weights(before, after, Style(rows=None)), 120)  # --all
    assert every.count("\n w") + every.count("\n bw") == 74


def test_a_small_network_still_shows_every_weight(article):
    history = article.train()
    text = text_of(run_tables.final_weights(article.model, history.model, Style()), 120)
    assert text.startswith("Final weights\n") and " bw4 " in text and " w8 " in text


def test_train_on_fruit_shows_layers_and_all_shows_every_weight(cli):
    out = cli("train", FRUIT, "--epochs", "1").stdout
    assert "how much each layer moved" in out and "\n w24 " not in out
    assert "hidden 1   w1 … w1296, bw1 … bw36" in out
    every = cli("train", FRUIT, "--epochs", "1", "--all").stdout
    assert "\n w1368 " in every and "\n bw38 " in every


REGRESSION = """name: a line
inputs: 1
seed: 1
init: {scheme: xavier}
layers:
  - {size: 1, activation: identity}
loss: mse
training: {learning_rate: 0.1, epochs: 3}
data:
  train: data.csv
  test: data.csv
  target_columns: [y]
"""


@pytest.mark.parametrize("kind", ["classifier", "regression"])
def test_the_test_set_comes_before_the_weights_in_one_order(cli, tmp_path, kind):
    if kind == "regression":
        (tmp_path / "data.csv").write_text("x,y\n" + "".join(f"{x},{2 * x}\n" for x in range(5)))
        (tmp_path / "c.yaml").write_text(REGRESSION)
        config = tmp_path / "c.yaml"
    else:
        config = FRUIT
    out = cli("train", config, "--epochs", "2").stdout
    assert out.index("Test set:") < out.index("Final weights")


def test_the_layer_summary_fits_80_columns(cli):
    out = cli("train", FRUIT, "--epochs", "1").stdout
    line = next(line for line in out.splitlines() if line.startswith("Final weights"))
    assert len(line) <= 80
    assert pencilnet.load(FRUIT).model.parameter_count == 1406
