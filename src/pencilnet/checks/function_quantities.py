"""The quantities of steps on a function, named as a network's step quantities are, with the
function's parameter names in place of w5 (see `quantities.STATES` and `quantities.STEP_NAME`):

  theta_after_3_steps               a parameter after 3 steps
  m_theta_after_3_steps             an optimizer's state after 3 steps (velocity, m, v, mhat, vhat, square_avg)
  dE/dtheta_step_2, change_theta_step_2   the gradient step 2 used, and what it changed theta by (new − old)
  E_after_3_steps                   f at the parameters after 3 steps (E_after_0_steps: at the start)
and `verify` for them: each published value judged as a network's is (`verify.reproduces`).

A lecture on f writes ∂f/∂θ: a name may say f where a network's says E, df/dtheta_step_2 for
dE/dtheta_step_2 and f_after_3_steps for E_after_3_steps (no parameter is named E or f).
"""

import re

from pencilnet.checks.quantities import STATES
from pencilnet.core.objective import FunctionStep, Objective, steps
from pencilnet.core.optimizers import Optimizer

AFTER = re.compile(rf"(?:({'|'.join(STATES)})_)?(\w+?)_after_(\d+)_steps?")
AT_STEP = re.compile(r"(dE/d|change_)(\w+)_step_(\d+)")


def state_names(optimizer: Optimizer) -> tuple[str, ...]:
    """The states an optimizer's steps have a value of: what it carries, and Adam's m̂ and v̂."""
    return optimizer.state_names + (("mhat", "vhat") if optimizer.name in ("adam", "adamw") else ())


def canonical(name: str) -> str:
    """The quantity's name with E where it says f: df/dtheta_step_2 → dE/dtheta_step_2."""
    if name.startswith("df/d"):
        return "dE/d" + name.removeprefix("df/d")
    return "E" + name.removeprefix("f") if name.startswith("f_after_") else name


def step_of(name: str, objective: Objective, states=STATES) -> int | None:
    """The number of steps quantity `name` needs (0: none), or None if it is no quantity of this
    function (with an optimizer that has `states`)."""
    name = canonical(name)
    after = AFTER.fullmatch(name)
    if after and after.group(1) and after.group(1) not in states:
        return None
    if after and (after.group(2) in objective.names or (after.group(2) == "E" and not after.group(1))):
        return int(after.group(3))
    at = AT_STEP.fullmatch(name)
    if at and at.group(2) in objective.names and int(at.group(3)) >= 1:
        return int(at.group(3))
    return None


def examples(objective: Objective, states=STATES) -> list[str]:
    first = objective.names[0]
    return ([f"{first}_after_1_steps", f"dE/d{first}_step_1"] + [f"{s}_{first}_after_2_steps" for s in states[:1]]
            + ["E_after_1_steps"])


def values(objective: Objective, run: list[FunctionStep]) -> dict[str, float]:
    """Every quantity of the steps in `run`, by name."""
    found = {"E_after_0_steps": run[0].value if run else objective.value(objective.start)}
    found.update({f"{name}_after_0_steps": float(v) for name, v in zip(objective.names, objective.start, strict=True)})
    for step in run:
        n = step.number
        found[f"E_after_{n}_steps"] = step.value_after
        for i, name in enumerate(objective.names):
            found[f"{name}_after_{n}_steps"] = float(step.new[i])
            found[f"dE/d{name}_step_{n}"] = float(step.gradient[i])
            found[f"change_{name}_step_{n}"] = float(step.new[i] - step.old[i])
            for state in STATES:
                if state in step.update.values:
                    found[f"{state}_{name}_after_{n}_steps"] = float(step.update.values[state][i])
    return found


def published_values(objective: Objective, run: list[FunctionStep], epochs: int | None = None,
                     steps: int | None = None) -> dict[str, float]:
    """What `expect` records for a function, as `expect.published_values` does for a network's sample:
    f at the start and every quantity of the first step; with `steps`, every parameter and state
    after that many; with `epochs`, f after each step up to it (a function's epoch is one step).
    `run` holds at least as many steps as are asked for."""
    found = values(objective, run)

    def kept(name: str) -> bool:
        number = step_of(name, objective)
        return (name == "E_after_0_steps" or number == 1 or bool(steps and name.endswith(f"_after_{steps}_steps"))
                or bool(epochs and name.startswith("E_after_") and number is not None and number <= epochs))

    return {name: value for name, value in found.items() if kept(name)}


def verify(function) -> list:
    """A `verify.Verdict` for each published value of a `FunctionConfig`, in its order."""
    from pencilnet.checks.verify import judged

    expectations = function.expected
    if expectations is None:
        return []
    objective, schedule = function.objective, function.schedule
    most = max([step_of(entry.name, objective) or 0 for entry in expectations.entries] + [1])
    computed: dict = {}

    def value(name: str, arithmetic) -> float:
        if arithmetic not in computed:
            run = steps(objective, schedule.optimizer, schedule.learning_rate, most, schedule.lr_schedule, arithmetic)
            computed[arithmetic] = values(objective, run)
        return computed[arithmetic][canonical(name)]

    return judged(expectations, value)
