"""Commands that check numbers: verify (published values), expect (write them), gradcheck."""

import math
from enum import Enum
from typing import Annotated

import typer

from pencilnet.cli.shared import (
    AllRows,
    AsJson,
    ConfigPath,
    Decimals,
    ExactOption,
    Force,
    PencilOption,
    Rows,
    Sample,
    Sets,
    check_output,
    diverging,
    failures,
    load,
    pencil_decimals,
    show,
    style,
    write_out,
    wrote,
)
from pencilnet.core.errors import CheckFailed, InputError


def junit_option(what: str):
    """The --junit option of a checking command; `what` says what its report holds."""
    return typer.Option("--junit", metavar="FILE", show_default=False, help=f"Also write a JUnit XML report: {what}.")


def source_name(path: str | None) -> str:
    """A config's path as a report names it: standard input and the bundled example by name."""
    return path if path not in (None, "-") else ("<stdin>" if path == "-" else "article.yaml (bundled)")


class ReportFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"
    gitlab = "gitlab"


def verify(configs: Annotated[list[str] | None, typer.Argument(
               metavar="[CONFIG]...", show_default=False,
               help="YAML configs (or - for standard input), checked in turn with one exit code for the lot; "
                    "without any, the article's example bundled with pencilnet.")] = None,
           as_json: AsJson = False,
           report: Annotated[ReportFormat, typer.Option(
               "--format", case_sensitive=False,
               help="text (tables), json, github (workflow commands that annotate each differing line) or "
                    "gitlab (a code-quality report).")] = ReportFormat.text,
           junit: Annotated[str | None, typer.Option(
               "--junit", metavar="FILE", show_default=False,
               help="Also write a JUnit XML report: a test suite per config, a test case per published number.")]
           = None,
           force: Force = False,
           decimals: Decimals = 4, rows: Rows = 200,
           all_rows: AllRows = False, pencil: PencilOption = None, exact: ExactOption = False, sets: Sets = None):
    """Check every published number in the configs' `expected` sections: exit 0 if all match (or are
    declared errata), 1 if any differs, 2 for a bad config (any of them)."""
    with failures():
        from pencilnet.checks.verify import failure
        from pencilnet.views import ci_reports

        report = ReportFormat.json if as_json else report
        check_output(junit, "junit", force)
        paths: list[str | None] = list(configs) if configs else [None]
        several = len(paths) > 1 or junit is not None or report in (ReportFormat.github, ReportFormat.gitlab)
        checked, shown = [], []
        for path in paths:
            where = source_name(path)
            try:
                cfg, verdicts = _verified(path, sets, pencil, exact)
            except InputError as exc:
                if not several:
                    raise
                checked.append(ci_reports.Checked(where, where, [], str(exc)))
                continue
            checked.append(ci_reports.Checked(where, cfg.name or where, verdicts))
            shown.append((cfg, verdicts))
        if junit is not None:
            from pencilnet.io.files import write_atomic

            write_atomic(junit, ci_reports.junit(checked))
            wrote(junit)
        _show_verdicts(report, checked, shown, style(decimals, rows, all_rows))
        problems = [c.problem for c in checked if c.problem is not None]
        if problems:
            raise InputError(f"{len(problems)} of {len(checked)} configs could not be checked: "
                             + "; ".join(problem.splitlines()[0] for problem in problems[:3]))
        failed = [(c.path, line) for c in checked if (line := failure(list(c.verdicts))) is not None]
        if failed:
            raise CheckFailed("; ".join(line if len(checked) == 1 else f"{path}: {line}" for path, line in failed))


def _verified(path: str | None, sets, pencil, exact):
    """A config and its verdicts; a bad config or a missing section is an InputError."""
    from dataclasses import replace

    from pencilnet.checks.verify import published
    from pencilnet.checks.verify import verify as check
    from pencilnet.cli import budget
    from pencilnet.io.objective_config import FunctionGiven

    try:
        cfg = load(path, sets)
    except FunctionGiven as given:  # a function instead of a network: its steps' quantities
        from pencilnet.cli.functions import verified

        return verified(given.function, pencil, exact)
    budget.check(cfg, cfg.model.parameter_count)  # every quantity of one step is computed
    expected = published(cfg)
    if pencil is not None or exact:
        cfg = replace(cfg, expected=replace(expected, pencil_decimals=pencil_decimals(None, pencil, exact)))
    with diverging(cfg.schedule, cfg.train_targets):  # a quantity after N epochs trains
        return cfg, check(cfg)


def _show_verdicts(report, checked, shown, shown_style) -> None:
    from pencilnet.views import ci_reports

    if report is ReportFormat.github:
        write_out(ci_reports.github(checked))
    elif report is ReportFormat.gitlab:
        write_out(ci_reports.gitlab(checked))
    elif report is ReportFormat.json:
        from pencilnet.views import as_json as data

        found = [{"file": c.path, **data.verify(c.verdicts, c.path)} for c in checked if c.problem is None]
        one = len(checked) == 1 and found
        show(True, lambda: found[0] if one else {
            "passed": all(f["passed"] for f in found) and len(found) == len(checked), "configs": found,
            "problems": [{"file": c.path, "problem": c.problem} for c in checked if c.problem is not None]},
             lambda: [])
    else:
        from pencilnet.views import tables

        show(False, lambda: {}, lambda: [tables.verify(cfg, verdicts, shown_style) for cfg, verdicts in shown])


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
        from pencilnet.io.objective_config import FunctionGiven
        from pencilnet.views.as_yaml import expected_section

        try:
            cfg = load(config, sets)
        except FunctionGiven as given:  # a function instead of a network: the quantities of its steps
            from pencilnet.cli.functions import expect as expect_function

            if sample != 1:
                raise InputError(f"--sample: {given.function.source} gives a function: its steps have no samples, "
                                 f"found {sample}") from None
            return expect_function(given.function, decimals, epochs, steps, pencil, exact)
        budget.check(cfg, budget.stage_rows("walkthrough", cfg.model))  # a line for every quantity
        arithmetic = arithmetic_of(pencil_decimals(cfg.pencil_decimals, pencil, exact))
        with diverging(cfg.schedule, cfg.train_targets):  # --epochs trains
            values = published_values(cfg, arithmetic, sample, epochs, steps)
        write_out(expected_section(values, arithmetic, sample, style(decimals)))


def gradcheck(config: ConfigPath = None, sample: Sample = 1,
              tolerance: Annotated[float, typer.Option(
                  "--tolerance", min=0.0, metavar="X", help="The largest relative difference that passes.")] = 1e-6,
              as_json: AsJson = False, rows: Rows = 12, all_rows: AllRows = False, sets: Sets = None,
              junit: Annotated[str | None, junit_option("a test case per parameter, a failure for each that "
                                                         "differs or cannot be checked")] = None,
              force: Force = False):
    """Check backprop against central finite differences for every parameter: exit 1 if any
    relative difference exceeds the tolerance, or finite differences cannot check a gradient here."""
    with failures():
        from pencilnet.cli import budget
        from pencilnet.core.gradcheck import gradcheck as check
        from pencilnet.views import as_json as data
        from pencilnet.views import tables

        if not math.isfinite(tolerance):
            raise InputError(f"--tolerance: expected a finite number of at least 0, found {tolerance}")
        check_output(junit, "junit", force)
        cfg = load(config, sets)
        budget.check_gradcheck(cfg)
        budget.check(cfg, cfg.model.parameter_count, None if as_json else 1, None if as_json or all_rows else rows)
        x, target = cfg.sample(sample)
        report = check(cfg.model, x, target, cfg.loss, tolerance)
        if junit is not None:
            write_junit(junit, lambda ci_reports: ci_reports.junit_gradcheck(report, cfg.name or source_name(config),
                                                                              source_name(config)))
        show(as_json, lambda: data.gradcheck(report, sample),
             lambda: [tables.gradcheck(report, style(4, rows, all_rows))])
        if report.failure is not None:
            raise CheckFailed(report.failure)


def write_junit(path: str, report) -> None:
    """Write the JUnit report `report(ci_reports)` makes, atomically, and say so."""
    from pencilnet.io.files import write_atomic
    from pencilnet.views import ci_reports

    write_atomic(path, report(ci_reports))
    wrote(path)


def register(app):
    for command in (verify, expect, gradcheck):
        app.command()(command)
