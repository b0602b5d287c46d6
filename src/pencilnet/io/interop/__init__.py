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

The rooms: `common` (formats, bounds, one-line failures), `activations` (each activation's ONNX
operator and PyTorch module), `exporting` (the state dict and metadata of an export),
`safetensors` and `onnx` (each format written and read as Linear layers), `assembly` (the layers
a reader found made into a model), `files` (which format a file is, and its reader or writer),
`imported_config` (the config an import writes).
"""

from pencilnet.io.interop.assembly import Imported
from pencilnet.io.interop.common import FORMATS, format_of
from pencilnet.io.interop.files import export, network_of, read_network
from pencilnet.io.interop.imported_config import import_config, imported_text
from pencilnet.io.interop.onnx import onnx_bytes
from pencilnet.io.interop.safetensors import safetensors_bytes

__all__ = ["FORMATS", "Imported", "export", "format_of", "import_config", "imported_text", "network_of", "onnx_bytes",
           "read_network", "safetensors_bytes"]
