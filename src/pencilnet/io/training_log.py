"""`train --log`: one row per epoch, written as training goes and flushed at each epoch's end, so
that a run stopped by Ctrl-C or SIGTERM keeps the rows of its whole epochs.

FILE.csv: a header, then `epoch,error,learning_rate,test_error,test_accuracy,elapsed_seconds` per
epoch (the test set's error and accuracy empty without a test set, the accuracy for a regression);
FILE.jsonl: one JSON object with those keys per line. A row is at most ROW_BYTES bytes (the keys,
98 bytes in JSON, and six numbers: an epoch of at most 10 digits, three errors and rates of at most
23 characters each as a float's shortest repr, an accuracy in [0, 1] of at most 20, seconds to
the millisecond), so a log of N epochs is at most N × ROW_BYTES bytes: 2.2 MB for 10,000 epochs.
DIR/ (a name ending in /): TensorBoard scalars (`error`, `learning_rate`, `test_error`, `test_accuracy`), where
tensorboardX or PyTorch's writer is installed (the `tensorboard` extra); else an InputError
before training starts.
"""

import json
import math
import os
import time
from pathlib import Path

from pencilnet.core.errors import InputError

COLUMNS = ("epoch", "error", "learning_rate", "test_error", "test_accuracy", "elapsed_seconds")
ROW_BYTES = 220  # see above: 98 + 10 + 3 × 23 + 20 + 22, rounded up


def kind_of(path: str) -> str:
    """csv, jsonl or tensorboard (a directory), from the name; anything else is an InputError."""
    if path.endswith(("/", os.sep)) or Path(path).is_dir():
        return "tensorboard"
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".jsonl"):
        return suffix[1:]
    raise InputError(f"{path}: --log: expected a .csv or .jsonl file, or a directory (DIR/) for TensorBoard, "
                     f"found {suffix or 'no extension'}")


def _tensorboard_writer():
    """The SummaryWriter class of tensorboardX or of PyTorch, or None when neither is installed."""
    try:
        from tensorboardX import SummaryWriter  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        try:
            from torch.utils.tensorboard import SummaryWriter  # type: ignore[import-not-found, no-redef, unused-ignore]
        except ImportError:
            return None
    return SummaryWriter


def check_log(path: str) -> str:
    """Fail before training if the log cannot be written as asked; returns its kind."""
    kind = kind_of(path)
    if kind == "tensorboard" and _tensorboard_writer() is None:
        raise InputError(f"{path}: --log: a directory is for TensorBoard scalars, which need tensorboardX or PyTorch "
                         "(pip install 'pencilnet[tensorboard]'); or give a .csv or .jsonl file")
    return kind


def _number(value: float):
    return None if not math.isfinite(value) else value


class EpochLog:
    """A log open for the run: `row` is loop.EpochEnd; `close` when training ends or stops."""

    def __init__(self, path: str):
        self.kind, self.path, self.started = check_log(path), path, time.monotonic()
        self.writer = None
        if self.kind == "tensorboard":
            self.writer = _tensorboard_writer()(path)
            self.stream = None
            return
        self.stream = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 (closed by close())
        if self.kind == "csv":
            self.stream.write(",".join(COLUMNS) + "\n")
            self.stream.flush()

    def row(self, epoch: int, error: float, rate: float, test_error: float, accuracy: float) -> None:
        elapsed = round(time.monotonic() - self.started, 3)
        if self.writer is not None:
            self.writer.add_scalar("error", error, epoch)
            self.writer.add_scalar("learning_rate", rate, epoch)
            for name, value in (("test_error", test_error), ("test_accuracy", accuracy)):
                if math.isfinite(value):
                    self.writer.add_scalar(name, value, epoch)
            self.writer.flush()
            return
        assert self.stream is not None
        values = (epoch, error, rate, test_error, accuracy, elapsed)
        if self.kind == "csv":
            self.stream.write(",".join("" if v is None else repr(v) for v in map(_number, values)) + "\n")
        else:
            self.stream.write(json.dumps(dict(zip(COLUMNS, map(_number, values), strict=True))) + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.stream is not None:
            self.stream.close()
