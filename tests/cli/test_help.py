"""The command line as a user meets it: help that is never cut, -h, one style of placeholder,
-o and "wrote …" on stderr for every writing command, and usage errors in pencilnet's own
one-line form."""

import re
import sys

import pytest

from pencilnet.cli import main
from pencilnet.cli.app import app

COMMANDS = ["forward", "error", "backprop", "step", "walkthrough", "train", "predict", "verify", "expect",
            "gradcheck", "init", "summary", "diagram", "plot", "data fruit", "data show"]


def test_the_command_list_shows_every_summary_whole(cli, monkeypatch):
    from typer.testing import CliRunner

    # (Click's test runner pins help to 80 columns unless told the terminal's width)
    out = CliRunner().invoke(app, ["--help"], terminal_width=200).stdout
    assert "..." not in out.split("Commands:")[1]
    assert "Stage 1, forward propagation: net and out of every node, layer by layer." in out
    monkeypatch.setenv("COLUMNS", "80")
    narrow = cli("-h").stdout  # -h too; at 80 columns the summaries wrap, whole
    assert "..." not in narrow.split("Commands:")[1]
    assert "Stage 1, forward propagation: net and out of every node, layer by layer." in " ".join(narrow.split())


@pytest.mark.parametrize("command", COMMANDS)
def test_help_uses_one_kind_of_placeholder(cli, command):
    out = cli(*command.split(), "-h").stdout
    usage, _, rest = out.partition("\n")
    assert usage.startswith("Usage:")
    # (Typer writes a required argument as {FILE} in the usage line, its one convention)
    assert not re.search(r"<[a-z ]+>|\b(INTEGER|TEXT|FLOAT|BOOLEAN)\b|\{|\.json\b", rest), out
    for line in out.splitlines():  # every option says what it does
        assert not re.fullmatch(r"\s+(-\w, )?--[\w-]+( [A-Z,…]+)?\s*(\[.*\])?", line), line


def test_completion_is_offered(cli):
    out = cli("--help").stdout
    assert "--install-completion" in out and "--show-completion" in out


@pytest.mark.parametrize("args, message", [
    (["diagram", "--stage", "bogus"], "Invalid value for '--stage': 'bogus' is not one of"),
    (["forward", "--decimals", "99"], "Invalid value for '--decimals': 99 is not in the range 0<=x<=15."),
    (["forward", "--no-such-option"], "No such option: --no-such-option"),
])
def test_usage_errors_are_one_line_like_every_other_error(monkeypatch, capsys, args, message):
    monkeypatch.setattr(sys, "argv", ["pencilnet", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("pencilnet: error: ") and message in err, err


def test_main_exits_with_the_command_s_own_code(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["pencilnet", "forward", "--sample", "9"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "pencilnet: error: --sample: expected a sample number from 1 to 1, found 9\n"
    monkeypatch.setattr(sys, "argv", ["pencilnet", "summary"])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 0 and "12 parameters" in capsys.readouterr().out


def test_writing_commands_take_o_and_say_what_they_wrote_on_stderr(cli, tmp_path):
    for args, what in [(["init", "-o", tmp_path / "starter.yaml"], "a 2-2-2 network"),
                       (["data", "fruit", "--count", "4", "-o", tmp_path / "pictures.csv"],
                        "4 pictures (2 red apple, 2 tomato), seed 1")]:
        result = cli(*args)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
        assert result.stderr == f"pencilnet: wrote {args[-1]}: {what}\n"


def test_app_is_the_typer_app():
    assert app.info.name == "pencilnet"


def test_help_and_tables_follow_the_glossary(cli):
    # docs/glossary.md: a stage is one of forward, error, backprop, update; a step is one change of the
    # parameters; the learning rate is not a "step size". The tables said "Step 2: forward propagation",
    # train "one update per sample", the config reference "the step size η".
    from pencilnet.io.schema import TRAINING

    shown = " ".join(cli("walkthrough").stdout.split()) + " ".join(cli("train", "--epochs", "1").stdout.split())
    assert "Stage 1: forward propagation" in shown and "Stage 4: updating the weights" in shown
    assert "online: one step per sample" in shown and "Step 2" not in shown and "update per" not in shown
    assert {field.name: field.help for field in TRAINING.table}["learning_rate"] == "the learning rate η"
