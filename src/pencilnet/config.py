"""YAML config → Model and samples, with every field checked before any computation.

All problems in a file are collected and reported together, each naming the file, the
line where YAML gives one, the field's path (layers[1].weights[0][2]), what was expected
and what was found.
"""

import difflib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from .activations import ACTIVATIONS
from .errors import ConfigError, InputError, Problem
from .losses import LOSSES
from .model import Layer, Model

BUNDLED = "article.yaml"
TOP_LEVEL = ("name", "description", "inputs", "bias_input", "layers", "loss", "training", "classes", "samples")
LAYER_KEYS = ("size", "activation", "weights", "biases")
TRAINING_KEYS = ("learning_rate", "epochs")
SAMPLE_KEYS = ("inputs", "target", "label")


@dataclass(frozen=True)
class Config:
    source: str  # how messages name the file
    name: str
    model: Model
    loss: str
    learning_rate: float
    epochs: int
    inputs: np.ndarray  # (samples, input nodes)
    targets: np.ndarray  # (samples, output nodes)
    classes: list[str]  # one name per output node

    def sample(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample `number`, counted from 1 as the article counts x1, w1, ..."""
        count = len(self.inputs)
        if not 1 <= number <= count:
            raise InputError(f"--sample: expected a sample number from 1 to {count}, found {number}")
        return self.inputs[number - 1], self.targets[number - 1]


def bundled_text() -> str:
    return resources.files("pencilnet").joinpath("configs").joinpath(BUNDLED).read_text(encoding="utf-8")


def load(path: str | None = None) -> Config:
    """Read and check a config file; None means the article's example bundled with the package."""
    if path is None:
        return parse(bundled_text(), f"{BUNDLED} (bundled)")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: expected a YAML file, found a directory") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: expected UTF-8 text, found undecodable bytes") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse(text, path)


def parse(text: str, source: str) -> Config:
    data, lines = _read_yaml(text, source)
    check = _Checker(lines)
    config = _build(data, check, source)
    if check.problems:
        raise ConfigError(source, check.problems)
    return config


def _read_yaml(text: str, source: str) -> tuple[object, dict[str, int]]:
    """Safe-load the text, and note the line of every field so messages can point at it."""
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}: invalid YAML: {problem}") from None
    return data, _field_lines(node)


def _field_lines(root) -> dict[str, int]:
    lines: dict[str, int] = {}
    seen: set[int] = set()  # an alias points back at a node already walked: never walk it twice
    todo = [("", root)] if root is not None else []
    while todo:
        path, node = todo.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value)
                todo.append((f"{path}.{name}" if path else name, value))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend((f"{path}[{i}]", value) for i, value in enumerate(node.value))
    return lines


def _describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    return repr(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Checker:
    def __init__(self, lines: dict[str, int]):
        self.lines = lines
        self.problems: list[Problem] = []

    def fail(self, path: str, expected: str, found=None, *, describe=True):
        line = self.lines.get(path)
        found_text = _describe(found) if describe else found
        self.problems.append(Problem(path, expected, found_text, line))

    def mapping(self, value, path: str, known: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, "a mapping of fields", value)
            return None
        for key in value:
            if key not in known:
                hint = difflib.get_close_matches(str(key), known, n=1)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"one of the fields {', '.join(known)}{suggestion}", "an unknown field",
                          describe=False)
        return value

    def number(self, value, path: str, *, positive=False, integer=False) -> float | None:
        if integer:
            ok = isinstance(value, int) and not isinstance(value, bool) and (value > 0 or not positive)
            if not ok:
                self.fail(path, "a positive whole number" if positive else "a whole number", value)
                return None
            return value
        if not _is_number(value) or not np.isfinite(value) or (positive and value <= 0):
            self.fail(path, "a positive finite number" if positive else "a finite number", value)
            return None
        return float(value)

    def choice(self, value, path: str, options) -> str | None:
        if isinstance(value, str) and value in options:
            return value
        hint = difflib.get_close_matches(str(value), list(options), n=1) if isinstance(value, str) else []
        suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
        self.fail(path, f"one of {', '.join(options)}{suggestion}", value)
        return None

    def vector(self, value, path: str, length: int | None, what: str = "numbers") -> np.ndarray | None:
        expected = f"a list of {length} {what}" if length is not None else f"a list of {what}"
        if not isinstance(value, list) or (length is not None and len(value) != length):
            self.fail(path, expected, value)
            return None
        ok = True
        for i, item in enumerate(value):
            if not _is_number(item) or not np.isfinite(item):
                self.fail(f"{path}[{i}]", "a finite number", item)
                ok = False
        return np.array(value, dtype=np.float64) if ok else None

    def matrix(self, value, path: str, rows: int | None, columns: int | None, what: str) -> np.ndarray | None:
        shape = f"{rows} rows ({what}) of {columns} numbers each"
        if not isinstance(value, list) or (rows is not None and len(value) != rows):
            self.fail(path, shape, value)
            return None
        checked = [self.vector(row, f"{path}[{i}]", columns) for i, row in enumerate(value)]
        if any(row is None for row in checked):
            return None
        return np.array(checked, dtype=np.float64).reshape(len(checked), columns or 0)


def _build(data, check: _Checker, source: str) -> Config | None:
    top = check.mapping(data, "", TOP_LEVEL)
    if top is None:
        return None
    inputs = check.number(top.get("inputs"), "inputs", positive=True, integer=True)
    bias_input = check.number(top.get("bias_input", 1.0), "bias_input")
    layers, outputs = _layers(top.get("layers"), check, inputs)

    loss = check.choice(top.get("loss", "half_sse"), "loss", LOSSES)
    training = check.mapping(top.get("training", {}), "training", TRAINING_KEYS) or {}
    learning_rate = check.number(training.get("learning_rate", 0.5), "training.learning_rate", positive=True)
    epochs = check.number(training.get("epochs", 1), "training.epochs", positive=True, integer=True)

    classes = _classes(top.get("classes"), check, outputs)
    samples = _samples(top.get("samples"), check, inputs, outputs, classes)
    name = top.get("name", "")
    if not isinstance(name, str):
        check.fail("name", "a text", name)

    if check.problems:
        return None
    model = Model(tuple(layers), bias_input)
    return Config(source, name, model, loss, learning_rate, epochs, samples[0], samples[1], classes)


def _layers(value, check: _Checker, inputs: int | None) -> tuple[list[Layer] | None, int | None]:
    """The layers, when all are valid, and the output layer's size, when it is known."""
    if not isinstance(value, list) or not value:
        check.fail("layers", "a list of layers (hidden layers first, the output layer last)", value)
        return None, None
    layers, sources, complete = [], inputs, True
    for index, item in enumerate(value):
        path = f"layers[{index}]"
        spec = check.mapping(item, path, LAYER_KEYS)
        if spec is None:
            complete, sources = False, None
            continue
        weights_value = spec.get("weights")
        size = spec.get("size")
        if size is None and isinstance(weights_value, list) and weights_value and isinstance(weights_value[0], list):
            size = len(weights_value[0])  # the size may be left to the weight matrix
        size = check.number(size, f"{path}.size", positive=True, integer=True)
        activation = check.choice(spec.get("activation", "sigmoid"), f"{path}.activation", ACTIVATIONS)
        what = "one per input node" if index == 0 else f"one per node of layers[{index - 1}]"
        if "weights" not in spec:
            check.fail(f"{path}.weights", f"a weight matrix: {sources or 'one'} rows ({what})", None)
            weights = None
        else:
            weights = check.matrix(weights_value, f"{path}.weights", sources, size, what)
        if "biases" not in spec:
            check.fail(f"{path}.biases", f"a list of {size or 'the layer size'} bias weights, one per node", None)
            biases = None
        else:
            biases = check.vector(spec["biases"], f"{path}.biases", size, "bias weights")
        if weights is None or biases is None or activation is None or size is None:
            complete = False
        else:
            layers.append(Layer(weights, biases, activation))
        sources = size
    return (layers if complete else None), sources


def _classes(value, check: _Checker, outputs: int | None) -> list[str]:
    default = [f"y{k + 1}" for k in range(outputs or 0)]
    if value is None:
        return default
    if (not isinstance(value, list) or not all(isinstance(c, str) and c for c in value)
            or (outputs is not None and len(value) != outputs) or len(set(value)) != len(value)):
        count = f"{outputs} " if outputs is not None else ""
        check.fail("classes", f"a list of {count}distinct class names, one per output node", value)
        return default
    return list(value)


def _samples(value, check: _Checker, inputs, outputs, classes) -> tuple[np.ndarray, np.ndarray]:
    xs, ts = [], []
    if not isinstance(value, list) or not value:
        check.fail("samples", "a list of samples, each with inputs and a target or a label", value)
        return np.empty((0, inputs or 0)), np.empty((0, outputs or 0))
    for index, item in enumerate(value):
        path = f"samples[{index}]"
        spec = check.mapping(item, path, SAMPLE_KEYS)
        if spec is None:
            continue
        x = check.vector(spec.get("inputs"), f"{path}.inputs", inputs, "input values")
        target = None
        if "target" in spec:
            target = check.vector(spec["target"], f"{path}.target", outputs, "target values (one per output node)")
        label = spec.get("label")
        if label is not None:
            if label not in classes:
                check.fail(f"{path}.label", f"one of the classes {', '.join(classes)}", label)
            elif target is None:
                target = np.eye(len(classes))[classes.index(label)]
            elif not np.array_equal(target, np.eye(len(classes))[classes.index(label)]):
                check.fail(f"{path}.label", f"the class whose one-hot vector is the target {target.tolist()}", label)
        elif "target" not in spec:
            check.fail(f"{path}.target", "a target vector (or a label naming one of the classes)", None)
        if x is not None and target is not None:
            xs.append(x)
            ts.append(target)
    return np.array(xs, dtype=np.float64), np.array(ts, dtype=np.float64)
