"""A trained model written back as a config that every subcommand accepts as it is."""

import copy
import os
from pathlib import Path

import yaml

from pencilnet.core.model import Model
from pencilnet.io.config import Config
from pencilnet.io.files import write_atomic


def config_text(config: Config, model: Model, comment: str, destination: str | Path) -> str:
    """The config's YAML with `model`'s parameters written in full precision.

    Random `init` schemes are dropped (the weights are explicit now), and so is the
    `expected` section (it described the old weights). Data paths are rewritten relative to
    `destination`, so the saved file finds the same data from wherever it is written."""
    data = copy.deepcopy(config.data)
    data.pop("init", None)
    data.pop("expected", None)
    for spec, layer in zip(data["layers"], model.layers):
        spec.pop("init", None)
        spec["size"] = layer.size
        spec["weights"] = layer.weights.tolist()
        spec["biases"] = layer.biases.tolist()
    files = data.get("data")
    if isinstance(files, dict) and config.scaling is not None:  # the numbers fitted on the training data, kept
        files["standardize"] = config.scaling.as_yaml()
    if isinstance(files, dict) and config.base_dir is not None:
        target_dir = Path(destination).resolve().parent
        for key in ("train", "test"):
            if isinstance(files.get(key), str):
                original = (config.base_dir / files[key]).resolve()
                files[key] = os.path.relpath(original, target_dir)
    header = "".join(f"# {line}\n" for line in comment.splitlines())
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)


def save(config: Config, model: Model, comment: str, path: str | Path) -> None:
    write_atomic(path, config_text(config, model, comment, path))
