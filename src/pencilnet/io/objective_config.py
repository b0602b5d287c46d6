"""A config that gives a function instead of a network: `objective: "(theta - 4)**2"` with
`parameters: {theta: 10}` (a mapping: the function's parameters and where they start; a text
there is still a big network's .npz file), a training section for the optimizer and the
learning rate, and published values to verify.

`config.parse` hands such a document here; the commands that work on a function catch
`FunctionGiven` and use its `function`, every other command reports it as one line (exit 2).
"""

import math
import re
from dataclasses import dataclass

from pencilnet.checks import function_quantities as quantities
from pencilnet.checks.published import INHERIT, Expectations, Expected
from pencilnet.core.errors import ConfigError, InputError
from pencilnet.core.objective import MAX_PARAMETERS, MAX_STEPS, Objective, objective_of
from pencilnet.io import schema
from pencilnet.io.checker import Checker
from pencilnet.io.kinds import INVALID, REQUIRED, Entries, Field, Kind, Text, near_miss, section, valid
from pencilnet.io.schema import Arithmetic
from pencilnet.io.yaml_text import key_line
from pencilnet.training.schedule import Schedule

NETWORK_FIELDS = ("inputs", "layers", "samples", "data", "init", "bias_input", "loss", "classes", "threshold",
                  "labels")
NAME = re.compile(r"[A-Za-z_]\w*")


class Parameters(Kind):
    """The function's parameters: names (as the expression writes them) and their start values."""

    expected = "a mapping from each parameter's name to its start value, e.g. {theta: 10}"

    def read(self, value, path, check):
        from pencilnet.core.expression import FUNCTIONS

        if not isinstance(value, dict) or not 1 <= len(value) <= MAX_PARAMETERS:
            check.fail(path, self.expected.replace("a mapping", f"a mapping of 1 to {MAX_PARAMETERS} entries"),
                       value)
            return INVALID
        found = {}
        for name, start in value.items():
            if not isinstance(name, str) or not NAME.fullmatch(name) or name in FUNCTIONS or name in ("E", "f"):
                check.fail(f"{path}.{name}", "a name of letters, digits or _ (not a function's name, nor E or f, "
                           "which name the function's value), e.g. theta", name)
            elif isinstance(start, bool) or not isinstance(start, (int, float)) or not math.isfinite(start):
                check.fail(f"{path}.{name}", "a finite number, the parameter's start value", start)
            else:
                found[name] = float(start)
        return found if len(found) == len(value) else INVALID


TRAINING = section(*[field for field in schema.TRAINING.table if field.name not in ("batch_size", "shuffle", "seed")])

EXPECTED = section(
    Field("arithmetic", Arithmetic(), "exact", "how the publication computed"),
    schema.EXPECTED.field("tolerance"),
    Field("values", Entries(schema.ENTRY, "a mapping of quantity names to published values, e.g. "
                                          "theta_after_1_steps: '8.8'"), REQUIRED),
)

TOP = section(
    Field("name", Text(), "", "a title for tables and pictures"),
    Field("description", Text(), "", "what the example is"),
    Field("objective", Text("a function of the parameters, e.g. '(theta - 4)**2'"), None, "f(θ)"),
    Field("parameters", Parameters(), None, "each parameter's start value"),
    Field("arithmetic", Arithmetic(), "exact", "how the steps compute; pencil rounds half up, as by hand"),
    Field("training", TRAINING, {}, "the optimizer, its learning rate and schedule; epochs: the steps `train` makes"),
    Field("expected", EXPECTED, None, "published values for `verify`"),
)


@dataclass(frozen=True, eq=False)
class FunctionConfig:
    """A function's config: the objective, how to step on it, and the published values."""

    source: str
    name: str
    objective: Objective
    schedule: Schedule  # learning_rate, epochs (the steps `train` makes), optimizer, lr_schedule
    pencil_decimals: object = None  # None exact, N decimals, or a Pencil
    expected: Expectations | None = None


class FunctionGiven(InputError):
    """The config gives a function; a command that needs a network says so in one line (exit 2)."""

    def __init__(self, function: FunctionConfig):
        self.function = function
        super().__init__(f"{function.source}: objective: this config gives a function, not a network: this command "
                         "needs layers and samples (step, train, verify, expect, publish and plot work on a function)")


def is_function(data) -> bool:
    """Whether a config's document gives a function: an objective, or parameters as a mapping and no
    network (a network's config with a mapping there is told that its parameters are a .npz path)."""
    if not isinstance(data, dict):
        return False
    network = any(key in data for key in ("layers", "samples", "data"))
    return "objective" in data or (isinstance(data.get("parameters"), dict) and not network)


def build(data: dict, check: Checker, source: str) -> FunctionConfig:
    """The FunctionConfig of a document; ConfigError listing every problem."""
    from pencilnet.core.expression import ExpressionError
    from pencilnet.io import rules

    for key in data:
        if key in NETWORK_FIELDS:
            check.fail(str(key), "no network fields beside an objective (a function has no layers or samples)",
                       "a network's field", describe=False)
    named = "parameters" in data
    if isinstance(data.get("parameters"), str):
        check.fail("parameters", "a mapping of the function's parameters to their start values (a .npz path is "
                   "a network's parameters)", data["parameters"])
        data = {key: value for key, value in data.items() if key != "parameters"}
    known = {key: value for key, value in data.items() if key not in NETWORK_FIELDS}
    top = TOP.read(known, "", check)
    objective = None
    if top is not INVALID and top["objective"] is None:
        check.fail("objective", "a function of the parameters, e.g. '(theta - 4)**2'", None)
    if top is not INVALID and top["parameters"] is None and not named:
        check.fail("parameters", Parameters.expected, None)
    if top is not INVALID and valid(top["objective"], top["parameters"]) and top["objective"] and top["parameters"]:
        try:
            objective = objective_of(top["objective"], top["parameters"], "objective")
        except ExpressionError as problem:
            check.fail("objective", problem.expected, problem.found, describe=False)
    schedule = None
    if top is not INVALID and valid(top["training"]):
        training = {**top["training"], "seed": 0}
        optimizer, lr_schedule = rules.optimizer_of(training, check)
        schedule = Schedule(training["learning_rate"], training["epochs"], None, False, 0, training["target_error"],
                            optimizer, lr_schedule)
    expected = None
    if objective is not None and top is not INVALID and top["expected"] is not None:
        states = quantities.state_names(schedule.optimizer) if schedule is not None else ()
        expected = expectations_of(top["expected"], data.get("expected"), check, objective, states)
    if check.problems or objective is None or schedule is None or top is INVALID:
        raise ConfigError(source, sorted(check.problems, key=lambda p: (p.line is None, p.line or 0)))
    return FunctionConfig(source, top["name"], objective, schedule, top["arithmetic"], expected)


def expectations_of(section, raw, check, objective: Objective, states=()) -> Expectations | None:
    """The published values of a function's config: each name a quantity of its steps."""
    if section is None or section is INVALID or not valid(section["values"]):
        return None
    entries = []
    for name, entry in section["values"].items():
        number = quantities.step_of(str(name), objective, states)
        if number is None or number > MAX_STEPS:
            shown = quantities.examples(objective, states)
            state = quantities.AFTER.fullmatch(str(name))
            if state and state.group(1) and state.group(1) not in states:  # m_… with SGD
                what = (f"a state the optimizer keeps ({', '.join(states)})" if states else
                        "no optimizer state: this optimizer keeps none")
            else:
                what = "a quantity of the function's steps such as " + ", ".join(shown) + near_miss(str(name), shown)
            check.fail(f"expected.values.{name}", what, str(name), describe=False)
        elif valid(entry) and valid(*entry.values()):
            given = raw["values"][name]
            own = isinstance(given, dict) and "arithmetic" in given
            tolerance = entry["tolerance"] if entry["tolerance"] is not None else section["tolerance"]
            printed = entry["value"] if isinstance(entry["value"], tuple) else (entry["value"],)
            line = key_line(check.root, f"expected.values.{name}") if check.root is not None else None
            entries += [Expected(str(name), value, tolerance, entry["arithmetic"] if own else INHERIT,
                                 entry["erratum"], entry["note"], entry["corrected"], None, line) for value in printed]
    if not valid(section["arithmetic"]):
        return None
    return Expectations(section["arithmetic"], None, entries)  # a function has no samples
