"""Optimizer steps on a function instead of a network, worked by hand."""

import pytest

from pencilnet.core.arithmetic import arithmetic_of
from pencilnet.core.errors import Diverged
from pencilnet.core.objective import objective_of, steps
from pencilnet.core.optimizers import LearningRateSchedule, Optimizer

QUADRATIC = objective_of("(theta - 4)**2", {"theta": 10})


def test_sgd_on_a_quadratic_by_hand():
    # ∂f/∂θ = 2(θ − 4): 12 at 10, so θ₁ = 10 − 0.1·12 = 8.8; then 9.6, θ₂ = 8.8 − 0.96 = 7.84;
    # then 7.68, θ₃ = 7.84 − 0.768 = 7.072. f: 36, then 4.8² = 23.04.
    run = steps(QUADRATIC, Optimizer(), 0.1, 3)
    assert [s.gradient[0] for s in run] == pytest.approx([12, 9.6, 7.68], rel=1e-14)
    assert [s.new[0] for s in run] == pytest.approx([8.8, 7.84, 7.072], rel=1e-14)
    assert run[0].value == 36 and run[0].value_after == pytest.approx(23.04, rel=1e-14)


def test_momentum_on_a_quadratic_by_hand():
    # b₁ = g₁ = 12, θ₁ = 10 − 1.2 = 8.8; g₂ = 9.6, b₂ = 0.9·12 + 9.6 = 20.4, θ₂ = 8.8 − 2.04 = 6.76;
    # g₃ = 2·2.76 = 5.52, b₃ = 0.9·20.4 + 5.52 = 23.88, θ₃ = 6.76 − 2.388 = 4.372
    run = steps(QUADRATIC, Optimizer("sgd", momentum=0.9), 0.1, 3)
    assert [s.update.values["velocity"][0] for s in run] == pytest.approx([12, 20.4, 23.88], rel=1e-14)
    assert [s.new[0] for s in run] == pytest.approx([8.8, 6.76, 4.372], rel=1e-14)


def test_adams_first_step_moves_by_the_learning_rate():
    # on θ² from 3: g = 6, m = 0.6, v = 0.036, m̂ = 6, v̂ = 36: m̂/√v̂ = 1, so θ₁ = 3 − 0.1 (eps aside)
    run = steps(objective_of("theta^2", {"theta": 3}), Optimizer("adam"), 0.1, 1)
    values = run[0].update.values
    assert (values["m"][0], values["v"][0]) == pytest.approx((0.6, 0.036), rel=1e-14)
    assert (values["mhat"][0], values["vhat"][0]) == pytest.approx((6, 36), rel=1e-14)
    assert run[0].new[0] == pytest.approx(2.9, abs=1e-9)


def test_two_parameters_and_a_schedule():
    # f = θ1² + 10θ2² from (1, 1): g = (2, 20); lr 0.1 then 0.05 (step schedule, γ = 0.5 every step):
    # θ = (0.8, −1); then g = (1.6, −20), θ = (0.8 − 0.08, −1 + 1) = (0.72, 0)
    objective = objective_of("theta1**2 + 10*theta2**2", {"theta1": 1, "theta2": 1})
    run = steps(objective, Optimizer(), 0.1, 2, LearningRateSchedule("step", 1, 0.5))
    assert list(run[0].new) == pytest.approx([0.8, -1], rel=1e-14)
    assert list(run[1].new) == pytest.approx([0.72, 0], abs=1e-14)
    assert run[1].update.learning_rate == 0.05


def test_pencil_arithmetic_carries_the_parameters():
    # pencil 2: θ starts as 10.12 (not 10.123); g = 2·6.12 = 12.24; 10.12 − 1.224 = 8.896 → 8.90.
    # exact: 10.123 − 0.1·12.246 = 8.8984
    objective = objective_of("(theta - 4)**2", {"theta": 10.123})
    assert steps(objective, Optimizer(), 0.1, 1, arithmetic=arithmetic_of(2))[0].new[0] == 8.9
    assert steps(objective, Optimizer(), 0.1, 1)[0].new[0] == pytest.approx(8.8984, rel=1e-14)


def test_leaving_the_domain_is_divergence():
    # ∂/∂x log x = 1/x = 2 at 0.5: x₁ = 0.5 − 1·2 = −1.5, where log is not a number
    with pytest.raises(Diverged, match=r"diverged before step 2: at x = -1.5, f = nan"):
        steps(objective_of("log(x)", {"x": 0.5}), Optimizer(), 1.0, 3)
