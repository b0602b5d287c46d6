"""A dataset from a CSV file whose first line names the columns.

Every value is checked as it is read, and the first problem is reported as one line naming
the file, the line, the column and what was expected and found:

    data/x.csv:14: column 'p7': expected a number, found 'abc'

Columns are found by name. A file read beside a training file (a test file, `predict --data`)
gets the training file's feature names as `features`: each must be there, in any order, and no
other column may be, besides the label and target columns. Only a file without a header (a first
line of numbers, accepted for inputs alone) is read by position, and then its count of columns
must be the features' count.
"""

import csv
import io

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.io.dataset import Dataset, checked_classes, class_indices, class_order, is_number, names_text
from pencilnet.io.files import read_text

MAX_TEXT_BYTES = 64 * 2**20  # a CSV file: its values as Python numbers take many times its size


def load_csv(path, classes: list[str] | None = None, label_column: str | None = None,
             target_columns: list[str] | None = None, feature_columns: list[str] | None = None,
             unlabelled: bool = False, features: list[str] | None = None, stop: int | None = None,
             width: int | None = None) -> Dataset:
    """A dataset from a CSV file whose first line names the columns.

    The targets are the class labels of the label column, or, with `target_columns`, the
    numbers in those columns (then the label column is optional; its labels are kept, and
    checked against `classes` when given). The inputs are `feature_columns`, by default every
    column that is neither the label nor a target, in the file's order; with `features` (the
    training file's), exactly those columns, found by name. With `unlabelled`, a file without
    the label or target columns gives inputs only, and a file without a header line is read by
    position, as `features` or `width` (the network's input count) columns. With `stop`, only the first
    `stop` samples are read (what `data show` needs of a big file)."""
    source = str(path)
    classes = checked_classes(classes)
    reader = csv.reader(io.StringIO(read_text(path, "data file", MAX_TEXT_BYTES), newline=""), strict=True)
    by_position = features if features is not None else None if width is None else [f"x{i + 1}" for i in
                                                                                    range(width)]
    header, first_row = _header(reader, source, headerless=unlabelled and by_position is not None)
    if first_row is not None and by_position is not None:  # no header: inputs alone, by position
        return _by_position(reader, source, header, first_row, by_position)
    line = f"{source}:{reader.line_num}"
    columns = _Columns(header, line, label_column, target_columns, feature_columns or features, unlabelled)
    if features is not None and feature_columns is None:
        columns.refuse_others(line, "the training data's")
    if columns.targets is not None and classes is not None and len(classes) != len(columns.targets):
        names = ", ".join(header[i] for i in columns.targets)
        raise InputError(f"{source}: expected {len(columns.targets)} class names, one per target column "
                         f"({names}), found {len(classes)}")

    inputs, targets, labels = [], [], []
    place = {name: k for k, name in enumerate(classes)} if classes is not None else None
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
                targets.append([_number(row[i], line, header[i], "a target column") for i in columns.targets])
            if columns.label is not None:
                labels.append(_label(row[columns.label], line, header[columns.label], classes, place))
            if stop is not None and len(inputs) >= stop:
                break
    except csv.Error as exc:
        raise InputError(f"{source}:{reader.line_num}: expected CSV, found a line it cannot read: {exc}") from None
    if not inputs:
        raise InputError(f"{source}: expected at least one row of data after the header, found none")

    feature_names = [header[i] for i in columns.features]
    array = np.array(inputs, dtype=np.float64)
    if columns.targets is not None:
        values = np.array(targets, dtype=np.float64).reshape(len(inputs), -1)
        return Dataset(array, values, classes or [header[i] for i in columns.targets], labels or None,
                       feature_names, source)
    if columns.label is None:  # inputs only
        return Dataset(array, None, list(classes or []), None, feature_names, source)
    classes = classes or class_order(labels)
    return Dataset(array, None, classes, labels, feature_names, source, class_indices(labels, classes))


def _by_position(reader, source: str, first: list[str], line_of_first: int, features: list[str]) -> Dataset:
    """A file of numbers alone: one input per column, as many as `features`."""
    rows = [first]
    try:
        rows += [row for row in reader if row and not (len(row) == 1 and not row[0].strip())]
    except csv.Error as exc:
        raise InputError(f"{source}:{reader.line_num}: expected CSV, found a line it cannot read: {exc}") from None
    inputs = []
    for number, row in enumerate(rows):
        line = f"{source}:{line_of_first + number}" if number == 0 else f"{source}: row {number + 1}"
        if len(row) != len(features):
            raise InputError(f"{line}: expected {len(features)} numbers, one per feature ({names_text(features)}), "
                             f"as a file without a header line is read by position, found {len(row)}")
        inputs.append([_number(text, line, name) for text, name in zip(row, features, strict=True)])
    return Dataset(np.array(inputs, dtype=np.float64), None, [], None, list(features), source)


def _header(reader, source: str, headerless: bool = False) -> tuple[list[str], int | None]:
    """The column names, and None; or, for a file of numbers alone (when `headerless` is allowed),
    its first row and the line it is on."""
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
    if all(is_number(name) for name in names):
        if headerless:
            return row, reader.line_num
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
    return names, None


class _Columns:
    """Which columns of the header are the features, the targets and the label, by index."""

    DEFAULT_LABELS = ("label", "target")  # pencilnet's name, and pandas' and scikit-learn's

    def __init__(self, header: list[str], line: str, label_column: str | None,
                 target_columns: list[str] | None, feature_columns: list[str] | None, unlabelled: bool = False):
        self.header = header
        self.place = {name: index for index, name in enumerate(header)}  # the header's names are distinct
        if label_column is None:
            present = [name for name in self.DEFAULT_LABELS if name in header]
            if target_columns is not None:
                present = [name for name in present if name not in target_columns]  # a target is a number
            if len(present) > 1 and target_columns is None:
                raise InputError(f"{line}: expected one label column, 'label' or 'target', found both "
                                 f"(name the one to use with data.label_column)")
            label_column = present[0] if present else "label"
        self.targets: list[int] | None = None
        if target_columns is not None:
            if not target_columns:
                raise InputError(f"{line}: target columns: expected at least one column name, found none")
            if not (unlabelled and not any(name in header for name in target_columns)):
                self.targets = [self._find(name, line, "a target column") for name in target_columns]
            self.label = self.place.get(label_column)
        elif unlabelled and label_column not in header:
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
                             f"found the columns {names_text(header)}")

    def refuse_others(self, line: str, whose: str) -> None:
        """Refuse a column that is neither a feature, a target nor the label: a file that has it was
        not written with the features the network was trained on."""
        known = set(self.features) | set(self.targets or []) | ({self.label} if self.label is not None else set())
        for index, name in enumerate(self.header):
            if index not in known:
                features = names_text([self.header[i] for i in self.features])
                raise InputError(f"{line}: column {name!r}: expected only {whose} feature columns ({features}) "
                                 f"and the label or target columns, found {name!r} too")

    def _find(self, name, line: str, what: str) -> int:
        if name not in self.place:
            raise InputError(f"{line}: expected {what} {name!r}, found the columns {names_text(self.header)}")
        return self.place[name]


def _number(text: str, line: str, column: str, what: str = "") -> float:
    try:
        value = float(text)
    except ValueError:
        found = repr(text if len(text) <= 40 else text[:37] + "...") if text.strip() else "an empty field"
        because = f" ({what} holds numbers to match; class names go in data.label_column)" if what else ""
        raise InputError(f"{line}: column {column!r}: expected a number{because}, found {found}") from None
    if not np.isfinite(value):
        raise InputError(f"{line}: column {column!r}: expected a finite number, found {text.strip()!r}")
    return value


def _label(text: str, line: str, column: str, classes: list[str] | None, place: dict[str, int] | None) -> str:
    label = text.strip()
    if not label:
        raise InputError(f"{line}: column {column!r}: expected a class name, found an empty field")
    if classes is not None and place is not None and label not in place:
        if label.isdigit() and int(label) < len(classes):  # a class index, as scikit-learn's targets are
            return classes[int(label)]
        raise InputError(f"{line}: column {column!r}: expected one of the classes {names_text(classes)}, "
                         f"found {label!r}")
    return label
