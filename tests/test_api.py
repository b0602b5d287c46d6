"""The Python API a notebook uses: every public name importable from `pencilnet`, a config from a
path, YAML text or a dict, the stages, training with the config's schedule, and predictions."""

import importlib

import numpy as np
import pytest

import pencilnet


@pytest.mark.parametrize("name", pencilnet.__all__)
def test_every_public_name_is_importable_and_documented(name):
    value = getattr(importlib.import_module("pencilnet"), name)
    if callable(value) and not isinstance(value, dict):
        assert (value.__doc__ or "").strip(), f"pencilnet.{name} has no docstring"


def test_modules_are_attributes():
    assert pencilnet.as_json.predictions and pencilnet.tables.predictions and pencilnet.config.load
    with pytest.raises(AttributeError):
        _ = pencilnet.no_such_name


TEXT = """
inputs: 2
layers:
  - {weights: [[0.10, 0.20], [0.12, 0.17]], biases: [0.80, 0.25]}
  - {weights: [[0.05, 0.40], [0.33, 0.07]], biases: [0.15, 0.70]}
training: {learning_rate: 0.5, epochs: 3}
classes: [red apple, tomato]
samples:
  - {inputs: [0.15, 0.35], label: tomato}
"""


def test_a_config_from_text_or_a_dict_is_the_article():
    import yaml

    article = pencilnet.load()
    for config in (pencilnet.loads(TEXT), pencilnet.from_dict(yaml.safe_load(TEXT))):
        assert config.model.parameters() == article.model.parameters()
        assert config.schedule.epochs == 3
        # The article's out_y2 = 0.7353 for the sample (its forward pass, printed to 4 places).
        assert round(float(pencilnet.forward(config.model, config.train_inputs[0]).output[1]), 4) == 0.7353
    with pytest.raises(pencilnet.ConfigError):
        pencilnet.from_dict({"inputs": 2, "layers": "none"})
    with pytest.raises(pencilnet.InputError):
        pencilnet.from_dict(["not", "a", "dict"])


def test_train_and_predict_from_a_config():
    config = pencilnet.loads(TEXT)
    history = config.train()
    assert history.epochs_run == 3 and len(history.errors) == 3
    # The same run through the loop itself, with the config's schedule.
    again = pencilnet.train(config.model, config.train_inputs, config.train_targets, config.schedule, config.loss)
    assert again.model.parameters() == history.model.parameters()
    found = config.predict([[0.15, 0.35]], [[0.0, 1.0]])
    assert config.classes[found.predicted[0]] == "tomato" and found.accuracy == 1.0
    np.testing.assert_array_equal(found.outputs, pencilnet.forward(config.model, [[0.15, 0.35]]).output)


def test_the_docs_python_api_example_runs(capsys):
    from helpers import ROOT

    section = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    code = section[section.index("```python\n") + 10:section.index("```", section.index("```python\n") + 10)]
    exec(code, {})
    assert capsys.readouterr().out == "['tomato']\n"  # the article's sample: out_y2 0.7353 > out_y1 0.5933


# ---- what the API takes and hands out (issue 26 item 17) ------------------------------------------


@pytest.mark.parametrize("inputs, message", [
    ([[np.nan, 0.2]], "inputs: row 1, value 1: expected a finite number, found nan"),
    ([[0.15, np.inf]], "inputs: row 1, value 2: expected a finite number, found inf"),
    ([np.nan, 0.2], "inputs: value 1: expected a finite number, found nan"),
    ([[0.15, 0.35], [0.1, -np.inf]], "inputs: row 2, value 2: expected a finite number, found -inf"),
    # The width, said as `predict --input` says it ("--input: expected 2 numbers (one per input node), found 3").
    ([1, 2, 3], "inputs: expected 2 numbers (one per input node), found 3"),
    ([[1, 2, 3]], "inputs: expected 2 numbers in each row (one per input node), found 3"),
    ([[1, 2], [1, 2, 3]], "inputs: expected rows of 2 numbers, found [[1, 2], [1, 2, 3]]"),
    ("0.15, 0.35", "inputs: expected rows of 2 numbers, found '0.15, 0.35'"),
])
def test_predict_refuses_what_predict_input_refuses(inputs, message):
    config = pencilnet.loads(TEXT)
    with pytest.raises(pencilnet.InputError) as caught:
        config.predict(inputs)
    assert str(caught.value) == message


def test_predict_with_targets_of_the_wrong_shape_is_a_pencilnet_error():
    config = pencilnet.loads(TEXT)
    with pytest.raises(pencilnet.InputError, match=r"^targets: expected 2 numbers in each row \(one per output"):
        config.predict([[0.15, 0.35]], [[0.0, 1.0, 0.0]])
    with pytest.raises(pencilnet.InputError, match=r"^targets: expected 1 rows, one per row of inputs, found 2"):
        config.predict([[0.15, 0.35]], [[0.0, 1.0], [1.0, 0.0]])


def test_nothing_the_api_hands_out_changes_the_config():
    config = pencilnet.loads(TEXT)
    x, target = config.sample(1)
    for array in (x, target, config.train_inputs, config.train_targets):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 42
    assert config.sample(1)[0].tolist() == [0.15, 0.35]  # the article's x1, x2, as they were
    assert config.classes == ("red apple", "tomato") and isinstance(config.classes, tuple)
    with pytest.raises(pencilnet.InputError, match="expected a sample number from 1 to 1, found 1.0"):
        config.sample(1.0)


def test_the_document_and_labels_a_config_hands_out_cannot_change_it(tmp_path):
    # config.document and config.labels were the loader's own dicts: a change to them (or to a list
    # inside) changed what `train --save` writes and which names the tables show.
    config = pencilnet.loads(TEXT + "labels: {w5: w6, w6: w5}\n")
    for change in (lambda: config.document.__setitem__("name", "x"), lambda: config.document.pop("layers"),
                   lambda: config.document["layers"][0].__setitem__("size", 9),
                   lambda: config.document["layers"][0]["weights"][0].__setitem__(0, 9.0),
                   lambda: config.document["layers"].append({}), lambda: config.labels.__setitem__("w1", "v"),
                   lambda: config.labels.clear()):
        with pytest.raises((TypeError, AttributeError)):
            change()
    (tmp_path / "d.csv").write_text("a,b,label\n0.1,0.2,red apple\n0.3,0.4,tomato\n")
    (tmp_path / "c.yaml").write_text("inputs: 2\nlayers: [{size: 2, init: xavier}]\nclasses: [red apple, tomato]\n"
                                     "data: {train: d.csv}\n")
    assert pencilnet.load(str(tmp_path / "c.yaml")).feature_names == ("a", "b")  # a tuple, not the loader's list
    assert config.document["layers"][0]["weights"][0][0] == 0.10 and dict(config.labels) == {"w5": "w6", "w6": "w5"}
    # what a save writes is still the document, with the trained weights
    from pencilnet.io.saving import saved_text

    saved = pencilnet.loads(saved_text(config, config.model, "nothing", tmp_path / "s.yaml"))
    assert saved.document["layers"][0]["weights"] == ((0.1, 0.2), (0.12, 0.17)) and saved.labels == config.labels


def test_from_dict_takes_numpy_arrays_and_refuses_what_yaml_cannot_hold():
    import yaml

    data = yaml.safe_load(TEXT)
    data["layers"][0]["weights"] = np.array(data["layers"][0]["weights"])  # as a notebook holds them
    data["layers"][0]["biases"] = np.array(data["layers"][0]["biases"])
    assert pencilnet.from_dict(data).model.parameters() == pencilnet.loads(TEXT).model.parameters()
    data["name"] = {"a", "b"}
    with pytest.raises(pencilnet.InputError, match=r"^<dict>: expected mappings, lists, .* found a set"):
        pencilnet.from_dict(data)
