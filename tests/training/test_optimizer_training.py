"""Training with every optimizer: the loop's updates against the torch-like oracle of
tests/helpers.py, applied batch by batch to mean gradients from the recorded stages."""

import numpy as np
import pytest
from helpers import random_model, torch_like

from pencilnet.core.model import Layer, Model, flatten, unflatten
from pencilnet.core.optimizers import LearningRateSchedule, Optimizer
from pencilnet.core.stages import backprop, forward, gradient_vector
from pencilnet.training.loop import Schedule, train

OPTIMIZERS = [("sgd", {"momentum": 0.9, "nesterov": True}), ("adam", {"weight_decay": 0.01}),
              ("adamw", {"weight_decay": 0.1}), ("rmsprop", {"momentum": 0.5})]


def by_oracle(model, xs, ts, loss, name, settings, lr, epochs, size, trainable=None):
    """The same run written plainly: the mean gradient of each batch, then the torch-like update
    (replayed from the start over every gradient so far, so its state is rebuilt independently).
    Only the `trainable` parameters are the optimizer's, as torch.optim sees only those."""
    theta0 = flatten(model)
    mask = np.ones(theta0.size, bool) if trainable is None else trainable
    theta, grads_seen = theta0.copy(), []
    for _ in range(epochs):
        for start in range(0, len(xs), size):
            current = unflatten(model, theta)
            grads = [gradient_vector(backprop(current, forward(current, x), t, loss))
                     for x, t in zip(xs[start:start + size], ts[start:start + size], strict=True)]
            grads_seen.append(np.mean(grads, axis=0)[mask])
            theta = theta0.copy()
            theta[mask] = torch_like(name, settings, theta0[mask], grads_seen, lr)[-1]
    return theta


@pytest.mark.parametrize("name, settings", OPTIMIZERS)
@pytest.mark.parametrize("size", [1, 3])
def test_training_with_an_optimizer_equals_the_oracle(name, settings, size):
    rng = np.random.default_rng(4)
    model = random_model(rng, [3, 4, 2], ["tanh", "sigmoid"])
    xs, ts = rng.uniform(-1, 1, (6, 3)), np.eye(2)[rng.integers(2, size=6)]
    optimizer = Optimizer(name, **settings)
    history = train(model, xs, ts, Schedule(0.05, 3, size, optimizer=optimizer), "half_sse")
    expected = by_oracle(model, xs, ts, "half_sse", name, settings, 0.05, 3, size)
    np.testing.assert_allclose(flatten(history.model), expected, rtol=1e-12, atol=1e-14)


def test_frozen_and_shared_parameters_train_with_adam():
    model = Model((Layer([[0.3, -0.2], [0.1, 0.4]], [0.2], "tanh", shared_bias=True, frozen_weights=True),
                   Layer([[0.5], [-0.6]], [0.1], "sigmoid")))
    xs, ts = np.array([[0.2, -0.7], [0.5, 0.1]]), np.array([[1.0], [0.0]])
    history = train(model, xs, ts, Schedule(0.1, 4, 1, optimizer=Optimizer("adamw", weight_decay=0.1)), "half_sse")
    before, after = flatten(model), flatten(history.model)
    trainable = np.array([False] * 4 + [True] * 4)  # w1…w4 frozen; w5, w6, the shared bw1 and bw2 train
    np.testing.assert_array_equal(after[:4], before[:4])
    expected = by_oracle(model, xs, ts, "half_sse", "adamw", {"weight_decay": 0.1}, 0.1, 4, 1, trainable)
    np.testing.assert_allclose(after, expected, rtol=1e-12, atol=1e-14)


def test_the_learning_rate_follows_its_schedule_epoch_by_epoch():
    rng = np.random.default_rng(1)
    model = random_model(rng, [2, 2, 2], ["sigmoid", "sigmoid"])
    xs, ts = rng.uniform(size=(4, 2)), np.eye(2)[[0, 1, 0, 1]]
    schedule = Schedule(0.8, 5, 1, lr_schedule=LearningRateSchedule("step", step_size=2, gamma=0.5))
    history = train(model, xs, ts, schedule)
    assert history.learning_rates == pytest.approx([0.8, 0.8, 0.4, 0.4, 0.2])
    # the same run by hand, epoch by epoch at those rates, with plain gradient descent
    theta = model
    for rate in history.learning_rates:
        for x, t in zip(xs, ts, strict=True):
            g = gradient_vector(backprop(theta, forward(theta, x), t, "half_sse"))
            theta = unflatten(theta, flatten(theta) - rate * g)
    np.testing.assert_allclose(flatten(history.model), flatten(theta), rtol=1e-12, atol=1e-15)
