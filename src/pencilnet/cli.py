"""The command line: parse options, load the config, call the engine, print one view.

Each subcommand is a thin function; the engine computes, `render` builds tables and
`as_json` builds dicts. Failures of the tool's own kind become one line on stderr and
the exit code documented in the README.
"""

import json
import sys
from contextlib import contextmanager
from typing import Annotated, Optional

import typer

from .cli_pictures import diagram, plot
from .errors import EXIT_INTERRUPTED, PencilnetError

app = typer.Typer(
    name="pencilnet",
    help="A neural network you can check with paper and pencil: forward pass, error, backprop, "
         "update and training, every number shown. With no CONFIG, the article's 2-2-2 example is used.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ConfigPath = Annotated[Optional[str], typer.Argument(
    metavar="CONFIG", show_default=False,
    help="A YAML config; without it, the article's example bundled with pencilnet.")]
Decimals = Annotated[int, typer.Option("--decimals", min=0, max=15, help="Decimal places shown in tables.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object, full precision, and nothing else.")]
Sample = Annotated[int, typer.Option("--sample", min=1, help="Which sample of the config to use, from 1.")]
Rows = Annotated[int, typer.Option("--rows", min=1, help="At most this many rows per table.")]
AllRows = Annotated[bool, typer.Option("--all", help="Show every row, however many.")]


def _version(value: bool):
    if value:
        from . import __version__

        print(f"pencilnet {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False):
    pass


@contextmanager
def _failures():
    """The tool's own errors → one line each on stderr and their exit code; never a traceback."""
    try:
        yield
    except PencilnetError as exc:
        for line in str(exc).splitlines():
            print(f"pencilnet: error: {line}", file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        print("pencilnet: interrupted", file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _emit_json(data: dict):
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def _show(*renderables):
    from rich.console import Console

    console = Console(highlight=False)
    for item in renderables:
        console.print(item)
        console.print()


def _style(decimals: int, rows: int, all_rows: bool):
    from .render import Style

    return Style(decimals, None if all_rows else rows)


class _Stages:
    """The article's stages for one sample, each computed once from the one before."""

    def __init__(self, path: str | None, sample: int):
        from . import config as config_module

        self.config = config_module.load(path)
        self.sample = sample
        self.x, self.target = self.config.sample(sample)

    def forward(self):
        from . import engine

        if not hasattr(self, "_trace"):
            self._trace = engine.forward(self.config.model, self.x)
        return self._trace

    def error(self):
        from . import engine

        return engine.error(self.forward(), self.target, self.config.loss)

    def backprop(self):
        from . import engine

        if not hasattr(self, "_gradients"):
            self._gradients = engine.backprop(self.config.model, self.forward(), self.target, self.config.loss)
        return self._gradients

    def step(self):
        from . import engine

        return engine.step(self.config.model, self.backprop(), self.config.learning_rate)


@app.command()
def forward(config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = 4, as_json: AsJson = False,
            rows: Rows = 24, all_rows: AllRows = False):
    """Step 2, forward propagation: net and out of every node, layer by layer."""
    with _failures():
        stages = _Stages(config, sample)
        from . import as_json as data, render

        if as_json:
            return _emit_json(data.forward(stages.config, stages.forward(), sample))
        _show(render.forward(stages.config, stages.forward(), sample, _style(decimals, rows, all_rows)))


@app.command()
def error(config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = 4, as_json: AsJson = False,
          rows: Rows = 24, all_rows: AllRows = False):
    """Step 3, the total error: each output's target, output and error term, and their sum."""
    with _failures():
        stages = _Stages(config, sample)
        from . import as_json as data, render

        if as_json:
            return _emit_json(data.error(stages.config, stages.error(), sample))
        _show(render.error(stages.config, stages.error(), _style(decimals, rows, all_rows)))


@app.command()
def backprop(config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = 4, as_json: AsJson = False,
             rows: Rows = 24, all_rows: AllRows = False):
    """Step 4, backpropagation: every gradient with its chain-rule factors, in the article's four groups."""
    with _failures():
        stages = _Stages(config, sample)
        from . import as_json as data, render

        if as_json:
            return _emit_json(data.backprop(stages.config, stages.backprop(), sample))
        _show(render.backprop(stages.config, stages.forward(), stages.target, stages.backprop(),
                              _style(decimals, rows, all_rows)))


@app.command()
def step(config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = 4, as_json: AsJson = False,
         rows: Rows = 24, all_rows: AllRows = False):
    """Step 5, updating the weights: new = old − learning rate × gradient, for every parameter."""
    with _failures():
        stages = _Stages(config, sample)
        from . import as_json as data, render

        lr = stages.config.learning_rate
        if as_json:
            return _emit_json(data.step(stages.config, stages.backprop(), stages.step(), lr, sample))
        _show(render.step(stages.config, stages.backprop(), stages.step(), lr, _style(decimals, rows, all_rows)))


@app.command()
def walkthrough(config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = 4,
                rows: Rows = 24, all_rows: AllRows = False):
    """Steps 2 to 5 in one go: forward, error, backprop and the update, as the article walks through them."""
    with _failures():
        stages = _Stages(config, sample)
        from . import render
        from rich.rule import Rule

        style = _style(decimals, rows, all_rows)
        cfg, lr = stages.config, stages.config.learning_rate
        _show(Rule("Step 2: forward propagation"), render.forward(cfg, stages.forward(), sample, style),
              Rule("Step 3: the total error"), render.error(cfg, stages.error(), style),
              Rule("Step 4: backpropagation"),
              render.backprop(cfg, stages.forward(), stages.target, stages.backprop(), style),
              Rule("Step 5: updating the weights"), render.step(cfg, stages.backprop(), stages.step(), lr, style))


@app.command()
def train(config: ConfigPath = None, epochs: Annotated[Optional[int], typer.Option(
              "--epochs", min=1, show_default=False, help="Override training.epochs.")] = None,
          decimals: Decimals = 4, as_json: AsJson = False, rows: Rows = 24, all_rows: AllRows = False):
    """Repeat forward, error, backprop and step over every sample (one update per sample) for the epochs."""
    with _failures():
        from . import as_json as data, config as config_module, engine, render

        cfg = config_module.load(config)
        count = epochs or cfg.epochs
        if as_json:
            history = engine.train(cfg.model, cfg.inputs, cfg.targets, cfg.learning_rate, count, cfg.loss)
            return _emit_json(data.train(cfg, history, cfg.learning_rate))
        history = _train_with_progress(cfg, count)
        _show(render.train(cfg, history, cfg.learning_rate, _style(decimals, rows, all_rows)))


def _train_with_progress(cfg, epochs: int):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from . import engine

    console = Console(stderr=True)
    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("epochs"),
               TextColumn("error {task.fields[error]}"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task("train", total=epochs, error="…")

        def on_epoch(epoch: int, value: float):
            progress.update(task, completed=epoch, error=f"{value:.6f}")

        return engine.train(cfg.model, cfg.inputs, cfg.targets, cfg.learning_rate, epochs, cfg.loss,
                            on_epoch=on_epoch)


app.command()(diagram)
app.command()(plot)


def main():
    app()
