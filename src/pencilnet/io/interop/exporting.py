"""What an export holds, whatever the format: the `nn.Sequential` state dict of a model, the
input scaling its config fitted, and the metadata that names its activations, loss, bias modes,
parameters and scaling. Every tensor is checked finite in the type written before anything is."""

import json

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.core.model import Model, span
from pencilnet.io.interop.activations import torch_module

OFFSET, SCALE = "input.offset", "input.scale"  # the ONNX graph's (raw − offset) / scale before the first layer


def state_dict(model: Model, dtype=np.float64) -> dict[str, np.ndarray]:
    """The `nn.Sequential` state dict of `model`: `2k.weight` (targets, sources), `2k.bias`."""
    found = {}
    with np.errstate(over="ignore"):  # a product or a float32 beyond range is inf: `tensors` refuses it
        for k, layer in enumerate(model.layers):
            biases = np.broadcast_to(layer.biases * model.bias_input, (layer.size,))  # a shared bias, once per node
            found[f"{2 * k}.weight"] = np.ascontiguousarray(layer.weights.T, dtype=dtype)
            found[f"{2 * k}.bias"] = np.ascontiguousarray(biases, dtype=dtype)
    return found


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


def metadata(model: Model, loss: str, classes: list[str], name: str, scaling=None) -> dict[str, str]:
    """Text for text: what PyTorch's or an ONNX runtime's user, and pencilnet's import, need to know."""
    from pencilnet import __version__

    meta = {
        "format": "pt",  # the key PyTorch tools look for in a safetensors state dict
        "pencilnet.version": __version__,
        "pencilnet.name": name,
        "pencilnet.sizes": ",".join(map(str, model.sizes)),
        "pencilnet.activations": ",".join(layer.activation for layer in model.layers),
        # The torch.nn.Sequential the state dict loads into: Linear, activation, Linear, …
        "pencilnet.torch_modules": json.dumps([torch_module(layer.activation) for layer in model.layers]),
        "pencilnet.loss": loss,
        "pencilnet.bias": ",".join("shared" if layer.shared_bias else "per_node" for layer in model.layers),
        "pencilnet.bias_input": repr(float(model.bias_input)),
        "pencilnet.classes": json.dumps(classes, ensure_ascii=False),
        "pencilnet.parameters": json.dumps(parameter_names(model), ensure_ascii=False),
    }
    if model.bias_input != 1.0:  # the tensors hold bias × bias input; these give pencilnet's biases back exactly
        meta["pencilnet.biases"] = json.dumps([np.broadcast_to(layer.biases, (layer.size,)).tolist()
                                               for layer in model.layers])
    if scaling is not None:  # what each raw input goes through first: (raw − offset) / scale, exactly
        meta["pencilnet.standardize"] = json.dumps({"method": scaling.method, "offset": scaling.offset.tolist(),
                                                    "scale": scaling.scale.tolist()})
    return meta


def scaling_tensors(scaling, dtype=np.float64) -> dict[str, np.ndarray]:
    """The fitted offset and scale of each input, as the tensors an ONNX graph subtracts and divides by."""
    if scaling is None:
        return {}
    with np.errstate(over="ignore", under="ignore"):
        return {OFFSET: np.ascontiguousarray(scaling.offset, dtype=dtype),
                SCALE: np.ascontiguousarray(scaling.scale, dtype=dtype)}


def tensors(model: Model, scaling, dtype, source: str) -> dict[str, np.ndarray]:
    """The state dict and the scaling's tensors in `dtype`, once each number is known finite (and each scale
    above 0) in that type: a bias times a large bias input, or a number beyond float32's range, is refused
    naming the tensor and the parameter, before any file is written."""
    found = {**state_dict(model, dtype), **scaling_tensors(scaling, dtype)}
    for key, tensor in found.items():
        bad = ~np.isfinite(tensor) | ((tensor <= 0) if key == SCALE else False)
        if np.any(bad):
            at = tuple(int(i) for i in np.argwhere(bad)[0])
            kind = np.dtype(dtype).name
            hint = " (float32 reaches ±3.4e38 and 1.4e-45: export without --float32)" if kind == "float32" else ""
            raise InputError(f"{source}: tensor '{key}' {list(at)}: expected a finite {kind} number"
                             + (" above 0" if key == SCALE else "") + f", found {tensor[at]}: it holds "
                             f"{_holds(model, scaling, key, at)}{hint}; nothing written")
    return found


def _holds(model: Model, scaling, key: str, at: tuple[int, ...]) -> str:
    """Which of the config's numbers the tensor `key` holds at `at`, with its value."""
    if key in (OFFSET, SCALE):
        values = scaling.offset if key == OFFSET else scaling.scale
        return f"the {key.split('.')[1]} of {model.names.nodes[0][at[0]]} = {float(values[at[0]])!r}"
    position, kind = key.split(".")
    k = int(position) // 2
    names, layer = model.names, model.layers[k]
    if kind == "weight":  # (targets, sources): pencilnet's matrix transposed
        return f"{names.weights[k][at[1], at[0]]} = {float(layer.weights[at[1], at[0]])!r}"
    node = 0 if layer.shared_bias else at[0]
    return (f"{names.biases[k][node]} × bias input = {float(layer.biases[node])!r} × "
            f"{float(model.bias_input)!r}")
