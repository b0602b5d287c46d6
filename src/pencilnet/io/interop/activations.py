"""Each pencilnet activation as an ONNX operator and a PyTorch module: the one table export and
import read, one row per activation of `core.activations.ACTIVATIONS` (a test holds them equal).
An activation's settings travel as the operator's attributes (leaky_relu's slope is LeakyRelu's
alpha, torch's negative_slope)."""

from dataclasses import dataclass, field

import numpy as np

from pencilnet.core.activations import activation_of, written_name


@dataclass(frozen=True)
class Operator:
    onnx: str  # the ONNX operator's type
    torch: str  # the torch.nn module that computes it, as Python writes it ({setting} for a setting's value)
    attributes: dict = field(default_factory=dict)  # what export writes on the node
    settings: dict = field(default_factory=dict)  # pencilnet setting -> the ONNX attribute that carries it


OPERATORS = {
    "sigmoid": Operator("Sigmoid", "torch.nn.Sigmoid()"),
    "tanh": Operator("Tanh", "torch.nn.Tanh()"),
    "relu": Operator("Relu", "torch.nn.ReLU()"),
    "softmax": Operator("Softmax", "torch.nn.Softmax(dim=-1)", {"axis": -1}),
    "identity": Operator("Identity", "torch.nn.Identity()"),
    "leaky_relu": Operator("LeakyRelu", "torch.nn.LeakyReLU(negative_slope={slope!r})", settings={"slope": "alpha"}),
    # torch's Softplus is x itself above its threshold (20): within e^-20 of ln(1 + e^x) there.
    "softplus": Operator("Softplus", "torch.nn.Softplus()"),
}
BY_ONNX = {operator.onnx: name for name, operator in OPERATORS.items()}


def node_attributes(activation: str) -> tuple[str, dict]:
    """(the ONNX operator, its attributes) of an activation as a layer names it ("leaky_relu(slope=0.2)")."""
    row = activation_of(activation)
    operator = OPERATORS[row.family]
    return operator.onnx, {**operator.attributes, **{operator.settings[key]: float(value)
                                                      for key, value in row.settings.items()}}


def torch_module(activation: str) -> str:
    """The torch.nn module of an activation as a layer names it: "torch.nn.LeakyReLU(negative_slope=0.2)"."""
    row = activation_of(activation)
    return OPERATORS[row.family].torch.format(**row.settings)


def from_node(op_type: str, attributes: dict) -> str:
    """The activation an ONNX node computes, named with its settings from the node's attributes."""
    family = BY_ONNX[op_type]
    # ONNX keeps a float attribute in 32 bits (alpha 0.2 is 0.20000000298…): the shortest decimal that
    # gives those 32 bits back is the number a person wrote, and the one export wrote.
    carried = {key: float(str(np.float32(attributes[name]))) for key, name in OPERATORS[family].settings.items()
               if name in attributes}
    return written_name(family, carried)
