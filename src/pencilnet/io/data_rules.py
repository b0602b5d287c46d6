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
    from pencilnet.io.datasets import _read_npz  # bounded as any data file, never unpickled

    if not value.endswith(".npz"):
        check.fail("parameters", schema.TOP.field("parameters").kind.expected, value)
        return layer_specs
    if not isinstance(layer_specs, list):
        return layer_specs
    arrays = _read_npz((base_dir or Path.cwd()) / value)
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
    training file once more; a file that cannot be read is reported in its reader's words (with
    every other problem of the config), and the sizes it was to give are not reported missing."""
    inputs, layers, spec = top.get("inputs"), top.get("layers"), top.get("data")
    last = layers[-1] if isinstance(layers, list) and layers and isinstance(layers[-1], dict) else None
    open_output = last is not None and "size" not in last and "weights" not in last
    if not isinstance(spec, dict) or not isinstance(spec.get("train"), str) or (inputs is not None and not open_output):
        return top
    from pencilnet.io import datasets

    columns: dict[str, Any] = {key: spec.get(key) for key in ("label_column", "target_columns", "feature_columns")}
    if not all(value is None or isinstance(value, (str, list)) for value in columns.values()):
        return top
    try:
        found = datasets.load((base_dir or Path.cwd()) / spec["train"], None, **columns)
    except InputError as exc:
        size = f"layers[{len(layers) - 1}].size" if isinstance(layers, list) and open_output else ""
        check.report(str(exc), [path for path, missing in (("inputs", inputs is None), (size, open_output))
                                if missing])
        return top
    except TypeError:
        return top
    assert found.targets is not None  # a labelled load: a file without targets is refused
    classes = top.get("classes")
    outputs = len(classes) if isinstance(classes, list) and classes else found.targets.shape[1]
    filled = dict(top)
    if open_output and last is not None and isinstance(layers, list):
        filled["layers"] = [*layers[:-1], {**last, "size": outputs}]
    if inputs is None:
        filled["inputs"] = found.inputs.shape[1]
    return filled


def data_samples(spec, check: Checker, inputs, outputs, classes, classes_given: bool, base_dir: Path | None):
    """Samples from data files: ((inputs, targets), (test inputs, test targets) or None, classes,
    the fitted standardisation or None).

    Paths are relative to the config file. The files are read only once the rest of the
    config is valid, so that a message about them is not lost among others."""
    from pencilnet.io import datasets

    empty = (np.empty((0, inputs or 0)), np.empty((0, outputs or 0)))
    if spec is INVALID:
        return empty, None, classes, None
    if spec["split"] is not None and spec["test"] is not None:
        check.fail("data.split", "either a test file or a split, not both", "both")
    if check.problems or not valid(*spec.values()) or (spec["split"] and not valid(*spec["split"].values())):
        return empty, None, classes, None
    base = base_dir or Path.cwd()
    columns = {key: spec[key] for key in ("target_columns", "feature_columns")}

    def read(key: str, known: list[str] | None):
        found = datasets.load(base / spec[key], known, spec["label_column"], **columns)
        where = f"data.{key}"
        if outputs == 1 and found.labels is not None and columns["target_columns"] is None:
            found = found.one_output(f"{where}: {spec[key]}")  # two classes, one sigmoid output: the second's
        if inputs is not None and found.inputs.shape[1] != inputs:
            check.fail(where, f"a dataset of {inputs} features (one per input node)",
                       f"{found.inputs.shape[1]} in {spec[key]}", describe=False)
        assert found.targets is not None  # a labelled load: a file without targets is refused
        if outputs is not None and found.targets.shape[1] != outputs:
            check.fail(where, f"targets of {outputs} values (one per output node)",
                       f"{found.targets.shape[1]} in {spec[key]}", describe=False)
        return found

    train = read("train", classes if classes_given else None)
    if not classes_given:
        classes = train.classes
    # The test file's labels are the training file's classes: a label never seen in training is refused.
    test = read("test", classes) if spec["test"] is not None else None
    if spec["split"] is not None:
        train, test = datasets.split(train, spec["split"]["test_fraction"], spec["split"]["seed"])
    if check.problems:
        return empty, None, classes, None
    standardize = spec["standardize"]
    scaling = datasets.Scaling.of(standardize, train.inputs, "data.standardize") if standardize else None
    scaled = scaling.apply if scaling else (lambda inputs: inputs)
    return ((scaled(train.inputs), train.targets), ((scaled(test.inputs), test.targets) if test else None), classes,
            scaling)


