"""What an export holds, whatever the format: the `nn.Sequential` state dict of a model and the
metadata that names its activations, loss, bias modes and parameters."""

import json
from pathlib import Path

import numpy as np

from pencilnet.core.model import Model, span
from pencilnet.io.interop.common import format_of


def state_dict(model: Model, dtype=np.float64) -> dict[str, np.ndarray]:
    """The `nn.Sequential` state dict of `model`: `2k.weight` (targets, sources), `2k.bias`."""
    tensors = {}
    for k, layer in enumerate(model.layers):
        biases = np.broadcast_to(layer.biases * model.bias_input, (layer.size,))  # a shared bias, once per node
        tensors[f"{2 * k}.weight"] = np.ascontiguousarray(layer.weights.T, dtype=dtype)
        tensors[f"{2 * k}.bias"] = np.ascontiguousarray(biases, dtype=dtype)
    return tensors


def parameter_names(model: Model) -> dict[str, str]:
    """For each tensor key, which of pencilnet's parameters it holds, in words."""
    names = model.names
    described = {}
    for k, layer in enumerate(model.layers):
        sources, targets = names.nodes[k], names.nodes[k + 1]
        matrix = names.weights[k]
        described[f"{2 * k}.weight"] = (
            f"{matrix[0, 0]}…{matrix[-1, -1]}, the weights {span(sources)} → {span(targets)}, transposed: "
            f"row j, column i holds the weight from source i to target j ({matrix[0, 0]} is "
            f"{sources[0]} → {targets[0]}" + (f", {matrix[0, 1]} is {sources[0]} → {targets[1]})"
                                              if len(targets) > 1 else ")"))
        bias = names.biases[k]
        described[f"{2 * k}.bias"] = (
            f"{bias[0]}, the bias weight shared by {span(targets)}, repeated for each node" if layer.shared_bias
            else f"{span(bias)}, the bias weights of {span(targets)}")
        if model.bias_input != 1.0:
            described[f"{2 * k}.bias"] += f", each times the bias input {model.bias_input!r}"
    return described


def metadata(model: Model, loss: str, classes: list[str], name: str) -> dict[str, str]:
    from pencilnet import __version__

    meta = {
        "format": "pt",  # the key PyTorch tools look for in a safetensors state dict
        "pencilnet.version": __version__,
        "pencilnet.name": name,
        "pencilnet.sizes": ",".join(map(str, model.sizes)),
        "pencilnet.activations": ",".join(layer.activation for layer in model.layers),
        "pencilnet.loss": loss,
        "pencilnet.bias": ",".join("shared" if layer.shared_bias else "per_node" for layer in model.layers),
        "pencilnet.bias_input": repr(float(model.bias_input)),
        "pencilnet.classes": json.dumps(classes, ensure_ascii=False),
        "pencilnet.parameters": json.dumps(parameter_names(model), ensure_ascii=False),
    }
    if model.bias_input != 1.0:  # the tensors hold bias × bias input; these give pencilnet's biases back exactly
        meta["pencilnet.biases"] = json.dumps([np.broadcast_to(layer.biases, (layer.size,)).tolist()
                                               for layer in model.layers])
    return meta


def export(config, path: str | Path, float32: bool = False) -> None:
    """Write `config`'s network to `path`, .safetensors or .onnx by its name, in one step."""
    from pencilnet.io.files import write_atomic

    if format_of(path, "--out") == ".safetensors":
        from pencilnet.io.interop.safetensors import safetensors_bytes as maker
    else:
        from pencilnet.io.interop.onnx import onnx_bytes as maker
    write_atomic(path, maker(config.model, config.loss, config.classes, config.name, float32))
