"""The config's schema: one table per section, one row per field (its kind, default and a line of help).

The tables drive the allowed keys, the defaults, the type and range checks and the did-you-mean
of the first pass (`read`); the rules between fields (shapes against sizes, softmax on the output
layer only, classes against outputs) are the second pass (`rules.py`, `data_rules.py`). The
README's config reference is rendered from the same tables (`reference`), and a test holds the two
together. The generic kinds (numbers, lists, sections) are `kinds.py`'s; the kinds only a
pencilnet config has are here, beside the tables that use them.

Adding a field is one row in its table (and, when the engine uses it, one keyword in `config._build`).
"""

import re

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.initializers import SCHEMES
from pencilnet.core.losses import LOSSES
from pencilnet.io.kinds import (
    INVALID,
    REQUIRED,
    ActivationChoice,
    Betas,
    Choice,
    Either,
    Entries,
    Field,
    Flag,
    Fraction,
    Kind,
    Listing,
    Matrix,
    Names,
    NonNegative,
    Number,
    Section,
    Text,
    Unit,
    Vector,
    Whole,
    is_number,
    near_miss,
    section,
    valid,
)

MAX_NODES = 1_000_000  # per layer
MAX_WEIGHTS = 20_000_000  # per layer: 160 MB of float64, far beyond what this tool is for
MAX_PENCIL = 15
MAX_PRINTINGS = 16  # published printings of one quantity
FREEZE = {"none": (False, False), "weights": (True, False), "biases": (False, True), "all": (True, True)}
BIAS_MODES = ("per_node", "shared")
PUBLISHED = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
TOLERANCE = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,4})?")  # a YAML 1.2 number, as text too


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


class Arithmetic(Kind):
    """'exact' → None; 'pencil N' → N, the decimals every intermediate is rounded to; or a mapping
    {pencil: N, significant: true, out: 3, …}: N places (or significant figures) by default, and a
    kind of intermediate (net, out, error, slope, delta, gradient, weight) at its own → a Pencil."""

    expected = (f"'exact', 'pencil N' (every intermediate rounded to N decimals, N from 0 to {MAX_PENCIL}) or a "
                "mapping such as {pencil: 4, out: 3} or {pencil: 4, significant: true}")

    def read(self, value, path, check):
        if value == "exact":
            return None
        match = re.fullmatch(r"pencil\s+(\d+)", value.strip()) if isinstance(value, str) else None
        if match and int(match.group(1)) <= MAX_PENCIL:
            return int(match.group(1))
        if isinstance(value, dict):
            return self._mapping(value, path, check)
        check.fail(path, self.expected, value)
        return INVALID

    def _mapping(self, value: dict, path: str, check):
        from pencilnet.core.arithmetic import KINDS, Pencil

        places, ok = {}, True
        for key, given in value.items():
            whole = isinstance(given, int) and not isinstance(given, bool)
            if key in ("pencil", *KINDS) and whole and 0 <= given <= MAX_PENCIL:
                places[key] = given
            elif key == "significant" and isinstance(given, bool):
                continue
            else:
                ok = False
                what = ("true or false" if key == "significant" else f"a number of places from 0 to {MAX_PENCIL}"
                        if key in ("pencil", *KINDS) else
                        f"one of pencil, significant, {', '.join(KINDS)}{near_miss(str(key), ['pencil', *KINDS])}")
                check.fail(f"{path}.{key}", what, given)
        if "pencil" not in places:
            if ok:
                check.fail(f"{path}.pencil", "the places (or significant figures) of every other intermediate", None)
            return INVALID
        significant = value.get("significant") is True
        if significant and 0 in places.values():
            check.fail(path, "at least 1 significant figure for each kind", value)
            return INVALID
        if not ok:
            return INVALID
        default = places.pop("pencil")
        return Pencil(default, places, significant)


class BatchSize(Kind):
    """A positive whole number; 'full' → None, one step per epoch."""

    expected = "a positive whole number, or 'full' for one step per epoch"

    def read(self, value, path, check):
        if value == "full":
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
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
    """A positive number, kept as the decimal it is written as: 0.0001, 1e-12 or '1e-12' (quoted or
    not, a YAML 1.2 number reads the same); or 'N ulp', N units in the last place of the published float."""

    expected = "a positive number, e.g. '0.0001', or units in the last place, e.g. '4 ulp'"

    def read(self, value, path, check):
        from decimal import Decimal

        from pencilnet.checks.published import Ulps

        text = str(value).strip() if is_number(value) or isinstance(value, str) else ""  # str(1e-12): '1e-12'
        if TOLERANCE.fullmatch(text) and Decimal(text) > 0:
            return Decimal(text)
        ulps = re.fullmatch(r"(\d{1,6})\s*ulps?", text)
        if ulps and int(ulps.group(1)) > 0:
            return Ulps(int(ulps.group(1)))
        check.fail(path, self.expected, value)
        return INVALID


class PublishedValues(Published):
    """One published number, or a list of them: the same quantity printed at several precisions."""

    expected = ("the published number in quotes, e.g. '0.7020', or a list of them, e.g. ['0.7071', "
                "'0.7071067811865476']")

    def read(self, value, path, check):
        if not isinstance(value, list):
            return super().read(value, path, check)
        if not value or len(value) > MAX_PRINTINGS:
            check.fail(path, f"a list of 1 to {MAX_PRINTINGS} published numbers", f"a list of {len(value)}")
            return INVALID
        found = tuple(super(PublishedValues, self).read(item, f"{path}[{i}]", check) for i, item in enumerate(value))
        return found if valid(*found) else INVALID


class Standardize(Kind):
    """zscore or minmax, fitted on the training data; or, as a saved config writes it, the fitted numbers."""

    expected = "zscore or minmax (or, as a saved config writes it, {method: zscore, offset: [...], scale: [...]})"

    def read(self, value, path, check):
        from pencilnet.io.scaling import Scaling

        if Scaling.valid(value):
            return value
        check.fail(path, self.expected, value)
        return INVALID


# A layer's activation, one of the core's rows by name (an activation with a parameter extends this kind).
ACTIVATION = ActivationChoice(tuple(ACTIVATIONS))

SCHEME = Either(section(
    Field("scheme", Choice(SCHEMES), REQUIRED, "xavier (Glorot) suits sigmoid and tanh, he suits relu"),
    Field("range", Number(positive=True, most=1e6), 0.5, "uniform only: weights and biases drawn from ±range"),
), short="scheme")

LAYER = section(
    Field("size", Whole(1, MAX_NODES), None, "the number of nodes", "the weight matrix's columns"),
    Field("activation", ACTIVATION, "sigmoid", "softmax on the output layer only"),
    Field("weights", Matrix(), None, "one row per source node, one column per node of this layer",
          "drawn by `init`"),
    Field("biases", Vector("bias weights", number_alone=True), None,
          "one bias weight per node (one number with `bias: shared`)", "drawn by `init`"),
    Field("bias", Choice(BIAS_MODES), "per_node", "shared: one bias weight for all the layer's nodes"),
    Field("freeze", Choice(tuple(FREEZE)), "none", "what `step` and `train` leave unchanged"),
    Field("init", SCHEME, None, "this layer's random scheme", "the top-level `init`"),
)

# torch.optim's optimizers and their settings (each name's own are checked by the second pass).
OPTIMIZER = Either(section(
    Field("name", Choice(("sgd", "adam", "adamw", "rmsprop")), REQUIRED, "as torch.optim names them"),
    Field("momentum", Unit(), None, "sgd, rmsprop: μ", "0"),
    Field("dampening", Unit(), None, "sgd", "0"),
    Field("nesterov", Flag(), None, "sgd: Nesterov momentum (needs momentum, no dampening)", "false"),
    Field("form", Choice(("torch", "classical")), None, "sgd with momentum: torch's b = μb + g, θ −= lr·b, or the "
          "lecture notes' v = μv − lr·g, θ += v", "torch"),
    Field("betas", Betas(), None, "adam, adamw: β1 and β2", "[0.9, 0.999]"),
    Field("eps", Number(positive=True), None, "adam, adamw, rmsprop: added to the root", "1e-8"),
    Field("alpha", Unit(below_one=True), None, "rmsprop: the square average's smoothing", "0.99"),
), short="name")

LR_SCHEDULE = Either(section(
    Field("name", Choice(("constant", "step", "exponential")), REQUIRED, "as torch's StepLR, ExponentialLR"),
    Field("step_size", Whole(1), None, "step: epochs between changes"),
    Field("gamma", Number(positive=True), None, "step, exponential: the factor each change multiplies by"),
), short="name")

TRAINING = section(
    Field("learning_rate", Number(positive=True), 0.5, "the learning rate η"),
    Field("epochs", Whole(1), 1, "passes over the samples"),
    Field("batch_size", BatchSize(), 1, "1: online, one step per sample; N: mini-batches; full: one per epoch"),
    Field("shuffle", Flag(), False, "a new order of the samples every epoch, from the seed"),
    Field("seed", Whole(0), None, "the seed of the shuffles", "the top-level `seed`"),
    Field("target_error", Number(positive=True), None, "stop after the first epoch whose error is at most this"),
    Field("optimizer", OPTIMIZER, "sgd", "sgd, adam, adamw or rmsprop, or a mapping with its settings"),
    Field("weight_decay", NonNegative(), None, "λ: added to the gradient (sgd, adam, rmsprop); decoupled for adamw",
          "0 (adamw: 0.01, as torch.optim)"),
    Field("lr_schedule", LR_SCHEDULE, "constant", "the learning rate of each epoch: constant, step or exponential"),
)

SAMPLE = section(
    Field("inputs", Vector("input values"), REQUIRED, "one value per input node"),
    Field("target", Vector("target values (one per output node)"), None, "one value per output node",
          "the label's one-hot vector"),
    Field("label", Text("a class name"), None, "one of `classes`: stands for its one-hot target"),
)

SPLIT = section(
    Field("test_fraction", Fraction(), REQUIRED, "the share of the samples held out for testing"),
    Field("seed", Whole(0), 0, "which samples are held out"),
    Field("stratify", Flag(), False, "hold out that fraction of each class"),
)

FILE = Text("the path of a .csv or .npz file, relative to the config")
COLUMNS = Names("a list of column names")

DATA = section(
    Field("train", FILE, REQUIRED, "the training samples"),
    Field("test", FILE, None, "test samples, measured after every epoch"),
    Field("split", SPLIT, None, "or hold out part of `train` for testing"),
    Field("label_column", Text("a column name"), None, "class names, for one-hot targets", "label, or else target"),
    Field("target_columns", COLUMNS, None, "or explicit target columns"),
    Field("feature_columns", COLUMNS, None, "the columns that are inputs", "every other column"),
    Field("standardize", Standardize(), None, "scale each feature by numbers fitted on the training data only",
          "raw features"),
)

ENTRY = Either(section(
    Field("value", PublishedValues(), REQUIRED, "what the publication printed (a list: each printing of it)"),
    Field("tolerance", Tolerance(), None, "how far the computed value may be from it", "the printed digits"),
    Field("arithmetic", Arithmetic(), None, "how the publication computed it", "the section's"),
    Field("erratum", Text("a short text"), None, "why the published number is wrong"),
    Field("corrected", Published(), None, "beside an erratum: the right value, checked as any published value"),
    Field("note", Text("a short text"), None, "shown beside the verdict"),
), short="value")

EXPECTED = section(
    Field("arithmetic", Arithmetic(), "exact", "how the publication computed"),
    Field("tolerance", Tolerance(), None, "how far every entry without its own may be", "the printed digits"),
    Field("sample", Whole(1), 1, "which sample the one-step quantities are for"),
    Field("values", Entries(ENTRY, "a mapping of quantity names to published values, e.g. net_h1: '0.857'"),
          REQUIRED, "net_h1: '0.857', or net_h1: {value: '0.857', …}"),
)

TOP = section(
    Field("name", Text(), "", "a title for tables and diagrams"),
    Field("description", Text(), "", "what the example is"),
    Field("inputs", Whole(1, MAX_NODES), REQUIRED,
          "the number of input nodes (with `data`, the features' when left out)"),
    Field("bias_input", Number(), 1, "the value every bias node feeds (some books use -1)"),
    Field("seed", Whole(0), 0, "the seed of every random draw"),
    Field("init", SCHEME, None, "random weights and biases for the layers that give none",
          "xavier, for a layer without weights"),
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
    for where, table in SECTIONS.items():
        lines += [f"**`{where}`**", "", "| field | value | default | |", "|---|---|---|---|"]
        for field in table.table:
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
