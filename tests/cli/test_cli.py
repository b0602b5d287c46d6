"""The CLI through Typer's CliRunner: exit codes, stdout and stderr, for good and bad input."""

import json
from pathlib import Path

import pytest
from helpers import ROOT

STAGES = ["forward", "error", "backprop", "step", "train"]




def as_json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_forward_json_has_the_article_outputs(cli):
    data = as_json(cli("forward", "--json"))
    want = {"h1": 0.7020334875, "h2": 0.5840690618, "y1": 0.593353109, "y2": 0.7353032619}
    for node, value in want.items():
        assert data["out"][node] == pytest.approx(value, abs=1e-9)
    assert data["net"]["h1"] == pytest.approx(0.857, abs=1e-15) and data["net"]["h2"] == pytest.approx(0.3395)
    assert list(data["net"]) == ["h1", "h2", "y1", "y2"]
    assert data["prediction"] == {"class": "tomato", "node": "y2"}


def test_error_json(cli):
    data = as_json(cli("error", "--json"))
    assert data["error"] == pytest.approx(0.21106613757, abs=1e-11)
    assert data["terms"]["y1"] + data["terms"]["y2"] == pytest.approx(data["error"], abs=1e-15)


def test_backprop_json(cli):
    data = as_json(cli("backprop", "--json"))
    grads = data["gradients"]
    assert list(grads) == [f"w{i}" for i in range(1, 9)] + [f"bw{i}" for i in range(1, 5)]
    assert grads["w1"] == pytest.approx(-0.000421996, abs=1e-9)
    assert grads["bw4"] == pytest.approx(-0.0515185548, abs=1e-10)
    w5 = data["chain"]["w5"]
    assert (w5["from"], w5["to"]) == ("h1", "y1")
    assert w5["dE_dout"] * w5["dout_dnet"] * w5["dnet_dw"] == pytest.approx(grads["w5"], rel=1e-12)
    assert data["nodes"]["h1"]["terms"]["y1"] == pytest.approx(0.1431673 * 0.05, abs=1e-7)


def test_step_json(cli):
    data = as_json(cli("step", "--json"))
    assert data["learning_rate"] == 0.5
    assert data["weights"]["w1"] == pytest.approx(0.100210998, abs=1e-9)
    assert data["weights"]["w5"] == pytest.approx(-0.000254127, abs=1e-9)
    assert data["previous"]["w5"] == 0.05


def test_train_json_one_epoch(cli):
    data = as_json(cli("train", "--json"))
    assert data["epochs"] == 1
    assert data["errors"] == [pytest.approx(0.21106613757, abs=1e-11)]
    assert data["final_error"] == pytest.approx(0.19015294591, abs=1e-10)
    assert data["weights"]["w5"] == pytest.approx(-0.000254127, abs=1e-9)


def test_train_epochs_option(cli):
    data = as_json(cli("train", "--json", "--epochs", "30"))
    assert data["epochs"] == 30 and len(data["errors"]) == 30
    assert data["errors"][-1] < data["errors"][0]


@pytest.mark.parametrize("stage", STAGES)
def test_json_is_stable_and_alone_on_stdout(cli, stage):
    first, second = cli(stage, "--json"), cli(stage, "--json")
    assert first.exit_code == 0 and first.stdout == second.stdout
    json.loads(first.stdout)
    assert first.stderr == ""


def test_explicit_config_gives_the_same_as_the_bundled_one(cli):
    assert cli("backprop", "--json", str(ROOT / "configs" / "article.yaml")).stdout == cli("backprop", "--json").stdout


def test_forward_table(cli):
    out = cli("forward").stdout
    assert "net_h1 = 0.15 × 0.1 + 0.35 × 0.12 + 0.8" in out and "0.8570" in out
    assert "out_h1 = σ(0.8570)" in out and "0.7020" in out
    assert "net_y2 = 0.7020 × 0.4 + 0.5841 × 0.07 + 0.7" in out and "1.0217" in out
    assert out.index("hidden layer") < out.index("net_y1")
    assert "Predicted class: tomato" in out


def test_error_table(cli):
    out = cli("error").stdout
    assert "½ × (0 − 0.5934)²" in out and "½ × (1 − 0.7353)²" in out
    # 0.1760 + 0.0350 = 0.2110 by hand; exactly 0.17606 + 0.03503 = 0.21109: shown ≈, not =
    assert "E_total = 0.1760 + 0.0350 ≈ 0.2111" in out


def test_backprop_table_in_the_article_order(cli):
    out = cli("backprop").stdout
    parts = [out.index(f"Part {i}") for i in range(1, 5)]
    assert parts == sorted(parts)
    assert "0.1432 × 0.05 + (-0.0515) × 0.4" in out
    for text in ["0.1005", "-0.0362", "0.0836", "-0.0301", "-0.000422", "0.1432", "-0.0515", "-0.00281", "0.0106"]:
        assert text in out, text


def test_step_table(cli):
    out = cli("step").stdout
    assert "0.05 − 0.5 × 0.1005" in out and "-0.000254" in out
    assert "0.1 − 0.5 × (-0.000422)" in out and "0.1002" in out


def test_train_table(cli):
    out = cli("train", "--epochs", "100").stdout
    assert "Error by epoch" in out and "Final weights" in out and "curve:" in out
    assert "epochs shown, evenly spaced" in out


def test_decimals_option(cli):
    out = cli("forward", "--decimals", "6").stdout
    assert "0.857000" in out and "0.702033" in out


def test_walkthrough_runs_every_stage(cli):
    result = cli("walkthrough")
    assert result.exit_code == 0
    for title in ["Stage 1: forward", "Stage 2: the total error", "Stage 3: backprop", "Stage 4: updating"]:
        assert title in result.stdout


def test_version_and_help(cli):
    from pencilnet import __version__

    assert cli("--version").stdout.strip() == f"pencilnet {__version__}"
    help_text = cli("--help").stdout
    for stage in STAGES:
        assert stage in help_text


BAD = {
    "missing file": (None, "no such file"),
    "invalid YAML": ("inputs: [1,\n", "invalid YAML"),
    "wrong shape": ("layers[0].weights", "expected 2 rows"),
    "non-numeric": ("layers[1].biases[0]", "expected a finite number, found 'abc'"),
    "target length": ("samples[0].target", "expected a list of 2 target values"),
}


def bad_config(tmp_path: Path, kind: str) -> str:
    text = (ROOT / "configs" / "article.yaml").read_text()
    replacements = {
        "wrong shape": ("      - [0.12, 0.17] #  w3", "      #"),
        "non-numeric": ("biases: [0.15, 0.70]", "biases: [abc, 0.70]"),
        "target length": ("target: [0, 1]", "target: [0, 1, 1]"),
    }
    path = tmp_path / "bad.yaml"
    if kind == "missing file":
        return str(path)
    if kind == "invalid YAML":
        path.write_text(BAD[kind][0])
    else:
        old, new = replacements[kind]
        assert old in text
        path.write_text(text.replace(old, new))
    return str(path)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("kind", list(BAD))
def test_bad_input_is_one_line_and_exit_2(cli, tmp_path, stage, kind):
    path = bad_config(tmp_path, kind)
    result = cli(stage, path)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"pencilnet: error: {path}") and BAD[kind][1] in lines[0]
    assert "Traceback" not in result.output and result.stdout == ""


def test_bad_sample_number(cli):
    result = cli("forward", "--sample", "2")
    assert result.exit_code == 2
    assert "expected a sample number from 1 to 1, found 2" in result.stderr


def test_usage_error_exit_code(cli):
    assert cli("forward", "--decimals", "-1").exit_code == 2
    assert cli("nonsense").exit_code == 2
