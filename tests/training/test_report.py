"""train_and_test: the run `train` shows and its test set, measured as a classifier or as a regression."""

import numpy as np

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
