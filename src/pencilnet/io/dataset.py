"""The Dataset record, and what is done to one: class order, one-hot targets, the split.

A `Dataset` is one row of inputs per sample and, when the file gives them, either numbers to
match (target columns, a `targets` array) or one class label per sample. Labels are kept as
each sample's index in `classes`; the one-hot target rows are built only when asked for, after
the class count has been checked against the network, and never past MAX_TARGET_BYTES.

Class order: when `classes` is not given, the labels found in the file, sorted, so the order
does not depend on the order of the rows (for the fruit data: red apple, tomato, the article's
order). Labels that are all numbers sort as numbers (2 before 10), a NaN-like label (`nan`,
`NaN`) after every other, as NumPy sorts NaN; ties (`1` and `1.0`) by their text.
"""

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.io.files import size_text

SHOWN_COLUMNS = 6  # a message lists at most this many column or array names
MAX_TARGET_BYTES = 512 * 2**20  # one-hot targets: samples × classes float64


@dataclass(frozen=True, eq=False)
class Dataset:
    inputs: np.ndarray  # (samples, features) float64
    values: np.ndarray | None  # (samples, outputs) numbers to match; None with labels or for inputs alone
    classes: list[str]  # one name per output
    labels: list[str] | None  # each sample's class name, when the file gives one
    feature_names: list[str]  # one name per input column
    source: str  # how messages name the file
    indices: np.ndarray | None = None  # each sample's class index in `classes`, when the labels are the targets

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def outputs(self) -> int:
        """How many target values a sample has (known without building the targets)."""
        if self.values is not None:
            return int(self.values.shape[1])
        return len(self.classes) if self.indices is not None else 0

    @property
    def targets(self) -> np.ndarray | None:
        """(samples, outputs) float64: the numbers, or each label's one-hot row; None for inputs alone."""
        if self.values is not None or self.indices is None:
            return self.values
        return one_hot(self.indices, len(self.classes), self.source)

    def one_output(self, where: str) -> "Dataset":
        """The same samples for a network of one sigmoid output: two classes, target 1 for the second."""
        if len(self.classes) != 2:
            raise InputError(f"{where}: expected 2 classes for one output node (a yes/no probability), "
                             f"found {len(self.classes)}: {names_text(self.classes)}")
        if self.indices is not None:
            values = self.indices[:, None].astype(np.float64)
        elif self.values is not None:
            values = self.values[:, 1:]
        else:
            raise InputError(f"{where}: expected targets for one output node, found inputs alone")
        return dataclasses.replace(self, values=values, indices=None)

    def sample(self, number: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Sample `number`, counted from 1 as the article counts x1, w1, ..."""
        count = len(self.inputs)
        if not 1 <= number <= count:
            raise InputError(f"--sample: expected a sample number from 1 to {count}, found {number}")
        targets = self.rows(np.array([number - 1])).targets
        return self.inputs[number - 1], None if targets is None else targets[0]

    def rows(self, rows: np.ndarray) -> "Dataset":
        """The samples at `rows` (indices into this dataset), in that order."""
        labels = None if self.labels is None else [self.labels[i] for i in rows]
        return dataclasses.replace(self, inputs=self.inputs[rows], labels=labels,
                                   values=None if self.values is None else self.values[rows],
                                   indices=None if self.indices is None else self.indices[rows])


def class_order(labels) -> list[str]:
    """The distinct labels in order: as numbers when every one is a number (2 before 10, NaN-like
    labels last), else as text."""
    found = set(labels)
    if not all(is_number(label) for label in found):
        return sorted(found)

    def key(label: str) -> tuple:  # NaN has no order of its own: after every number, as NumPy puts it
        value = float(label)
        return (math.isnan(value), 0.0 if math.isnan(value) else value, label)

    return sorted(found, key=key)


def class_indices(labels: list[str], classes: list[str]) -> np.ndarray:
    """Each label's place in `classes` (every label is one of them)."""
    place = {name: k for k, name in enumerate(classes)}
    return np.array([place[label] for label in labels], dtype=np.intp)


def one_hot(indices: np.ndarray, classes: int, source: str) -> np.ndarray:
    """The one-hot rows of `indices`, refused before allocation past MAX_TARGET_BYTES."""
    need = len(indices) * classes * 8
    if need > MAX_TARGET_BYTES:
        raise InputError(f"{source}: expected one-hot targets of at most {size_text(MAX_TARGET_BYTES)}, found "
                         f"{len(indices):,} samples of {classes:,} classes ({size_text(need)}); give the network "
                         f"fewer classes")
    targets = np.zeros((len(indices), classes))
    targets[np.arange(len(indices)), indices] = 1.0
    return targets


def checked_classes(classes) -> list[str] | None:
    if classes is None:
        return None
    if (isinstance(classes, str) or not all(isinstance(c, str) and c.strip() for c in classes)
            or len(set(classes)) != len(classes) or not classes):
        raise InputError(f"classes: expected a list of distinct class names, found {classes!r}")
    return list(classes)


def names_text(names: list[str]) -> str:
    if len(names) <= SHOWN_COLUMNS:
        return ", ".join(names)
    return f"{', '.join(names[:SHOWN_COLUMNS - 1])}, …, {names[-1]} ({len(names)} in all)"


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def is_number(text: str) -> bool:
    return _float(text) is not None


# ---- splitting -------------------------------------------------------------------------------


def split(dataset: Dataset, test_fraction: float, seed: int, stratify: bool = False) -> tuple[Dataset, Dataset]:
    """(train, test): a random `test_fraction` of the samples for testing, the rest for training.

    The rule, so that it can be reproduced anywhere with NumPy (the own-data docs say it too):
    with n samples, `tests = min(max(round(n * test_fraction), 1), n - 1)` (Python's round: halves
    to even), `order = numpy.random.default_rng(seed).permutation(n)`, and the test part is the
    rows `order[:tests]`, the training part the rest, each sorted back into the file's order.

    With `stratify`, each class (in `classes` order) is split on its own from the one generator:
    for a class of n_k samples (rows r_k, in file order), `t_k = min(max(round(n_k * test_fraction),
    1), n_k - 1)` and the test rows are `r_k[rng.permutation(n_k)[:t_k]]`; every class needs at
    least 2 samples, so it is in both parts."""
    count = len(dataset)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise InputError(f"test fraction: expected a number between 0 and 1, found {test_fraction!r}")
    if count < 2:
        raise InputError(f"{dataset.source}: expected at least 2 samples to split into a training and a "
                         f"test part, found {count}")
    rng = np.random.default_rng(seed)
    if not stratify:
        order = rng.permutation(count)
        tests = _held_out(count, test_fraction)
        chosen = order[:tests]
    else:
        chosen = np.concatenate([rows[rng.permutation(len(rows))[:_held_out(len(rows), test_fraction)]]
                                 for rows in _strata(dataset)])
    test = np.zeros(count, dtype=bool)
    test[chosen] = True
    return dataset.rows(np.flatnonzero(~test)), dataset.rows(np.flatnonzero(test))


def _held_out(count: int, fraction: float) -> int:
    return min(max(round(count * fraction), 1), count - 1)


def _strata(dataset: Dataset) -> list[np.ndarray]:
    """The rows of each class, in class order: from the labels, or from one-hot targets."""
    where = f"{dataset.source}: data.split.stratify"
    if dataset.indices is not None:
        indices = dataset.indices
    elif (dataset.values is not None and dataset.values.shape[1] > 1
          and np.isin(dataset.values, (0.0, 1.0)).all() and (dataset.values.sum(axis=1) == 1).all()):
        indices = dataset.values.argmax(axis=1)
    elif dataset.labels is not None:
        indices = class_indices(dataset.labels, class_order(dataset.labels))
    else:
        raise InputError(f"{where}: expected a class for every sample (a label column or one-hot targets), "
                         f"found numbers to match")
    strata = [np.flatnonzero(indices == k) for k in range(int(indices.max()) + 1)]
    for k, rows in enumerate(strata):
        if len(rows) == 1:
            name = dataset.classes[k] if k < len(dataset.classes) else str(k)
            raise InputError(f"{where}: expected at least 2 samples of each class (one for each part), found 1 "
                             f"of {name!r} (sample {rows[0] + 1})")
    return [rows for rows in strata if len(rows)]


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
