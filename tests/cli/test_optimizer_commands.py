"""The optimizer through the command line: config checks, step tables and JSON, --steps,
train's learning rates, and expect → verify for quantities after N steps."""

import json
import re

import pytest

ADAM = ["--set", "training.optimizer={name: adam}"]
MOMENTUM = ["--set", "training.optimizer={name: sgd, momentum: 0.9}"]


def test_step_json_has_the_optimizer_and_each_state_before_and_after(cli):
    data = json.loads(cli("step", "--json", *ADAM).stdout)
    assert data["optimizer"] == {"name": "adam", "betas": [0.9, 0.999], "eps": 1e-08, "weight_decay": 0.0}
    # The article's ∂E/∂w5 = 0.1005082542: m = 0.1 × g, v = 0.001 × g², m̂ = g, v̂ = g² on step 1,
    # and new = 0.05 − 0.5 × g / (|g| + 1e-8) = 0.05 − 0.5 × 0.9999999 = −0.44999995
    w5 = data["state"]["w5"]
    g = data["gradients"]["w5"]
    assert w5["m"] == {"before": 0.0, "after": pytest.approx(0.1 * g, rel=1e-15)}
    assert w5["v"]["after"] == pytest.approx(0.001 * g * g, rel=1e-12)
    assert w5["mhat"] == pytest.approx(g) and w5["vhat"] == pytest.approx(g * g)
    assert data["weights"]["w5"] == pytest.approx(-0.44999995, abs=1e-8)
    assert w5["update"] == pytest.approx(0.49999995, abs=1e-8)  # what was subtracted: 0.05 − 0.49999995


def test_plain_gradient_descent_keeps_the_articles_step_and_has_no_state(cli):
    data = json.loads(cli("step", "--json").stdout)
    assert data["optimizer"]["name"] == "sgd" and data["state"] == {}
    assert data["weights"]["w5"] == pytest.approx(-0.0002541271, abs=1e-10)  # the article's new w5 (exact)


def test_steps_repeat_the_update_on_the_same_sample(cli):
    data = json.loads(cli("step", "--json", "--steps", "3", *MOMENTUM).stdout)
    steps = data["steps"]
    assert [s["step"] for s in steps] == [1, 2, 3]
    # each step starts from the weights the one before left, its velocity from the one before's
    assert steps[1]["previous"] == steps[0]["weights"]
    assert steps[1]["state"]["w5"]["velocity"]["before"] == steps[0]["state"]["w5"]["velocity"]["after"]
    # b₂ = 0.9 × b₁ + g₂ (no dampening)
    assert steps[1]["state"]["w5"]["velocity"]["after"] == pytest.approx(
        0.9 * steps[0]["state"]["w5"]["velocity"]["after"] + steps[1]["gradients"]["w5"], rel=1e-14)


def test_step_tables_show_the_rule_and_every_state(cli):
    out = cli("step", *ADAM, "--all").stdout
    assert "  m = 0.9 × m + 0.1 × ∂E/∂w\n" in out and "  m̂ = m / (1 − 0.9^1)\n" in out
    assert re.search(r"^ +v̂ +0\.0101$", out, re.M)  # w5's v̂ = g² = 0.1005²
    one = cli("step", "--steps", "3", "--parameter", "w5", *MOMENTUM).stdout
    assert "w5 over 3 steps with sgd (momentum 0.9):\n  b = 0.9 × b + ∂E/∂w" in one
    # step 2: b from 0.1005 to 0.9 × 0.1005 + 0.0971 (step 2's gradient) = 0.1875
    # and the update 0.5 × 0.1875 = 0.0938: new = -0.000254 − 0.0938 ≈ -0.0940 (-0.0941 from the
    # rounded update: hence the ≈); step 3: -0.0940 − 0.1284 = -0.2224 exactly as shown.
    assert re.search(r"^ +2 +-0\.000254 +0\.0971 +b +0\.1005 +0\.1875 +≈ -0\.0940$", one, re.M), one
    assert re.search(r"^ +update +0\.0938$", one, re.M) and re.search(r"^ +update +0\.1284$", one, re.M), one
    assert re.search(r"^ +3 +-0\.0940 +0\.0879 +b +0\.1875 +0\.2567 +-0\.2224$", one, re.M), one
    bad = cli("step", "--steps", "2", "--parameter", "w99")
    assert bad.exit_code == 2 and "--parameter: expected a parameter name" in bad.stderr


@pytest.mark.parametrize("setting, message", [
    ("training.optimizer=adma", "training.optimizer: expected one of sgd, adam, adamw, rmsprop (did you mean 'adam'?)"),
    ("training.optimizer={name: sgd, momentun: 0.9}", "did you mean 'momentum'?"),
    ("training.optimizer={name: adam, betas: [0.9, 1.5]}", "training.optimizer.betas: expected two numbers"),
    ("training.optimizer={name: sgd, nesterov: true}", "nesterov: expected momentum above 0 and dampening 0"),
    ("training.weight_decay=-1", "training.weight_decay: expected a finite number of at least 0"),
    ("training.lr_schedule={name: step, gamma: 0.5}", "training.lr_schedule.step_size: expected a positive whole"),
    ("training.lr_schedule={name: exponentail}", "did you mean 'exponential'?"),
])
def test_optimizer_settings_are_checked_like_every_field(cli, setting, message):
    result = cli("step", "--set", setting)
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_train_reports_the_optimizer_and_each_epochs_learning_rate(cli):
    schedule = ["--set", "training.lr_schedule={name: exponential, gamma: 0.5}"]
    data = json.loads(cli("train", "--json", "--epochs", "3", *ADAM, *schedule).stdout)
    assert data["optimizer"]["name"] == "adam" and data["learning_rates"] == [0.5, 0.25, 0.125]
    out = cli("train", "--epochs", "3", *ADAM, *schedule).stdout
    assert "Optimizer: adam" in out and "learning rate" in out and "0.125 in the last epoch" in out


def test_expect_after_steps_then_verify_round_trip(cli, tmp_path):
    config = tmp_path / "momentum.yaml"
    base = cli("init", "--layers", "2,2,2", "--seed", "3").stdout
    config.write_text(base)
    section = cli("expect", str(config), "--steps", "2", "--decimals", "6", *MOMENTUM).stdout
    assert "velocity_w5_after_2_steps" in section and "w5_after_2_steps" in section
    config.write_text(base + "\n" + section)
    passed = cli("verify", str(config), *MOMENTUM)
    assert passed.exit_code == 0, passed.stdout + passed.stderr
    # one published digit moved: the check must fail
    name = "velocity_w5_after_2_steps"
    line = next(x for x in section.splitlines() if x.strip().startswith(name + ":"))
    digits = line.split('"')[1]
    moved = f"{float(digits) + 1e-6:.6f}"
    config.write_text(base + "\n" + section.replace(line, line.replace(digits, moved)))
    failed = cli("verify", str(config), *MOMENTUM)
    assert failed.exit_code == 1 and name in failed.stderr
