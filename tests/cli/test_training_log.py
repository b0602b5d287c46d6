"""train --log (issue 25 item 4): a row per epoch, written as training goes, kept when a run stops."""

import csv
import importlib.util
import json
import signal
import subprocess
import sys
import time

import pytest
from helpers import ROOT, commands_in_one_process

from pencilnet.io.training_log import ROW_BYTES

TENSORBOARD = any(importlib.util.find_spec(name) for name in ("tensorboardX", "torch"))


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pencilnet", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_a_csv_log_has_a_row_per_epoch(tmp_path):
    log = tmp_path / "train.csv"
    result = run("train", "--epochs", "4", "--log", log, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(log.open()))
    assert list(rows[0]) == ["epoch", "error", "learning_rate", "test_error", "test_accuracy", "elapsed_seconds"]
    assert [row["epoch"] for row in rows] == ["1", "2", "3", "4"]
    # Epoch 1 is the article's one sample before its step: E_total = ½((0 − 0.5934)² + (1 − 0.7353)²) = 0.2111.
    assert round(float(rows[0]["error"]), 4) == 0.2111
    assert float(rows[1]["error"]) < float(rows[0]["error"])
    assert {row["learning_rate"] for row in rows} == {"0.5"}
    assert {row["test_error"] for row in rows} == {row["test_accuracy"] for row in rows} == {""}  # no test set
    elapsed = [float(row["elapsed_seconds"]) for row in rows]
    assert elapsed == sorted(elapsed) and elapsed[0] >= 0


def test_a_jsonl_log_carries_the_test_accuracy_and_the_json_history_agrees(tmp_path):
    log = tmp_path / "train.jsonl"
    result = run("train", ROOT / "configs" / "fruit.yaml", "--epochs", "3", "--json", "--log", log, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = log.read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    assert all(len(line.encode()) + 1 <= ROW_BYTES for line in lines)
    assert [row["epoch"] for row in rows] == [1, 2, 3]
    assert all(0 <= row["test_accuracy"] <= 1 for row in rows)
    history = json.loads(result.stdout)
    assert [row["error"] for row in rows] == history["errors"]
    assert [row["test_error"] for row in rows] == history["test_errors"]
    assert [row["test_accuracy"] for row in rows] == history["test_accuracies"]
    # After the last epoch, the test set is the one `train` scores at the end: the same accuracy.
    assert rows[-1]["test_accuracy"] == history["test_accuracy"]


def test_a_log_that_cannot_be_written_as_asked_is_refused_before_training(tmp_path):
    says = "expected a .csv or .jsonl file, or a directory (DIR/) for TensorBoard, found .txt"
    mine = tmp_path / "mine.csv"
    mine.write_text("a,b\n1,2\n")
    result, again = commands_in_one_process(["train", "--log", tmp_path / "log.txt"], ["train", "--log", mine],
                                            cwd=tmp_path, timeout=120)
    assert result.returncode == 2 and says in result.stderr and len(result.stderr.splitlines()) == 1
    assert again.returncode == 2 and mine.read_text() == "a,b\n1,2\n"


@pytest.mark.skipif(TENSORBOARD, reason="a TensorBoard writer is installed")
def test_a_tensorboard_directory_without_a_writer_is_one_clear_line(tmp_path):
    result = run("train", "--log", f"{tmp_path}/runs/", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"pencilnet: error: {tmp_path}/runs/: --log: a directory is for TensorBoard scalars, which need tensorboardX "
        "or PyTorch (pip install 'pencilnet[tensorboard]'); or give a .csv or .jsonl file"]


@pytest.mark.skipif(not TENSORBOARD, reason="no TensorBoard writer installed")
def test_tensorboard_scalars_are_written_where_a_writer_is_installed(tmp_path):
    result = run("train", "--epochs", "3", "--log", f"{tmp_path}/runs/", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "runs").glob("events.out.tfevents.*"))


def test_sigterm_keeps_the_rows_of_the_whole_epochs(tmp_path):
    log = tmp_path / "train.csv"
    process = subprocess.Popen([sys.executable, "-m", "pencilnet", "train", "--epochs", "1000000", "--log", str(log)],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not log.exists() or log.read_text().count("\n") < 4):
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, err
    text = log.read_text()
    assert text.endswith("\n")  # whole rows only
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) >= 3
    assert [int(row["epoch"]) for row in rows] == list(range(1, len(rows) + 1))
    assert "whole epoch(s)" in err
