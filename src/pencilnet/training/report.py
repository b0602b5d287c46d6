"""One training run and what is measured after it on the test set: the record `train` shows."""

from dataclasses import dataclass

import numpy as np

from pencilnet.core.arithmetic import EXACT
from pencilnet.core.metrics import THRESHOLD, Predictions, confusion, is_regression, predict
from pencilnet.core.model import Model
from pencilnet.training.loop import EpochEnd, History, Progress, train
from pencilnet.training.schedule import Schedule


@dataclass(frozen=True, eq=False)
class TrainReport:
    history: History
    confusion: np.ndarray | None  # a classifier's test set: counts[i, j] of class i put in class j
    tested: Predictions | None  # a regression's test set: its outputs and scores


def train_and_test(model: Model, inputs, targets, schedule: Schedule, loss: str, arithmetic=EXACT,
                   test: tuple | None = None, threshold: float = THRESHOLD,
                   on_progress: Progress | None = None, on_epoch: EpochEnd | None = None) -> TrainReport:
    """Train (see `loop.train`), then measure the trained network on `test` (inputs, targets).
    The test set's error is measured after every epoch; a regression has no classes, so no accuracy
    by epoch, and its test set is scored after the run instead."""
    regression = is_regression(model, loss)
    history = train(model, inputs, targets, schedule, loss, arithmetic, on_progress=on_progress, test=test,
                    on_epoch=on_epoch, threshold=threshold)
    if test is None:
        return TrainReport(history, None, None)
    test_inputs, test_targets = test
    if regression:
        return TrainReport(history, None, predict(history.model, test_inputs, test_targets, threshold, loss))
    return TrainReport(history, confusion(history.model, test_inputs, test_targets, threshold), None)
