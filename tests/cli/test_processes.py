"""The tool as a real process: Ctrl-C, SIGTERM and SIGHUP during training, and a kill at each
step of writing a file. No test waits a fixed time: each waits, with a deadline, for a sign
(the progress bar showing a whole epoch, a write reaching a given step) and fails if the sign
never comes."""

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import ROOT

import pencilnet
from pencilnet.core.model import flatten
from pencilnet.io import saving

pytestmark = pytest.mark.skipif(os.name != "posix", reason="sends POSIX signals")
DEADLINE = 120  # seconds; generous for a loaded machine, and only reached when something is wrong
EPOCHS = 100_000  # more than any test waits for: the run goes on until it is stopped


def start_training(*args: str, **options) -> tuple[subprocess.Popen, int]:
    """`pencilnet train` as a process whose stderr is a terminal, so that it draws its progress
    bar there; returns the process and the terminal's other end, to read the bar from."""
    reader, terminal = pty.openpty()
    # A suite started in the background by a shell (`pytest &`) runs with Ctrl-C ignored, and a
    # child would inherit that (pencilnet leaves an ignored signal ignored, as under nohup): the
    # process gets Ctrl-C as a terminal's would, unless a test sets up its signals itself.
    options.setdefault("preexec_fn", lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    process = subprocess.Popen([sys.executable, "-m", "pencilnet", "train", *args], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=terminal, **options)
    os.close(terminal)
    return process, reader


def read_until(reader: int, process: subprocess.Popen, sign) -> bytes:
    """What the process writes to its terminal, up to when `sign(text)` holds; fails the test
    if the process ends or DEADLINE passes first."""
    seen = b""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        ready, _, _ = select.select([reader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(reader, 65536)
            except OSError:  # EIO: the process has closed its terminal
                chunk = b""
            if not chunk:
                break
            seen += chunk
            if sign(seen):
                return seen
        elif process.poll() is not None:
            break
    process.kill()
    pytest.fail(f"no sign within {DEADLINE} s (exit {process.poll()}); the terminal showed {seen[-400:]!r}")


def rest(reader: int) -> str:
    """Everything else the process writes to its terminal, until it closes it."""
    seen = b""
    while True:
        ready, _, _ = select.select([reader], [], [], DEADLINE)
        if not ready:
            pytest.fail("the process neither wrote nor closed its terminal")
        try:
            chunk = os.read(reader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(reader)
    return plain(seen).decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")


def whole_epochs(text: bytes) -> int:
    """The most whole epochs the progress bar has shown (it reads "training ━━━ 3/100000 epochs")."""
    return max((int(n) for n in re.findall(rb"(\d+)/" + str(EPOCHS).encode() + rb" epochs", plain(text))), default=0)


def plain(text: bytes) -> bytes:
    return re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", text)  # without colours and cursor moves


# Ctrl-C and SIGTERM with the NumPy loop, which starts in a fraction of the time; in CI also
# SIGHUP, and Ctrl-C over the compiled loop (numba), which runs a stretch of samples between
# looks at the signal.
@pytest.mark.parametrize("number, code, said, numba", [
    (signal.SIGINT, 130, "interrupted", False),
    pytest.param(signal.SIGINT, 130, "interrupted", True, marks=pytest.mark.thorough),
    (signal.SIGTERM, 143, "stopped by SIGTERM", False),
    pytest.param(signal.SIGHUP, 129, "stopped by SIGHUP", False, marks=pytest.mark.thorough)])
def test_a_stop_signal_during_training_saves_the_last_whole_epoch(tmp_path, monkeypatch, number, code, said, numba):
    if not numba:
        monkeypatch.setenv("PENCILNET_NUMBA", "0")  # in the process started, and for the oracle below
    saved = tmp_path / "trained.yaml"
    config = ROOT / "configs" / "fruit.yaml"
    process, reader = start_training(str(config), "--epochs", str(EPOCHS), "--save", str(saved),
                                     "--set", "training.target_error=null")  # no early stop
    read_until(reader, process, lambda text: whole_epochs(text) >= 2)
    process.send_signal(number)
    err = rest(reader)
    assert process.wait(timeout=DEADLINE) == code, err
    found = re.search(rf"pencilnet: {said} after (\d+) whole epoch\(s\); error in the last one ", err)
    assert found and "Traceback" not in err, err
    epochs = int(found.group(1))
    assert epochs >= 2
    assert f"pencilnet: wrote {saved} with the weights after epoch {epochs}\n" in err
    trained = pencilnet.load(str(saved))  # whole, and a config every subcommand accepts
    assert saved.read_text().startswith(f"# Trained by pencilnet from {config}: interrupted after {epochs} epochs.")
    # The oracle: the same run, stopped by its epoch count instead, in this process, and by the
    # same loop (the process's run was long enough for the compiled one, if numba is installed).
    from dataclasses import replace

    from pencilnet.training import loop

    monkeypatch.setattr(loop, "COMPILED_FROM", 0)
    cfg = pencilnet.load(str(config), ["training.target_error=null"])
    expected = pencilnet.train(cfg.model, cfg.train_inputs, cfg.train_targets, replace(cfg.schedule, epochs=epochs),
                               cfg.loss)
    assert np.array_equal(flatten(trained.model), flatten(expected.model))
    assert not np.allclose(flatten(trained.model), flatten(cfg.model))


def test_a_stop_signal_before_training_exits_with_its_code_and_writes_nothing(tmp_path):
    saved = tmp_path / "trained.yaml"
    process, reader = start_training(str(ROOT / "configs" / "fruit.yaml"), "--epochs", str(EPOCHS), "--save",
                                     str(saved), "--set", "training.target_error=null")
    read_until(reader, process, lambda text: b"/100000" in text)  # the bar is up: the first epoch runs
    process.send_signal(signal.SIGTERM)
    err = rest(reader)
    assert process.wait(timeout=DEADLINE) == 143, err
    said = [line for line in err.splitlines() if line.startswith("pencilnet: ")]
    assert said and said[0].startswith("pencilnet: stopped by SIGTERM"), err
    # Stopped while the run was being set up (numba compiling, say), or in its first epoch: no
    # file. A fast machine may have finished an epoch by then: then it is saved, and says so.
    assert saved.exists() == (f"pencilnet: wrote {saved}" in err), err
    assert saved.exists() == bool(re.fullmatch(r"pencilnet: stopped by SIGTERM after \d+ whole epoch.*", said[0]))
    assert "Traceback" not in err and not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_under_nohup_a_hangup_does_not_stop_training(tmp_path, monkeypatch):
    # nohup starts a command with SIGHUP ignored; pencilnet leaves an ignored signal ignored.
    monkeypatch.setenv("PENCILNET_NUMBA", "0")  # the NumPy loop: quicker to start
    saved = tmp_path / "trained.yaml"
    process, reader = start_training(str(ROOT / "configs" / "fruit.yaml"), "--epochs", str(EPOCHS), "--save",
                                     str(saved), "--set", "training.target_error=null",
                                     preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    shown = read_until(reader, process, lambda text: whole_epochs(text) >= 1)
    process.send_signal(signal.SIGHUP)
    read_until(reader, process, lambda text: whole_epochs(shown + text) >= whole_epochs(shown) + 3)  # still training
    process.send_signal(signal.SIGTERM)
    err = rest(reader)
    assert process.wait(timeout=DEADLINE) == 143 and "pencilnet: stopped by SIGTERM after " in err, err
    assert saved.exists()


# A kill at each step of a write, made exact: the process kills itself when the writer reaches
# that step (os.write of the data, os.fsync, os.replace), so no test depends on timing.
# The start of each script: the process kills itself at call number argv[2] of os.<argv[1]>.
KILL_AT_CALL = """
import os, signal, sys
step, count = sys.argv[1], int(sys.argv[2])
original = getattr(os, step)
calls = []

def killed(*args, **kwargs):
    calls.append(1)
    if len(calls) == count:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args, **kwargs)

setattr(os, step, killed)
"""

KILLED_AT = KILL_AT_CALL + """
import pencilnet.io.saving as saving
saving.YAML_MAX_PARAMETERS = int(sys.argv[3])
from pencilnet.cli.app import app
app(sys.argv[4:], prog_name="pencilnet")
"""


def killed_at(step: str, count: int, *args, npz_from: int = 10**9) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", KILLED_AT, step, str(count), str(npz_from), *map(str, args)],
                          capture_output=True, text=True, timeout=DEADLINE)


def test_a_training_run_killed_while_it_saves_leaves_the_old_file(tmp_path, article):
    target = tmp_path / "saved.yaml"
    saving.save(article, article.model, "0 epochs", target)
    old = target.read_bytes()
    result = killed_at("fsync", 1, "train", "--epochs", "3", "--save", target)  # the new file written, not yet in place
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert target.read_bytes() == old  # the old file, whole
    pencilnet.load(str(target))


@pytest.mark.parametrize("count, which", [(1, "old"), (2, "new")])
def test_a_big_save_killed_between_its_two_files_loads_whole(tmp_path, monkeypatch, article, count, which):
    # A big network: its parameters .npz first, then the config. Killed at the first rename,
    # both files are the old ones; at the second, the new parameters are in, under the old
    # config: the same architecture, so it still loads, with the newer weights.
    monkeypatch.setattr(saving, "YAML_MAX_PARAMETERS", 10)  # the article's 12 parameters go to an .npz
    target = tmp_path / "saved.yaml"
    saving.save(article, article.model, "0 epochs", target)
    result = killed_at("replace", count, "train", target, "--epochs", "2", "--save", target, npz_from=10)
    assert result.returncode == -signal.SIGKILL, result.stderr
    after = flatten(pencilnet.load(str(target)).model)
    assert np.array_equal(after, flatten(article.model)) == (which == "old")
    assert "0 epochs" in target.read_text().splitlines()[0]  # the config is the old one in both cases


WRITER = KILL_AT_CALL + """
from pencilnet.io.files import write_atomic
versions = [b"a" * 2_000_000, b"b" * 3_000_000]
for n in range(4):
    write_atomic(sys.argv[3], versions[n % 2])
"""


@pytest.mark.parametrize("step", ["fsync", "replace"])
@pytest.mark.parametrize("count", [1, 2, 3])
def test_a_kill_at_any_step_of_a_write_leaves_one_whole_version(tmp_path, step, count):
    target = tmp_path / "file"
    result = subprocess.run([sys.executable, "-c", WRITER, step, str(count), str(target)], capture_output=True,
                            timeout=DEADLINE)
    assert result.returncode == -signal.SIGKILL, result.stderr
    if count == 1:
        assert not target.exists()  # killed in its first write: nothing under the name yet
        return
    size = target.stat().st_size  # killed later: one version, whole (which one depends on the step)
    assert size in (2_000_000, 3_000_000)
    with open(target, "rb") as stream:
        first = stream.read(1)
    assert first * size == target.read_bytes()


# ---- every command's exit status, as a real process ------------------------------------------------

# One successful use of every command; {d} is a scratch directory. The second wave reads what the
# first wrote. (In-process, a command's return value never becomes the exit status: only a real
# process shows `init > x.yaml` exiting 239, the number of characters it wrote.)
FIRST_WAVE = {
    "forward": ["forward"], "error": ["error", "--json"], "backprop": ["backprop"], "step": ["step", "--json"],
    "walkthrough": ["walkthrough"], "train": ["train", "--json", "--epochs", "3"], "predict": ["predict"],
    "verify": ["verify"], "expect": ["expect"], "gradcheck": ["gradcheck", "--json"],
    "export": ["export", "--out", "{d}/net.safetensors"], "publish": ["publish", "--out", "{d}/doc.md"],
    "init": ["init", "--layers", "2,3,2", "--seed", "3"], "summary": ["summary"], "diagram": ["diagram"],
    "data fruit": ["data", "fruit", "--out", "{d}/fruit.csv", "--count", "10"],
    "exercise": ["exercise", "--out", "{d}/exercises"],
}
SECOND_WAVE = {
    "import": ["import", "{d}/net.safetensors"], "plot": ["plot", "{d}/train.out"],
    "data show": ["data", "show", "{d}/fruit.csv"],
    "grade": ["grade", "{d}/answers.csv", "--exercises", "{d}/exercises"],
}


def command_names(typer_app, prefix: str = "") -> set[str]:
    names = {prefix + (info.name or info.callback.__name__) for info in typer_app.registered_commands}
    for group in typer_app.registered_groups:
        names |= command_names(group.typer_instance, f"{prefix}{group.name} ")
    return names


def test_every_command_exits_0_when_it_succeeds_as_a_real_process(tmp_path):
    from pencilnet.cli.app import app

    assert command_names(app) == set(FIRST_WAVE) | set(SECOND_WAVE)  # a new command gets its line here
    (tmp_path / "answers.csv").write_text("student,quantity,value\nvariant-1,net_h1,0.5\n")
    for wave in (FIRST_WAVE, SECOND_WAVE):
        running = {}
        for name, args in wave.items():  # side by side: twenty starts one after another take long
            out = open(tmp_path / f"{name.replace(' ', '_')}.out", "wb")  # noqa: SIM115 (closed below)
            running[name] = (out, subprocess.Popen(
                [sys.executable, "-m", "pencilnet", *(a.format(d=tmp_path) for a in args)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE, cwd=tmp_path))
        for name, (out, process) in running.items():
            _, err = process.communicate(timeout=DEADLINE)
            out.close()
            assert process.returncode == 0, (name, process.returncode, err.decode())
            assert (tmp_path / f"{name.replace(' ', '_')}.out").stat().st_size > 0 or b"wrote" in err, name


def test_a_starter_config_piped_into_a_command_succeeds_under_pipefail():
    if not os.path.exists("/bin/bash"):
        pytest.skip("needs bash")
    script = (f"set -o pipefail; {sys.executable} -m pencilnet init --layers 2,2,2 --seed 3 "
              f"| {sys.executable} -m pencilnet forward - > /dev/null")
    assert subprocess.run(["/bin/bash", "-c", script], timeout=DEADLINE).returncode == 0
