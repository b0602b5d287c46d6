"""The layers a reader found, assembled into a pencilnet model with what the file's metadata adds:
activations, loss, classes, shared biases and the bias input."""

import json
import math
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.core.losses import LOSSES
from pencilnet.core.model import Layer, Model
from pencilnet.io.interop.common import MAX_TEXT, check_name


@dataclass(frozen=True, eq=False)
class Imported:
    model: Model
    loss: str
    classes: list[str] | None
    name: str
    keys: list[str]  # where each layer came from: "0.weight", or an ONNX node, "Gemm 0"
    notes: list[str] = field(default_factory=list)  # what a reader of the written config should know
    standardize: dict | None = None  # the input scaling, as a config's data.standardize: method, offset, scale


@dataclass(frozen=True, eq=False)
class Standardized:
    """The scaling an ONNX graph applies to its input before the first layer: (raw − offset) / scale."""

    offset: np.ndarray
    scale: np.ndarray


@dataclass
class Linear:
    """One Linear layer as a reader found it."""

    key: str
    weights: np.ndarray  # pencilnet's way round: (sources, targets)
    biases: np.ndarray
    activation: str | None = None


def listed(meta: dict, key: str) -> list[str] | None:
    if key not in meta:
        return None
    return [part.strip() for part in meta[key].split(",")]


def assemble(layers: list[Linear], meta: dict[str, str], source: str, loss: str | None) -> Imported:
    """The layers as a pencilnet model, with what the metadata adds: loss, classes, shared biases, bias input."""
    notes = []
    for previous, layer in pairwise(layers):
        if layer.weights.shape[0] != previous.weights.shape[1]:
            raise InputError(f"{source}: tensor '{layer.key}': expected {previous.weights.shape[1]} sources, one per "
                             f"node of '{previous.key}', found {layer.weights.shape[0]}")
    for layer in layers:
        for what, values in (("weights", layer.weights), ("biases", layer.biases)):
            if not np.all(np.isfinite(values)):
                raise InputError(f"{source}: layer '{layer.key}': expected finite {what}, found "
                                 f"{values[~np.isfinite(values)].ravel()[0]}")
    for layer in layers[:-1]:
        if layer.activation == "softmax":
            raise InputError(f"{source}: layer '{layer.key}': expected softmax on the output layer only, "
                             "as a pencilnet config has it")
    where = "--loss" if loss else f"{source}: metadata pencilnet.loss"
    loss = loss or meta.get("pencilnet.loss", "half_sse")
    if loss not in LOSSES:
        raise InputError(f"{where}: expected one of {', '.join(LOSSES)}, found '{loss[:40]}'")
    shared = listed(meta, "pencilnet.bias") or ["per_node"] * len(layers)
    if len(shared) != len(layers) or not set(shared) <= {"per_node", "shared"}:
        raise InputError(f"{source}: metadata pencilnet.bias: expected {len(layers)} bias modes (per_node or "
                         f"shared), found '{meta['pencilnet.bias'][:80]}'")
    bias_input, biases = _bias_input(meta, source), [layer.biases for layer in layers]
    if bias_input != 1.0:  # the file holds bias × bias input: what pencilnet wrote beside them, or divided back
        exact = _exported_biases(meta, layers)
        divided = [b / bias_input for b in biases] if bias_input else []
        if exact and all(np.array_equal(e * bias_input, b) for e, b in zip(exact, biases, strict=True)):
            biases = exact
        elif bias_input and all(np.array_equal(d * bias_input, b) for d, b in zip(divided, biases, strict=True)):
            biases = divided
        else:
            notes.append(f"the exporting config had a bias input of {bias_input!r}; the biases here are what "
                         "each node adds, bias × bias input, with a bias input of 1")
            bias_input = 1.0
    built = []
    for layer, values, mode in zip(layers, biases, shared, strict=True):
        one = mode == "shared"
        if one and not np.all(values == values[0]):
            notes.append(f"{layer.key}: its bias was shared when exported, but its values differ now: one per node")
            one = False
        built.append(Layer(layer.weights, values[:1] if one else values, layer.activation or "identity", one))
    model = Model(tuple(built), bias_input)
    classes = _classes(meta, source, model.sizes[-1])
    name = check_name(meta.get("pencilnet.name", ""), "metadata pencilnet.name", source, MAX_TEXT) or \
        f"Imported from {Path(source).name}"
    return Imported(model, loss, classes, name, [layer.key for layer in layers], notes)


def _exported_biases(meta: dict, layers: list[Linear]) -> list[np.ndarray] | None:
    """pencilnet's own biases, one per node, which an export with a bias input other than 1 writes into the
    metadata; None when they are not there or not of the layers' shapes (the caller checks their values)."""
    try:
        found = [np.array(values, dtype=np.float64) for values in json.loads(meta.get("pencilnet.biases", "null"))]
    except (ValueError, TypeError, RecursionError):
        return None
    if len(found) != len(layers) or any(f.shape != layer.biases.shape for f, layer in zip(found, layers, strict=True)):
        return None
    return found


def _bias_input(meta: dict, source: str) -> float:
    text = meta.get("pencilnet.bias_input", "1.0")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"{source}: metadata pencilnet.bias_input: expected a finite number, found '{text[:40]}'")
    return value


def _classes(meta: dict, source: str, outputs: int) -> list[str] | None:
    if not meta.get("pencilnet.classes"):
        return None
    try:
        classes = json.loads(meta["pencilnet.classes"])
    except (ValueError, RecursionError):
        classes = None
    count = 2 if outputs == 1 else outputs  # one sigmoid output: two classes and a threshold
    if (not isinstance(classes, list) or len(classes) != count or len(set(map(str, classes))) != count
            or not all(isinstance(c, str) and c for c in classes)):
        raise InputError(f"{source}: metadata pencilnet.classes: expected a JSON list of {count} distinct "
                         "class names, one per output (two for one output)")
    for index, name in enumerate(classes):
        check_name(name, f"metadata pencilnet.classes[{index}]", source, MAX_TEXT)
    return classes


METHODS = ("zscore", "minmax")


def standardize_of(meta: dict, graph: Standardized | None, from_graph: bool, inputs: int, source: str,
                 notes: list[str]) -> dict | None:
    """The input scaling as a config writes it: an ONNX graph's Sub and Div are what the model computes, and the
    metadata's numbers (float64, exact) are taken when they round to the graph's; a state dict has only the
    metadata's."""
    written = _written_standardize(meta, inputs, source)
    if graph is None:
        if written is not None and from_graph:
            notes.append("its metadata names an input scaling its graph does not apply: left out, as the graph has "
                         "it")
            return None
        return written
    for kind, values in (("offset", graph.offset), ("scale", graph.scale)):
        if not np.all(np.isfinite(values)) or (kind == "scale" and not np.all(values > 0)):
            bad = values[~np.isfinite(values) | ((values <= 0) if kind == "scale" else False)][0]
            raise InputError(f"{source}: the input's scaling: expected finite offsets and scales above 0, as "
                             f"pencilnet's standardize has them, found the {kind} {bad}")
    if (written is not None and _rounds_to(written["offset"], graph.offset)
            and _rounds_to(written["scale"], graph.scale)):
        return written
    if written is None:
        notes.append("the graph scales its inputs, (raw − offset) / scale, without saying how the numbers were "
                     "fitted: written as zscore")
    else:
        notes.append("the input scaling in its metadata differs from its graph's: the graph's is kept")
    return {"method": written["method"] if written else "zscore", "offset": graph.offset, "scale": graph.scale}


def _written_standardize(meta: dict, inputs: int, source: str) -> dict | None:
    """The metadata's pencilnet.standardize, {"method", "offset", "scale"}, checked as a config checks it."""
    if "pencilnet.standardize" not in meta:
        return None
    try:
        found = json.loads(meta["pencilnet.standardize"])
    except (ValueError, RecursionError):
        found = None
    numbers = {}
    if isinstance(found, dict) and set(found) == {"method", "offset", "scale"} and found["method"] in METHODS:
        for kind in ("offset", "scale"):
            values = found[kind]
            if (isinstance(values, list) and len(values) == inputs
                    and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)):
                numbers[kind] = np.array(values, dtype=np.float64)
    if (len(numbers) != 2 or not all(np.all(np.isfinite(v)) for v in numbers.values())
            or not np.all(numbers["scale"] > 0)):
        raise InputError(f"{source}: metadata pencilnet.standardize: expected a JSON object {{method: zscore or "
                         f"minmax, offset: {inputs} finite numbers, scale: {inputs} numbers above 0}}")
    return {"method": found["method"], **numbers}


def _rounds_to(exact: np.ndarray, found: np.ndarray) -> bool:
    """Whether `found` is `exact` as a float64, float32 or float16 export wrote it."""
    with np.errstate(over="ignore", under="ignore"):
        return any(np.array_equal(exact.astype(dtype).astype(np.float64), found)
                   for dtype in (np.float64, np.float32, np.float16))
