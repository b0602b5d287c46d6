"""The config's data files against its network: a big network's parameters from a .npz beside the
config, the sizes the training file determines when the config leaves them out, and the samples
read from the data files (with the standardisation fitted on the training data).

The files are read only once the rest of the config is valid, so that a message about them is not
lost among others; their paths are relative to the config file.
"""

from pathlib import Path
from typing import Any

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.io import schema
from pencilnet.io.checker import Checker
from pencilnet.io.kinds import INVALID, valid


def with_parameters(value, layer_specs, check: Checker, base_dir: Path | None):
    """`parameters: FILE.npz`: the layers' weights and biases from arrays layers[0].weights,
    layers[0].biases, … of a .npz file beside the config (`train --save` keeps a big network so).
    Returns copies of the layer specs holding them, to be checked as any weights are."""
    from pencilnet.io.npz import read_npz  # bounded as any data file, never unpickled

    if not value.endswith(".npz"):
        check.fail("parameters", schema.TOP.field("parameters").kind.expected, value)
        return layer_specs
    if not isinstance(layer_specs, list):
        return layer_specs
    arrays = read_npz((base_dir or Path.cwd()) / value)
    filled = []
    for index, spec in enumerate(layer_specs):
        spec = dict(spec) if isinstance(spec, dict) else spec
        for key in ("weights", "biases"):
            name = f"layers[{index}].{key}"
            array = arrays.pop(name, None)
            if not isinstance(spec, dict):
                continue
            if key in spec:
                check.fail(name, f"no {key} in the config: they are in {value}", spec[key])
            elif array is None or array.dtype.kind not in "fiu":
                check.fail(name, f"an array {name!r} of numbers in {value}",
                           "none" if array is None else f"an array of {array.dtype}", describe=False)
            elif not np.isfinite(array).all():
                where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
                check.fail(name, f"finite numbers in {value}", f"{array[where]} at {list(where)}", describe=False)
            else:
                spec[key] = np.asarray(array, dtype=np.float64)
        filled.append(spec)
    if arrays:
        check.fail("parameters", f"only arrays layers[i].weights and layers[i].biases, one of each per layer, "
                                 f"in {value}", f"{', '.join(sorted(arrays)[:5])}", describe=False)
    return filled


def inferred_sizes(top: dict, base_dir: Path | None, check: Checker) -> dict:
    """`top` with what the data determines filled in where the config leaves it out: `inputs`, the
    number of feature columns; the output layer's `size`, one per class (or target column). Given
    sizes are kept, and checked against the data later like any other. Filling them in reads the
    training file once more; a file that cannot give them is reported, naming what in the file
    stopped it (with every other problem of the config), and the sizes it was to give are not
    reported missing as well."""
    inputs, layers, spec = top.get("inputs"), top.get("layers"), top.get("data")
    last = layers[-1] if isinstance(layers, list) and layers and isinstance(layers[-1], dict) else None
    open_output = last is not None and "size" not in last and "weights" not in last
    if not isinstance(spec, dict) or not isinstance(spec.get("train"), str) or (inputs is not None and not open_output):
        return top
    from pencilnet.io import data_files

    columns: dict[str, Any] = {key: spec.get(key) for key in ("label_column", "target_columns", "feature_columns")}
    if not all(value is None or isinstance(value, (str, list)) for value in columns.values()):
        return top
    try:
        found = data_files.load((base_dir or Path.cwd()) / spec["train"], None, **columns)
    except TypeError:
        return top
    except InputError as exc:
        left_out = [name for name, missing in (("inputs", inputs is None), ("the output layer's size", open_output))
                    if missing]
        check.fail("data.train", f"a data file that gives what the config leaves out ({' and '.join(left_out)})",
                   str(exc), describe=False)
        if inputs is None:  # what the file was to give is not reported missing as well
            check.explained.add("inputs")
        if open_output and isinstance(layers, list):
            check.explained.add(f"layers[{len(layers) - 1}].size")
        return top
    classes = top.get("classes")
    outputs = len(classes) if isinstance(classes, list) and classes else found.outputs
    filled = dict(top)
    if open_output and last is not None and isinstance(layers, list):
        filled["layers"] = [*layers[:-1], {**last, "size": outputs}]
    if inputs is None:
        filled["inputs"] = found.inputs.shape[1]
    return filled


def data_samples(spec, check: Checker, inputs, outputs, classes, classes_given: bool, base_dir: Path | None):
    """Samples from data files: ((inputs, targets), (test inputs, test targets) or None, classes,
    the fitted standardisation or None, the training file's feature names).

    Paths are relative to the config file. The files are read only once the rest of the
    config is valid, so that a message about them is not lost among others."""
    from pencilnet.io import data_files, dataset
    from pencilnet.io.scaling import Scaling

    empty = (np.empty((0, inputs or 0)), np.empty((0, outputs or 0)))
    if spec is INVALID:
        return empty, None, classes, None, None
    if spec["split"] is not None and spec["test"] is not None:
        check.fail("data.split", "either a test file or a split, not both", "both")
    if check.problems or not valid(*spec.values()) or (spec["split"] and not valid(*spec["split"].values())):
        return empty, None, classes, None, None
    base = base_dir or Path.cwd()
    columns = {key: spec[key] for key in ("target_columns", "feature_columns")}

    def read(key: str, known: list[str] | None, features: list[str] | None = None):
        found = data_files.load(base / spec[key], known, spec["label_column"], **columns, features=features)
        where = f"data.{key}"
        if outputs == 1 and found.labels is not None and columns["target_columns"] is None:
            found = found.one_output(f"{where}: {spec[key]}")  # two classes, one sigmoid output: the second's
        if inputs is not None and found.inputs.shape[1] != inputs:
            check.fail(where, f"a dataset of {inputs} features (one per input node)",
                       f"{found.inputs.shape[1]} in {spec[key]}", describe=False)
        if outputs is not None and found.outputs != outputs:
            check.fail(where, f"targets of {outputs} values (one per output node)",
                       f"{found.outputs} in {spec[key]}", describe=False)
        return found

    train = read("train", classes if classes_given else None)
    if not classes_given:
        classes = train.classes
    # The test file's labels are the training file's classes: a label never seen in training is refused.
    # And its features are the training file's, found by name.
    test = read("test", classes, train.feature_names) if spec["test"] is not None else None
    if spec["split"] is not None:
        train, test = dataset.split(train, spec["split"]["test_fraction"], spec["split"]["seed"],
                                    spec["split"]["stratify"])
    if check.problems:
        return empty, None, classes, None, None
    standardize = spec["standardize"]
    scaling = Scaling.of(standardize, train.inputs, "data.standardize", train.feature_names) if standardize else None
    scaled = scaling.apply if scaling else (lambda inputs: inputs)
    return ((scaled(train.inputs), train.targets), ((scaled(test.inputs), test.targets) if test else None), classes,
            scaling, train.feature_names)


