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
# Output activations whose outputs are plain numbers, not scores of classes: with a squared error,
# a network ending in one of these is a regression, measured by its error, R² and mean absolute error.
UNBOUNDED = ("identity", "relu")


def is_regression(model: Model, loss: str) -> bool:
    """Whether the network predicts numbers rather than classes: an identity (or relu) output with a squared error."""
    return model.layers[-1].activation in UNBOUNDED and loss in ("half_sse", "mse")


@dataclass(frozen=True, eq=False)
class Scores:
    """How close a regression's outputs are to their targets."""

    error: float  # the mean over samples of each sample's total error E
    r2: float  # 1 − Σ(target − out)² / Σ(target − mean target)², averaged over the outputs (see `scores`)
    mean_absolute_error: float  # over every output of every sample


def scores(outputs, targets, loss: str) -> Scores:
    """A regression's error, R² and mean absolute error from its outputs and targets (one row per sample).

    R² of an output whose target never varies follows scikit-learn's r2_score (force_finite=True):
    1.0 when the outputs match it exactly, else 0.0, so one constant column cannot make the
    average over the outputs NaN."""
    from pencilnet.core.losses import LOSSES

    outputs, targets = np.atleast_2d(outputs), np.atleast_2d(np.asarray(targets, dtype=np.float64))
    residual = ((targets - outputs) ** 2).sum(axis=0)
    spread = ((targets - targets.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(spread > 0, 1.0 - residual / spread, np.where(residual == 0, 1.0, 0.0))
    return Scores(float(LOSSES[loss].terms(outputs, targets).sum(axis=1).mean()), float(np.mean(r2)),
                  float(np.abs(targets - outputs).mean()))


def mean_error(model: Model, inputs, targets, loss: str = "half_sse", arithmetic=EXACT) -> float:
    """Mean over samples of each sample's total error E."""
    if arithmetic is EXACT:  # the whole set at once: the same sums, one matrix product per layer
        return measured(model, inputs, targets, loss)[0]
    totals = [error(forward(model, x, arithmetic), t, loss, arithmetic).total
              for x, t in zip(inputs, targets, strict=True)]
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


def measured(model: Model, inputs, targets, loss: str, threshold: float = THRESHOLD) -> tuple[float, float]:
    """(the mean error, the accuracy) of the whole set from one forward pass, as training measures
    its test set after each epoch; a regression has no accuracy (NaN)."""
    targets = np.asarray(targets, dtype=np.float64)
    last = forward(model, inputs).layers[-1]
    error = float(terms_from_net(loss, last.activation, last.net, last.out, targets).sum(axis=1).mean())
    if is_regression(model, loss):
        return error, float("nan")
    return error, float(np.mean(classes_of(last.out, threshold) == classes_of(targets)))


def confusion(model: Model, inputs, targets, threshold: float = THRESHOLD) -> np.ndarray:
    """counts[i, j]: samples of class i that the network puts in class j."""
    return counts(forward(model, inputs).output, targets, threshold)


@dataclass(frozen=True, eq=False)
class Predictions:
    """What a network makes of some inputs, with every derived fact computed once. A regression
    (see `is_regression`) has no classes: `predicted`, `actual` and `confusion` are None, and
    with targets, `scores` says how close the outputs are."""

    outputs: np.ndarray  # (samples, output nodes)
    predicted: np.ndarray | None  # each sample's class index
    actual: np.ndarray | None  # each sample's true class index, when targets were given
    confusion: np.ndarray | None  # counts[i, j], when targets were given
    targets: np.ndarray | None = None
    scores: Scores | None = None  # a regression's, when targets were given

    @property
    def right(self) -> np.ndarray | None:
        if self.actual is None or self.predicted is None:
            return None
        return np.equal(self.predicted, self.actual)

    @property
    def accuracy(self) -> float | None:
        right = self.right
        return None if right is None else float(np.mean(right))


def predict(model: Model, inputs, targets=None, threshold: float = THRESHOLD, loss: str | None = None) -> Predictions:
    """The outputs and classes for `inputs` (one row per sample), and how right they are when
    `targets` are given. With the `loss` of a regression, the outputs and their scores instead."""
    outputs = forward(model, np.atleast_2d(np.asarray(inputs, dtype=np.float64))).output
    if loss is not None and is_regression(model, loss):
        return Predictions(outputs, None, None, None, targets,
                           None if targets is None else scores(outputs, targets, loss))
    if targets is None:
        return Predictions(outputs, classes_of(outputs, threshold), None, None)
    return Predictions(outputs, classes_of(outputs, threshold), classes_of(targets),
                       counts(outputs, targets, threshold), np.asarray(targets, dtype=np.float64))
