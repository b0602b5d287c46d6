"""The one config writer: what `init`, `import` and `train --save` write, as YAML every command
reads back to the same values.

A config is written as a person would lay it out: header comments, then the fields in order,
sections as indented blocks, lists of numbers on one line (a weight matrix one row per line), and
a comment beside a field where the caller gives one. Every number is written in the shortest
text that reads back as the same float64, with a dot in the mantissa (-3.0e-06, not -3e-06) so
that any YAML reader, strict YAML 1.1 included, takes it for a number. Every text that YAML 1.1 or
1.2 would read as something else (1e5, yes, null) is quoted; a text holding a line break or
another control character is written in double quotes with escapes ("\\n", "\\x7F"), so it stays
on its line and reads back as it was; a character outside the Basic Multilingual Plane is written
as itself, never as a pair of surrogate escapes.
"""

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
import yaml

from pencilnet.core.model import Model, span
from pencilnet.io.schema import FREEZE
from pencilnet.io.yaml_text import Dumper

INDENT = "  "
HEADER_WIDTH = 118  # a header comment wraps here: with "# ", a line of at most 120 characters
# \U0001F345 in a double-quoted text PyYAML wrote (not \\U0001F345, an escaped backslash and a U)
LONG_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\U([0-9A-F]{8})")


def config_text(document: Mapping, header: Sequence[str] = (), notes: Mapping[str, str] | None = None,
                footer: Sequence[str] = ()) -> str:
    """`document` (a config's fields, as YAML would read them) as YAML text.

    `header`: comment lines written first, each wrapped at 118 characters and followed by a blank
    line; `notes`: a comment for the field at each path (`inputs`, `layers[0]`, `layers[0].weights`),
    written after the first line of that field; `footer`: comment lines written last as they are
    (commented-out YAML, say). Control characters in comments are escaped, so a line break in a
    file name cannot end a comment."""
    import textwrap

    lines = []
    for part in header:
        lines += textwrap.wrap(one_line_comment(part), HEADER_WIDTH, initial_indent="# ", subsequent_indent="# ",
                               break_on_hyphens=False) or ["#"]
    if lines:
        lines.append("")
    _mapping(document, "", 0, notes or {}, lines)
    lines += [f"# {one_line_comment(line)}" for line in footer]
    return "\n".join(lines) + "\n"


def network_fields(model: Model, decimals: int | None = None) -> dict:
    """`inputs`, `bias_input` and `layers` of a config holding `model`'s weights and biases, in full
    precision or rounded to `decimals` places."""
    def kept(values):
        return [float(v) if decimals is None else round(float(v), decimals) for v in values]

    layers = []
    for layer in model.layers:
        spec: dict = {"size": layer.size, "activation": layer.activation}
        if layer.shared_bias:
            spec["bias"] = "shared"
        if layer.frozen_weights or layer.frozen_biases:
            spec["freeze"] = next(name for name, kept in FREEZE.items()
                                  if kept == (layer.frozen_weights, layer.frozen_biases))
        layers.append({**spec, "weights": [kept(row) for row in layer.weights], "biases": kept(layer.biases)})
    return {"inputs": model.inputs, "bias_input": model.bias_input, "layers": layers}


def network_notes(model: Model, origins: Sequence[str] | None = None) -> dict[str, str]:
    """The comments a written network carries: which nodes each layer has and which weights each
    matrix holds (`origins`: where each layer came from, as an import names it)."""
    names = model.names
    notes = {"inputs": span(names.nodes[0])}
    for index, layer in enumerate(model.layers):
        sources, targets = names.nodes[index], names.nodes[index + 1]
        role = "the output layer" if index == len(model.layers) - 1 else "a hidden layer"
        origin = f", from {origins[index]}" if origins else ""
        notes[f"layers[{index}].size"] = f"{role}: {span(targets)}{origin}"
        notes[f"layers[{index}].weights"] = (f"{len(sources)} rows ({span(sources)}) of {layer.size} columns "
                                             f"({span(targets)}): {names.weights[index][0, 0]} … "
                                             f"{names.weights[index][-1, -1]}")
        notes[f"layers[{index}].biases"] = span(names.biases[index])
    return notes


def one_line_comment(text: str) -> str:
    """`text` with control characters and line breaks escaped: it cannot end a comment or start a field;
    and with a lone surrogate (a file name's undecodable byte, \\udcff) escaped: UTF-8 cannot hold it."""
    return re.sub("[\x00-\x1f\x7f\x85\u2028\u2029\ud800-\udfff]", lambda found: repr(found.group())[1:-1],
                  str(text))


def number(value: float) -> str:
    """The shortest text that reads back as `value`, with a dot in the mantissa (-3.0e-06)."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(float(value))
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text


def numbers(values) -> str:
    """A flow list of numbers, `[0.15, 0.25]`."""
    return "[" + ", ".join(number(float(v)) for v in values) + "]"


def scalar(value) -> str:
    """One value as YAML text in flow style (safe inside [ ] and { } as well as on its own)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)}: {scalar(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    raise TypeError(f"a {type(value).__name__}, which YAML has no plain form for")


def _text(value: str) -> str:
    style = None if value.isprintable() else '"'  # a line break, a tab, DEL, U+0085: escaped, never folded
    dumped = yaml.dump([value], Dumper=Dumper, allow_unicode=True, width=2**31 - 1, default_flow_style=True,
                       default_style=style)
    text = dumped.strip()[1:-1]  # the [ ] around it: written in a list, a text is quoted as a flow needs
    if style:  # PyYAML writes a character outside the BMP as \U0001F345 in double quotes: as itself instead
        text = LONG_ESCAPE.sub(lambda m: m.group(1) + (chr(int(m.group(2), 16)) if chr(int(m.group(2), 16))
                                                       .isprintable() else m.group(0)[len(m.group(1)):]), text)
    return text


def _key(key) -> str:
    return scalar(key) if not isinstance(key, str) else _text(key)


def _note(notes: Mapping[str, str], path: str) -> str:
    note = notes.get(path)
    return f"   # {one_line_comment(note)}" if note else ""


def _is_matrix(value) -> bool:
    return (isinstance(value, (list, np.ndarray)) and len(value) > 0
            and all(isinstance(row, (list, tuple, np.ndarray)) for row in value))


def _is_block(value) -> bool:
    """A mapping or a list of mappings: written as an indented block, not on one line."""
    if isinstance(value, Mapping):
        return len(value) > 0
    return isinstance(value, list) and len(value) > 0 and all(isinstance(item, Mapping) and item for item in value)


def _mapping(mapping: Mapping, path: str, depth: int, notes: Mapping[str, str], lines: list[str],
             first_prefix: str | None = None) -> None:
    """A block mapping at `depth`; its first line starts with `first_prefix` (the "- " of a list item)."""
    pad = INDENT * depth
    for index, (key, value) in enumerate(mapping.items()):
        field = f"{path}.{key}" if path else str(key)
        start = first_prefix if index == 0 and first_prefix is not None else pad
        head = f"{start}{_key(key)}:"
        if _is_matrix(value):  # one row per line, each row on one line
            lines.append(head + _note(notes, field))
            lines += [f"{pad}{INDENT}- {scalar(row)}" for row in value]
        elif _is_block(value) and isinstance(value, Mapping):
            lines.append(head + _note(notes, field))
            _mapping(value, field, depth + 1, notes, lines)
        elif _is_block(value):
            lines.append(head + _note(notes, field))
            for i, item in enumerate(value):
                _mapping(item, f"{field}[{i}]", depth + 2, notes, lines, first_prefix=f"{pad}{INDENT}- ")
        else:
            lines.append(f"{head} {scalar(value)}" + _note(notes, field))
