"""The command line: the app, its version option and its commands, each registered from the
module of its group (stages, checks, training, pictures, data).

A command parses its options, loads the config, makes one call into the engine and shows one
view; failures of the tool's own kind become one line on stderr and the exit code the README
documents. Modules are imported inside the commands, each where it is needed, so that `--help`
imports neither NumPy nor YAML and `--json` not Rich.
"""

import math
import sys
from typing import Annotated, Optional

import typer

from pencilnet.cli import checks, stages, training
from pencilnet.cli.data import data_app
from pencilnet.cli.pictures import diagram, plot
from pencilnet.cli.shared import AsJson, ConfigPath, Sets, failures, load, show, style
from pencilnet.core.errors import InputError

STARTER_BYTES_PER_PARAMETER = 12  # "-0.123456, ": the longest a starter config writes a weight

app = typer.Typer(
    name="pencilnet",
    help="A neural network you can check with paper and pencil: forward pass, error, backprop, "
         "update and training, every number shown. With no CONFIG, the article's 2-2-2 example is used.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool):
    if value:
        from pencilnet import __version__

        print(f"pencilnet {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False):
    pass


stages.register(app)
training.register(app)
checks.register(app)


@app.command()
def init(layers: Annotated[str, typer.Option("--layers", help="Node counts, inputs first: 36,36,2.")] = "2,2,2",
         activation: Annotated[str, typer.Option("--activation", help="sigmoid, tanh, relu or identity.")] = "sigmoid",
         scheme: Annotated[str, typer.Option("--scheme", help="Initial weights: xavier, he or uniform.")] = "xavier",
         seed: Annotated[int, typer.Option("--seed", help="Seed of the random initial weights.")] = 0,
         learning_rate: Annotated[float, typer.Option("--learning-rate", min=0.0)] = 0.5,
         epochs: Annotated[int, typer.Option("--epochs", min=1)] = 100,
         out: Annotated[Optional[str], typer.Option("--out", help="Write here (atomically) instead of stdout.")] = None,
         force: Annotated[bool, typer.Option("--force", help="Overwrite --out if it exists.")] = False):
    """Write a commented starter config for an architecture, with random initial weights from a seed."""
    with failures():
        from pathlib import Path

        from pencilnet.core.activations import ACTIVATIONS
        from pencilnet.core.initializers import SCHEMES
        from pencilnet.io.files import write_atomic
        from pencilnet.io.starter import starter_config

        from pencilnet.io.config import MAX_BYTES
        from pencilnet.io.files import size_text

        try:
            sizes = [int(n) for n in layers.split(",")]
        except ValueError:  # not a whole number, or one of more than 4,300 digits
            sizes = []
        if len(sizes) < 2 or min(sizes) < 1:
            raise InputError(f"--layers: expected at least two positive node counts such as 2,2,2, "
                             f"found {layers if len(layers) <= 40 else layers[:39] + '…'!r}")
        parameters = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
        if parameters * STARTER_BYTES_PER_PARAMETER > MAX_BYTES:  # before a single weight is drawn
            raise InputError(f"--layers: expected a network whose starter config fits the {size_text(MAX_BYTES)} "
                             f"a config may have (at most {MAX_BYTES // STARTER_BYTES_PER_PARAMETER:,} "
                             f"parameters), found {parameters:,} parameters; for a bigger network write "
                             "a config with an init scheme (init: xavier) instead of weights")
        if activation not in ACTIVATIONS:
            raise InputError(f"--activation: expected one of {', '.join(ACTIVATIONS)}, found {activation!r}")
        if activation == "softmax" and len(sizes) > 2:
            raise InputError("--activation: expected an activation for every layer, found softmax, which only an "
                             "output layer may have (set the output layer's activation in the config)")
        if scheme not in SCHEMES:
            raise InputError(f"--scheme: expected one of {', '.join(SCHEMES)}, found {scheme!r}")
        if not math.isfinite(learning_rate) or learning_rate <= 0:
            raise InputError(f"--learning-rate: expected a positive finite number, found {learning_rate}")
        for option, value in (("--seed", seed), ("--epochs", epochs)):
            if not 0 <= value <= 2**63 - 1:  # what a config may hold
                raise InputError(f"{option}: expected a whole number from {int(option == '--epochs')} to "
                                 f"2**63 - 1, found {value}")
        text = starter_config(sizes, activation, scheme, seed, learning_rate, epochs)
        if out is None:
            return sys.stdout.write(text)
        if Path(out).exists() and not force:
            raise InputError(f"{out}: already exists (use --force to overwrite it)")
        write_atomic(out, text)
        print(f"wrote {out}: a {'-'.join(map(str, sizes))} network", file=sys.stderr)


@app.command()
def summary(config: ConfigPath = None, as_json: AsJson = False, sets: Sets = None):
    """The architecture: layers, activations, parameters per layer and in total, loss, training and data."""
    with failures():
        from pencilnet.views import as_json as data
        from pencilnet.views import tables

        cfg = load(config, sets)
        show(as_json, lambda: data.summary(cfg), lambda: [tables.summary(cfg, style())])


app.add_typer(data_app, name="data")
app.command()(diagram)
app.command()(plot)

