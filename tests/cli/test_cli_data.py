"""`pencilnet data fruit` and `pencilnet data show` through Typer's CliRunner."""

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from pencilnet.cli.app import app
from pencilnet.io import fruit
from pencilnet.io.csv_data import load_csv


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")  # tables must not depend on the terminal running the tests
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, ["data", *map(str, args)])

    return invoke


def one_line_error(result, exit_code: int = 2) -> str:
    assert result.exit_code == exit_code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert lines[0].startswith("pencilnet: error: ")
    return lines[0]


def test_fruit_writes_the_csv_and_says_so(cli, tmp_path):
    out = tmp_path / "fruit.csv"
    result = cli("fruit", "--count", 10, "--seed", 3, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"pencilnet: wrote {out}: 10 pictures (5 red apple, 5 tomato), seed 3\n"
    data = load_csv(out)
    images, labels = fruit.generate(10, 3)
    assert data.labels == labels
    assert np.array_equal(data.inputs, [[round(v, 4) for v in row] for row in images.tolist()])  # as written


def test_fruit_same_seed_same_file(cli, tmp_path):
    for name in ("a.csv", "b.csv"):
        assert cli("fruit", "--count", 6, "--seed", 9, "--out", tmp_path / name).exit_code == 0
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


@pytest.mark.parametrize("count", [1, 0, -5])
def test_fruit_refuses_fewer_than_two(cli, tmp_path, count):
    line = one_line_error(cli("fruit", "--count", count, "--out", tmp_path / "x.csv"))
    assert "--count: expected a whole number from 2 (one picture of each class) to 255,166 " in line
    assert line.endswith(f"found {count}")
    assert not (tmp_path / "x.csv").exists()


def test_fruit_errors(cli, tmp_path):
    assert "--seed: expected a whole number of at least 0, found -1" in one_line_error(
        cli("fruit", "--seed", -1, "--out", tmp_path / "x.csv"))
    line = one_line_error(cli("fruit", "--count", 4, "--out", tmp_path / "missing" / "x.csv"))
    assert "x.csv: cannot write: no such directory" in line
    assert cli("fruit", "--count", 4).exit_code == 2  # --out is required: a usage error


def test_show_a_sample(cli, tmp_path):
    path = tmp_path / "fruit.csv"
    images, labels = fruit.generate(5, 2)
    fruit.write_csv(path, images, labels)
    result = cli("show", path, "--sample", 3)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Sample 3: {labels[2]}\n")
    assert f"{round(images[2, 0], 4):.4f}" in result.stdout and "x36" in result.stdout
    assert cli("show", path).stdout.startswith(f"Sample 1: {labels[0]}\n")


def test_show_an_npz_without_labels_names_the_class_of_the_target(cli, tmp_path):
    np.savez(tmp_path / "d.npz", x=np.array([[0.15, 0.35], [0.5, 0.5]]), y=np.array([[0, 1], [0.3, 0.7]]),
             classes=np.array(["red apple", "tomato"]))
    assert cli("show", tmp_path / "d.npz").stdout.startswith("Sample 1: tomato\n")
    assert cli("show", tmp_path / "d.npz", "--sample", 2).stdout.startswith("Sample 2: target [0.3, 0.7]\n")


@pytest.mark.parametrize("sample", [0, 6, -1])
def test_show_sample_out_of_range(cli, tmp_path, sample):
    path = tmp_path / "fruit.csv"
    fruit.write_csv(path, *fruit.generate(5, 2))
    line = one_line_error(cli("show", path, "--sample", sample))
    assert line == f"pencilnet: error: --sample: expected a sample number from 1 to 5, found {sample}"


def test_show_bad_files(cli, tmp_path):
    line = one_line_error(cli("show", tmp_path / "missing.csv"))
    assert line.endswith("missing.csv: no such file")
    bad = tmp_path / "bad.csv"
    bad.write_text("p1,p2,label\n0.1,0.2,tomato\n0.3,abc,tomato\n")
    assert one_line_error(cli("show", bad, "--sample", 2)).endswith(
        f"{bad}:3: column 'p2': expected a number, found 'abc'")
    assert cli("show", bad).exit_code == 0  # only the rows shown are read
    other = tmp_path / "data.json"
    other.write_text("{}")
    assert "expected a data file ending in .csv or .npz, found '.json'" in one_line_error(cli("show", other))


def test_help_lists_the_data_commands(cli):
    top = CliRunner().invoke(app, ["--help"])
    assert top.exit_code == 0 and "data" in top.stdout
    help_text = cli("--help").stdout
    assert "fruit" in help_text and "show" in help_text


# ---- big files and big requests: bounded before the work (issue 22 item 17, issue 26 item 12) ----------


def test_show_of_a_csv_with_100000_columns_shows_what_fits_and_says_what_was_left_out(cli, tmp_path):
    import time

    count = 100_000
    path = tmp_path / "wide.csv"
    values = [f"{(i % 1000) / 1000:.3f}" for i in range(count)]
    path.write_text(",".join(f"c{i + 1}" for i in range(count)) + ",label\n" + ",".join(values) + ",x\n"
                    + (",".join(values) + ",y\n") * 20)
    start = time.perf_counter()
    result = cli("show", path, "--sample", 2)
    assert result.exit_code == 0, result.output
    assert time.perf_counter() - start < 20  # it was 31 s on a quiet machine, and grows with the columns
    text = result.stdout
    assert text.startswith("Sample 2: y") and re.search(r"\bx240\s+0\.239", text) and not re.search(r"x241\s+\d", text)
    assert "x241 … x100000: 99,760 more values not shown; no picture: 100,000 values are more than the 4,096" in (
        " ".join(text.split()))
    assert "0.239" in text and "…" in text and "0.0…" not in text  # whole values, not cut ones
    assert len(text) < 20_000


def test_a_grid_of_pictures_is_capped_by_its_raster_before_any_work(cli, tmp_path):
    path = tmp_path / "fruit.csv"
    fruit.write_csv(path, *fruit.generate(4, 1))
    line = one_line_error(cli("show", path, "--out", tmp_path / "grid.svg", "--count", 100_000))
    assert line == ("pencilnet: error: --count: expected at most 582 pictures in one grid (each takes 115,200 bytes "
                    "of the picture's raster), found 100,000")
    assert not (tmp_path / "grid.svg").exists()
