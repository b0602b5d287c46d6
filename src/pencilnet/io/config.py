"""YAML config → Model and samples, with every field checked before any computation.

Two passes: the schema's tables (`schema.py`) check each field on its own (type, range, known
names), then the rules between fields run here (shapes against sizes, softmax on the output
layer only, classes against outputs, data files against the network). All problems in a file
are collected and reported together, each naming the file, the line where YAML gives one (or
`(from --set)`), the field's path (layers[1].weights[0][2]), what was expected and what was found.

Plain values are read by YAML 1.2's core schema, in files and in `--set` alike: 1e-5 is a
number, 1:30 and yes are text, and a whole number with a leading zero (010: 8 in YAML 1.1, 10
in YAML 1.2) is refused rather than guessed at.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from pencilnet.checks.published import INHERIT, Expectations, Expected
from pencilnet.core.errors import ConfigError, InputError, Problem
from pencilnet.core.losses import pairing_problem, target_problem
from pencilnet.core.model import Layer, Model
from pencilnet.io import schema
from pencilnet.io.files import read_text, sized
from pencilnet.io.schema import FREEZE, INVALID, MAX_WEIGHTS
from pencilnet.training.schedule import Schedule

BUNDLED = "article.yaml"
MAX_BYTES = 16 * 2**20  # a config is text a person wrote; big data belongs in a CSV or .npz file
MAX_YAML_NODES = MAX_BYTES  # values and fields once aliases are expanded: no file without aliases has more
MAX_REREAD_BYTES = 2**20  # a broken file up to this size is read again for a more precise message
class FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader, libyaml's when PyYAML has it."""


class PlainLoader(yaml.SafeLoader):
    """YAML's safe loader in pure Python: slower, with more precise messages."""


LEADING_ZERO = r"[-+]?0[0-9]+"
# YAML 1.2's core schema for plain scalars. PyYAML follows YAML 1.1, where 1e-5 is text, 1:30 is
# 90 (base 60), 010 is 8 (octal), yes and on are true. A leading zero is the one form the two
# versions read as different numbers: it resolves to text, which every numeric field refuses.
CORE_SCHEMA = (
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("str", LEADING_ZERO, "-+0"),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
     "-+.0123456789"),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("merge", r"<<", "<"),  # not YAML 1.2, but widely used with anchors, and never a number
)


class CoreResolver(yaml.resolver.BaseResolver):
    """What a plain scalar is by YAML 1.2's core schema."""


for _tag, _pattern, _first in CORE_SCHEMA:
    CoreResolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), list(_first))
for _loader in (FastLoader, PlainLoader):
    _loader.yaml_implicit_resolvers = CoreResolver.yaml_implicit_resolvers


class Dumper(yaml.SafeDumper):
    """YAML's safe dumper, quoting every text that YAML 1.1 or 1.2 would read as something else
    (1e5 unquoted is a number here, yes one elsewhere): a saved file reads back as it was."""

    core = CoreResolver()

    def resolve(self, kind, value, implicit):
        tag = super().resolve(kind, value, implicit)
        if tag == "tag:yaml.org,2002:str" and kind is yaml.ScalarNode and implicit[0]:
            return self.core.resolve(kind, value, implicit)
        return tag


@dataclass(frozen=True, eq=False, kw_only=True)
class Config:
    source: str  # how messages name the file
    name: str = ""
    model: Model
    loss: str = "half_sse"
    schedule: Schedule  # how `train` runs: learning rate, epochs, batches, shuffle, seed, target error
    train_inputs: np.ndarray  # (samples, input nodes)
    train_targets: np.ndarray  # (samples, output nodes)
    test_inputs: np.ndarray | None = None
    test_targets: np.ndarray | None = None
    classes: list[str]  # one name per output node
    pencil_decimals: int | None = None  # what `arithmetic: pencil N` asks for; None: exact
    expected: Expectations | None = None
    document: dict | None = None  # the YAML as read, after --set: what a save writes back
    base_dir: Path | None = None  # where relative data paths start: the config file's folder
    threshold: float = 0.5  # one sigmoid output: the positive class (classes[1]) at or above this
    scaling: object = None  # datasets.Scaling fitted on the training data, applied to every raw input
    labels: dict | None = None  # a publication's names for nodes and parameters (`labels:`), shown beside ours

    def predict(self, inputs, targets=None, raw: bool = True):
        """A `metrics.Predictions` for `inputs` (one row per sample): outputs, classes, and with
        `targets` the accuracy and confusion counts. Raw inputs are standardised as in training
        when the data section says so (`raw=False`: they are already)."""
        from pencilnet.core.metrics import predict

        inputs = np.atleast_2d(np.asarray(inputs, dtype=np.float64))
        if raw and self.scaling is not None:
            inputs = self.scaling.apply(inputs)
        return predict(self.model, inputs, targets, self.threshold, self.loss)

    def train(self, on_progress=None):
        """Train the model on the config's samples with its schedule; the `training.loop.History`
        (per-epoch errors, the trained model, the test accuracy by epoch when there is a test set)."""
        from pencilnet.training.loop import train

        test = (self.test_inputs, self.test_targets) if self.test_inputs is not None else None
        return train(self.model, self.train_inputs, self.train_targets, self.schedule, self.loss,
                     on_progress=on_progress, test=test)

    def walk(self, number: int = 1, arithmetic=None):
        """The four stages for sample `number` under `arithmetic` (the config's own when None)."""
        from pencilnet.core.arithmetic import arithmetic_of
        from pencilnet.core.stages import walk

        x, target = self.sample(number)
        arithmetic = arithmetic_of(self.pencil_decimals) if arithmetic is None else arithmetic
        return walk(self.model, x, target, self.loss, self.schedule.learning_rate, arithmetic, number,
                    self.schedule.optimizer)

    def walks(self, number: int, steps: int, arithmetic=None):
        """`steps` successive passes through the stages on sample `number`, the optimizer's state carried."""
        from pencilnet.core.arithmetic import arithmetic_of
        from pencilnet.core.stages import walks

        x, target = self.sample(number)
        arithmetic = arithmetic_of(self.pencil_decimals) if arithmetic is None else arithmetic
        return walks(self.model, x, target, self.loss, self.schedule.learning_rate, steps, arithmetic, number,
                     self.schedule.optimizer)

    def sample(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        """Training sample `number`, counted from 1 as the article counts x1, w1, ..."""
        count = len(self.train_inputs)
        if not 1 <= number <= count:
            raise InputError(f"--sample: expected a sample number from 1 to {count}, found {number}")
        return self.train_inputs[number - 1], self.train_targets[number - 1]


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


def loads(text: str, overrides: list[str] = (), base_dir: Path | None = None) -> Config:
    """A Config from YAML text (data paths relative to `base_dir`, by default the working folder)."""
    return parse(text, "<text>", overrides, base_dir or Path.cwd())


def from_dict(data: dict, overrides: list[str] = (), base_dir: Path | None = None) -> Config:
    """A Config from a dict shaped like the YAML file, checked field by field the same way."""
    if not isinstance(data, dict):
        raise InputError(f"<dict>: expected a dict of config fields, found {type(data).__name__}")
    return parse(yaml.dump(data, Dumper=Dumper, sort_keys=False), "<dict>", overrides, base_dir or Path.cwd())


def parse(text: str, source: str, overrides: list[str] = (), base_dir: Path | None = None) -> Config:
    """A Config from YAML text that messages call `source`; raises ConfigError listing every problem."""
    if len(text) > MAX_BYTES:
        raise InputError(f"{source}: expected a config of at most {MAX_BYTES // 2**20} MiB, "
                         f"found {sized(len(text.encode('utf-8', 'surrogateescape')))}")
    data, root, duplicates = _read_yaml(text, source)
    changed = [apply_override(data, item) for item in overrides]
    check = _Checker(root, changed)
    for path, first, again in duplicates:  # YAML keeps the last silently; a person meant one of them
        check.problems.append(Problem(path, "each field once in a mapping",
                                      f"it at line {first} and again at line {again}", again))
    config = _build(data, check, source, base_dir)
    if check.problems:  # in the file's order; those from --set, which have no line, last
        raise ConfigError(source, sorted(check.problems, key=lambda p: (p.line is None, p.line or 0)))
    return config


def apply_override(data, item: str) -> str:
    """Apply one `--set PATH=VALUE` to the YAML data in place; return the path, as messages write it.

    PATH is dotted with list indexes, `training.learning_rate` or `layers[0].weights[1][0]`;
    VALUE is read as YAML, as a file's values are, so `1e-3` is a number, `[1, 2]` a list and `tanh` a text."""
    path, equals, text = item.partition("=")
    steps = _steps(path)
    item = _shortened(item)  # messages quote it: one line, of a readable length
    if not equals or not steps:
        raise InputError(f"--set {_one_line(item)}: expected PATH=VALUE, for example training.learning_rate=0.1")
    try:
        _, value = _load_yaml(text, FastLoader, f"--set {item}", lines=False)
    except (yaml.YAMLError, RecursionError):
        raise InputError(f"--set {_one_line(item)}: expected a YAML value after '=', "
                         f"found {_shortened(text)!r}") from None
    if not isinstance(data, dict):
        raise InputError(f"--set {_one_line(item)}: the config is not a mapping of fields")
    node = data
    for index, key in enumerate(steps[:-1]):
        following = steps[index + 1]
        if isinstance(key, str) and isinstance(node, dict):
            node = node.setdefault(key, [] if isinstance(following, int) else {})
        elif isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
        else:
            raise InputError(f"--set {_one_line(item)}: {_path_text(steps[:index + 1])} is not in the config")
    last = steps[-1]
    if isinstance(last, str) and isinstance(node, dict):
        node[last] = value
    elif isinstance(last, int) and isinstance(node, list) and last < len(node):
        node[last] = value
    else:
        raise InputError(f"--set {_one_line(item)}: {_path_text(steps)} is not in the config")
    return _path_text(steps)


def _one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped: a message stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def _shortened(text: str, most: int = 60) -> str:
    text = _one_line(text)
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
        if not match or not match.group(1).isprintable():
            return None
        steps.append(match.group(1))
        steps += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return steps


def _node_at(root, path: str):
    """The YAML node of the field at `path`, or None when the file does not have it."""
    node = root
    for step in _steps(path) or [] if path else []:
        if isinstance(step, str) and isinstance(node, yaml.MappingNode):
            matches = [value for key, value in node.value if str(key.value) == step]
            if not matches:
                return None
            node = matches[-1]  # with a key given twice, YAML keeps the last
        elif isinstance(step, int) and isinstance(node, yaml.SequenceNode) and step < len(node.value):
            node = node.value[step]
        else:
            return None
    return node


def _line_of(root, path: str) -> int | None:
    """The line of the field at `path`, or of the nearest enclosing one that the file has.
    Looked up only when a problem is reported, so a big weight matrix costs nothing."""
    steps = (_steps(path) or []) if path else []
    for count in range(len(steps), -1, -1):
        node = _node_at(root, _path_text(steps[:count]))
        if node is not None:
            return node.start_mark.line + 1
    return None


def _describe(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...") + _yaml_1_1_hint(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        # A short list of plain values is shown whole too (which of [0.9, 1.5] is wrong shows); a
        # long or nested one by its length only.
        if 0 < len(value) <= 4 and all(isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= 20)
                                       for v in value):
            return f"a list of {len(value)}: [" + ", ".join(_describe(v) for v in value) + "]"
        return f"a list of {len(value)}"
    if isinstance(value, np.ndarray):  # from a parameters file
        return f"an array of shape {value.shape}"
    return repr(value)


def _yaml_1_1_hint(text: str) -> str:
    """Why a text that looks like a number is text: it is a number only in YAML 1.1."""
    if re.fullmatch(LEADING_ZERO, text):
        return (f" (a whole number with a leading zero: octal in YAML 1.1, decimal in YAML 1.2; "
                f"write {int(text)}, or {'-' if text.startswith('-') else ''}0o{text.lstrip('+-')[1:]} for octal)")
    if len(text) > 40 or yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False)) in (
            "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"):
        return ""
    try:
        old = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        return ""
    shown = str(old).lower() if isinstance(old, bool) else repr(old)
    return f" (text in YAML 1.2, which pencilnet reads; YAML 1.1 would read {shown})"


class _Checker:
    """Collects problems, each located by the line of its field, or marked (from --set)."""

    def __init__(self, root, overridden: list[str] = ()):
        self.root = root  # the YAML node tree, for line numbers
        self.overridden = overridden
        self.problems: list[Problem] = []

    def fail(self, path: str, expected: str, found=None, *, describe=True):
        found_text = _describe(found) if describe else found
        line = _line_of(self.root, path)
        if self._from_set(path):
            found_text, line = f"{found_text} (from --set)", None  # a value set on the command line has no line
        self.problems.append(Problem(_one_line(path), expected, _one_line(found_text), line))

    def _from_set(self, path: str) -> bool:
        """Whether --set gave the value at `path`, or made the field: `--set trainig.epochs=3` makes `trainig`."""
        for changed in self.overridden:
            if path == changed or path.startswith((changed + ".", changed + "[")):
                return True
            if changed.startswith((path + ".", path + "[")) and _node_at(self.root, path) is None:
                return True
        return False


def _valid(*values) -> bool:
    return all(value is not INVALID for value in values)


def _with_parameters(value, layer_specs, check: _Checker, base_dir: Path | None):
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


def _build(data, check: _Checker, source: str, base_dir: Path | None) -> Config | None:
    read = data  # what the checks read: with a big network's weights from its parameters file, and the
    # sizes a data section determines
    if isinstance(data, dict) and isinstance(data.get("parameters"), str):
        read = {**data, "layers": _with_parameters(data["parameters"], data.get("layers"), check, base_dir)}
    if isinstance(read, dict):
        read = _inferred_sizes(read, base_dir)
    top = schema.read(read, check)  # the first pass: each field on its own
    if top is INVALID:
        return None
    inputs = top["inputs"] if _valid(top["inputs"]) else None
    layers, outputs = _layers(top["layers"], read.get("layers"), check, inputs, top["init"], top["seed"])
    if _valid(top["loss"]) and layers and pairing_problem(layers[-1].activation, top["loss"]):
        check.fail("loss", pairing_problem(layers[-1].activation, top["loss"]),
                   f"{top['loss']!r} after {layers[-1].activation}", describe=False)

    training = top["training"]
    if _valid(training):
        seed = training["seed"] if training["seed"] is not None else top["seed"]
        optimizer, lr_schedule = _optimizer(training, check)
        schedule = Schedule(training["learning_rate"], training["epochs"], training["batch_size"], training["shuffle"],
                            seed, training["target_error"], optimizer, lr_schedule)
    given_classes = top["classes"] if _valid(top["classes"]) else None
    classes = _classes(given_classes, data.get("classes"), check, outputs)
    test, scaling = None, None
    if top["data"] is not None:
        if top["samples"] is not None:
            check.fail("samples", "either samples or a data section, not both", "both")
        samples, test, classes, scaling = _data(top["data"], check, inputs, outputs, classes,
                                                given_classes is not None, base_dir)
    elif top["samples"] is None:
        check.fail("samples", schema.TOP.field("samples").kind.expected, None)
    else:
        samples = _samples(top["samples"], data["samples"], check, inputs, outputs, classes)
    if _valid(top["loss"]) and layers and not check.problems:
        for where, targets in (("training", samples[1]), ("test", test[1] if test else [])):
            problem = target_problem(layers[-1].activation, top["loss"], targets)
            if problem:
                check.fail("data" if top["data"] is not None else "samples", problem[0], f"{where} {problem[1]}",
                           describe=False)

    if check.problems:
        return None
    model = Model(tuple(layers), top["bias_input"])
    labels = _labels(top["labels"], check, model)
    expected = _expected(top["expected"], data.get("expected"), check, model, len(samples[0]), labels, top["loss"])
    if check.problems:
        return None
    test_inputs, test_targets = test if test else (None, None)
    return Config(source=source, name=top["name"], model=model, loss=top["loss"], schedule=schedule,
                  train_inputs=samples[0], train_targets=samples[1], test_inputs=test_inputs, test_targets=test_targets,
                  classes=classes, pencil_decimals=top["arithmetic"], expected=expected, document=data,
                  base_dir=base_dir, threshold=top["threshold"], scaling=scaling, labels=labels)


def _layers(specs, raws, check: _Checker, inputs: int | None, default_scheme, seed
            ) -> tuple[list[Layer] | None, int | None]:
    """The layers, when all are valid, and the output layer's size, when it is known.

    A layer without explicit weights or biases takes them from its `init` scheme (or the
    config's), drawn layer by layer from one generator seeded with `seed`."""
    if specs is INVALID:
        return None, None
    from pencilnet.core.initializers import draw

    rng = None  # made when first needed: numpy.random takes a while to import
    layers, sources, complete = [], inputs, True
    for index, (spec, raw) in enumerate(zip(specs, raws)):
        path = f"layers[{index}]"
        if spec is INVALID:
            complete, sources = False, None
            continue
        size, weights, biases = spec["size"], spec["weights"], spec["biases"]
        if size is None:  # the size may be left to the weight matrix
            given = raw.get("weights")
            first_row = given[0] if isinstance(given, list) and given else None
            size = schema.LAYER.field("size").read({"size": len(first_row)} if isinstance(first_row, list) else {},
                                                   path, check)
        if size is None:
            check.fail(f"{path}.size", schema.LAYER.field("size").kind.expected, None)
            size = INVALID
        if _valid(size) and sources and size * sources > MAX_WEIGHTS:
            check.fail(f"{path}.size", f"a layer of at most {MAX_WEIGHTS:,} weights", f"{sources} × {size}",
                       describe=False)
            size = INVALID
        if spec["activation"] == "softmax" and index != len(specs) - 1:
            check.fail(f"{path}.activation", "softmax on the output layer only", "softmax")
        shared = spec["bias"] == "shared"
        scheme = spec["init"] if spec["init"] is not None else default_scheme
        drawn = None
        if sources and _valid(size) and scheme is not None and _valid(scheme) and _valid(*scheme.values()):
            rng = rng or np.random.default_rng(seed if _valid(seed) else 0)
            drawn = draw(rng, scheme["scheme"], sources, size, scheme["range"])  # drawn even when not used, so
            # that each layer's draw is the same whatever the others give
        what = "one per input node" if index == 0 else f"one per node of layers[{index - 1}]"
        if weights is None and drawn is not None:
            weights = drawn[0]
        elif weights is None:
            check.fail(f"{path}.weights", f"a weight matrix of {sources or 'one'} rows ({what}), or an init scheme "
                                          "(init: xavier, he or uniform)", None)
            weights = INVALID
        elif _valid(weights):
            weights = _matrix(weights, raw["weights"], f"{path}.weights", sources, size if _valid(size) else None,
                              what, check)
        if biases is None and drawn is not None:
            biases = drawn[1][:1] if shared else drawn[1]
        elif biases is None:
            count = size if _valid(size) else "the layer size"
            check.fail(f"{path}.biases", f"a list of {count} bias weights, one per node, or an init scheme", None)
            biases = INVALID
        elif _valid(biases, size) and len(biases) != (1 if shared else size):
            what_biases = "bias weight (shared by the layer)" if shared else "bias weights, one per node"
            check.fail(f"{path}.biases", f"a list of {1 if shared else size} {what_biases}", raw["biases"])
            biases = INVALID
        if _valid(weights, biases, size, *spec.values()):
            layers.append(Layer(weights, biases, spec["activation"], shared, *FREEZE[spec["freeze"]]))
        else:
            complete = False
        sources = size if _valid(size) else None
    return (layers if complete else None), sources


def _matrix(weights, raw: list, path: str, rows: int | None, columns: int | None, what: str, check: _Checker):
    """`weights` (rows of numbers, already checked) as a rows × columns array, or INVALID."""
    if rows is not None and len(raw) != rows:
        check.fail(path, f"{rows} rows ({what}) of {columns} numbers each", raw)
        return INVALID
    if columns is None:
        return INVALID  # with the layer's size unknown, its numbers were checked but no matrix is made
    wrong = [i for i, row in enumerate(raw) if len(row) != columns]
    for i in wrong:
        check.fail(f"{path}[{i}]", f"a list of {columns} numbers", raw[i])
    if wrong or rows is None:
        return INVALID
    return np.asarray(weights, dtype=np.float64).reshape(rows, columns)


def _classes(given: list[str] | None, raw, check: _Checker, outputs: int | None) -> list[str]:
    """One name per output node; for one output (a yes/no probability) two: the negative class, then the positive."""
    count = None if outputs is None else 2 if outputs == 1 else outputs
    default = ["0", "1"] if outputs == 1 else [f"y{k + 1}" for k in range(outputs or 0)]
    if given is None:
        return default
    if count is not None and len(given) != count:
        check.fail("classes", f"a list of {count} distinct class names, one per output node" if outputs != 1 else
                   "a list of 2 distinct class names for one output node (below the threshold, then at or above it)",
                   raw)
        return default
    return given


def _label_target(classes: list[str], label: str, outputs: int | None) -> np.ndarray:
    """The one-hot vector of a label, or, for one output, 0 for the first class and 1 for the second."""
    if outputs == 1:
        return np.array([float(classes.index(label))])
    return np.eye(len(classes))[classes.index(label)]


def _samples(specs, raws, check: _Checker, inputs, outputs, classes) -> tuple[np.ndarray, np.ndarray]:
    xs, ts = [], []
    for index, (spec, raw) in enumerate(zip(specs, raws) if _valid(specs) else ()):
        path = f"samples[{index}]"
        if spec is INVALID:
            continue
        x, target, label = spec["inputs"], spec["target"], spec["label"]
        if _valid(x) and inputs is not None and len(x) != inputs:
            check.fail(f"{path}.inputs", f"a list of {inputs} input values", raw["inputs"])
            x = INVALID
        if _valid(target) and target is not None and outputs is not None and len(target) != outputs:
            check.fail(f"{path}.target", f"a list of {outputs} target values (one per output node)", raw["target"])
            target = INVALID
        if _valid(label) and label is not None:
            if label not in classes:
                check.fail(f"{path}.label", f"one of the classes {', '.join(classes)}", label)
                target = INVALID
            elif target is None:
                target = _label_target(classes, label, outputs)
            elif _valid(target) and not np.array_equal(target, _label_target(classes, label, outputs)):
                check.fail(f"{path}.label", f"the class whose one-hot vector is the target {target.tolist()}", label)
        elif target is None and _valid(label):
            check.fail(f"{path}.target", "a target vector (or a label naming one of the classes)", None)
        if _valid(x, target) and target is not None:
            xs.append(x)
            ts.append(target)
    if inputs is None or outputs is None:  # the lengths were not checked: a problem is reported already
        return np.empty((0, 0)), np.empty((0, 0))
    return np.array(xs, dtype=np.float64).reshape(-1, inputs), np.array(ts, dtype=np.float64).reshape(-1, outputs)


def _inferred_sizes(top: dict, base_dir: Path | None) -> dict:
    """`top` with what the data determines filled in where the config leaves it out: `inputs`, the
    number of feature columns; the output layer's `size`, one per class (or target column). Given
    sizes are kept, and checked against the data later like any other. Filling them in reads the
    training file once more; a file that cannot be read is reported by the data section, and the
    sizes stay missing."""
    inputs, layers, spec = top.get("inputs"), top.get("layers"), top.get("data")
    last = layers[-1] if isinstance(layers, list) and layers and isinstance(layers[-1], dict) else None
    open_output = last is not None and "size" not in last and "weights" not in last
    if not isinstance(spec, dict) or not isinstance(spec.get("train"), str) or (inputs is not None and not open_output):
        return top
    from pencilnet.io import datasets

    columns = {key: spec.get(key) for key in ("label_column", "target_columns", "feature_columns")}
    if not all(value is None or isinstance(value, (str, list)) for value in columns.values()):
        return top
    try:
        found = datasets.load((base_dir or Path.cwd()) / spec["train"], None, **columns)
    except (InputError, TypeError):
        return top
    classes = top.get("classes")
    outputs = len(classes) if isinstance(classes, list) and classes else found.targets.shape[1]
    filled = dict(top)
    if open_output:
        filled["layers"] = [*layers[:-1], {**last, "size": outputs}]
    if inputs is None:
        filled["inputs"] = found.inputs.shape[1]
    return filled


def _data(spec, check: _Checker, inputs, outputs, classes, classes_given: bool, base_dir: Path | None):
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
    if check.problems or not _valid(*spec.values()) or (spec["split"] and not _valid(*spec["split"].values())):
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


# Which settings each optimizer has (torch.optim's), and each learning-rate schedule.
OPTIMIZER_SETTINGS = {"sgd": ("momentum", "dampening", "nesterov"), "adam": ("betas", "eps"),
                      "adamw": ("betas", "eps"), "rmsprop": ("alpha", "eps", "momentum")}
SCHEDULE_SETTINGS = {"constant": (), "step": ("step_size", "gamma"), "exponential": ("gamma",)}


def _optimizer(training: dict, check: _Checker):
    """The optimizer and the learning-rate schedule of a valid training section: each name's own
    settings only, and what torch.optim requires of them together."""
    from pencilnet.core.optimizers import LearningRateSchedule, Optimizer

    spec, plan, settings = training["optimizer"], training["lr_schedule"], {}
    if not _valid(spec, plan, training["weight_decay"]) or not _valid(*spec.values(), *plan.values()):
        return Optimizer(), LearningRateSchedule()  # what is wrong is reported already
    for key, value in spec.items():
        if key != "name" and value is not None:
            if key in OPTIMIZER_SETTINGS[spec["name"]]:
                settings[key] = value
            else:
                check.fail(f"training.optimizer.{key}", f"only the settings {spec['name']} has: "
                           + ", ".join(OPTIMIZER_SETTINGS[spec["name"]]), value)
    if settings.get("nesterov") and not (settings.get("momentum", 0) > 0 and settings.get("dampening", 0) == 0):
        check.fail("training.optimizer.nesterov", "momentum above 0 and dampening 0 (as torch.optim requires)",
                   "nesterov: true")
    for key in ("step_size", "gamma"):
        if plan[key] is not None and key not in SCHEDULE_SETTINGS[plan["name"]]:
            check.fail(f"training.lr_schedule.{key}", f"only the settings {plan['name']} has", plan[key])
        elif plan[key] is None and key in SCHEDULE_SETTINGS[plan["name"]]:
            check.fail(f"training.lr_schedule.{key}", schema.LR_SCHEDULE.section.field(key).kind.expected, None)
    found = {key: plan[key] for key in SCHEDULE_SETTINGS[plan["name"]] if plan[key] is not None}
    return (Optimizer(spec["name"], weight_decay=training["weight_decay"], **settings),
            LearningRateSchedule(plan["name"], **found))


def _labels(labels: dict | None, check: _Checker, model: Model) -> dict[str, str]:
    """A publication's names for this network's nodes and parameters: each must name one of them."""
    if not labels or labels is INVALID:
        return {}
    names = {n for layer in model.names.nodes for n in layer} | set(model.names.parameters)
    for name in labels:
        if name not in names:
            check.fail(f"labels.{name}", "a node or parameter of this network such as x1, h1, w5 or bw1"
                       + schema.near_miss(name, names), name, describe=False)
    return {name: label for name, label in labels.items() if name in names}


def canonical(name: str, labels: dict[str, str]) -> str:
    """A quantity name written with a publication's labels (dE/dw13) in pencilnet's names (dE/dw1).
    A label stands where a name stands: after the start, _, / or d (dE/dw13, net_n3, delta_n3), and
    before the end or _ (w13_new, m_w13_after_2_steps), never inside a longer name (w1 in w13)."""
    if not labels:
        return name
    by_label = {label: pencil for pencil, label in labels.items()}
    pattern = "|".join(re.escape(label) for label in sorted(by_label, key=len, reverse=True))
    return re.sub(rf"(?<![^_/d])({pattern})(?![^\W_])", lambda m: by_label[m.group(1)], name)


def _expected(section, raw, check: _Checker, model: Model, samples: int, labels: dict[str, str] = {},
              loss: str | None = None) -> Expectations | None:
    from pencilnet.checks.quantities import epochs_of, one_step_names, steps_of

    if section is None or section is INVALID:
        return None
    if _valid(section["sample"]) and section["sample"] > samples:
        check.fail("expected.sample", f"a sample number from 1 to {samples}", section["sample"])
    if not _valid(section["values"]):
        return None
    entries, names = [], set(one_step_names(model))  # made once, not once per entry
    for given_name, entry in section["values"].items():
        name = canonical(str(given_name), labels)
        if name not in names and epochs_of(name, model, loss) is None and steps_of(name, model) is None:
            suggestion = schema.near_miss(name, one_step_names(model))
            check.fail(f"expected.values.{given_name}", "a quantity name such as net_h1, out_y1, E_total, dE/dw5, "
                       f"dE/dout_h1, w5_new or error_after_10_epochs{suggestion}", str(given_name), describe=False)
        elif entry["corrected"] is not None and not entry["erratum"]:
            check.fail(f"expected.values.{given_name}.corrected",
                       "a correction beside an erratum (erratum: says what was wrong)", entry["corrected"])
        elif _valid(entry) and _valid(*entry.values()):
            given = raw["values"][given_name]
            own = isinstance(given, dict) and "arithmetic" in given  # else the section's
            entries.append(Expected(name, entry["value"], entry["tolerance"],
                                    entry["arithmetic"] if own else INHERIT, entry["erratum"], entry["note"],
                                    entry["corrected"], str(given_name) if str(given_name) != name else None))
    if not _valid(section["arithmetic"], section["sample"]):
        return None
    return Expectations(section["arithmetic"], section["sample"], entries)
