"""The config an import writes: the imported network in full precision, commented, checked by reading
it back as every command will."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.core.model import span
from pencilnet.io.interop.assembly import Imported, read_network
from pencilnet.io.interop.common import printable

UNSCALED = ("the model scales each raw input first, (raw − offset) / scale, which a config keeps with its data: "
            "import with --data FILE to keep it; the samples here go into the network as they are")


def config_text(imported: Imported, source: str, data: str | None = None) -> str:
    """A commented config holding the imported network in full precision (every number reads back as the
    same float64), with a data section naming `data` (a path as the config will find it), or else one
    placeholder sample, since every subcommand needs a sample to work on."""
    from pencilnet.io.starter import _number

    def numbers(values) -> str:
        return "[" + ", ".join(_number(float(v)) for v in values) + "]"

    model = imported.model
    names = model.names
    shape = "-".join(map(str, model.sizes))
    lines = [f"# A {shape} network imported by pencilnet from {printable(Path(source).name)}, weights in full "
             "precision.",
             "# Weights as pencilnet writes them: a row per source node, a column per target (the transpose of a "
             "PyTorch Linear weight)."]
    lines += [f"# Note: {printable(note)}." for note in imported.notes]
    lines += [
        "",
        f"name: {json.dumps(imported.name)}",
        f"inputs: {model.inputs}   # {span(names.nodes[0])}",
        f"bias_input: {_number(float(model.bias_input))}",
        "layers:",
    ]
    for index, (layer, key) in enumerate(zip(model.layers, imported.keys, strict=True)):
        sources, targets = names.nodes[index], names.nodes[index + 1]
        role = "the output layer" if index == len(model.layers) - 1 else "a hidden layer"
        lines += [f"  - size: {layer.size}   # {role}: {span(targets)}, from {printable(key)}",
                  f"    activation: {layer.activation}"]
        if layer.shared_bias:
            lines.append("    bias: shared")
        lines.append(f"    weights:   # {len(sources)} rows ({span(sources)}) of {len(targets)} columns "
                     f"({span(targets)}): {names.weights[index][0, 0]} … {names.weights[index][-1, -1]}")
        lines += [f"      - {numbers(row)}" for row in layer.weights]
        lines.append(f"    biases: {numbers(layer.biases)}   # {span(names.biases[index])}")
    lines.append(f"loss: {imported.loss}")
    if imported.classes:
        lines.append(f"classes: {json.dumps(imported.classes, ensure_ascii=False)}")
    scaling = []
    if imported.standardize is not None:
        scaling = ["standardize:   # what the model does to each raw input first: (raw − offset) / scale",
                   f"  method: {imported.standardize['method']}",
                   f"  offset: {numbers(imported.standardize['offset'])}   # {span(names.nodes[0])}",
                   f"  scale: {numbers(imported.standardize['scale'])}"]
    if data is not None:
        lines += ["data:", f"  train: {json.dumps(data)}", *(f"  {line}" for line in scaling)]
    else:
        outputs = model.sizes[-1]
        lines += ["samples:   # the file held no samples: replace this one, or import again with --data FILE",
                  f"  - inputs: {numbers(np.full(model.inputs, 0.5))}   # a placeholder",
                  f"    target: {numbers(np.eye(outputs)[0])}"]
        if scaling:
            lines.insert(2, f"# Note: {UNSCALED}.")
            lines += ["# The model's input scaling, which a config keeps in its data section (data.standardize):",
                      *(f"# {line}" for line in scaling)]
    return "\n".join(lines) + "\n"


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
    base = Path(out).resolve().parent if out else Path.cwd()
    relative = os.path.relpath(Path(data).resolve(), base) if data is not None else None
    text = config_text(imported, path, relative)
    if len(text) > MAX_BYTES:
        raise InputError(f"{path}: its {imported.model.parameter_count:,} parameters make a config of "
                         f"{len(text) // 2**20} MiB; a pencilnet config holds at most {MAX_BYTES // 2**20} MiB")
    parse(text, out or "<stdout>", base_dir=base)  # the written config must load, with its data
    warnings = [f"{path}: {UNSCALED}"] if imported.standardize is not None and data is None else []
    return ImportedConfig(text, warnings)
