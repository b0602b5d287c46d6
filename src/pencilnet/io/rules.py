"""The config's second pass: the rules between fields, once each field has been read on its own.

Shapes against sizes (a weight matrix has one row per source node), softmax on the output layer
only, classes against outputs, samples against the network, each optimizer's own settings, and
the published values' names against the network's quantities. Each rule reports to the checker
and returns the engine's record, or None where something is wrong.
"""

import re

import numpy as np

from pencilnet.checks.published import INHERIT, Expectations, Expected
from pencilnet.core.model import Layer, Model
from pencilnet.io import schema
from pencilnet.io.checker import Checker
from pencilnet.io.kinds import INVALID, near_miss, valid
from pencilnet.io.schema import FREEZE, MAX_WEIGHTS
from pencilnet.io.yaml_text import key_line

# A layer that gives neither weights nor a scheme: Glorot's uniform draw (biases 0), as scikit-learn's
# MLP starts, from the config's `seed` (0 unless given). `summary` and `train` say when it was used.
DEFAULT_SCHEME = "xavier"


def layers_of(specs, raws, check: Checker, inputs: int | None, default_scheme, seed
            ) -> tuple[list[Layer] | None, int | None, tuple[int, ...]]:
    """The layers, when all are valid; the output layer's size, when it is known; and the layers
    whose weights the default scheme drew.

    A layer without explicit weights or biases takes them from its `init` scheme (or the
    config's), drawn layer by layer from one generator seeded with `seed`. A layer with neither
    weights nor a scheme takes DEFAULT_SCHEME, as PyTorch and scikit-learn initialise a layer
    by default (the draws of layers with weights are unchanged: only a layer without them draws)."""
    if specs is INVALID:
        return None, None, ()
    from pencilnet.core.initializers import draw

    rng = None  # made when first needed: numpy.random takes a while to import
    layers, sources, complete, defaulted = [], inputs, True, []
    for index, (spec, raw) in enumerate(zip(specs, raws, strict=True)):
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
        if valid(size) and sources and size * sources > MAX_WEIGHTS:
            check.fail(f"{path}.size", f"a layer of at most {MAX_WEIGHTS:,} weights", f"{sources} × {size}",
                       describe=False)
            size = INVALID
        if spec["activation"] == "softmax" and index != len(specs) - 1:
            check.fail(f"{path}.activation", "softmax on the output layer only", "softmax")
        shared = spec["bias"] == "shared"
        scheme = spec["init"] if spec["init"] is not None else default_scheme
        if scheme is None and weights is None:
            scheme = {"scheme": DEFAULT_SCHEME, "range": 0.5}  # the range is uniform's only
            defaulted.append(index)
        drawn = None
        if sources and valid(size) and scheme is not None and valid(scheme) and valid(*scheme.values()):
            rng = rng or np.random.default_rng(seed if valid(seed) else 0)
            drawn = draw(rng, scheme["scheme"], sources, size, scheme["range"])  # drawn even when not used, so
            # that each layer's draw is the same whatever the others give
        what = "one per input node" if index == 0 else f"one per node of layers[{index - 1}]"
        if weights is None and drawn is not None:
            weights = drawn[0]
        elif weights is None:  # the sizes to draw them with are unknown, or the scheme is wrong: said already
            if not check.problems:
                check.fail(f"{path}.weights", f"a weight matrix of {sources or 'one'} rows ({what}), or an init "
                                              "scheme (init: xavier, he or uniform)", None)
            weights = INVALID
        elif valid(weights):
            weights = _matrix(weights, raw["weights"], f"{path}.weights", sources, size if valid(size) else None,
                              what, check)
        if biases is None and drawn is not None:
            biases = drawn[1][:1] if shared else drawn[1]
        elif biases is None:
            if scheme is None or not check.problems:  # with a scheme, only unknown sizes keep it from drawing
                count = size if valid(size) else "the layer size"
                check.fail(f"{path}.biases", f"a list of {count} bias weights, one per node, or an init scheme",
                           None)
            biases = INVALID
        elif valid(biases, size) and len(biases) != (1 if shared else size):
            what_biases = "bias weight (shared by the layer)" if shared else "bias weights, one per node"
            check.fail(f"{path}.biases", f"a list of {1 if shared else size} {what_biases}", raw["biases"])
            biases = INVALID
        if valid(weights, biases, size, *spec.values()):
            layers.append(Layer(weights, biases, spec["activation"], shared, *FREEZE[spec["freeze"]]))
        else:
            complete = False
        sources = size if valid(size) else None
    return (layers if complete else None), sources, tuple(defaulted)


def _matrix(weights, raw: list, path: str, rows: int | None, columns: int | None, what: str, check: Checker):
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


def classes_of(given: list[str] | None, raw, check: Checker, outputs: int | None) -> list[str]:
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


def samples_of(specs, raws, check: Checker, inputs, outputs, classes) -> tuple[np.ndarray, np.ndarray]:
    xs, ts = [], []
    for index, (spec, raw) in enumerate(zip(specs, raws, strict=True) if valid(specs) else ()):
        path = f"samples[{index}]"
        if spec is INVALID:
            continue
        x, target, label = spec["inputs"], spec["target"], spec["label"]
        if valid(x) and inputs is not None and len(x) != inputs:
            check.fail(f"{path}.inputs", f"a list of {inputs} input values", raw["inputs"])
            x = INVALID
        if valid(target) and target is not None and outputs is not None and len(target) != outputs:
            check.fail(f"{path}.target", f"a list of {outputs} target values (one per output node)", raw["target"])
            target = INVALID
        if valid(label) and label is not None:
            if label not in classes:
                check.fail(f"{path}.label", f"one of the classes {', '.join(classes)}", label)
                target = INVALID
            elif target is None:
                target = _label_target(classes, label, outputs)
            elif valid(target) and not np.array_equal(target, _label_target(classes, label, outputs)):
                check.fail(f"{path}.label", f"the class whose one-hot vector is the target {target.tolist()}", label)
        elif target is None and valid(label):
            check.fail(f"{path}.target", "a target vector (or a label naming one of the classes)", None)
        if valid(x, target) and target is not None:
            xs.append(x)
            ts.append(target)
    if inputs is None or outputs is None:  # the lengths were not checked: a problem is reported already
        return np.empty((0, 0)), np.empty((0, 0))
    return np.array(xs, dtype=np.float64).reshape(-1, inputs), np.array(ts, dtype=np.float64).reshape(-1, outputs)



# Which settings each optimizer has (torch.optim's), and each learning-rate schedule.
OPTIMIZER_SETTINGS = {"sgd": ("momentum", "dampening", "nesterov", "form"), "adam": ("betas", "eps"),
                      "adamw": ("betas", "eps"), "rmsprop": ("alpha", "eps", "momentum")}
SCHEDULE_SETTINGS = {"constant": (), "step": ("step_size", "gamma"), "exponential": ("gamma",)}


def optimizer_of(training: dict, check: Checker):
    """The optimizer and the learning-rate schedule of a valid training section: each name's own
    settings only, and what torch.optim requires of them together."""
    from pencilnet.core.optimizers import LearningRateSchedule, Optimizer

    spec, plan, settings = training["optimizer"], training["lr_schedule"], {}
    if not valid(spec, plan, training["weight_decay"]) or not valid(*spec.values(), *plan.values()):
        return Optimizer(), LearningRateSchedule()  # what is wrong is reported already
    for key, value in spec.items():
        if key != "name" and value is not None:
            if key in OPTIMIZER_SETTINGS[spec["name"]]:
                settings[key] = value
            else:
                check.fail(f"training.optimizer.{key}", f"only the settings {spec['name']} has: "
                           + ", ".join(OPTIMIZER_SETTINGS[spec["name"]]), value)
    if settings.get("form") == "classical" and not (settings.get("momentum", 0) > 0
                                                    and settings.get("dampening", 0) == 0):
        check.fail("training.optimizer.form", "momentum above 0 and dampening 0 for the classical form "
                   "(v = μv − lr·g has no dampening)", "classical")
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


def labels_of(labels: dict | None, check: Checker, model: Model) -> dict[str, str]:
    """A publication's names for this network's nodes and parameters: each must name one of them, and
    no label may be a name that already means something else here (a quantity such as E_total, or
    another node or parameter that keeps its own name): in `expected`, it could be read either way."""
    from pencilnet.checks.quantities import one_step_names

    if not labels or labels is INVALID:
        return {}
    names = {n for layer in model.names.nodes for n in layer} | set(model.names.parameters)
    quantities, kept = set(one_step_names(model)), {}
    for name, label in labels.items():
        if name not in names:
            check.fail(f"labels.{name}", "a node or parameter of this network such as x1, h1, w5 or bw1"
                       + near_miss(name, names), name, describe=False)
        elif label in quantities - names:
            check.fail(f"labels.{name}", f"a label that is not already a quantity's name ({label} is the name of "
                       "one, which expected: would then read as this label)", label)
        elif label in names and label != name and label not in labels:
            check.fail(f"labels.{name}", f"a label that is not another node's or parameter's name ({label} is "
                       f"one; give {label} a label too where the publication swaps the two)", label)
        else:
            kept[name] = label
    return kept  # a refused label is not used: the names in expected are read as they are


def canonical(name: str, labels: dict[str, str]) -> str:
    """A quantity name written with a publication's labels (dE/dw13) in pencilnet's names (dE/dw1).
    A label stands where a name stands: after the start, _, / or d (dE/dw13, net_n3, delta_n3), and
    before the end or _ (w13_new, m_w13_after_2_steps), never inside a longer name (w1 in w13)."""
    if not labels:
        return name
    by_label = {label: pencil for pencil, label in labels.items()}
    pattern = "|".join(re.escape(label) for label in sorted(by_label, key=len, reverse=True))
    return re.sub(rf"(?<![^_/d])({pattern})(?![^\W_])", lambda m: by_label[m.group(1)], name)


def expectations_of(section, raw, check: Checker, model: Model, samples: int | None,
                    labels: dict[str, str] | None = None, loss: str | None = None) -> Expectations | None:
    """The published values: each name a quantity of this network (written with pencilnet's names or
    the publication's labels), each entry whole; `samples`: how many there are, None when unknown."""
    from pencilnet.checks.quantities import epochs_of, one_step_names, steps_of

    if section is None or section is INVALID:
        return None
    if samples is not None and valid(section["sample"]) and section["sample"] > samples:
        check.fail("expected.sample", f"a sample number from 1 to {samples}", section["sample"])
    if not valid(section["values"]):
        return None
    entries, names = [], set(one_step_names(model))  # made once, not once per entry
    for given_name, entry in section["values"].items():
        name = canonical(str(given_name), labels or {})
        if name not in names and epochs_of(name, model, loss) is None and steps_of(name, model) is None:
            suggestion = near_miss(name, one_step_names(model))
            check.fail(f"expected.values.{given_name}", "a quantity name such as net_h1, out_y1, E_total, dE/dw5, "
                       f"dE/dout_h1, w5_new or error_after_10_epochs{suggestion}", str(given_name), describe=False)
        elif entry["corrected"] is not None and not entry["erratum"]:
            check.fail(f"expected.values.{given_name}.corrected",
                       "a correction beside an erratum (erratum: says what was wrong)", entry["corrected"])
        elif valid(entry) and valid(*entry.values()):
            given = raw["values"][given_name]
            own = isinstance(given, dict) and "arithmetic" in given  # else the section's
            tolerance = entry["tolerance"] if entry["tolerance"] is not None else section["tolerance"]
            printed = entry["value"] if isinstance(entry["value"], tuple) else (entry["value"],)
            label = str(given_name) if str(given_name) != name else None
            line = key_line(check.root, f"expected.values.{given_name}") if check.root is not None else None
            entries += [Expected(name, value, tolerance, entry["arithmetic"] if own else INHERIT, entry["erratum"],
                                 entry["note"], entry["corrected"], label, line) for value in printed]
    if not valid(section["arithmetic"], section["sample"]):
        return None
    return Expectations(section["arithmetic"], section["sample"], entries)
