"""Commands that check numbers: verify (published values), expect (write them), gradcheck."""

import math
from typing import Annotated

import typer

from pencilnet.cli.shared import (
    AllRows,
    AsJson,
    ConfigPath,
    Decimals,
    ExactOption,
    PencilOption,
    Rows,
    Sample,
    Sets,
    diverging,
    failures,
    load,
    pencil_decimals,
    show,
    style,
    write_out,
)
from pencilnet.core.errors import CheckFailed, InputError


def verify(config: ConfigPath = None, as_json: AsJson = False, decimals: Decimals = 4, rows: Rows = 200,
           all_rows: AllRows = False, pencil: PencilOption = None, exact: ExactOption = False, sets: Sets = None):
    """Check every published number in the config's `expected` section: exit 0 if all match (or are
    declared errata), 1 if any differs, 2 for a bad config."""
    with failures():
        from dataclasses import replace

        from pencilnet.checks.verify import failure
        from pencilnet.checks.verify import verify as check
        from pencilnet.cli import budget
        from pencilnet.views import as_json as data
        from pencilnet.views import tables

        cfg = load(config, sets)
        budget.check(cfg, cfg.model.parameter_count)  # every quantity of one step is computed
        if cfg.expected is None:
            raise InputError(f"{cfg.source}: expected: expected a section of published values to verify, "
                             "found none (pencilnet expect writes one)")
        if pencil is not None or exact:
            cfg = replace(cfg, expected=replace(cfg.expected, pencil_decimals=pencil_decimals(None, pencil, exact)))
        with diverging(cfg.schedule, cfg.train_targets):  # a quantity after N epochs trains
            verdicts = check(cfg)
        show(as_json, lambda: data.verify(verdicts), lambda: [tables.verify(cfg, verdicts, style(decimals, rows,
                                                                                                    all_rows))])
        if (failed := failure(verdicts)) is not None:
            raise CheckFailed(failed)


def expect(config: ConfigPath = None, decimals: Decimals = 4, sample: Sample = 1,
           epochs: Annotated[int | None, typer.Option(
               "--epochs", min=1, metavar="N", show_default=False,
               help="Also record the error of each epoch and after this many epochs.")] = None,
           steps: Annotated[int | None, typer.Option(
               "--steps", min=1, max=10_000, metavar="N", show_default=False,
               help="Also record every parameter and optimizer state after N steps on the sample.")] = None,
           pencil: PencilOption = None, exact: ExactOption = False, sets: Sets = None):
    """Print an `expected:` section with every quantity of one step, as published values for `verify`."""
    with failures():
        from pencilnet.checks.expect import published_values
        from pencilnet.cli import budget
        from pencilnet.core.arithmetic import arithmetic_of
        from pencilnet.views.as_yaml import expected_section

        cfg = load(config, sets)
        budget.check(cfg, budget.stage_rows("walkthrough", cfg.model))  # a line for every quantity
        arithmetic = arithmetic_of(pencil_decimals(cfg.pencil_decimals, pencil, exact))
        with diverging(cfg.schedule, cfg.train_targets):  # --epochs trains
            values = published_values(cfg, arithmetic, sample, epochs, steps)
        write_out(expected_section(values, arithmetic, sample, style(decimals)))


def gradcheck(config: ConfigPath = None, sample: Sample = 1,
              tolerance: Annotated[float, typer.Option(
                  "--tolerance", min=0.0, metavar="X", help="The largest relative difference that passes.")] = 1e-6,
              as_json: AsJson = False, rows: Rows = 12, all_rows: AllRows = False, sets: Sets = None):
    """Check backprop against central finite differences for every parameter: exit 1 if any
    relative difference exceeds the tolerance, or finite differences cannot check a gradient here."""
    with failures():
        from pencilnet.cli import budget
        from pencilnet.core.gradcheck import gradcheck as check
        from pencilnet.views import as_json as data
        from pencilnet.views import tables

        if not math.isfinite(tolerance):
            raise InputError(f"--tolerance: expected a finite number of at least 0, found {tolerance}")

        cfg = load(config, sets)
        budget.check_gradcheck(cfg)
        budget.check(cfg, cfg.model.parameter_count, None if as_json else 1, None if as_json or all_rows else rows)
        x, target = cfg.sample(sample)
        report = check(cfg.model, x, target, cfg.loss, tolerance)
        show(as_json, lambda: data.gradcheck(report, sample),
             lambda: [tables.gradcheck(report, style(4, rows, all_rows))])
        if report.failure is not None:
            raise CheckFailed(report.failure)


def register(app):
    for command in (verify, expect, gradcheck):
        app.command()(command)
