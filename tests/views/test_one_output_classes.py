"""A one-output classifier (one sigmoid node, a 0/1 target column) names both of its classes
everywhere it shows them: the confusion matrix (table and JSON), predictions, the forward pass.

Issue 22 item 7: with `target_columns: [malignant]` the config has one class name, and the test
set's confusion matrix showed one row (`malignant 10`) beside 2×2 counts in JSON. The classes a
threshold splits are named by its two sides of that name.
"""

import json

import numpy as np
import pytest
from helpers import text_of

import pencilnet
from pencilnet.views import as_json, run_tables
from pencilnet.views.example import class_names

# Ten samples: the class is 1 exactly when a > 0, so a network with a large weight on a gets
# them all right; the counts below are counted by hand from this list.
ROWS = [(-2.0, 0), (-1.5, 0), (-1.0, 0), (-0.5, 0), (-0.2, 0), (0.3, 1), (0.6, 1), (1.0, 1), (1.4, 1), (2.0, 1)]
CONFIG = """name: one output
inputs: 1
layers:
  - size: 1
    activation: sigmoid
    weights: [[10.0]]
    biases: [0.0]
loss: binary_cross_entropy
training: {learning_rate: 0.1, epochs: 1}
data:
  train: data.csv
  test: data.csv
  target_columns: [malignant]
"""


@pytest.fixture
def one_output(tmp_path):
    (tmp_path / "data.csv").write_text("a,malignant\n" + "".join(f"{a},{t}\n" for a, t in ROWS))
    path = tmp_path / "one.yaml"
    path.write_text(CONFIG)
    return path


def test_class_names_of_one_output_with_one_name_are_the_thresholds_sides(one_output):
    config = pencilnet.load(one_output)
    assert list(config.classes) == ["malignant"]  # what the config holds: one name for a 0/1 column
    assert class_names(config) == ["malignant < 0.5", "malignant ≥ 0.5"]
    article = pencilnet.load()
    assert class_names(article) == list(article.classes)  # two outputs, two names: unchanged


def test_the_confusion_matrix_shows_both_classes_in_the_table_and_in_json(one_output):
    config = pencilnet.load(one_output)
    found = config.predict(config.test_inputs, config.test_targets)
    # by hand: a > 0 ⇔ 10·a > 0 ⇔ out ≥ 0.5, so every sample is right: 5 and 5 on the diagonal
    assert found.confusion.tolist() == [[5, 0], [0, 5]]
    table = text_of(run_tables.confusion_table(class_names(config), found.confusion), 120)
    lines = table.splitlines()
    assert "actual \\ predicted   malignant < 0.5   malignant ≥ 0.5" in table
    assert [line.split()[-2:] for line in lines if line.startswith(" malignant")] == [["5", "0"], ["0", "5"]]
    shown = as_json.predictions(config, found)
    assert shown["confusion"] == {"classes": ["malignant < 0.5", "malignant ≥ 0.5"], "counts": [[5, 0], [0, 5]]}


def test_train_and_predict_name_both_classes(cli, one_output):
    trained = cli("train", one_output)
    assert trained.exit_code == 0, trained.output
    assert "malignant < 0.5" in trained.stdout and "malignant ≥ 0.5" in trained.stdout
    shown = json.loads(cli("train", one_output, "--json").stdout)
    assert shown["confusion"]["classes"] == ["malignant < 0.5", "malignant ≥ 0.5"]
    assert np.array(shown["confusion"]["counts"]).shape == (2, 2)
    predicted = cli("predict", one_output, "--data", one_output.parent / "data.csv")
    assert predicted.exit_code == 0, predicted.output  # was an IndexError traceback
    assert "P(malignant)" in predicted.stdout
    forward = cli("forward", one_output, "--sample", 6)  # a = 0.3: out = σ(3) ≈ 0.95
    assert forward.exit_code == 0, forward.output
    assert "Predicted class: malignant ≥ 0.5 (y1 = 0.9526, at or above the threshold 0.5)" in forward.stdout
