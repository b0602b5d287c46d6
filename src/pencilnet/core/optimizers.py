"""Optimizers as torch.optim defines them, written out so that every factor can be shown.

SGD (momentum, dampening, Nesterov), Adam, AdamW and RMSprop (with momentum), each with
weight decay, follow the pseudocode of PyTorch's documentation to the letter, with its
parameter names (lr, momentum, dampening, nesterov, betas, eps, alpha, weight_decay), so a run
can be checked against torch.optim and a reader's PyTorch knowledge carries over:

  sgd      g = ∇ + λθ;  b = g on the first step, then μ·b + (1 − dampening)·g;
           g = g + μ·b (Nesterov) or b;  θ = θ − lr·g
  adam     g = ∇ + λθ;  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;
           m̂ = m / (1 − β1^t);  v̂ = v / (1 − β2^t);  θ = θ − lr·m̂ / (√v̂ + eps)
  adamw    θ = θ − lr·λ·θ first (decoupled decay), then Adam's step with g = ∇
  rmsprop  g = ∇ + λθ;  s = α·s + (1 − α)·g²;  b = μ·b + g / (√s + eps), θ = θ − lr·b
           (with momentum μ > 0; b starts at 0), else θ = θ − lr·g / (√s + eps)

Frozen parameters are left as they are and have no state. A shared bias weight is one
parameter with one state. Learning-rate schedules are per epoch, as StepLR and ExponentialLR.

`update` is the one place the formulas live: the stages call it for one step (recording every
intermediate), and the training loop through the stages (pencil arithmetic) for each batch.
`InPlace` is the same formulas in the same order, written into arrays made once, for the fast
training loop; a test holds the two to the same numbers, bit for bit.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from pencilnet.core.arithmetic import divisor

NAMES = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("constant", "step", "exponential")

# torch.optim's default weight decay where it is not 0: AdamW decays by default.
DEFAULT_WEIGHT_DECAY = {"adamw": 0.01}

# What each state variable is called here, in torch.optim's state, and in quantity names.
STATE_LABELS = {"velocity": "momentum_buffer", "m": "exp_avg", "v": "exp_avg_sq", "square_avg": "square_avg"}


@dataclass(frozen=True, eq=False)
class Optimizer:
    """An optimizer and its settings, with torch.optim's names and defaults."""

    name: str = "sgd"
    momentum: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    alpha: float = 0.99
    weight_decay: float | None = None  # None: torch.optim's default, 0.01 for adamw and 0 for the others

    def __post_init__(self):
        if self.weight_decay is None:
            object.__setattr__(self, "weight_decay", DEFAULT_WEIGHT_DECAY.get(self.name, 0.0))

    @property
    def plain(self) -> bool:
        """Plain gradient descent, the article's θ − lr·∇: no state, no decay."""
        return self.name == "sgd" and self.momentum == 0 and self.weight_decay == 0

    @property
    def state_names(self) -> tuple[str, ...]:
        """The state kept per parameter from one step to the next."""
        if self.name in ("adam", "adamw"):
            return ("m", "v")
        if self.name == "rmsprop":
            return ("square_avg", "velocity") if self.momentum else ("square_avg",)
        return ("velocity",) if self.momentum else ()

    def settings(self) -> dict:
        """The settings that matter for this optimizer, as a config or JSON writes them."""
        found: dict = {"name": self.name}
        if self.name == "sgd":
            found.update(momentum=self.momentum, dampening=self.dampening, nesterov=self.nesterov)
        elif self.name in ("adam", "adamw"):
            found.update(betas=list(self.betas), eps=self.eps)
        else:
            found.update(alpha=self.alpha, eps=self.eps, momentum=self.momentum)
        found["weight_decay"] = self.weight_decay
        return found

    def describe(self) -> str:
        """One line for people: "adam (betas 0.9, 0.999, eps 1e-08)"."""
        settings = self.settings()
        del settings["name"]
        shown = [f"{key.replace('_', ' ')} {_plain(value)}" for key, value in settings.items()
                 if key != "nesterov" and not (key in ("dampening", "weight_decay") and value == 0)
                 and not (self.name == "sgd" and key == "momentum" and value == 0)]
        if self.nesterov:
            shown.append("Nesterov")
        return self.name + (f" ({', '.join(shown)})" if shown else "")


@dataclass(frozen=True, eq=False)
class LearningRateSchedule:
    """The learning rate of each epoch, as torch.optim.lr_scheduler's StepLR and ExponentialLR
    give it when stepped once per epoch: epoch 1 runs at the base rate."""

    name: str = "constant"
    step_size: int = 1
    gamma: float = 1.0

    def rate(self, base: float, epoch: int) -> float:
        """The learning rate of `epoch`, counted from 1."""
        if self.name == "constant":
            return base
        changes = (epoch - 1) // self.step_size if self.name == "step" else epoch - 1
        try:
            return base * self.gamma ** changes
        except OverflowError:  # past a float's range: infinite, and training reports the divergence
            return math.inf

    def describe(self) -> str:
        if self.name == "step":
            return f"× {_plain(self.gamma)} every {self.step_size} epoch{'s' if self.step_size != 1 else ''}"
        if self.name == "exponential":
            return f"× {_plain(self.gamma)} every epoch"
        return "constant"


@dataclass(frozen=True, eq=False)
class State:
    """What an optimizer carries from one step to the next: the steps taken, and one vector per
    state variable over all parameters in `flatten`'s order (frozen ones stay 0, unused)."""

    steps: int = 0
    buffers: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Update:
    """One step of an optimizer over a parameter vector, with every intermediate by name:
    gradient (∇), decay (λθ or lr·λ·θ), g (what the rule uses), the state after, m̂ and v̂ for
    Adam, step (what is subtracted) and new (θ after); `before` is the state the step started from."""

    optimizer: Optimizer
    learning_rate: float
    steps: int  # t, this step's number
    old: np.ndarray
    values: dict[str, np.ndarray]
    before: State
    after: State


def start(optimizer: Optimizer, size: int) -> State:
    """The state before the first step: zeros, as torch.optim starts (SGD's buffer is set on step 1)."""
    return State(0, {name: np.zeros(size) for name in optimizer.state_names})


def _identity(value):
    return value


def update(optimizer: Optimizer, theta: np.ndarray, gradient: np.ndarray, state: State, learning_rate: float,
           trainable: np.ndarray | None = None, carry=_identity) -> Update:
    """One step of `optimizer` from parameters `theta` with gradient `gradient` (flat vectors);
    nothing given is changed. `trainable` masks the parameters that may change (None: all);
    `carry` rounds each named intermediate in pencil arithmetic; the step itself (lr × …) keeps its
    digits, as the article writes w5 − 0.5 × 0.1005 and rounds only the new weight."""
    o, lr, t, old = optimizer, learning_rate, state.steps + 1, theta
    buffers = dict(state.buffers)
    values = {"gradient": gradient}
    g = gradient
    if o.weight_decay and o.name == "adamw":
        values["decay"] = carry(lr * o.weight_decay * theta)
        theta = carry(theta - values["decay"])
    elif o.weight_decay:
        values["decay"] = carry(o.weight_decay * theta)
        g = carry(gradient + values["decay"])
    values["g"] = g
    if o.name == "sgd":
        if o.momentum:
            before = buffers["velocity"]
            velocity = g if state.steps == 0 else carry(o.momentum * before + (1 - o.dampening) * g)
            buffers["velocity"] = values["velocity"] = velocity
            g = carry(g + o.momentum * velocity) if o.nesterov else velocity
        step = lr * g
    elif o.name in ("adam", "adamw"):
        beta1, beta2 = o.betas
        m = buffers["m"] = values["m"] = carry(beta1 * buffers["m"] + (1 - beta1) * g)
        # v and v̂ are what the step divides by: neither may be rounded to zero from a value that was not
        v = buffers["v"] = values["v"] = divisor(carry, beta2 * buffers["v"] + (1 - beta2) * g * g, "v")
        mhat = values["mhat"] = carry(m / (1 - beta1 ** t))
        vhat = values["vhat"] = divisor(carry, v / (1 - beta2 ** t), "v̂")
        step = lr * mhat / (np.sqrt(vhat) + o.eps)
    else:  # rmsprop
        square = buffers["square_avg"] = values["square_avg"] = divisor(
            carry, o.alpha * buffers["square_avg"] + (1 - o.alpha) * g * g, "square_avg")
        scaled = g / (np.sqrt(square) + o.eps)
        if o.momentum:
            buffers["velocity"] = values["velocity"] = carry(o.momentum * buffers["velocity"] + scaled)
            step = lr * buffers["velocity"]
        else:
            step = lr * scaled
    new = carry(theta - step)
    values["step"] = step
    if trainable is not None:  # frozen parameters: untouched, and no state, no decay, no step
        new = np.where(trainable, new, old)
        for name in buffers:
            buffers[name] = np.where(trainable, buffers[name], 0.0)
        for name in values:
            if name != "gradient":
                values[name] = np.where(trainable, values[name], 0.0)
    values["new"] = new
    return Update(o, lr, t, old, values, state, State(t, buffers))


class InPlace:
    """`update` for the training loop: the same formulas in the same order (so the same numbers,
    to the last bit), with `theta` changed in place and the state and scratch arrays made once,
    so that a step allocates nothing. `step(learning_rate)` makes one step from the gradient in
    `gradient` (read at each step; the loop writes each batch's mean gradient there).

    Frozen parameters (`trainable` False) must have gradient 0 there, and eps must be above 0:
    then only the weight-decay term needs masking for them, after which every state variable of
    theirs stays exactly 0 (0/(√0 + eps) = 0) and so does their step, as `update` leaves them.

    A step on a small network costs its calls into NumPy more than its arithmetic, so `step` is
    a function written for the optimizer's settings, every array and number a local of it."""

    def __init__(self, optimizer: Optimizer, theta: np.ndarray, gradient: np.ndarray,
                 trainable: np.ndarray | None = None):
        if optimizer.name != "sgd" and not optimizer.eps > 0:  # a config cannot say so; the Python API can
            raise ValueError(f"{optimizer.name}: eps must be above 0 (found {optimizer.eps}): a frozen "
                             "parameter's step would be 0/0")
        self.optimizer = optimizer
        self.steps = 0  # t: the steps taken, as torch.optim counts them for Adam's bias correction
        # The state variables as rows of one array, in `state_names`' order (a compiled loop takes it whole).
        self.rows = np.zeros((2, theta.size))
        self.buffers = {name: self.rows[index] for index, name in enumerate(optimizer.state_names)}
        mask = None if trainable is None else trainable.astype(np.float64)  # 1 trainable, 0 frozen
        self.step = _in_place(self, optimizer, theta, gradient, mask)

    def state(self) -> State:
        """A copy of the state, as `update` gives it."""
        return State(self.steps, {name: buffer.copy() for name, buffer in self.buffers.items()})

    def restore(self, state: State) -> None:
        """Go back to `state` (one `state` gave): the arrays keep their identity."""
        self.steps = state.steps
        for name, buffer in self.buffers.items():
            np.copyto(buffer, state.buffers[name])


def _in_place(owner: InPlace, o: Optimizer, theta: np.ndarray, gradient: np.ndarray, mask: np.ndarray | None):
    """The step function of `InPlace` for the optimizer `o`: the lines of `update`, in place."""
    multiply, add, subtract, divide, sqrt, copyto = np.multiply, np.add, np.subtract, np.divide, np.sqrt, np.copyto
    step, root = np.empty(theta.size), np.empty(theta.size)  # scratch
    coupled = o.weight_decay and o.name != "adamw"
    g = np.empty(theta.size) if coupled else gradient  # ∇ + λθ with coupled decay
    wd, buffers = o.weight_decay, owner.buffers

    def decay(lr):
        """Weight decay: θ decayed in place (adamw), or g = ∇ + λθ; frozen parameters masked out."""
        if o.name == "adamw":
            decayed = multiply(theta, lr * wd, out=step)
            if mask is not None:
                multiply(decayed, mask, out=decayed)
            subtract(theta, decayed, out=theta)
        else:
            decayed = multiply(theta, wd, out=g)
            if mask is not None:
                multiply(decayed, mask, out=decayed)
            add(gradient, decayed, out=g)

    if o.name == "sgd":
        momentum, damped, nesterov = o.momentum, 1 - o.dampening, o.nesterov
        velocity = buffers.get("velocity")

        def sgd(lr):
            owner.steps += 1
            if wd:
                decay(lr)
            direction = g
            if momentum:
                if owner.steps == 1:
                    copyto(velocity, g)
                else:
                    multiply(velocity, momentum, out=velocity)
                    add(velocity, multiply(g, damped, out=step) if damped != 1 else g, out=velocity)
                direction = add(g, multiply(velocity, momentum, out=step), out=step) if nesterov else velocity
            subtract(theta, multiply(direction, lr, out=step), out=theta)
        return sgd
    if o.name in ("adam", "adamw"):
        (beta1, beta2), eps, m, v = o.betas, o.eps, buffers["m"], buffers["v"]

        def adam(lr):
            owner.steps += 1
            if wd:
                decay(lr)
            add(multiply(m, beta1, out=m), multiply(g, 1 - beta1, out=step), out=m)
            multiply(v, beta2, out=v)
            add(v, multiply(multiply(g, 1 - beta2, out=step), g, out=step), out=v)
            mhat = divide(m, 1 - beta1 ** owner.steps, out=step)
            vhat = divide(v, 1 - beta2 ** owner.steps, out=root)
            add(sqrt(vhat, out=root), eps, out=root)
            subtract(theta, divide(multiply(mhat, lr, out=step), root, out=step), out=theta)
        return adam
    alpha, eps, momentum, square, velocity = o.alpha, o.eps, o.momentum, buffers["square_avg"], buffers.get("velocity")

    def rmsprop(lr):
        owner.steps += 1
        if wd:
            decay(lr)
        multiply(square, alpha, out=square)
        add(square, multiply(multiply(g, 1 - alpha, out=step), g, out=step), out=square)
        scaled = divide(g, add(sqrt(square, out=step), eps, out=step), out=step)
        if momentum:
            scaled = add(multiply(velocity, momentum, out=velocity), scaled, out=velocity)
        subtract(theta, multiply(scaled, lr, out=step), out=theta)
    return rmsprop


def _plain(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value)) if value else "0"
    return f"{value:g}" if isinstance(value, float) else str(value)
