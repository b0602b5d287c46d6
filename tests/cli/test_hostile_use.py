"""The command line used as a hostile user would: options every later command would refuse,
values that overflow, networks too big for a command, training stopped inside `verify` and
`expect`. Each ends in one line on stderr and the documented exit code, never a traceback."""

import builtins
import json
import sys

import pytest

from pencilnet.core.errors import EXIT_DIVERGED, EXIT_INTERRUPTED


def one_line(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pencilnet: "), result.stderr
    return lines[0]


def written(tmp_path, text: str, name: str = "c.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


WIDE = """\
inputs: {inputs}
init: xavier
layers:
  - {{size: {hidden}}}
  - {{size: 2}}
samples:
  - {{inputs: {sample}, target: [0, 1]}}
"""


def wide(tmp_path, inputs: int, hidden: int) -> str:
    return written(tmp_path, WIDE.format(inputs=inputs, hidden=hidden, sample=[0.5] * inputs))


# ---- options no later command would accept -----------------------------------------------------


@pytest.mark.parametrize("options, message", [
    (["--seed", "-1"], "--seed: expected a non-negative whole number, found -1"),
    (["--seed", str(2**63)],
     "--seed: expected a non-negative whole number of at most 2**63 - 1, found 9223372036854775808"),
    (["--epochs", str(10**20)], "--epochs: expected a positive whole number of at most 2**63 - 1"),
    (["--learning-rate", "inf"], "--learning-rate: expected a positive finite number, found inf"),
    (["--learning-rate", "nan"], "--learning-rate: expected a positive finite number, found nan"),
    (["--activation", "softmax"], "--activation: expected softmax on the output layer only, found 'softmax'"),
    (["--layers", "1000,1000,1000"], "found 2,002,000 parameters"),
    (["--layers", "9" * 5000 + ",2"], "--layers: expected at least two positive node counts"),
])
def test_init_refuses_what_the_loader_would_refuse(cli, options, message):
    assert message in one_line(cli("init", *options))


def test_init_softmax_on_a_network_without_hidden_layers(cli):
    result = cli("init", "--layers", "3,2", "--activation", "softmax")
    assert result.exit_code == 0 and "activation: softmax" in result.stdout


def test_fruit_count_is_capped_where_the_loader_caps_a_data_file(cli, tmp_path):
    assert "--count: expected a whole number from 2" in one_line(
        cli("data", "fruit", "--count", 10**11, "--out", tmp_path / "x.csv"))


def test_gradcheck_refuses_a_tolerance_that_is_not_finite(cli):
    assert "--tolerance: expected a finite number of at least 0, found nan" in one_line(
        cli("gradcheck", "--tolerance", "nan"))


# ---- numbers that overflow -----------------------------------------------------------------------

OVERFLOWING = """\
inputs: 1
layers:
  - {weights: [[1e200]], biases: [0], activation: identity}
  - {weights: [[1e200]], biases: [0], activation: identity}
samples:
  - {inputs: [1e100], target: [1]}
"""


def test_gradcheck_json_writes_overflowed_values_as_null(cli, tmp_path):
    result = cli("gradcheck", written(tmp_path, OVERFLOWING), "--json")
    assert result.exit_code == 1, result.output
    checked = json.loads(result.stdout)  # valid JSON: no Infinity or NaN in it
    assert checked["parameters"]["w1"]["analytic"] is None and checked["passed"] is False
    assert "Warning" not in result.stderr


def test_predict_names_the_value_that_is_not_finite(cli):
    assert one_line(cli("predict", "--input", "nan,1")).endswith(
        "--input: value 1: expected a finite number, found 'nan'")
    assert one_line(cli("predict", "--input", "1,2,3")).endswith(
        "--input: expected 2 numbers (one per input node), found 3")


def test_verify_with_a_published_value_of_800_decimals(cli):
    result = cli("verify", "--set", "expected.values.net_h1='0." + "3" * 800 + "'")
    assert result.exit_code == 1 and "net_h1" in result.stderr, result.output


def test_quantity_names_with_endless_digits(cli):
    line = one_line(cli("verify", "--set", f"expected.values.error_after_{'9' * 5000}_epochs='0.1'"))
    assert "expected a quantity name" in line


@pytest.mark.parametrize("history, message", [
    ('{"errors": [%s, 1]}' % ("9" * 400), "errors[0]: expected a number from 0 to 1e+300 (or null), found a longer"),
    ("[" * 100_000 + "]" * 100_000, "invalid JSON: nested too deeply to read"),
    ('{"errors": [1.7e308, -1.7e308]}', "errors[0]: expected a number from 0 to 1e+300 (or null), found 1.7e+308"),
    ('{"errors": [%s]}' % ("9" * 5000), "invalid JSON: an integer too long to read"),
])
def test_plot_refuses_histories_it_cannot_draw(cli, tmp_path, history, message):
    assert message in one_line(cli("plot", written(tmp_path, history, "h.json")))


# ---- training stopped inside verify and expect ---------------------------------------------------


def test_expect_epochs_that_diverge_exit_3(cli):
    result = cli("expect", "--epochs", 5, "--set", "training.learning_rate=1e300",
                 "--set", "layers[0].activation=identity", "--set", "layers[1].activation=identity")
    assert "training diverged" in one_line(result, EXIT_DIVERGED)


REGRESSION = """\
inputs: 1
loss: mse
layers:
  - {weights: [[0.5]], biases: [0.1], activation: identity}
samples:
  - {inputs: [1.0], target: [1.0]}
  - {inputs: [2.0], target: [1e200]}
training: {learning_rate: 0.1, epochs: 3}
"""


@pytest.mark.parametrize("change, cause", [
    (["--set", "training.weight_decay=1e300"], "; training.weight_decay (1e+300) is likely too large: with the "
                                               "learning rate (0.5) each update more than undoes every weight"),
    (["--set", "training.lr_schedule={name: exponential, gamma: 1e300}"],
     "; training.lr_schedule.gamma (1e+300) is likely too large: it made the learning rate of epoch 2 5e+299"),
    (["--set", "training.learning_rate=1e300"], "; the learning rate (1e+300) is likely too large"),
    ([REGRESSION], "; the targets are likely too large (up to 1e+200, in sample 2): scale them (or train at a "
                   "smaller learning rate)"),
])
def test_divergence_names_its_likely_cause_in_train_verify_and_expect(cli, tmp_path, change, cause):
    # Each of these blamed the learning rate (0.5, or 0.1), which was not what to change.
    if change == [REGRESSION]:
        change = [written(tmp_path, REGRESSION)]
    for command in (["train", "--epochs", "3"], ["expect", "--epochs", "3"]):
        line = one_line(cli(*command, *change), EXIT_DIVERGED)
        assert line.startswith("pencilnet: error: training diverged in epoch ") and line.endswith(cause), line


def test_ctrl_c_while_verify_trains_exits_130(cli, monkeypatch):
    from pencilnet.checks import quantities
    from pencilnet.training.loop import TrainingInterrupted

    def interrupted(*args, **kwargs):
        raise TrainingInterrupted(2, [0.3, 0.2], None)

    monkeypatch.setattr(quantities, "after_epochs", interrupted)
    line = one_line(cli("verify", "--set", "expected.values.error_after_9_epochs='0.1'"), EXIT_INTERRUPTED)
    assert "interrupted during training, after 2 whole epoch(s)" in line
    assert "interrupted" in one_line(cli("expect", "--epochs", 9), EXIT_INTERRUPTED)


def test_ctrl_c_while_the_modules_load(monkeypatch, capsys):
    import pencilnet.cli

    real_import = builtins.__import__

    def slow_import(name, *args, **kwargs):
        if name == "pencilnet.cli.app":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "pencilnet.cli.app")
    monkeypatch.setattr(builtins, "__import__", slow_import)
    with pytest.raises(SystemExit) as caught:
        pencilnet.cli.main()
    assert caught.value.code == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "pencilnet: interrupted\n"


# ---- networks too big for a command --------------------------------------------------------------


def test_backprop_json_of_23_million_parameters_is_refused_with_its_estimate(cli, tmp_path):
    line = one_line(cli("backprop", "--json", wide(tmp_path, 20, 200_000)))
    assert "expected a network this command can show in 2 GiB of memory, found one that needs about" in line
    assert "(4,600,002 parameters, 5,200,004 rows to write)" in line


def test_step_checks_its_budget_too_for_every_step(cli, tmp_path):
    # 4,600,002 parameters, a row each per step: refused before the first pass, as the stages are
    line = one_line(cli("step", "--json", "--steps", "2", wide(tmp_path, 20, 200_000)))
    assert "expected a network this command can show in 2 GiB of memory" in line
    assert "(4,600,002 parameters, 9,200,004 rows to write)" in line


def test_step_with_one_parameter_counts_the_rows_it_shows(cli):
    # --parameter w5: one table of a row per step, 834 rows. It was counted as 12 rows a step
    # (10,008) and refused with "(--all on 12 parameters)", an option never given.
    result = cli("step", "--steps", "834", "--parameter", "w5", "--all")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") > 834
    line = one_line(cli("step", "--steps", "834"))  # a table of 12 rows for each step: too many
    assert "found 10,008 (834 tables of up to 24 rows, on 12 parameters); use --json, or show fewer rows" in line
    assert "--all" not in line
    assert "--parameter: expected a parameter name such as w1 or bw4, found 'w99'" in one_line(
        cli("step", "--steps", "10000", "--parameter", "w99"))


def test_a_table_of_a_big_network_is_shown_with_its_row_limit(cli, tmp_path):
    config = wide(tmp_path, 20, 5000)
    result = cli("backprop", config, "--rows", 3)
    assert result.exit_code == 0 and "more parameters not shown" in result.stdout
    assert "expected at most 10,000 table rows, found 130,004 (--all on 115,002 parameters)" in one_line(
        cli("backprop", config, "--all"))


def test_diagram_and_gradcheck_of_a_network_too_big_for_them(cli, tmp_path):
    config = wide(tmp_path, 200, 60)
    assert "expected a network of at most 10,000 edges to draw, found 12,120 (a 200-60-2 network)" in one_line(
        cli("diagram", config, "--out", tmp_path / "d.svg"))
    assert not (tmp_path / "d.svg").exists()
    assert "expected at most 31,622 parameters to check by finite differences" in one_line(
        cli("gradcheck", wide(tmp_path, 20, 5000)))


def test_the_readme_states_the_limits_the_code_has():
    from helpers import ROOT

    from pencilnet.cli.data import PICTURE_BYTES
    from pencilnet.io import budget, config, csv_data, npz, starter, yaml_text

    section = (ROOT / "docs" / "errors-and-limits.md").read_text(encoding="utf-8")
    for figure in (f"{yaml_text.MAX_YAML_NODES:,}", f"{config.MAX_BYTES // starter.BYTES_PER_PARAMETER:,}",
                   f"{csv_data.MAX_TEXT_BYTES // PICTURE_BYTES:,}", f"{csv_data.MAX_TEXT_BYTES // 2**20} MiB",
                   f"{npz.MAX_ARRAY_BYTES // 2**20} MiB", f"{budget.TABLE_ROWS_LIMIT:,} rows",
                   f"{budget.DRAWN_EDGES_LIMIT:,} edges", f"{int(budget.GRADCHECK_LIMIT ** 0.5):,} parameters",
                   f"{budget.BYTES_PER_PARAMETER} bytes", f"{budget.BYTES_PER_ROW // 1024} KiB",
                   f"{budget.MEMORY_LIMIT // 2**30} GiB", f"{budget.BYTES_PER_EPOCH} bytes per epoch"):
        assert figure in section, figure


@pytest.mark.skipif(not hasattr(__import__("os"), "kill"), reason="sends SIGINT to itself")
def test_ctrl_c_as_a_signal_while_the_command_line_is_parsed(monkeypatch, capsys):
    # A real SIGINT before any command runs: Click would say "Aborted!" and exit 1.
    import os
    import signal

    import pencilnet.cli

    monkeypatch.setattr(sys, "argv", ["pencilnet", "forward"])
    import typer.core

    previous = signal.getsignal(signal.SIGINT)
    parse = typer.core.TyperGroup.make_context

    def interrupted_parse(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # while Click parses the command line
        return parse(*args, **kwargs)

    monkeypatch.setattr(typer.core.TyperGroup, "make_context", interrupted_parse)
    try:
        with pytest.raises(SystemExit) as caught:
            pencilnet.cli.main()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert caught.value.code == EXIT_INTERRUPTED
    assert capsys.readouterr().err == "pencilnet: interrupted\n"


def test_training_a_billion_epochs_until_the_target_error(cli):
    # The history keeps at most 1,025 epochs (an evenly spread sample): a billion epochs with a target
    # error is how one says "until it converges", no longer refused as needing 60 GiB.
    found = cli("train", "--epochs", 10**9, "--set", "training.target_error=0.05", "--json")
    assert found.exit_code == 0, found.output
    assert json.loads(found.stdout)["stopped_early"]
