"""The config an import writes: the imported network in full precision, commented, checked by reading
it back as every command will."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pencilnet.core.errors import ConfigError, InputError, Problem
from pencilnet.core.model import span
from pencilnet.io.config_writer import config_text, network_fields, network_notes
from pencilnet.io.interop.assembly import Imported
from pencilnet.io.interop.common import printable
from pencilnet.io.interop.files import read_network

UNSCALED = ("the model scales each raw input first, (raw − offset) / scale, which a config keeps with its data: "
            "import with --data FILE to keep it; the samples here go into the network as they are")


def imported_text(imported: Imported, source: str, data: str | None = None) -> str:
    """A commented config holding the imported network in full precision (every number reads back as the
    same float64), with a data section naming `data` (a path as the config will find it), or else one
    placeholder sample, since every subcommand needs a sample to work on. Written by the one config
    writer, as `init` and `train --save` write theirs."""
    model = imported.model
    shape = "-".join(map(str, model.sizes))
    header = [f"A {shape} network imported by pencilnet from {printable(Path(source).name, 200)}, weights in full "
              "precision.",
              "Weights as pencilnet writes them: a row per source node, a column per target (the transpose of a "
              "PyTorch Linear weight).", *(f"Note: {printable(note, 400)}." for note in imported.notes)]
    document: dict = {"name": imported.name, **network_fields(model), "loss": imported.loss}
    notes = network_notes(model, [printable(key, 80) for key in imported.keys])
    if imported.classes:
        document["classes"] = list(imported.classes)
    scaling = None
    if imported.standardize is not None:
        scaling = {key: imported.standardize[key] for key in ("method", "offset", "scale")}
        notes.update({"data.standardize": "what the model does to each raw input first: (raw − offset) / scale",
                      "data.standardize.offset": span(model.names.nodes[0])})
    footer: list[str] = []
    if data is not None:
        document["data"] = {"train": data, **({"standardize": scaling} if scaling else {})}
    else:
        document["samples"] = [{"inputs": [0.5] * model.inputs, "target": np.eye(model.sizes[-1])[0].tolist()}]
        notes.update({"samples": "the file held no samples: replace this one, or import again with --data FILE",
                      "samples[0].inputs": "a placeholder"})
        if scaling:
            header.insert(2, f"Note: {UNSCALED}.")
            footer = ["The model's input scaling, which a config keeps in its data section (data.standardize):",
                      *config_text({"standardize": scaling}, notes={
                          "standardize": notes["data.standardize"],
                          "standardize.offset": notes["data.standardize.offset"]}).splitlines()]
    return config_text(document, header, notes, footer)


@dataclass(frozen=True)
class ImportedConfig:
    text: str
    warnings: list[str]  # what the user must know that the text alone would not tell them in time


def import_config(path: str, out: str | None, activations: list[str] | None = None, loss: str | None = None,
                  data: str | None = None) -> ImportedConfig:
    """The config text for the network in `path`, checked by reading it back as every command will."""
    import os

    from pencilnet.io.config import MAX_BYTES, parse

    imported = read_network(path, activations, loss)
    try:
        here: Path | None = Path.cwd()
    except FileNotFoundError:  # the working directory was removed: absolute paths and stdout still work
        here = None
    for option, name in (("--out", out), ("--data", data)):
        if here is None and name is not None and not Path(name).is_absolute():
            raise InputError(f"{option} {name}: cannot tell where it is: the working directory no longer exists")
    base = Path(out).resolve().parent if out else here
    relative = None
    if data is not None:
        relative = os.path.relpath(Path(data).resolve(), base) if base else str(Path(data).resolve())
    text = imported_text(imported, path, relative)
    if len(text) > MAX_BYTES:
        raise InputError(f"{path}: its {imported.model.parameter_count:,} parameters make a config of "
                         f"{len(text) // 2**20} MiB; a pencilnet config holds at most {MAX_BYTES // 2**20} MiB")
    try:
        parse(text, out or "<stdout>", base_dir=base or Path(os.sep))  # the config must load, with its data
    except ConfigError as exc:  # blamed on the file at fault, not on a line of a config not yet written
        raise InputError(*(_blamed(problem, path, data) for problem in exc.problems)) from None
    warnings = [f"{path}: {UNSCALED}"] if imported.standardize is not None and data is None else []
    return ImportedConfig(text, warnings)


def _blamed(problem: Problem, path: str, data: str | None) -> str:
    """A problem of the config made from `path` (and `data`), as one line naming the file that caused it."""
    found = f", found {problem.found}" if problem.found is not None else ""
    if data is not None and problem.path.startswith("data"):
        return f"--data {data}: expected {problem.expected}{found}, for the network in {path}"
    return f"{path}: the config made from it: {problem.path}: expected {problem.expected}{found}"

