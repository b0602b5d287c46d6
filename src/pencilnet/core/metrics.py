"""Measures over many samples: the mean error, the accuracy and the confusion counts."""

import numpy as np

from pencilnet.core.arithmetic import EXACT
from pencilnet.core.losses import LOSSES
from pencilnet.core.model import Model
from pencilnet.core.stages import error, forward


def mean_error(model: Model, inputs, targets, loss: str = "half_sse", arithmetic=EXACT) -> float:
    """Mean over samples of each sample's total error E."""
    if arithmetic is EXACT:  # the whole set at once: the same sums, one matrix product per layer
        return float(LOSSES[loss].terms(forward(model, inputs).output, np.asarray(targets)).sum(axis=1).mean())
    totals = [error(forward(model, x, arithmetic), t, loss).total for x, t in zip(inputs, targets)]
    return float(np.mean(totals))


def accuracy(model: Model, inputs, targets) -> float:
    """The fraction of samples whose largest output is their target's largest entry."""
    out = forward(model, inputs).output
    return float(np.mean(np.argmax(out, axis=1) == np.argmax(np.asarray(targets), axis=1)))


def confusion(model: Model, inputs, targets) -> np.ndarray:
    """counts[i, j]: samples of class i that the network puts in class j."""
    return counts(forward(model, inputs).output, targets)


def counts(outputs, targets) -> np.ndarray:
    """counts[i, j]: samples of class i (their target's largest entry) whose largest output is j."""
    found = np.zeros((np.shape(targets)[1],) * 2, dtype=int)
    np.add.at(found, (np.argmax(np.asarray(targets), axis=1), np.argmax(np.asarray(outputs), axis=1)), 1)
    return found

