"""Configs that read their samples from data files, and the full 36-36-2 fruit network."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from helpers import ROOT

import pencilnet
from pencilnet.core.errors import ConfigError, InputError


def test_fruit_config_is_the_articles_full_network():
    config = pencilnet.load(str(ROOT / "configs" / "fruit.yaml"))
    assert config.model.sizes == [36, 36, 2] and config.model.parameter_count == 1406
    assert config.model.names.parameters[-1] == "bw38"
    assert config.classes == ("red apple", "tomato") and config.schedule.learning_rate == 0.5
    assert config.train_inputs.shape == (1000, 36) and config.test_inputs.shape == (300, 36)
    again = pencilnet.load(str(ROOT / "configs" / "fruit.yaml"))  # the same seed, the same initial weights
    assert config.model.parameters() == again.model.parameters()


def test_fruit_network_learns_to_95_percent_and_saves(cli, tmp_path):
    result = cli("train", str(ROOT / "configs" / "fruit.yaml"), "--json", "--save", str(tmp_path / "fruit.yaml"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["test_accuracy"] >= 0.95, data["test_accuracy"]
    assert sum(map(sum, data["confusion"]["counts"])) == 300
    # The saved file is a config every subcommand accepts, and it predicts what the trained weights do.
    predicted = json.loads(cli("predict", str(tmp_path / "fruit.yaml"), "--json").stdout)
    assert predicted["accuracy"] == pytest.approx(data["test_accuracy"], abs=0)
    summary = json.loads(cli("summary", str(tmp_path / "fruit.yaml"), "--json").stdout)
    assert summary["parameters"] == 1406 and summary["test_samples"] == 300
    for command in ["forward", "error", "backprop", "step"]:
        assert cli(command, str(tmp_path / "fruit.yaml"), "--sample", "17").exit_code == 0, command


def test_stage_tables_stay_readable_at_1406_parameters(cli):
    out = cli("backprop", str(ROOT / "configs" / "fruit.yaml"), "--sample", "3").stdout
    assert "more parameters not shown (--all shows every row)" in out
    assert len(out.splitlines()) < 200
    everything = cli("step", str(ROOT / "configs" / "fruit.yaml"), "--all").stdout
    assert "w1368" in everything and "bw38" in everything
    data = json.loads(cli("backprop", str(ROOT / "configs" / "fruit.yaml"), "--json").stdout)
    assert len(data["gradients"]) == 1406 and "w1297" in data["chain"]


def test_predict_on_new_inputs_and_files(cli, tmp_path):
    one = json.loads(cli("predict", "--input", "0.15,0.35", "--json").stdout)
    assert one["predictions"][0]["class"] == "tomato"
    assert one["predictions"][0]["outputs"]["y2"] == pytest.approx(0.7353032619, abs=1e-10)
    assert cli("predict", "--input", "0.15").exit_code == 2
    assert cli("predict", "--input", "a,b").exit_code == 2
    csv = tmp_path / "two.csv"
    csv.write_text("x1,x2,label\n0.15,0.35,tomato\n0.9,0.1,red apple\n")
    result = json.loads(cli("predict", "--data", str(csv), "--json").stdout)
    assert len(result["predictions"]) == 2 and 0 <= result["accuracy"] <= 1


def write_config(tmp_path: Path, data_section: str) -> Path:
    shutil.copy(ROOT / "data" / "fruit-test.csv", tmp_path / "pictures.csv")
    text = (ROOT / "configs" / "fruit.yaml").read_text().split("\ndata:")[0] + "\ndata:\n" + data_section
    path = tmp_path / "net.yaml"
    path.write_text(text)
    return path


def test_split_of_one_file(tmp_path):
    path = write_config(tmp_path, "  train: pictures.csv\n  split: {test_fraction: 0.25, seed: 3}\n")
    config = pencilnet.load(str(path))
    assert len(config.train_inputs) == 225 and len(config.test_inputs) == 75


@pytest.mark.parametrize("section, message", [
    ("  train: missing.csv\n", "missing.csv"),
    ("  train: pictures.csv\n  split: {test_fraction: 2}\n", "data.split.test_fraction: expected a fraction"),
    ("  train: 3\n", "data.train: expected the path of a .csv or .npz file"),
    ("  train: pictures.csv\n  tset: pictures.csv\n", "did you mean 'test'"),
])
def test_bad_data_sections(tmp_path, section, message):
    with pytest.raises(InputError, match=message):
        pencilnet.load(str(write_config(tmp_path, section)))


def test_data_with_the_wrong_number_of_features(tmp_path):
    path = write_config(tmp_path, "  train: pictures.csv\n")
    path.write_text(path.read_text().replace("inputs: 36 ", "inputs: 35 ").replace("inputs: 36", "inputs: 35"))
    with pytest.raises(ConfigError, match="data.train: expected a dataset of 35 features"):
        pencilnet.load(str(path))


def test_samples_and_data_together_are_refused(tmp_path):
    path = write_config(tmp_path, "  train: pictures.csv\nsamples:\n  - {inputs: [0], target: [1, 0]}\n")
    with pytest.raises(ConfigError, match="samples: expected either samples or a data section"):
        pencilnet.load(str(path))


def test_saved_config_finds_its_data_from_another_folder(cli, tmp_path):
    path = write_config(tmp_path, "  train: pictures.csv\n")
    elsewhere = tmp_path / "deep" / "er"
    elsewhere.mkdir(parents=True)
    result = cli("train", str(path), "--epochs", "1", "--save", str(elsewhere / "saved.yaml"))
    assert result.exit_code == 0, result.output
    saved = pencilnet.load(str(elsewhere / "saved.yaml"))
    assert np.array_equal(saved.train_inputs, pencilnet.load(str(path)).train_inputs)
