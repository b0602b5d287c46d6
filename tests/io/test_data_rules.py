"""The rules a user's data is read by, each against an independent oracle where there is one:
columns matched by name, the class order (NaN-like labels last, as NumPy sorts), standardisation
that cannot overflow (scikit-learn's scalers), R² of a constant target (scikit-learn's r2_score),
what stopped the sizes being inferred, target columns as numbers, the split's written rule and
its stratified form, and many labels checked before any one-hot row is built."""

import itertools
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import pencilnet
from pencilnet.core.errors import ConfigError, InputError
from pencilnet.core.metrics import scores
from pencilnet.io.csv_data import load_csv
from pencilnet.io.dataset import Dataset, class_order, split
from pencilnet.io.scaling import Scaling


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(call, *args) -> str:
    with pytest.raises((InputError, ConfigError)) as caught:
        call(*args)
    return str(caught.value)


NET = ("seed: 1\ninit: xavier\nlayers:\n  - {size: 3, activation: tanh}\n  - {activation: softmax}\n"
       "loss: cross_entropy\ntraining: {epochs: 2}\n")


# ---- 22.2: feature columns by name -------------------------------------------------------------


def separable(count: int = 40, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (count, 3))
    return x, ["big" if a > 0 else "small" for a in x[:, 0]]


def csv_text(names: list[str], x: np.ndarray, labels: list[str] | None, order: list[int]) -> str:
    header = ",".join([names[i] for i in order] + (["label"] if labels else []))
    rows = [",".join([repr(float(row[i])) for i in order] + ([label] if labels else []))
            for row, label in zip(x, labels or [""] * len(x), strict=True)]
    return header + "\n" + "\n".join(rows) + "\n"


def test_a_test_file_with_its_columns_in_another_order_is_read_by_name(tmp_path):
    x, labels = separable()
    write(tmp_path, "train.csv", csv_text(["a", "b", "c"], x, labels, [0, 1, 2]))
    write(tmp_path, "test.csv", csv_text(["a", "b", "c"], x, labels, [2, 0, 1]))
    config = pencilnet.load(str(write(tmp_path, "net.yaml", NET + "data: {train: train.csv, test: test.csv}\n")))
    # The oracle: the test file holds the very rows of the training file, so its inputs are the same.
    np.testing.assert_array_equal(config.test_inputs, config.train_inputs)
    assert config.feature_names == ("a", "b", "c")


@pytest.mark.parametrize("header, expected", [
    ("a,b,d,label", "test.csv:1: expected a feature column 'c', found the columns a, b, d, label"),
    ("a,b,c,d,label", "test.csv:1: column 'd': expected only the training data's feature columns (a, b, c) and "
                      "the label or target columns, found 'd' too"),
])
def test_a_missing_or_unknown_column_is_one_line_naming_it(tmp_path, header, expected):
    x, labels = separable(6)
    write(tmp_path, "train.csv", csv_text(["a", "b", "c"], x, labels, [0, 1, 2]))
    width = len(header.split(",")) - 1
    write(tmp_path, "test.csv", header + "\n" + "".join(f"{','.join(['0.5'] * width)},big\n" for _ in range(3)))
    message = problem(pencilnet.load, str(write(tmp_path, "net.yaml", NET + "data: {train: train.csv, test: "
                                                                             "test.csv}\n")))
    assert message.endswith(expected) and "\n" not in message


def test_predict_data_finds_columns_by_name_and_reads_a_headerless_file_by_position(tmp_path, cli):
    x, labels = separable(60)
    write(tmp_path, "train.csv", csv_text(["a", "b", "c"], x, labels, [0, 1, 2]))
    path = write(tmp_path, "net.yaml", NET.replace("epochs: 2", "epochs: 30, learning_rate: 0.5")
                 + "data: {train: train.csv}\n")
    saved = tmp_path / "trained.yaml"
    assert cli("train", str(path), "--save", str(saved)).exit_code == 0
    outputs = {}
    for name, text in {"same": csv_text(["a", "b", "c"], x, None, [0, 1, 2]),
                       "moved": csv_text(["a", "b", "c"], x, None, [1, 2, 0]),
                       "bare": csv_text(["a", "b", "c"], x, None, [0, 1, 2]).split("\n", 1)[1]}.items():
        result = cli("predict", str(saved), "--data", str(write(tmp_path, f"{name}.csv", text)), "--json")
        assert result.exit_code == 0, result.output
        outputs[name] = [p["outputs"] for p in json.loads(result.stdout)["predictions"]]
    # The oracle: the rows in the training file's order, predicted by the API.
    expected = pencilnet.load(str(saved)).predict(x, raw=True).outputs.tolist()
    assert [list(o.values()) for o in outputs["same"]] == expected
    assert outputs["moved"] == outputs["same"] == outputs["bare"]
    result = cli("predict", str(saved), "--data", str(write(tmp_path, "short.csv", "0.1,0.2\n")))
    assert result.exit_code == 2
    assert result.stderr.strip().endswith("short.csv:1: expected 3 numbers, one per feature (a, b, c), as a file "
                                          "without a header line is read by position, found 2")
    result = cli("predict", str(saved), "--data", str(write(tmp_path, "other.csv", "a,b,z\n1,2,3\n")))
    assert result.exit_code == 2 and "other.csv:1: expected a feature column 'c', found the columns a, b, z" in (
        result.stderr)


def test_an_npz_with_feature_names_is_read_by_name(tmp_path):
    from pencilnet.io.npz import load_npz

    np.savez(tmp_path / "d.npz", x=np.array([[1.0, 2.0, 3.0]]), feature_names=np.array(["c", "a", "b"]))
    assert load_npz(tmp_path / "d.npz", unlabelled=True, features=["a", "b", "c"]).inputs.tolist() == [[2, 3, 1]]
    np.savez(tmp_path / "e.npz", x=np.array([[1.0, 2.0]]), feature_names=np.array(["a", "q"]))
    assert "array 'feature_names': expected the feature 'b' (as in the training data), found a, q" in problem(
        load_npz, tmp_path / "e.npz", None, True, ["a", "b"])


# ---- 22.3: the class order, NaN-like labels last ------------------------------------------------


def numpy_order(labels: list[str]) -> list[str]:
    """The oracle: NumPy's sort of the numbers (NaN last), ties between equal numbers by their text."""
    values = np.array([float(label) for label in labels])
    return [labels[i] for i in np.lexsort((np.array(labels), values))]


@pytest.mark.parametrize("found", [["nan", "1", "0"], ["2", "NaN", "10", "-1", "nan"], ["nan", "inf", "-inf", "0"],
                                   ["1.0", "1", "nan", "0.5"]])
def test_numeric_labels_with_nan_sort_as_numpy_does_whatever_their_order(found):
    expected = numpy_order(sorted(set(found)))
    for order in itertools.permutations(found):
        assert class_order(list(order) * 2) == expected


def test_the_class_order_does_not_depend_on_the_process(tmp_path):
    write(tmp_path, "n.csv", "a,b,label\n1,2,nan\n3,4,1\n5,6,0\n7,8,nan\n2,2,1\n")
    path = write(tmp_path, "n.yaml", NET + "data: {train: n.csv}\n")
    found = set()
    for seed in ("1", "5", "6"):  # three string-hash seeds that gave three different orders before
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "pencilnet", "summary", str(path), "--json"], env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        found.add(tuple(json.loads(done.stdout)["classes"]))
    assert found == {("0", "1", "nan")}


def test_train_save_always_writes_the_classes(tmp_path, cli):
    write(tmp_path, "n.csv", "a,b,label\n1,2,nan\n3,4,1\n5,6,0\n7,8,nan\n2,2,1\n")
    saved = tmp_path / "t.yaml"
    assert cli("train", str(write(tmp_path, "n.yaml", NET + "data: {train: n.csv}\n")), "--save", saved).exit_code == 0
    config = pencilnet.load(str(saved))
    assert config.document["classes"] == ("0", "1", "nan") == config.classes


# ---- 22.9: standardisation of large features ------------------------------------------------------


@pytest.mark.parametrize("method", ["zscore", "minmax"])
def test_standardising_features_of_1e200_agrees_with_scikit_learn_where_it_is_finite(method):
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    rng = np.random.default_rng(7)
    small = rng.normal([0.0, 3.0, -2.0], [1.0, 0.5, 4.0], (50, 3))
    raw = small * np.array([1e200, 1.0, -1e200])
    fitted = Scaling.of(method, raw, "data.standardize", ["big", "plain", "negative"])
    assert np.isfinite(fitted.offset).all() and np.isfinite(fitted.scale).all() and (fitted.scale > 0).all()
    assert Scaling.valid(fitted.as_yaml())  # a saved config reads back
    # scikit-learn overflows on 1e200 itself (its variance squares it); on the same data divided by
    # 1e200 it is finite, and standardising does not change when a feature is multiplied by a constant.
    oracle = (StandardScaler() if method == "zscore" else MinMaxScaler()).fit_transform(small * [1, 1, -1])
    np.testing.assert_allclose(fitted.apply(raw), oracle, rtol=1e-9, atol=1e-12)


def test_ordinary_features_are_standardised_to_the_same_bits_as_before():
    rng = np.random.default_rng(8)
    raw = rng.normal([100.0, -3.0, 0.0], [20.0, 0.5, 1e-3], (30, 3))
    fitted = Scaling.of("zscore", raw, "x")
    assert fitted.offset.tolist() == raw.mean(axis=0).tolist() and fitted.scale.tolist() == raw.std(axis=0).tolist()


def test_a_feature_whose_range_is_past_a_float_is_refused_by_name(tmp_path):
    write(tmp_path, "d.csv", "a,huge,label\n0,-1e308,x\n1,1e308,y\n")
    message = problem(pencilnet.load, str(write(tmp_path, "n.yaml",
                                                NET + "data: {train: d.csv, standardize: minmax}\n")))
    assert "data.standardize: column 'huge': expected features whose range fits in a float" in message
    assert "found -1e+308 to 1e+308" in message and "\n" not in message


def test_train_save_of_features_of_1e200_writes_finite_numbers(tmp_path, cli):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(30, 2)) * [1e200, 1.0]
    rows = "".join(f"{float(a)!r},{float(b)!r},{'p' if b > 0 else 'q'}\n" for a, b in x)
    write(tmp_path, "d.csv", "a,b,label\n" + rows)
    saved = tmp_path / "t.yaml"
    result = cli("train", str(write(tmp_path, "n.yaml", NET + "data: {train: d.csv, standardize: zscore}\n")),
                 "--save", saved)
    assert result.exit_code == 0, result.output
    assert ".inf" not in saved.read_text() and ".nan" not in saved.read_text()
    config = pencilnet.load(str(saved))
    assert np.isfinite(config.train_inputs).all() and config.train_inputs[:, 0].std() == pytest.approx(1)


# ---- 22.10: R² of a constant target column ----------------------------------------------------------


@pytest.mark.parametrize("outputs", [[[321.0], [321.0], [321.0], [321.0]], [[320.0], [321.0], [322.0], [321.0]]])
def test_r2_of_a_constant_target_follows_scikit_learn(outputs):
    from sklearn.metrics import r2_score

    # Two outputs: the first varies, the second is 321 in every sample (exact in binary, so its
    # mean is exactly 321 and its spread exactly 0).
    targets = np.array([[1.0, 321.0], [2.0, 321.0], [4.0, 321.0], [3.0, 321.0]])
    out = np.hstack([np.array([[1.5], [2.0], [3.5], [3.0]]), np.array(outputs)])
    found = scores(out, targets, "mse").r2
    assert found == pytest.approx(r2_score(targets, out), rel=1e-12) and np.isfinite(found)
    single = scores(np.array(outputs), targets[:, 1:], "mse").r2
    assert single == r2_score(targets[:, 1:], np.array(outputs))  # 1.0 exactly right, else 0.0


# ---- 22.11: what in the data stopped the sizes being inferred ---------------------------------------


@pytest.mark.parametrize("data, expected", [
    ("{train: iris.csv, target_columns: [species]}",
     "iris.csv:2: column 'species': expected a number (a target column holds numbers to match; class names go "
     "in data.label_column), found 'setosa'"),
    ("{train: bad.csv, label_column: species}", "bad.csv:2: column 'b': expected a number, found 'x'"),
])
def test_sizes_the_data_cannot_give_are_explained_by_the_data(tmp_path, data, expected):
    write(tmp_path, "iris.csv", "a,b,species\n1,2,setosa\n3,4,virginica\n")
    write(tmp_path, "bad.csv", "a,b,species\n1,x,setosa\n3,4,virginica\n")
    message = problem(pencilnet.load, str(write(tmp_path, "c.yaml", NET + f"data: {data}\n")))
    assert message.count("\n") == 0, message  # one line: the cause, not each size it left missing
    assert "data.train: expected a data file that gives what the config leaves out (inputs and the output " \
           "layer's size)" in message and message.endswith(expected)
    assert "found nothing" not in message


# ---- 22.13: target columns are numbers ----------------------------------------------------------------


def test_a_regression_column_named_target_with_a_test_file(tmp_path, cli):
    write(tmp_path, "train.csv", "x,target\n1,321.0\n2,322.5\n3,324.0\n")
    write(tmp_path, "test.csv", "x,target\n4,325.5\n")
    text = ("layers:\n  - {size: 1, activation: identity, weights: [[1.5]], biases: [319.5]}\nloss: mse\n"
            "data: {train: train.csv, test: test.csv, target_columns: [target]}\n")
    config = pencilnet.load(str(write(tmp_path, "r.yaml", text)))
    assert config.test_targets.tolist() == [[325.5]] and config.train_targets.ravel().tolist() == [321, 322.5, 324]
    found = json.loads(cli("predict", str(tmp_path / "r.yaml"), "--json").stdout)
    assert found["scores"]["mean_absolute_error"] == 0.0  # 1.5 × 4 + 319.5 = 325.5


# ---- 22.16: the split's written rule, and stratify -------------------------------------------------------


def labelled(labels: list[str]) -> Dataset:
    classes = sorted(set(labels))
    indices = np.array([classes.index(label) for label in labels])
    return Dataset(np.arange(len(labels), dtype=np.float64)[:, None], None, classes, labels, ["n"], "d.csv", indices)


@pytest.mark.parametrize("count, fraction, seed", [(10, 0.25, 0), (101, 0.3, 7), (7, 0.5, 3)])
def test_the_split_follows_its_documented_rule(count, fraction, seed):
    # The rule as the docs write it, in plain NumPy.
    tests = min(max(round(count * fraction), 1), count - 1)
    test_rows = np.sort(np.random.default_rng(seed).permutation(count)[:tests])
    train, test = split(labelled(["a", "b"] * (count // 2) + ["a"] * (count % 2)), fraction, seed)
    assert test.inputs[:, 0].tolist() == test_rows.tolist()
    assert train.inputs[:, 0].tolist() == np.setdiff1d(np.arange(count), test_rows).tolist()


def test_a_stratified_split_follows_its_documented_rule_and_keeps_the_class_shares():
    labels = ["a"] * 30 + ["b"] * 10 + ["c"] * 4
    order = np.random.default_rng(11).permutation(len(labels))
    labels = [labels[i] for i in order]
    train, test = split(labelled(labels), 0.25, 5, stratify=True)
    # The rule as the docs write it: each class in class order, from one generator.
    rng, expected = np.random.default_rng(5), []
    for name in ("a", "b", "c"):
        rows = np.array([i for i, label in enumerate(labels) if label == name])
        held = min(max(round(len(rows) * 0.25), 1), len(rows) - 1)
        expected += rows[rng.permutation(len(rows))[:held]].tolist()
    assert test.inputs[:, 0].tolist() == sorted(expected)
    assert [test.labels.count(name) for name in "abc"] == [8, 2, 1]  # round(7.5) = 8, round(2.5) = 2, 1
    assert len(train) + len(test) == len(labels)
    assert "expected at least 2 samples of each class (one for each part), found 1 of 'z' (sample 3)" in problem(
        split, labelled(["a", "a", "z", "a"]), 0.5, 0, True)


def test_stratify_in_a_config(tmp_path):
    write(tmp_path, "d.csv", "a,b,label\n" + "".join(f"{i},{i % 3},{'xy'[i % 4 == 0]}\n" for i in range(40)))
    config = pencilnet.load(str(write(tmp_path, "n.yaml", NET + "data: {train: d.csv, split: {test_fraction: 0.2, "
                                                                 "seed: 1, stratify: true}}\n")))
    # 10 of class y and 30 of class x: 2 and 6 held out.
    assert config.test_targets.sum(axis=0).tolist() == [6.0, 2.0]


# ---- 26.9: many distinct labels -----------------------------------------------------------------------


def test_sixty_thousand_labels_are_one_line_before_any_one_hot_row(tmp_path):
    import resource
    import time

    write(tmp_path, "many.csv", "a,label\n" + "".join(f"{i % 7},c{i}\n" for i in range(60_000)))
    text = ("seed: 1\ninit: xavier\nlayers:\n  - {size: 3, activation: tanh}\n  - {size: 3, activation: softmax}\n"
            "loss: cross_entropy\ndata: {train: many.csv}\n")
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = problem(pencilnet.load, str(write(tmp_path, "n.yaml", text)))
    assert "data.train: expected targets of 3 values (one per output node), found 60000 in many.csv" in message
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024
    assert grown < 500 * 2**20 and time.perf_counter() - start < 30  # 60,000² float64 would be 28.8 GB
    # With the output size left to the data, the one-hot targets are refused before they are built.
    message = problem(pencilnet.load, str(write(tmp_path, "open.yaml", text.replace("size: 3, activation: softmax",
                                                                                    "activation: softmax"))))
    assert "expected one-hot targets of at most 512 MiB, found 60,000 samples of 60,000 classes" in message


def test_labels_stay_class_indices_until_targets_are_asked_for(tmp_path):
    data = load_csv(write(tmp_path, "d.csv", "a,label\n1,x\n2,y\n3,x\n"))
    assert data.indices.tolist() == [0, 1, 0] and data.values is None and data.outputs == 2
    assert data.targets.tolist() == [[1, 0], [0, 1], [1, 0]]


def test_a_headerless_file_for_a_config_without_data_is_read_by_position(tmp_path, cli):
    path = write(tmp_path, "bare.csv", "0.05,0.1\n0.5,0.5\n")
    result = cli("predict", "--data", path, "--json")  # the article's network: two inputs
    assert result.exit_code == 0, result.output
    found = [list(p["outputs"].values()) for p in json.loads(result.stdout)["predictions"]]
    assert found == pencilnet.load().predict([[0.05, 0.1], [0.5, 0.5]]).outputs.tolist()
    result = cli("predict", "--data", write(tmp_path, "wide.csv", "0.05,0.1,3\n"))
    assert result.exit_code == 2 and result.stderr.strip().endswith(
        "wide.csv:1: expected 2 numbers, one per feature (x1, x2), as a file without a header line is read by "
        "position, found 3")
