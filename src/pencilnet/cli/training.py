"""Training and using a trained network: train, predict."""

import sys
from typing import Annotated, Optional

import typer

from pencilnet.cli.shared import (
    AllRows,
    AsJson,
    ConfigPath,
    Decimals,
    ExactOption,
    PencilOption,
    Rows,
    Sets,
    failures,
    load,
    pencil_decimals,
    show,
    style,
    wrote,
)
from pencilnet.core.errors import EXIT_INTERRUPTED, Diverged, InputError


def train(config: ConfigPath = None, epochs: Annotated[Optional[int], typer.Option(
              "--epochs", min=1, metavar="N", show_default=False, help="Override training.epochs.")] = None,
          save: Annotated[Optional[str], typer.Option(
              "--save", metavar="FILE", show_default=False,
              help="Write the trained weights as a config every subcommand accepts (atomically).")] = None,
          plot: Annotated[Optional[str], typer.Option(
              "--plot", metavar="FILE", show_default=False,
              help="Draw the error by epoch (and the test accuracy) to an .svg or .png (needs matplotlib).")] = None,
          decimals: Decimals = 4, as_json: AsJson = False, rows: Rows = 24, all_rows: AllRows = False,
          pencil: PencilOption = None, exact: ExactOption = False, sets: Sets = None):
    """Train: forward, error, backprop and step for every batch (one sample at a time by default,
    as the article does), for training.epochs epochs or until training.target_error is reached."""
    with failures():
        from dataclasses import replace

        from pencilnet.core.arithmetic import arithmetic_of
        from pencilnet.core.metrics import confusion as confusion_of
        from pencilnet.views import as_json as data
        from pencilnet.views import tables

        cfg = load(config, sets)
        carried = pencil_decimals(cfg.arithmetic, pencil, exact)
        arithmetic = arithmetic_of(carried)
        schedule = replace(cfg.schedule, epochs=epochs or cfg.epochs)
        from pencilnet.cli import budget  # every weight in --json, and an error for every epoch

        budget.check(cfg, cfg.model.parameter_count if as_json else 0, epochs=schedule.epochs)
        if carried is not None and cfg.batch_size != 1:
            raise InputError(f"{cfg.source}: training.batch_size: expected 1 with pencil arithmetic "
                             f"(it trains one sample at a time), found {cfg.batch_size or 'full'}")
        test = (cfg.test_inputs, cfg.test_targets) if cfg.test_inputs is not None else None
        if plot:
            from pencilnet.views.diagram import check_picture

            check_picture(plot)
        history = _run(cfg, schedule, arithmetic, test, save, progress=not as_json)
        if save:
            _save(cfg, history.model, save, f"{history.epochs_run} epochs, final error {history.final_error!r}")
        if plot:
            from pencilnet.views.diagram import plot_history

            wrote(plot_history(history.errors, plot, history.test_accuracy))
        confusion = confusion_of(history.model, *test) if test else None
        show(as_json, lambda: {**data.train(cfg, history, schedule, confusion), "arithmetic": str(arithmetic)},
             lambda: [tables.train(cfg, history, schedule, style(decimals, rows, all_rows, carried), confusion)])


def _run(cfg, schedule, arithmetic, test, save: str | None, progress: bool):
    """The training run, with a progress bar on a terminal; divergence and Ctrl-C become their exits."""
    from pencilnet.training.loop import TrainingDiverged, TrainingInterrupted

    try:
        return _train(cfg, schedule, arithmetic, test, progress)
    except TrainingInterrupted as stop:
        _report_interruption(cfg, stop, save)
    except TrainingDiverged as broke:
        raise Diverged(f"training diverged in epoch {broke.epoch} at sample {broke.sample}: the error is no "
                       f"longer a finite number; the learning rate ({schedule.learning_rate}) is likely too "
                       "large" + (f"; {save} was left as it was" if save else "")) from None


def _train(cfg, schedule, arithmetic, test, progress: bool):
    from pencilnet.training.loop import train as run

    if not progress:
        return run(cfg.model, cfg.inputs, cfg.targets, schedule, cfg.loss, arithmetic, test=test)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("epochs"),
               TextColumn("error {task.fields[error]}"), TimeRemainingColumn())
    # The loop reports at most ten times a second, and Rich redraws four times a second on its
    # own thread (an update only stores numbers): the bar costs nothing next to training.
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal,
                  refresh_per_second=4) as bar:
        task = bar.add_task("train", total=schedule.epochs, error="…")
        count = len(cfg.inputs)

        def on_progress(epoch: int, done: int, value: float):
            bar.update(task, completed=epoch - 1 + done / count, error=f"{value:.6f}")

        return run(cfg.model, cfg.inputs, cfg.targets, schedule, cfg.loss, arithmetic, on_progress=on_progress,
                   test=test)


def _save(cfg, model, path: str, what: str):
    from pencilnet.io.saving import save

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
        from pencilnet.core.metrics import counts
        from pencilnet.core.stages import forward
        from pencilnet.io.datasets import input_vector
        from pencilnet.views import as_json as data
        from pencilnet.views import tables

        cfg = load(config, sets)
        if values is not None and data_file is not None:
            raise InputError("--input and --data: expected one of them, found both")
        targets = None
        if values is not None:
            inputs = input_vector(values, cfg.model.inputs, "--input")[None, :]
        elif data_file is not None:
            inputs, targets = _dataset(cfg, data_file)
        elif cfg.test_inputs is not None:
            inputs, targets = cfg.test_inputs, cfg.test_targets
        else:
            inputs, targets = cfg.inputs, cfg.targets
        outputs = forward(cfg.model, inputs).output
        confusion = counts(outputs, targets) if targets is not None else None
        show(as_json, lambda: data.predictions(cfg, outputs, confusion),
             lambda: [tables.predictions(cfg, outputs, targets, confusion, style(decimals, rows, all_rows))])


def _dataset(cfg, path: str):
    from pencilnet.io.datasets import load as load_dataset

    found = load_dataset(path, classes=cfg.classes)
    if found.inputs.shape[1] != cfg.model.inputs:
        raise InputError(f"{path}: expected {cfg.model.inputs} feature columns, found {found.inputs.shape[1]}")
    return found.inputs, found.targets


def register(app):
    for command in (train, predict):
        app.command()(command)
