"""Datasets from CSV and .npz files: what they give, the one-line error for each kind of bad
file, and the split into a training and a test part."""

import pickle

import numpy as np
import pytest

from pencilnet.core.errors import InputError
from pencilnet.io.csv_data import load_csv
from pencilnet.io.data_files import load
from pencilnet.io.dataset import Dataset, split
from pencilnet.io.npz import load_npz

GOOD = "a,b,label\n0.1,0.2,tomato\n0.3,0.4,red apple\n0.5,0.6,tomato\n"


def write(tmp_path, text: str, name: str = "data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


# ---- CSV: what it gives ----------------------------------------------------------------------


def test_csv_with_a_label_column(tmp_path):
    data = load_csv(write(tmp_path, GOOD))
    assert isinstance(data, Dataset) and len(data) == 3
    assert data.inputs.dtype == np.float64 and data.inputs.tolist() == [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    assert data.classes == ["red apple", "tomato"]  # sorted, whatever the order of the rows
    assert data.targets.tolist() == [[0, 1], [1, 0], [0, 1]]
    assert data.labels == ["tomato", "red apple", "tomato"]
    assert data.feature_names == ["a", "b"] and data.source.endswith("data.csv")


def test_csv_classes_given_set_the_order_and_the_length(tmp_path):
    data = load_csv(write(tmp_path, GOOD), ["tomato", "red apple", "pear"])
    assert data.classes == ["tomato", "red apple", "pear"]
    assert data.targets.tolist() == [[1, 0, 0], [0, 1, 0], [1, 0, 0]]


def test_csv_label_column_anywhere_and_by_another_name(tmp_path):
    data = load_csv(write(tmp_path, "fruit,x\napple,1\npear,2\n"), label_column="fruit")
    assert data.feature_names == ["x"] and data.inputs.tolist() == [[1.0], [2.0]]
    assert data.classes == ["apple", "pear"]


def test_csv_target_columns(tmp_path):
    path = write(tmp_path, "x1,x2,t1,t2\n0.15,0.35,0,1\n0.5,0.5,0.25,0.75\n")
    data = load_csv(path, target_columns=["t1", "t2"])
    assert data.inputs.tolist() == [[0.15, 0.35], [0.5, 0.5]]
    assert data.targets.tolist() == [[0, 1], [0.25, 0.75]]
    assert data.classes == ["t1", "t2"] and data.labels is None
    named = load_csv(path, ["red apple", "tomato"], target_columns=["t1", "t2"])
    assert named.classes == ["red apple", "tomato"]


def test_csv_target_columns_keep_a_label_column_out_of_the_features(tmp_path):
    data = load_csv(write(tmp_path, "x,t,label\n1,0.5,a\n2,0.25,b\n"), target_columns=["t"])
    assert data.feature_names == ["x"] and data.labels == ["a", "b"]


def test_csv_feature_columns(tmp_path):
    data = load_csv(write(tmp_path, GOOD), feature_columns=["b"])
    assert data.feature_names == ["b"] and data.inputs.tolist() == [[0.2], [0.4], [0.6]]


def test_csv_blank_lines_spaces_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff\n a , b ,label\r\n 0.1 ,0.2, tomato \r\n\r\n0.3,0.4,red apple\r\n\r\n".encode())
    data = load_csv(path)
    assert data.feature_names == ["a", "b"] and data.labels == ["tomato", "red apple"]
    assert data.inputs.tolist() == [[0.1, 0.2], [0.3, 0.4]]


# ---- CSV: errors, each one line naming the file, the line and the column ---------------------

CSV_ERRORS = {
    "empty file": ("", "data.csv: expected a header line naming the columns, found an empty file"),
    "blank lines only": ("\n  \n\n", "data.csv: expected a header line naming the columns, found an empty file"),
    "no header": ("0.1,0.2,0.3\n0.4,0.5,0.6\n", "data.csv:1: expected a header line naming the columns"),
    "header only": ("a,b,label\n", "data.csv: expected at least one row of data after the header, found none"),
    "too few fields": (GOOD + "0.7,tomato\n", "data.csv:5: expected 3 fields, one per column of the header, found 2"),
    "too many fields": ("a,label\n1,x\n2,y,3\n",
                        "data.csv:3: expected 2 fields, one per column of the header, found 3"),
    "not a number": ("a,b,label\n0.1,0.2,tomato\n0.3,abc,tomato\n",
                     "data.csv:3: column 'b': expected a number, found 'abc'"),
    "empty cell": ("a,b,label\n0.1,,tomato\n", "data.csv:2: column 'b': expected a number, found an empty field"),
    "nan": ("a,b,label\n0.1,nan,tomato\n", "data.csv:2: column 'b': expected a finite number, found 'nan'"),
    "inf": ("a,b,label\n-inf,0.1,tomato\n", "data.csv:2: column 'a': expected a finite number, found '-inf'"),
    "missing label column": ("a,b,c\n1,2,3\n",
                             "data.csv:1: expected a label column 'label', found the columns a, b, c"),
    "empty label": ("a,label\n1,\n", "data.csv:2: column 'label': expected a class name, found an empty field"),
    "empty column name": ("a,,label\n1,2,x\n", "data.csv:1: column 2: expected a column name, found an empty field"),
    "duplicate column": ("a,b,a,label\n1,2,3,x\n",
                         "data.csv:1: column 3: expected a name no other column has, found 'a' again"),
    "no features": ("label\nx\n", "data.csv:1: expected at least one feature column besides the label and targets"),
    "unclosed quote": ('a,label\n1,"x\n2,y\n', "data.csv:3: expected CSV, found a line it cannot read"),
    "text after a quote": ('a,label\n1,"x"y\n', "data.csv:2: expected CSV, found a line it cannot read"),
}


@pytest.mark.parametrize("kind", list(CSV_ERRORS))
def test_csv_error(tmp_path, kind):
    text, expected = CSV_ERRORS[kind]
    message = one_line_error(load_csv, write(tmp_path, text))
    assert message.startswith(str(tmp_path / "data.csv")) and expected in message


def test_csv_header_line_is_counted_after_blank_lines(tmp_path):
    message = one_line_error(load_csv, write(tmp_path, "\n\na,b\n1,2\n"))
    assert "data.csv:3: expected a label column 'label'" in message


def test_csv_many_columns_are_listed_short(tmp_path):
    header = ",".join(f"p{i}" for i in range(1, 37))
    message = one_line_error(load_csv, write(tmp_path, header + "\n" + ",".join(["0"] * 36) + "\n"))
    assert "found the columns p1, p2, p3, p4, p5, …, p36 (36 in all)" in message


def test_csv_unknown_label_names_the_line(tmp_path):
    message = one_line_error(load_csv, write(tmp_path, GOOD + "0.7,0.8,banana\n"), ["red apple", "tomato"])
    assert message.endswith("data.csv:5: column 'label': expected one of the classes red apple, tomato, "
                            "found 'banana'")


def test_csv_column_choices(tmp_path):
    path = write(tmp_path, GOOD)
    assert "expected a target column 't', found the columns a, b, label" in one_line_error(
        load_csv, path, target_columns=["t"])
    assert "expected a feature column 'z'" in one_line_error(load_csv, path, feature_columns=["z"])
    assert "column 'label': expected a feature column, found the label column" in one_line_error(
        load_csv, path, feature_columns=["a", "label"])
    assert "target columns: expected at least one column name" in one_line_error(load_csv, path, target_columns=[])
    assert "expected 2 class names, one per target column (b, c), found 3" in one_line_error(
        load_csv, write(tmp_path, "a,b,c\n1,0,1\n"), ["x", "y", "z"], target_columns=["b", "c"])


@pytest.mark.parametrize("classes", [[], ["a", "a"], ["a", ""], "ab", [1, 2]])
def test_bad_classes_argument(tmp_path, classes):
    message = one_line_error(load_csv, write(tmp_path, GOOD), classes)
    assert "classes: expected a list of distinct class names" in message


def test_file_errors(tmp_path):
    assert one_line_error(load_csv, tmp_path / "missing.csv").endswith("missing.csv: no such file")
    (tmp_path / "folder.csv").mkdir()
    assert "folder.csv: expected a data file, found a directory" in one_line_error(load_csv, tmp_path / "folder.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(b"a,label\n1,tomato\n2,caf\xe9\n")
    assert "latin1.csv:3: expected UTF-8 text, found undecodable bytes" in one_line_error(load_csv, bad)


# ---- .npz ------------------------------------------------------------------------------------


def test_npz_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    x, y = rng.uniform(size=(5, 3)), np.eye(2)[[0, 1, 1, 0, 1]]
    np.savez(tmp_path / "d.npz", inputs=x, targets=y, classes=np.array(["red apple", "tomato"]),
             labels=np.array(["red apple", "tomato", "tomato", "red apple", "tomato"]))
    data = load_npz(tmp_path / "d.npz")
    assert np.array_equal(data.inputs, x) and np.array_equal(data.targets, y)
    assert data.classes == ["red apple", "tomato"] and data.labels[1] == "tomato"
    assert data.feature_names == ["x1", "x2", "x3"]


def test_npz_short_names_and_defaults(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 2), dtype=np.float32), y=np.array([[1, 0], [0, 1]]),
             feature_names=np.array(["left", "right"]))
    data = load(tmp_path / "d.npz")
    assert data.inputs.dtype == np.float64 and data.targets.dtype == np.float64
    assert data.classes == ["y1", "y2"] and data.labels is None and data.feature_names == ["left", "right"]


def test_npz_labels_give_one_hot_targets(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((3, 1)), labels=np.array(["b", "a", "b"]))
    data = load_npz(tmp_path / "d.npz")
    assert data.classes == ["a", "b"] and data.targets.tolist() == [[0, 1], [1, 0], [0, 1]]
    assert load_npz(tmp_path / "d.npz", ["b", "a"]).targets.tolist() == [[1, 0], [0, 1], [1, 0]]
    assert "array 'labels'[1]: expected one of the classes b, c, found 'a'" in one_line_error(
        load_npz, tmp_path / "d.npz", ["b", "c"])


def npz(tmp_path, **arrays):
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    return path


NPZ_ERRORS = {
    "no inputs": (dict(targets=np.eye(2)), "expected an array 'inputs' (or 'x'), found targets"),
    "no targets": (dict(inputs=np.eye(2)), "expected an array 'targets' (or 'y') (or 'labels'), found inputs"),
    "both names": (dict(inputs=np.eye(2), x=np.eye(2), y=np.eye(2)), "expected one array 'inputs' or 'x', found both"),
    "1-D inputs": (dict(x=np.zeros(3), y=np.eye(3)),
                   "array 'x': expected a 2-D array (samples × features), found shape (3,)"),
    "1-D targets": (dict(x=np.zeros((3, 2)), y=np.array([0.0, 1.0, 1.0])),
                    "array 'y': expected a 2-D array (samples × outputs), found shape (3,)"),
    "row mismatch": (dict(x=np.zeros((3, 2)), y=np.eye(2)),
                     "array 'y': expected 3 rows, one per row of inputs, found 2"),
    "text inputs": (dict(x=np.array([["a"]]), y=np.eye(1)), "array 'x': expected numbers, found <U1 values"),
    "nan": (dict(x=np.array([[0.0, 1.0], [np.nan, 0.0]]), y=np.eye(2)),
            "array 'x'[1, 0]: expected a finite number, found nan"),
    "classes count": (dict(x=np.eye(2), y=np.eye(2), classes=np.array(["a", "b", "c"])),
                      "expected 2 class names, one per column of 'y', found 3"),
    "labels count": (dict(x=np.eye(2), y=np.eye(2), labels=np.array(["a"])),
                     "array 'labels': expected a list of 2 texts, one class name per sample"),
    "feature names": (dict(x=np.eye(2), y=np.eye(2), feature_names=np.array(["a"])),
                      "array 'feature_names': expected a list of 2 texts, one name per column of inputs"),
    "pickled": (dict(x=np.eye(2), y=np.eye(2), labels=np.array(["a", None], dtype=object)),
                "array 'labels': expected numbers or text, found pickled Python objects (not loaded)"),
}


@pytest.mark.parametrize("kind", list(NPZ_ERRORS))
def test_npz_error(tmp_path, kind):
    arrays, expected = NPZ_ERRORS[kind]
    message = one_line_error(load_npz, npz(tmp_path, **arrays))
    assert message.startswith(str(tmp_path / "d.npz") + ": ") and expected in message


def test_npz_that_is_not_an_archive(tmp_path):
    (tmp_path / "text.npz").write_text("inputs,targets\n")
    assert "text.npz: expected a .npz archive (numpy.savez), found something else" in one_line_error(
        load_npz, tmp_path / "text.npz")
    (tmp_path / "pickle.npz").write_bytes(pickle.dumps({"x": 1}))
    assert "found something else" in one_line_error(load_npz, tmp_path / "pickle.npz")
    with open(tmp_path / "single.npz", "wb") as file:
        np.save(file, np.eye(2))
    assert "expected a .npz archive of named arrays, found a single .npy array" in one_line_error(
        load_npz, tmp_path / "single.npz")
    assert one_line_error(load_npz, tmp_path / "missing.npz").endswith("missing.npz: no such file")


# ---- load: by suffix -------------------------------------------------------------------------


def test_load_dispatches_on_the_suffix(tmp_path):
    assert load(write(tmp_path, GOOD, "upper.CSV")).classes == ["red apple", "tomato"]
    assert "expected a data file ending in .csv or .npz, found '.txt'" in one_line_error(
        load, write(tmp_path, GOOD, "data.txt"))
    assert "found a name without one" in one_line_error(load, write(tmp_path, GOOD, "data"))
    np.savez(tmp_path / "d.npz", x=np.eye(2), y=np.eye(2))
    assert "expected a CSV file for a choice of label, target or feature columns" in one_line_error(
        load, tmp_path / "d.npz", feature_columns=["x1"])


def test_sample_numbers_count_from_one(tmp_path):
    data = load_csv(write(tmp_path, GOOD))
    x, target = data.sample(3)
    assert x.tolist() == [0.5, 0.6] and target.tolist() == [0, 1]
    assert "--sample: expected a sample number from 1 to 3, found 4" in one_line_error(data.sample, 4)
    assert "found 0" in one_line_error(data.sample, 0)


# ---- split -----------------------------------------------------------------------------------


def numbered(count: int) -> Dataset:
    inputs = np.arange(count, dtype=np.float64)[:, None]
    labels = ["a" if i % 3 else "b" for i in range(count)]
    indices = np.array([0 if label == "a" else 1 for label in labels])
    return Dataset(inputs, None, ["a", "b"], labels, ["n"], "numbers.csv", indices)


def test_split_is_deterministic_disjoint_and_complete():
    data = numbered(100)
    train, test = split(data, 0.25, seed=3)
    assert len(train) == 75 and len(test) == 25
    assert np.array_equal(split(data, 0.25, seed=3)[1].inputs, test.inputs)
    assert not np.array_equal(split(data, 0.25, seed=4)[1].inputs, test.inputs)
    together = sorted(train.inputs[:, 0].tolist() + test.inputs[:, 0].tolist())
    assert together == list(range(100))
    assert train.inputs[:, 0].tolist() == sorted(train.inputs[:, 0].tolist())  # the file's order
    for part in (train, test):
        for x, target, label in zip(part.inputs[:, 0], part.targets, part.labels, strict=True):
            assert label == data.labels[int(x)] and np.array_equal(target, data.targets[int(x)])
        assert part.classes == data.classes and part.feature_names == ["n"] and part.source == "numbers.csv"


@pytest.mark.parametrize("count, fraction", [(2, 0.01), (2, 0.99), (3, 0.5), (10, 0.001), (10, 0.999)])
def test_split_leaves_neither_part_empty(count, fraction):
    train, test = split(numbered(count), fraction, seed=0)
    assert len(train) >= 1 and len(test) >= 1 and len(train) + len(test) == count


def test_split_errors():
    for fraction in (0, 1, -0.5, 1.5, float("nan"), "0.3"):
        assert "test fraction: expected a number between 0 and 1" in one_line_error(split, numbered(10), fraction, 0)
    assert "numbers.csv: expected at least 2 samples" in one_line_error(split, numbered(1), 0.5, 0)

