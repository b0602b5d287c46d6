"""What every subcommand shares: its common options, loading, and how it prints and fails."""

import json
import os
import re
import signal
import sys
from contextlib import contextmanager
from typing import Annotated, Optional

import typer

from pencilnet.core.errors import EXIT_INTERRUPTED, InputError, PencilnetError

ConfigPath = Annotated[Optional[str], typer.Argument(
    metavar="CONFIG", show_default=False,
    help="A YAML config, or - for standard input; without it, the article's example bundled with pencilnet.")]
Decimals = Annotated[int, typer.Option("--decimals", min=0, max=15, metavar="N",
                                       help="Decimal places shown in tables; a smaller value keeps min(N, 3) significant digits "
                                            "(0.000422 at N=4), one below 1e-5 or from 1e10 is written 1.5e-7; "
                                            "0: whole numbers.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object, full precision, and nothing else.")]
Sample = Annotated[int, typer.Option("--sample", min=1, metavar="K", help="Which sample of the config to use, from 1.")]
Rows = Annotated[int, typer.Option("--rows", min=1, metavar="N", help="At most this many rows per table.")]
AllRows = Annotated[bool, typer.Option("--all", help="Show every row, however many.")]
PencilOption = Annotated[Optional[int], typer.Option(
    "--pencil", min=0, max=15, metavar="N", show_default=False,
    help="Pencil arithmetic: round every intermediate half up to N decimals before using it, as by hand.")]
ExactOption = Annotated[bool, typer.Option("--exact", help="Exact float64 arithmetic, whatever the config says.")]
Sets = Annotated[Optional[list[str]], typer.Option(
    "--set", metavar="PATH=VALUE", show_default=False,
    help="Change a config value, e.g. training.learning_rate=0.1 or layers[0].weights[1][0]=0.3; repeatable.")]

Force = Annotated[bool, typer.Option(
    "--force", help="Replace an existing output file even if it is not one this command writes.")]

# A polite request to stop (`timeout` and `kill` send SIGTERM, a closed terminal SIGHUP) is
# treated as Ctrl-C: a run stops cleanly, keeps what it can, and exits with 128 + the signal.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_stopped_by: list[int] = []  # the stop signal received, if any


@contextmanager
def failures():
    """The tool's own errors → one line each on stderr and their exit code; never a traceback.
    Ctrl-C, SIGTERM and SIGHUP → one line and exit 128 + the signal's number (130, 143, 129)."""
    with _stopping_signals():
        try:
            yield
        except PencilnetError as exc:
            for line in str(exc).splitlines():
                print(f"pencilnet: error: {line}", file=sys.stderr)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            print(f"pencilnet: {interruption()}", file=sys.stderr)
            raise typer.Exit(interrupted_exit_code()) from None


@contextmanager
def _stopping_signals():
    """While a command runs, SIGTERM and SIGHUP raise KeyboardInterrupt as Ctrl-C does, so the
    same code stops the run, saves and cleans up; which signal it was is kept for the message."""
    def stop(number, frame):
        _stopped_by[:] = [number]
        raise KeyboardInterrupt

    _stopped_by.clear()
    previous = {}
    for number in STOP_SIGNALS:
        if signal.getsignal(number) is not signal.SIG_DFL:
            continue  # ignored (`nohup` ignores SIGHUP) or handled by an embedding program: theirs to decide
        try:
            previous[number] = signal.signal(number, stop)
        except ValueError:  # not the main thread: signals are not this thread's to handle
            break
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def interruption() -> str:
    """'interrupted' for Ctrl-C, 'stopped by SIGTERM' for a stop signal."""
    return f"stopped by {signal.Signals(_stopped_by[0]).name}" if _stopped_by else "interrupted"


def interrupted_exit_code() -> int:
    return 128 + _stopped_by[0] if _stopped_by else EXIT_INTERRUPTED


def load(path: str | None, sets: list[str] | None):
    from pencilnet.io import config

    return config.load(path, sets or [])


def pencil_decimals(configured: int | None, pencil: int | None, exact: bool) -> int | None:
    """The decimals of pencil arithmetic chosen by the options, else by the config; None for exact."""
    if pencil is not None and exact:
        raise InputError("--pencil and --exact: expected one of them, found both")
    return None if exact else pencil if pencil is not None else configured


def style(decimals: int = 4, rows: int | None = 24, all_rows: bool = False, pencil: int | None = None):
    from pencilnet.views.numbers import Style

    return Style(decimals, None if all_rows else rows, pencil)


def emit_json(data: dict):
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


TRAILING_SPACES = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)  # spaces before any closing style codes


def display(*renderables):
    """Print to stdout at the terminal's width, or 80 columns in a pipe or a log (Rich's
    default there; the tables reflow to fit). NO_COLOR means no styles at all, bold included.
    No line ends in spaces."""
    from rich.console import Console

    plain = bool(os.environ.get("NO_COLOR"))
    console = Console(highlight=False, emoji=False,  # numbers and names, never :emoji: codes
                      **({"color_system": None} if plain else {}))
    with console.capture() as captured:
        for item in renderables:
            console.print(item)
            console.print()
    sys.stdout.write(TRAILING_SPACES.sub(r"\1", captured.get()))


def show(as_json: bool, data, views):
    """One output: `data()` as JSON, or the renderables `views()` makes. Each is a function, so
    that only the one asked for is built (and `--json` never imports Rich)."""
    if as_json:
        return emit_json(data())
    display(*views())


def check_output(path: str | None, kind: str | None, force: bool) -> None:
    """Fail before any work if an output file could not or should not be written (see
    `files.check_target`): every writing command calls this first. None: no output asked for."""
    if path is None:
        return
    from pencilnet.io.files import check_target

    real = check_target(path, kind, force)
    if real.exists() and (links := os.stat(real).st_nlink) > 1:  # the rename cannot keep them: say so first
        print(f"pencilnet: note: {path} has {links - 1} other hard link(s); they will keep the old content",
              file=sys.stderr)
    if kind == "picture":
        from pencilnet.views.diagram import check_picture  # an .svg or .png name, and matplotlib

        check_picture(path)


def wrote(path, what: str = "") -> None:
    """Every writing command says what it wrote the same way, on stderr: stdout stays its output."""
    print(f"pencilnet: wrote {path}" + (f": {what}" if what else ""), file=sys.stderr)
