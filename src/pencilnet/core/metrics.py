"""Measures over many samples: the mean error, the predicted classes, the accuracy and the confusion counts.

Classes from outputs, decided here once for every command and view: with several outputs, the
class of the largest; with one output (a sigmoid's yes/no probability), two classes, the second
(positive) one when the output is at or above `threshold`, else the first.
"""

from dataclasses import dataclass

import numpy as np

from pencilnet.core.arithmetic import EXACT
from pencilnet.core.losses import terms_from_net
from pencilnet.core.model import Model
from pencilnet.core.stages import error, forward

THRESHOLD = 0.5


def mean_error(model: Model, inputs, targets, loss: str = "half_sse", arithmetic=EXACT) -> float:
    """Mean over samples of each sample's total error E."""
    if arithmetic is EXACT:  # the whole set at once: the same sums, one matrix product per layer
        last = forward(model, inputs).layers[-1]
        terms = terms_from_net(loss, last.activation, last.net, last.out, np.asarray(targets, dtype=np.float64))
        return float(terms.sum(axis=1).mean())
    totals = [error(forward(model, x, arithmetic), t, loss, arithmetic).total for x, t in zip(inputs, targets)]
    return float(np.mean(totals))


def classes_of(values, threshold: float = THRESHOLD) -> np.ndarray:
    """The class index of each row of outputs (or of targets): the largest entry's place, or, for
    a single column, 1 when the value is at or above `threshold` and 0 below it. (Targets are
    always split at 0.5: a threshold moves what the network predicts, not what is true.)"""
    values = np.asarray(values, dtype=np.float64)
    values = values.reshape(-1, values.shape[-1])
    if values.shape[1] == 1:
        return (values[:, 0] >= threshold).astype(int)
    return np.argmax(values, axis=1)


def class_count(outputs: int) -> int:
    """How many classes `outputs` output nodes tell apart: one output means two classes."""
    return 2 if outputs == 1 else outputs


def counts(outputs, targets, threshold: float = THRESHOLD) -> np.ndarray:
    """counts[i, j]: samples of class i whose outputs put them in class j (2 × 2 for one output)."""
    size = class_count(np.shape(targets)[1])
    found = np.zeros((size, size), dtype=int)
    np.add.at(found, (classes_of(targets), classes_of(outputs, threshold)), 1)  # a target's class never moves
    return found


def accuracy(model: Model, inputs, targets, threshold: float = THRESHOLD) -> float:
    """The fraction of samples put in their own class."""
    out = forward(model, inputs).output
    return float(np.mean(classes_of(out, threshold) == classes_of(targets)))


def confusion(model: Model, inputs, targets, threshold: float = THRESHOLD) -> np.ndarray:
    """counts[i, j]: samples of class i that the network puts in class j."""
    return counts(forward(model, inputs).output, targets, threshold)


@dataclass(frozen=True, eq=False)
class Predictions:
    """What a network makes of some inputs, with every derived fact computed once."""

    outputs: np.ndarray  # (samples, output nodes)
    predicted: np.ndarray  # each sample's class index
    actual: np.ndarray | None  # each sample's true class index, when targets were given
    confusion: np.ndarray | None  # counts[i, j], when targets were given

    @property
    def right(self) -> np.ndarray | None:
        return None if self.actual is None else self.predicted == self.actual

    @property
    def accuracy(self) -> float | None:
        return None if self.actual is None else float(np.mean(self.right))


def predict(model: Model, inputs, targets=None, threshold: float = THRESHOLD) -> Predictions:
    """The outputs and classes for `inputs` (one row per sample), and how right they are when `targets` are given."""
    outputs = forward(model, np.atleast_2d(np.asarray(inputs, dtype=np.float64))).output
    if targets is None:
        return Predictions(outputs, classes_of(outputs, threshold), None, None)
    return Predictions(outputs, classes_of(outputs, threshold), classes_of(targets),
                       counts(outputs, targets, threshold))
