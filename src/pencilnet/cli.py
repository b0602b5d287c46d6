"""The command line: parse options, load the config, call the engine, print one view.

Each subcommand is a thin function; the engine computes, `render` builds tables and
`as_json` builds dicts. Failures of the tool's own kind become one line on stderr and
the exit code documented in the README. Modules are imported inside the commands, each
where it is needed, so that `--help` imports neither NumPy nor YAML and `--json` not Rich.
"""

import sys
from functools import cached_property
from typing import Annotated, Optional

import typer

from .cli_data import data_app
from .cli_pictures import diagram, plot
from .cli_shared import (
    AllRows,
    AsJson,
    ConfigPath,
    Decimals,
    Exact,
    Pencil,
    Rows,
    Sample,
    Sets,
    display,
    emit_json,
    failures,
)
from .errors import EXIT_INTERRUPTED, CheckFailed, Diverged, InputError

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
        from . import __version__

        print(f"pencilnet {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False):
    pass


def _load(path: str | None, sets: list[str] | None):
    from . import config

    return config.load(path, sets or [])


def _pencil_decimals(configured: int | None, pencil: int | None, exact: bool) -> int | None:
    if pencil is not None and exact:
        raise InputError("--pencil and --exact: expected one of them, found both")
    return None if exact else pencil if pencil is not None else configured


class _Stages:
    """The article's stages for one sample, each computed once, from the one before."""

    def __init__(self, path: str | None, sample: int, sets: list[str] | None, pencil: int | None, exact: bool):
        from . import engine

        self.engine = engine
        self.config = _load(path, sets)
        self.sample = sample
        self.x, self.target = self.config.sample(sample)
        self.decimals = _pencil_decimals(self.config.arithmetic, pencil, exact)
        self.arithmetic = engine.arithmetic_of(self.decimals)

    @cached_property
    def trace(self):
        return self.engine.forward(self.config.model, self.x, self.arithmetic)

    @cached_property
    def report(self):
        return self.engine.error(self.trace, self.target, self.config.loss)

    @cached_property
    def gradients(self):
        return self.engine.backprop(self.config.model, self.trace, self.target, self.config.loss, self.arithmetic)

    @cached_property
    def new_model(self):
        return self.engine.step(self.config.model, self.gradients, self.config.learning_rate, self.arithmetic)

    def style(self, decimals: int, rows: int, all_rows: bool):
        from .render import Style

        return Style(decimals, None if all_rows else rows, self.decimals)


def _forward_views(s: _Stages, style):
    if style is None:
        from . import as_json

        return as_json.forward(s.config, s.trace, s.sample)
    from . import render

    return [render.forward(s.config, s.trace, s.sample, style)]


def _error_views(s: _Stages, style):
    if style is None:
        from . import as_json

        return as_json.error(s.config, s.report, s.sample)
    from . import render

    return [render.error(s.config, s.report, style)]


def _backprop_views(s: _Stages, style):
    if style is None:
        from . import as_json

        return as_json.backprop(s.config, s.gradients, s.sample)
    from . import render

    return [render.backprop(s.config, s.trace, s.target, s.gradients, style)]


def _step_views(s: _Stages, style):
    if style is None:
        from . import as_json

        return as_json.step(s.config, s.gradients, s.new_model, s.config.learning_rate, s.sample)
    from . import render

    return [render.step(s.config, s.gradients, s.new_model, s.config.learning_rate, style)]


STEPS = (("forward", "Step 2: forward propagation", _forward_views),
         ("error", "Step 3: the total error", _error_views),
         ("backprop", "Step 4: backpropagation", _backprop_views),
         ("step", "Step 5: updating the weights", _step_views))


def _walkthrough_views(s: _Stages, style):
    if style is None:
        return {name: views(s, None) for name, _, views in STEPS}
    from rich.rule import Rule

    found = []
    for _, title, views in STEPS:
        found += [Rule(title)] + views(s, style)
    return found


def _stage_command(name: str, help_text: str, views):
    """One subcommand per stage; they differ only in which view of the stages they print."""

    def command(config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = 4, as_json: AsJson = False,
                rows: Rows = 24, all_rows: AllRows = False, pencil: Pencil = None, exact: Exact = False,
                sets: Sets = None):
        with failures():
            stages = _Stages(config, sample, sets, pencil, exact)
            if as_json:
                data = views(stages, None)
                data["arithmetic"] = str(stages.arithmetic)
                return emit_json(data)
            style = stages.style(decimals, rows, all_rows)
            if stages.decimals is not None:
                from .render import pencil_note

                return display(pencil_note(stages.decimals), *views(stages, style))
            display(*views(stages, style))

    command.__doc__ = help_text
    app.command(name)(command)


_stage_command("forward", "Step 2, forward propagation: net and out of every node, layer by layer.", _forward_views)
_stage_command("error", "Step 3, the total error: each output's target, output and error term, and their sum.",
               _error_views)
_stage_command("backprop", "Step 4, backpropagation: every gradient with its chain-rule factors, in the "
                           "article's four groups.", _backprop_views)
_stage_command("step", "Step 5, updating the weights: new = old − learning rate × gradient, for every parameter.",
               _step_views)
_stage_command("walkthrough", "Steps 2 to 5 in one go: forward, error, backprop and the update, as the article "
                              "walks through them.", _walkthrough_views)


@app.command()
def train(config: ConfigPath = None, epochs: Annotated[Optional[int], typer.Option(
              "--epochs", min=1, metavar="N", show_default=False, help="Override training.epochs.")] = None,
          save: Annotated[Optional[str], typer.Option(
              "--save", metavar="FILE", show_default=False,
              help="Write the trained weights as a config every subcommand accepts (atomically).")] = None,
          plot: Annotated[Optional[str], typer.Option(
              "--plot", metavar="FILE", show_default=False,
              help="Draw the error by epoch (and the test accuracy) to an .svg or .png (needs matplotlib).")] = None,
          decimals: Decimals = 4, as_json: AsJson = False, rows: Rows = 24, all_rows: AllRows = False,
          pencil: Pencil = None, exact: Exact = False, sets: Sets = None):
    """Train: forward, error, backprop and step for every batch (one sample at a time by default,
    as the article does), for training.epochs epochs or until training.target_error is reached."""
    with failures():
        from dataclasses import replace

        from . import as_json as data
        from . import engine, render
        from .render import Style

        cfg = _load(config, sets)
        carried = _pencil_decimals(cfg.arithmetic, pencil, exact)
        arithmetic = engine.arithmetic_of(carried)
        schedule = replace(cfg.schedule, epochs=epochs or cfg.epochs)
        if carried is not None and cfg.batch_size != 1:
            raise InputError(f"{cfg.source}: training.batch_size: expected 1 with pencil arithmetic "
                             f"(it trains one sample at a time), found {cfg.batch_size or 'full'}")
        test = (cfg.test_inputs, cfg.test_targets) if cfg.test_inputs is not None else None
        if plot:
            from .diagram import check_picture

            check_picture(plot)
        try:
            history = _train(cfg, schedule, arithmetic, test, progress=not as_json)
        except engine.TrainingInterrupted as stop:
            _report_interruption(cfg, stop, save)
        except engine.TrainingDiverged as broke:
            raise Diverged(f"training diverged in epoch {broke.epoch} at sample {broke.sample}: the error is no "
                           f"longer a finite number; the learning rate ({schedule.learning_rate}) is likely too "
                           "large" + (f"; {save} was left as it was" if save else "")) from None
        if save:
            _save(cfg, history.model, save, f"{history.epochs_run} epochs, final error {history.final_error!r}")
        if plot:
            from .diagram import plot_history

            print(f"pencilnet: wrote {plot_history(history.errors, plot, history.test_accuracy)}", file=sys.stderr)
        confusion = engine.confusion(history.model, *test) if test else None
        if as_json:
            result = data.train(cfg, history, schedule, confusion)
            result["arithmetic"] = str(arithmetic)
            return emit_json(result)
        display(render.train(cfg, history, schedule, Style(decimals, None if all_rows else rows, carried), confusion))


def _train(cfg, schedule, arithmetic, test, progress: bool):
    from . import engine

    if not progress:
        return engine.train(cfg.model, cfg.inputs, cfg.targets, schedule, cfg.loss, arithmetic, test=test)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("epochs"),
               TextColumn("error {task.fields[error]}"), TimeRemainingColumn())
    # The engine reports at most ten times a second, and Rich redraws four times a second on its
    # own thread (an update only stores numbers): the bar costs nothing next to training.
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal,
                  refresh_per_second=4) as bar:
        task = bar.add_task("train", total=schedule.epochs, error="…")
        count = len(cfg.inputs)

        def on_progress(epoch: int, done: int, value: float):
            bar.update(task, completed=epoch - 1 + done / count, error=f"{value:.6f}")

        return engine.train(cfg.model, cfg.inputs, cfg.targets, schedule, cfg.loss, arithmetic,
                            on_progress=on_progress, test=test)


def _save(cfg, model, path: str, what: str):
    from .saving import save

    save(cfg, model, f"Trained by pencilnet from {cfg.source}: {what}.", path)


def _report_interruption(cfg, stop, save: str | None):
    """Ctrl-C: say where training stopped, keep what the last whole epoch learnt, exit 130."""
    if stop.epochs_done == 0:
        print("pencilnet: interrupted in the first epoch: nothing was learnt"
              + (f"; {save} was not written" if save else ""), file=sys.stderr)
        raise typer.Exit(EXIT_INTERRUPTED)
    print(f"pencilnet: interrupted after {stop.epochs_done} whole epoch(s); error in the last one "
          f"{stop.errors[-1]:.6g}", file=sys.stderr)
    if save:
        _save(cfg, stop.model, save, f"interrupted after {stop.epochs_done} epochs")
        print(f"pencilnet: wrote {save} with the weights after epoch {stop.epochs_done}", file=sys.stderr)
    raise typer.Exit(EXIT_INTERRUPTED)


@app.command()
def verify(config: ConfigPath = None, as_json: AsJson = False, decimals: Decimals = 4, rows: Rows = 200,
           all_rows: AllRows = False, pencil: Pencil = None, exact: Exact = False, sets: Sets = None):
    """Check every published number in the config's `expected` section: exit 0 if all match (or are
    declared errata), 1 if any differs, 2 for a bad config."""
    with failures():
        from dataclasses import replace

        from . import as_json as data
        from . import render
        from .render import Style
        from .verify import verify as check

        cfg = _load(config, sets)
        if cfg.expected is None:
            raise InputError(f"{cfg.source}: expected: expected a section of published values to verify, "
                             "found none (pencilnet expect writes one)")
        if pencil is not None or exact:
            cfg = replace(cfg, expected=replace(cfg.expected, arithmetic=_pencil_decimals(None, pencil, exact)))
        verdicts = check(cfg)
        if as_json:
            emit_json(data.verify(verdicts))
        else:
            display(render.verify(cfg, verdicts, Style(decimals, None if all_rows else rows)))
        failed = [v.name for v in verdicts if not v.passed]
        if failed:
            raise CheckFailed(f"{len(failed)} published number(s) differ: {', '.join(failed[:10])}"
                              + (" …" if len(failed) > 10 else ""))


@app.command()
def expect(config: ConfigPath = None, decimals: Decimals = 4, sample: Sample = 1,
           epochs: Annotated[Optional[int], typer.Option(
               "--epochs", min=1, show_default=False,
               help="Also record the error of each epoch and after this many epochs.")] = None,
           pencil: Pencil = None, exact: Exact = False, sets: Sets = None):
    """Print an `expected:` section with every quantity of one step, as published values for `verify`."""
    with failures():
        from . import quantities
        from .engine import arithmetic_of
        from .render import Style

        cfg = _load(config, sets)
        carried = _pencil_decimals(cfg.arithmetic, pencil, exact)
        cfg.sample(sample)
        values = quantities.one_step(cfg, arithmetic_of(carried), sample)
        if epochs:
            values.update(quantities.after_epochs(cfg, arithmetic_of(carried), epochs))
            values = {k: v for k, v in values.items() if "_after_" not in k or k.startswith("error_after_")}
        shown = Style(decimals)
        lines = ["expected:", f"  arithmetic: {arithmetic_of(carried)}", f"  sample: {sample}", "  values:"]
        lines += [f'    {name}: "{shown.number(value)}"' for name, value in values.items()]
        sys.stdout.write("\n".join(lines) + "\n")


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

        from .activations import ACTIVATIONS
        from .files import write_atomic
        from .initializers import SCHEMES
        from .starter import starter_config

        try:
            sizes = [int(n) for n in layers.split(",")]
        except ValueError:
            sizes = []
        if len(sizes) < 2 or min(sizes) < 1:
            raise InputError(f"--layers: expected at least two positive node counts such as 2,2,2, found {layers!r}")
        if activation not in ACTIVATIONS:
            raise InputError(f"--activation: expected one of {', '.join(ACTIVATIONS)}, found {activation!r}")
        if scheme not in SCHEMES:
            raise InputError(f"--scheme: expected one of {', '.join(SCHEMES)}, found {scheme!r}")
        if learning_rate <= 0:
            raise InputError(f"--learning-rate: expected a positive number, found {learning_rate}")
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
        from . import as_json as data
        from . import render
        from .render import Style

        cfg = _load(config, sets)
        if as_json:
            return emit_json(data.summary(cfg))
        display(render.summary(cfg, Style()))


@app.command()
def predict(config: ConfigPath = None,
            values: Annotated[Optional[str], typer.Option(
                "--input", metavar="V1,V2,…", show_default=False, help="One input vector, comma-separated.")] = None,
            data_file: Annotated[Optional[str], typer.Option(
                "--data", metavar="FILE", show_default=False,
                help="A CSV or .npz dataset to classify (accuracy too, when it has labels).")] = None,
            decimals: Decimals = 4, as_json: AsJson = False, rows: Rows = 24, all_rows: AllRows = False,
            sets: Sets = None):
    """Classify new inputs with the config's weights (a config saved by `train --save`, say). Without
    --input or --data: the config's test set, or else its samples."""
    with failures():
        import numpy as np

        from . import as_json as data
        from . import engine, render
        from .render import Style

        cfg = _load(config, sets)
        if values is not None and data_file is not None:
            raise InputError("--input and --data: expected one of them, found both")
        targets = None
        if values is not None:
            try:
                inputs = np.array([[float(v) for v in values.split(",")]])
            except ValueError:
                raise InputError(f"--input: expected numbers separated by commas, found {values!r}") from None
            if inputs.shape[1] != cfg.model.inputs or not np.isfinite(inputs).all():
                raise InputError(f"--input: expected {cfg.model.inputs} finite numbers, found {inputs.shape[1]}")
        elif data_file is not None:
            inputs, targets = _dataset(cfg, data_file)
        elif cfg.test_inputs is not None:
            inputs, targets = cfg.test_inputs, cfg.test_targets
        else:
            inputs, targets = cfg.inputs, cfg.targets
        outputs = engine.forward(cfg.model, inputs).output
        confusion = engine.counts(outputs, targets) if targets is not None else None
        if as_json:
            return emit_json(data.predictions(cfg, outputs, confusion))
        display(render.predictions(cfg, outputs, targets, confusion, Style(decimals, None if all_rows else rows)))


@app.command()
def gradcheck(config: ConfigPath = None, sample: Sample = 1,
              tolerance: Annotated[float, typer.Option(
                  "--tolerance", min=0.0, help="The largest relative difference that passes.")] = 1e-6,
              as_json: AsJson = False, rows: Rows = 12, all_rows: AllRows = False, sets: Sets = None):
    """Check backprop against central finite differences for every parameter: exit 1 if any
    relative difference exceeds the tolerance."""
    with failures():
        from . import render
        from .gradcheck import gradcheck as check
        from .render import Style

        cfg = _load(config, sets)
        x, target = cfg.sample(sample)
        checks = check(cfg.model, x, target, cfg.loss)
        failed = [c for c in checks if not c.passed(tolerance)]
        if as_json:
            emit_json({"sample": sample, "tolerance": tolerance, "passed": not failed,
                        "worst_relative_error": checks[0].relative_error,
                        "parameters": {c.name: {"analytic": c.analytic, "numeric": c.numeric,
                                                "relative_error": c.relative_error, "resolution": c.resolution,
                                                "passed": c.passed(tolerance)} for c in checks}})
        else:
            display(render.gradcheck(checks, tolerance, Style(4, None if all_rows else rows)))
        if failed:
            raise CheckFailed(f"{len(failed)} of {len(checks)} gradients differ from finite differences by more "
                              f"than {tolerance:g} (worst: {failed[0].name}, {failed[0].relative_error:.2e})")


def _dataset(cfg, path: str):
    from .datasets import load as load_dataset

    found = load_dataset(path, classes=cfg.classes)
    if found.inputs.shape[1] != cfg.model.inputs:
        raise InputError(f"{path}: expected {cfg.model.inputs} feature columns, found {found.inputs.shape[1]}")
    return found.inputs, found.targets


app.add_typer(data_app, name="data")


app.command()(diagram)
app.command()(plot)


def main():
    app()
