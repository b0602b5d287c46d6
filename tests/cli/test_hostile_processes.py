"""Hostile use that only a real process shows: endless devices as inputs, a reader that closes
the pipe, a full disk or a closed descriptor as output, NumPy's warnings on stderr."""

import os
import resource
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix" or not os.path.exists("/dev/zero"), reason="POSIX devices")


def limited():
    # Were a read to go on to the end of /dev/zero, the process fails here, not the machine.
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def run(*args, closing: int | None = None, **kwargs) -> subprocess.CompletedProcess:
    def prepare():
        limited()
        if closing is not None:
            os.close(closing)

    options = {"stdout": subprocess.PIPE, "stdin": subprocess.DEVNULL, **kwargs}
    return subprocess.run([sys.executable, "-m", "pencilnet", *args], stderr=subprocess.PIPE, text=True,
                          timeout=120, preexec_fn=prepare, **options)


def message(process, code: int = 2) -> str:
    assert process.returncode == code, process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pencilnet: error: "), process.stderr
    return lines[0]


def test_a_config_that_is_an_endless_device():
    assert message(run("forward", "/dev/zero")) == (
        "pencilnet: error: /dev/zero: expected a config (a regular file, not a pipe or device), found a character "
        "device")


def test_an_endless_standard_input():
    with open("/dev/zero", "rb") as zeros:
        assert message(run("forward", "-", stdin=zeros)) == (
            "pencilnet: error: <stdin>: expected a config of at most 16 MiB, found more")


def test_a_data_file_and_a_history_that_link_to_an_endless_device(tmp_path):
    (tmp_path / "zeros.csv").symlink_to("/dev/zero")
    (tmp_path / "c.yaml").write_text("inputs: 1\nlayers: [{size: 1, init: xavier}]\ndata: {train: zeros.csv}\n")
    assert "zeros.csv: expected a data file (a regular file, not a pipe or device), found a character device" in (
        message(run("forward", str(tmp_path / "c.yaml"))))
    assert message(run("plot", "/dev/zero")) == (
        "pencilnet: error: /dev/zero: expected a JSON file (a regular file, not a pipe or device), found a character "
        "device")


def test_a_reader_that_closes_the_pipe_is_not_a_failed_check():
    process = subprocess.Popen([sys.executable, "-m", "pencilnet", "verify"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    process.stdout.close()  # as `| head -1` does once it has its line: nobody reads any more
    _, err = process.communicate(timeout=120)
    assert process.returncode == 141 and err == b""  # 128 + SIGPIPE, quietly, as `| head` expects


def test_a_full_disk_as_output():
    with open("/dev/full", "w") as full:
        assert message(run("forward", stdout=full)) == "pencilnet: error: cannot write: No space left on device"


def test_closed_standard_output_and_input():
    assert message(run("forward", "--json", closing=1, stdout=None)) == (
        "pencilnet: error: cannot write: standard output is closed")
    assert message(run("forward", "-", closing=0, stdin=None)) == (
        "pencilnet: error: <stdin>: cannot read: standard input is closed")


def test_numpy_overflow_warnings_are_not_shown(tmp_path):
    # 1e200 × -1e200 overflows in the matrix product; NumPy would warn, naming its source line.
    (tmp_path / "c.yaml").write_text("inputs: 1\nlayers:\n  - {weights: [[1e200]], biases: [0]}\n"
                                     "  - {weights: [[1e200]], biases: [0]}\nsamples:\n"
                                     "  - {inputs: [-1e200], target: [1]}\n")
    process = run("forward", str(tmp_path / "c.yaml"))
    assert process.returncode == 0 and process.stderr == "", process.stderr
