"""To and from PyTorch and ONNX: export a config's network, import one to inspect it."""

from typing import Annotated

import typer

from pencilnet.cli.shared import ConfigPath, Force, Sets, check_output, failures, load, say, write_out, wrote


def export(out: Annotated[str, typer.Option(
               "--out", "-o", metavar="FILE", show_default=False,
               help="A .safetensors file (a PyTorch nn.Sequential state dict) or an .onnx file (the forward pass); "
                    "written in one step.")],
           config: ConfigPath = None,
           float32: Annotated[bool, typer.Option(
               "--float32", help="Write float32 numbers instead of float64 (PyTorch's and most runtimes' default).")
           ] = False,
           force: Force = False, sets: Sets = None):
    """Write the network for PyTorch (.safetensors) or an ONNX runtime (.onnx), with metadata naming its
    activations, loss and parameters."""
    with failures():
        from pencilnet.io.interop import export as export_network
        from pencilnet.io.interop import format_of

        format_of(out, "--out")
        check_output(out, None, force)  # an exported network is replaced only with --force
        export_network(load(config, sets), out, float32)
        wrote(out)


def import_network(file: Annotated[str, typer.Argument(
                       metavar="FILE", show_default=False,
                       help="A .safetensors state dict of Linear layers, or an .onnx graph of MatMul/Gemm, Add "
                            "and activation nodes.")],
                   out: Annotated[str | None, typer.Option(
                       "--out", "-o", metavar="CONFIG", show_default=False,
                       help="The config to write (in one step); without it, the config goes to stdout.")] = None,
                   activation: Annotated[str | None, typer.Option(
                       "--activation", metavar="NAMES", show_default=False,
                       help="The activation of each Linear layer of a .safetensors file, e.g. tanh,sigmoid; "
                            "by default, those its metadata names.")] = None,
                   loss: Annotated[str | None, typer.Option(
                       "--loss", metavar="NAME", show_default=False,
                       help="The loss the config names; by default the file's, else half_sse.")] = None,
                   data: Annotated[str | None, typer.Option(
                       "--data", metavar="FILE", show_default=False,
                       help="A .csv or .npz dataset for the config's data section; without it, the config holds "
                            "one placeholder sample.")] = None,
                   force: Force = False):
    """Read a network from PyTorch (.safetensors) or ONNX (.onnx) and write it as a commented config that
    every subcommand accepts: see its backpropagation written out."""
    with failures():
        from pencilnet.io.files import write_atomic
        from pencilnet.io.interop import import_config

        check_output(out, None, force)  # a written config may have been edited since: --force replaces it
        names = [name.strip() for name in activation.split(",")] if activation is not None else None
        imported = import_config(file, out, names, loss, data)
        for warning in imported.warnings:
            say(f"pencilnet: note: {warning}")
        if out is None:
            write_out(imported.text)
        else:
            write_atomic(out, imported.text)
            wrote(out)


def register(app):
    app.command("export")(export)
    app.command("import")(import_network)
