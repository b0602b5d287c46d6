"""The config's schema: one table per section, one row per field (its kind, default and a line of help).

The tables drive the allowed keys, the defaults, the type and range checks and the did-you-mean
of the first pass (`read`); the rules between fields (shapes against sizes, softmax on the output
layer only, classes against outputs) are `config`'s second pass. The README's config reference
is rendered from the same tables (`reference`), and a test holds the two together.

Adding a field is one row in its table (and, when the engine uses it, one keyword in `config._build`).
"""

import math
import re

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.initializers import SCHEMES
from pencilnet.core.losses import LOSSES

MAX_NODES = 1_000_000  # per layer
MAX_WEIGHTS = 20_000_000  # per layer: 160 MB of float64, far beyond what this tool is for
MAX_PENCIL = 15
FREEZE = {"none": (False, False), "weights": (True, False), "biases": (False, True), "all": (True, True)}
BIAS_MODES = ("per_node", "shared")
PUBLISHED = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
INVALID = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()  # a field whose problem is reported
REQUIRED = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()  # a field without a default


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite(value) -> bool:
    """A finite int or float; an int too large for a float (2**1100) is not."""
    try:
        return is_number(value) and math.isfinite(value)
    except OverflowError:
        return False


def near_miss(word: str, choices) -> str:
    """" (did you mean 'x'?)" for a near miss among `choices`, or nothing."""
    import difflib  # only when something is wrong: a config that reads cleanly never needs it

    hint = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


# The kinds of value a field holds. Each says what it expects (for messages and the README) and
# reads a YAML value: the value as the engine wants it, or INVALID after reporting the problem to
# `check` (config's checker: `check.fail(path, expected, found)`).

class Record:
    """Its `fields` set from the arguments, in order or by name; the others keep the class's value.
    (Not dataclasses: making a score of them would cost more start-up than checking a config.)"""

    fields: tuple = ()

    def __init__(self, *args, **kwargs):
        for name, value in [*zip(self.fields, args), *kwargs.items()]:
            if name not in self.fields:
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            setattr(self, name, value)


class Kind(Record):
    expected = "a value"

    def read(self, value, path: str, check):
        raise NotImplementedError


class Text(Kind):
    fields = ("expected",)
    expected = "a text"

    def read(self, value, path, check):
        if isinstance(value, str):
            return value
        check.fail(path, self.expected, value)
        return INVALID


class Whole(Kind):
    """Whole numbers here are counts and seeds: never negative, and bounded to what fits in memory."""

    fields = ("least", "most")
    least = 0
    most = 2**63 - 1

    @property
    def expected(self):
        low = "a positive" if self.least == 1 else "a non-negative"
        return f"{low} whole number" + (f" of at most {self.most:,}" if self.most < 2**63 - 1 else "")

    def read(self, value, path, check):
        if isinstance(value, int) and not isinstance(value, bool) and self.least <= value <= self.most:
            return value
        check.fail(path, self.expected, value)
        return INVALID


class Number(Kind):
    fields = ("positive", "most")
    positive = False
    most = None

    @property
    def expected(self):
        if self.most is not None:
            return f"a positive number of at most {self.most:,.0f}"
        return "a positive finite number" if self.positive else "a finite number"

    def read(self, value, path, check):
        if is_finite(value) and not (self.positive and value <= 0) and not (self.most and value > self.most):
            return float(value)
        check.fail(path, self.expected, value)
        return INVALID


class Fraction(Kind):
    expected = "a fraction between 0 and 1"

    def read(self, value, path, check):
        if is_finite(value) and 0 < value < 1:
            return float(value)
        check.fail(path, self.expected, value)
        return INVALID


class Labels(Kind):
    """A publication's names for nodes and parameters; the second pass checks the names exist."""

    expected = "a mapping from pencilnet's names to the publication's, e.g. {w1: w13}"

    def read(self, value, path, check):
        if not isinstance(value, dict):
            check.fail(path, self.expected, value)
            return INVALID
        found = {}
        for name, label in value.items():
            if not isinstance(label, (str, int)) or isinstance(label, bool) or not re.fullmatch(r"\w+", str(label)):
                check.fail(f"{path}.{name}", "a label of letters, digits or _, e.g. w13", label)
            elif str(label) in found.values():
                check.fail(f"{path}.{name}", "a label no other name has", str(label))
            else:
                found[str(name)] = str(label)
        return found


class NonNegative(Kind):
    expected = "a finite number of at least 0"

    def read(self, value, path, check):
        if is_finite(value) and value >= 0:
            return float(value)
        check.fail(path, self.expected, value)
        return INVALID


class Unit(Kind):
    """A number from 0 to 1, 1 itself allowed or not: momentum, dampening, alpha, a beta."""

    fields = ("below_one",)
    below_one = False

    @property
    def expected(self):
        return "a number from 0 up to 1 (not 1)" if self.below_one else "a number from 0 to 1"

    def read(self, value, path, check):
        if is_finite(value) and 0 <= value <= 1 and not (self.below_one and value == 1):
            return float(value)
        check.fail(path, self.expected, value)
        return INVALID


class Betas(Kind):
    expected = "two numbers from 0 up to 1 (not 1), such as [0.9, 0.999]"

    def read(self, value, path, check):
        if isinstance(value, list) and len(value) == 2 and all(is_finite(b) and 0 <= b < 1 for b in value):
            return (float(value[0]), float(value[1]))
        check.fail(path, self.expected, value)
        return INVALID


class Flag(Kind):
    expected = "true or false"

    def read(self, value, path, check):
        if isinstance(value, bool):
            return value
        check.fail(path, self.expected, value)
        return INVALID


class Choice(Kind):
    fields = ("options",)

    @property
    def expected(self):
        return f"one of {', '.join(self.options)}"

    def read(self, value, path, check):
        if isinstance(value, str) and value in self.options:
            return value
        suggestion = near_miss(value, self.options) if isinstance(value, str) else ""
        check.fail(path, self.expected + suggestion, value)
        return INVALID


class ActivationChoice(Choice):
    """An activation's name, or a mapping with its name and settings ({name: leaky_relu, slope: 0.2});
    read as the name the engine takes (`core.activations.activation_of`): "leaky_relu(slope=0.2)"."""

    @property
    def expected(self):
        return f"one of {', '.join(self.options)}, or a mapping such as {{name: leaky_relu, slope: 0.2}}"

    def read(self, value, path, check):
        from pencilnet.core.activations import ACTIVATIONS, activation_of, written_name

        if isinstance(value, str) and "(" in value:  # as the engine and a saved model's metadata write it
            try:
                return activation_of(value).name
            except ValueError as problem:
                check.fail(path, str(problem), value)
                return INVALID
        if not isinstance(value, dict):
            return super().read(value, path, check)
        name = super().read(value.get("name"), f"{path}.name", check)
        if name is INVALID:
            return INVALID
        row, settings = ACTIVATIONS[name], {}
        for key, setting in value.items():
            if key == "name":
                continue
            problem = (row.check(key, setting) if key in row.settings else
                       f"only the settings {name} has: {', '.join(row.settings)}" if row.settings else
                       f"no settings: {name} has none")
            if problem:
                check.fail(f"{path}.{key}", problem, setting)
                return INVALID
            settings[key] = setting
        return written_name(name, settings)


class Arithmetic(Kind):
    """'exact' → None; 'pencil N' → N, the decimals every intermediate is rounded to."""

    expected = f"'exact' or 'pencil N' (every intermediate rounded to N decimals, N from 0 to {MAX_PENCIL})"

    def read(self, value, path, check):
        if value == "exact":
            return None
        match = re.fullmatch(r"pencil\s+(\d+)", value.strip()) if isinstance(value, str) else None
        if match and int(match.group(1)) <= MAX_PENCIL:
            return int(match.group(1))
        check.fail(path, self.expected, value)
        return INVALID


class BatchSize(Kind):
    """A positive whole number; 'full' → None, one update per epoch."""

    expected = "a positive whole number, or 'full' for one update per epoch"

    def read(self, value, path, check):
        if value == "full":
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
        check.fail(path, self.expected, value)
        return INVALID


class Vector(Kind):
    """A list of finite numbers → a float64 array; its length is the second pass's to check."""

    fields = ("what", "number_alone")
    what = "numbers"
    number_alone = False  # a lone number stands for a list of one (a shared bias)

    @property
    def expected(self):
        return f"a list of {self.what}" + (", or one number" if self.number_alone else "")

    def read(self, value, path, check):
        import numpy as np

        if isinstance(value, np.ndarray):  # from a parameters file: its numbers are checked already
            if value.ndim == 1:
                return value
            check.fail(path, self.expected, f"an array of shape {value.shape}", describe=False)
            return INVALID
        if self.number_alone and is_number(value):
            value = [value]
        if not isinstance(value, list):
            check.fail(path, self.expected, value)
            return INVALID
        ok = True
        for i, item in enumerate(value):
            if not is_finite(item):
                check.fail(f"{path}[{i}]", "a finite number", item)
                ok = False
        return np.array(value, dtype=np.float64) if ok else INVALID


class Matrix(Kind):
    """Rows of finite numbers → a 2-D float64 array, or a list of rows when they differ in length
    (the second pass says which row is wrong)."""

    expected = "a list of rows of numbers, one row per source node"

    def read(self, value, path, check):
        import numpy as np

        if isinstance(value, np.ndarray):  # from a parameters file: its numbers are checked already
            if value.ndim == 2:
                return value
            check.fail(path, self.expected, f"an array of shape {value.shape}", describe=False)
            return INVALID
        if not isinstance(value, list):
            check.fail(path, self.expected, value)
            return INVALID
        rows = [Vector().read(row, f"{path}[{i}]", check) for i, row in enumerate(value)]
        if any(row is INVALID for row in rows):
            return INVALID
        if rows and all(len(row) == len(rows[0]) for row in rows):
            return np.array(rows, dtype=np.float64).reshape(len(rows), len(rows[0]))
        return rows


class Names(Kind):
    fields = ("expected",)
    expected = "a list of distinct class names, one per output node"

    def read(self, value, path, check):
        if (isinstance(value, list) and all(isinstance(c, str) and c for c in value)
                and len(set(value)) == len(value)):
            return list(value)
        check.fail(path, self.expected, value)
        return INVALID


class Published(Kind):
    """A published number as printed: the digits are kept, so it is given as text."""

    expected = "the published number in quotes, e.g. '0.7020', so its printed digits are kept"

    def read(self, value, path, check):
        if isinstance(value, str):
            value = value.strip().replace("−", "-")
            if PUBLISHED.fullmatch(value):
                return value
        check.fail(path, self.expected, value)
        return INVALID


class Tolerance(Kind):
    expected = "a positive number, e.g. '0.0001'"

    def read(self, value, path, check):
        from decimal import Decimal

        text = str(value).strip() if is_number(value) or isinstance(value, str) else ""
        if PUBLISHED.fullmatch(text) and Decimal(text) > 0:
            return Decimal(text)
        check.fail(path, self.expected, value)
        return INVALID


class Section(Kind):
    """A mapping of the fields of `table` → a dict of every field's value, defaults filled in."""

    fields = ("table", "expected")
    expected = "a mapping of fields"

    def read(self, value, path, check):
        if not isinstance(value, dict):
            check.fail(path, self.expected, value)
            return INVALID
        known = [field.name for field in self.table]
        for key in value:
            if key not in known:
                where = f"{path}.{key}" if path else str(key)
                check.fail(where, f"one of the fields {', '.join(known)}{near_miss(str(key), known)}",
                           "an unknown field", describe=False)
        return {field.name: field.read(value, path, check) for field in self.table}

    def field(self, name: str) -> "Field":
        return next(field for field in self.table if field.name == name)


class Listing(Kind):
    """A non-empty list of sections."""

    fields = ("section", "expected")
    expected = "a list"

    def read(self, value, path, check):
        if not isinstance(value, list) or not value:
            check.fail(path, self.expected, value)
            return INVALID
        return [self.section.read(item, f"{path}[{i}]", check) for i, item in enumerate(value)]


class Either(Kind):
    """A short form or a section: `init: he` or `init: {scheme: uniform, range: 0.3}`; the
    short form stands for the section with only its field `short` given."""

    fields = ("section", "short")

    @property
    def expected(self):
        return f"{self.section.field(self.short).kind.expected}, or a mapping of fields"

    def read(self, value, path, check):
        if isinstance(value, dict):
            return self.section.read(value, path, check)
        field = self.section.field(self.short)
        values = {f.name: f.read({}, path, check) for f in self.section.table if f is not field}
        return {**values, field.name: field.kind.read(value, path, check)}


class Entries(Kind):
    """A non-empty mapping of names (checked by the second pass) to one `kind` each."""

    fields = ("kind", "expected")
    expected = "a mapping"

    def read(self, value, path, check):
        if not isinstance(value, dict) or not value:
            check.fail(path, self.expected, value)
            return INVALID
        return {name: self.kind.read(item, f"{path}.{name}", check) for name, item in value.items()}


class Field(Record):
    """One row of a table: a field's name, kind, default and a line of help."""

    fields = ("name", "kind", "default", "help", "shown_default")
    default = None  # REQUIRED, None (absent: no value), or a YAML value, read as a given one is
    help = ""
    shown_default = None  # the README's words for a default that depends on other fields

    def read(self, mapping: dict, section_path: str, check):
        value = mapping.get(self.name)
        if value is None:
            if self.default is None:
                return None  # an optional field left out, or given as null
            if self.name not in mapping and self.default is not REQUIRED:
                value = self.default
        path = f"{section_path}.{self.name}" if section_path else self.name
        return self.kind.read(value, path, check)  # None still: a required field is missing, and says so


def _section(*fields: Field) -> Section:
    return Section(fields)


SCHEME = Either(_section(
    Field("scheme", Choice(SCHEMES), REQUIRED, "xavier (Glorot) suits sigmoid and tanh, he suits relu"),
    Field("range", Number(positive=True, most=1e6), 0.5, "uniform only: weights and biases drawn from ±range"),
), short="scheme")

LAYER = _section(
    Field("size", Whole(1, MAX_NODES), None, "the number of nodes", "the weight matrix's columns"),
    Field("activation", ActivationChoice(tuple(ACTIVATIONS)), "sigmoid", "softmax on the output layer only"),
    Field("weights", Matrix(), None, "one row per source node, one column per node of this layer",
          "drawn by `init`"),
    Field("biases", Vector("bias weights", number_alone=True), None,
          "one bias weight per node (one number with `bias: shared`)", "drawn by `init`"),
    Field("bias", Choice(BIAS_MODES), "per_node", "shared: one bias weight for all the layer's nodes"),
    Field("freeze", Choice(tuple(FREEZE)), "none", "what `step` and `train` leave unchanged"),
    Field("init", SCHEME, None, "this layer's random scheme", "the top-level `init`"),
)

# torch.optim's optimizers and their settings (each name's own are checked by the second pass).
OPTIMIZER = Either(_section(
    Field("name", Choice(("sgd", "adam", "adamw", "rmsprop")), REQUIRED, "as torch.optim names them"),
    Field("momentum", Unit(), None, "sgd, rmsprop: μ", "0"),
    Field("dampening", Unit(), None, "sgd", "0"),
    Field("nesterov", Flag(), None, "sgd: Nesterov momentum (needs momentum, no dampening)", "false"),
    Field("betas", Betas(), None, "adam, adamw: β1 and β2", "[0.9, 0.999]"),
    Field("eps", Number(positive=True), None, "adam, adamw, rmsprop: added to the root", "1e-8"),
    Field("alpha", Unit(below_one=True), None, "rmsprop: the square average's smoothing", "0.99"),
), short="name")

LR_SCHEDULE = Either(_section(
    Field("name", Choice(("constant", "step", "exponential")), REQUIRED, "as torch's StepLR, ExponentialLR"),
    Field("step_size", Whole(1), None, "step: epochs between changes"),
    Field("gamma", Number(positive=True), None, "step, exponential: the factor each change multiplies by"),
), short="name")

TRAINING = _section(
    Field("learning_rate", Number(positive=True), 0.5, "the step size η"),
    Field("epochs", Whole(1), 1, "passes over the samples"),
    Field("batch_size", BatchSize(), 1, "1: online, one update per sample; N: mini-batches; full: one per epoch"),
    Field("shuffle", Flag(), False, "a new order of the samples every epoch, from the seed"),
    Field("seed", Whole(0), None, "the seed of the shuffles", "the top-level `seed`"),
    Field("target_error", Number(positive=True), None, "stop after the first epoch whose error is at most this"),
    Field("optimizer", OPTIMIZER, "sgd", "sgd, adam, adamw or rmsprop, or a mapping with its settings"),
    Field("weight_decay", NonNegative(), None, "λ: added to the gradient (sgd, adam, rmsprop); decoupled for adamw",
          "0 (adamw: 0.01, as torch.optim)"),
    Field("lr_schedule", LR_SCHEDULE, "constant", "the learning rate of each epoch: constant, step or exponential"),
)

SAMPLE = _section(
    Field("inputs", Vector("input values"), REQUIRED, "one value per input node"),
    Field("target", Vector("target values (one per output node)"), None, "one value per output node",
          "the label's one-hot vector"),
    Field("label", Text("a class name"), None, "one of `classes`: stands for its one-hot target"),
)

SPLIT = _section(
    Field("test_fraction", Fraction(), REQUIRED, "the share of the samples held out for testing"),
    Field("seed", Whole(0), 0, "which samples are held out"),
)

class Standardize(Kind):
    """zscore or minmax, fitted on the training data; or, as a saved config writes it, the fitted numbers."""

    expected = "zscore or minmax (or, as a saved config writes it, {method: zscore, offset: [...], scale: [...]})"

    def read(self, value, path, check):
        from pencilnet.io.datasets import Scaling

        if Scaling.valid(value):
            return value
        check.fail(path, self.expected, value)
        return INVALID


FILE = Text("the path of a .csv or .npz file, relative to the config")
COLUMNS = Names("a list of column names")

DATA = _section(
    Field("train", FILE, REQUIRED, "the training samples"),
    Field("test", FILE, None, "test samples, measured after every epoch"),
    Field("split", SPLIT, None, "or hold out part of `train` for testing"),
    Field("label_column", Text("a column name"), None, "class names, for one-hot targets", "label, or else target"),
    Field("target_columns", COLUMNS, None, "or explicit target columns"),
    Field("feature_columns", COLUMNS, None, "the columns that are inputs", "every other column"),
    Field("standardize", Standardize(), None, "scale each feature by numbers fitted on the training data only",
          "raw features"),
)

ENTRY = Either(_section(
    Field("value", Published(), REQUIRED, "what the publication printed"),
    Field("tolerance", Tolerance(), None, "how far the computed value may be from it", "the printed digits"),
    Field("arithmetic", Arithmetic(), None, "how the publication computed it", "the section's"),
    Field("erratum", Text("a short text"), None, "why the published number is wrong"),
    Field("corrected", Published(), None, "beside an erratum: the right value, checked as any published value"),
    Field("note", Text("a short text"), None, "shown beside the verdict"),
), short="value")

EXPECTED = _section(
    Field("arithmetic", Arithmetic(), "exact", "how the publication computed"),
    Field("sample", Whole(1), 1, "which sample the one-step quantities are for"),
    Field("values", Entries(ENTRY, "a mapping of quantity names to published values, e.g. net_h1: '0.857'"),
          REQUIRED, "net_h1: '0.857', or net_h1: {value: '0.857', …}"),
)

TOP = _section(
    Field("name", Text(), "", "a title for tables and diagrams"),
    Field("description", Text(), "", "what the example is"),
    Field("inputs", Whole(1, MAX_NODES), REQUIRED,
          "the number of input nodes (with `data`, the features' when left out)"),
    Field("bias_input", Number(), 1, "the value every bias node feeds (some books use -1)"),
    Field("seed", Whole(0), 0, "the seed of every random draw"),
    Field("init", SCHEME, None, "random weights and biases for the layers that give none"),
    Field("layers", Listing(LAYER, "a list of layers (hidden layers first, the output layer last)"), REQUIRED,
          "hidden layers first, the output layer last"),
    Field("parameters", Text("the path of a .npz file of weights and biases, relative to the config"), None,
          "a big network's weights and biases, in a .npz beside the config (`train --save` writes it)"),
    Field("loss", Choice(tuple(LOSSES)), "half_sse", "the error E of one sample (the losses table)"),
    Field("arithmetic", Arithmetic(), "exact", "how the stages compute; pencil rounds half up, as by hand"),
    Field("training", TRAINING, {}, "how `train` runs"),
    Field("classes", Names(), None, "one name per output node (two for one sigmoid output)", "y1, y2, … (0, 1)"),
    Field("threshold", Fraction(), 0.5, "one sigmoid output: the second class at or above this, the first below"),
    Field("samples", Listing(SAMPLE, "a list of samples, each with inputs and a target or a label"), None,
          "the samples written out", "required without `data`"),
    Field("data", DATA, None, "samples read from .csv or .npz files instead"),
    Field("labels", Labels(), None, "a publication's names for pencilnet's (w5: w35): used in `expected`"),
    Field("expected", EXPECTED, None, "published values for `verify`"),
)

SECTIONS = {  # where each table is in a config, as the reference names them
    "(top level)": TOP, "layers[]": LAYER, "training": TRAINING, "training.optimizer": OPTIMIZER.section,
    "training.lr_schedule": LR_SCHEDULE.section, "samples[]": SAMPLE, "data": DATA,
    "data.split": SPLIT, "init (and layers[].init)": SCHEME.section, "expected": EXPECTED,
    "expected.values.NAME": ENTRY.section,
}


def read(value, check) -> dict:
    """The first pass over a whole config: every field's value, or INVALID where a problem was reported."""
    return TOP.read(value, "", check)


def reference() -> str:
    """The config reference as Markdown tables, one per section: what the README shows."""
    lines = []
    for where, section in SECTIONS.items():
        lines += [f"**`{where}`**", "", "| field | value | default | |", "|---|---|---|---|"]
        for field in section.table:
            lines.append(f"| `{field.name}` | {_expects(field.kind)} | {_default(field)} | {field.help} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _expects(kind: Kind) -> str:
    if isinstance(kind, Section):
        return "a mapping (below)"
    if isinstance(kind, Listing):
        return "a list of mappings (below)"
    if isinstance(kind, Either):
        return f"{kind.section.field(kind.short).kind.expected}, or a mapping (below)"
    if isinstance(kind, Entries):
        return "names → values (below)"
    return kind.expected.replace("|", "\\|")


def _default(field: Field) -> str:
    if field.shown_default:
        return field.shown_default
    if field.default is REQUIRED:
        return "required"
    if field.default is None or field.default == {}:
        return "—"
    if isinstance(field.default, bool):
        return f"`{str(field.default).lower()}`"
    return f"`{field.default}`" if field.default != "" else "empty"
