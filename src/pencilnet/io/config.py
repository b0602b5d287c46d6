"""A config: the Config record, and loading one from a file, text or a dict, every field checked
before any computation.

The pipeline, one job per module: `yaml_text` reads the text (YAML 1.2 numbers, bounded, every
field's line kept); `overrides` applies `--set`; `schema` (tables of `kinds`) checks each field on
its own; `rules` and `data_rules` check the fields against each other and against the data files.
All problems in a file are collected by the `checker` and reported together, each naming the
file, the line where YAML gives one (or `(from --set)`), the field's path
(layers[1].weights[0][2]), what was expected and what was found.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from pencilnet.checks.published import Expectations
from pencilnet.core.errors import ConfigError, InputError, Problem
from pencilnet.core.losses import pairing_problem, target_problem
from pencilnet.core.model import Model
from pencilnet.io import data_rules, rules, schema, yaml_text
from pencilnet.io.checker import Checker
from pencilnet.io.files import read_text, sized
from pencilnet.io.kinds import INVALID, valid
from pencilnet.io.overrides import apply_override
from pencilnet.io.yaml_text import MAX_BYTES
from pencilnet.training.schedule import Schedule

BUNDLED = "article.yaml"


@dataclass(frozen=True)
class DefaultInit:
    """The layers that gave neither weights nor an init scheme, and how their weights were drawn."""

    layers: tuple[int, ...]
    scheme: str
    seed: int

    def describe(self) -> str:
        where = ", ".join(f"layers[{i}]" for i in self.layers)
        return (f"{where} {'gives' if len(self.layers) == 1 else 'give'} neither weights nor an init scheme: "
                f"drawn by the default, {self.scheme}, with seed {self.seed}")


def arithmetic_chosen(configured, pencil: int | None, exact: bool):
    """The arithmetic a command uses: pencil arithmetic to `pencil` decimals or exact arithmetic
    when asked for, else the config's (`configured`: its decimals, or None for exact)."""
    return None if exact else pencil if pencil is not None else configured


def frozen(value):
    """`value` (YAML as read) as a read-only copy all the way down: each mapping a read-only
    mapping, each list a tuple. Frozen twice is frozen once."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: frozen(item) for key, item in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(frozen(item) for item in value)
    return value


def thawed(value):
    """A frozen document as plain dicts and lists again: a copy to change (what a save writes)."""
    if isinstance(value, Mapping):
        return {key: thawed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [thawed(item) for item in value]
    return value


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
    classes: tuple[str, ...]  # one name per output node
    pencil_decimals: int | None = None  # what `arithmetic: pencil N` asks for; None: exact
    expected: Expectations | None = None
    document: Mapping[str, Any] | None = None  # the YAML as read, after --set, read-only: what a save writes back
    base_dir: Path | None = None  # where relative data paths start: the config file's folder
    threshold: float = 0.5  # one sigmoid output: the positive class (classes[1]) at or above this
    scaling: Any = None  # scaling.Scaling fitted on the training data, applied to every raw input
    labels: Mapping[str, str] | None = None  # a publication's names for nodes and parameters, shown beside ours
    default_init: DefaultInit | None = None  # the layers drawn by the default scheme, when some were
    feature_names: Sequence[str] | None = None  # the training data's feature columns: a new file's are found by name

    def __post_init__(self):
        # A record: what it hands out cannot change it (a sample's arrays, the class names, the
        # document it was read from, its labels).
        object.__setattr__(self, "classes", tuple(self.classes))
        if self.feature_names is not None:
            object.__setattr__(self, "feature_names", tuple(self.feature_names))
        for name in ("document", "labels"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, frozen(getattr(self, name)))
        for array in (self.train_inputs, self.train_targets, self.test_inputs, self.test_targets):
            if array is not None:
                array.flags.writeable = False

    def predict(self, inputs, targets=None, raw: bool = True):
        """A `metrics.Predictions` for `inputs` (one row per sample, or one row alone): outputs,
        classes, and with `targets` the accuracy and confusion counts. Raw inputs are standardised
        as in training when the data section says so (`raw=False`: they are already). Inputs that
        are not finite numbers, one per input node, are refused as `predict --input` refuses them."""
        from pencilnet.core.metrics import predict

        inputs = rows_of(inputs, self.model.inputs, "inputs", "one per input node")
        if targets is not None:
            targets = rows_of(targets, self.model.sizes[-1], "targets", "one per output node")
            if len(targets) != len(inputs):
                raise InputError(f"targets: expected {len(inputs)} rows, one per row of inputs, found {len(targets)}")
        if raw and self.scaling is not None:
            inputs = self.scaling.apply(inputs)
        return predict(self.model, inputs, targets, self.threshold, self.loss)

    def new_samples(self, path: str):
        """(raw inputs, targets or None) of a data file of new samples, read as the config's own data
        was: its columns, its classes (labels are optional)."""
        from pencilnet.io.data_files import new_samples

        spec = self.document.get("data") if isinstance(self.document, Mapping) else None
        return new_samples(path, thawed(spec) if isinstance(spec, Mapping) else {}, list(self.classes),
                           None if self.feature_names is None else list(self.feature_names), self.model.inputs,
                           self.model.layers[-1].size)

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
        if not isinstance(number, (int, np.integer)) or isinstance(number, bool) or not 1 <= number <= count:
            raise InputError(f"--sample: expected a sample number from 1 to {count}, found {number}")
        return self.train_inputs[number - 1], self.train_targets[number - 1]


def rows_of(values, width: int, name: str, per: str) -> np.ndarray:
    """`values`, one row or a list of rows of `width` finite numbers, as a (rows, width) array; a
    pencilnet error naming the row and the value otherwise."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (ValueError, TypeError):  # rows of different lengths, or something that is not a number
        raise InputError(f"{name}: expected rows of {width} numbers, found {_shown(values)}") from None
    one = array.ndim == 1
    array = np.atleast_2d(array)
    if array.ndim != 2:
        raise InputError(f"{name}: expected rows of {width} numbers, found an array of shape {array.shape}")
    if array.shape[1] != width:
        raise InputError(f"{name}: expected {width} numbers{'' if one else ' in each row'} ({per}), "
                         f"found {array.shape[1]}")
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        row, column = (int(i) for i in bad[0])
        where = f"value {column + 1}" if one else f"row {row + 1}, value {column + 1}"
        raise InputError(f"{name}: {where}: expected a finite number, found {array[row, column]}")
    return array


def _shown(values) -> str:
    text = repr(values)
    return text if len(text) <= 40 else text[:39] + "…"


def bundled_text() -> str:
    # A plain path, not importlib.resources, which imports zipfile and more: pencilnet installs as files.
    return (Path(__file__).parent.parent / "configs" / BUNDLED).read_text(encoding="utf-8")


def load(path: str | None = None, overrides: Sequence[str] = ()) -> Config:
    """Read and check a config file: None means the article's example bundled with the
    package, "-" standard input. `overrides` are `--set PATH=VALUE` changes to apply first."""
    if path is None:
        return parse(bundled_text(), f"{BUNDLED} (bundled)", overrides)
    text = read_text(path, "config", MAX_BYTES)  # never more than the cap read, even from /dev/zero
    if path == "-":
        return parse(text, "<stdin>", overrides, Path.cwd())
    return parse(text, path, overrides, Path(path).resolve().parent)


def loads(text: str, overrides: Sequence[str] = (), base_dir: Path | None = None) -> Config:
    """A Config from YAML text (data paths relative to `base_dir`, by default the working folder)."""
    return parse(text, "<text>", overrides, base_dir or Path.cwd())


def from_dict(data: dict, overrides: Sequence[str] = (), base_dir: Path | None = None) -> Config:
    """A Config from a dict shaped like the YAML file, checked field by field the same way."""
    if not isinstance(data, dict):
        raise InputError(f"<dict>: expected a dict of config fields, found {type(data).__name__}")
    from pencilnet.io.config_writer import config_text  # the writer every config pencilnet writes goes through

    try:
        text = config_text(data)
    except TypeError as exc:
        raise InputError(f"<dict>: expected mappings, lists, texts, numbers, true, false or None, "
                         f"found {exc}") from None
    return parse(text, "<dict>", overrides, base_dir or Path.cwd())


def parse(text: str, source: str, overrides: Sequence[str] = (), base_dir: Path | None = None) -> Config:
    """A Config from YAML text that messages call `source`; raises ConfigError listing every problem."""
    if len(text) > MAX_BYTES:
        raise InputError(f"{source}: expected a config of at most {MAX_BYTES // 2**20} MiB, "
                         f"found {sized(len(text.encode('utf-8', 'surrogateescape')))}")
    data, root, duplicates = yaml_text.read(text, source)
    changed = [apply_override(data, item) for item in overrides]
    check = Checker(root, changed)
    for path, first, again in duplicates:  # YAML keeps the last silently; a person meant one of them
        check.problems.append(Problem(path, "each field once in a mapping",
                                      f"it at line {first} and again at line {again}", again))
    _function_instead(data, check, source)
    config = _build(data, check, source, base_dir)
    if check.problems or config is None:  # in the file's order; those from --set, which have no line, last
        raise ConfigError(source, sorted(check.problems, key=lambda p: (p.line is None, p.line or 0)))
    return config


def _function_instead(data, check: Checker, source: str) -> None:
    """A function instead of a network (`objective:`): its own config, raised as `FunctionGiven`,
    which the commands that step on a function catch and every other reports (exit 2)."""
    from pencilnet.io import objective_config

    if objective_config.is_function(data):
        raise objective_config.FunctionGiven(objective_config.build(data, check, source))


def _build(data, check: Checker, source: str, base_dir: Path | None) -> Config | None:
    read = data  # what the checks read: with a big network's weights from its parameters file, and the
    # sizes a data section determines
    if isinstance(data, dict) and isinstance(data.get("parameters"), str):
        layers = data_rules.with_parameters(data["parameters"], data.get("layers"), check, base_dir)
        read = {**data, "layers": layers}
    if isinstance(read, dict):
        read = data_rules.inferred_sizes(read, base_dir, check)
    top = schema.read(read, check)  # the first pass: each field on its own
    if top is INVALID:
        return None
    inputs = top["inputs"] if valid(top["inputs"]) else None
    layers, outputs, defaulted = rules.layers_of(top["layers"], read.get("layers"), check, inputs, top["init"],
                                                 top["seed"])
    activation = layers[-1].activation if layers else None
    pairing = pairing_problem(activation, top["loss"]) if activation and valid(top["loss"]) else None
    if pairing:
        check.fail("loss", pairing, f"{top['loss']!r} after {activation}", describe=False)

    training = top["training"]
    if valid(training):
        seed = training["seed"] if training["seed"] is not None else top["seed"]
        optimizer, lr_schedule = rules.optimizer_of(training, check)
        schedule = Schedule(training["learning_rate"], training["epochs"], training["batch_size"], training["shuffle"],
                            seed, training["target_error"], optimizer, lr_schedule)
    given_classes = top["classes"] if valid(top["classes"]) else None
    classes = rules.classes_of(given_classes, data.get("classes"), check, outputs)
    test, scaling, feature_names = None, None, None
    if top["data"] is not None:
        if top["samples"] is not None:
            check.fail("samples", "either samples or a data section, not both", "both")
        samples, test, classes, scaling, feature_names = data_rules.data_samples(
            top["data"], check, inputs, outputs, classes, given_classes is not None, base_dir)
    elif top["samples"] is None:
        check.fail("samples", schema.TOP.field("samples").kind.expected, None)
    else:
        samples = rules.samples_of(top["samples"], data["samples"], check, inputs, outputs, classes)
    if valid(top["loss"]) and layers and not check.problems:
        for where, targets in (("training", samples[1]), ("test", test[1] if test else [])):
            problem = target_problem(layers[-1].activation, top["loss"], targets)
            if problem:
                check.fail("data" if top["data"] is not None else "samples", problem[0], f"{where} {problem[1]}",
                           describe=False)

    if not layers or not valid(top["bias_input"]):
        return None
    # The names in `labels` and `expected` are checked against the network whenever it is valid, so
    # that they are reported with the rest; the sample number only when the samples are known.
    model = Model(tuple(layers), top["bias_input"])
    count = None if check.problems else len(samples[0])
    labels = rules.labels_of(top["labels"], check, model)
    expected = rules.expectations_of(top["expected"], data.get("expected"), check, model, count, labels,
                                     top["loss"])
    if check.problems:
        return None
    test_inputs, test_targets = test if test else (None, None)
    return Config(source=source, name=top["name"], model=model, loss=top["loss"], schedule=schedule,
                  train_inputs=samples[0], train_targets=samples[1], test_inputs=test_inputs, test_targets=test_targets,
                  classes=tuple(classes), pencil_decimals=top["arithmetic"], expected=expected, document=data,
                  base_dir=base_dir, threshold=top["threshold"], scaling=scaling, labels=labels,
                  default_init=DefaultInit(defaulted, rules.DEFAULT_SCHEME, top["seed"]) if defaulted else None,
                  feature_names=feature_names)


