"""Which format a file is, and its reader or writer: the one place that knows both formats, so
that the rooms they share (`assembly`, `exporting`) import neither."""

from dataclasses import replace
from pathlib import Path

from pencilnet.core.activations import ACTIVATIONS, activation_of
from pencilnet.core.errors import InputError
from pencilnet.io.interop.assembly import Imported, Linear, assemble, listed, standardize_of
from pencilnet.io.interop.common import MAX_MESSAGE, format_of, printable, read_file
from pencilnet.io.interop.onnx import onnx_bytes, onnx_layers
from pencilnet.io.interop.safetensors import safetensors_bytes, safetensors_layers


def read_network(path: str | Path, activations: list[str] | None = None, loss: str | None = None) -> Imported:
    """The network in a .safetensors state dict or an .onnx graph, every failure one line naming `path`."""
    suffix = format_of(path, "FILE")
    return network_of(read_file(path), suffix, str(path), activations, loss)


def network_of(data: bytes, suffix: str, source: str, activations: list[str] | None = None,
               loss: str | None = None) -> Imported:
    """The network in the bytes of a `suffix` file, whose messages call it `source`."""
    try:
        return _network_of(data, suffix, source, activations, loss)
    except InputError as exc:  # names from the file may hold line breaks and terminal controls
        raise InputError(printable(str(exc), MAX_MESSAGE)) from None


def _network_of(data: bytes, suffix: str, source: str, activations: list[str] | None, loss: str | None) -> Imported:
    if suffix == ".safetensors":
        layers, meta = safetensors_layers(data, source)
        graph = None
        given = activations or listed(meta, "pencilnet.activations")
        if given is None:
            raise InputError(f"{source}: no activations in its metadata: give them with --activation, one per "
                             f"Linear layer, e.g. {','.join(['sigmoid'] * len(layers))}")
        _check_activations(given, layers, "--activation" if activations else f"{source}: metadata "
                                                                             "pencilnet.activations")
        for layer, activation in zip(layers, given, strict=True):
            layer.activation = activation
    else:
        if activations:
            raise InputError("--activation: expected only with a .safetensors file (an ONNX graph names its "
                             "activations)")
        layers, meta, graph = onnx_layers(data, source)
    imported = assemble(layers, meta, source, loss)
    standardize = standardize_of(meta, graph, suffix == ".onnx", imported.model.inputs, source, imported.notes)
    return replace(imported, standardize=standardize)


def _check_activations(names: list[str], layers: list[Linear], where: str) -> None:
    if len(names) != len(layers):
        raise InputError(f"{where}: expected {len(layers)} activation names, one per Linear layer "
                         f"({', '.join(layer.key for layer in layers)}), found {len(names)}")
    for name in names:
        try:
            activation_of(name)
        except ValueError:
            raise InputError(f"{where}: expected activations among {', '.join(ACTIVATIONS)} (leaky_relu with its "
                             f"settings: leaky_relu(slope=0.2)), found '{name[:40]}'") from None



def export(config, path: str | Path, float32: bool = False) -> None:
    """Write `config`'s network to `path`, .safetensors or .onnx by its name, in one step."""
    from pencilnet.io.files import write_atomic

    maker = safetensors_bytes if format_of(path, "--out") == ".safetensors" else onnx_bytes
    write_atomic(path, maker(config.model, config.loss, config.classes, config.name, float32, config.scaling,
                             config.source))
