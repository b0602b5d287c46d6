"""A trained model written back as a config that every subcommand accepts as it is.

A small network's weights are written in the YAML itself, in full precision. A big one's go
to a binary .npz beside it, which the config names (`parameters: trained.npz`): as YAML they
would make a file slow to read, and past the config size cap, one no command would read."""

import io
import os
from pathlib import Path

import numpy as np

from pencilnet.core.model import Model
from pencilnet.io.config import Config, thawed
from pencilnet.io.config_writer import config_text
from pencilnet.io.files import SAVED_MARK, write_atomic

# About 2.4 MB of YAML, which reads back in about a second; 795,000 parameters would be 18 MB.
YAML_MAX_PARAMETERS = 100_000


def parameters_path(model: Model, destination: str | Path) -> Path | None:
    """The .npz a save of `model` to `destination` also writes, None when the YAML holds it all.
    It lies beside the file `destination` names (symlinks followed): trained.parameters.npz for
    trained.yaml."""
    if model.parameter_count <= YAML_MAX_PARAMETERS:
        return None
    real = Path(os.path.realpath(destination))
    return real.with_name(f"{real.stem}.parameters.npz")  # never the config's own name, even for x.npz


def saved_text(config: Config, model: Model, what: str, destination: str | Path,
               parameters: Path | None = None) -> str:
    """The config's YAML with `model`'s parameters, in full precision, in it or in `parameters`;
    its first line says where it was trained from and `what` came of it ("100 epochs, …").

    Random `init` schemes are dropped (the weights are explicit now), and so is the
    `expected` section (it described the old weights): the header says so. Data paths are
    rewritten relative to `destination`, so the saved file finds the same data from wherever
    it is written."""
    assert config.document is not None  # every loaded config keeps the YAML it was read from
    data = thawed(config.document)
    data.pop("init", None)
    data.pop("parameters", None)
    dropped = data.pop("expected", None)
    for spec, layer in zip(data["layers"], model.layers, strict=True):
        spec.pop("init", None)
        spec["size"] = layer.size
        if parameters is None:
            spec["weights"] = layer.weights.tolist()
            spec["biases"] = layer.biases.tolist()
        else:
            spec.pop("weights", None)
            spec.pop("biases", None)
    if parameters is not None:  # named just before the layers it fills, beside the config (read relative to it)
        items = list(data.items())
        items.insert([key for key, _ in items].index("layers"), ("parameters", parameters.name))
        data = dict(items)
    files = data.get("data")
    if isinstance(files, dict) and "classes" not in data and not files.get("target_columns"):
        # the class order found in the labels, kept: each output means one class wherever the file goes
        items = list(data.items())
        items.insert([key for key, _ in items].index("data"), ("classes", list(config.classes)))
        data = dict(items)
        files = data["data"]
    if isinstance(files, dict) and config.scaling is not None:  # the numbers fitted on the training data, kept
        files["standardize"] = config.scaling.as_yaml()
    target_dir = Path(os.path.realpath(destination)).parent
    if isinstance(files, dict) and config.base_dir is not None:
        for key in ("train", "test"):
            if isinstance(files.get(key), str):
                original = (config.base_dir / files[key]).resolve()
                files[key] = os.path.relpath(original, target_dir)
    source = config.source
    dropped_text = ""
    if dropped is not None:
        dropped_text = (f", and its expected: section ({_count(dropped)}), whose values were for the weights before "
                        "training (`pencilnet expect` prints one for these weights)")
    # As a new torch.optim optimizer and scheduler would: the file holds a config, not a checkpoint.
    optimizer, not_kept = config.schedule.optimizer, []
    if optimizer.state_names:
        not_kept.append(f"{optimizer.name}'s state ({', '.join(optimizer.state_names)})")
    if config.schedule.lr_schedule.name != "constant":
        not_kept.append("the learning-rate schedule's place")
    if not_kept:
        dropped_text += f"; nor {' nor '.join(not_kept)}: training this file starts afresh from step 1 and epoch 1"
    mark = SAVED_MARK.removeprefix("# ")  # the writer makes each header line a comment
    header = [f"{mark} from {source}: {what}.", f"Not carried over from {source}: its comments{dropped_text}."]
    return config_text(data, header)


def _count(section) -> str:
    values = section.get("values") if isinstance(section, dict) else None
    return f"{len(values)} published values" if isinstance(values, dict) else "published values"


def parameters_bytes(model: Model) -> bytes:
    """The .npz of `model`'s parameters: arrays layers[0].weights, layers[0].biases, … in order."""
    arrays = {}
    for index, layer in enumerate(model.layers):
        arrays[f"layers[{index}].weights"] = layer.weights
        arrays[f"layers[{index}].biases"] = layer.biases
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]  # NumPy's stubs take the names for its own keywords
    return buffer.getvalue()


def save(config: Config, model: Model, what: str, path: str | Path) -> list[Path]:
    """Write `model` as a config to `path`, and its parameters to an .npz beside it when they are
    too many for YAML (see `parameters_path`); returns the files written. Each is written
    atomically, the .npz first, so the config never names parameters that are not there yet."""
    parameters = parameters_path(model, path)
    written = []
    if parameters is not None:
        write_atomic(parameters, parameters_bytes(model))
        written.append(parameters)
    write_atomic(path, saved_text(config, model, what, path, parameters))
    return [*written, Path(path)]
