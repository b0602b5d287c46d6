"""Each pencilnet activation as an ONNX operator and a PyTorch module: the one table export and
import read, one row per activation of `core.activations.ACTIVATIONS` (a test holds them equal)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Operator:
    onnx: str  # the ONNX operator's type
    torch: str  # the torch.nn module that computes it, as Python writes it
    attributes: dict = field(default_factory=dict)  # what export writes on the node


OPERATORS = {
    "sigmoid": Operator("Sigmoid", "torch.nn.Sigmoid()"),
    "tanh": Operator("Tanh", "torch.nn.Tanh()"),
    "relu": Operator("Relu", "torch.nn.ReLU()"),
    "softmax": Operator("Softmax", "torch.nn.Softmax(dim=-1)", {"axis": -1}),
    "identity": Operator("Identity", "torch.nn.Identity()"),
}
BY_ONNX = {operator.onnx: name for name, operator in OPERATORS.items()}
