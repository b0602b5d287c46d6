"""The training loop: epochs of batches, progress, early stopping, divergence and Ctrl-C.

The maths is the stages' (`pencilnet.core.stages`); the loop runs it fast through a run object
(`fast.ExactRun` in NumPy, in place; the numba loop of `compiled` for long online runs;
`StagesRun` through the recorded stages when every carried number is rounded, or the optimizer keeps state).
"""

import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from pencilnet.core import optimizers
from pencilnet.core.arithmetic import EXACT
from pencilnet.core.losses import LOSSES
from pencilnet.core.metrics import accuracy, mean_error
from pencilnet.core.model import Model, flatten, unflatten
from pencilnet.core.optimizers import LearningRateSchedule, Optimizer
from pencilnet.core.stages import SGD, backprop, forward, gradient_vector, trainable
from pencilnet.training.fast import STRETCH, ExactRun


@dataclass(frozen=True, eq=False)
class Schedule:
    """How to train: the learning rate, how many epochs, and how samples are grouped."""

    learning_rate: float
    epochs: int
    batch_size: int | None = 1  # 1: online, one update per sample (the article's way); None: full batch
    shuffle: bool = False  # a new order of the samples every epoch, from `seed`
    seed: int = 0
    target_error: float | None = None  # stop after the first epoch whose error is at or below this
    optimizer: Optimizer = SGD  # plain gradient descent by default, as the article updates
    lr_schedule: LearningRateSchedule = LearningRateSchedule()  # the learning rate of each epoch

    def rate(self, epoch: int) -> float:
        """The learning rate of `epoch`, counted from 1."""
        return self.lr_schedule.rate(self.learning_rate, epoch)


@dataclass(frozen=True, eq=False)
class History:
    errors: list[float]  # per epoch: the mean of each sample's error, measured before its batch's update
    model: Model  # after the last epoch run
    final_error: float  # mean error per sample with the final weights
    epochs_run: int
    stopped_early: bool = False  # the target error was reached before the last epoch
    test_accuracy: list[float] | None = None  # per epoch, when a test set was given
    learning_rates: list[float] | None = None  # per epoch run


class TrainingInterrupted(Exception):
    """Ctrl-C during training: what was learnt up to the last whole epoch."""

    def __init__(self, epochs_done: int, errors: list[float], model: Model):
        self.epochs_done, self.errors, self.model = epochs_done, errors, model
        super().__init__(f"after {epochs_done} epochs")


class TrainingDiverged(ArithmeticError):
    """Training produced a NaN or an infinity; the message says where."""

    def __init__(self, epoch: int, sample: int, model: Model):
        self.epoch, self.sample, self.model = epoch, sample, model  # model: after the last whole epoch
        super().__init__(f"epoch {epoch}, sample {sample}")


# (epoch, samples done in it, mean error of those samples so far). Called at most every
# PROGRESS_INTERVAL seconds, at the end of a stretch of samples or of an epoch, and after the
# last epoch: a caller that redraws something does so a few times a second, never per sample.
Progress = Callable[[int, int, float], None]
PROGRESS_INTERVAL = 0.1
# Online runs of at least this many updates use the loop compiled by numba, when it is installed
# (see `compiled`): about half a second to start, then ten times NumPy's speed or more.
COMPILED_FROM = 50_000


def train(model: Model, inputs, targets, schedule: Schedule, loss: str = "half_sse", arithmetic=EXACT,
          on_progress: Progress | None = None, test: tuple | None = None) -> History:
    """Gradient descent over the samples for `schedule.epochs` epochs (fewer if the target error
    is reached): forward, error, backprop and step for each batch, each gradient from the
    weights before the step. Raises `TrainingDiverged` when the error stops being a finite number.

    `on_progress` is called a few times a second at most (see `Progress`), and after the last epoch."""
    inputs, targets = np.asarray(inputs, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    count = len(inputs)
    size = count if schedule.batch_size is None else min(schedule.batch_size, count)
    if arithmetic is not EXACT and size != 1:
        raise ValueError("pencil arithmetic trains online only, one sample at a time")
    rng = np.random.default_rng(schedule.seed)
    if arithmetic is not EXACT or not schedule.optimizer.plain:
        run = StagesRun(model, loss, arithmetic, schedule.optimizer)
    else:  # the compiled loop pays for its start (importing numba, loading the code) only on long runs
        run = ExactRun(model, loss, compiled=size == 1 and count * schedule.epochs >= COMPILED_FROM)
    errors, test_accuracy = [], ([] if test is not None else None)
    epoch = 0
    try:
        # A diverging run overflows on its way to NaN; that is caught and reported below, not warned about.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            epoch, stopped = _epochs(run, inputs, targets, schedule, size, rng, errors, test_accuracy, on_progress,
                                     test)
    except KeyboardInterrupt:
        raise TrainingInterrupted(len(errors), errors, run.last_good()) from None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        final_error = run.mean_error(inputs, targets)
    if not np.isfinite(final_error):  # the very last update broke the weights
        raise TrainingDiverged(epoch, count, run.last_good())
    return History(errors, run.model(), final_error, epoch, stopped, test_accuracy,
                   [schedule.rate(n) for n in range(1, epoch + 1)])


def _epochs(run, inputs, targets, schedule: Schedule, size: int, rng, errors: list, test_accuracy: list | None,
            on_progress, test) -> tuple[int, bool]:
    """The training loop proper; returns the epochs run and whether the target error stopped it.

    Each epoch goes by stretches of whole batches. The run writes each sample's output, from
    the weights before its batch's update, into `outputs`; the stretch's errors are worked out
    from those at once, which costs far less than doing it sample by sample."""
    count = len(inputs)
    stretch = count if size == count else max(size, STRETCH // size * size)
    outputs = np.empty((min(stretch, count), targets.shape[1]))
    # A full batch is the same sum in any order, so it is never shuffled. Otherwise a shuffled
    # stretch is gathered into buffers kept for the whole run: no copy of the data per batch or epoch.
    shuffle = schedule.shuffle and size < count
    if shuffle:
        gathered_inputs, gathered_targets = np.empty((stretch, inputs.shape[1])), np.empty((stretch, targets.shape[1]))
    reported = time.monotonic()
    epoch = 0
    for epoch in range(1, schedule.epochs + 1):
        order = rng.permutation(count) if shuffle else None
        total = 0.0
        for start in range(0, count, stretch):
            stop = min(start + stretch, count)
            if shuffle:  # mode="clip": the indices are valid, and it writes straight into `out`
                x = np.take(inputs, order[start:stop], axis=0, out=gathered_inputs[:stop - start], mode="clip")
                t = np.take(targets, order[start:stop], axis=0, out=gathered_targets[:stop - start], mode="clip")
            else:
                x, t = inputs[start:stop], targets[start:stop]
            out = outputs[:stop - start]
            run.train(x, t, size, schedule.rate(epoch), out)
            found = run.loss.terms(out, t).sum(axis=1)  # each sample's error, before its batch's update
            part = float(found.sum())
            if not np.isfinite(part):
                first = start + int(np.argmin(np.isfinite(found)))
                raise TrainingDiverged(epoch, int(order[first] if shuffle else first) + 1, run.last_good())
            total += part
            if on_progress and stop < count and time.monotonic() - reported >= PROGRESS_INTERVAL:
                on_progress(epoch, stop, total / stop)
                reported = time.monotonic()
        errors.append(total / count)
        run.epoch_done()
        if test_accuracy is not None:
            test_accuracy.append(accuracy(run.model(), *test))
        done = schedule.target_error is not None and errors[-1] <= schedule.target_error
        if on_progress and (done or epoch == schedule.epochs or time.monotonic() - reported >= PROGRESS_INTERVAL):
            on_progress(epoch, count, errors[-1])
            reported = time.monotonic()
        if done:
            return epoch, epoch < schedule.epochs
    return epoch, False


class StagesRun:
    """Training through the recorded stages and the optimizer's one update function: every carried
    number rounded in pencil arithmetic, and any optimizer (the mean gradient of each batch)."""

    def __init__(self, model: Model, loss: str, arithmetic, optimizer: Optimizer = SGD):
        self.current, self.loss_name, self.arithmetic, self.optimizer = model, loss, arithmetic, optimizer
        self.loss = LOSSES[loss]
        self.good = model
        self.state = optimizers.start(optimizer, model.parameter_count)
        self.mask = trainable(model)

    def train(self, inputs, targets, size, learning_rate, outputs):
        for begin in range(0, len(inputs), size):
            gradient = 0.0
            for x, t, out in zip(inputs[begin:begin + size], targets[begin:begin + size], outputs[begin:begin + size]):
                trace = forward(self.current, x, self.arithmetic)
                out[:] = trace.output
                gradient = gradient + gradient_vector(backprop(self.current, trace, t, self.loss_name, self.arithmetic))
            found = optimizers.update(self.optimizer, flatten(self.current), gradient / len(inputs[begin:begin + size]),
                           self.state, learning_rate, self.mask, self.arithmetic.carry)
            self.current, self.state = unflatten(self.current, found.values["new"]), found.after

    def mean_error(self, inputs, targets) -> float:
        return mean_error(self.current, inputs, targets, self.loss_name, self.arithmetic)

    def epoch_done(self):
        self.good = self.current

    def last_good(self) -> Model:
        return self.good

    def model(self) -> Model:
        return self.current
