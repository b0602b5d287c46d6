"""How publications state their numbers, and `verify`'s verdicts on them (issue 23)."""

import json
import math
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from helpers import ROOT

import pencilnet
from pencilnet.checks import quantities
from pencilnet.checks.published import Expected
from pencilnet.checks.verify import reproduces
from pencilnet.core.arithmetic import EXACT, Pencil, significant
from pencilnet.core.errors import InputError
from pencilnet.core.optimizers import Optimizer
from pencilnet.io.config import parse


def test_a_tolerance_finer_than_twelve_digits_compares_every_digit(article):
    # out_y1 of the article, exactly: σ(0.37773...) = 0.5933...; published with all of its 16 digits
    # and two zeros more, at a tolerance of 1e-18 it is still the same number.
    value = quantities.one_step(article, EXACT, 1)["out_y1"]
    published = repr(value) + "00"
    assert reproduces(value, Expected("out_y1", published, Decimal("1e-18")))
    # One unit in the 16th decimal is 1e-16 away: beyond 1e-18, within 1e-15.
    moved = str(Decimal(repr(value)) + Decimal("1e-16"))
    assert not reproduces(value, Expected("out_y1", moved, Decimal("1e-18")))
    assert reproduces(value, Expected("out_y1", moved, Decimal("1e-15")))


ARTICLE_TEXT = (ROOT / "configs" / "article.yaml").read_text(encoding="utf-8").split("expected:")[0]


def test_a_label_takes_every_suffix_its_name_takes(cli, tmp_path):
    # The article's w5 labelled w46 and w6 labelled theta. ∂E/∂w5 = 0.5934 × 0.2413 × 0.7020 = 0.1005,
    # ∂E/∂w6 = (0.7353 − 1) × 0.1946 × 0.7020 = −0.0362; one step of plain gradient descent:
    #   w5_new = 0.05 − 0.5 × 0.100508 = −0.000254, w6_new = 0.4 − 0.5 × (−0.036168) = 0.418084.
    config = tmp_path / "labels.yaml"
    config.write_text(ARTICLE_TEXT + "labels: {w5: w46, w6: theta}\n"
                      'expected:\n  values:\n    dE/dw46: "0.1005"\n    w46_new: "-0.0003"\n'
                      '    theta_after_1_steps: "0.4181"\n    theta_new: "0.4181"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "w46_new" in result.stdout and "theta_after_1_steps" in result.stdout
    # Adam's first moment after one step: m = (1 − 0.9) × ∂E/∂w6 = 0.1 × −0.036168 = −0.0036168.
    adam = ARTICLE_TEXT.replace("training:\n", "training:\n  optimizer: {name: adam}\n")
    config.write_text(adam + "labels: {w6: theta}\n"
                      'expected:\n  values:\n    m_theta_after_1_steps: "-0.003617"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    # A label is never found inside a longer name: with w1 labelled a, w13 stays unknown to it.
    config.write_text(ARTICLE_TEXT + "labels: {w1: a}\n" 'expected:\n  values:\n    a_new: "0.1002"\n'
                      '    a1_new: "0.1"\n')
    refused = cli("verify", str(config))
    assert refused.exit_code == 2 and "expected.values.a1_new" in refused.stderr


# One identity neuron, out = w·x + b with w = 0.5, b = 0, trained online at η = 0.1 on
# (x = 1, t = 1) then (x = 2, t = 0), E = ½ (t − out)²:
#   sample 1: out = 0.5, E = ½ × 0.25 = 0.125; ∂E/∂w = (0.5 − 1) × 1 = −0.5, ∂E/∂b = −0.5
#             → w = 0.5 + 0.05 = 0.55, b = 0.05
#   sample 2: out = 0.55 × 2 + 0.05 = 1.15, E = ½ × 1.3225 = 0.66125
#   epoch 1: mean 0.393125, summed 0.78625, Σ (t − out)² = 0.25 + 1.3225 = 1.5725
NEURON = """\
inputs: 1
layers: [{{size: 1, activation: identity, weights: [[0.5]], biases: [0]}}]
loss: {loss}
training: {{learning_rate: 0.1, epochs: 1}}
samples: [{{inputs: [1], target: [1]}}, {{inputs: [2], target: [0]}}]
expected:
  arithmetic: exact
  values:
"""


def test_the_epoch_error_as_each_publication_defines_it(cli, tmp_path):
    config = tmp_path / "epochs.yaml"
    config.write_text(NEURON.format(loss="half_sse") + '    epoch_1_error: "0.393125"\n'
                      '    epoch_1_error_total: "0.78625"\n    epoch_1_sse: "1.5725"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.count("match") >= 3
    # With mse of one output, E = (t − out)² itself, so ∂E/∂out = 2 (out − t) = −1 for sample 1:
    # w = 0.5 + 0.1 = 0.6, b = 0.1; sample 2: out = 1.3, E = 1.69. Summed: 0.25 + 1.69 = 1.94 = Σ (t − out)².
    config.write_text(NEURON.format(loss="mse") + '    epoch_1_error_total: "1.94"\n    epoch_1_sse: "1.94"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    # A loss with no sum of squares in it has no epoch_N_sse: refused as a quantity it does not have.
    config.write_text(NEURON.format(loss="mse").replace("identity", "sigmoid").replace("mse", "binary_cross_entropy")
                      + '    epoch_1_sse: "1.5"\n')
    refused = cli("verify", str(config))
    assert refused.exit_code == 2 and "expected.values.epoch_1_sse" in refused.stderr, refused.stderr


# One sigmoid neuron, w1 = 1, bw1 = 0.0362, x1 = 0.5842, target 1, by hand at 4 places:
#   net = 0.5842 + 0.0362 = 0.6204, out = σ(0.6204) = 0.6503, ∂E/∂out = 0.6503 − 1 = −0.3497,
#   ∂out/∂net = 0.6503 × 0.3497 = 0.2274, δ = −0.3497 × 0.2274 = −0.0795 (rounded)
#   ∂E/∂w1 as three rounded factors: −0.3497 × 0.2274 × 0.5842 = −0.046457 → −0.0465
#   ∂E/∂w1 from the rounded δ:        −0.0795 × 0.5842 = −0.046444 → −0.0464
DELTA = """\
inputs: 1
layers: [{size: 1, activation: sigmoid, weights: [[1]], biases: [0.0362]}]
training: {learning_rate: 0.5, epochs: 1}
samples: [{inputs: [0.5842], target: [1]}]
expected:
  arithmetic: pencil 4
  values:
"""

# A 1-1-2 network whose hidden node's ∂E/∂out has two terms, by hand at 4 places:
#   ∂E_y1/∂out_h1 = 0.1389 × 0.11 = 0.015279 → 0.0153, ∂E_y2/∂out_h1 = −0.0862 × 0.41 = −0.035342 → −0.0353
#   rounded term by term, then summed: 0.0153 − 0.0353 = −0.0200
#   summed, then rounded:              0.015279 − 0.035342 = −0.020063 → −0.0201
SUMS = """\
inputs: 1
layers:
  - {size: 1, activation: sigmoid, weights: [[0.5]], biases: [0.1]}
  - {size: 2, activation: sigmoid, weights: [[0.11, 0.41]], biases: [0.2, 0.3]}
training: {learning_rate: 0.5, epochs: 1}
samples: [{inputs: [0.35], target: [0, 1]}]
expected:
  arithmetic: pencil 4
  values:
"""


def test_every_legitimate_order_of_hand_rounding_is_a_rounding_not_a_difference(cli, tmp_path):
    config = tmp_path / "paths.yaml"
    config.write_text(DELTA + '    dE/dnet_y1: "-0.0795"\n    dE/dw1: "-0.0464"\n')
    result = cli("verify", "--json", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    entry = json.loads(result.stdout)["entries"][1]
    assert entry["verdict"] == "rounding" and "∂E/∂net rounded before it multiplies the input" in entry["note"]
    config.write_text(SUMS + '    dE/dout_h1: "-0.0200"\n')
    assert cli("verify", str(config)).exit_code == 0  # the default order: term by term
    config.write_text(SUMS + '    dE/dout_h1: "-0.0201"\n')  # summed first: so close to exact that it matches
    result = cli("verify", "--json", str(config))
    assert result.exit_code == 0 and json.loads(result.stdout)["entries"][0]["verdict"] == "match"
    sums = parse(SUMS.split("expected:")[0], "sums.yaml")
    by_terms, summed = (quantities.one_step(sums, way, 1)["dE/dout_h1"]
                        for way in (Pencil(4), Pencil(4).along({"sum_then_round"})))
    assert (by_terms, summed) == (-0.02, -0.0201)
    # No order of rounding gives a value one unit further: that still differs.
    config.write_text(SUMS + '    dE/dout_h1: "-0.0202"\n')
    assert cli("verify", str(config)).exit_code == 1
    # The article's new w8: 0.07 − 0.5 × (−0.0301) = 0.08505 → 0.0851, with the gradient rounded first.
    article = ARTICLE_TEXT + 'expected:\n  arithmetic: pencil 4\n  values:\n    w8_new: "0.0851"\n'
    config.write_text(article)
    entry = json.loads(cli("verify", "--json", str(config)).stdout)["entries"][0]
    assert entry["verdict"] == "rounding" and "each gradient rounded before the update" in entry["note"]
    # Exact arithmetic tries no other order: the exact w8_new is 0.085043…, so 0.0851 differs.
    config.write_text(article.replace("pencil 4", "exact"))
    assert cli("verify", str(config)).exit_code == 1


def test_rounding_by_kind_and_by_significant_figures(article):
    # Outputs at 3 places, everything else at 4, as a data-mining textbook carries them:
    #   out_y1 = 0.593, ∂out/∂net = 0.593 × 0.407 = 0.241351 → 0.2414, δ = 0.593 × 0.2414 = 0.1431502 → 0.1432
    values = quantities.one_step(article, Pencil(4, {"out": 3}), 1)
    assert (values["out_y1"], values["dout_y1/dnet_y1"], values["dE/dnet_y1"]) == (0.593, 0.2414, 0.1432)
    assert values["net_h1"] == 0.857 and values["out_h1"] == 0.702
    # Four significant figures: net_h2 = 0.3395, out_h2 = 0.5841; the gradient of w1 keeps its digits.
    values = quantities.one_step(article, Pencil(4, significant=True), 1)
    assert (values["net_h2"], values["out_h2"]) == (0.3395, 0.5841)
    assert significant(0.000123456, 3) == Decimal("0.000123") and significant(98765, 2) == Decimal("9.9E+4")
    assert significant(-0.0009995, 3) == Decimal("-0.00100")


def test_pencil_arithmetic_never_divides_by_a_value_it_rounded_to_zero(article):
    # Adam's first step on w5: v = (1 − 0.999) × 0.1005² = 0.0000101 → 0.0000 at 4 places (w1's,
    # 1.8e-10, is the first met), and v̂ = v / (1 − 0.999) would be 0: the update m̂ / (√0 + 1e-8) would
    # be the rounding's, not the calculation's.
    adam = replace(article.schedule, optimizer=Optimizer("adam"))
    config = replace(article, schedule=adam)
    with pytest.raises(InputError, match=r"pencil 4 rounds v = .* to 0"):
        config.walk(1, Pencil(4))
    # At 4 significant figures v = 1.010e-05 and v̂ = 0.01010: the step is lr × m̂ / √v̂ ≈ lr × 1.
    walk = config.walk(1, Pencil(4, significant=True))
    assert walk.update.values["vhat"][4] == pytest.approx(0.0101, rel=1e-3)


def test_every_value_of_every_step(cli, tmp_path):
    # The article's terms of net_h1: x1 × w1 = 0.15 × 0.1 = 0.015, x2 × w3 = 0.35 × 0.12 = 0.042 and
    # the bias input × bw1 = 1 × 0.8: 0.015 + 0.042 + 0.8 = 0.857. One step changes w5 by
    # −0.5 × 0.100508 = −0.050254; step 2 uses ∂E/∂w5 = 0.097069 at w5 = −0.000254 and moves it by
    # −0.5 × 0.097069 = −0.048535 (to −0.048789, as w5_after_2_steps says).
    config = tmp_path / "steps.yaml"
    config.write_text(ARTICLE_TEXT + 'expected:\n  arithmetic: exact\n  values:\n    term_w1: "0.015"\n'
                      '    term_w3: "0.042"\n    term_bw1: "0.8"\n    change_w5: "-0.050254"\n'
                      '    dE/dw5_step_1: "0.100508"\n    change_w5_step_1: "-0.050254"\n'
                      '    dE/dw5_step_2: "0.097069"\n    change_w5_step_2: "-0.048535"\n'
                      '    w5_after_2_steps: "-0.048789"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    # A softmax output layer with net (1, 2): e¹ = 2.718282, e² = 7.389056, their sum 10.107338,
    # out_y1 = 2.718282 / 10.107338 = 0.268941.
    config.write_text("inputs: 1\nlayers: [{size: 2, activation: softmax, weights: [[1, 2]], biases: [0, 0]}]\n"
                      "loss: cross_entropy\nsamples: [{inputs: [1], target: [0, 1]}]\n"
                      'expected:\n  values:\n    exp_y1: "2.718282"\n    exp_y2: "7.389056"\n'
                      '    sum_exp: "10.107338"\n    out_y1: "0.268941"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    config.write_text(ARTICLE_TEXT + 'expected:\n  values:\n    exp_y1: "1"\n')  # sigmoid: no exp_ of its own
    assert cli("verify", str(config)).exit_code == 2


def test_units_in_the_last_place_and_several_printings_of_one_number(cli, tmp_path):
    # out_y1 exactly is 0.593353109032932; another program that summed in another order prints the
    # float two further on (0.5933531090329322): within 4 ulp, not within 1.
    config = tmp_path / "ulps.yaml"
    value = quantities.one_step(pencilnet.load(), EXACT, 1)["out_y1"]
    two_on = repr(math.nextafter(math.nextafter(value, 1), 1))
    config.write_text(ARTICLE_TEXT + f'expected:\n  tolerance: 4 ulp\n  values:\n    out_y1: "{two_on}"\n'
                      f'    out_y2: {{value: "{two_on}", tolerance: 1 ulp}}\n')
    result = cli("verify", "--json", str(config))
    verdicts = [entry["verdict"] for entry in json.loads(result.stdout)["entries"]]
    assert verdicts == ["match", "differs"], result.stdout + result.stderr
    config.write_text(ARTICLE_TEXT + f'expected:\n  values:\n    out_y1: {{value: "{two_on}", tolerance: 1 ulp}}\n')
    assert cli("verify", str(config)).exit_code == 1
    config.write_text(ARTICLE_TEXT + 'expected:\n  values:\n    out_y1: {value: "0.5934", tolerance: 0 ulp}\n')
    refused = cli("verify", str(config))
    assert refused.exit_code == 2 and "or units in the last place, e.g. '4 ulp'" in refused.stderr
    # One quantity printed twice: in a table at 4 places, in the text in full; each is checked and listed.
    config.write_text(ARTICLE_TEXT + f'expected:\n  values:\n    out_y1: ["0.5934", "{value!r}"]\n')
    result = cli("verify", "--json", str(config))
    entries = json.loads(result.stdout)["entries"]
    assert [(e["name"], e["published"], e["verdict"]) for e in entries] == [
        ("out_y1", "0.5934", "match"), ("out_y1", repr(value), "match")]
    config.write_text(ARTICLE_TEXT + 'expected:\n  values:\n    out_y1: ["0.5934", "0.5935"]\n')
    assert cli("verify", str(config)).exit_code == 1  # the second printing differs


def test_rounding_by_kind_is_said_in_the_config_and_shown(cli, tmp_path):
    # A textbook's convention: outputs at 3 places, the rest at 4. out_y1 = σ(0.3778) = 0.593, and
    # δ_y1 = 0.593 × (1 − 0.593) × 0.593 = 0.241351 × 0.593 → ∂out/∂net 0.2414, ∂E/∂net 0.2414 × 0.593 = 0.1432.
    config = tmp_path / "book.yaml"
    config.write_text(ARTICLE_TEXT.replace("loss: half_sse", "loss: half_sse\narithmetic: {pencil: 4, out: 3}")
                      + 'expected:\n  arithmetic: {pencil: 4, out: 3}\n  values:\n    out_y1: "0.593"\n'
                      '    dout_y1/dnet_y1: "0.2414"\n    dE/dnet_y1: "0.1432"\n')
    result = cli("verify", str(config))
    assert result.exit_code == 0, result.stdout + result.stderr
    forward = cli("forward", str(config)).stdout
    assert "rounded half up to 4 decimals (out 3)" in forward and "0.5930" in forward  # shown at 4 places
    config.write_text(ARTICLE_TEXT.replace("loss: half_sse", "loss: half_sse\narithmetic: {pencil: 4, outs: 3}"))
    refused = cli("forward", str(config))
    assert refused.exit_code == 2 and "arithmetic.outs: expected one of pencil, significant" in refused.stderr
    assert "(did you mean 'out'?)" in refused.stderr


def test_momentum_as_lecture_notes_write_it(cli, tmp_path):
    # One identity neuron out = w·x with x = 1, target 0 and no bias (bias input 0): E = ½ w², ∂E/∂w = w.
    # From w = 1 with μ = 0.9, the learning rate 0.1 in epoch 1 and 0.05 in epoch 2 (step schedule, γ = 0.5):
    #   classical, v = μv − lr·g, w = w + v:  v = −0.1, w = 0.9;  v = 0.9 × −0.1 − 0.05 × 0.9 = −0.135, w = 0.765
    #   torch, b = μb + g, w = w − lr·b:      b = 1, w = 0.9;     b = 0.9 × 1 + 0.9 = 1.8, w = 0.9 − 0.05 × 1.8 = 0.81
    # Two steps at the constant 0.1 agree on w (0.9, then 0.9 − 0.18 = 0.72) and differ in what the state is:
    #   classical v = −0.09 − 0.09 = −0.18;  torch b = 1.8.
    text = """\
inputs: 1
bias_input: 0
layers: [{{size: 1, activation: identity, weights: [[1]], biases: [0]}}]
training:
  learning_rate: 0.1
  epochs: 2
  optimizer: {{name: sgd, momentum: 0.9, form: {form}}}
  lr_schedule: {{name: step, step_size: 1, gamma: 0.5}}
samples: [{{inputs: [1], target: [0]}}]
expected:
  arithmetic: exact
  values:
    w1_after_2_epochs: "{after}"
    w1_after_2_steps: "0.72"
    velocity_w1_after_2_steps: "{velocity}"
"""
    config = tmp_path / "momentum.yaml"
    for form, after, velocity in (("classical", "0.765", "-0.18"), ("torch", "0.81", "1.8")):
        config.write_text(text.format(form=form, after=after, velocity=velocity))
        result = cli("verify", str(config))
        assert result.exit_code == 0, result.stdout + result.stderr
    config.write_text(text.format(form="classical", after="0.765", velocity="-0.18"))
    step = cli("step", str(config), "--steps", "2").stdout
    assert "v = 0.9 × v − 0.1 × ∂E/∂w" in step and "classical form" in step
    config.write_text(text.format(form="classical", after="0.765", velocity="-0.18").replace(
        "momentum: 0.9,", "momentum: 0.9, dampening: 0.1,"))
    refused = cli("verify", str(config))
    assert refused.exit_code == 2 and "training.optimizer.form: expected momentum above 0 and dampening 0" in \
        refused.stderr


def test_classical_momentum_by_hand():
    # From θ = 1 with g = 0.5 at lr 0.1, then g = 0.4 at lr 0.05, μ = 0.9:
    #   v = −0.05, θ = 0.95;  v = 0.9 × −0.05 − 0.05 × 0.4 = −0.065, θ = 0.885 (torch's form: 0.9075)
    from pencilnet.core.optimizers import start, update

    classical = Optimizer("sgd", momentum=0.9, form="classical")
    first = update(classical, np.array([1.0]), np.array([0.5]), start(classical, 1), 0.1)
    second = update(classical, first.values["new"], np.array([0.4]), first.after, 0.05)
    assert first.values["new"][0] == pytest.approx(0.95) and second.values["new"][0] == pytest.approx(0.885)
    assert second.values["velocity"][0] == pytest.approx(-0.065)
    torch_form = Optimizer("sgd", momentum=0.9)
    first = update(torch_form, np.array([1.0]), np.array([0.5]), start(torch_form, 1), 0.1)
    assert update(torch_form, first.values["new"], np.array([0.4]), first.after, 0.05).values["new"][0] == \
        pytest.approx(0.9075)
