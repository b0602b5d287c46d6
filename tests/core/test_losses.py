"""Losses where they used to give wrong numbers: saturated outputs, targets that do not sum to 1,
losses on outputs they are not defined on, one sigmoid output as two classes, and gradcheck's
own verdict. Each against a closed form or a hand calculation written in the comments, and
central finite differences at points where they resolve."""

import math

import numpy as np
import pytest
from helpers import analytic_gradient, numeric_gradient

from pencilnet.core.gradcheck import _verdict, gradcheck
from pencilnet.core.losses import LOSSES, PAIRS, log_out, pairing_problem, target_problem, terms_from_net
from pencilnet.core.metrics import accuracy, classes_of, counts, predict
from pencilnet.core.model import Layer, Model
from pencilnet.core.stages import backprop, chain, error, forward

ACTIVATIONS = ["sigmoid", "tanh", "relu", "identity", "softmax"]


def one_layer(weights, biases, activation):
    return Model((Layer(np.array(weights, dtype=float), np.array(biases, dtype=float), activation),), 1.0)


def gradient_of(model, x, target, loss) -> dict[str, float]:
    grads = backprop(model, forward(model, x), target, loss)
    return {row.name: row.gradient for row in chain(model, grads)}


# ---- 3. saturated outputs: E, ∂E/∂w and finite differences agree -------------------------------


def test_sigmoid_cross_entropy_at_an_output_of_4e_18():
    # One input x = 40, one sigmoid output, w1 = −1, bw1 = 0: net = −40, out = σ(−40) ≈ 4.25e-18.
    # E = −ln σ(−40) = ln(1 + e^40) = 40 + ln(1 + e^−40) ≈ 40.
    # ∂E/∂net = −t (1 − σ(net)) = −(1 − 4.25e-18); ∂E/∂w1 = ∂E/∂net × x = −40, ∂E/∂bw1 = −1.
    model = one_layer([[-1.0]], [0.0], "sigmoid")
    x, t = np.array([40.0]), np.array([1.0])
    assert forward(model, x).output[0] == pytest.approx(4.248e-18, rel=1e-3)
    assert error(forward(model, x), t, "cross_entropy").total == pytest.approx(math.log1p(math.exp(40)), rel=1e-15)
    found = gradient_of(model, x, t, "cross_entropy")
    assert found["w1"] == pytest.approx(-40.0, rel=1e-12)
    assert found["bw1"] == pytest.approx(-1.0, rel=1e-12)
    np.testing.assert_allclose(analytic_gradient(model, x, t, "cross_entropy"),
                               numeric_gradient(model, x, t, "cross_entropy", h=1e-5), rtol=1e-6)
    checks = gradcheck(model, x, t, "cross_entropy").checks
    assert all(c.verdict == "ok" for c in checks), checks  # checked, not excused by roundoff


def test_sigmoid_binary_cross_entropy_saturated_towards_target_1():
    # One sigmoid output, net = 39.14394658089878 (x = 0, bw1 = net), target 1: out = σ(net)
    # = 1 − 1.0e-17 rounds to 1.0, so out − target is 0. The true ∂E/∂net = σ(net) − 1
    # = −σ(−net) = −1/(1 + e^net), here −1.0e-17; ∂E/∂bw1 = ∂E/∂net × bias input 1.
    # The reference below is that formula in 50-digit decimal arithmetic (no float in it).
    from decimal import Decimal, localcontext

    net = 39.14394658089878
    with localcontext() as context:
        context.prec = 50
        expected = float(-1 / (1 + Decimal(net).exp()))
    assert expected == pytest.approx(-1.0e-17, rel=0.01, abs=0)
    model = one_layer([[0.0]], [net], "sigmoid")
    x, t = np.array([0.0]), np.array([1.0])
    assert forward(model, x).output[0] == 1.0  # rounded: out − target would give 0
    assert error(forward(model, x), t, "binary_cross_entropy").total == pytest.approx(-expected, rel=1e-12, abs=0)
    found = gradient_of(model, x, t, "binary_cross_entropy")
    assert found["bw1"] == pytest.approx(expected, rel=1e-12, abs=0)
    # towards target 0 it is out itself, and between the two both ways agree
    assert gradient_of(one_layer([[0.0]], [-net], "sigmoid"), x, np.array([0.0]),
                       "binary_cross_entropy")["bw1"] == pytest.approx(-expected, rel=1e-12, abs=0)
    for value, target in [(0.3, 1.0), (-2.0, 0.25), (5.0, 0.0)]:
        sigma = 1 / (1 + math.exp(-value))
        assert gradient_of(one_layer([[0.0]], [value], "sigmoid"), x, np.array([target]),
                           "binary_cross_entropy")["bw1"] == pytest.approx(sigma - target, rel=1e-13, abs=0)


def test_softmax_binary_cross_entropy_at_an_output_of_4e_18():
    # x = 20, two softmax outputs, w = [−2, 0], no biases: net = [−40, 0], so with d = net1 − net2,
    # p1 = σ(d) ≈ 4.25e-18 and 1 − p2 = p1. Target [1, 0]:
    # E = −ln p1 − ln(1 − p2) = −2 ln σ(−40) ≈ 80;
    # ∂E/∂d = −2 (1 − σ(d)) ≈ −2, so ∂E/∂net1 = −2, ∂E/∂net2 = +2 and ∂E/∂w1 = −2 × 20 = −40, ∂E/∂w2 = 40.
    model = one_layer([[-2.0, 0.0]], [0.0, 0.0], "softmax")
    x, t = np.array([20.0]), np.array([1.0, 0.0])
    assert error(forward(model, x), t, "binary_cross_entropy").total == pytest.approx(
        2 * math.log1p(math.exp(40)), rel=1e-15)
    found = gradient_of(model, x, t, "binary_cross_entropy")
    assert found["w1"] == pytest.approx(-40.0, rel=1e-12)
    assert found["w2"] == pytest.approx(40.0, rel=1e-12)
    assert found["bw1"] == pytest.approx(-2.0, rel=1e-12)
    np.testing.assert_allclose(analytic_gradient(model, x, t, "binary_cross_entropy"),
                               numeric_gradient(model, x, t, "binary_cross_entropy", h=1e-5), rtol=1e-6)
    assert all(c.verdict == "ok" for c in gradcheck(model, x, t, "binary_cross_entropy").checks)


@pytest.mark.parametrize("net", [-800.0, -40.0, -1.0, 0.0, 3.0, 40.0, 800.0])
def test_log_sigmoid_and_log_softmax_at_any_saturation(net):
    # ln σ(n) = −ln(1 + e^−n): for n = −800 that is −800 exactly in float64 (e^−800 is far below ε).
    log_p, log_q = log_out("sigmoid", np.array([net]))
    assert log_p[0] == pytest.approx(-math.log1p(math.exp(-net)) if net > -700 else net, rel=1e-15)
    assert log_q[0] == pytest.approx(-math.log1p(math.exp(net)) if net < 700 else -net, rel=1e-15)
    # A two-output softmax with nets [n, 0] is σ(n) and σ(−n): the same numbers.
    log_p2, log_q2 = log_out("softmax", np.array([net, 0.0]))
    np.testing.assert_allclose(log_p2, [log_p[0], log_q[0]], rtol=1e-14)
    np.testing.assert_allclose(log_q2, [log_q[0], log_p[0]], rtol=1e-14)


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
@pytest.mark.parametrize("activation", ["sigmoid", "softmax"])
def test_saturated_cross_entropies_agree_with_finite_differences(activation, loss):
    # Nets of ±30 to ±45 put outputs within 1e-13 to 1e-20 of 0 or 1, where clipping used to
    # cap E at 34.5 and bend its derivative; every term is a closed form of net now.
    rng = np.random.default_rng(3)
    model = Model((Layer(rng.normal(0, 1, (3, 4)), rng.normal(0, 1, 4), "tanh"),
                   Layer(np.array([[30.0, -35.0, 0.0], [-12.0, 20.0, 3.0], [0.0, 5.0, -40.0], [8.0, -6.0, 2.0]]),
                         np.zeros(3), activation)), 1.0)
    x = np.array([0.4, -0.3, 0.9])
    for t in ([1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]):
        t = np.array(t)
        np.testing.assert_allclose(analytic_gradient(model, x, t, loss), numeric_gradient(model, x, t, loss, h=1e-5),
                                   rtol=1e-5, atol=1e-7)


# ---- 2. softmax + cross_entropy with targets that do not sum to 1 -----------------------------


def test_softmax_cross_entropy_with_two_labels():
    # One input x = 1, three softmax outputs, all weights and biases 0: net = 0, out = 1/3 each.
    # E = −Σ t ln(out) = −2 ln(1/3) = 2 ln 3. ∂E/∂net_k = out_k Σt − t_k = 2/3 − t_k:
    # [−1/3, −1/3, 2/3] for t = [1, 1, 0] (the out − t shortcut would give [−2/3, −2/3, 1/3]).
    model = one_layer(np.zeros((1, 3)), np.zeros(3), "softmax")
    x, t = np.array([1.0]), np.array([1.0, 1.0, 0.0])
    assert error(forward(model, x), t, "cross_entropy").total == pytest.approx(2 * math.log(3), rel=1e-15)
    found = gradient_of(model, x, t, "cross_entropy")
    np.testing.assert_allclose([found["bw1"], found["bw2"], found["bw3"]], [-1 / 3, -1 / 3, 2 / 3], rtol=1e-14)
    np.testing.assert_allclose(analytic_gradient(model, x, t, "cross_entropy"),
                               numeric_gradient(model, x, t, "cross_entropy"), rtol=1e-7, atol=1e-9)


def test_softmax_cross_entropy_with_an_all_zero_target_has_no_gradient():
    # E = −Σ 0 × ln(out) = 0 whatever the weights, so every gradient is 0 (out × Σt − t = 0).
    model = one_layer([[0.3, -0.2]], [0.1, 0.4], "softmax")
    x, t = np.array([0.7]), np.zeros(2)
    assert error(forward(model, x), t, "cross_entropy").total == 0.0
    assert all(v == 0.0 for v in gradient_of(model, x, t, "cross_entropy").values())


def test_softmax_cross_entropy_refuses_targets_that_are_not_one_distribution():
    assert target_problem("softmax", "cross_entropy", np.eye(3)) is None
    assert target_problem("softmax", "cross_entropy", [[0.2, 0.3, 0.5]]) is None  # a soft target is fine
    expected, found = target_problem("softmax", "cross_entropy", [[1, 0, 0], [1, 1, 0]])
    assert "summing to 1" in expected and "binary_cross_entropy" in expected
    assert found == "sample 2's target [1.0, 1.0, 0.0] (summing to 2)"
    assert target_problem("sigmoid", "binary_cross_entropy", [[1, 1, 0]]) is None  # several labels: its job


# ---- 4. losses on outputs they are not defined on --------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss", list(LOSSES))
def test_pairs(activation, loss):
    problem = pairing_problem(activation, loss)
    # the squared errors and `output` (the outputs themselves, differentiated) take any output
    defined = loss in ("half_sse", "mse", "output") or activation in ("sigmoid", "softmax")
    assert (problem is None) == defined
    if problem:
        assert "sigmoid or softmax" in problem and "half_sse or mse" in problem and activation in problem
    assert (PAIRS[loss] is None or activation in PAIRS[loss]) == defined


# ---- 1. one sigmoid output: two classes and a threshold ----------------------------------------


def test_one_output_means_two_classes_split_at_the_threshold():
    outputs = np.array([[0.00169], [0.7], [0.5], [0.49], [0.9]])
    targets = np.array([[0.0], [1.0], [0.0], [1.0], [1.0]])
    # At 0.5: predicted 0, 1, 1, 0, 1 (0.5 itself is positive); actual 0, 1, 0, 1, 1.
    # Right: samples 1, 2, 5. counts[actual, predicted]: (0,0) 1, (1,1) 2, (0,1) 1, (1,0) 1.
    assert classes_of(outputs).tolist() == [0, 1, 1, 0, 1]
    assert counts(outputs, targets).tolist() == [[1, 1], [1, 2]]
    # At 0.8: predicted 0, 0, 0, 0, 1; right: samples 1, 3, 5; counts (0,0) 2, (1,0) 2, (1,1) 1.
    assert classes_of(outputs, 0.8).tolist() == [0, 0, 0, 0, 1]
    assert counts(outputs, targets, 0.8).tolist() == [[2, 0], [2, 1]]
    # Several outputs: the largest, as before.
    assert classes_of([[0.2, 0.7, 0.1], [0.5, 0.1, 0.4]]).tolist() == [1, 0]


def test_accuracy_of_one_sigmoid_output():
    # w1 = 1, bw1 = 0: out = σ(x). x = −2, −0.1, 0.1, 3 give 0.12, 0.475, 0.525, 0.95.
    # Targets 0, 1, 1, 1: at 0.5 samples 1, 3, 4 are right (3 of 4); the argmax of one output
    # would call every one of them positive (2 of 4... or 100% with argmax on both sides).
    model = one_layer([[1.0]], [0.0], "sigmoid")
    inputs, targets = np.array([[-2.0], [-0.1], [0.1], [3.0]]), np.array([[0.0], [1.0], [1.0], [1.0]])
    assert accuracy(model, inputs, targets) == 0.75
    found = predict(model, inputs, targets)
    assert found.predicted.tolist() == [0, 0, 1, 1] and found.actual.tolist() == [0, 1, 1, 1]
    assert found.confusion.tolist() == [[1, 0], [1, 2]] and found.accuracy == 0.75
    assert predict(model, [[-6.38]]).predicted.tolist() == [0]  # σ(−6.38) ≈ 0.00169: the negative class


# ---- gradcheck: a resolution larger than the gradient is not a pass ---------------------------


def test_a_resolution_larger_than_the_gradient_is_not_a_pass():
    # Issue 12's saturated case: backprop 0.170, finite differences 40 ± 2.2e4: not a pass.
    assert _verdict(0.170, 40.0, 2.2e4, False, 1e-6) == "not resolved"
    # Within a resolution far smaller than the gradient: roundoff, a pass.
    assert _verdict(40.0, 40.0 + 1e-9, 1e-8, False, 1e-12) == "within roundoff"
    # Equal values pass whatever the resolution: there is nothing to resolve.
    assert _verdict(0.0, 0.0, 1e-9, False, 1e-6) == "ok"


def test_terms_from_net_match_the_terms_from_out_where_out_keeps_its_digits():
    rng = np.random.default_rng(5)
    net = rng.normal(0, 2, (6, 3))
    t = np.eye(3)[rng.integers(0, 3, 6)]
    for activation in ("sigmoid", "softmax"):
        from pencilnet.core.activations import ACTIVATIONS as TABLE

        out = TABLE[activation].function(net)
        for loss in ("cross_entropy", "binary_cross_entropy"):
            np.testing.assert_allclose(terms_from_net(loss, activation, net, out, t), LOSSES[loss].terms(out, t),
                                       rtol=1e-12, atol=1e-15)


# ---- regression: no classes, an error, R² and a mean absolute error -----------------------------


def test_regression_scores_by_hand():
    from pencilnet.core.metrics import is_regression, scores

    # outputs 1, 2, 4 against targets 1, 3, 2 (mean 2): residuals 0, −1, 2 → Σ² = 5, Σ|·| = 3;
    # spread Σ(t − 2)² = 1 + 1 + 0 = 2, so R² = 1 − 5/2 = −1.5; half_sse's mean E = ½ × 5 / 3.
    found = scores(np.array([[1.0], [2.0], [4.0]]), np.array([[1.0], [3.0], [2.0]]), "half_sse")
    assert found.r2 == pytest.approx(-1.5) and found.mean_absolute_error == pytest.approx(1.0)
    assert found.error == pytest.approx(5 / 6)
    assert is_regression(one_layer([[1.0]], [0.0], "identity"), "mse")
    assert not is_regression(one_layer([[1.0]], [0.0], "sigmoid"), "half_sse")
    # A regression's predictions have no classes.
    found = predict(one_layer([[2.0]], [1.0], "identity"), [[1.0], [2.0]], [[3.0], [4.0]], loss="mse")
    assert found.predicted is None and found.confusion is None
    # outputs 3, 5 against 3, 4: R² = 1 − 1 / 0.5 = −1, mean absolute error ½, mse's mean E = (0 + 1) / 2.
    assert (found.scores.r2, found.scores.mean_absolute_error, found.scores.error) == (-1.0, 0.5, 0.5)
