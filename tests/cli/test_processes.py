"""The tool as a real process: Ctrl-C during training, and a kill while a file is written."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import ROOT

import pencilnet
from pencilnet.core.model import flatten


def start(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pencilnet", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


@pytest.mark.skipif(os.name != "posix", reason="sends SIGINT")
def test_ctrl_c_during_training_stops_cleanly_and_saves(tmp_path):
    saved = tmp_path / "trained.yaml"
    process = start("train", str(ROOT / "configs" / "fruit.yaml"), "--epochs", "100000", "--save", str(saved),
                    "--set", "training.target_error=null")  # no early stop: it runs until interrupted
    time.sleep(4)  # long enough to load the data and finish a few epochs of about 50 ms each
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted after" in err and "whole epoch(s)" in err and "Traceback" not in err
    assert f"wrote {saved}" in err
    trained = pencilnet.load(str(saved))  # whole, and a config every subcommand accepts
    assert trained.model.parameter_count == 1406
    assert not np.array_equal(flatten(trained.model), flatten(pencilnet.load(str(ROOT / "configs" / "fruit.yaml")).model))


@pytest.mark.skipif(os.name != "posix", reason="sends SIGKILL")
def test_a_training_run_killed_while_it_saves_leaves_the_old_file(tmp_path):
    config = tmp_path / "big.yaml"
    # About four megabytes of weights, so the save takes a while to write.
    subprocess.run([sys.executable, "-m", "pencilnet", "init", "--layers", "400,400,10", "--epochs", "1",
                    "--out", str(config)], check=True, capture_output=True)
    target = tmp_path / "saved.yaml"
    old = (ROOT / "configs" / "article.yaml").read_bytes()
    for attempt in range(5):
        target.write_bytes(old)
        process = start("train", str(config), "--save", str(target))
        caught = False
        while process.poll() is None:
            if any(name.startswith(".saved.yaml.") for name in os.listdir(tmp_path)):
                process.kill()  # in the middle of writing the new file
                caught = True
                break
        process.communicate()
        if caught:
            break
    assert caught, "never caught the save in the act"
    assert target.read_bytes() == old  # the old file, whole
    pencilnet.load(str(target))


WRITER = """
import sys
from pencilnet.io.files import write_atomic
versions = [b"a" * 20_000_000, b"b" * 30_000_000]
print("ready", flush=True)
n = 0
while True:
    write_atomic(sys.argv[1], versions[n % 2])
    n += 1
"""


@pytest.mark.skipif(os.name != "posix", reason="sends SIGKILL")
def test_a_kill_while_writing_leaves_one_whole_version(tmp_path):
    # Writing tens of megabytes is most of what this loop does, so the kills land mid-write.
    target = tmp_path / "file"
    rng = np.random.default_rng(0)
    for _ in range(6):
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready"
        time.sleep(float(rng.uniform(0.1, 0.6)))
        process.kill()
        process.wait()
        if target.exists():
            size = target.stat().st_size
            assert size in (20_000_000, 30_000_000), size
            with open(target, "rb") as stream:
                first = stream.read(1)
            assert first * size == target.read_bytes()
