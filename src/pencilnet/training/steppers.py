"""The optimizers' steps in place, for the fast training runs: `core.optimizers.update`'s formulas
in the same order (so the same numbers, to the last bit), on arrays made once."""

import numpy as np

from pencilnet.core.optimizers import Optimizer, State


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
