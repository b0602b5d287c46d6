"""Bringing your own data: labels checked and ordered, the label column found, hints for files
written the wrong way, class indices, one sigmoid output for two classes, standardisation, and
losses refused on outputs they are not defined on."""

import json

import numpy as np
import pytest

import pencilnet
from pencilnet.core.errors import ConfigError, InputError
from pencilnet.io.csv_data import load_csv
from pencilnet.io.dataset import class_order
from pencilnet.io.npz import load_npz
from pencilnet.io.scaling import Scaling


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def config_text(data: str, output: str = "size: 3\n    activation: softmax", loss: str = "cross_entropy",
                extra: str = "") -> str:
    return (f"inputs: 2\nseed: 1\ninit: xavier\nlayers:\n  - size: 4\n    activation: tanh\n  - {output}\n"
            f"loss: {loss}\n{extra}data:\n{data}")


def table(raw, labels) -> str:
    return "".join(f"{float(a)!r},{float(b)!r},{k}\n" for (a, b), k in zip(raw, labels, strict=True))


def rows(labels, features=2, seed=0) -> str:
    rng = np.random.default_rng(seed)
    return "".join(",".join(f"{v:.3f}" for v in rng.normal(size=features)) + f",{label}\n" for label in labels)


# ---- 6. test labels never seen in training ----------------------------------------------------


def test_a_test_label_the_training_data_does_not_have_is_refused(tmp_path):
    write(tmp_path, "train.csv", "a,b,label\n" + rows([0, 1, 2, 0, 1, 2]))
    write(tmp_path, "test.csv", "a,b,label\n" + rows([0, 1, 5, 1]))
    path = write(tmp_path, "net.yaml", config_text("  train: train.csv\n  test: test.csv\n"))
    message = error_of(pencilnet.load, str(path))
    assert "test.csv:4: column 'label': expected one of the classes 0, 1, 2, found '5'" in message


# ---- 7. whole-number labels in numeric order -------------------------------------------------


def test_twelve_numeric_classes_sort_as_numbers(tmp_path):
    labels = [11, 2, 0, 10, 1, 3, 4, 5, 6, 7, 8, 9]
    data = load_csv(write(tmp_path, "d.csv", "a,b,label\n" + rows(labels)))
    assert data.classes == [str(k) for k in range(12)]
    # Sample 1 is labelled 11: its one-hot target has its 1 in the twelfth place.
    assert data.targets[0].tolist() == [0.0] * 11 + [1.0]
    assert class_order(["b", "a10", "a2"]) == ["a10", "a2", "b"]  # text stays text
    assert class_order(["-1", "0.5", "10", "2"]) == ["-1", "0.5", "2", "10"]


# ---- the label column: label, or target --------------------------------------------------------


def test_a_target_column_is_the_label_when_there_is_no_label_column(tmp_path):
    data = load_csv(write(tmp_path, "d.csv", "a,b,target\n" + rows([0, 1, 1])))
    assert data.classes == ["0", "1"] and data.feature_names == ["a", "b"]
    message = error_of(load_csv, write(tmp_path, "both.csv", "a,label,target\n1,x,0\n"))
    assert "expected one label column, 'label' or 'target', found both" in message


def test_hints_for_a_pandas_index_and_for_semicolons(tmp_path):
    message = error_of(load_csv, write(tmp_path, "p.csv", ",a,b,label\n0,1,2,x\n"))
    assert message.endswith("column 1: expected a column name, found an empty field "
                            "(a CSV written by pandas with its index: write it with to_csv(path, index=False))")
    message = error_of(load_csv, write(tmp_path, "s.csv", "a;b;label\n1;2;x\n"))
    assert "expected columns separated by commas, found semicolons (';')" in message


# ---- .npz: class indices as labels ------------------------------------------------------------


def test_npz_integer_labels_are_class_indices(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x=np.zeros((4, 2)), y=np.array([1, 0, 2, 1]))
    data = load_npz(path)
    assert data.classes == ["0", "1", "2"] and data.targets.argmax(axis=1).tolist() == [1, 0, 2, 1]
    np.savez(path, inputs=np.zeros((3, 2)), labels=np.array([1, 0, 1]), classes=np.array(["cat", "dog"]))
    data = load_npz(path)
    assert data.labels == ["dog", "cat", "dog"] and data.targets.tolist() == [[0, 1], [1, 0], [0, 1]]
    np.savez(path, inputs=np.zeros((2, 2)), labels=np.array([0, 2]), classes=np.array(["cat", "dog"]))
    assert "array 'labels'[1]: expected a class index from 0 to 1 (one of cat, dog), found 2" in error_of(
        load_npz, path)


# ---- 4. losses on outputs they are not defined on ----------------------------------------------


@pytest.mark.parametrize("activation", ["identity", "relu", "tanh"])
@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
def test_a_cross_entropy_after_an_output_that_is_not_a_probability_is_refused(tmp_path, activation, loss):
    write(tmp_path, "d.csv", "a,b,label\n" + rows([0, 1, 2]))
    path = write(tmp_path, "net.yaml", config_text("  train: d.csv\n", f"size: 3\n    activation: {activation}",
                                                   loss))
    with pytest.raises(ConfigError) as caught:
        pencilnet.load(str(path))
    message = str(caught.value)
    assert f"loss: expected an output activation on which {loss} is defined (sigmoid or softmax" in message
    assert "or loss half_sse or mse, which take any output" in message
    assert f"found '{loss}' after {activation}" in message


def test_softmax_cross_entropy_targets_must_each_sum_to_one(tmp_path):
    write(tmp_path, "d.csv", "a,b,t1,t2,t3\n0.1,0.2,1,0,0\n0.3,0.4,1,1,0\n")
    path = write(tmp_path, "net.yaml", config_text("  train: d.csv\n  target_columns: [t1, t2, t3]\n"))
    with pytest.raises(ConfigError) as caught:
        pencilnet.load(str(path))
    assert "sample 2's target [1.0, 1.0, 0.0] (summing to 2)" in str(caught.value)
    # The same targets with sigmoid outputs and binary_cross_entropy: several labels a sample.
    path = write(tmp_path, "multi.yaml", config_text("  train: d.csv\n  target_columns: [t1, t2, t3]\n",
                                                     "size: 3\n    activation: sigmoid", "binary_cross_entropy"))
    assert pencilnet.load(str(path)).train_targets.tolist() == [[1, 0, 0], [1, 1, 0]]


# ---- 1. one sigmoid output for two classes ------------------------------------------------------


def test_a_two_class_label_column_with_one_output(tmp_path, cli):
    write(tmp_path, "d.csv", "a,b,label\n" + rows(["no", "yes", "yes", "no", "yes"]))
    path = write(tmp_path, "net.yaml", config_text("  train: d.csv\n  test: d.csv\n",
                                                   "size: 1\n    activation: sigmoid",
                                                   "binary_cross_entropy", "threshold: 0.5\n"))
    config = pencilnet.load(str(path))
    assert config.classes == ("no", "yes") and config.train_targets.ravel().tolist() == [0, 1, 1, 0, 1]
    data = json.loads(cli("train", str(path), "--json", "--epochs", "2").stdout)
    counts = np.array(data["confusion"]["counts"])
    assert counts.shape == (2, 2) and counts.sum() == 5 and counts.sum(axis=1).tolist() == [2, 3]
    assert data["confusion"]["classes"] == ["no", "yes"]
    # Three labels cannot be one yes/no output.
    write(tmp_path, "three.csv", "a,b,label\n" + rows(["a", "b", "c"]))
    path = write(tmp_path, "three.yaml", config_text("  train: three.csv\n", "size: 1\n    activation: sigmoid",
                                                     "binary_cross_entropy"))
    assert "expected 2 classes for one output node (a yes/no probability), found 3: a, b, c" in error_of(
        pencilnet.load, str(path))


def test_the_threshold_moves_the_predicted_class(tmp_path, cli):
    # One input, one sigmoid output, w1 = 1, bw1 = 0: out = σ(x); σ(0.5) ≈ 0.622, σ(2) ≈ 0.881.
    text = ("inputs: 1\nlayers:\n  - {size: 1, weights: [[1.0]], biases: [0.0]}\nclasses: [low, high]\n"
            "loss: binary_cross_entropy\nsamples:\n  - {inputs: [0.5], label: high}\n"
            "  - {inputs: [2.0], label: high}\n")
    found = json.loads(cli("predict", "-", "--json", input=text).stdout)
    assert [p["class"] for p in found["predictions"]] == ["high", "high"] and found["accuracy"] == 1.0
    found = json.loads(cli("predict", "-", "--json", "--set", "threshold=0.7", input=text).stdout)
    assert [p["class"] for p in found["predictions"]] == ["low", "high"] and found["accuracy"] == 0.5
    assert found["confusion"]["counts"] == [[0, 0], [1, 1]]
    assert cli("predict", "-", "--set", "threshold=1.5", input=text).exit_code == 2


# ---- standardisation ---------------------------------------------------------------------------


def test_standardisation_is_fitted_on_the_training_part_only(tmp_path):
    rng = np.random.default_rng(4)
    raw = rng.normal([100.0, -3.0], [20.0, 0.5], (40, 2))
    labels = rng.integers(0, 2, 40)
    write(tmp_path, "d.csv", "a,b,label\n" + table(raw, labels))
    path = write(tmp_path, "net.yaml", config_text("  train: d.csv\n  split: {test_fraction: 0.25, seed: 2}\n"
                                                   "  standardize: zscore\n", "size: 2\n    activation: softmax"))
    config = pencilnet.load(str(path))
    # An independent computation: the split's rows, their mean and (population) standard deviation.
    test_rows = np.sort(np.random.default_rng(2).permutation(40)[:10])
    train_rows = np.setdiff1d(np.arange(40), test_rows)
    mean, std = raw[train_rows].mean(axis=0), raw[train_rows].std(axis=0)
    np.testing.assert_allclose(config.train_inputs, (raw[train_rows] - mean) / std, rtol=1e-12)
    np.testing.assert_allclose(config.test_inputs, (raw[test_rows] - mean) / std, rtol=1e-12)
    np.testing.assert_allclose(config.train_inputs.mean(axis=0), 0, atol=1e-12)
    minmax = Scaling.of("minmax", raw, "x")
    np.testing.assert_allclose(minmax.apply(raw).min(axis=0), 0) and np.testing.assert_allclose(
        minmax.apply(raw).max(axis=0), 1)


def test_a_saved_config_classifies_raw_rows(tmp_path, cli):
    rng = np.random.default_rng(5)
    raw = rng.normal([100.0, -3.0], [20.0, 0.5], (60, 2))
    labels = np.where(raw[:, 0] > 100, "big", "small")
    write(tmp_path, "d.csv", "a,b,kind\n" + table(raw, labels))
    path = write(tmp_path, "net.yaml", config_text("  train: d.csv\n  label_column: kind\n  standardize: zscore\n",
                                                   "size: 2\n    activation: softmax"))
    saved = tmp_path / "trained.yaml"
    assert cli("train", str(path), "--epochs", "3", "--save", str(saved)).exit_code == 0
    config = pencilnet.load(str(saved))
    assert config.document["data"]["standardize"]["method"] == "zscore"
    np.testing.assert_allclose(config.scaling.offset, raw.mean(axis=0), rtol=1e-12)
    # New raw rows without labels: each predicted from (raw − mean) / std, written as CSV too.
    write(tmp_path, "new.csv", "a,b\n130.0,-3.0\n70.0,-2.5\n")
    out = tmp_path / "predicted.csv"
    result = cli("predict", str(saved), "--data", str(tmp_path / "new.csv"), "--json", "--out", str(out))
    assert result.exit_code == 0, result.output
    scaled = (np.array([[130.0, -3.0], [70.0, -2.5]]) - config.scaling.offset) / config.scaling.scale
    expected = pencilnet.forward(config.model, scaled).output
    found = json.loads(result.stdout)["predictions"]
    np.testing.assert_allclose([list(p["outputs"].values()) for p in found], expected, rtol=1e-12)
    lines = out.read_text().splitlines()
    assert lines[0] == "sample,class,y1,y2" and len(lines) == 3
    assert lines[1].split(",")[1] == config.classes[int(np.argmax(expected[0]))]
    # The training file itself, whose label column is 'kind': accuracy too.
    result = cli("predict", str(saved), "--data", str(tmp_path / "d.csv"), "--json")
    assert result.exit_code == 0, result.output
    assert 0 <= json.loads(result.stdout)["accuracy"] <= 1
    assert cli("predict", str(saved), "--input", "130,-3", "--json").exit_code == 0


# ---- sizes the data determines -------------------------------------------------------------------


def test_inputs_and_the_output_size_come_from_the_data_when_left_out(tmp_path):
    write(tmp_path, "d.csv", "a,b,c,label\n" + rows(["x", "y", "z", "x"], features=3))
    text = ("seed: 1\ninit: xavier\nlayers:\n  - {size: 4, activation: tanh}\n  - {activation: softmax}\n"
            "loss: cross_entropy\ndata: {train: d.csv}\n")
    config = pencilnet.load(str(write(tmp_path, "net.yaml", text)))
    assert config.model.sizes == [3, 4, 3]  # three feature columns, three classes
    # Given sizes are checked against the data, as before.
    wrong = write(tmp_path, "wrong.yaml", "inputs: 2\n" + text.replace("{activation: softmax}",
                                                                       "{size: 2, activation: softmax}"))
    with pytest.raises(ConfigError) as caught:
        pencilnet.load(str(wrong))
    assert "a dataset of 2 features (one per input node), found 3 in d.csv" in str(caught.value)
    assert "targets of 2 values (one per output node), found 3 in d.csv" in str(caught.value)


def test_a_regression_reports_its_error_and_r2_not_an_accuracy(tmp_path, cli):
    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, (80, 2))
    y = 2 * x[:, 0] - x[:, 1] + 0.5
    rows = "".join(f"{a!r},{b!r},{t!r}\n" for (a, b), t in zip(x.tolist(), y.tolist(), strict=True))
    write(tmp_path, "d.csv", "a,b,y\n" + rows)
    text = ("layers:\n  - {size: 1, activation: identity, weights: [[0.0], [0.0]], biases: [0.0]}\nloss: mse\n"
            "training: {learning_rate: 0.1, epochs: 40}\n"
            "data: {train: d.csv, target_columns: [y], split: {test_fraction: 0.25, seed: 3}}\n")
    path = write(tmp_path, "net.yaml", text)
    result = cli("train", str(path), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "confusion" not in data and "test_accuracies" not in data
    assert data["test_scores"]["r2"] > 0.99  # a linear target a linear network learns
    # The test set's error after every epoch; after the last, the error its scores are made from.
    assert len(data["test_errors"]) == 40 and data["test_errors"][-1] == pytest.approx(data["test_scores"]["error"],
                                                                                       rel=1e-12)
    assert data["test_errors"][-1] < data["test_errors"][0]
    table = cli("train", str(path), "--all").stdout
    assert "test error" in table.splitlines()[1] or "test error" in table
    saved = tmp_path / "trained.yaml"
    assert cli("train", str(path), "--save", str(saved)).exit_code == 0
    found = json.loads(cli("predict", str(saved), "--json").stdout)
    config = pencilnet.load(str(saved))
    outputs = pencilnet.forward(config.model, config.test_inputs).output
    # An independent R² of the test part: 1 − Σ(t − out)² / Σ(t − mean t)².
    t = config.test_targets
    r2 = 1 - ((t - outputs) ** 2).sum() / ((t - t.mean()) ** 2).sum()
    assert found["scores"]["r2"] == pytest.approx(r2, rel=1e-12) and "accuracy" not in found
    assert "class" not in found["predictions"][0]


def test_predict_on_an_npz_of_inputs_alone(tmp_path, cli):
    np.savez(tmp_path / "new.npz", x=np.array([[0.15, 0.35], [0.9, 0.1]]))
    result = cli("predict", "--data", str(tmp_path / "new.npz"), "--json")  # the article's network
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert "accuracy" not in found and found["predictions"][0]["class"] == "tomato"  # out_y2 0.7353 > 0.5933
    assert error_of(load_npz, tmp_path / "new.npz").startswith(str(tmp_path / "new.npz"))  # labels still required
