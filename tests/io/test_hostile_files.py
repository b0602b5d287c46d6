"""Files written to hurt: endless streams, alias and zip bombs, huge integers, deep nesting,
headers that lie. Each is refused with one line naming the file, in bounded time and memory."""

import io
import os
import sys
import zipfile

import numpy as np
import pytest

import pencilnet
from pencilnet.core.errors import InputError
from pencilnet.io import config, yaml_text
from pencilnet.io.config import MAX_BYTES, parse
from pencilnet.io.csv_data import load_csv
from pencilnet.io.npz import load_npz


class Endless(io.RawIOBase):
    """A stream of zeros that never ends, like /dev/zero, counting what is read from it; past
    `most` bytes it fails, so a reader that reads to the end fails the test instead of the machine."""

    def __init__(self, most: int):
        self.given, self.most = 0, most

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.given > self.most:
            raise OSError("read far past the cap")
        size = len(buffer)
        buffer[:size] = bytes(size)
        self.given += size
        return size


def test_standard_input_is_read_only_to_the_cap(monkeypatch):
    endless = Endless(4 * MAX_BYTES)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(endless)))
    with pytest.raises(InputError, match=r"^<stdin>: expected a config of at most 16 MiB, found more$"):
        config.load("-")
    assert endless.given <= MAX_BYTES + 1 + 2**16


def test_closed_standard_input(monkeypatch):
    monkeypatch.setattr(sys, "stdin", None)  # how Python starts when descriptor 0 is closed
    with pytest.raises(InputError, match="^<stdin>: cannot read: standard input is closed$"):
        config.load("-")


def test_a_big_file_says_its_size(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (MAX_BYTES + 5))
    with pytest.raises(InputError) as caught:
        config.load(str(path))
    assert str(caught.value) == (f"{path}: expected a config of at most 16 MiB, found 16,777,221 bytes "
                                 "(16.8 MB, 16.0 MiB)")


def test_a_big_broken_config_is_parsed_once(tmp_path, monkeypatch):
    class Refused(yaml_text.PlainLoader):
        def __init__(self, *args):
            raise AssertionError("a big file was parsed a second time")

    monkeypatch.setattr(yaml_text, "PlainLoader", Refused)
    monkeypatch.setattr(yaml_text, "MAX_REREAD_BYTES", 2**14)  # the rule at a size quick to parse (1 MiB is)
    text = "inputs: 2\nnotes:\n" + "  - 0.5\n" * (yaml_text.MAX_REREAD_BYTES // 8 + 1) + "samples: [1, 2\n"
    with pytest.raises(InputError, match=r"^big\.yaml:\d+: invalid YAML: "):
        parse(text, "big.yaml")


def test_an_alias_that_contains_itself():
    with pytest.raises(InputError, match="^loop.yaml:1: expected a config, found an alias that contains itself"):
        parse("a: &a [1, *a]\n", "loop.yaml")


def test_samples_sharing_one_huge_list_are_refused_before_they_are_built():
    # 3,000 samples naming one anchored list of 10,000 inputs: 30 million values once expanded.
    text = ("inputs: 2\nlist: &x [" + ", ".join(["0.5"] * 10_000) + "]\nsamples:\n"
            + "  - {inputs: *x, target: [0, 1]}\n" * 3_000)
    with pytest.raises(InputError, match="aliases are expanded"):
        parse(text, "bomb.yaml")


def test_integers_past_pythons_digit_limit(tmp_path):
    long = "9" * 5000
    with pytest.raises(InputError) as caught:
        parse(f"inputs: 2\nseed: 1\nlayers: {long}\n", "long.yaml")
    assert str(caught.value) == ("long.yaml:3: expected numbers and texts Python can read, found an integer of "
                                 "more than 4,300 digits")
    with pytest.raises(InputError, match=r"^--set training.epochs=9{40,}…: expected numbers and texts Python can"):
        pencilnet.load(None, [f"training.epochs={long}"])
    # A date-like value is text by YAML 1.2's core schema, never a date YAML 1.1 would fail to build.
    expected = r"date.yaml:2: seed: expected a non-negative whole number, found '2001-13-45'"
    with pytest.raises(InputError, match=expected):
        parse("inputs: 2\nseed: 2001-13-45\n", "date.yaml")


def test_set_values_nested_too_deep_are_one_short_line():
    with pytest.raises(InputError) as caught:
        pencilnet.load(None, ["training.epochs=" + "[" * 3000 + "]" * 3000])
    message = str(caught.value)
    assert "\n" not in message and len(message) < 250 and "expected a YAML value after '='" in message


def test_set_values_are_alias_bombs_too():
    with pytest.raises(InputError, match="aliases are expanded"):
        pencilnet.load(None, ["training.epochs=[&a [" + ",".join(["1"] * 5000) + "]" + ", *a" * 4000 + "]"])


# ---- data files ------------------------------------------------------------------------------


def test_csv_with_100000_columns_finds_a_repeated_name(tmp_path):
    names = [f"p{i}" for i in range(100_000)] + ["p7", "label"]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(names) + "\n")
    with pytest.raises(InputError) as caught:
        load_csv(path)
    assert str(caught.value) == (f"{path}:1: column 100001: expected a name no other column has, found 'p7' "
                                 "again (column 8)")


def test_csv_is_read_only_to_its_cap(tmp_path, monkeypatch):
    from pencilnet.io import csv_data

    monkeypatch.setattr(csv_data, "MAX_TEXT_BYTES", 1000)
    path = tmp_path / "d.csv"
    path.write_text("x,label\n" + "0.5,a\n" * 200)
    with pytest.raises(InputError, match=r"d.csv: expected a data file of at most 1,000 bytes, found 1,208 bytes"):
        load_csv(path)


def npy_member(archive: zipfile.ZipFile, name: str, header: bytes, data: bytes = b""):
    """A .npy member with this header text, padded as numpy.lib.format pads it, and these bytes of data."""
    header = header + b" " * (63 - (10 + len(header)) % 64) + b"\n"
    archive.writestr(name, b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + data)


def test_npz_member_claiming_a_huge_shape_is_not_read(tmp_path):
    path = tmp_path / "claims.npz"
    with zipfile.ZipFile(path, "w") as archive:
        npy_member(archive, "x.npy", b"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }")
        npy_member(archive, "y.npy", b"{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", bytes(8))
    with pytest.raises(InputError) as caught:
        load_npz(path)
    assert str(caught.value) == (f"{path}: array 'x': expected arrays of at most 512 MiB in all as float64, found "
                                 "shape (1000000, 1000000) (not read)")


def test_npz_decompression_bomb_is_refused_from_its_header(tmp_path):
    # 80 million zeros compress to a few hundred kilobytes; the header says what they become.
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        npy_member(archive, "x.npy", b"{'descr': '|u1', 'fortran_order': False, 'shape': (80000000, 1), }",
                   bytes(80_000_000))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match="expected arrays of at most 512 MiB in all as float64"):
        load_npz(path)


def test_npz_member_without_the_npy_magic(tmp_path):
    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", b"not an array at all")
    with pytest.raises(InputError) as caught:
        load_npz(path)
    assert str(caught.value) == f"{path}: array 'x': expected a .npy array of format 1.0 or 2.0, found something else"


def test_truncated_npz_array_is_called_truncated(tmp_path):
    path = tmp_path / "short.npz"
    with zipfile.ZipFile(path, "w") as archive:
        npy_member(archive, "x.npy", b"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", bytes(20))
        npy_member(archive, "y.npy", b"{'descr': '<f8', 'fortran_order': False, 'shape': (3, 1), }", bytes(24))
    with pytest.raises(InputError) as caught:
        load_npz(path)
    assert str(caught.value) == (f"{path}: array 'x': expected 6 values, found a truncated array (20 of 48 bytes)")
    assert "pickled" not in str(caught.value)


def test_npz_arrays_keep_their_values_and_order(tmp_path):
    # Fortran order, integers and float32 read as numpy itself reads them.
    inputs = np.asfortranarray(np.arange(12, dtype=np.int16).reshape(4, 3))
    targets = np.eye(4, 2, dtype=np.float32)
    np.savez_compressed(tmp_path / "d.npz", x=inputs, y=targets)
    data = load_npz(tmp_path / "d.npz")
    assert data.inputs.dtype == np.float64 and data.inputs.tolist() == inputs.tolist()
    assert data.targets.tolist() == targets.tolist()


def test_npz_that_is_a_device_is_refused():
    expected = ("^/dev/zero: expected a .npz archive \\(a regular file, not a pipe or device\\), found a character "
                "device$")
    with pytest.raises(InputError, match=expected):
        load_npz("/dev/zero")


# ---- special files named as inputs (issue 26, item 15) ----------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_as_any_input_is_refused_before_reading(tmp_path):
    """A FIFO with no writer blocks an open() forever: as data.train, `parameters:`, a config or a
    plot history, it is refused by what it is, at once (run in a real process, so a hang fails)."""
    import subprocess

    from helpers import commands_in_one_process

    os.mkfifo(tmp_path / "fifo.csv")
    os.mkfifo(tmp_path / "fifo.npz")
    os.mkfifo(tmp_path / "fifo.yaml")
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "data.yaml").write_text("inputs: 1\nlayers: [{size: 1, init: xavier}]\ndata: {train: fifo.csv}\n")
    (tmp_path / "parameters.yaml").write_text("inputs: 1\nparameters: fifo.npz\nlayers: [{size: 1}]\n"
                                              "samples: [{inputs: [1], target: [1]}]\n")
    runs = {"data.yaml": ("forward", "data.yaml"), "parameters.yaml": ("forward", "parameters.yaml"),
            "fifo.yaml": ("forward", "fifo.yaml"), "fifo.json": ("plot", "fifo.json")}
    found = dict(zip(runs, commands_in_one_process(*runs.values(), cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60),
                     strict=True))
    expected = {"data.yaml": "fifo.csv: expected a data file (a regular file, not a pipe or device), found a named "
                             "pipe (FIFO)",
                "parameters.yaml": "fifo.npz: expected a .npz archive (a regular file, not a pipe or device), found "
                                   "a named pipe (FIFO)",
                "fifo.yaml": "fifo.yaml: expected a config (a regular file, not a pipe or device), found a named pipe "
                             "(FIFO)",
                "fifo.json": "fifo.json: expected a JSON file (a regular file, not a pipe or device), found a named "
                             "pipe (FIFO)"}
    for name, result in found.items():
        err = result.stderr
        assert result.returncode == 2 and err.count("\n") == 1 and expected[name] in err, (name, err)
