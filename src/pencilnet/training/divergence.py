"""Why a training run diverged, in one line: where it blew up, what did, and the setting most likely
to blame, so that a user changes the right one (not always the learning rate)."""

import math

import numpy as np

from pencilnet.training.loop import TrainingDiverged
from pencilnet.training.schedule import Schedule

# Targets beyond this, unscaled, pull the weights towards the bound of divergence on their own
# (a squared error's gradient grows with the target); data this large wants scaling.
LARGE_TARGET = 1e6


def explain(diverged: TrainingDiverged, schedule: Schedule, targets) -> str:
    return (f"training diverged in epoch {diverged.epoch} at sample {diverged.sample}: {diverged.reason}; "
            f"{likely_cause(schedule, targets, diverged.epoch)}")


def likely_cause(schedule: Schedule, targets, epoch: int) -> str:
    """The first of these that holds: a weight decay that alone undoes each weight every update
    (learning rate × decay ≥ 1), a schedule that raised the learning rate, targets too large,
    else the learning rate itself."""
    rate = _rate(schedule, epoch)
    decay = schedule.optimizer.weight_decay
    if decay and rate * decay >= 1:
        return (f"training.weight_decay ({decay:g}) is likely too large: with the learning rate ({rate:g}) "
                "each update more than undoes every weight")
    if rate > schedule.learning_rate:
        return (f"training.lr_schedule.gamma ({schedule.lr_schedule.gamma:g}) is likely too large: it made the "
                f"learning rate of epoch {epoch} {rate:g}")
    values = np.abs(np.asarray(targets, dtype=float))
    largest = float(values.max(initial=0.0, where=np.isfinite(values)))
    if largest >= LARGE_TARGET:
        row = int(np.argmax(np.where(np.isfinite(values), values, 0).max(axis=-1))) + 1 if values.ndim == 2 else 1
        return (f"the targets are likely too large (up to {largest:g}, in sample {row}): scale them "
                "(or train at a smaller learning rate)")
    return f"the learning rate ({schedule.learning_rate}) is likely too large"


def _rate(schedule: Schedule, epoch: int) -> float:
    try:
        rate = schedule.rate(epoch)
    except OverflowError:  # gamma ** (epoch - 1) beyond a float
        return math.inf
    return rate if math.isfinite(rate) else math.inf
