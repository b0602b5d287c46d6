"""train_and_test: the run `train` shows and its test set, measured as a classifier or as a regression."""

import numpy as np
import pytest

from pencilnet.core.model import Layer, Model
from pencilnet.training.loop import Schedule
from pencilnet.training.report import train_and_test

X = np.array([[0.0], [1.0], [2.0], [3.0]])


def test_a_classifier_gets_its_confusion_counts_and_accuracy_by_epoch():
    model = Model((Layer(np.array([[0.5, -0.5]]), np.zeros(2), "softmax"),), 1.0)
    targets = np.eye(2)[[0, 0, 1, 1]]
    found = train_and_test(model, X, targets, Schedule(0.5, 2), "cross_entropy", test=(X, targets))
    assert found.tested is None and found.confusion.sum() == 4 and len(found.history.test_accuracy) == 2


def test_a_regression_gets_its_scores_and_no_accuracy():
    model = Model((Layer(np.array([[0.5]]), np.zeros(1), "identity"),), 1.0)
    targets = 2 * X + 1
    found = train_and_test(model, X, targets, Schedule(0.01, 2), "mse", test=(X, targets))
    assert found.confusion is None and found.history.test_accuracy is None
    # the outputs of the trained network, against an independent forward pass: w x + b
    layer = found.history.model.layers[0]
    np.testing.assert_allclose(found.tested.outputs, X * layer.weights[0, 0] + layer.biases[0], rtol=1e-15)


def test_without_a_test_set_only_the_run():
    model = Model((Layer(np.array([[0.5]]), np.zeros(1), "identity"),), 1.0)
    found = train_and_test(model, X, 2 * X, Schedule(0.01, 1), "mse")
    assert found.confusion is None and found.tested is None and found.history.epochs_run == 1


def test_the_test_sets_error_is_measured_after_every_epoch_for_a_regression_too():
    model = Model((Layer(np.array([[0.5]]), np.zeros(1), "identity"),), 1.0)
    targets = 2 * X + 1
    test = (X[:2] + 0.5, 2 * (X[:2] + 0.5) + 1)  # x = 0.5, 1.5: y = 2, 4
    found = train_and_test(model, X, targets, Schedule(0.01, 3), "mse", test=test)
    one = train_and_test(model, X, targets, Schedule(0.01, 1), "mse", test=test)
    assert len(found.history.test_errors) == 3 and found.history.test_accuracy is None

    def by_hand(trained):  # mse of one output: the mean over the test samples of (y − (w x + b))²
        layer = trained.layers[0]
        return float(np.mean((test[1] - (test[0] * layer.weights[0, 0] + layer.biases[0])) ** 2))

    assert found.history.test_errors[-1] == pytest.approx(by_hand(found.history.model), rel=1e-14)
    assert found.history.test_errors[0] == pytest.approx(by_hand(one.history.model), rel=1e-14)
    # Untrained, w = 0.5 and b = 0 give 0.25 and 0.75 against 2 and 4: (1.75² + 3.25²) / 2 = 6.8125;
    # training brings the test error down from there epoch by epoch.
    assert 6.8125 > found.history.test_errors[0] > found.history.test_errors[1] > found.history.test_errors[2]


def test_the_accuracy_by_epoch_uses_the_configured_threshold():
    # One sigmoid output of σ(1) = 0.731 for every input (weight 0), every target 1: at the threshold
    # 0.9 every sample is put in class 0, so the accuracy is 0 (it was measured at 0.5 each epoch: 1.0,
    # while the confusion counts after the run, at 0.9, said 0).
    model = Model((Layer(np.array([[0.0]]), np.ones(1), "sigmoid"),), 1.0)
    targets = np.ones((4, 1))
    found = train_and_test(model, X, targets, Schedule(1e-9, 2), "half_sse", test=(X, targets), threshold=0.9)
    assert found.history.test_accuracy == [0.0, 0.0]
    assert found.confusion.tolist() == [[0, 0], [4, 0]]
