"""A dataset from a NumPy .npz archive (numpy.savez), read without trusting it.

Each member's .npy header is read and checked before its data: no object (pickled) arrays,
and at most MAX_ARRAY_BYTES for all of them together, counted as the float64 arrays they
become, whatever the archive claims to compress them to. An archive cannot run code.
"""

import math
import zipfile
import zlib

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.io.dataset import Dataset, checked_classes, class_indices, class_order, names_text
from pencilnet.io.files import open_regular, size_text

MAX_ARRAY_BYTES = 512 * 2**20  # the arrays of a .npz archive together, as the float64 arrays they become


def load_npz(path, classes: list[str] | None = None, unlabelled: bool = False,
             features: list[str] | None = None) -> Dataset:
    """A dataset from a .npz archive (numpy.savez) with these arrays:

    - `inputs` (or `x`): (samples, features) numbers;
    - `targets` (or `y`): (samples, outputs) numbers, such as one-hot rows; or else
      `labels`, one class name per sample, which give one-hot targets as in a CSV file;
    - optional `labels` beside targets, `classes` (one name per output; the `classes`
      argument comes first) and `feature_names` (one per input; else x1, x2, …).

    With `features` (the training data's feature names), an archive with `feature_names` has its
    columns found by name; one without is read by position. With `unlabelled`, an archive of
    inputs alone gives targets None."""
    source = str(path)
    classes = checked_classes(classes)
    arrays = read_npz(path)
    inputs = _numbers(arrays, _one_of(arrays, source, "inputs", "x") or "inputs", source, "features")
    count, width = inputs.shape
    if "feature_names" in arrays:
        names = _texts(arrays, "feature_names", source, width, "one name per column of inputs")
    else:
        names = list(features) if features is not None and len(features) == width else [f"x{i + 1}" for i in
                                                                                        range(width)]
    if features is not None and "feature_names" in arrays:
        inputs, names = _by_name(inputs, names, features, source), list(features)

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
    if target_name is None:
        if labels is None:  # inputs only, for `predict`
            return Dataset(inputs, None, list(classes or []), None, names, source)
        classes = classes or class_order(labels)
        known = set(classes)
        for index, label in enumerate(labels):
            if label not in known:
                raise InputError(f"{source}: array 'labels'[{index}]: expected one of the classes "
                                 f"{names_text(classes)}, found {label!r}")
        return Dataset(inputs, None, list(classes), labels, names, source, class_indices(labels, classes))
    targets = _numbers(arrays, target_name, source, "outputs")
    if len(targets) != count:
        raise InputError(f"{source}: array {target_name!r}: expected {count} rows, one per row of inputs, "
                         f"found {len(targets)}")
    outputs = targets.shape[1]
    classes = classes or [f"y{k + 1}" for k in range(outputs)]
    if len(classes) != outputs:
        raise InputError(f"{source}: expected {outputs} class names, one per column of {target_name!r}, "
                         f"found {len(classes)}")
    return Dataset(inputs, targets, list(classes), labels, names, source)


def _by_name(inputs: np.ndarray, names: list[str], features: list[str], source: str) -> np.ndarray:
    """The columns of `inputs` named `features`, in that order; every other name is refused."""
    place = {name: k for k, name in enumerate(names)}
    for name in features:
        if name not in place:
            raise InputError(f"{source}: array 'feature_names': expected the feature {name!r} (as in the training "
                             f"data), found {names_text(names)}")
    wanted = set(features)
    for name in names:
        if name not in wanted:
            raise InputError(f"{source}: array 'feature_names': expected only the training data's features "
                             f"({names_text(features)}), found {name!r} too")
    return inputs[:, [place[name] for name in features]]


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
                         f"{len(classes) - 1} (one of {names_text(classes)}), found {value[wrong[0]]}")
    return [classes[int(v)] for v in value.tolist()]


def read_npz(path) -> dict[str, np.ndarray]:
    """The arrays of a .npz archive, each member's .npy header read and checked before its data:
    no object (pickled) arrays, and at most MAX_ARRAY_BYTES for all of them together, counted as
    the float64 arrays they become, whatever the archive claims to compress them to."""
    with open_regular(path, ".npz archive") as stream:  # a zip is read from its end: a file
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
    view, done = memoryview(array.data).cast("B"), 0
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
    found = names_text(sorted(arrays)) if arrays else "no arrays"
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
