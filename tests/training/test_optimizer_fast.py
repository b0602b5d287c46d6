"""Every optimizer trains in the fast runs (`numpy_run`, `compiled_run`): its in-place step is
`optimizers.update` to the last bit, and training with it gives the numbers of the recorded
stages (`stages_run.StagesRun`, exact arithmetic) and of the torch-like oracle of tests/helpers.py;
the compiled (numba) online loop's step is the in-place step's, and its training the NumPy loop's.
(`steppers.InPlace` is the runs' step.)"""

import importlib.util

import numpy as np
import pytest
from helpers import every_combination, random_model, torch_like

from pencilnet.core import optimizers
from pencilnet.core.arithmetic import EXACT, Pencil
from pencilnet.core.model import Layer, Model, flatten, unflatten
from pencilnet.core.optimizers import LearningRateSchedule, Optimizer
from pencilnet.core.stages import backprop, error, forward, gradient_vector, trainable
from pencilnet.training import loop
from pencilnet.training.compiled_run import CompiledRun
from pencilnet.training.loop import Schedule, TrainingDiverged, train
from pencilnet.training.numpy_run import NumpyRun
from pencilnet.training.stages_run import StagesRun
from pencilnet.training.steppers import InPlace

SETTINGS = {  # torch.optim's settings, by what they exercise
    "sgd momentum": ("sgd", {"momentum": 0.9}),
    "sgd dampening": ("sgd", {"momentum": 0.8, "dampening": 0.3}),
    "sgd nesterov": ("sgd", {"momentum": 0.9, "nesterov": True}),
    "sgd weight decay": ("sgd", {"weight_decay": 0.05}),  # no momentum, and still not plain
    "sgd nesterov, decay": ("sgd", {"momentum": 0.5, "nesterov": True, "weight_decay": 0.05}),
    "adam": ("adam", {}),
    "adam, decay": ("adam", {"betas": (0.8, 0.95), "eps": 1e-6, "weight_decay": 0.01}),
    "adamw": ("adamw", {"weight_decay": 0.1}),
    "rmsprop": ("rmsprop", {}),
    "rmsprop momentum, decay": ("rmsprop", {"alpha": 0.9, "momentum": 0.5, "weight_decay": 0.02}),
}


def optimizer_of(key: str) -> Optimizer:
    name, settings = SETTINGS[key]
    return Optimizer(name, **settings)


# ---- the in-place step is `update`, bit for bit ----------------------------------------------

@pytest.mark.parametrize("key", SETTINGS)
def test_the_in_place_step_is_update_to_the_last_bit(key):
    # Five steps at changing rates over a vector with frozen places (gradient 0 there, as the
    # loop leaves it): the same parameters and state as `update` gives, every bit, and the frozen
    # places untouched with every state variable exactly 0.
    optimizer = optimizer_of(key)
    rng = np.random.default_rng(5)
    theta = rng.normal(size=12)
    free = np.arange(12) % 3 != 0
    gradient, start = np.zeros(12), theta.copy()
    stepper = InPlace(optimizer, theta, gradient, free)
    expected, state = theta.copy(), optimizers.start(optimizer, 12)
    for rate in (0.1, 0.1, 0.05, 0.3, 0.02):
        gradient[free] = rng.normal(size=free.sum()) * rng.choice([1e-3, 1.0, 10.0])
        stepper.step(rate)
        found = optimizers.update(optimizer, expected, gradient, state, rate, free)
        expected, state = found.values["new"], found.after
        assert np.array_equal(theta, expected)
        assert stepper.steps == state.steps
        for name, buffer in stepper.buffers.items():
            assert np.array_equal(buffer, state.buffers[name]), name
            assert not buffer[~free].any()
    assert np.all(theta[free] != start[free]) and np.array_equal(theta[~free], start[~free])


@pytest.mark.parametrize("name", ["adam", "adamw", "rmsprop"])
def test_the_in_place_step_refuses_an_eps_of_zero(name):
    # With eps 0 a frozen parameter (gradient 0, state 0) would step by 0 / (√0 + 0): NaN, where
    # `update` leaves it alone. A config refuses eps 0; the Python API is refused here, not later.
    with pytest.raises(ValueError, match="eps must be above 0"):
        InPlace(Optimizer(name, eps=0.0), np.zeros(3), np.zeros(3), np.array([True, False, True]))


def test_the_in_place_step_restores_its_state():
    optimizer = optimizer_of("adam, decay")
    theta, gradient = np.array([0.5, -0.2]), np.array([0.3, 0.1])
    stepper = InPlace(optimizer, theta, gradient)
    stepper.step(0.1)
    saved, at = stepper.state(), theta.copy()
    stepper.step(0.1)
    after = theta.copy()
    stepper.restore(saved)
    theta[:] = at
    stepper.step(0.1)
    assert np.array_equal(theta, after) and stepper.steps == 2


# ---- training: the NumPy run against the stages and against the torch-like oracle -------------------

# (hidden, output, loss, what else): each with its own way of writing the output layer's
# gradient (a ufunc into the gradient vector, a fused loss, a loss's derivative function).
VARIANTS = {
    "plain": (["tanh"], "sigmoid", "half_sse"),
    "frozen": (["sigmoid"], "softmax", "cross_entropy"),
    "shared": (["tanh"], "identity", "mse"),
    "bias input": (["relu"], "sigmoid", "binary_cross_entropy"),
}
SCHEDULES = {"plain": LearningRateSchedule(), "frozen": LearningRateSchedule("step", step_size=2, gamma=0.5),
             "shared": LearningRateSchedule("exponential", gamma=0.7),
             "bias input": LearningRateSchedule("step", step_size=1, gamma=0.8)}


def network(variant: str):
    """A 3-4-2 network with 7 samples, its parameters frozen, shared or fed by a bias input as
    `variant` says."""
    hidden, output, loss = VARIANTS[variant]
    rng = np.random.default_rng(11)
    model = random_model(rng, [3, 4, 2], hidden + [output])
    first, second = model.layers
    if variant == "frozen":  # the first layer's weights, the output layer's biases
        model = Model((Layer(first.weights, first.biases, first.activation, frozen_weights=True),
                       Layer(second.weights, second.biases, second.activation, frozen_biases=True)), 1.0)
    elif variant == "shared":  # one bias weight for the hidden layer
        model = Model((Layer(first.weights, first.biases[:1], first.activation, shared_bias=True), second), 1.0)
    else:
        model = Model(model.layers, 0.5 if variant == "bias input" else 1.0)
    xs = rng.uniform(-1, 1, (7, 3))
    ts = rng.uniform(size=(7, 2)) if loss == "mse" else np.eye(2)[rng.integers(2, size=7)]
    return model, xs, ts, loss


def by_oracle(model, xs, ts, loss, key, rates, size):
    """The run written plainly: each batch's mean gradient from the recorded stages, the
    torch-like optimizer over the trainable parameters only (as torch.optim sees them; replayed
    from the start over every gradient so far, its state rebuilt independently), and each
    epoch's error the mean of the samples' errors, each before its batch's update."""
    name, settings = SETTINGS[key]
    theta0 = flatten(model)
    free = trainable(model)
    free = np.ones(theta0.size, bool) if free is None else free
    theta, seen, steps, errors = theta0.copy(), [], [], []
    for rate in rates:
        total = 0.0
        for start in range(0, len(xs), size):
            current = unflatten(model, theta)
            batch = zip(xs[start:start + size], ts[start:start + size], strict=True)
            traces = [(forward(current, x), t) for x, t in batch]
            total += sum(error(trace, t, loss).total for trace, t in traces)
            seen.append(np.mean([gradient_vector(backprop(current, trace, t, loss)) for trace, t in traces],
                                axis=0)[free])
            steps.append(rate)
            theta = theta0.copy()
            theta[free] = torch_like(name, settings, theta0[free], seen, steps)[-1]
        errors.append(total / len(xs))
    return theta, errors


def chosen(made: list):
    """`loop.choose_run`, remembering each run it makes."""
    original = loop.choose_run
    return lambda *arguments: made.append(original(*arguments)) or made[-1]


def by_stages(monkeypatch, model, xs, ts, schedule, loss):
    """`train` with the run object of the recorded stages, in exact arithmetic."""
    with monkeypatch.context() as patch:
        patch.setattr(loop, "choose_run", lambda model, loss, arithmetic, optimizer, size, updates: StagesRun(
            model, loss, EXACT, optimizer))
        return train(model, xs, ts, schedule, loss)


# Online and in threes (two batches of 3 and a last one of 1); locally each setting, size and
# variant at least once, every combination in CI.
@pytest.mark.parametrize("key, size, variant", every_combination(list(SETTINGS), [1, 3], list(VARIANTS)))
def test_the_numpy_loop_trains_every_optimizer_as_the_stages_and_the_oracle(key, size, variant, monkeypatch):
    model, xs, ts, loss = network(variant)
    schedule = Schedule(0.05, 3, size, optimizer=optimizer_of(key), lr_schedule=SCHEDULES[variant])
    made = []
    with monkeypatch.context() as patch:  # the run that trains is the NumPy loop's
        patch.setattr(loop, "choose_run", chosen(made))
        history = train(model, xs, ts, schedule, loss)
    assert made and made[0].optimizer is not None and isinstance(made[0], NumpyRun)
    stages = by_stages(monkeypatch, model, xs, ts, schedule, loss)
    np.testing.assert_allclose(flatten(history.model), flatten(stages.model), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(history.errors, stages.errors, rtol=1e-12, atol=0)
    expected, errors = by_oracle(model, xs, ts, loss, key, history.learning_rates, size)
    np.testing.assert_allclose(flatten(history.model), expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(history.errors, errors, rtol=1e-12, atol=0)
    # Frozen parameters untouched, and without state: every state variable exactly 0 there.
    free = trainable(model)
    if free is not None:
        assert np.array_equal(flatten(history.model)[~free], flatten(model)[~free])
        for buffer in made[0].optimizer.buffers.values():
            assert not buffer[~free].any()
    assert made[0].optimizer.steps == 3 * len(range(0, 7, size))  # t counts updates, as torch's


def test_rewinding_restores_the_optimizer_state():
    # mark, train, rewind, train again: the same parameters and state to the last bit, as the
    # divergence search relies on when it trains a stretch again from its mark.
    model, xs, ts, loss = network("plain")
    run = NumpyRun(model, loss, optimizer=optimizer_of("sgd nesterov, decay"))
    outputs = np.empty(ts.shape)
    run.train(xs, ts, 1, 0.2, outputs)
    run.mark()
    run.train(xs, ts, 1, 0.2, outputs)
    first, state = run.parameters.copy(), run.optimizer.state()
    run.rewind()
    run.train(xs, ts, 1, 0.2, outputs)
    assert np.array_equal(run.parameters, first)
    assert run.optimizer.steps == state.steps == 14
    assert np.array_equal(run.optimizer.buffers["velocity"], state.buffers["velocity"])


# ---- which run trains --------------------------------------------------------------------------

@pytest.mark.parametrize("key", SETTINGS)
def test_exact_arithmetic_never_trains_through_the_stages(key, monkeypatch):
    def refused(*arguments):
        raise AssertionError("StagesRun built for exact arithmetic")

    monkeypatch.setattr(loop, "StagesRun", refused)
    model, xs, ts, loss = network("plain")
    for size in (1, 3, None):
        train(model, xs, ts, Schedule(0.2, 2, size, optimizer=optimizer_of(key)), loss)
    with pytest.raises(AssertionError, match="StagesRun"):  # pencil arithmetic still does
        train(model, xs, ts, Schedule(0.2, 2, 1, optimizer=optimizer_of(key)), loss, Pencil(4))


def test_long_online_runs_with_an_optimizer_start_its_compiled_loop(monkeypatch):
    pytest.importorskip("numba")
    made = []
    monkeypatch.setattr(loop, "choose_run", chosen(made))
    monkeypatch.setenv("PENCILNET_NUMBA", "1")
    model, xs, ts, loss = network("plain")
    train(model, xs, ts, Schedule(0.2, 2, 1, optimizer=optimizer_of("adam")), loss)  # 14 updates: NumPy
    monkeypatch.setattr(loop, "COMPILED_FROM", 0)
    train(model, xs, ts, Schedule(0.2, 2, 1, optimizer=optimizer_of("adam")), loss)
    train(model, xs, ts, Schedule(0.2, 2, 1), loss)
    assert [type(run) for run in made] == [NumpyRun, CompiledRun, CompiledRun]
    assert made[1].optimizer is not None and made[2].optimizer is None


# ---- the compiled (numba) online loop ----------------------------------------------------------

@pytest.mark.parametrize("key", SETTINGS)
def test_the_compiled_step_is_the_in_place_step_to_the_last_bit(key):
    # From the same gradients (frozen places 0), the kernel's step gives InPlace's numbers, every
    # bit, state and all: the formulas are `update`'s in both, in the same order.
    pytest.importorskip("numba")
    from pencilnet.training import kernels as compiled

    optimizer = optimizer_of(key)
    rng = np.random.default_rng(8)
    theta, gradient, free = rng.normal(size=12), np.zeros(12), np.arange(12) % 4 != 1
    stepper = InPlace(optimizer, theta, gradient, free)
    kernel_theta, rows = theta.copy(), np.zeros((2, 12))
    code, settings = compiled.optimizer_settings(optimizer)
    for t, rate in enumerate((0.1, 0.3, 0.05, 0.2), start=1):
        gradient[free] = rng.normal(size=free.sum())
        stepper.step(rate)
        compiled._optimizer_step(code, settings, kernel_theta, gradient, rows, free.astype(float), rate, t)
        assert np.array_equal(kernel_theta, theta) and np.array_equal(rows, stepper.rows)
    assert np.array_equal(theta[~free], kernel_theta[~free]) and not rows[:, ~free].any()


@pytest.mark.parametrize("key, variant", every_combination(list(SETTINGS), list(VARIANTS)))
def test_the_compiled_loop_trains_every_optimizer_as_the_numpy_loop(key, variant, monkeypatch):
    # Online, shuffled, with a schedule. The compiled loop sums (a dot product, a shared bias) in
    # an order of its own, so the two agree to about 1e-16 here, not to the last bit.
    pytest.importorskip("numba")
    model, xs, ts, loss = network(variant)
    schedule = Schedule(0.05, 3, 1, shuffle=True, seed=3, optimizer=optimizer_of(key), lr_schedule=SCHEDULES[variant])
    monkeypatch.setattr(loop, "COMPILED_FROM", 0)
    made, found = [], []
    monkeypatch.setattr(loop, "choose_run", chosen(made))
    for numba in ("1", "0"):
        monkeypatch.setenv("PENCILNET_NUMBA", numba)
        found.append(train(model, xs, ts, schedule, loss))
    compiled, numpy = made
    assert isinstance(compiled, CompiledRun) and isinstance(numpy, NumpyRun)
    np.testing.assert_allclose(flatten(found[0].model), flatten(found[1].model), rtol=0, atol=1e-12)
    np.testing.assert_allclose(found[0].errors, found[1].errors, rtol=1e-12, atol=0)
    np.testing.assert_allclose(compiled.optimizer.rows, numpy.optimizer.rows, rtol=0, atol=1e-12)
    assert compiled.optimizer.steps == numpy.optimizer.steps == 21
    free = trainable(model)
    if free is not None:
        assert np.array_equal(flatten(found[0].model)[~free], flatten(model)[~free])
        assert not compiled.optimizer.rows[:, ~free].any()


# ---- divergence --------------------------------------------------------------------------------

@pytest.mark.parametrize("key, rate", [("sgd momentum", 5.0), ("adam", 2e12), ("adamw", 3e11)])
def test_divergence_with_an_optimizer_is_found_where_the_stages_find_it(key, rate, monkeypatch):
    # out = w x with x = 1, target 0 and the bias frozen: ∂E/∂w = w. With momentum 0.9 at rate 5
    # the weight's swings grow each step; Adam's step is about the rate whatever the gradient's
    # size, so at 2e12 the weight swings past ±1e12 after a few; AdamW's decay, rate × 0.1 × w,
    # swamps w at once. Where (epoch, sample), why and the last whole epoch's weights must be
    # those the stages find: both find the update by rewinding the stretch (an epoch's three
    # samples) to its mark, the optimizer's state with it, and training it again update by update;
    # and so does the compiled loop, when numba is installed.
    model = Model((Layer([[1.0]], [0.0], "identity", frozen_biases=True),))
    xs, ts = np.ones((3, 1)), np.zeros((3, 1))
    schedule = Schedule(rate, 50, 1, optimizer=optimizer_of(key))
    found = []
    for path in ["numpy", "stages"] + (["compiled"] if importlib.util.find_spec("numba") else []):
        monkeypatch.setenv("PENCILNET_NUMBA", "1" if path == "compiled" else "0")
        monkeypatch.setattr(loop, "COMPILED_FROM", 0)
        with pytest.raises(TrainingDiverged) as caught:
            if path == "stages":
                by_stages(monkeypatch, model, xs, ts, schedule, "half_sse")
            else:
                train(model, xs, ts, schedule)
        broke = caught.value
        found.append((broke.epoch, broke.sample, broke.cause, broke.largest, flatten(broke.model).tolist()))
    assert all(each == found[0] for each in found)
    assert found[0][1] > 1  # not the stretch's first update: the search trained into it again


ADAM = """\
inputs: 1
layers:
  - {weights: [[0.5]], biases: [0.0], activation: identity}
training: {learning_rate: 2.0e+12, epochs: 5, optimizer: adam}
samples: [{inputs: [1], target: [0]}, {inputs: [1], target: [0]}, {inputs: [1], target: [0]}]
"""


def test_cli_reports_adam_diverging_and_keeps_the_saved_file(cli, tmp_path):
    # Adam's steps are about the rate, 2e12, whatever the gradient: the weight swings about 0
    # and passes ±1e12 after the last sample of epoch 3 (as the stages find, the test above).
    path, keep = tmp_path / "adam.yaml", tmp_path / "keep.yaml"
    path.write_text(ADAM)
    keep.write_text("old contents\n")
    result = cli("train", str(path), "--save", str(keep), "--force")
    assert result.exit_code == 3, result.output
    assert "training diverged in epoch 3 at sample 3: the weights are beyond ±1e+12" in result.stderr
    assert keep.read_text() == "old contents\n" and "Traceback" not in result.output
