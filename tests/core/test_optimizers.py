"""Optimizers against two oracles: updates worked by hand in the comments, and an independent
NumPy implementation written here from torch.optim's documented pseudocode (with the operations
in the order torch's own code performs them, so agreement is not shared rounding)."""

import numpy as np
import pytest
from helpers import torch_like

import pencilnet
from pencilnet.core.arithmetic import EXACT, Pencil
from pencilnet.core.errors import InputError
from pencilnet.core.model import Layer, Model, flatten
from pencilnet.core.optimizers import LearningRateSchedule, Optimizer, start, update
from pencilnet.core.stages import gradient_vector, walks


def run(optimizer, gradients, lr, theta=1.0):
    """θ after each of the given gradients, starting from `theta`, for a one-parameter vector."""
    state, values, found = start(optimizer, 1), np.array([theta]), []
    for g in gradients:
        step = update(optimizer, values, np.array([g]), state, lr)
        values, state = step.values["new"], step.after
        found.append(step)
    return found


def test_sgd_with_momentum_by_hand():
    # lr 0.1, μ 0.9, θ0 = 1, gradients 0.5 then 0.3:
    # step 1: b = g = 0.5 (torch sets the buffer to the first gradient), θ = 1 − 0.1 × 0.5 = 0.95
    # step 2: b = 0.9 × 0.5 + 0.3 = 0.75, θ = 0.95 − 0.1 × 0.75 = 0.875
    first, second = run(Optimizer("sgd", momentum=0.9), [0.5, 0.3], 0.1)
    assert first.values["velocity"][0] == pytest.approx(0.5) and first.values["new"][0] == pytest.approx(0.95)
    assert second.values["velocity"][0] == pytest.approx(0.75) and second.values["new"][0] == pytest.approx(0.875)


def test_sgd_nesterov_dampening_and_weight_decay_by_hand():
    # Nesterov: step 1 b = 0.5, g = 0.5 + 0.9 × 0.5 = 0.95, θ = 1 − 0.095 = 0.905;
    #           step 2 b = 0.45 + 0.3 = 0.75, g = 0.3 + 0.675 = 0.975, θ = 0.905 − 0.0975 = 0.8075
    steps = run(Optimizer("sgd", momentum=0.9, nesterov=True), [0.5, 0.3], 0.1)
    assert [s.values["new"][0] for s in steps] == pytest.approx([0.905, 0.8075])
    # dampening 0.5: step 2 b = 0.9 × 0.5 + (1 − 0.5) × 0.3 = 0.6, θ = 0.95 − 0.06 = 0.89
    steps = run(Optimizer("sgd", momentum=0.9, dampening=0.5), [0.5, 0.3], 0.1)
    assert [s.values["new"][0] for s in steps] == pytest.approx([0.95, 0.89])
    # weight decay 0.1 (coupled): g = 0.5 + 0.1 × 1 = 0.6, θ = 1 − 0.1 × 0.6 = 0.94
    (step,) = run(Optimizer("sgd", weight_decay=0.1), [0.5], 0.1)
    assert step.values["decay"][0] == pytest.approx(0.1) and step.values["new"][0] == pytest.approx(0.94)


def test_adam_by_hand():
    # lr 0.1, β 0.9 and 0.999, eps 1e-8, θ0 = 1:
    # step 1, g = 0.5: m = 0.1 × 0.5 = 0.05, v = 0.001 × 0.25 = 0.00025,
    #   m̂ = 0.05 / (1 − 0.9) = 0.5, v̂ = 0.00025 / (1 − 0.999) = 0.25,
    #   θ = 1 − 0.1 × 0.5 / (√0.25 + 1e-8) = 1 − 0.1 × 0.99999998 = 0.900000002
    # step 2, g = 0.3: m = 0.045 + 0.03 = 0.075, v = 0.00024975 + 0.00009 = 0.00033975,
    #   m̂ = 0.075 / 0.19 = 0.39473684, v̂ = 0.00033975 / 0.001999 = 0.16995998,
    #   θ = 0.900000002 − 0.1 × 0.39473684 / 0.41226201 = 0.900000002 − 0.09574901 = 0.80425099
    first, second = run(Optimizer("adam"), [0.5, 0.3], 0.1)
    assert first.values["m"][0] == pytest.approx(0.05) and first.values["v"][0] == pytest.approx(0.00025)
    assert first.values["mhat"][0] == pytest.approx(0.5) and first.values["vhat"][0] == pytest.approx(0.25)
    assert first.values["new"][0] == pytest.approx(0.900000002, abs=1e-12)
    assert second.values["m"][0] == pytest.approx(0.075) and second.values["v"][0] == pytest.approx(0.00033975)
    assert second.values["mhat"][0] == pytest.approx(0.39473684, abs=1e-8)
    assert second.values["vhat"][0] == pytest.approx(0.16995998, abs=1e-8)
    assert second.values["new"][0] == pytest.approx(0.80425099, abs=1e-8)


def test_adamw_decays_before_the_adam_step_by_hand():
    # lr 0.1, λ 0.1: θ = 1 − 0.1 × 0.1 × 1 = 0.99 first; then the Adam step of step 1 above:
    # 0.99 − 0.1 × 0.99999998 = 0.890000002. The gradient itself is not decayed (m = 0.05 as in Adam).
    (step,) = run(Optimizer("adamw", weight_decay=0.1), [0.5], 0.1)
    assert step.values["decay"][0] == pytest.approx(0.01) and step.values["m"][0] == pytest.approx(0.05)
    assert step.values["new"][0] == pytest.approx(0.890000002, abs=1e-12)


def test_adamw_decays_by_default_as_torch_optim_adamw(article):
    # torch.optim.AdamW's weight_decay defaults to 0.01 (Adam's and the others' to 0).
    assert Optimizer("adamw").weight_decay == 0.01
    assert [Optimizer(name).weight_decay for name in ("sgd", "adam", "rmsprop")] == [0.0, 0.0, 0.0]
    # Three AdamW steps on the article, lr 0.01, from w5 = 0.05 with ∂E/∂w5 ≈ 0.1005 > 0 each time:
    # each Adam update is lr × m̂ / √v̂ ≈ 0.01 (the gradients keep their sign and size), and the
    # decay lr × λ × w5 takes 0.01 × 0.01 × (0.05, 0.04, 0.03) = 5e-6, 4e-6, 3e-6 first:
    # w5 ≈ 0.05 − 3 × 0.01 − 1.2e-5 = 0.019988; torch.optim.AdamW (lr=0.01, defaults) gives 0.019989
    # (0.020001 without the decay).
    x, target = article.sample(1)
    found = walks(article.model, x, target, article.loss, 0.01, 3, optimizer=Optimizer("adamw"))
    w5 = found[-1].new_model.parameters()["w5"]
    assert w5 == pytest.approx(0.019989, abs=1e-6)
    undecayed = walks(article.model, x, target, article.loss, 0.01, 3, optimizer=Optimizer("adamw", weight_decay=0))
    assert undecayed[-1].new_model.parameters()["w5"] - w5 == pytest.approx(1.2e-5, abs=1e-7)
    # A config naming adamw without a weight_decay gets torch's default too.
    assert pencilnet.load(overrides=["training.optimizer=adamw"]).schedule.optimizer.weight_decay == 0.01


def test_rmsprop_by_hand():
    # lr 0.01, α 0.99: s = 0.01 × 0.25 = 0.0025, √s = 0.05, θ = 1 − 0.01 × 0.5 / 0.05 = 0.9
    (step,) = run(Optimizer("rmsprop"), [0.5], 0.01)
    assert step.values["square_avg"][0] == pytest.approx(0.0025) and step.values["new"][0] == pytest.approx(0.9)
    # with momentum 0.9 (the buffer starts at 0), eps counting at this scale:
    # step 1: b = 0.5 / (0.05 + 1e-8) = 9.9999980, θ = 1 − 0.01 × 9.9999980 = 0.90000002
    # step 2, g = 0.3: s = 0.002475 + 0.0009 = 0.003375, √s = 0.05809475,
    #   b = 0.9 × 9.9999980 + 0.3 / (0.05809475 + 1e-8) = 8.9999982 + 5.1639769 = 14.1639751,
    #   θ = 0.90000002 − 0.01 × 14.1639751 = 0.75836027
    first, second = run(Optimizer("rmsprop", momentum=0.9), [0.5, 0.3], 0.01)
    assert first.values["velocity"][0] == pytest.approx(9.999998, abs=1e-7)
    assert first.values["new"][0] == pytest.approx(0.90000002, abs=1e-8)
    assert second.values["velocity"][0] == pytest.approx(14.1639751, abs=1e-7)
    assert second.values["new"][0] == pytest.approx(0.75836027, abs=1e-8)


SETTINGS = [
    ("sgd", {"momentum": 0.9}), ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    ("sgd", {"momentum": 0.5, "dampening": 0.3}), ("adam", {}),
    ("adam", {"betas": (0.8, 0.99), "weight_decay": 0.05}), ("adamw", {"weight_decay": 0.1}), ("rmsprop", {}),
    ("rmsprop", {"momentum": 0.9, "alpha": 0.9, "weight_decay": 0.01}),
]


@pytest.mark.parametrize("name, settings", SETTINGS)
def test_three_steps_on_the_article_agree_with_the_torch_like_oracle(article, name, settings):
    optimizer = Optimizer(name, **settings)
    x, target = article.sample(1)
    found = walks(article.model, x, target, article.loss, 0.5, 3, optimizer=optimizer)
    grads = [gradient_vector(w.gradients) for w in found]
    expected = torch_like(name, settings, flatten(article.model), grads, 0.5)
    for walk, want in zip(found, expected, strict=True):
        np.testing.assert_allclose(flatten(walk.new_model), want, rtol=1e-13, atol=1e-15)
    # each step's gradient comes from the weights the step before left
    np.testing.assert_array_equal(flatten(found[1].model), flatten(found[0].new_model))


def test_frozen_parameters_keep_their_value_and_have_no_state():
    model = Model((Layer([[0.1, 0.2], [0.3, 0.4]], [0.5], "tanh", shared_bias=True, frozen_weights=True),
                   Layer([[0.5], [-0.6]], [0.1], "sigmoid", frozen_biases=True)))
    found = walks(model, [0.2, -0.7], [1.0], "half_sse", 0.3, 2, optimizer=Optimizer("adamw", weight_decay=0.2))
    last = found[-1]
    before, after = flatten(model), flatten(last.new_model)
    frozen = np.array([True] * 4 + [False] * 2 + [False, True])  # w1…w4 frozen, w5 w6, bw1 shared, bw2 frozen
    np.testing.assert_array_equal(after[frozen], before[frozen])
    assert np.all(after[~frozen] != before[~frozen])
    for buffer in last.update.after.buffers.values():
        assert np.all(buffer[frozen] == 0) and np.all(buffer[~frozen] != 0)
    assert len(before) == 8  # the shared bias is one parameter with one state


def test_pencil_arithmetic_rounds_every_state_variable():
    # Adam in pencil 6 from θ = 1 with g = 0.123456: m = 0.1 × 0.123456 = 0.0123456 → 0.012346,
    # v = 0.001 × 0.015241384… = 0.0000152414 → 0.000015, m̂ = 0.012346 / 0.1 = 0.12346,
    # v̂ = 0.000015 / 0.001 = 0.015: each state is carried at six places.
    step = update(Optimizer("adam"), np.array([1.0]), np.array([0.123456]), start(Optimizer("adam"), 1), 0.1,
                  carry=Pencil(6).carry)
    assert step.values["m"][0] == 0.012346 and step.values["v"][0] == 0.000015 and step.values["mhat"][0] == 0.12346
    assert step.values["vhat"][0] == 0.015
    exact = update(Optimizer("adam"), np.array([1.0]), np.array([0.123456]), start(Optimizer("adam"), 1), 0.1,
                   carry=EXACT.carry)
    assert exact.values["m"][0] == pytest.approx(0.0123456)
    # At four places v = 0.0000152 would be 0.0000, and the step would divide by the rounding: refused.
    with pytest.raises(InputError, match="pencil 4 rounds v = 1.52e-05 to 0"):
        update(Optimizer("adam"), np.array([1.0]), np.array([0.123456]), start(Optimizer("adam"), 1), 0.1,
               carry=Pencil(4).carry)


def test_learning_rate_schedules_as_torch_steps_them_once_per_epoch():
    # StepLR(step_size=2, gamma=0.5) from 0.4: epochs 1, 2 at 0.4; 3, 4 at 0.2; 5 at 0.1
    step = LearningRateSchedule("step", step_size=2, gamma=0.5)
    assert [step.rate(0.4, e) for e in range(1, 6)] == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1])
    # ExponentialLR(gamma=0.9) from 1: 1, 0.9, 0.81
    assert [LearningRateSchedule("exponential", gamma=0.9).rate(1.0, e) for e in (1, 2, 3)] == pytest.approx(
        [1, 0.9, 0.81])
    assert LearningRateSchedule().rate(0.5, 7) == 0.5
