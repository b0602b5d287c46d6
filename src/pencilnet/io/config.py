"""YAML config → Model and samples, with every field checked before any computation.

All problems in a file are collected and reported together, each naming the file, the
line where YAML gives one, the field's path (layers[1].weights[0][2]), what was expected
and what was found.
"""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np
import yaml

from pencilnet.checks.published import INHERIT, Expectations, Expected
from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.errors import ConfigError, InputError, Problem
from pencilnet.core.losses import LOSSES
from pencilnet.core.model import Layer, Model
from pencilnet.io.files import read_text

BUNDLED = "article.yaml"
MAX_BYTES = 16 * 2**20  # a config is text a person wrote; big data belongs in a CSV or .npz file
MAX_NODES = 1_000_000  # per layer
MAX_WEIGHTS = 20_000_000  # per layer: 160 MB of float64, far beyond what this tool is for
MAX_YAML_NODES = MAX_BYTES  # values and fields once aliases are expanded: no file without aliases has more
MAX_REREAD_BYTES = 2**20  # a broken file up to this size is read again for a more precise message
class FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader, libyaml's when PyYAML has it."""


class PlainLoader(yaml.SafeLoader):
    """YAML's safe loader in pure Python: slower, with more precise messages."""


# Both read 1e-5 as the number a person means. YAML 1.1, which PyYAML follows, wants a dot in a
# float (1.0e-5) and would read 1e-5 as text.
for _loader in (FastLoader, PlainLoader):
    _loader.add_implicit_resolver(
        "tag:yaml.org,2002:float", re.compile(r"^[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+$"), list("-+0123456789"))
TOP_LEVEL = ("name", "description", "inputs", "bias_input", "layers", "loss", "training", "classes", "samples",
             "data", "arithmetic", "expected", "init", "seed")
DATA_KEYS = ("train", "test", "split", "label_column", "target_columns", "feature_columns")
LAYER_KEYS = ("size", "activation", "weights", "biases", "bias", "freeze", "init")
TRAINING_KEYS = ("learning_rate", "epochs", "batch_size", "shuffle", "seed", "target_error")
BIAS_MODES = ("per_node", "shared")
FREEZE = {"none": (False, False), "weights": (True, False), "biases": (False, True), "all": (True, True)}
SAMPLE_KEYS = ("inputs", "target", "label")
EXPECTED_KEYS = ("arithmetic", "sample", "values")
ENTRY_KEYS = ("value", "tolerance", "arithmetic", "erratum", "note")
PUBLISHED = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
@dataclass(frozen=True, eq=False)
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
    arithmetic: int | None = None  # pencil decimals to compute with, None for exact
    expected: Expectations | None = None
    data: dict = field(default_factory=dict, repr=False)  # the YAML as read, after --set
    batch_size: int | None = 1  # None: full batch
    shuffle: bool = False
    seed: int = 0
    target_error: float | None = None
    base_dir: Path | None = None  # where relative data paths start: the config file's folder
    test_inputs: np.ndarray | None = None
    test_targets: np.ndarray | None = None

    @property
    def schedule(self):
        from pencilnet.training.loop import Schedule

        return Schedule(self.learning_rate, self.epochs, self.batch_size, self.shuffle, self.seed, self.target_error)

    def walk(self, number: int = 1, arithmetic=None):
        """The four stages for sample `number` under `arithmetic` (the config's own when None)."""
        from pencilnet.core.arithmetic import arithmetic_of
        from pencilnet.core.stages import walk

        x, target = self.sample(number)
        arithmetic = arithmetic_of(self.arithmetic) if arithmetic is None else arithmetic
        return walk(self.model, x, target, self.loss, self.learning_rate, arithmetic, number)

    def sample(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample `number`, counted from 1 as the article counts x1, w1, ..."""
        count = len(self.inputs)
        if not 1 <= number <= count:
            raise InputError(f"--sample: expected a sample number from 1 to {count}, found {number}")
        return self.inputs[number - 1], self.targets[number - 1]


def bundled_text() -> str:
    # A plain path, not importlib.resources, which imports zipfile and more: pencilnet installs as files.
    return (Path(__file__).parent.parent / "configs" / BUNDLED).read_text(encoding="utf-8")


def load(path: str | None = None, overrides: list[str] = ()) -> Config:
    """Read and check a config file: None means the article's example bundled with the
    package, "-" standard input. `overrides` are `--set PATH=VALUE` changes to apply first."""
    if path is None:
        return parse(bundled_text(), f"{BUNDLED} (bundled)", overrides)
    text = read_text(path, "config", MAX_BYTES)  # never more than the cap read, even from /dev/zero
    if path == "-":
        return parse(text, "<stdin>", overrides, Path.cwd())
    return parse(text, path, overrides, Path(path).resolve().parent)


def parse(text: str, source: str, overrides: list[str] = (), base_dir: Path | None = None) -> Config:
    if len(text) > MAX_BYTES:
        raise InputError(f"{source}: expected a config of at most {MAX_BYTES // 2**20} MiB")
    data, root, duplicates = _read_yaml(text, source)
    changed = [apply_override(data, item) for item in overrides]
    check = _Checker(root, changed)
    for path, first, again in duplicates:  # YAML keeps the last silently; a person meant one of them
        check.problems.append(Problem(path, "each field once in a mapping",
                                      f"it at line {first} and again at line {again}", again))
    config = _build(data, check, source, base_dir)
    if check.problems:
        raise ConfigError(source, check.problems)
    return config


def apply_override(data, item: str) -> str:
    """Apply one `--set PATH=VALUE` to the YAML data in place; return the path, as messages write it.

    PATH is dotted with list indexes, `training.learning_rate` or `layers[0].weights[1][0]`;
    VALUE is read as YAML, so `0.1` is a number, `[1, 2]` a list and `tanh` a text."""
    path, equals, text = item.partition("=")
    steps = _steps(path)
    item = _shortened(item)  # messages quote it: one line, of a readable length
    if not equals or not steps:
        raise InputError(f"--set {item}: expected PATH=VALUE, for example training.learning_rate=0.1")
    try:
        _, value = _load_yaml(text, FastLoader, f"--set {item}", lines=False)
    except (yaml.YAMLError, RecursionError):
        raise InputError(f"--set {item}: expected a YAML value after '=', found {_shortened(text)!r}") from None
    if not isinstance(data, dict):
        raise InputError(f"--set {item}: the config is not a mapping of fields")
    node = data
    for index, key in enumerate(steps[:-1]):
        following = steps[index + 1]
        if isinstance(key, str) and isinstance(node, dict):
            node = node.setdefault(key, [] if isinstance(following, int) else {})
        elif isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
        else:
            raise InputError(f"--set {item}: {_path_text(steps[:index + 1])} is not in the config")
    last = steps[-1]
    if isinstance(last, str) and isinstance(node, dict):
        node[last] = value
    elif isinstance(last, int) and isinstance(node, list) and last < len(node):
        node[last] = value
    else:
        raise InputError(f"--set {item}: {_path_text(steps)} is not in the config")
    return _path_text(steps)


def _shortened(text: str, most: int = 60) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= most else text[: most - 1] + "…"


def _path_text(steps: list) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def _load_yaml(text: str, loader_class, source: str, lines: bool = True):
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node, source)  # before a single value is built from the node tree
        try:
            return node, loader.construct_document(node)
        except ValueError as exc:  # int("9" * 5000), or a date such as 2001-13-45
            where = _long_integer_line(node)
            if where:
                where, found = (where if lines else ""), "an integer of more than 4,300 digits"
            else:
                found = f"a value YAML cannot read ({str(exc).splitlines()[0][:60]})"
            raise InputError(f"{source}{where}: expected numbers and texts Python can read, found {found}") from None
    finally:
        loader.dispose()


def _check_expansion(root, source: str) -> None:
    """Refuse a document whose aliases expand it past MAX_YAML_NODES: an 800 KB file whose samples
    all name one anchored list of 100,000 numbers is 300 million numbers once expanded.

    Counted on the node tree, where an alias is the very node it names, each node once:
    (1 + its children's expanded counts); a node that contains itself never ends."""
    expanded: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the path from the root to the node at hand
    todo = [(root, False)]
    while todo:
        node, leaving = todo.pop()
        key = id(node)
        children = _children(node)
        if leaving:
            open_nodes.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in children)
            if expanded[key] > MAX_YAML_NODES:
                break
            continue
        if key in expanded:
            continue
        if key in open_nodes:
            raise InputError(f"{source}:{node.start_mark.line + 1}: expected a config, found an alias that "
                             "contains itself (it never ends once expanded)")
        open_nodes.add(key)
        todo.append((node, True))
        todo.extend((child, False) for child in children if id(child) not in expanded)
    total = expanded.get(id(node), 0)
    if total > MAX_YAML_NODES:
        raise InputError(f"{source}: expected a config of at most {MAX_YAML_NODES:,} values and fields once its "
                         f"aliases are expanded, found more than {total:,} (aliases are not expanded "
                         "past that)")


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _long_integer_line(root) -> str:
    """":LINE" of the first integer too long for Python to read, found on the node tree."""
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int") and len(node.value) > 4000:
            return f":{node.start_mark.line + 1}"
        todo.extend(reversed(_children(node)))
    return ""


def _read_yaml(text: str, source: str) -> tuple[object, object, list[tuple[str, int, int]]]:
    """Safe-load the text: the data, the node tree (where line numbers are looked up when a
    problem is reported), and every field given twice in one mapping.

    libyaml's parser, where PyYAML has it, reads a config several times faster than the pure-Python
    one (a good part of a small command's start-up). A small broken file is read again by the
    pure-Python one, whose messages say more ("found character '\\t'" rather than "found character");
    a big one is not: the pure-Python parser takes seconds a megabyte."""
    try:
        try:
            node, data = _load_yaml(text, FastLoader, source)
        except yaml.YAMLError:
            if len(text) > MAX_REREAD_BYTES:
                raise
            node, data = _load_yaml(text, PlainLoader, source)
    except RecursionError:
        raise InputError(f"{source}: expected a config, found YAML nested too deeply to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}: invalid YAML: {problem}") from None
    return data, node, _duplicates(node)


def _duplicates(root) -> list[tuple[str, int, int]]:
    """Every field given twice in one mapping: (field, its first line, the line it is repeated on)."""
    found = []
    seen: set[int] = set()  # an alias points back at a node already walked: never walk it twice
    todo = [("", root)] if root is not None else []
    while todo:
        path, node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_lines: dict[str, int] = {}
            for key, value in node.value:
                name = str(key.value)
                field = f"{path}.{name}" if path else name
                if name in first_lines:
                    found.append((field, first_lines[name], key.start_mark.line + 1))
                first_lines.setdefault(name, key.start_mark.line + 1)
                todo.append((field, value))
        elif isinstance(node, yaml.SequenceNode):  # scalars hold no mappings: a matrix costs one pass
            todo.extend((f"{path}[{i}]", value) for i, value in enumerate(node.value)
                        if not isinstance(value, yaml.ScalarNode))
    return found


def _steps(path: str) -> list[str | int] | None:
    """`layers[0].weights[1]` → ["layers", 0, "weights", 1]; None if it is not such a path."""
    steps: list[str | int] = []
    for part in path.strip().split("."):
        match = re.fullmatch(r"([^\[\]=]+)((?:\[\d+\])*)", part.strip())
        if not match:
            return None
        steps.append(match.group(1))
        steps += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return steps


def _line_of(root, path: str) -> int | None:
    """The line of the field at `path`, or of the nearest enclosing one that the file has.
    Looked up only when a problem is reported, so a big weight matrix costs nothing."""
    node = root
    for step in _steps(path) or [] if path else []:
        if isinstance(step, str) and isinstance(node, yaml.MappingNode):
            matches = [value for key, value in node.value if str(key.value) == step]
            if not matches:
                break
            node = matches[-1]  # with a key given twice, YAML keeps the last
        elif isinstance(step, int) and isinstance(node, yaml.SequenceNode) and step < len(node.value):
            node = node.value[step]
        else:
            break
    return node.start_mark.line + 1 if node is not None else None


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


def _near_miss(word: str, choices) -> str:
    """" (did you mean 'x'?)" for a near miss among `choices`, or nothing."""
    import difflib  # only when something is wrong: a config that reads cleanly never needs it

    hint = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value) -> bool:
    """A finite int or float; an int too large for a float (2**1100) is not."""
    try:
        return _is_number(value) and math.isfinite(value)
    except OverflowError:
        return False


class _Checker:
    def __init__(self, root, overridden: list[str] = ()):
        self.root = root  # the YAML node tree, for line numbers
        self.overridden = overridden
        self.problems: list[Problem] = []

    def fail(self, path: str, expected: str, found=None, *, describe=True):
        found_text = _describe(found) if describe else found
        line = _line_of(self.root, path)
        if any(path == p or path.startswith((p + ".", p + "[")) for p in self.overridden):
            found_text, line = f"{found_text} (from --set)", None  # a value set on the command line has no line
        self.problems.append(Problem(path, expected, found_text, line))

    def mapping(self, value, path: str, known: tuple[str, ...]) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, "a mapping of fields", value)
            return None
        for key in value:
            if key not in known:
                suggestion = _near_miss(str(key), known)
                where = f"{path}.{key}" if path else str(key)
                self.fail(where, f"one of the fields {', '.join(known)}{suggestion}", "an unknown field",
                          describe=False)
        return value

    def number(self, value, path: str, *, positive=False, integer=False, most: int | None = None) -> float | None:
        if integer:
            # Whole numbers here are counts and seeds: never negative, and bounded to what fits in memory.
            least, most = (1 if positive else 0), most or 2**63 - 1
            if not (isinstance(value, int) and not isinstance(value, bool) and least <= value <= most):
                low = "a positive" if positive else "a non-negative"
                self.fail(path, f"{low} whole number" + (f" of at most {most:,}" if most < 2**63 - 1 else ""), value)
                return None
            return value
        if not _is_finite(value) or (positive and value <= 0):
            self.fail(path, "a positive finite number" if positive else "a finite number", value)
            return None
        return float(value)

    def choice(self, value, path: str, options) -> str | None:
        if isinstance(value, str) and value in options:
            return value
        suggestion = _near_miss(value, options) if isinstance(value, str) else ""
        self.fail(path, f"one of {', '.join(options)}{suggestion}", value)
        return None

    def vector(self, value, path: str, length: int | None, what: str = "numbers") -> np.ndarray | None:
        expected = f"a list of {length} {what}" if length is not None else f"a list of {what}"
        if not isinstance(value, list) or (length is not None and len(value) != length):
            self.fail(path, expected, value)
            return None
        ok = True
        for i, item in enumerate(value):
            if not _is_finite(item):
                self.fail(f"{path}[{i}]", "a finite number", item)
                ok = False
        return np.array(value, dtype=np.float64) if ok else None

    def matrix(self, value, path: str, rows: int | None, columns: int | None, what: str) -> np.ndarray | None:
        shape = f"{rows} rows ({what}) of {columns} numbers each"
        if not isinstance(value, list) or (rows is not None and len(value) != rows):
            self.fail(path, shape, value)
            return None
        checked = [self.vector(row, f"{path}[{i}]", columns) for i, row in enumerate(value)]
        if columns is None or any(row is None for row in checked):
            return None  # with the layer's size unknown, its numbers were checked but no matrix is made
        return np.array(checked, dtype=np.float64).reshape(len(checked), columns)


def _build(data, check: _Checker, source: str, base_dir: Path | None) -> Config | None:
    top = check.mapping(data, "", TOP_LEVEL)
    if top is None:
        return None
    inputs = check.number(top.get("inputs"), "inputs", positive=True, integer=True, most=MAX_NODES)
    bias_input = check.number(top.get("bias_input", 1.0), "bias_input")
    seed = check.number(top.get("seed", 0), "seed", integer=True)
    default_scheme = _scheme(top.get("init"), "init", check)
    layers, outputs = _layers(top.get("layers"), check, inputs, default_scheme, seed)

    loss = check.choice(top.get("loss", "half_sse"), "loss", LOSSES)
    training = check.mapping(top.get("training", {}), "training", TRAINING_KEYS) or {}
    learning_rate = check.number(training.get("learning_rate", 0.5), "training.learning_rate", positive=True)
    epochs = check.number(training.get("epochs", 1), "training.epochs", positive=True, integer=True)
    batch_size = training.get("batch_size", 1)
    if batch_size == "full":
        batch_size = None
    elif isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        check.fail("training.batch_size", "a positive whole number, or 'full' for one update per epoch", batch_size)
    shuffle = training.get("shuffle", False)
    if not isinstance(shuffle, bool):
        check.fail("training.shuffle", "true or false", shuffle)
    training_seed = check.number(training.get("seed", seed if seed is not None else 0), "training.seed", integer=True)
    target_error = training.get("target_error")
    if target_error is not None:
        target_error = check.number(target_error, "training.target_error", positive=True)

    classes = _classes(top.get("classes"), check, outputs)
    test = None
    if "data" in top:
        if "samples" in top:
            check.fail("samples", "either samples or a data section, not both", "both")
        samples, test, classes = _data(top["data"], check, inputs, outputs, classes, top.get("classes") is not None,
                                       base_dir)
    else:
        samples = _samples(top.get("samples"), check, inputs, outputs, classes)
    name = top.get("name", "")
    for key in ("name", "description"):
        if not isinstance(top.get(key, ""), str):
            check.fail(key, "a text", top[key])
    arithmetic = _arithmetic(top.get("arithmetic", "exact"), "arithmetic", check)

    if check.problems:
        return None
    model = Model(tuple(layers), bias_input)
    expected = _expected(top["expected"], check, model, len(samples[0])) if "expected" in top else None
    if check.problems:
        return None
    return Config(source, name, model, loss, learning_rate, epochs, samples[0], samples[1], classes,
                  arithmetic, expected, data, batch_size, shuffle, training_seed, target_error, base_dir,
                  *(test if test else (None, None)))


def _data(value, check: _Checker, inputs, outputs, classes, classes_given: bool, base_dir: Path | None):
    """Samples from data files: ((inputs, targets), (test inputs, test targets) or None, classes).

    Paths are relative to the config file. The files are read only once the rest of the
    config is valid, so that a message about them is not lost among others."""
    from pencilnet.io import datasets

    spec = check.mapping(value, "data", DATA_KEYS)
    empty = (np.empty((0, inputs or 0)), np.empty((0, outputs or 0)))
    if spec is None:
        return empty, None, classes
    if not isinstance(spec.get("train"), str):
        check.fail("data.train", "the path of a .csv or .npz file, relative to the config", spec.get("train"))
    if "test" in spec and not isinstance(spec["test"], str):
        check.fail("data.test", "the path of a .csv or .npz file, relative to the config", spec["test"])
    split = spec.get("split")
    fraction = split_seed = None
    if split is not None:
        split = check.mapping(split, "data.split", ("test_fraction", "seed")) or {}
        fraction = split.get("test_fraction")
        if not _is_number(fraction) or not 0 < fraction < 1:
            check.fail("data.split.test_fraction", "a fraction between 0 and 1", fraction)
        split_seed = check.number(split.get("seed", 0), "data.split.seed", integer=True)
        if "test" in spec:
            check.fail("data.split", "either a test file or a split, not both", "both")
    columns = {}
    for key in ("target_columns", "feature_columns"):
        if key in spec and (not isinstance(spec[key], list) or not all(isinstance(c, str) for c in spec[key])):
            check.fail(f"data.{key}", "a list of column names", spec[key])
        columns[key] = spec.get(key)
    label_column = spec.get("label_column", "label")
    if not isinstance(label_column, str):
        check.fail("data.label_column", "a column name", label_column)
    if check.problems:
        return empty, None, classes
    base = base_dir or Path.cwd()

    def read(key: str):
        found = datasets.load(base / spec[key], classes if classes_given else None, label_column, **columns)
        where = f"data.{key}"
        if inputs is not None and found.inputs.shape[1] != inputs:
            check.fail(where, f"a dataset of {inputs} features (one per input node)",
                       f"{found.inputs.shape[1]} in {spec[key]}", describe=False)
        if outputs is not None and found.targets.shape[1] != outputs:
            check.fail(where, f"targets of {outputs} values (one per output node)",
                       f"{found.targets.shape[1]} in {spec[key]}", describe=False)
        return found

    train = read("train")
    if not classes_given:
        classes = train.classes
    test = read("test") if "test" in spec else None
    if split is not None:
        train, test = datasets.split(train, fraction, split_seed)
    if check.problems:
        return empty, None, classes
    return (train.inputs, train.targets), ((test.inputs, test.targets) if test else None), classes


def _scheme(value, path: str, check: _Checker) -> tuple[str, float] | None:
    """`init: xavier`, or `init: {scheme: uniform, range: 0.3}` → (scheme, spread)."""
    from pencilnet.core.initializers import SCHEMES

    if value is None:
        return None
    spec = {"scheme": value} if isinstance(value, str) else check.mapping(value, path, ("scheme", "range"))
    if spec is None:
        return None
    scheme = check.choice(spec.get("scheme"), f"{path}.scheme" if isinstance(value, dict) else path, SCHEMES)
    spread = check.number(spec.get("range", 0.5), f"{path}.range", positive=True)
    if spread is not None and spread > 1e6:
        check.fail(f"{path}.range", "a positive number of at most 1e6", spread)
        spread = None
    return (scheme, spread) if scheme and spread else None


def _arithmetic(value, path: str, check: _Checker) -> int | None:
    """'exact' → None; 'pencil N' → N, the decimals every intermediate is rounded to."""
    if value == "exact":
        return None
    match = re.fullmatch(r"pencil\s+(\d+)", value.strip()) if isinstance(value, str) else None
    if match and int(match.group(1)) <= 15:
        return int(match.group(1))
    check.fail(path, "'exact' or 'pencil N' (every intermediate rounded to N decimals, N from 0 to 15)", value)
    return None


def _expected(value, check: _Checker, model: Model, samples: int) -> Expectations | None:
    from pencilnet.checks.quantities import epochs_of, one_step_names

    section = check.mapping(value, "expected", EXPECTED_KEYS)
    if section is None:
        return None
    arithmetic = _arithmetic(section.get("arithmetic", "exact"), "expected.arithmetic", check)
    sample = check.number(section.get("sample", 1), "expected.sample", positive=True, integer=True)
    if sample is not None and sample > samples:
        check.fail("expected.sample", f"a sample number from 1 to {samples}", sample)
    values = section.get("values")
    if not isinstance(values, dict) or not values:
        check.fail("expected.values", "a mapping of quantity names to published values, e.g. net_h1: '0.857'",
                   values)
        return None
    entries, names = [], set(one_step_names(model))  # made once, not once per entry
    for name, spec in values.items():
        path = f"expected.values.{name}"
        if str(name) not in names and epochs_of(str(name), model) is None:
            suggestion = _near_miss(str(name), one_step_names(model))
            check.fail(path, "a quantity name such as net_h1, out_y1, E_total, dE/dw5, dE/dout_h1, w5_new or "
                             f"error_after_10_epochs{suggestion}", str(name), describe=False)
            continue
        where = f"{path}.value" if isinstance(spec, dict) else path
        spec = check.mapping(spec, path, ENTRY_KEYS) if isinstance(spec, dict) else {"value": spec}
        published = spec.get("value")
        if isinstance(published, str):
            published = published.strip().replace("−", "-")
        if not isinstance(published, str) or not PUBLISHED.fullmatch(published):
            check.fail(where, "the published number in quotes, e.g. '0.7020', so its printed digits are kept",
                       spec.get("value"))
            continue
        tolerance = spec.get("tolerance")
        if tolerance is not None:
            text = str(tolerance).strip()
            if isinstance(tolerance, bool) or not PUBLISHED.fullmatch(text) or Decimal(text) <= 0:
                check.fail(f"{path}.tolerance", "a positive number, e.g. '0.0001'", tolerance)
                continue
            tolerance = Decimal(text)
        entry_arithmetic = INHERIT
        if "arithmetic" in spec:
            entry_arithmetic = _arithmetic(spec["arithmetic"], f"{path}.arithmetic", check)
        texts = {}
        for key in ("erratum", "note"):
            if spec.get(key) is not None and not isinstance(spec[key], str):
                check.fail(f"{path}.{key}", "a short text", spec[key])
            texts[key] = spec.get(key)
        entries.append(Expected(str(name), published, tolerance, entry_arithmetic, texts["erratum"], texts["note"]))
    return Expectations(arithmetic, sample or 1, entries)


def _layers(value, check: _Checker, inputs: int | None, default_scheme, seed: int | None
            ) -> tuple[list[Layer] | None, int | None]:
    """The layers, when all are valid, and the output layer's size, when it is known.

    A layer without explicit weights or biases takes them from its `init` scheme (or the
    config's), drawn layer by layer from one generator seeded with `seed`."""
    if not isinstance(value, list) or not value:
        check.fail("layers", "a list of layers (hidden layers first, the output layer last)", value)
        return None, None
    from pencilnet.core.initializers import draw

    rng = None  # made when first needed: numpy.random takes a while to import
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
        size = check.number(size, f"{path}.size", positive=True, integer=True, most=MAX_NODES)
        if size and sources and size * sources > MAX_WEIGHTS:
            check.fail(f"{path}.size", f"a layer of at most {MAX_WEIGHTS:,} weights", f"{sources} × {size}",
                       describe=False)
            size = None
        activation = check.choice(spec.get("activation", "sigmoid"), f"{path}.activation", ACTIVATIONS)
        if activation == "softmax" and index != len(value) - 1:
            check.fail(f"{path}.activation", "softmax on the output layer only", activation)
        shared = check.choice(spec.get("bias", "per_node"), f"{path}.bias", BIAS_MODES) == "shared"
        frozen = check.choice(spec.get("freeze", "none"), f"{path}.freeze", FREEZE)
        scheme = _scheme(spec.get("init"), f"{path}.init", check) or default_scheme
        drawn = None
        if sources and size and scheme:  # drawn even when not used, so each layer's draw is the same
            rng = rng or np.random.default_rng(seed or 0)
            drawn = draw(rng, scheme[0], sources, size, scheme[1])
        bias_count = 1 if shared else size
        what = "one per input node" if index == 0 else f"one per node of layers[{index - 1}]"
        if "weights" in spec:
            weights = check.matrix(weights_value, f"{path}.weights", sources, size, what)
        elif drawn is not None:
            weights = drawn[0]
        else:
            check.fail(f"{path}.weights", f"a weight matrix of {sources or 'one'} rows ({what}), or an init scheme "
                                          "(init: xavier, he or uniform)", None)
            weights = None
        if "biases" in spec:
            raw = spec["biases"]
            if shared and _is_number(raw):
                raw = [raw]
            biases = check.vector(raw, f"{path}.biases", bias_count,
                                  "bias weight (shared by the layer)" if shared else "bias weights, one per node")
        elif drawn is not None:
            biases = drawn[1][:1] if shared else drawn[1]
        else:
            check.fail(f"{path}.biases", f"a list of {size or 'the layer size'} bias weights, one per node, "
                                         "or an init scheme", None)
            biases = None
        if weights is None or biases is None or activation is None or size is None or frozen is None:
            complete = False
        else:
            layers.append(Layer(weights, biases, activation, shared, *FREEZE[frozen]))
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
    if inputs is None or outputs is None:  # the lengths were not checked: a problem is reported already
        return np.empty((0, 0)), np.empty((0, 0))
    return np.array(xs, dtype=np.float64).reshape(-1, inputs), np.array(ts, dtype=np.float64).reshape(-1, outputs)
