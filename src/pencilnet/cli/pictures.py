"""The picture subcommands, `diagram` and `plot`; cli.py registers them on its app.

They follow cli.py's pattern: parse options, load, call the library, show one view; the
tool's own errors become one line on stderr and exit code 2.
"""

import json
import math
from enum import Enum
from typing import Annotated

import typer

from pencilnet.cli.shared import (
    ConfigPath,
    Decimals,
    ExactOption,
    Force,
    PencilOption,
    Sample,
    Sets,
    check_output,
    display,
    failures,
    wrote,
)
from pencilnet.core.errors import InputError

MAX_HISTORY_BYTES = 64 * 2**20  # `train --json` writes about 20 bytes an epoch: millions of epochs
MAX_ERROR = 1e300  # an error beyond this is divergence; a plot's scale (the largest less the smallest) stays finite


class Stage(str, Enum):
    forward = "forward"
    error = "error"
    backprop = "backprop"
    step = "step"


Out = Annotated[str | None, typer.Option(
    "--out", "-o", metavar="FILE", show_default=False,
    help="Write the picture to FILE, an .svg or a .png; without it, a text version for the terminal.")]


def diagram(config: ConfigPath = None,
            stage: Annotated[Stage, typer.Option(
                "--stage", metavar="STAGE",
                help="Which numbers the picture shows: forward, error, backprop or step.")] = Stage.forward,
            out: Out = None, sample: Sample = 1, decimals: Decimals = 4, pencil: PencilOption = None,
            exact: ExactOption = False, sets: Sets = None, force: Force = False):
    """Draw the network as a textbook does: nodes in columns, every edge with its weight; the
    numbers of one stage (forward, error, backprop or step) written on it."""
    with failures():
        from pencilnet.cli.stages import walk_of
        from pencilnet.io.files import write_atomic
        from pencilnet.views import network_figure, network_text
        from pencilnet.views.numbers import Style
        from pencilnet.views.pictures import kind_of

        check_output(out, "picture", force)
        from pencilnet.cli import budget

        def within(cfg):
            budget.check(cfg, 0)
            if out is not None:
                budget.check_edges(cfg)

        cfg, carried, walk = walk_of(config, sample, sets, pencil, exact, within)
        style = Style(decimals, pencil=carried)
        if out is None:
            return display(network_text.text(cfg, stage.value, walk, style))
        write_atomic(out, network_figure.picture(cfg, stage.value, walk, kind_of(out), style))
        wrote(out)


def plot(history: Annotated[str, typer.Argument(
             metavar="HISTORY", show_default=False,
             help="The output of `pencilnet train --json` (keys errors, optionally test_accuracies); - reads stdin.")],
         out: Out = None, force: Force = False):
    """Plot the error by epoch of a training run, with the test accuracy when the run has one."""
    with failures():
        check_output(out, "picture", force)
        errors, accuracy = read_history(history)
        if out is None:
            from rich.text import Text

            from pencilnet.views.numbers import Style
            from pencilnet.views.run_tables import sparkline

            finite = [e for e in errors if math.isfinite(e)]
            style = Style()
            return display(Text(f"curve: {sparkline(finite)}\n{len(errors)} epochs: error {style.number(finite[0])} "
                              f"in the first, {style.number(finite[-1])} in the last (--out FILE.png draws it)"))
        from pencilnet.io.files import write_atomic
        from pencilnet.views import history_plot
        from pencilnet.views.pictures import kind_of

        write_atomic(out, history_plot.picture(errors, kind_of(out), accuracy))
        wrote(out)


def read_history(source: str) -> tuple[list[float], list[float] | None]:
    """The errors, and the test accuracy if there is one, of a `train --json` output; every
    problem is one InputError naming the file and what was expected."""
    from pencilnet.io.files import read_text

    text = read_text(source, "JSON file", MAX_HISTORY_BYTES)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{source}: invalid JSON: nested too deeply to read") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise InputError(f"{source}: invalid JSON: an integer too long to read") from None
    if not isinstance(data, dict) or "errors" not in data:
        raise InputError(f"{source}: expected the output of `pencilnet train --json`, an object with a list 'errors'")
    errors = _numbers(data["errors"], source, "errors", MAX_ERROR)
    if not any(math.isfinite(e) for e in errors):
        raise InputError(f"{source}: errors: expected at least one number, found none")
    accuracy = data.get("test_accuracies")
    if accuracy is not None:
        accuracy = _numbers(accuracy, source, "test_accuracies", 1.0)
        if len(accuracy) != len(errors):
            raise InputError(f"{source}: test_accuracies: expected one value per epoch ({len(errors)}), "
                             f"found {len(accuracy)}")
    return errors, accuracy


def _numbers(value, source: str, field: str, most: float) -> list[float]:
    """A list of numbers from 0 to `most`; null (how `--json` writes a value that is not finite)
    is kept as a gap."""
    if not isinstance(value, list) or not value:
        raise InputError(f"{source}: {field}: expected a non-empty list of numbers")
    numbers = []
    for i, item in enumerate(value):
        if item is None:
            numbers.append(math.nan)
        elif isinstance(item, (int, float)) and not isinstance(item, bool) and 0 <= item <= most:
            numbers.append(float(item))
        else:
            found = json.dumps(item)[:40] if not isinstance(item, int) or item < 10**40 else "a longer integer"
            raise InputError(f"{source}: {field}[{i}]: expected a number from 0 to {most:g} (or null), found {found}")
    return numbers
