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


def cut_short_at(limit: int):
    """A file-size limit: the disk 'fills' after `limit` bytes, mid-write (the write is cut short,
    then refused), as a full disk does; SIGXFSZ ignored, so the write reports it instead."""
    def prepare():
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return prepare


# Python's buffered writer drops what a short write left over, silently: the file held 1,024 bytes
# of the output (256 of Click's help) and the command exited 0.
@pytest.mark.parametrize("args, limit", [(("walkthrough",), 1024), (("walkthrough", "--json"), 1024),
                                         (("expect",), 1024), (("init", "--layers", "30,30,2"), 1024),
                                         (("--help",), 256), (("train", "--help"), 256),
                                         (("data", "fruit", "--help"), 256)])
def test_an_output_cut_short_by_a_full_disk_is_an_error(tmp_path, args, limit):
    with open(tmp_path / "out.txt", "w") as out:
        process = subprocess.run([sys.executable, "-m", "pencilnet", *args], stdout=out, stderr=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL, text=True, timeout=120, preexec_fn=cut_short_at(limit))
    assert message(process) == "pencilnet: error: cannot write: File too large"
    assert (tmp_path / "out.txt").stat().st_size == limit


def test_a_non_blocking_pipe_that_fills_gets_the_whole_output():
    # The output is written to the descriptor directly: a pipe left non-blocking by another program
    # refuses a write while full (EAGAIN), and the rest must wait for the reader, not fail.
    import fcntl
    import time

    reader, writer = os.pipe()
    fcntl.fcntl(writer, fcntl.F_SETFL, fcntl.fcntl(writer, fcntl.F_GETFL) | os.O_NONBLOCK)
    process = subprocess.Popen([sys.executable, "-m", "pencilnet", "init", "--layers", "100,100,2"], stdout=writer,
                               stderr=subprocess.PIPE)
    os.close(writer)
    time.sleep(1)  # long enough, often, for the pipe to fill; the test holds either way
    with os.fdopen(reader, "rb") as pipe:
        text = pipe.read()
    assert process.wait(timeout=120) == 0 and process.stderr.read() == b""
    assert text.startswith(b"# ") and len(text) > 65536 and text.endswith(b"\n")


def test_the_help_to_a_closed_pipe_is_quiet():
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the help is written: `pencilnet --help | true`
    process = subprocess.run([sys.executable, "-m", "pencilnet", "train", "--help"], stdout=writer,
                             stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=120)
    os.close(writer)
    assert (process.returncode, process.stderr) == (141, b"")


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("forward", "--help")])
def test_the_help_and_the_version_to_a_full_disk_are_one_line_not_a_traceback(args):
    # Click writes them before any command starts, outside the commands' own handling of a full disk.
    with open("/dev/full", "w") as full:
        assert message(run(*args, stdout=full)) == "pencilnet: error: cannot write: No space left on device"


def test_a_history_whose_epochs_go_backwards_is_bad_input(tmp_path):
    (tmp_path / "h.json").write_text('{"errors": [0.2, 0.1], "error_epochs": [3, 2]}')
    assert message(run("plot", str(tmp_path / "h.json"))) == (
        f"pencilnet: error: {tmp_path / 'h.json'}: error_epochs[1]: expected a whole number from 1, greater than the "
        "one before, found 2")
