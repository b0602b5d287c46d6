"""The picture subcommands, `diagram` and `plot`; cli.py registers them on its app.

They follow cli.py's pattern: parse options, load, call the library, show one view; the
tool's own errors become one line on stderr and exit code 2. cli.py's helpers are imported
when a command runs, not at import time, since cli.py imports this module.
"""

import json
import math
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .errors import InputError


class Stage(str, Enum):
    forward = "forward"
    error = "error"
    backprop = "backprop"
    step = "step"


ConfigPath = Annotated[Optional[str], typer.Argument(
    metavar="CONFIG", show_default=False,
    help="A YAML config; without it, the article's example bundled with pencilnet.")]
Sample = Annotated[int, typer.Option("--sample", min=1, help="Which sample of the config to use, from 1.")]
Decimals = Annotated[int, typer.Option("--decimals", min=0, max=15, help="Decimal places of the numbers shown.")]
Out = Annotated[Optional[str], typer.Option(
    "--out", "-o", metavar="FILE", show_default=False,
    help="Write the picture to FILE, an .svg or a .png; without it, a text version for the terminal.")]


def diagram(config: ConfigPath = None,
            stage: Annotated[Stage, typer.Option("--stage", help="Which numbers the picture shows.")] = Stage.forward,
            out: Out = None, sample: Sample = 1, decimals: Decimals = 4):
    """Draw the network as a textbook does: nodes in columns, every edge with its weight; the
    numbers of one stage (forward, error, backprop or step) written on it."""
    from .cli import _failures, _show

    with _failures():
        from . import config as config_module, diagram as pictures
        from .render import Style

        cfg = config_module.load(config)
        records, style = pictures.records(cfg, sample), Style(decimals)
        if out is None:
            return _show(pictures.text(cfg, stage.value, records, style))
        path = pictures.draw(cfg, stage.value, records, out, style)
        print(f"pencilnet: wrote {path}", file=sys.stderr)


def plot(history: Annotated[str, typer.Argument(
             metavar="HISTORY.json", show_default=False,
             help="The output of `pencilnet train --json` (keys errors, optionally test_accuracy); - reads stdin.")],
         out: Out = None):
    """Plot the error by epoch of a training run, with the test accuracy when the run has one."""
    from .cli import _failures, _show

    with _failures():
        errors, accuracy = read_history(history)
        if out is None:
            from rich.text import Text

            from .render import Style, sparkline

            finite = [e for e in errors if math.isfinite(e)]
            style = Style()
            return _show(Text(f"curve: {sparkline(finite)}\n{len(errors)} epochs: error {style.number(finite[0])} "
                              f"in the first, {style.number(finite[-1])} in the last (--out FILE.png draws it)"))
        from .diagram import plot_history

        path = plot_history(errors, out, accuracy)
        print(f"pencilnet: wrote {path}", file=sys.stderr)


def read_history(source: str) -> tuple[list[float], list[float] | None]:
    """The errors, and the test accuracy if there is one, of a `train --json` output; every
    problem is one InputError naming the file and what was expected."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{source}: expected a JSON file, found a directory") from None
    except UnicodeDecodeError:
        raise InputError(f"{source}: expected UTF-8 text, found undecodable bytes") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or "errors" not in data:
        raise InputError(f"{source}: expected the output of `pencilnet train --json`, an object with a list 'errors'")
    errors = _numbers(data["errors"], source, "errors")
    if not any(math.isfinite(e) for e in errors):
        raise InputError(f"{source}: errors: expected at least one number, found none")
    accuracy = data.get("test_accuracy")
    if accuracy is not None:
        accuracy = _numbers(accuracy, source, "test_accuracy")
        if len(accuracy) != len(errors):
            raise InputError(f"{source}: test_accuracy: expected one value per epoch ({len(errors)}), "
                             f"found {len(accuracy)}")
    return errors, accuracy


def _numbers(value, source: str, field: str) -> list[float]:
    """A list of numbers; null (how `--json` writes a value that is not finite) is kept as a gap."""
    if not isinstance(value, list) or not value:
        raise InputError(f"{source}: {field}: expected a non-empty list of numbers")
    numbers = []
    for i, item in enumerate(value):
        if item is None:
            numbers.append(math.nan)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            numbers.append(float(item))
        else:
            raise InputError(f"{source}: {field}[{i}]: expected a number, found {json.dumps(item)[:40]}")
    return numbers
