"""What pencilnet prints to a terminal is shown, never obeyed, and written in characters the
terminal can take (issue 26, items 5 and 7).

A user's file (a config's name, description, classes, sample labels, errata and notes; a CSV's
label column) may hold terminal commands: OSC 52 sets the clipboard, OSC 0 the window's title,
CSI 2J clears the screen. No ESC of theirs may reach stdout or stderr: each is shown as `\\x1b`.
Under a locale whose encoding lacks ×, −, Σ, σ, ∂, η and box lines, every stage command prints
an ASCII rendition and exits 0; the tests run real processes, as a terminal would see them."""

import json
import os
import subprocess
import sys

import helpers
import pytest
from helpers import IN_ONE_PROCESS, ROOT, text_of

from pencilnet.views.layout import Grid
from pencilnet.views.terminal import encodable, visible

# The commands an attacker would want a terminal to obey: clipboard, title, clear, 8-bit CSI.
HOSTILE = "\x1b]52;c;SGk=\x07\x1b]0;pwned\x07\x1b[2J\x9b31m\u202eevil"
ARTICLE = ROOT / "src" / "pencilnet" / "configs" / "article.yaml"


def hostile_config(folder, text: str = HOSTILE) -> str:
    return helpers.hostile_config(folder, text)


def run(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pencilnet", *map(str, args)], capture_output=True, cwd=cwd,
                          env={**os.environ, "COLUMNS": "100", **(env or {})}, timeout=120)


def test_visible_writes_every_control_character_as_its_escape():
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("\x9b31m") == "\\x9b31m"  # CSI in one byte, for terminals that take 8-bit controls
    assert visible("\u202eevil") == "\\u202eevil"  # reorders what follows: `evil` would read `live`
    assert visible("\ud83c") == "\\ud83c"  # a lone surrogate: no encoding can write it
    assert visible("two\nlines") == "two\nlines" and visible("two\nlines", breaks=False) == "two\\x0alines"
    assert visible("tomato × 0.5 − σ ∂η") == "tomato × 0.5 − σ ∂η"  # what is not a control stays as it is


def test_a_table_cell_shows_control_characters_and_keeps_its_row():
    grid = Grid("name", "#value")
    grid.add_row("red\x1b[2J\nnext", "0.5")
    shown = text_of(grid, width=80)
    assert "\x1b" not in shown and "red\\x1b[2J\\x0anext" in shown
    assert len([line for line in shown.splitlines() if "0.5" in line]) == 1


SHOWING = ["summary", "predict", "error", "walkthrough", "verify", "forward"]


def run_all(commands: list, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", IN_ONE_PROCESS.format(commands=commands)], capture_output=True,
                          cwd=cwd, env={**os.environ, "COLUMNS": "100", **(env or {})}, timeout=300)


def obeys_nothing(done: subprocess.CompletedProcess) -> None:
    for stream in (done.stdout, done.stderr):
        assert b"\x1b" not in stream and b"\xc2\x9b" not in stream and "\u202e".encode() not in stream


def test_text_from_a_config_reaches_the_terminal_shown_not_obeyed(tmp_path):
    config = hostile_config(tmp_path)
    done = run_all([[command, config] for command in SHOWING])
    assert done.stdout.count(b"exit 0") + done.stdout.count(b"exit 1") == len(SHOWING), done.stderr
    obeys_nothing(done)
    assert done.stdout.count(b"\\x1b]52;c;") >= len(SHOWING)  # shown, for the user to see what the file holds


@pytest.mark.thorough
@pytest.mark.parametrize("command", SHOWING)
def test_each_command_shows_a_config_s_text_in_its_own_process(tmp_path, command):
    done = run(command, hostile_config(tmp_path))
    assert done.returncode in (0, 1), done.stderr
    obeys_nothing(done)
    assert b"\\x1b]52;c;" in done.stdout + done.stderr


def test_an_error_message_quoting_a_user_s_text_shows_its_escapes(cli):
    result = cli("forward", ARTICLE, "--set", f"samples[0].label={json.dumps(HOSTILE)}")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\\x1b[2J" in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_a_csv_label_column_is_shown_not_obeyed(tmp_path):
    label = "apple" + HOSTILE.replace("\x07", "").replace(",", "")
    (tmp_path / "fruit.csv").write_text(f"x1,x2,label\n0.1,0.2,{label}\n0.3,0.1,pear\n", encoding="utf-8")
    (tmp_path / "own.yaml").write_text(
        "inputs: 2\ninit: {scheme: xavier}\nlayers:\n  - {size: 2}\n  - {size: 2}\n"
        f"classes: [{json.dumps(label)}, pear]\ndata: {{train: fruit.csv}}\n", encoding="utf-8")
    commands = [["predict", str(tmp_path / "own.yaml")], ["summary", str(tmp_path / "own.yaml")],
                ["data", "show", str(tmp_path / "fruit.csv")]]
    done = run_all(commands)
    assert done.stdout.count(b"exit 0") == len(commands), done.stderr
    obeys_nothing(done)
    assert done.stdout.count(b"\\x1b[2J") >= len(commands)


def test_encodable_writes_ascii_where_the_encoding_lacks_a_character():
    assert encodable("∂E/∂w = 0.5 × σ(net) − η ─── Σ", "ascii") == "dE/dw = 0.5 x sigma(net) - eta --- sum"
    assert encodable("0.5 × 2 − 1", "iso-8859-1") == "0.5 × 2 - 1"  # Latin-1 has ×, not −
    assert encodable("∇", "ascii") == "\\u2207"  # no rendition: its escape, never an error
    assert encodable("∂E", "utf-8") == "∂E"


STAGES = [["forward"], ["error"], ["backprop"], ["step"], ["walkthrough"], ["train", "--epochs", "3"], ["verify"],
          ["summary"], ["gradcheck", "--rows", "3"]]


@pytest.mark.parametrize("locale", [{"LC_ALL": "C", "PYTHONUTF8": "0"},
                                    pytest.param({"PYTHONIOENCODING": "iso-8859-1", "PYTHONUTF8": "0"},
                                                 marks=pytest.mark.thorough)], ids=["C", "latin-1"])
def test_every_stage_command_prints_under_a_locale_without_unicode(tmp_path, locale):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "LANG", "PYTHONIOENC"))}
    done = subprocess.run([sys.executable, "-c", IN_ONE_PROCESS.format(commands=STAGES)], capture_output=True,
                          cwd=tmp_path, env={**env, "COLUMNS": "100", **locale}, timeout=300)
    assert b"Traceback" not in done.stderr and b"Error" not in done.stderr, done.stderr.decode(errors="replace")
    encoding = "ascii" if locale.get("LC_ALL") == "C" else "iso-8859-1"
    out = done.stdout.decode(encoding)  # decodes: every byte is one the terminal can show
    assert out.count("exit 0") == len(STAGES), out[-2000:]
    assert "dE/dout x dout/dnet" in out or "dE/dout × dout/dnet" in out  # readable, not a row of escapes
    assert "sigma" in out and "----" in out and "\\u" not in out


@pytest.mark.thorough
@pytest.mark.parametrize("stage", STAGES, ids=lambda args: args[0])
def test_each_stage_command_is_its_own_process_under_the_c_locale(tmp_path, stage):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "LANG", "PYTHONIOENC"))}
    done = run(*stage, env={**env, "LC_ALL": "C", "PYTHONUTF8": "0"}, cwd=tmp_path)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    done.stdout.decode("ascii")


def test_a_table_for_a_terminal_without_unicode_is_laid_out_in_its_ascii_text():
    import io

    from pencilnet.views.layout import ShownConsole

    grid = Grid("what", "#value")
    grid.add_row("σ(net) … Σ", "0.5")
    grid.add_row("x", "12.25")
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    console = ShownConsole(file=out, width=80, color_system=None)
    console.print(grid)
    out.flush()
    lines = [line for line in out.buffer.getvalue().decode("ascii").splitlines() if line.strip()]
    assert "sigma(net) ... sum" in lines[2] and set(lines[1].strip()) == {"-"}
    assert len(lines[2]) == len(lines[3]) == len(lines[1]) - 1  # the numbers aligned, as under Unicode


def test_a_pictures_subtitle_shows_a_names_controls_never_obeys_them():
    # A right-to-left override in a config's name reversed the rest of the picture's subtitle.
    import dataclasses

    import pencilnet
    from pencilnet.views.network_labels import subtitle
    from pencilnet.views.numbers import Style

    config = dataclasses.replace(pencilnet.load(), name="tomato\u202eevil\x1b[2J")
    shown = subtitle(config, config.walk(), Style(4))
    assert shown.startswith("tomato\\u202eevil\\x1b[2J: sample 1") and "\u202e" not in shown and "\x1b" not in shown
