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

from dataclasses import dataclass, field

import numpy as np

NAMES = ("sgd", "adam", "adamw", "rmsprop")
SCHEDULES = ("constant", "step", "exponential")

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
    weight_decay: float = 0.0

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
        if self.name == "step":
            return base * self.gamma ** ((epoch - 1) // self.step_size)
        if self.name == "exponential":
            return base * self.gamma ** (epoch - 1)
        return base

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
        v = buffers["v"] = values["v"] = carry(beta2 * buffers["v"] + (1 - beta2) * g * g)
        mhat = values["mhat"] = carry(m / (1 - beta1 ** t))
        vhat = values["vhat"] = carry(v / (1 - beta2 ** t))
        step = lr * mhat / (np.sqrt(vhat) + o.eps)
    else:  # rmsprop
        square = buffers["square_avg"] = values["square_avg"] = carry(
            o.alpha * buffers["square_avg"] + (1 - o.alpha) * g * g)
        scaled = g / (np.sqrt(square) + o.eps)
        if o.momentum:
            buffers["velocity"] = values["velocity"] = carry(o.momentum * buffers["velocity"] + scaled)
            step = lr * buffers["velocity"]
        else:
            step = lr * scaled
    new = carry(theta - step)
    if trainable is not None:  # frozen parameters: untouched, and no state
        new = np.where(trainable, new, old)
        for name in buffers:
            buffers[name] = np.where(trainable, buffers[name], 0.0)
    values["step"], values["new"] = step, new
    return Update(o, lr, t, old, values, state, State(t, buffers))


class InPlace:
    """`update` for the training loop: the same formulas in the same order (so the same numbers,
    to the last bit), with `theta` changed in place and the state and scratch arrays made once,
    so that a step allocates nothing. `step(learning_rate)` makes one step from the gradient in
    `gradient` (read at each step; the loop writes each batch's mean gradient there).

    Frozen parameters (`trainable` False) must have gradient 0 there, and eps must be above 0:
    then only the weight-decay term needs masking for them, after which every state variable of
    theirs stays exactly 0 (0/(√0 + eps) = 0) and so does their step, as `update` leaves them."""

    def __init__(self, optimizer: Optimizer, theta: np.ndarray, gradient: np.ndarray,
                 trainable: np.ndarray | None = None):
        self.optimizer, self.theta, self.gradient = optimizer, theta, gradient
        self.steps = 0  # t: the steps taken, as torch.optim counts them for Adam's bias correction
        self.buffers = {name: np.zeros(theta.size) for name in optimizer.state_names}
        self.mask = None if trainable is None else trainable.astype(np.float64)  # 1 trainable, 0 frozen
        coupled = optimizer.weight_decay and optimizer.name != "adamw"
        self.g = np.empty(theta.size) if coupled else gradient  # ∇ + λθ with coupled decay
        self.scratch = np.empty(theta.size), np.empty(theta.size)
        self.step = {"sgd": self._sgd, "adam": self._adam, "adamw": self._adam, "rmsprop": self._rmsprop}[
            optimizer.name]

    def state(self) -> State:
        """A copy of the state, as `update` gives it."""
        return State(self.steps, {name: buffer.copy() for name, buffer in self.buffers.items()})

    def restore(self, state: State) -> None:
        """Go back to `state` (one `state` gave): the arrays keep their identity."""
        self.steps = state.steps
        for name, buffer in self.buffers.items():
            np.copyto(buffer, state.buffers[name])

    def _decayed(self, lr: float) -> np.ndarray:
        """The weight decay's part of the step: θ decayed in place (adamw), or g = ∇ + λθ returned."""
        o, theta, mask = self.optimizer, self.theta, self.mask
        if not o.weight_decay:
            return self.gradient
        if o.name == "adamw":
            decay = np.multiply(theta, lr * o.weight_decay, out=self.scratch[0])
            if mask is not None:
                np.multiply(decay, mask, out=decay)
            np.subtract(theta, decay, out=theta)
            return self.gradient
        decay = np.multiply(theta, o.weight_decay, out=self.g)
        if mask is not None:
            np.multiply(decay, mask, out=decay)
        return np.add(self.gradient, decay, out=self.g)

    def _sgd(self, lr: float) -> None:
        o, theta, (step, _) = self.optimizer, self.theta, self.scratch
        self.steps += 1
        g = self._decayed(lr)
        if o.momentum:
            velocity = self.buffers["velocity"]
            if self.steps == 1:
                np.copyto(velocity, g)
            else:
                np.multiply(velocity, o.momentum, out=velocity)
                np.add(velocity, np.multiply(g, 1 - o.dampening, out=step) if o.dampening else g, out=velocity)
            g = np.add(g, np.multiply(velocity, o.momentum, out=step), out=step) if o.nesterov else velocity
        np.subtract(theta, np.multiply(g, lr, out=step), out=theta)

    def _adam(self, lr: float) -> None:
        o, theta, (step, root) = self.optimizer, self.theta, self.scratch
        (beta1, beta2), m, v = o.betas, self.buffers["m"], self.buffers["v"]
        self.steps += 1
        g = self._decayed(lr)
        np.add(np.multiply(m, beta1, out=m), np.multiply(g, 1 - beta1, out=step), out=m)
        np.multiply(v, beta2, out=v)
        np.add(v, np.multiply(np.multiply(g, 1 - beta2, out=step), g, out=step), out=v)
        mhat = np.divide(m, 1 - beta1 ** self.steps, out=step)
        vhat = np.divide(v, 1 - beta2 ** self.steps, out=root)
        np.add(np.sqrt(vhat, out=root), o.eps, out=root)
        np.subtract(theta, np.divide(np.multiply(mhat, lr, out=step), root, out=step), out=theta)

    def _rmsprop(self, lr: float) -> None:
        o, theta, (step, _) = self.optimizer, self.theta, self.scratch
        square = self.buffers["square_avg"]
        self.steps += 1
        g = self._decayed(lr)
        np.multiply(square, o.alpha, out=square)
        np.add(square, np.multiply(np.multiply(g, 1 - o.alpha, out=step), g, out=step), out=square)
        scaled = np.divide(g, np.add(np.sqrt(square, out=step), o.eps, out=step), out=step)
        if o.momentum:
            velocity = self.buffers["velocity"]
            np.add(np.multiply(velocity, o.momentum, out=velocity), scaled, out=velocity)
            scaled = velocity
        np.subtract(theta, np.multiply(scaled, lr, out=step), out=theta)


def _plain(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value)) if value else "0"
    return f"{value:g}" if isinstance(value, float) else str(value)
