"""Opening a data file: a CSV or a .npz archive chosen by its suffix, and a file of new samples
read as the config's own data was (its columns, by name; its classes), for `predict --data`.

Column matching, the rule every reader follows: wherever a file has a header (a CSV's first line,
a .npz archive's `feature_names`), the features are found by name, in any order, and a missing
feature or an unknown column is refused by name; only a file without one is read by position,
and then it must have exactly as many columns as the network has inputs.
"""

from pathlib import Path

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.io.csv_data import load_csv
from pencilnet.io.dataset import Dataset
from pencilnet.io.npz import load_npz


def load(path, classes: list[str] | None = None, label_column: str | None = None,
         target_columns: list[str] | None = None, feature_columns: list[str] | None = None,
         unlabelled: bool = False, features: list[str] | None = None, stop: int | None = None,
         width: int | None = None) -> Dataset:
    """A dataset from a .csv or .npz file, chosen by the file's suffix.

    `label_column` None: the column `label`, or else `target` (as pandas and scikit-learn name it).
    `features`: the training data's feature names, to find this file's columns by (see above).
    `unlabelled`: a file without the label (or target) columns is inputs only, with targets None.
    `stop`: a CSV file's first `stop` samples only (an archive is read whole, within its bound).
    `width`: the network's input count, by which a CSV file without a header is read."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return load_csv(path, classes, label_column, target_columns, feature_columns, unlabelled, features, stop,
                        width)
    if suffix == ".npz":
        if target_columns is not None or feature_columns is not None or label_column not in (None, "label"):
            raise InputError(f"{path}: expected a CSV file for a choice of label, target or feature columns, "
                             f"found a .npz archive (its arrays have fixed names)")
        return load_npz(path, classes, unlabelled, features)
    found = repr(suffix) if suffix else "a name without one"
    raise InputError(f"{path}: expected a data file ending in .csv or .npz, found {found}")


def new_samples(path: str, spec: dict, classes: list[str], features: list[str] | None, inputs: int,
                outputs: int) -> tuple[np.ndarray, np.ndarray | None]:
    """(raw inputs, targets or None) of a file of new samples, read with the config's data section
    `spec` (its label, target and feature columns), its `classes` and the training data's feature
    names; labels are optional. `inputs` and `outputs` are the network's sizes."""
    columns = {key: spec.get(key) for key in ("label_column", "target_columns", "feature_columns")}
    numbers = bool(columns["target_columns"])
    found = load(path, classes=None if numbers else classes, unlabelled=True, features=features, width=inputs,
                 **columns)
    if found.inputs.shape[1] != inputs:
        raise InputError(f"{path}: expected {inputs} feature columns, found {found.inputs.shape[1]}")
    if found.indices is not None and outputs == 1:
        found = found.one_output(path)  # two classes for one sigmoid output: target 1 for the second
    if found.outputs and found.outputs != outputs:
        raise InputError(f"{path}: expected targets of {outputs} values (one per output node), found "
                         f"{found.outputs}")
    return found.inputs, found.targets
