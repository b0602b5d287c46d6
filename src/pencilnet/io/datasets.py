"""Datasets from files: a CSV file with a header line, or a NumPy .npz archive.

Either way the result is a `Dataset`: one row of inputs and one row of targets per sample.
Every value is checked as it is read, and the first problem is reported as one line naming
the file, the line (or the array index), the column and what was expected and found:

    data/x.csv:14: column 'p7': expected a number, found 'abc'

Class names and one-hot targets: with a label column, each sample's target is the one-hot
vector of its label's place in `classes`. When `classes` is not given they are the labels
found in the file, sorted, so the order does not depend on the order of the rows (for the
fruit data: red apple, tomato, the article's order). Give `classes` whenever a file might
not hold every class (a small test file), so its targets have the same length as others'.
"""

import csv
import dataclasses
import io
import math
import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.io.files import read_text, size_text

SHOWN_COLUMNS = 6  # a message lists at most this many column or array names
MAX_TEXT_BYTES = 64 * 2**20  # a CSV file: its values as Python numbers take many times its size
MAX_ARRAY_BYTES = 512 * 2**20  # the arrays of a .npz archive together, as the float64 arrays they become


@dataclass(frozen=True, eq=False)
class Dataset:
    inputs: np.ndarray  # (samples, features) float64
    targets: np.ndarray | None  # (samples, outputs) float64; None for inputs without labels (`predict`)
    classes: list[str]  # one name per output
    labels: list[str] | None  # each sample's class name, when the file gives one
    feature_names: list[str]  # one name per input column
    source: str  # how messages name the file

    def __len__(self) -> int:
        return len(self.inputs)

    def one_output(self, where: str) -> "Dataset":
        """The same samples for a network of one sigmoid output: two classes, target 1 for the second."""
        if len(self.classes) != 2:
            raise InputError(f"{where}: expected 2 classes for one output node (a yes/no probability), "
                             f"found {len(self.classes)}: {_names(self.classes)}")
        return dataclasses.replace(self, targets=self.targets[:, 1:])

    def sample(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample `number`, counted from 1 as the article counts x1, w1, ..."""
        count = len(self.inputs)
        if not 1 <= number <= count:
            raise InputError(f"--sample: expected a sample number from 1 to {count}, found {number}")
        return self.inputs[number - 1], self.targets[number - 1]


def load(path, classes: list[str] | None = None, label_column: str | None = None,
         target_columns: list[str] | None = None, feature_columns: list[str] | None = None,
         unlabelled: bool = False) -> Dataset:
    """A dataset from a .csv or .npz file, chosen by the file's suffix.

    `label_column` None: the column `label`, or else `target` (as pandas and scikit-learn name it).
    `unlabelled`: a file without the label (or target) columns is inputs only, with targets None."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return load_csv(path, classes, label_column, target_columns, feature_columns, unlabelled)
    if suffix == ".npz":
        if target_columns is not None or feature_columns is not None or label_column not in (None, "label"):
            raise InputError(f"{path}: expected a CSV file for a choice of label, target or feature columns, "
                             f"found a .npz archive (its arrays have fixed names)")
        return load_npz(path, classes, unlabelled)
    found = repr(suffix) if suffix else "a name without one"
    raise InputError(f"{path}: expected a data file ending in .csv or .npz, found {found}")


# ---- CSV -------------------------------------------------------------------------------------


def load_csv(path, classes: list[str] | None = None, label_column: str | None = None,
             target_columns: list[str] | None = None, feature_columns: list[str] | None = None,
             unlabelled: bool = False) -> Dataset:
    """A dataset from a CSV file whose first line names the columns.

    The targets are the one-hot vectors of the label column's class names, or, with
    `target_columns`, the numbers in those columns (then the label column is optional; its
    labels are kept, and checked against `classes` when given). The inputs are
    `feature_columns`, by default every column that is neither the label nor a target, in
    the file's order. With `unlabelled`, a file without those columns gives inputs only."""
    source = str(path)
    classes = _checked_classes(classes)
    reader = csv.reader(io.StringIO(read_text(path, "data file", MAX_TEXT_BYTES), newline=""), strict=True)
    header, header_line = _header(reader, source)
    columns = _Columns(header, f"{source}:{header_line}", label_column, target_columns, feature_columns, unlabelled)
    if columns.targets is not None and classes is not None and len(classes) != len(columns.targets):
        names = ", ".join(header[i] for i in columns.targets)
        raise InputError(f"{source}: expected {len(columns.targets)} class names, one per target column "
                         f"({names}), found {len(classes)}")

    inputs, targets, labels = [], [], []
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line, such as one at the end of the file
            line = f"{source}:{reader.line_num}"
            if len(row) != len(header):
                raise InputError(f"{line}: expected {len(header)} fields, one per column of the header, "
                                 f"found {len(row)}")
            inputs.append([_number(row[i], line, header[i]) for i in columns.features])
            if columns.targets is not None:
                targets.append([_number(row[i], line, header[i]) for i in columns.targets])
            if columns.label is not None:
                labels.append(_label(row[columns.label], line, header[columns.label], classes))
    except csv.Error as exc:
        raise InputError(f"{source}:{reader.line_num}: expected CSV, found a line it cannot read: {exc}") from None
    if not inputs:
        raise InputError(f"{source}: expected at least one row of data after the header, found none")

    feature_names = [header[i] for i in columns.features]
    if columns.targets is None and columns.label is None:  # inputs only
        return Dataset(np.array(inputs, dtype=np.float64), None, list(classes or []), None, feature_names, source)
    if columns.targets is not None:
        target_names = [header[i] for i in columns.targets]
        return _dataset(inputs, targets, classes or target_names, labels or None, feature_names, source)
    classes = classes or class_order(labels)
    return _dataset(inputs, _one_hot(labels, classes), classes, labels, feature_names, source)


def class_order(labels) -> list[str]:
    """The distinct labels in order: as numbers when every one is a number (2 before 10), else as text."""
    found = set(labels)
    if all(_is_number(label) for label in found):
        return sorted(found, key=lambda label: (float(label), label))
    return sorted(found)


def _one_hot(labels: list[str], classes: list[str]) -> np.ndarray:
    place = {name: k for k, name in enumerate(classes)}
    return np.eye(len(classes))[[place[label] for label in labels]].reshape(len(labels), len(classes))


def _header(reader, source: str) -> tuple[list[str], int]:
    """The column names and the line they are on (blank lines may come first)."""
    try:
        for row in reader:
            if row and any(field.strip() for field in row):
                break
        else:
            raise InputError(f"{source}: expected a header line naming the columns, found an empty file")
    except csv.Error as exc:
        raise InputError(f"{source}:{reader.line_num}: expected CSV, found a line it cannot read: {exc}") from None
    line = f"{source}:{reader.line_num}"
    names = [field.strip() for field in row]
    if all(_is_number(name) for name in names):
        raise InputError(f"{line}: expected a header line naming the columns (such as p1,…,p36,label), "
                         f"found a row of numbers")
    if len(names) == 1:
        for separator, called in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if separator in names[0]:
                raise InputError(f"{line}: expected columns separated by commas, found {called} ({separator!r}) "
                                 f"between them: write the file with commas (pandas: to_csv(path))")
    first: dict[str, int] = {}  # a dict, not names.index: 100,000 columns cost 100,000 look-ups
    for index, name in enumerate(names):
        if not name:
            hint = (" (a CSV written by pandas with its index: write it with to_csv(path, index=False))"
                    if index == 0 else "")
            raise InputError(f"{line}: column {index + 1}: expected a column name, found an empty field{hint}")
        if first.setdefault(name, index) != index:
            raise InputError(f"{line}: column {index + 1}: expected a name no other column has, found {name!r} "
                             f"again (column {first[name] + 1})")
    return names, reader.line_num


class _Columns:
    """Which columns of the header are the features, the targets and the label, by index."""

    DEFAULT_LABELS = ("label", "target")  # pencilnet's name, and pandas' and scikit-learn's

    def __init__(self, header: list[str], line: str, label_column: str | None,
                 target_columns: list[str] | None, feature_columns: list[str] | None, unlabelled: bool = False):
        self.header = header
        self.place = {name: index for index, name in enumerate(header)}  # the header's names are distinct
        if label_column is None:
            present = [name for name in self.DEFAULT_LABELS if name in header]
            if len(present) > 1 and target_columns is None:
                raise InputError(f"{line}: expected one label column, 'label' or 'target', found both "
                                 f"(name the one to use with data.label_column)")
            label_column = present[0] if present else "label"
        if target_columns is not None:
            if not target_columns:
                raise InputError(f"{line}: target columns: expected at least one column name, found none")
            self.targets = None
            if not (unlabelled and not any(name in header for name in target_columns)):
                self.targets = [self._find(name, line, "a target column") for name in target_columns]
            self.label = self.place.get(label_column)
        else:
            self.targets = None
            if unlabelled and label_column not in header:
                self.label = None
            else:
                self.label = self._find(label_column, line, "a label column")
        taken = set(self.targets or []) | ({self.label} if self.label is not None else set())
        if feature_columns is None:
            self.features = [i for i in range(len(header)) if i not in taken]
        else:
            self.features = [self._find(name, line, "a feature column") for name in feature_columns]
            for index in self.features:
                if index in taken:
                    raise InputError(f"{line}: column {header[index]!r}: expected a feature column, found the "
                                     f"{'label' if index == self.label else 'target'} column")
        if not self.features:
            raise InputError(f"{line}: expected at least one feature column besides the label and targets, "
                             f"found the columns {_names(header)}")

    def _find(self, name, line: str, what: str) -> int:
        if name not in self.place:
            raise InputError(f"{line}: expected {what} {name!r}, found the columns {_names(self.header)}")
        return self.place[name]


def _names(names: list[str]) -> str:
    if len(names) <= SHOWN_COLUMNS:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN_COLUMNS - 1])}, …, {names[-1]} ({len(names)} in all)"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(text: str, line: str, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        found = repr(text if len(text) <= 40 else text[:37] + "...") if text.strip() else "an empty field"
        raise InputError(f"{line}: column {column!r}: expected a number, found {found}") from None
    if not np.isfinite(value):
        raise InputError(f"{line}: column {column!r}: expected a finite number, found {text.strip()!r}")
    return value


def _label(text: str, line: str, column: str, classes: list[str] | None) -> str:
    label = text.strip()
    if not label:
        raise InputError(f"{line}: column {column!r}: expected a class name, found an empty field")
    if classes is not None and label not in classes:
        if label.isdigit() and int(label) < len(classes):  # a class index, as scikit-learn's targets are
            return classes[int(label)]
        raise InputError(f"{line}: column {column!r}: expected one of the classes {', '.join(classes)}, "
                         f"found {label!r}")
    return label


def _checked_classes(classes) -> list[str] | None:
    if classes is None:
        return None
    if (isinstance(classes, str) or not all(isinstance(c, str) and c.strip() for c in classes)
            or len(set(classes)) != len(classes) or not classes):
        raise InputError(f"classes: expected a list of distinct class names, found {classes!r}")
    return list(classes)


def _dataset(inputs, targets, classes, labels, feature_names, source) -> Dataset:
    return Dataset(np.array(inputs, dtype=np.float64), np.array(targets, dtype=np.float64).reshape(len(inputs), -1),
                   list(classes), labels, list(feature_names), source)


# ---- NumPy .npz ------------------------------------------------------------------------------


def load_npz(path, classes: list[str] | None = None, unlabelled: bool = False) -> Dataset:
    """A dataset from a .npz archive (numpy.savez) with these arrays:

    - `inputs` (or `x`): (samples, features) numbers;
    - `targets` (or `y`): (samples, outputs) numbers, such as one-hot rows; or else
      `labels`, one class name per sample, which give one-hot targets as in a CSV file;
    - optional `labels` beside targets, `classes` (one name per output; the `classes`
      argument comes first) and `feature_names` (one per input; else x1, x2, …).

    With `unlabelled`, an archive of inputs alone gives targets None. Pickled arrays are never
    loaded: an archive cannot run code."""
    source = str(path)
    classes = _checked_classes(classes)
    arrays = _read_npz(path)
    inputs = _numbers(arrays, _one_of(arrays, source, "inputs", "x"), source, "features")
    count, features = inputs.shape

    if classes is None and "classes" in arrays:
        classes = _texts(arrays, "classes", source, None, "one class name per output")
        if not all(classes) or len(set(classes)) != len(classes):
            raise InputError(f"{source}: array 'classes': expected distinct class names, found {classes}")
    labels = None
    if "labels" in arrays:
        labels = _labels(arrays, "labels", source, count, classes)
    elif "y" in arrays and "targets" not in arrays and _is_indices(arrays["y"]):
        labels = _labels(arrays, "y", source, count, classes)  # scikit-learn's y: one class index per sample
        arrays = {name: value for name, value in arrays.items() if name != "y"}

    target_name = _one_of(arrays, source, "targets", "y", optional=labels is not None or unlabelled)
    if target_name is None and labels is None:  # inputs only, for `predict`
        names = (_texts(arrays, "feature_names", source, features, "one name per column of inputs")
                 if "feature_names" in arrays else [f"x{i + 1}" for i in range(features)])
        return Dataset(inputs, None, list(classes or []), None, names, source)
    if target_name is not None:
        targets = _numbers(arrays, target_name, source, "outputs")
        if len(targets) != count:
            raise InputError(f"{source}: array {target_name!r}: expected {count} rows, one per row of inputs, "
                             f"found {len(targets)}")
        outputs = targets.shape[1]
        classes = classes or [f"y{k + 1}" for k in range(outputs)]
        if len(classes) != outputs:
            raise InputError(f"{source}: expected {outputs} class names, one per column of {target_name!r}, "
                             f"found {len(classes)}")
    else:
        classes = classes or class_order(labels)
        for index, label in enumerate(labels):
            if label not in classes:
                raise InputError(f"{source}: array 'labels'[{index}]: expected one of the classes "
                                 f"{', '.join(classes)}, found {label!r}")
        targets = _one_hot(labels, classes)

    if "feature_names" in arrays:
        names = _texts(arrays, "feature_names", source, features, "one name per column of inputs")
    else:
        names = [f"x{i + 1}" for i in range(features)]
    return Dataset(inputs, np.asarray(targets, dtype=np.float64), list(classes), labels, names, source)


def _is_indices(value: np.ndarray) -> bool:
    return value.ndim == 1 and value.dtype.kind in "iu"


def _labels(arrays: dict, name: str, source: str, count: int, classes: list[str] | None) -> list[str]:
    """One class name per sample: the texts of `name`, or its whole numbers, each a class's place in
    `classes` when they are given, else a class name of its own ("0", "1", …)."""
    value = arrays[name]
    if not _is_indices(value):
        return _texts(arrays, name, source, count, "one class name per sample")
    if len(value) != count:
        raise InputError(f"{source}: array {name!r}: expected {count} class indices, one per row of inputs, "
                         f"found {len(value)}")
    if classes is None:
        return [str(int(v)) for v in value.tolist()]
    wrong = np.flatnonzero((value < 0) | (value >= len(classes)))
    if len(wrong):
        raise InputError(f"{source}: array {name!r}[{wrong[0]}]: expected a class index from 0 to "
                         f"{len(classes) - 1} (one of {_names(classes)}), found {value[wrong[0]]}")
    return [classes[int(v)] for v in value.tolist()]


def _read_npz(path) -> dict[str, np.ndarray]:
    """The arrays of a .npz archive, each member's .npy header read and checked before its data:
    no object (pickled) arrays, and at most MAX_ARRAY_BYTES for all of them together, counted as
    the float64 arrays they become, whatever the archive claims to compress them to."""
    try:
        stream = open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: expected a data file, found a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):  # a zip is read from its end: a file
            raise InputError(f"{path}: expected a .npz archive, found a device, pipe or socket")
        if stream.read(6) == b"\x93NUMPY":
            raise InputError(f"{path}: expected a .npz archive of named arrays, found a single .npy array")
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
            raise InputError(f"{path}: expected a .npz archive (numpy.savez), found something else") from None
        with archive:
            arrays, total = {}, 0
            for member in archive.infolist():
                name = member.filename.removesuffix(".npy")
                try:
                    with archive.open(member) as data:
                        shape, fortran, dtype = _npy_header(data, path, name)
                        count = math.prod(shape)
                        total += count * max(dtype.itemsize, 8)
                        if total > MAX_ARRAY_BYTES:
                            raise InputError(f"{path}: array {name!r}: expected arrays of at most "
                                             f"{size_text(MAX_ARRAY_BYTES)} in all as float64, found shape "
                                             f"{shape} (not read)")
                        arrays[name] = _npy_data(data, count, dtype, path, name).reshape(
                            shape, order="F" if fortran else "C")
                except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError, zlib.error):
                    raise InputError(f"{path}: array {name!r}: expected a readable array, found a damaged "
                                     "one") from None
            return arrays


def _npy_header(data, path, name: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """(shape, Fortran order, dtype) from the header of a .npy member."""
    from numpy.lib import format as npy

    try:
        version = npy.read_magic(data)
        if version == (1, 0):
            shape, fortran, dtype = npy.read_array_header_1_0(data)
        elif version == (2, 0):
            shape, fortran, dtype = npy.read_array_header_2_0(data)
        else:
            raise ValueError(f"version {version}")
    except ValueError:
        raise InputError(f"{path}: array {name!r}: expected a .npy array of format 1.0 or 2.0, found something "
                         "else") from None
    if dtype.hasobject:  # numpy would unpickle these: code from the file
        raise InputError(f"{path}: array {name!r}: expected numbers or text, found pickled Python objects "
                         f"(not loaded)")
    return shape, fortran, dtype


def _npy_data(data, count: int, dtype: np.dtype, path, name: str) -> np.ndarray:
    """`count` values of `dtype`, read straight into the array that holds them."""
    array = np.empty(count, dtype)
    view, done = memoryview(array).cast("B"), 0
    while done < array.nbytes:
        read = data.readinto(view[done:])
        if not read:
            raise InputError(f"{path}: array {name!r}: expected {count:,} values, found a truncated array "
                             f"({done:,} of {array.nbytes:,} bytes)")
        done += read
    return array


def _one_of(arrays: dict, source: str, name: str, alias: str, optional: bool = False) -> str | None:
    if name in arrays and alias in arrays:
        raise InputError(f"{source}: expected one array {name!r} or {alias!r}, found both")
    for candidate in (name, alias):
        if candidate in arrays:
            return candidate
    if optional:
        return None
    hint = " (or 'labels')" if name == "targets" else ""
    found = _names(sorted(arrays)) if arrays else "no arrays"
    raise InputError(f"{source}: expected an array {name!r} (or {alias!r}){hint}, found {found}")


def _numbers(arrays: dict, name: str, source: str, columns: str) -> np.ndarray:
    value = arrays[name]
    if value.dtype.kind not in "biuf":
        raise InputError(f"{source}: array {name!r}: expected numbers, found {value.dtype} values")
    if value.ndim != 2 or 0 in value.shape:
        raise InputError(f"{source}: array {name!r}: expected a 2-D array (samples × {columns}), "
                         f"found shape {value.shape}")
    value = value.astype(np.float64, copy=False)  # already float64 (numpy.savez of floats): no copy
    bad = np.argwhere(~np.isfinite(value))
    if len(bad):
        row, column = bad[0]
        raise InputError(f"{source}: array {name!r}[{row}, {column}]: expected a finite number, "
                         f"found {value[row, column]}")
    return value


def _texts(arrays: dict, name: str, source: str, length: int | None, what: str) -> list[str]:
    value = arrays[name]
    if value.dtype.kind not in "US" or value.ndim != 1 or (length is not None and len(value) != length):
        size = f"{length} " if length is not None else ""
        raise InputError(f"{source}: array {name!r}: expected a list of {size}texts, {what}, "
                         f"found {value.dtype} values of shape {value.shape}")
    return [(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)).strip() for v in value.tolist()]


# ---- splitting -------------------------------------------------------------------------------


def split(dataset: Dataset, test_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """(train, test): a random `test_fraction` of the samples for testing, the rest for training.

    Which samples go where depends only on `seed` (numpy's default_rng); each part keeps
    the file's order, so a sample is easy to find in the file, and neither part is empty."""
    count = len(dataset)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise InputError(f"test fraction: expected a number between 0 and 1, found {test_fraction!r}")
    if count < 2:
        raise InputError(f"{dataset.source}: expected at least 2 samples to split into a training and a "
                         f"test part, found {count}")
    tests = min(max(round(count * test_fraction), 1), count - 1)
    order = np.random.default_rng(seed).permutation(count)
    return _subset(dataset, np.sort(order[tests:])), _subset(dataset, np.sort(order[:tests]))


def _subset(dataset: Dataset, rows: np.ndarray) -> Dataset:
    labels = None if dataset.labels is None else [dataset.labels[i] for i in rows]
    return dataclasses.replace(dataset, inputs=dataset.inputs[rows], targets=dataset.targets[rows], labels=labels)


def input_vector(text: str, count: int, source: str) -> np.ndarray:
    """`count` finite numbers written as "0.05,0.1", as an option such as --input takes them."""
    shown = text if len(text) <= 40 else text[:39] + "…"
    try:
        values = np.array([float(v) for v in text.split(",")])
    except ValueError:
        raise InputError(f"{source}: expected numbers separated by commas, found {shown!r}") from None
    if len(values) != count:
        raise InputError(f"{source}: expected {count} numbers (one per input node), found {len(values)}")
    if not np.isfinite(values).all():
        place = int(np.argmin(np.isfinite(values)))
        found = text.split(",")[place].strip()
        raise InputError(f"{source}: value {place + 1}: expected a finite number, found {found!r}")
    return values


# ---- standardisation -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Scaling:
    """Each input feature as (raw − offset) / scale, fitted on the training data only.

    `zscore`: the offset is the feature's mean and the scale its standard deviation; `minmax`: its
    smallest value and its range, so the training data spans 0 to 1. A feature that never varies
    keeps a scale of 1. A saved config stores the fitted numbers, so `predict` scales raw inputs
    exactly as training did."""

    method: str
    offset: np.ndarray
    scale: np.ndarray

    METHODS = ("zscore", "minmax")

    @staticmethod
    def valid(spec) -> bool:
        if spec in Scaling.METHODS:
            return True
        return (isinstance(spec, dict) and set(spec) == {"method", "offset", "scale"}
                and spec["method"] in Scaling.METHODS
                and all(isinstance(spec[key], list) and spec[key]
                        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
                                for v in spec[key]) for key in ("offset", "scale"))
                and len(spec["offset"]) == len(spec["scale"]) and all(v > 0 for v in spec["scale"]))

    @staticmethod
    def of(spec, inputs: np.ndarray, where: str) -> "Scaling":
        """The scaling `spec` names, fitted to `inputs`; or the one a saved config spelled out."""
        if isinstance(spec, dict):
            found = Scaling(spec["method"], np.array(spec["offset"], dtype=np.float64),
                            np.array(spec["scale"], dtype=np.float64))
            if found.offset.size != inputs.shape[1]:
                raise InputError(f"{where}: expected {inputs.shape[1]} offsets and scales, one per feature, "
                                 f"found {found.offset.size}")
            return found
        if spec == "zscore":
            offset, scale = inputs.mean(axis=0), inputs.std(axis=0)
        else:
            offset, scale = inputs.min(axis=0), inputs.max(axis=0) - inputs.min(axis=0)
        return Scaling(spec, offset, np.where(scale > 0, scale, 1.0))

    def apply(self, inputs) -> np.ndarray:
        return (np.asarray(inputs, dtype=np.float64) - self.offset) / self.scale

    def as_yaml(self) -> dict:
        return {"method": self.method, "offset": self.offset.tolist(), "scale": self.scale.tolist()}
