"""The command line: the app, its version option and its commands, each registered from the
module of its group (stages, checks, training, pictures, data).

A command parses its options, loads the config, makes one call into the engine and shows one
view; failures of the tool's own kind become one line on stderr and the exit code the README
documents. Modules are imported inside the commands, each where it is needed, so that `--help`
imports neither NumPy nor YAML and `--json` not Rich.
"""

import sys
from typing import Annotated

import typer

from pencilnet.cli import checks, interop, publish, stages, teaching, training
from pencilnet.cli.data import data_app
from pencilnet.cli.pictures import diagram, plot
from pencilnet.cli.shared import (
    AsJson,
    ConfigPath,
    Sets,
    check_output,
    failures,
    load,
    say,
    show,
    style,
    whole_stdout,
    write_out,
    wrote,
)
from pencilnet.core.errors import EXIT_BAD_INPUT

app = typer.Typer(
    name="pencilnet",
    help="A neural network you can check with paper and pencil: forward pass, error, backprop, "
         "update and training, every number shown. With no CONFIG, the article's 2-2-2 example is used.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    # -h as well as --help; help as wide as the terminal (Click stops at 80 by default)
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 200},
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
interop.register(app)
publish.register(app)
teaching.register(app)


@app.command()
def init(layers: Annotated[str, typer.Option("--layers", metavar="N,N,…",
                                             help="Node counts, inputs first: 36,36,2.")] = "2,2,2",
         activation: Annotated[str, typer.Option("--activation", metavar="NAME",
                                                 help="sigmoid, tanh, relu or identity.")] = "sigmoid",
         scheme: Annotated[str, typer.Option("--scheme", metavar="NAME",
                                             help="Initial weights: xavier, he or uniform.")] = "xavier",
         seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the random initial weights.")] = 0,
         learning_rate: Annotated[float, typer.Option("--learning-rate", min=0.0, metavar="RATE",
                                                      help="The config's training.learning_rate.")] = 0.5,
         epochs: Annotated[int, typer.Option("--epochs", min=1, metavar="N",
                                             help="The config's training.epochs.")] = 100,
         out: Annotated[str | None, typer.Option("--out", "-o", metavar="FILE",
                                                    help="Write here (atomically) instead of stdout.")] = None,
         force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False):
    """Write a commented starter config for an architecture, with random initial weights from a seed."""
    with failures():
        from pencilnet.io.files import write_atomic
        from pencilnet.io.starter import sizes_of, starter_config

        text = starter_config(layers, activation, scheme, seed, learning_rate, epochs)
        check_output(out, None, force)  # a starter config replaces nothing unasked: what is there may be edited work
        if out is None:
            write_out(text)
        else:
            write_atomic(out, text)
            wrote(out, f"a {'-'.join(map(str, sizes_of(layers)))} network")


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


def _summaries_in_full(typer_app) -> None:
    """Each command's summary in `pencilnet --help` is its help's first paragraph, whole: Click
    would cut it at 45 characters with "..." unless given one."""
    import inspect

    for info in typer_app.registered_commands:
        if info.short_help is None:
            text = info.help or (info.callback.__doc__ if info.callback else None) or ""
            info.short_help = " ".join(inspect.cleandoc(text).split("\n\n")[0].split())
    for group in typer_app.registered_groups:
        _summaries_in_full(group.typer_instance)
        info = group.typer_instance.info
        if not isinstance(group.short_help, str) and isinstance(info.help, str):
            group.short_help = " ".join(inspect.cleandoc(info.help).split("\n\n")[0].split())


_summaries_in_full(app)


def run():
    """The app as the console script runs it (`pencilnet.cli.main`): Click's own usage errors (an
    unknown option, a value out of range) become the same one line on stderr as pencilnet's, with
    exit code 2."""
    try:
        from typer._click import exceptions  # Typer 0.2x carries its own Click
    except ImportError:  # pragma: no cover - an older Typer, on the real Click
        from click import exceptions

    whole_stdout()  # the help and the version, which Click prints, cut short by a full disk are an error too
    try:
        code = app(standalone_mode=False)
    except exceptions.NoArgsIsHelpError as exc:
        exc.show()
        code = exc.exit_code
    except exceptions.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "pencilnet"
        say(f"pencilnet: error: {' '.join(exc.format_message().split())} (see {where} --help)")
        code = exc.exit_code
    except exceptions.ClickException as exc:
        say(f"pencilnet: error: {' '.join(exc.format_message().split())}")
        code = exc.exit_code
    except OSError as exc:  # --help or --version written to a full disk, a closed pipe or no stdout
        code = _unwritten(exc)
    sys.exit(code or 0)


def _unwritten(exc: OSError) -> int:
    """What a command's own `failures()` does with its output, for the help and the version,
    which Click writes before any command starts."""
    from pencilnet.cli.shared import EXIT_BROKEN_PIPE, quiet_stdout

    quiet_stdout()
    if isinstance(exc, BrokenPipeError):
        return EXIT_BROKEN_PIPE
    say(f"pencilnet: error: cannot write: {exc.strerror or exc}")
    return EXIT_BAD_INPUT
