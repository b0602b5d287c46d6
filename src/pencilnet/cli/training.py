"""Training and using a trained network: train, predict."""

import sys
from typing import Annotated

import typer

from pencilnet.cli.checks import junit_option, source_name, write_junit
from pencilnet.cli.shared import (
    AllRows,
    AsJson,
    ConfigPath,
    Decimals,
    ExactOption,
    Force,
    PencilOption,
    Rows,
    Sets,
    check_output,
    distinct_outputs,
    diverging,
    failures,
    interrupted_exit_code,
    interruption,
    load,
    pencil_decimals,
    say,
    show,
    style,
    wrote,
)
from pencilnet.core.errors import InputError


def train(config: ConfigPath = None, epochs: Annotated[int | None, typer.Option(
              "--epochs", min=1, metavar="N", show_default=False, help="Override training.epochs.")] = None,
          save: Annotated[str | None, typer.Option(
              "--save", metavar="FILE", show_default=False,
              help="Write the trained weights as a config every subcommand accepts (atomically).")] = None,
          plot: Annotated[str | None, typer.Option(
              "--plot", metavar="FILE", show_default=False,
              help="Draw the error by epoch (and the test accuracy) to an .svg or .png (needs matplotlib).")] = None,
          decimals: Decimals = 4, as_json: AsJson = False, rows: Rows = 24, all_rows: AllRows = False,
          pencil: PencilOption = None, exact: ExactOption = False, sets: Sets = None, force: Force = False,
          junit: Annotated[str | None, junit_option("one test case, whether training.target_error was reached, "
                                                     "with the final error and the epochs run")] = None,
          log: Annotated[str | None, typer.Option(
              "--log", metavar="FILE", show_default=False,
              help="Write a row per epoch as training goes (epoch, error, learning rate, test accuracy, elapsed "
                   "seconds) to a .csv or .jsonl file, flushed each epoch; DIR/: TensorBoard scalars (needs the "
                   "tensorboard extra).")] = None):
    """Train: forward, error, backprop and step for every batch (one sample at a time by default,
    as the article does), for training.epochs epochs or until training.target_error is reached."""
    with failures():
        from dataclasses import replace

        from pencilnet.core.arithmetic import arithmetic_of
        from pencilnet.views import as_json as data
        from pencilnet.views import tables

        distinct_outputs(("--save", save), ("--plot", plot), ("--junit", junit), ("--log", log))
        check_output(save, "saved config", force)  # before any work: a run is never lost for want of a file
        check_output(plot, "picture", force)
        from pencilnet.io.objective_config import FunctionGiven

        check_output(junit, "junit", force)
        _check_log(log, force)
        try:
            cfg = load(config, sets)
        except FunctionGiven as given:  # a function instead of a network: an epoch is one step
            if save or junit or log:
                raise InputError(f"--save, --junit and --log: {given.function.source} gives a function: they are "
                                 "for a network's training") from None
            from pencilnet.cli import functions

            return functions.train(given.function, epochs, decimals, as_json, rows, all_rows, pencil, exact, plot)
        _check_target(cfg, junit)
        if save:
            from pencilnet.io.saving import parameters_path

            beside = parameters_path(cfg.model, save)
            check_output(str(beside) if beside else None, "saved parameters", force)
        carried = pencil_decimals(cfg.pencil_decimals, pencil, exact)
        arithmetic = arithmetic_of(carried)
        schedule = replace(cfg.schedule, epochs=epochs or cfg.schedule.epochs)
        from pencilnet.cli import budget  # every weight in --json, and an error for every epoch

        budget.check(cfg, cfg.model.parameter_count if as_json else 0, epochs=schedule.epochs)
        if carried is not None and cfg.schedule.batch_size != 1:
            raise InputError(f"{cfg.source}: training.batch_size: expected 1 with pencil arithmetic "
                             f"(it trains one sample at a time), found {cfg.schedule.batch_size or 'full'}")
        report = _run(cfg, schedule, arithmetic, save, progress=not as_json, log=log)
        history, confusion, tested = report.history, report.confusion, report.tested
        if save:
            written = _save(cfg, history.model, save, f"{history.epochs_run} epochs, final error "
                                                      f"{history.final_error!r}")
            for path in [*written[:-1], save]:  # the parameters .npz beside a big network's config first
                wrote(path)
        if plot:
            from pencilnet.io.files import write_atomic
            from pencilnet.views import history_plot
            from pencilnet.views.pictures import kind_of

            write_atomic(plot, history_plot.picture(history.errors, kind_of(plot), history.test_accuracy,
                                                       history.epochs, history.test_errors))
            wrote(plot)
        if junit and schedule.target_error is not None:
            target, where = schedule.target_error, source_name(config)
            write_junit(junit, lambda ci_reports: ci_reports.junit_train(history, target, cfg.name or where, where))
        show(as_json, lambda: {**data.train(cfg, history, schedule, confusion), "arithmetic": str(arithmetic),
                               **({"test_scores": data.scores(tested.scores)} if tested else {})},
             lambda: [tables.train(cfg, history, schedule, style(decimals, rows, all_rows, carried), confusion,
                                   tested.scores if tested else None)])


def _check_target(cfg, junit: str | None) -> None:
    if junit is not None and cfg.schedule.target_error is None:
        raise InputError(f"{cfg.source}: training.target_error: expected a target error for --junit to report on, "
                         "found none")


def _check_log(log: str | None, force: bool) -> None:
    if log is None:
        return
    from pencilnet.io.training_log import check_log

    if check_log(log) != "tensorboard":
        check_output(log, "training log", force)


def _run(cfg, schedule, arithmetic, save: str | None, progress: bool, log: str | None = None):
    """The training run and its test (a TrainReport), with a progress bar on a terminal and a
    row per epoch in the --log file; divergence and Ctrl-C become their exits."""
    from pencilnet.training.loop import TrainingInterrupted

    epoch_log = None
    if log is not None:
        from pencilnet.io.training_log import EpochLog

        epoch_log = EpochLog(log)
    try:
        with diverging(schedule, cfg.train_targets, f"; {save} was left as it was" if save else ""):
            return _train(cfg, schedule, arithmetic, progress, epoch_log.row if epoch_log else None)
    except TrainingInterrupted as stop:
        _report_interruption(cfg, stop, save)
    finally:
        if epoch_log is not None:
            epoch_log.close()


def _train(cfg, schedule, arithmetic, progress: bool, on_epoch=None):
    from pencilnet.training.report import train_and_test

    test = (cfg.test_inputs, cfg.test_targets) if cfg.test_inputs is not None else None

    def run(on_progress=None):
        return train_and_test(cfg.model, cfg.train_inputs, cfg.train_targets, schedule, cfg.loss, arithmetic, test,
                              cfg.threshold, on_progress, on_epoch)

    if not progress:
        return run()
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
        count = len(cfg.train_inputs)

        def on_progress(epoch: int, done: int, value: float):
            bar.update(task, completed=epoch - 1 + done / count, error=f"{value:.6f}")

        return run(on_progress)


def _save(cfg, model, path: str, what: str) -> list:
    from pencilnet.io.saving import save

    written = save(cfg, model, what, path)
    if cfg.expected is not None:
        say(f"pencilnet: note: {path} does not keep the expected: section of {cfg.source}: its values were "
            "for the weights before training")
    return written


def _report_interruption(cfg, stop, save: str | None):
    """Ctrl-C, SIGTERM or SIGHUP: say where training stopped, keep what the last whole epoch
    learnt, exit 128 + the signal's number (130 for Ctrl-C)."""
    if stop.epochs_done == 0:
        say(f"pencilnet: {interruption()} in the first epoch: nothing was learnt"
            + (f"; {save} was not written" if save else ""))
        raise typer.Exit(interrupted_exit_code())
    print(f"pencilnet: {interruption()} after {stop.epochs_done} whole epoch(s); error in the last one "
          f"{stop.errors[-1]:.6g}", file=sys.stderr)
    if save:
        written = _save(cfg, stop.model, save, f"interrupted after {stop.epochs_done} epochs")
        say(f"pencilnet: wrote {' and '.join(map(str, [*written[:-1], save]))} with the weights after epoch "
            f"{stop.epochs_done}")
    raise typer.Exit(interrupted_exit_code())


def predict(config: ConfigPath = None,
            values: Annotated[str | None, typer.Option(
                "--input", metavar="V1,V2,…", show_default=False, help="One input vector, comma-separated.")] = None,
            data_file: Annotated[str | None, typer.Option(
                "--data", metavar="FILE", show_default=False,
                help="A CSV or .npz file of inputs to classify, with the config's columns; labels are optional "
                     "(with them: the accuracy and the confusion counts too).")] = None,
            out: Annotated[str | None, typer.Option(
                "--out", "-o", metavar="FILE", show_default=False,
                help="Also write the predictions as CSV: sample, class, each output, and actual when known.")] = None,
            decimals: Decimals = 4, as_json: AsJson = False, rows: Rows = 24, all_rows: AllRows = False,
            sets: Sets = None, force: Force = False):
    """Classify new inputs with the config's weights (a config saved by `train --save`, say). Raw inputs
    are standardised as in training when the config says so. Without --input or --data: the config's
    test set, or else its samples."""
    with failures():
        from pencilnet.io.dataset import input_vector
        from pencilnet.views import as_json as data
        from pencilnet.views import tables

        check_output(out, "predictions", force)
        cfg = load(config, sets)
        if values is not None and data_file is not None:
            raise InputError("--input and --data: expected one of them, found both")
        if values is not None:
            found = cfg.predict(input_vector(values, cfg.model.inputs, "--input")[None, :])
        elif data_file is not None:
            found = cfg.predict(*cfg.new_samples(data_file))
        elif cfg.test_inputs is not None:
            found = cfg.predict(cfg.test_inputs, cfg.test_targets, raw=False)
        else:
            found = cfg.predict(cfg.train_inputs, cfg.train_targets, raw=False)
        if out:
            from pencilnet.io.files import write_atomic

            write_atomic(out, data.predictions_csv(cfg, found))
            wrote(out)
        show(as_json, lambda: data.predictions(cfg, found),
             lambda: [tables.predictions(cfg, found, style(decimals, rows, all_rows))])


def register(app):
    for command in (train, predict):
        app.command()(command)
