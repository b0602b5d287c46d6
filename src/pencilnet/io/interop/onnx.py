"""A network as an ONNX graph: the forward pass written from a model, and read back as Linear layers
from a graph that is one chain of MatMul (+ Add) or Gemm and activation nodes."""

import math

import numpy as np

from pencilnet.core.errors import InputError
from pencilnet.core.model import Model, span
from pencilnet.io.interop.activations import BY_ONNX, from_node, node_attributes
from pencilnet.io.interop.assembly import Linear, Standardized
from pencilnet.io.interop.common import MAX_PARAMETERS, MAX_TENSORS, check_name, first_line, needs
from pencilnet.io.interop.exporting import OFFSET, SCALE, metadata, parameter_names, tensors

OPSET = 17


def onnx_bytes(model: Model, loss: str, classes: list[str], name: str, float32: bool = False, scaling=None,
               source: str = "the network") -> bytes:
    """The forward pass as an ONNX graph: x [N, inputs] → (Sub, Div) → Gemm, activation, Gemm, … → y [N, outputs],
    the Sub and Div being the config's input scaling, (raw − offset) / scale, when it has one."""
    onnx = needs("onnx", "export to .onnx")
    from onnx import TensorProto, helper, numpy_helper

    dtype, element = (np.float32, TensorProto.FLOAT) if float32 else (np.float64, TensorProto.DOUBLE)
    described = parameter_names(model)
    if scaling is not None:
        inputs = span(model.names.nodes[0])
        described[OFFSET] = f"what is subtracted from each raw input ({inputs}): the {scaling.method} offset"
        described[SCALE] = f"what each raw input ({inputs}) is then divided by: the {scaling.method} scale"
    initializers, nodes, value = [], [], "x"
    for key, tensor in tensors(model, scaling, dtype, source).items():
        initializer = numpy_helper.from_array(tensor, key)
        initializer.doc_string = described[key]
        initializers.append(initializer)
    if scaling is not None:
        nodes += [helper.make_node("Sub", ["x", OFFSET], ["input.centred"], name="standardize.sub"),
                  helper.make_node("Div", ["input.centred", SCALE], ["input.scaled"], name="standardize.div")]
        value = "input.scaled"
    last = len(model.layers) - 1
    for k, layer in enumerate(model.layers):
        linear, activation = str(2 * k), str(2 * k + 1)  # the module indices of the nn.Sequential
        nodes.append(helper.make_node("Gemm", [value, f"{linear}.weight", f"{linear}.bias"], [f"{linear}.out"],
                                      name=linear, transB=1))
        value = "y" if k == last else f"{activation}.out"
        operator, attributes = node_attributes(layer.activation)
        nodes.append(helper.make_node(operator, [f"{linear}.out"], [value], name=activation, **attributes))
    graph = helper.make_graph(
        nodes, name or "pencilnet", [helper.make_tensor_value_info("x", element, ["N", model.inputs])],
        [helper.make_tensor_value_info("y", element, ["N", model.sizes[-1]])], initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="pencilnet")
    proto.ir_version = 8  # what opset 17 needs: runtimes older than this onnx package still load it
    helper.set_model_props(proto, metadata(model, loss, classes, name, scaling))
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


def onnx_layers(data: bytes, source: str) -> tuple[list[Linear], dict[str, str], Standardized | None]:
    """Linear layers from a graph that is one chain from its input to its output: MatMul (+ Add) or Gemm,
    each followed by an activation node or not (identity), after the input's scaling if it has one (a Sub of
    constants, a Div by constants, or both in that order). The first node off that path is refused."""
    onnx = needs("onnx", "import from .onnx")
    from onnx import numpy_helper

    try:
        proto = onnx.load_model_from_string(data)  # never reads external files: those are refused below
        graph = proto.graph
        _bounded(proto, source)  # before the checker, whose work grows with what is counted there
        onnx.checker.check_model(proto)
    except InputError:
        raise
    except Exception as exc:  # protobuf's DecodeError, onnx's ValidationError, …
        raise InputError(f"{source}: not a readable ONNX model: {first_line(exc)}") from None
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
            raise InputError(f"{source}: tensor '{where}': cannot be read: {first_line(exc)}") from None

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
    value, pending = inputs[0].name, None
    layers: list[Linear] = []
    scaling: dict[str, tuple[np.ndarray, str, str]] = {}  # "offset" from a Sub, "scale" from a Div
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
        if node.op_type in ("Sub", "Div") and not layers and pending is None:
            kind = "offset" if node.op_type == "Sub" else "scale"
            if node.input[0] != value or len(others) != 1 or kind in scaling or (kind == "offset" and scaling):
                raise InputError(f"{where}: expected the input's scaling before the first layer, (raw − constant) "
                                 "/ constant: one Sub, one Div, in that order; pencilnet cannot express it")
            scaling[kind] = (constants[others[0]], others[0], where)
        elif node.op_type in ("MatMul", "Gemm"):
            if pending:
                layers.append(pending)  # two Linear layers in a row: the first passes net on as it is
            pending = _linear(node, attributes, value, constants, where)
        elif node.op_type == "Add":
            bias = constants[others[0]] if len(others) == 1 else None
            if pending is None or bias is None or np.any(pending.biases):
                raise InputError(f"{where}: expected an Add of a bias right after a MatMul; pencilnet cannot "
                                 "express it")
            pending.biases = _broadcast(bias, pending.weights.shape[1], others[0], where)
        elif node.op_type in BY_ONNX:
            if node.op_type == "Softmax" and attributes.get("axis", -1 if _opset(proto) >= 13 else 1) not in (-1, 1):
                raise InputError(f"{where}: expected softmax over each sample's outputs (axis -1), found axis "
                                 f"{attributes['axis']}")
            if pending is None:
                if node.op_type != "Identity":
                    raise InputError(f"{where}: expected an activation right after a MatMul, Add or Gemm; "
                                     "pencilnet cannot express it")
            else:
                pending.activation = from_node(node.op_type, attributes)
                layers.append(pending)
                pending = None
        else:
            known = ["MatMul", "Gemm", "Add", *BY_ONNX]
            raise InputError(f"{where}: pencilnet cannot express it; it reads {', '.join(known[:-1])} and "
                             f"{known[-1]} nodes")
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
    width, standardized = layers[0].weights.shape[0], None
    if scaling:
        values = {kind: _broadcast(array, width, name, where, "{count} values, one per input")
                  for kind, (array, name, where) in scaling.items()}
        standardized = Standardized(values.get("offset", np.zeros(width)), values.get("scale", np.ones(width)))
    return layers, {_text(prop.key): _text(prop.value) for prop in proto.metadata_props}, standardized


def _bounded(proto, source: str) -> None:
    """Refuse a model of more nodes and tensors than a thousand layers need, counting those inside the
    subgraphs of If, Loop and Scan nodes and in local functions, and any name or metadata key too long for a
    message; the count stops as soon as it is over the bound, so a model of millions of nodes costs nothing."""
    from onnx import AttributeProto

    bound, count = 2 * MAX_TENSORS, 0
    graphs = [proto.graph]
    for function in proto.functions:
        count += len(function.node)
        graphs += [a.g for node in function.node[:bound] for a in node.attribute if a.type == AttributeProto.GRAPH]
    while graphs and count <= bound:
        graph = graphs.pop()
        count += len(graph.node) + len(graph.initializer)
        for node in graph.node[:bound]:
            for attribute in node.attribute:
                if attribute.type == AttributeProto.GRAPH:
                    graphs.append(attribute.g)
                elif attribute.type == AttributeProto.GRAPHS:
                    graphs.extend(attribute.graphs)
    if count > bound:
        raise InputError(f"{source}: expected at most {MAX_TENSORS} nodes and tensors, found "
                         f"{count:,}{' or more' if graphs else ''} (the subgraphs of If, Loop and Scan nodes counted)")
    graph = proto.graph
    for node in graph.node:
        check_name(node.name, "node", source)
        check_name(node.op_type, "node type", source)
        for name in [*node.input, *node.output]:
            check_name(name, "value", source)
    for tensor in graph.initializer:
        check_name(tensor.name, "tensor", source)
    for value in [*graph.input, *graph.output]:
        check_name(value.name, "value", source)
    for prop in proto.metadata_props:
        check_name(_text(prop.key), "metadata key", source)


def _text(value) -> str:
    """A protobuf text field, which comes as bytes when it is not UTF-8."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _opset(proto) -> int:
    return next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), OPSET)


def _linear(node, attributes: dict, value: str, constants: dict, where: str) -> Linear:
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
    return Linear(f"{node.op_type} {node.name or node.input[1]}", weights, biases)


def _broadcast(values: np.ndarray, count: int, name: str, where: str,
               what: str = "a bias of {count} values, one per node") -> np.ndarray:
    """A bias (or an input's offset or scale) given as (count,), (1, count) or one number, as `count` values."""
    if values.size not in (1, count) or (values.ndim == 2 and values.shape[0] != 1) or values.ndim > 2:
        raise InputError(f"{where}: tensor '{name}': expected {what.format(count=count)}, found shape "
                         f"{tuple(values.shape)}")
    return np.broadcast_to(values.reshape(-1), (count,)).copy()
