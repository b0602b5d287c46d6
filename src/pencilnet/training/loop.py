"""The training loop: epochs of batches, progress, early stopping, divergence and Ctrl-C.

The maths is the stages' (`pencilnet.core.stages`); the loop runs it through one of three run
objects, peers behind the `Run` protocol, chosen in `choose_run` and nowhere else:
`numpy_run.NumpyRun` in NumPy, in place, for every optimizer and batch size;
`compiled_run.CompiledRun`, the numba kernels, for long online runs; `stages_run.StagesRun`
through the recorded stages when every carried number is rounded (pencil arithmetic).
"""

import math
import signal
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from pencilnet.core.arithmetic import EXACT
from pencilnet.core.losses import Loss
from pencilnet.core.metrics import THRESHOLD, is_regression, measured
from pencilnet.core.model import Model
from pencilnet.training import compiled_run
from pencilnet.training.compiled_run import CompiledRun
from pencilnet.training.flat import BATCH_STRETCH, STRETCH
from pencilnet.training.history import EpochSample
from pencilnet.training.numpy_run import NumpyRun
from pencilnet.training.schedule import Schedule
from pencilnet.training.stages_run import StagesRun

# Training has diverged when a parameter's magnitude passes this (or stops being a finite number),
# as well as when the error does. No network whose inputs are of everyday sizes needs a weight
# of a million million; long before an overflow to infinity, such weights mean the steps are
# too large, and every output they give is saturated or meaningless.
PARAMETER_BOUND = 1e12


class Run(Protocol):
    """What the loop trains through; the parameters live in it, changed by `train`."""

    loss: Loss

    def train(self, inputs: np.ndarray, targets: np.ndarray, size: int, learning_rate: float,
              outputs: np.ndarray) -> None:
        """One update per batch of `size` rows, in order; into `outputs`, each sample's output before
        its batch's update (its output layer's net instead, where `terms` takes a cross-entropy
        from net)."""

    def terms(self, written: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Each sample's error terms from what `train` wrote into `outputs`."""

    def mean_error(self, inputs: np.ndarray, targets: np.ndarray) -> float:
        """The mean error per sample with the current parameters."""

    def largest(self) -> float:
        """The largest magnitude of a parameter: NaN if one is NaN."""

    def mark(self) -> None:
        """Remember the current parameters, for `rewind`."""

    def rewind(self) -> None:
        """Go back to the parameters of the last `mark`."""

    def epoch_done(self) -> None:
        """Remember the current parameters as the last whole epoch's, for `last_good`."""

    def last_good(self) -> Model:
        """The model after the last whole epoch (the starting one before the first)."""

    def model(self) -> Model:
        """The model with the current parameters."""


@dataclass(frozen=True, eq=False)
class History:
    # Per epoch in `epochs` (every epoch up to history.LIMIT, then an evenly spread sample with the
    # first and the last: see training/history.py): the mean of each sample's error, measured
    # before its batch's update.
    errors: list[float]
    model: Model  # after the last epoch run
    final_error: float  # mean error per sample with the final weights
    epochs_run: int
    stopped_early: bool = False  # the target error was reached before the last epoch
    test_accuracy: list[float] | None = None  # per epoch in `epochs`, when a classifier's test set was given
    learning_rates: list[float] | None = None  # per epoch in `epochs`
    epochs: list[int] = field(default_factory=list)  # the epoch (from 1) of each entry above; [] for 1, 2, …
    test_errors: list[float] | None = None  # the test set's mean error after each epoch in `epochs`

    def __post_init__(self):
        if not self.epochs:
            object.__setattr__(self, "epochs", list(range(1, len(self.errors) + 1)))


class TrainingInterrupted(Exception):
    """Ctrl-C during training: what was learnt up to the last whole epoch."""

    def __init__(self, epochs_done: int, errors: list[float], model: Model):
        self.epochs_done, self.errors, self.model = epochs_done, errors, model
        super().__init__(f"after {epochs_done} epochs")


class TrainingDiverged(ArithmeticError):
    """The error stopped being a finite number, or a parameter did or grew past `PARAMETER_BOUND`.

    `cause` is "error", "weights" or "rate" (the schedule's rate overflowed). `sample` counts
    from 1 in the data's order: for the error, the first sample whose error is not finite; for
    the weights, the sample (the last sample of the batch) whose update took them out of bounds.
    `model` is the one after the last whole epoch."""

    def __init__(self, epoch: int, sample: int, model: Model, cause: str = "error", largest: float = float("nan")):
        self.epoch, self.sample, self.model, self.cause, self.largest = epoch, sample, model, cause, largest
        super().__init__(f"epoch {epoch}, sample {sample}: {self.reason}")

    @property
    def reason(self) -> str:
        """What blew up, in words."""
        if self.cause == "error":
            return "the error is no longer a finite number"
        if self.cause == "rate":
            return "the learning-rate schedule's rate for this epoch is beyond a float's range"
        if np.isfinite(self.largest):
            return f"the weights are beyond ±{PARAMETER_BOUND:.0e} (the largest: {self.largest:.3g})"
        return "a weight is no longer a finite number"


# (epoch, samples done in it, mean error of those samples so far). Called at most every
# PROGRESS_INTERVAL seconds, at the end of a stretch of samples or of an epoch, and after the
# last epoch: a caller that redraws something does so a few times a second, never per sample.
Progress = Callable[[int, int, float], None]
PROGRESS_INTERVAL = 0.1
# (epoch, its mean error, its learning rate, the test set's error and accuracy after it, each
# NaN when there is none): called at the end of every epoch, for a log written as training goes.
EpochEnd = Callable[[int, float, float, float, float], None]
# Online runs of at least this many updates use the loop compiled by numba, when it is installed
# (see `compiled`): about half a second to start, then ten times NumPy's speed or more.
COMPILED_FROM = 50_000


def train(model: Model, inputs, targets, schedule: Schedule, loss: str = "half_sse", arithmetic=EXACT,
          on_progress: Progress | None = None, test: tuple | None = None,
          on_epoch: EpochEnd | None = None, threshold: float = THRESHOLD) -> History:
    """Gradient descent over the samples for `schedule.epochs` epochs (fewer if the target error
    is reached): forward, error, backprop and step for each batch, each gradient from the
    weights before the step. Raises `TrainingDiverged` when the error stops being a finite number
    or a parameter goes past `PARAMETER_BOUND` (checked at the end of every stretch of samples).

    `on_progress` is called a few times a second at most (see `Progress`), and after the last epoch;
    `on_epoch` after every epoch (see `EpochEnd`). `test` (inputs, targets) is measured after every
    epoch: its mean error and, for a classifier, its accuracy with `threshold`."""
    inputs, targets = np.asarray(inputs, dtype=np.float64), np.asarray(targets, dtype=np.float64)
    count = len(inputs)
    size = count if schedule.batch_size is None else min(schedule.batch_size, count)
    if arithmetic is not EXACT and size != 1:
        raise ValueError("pencil arithmetic trains online only, one sample at a time")
    rng = np.random.default_rng(schedule.seed)
    run = choose_run(model, loss, arithmetic, schedule.optimizer, size, count * schedule.epochs)
    kept = EpochSample(test is not None, not is_regression(model, loss))
    measure = None if test is None else lambda trained: measured(trained, test[0], test[1], loss, threshold)
    epoch = 0
    try:
        # A diverging run overflows on its way to NaN; that is caught and reported below, not warned about.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            epoch, stopped = _epochs(run, inputs, targets, schedule, size, rng, kept, on_progress,
                                     measure, on_epoch)
    except KeyboardInterrupt:
        raise TrainingInterrupted(kept.done(), kept.lists()[1], run.last_good()) from None
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            final_error = run.mean_error(inputs, targets)
        except ArithmeticError:  # pencil arithmetic rounding an infinity
            final_error = float("nan")
    if not np.isfinite(final_error):  # the very last update broke the error
        raise TrainingDiverged(epoch, count, run.last_good())
    epochs, errors, test_errors, test_accuracy = kept.lists()
    return History(errors, run.model(), final_error, epoch, stopped, test_accuracy,
                   [schedule.rate(n) for n in epochs], epochs, test_errors)


def choose_run(model: Model, loss: str, arithmetic, optimizer, size: int, updates: int) -> Run:
    """The run that trains: the recorded stages for pencil arithmetic; the compiled kernels for
    online runs of at least COMPILED_FROM updates (their start, importing numba and loading the
    code, pays only there) where numba can take them; NumPy otherwise."""
    if arithmetic is not EXACT or getattr(optimizer, "classical", False):  # the fast runs step torch's form only
        return StagesRun(model, loss, arithmetic, optimizer)
    if size == 1 and updates >= COMPILED_FROM and compiled_run.available(model, loss):
        return CompiledRun(model, loss, optimizer)
    return NumpyRun(model, loss, optimizer)


@contextmanager
def _uninterrupted():
    """Ctrl-C, SIGTERM and SIGHUP held back for the few statements inside: a stop between them would
    save one epoch's weights under another epoch's count. (Where signals cannot be held, as off the
    main thread or off POSIX, the statements simply run.)"""
    held = {signal.SIGINT, signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])}
    try:
        before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _epochs(run: Run, inputs, targets, schedule: Schedule, size: int, rng, kept: EpochSample,
            on_progress, measure, on_epoch: EpochEnd | None = None) -> tuple[int, bool]:
    """The training loop proper; returns the epochs run and whether the target error stopped it.

    Each epoch goes by stretches of whole batches. The run writes each sample's output, from
    the weights before its batch's update, into `outputs`; the stretch's errors are worked out
    from those at once, and the parameters checked once, which costs far less than doing it
    sample by sample."""
    count = len(inputs)
    stretch = count if size == count else STRETCH if size == 1 else max(size, BATCH_STRETCH // size * size)
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
        total, rate = 0.0, schedule.rate(epoch)
        if not math.isfinite(rate):  # gamma ** (epoch − 1) overflowed: no weight can survive the step
            raise TrainingDiverged(epoch, 1, run.last_good(), "rate", rate)
        for start in range(0, count, stretch):
            stop = min(start + stretch, count)
            if order is not None:  # shuffled; mode="clip": the indices are valid, it writes straight into `out`
                x = np.take(inputs, order[start:stop], axis=0, out=gathered_inputs[:stop - start], mode="clip")
                t = np.take(targets, order[start:stop], axis=0, out=gathered_targets[:stop - start], mode="clip")
            else:
                x, t = inputs[start:stop], targets[start:stop]
            out = outputs[:stop - start]
            if stop - start > size:  # more than one update: where the weights blew up may need finding
                run.mark()
            run.train(x, t, size, rate, out)
            part = float(run.terms(out, t).sum())  # the samples' errors, each before its batch's update
            if not (math.isfinite(part) and run.largest() <= PARAMETER_BOUND):
                where, cause, largest = _blow_up(run, x, t, size, rate, out)
                sample = start + where
                raise TrainingDiverged(epoch, int(order[sample] if order is not None else sample) + 1,
                                       run.last_good(), cause, largest)
            total += part
            if on_progress and stop < count and time.monotonic() - reported >= PROGRESS_INTERVAL:
                on_progress(epoch, stop, total / stop)
                reported = time.monotonic()
        error = total / count
        test_error, accuracy = measure(run.model()) if measure is not None else (math.nan, math.nan)
        with _uninterrupted():  # the whole epoch's weights and its count are recorded together, or neither
            run.epoch_done()
            kept.add(epoch, error, test_error, accuracy)
            if on_epoch:  # its log row too: a stop never leaves a row for an epoch that is not kept
                on_epoch(epoch, error, rate, test_error, accuracy)
        done = schedule.target_error is not None and error <= schedule.target_error
        if on_progress and (done or epoch == schedule.epochs or time.monotonic() - reported >= PROGRESS_INTERVAL):
            on_progress(epoch, count, error)
            reported = time.monotonic()
        if done:
            return epoch, epoch < schedule.epochs
    return epoch, False


def _blow_up(run: Run, x, t, size: int, learning_rate: float, outputs) -> tuple[int, str, float]:
    """Where in a stretch training diverged, after it did: (the sample's place in the stretch, the
    cause, the largest parameter's magnitude). The stretch is trained again from `run.mark`, one
    update at a time, to find the first that takes the parameters out of bounds; an error that
    stopped being finite before that update's results were used comes first."""
    # Not finite from the first sample whose error is not, or from where the sum overflows.
    running = np.cumsum(run.terms(outputs, t).sum(axis=1))
    bad_error = int(np.argmin(np.isfinite(running))) if not np.isfinite(running[-1]) else len(x)
    if run.largest() <= PARAMETER_BOUND:  # (a sum that overflowed in one order but not the other: the last)
        return min(bad_error, len(x) - 1), "error", run.largest()
    if len(x) > size:
        run.rewind()
        for start in range(0, len(x), size):
            run.train(x[start:start + size], t[start:start + size], size, learning_rate, outputs[start:start + size])
            if not run.largest() <= PARAMETER_BOUND:
                break
    else:
        start = 0
    last = min(start + size, len(x)) - 1  # the update came after this sample; its effects after it
    if bad_error <= last:
        return bad_error, "error", run.largest()
    return last, "weights", run.largest()
