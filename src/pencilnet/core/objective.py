"""A function instead of a network: the optimizer's steps on f(θ) given as an expression, as an
optimizer lecture works Adam or momentum on (θ − 4)² or Rosenbrock's function by hand.

The parameters are one flat vector in the order the config names them; the gradient is the
exact derivative of the expression (`expression.derivative`), evaluated in float64; each step is
`optimizers.update`, the one place the optimizers' formulas live, with the learning rate of its
step from the schedule (a function has no samples, so an epoch is one step).
"""

from dataclasses import dataclass

import numpy as np

from pencilnet.core import expression
from pencilnet.core.arithmetic import EXACT
from pencilnet.core.errors import Diverged
from pencilnet.core.optimizers import LearningRateSchedule, Optimizer, State, Update, start, update

MAX_PARAMETERS = 16  # a lecture's function has one or two; a few more still make a readable table
MAX_STEPS = 100_000
CONSTANT = LearningRateSchedule()


@dataclass(frozen=True, eq=False)
class Objective:
    """f(θ) over named parameters: its text, tree, the tree of each ∂f/∂θᵢ, and where it starts."""

    text: str
    names: tuple[str, ...]
    start: np.ndarray
    tree: expression.Node
    derivatives: tuple[expression.Node, ...]

    def at(self, theta) -> dict:
        return dict(zip(self.names, np.asarray(theta, dtype=np.float64), strict=True))

    def value(self, theta) -> float:
        """f at the parameters `theta` (a vector in `names`' order)."""
        return float(expression.evaluate(self.tree, self.at(theta)))

    def gradient(self, theta) -> np.ndarray:
        """∂f/∂θ at `theta`, exact: each partial derivative's tree evaluated there."""
        values = self.at(theta)
        return np.array([float(expression.evaluate(d, values)) for d in self.derivatives])

    def derivative_texts(self) -> dict[str, str]:
        """Each ∂f/∂θᵢ written out: {"theta": "2*(theta - 4)"}."""
        return {name: expression.text(d) for name, d in zip(self.names, self.derivatives, strict=True)}


def objective_of(text: str, parameters: dict, field: str = "objective") -> Objective:
    """The Objective of `text` over `parameters` ({name: start value}); InputError naming the
    character of a problem in the text."""
    names = tuple(parameters)
    tree = expression.parse(text, names, field)
    return Objective(text, names, np.array([float(parameters[n]) for n in names]), tree,
                     tuple(expression.derivative(tree, name) for name in names))


@dataclass(frozen=True, eq=False)
class FunctionStep:
    """One step on f: f and ∂f/∂θ at the old parameters (`update.old`), the optimizer's record
    (every intermediate by name; `update.values["new"]` the parameters after), and f after."""

    number: int
    value: float  # f(old)
    update: Update
    value_after: float  # f(new)

    @property
    def old(self) -> np.ndarray:
        return self.update.old

    @property
    def new(self) -> np.ndarray:
        return self.update.values["new"]

    @property
    def gradient(self) -> np.ndarray:
        return self.update.values["gradient"]


def steps(objective: Objective, optimizer: Optimizer, learning_rate: float, count: int,
          lr_schedule: LearningRateSchedule = CONSTANT, arithmetic=EXACT) -> list[FunctionStep]:
    """`count` steps of `optimizer` from the objective's start. In pencil arithmetic the parameters
    and the optimizer's state are carried as weights are (kind "weight"), the gradient as a
    network's (kept unless asked). Diverged (exit 3) when f or its gradient stops being a number."""
    if not 1 <= count <= MAX_STEPS:
        from pencilnet.core.errors import InputError

        raise InputError(f"steps: expected a number of steps from 1 to {MAX_STEPS} (training.epochs, --epochs or "
                         f"--steps), found {count}")
    theta = arithmetic.carry(objective.start, "weight")
    state: State = start(optimizer, theta.size)
    found: list[FunctionStep] = []
    value = objective.value(theta)
    for number in range(1, count + 1):
        gradient = arithmetic.carry(objective.gradient(theta), "gradient")
        if not (np.isfinite(value) and np.all(np.isfinite(gradient))):
            raise Diverged(_diverged(objective, theta, value, gradient, number))
        rate = lr_schedule.rate(learning_rate, number)
        record = update(optimizer, theta, gradient, state, rate, carry=lambda v: arithmetic.carry(v, "weight"))
        theta, state = record.values["new"], record.after
        after = objective.value(theta)
        found.append(FunctionStep(number, value, record, after))
        value = after
    if not (np.isfinite(value) and np.all(np.isfinite(theta))):
        raise Diverged(_diverged(objective, theta, value, None, count + 1))
    return found


def _diverged(objective: Objective, theta, value, gradient, number: int) -> str:
    where = ", ".join(f"{n} = {v:.6g}" for n, v in zip(objective.names, theta, strict=True))
    what = f"f = {value}" if not np.isfinite(value) else f"∂f/∂θ = {list(map(float, gradient))}"
    return (f"diverged before step {number}: at {where}, {what} (outside the function's domain, or the "
            "learning rate is too large for it)")
