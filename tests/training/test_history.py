"""The history a run keeps: every epoch while they are few, then an evenly spread sample with the
first and the last, in memory that does not grow with the epochs (issue 22 item 18)."""

import numpy as np

from pencilnet.core.model import Layer, Model
from pencilnet.training.history import LIMIT, EpochSample
from pencilnet.training.loop import Schedule, train


def test_the_sample_rule_by_hand():
    # limit 4: epochs 1–4 kept; at 5 there are 5 > 4, the stride doubles to 2 and 1, 3, 5 stay;
    # 7 joins (6 and 8 are off the stride); at 9 there are 5 again: stride 4, so 1, 5, 9 stay.
    sample = EpochSample(False, limit=4)
    for epoch in range(1, 11):
        sample.add(epoch, epoch / 10)
    epochs, errors, test_errors, accuracies = sample.lists()
    assert epochs == [1, 5, 9, 10] and errors == [0.1, 0.5, 0.9, 1.0]  # 10: the last
    assert test_errors is None and accuracies is None
    assert sample.done() == 10


def test_a_long_run_keeps_a_bounded_evenly_spread_sample():
    for total in (1, 7, LIMIT, LIMIT + 1, 3 * LIMIT + 5, 10**6):
        sample = EpochSample(True)
        for epoch in range(1, total + 1):
            sample.add(epoch, 1.0 / epoch, 2.0 / epoch, 0.5)
        epochs, errors, test_errors, accuracies = sample.lists()
        assert epochs[0] == 1 and epochs[-1] == total and len(epochs) <= LIMIT + 1
        assert len(errors) == len(accuracies) == len(epochs) and test_errors == [2.0 / e for e in epochs]
        steps = set(np.diff(epochs[:-1]).tolist()) if len(epochs) > 2 else set()
        assert len(steps) <= 1, steps  # evenly spaced, the last epoch apart
        assert errors == [1.0 / e for e in epochs]
        if total <= LIMIT:
            assert epochs == list(range(1, total + 1))  # every epoch: short runs are as they were
        else:
            assert len(epochs) > LIMIT // 2


def test_training_past_the_limit_keeps_the_sampled_epochs_errors():
    model = Model((Layer([[0.3]], [0.1], "sigmoid"),))
    xs, ts = np.array([[0.5], [1.0]]), np.array([[0.0], [1.0]])
    epochs = 2 * LIMIT + 3
    history = train(model, xs, ts, Schedule(0.5, epochs))
    assert history.epochs_run == epochs and history.epochs[0] == 1 and history.epochs[-1] == epochs
    assert len(history.errors) == len(history.epochs) == len(history.learning_rates) <= LIMIT + 1
    # the same errors as the full run's at those epochs: a run of the first N epochs ends with epoch N's
    for epoch, error in list(zip(history.epochs, history.errors, strict=True))[1:4]:
        assert train(model, xs, ts, Schedule(0.5, epoch)).errors[-1] == error
