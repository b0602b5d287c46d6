"""Networks to and from PyTorch and ONNX, in formats that hold numbers and names, never code.

Both files hold the same tensors under the same keys, those of a PyTorch `nn.Sequential` of
Linear layers with an activation module after each: `0.weight` (targets, sources), which is
pencilnet's weight matrix transposed, `0.bias`, then `2.weight`, `2.bias`, … A `.safetensors`
file is that state dict; an `.onnx` file is the forward pass as a graph, one Gemm (transB=1)
and one activation node per layer, input `x` [N, inputs] and output `y` [N, outputs]. Both
carry the same metadata (str → str): the activations, the loss, the bias modes, the bias input
and the names pencilnet gives the parameters.

A Linear layer has one bias per node: a shared bias weight is written once per node, and an
import keeps equal values per node unless the metadata says the layer's bias was shared.
With a bias input other than 1, the tensors hold bias × bias input (what the node adds).
"""

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.errors import InputError
from pencilnet.core.losses import LOSSES
from pencilnet.core.model import Layer, Model, span

FORMATS = (".safetensors", ".onnx")
MAX_FILE_BYTES = 64 * 2**20  # far more than a config can hold (16 MiB of text, about 750,000 numbers)
MAX_TENSORS = 2_000  # and as many ONNX nodes: a thousand layers
MAX_PARAMETERS = 2_000_000
OPSET = 17
ONNX_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softmax": "Softmax",
                    "identity": "Identity"}
SAFETENSORS_DTYPES = ("F16", "F32", "F64")


def _needs(package: str, what: str):
    """`import package`, or one line naming the extra that installs it."""
    from importlib import import_module

    try:
        return import_module(package)
    except ImportError:
        raise InputError(f"{what} needs {package.split('.')[0]}: pip install 'pencilnet[interop]'") from None


def format_of(path: str | Path, option: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{option}: expected a file ending .safetensors or .onnx, found '{path}'")
    return suffix


# ── export ────────────────────────────────────────────────────────────────────────────────────

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


def safetensors_bytes(model: Model, loss: str, classes: list[str], name: str, float32: bool = False) -> bytes:
    numpy_format = _needs("safetensors.numpy", "export to .safetensors")
    dtype = np.float32 if float32 else np.float64
    return numpy_format.save(state_dict(model, dtype), metadata(model, loss, classes, name))


def onnx_bytes(model: Model, loss: str, classes: list[str], name: str, float32: bool = False) -> bytes:
    """The forward pass as an ONNX graph: x [N, inputs] → Gemm, activation, Gemm, … → y [N, outputs]."""
    onnx = _needs("onnx", "export to .onnx")
    from onnx import TensorProto, helper, numpy_helper

    dtype, element = (np.float32, TensorProto.FLOAT) if float32 else (np.float64, TensorProto.DOUBLE)
    described = parameter_names(model)
    initializers, nodes, value = [], [], "x"
    for key, tensor in state_dict(model, dtype).items():
        initializer = numpy_helper.from_array(tensor, key)
        initializer.doc_string = described[key]
        initializers.append(initializer)
    last = len(model.layers) - 1
    for k, layer in enumerate(model.layers):
        linear, activation = str(2 * k), str(2 * k + 1)  # the module indices of the nn.Sequential
        nodes.append(helper.make_node("Gemm", [value, f"{linear}.weight", f"{linear}.bias"], [f"{linear}.out"],
                                      name=linear, transB=1))
        value = "y" if k == last else f"{activation}.out"
        options = {"axis": -1} if layer.activation == "softmax" else {}
        nodes.append(helper.make_node(ONNX_ACTIVATIONS[layer.activation], [f"{linear}.out"], [value],
                                      name=activation, **options))
    graph = helper.make_graph(
        nodes, name or "pencilnet", [helper.make_tensor_value_info("x", element, ["N", model.inputs])],
        [helper.make_tensor_value_info("y", element, ["N", model.sizes[-1]])], initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="pencilnet")
    proto.ir_version = 8  # what opset 17 needs: runtimes older than this onnx package still load it
    helper.set_model_props(proto, metadata(model, loss, classes, name))
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


def export(config, path: str | Path, float32: bool = False) -> None:
    """Write `config`'s network to `path`, .safetensors or .onnx by its name, in one step."""
    from pencilnet.io.files import write_atomic

    maker = safetensors_bytes if format_of(path, "--out") == ".safetensors" else onnx_bytes
    write_atomic(path, maker(config.model, config.loss, config.classes, config.name, float32))


# ── import ────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True, eq=False)
class Imported:
    model: Model
    loss: str
    classes: list[str] | None
    name: str
    keys: list[str]  # where each layer came from: "0.weight", or an ONNX node, "Gemm 0"
    notes: list[str] = field(default_factory=list)  # what a reader of the written config should know


@dataclass
class _Linear:
    key: str
    weights: np.ndarray  # pencilnet's way round: (sources, targets)
    biases: np.ndarray
    activation: str | None = None


def read_network(path: str | Path, activations: list[str] | None = None, loss: str | None = None) -> Imported:
    """The network in a .safetensors state dict or an .onnx graph, every failure one line naming `path`."""
    suffix = format_of(path, "FILE")
    return network_of(_read_bytes(path), suffix, str(path), activations, loss)


def network_of(data: bytes, suffix: str, source: str, activations: list[str] | None = None,
               loss: str | None = None) -> Imported:
    """The network in the bytes of a `suffix` file, whose messages call it `source`."""
    try:
        return _network_of(data, suffix, source, activations, loss)
    except InputError as exc:  # names from the file may hold line breaks and terminal controls
        raise InputError(_printable(str(exc))) from None


def _network_of(data: bytes, suffix: str, source: str, activations: list[str] | None, loss: str | None) -> Imported:
    if suffix == ".safetensors":
        layers, meta = _safetensors_layers(data, source)
        given = activations or _listed(meta, "pencilnet.activations")
        if given is None:
            raise InputError(f"{source}: no activations in its metadata: give them with --activation, one per "
                             f"Linear layer, e.g. {','.join(['sigmoid'] * len(layers))}")
        _check_activations(given, layers, "--activation" if activations else f"{source}: metadata "
                                                                             "pencilnet.activations")
        for layer, activation in zip(layers, given):
            layer.activation = activation
    else:
        if activations:
            raise InputError("--activation: expected only with a .safetensors file (an ONNX graph names its "
                             "activations)")
        layers, meta = _onnx_layers(data, source)
    return _network(layers, meta, source, loss)


def _read_bytes(path) -> bytes:
    """The file, read with the bound every input has (see `files.read_bytes`); a pipe or a device,
    which may never end or never open, is refused without being opened."""
    from pencilnet.io.files import read_bytes

    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        raise InputError(f"{path}: expected a file, found a special file")
    return read_bytes(path, "file", MAX_FILE_BYTES)


def _safetensors_layers(data: bytes, source: str) -> tuple[list[_Linear], dict[str, str]]:
    """Linear layers from a state dict, ordered by their keys' numbers (0, 2, …, 10), and its metadata."""
    header = _safetensors_header(data, source)
    meta = header.pop("__metadata__", None) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise InputError(f"{source}: not a safetensors file: its metadata is not a mapping of texts")
    if len(header) > MAX_TENSORS:
        raise InputError(f"{source}: expected at most {MAX_TENSORS} tensors, found {len(header)}")
    count = 0
    for key, spec in header.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("shape"), list):
            raise InputError(f"{source}: not a safetensors file: tensor '{key}' has no shape")
        if spec.get("dtype") not in SAFETENSORS_DTYPES:
            raise InputError(f"{source}: tensor '{key}': expected float16, float32 or float64 numbers, "
                             f"found {spec.get('dtype')}")
        count += math.prod(n if isinstance(n, int) and n >= 0 else MAX_PARAMETERS + 1 for n in spec["shape"])
    if count > MAX_PARAMETERS:
        raise InputError(f"{source}: expected at most {MAX_PARAMETERS:,} parameters, found {count:,}")
    numpy_format = _needs("safetensors.numpy", "import from .safetensors")
    try:
        tensors = numpy_format.load(data)
    except Exception as exc:  # safetensors raises its own error, or others, for a broken file
        raise InputError(f"{source}: not a readable safetensors file: {_first_line(exc)}") from None

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
        layers.append(_Linear(name, weight.T.astype(np.float64), bias.astype(np.float64)))
    return layers, meta


def _safetensors_header(data: bytes, source: str) -> dict:
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
    return sorted(prefixes, key=numbers.get)


def _onnx_layers(data: bytes, source: str) -> tuple[list[_Linear], dict[str, str]]:
    """Linear layers from a graph that is one chain from its input to its output: MatMul (+ Add) or Gemm,
    each followed by an activation node or not (identity). The first node off that path is refused."""
    onnx = _needs("onnx", "import from .onnx")
    from onnx import numpy_helper

    try:
        proto = onnx.load_model_from_string(data)  # never reads external files: those are refused below
        graph = proto.graph
        if len(graph.node) + len(graph.initializer) > 2 * MAX_TENSORS:
            raise InputError(f"{source}: expected at most {MAX_TENSORS} nodes and tensors, found "
                             f"{len(graph.node) + len(graph.initializer)}")
        onnx.checker.check_model(proto)
    except InputError:
        raise
    except Exception as exc:  # protobuf's DecodeError, onnx's ValidationError, …
        raise InputError(f"{source}: not a readable ONNX model: {_first_line(exc)}") from None
    if graph.sparse_initializer:
        raise InputError(f"{source}: tensor '{graph.sparse_initializer[0].values.name}': a sparse tensor; "
                         "pencilnet cannot express it")
    constants, count = {}, 0
    floats = (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, onnx.TensorProto.FLOAT16)

    def array(tensor, where: str) -> np.ndarray:
        nonlocal count
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise InputError(f"{source}: tensor '{where}': stored in another file; pencilnet reads "
                             "self-contained .onnx files only")
        if tensor.data_type not in floats:
            found = {v: k.lower() for k, v in onnx.TensorProto.DataType.items()}.get(tensor.data_type, "another type")
            raise InputError(f"{source}: tensor '{where}': expected float16, float32 or float64 numbers, found {found}")
        count += math.prod(n if n >= 0 else MAX_PARAMETERS + 1 for n in tensor.dims)
        if count > MAX_PARAMETERS:
            raise InputError(f"{source}: expected at most {MAX_PARAMETERS:,} parameters")
        try:
            return numpy_helper.to_array(tensor).astype(np.float64)
        except Exception as exc:  # its numbers do not fill its shape, …
            raise InputError(f"{source}: tensor '{where}': cannot be read: {_first_line(exc)}") from None

    for tensor in graph.initializer:
        constants[tensor.name] = array(tensor, tensor.name)
    inputs = [item for item in graph.input if item.name not in constants]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise InputError(f"{source}: expected a graph of one input and one output, found {len(inputs)} "
                         f"and {len(graph.output)}")
    dims = inputs[0].type.tensor_type.shape.dim
    if inputs[0].type.tensor_type.HasField("shape") and len(dims) != 2:
        raise InputError(f"{source}: input '{inputs[0].name}': expected shape [N, inputs], found {len(dims)} "
                         "dimensions")
    value, layers, pending = inputs[0].name, [], None
    declared = dims[1].dim_value if len(dims) == 2 and dims[1].HasField("dim_value") else None

    for index, node in enumerate(graph.node):
        where = f"{source}: node '{node.name or index}' ({node.op_type})"
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Constant" and "value" in attributes and len(node.output) == 1:
            constants[node.output[0]] = array(attributes["value"], node.output[0])
            continue
        others = [name for name in node.input if name != value]
        if value not in node.input or len(node.output) != 1 or any(n not in constants for n in others):
            raise InputError(f"{where}: expected a node on the one path from the input, fed by '{value}' and "
                             "constant tensors; pencilnet reads a chain of layers")
        if node.op_type in ("MatMul", "Gemm"):
            if pending:
                layers.append(pending)  # two Linear layers in a row: the first passes net on as it is
            pending = _linear(node, attributes, value, constants, where)
        elif node.op_type == "Add":
            bias = constants[others[0]] if len(others) == 1 else None
            if pending is None or bias is None or np.any(pending.biases):
                raise InputError(f"{where}: expected an Add of a bias right after a MatMul; pencilnet cannot "
                                 "express it")
            pending.biases = _broadcast(bias, pending.weights.shape[1], others[0], where)
        elif node.op_type in ONNX_ACTIVATIONS.values():
            if node.op_type == "Softmax" and attributes.get("axis", -1 if _opset(proto) >= 13 else 1) not in (-1, 1):
                raise InputError(f"{where}: expected softmax over each sample's outputs (axis -1), found axis "
                                 f"{attributes['axis']}")
            if pending is None:
                if node.op_type != "Identity":
                    raise InputError(f"{where}: expected an activation right after a MatMul, Add or Gemm; "
                                     "pencilnet cannot express it")
            else:
                pending.activation = {v: k for k, v in ONNX_ACTIVATIONS.items()}[node.op_type]
                layers.append(pending)
                pending = None
        else:
            raise InputError(f"{where}: pencilnet cannot express it; it reads MatMul, Gemm, Add, Sigmoid, Tanh, "
                             "Relu, Softmax and Identity nodes")
        value = node.output[0]
    if pending:
        layers.append(pending)
    if not layers:
        raise InputError(f"{source}: expected at least one MatMul or Gemm node, found none")
    if graph.output[0].name != value:
        raise InputError(f"{source}: output '{graph.output[0].name}': expected the end of the chain of layers, "
                         f"'{value}'")
    if declared is not None and declared != layers[0].weights.shape[0]:
        raise InputError(f"{source}: input '{inputs[0].name}': expected {layers[0].weights.shape[0]} values per "
                         f"sample, one per row of the first weight matrix, found {declared}")
    for layer in layers:
        layer.activation = layer.activation or "identity"
    return layers, {_text(prop.key): _text(prop.value) for prop in proto.metadata_props}


def _text(value) -> str:
    """A protobuf text field, which comes as bytes when it is not UTF-8."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _opset(proto) -> int:
    return next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), OPSET)


def _linear(node, attributes: dict, value: str, constants: dict, where: str) -> _Linear:
    """A MatMul's or a Gemm's weights (and a Gemm's bias), pencilnet's way round: (sources, targets)."""
    if node.input[0] != value or node.input[1] not in constants:
        raise InputError(f"{where}: expected the input times a constant weight matrix, in that order")
    weights = constants[node.input[1]]
    if node.op_type == "Gemm":
        if attributes.get("transA", 0) or attributes.get("alpha", 1.0) != 1.0 or attributes.get("beta", 1.0) != 1.0:
            raise InputError(f"{where}: expected alpha 1, beta 1 and transA 0; pencilnet cannot express it")
        if weights.ndim == 2 and attributes.get("transB", 0):
            weights = weights.T
    if weights.ndim != 2 or 0 in weights.shape:
        raise InputError(f"{where}: tensor '{node.input[1]}': expected a 2-D weight matrix, found shape "
                         f"{tuple(weights.shape)}")
    biases = np.zeros(weights.shape[1])
    if node.op_type == "Gemm" and len(node.input) > 2 and node.input[2]:
        biases = _broadcast(constants[node.input[2]], weights.shape[1], node.input[2], where)
    return _Linear(f"{node.op_type} {node.name or node.input[1]}", weights, biases)


def _broadcast(bias: np.ndarray, targets: int, name: str, where: str) -> np.ndarray:
    """A bias given as (targets,), (1, targets) or one number, as one value per node."""
    if bias.size not in (1, targets) or (bias.ndim == 2 and bias.shape[0] != 1) or bias.ndim > 2:
        raise InputError(f"{where}: tensor '{name}': expected a bias of {targets} values, one per node, found "
                         f"shape {tuple(bias.shape)}")
    return np.broadcast_to(bias.reshape(-1), (targets,)).copy()


def _printable(text: str) -> str:
    """`text` with every character a terminal or a YAML comment would act on (line breaks, escapes) as '?'."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _listed(meta: dict, key: str) -> list[str] | None:
    if key not in meta:
        return None
    return [part.strip() for part in meta[key].split(",")]


def _check_activations(names: list[str], layers: list[_Linear], where: str) -> None:
    if len(names) != len(layers):
        raise InputError(f"{where}: expected {len(layers)} activation names, one per Linear layer "
                         f"({', '.join(layer.key for layer in layers)}), found {len(names)}")
    for name in names:
        if name not in ACTIVATIONS:
            raise InputError(f"{where}: expected activations among {', '.join(ACTIVATIONS)}, found '{name}'")


def _network(layers: list[_Linear], meta: dict[str, str], source: str, loss: str | None) -> Imported:
    """The layers as a pencilnet model, with what the metadata adds: loss, classes, shared biases, bias input."""
    notes = []
    for previous, layer in zip(layers, layers[1:]):
        if layer.weights.shape[0] != previous.weights.shape[1]:
            raise InputError(f"{source}: tensor '{layer.key}': expected {previous.weights.shape[1]} sources, one per "
                             f"node of '{previous.key}', found {layer.weights.shape[0]}")
    for layer in layers:
        for what, values in (("weights", layer.weights), ("biases", layer.biases)):
            if not np.all(np.isfinite(values)):
                raise InputError(f"{source}: layer '{layer.key}': expected finite {what}, found "
                                 f"{values[~np.isfinite(values)].ravel()[0]}")
    for layer in layers[:-1]:
        if layer.activation == "softmax":
            raise InputError(f"{source}: layer '{layer.key}': expected softmax on the output layer only, "
                             "as a pencilnet config has it")
    where = "--loss" if loss else f"{source}: metadata pencilnet.loss"
    loss = loss or meta.get("pencilnet.loss", "half_sse")
    if loss not in LOSSES:
        raise InputError(f"{where}: expected one of {', '.join(LOSSES)}, found '{loss[:40]}'")
    shared = _listed(meta, "pencilnet.bias") or ["per_node"] * len(layers)
    if len(shared) != len(layers) or not set(shared) <= {"per_node", "shared"}:
        raise InputError(f"{source}: metadata pencilnet.bias: expected {len(layers)} bias modes (per_node or "
                         f"shared), found '{meta['pencilnet.bias'][:80]}'")
    bias_input, biases = _bias_input(meta, source), [layer.biases for layer in layers]
    if bias_input != 1.0:  # the file holds bias × bias input: what pencilnet wrote beside them, or divided back
        exact = _exported_biases(meta, layers)
        divided = [b / bias_input for b in biases] if bias_input else []
        if exact and all(np.array_equal(e * bias_input, b) for e, b in zip(exact, biases)):
            biases = exact
        elif bias_input and all(np.array_equal(d * bias_input, b) for d, b in zip(divided, biases)):
            biases = divided
        else:
            notes.append(f"the exporting config had a bias input of {bias_input!r}; the biases here are what "
                         "each node adds, bias × bias input, with a bias input of 1")
            bias_input = 1.0
    built = []
    for layer, values, mode in zip(layers, biases, shared):
        one = mode == "shared"
        if one and not np.all(values == values[0]):
            notes.append(f"{layer.key}: its bias was shared when exported, but its values differ now: one per node")
            one = False
        built.append(Layer(layer.weights, values[:1] if one else values, layer.activation, one))
    model = Model(tuple(built), bias_input)
    classes = _classes(meta, source, model.sizes[-1])
    name = meta.get("pencilnet.name") or f"Imported from {Path(source).name}"
    return Imported(model, loss, classes, name, [layer.key for layer in layers], notes)


def _exported_biases(meta: dict, layers: list[_Linear]) -> list[np.ndarray] | None:
    """pencilnet's own biases, one per node, which an export with a bias input other than 1 writes into the
    metadata; None when they are not there or not of the layers' shapes (the caller checks their values)."""
    try:
        found = [np.array(values, dtype=np.float64) for values in json.loads(meta.get("pencilnet.biases", "null"))]
    except (ValueError, TypeError, RecursionError):
        return None
    if len(found) != len(layers) or any(f.shape != layer.biases.shape for f, layer in zip(found, layers)):
        return None
    return found


def _bias_input(meta: dict, source: str) -> float:
    text = meta.get("pencilnet.bias_input", "1.0")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"{source}: metadata pencilnet.bias_input: expected a finite number, found '{text[:40]}'")
    return value


def _classes(meta: dict, source: str, outputs: int) -> list[str] | None:
    if not meta.get("pencilnet.classes"):
        return None
    try:
        classes = json.loads(meta["pencilnet.classes"])
    except (ValueError, RecursionError):
        classes = None
    count = 2 if outputs == 1 else outputs  # one sigmoid output: two classes and a threshold
    if (not isinstance(classes, list) or len(classes) != count or len(set(map(str, classes))) != count
            or not all(isinstance(c, str) and c for c in classes)):
        raise InputError(f"{source}: metadata pencilnet.classes: expected a JSON list of {count} distinct "
                         "class names, one per output (two for one output)")
    return classes


# ── the config an import writes ───────────────────────────────────────────────────────────────

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
    lines = [f"# A {shape} network imported by pencilnet from {_printable(Path(source).name)}, weights in full "
             "precision.",
             "# Weights as pencilnet writes them: a row per source node, a column per target (the transpose of a "
             "PyTorch Linear weight)."]
    lines += [f"# Note: {_printable(note)}." for note in imported.notes]
    lines += [
        "",
        f"name: {json.dumps(imported.name)}",
        f"inputs: {model.inputs}   # {span(names.nodes[0])}",
        f"bias_input: {_number(float(model.bias_input))}",
        "layers:",
    ]
    for index, (layer, key) in enumerate(zip(model.layers, imported.keys)):
        sources, targets = names.nodes[index], names.nodes[index + 1]
        role = "the output layer" if index == len(model.layers) - 1 else "a hidden layer"
        lines += [f"  - size: {layer.size}   # {role}: {span(targets)}, from {_printable(key)}",
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
    if data is not None:
        lines += ["data:", f"  train: {json.dumps(data)}"]
    else:
        outputs = model.sizes[-1]
        lines += ["samples:   # the file held no samples: replace this one, or import again with --data FILE",
                  f"  - inputs: {numbers(np.full(model.inputs, 0.5))}   # a placeholder",
                  f"    target: {numbers(np.eye(outputs)[0])}"]
    return "\n".join(lines) + "\n"


def import_config(path: str, out: str | None, activations: list[str] | None = None, loss: str | None = None,
                  data: str | None = None) -> str:
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
    return text
