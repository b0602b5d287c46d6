"""The config an import writes: the imported network in full precision, commented, checked by reading
it back as every command will."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pencilnet.core.errors import ConfigError, InputError, Problem
from pencilnet.core.model import span
from pencilnet.io.interop.assembly import Imported, read_network
from pencilnet.io.interop.common import printable

UNSCALED = ("the model scales each raw input first, (raw − offset) / scale, which a config keeps with its data: "
            "import with --data FILE to keep it; the samples here go into the network as they are")


def config_text(imported: Imported, source: str, data: str | None = None) -> str:
    """A commented config holding the imported network in full precision (every number reads back as the
    same float64), with a data section naming `data` (a path as the config will find it), or else one
    placeholder sample, since every subcommand needs a sample to work on."""
    from pencilnet.io.config_writer import number as _number

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
        f"name: {_quoted(imported.name)}",
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
        lines.append(f"classes: [{', '.join(map(_quoted, imported.classes))}]")
    scaling = []
    if imported.standardize is not None:
        scaling = ["standardize:   # what the model does to each raw input first: (raw − offset) / scale",
                   f"  method: {imported.standardize['method']}",
                   f"  offset: {numbers(imported.standardize['offset'])}   # {span(names.nodes[0])}",
                   f"  scale: {numbers(imported.standardize['scale'])}"]
    if data is not None:
        lines += ["data:", f"  train: {_quoted(data)}", *(f"  {line}" for line in scaling)]
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
    text = config_text(imported, path, relative)
    if len(text) > MAX_BYTES:
        raise InputError(f"{path}: its {imported.model.parameter_count:,} parameters make a config of "
                         f"{len(text) // 2**20} MiB; a pencilnet config holds at most {MAX_BYTES // 2**20} MiB")
    try:
        parse(text, out or "<stdout>", base_dir=base or Path(os.sep))  # the config must load, with its data
    except ConfigError as exc:  # blamed on the file at fault, not on a line of a config not yet written
        raise InputError("\n".join(_blamed(problem, path, data) for problem in exc.problems)) from None
    warnings = [f"{path}: {UNSCALED}"] if imported.standardize is not None and data is None else []
    return ImportedConfig(text, warnings)


def _blamed(problem: Problem, path: str, data: str | None) -> str:
    """A problem of the config made from `path` (and `data`), as one line naming the file that caused it."""
    found = f", found {problem.found}" if problem.found is not None else ""
    if data is not None and problem.path.startswith("data"):
        return f"--data {data}: expected {problem.expected}{found}, for the network in {path}"
    return f"{path}: the config made from it: {problem.path}: expected {problem.expected}{found}"


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as the same characters: JSON's escapes, which YAML
    shares, and \\u escapes for what YAML would read as a line break (U+0085, U+2028, U+2029, folded into a
    space) or refuse (DEL, the C1 controls, lone surrogates, U+FEFF, U+FFFE, U+FFFF); all else as it is."""
    return re.sub("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]",
                  lambda found: f"\\u{ord(found.group()):04x}", json.dumps(text, ensure_ascii=False))
