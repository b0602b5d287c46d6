"""Activations, losses, bias modes and batch modes against finite differences and hand calculations."""

import json
import warnings

import numpy as np
import pytest
import yaml
from helpers import CASES, analytic_gradient, numeric_gradient, random_model

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.losses import LOSSES
from pencilnet.core.model import Layer, Model, flatten, unflatten
from pencilnet.core.stages import backprop, forward, step
from pencilnet.training import loop
from pencilnet.training.loop import Schedule, TrainingDiverged, TrainingInterrupted, train
from pencilnet.training.numpy_run import NumpyRun


@pytest.mark.parametrize("hidden, output, loss", CASES)
@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_finite_differences_every_activation_loss_and_bias_mode(hidden, output, loss, shared, seed):
    rng = np.random.default_rng(seed)
    sizes = [int(n) for n in rng.integers(2, 5, size=len(hidden) + 2)]
    model = random_model(rng, sizes, hidden + [output])
    if shared:
        model = Model(tuple(Layer(layer.weights, layer.biases[:1], layer.activation, shared_bias=True)
                            for layer in model.layers),
                      model.bias_input)
    x = rng.normal(size=sizes[0])
    t = np.eye(sizes[-1])[rng.integers(sizes[-1])] if loss != "mse" else rng.normal(size=sizes[-1])
    numeric, analytic = numeric_gradient(model, x, t, loss), analytic_gradient(model, x, t, loss)
    scale = np.maximum(1e-5, np.abs(numeric) + np.abs(analytic))
    worst = np.max(np.abs(numeric - analytic) / scale)
    assert worst < 1e-5, f"worst relative difference {worst:.2e}"


def test_shared_bias_names_and_sum():
    model = Model((Layer(np.ones((2, 3)), [0.1], shared_bias=True), Layer(np.ones((3, 2)), [0.2, 0.3])))
    assert model.names.biases == [["bw1"], ["bw2", "bw3"]]
    assert model.parameter_count == 6 + 1 + 6 + 2
    trace = forward(model, [0.5, -0.5])
    grads = backprop(model, trace, [1, 0])
    assert grads.layers[0].biases[0] == pytest.approx(grads.layers[0].dE_dnet.sum())


def test_frozen_parameters_do_not_move():
    rng = np.random.default_rng(0)
    base = random_model(rng, [3, 4, 2], ["sigmoid", "sigmoid"])
    first, second = base.layers
    model = Model((Layer(first.weights, first.biases, frozen_weights=True), Layer(second.weights, second.biases,
                                                                                  frozen_biases=True)))
    xs, ts = rng.uniform(size=(5, 3)), np.eye(2)[[0, 1, 0, 1, 1]]
    for batch in (1, 2, None):
        trained = train(model, xs, ts, Schedule(0.5, 3, batch)).model
        assert np.array_equal(trained.layers[0].weights, first.weights)
        assert np.array_equal(trained.layers[1].biases, second.biases)
        assert not np.array_equal(trained.layers[0].biases, first.biases)
        assert not np.array_equal(trained.layers[1].weights, second.weights)
    x, t = xs[0], ts[0]
    stepped = step(model, backprop(model, forward(model, x), t), 0.5)
    assert np.array_equal(stepped.layers[0].weights, first.weights)


def line_model(w=0.5, b=0.0):
    """One input, one output, identity activation: net = out = w x + b."""
    return Model((Layer([[w]], [b], "identity"),))


XS = np.array([[1.0], [2.0], [-1.0]])
TS = np.array([[1.0], [0.0], [0.5]])


def test_online_updates_by_hand():
    # E = ½ (t − out)², ∂E/∂w = (out − t) x, ∂E/∂b = out − t, learning rate 0.1, w = 0.5, b = 0.
    # sample 1: out = 0.5;                  ∂E/∂w = −0.5,  ∂E/∂b = −0.5  → w = 0.55,  b = 0.05
    # sample 2: out = 0.55 × 2 + 0.05 = 1.15; ∂E/∂w = 2.3, ∂E/∂b = 1.15  → w = 0.32,  b = −0.065
    history = train(line_model(), XS[:2], TS[:2], Schedule(0.1, 1, batch_size=1))
    assert history.model.layers[0].weights[0, 0] == pytest.approx(0.32, abs=1e-15)
    assert history.model.layers[0].biases[0] == pytest.approx(-0.065, abs=1e-15)
    # the epoch's error: the mean of ½ (1 − 0.5)² = 0.125 and ½ (0 − 1.15)² = 0.66125
    assert history.errors == [pytest.approx(0.393125, abs=1e-15)]


def test_full_batch_update_by_hand():
    # Both gradients from w = 0.5, b = 0: sample 1 gives (−0.5, −0.5); sample 2: out = 1, gives (2, 1).
    # Their mean is (0.75, 0.25): w = 0.5 − 0.1 × 0.75 = 0.425, b = −0.025.
    history = train(line_model(), XS[:2], TS[:2], Schedule(0.1, 1, batch_size=None))
    assert history.model.layers[0].weights[0, 0] == pytest.approx(0.425, abs=1e-15)
    assert history.model.layers[0].biases[0] == pytest.approx(-0.025, abs=1e-15)


def test_mini_batch_updates_by_hand():
    # Batch {1, 2} as in the full batch above: w = 0.425, b = −0.025. Then batch {3} alone:
    # out = 0.425 × (−1) − 0.025 = −0.45; ∂E/∂w = (−0.45 − 0.5)(−1) = 0.95, ∂E/∂b = −0.95
    # → w = 0.425 − 0.095 = 0.33, b = −0.025 + 0.095 = 0.07.
    history = train(line_model(), XS, TS, Schedule(0.1, 1, batch_size=2))
    assert history.model.layers[0].weights[0, 0] == pytest.approx(0.33, abs=1e-15)
    assert history.model.layers[0].biases[0] == pytest.approx(0.07, abs=1e-15)


@pytest.mark.parametrize("output, loss", [("sigmoid", "half_sse"), ("softmax", "cross_entropy"),
                                          ("sigmoid", "binary_cross_entropy")])
def test_fast_training_loop_equals_the_recorded_stages(output, loss):
    # The training loop works on bare arrays for speed; it must give the numbers of the stages.
    rng = np.random.default_rng(5)
    model = random_model(rng, [4, 5, 3, 3], ["tanh", "sigmoid", output])
    xs, ts = rng.uniform(size=(6, 4)), np.eye(3)[rng.integers(3, size=6)]
    fast = train(model, xs, ts, Schedule(0.2, 3), loss)
    slow = model
    for _ in range(3):
        for x, t in zip(xs, ts, strict=True):
            slow = step(slow, backprop(slow, forward(slow, x), t, loss), 0.2)
    np.testing.assert_allclose(flatten(fast.model), flatten(slow), rtol=0, atol=1e-12)


def test_shuffling_is_deterministic_by_seed():
    rng = np.random.default_rng(1)
    model = random_model(rng, [3, 3, 2], ["sigmoid", "sigmoid"])
    xs, ts = rng.uniform(size=(8, 3)), np.eye(2)[rng.integers(2, size=8)]

    def run(seed, shuffle=True):
        return flatten(train(model, xs, ts, Schedule(0.5, 2, 1, shuffle, seed)).model)

    assert np.array_equal(run(1), run(1))
    assert not np.array_equal(run(1), run(2))
    assert np.array_equal(run(1, False), run(2, False))


def test_training_stops_at_the_target_error(article):
    history = train(article.model, article.train_inputs, article.train_targets, Schedule(0.5, 5000,
                                                                                           target_error=0.05))
    assert history.stopped_early and history.epochs_run < 5000
    assert history.errors[-1] <= 0.05 < history.errors[-2]


def test_divergence_is_caught():
    model = line_model(w=1.0)
    xs, ts = np.array([[10.0], [-10.0]]), np.array([[1.0], [-1.0]])
    with pytest.raises(TrainingDiverged) as caught:
        train(model, xs, ts, Schedule(5.0, 1000))
    assert caught.value.epoch >= 1 and caught.value.sample in (1, 2)


def test_interruption_keeps_the_last_whole_epoch(monkeypatch):
    rng = np.random.default_rng(2)
    model = random_model(rng, [3, 3, 2], ["sigmoid", "sigmoid"])
    xs, ts = rng.uniform(size=(3000, 3)), np.eye(2)[rng.integers(2, size=3000)]
    calls = {"n": 0}
    original = NumpyRun.train

    def interrupted(self, *args):  # Ctrl-C in the second stretch of samples of the third epoch
        calls["n"] += 1
        if calls["n"] == 2 * 3 + 2:
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(NumpyRun, "train", interrupted)
    with pytest.raises(TrainingInterrupted) as caught:
        train(model, xs, ts, Schedule(0.5, 10))
    monkeypatch.setattr(NumpyRun, "train", original)
    two = train(model, xs, ts, Schedule(0.5, 2))
    assert caught.value.epochs_done == 2 and caught.value.errors == two.errors
    assert np.array_equal(flatten(caught.value.model), flatten(two.model))


def test_progress_is_reported_by_the_clock_not_by_the_sample(monkeypatch):
    rng = np.random.default_rng(2)
    model = random_model(rng, [3, 3, 2], ["sigmoid", "sigmoid"])
    xs, ts = rng.uniform(size=(3000, 3)), np.eye(2)[rng.integers(2, size=3000)]
    seen = []

    def report(epoch, done, error):
        seen.append((epoch, done, error))

    train(model, xs, ts, Schedule(0.5, 5), on_progress=report)
    assert seen[-1][:2] == (5, 3000)  # a quick run: the last epoch only, however many samples
    clock = iter(range(10**6))  # a clock on which every reading is a second later: every stretch reports
    monkeypatch.setattr(loop.time, "monotonic", lambda: next(clock))
    seen.clear()
    history = train(model, xs, ts, Schedule(0.5, 2), on_progress=report)
    assert [(epoch, done) for epoch, done, _ in seen] == [(1, 1024), (1, 2048), (1, 3000), (2, 1024), (2, 2048),
                                                          (2, 3000)]
    assert [error for _, done, error in seen if done == 3000] == history.errors


def test_numerically_stable_functions():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            out = ACTIVATIONS["softmax"].function(np.array([1000.0, -1000.0, 999.0]))
            assert np.isfinite(out).all() and out.sum() == pytest.approx(1.0)
            for name in ("cross_entropy", "binary_cross_entropy"):
                loss = LOSSES[name]
                saturated, target = np.array([0.0, 1.0]), np.array([1.0, 0.0])
                assert np.isfinite(loss.terms(saturated, target)).all()
                assert np.isfinite(loss.derivative(saturated, target)).all()
            assert np.isfinite(ACTIVATIONS["tanh"].function(np.array([1e5, -1e5]))).all()


CONFIG = """\
inputs: 3
seed: 11
init: xavier
layers:
  - {size: 4, activation: tanh}
  - {size: 3, activation: softmax, bias: shared, freeze: none}
loss: cross_entropy
training: {learning_rate: 0.3, epochs: 5, batch_size: 2, shuffle: true, seed: 4}
classes: [a, b, c]
samples:
  - {inputs: [0.1, 0.2, 0.3], label: a}
  - {inputs: [0.9, 0.1, 0.4], label: b}
  - {inputs: [0.5, 0.5, 0.9], label: c}
  - {inputs: [0.2, 0.8, 0.1], label: a}
"""




def test_config_with_schemes_modes_and_save_round_trip(cli, tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(CONFIG)
    first = json.loads(cli("train", str(path), "--json").stdout)
    assert first == json.loads(cli("train", str(path), "--json").stdout)  # the same seeds, the same run
    assert first["batch_size"] == 2 and len(first["weights"]) == 12 + 4 + 12 + 1
    saved = tmp_path / "out" / "trained.yaml"
    saved.parent.mkdir()
    result = cli("train", str(path), "--save", str(saved))
    assert result.exit_code == 0, result.output
    text = saved.read_text()
    assert text.startswith("# Trained by pencilnet") and "init" not in yaml.safe_load(text)
    reloaded = json.loads(cli("forward", str(saved), "--json").stdout)
    from pencilnet import load

    model_after = unflatten(load(str(path)).model, np.array(list(first["weights"].values())))
    assert reloaded["out"]["y1"] == pytest.approx(float(forward(model_after, [0.1, 0.2, 0.3]).output[0]),
                                                  abs=0)


def test_divergence_exits_3_and_leaves_the_saved_file(cli, tmp_path):
    path = tmp_path / "wild.yaml"
    path.write_text("inputs: 1\nlayers: [{weights: [[1.0]], biases: [0.0], activation: identity}]\n"
                    "training: {learning_rate: 5, epochs: 1000}\n"
                    "samples: [{inputs: [10], target: [1]}, {inputs: [-10], target: [-1]}]\n")
    keep = tmp_path / "keep.yaml"
    keep.write_text("old contents\n")
    result = cli("train", str(path), "--save", str(keep), "--force")  # --force: not a config pencilnet saved
    assert result.exit_code == 3
    assert "training diverged in epoch" in result.stderr and "learning rate (5.0) is likely too large" in result.stderr
    assert keep.read_text() == "old contents\n" and "Traceback" not in result.output


def test_interrupted_training_saves_the_last_whole_epoch(cli, tmp_path, monkeypatch):
    path = tmp_path / "net.yaml"
    path.write_text(CONFIG.replace("epochs: 5", "epochs: 50"))
    calls = {"n": 0}
    original = NumpyRun.train

    def interrupted(self, *args):
        calls["n"] += 1
        if calls["n"] == 8:  # all four samples in one stretch an epoch: in the eighth epoch
            raise KeyboardInterrupt
        return original(self, *args)

    monkeypatch.setattr(NumpyRun, "train", interrupted)
    saved = tmp_path / "saved.yaml"
    result = cli("train", str(path), "--save", str(saved))
    assert result.exit_code == 130
    assert "interrupted after 7 whole epoch(s)" in result.stderr and "Traceback" not in result.output
    monkeypatch.setattr(NumpyRun, "train", original)
    seven = json.loads(cli("train", str(path), "--json", "--epochs", "7").stdout)["weights"]
    assert json.loads(cli("step", str(saved), "--json").stdout)["previous"] == pytest.approx(seven, abs=0)


def test_pencil_training_is_online_only(cli):
    result = cli("train", "--pencil", "4", "--set", "training.batch_size=2")
    assert result.exit_code == 2 and "expected 1 with pencil arithmetic" in result.stderr
    data = json.loads(cli("train", "--pencil", "4", "--json", "--epochs", "2").stdout)
    assert data["arithmetic"] == "pencil 4" and data["errors"][0] == pytest.approx(0.211094825, abs=1e-12)
