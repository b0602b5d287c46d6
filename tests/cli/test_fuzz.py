"""Thousands of mutated configs through every subcommand: each run ends with a documented exit
code and, when it fails, a one-line message; never a traceback.

PENCILNET_FUZZ_RUNS sets how many (default 3000 in CI, 400 locally); a failure prints the seed and the config
that caused it, so it can be replayed."""

import copy
import math
import os

import numpy as np
import pytest
import yaml
from helpers import ROOT
from typer.testing import CliRunner

from pencilnet.cli.app import app
from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.losses import LOSSES, pairing_problem

# Every run in CI; a sample locally, where the suite must stay quick (the same seed: the same first runs).
RUNS = int(os.environ.get("PENCILNET_FUZZ_RUNS", "3000" if os.environ.get("CI") else "400"))

SOFTMAX = """\
inputs: 3
seed: 2
init: {scheme: uniform, range: 0.4}
layers:
  - {size: 3, activation: tanh, bias: shared}
  - {size: 2, activation: softmax, freeze: biases}
loss: cross_entropy
training: {learning_rate: 0.3, epochs: 3, batch_size: 2, shuffle: true, target_error: 0.01}
classes: [a, b]
samples:
  - {inputs: [0.1, 0.2, 0.3], label: a}
  - {inputs: [0.9, 0.1, 0.4], label: b}
  - {inputs: [0.5, 0.5, 0.9], target: [0, 1]}
"""

DATA = """\
inputs: 2
layers:
  - {size: 2, init: xavier}
  - {size: 2, init: he, activation: sigmoid}
classes: [red apple, tomato]
data: {train: pictures.csv, split: {test_fraction: 0.5, seed: 1}}
"""

# Values that have broken parsers before: wrong types, edge numbers, near-miss names.
ODD = [0, -1, 1, 2, 3, 0.5, -0.0, 1e308, -1e308, float("nan"), float("inf"), 10**6, 2**70, "abc", "", None, True,
       False, [], {}, [1, 2], [[1]], {"a": 1}, "sigmoid", "softmax", "sigmod", "full", "pencil 4", "pencil 99",
       "exact", "tomato", "0.5", [0.1, "x"], [None], [[0.1, 0.2], [0.3]], "../nowhere.csv", "pictures.csv"]

COMMANDS = [["forward"], ["error"], ["backprop"], ["step"], ["walkthrough"], ["train", "--epochs", "2"],
            ["train", "--json", "--epochs", "2"], ["verify"], ["summary"], ["predict"], ["expect"], ["diagram"],
            ["forward", "--json", "--pencil", "3"], ["backprop", "--sample", "2"]]
ALLOWED = {"verify": {0, 1, 2}, "train": {0, 2, 3}}
PAIRINGS = [(activation, loss) for loss in LOSSES for activation in ACTIVATIONS
            if pairing_problem(activation, loss) is None]


def paths(data, prefix=()):
    """Every place in the YAML data: (path, container, key)."""
    found = []
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return found
    for key, value in items:
        found.append((prefix + (key,), data, key))
        found += paths(value, prefix + (key,))
    return found


def mutate(data, rng: np.random.Generator):
    data = copy.deepcopy(data)
    for _ in range(int(rng.integers(1, 4))):
        places = paths(data)
        if not places:
            return rng.choice(ODD[:20]) if rng.random() < 0.5 else data
        _, container, key = places[int(rng.integers(len(places)))]
        action = rng.random()
        if action < 0.55:
            container[key] = copy.deepcopy(ODD[int(rng.integers(len(ODD)))])
        elif action < 0.75:
            del container[key]
        elif action < 0.85 and isinstance(container[key], list):
            container[key].append(copy.deepcopy(container[key][-1]) if container[key] else 1)
        elif action < 0.95 and isinstance(container, dict):
            container[str(key) + "x"] = container.pop(key)  # a misspelt field
        else:
            value = container[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                container[key] = value * float(rng.choice([-1, 10, 1e6, 1e-9]))
    return data


def corrupt(text: str, rng: np.random.Generator) -> str:
    raw = bytearray(text.encode())
    for _ in range(int(rng.integers(1, 6))):
        at = int(rng.integers(len(raw)))
        raw[at:at + int(rng.integers(0, 3))] = bytes(rng.integers(0, 256, size=int(rng.integers(1, 4))).tolist())
    return raw.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "pictures.csv").write_text("x1,x2,label\n0.1,0.9,tomato\n0.8,0.2,red apple\n0.2,0.7,tomato\n"
                                         "0.9,0.1,red apple\n")
    article = (ROOT / "configs" / "article.yaml").read_text()
    return folder, [article, SOFTMAX, DATA]


def test_mutated_configs_never_crash(bases, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    folder, texts = bases
    runner = CliRunner()
    rng = np.random.default_rng(20261130)
    parsed = [yaml.safe_load(text) for text in texts]
    config = folder / "fuzzed.yaml"
    outcomes = {}
    for run in range(RUNS):
        base = int(rng.integers(len(texts)))
        if rng.random() < 0.15:
            text = corrupt(texts[base], rng)
        else:
            data = parsed[base]
            if rng.random() < 0.4:  # an output activation and loss the config accepts, every pairing in turn
                data = copy.deepcopy(data)
                data["layers"][-1]["activation"], data["loss"] = PAIRINGS[run % len(PAIRINGS)]
            text = yaml.safe_dump(mutate(data, rng), allow_unicode=True)
        config.write_text(text, encoding="utf-8")
        command = COMMANDS[int(rng.integers(len(COMMANDS)))]
        result = runner.invoke(app, [*command, str(config)])
        where = f"run {run}, command {command}, config:\n{text}\noutput:\n{result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{type(result.exception).__name__}: {result.exception}\n{where}"
        assert result.exit_code in ALLOWED.get(command[0], {0, 2}), where
        if result.exit_code:
            message = result.stderr.strip().splitlines()
            assert message and all(line.startswith(("pencilnet: ", "Usage:", "Try ", "Error", "│", "╭", "╰"))
                                   for line in message), where
            assert "Traceback" not in result.output, where
        outcomes[result.exit_code] = outcomes.get(result.exit_code, 0) + 1
    # The mutations must exercise both paths, or the test proves nothing.
    assert outcomes.get(0, 0) > RUNS // 20 and outcomes.get(2, 0) > RUNS // 4, outcomes
