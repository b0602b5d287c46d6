"""The fast paths of the training loop give the numbers of the plain ones: the compiled online
loop (when numba is installed) those of the NumPy loop, and the NumPy loop, in every batch mode,
those of the recorded stages. No timings here: bench/run.py measures speed."""

import sys

import numpy as np
import pytest
from helpers import CASES, every_combination, random_model

from pencilnet.core.metrics import mean_error
from pencilnet.core.model import Layer, Model, flatten, unflatten
from pencilnet.core.stages import backprop, chain, forward
from pencilnet.training import compiled_run, loop
from pencilnet.training.loop import Schedule, TrainingDiverged, train
from pencilnet.training.numpy_run import NumpyRun

VARIANTS = ["plain", "shared", "frozen"]  # bias modes and frozen parameters


def network(hidden, output, loss, variant, seed=0):
    rng = np.random.default_rng(seed)
    sizes = [5] + [int(n) for n in rng.integers(2, 7, size=len(hidden))] + [3]
    model = random_model(rng, sizes, hidden + [output])
    if variant == "shared":  # every other layer with one shared bias weight
        model = Model(tuple(Layer(layer.weights, layer.biases[:1] if i % 2 == 0 else layer.biases, layer.activation,
                                  shared_bias=i % 2 == 0) for i, layer in enumerate(model.layers)), model.bias_input)
    elif variant == "frozen":
        model = Model(tuple(Layer(layer.weights, layer.biases, layer.activation, frozen_weights=i == 0,
                                  frozen_biases=i == len(model.layers) - 1) for i, layer in enumerate(model.layers)),
                      model.bias_input)
    xs = rng.uniform(-1, 1, size=(40, 5))
    if loss == "mse":
        ts = rng.normal(size=(40, 3))
    else:
        ts = np.eye(3)[rng.integers(3, size=40)]
    return model, xs, ts


def by_stages(model, xs, ts, loss, rate, epochs, size):
    """Training written with the recorded stages: each batch's gradient the mean of its samples'."""
    theta = flatten(model)
    free = np.concatenate([np.full(layer.weights.size, not layer.frozen_weights) for layer in model.layers]
                          + [np.full(layer.biases.size, not layer.frozen_biases) for layer in model.layers])
    for _ in range(epochs):
        for start in range(0, len(xs), size):
            current = unflatten(model, theta)
            gradients = [[row.gradient for row in chain(current, backprop(
                current, forward(current, x), t, loss))] for x, t in zip(xs[start:start + size],
                                                                                ts[start:start + size], strict=False)]
            theta = theta - rate * np.mean(gradients, axis=0) * free
    return theta


def numpy_only(monkeypatch):
    monkeypatch.setenv("PENCILNET_NUMBA", "0")


# Locally each case, variant and batch size at least once; every combination in CI.
@pytest.mark.parametrize("case, variant, size", every_combination(CASES, VARIANTS, [1, 7, None]))
def test_numpy_loop_equals_the_stages(case, variant, size, monkeypatch):
    numpy_only(monkeypatch)
    hidden, output, loss = case
    model, xs, ts = network(hidden, output, loss, variant)
    history = train(model, xs, ts, Schedule(0.1, 3, size), loss)
    expected = by_stages(model, xs, ts, loss, 0.1, 3, size or len(xs))
    np.testing.assert_allclose(flatten(history.model), expected, rtol=0, atol=1e-12)
    assert history.final_error == pytest.approx(mean_error(history.model, xs, ts, loss), rel=1e-12)


def test_shuffled_batches_are_gathered_rows():
    # Shuffling gathers each stretch's rows into buffers; the result is training on the rows in that order.
    model, xs, ts = network(["tanh"], "sigmoid", "half_sse", "plain")
    schedule = Schedule(0.3, 2, 4, shuffle=True, seed=9)
    rng = np.random.default_rng(9)
    orders = [rng.permutation(len(xs)) for _ in range(2)]
    theta = flatten(model)
    for order in orders:
        theta = by_stages(unflatten(model, theta), xs[order], ts[order], "half_sse", 0.3, 1, 4)
    np.testing.assert_allclose(flatten(train(model, xs, ts, schedule).model), theta, rtol=0, atol=1e-12)


def test_full_batch_ignores_shuffling():
    model, xs, ts = network(["tanh"], "sigmoid", "half_sse", "plain")
    plain = train(model, xs, ts, Schedule(0.3, 3, None))
    shuffled = train(model, xs, ts, Schedule(0.3, 3, None, shuffle=True, seed=4))
    assert np.array_equal(flatten(plain.model), flatten(shuffled.model))


def test_long_stretches_and_a_short_last_one(monkeypatch):
    # More samples than one stretch, and a batch size that does not divide it. Stretches made short
    # (64 samples online, 256 in batches) so that the reference, the stages, stays quick.
    numpy_only(monkeypatch)
    monkeypatch.setattr(loop, "STRETCH", 64)
    monkeypatch.setattr(loop, "BATCH_STRETCH", 256)
    rng = np.random.default_rng(3)
    model = random_model(rng, [4, 6, 2], ["sigmoid", "sigmoid"])
    xs, ts = rng.uniform(size=(600, 4)), np.eye(2)[rng.integers(2, size=600)]
    # Online: nine stretches of 64 samples and one of 24. In batches of 7: stretches of 36 batches
    # (252 samples), twice, then one of 96 samples: 13 batches and one of 5.
    for size in (1, 7):
        history = train(model, xs, ts, Schedule(0.2, 1, size, shuffle=True, seed=1))
        order = np.random.default_rng(1).permutation(600)
        expected = by_stages(model, xs[order], ts[order], "half_sse", 0.2, 1, size)
        np.testing.assert_allclose(flatten(history.model), expected, rtol=0, atol=1e-12)


def compiled_and_numpy(model, xs, ts, loss, epochs, monkeypatch, shuffle=False):
    schedule = Schedule(0.1, epochs, 1, shuffle=shuffle, seed=2)
    monkeypatch.setattr(loop, "COMPILED_FROM", 0)
    monkeypatch.setenv("PENCILNET_NUMBA", "1")
    fast = train(model, xs, ts, schedule, loss)
    monkeypatch.setenv("PENCILNET_NUMBA", "0")
    return fast, train(model, xs, ts, schedule, loss)


@pytest.mark.parametrize("case, variant", every_combination(CASES, VARIANTS))
def test_compiled_loop_equals_the_numpy_loop(case, variant, monkeypatch):
    pytest.importorskip("numba")
    hidden, output, loss = case
    model, xs, ts = network(hidden, output, loss, variant)
    fast, plain = compiled_and_numpy(model, xs, ts, loss, 5, monkeypatch, shuffle=True)
    np.testing.assert_allclose(flatten(fast.model), flatten(plain.model), rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.errors, plain.errors, rtol=1e-12, atol=0)
    assert fast.final_error == pytest.approx(plain.final_error, rel=1e-12)


def test_compiled_loop_on_the_fruit_network(monkeypatch):
    # The 36-36-2 network the compiled loop is for, over more than one stretch of samples.
    pytest.importorskip("numba")
    rng = np.random.default_rng(7)
    model = random_model(rng, [36, 36, 2], ["sigmoid", "sigmoid"])
    xs, ts = rng.uniform(size=(1500, 36)), np.eye(2)[rng.integers(2, size=1500)]
    from pencilnet.training import kernels as compiled

    kernel, rows = compiled.online, []

    def counted(*arguments):  # the kernel, counting the samples it trains
        rows.append(len(arguments[8]))  # its inputs
        return kernel(*arguments)

    monkeypatch.setattr(compiled, "online", counted)
    fast, plain = compiled_and_numpy(model, xs, ts, "half_sse", 2, monkeypatch)
    assert rows == [1024, 476] * 2  # the run that trained was the compiled one, stretch by stretch
    np.testing.assert_allclose(flatten(fast.model), flatten(plain.model), rtol=0, atol=1e-12)


def test_compiled_loop_reports_divergence_like_the_numpy_loop(monkeypatch):
    pytest.importorskip("numba")
    model = Model((Layer([[1.0]], [0.0], "identity"),))
    xs, ts = np.array([[10.0], [-10.0]]), np.array([[1.0], [-1.0]])
    caught = []
    for numba in ("1", "0"):
        monkeypatch.setattr(loop, "COMPILED_FROM", 0)
        monkeypatch.setenv("PENCILNET_NUMBA", numba)
        with pytest.raises(TrainingDiverged) as found:
            train(model, xs, ts, Schedule(5.0, 1000))
        caught.append((found.value.epoch, found.value.sample, flatten(found.value.model).tolist()))
    assert caught[0] == caught[1]


def test_without_numba_the_numpy_loop_trains(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # as if not installed: importing it fails
    monkeypatch.delitem(sys.modules, "pencilnet.training.kernels", raising=False)
    monkeypatch.setattr(loop, "COMPILED_FROM", 0)
    monkeypatch.delenv("PENCILNET_NUMBA", raising=False)
    model, xs, ts = network(["sigmoid"], "sigmoid", "half_sse", "plain")
    assert not compiled_run.available(model, "half_sse")
    history = train(model, xs, ts, Schedule(0.1, 2, 1))
    expected = by_stages(model, xs, ts, "half_sse", 0.1, 2, 1)
    np.testing.assert_allclose(flatten(history.model), expected, rtol=0, atol=1e-12)


def test_the_compiled_loop_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("PENCILNET_NUMBA", "0")
    assert not compiled_run.available(Model((Layer([[1.0]], [0.0]),)), "half_sse")


def test_short_runs_do_not_start_the_compiled_loop(monkeypatch):
    started = []
    monkeypatch.setattr(compiled_run, "available", lambda *arguments: started.append(1))
    monkeypatch.setattr(loop, "COMPILED_FROM", 400)  # the rule at a size that is quick to train
    model, xs, ts = network(["sigmoid"], "sigmoid", "half_sse", "plain")  # 40 samples
    train(model, xs, ts, Schedule(0.1, 9, 1))  # 360 online updates: too few
    train(model, xs, ts, Schedule(0.1, 100, 8))  # 4,000 samples, but not online
    assert not started
    train(model, xs, ts, Schedule(0.1, 10, 1))  # 400 online updates
    assert started


def test_the_compiled_kernels_have_a_branch_for_every_row():
    # The kernels are generated from the rows: every activation and loss is a branch, by its place.
    pytest.importorskip("numba")
    from pencilnet.core.activations import ACTIVATIONS
    from pencilnet.core.losses import LOSSES
    from pencilnet.training import kernels as compiled

    assert list(compiled.ACTIVATION_CODES) == list(ACTIVATIONS) and list(compiled.LOSS_CODES) == list(LOSSES)
    text = compiled.source()
    for code, name in enumerate(ACTIVATIONS):
        assert text.count(f"kind == {code}:  # {name}") == 2  # out, and ∂out/∂net
    for code, name in enumerate(LOSSES):
        assert f"loss == {code}:  # {name}" in text
    model = Model((Layer(np.ones((2, 3)), [0.1], "tanh", shared_bias=True, frozen_weights=True),
                   Layer(np.ones((3, 2)), [0.2, 0.3], "softmax", frozen_biases=True)))
    rows, settings, codes = compiled.table(model, "cross_entropy")
    # Each row by its fields: weights at 0 and 6, biases after all 12 weights, values x1 x2 | h1..h3 | y1 y2.
    assert [compiled.LayerRow(*row) for row in rows.tolist()] == [
        compiled.LayerRow(0, 12, 2, 3, compiled.ACTIVATION_CODES["tanh"], 1, 1, 0, 0, 2),
        compiled.LayerRow(6, 13, 3, 2, compiled.ACTIVATION_CODES["softmax"], 0, 0, 1, 2, 5)]
    assert codes == (compiled.LOSS_CODES["cross_entropy"], True, True)  # fused; the nets go to `outputs`
    leaky = Model((Layer(np.ones((2, 3)), np.zeros(3), "leaky_relu(slope=0.2)"), Layer(np.ones((3, 1)), [0.0])))
    assert compiled.table(leaky, "half_sse")[1][:, 0].tolist() == [0.2, 0.0]  # each layer's settings


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity", "softmax", "leaky_relu", "softplus",
                                  "leaky_relu(slope=0.3)", "leaky_relu(slope=0.0)", "leaky_relu(slope=2.5)"])
def test_the_in_place_forms_are_the_function_and_derivative_to_the_last_bit(name):
    # The training function writes each row's statements instead of calling `function` and
    # `derivative`: they must give the same numbers to the last bit.
    from pencilnet.core.activations import activation_of

    activation = activation_of(name)
    rng = np.random.default_rng(1)
    net = rng.normal(scale=3, size=(4, 5))
    net[0, :3] = 0.0, -800.0, 800.0  # relu's kink, the sigmoid's underflow, softplus's large net
    written = net.copy()
    with np.errstate(over="ignore"):
        activation.apply(written)
        assert np.array_equal(activation.function(net), written)
    out, grad = written, rng.normal(size=net.shape)
    got = grad.copy()
    activation.scale(out, got, np.empty(out.shape))
    assert np.array_equal(activation.backward(out, grad), got)


@pytest.mark.parametrize("name", ["half_sse"])
def test_the_derivative_ufuncs_are_the_losses_derivatives(name):
    from pencilnet.core.losses import LOSSES

    assert [loss for loss in LOSSES if LOSSES[loss].ufunc] == ["half_sse"]
    rng = np.random.default_rng(2)
    out, target = rng.uniform(size=(3, 4)), rng.uniform(size=(3, 4))
    assert np.array_equal(getattr(np, LOSSES[name].ufunc)(out, target), LOSSES[name].derivative(out, target))


def test_every_activation_has_its_in_place_forms():
    from pencilnet.core.activations import ACTIVATIONS

    rng = np.random.default_rng(4)
    for name, activation in ACTIVATIONS.items():
        net = rng.normal(size=(3, 4))
        out = net.copy()
        activation.apply(out)
        np.testing.assert_allclose(out, activation.function(net), rtol=1e-15, err_msg=name)
        grad, spare = rng.normal(size=net.shape), np.empty(net.shape)
        expected = activation.backward(out, grad)
        activation.scale(out, grad, spare)
        np.testing.assert_allclose(grad, expected, rtol=1e-14, atol=1e-300, err_msg=name)


def test_the_training_function_skips_frozen_parameters_and_is_the_same_numbers_in_batches():
    # The written-out function for a network with a frozen first layer has no step for it.
    model = Model((Layer(np.ones((2, 3)), [0.1, 0.2, 0.3], "tanh", frozen_weights=True, frozen_biases=True),
                   Layer(np.ones((3, 2)), [0.2], "sigmoid", shared_bias=True)), bias_input=-1.0)
    run = NumpyRun(model, "half_sse")
    for rows in (0, 4):
        run._updates(rows)
        source = run.plans[rows].source
        assert "weights0, out=weights0" not in source and "biases0, out=biases0" not in source
        assert "subtract(weights1," in source and ".sum(keepdims=True) * bias_input, out=biases1)" in source


@pytest.mark.parametrize("output, loss", [("sigmoid", "cross_entropy"), ("softmax", "binary_cross_entropy")])
@pytest.mark.parametrize("size", [1, 2])
@pytest.mark.parametrize("optimizer", [None, "adam"])
def test_a_saturated_output_trains_as_the_stages_take_it(output, loss, size, optimizer, monkeypatch):
    # One input x = 1 into two outputs with weights [-400, 400] and bias 0, 0: net = [-400, 400]
    # (and [-401, 401] for the second sample). By hand, for a sigmoid output and E = −Σ t ln σ(net)
    # with t = [0.6, 0.3]: σ(-400) ≈ 1.9e-174, so ∂E/∂net_y1 = −t1 σ(400) = −0.6 exactly in float64,
    # and E ≈ 0.6 × 400 = 240. A loop that divides by out and multiplies by out (1 − out) gets
    # −0.6 / 1.9e-174 × 1.9e-174 only while out is not clipped: clipped to 1e-15 it gives 1.1e-159,
    # a gradient of 0, and E = 0.6 × 34.5. The stages (finite differences agree: see
    # test_properties) take both from net; so must the fast loop, online and in batches.
    numpy_only(monkeypatch)
    from pencilnet.core.optimizers import Optimizer

    model = Model((Layer(np.array([[-400.0, 400.0]]), np.zeros(2), output),))
    xs, ts = np.array([[1.0], [1.0025]]), np.array([[0.6, 0.3], [0.6, 0.3]])
    schedule = Schedule(0.1, 2, size, optimizer=Optimizer("adam") if optimizer else Optimizer())
    fast_run = train(model, xs, ts, schedule, loss)
    monkeypatch.setattr(loop, "choose_run", lambda model, loss, arithmetic, optimizer, size, updates: loop.StagesRun(
        model, loss, loop.EXACT, optimizer))
    by_stages = train(model, xs, ts, schedule, loss)
    np.testing.assert_allclose(flatten(fast_run.model), flatten(by_stages.model), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast_run.errors, by_stages.errors, rtol=1e-12)
    assert by_stages.errors[0] > 100  # from net: about 0.6 × 400 for the sigmoid, not 0.6 × 34.5


@pytest.mark.parametrize("output, loss", [("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")])
def test_the_compiled_loop_takes_a_saturated_error_from_net(output, loss, monkeypatch):
    # The fused pairs, which the compiled loop trains: net = [-400, 400] with targets [1, 0] is
    # confidently wrong. By hand, softmax: E = −ln p1 = −(−400 − ln(e^-400 + e^400)) ≈ 800; the
    # sigmoids: E = −ln σ(−400) − ln(1 − σ(400)) ≈ 400 + 400 = 800. From out, clipped to 1e-15,
    # E would be 34.5 (or 69): the compiled loop writes the nets, and the loop takes E from them.
    pytest.importorskip("numba")
    model = Model((Layer(np.array([[-400.0, 400.0]]), np.zeros(2), output),))
    xs, ts = np.array([[1.0], [1.0]]), np.array([[1.0, 0.0], [1.0, 0.0]])
    compiled_run, numpy_run = compiled_and_numpy(model, xs, ts, loss, 1, monkeypatch)
    assert compiled_run.errors[0] == pytest.approx(800, rel=1e-3)
    np.testing.assert_allclose(compiled_run.errors, numpy_run.errors, rtol=1e-12)
    np.testing.assert_allclose(flatten(compiled_run.model), flatten(numpy_run.model), rtol=1e-12)
