"""A network as a PyTorch state dict in a .safetensors file: written from a model, read as Linear layers."""

import json
import math
import re

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.core.model import Model
from pencilnet.io.interop.assembly import Linear
from pencilnet.io.interop.common import MAX_PARAMETERS, MAX_TENSORS, check_name, first_line, needs
from pencilnet.io.interop.exporting import OFFSET, SCALE, metadata, tensors

DTYPES = ("F16", "F32", "F64")


def safetensors_bytes(model: Model, loss: str, classes: list[str], name: str, float32: bool = False,
                      scaling=None, source: str = "the network") -> bytes:
    """The state dict, and in its metadata everything else, the input scaling included: a state dict holds
    the Linear layers' tensors only, so that PyTorch's `load_state_dict` takes it as it is."""
    numpy_format = needs("safetensors.numpy", "export to .safetensors")
    found = tensors(model, scaling, np.float32 if float32 else np.float64, source)
    return numpy_format.save({key: tensor for key, tensor in found.items() if key not in (OFFSET, SCALE)},
                             metadata(model, loss, classes, name, scaling))


def safetensors_layers(data: bytes, source: str) -> tuple[list[Linear], dict[str, str]]:
    """Linear layers from a state dict, ordered by their keys' numbers (0, 2, …, 10), and its metadata."""
    header = _header(data, source)
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise InputError(f"{source}: not a safetensors file: its metadata is not a mapping of texts")
    if len(header) > MAX_TENSORS:
        raise InputError(f"{source}: expected at most {MAX_TENSORS} tensors, found {len(header)}")
    count = 0
    for key, spec in header.items():
        check_name(key, "tensor", source)
        if not isinstance(spec, dict) or not isinstance(spec.get("shape"), list):
            raise InputError(f"{source}: not a safetensors file: tensor '{key}' has no shape")
        if spec.get("dtype") not in DTYPES:
            raise InputError(f"{source}: tensor '{key}': expected float16, float32 or float64 numbers, "
                             f"found {str(spec.get('dtype'))[:20]}")
        count += math.prod(n if isinstance(n, int) and n >= 0 else MAX_PARAMETERS + 1 for n in spec["shape"])
    if count > MAX_PARAMETERS:
        raise InputError(f"{source}: expected at most {MAX_PARAMETERS:,} parameters, found {count:,}")
    numpy_format = needs("safetensors.numpy", "import from .safetensors")
    try:
        tensors = numpy_format.load(data)
    except Exception as exc:  # safetensors raises its own error, or others, for a broken file
        raise InputError(f"{source}: not a readable safetensors file: {first_line(exc)}") from None

    found: dict[str, dict[str, np.ndarray]] = {}
    for key in sorted(tensors):
        prefix, dot, kind = key.rpartition(".")
        if not dot or kind not in ("weight", "bias"):
            raise InputError(f"{source}: tensor '{key}': expected the weight or bias of a Linear layer "
                             "(KEY.weight, KEY.bias); pencilnet cannot express it")
        found.setdefault(prefix, {})[kind] = tensors[key]
    layers = []
    for prefix in _in_order(list(found), source):
        pair = found[prefix]
        name = f"{prefix}.weight"
        if "weight" not in pair:
            raise InputError(f"{source}: tensor '{prefix}.bias': expected it beside a '{name}', found none")
        weight = pair["weight"]
        if weight.ndim != 2 or 0 in weight.shape:
            raise InputError(f"{source}: tensor '{name}': expected a Linear layer's 2-D weight (targets, sources), "
                             f"found shape {tuple(weight.shape)}")
        bias = pair.get("bias", np.zeros(weight.shape[0]))
        if bias.shape != (weight.shape[0],):
            raise InputError(f"{source}: tensor '{prefix}.bias': expected shape ({weight.shape[0]},), one per row "
                             f"of '{name}', found {tuple(bias.shape)}")
        layers.append(Linear(name, weight.T.astype(np.float64), bias.astype(np.float64)))
    return layers, meta


def _header(data: bytes, source: str) -> dict:
    """The JSON header of a safetensors file: 8 bytes of its length, little-endian, then the JSON."""
    length = int.from_bytes(data[:8], "little") if len(data) >= 8 else -1
    if not 0 < length <= len(data) - 8:
        raise InputError(f"{source}: not a safetensors file, or a truncated one: its header is incomplete")
    try:
        header = json.loads(data[8:8 + length])
    except (ValueError, RecursionError):
        raise InputError(f"{source}: not a safetensors file: its header is not JSON") from None
    if not isinstance(header, dict):
        raise InputError(f"{source}: not a safetensors file: its header is not a mapping")
    return header


def _in_order(prefixes: list[str], source: str) -> list[str]:
    """The layers' key prefixes in the order of the numbers in them: "0", "2", "10" as nn.Sequential numbers its
    modules, or "fc1", "fc2". A file does not keep the order its tensors were saved in, so a layer whose place its
    name does not tell is refused rather than guessed."""
    numbers = {prefix: tuple(int(n) for n in re.findall(r"\d+", prefix)) for prefix in prefixes}
    if len(prefixes) > 1:
        for prefix in prefixes:
            twin = next((p for p in prefixes if p != prefix and numbers[p] == numbers[prefix]), None)
            if not numbers[prefix] or twin:
                raise InputError(f"{source}: tensor '{prefix}.weight': expected a number in its name that gives its "
                                 "place among the layers (0.weight, 2.weight, … as nn.Sequential names them)"
                                 + (f", found the same numbers as '{twin}.weight'" if twin else ""))
    return sorted(prefixes, key=lambda prefix: numbers[prefix])
