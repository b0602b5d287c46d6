"""How publications state their numbers, and `verify`'s verdicts on them (issue 23)."""

from decimal import Decimal

from helpers import ROOT

from pencilnet.checks import quantities
from pencilnet.checks.published import Expected
from pencilnet.checks.verify import reproduces
from pencilnet.core.arithmetic import EXACT


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
