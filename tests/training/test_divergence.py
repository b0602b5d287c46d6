"""Divergence is noticed from the parameters as well as from the error, in every path of the
training loop (NumPy online and in batches, compiled, pencil), and reported where it happened."""

import subprocess
import sys

import numpy as np
import pytest
from helpers import commands_in_one_process

from pencilnet.core.arithmetic import Pencil
from pencilnet.core.model import Layer, Model, flatten
from pencilnet.core.optimizers import LearningRateSchedule
from pencilnet.training import loop
from pencilnet.training.loop import PARAMETER_BOUND, Schedule, TrainingDiverged, train

PATHS = ["online", "batches", "compiled", "pencil"]


def diverging(path, model, xs, ts, rate, epochs, monkeypatch, loss="half_sse"):
    """Train along `path` and return the TrainingDiverged it raises."""
    monkeypatch.setenv("PENCILNET_NUMBA", "1" if path == "compiled" else "0")
    if path == "compiled":
        pytest.importorskip("numba")
        monkeypatch.setattr(loop, "COMPILED_FROM", 0)
    size = 2 if path == "batches" else 1
    arithmetic = Pencil(4) if path == "pencil" else loop.EXACT
    with pytest.raises(TrainingDiverged) as caught:
        train(model, xs, ts, Schedule(rate, epochs, size), loss, arithmetic)
    return caught.value


@pytest.mark.parametrize("path", PATHS)
def test_weights_beyond_the_bound_with_a_finite_error(path, monkeypatch):
    # out = w x with x = 1, target 0, the bias frozen at 0: ∂E/∂w = w, so at learning rate 11 each
    # update makes w (1 − 11) w = −10 w, exactly (powers of ten, which pencil rounding keeps).
    # Update k leaves w = (−10)^k: beyond 1e12 first at k = 13, with E = ½ w² still finite (it
    # stays finite for all 20 epochs; before the check, training ended with w = 1e60 and exit 0).
    # Online, 3 updates an epoch: update 13 is epoch 5's first, after sample 1; the last whole
    # epoch, 4, ends at w = (−10)^12. In batches of 2, 2 updates an epoch (samples 1–2, then 3):
    # update 13 is epoch 7's first, after sample 2; epoch 6 ends at w = (−10)^12 too.
    model = Model((Layer([[1.0]], [0.0], "identity", frozen_biases=True),))
    xs, ts = np.ones((3, 1)), np.zeros((3, 1))
    broke = diverging(path, model, xs, ts, 11.0, 20, monkeypatch)
    assert broke.cause == "weights" and broke.largest == 1e13 > PARAMETER_BOUND
    assert (broke.epoch, broke.sample) == ((7, 2) if path == "batches" else (5, 1))
    assert flatten(broke.model).tolist() == [1e12, 0.0]
    assert "beyond ±1e+12 (the largest: 1e+13)" in str(broke)


@pytest.mark.parametrize("path", ["online", "batches", "compiled"])
def test_infinite_weights_with_a_finite_error(path, monkeypatch):
    # A sigmoid output with binary cross-entropy: ∂E/∂net = out − target = 0.5 − 1 at w = 0, so the
    # first step for w is −1e308 × (−0.5) × 10 = 5e308: it overflows, w = +inf. Then out = 1 = the
    # target: the (clipped) error stays about 1e-15 and the weight stays infinite. Before the
    # check, training ended with exit 0 and w = inf.
    model = Model((Layer([[0.0]], [0.0], "sigmoid"),))
    xs, ts = np.full((2, 1), 10.0), np.ones((2, 1))
    broke = diverging(path, model, xs, ts, 1e308, 3, monkeypatch, "binary_cross_entropy")
    assert broke.cause == "weights" and (broke.epoch, broke.sample) == (1, 2 if path == "batches" else 1)
    assert broke.largest == np.inf and "a weight is no longer a finite number" in str(broke)
    assert flatten(broke.model).tolist() == [0.0, 0.0]  # no whole epoch: the starting weights


@pytest.mark.parametrize("path", PATHS)
def test_an_error_that_overflows_first_is_reported_as_the_error(path, monkeypatch):
    # Sample 2 has x = 1e200: out ≈ 0.5e200 and E = ½ out² = inf, before its update. Online, the
    # update from sample 1 (x = 1, target 0) leaves w = 0.5 − 0.1 × 0.5 = 0.45, in bounds; in a
    # batch of both, the weights are still the starting ones. Sample 2's update then takes w to
    # −inf (its gradient out × x overflows), but its error came first. In pencil arithmetic that
    # step rounds an infinity, which decimal refuses (InvalidOperation escaped before).
    model = Model((Layer([[0.5]], [0.0], "identity", frozen_biases=True),))
    xs, ts = np.array([[1.0], [1e200]]), np.zeros((2, 1))
    broke = diverging(path, model, xs, ts, 0.1, 3, monkeypatch)
    assert (broke.cause, broke.epoch, broke.sample) == ("error", 1, 2)
    assert "the error is no longer a finite number" in str(broke)


def test_pencil_arithmetic_meeting_an_infinity_is_divergence():
    # x = 1e300: out = 0.5e300, a finite number pencil arithmetic rounds; its gradient
    # (out − 0) × x overflows, and the step carries an infinity. Sample 1's error is already inf.
    model = Model((Layer([[0.5]], [0.0], "identity"),))
    with pytest.raises(TrainingDiverged) as caught:
        train(model, np.array([[1e300]]), np.zeros((1, 1)), Schedule(0.1, 2), arithmetic=Pencil(4))
    assert (caught.value.epoch, caught.value.sample, caught.value.cause) == (1, 1, "error")


def test_divergence_in_a_shuffled_run_names_the_sample_in_the_data(monkeypatch):
    # As in the first test, but shuffled: the sample named is the data's, not the shuffled position.
    monkeypatch.setenv("PENCILNET_NUMBA", "0")
    model = Model((Layer([[1.0]], [0.0], "identity", frozen_biases=True),))
    xs, ts = np.ones((3, 1)), np.zeros((3, 1))
    with pytest.raises(TrainingDiverged) as caught:
        train(model, xs, ts, Schedule(11.0, 20, 1, shuffle=True, seed=3))
    rng = np.random.default_rng(3)
    orders = [rng.permutation(3) for _ in range(5)]
    assert (caught.value.epoch, caught.value.sample) == (5, int(orders[4][0]) + 1)


RELU = """\
inputs: 1
layers:
  - {weights: [[1.0e-160]], biases: [0.0], activation: relu}
  - {weights: [[1.0e+160]], biases: [0.0], activation: relu}
training: {learning_rate: 1.0e+152, epochs: 5}
samples: [{inputs: [1], target: [1]}, {inputs: [2], target: [0]}]
"""


def test_cli_reports_weights_that_blow_up_and_keeps_the_saved_file(cli, tmp_path):
    # Issue 11's example: before, training ended with exit 0 and ±inf weights saved.
    path, keep = tmp_path / "relu.yaml", tmp_path / "keep.yaml"
    path.write_text(RELU)
    keep.write_text("old contents\n")
    result = cli("train", str(path), "--save", str(keep), "--force")
    assert result.exit_code == 3, result.output
    assert "training diverged in epoch 1 at sample 1: the weights are beyond ±1e+12" in result.stderr
    assert keep.read_text() == "old contents\n" and "Traceback" not in result.output


def test_cli_pencil_training_into_an_infinity_exits_3(cli, tmp_path):
    # Identity layers at learning rate 1e100: the weights pass 1e100 at the first update and
    # rounding an infinity to 4 places raised decimal.InvalidOperation (a traceback) before.
    path = tmp_path / "wild.yaml"
    path.write_text("inputs: 2\n"
                    "layers:\n"
                    "  - {weights: [[0.5, -0.3], [0.2, 0.4]], biases: [0.1, -0.1], activation: identity}\n"
                    "  - {weights: [[0.3, 0.1], [-0.2, 0.5]], biases: [0.0, 0.2], activation: identity}\n"
                    "training: {learning_rate: 1.0e+100, epochs: 5}\n"
                    "samples: [{inputs: [1, 2], target: [3, 1]}, {inputs: [2, 1], target: [-1, 0]}]\n")
    result = cli("train", str(path), "--pencil", "4")
    assert result.exit_code == 3, result.output
    assert "training diverged in epoch 1 at sample 1: the weights are beyond ±1e+12" in result.stderr
    assert "Traceback" not in result.output


def pencilnet(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pencilnet", *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("path", PATHS)
def test_a_schedule_past_a_floats_range_is_a_divergence(path, monkeypatch):
    # rate 1e-300 × (1e300)^(epoch − 1): 1e-300, 1.0, then 1e300 ** 2, past a float's range (Python
    # raised OverflowError there). Epoch 3 never starts: the model after epoch 2 is the last good one.
    model = Model((Layer([[0.5]], [0.0], "sigmoid"),))
    xs, ts = np.ones((2, 1)), np.ones((2, 1))
    monkeypatch.setenv("PENCILNET_NUMBA", "0")
    arithmetic = Pencil(4) if path == "pencil" else loop.EXACT
    schedule = Schedule(1e-300, 5, 2 if path == "batches" else 1,
                        lr_schedule=LearningRateSchedule("exponential", gamma=1e300))
    assert schedule.rate(3) == float("inf") and schedule.rate(2) == 1.0
    with pytest.raises(TrainingDiverged) as caught:
        train(model, xs, ts, schedule, "half_sse", arithmetic)
    assert (caught.value.epoch, caught.value.cause) == (3, "rate") and "beyond a float's range" in caught.value.reason
    assert np.isfinite(flatten(caught.value.model)).all()


def test_a_schedule_past_a_floats_range_exits_3_with_one_line():
    found = pencilnet("train", "--set", "training.learning_rate=1e-300", "--epochs", "5",
                      "--set", "training.lr_schedule={name: step, step_size: 1, gamma: 1e300}")
    assert found.returncode == 3, found.stderr
    [line] = found.stderr.strip().splitlines()
    assert "epoch 3" in line and "rate for this epoch is beyond a float's range" in line


OVERFLOWING = ["--set", "layers[0].weights=[[10, 10], [10, 10]]", "--set", "samples=[{inputs: [1e308, 1e308], "
               "target: [0, 1]}]"]


STAGES = ["forward", "error", "backprop", "step", "walkthrough"]


@pytest.fixture(scope="module")
def through_an_overflow():
    """Each command on the overflowing sample in pencil and in exact arithmetic, as real commands, all in one
    process (twelve processes cost 3 s of CPU to start): {(command, arithmetic): its CompletedProcess}."""
    commands = {(command, "pencil"): [command, "--pencil", "4", *OVERFLOWING] for command in STAGES}
    commands |= {(command, "exact"): [command, "--exact", *OVERFLOWING] for command in STAGES}
    commands |= {("train", "pencil"): ["train", "--pencil=4", "--json", *OVERFLOWING],
                 ("train", "exact"): ["train", "--exact", "--json", *OVERFLOWING]}
    found = commands_in_one_process(*commands.values(), timeout=120, stdin=subprocess.DEVNULL)
    return dict(zip(commands, found, strict=True))


@pytest.mark.parametrize("command", STAGES)
def test_pencil_arithmetic_carries_an_overflowed_intermediate_as_exact_arithmetic_does(through_an_overflow, command):
    # net_h1 = 1e308 × 10 + 1e308 × 10 + 0.8 overflows to inf; σ(inf) = 1. Rounding inf to 4 places
    # raised decimal.InvalidOperation (a traceback, exit 1); it is carried on as inf, as exact arithmetic does.
    pencil, exact = through_an_overflow[command, "pencil"], through_an_overflow[command, "exact"]
    assert pencil.returncode == exact.returncode == 0, pencil.stderr
    assert "Traceback" not in pencil.stderr and ("inf" in pencil.stdout or command != "forward")


def test_pencil_training_through_an_overflowed_intermediate_ends_as_exact_training_does(through_an_overflow):
    # The hidden outputs saturate at 1, so every gradient reaching the first layer is 0 (0 × 1e308 = 0)
    # and the output layer trains as usual: both arithmetics finish, with the same first-layer weights.
    for arithmetic in ("pencil", "exact"):
        found = through_an_overflow["train", arithmetic]
        assert found.returncode == 0, found.stderr
