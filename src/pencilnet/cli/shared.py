"""What every subcommand shares: its common options, loading, and how it prints and fails."""

import io
import json
import os
import re
import select
import signal
import sys
from contextlib import contextmanager
from typing import Annotated

import typer

from pencilnet.core.errors import EXIT_BAD_INPUT, EXIT_INTERRUPTED, Diverged, InputError, PencilnetError

ConfigPath = Annotated[str | None, typer.Argument(
    metavar="CONFIG", show_default=False,
    help="A YAML config, or - for standard input; without it, the article's example bundled with pencilnet.")]
Decimals = Annotated[int, typer.Option(
    "--decimals", min=0, max=15, metavar="N",
    help="Decimal places shown in tables; a smaller value keeps min(N, 3) significant digits "
         "(0.000422 at N=4), one below 1e-5 or from 1e10 is written 1.5e-7; 0: whole numbers.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object, full precision, and nothing else.")]
Sample = Annotated[int, typer.Option("--sample", min=1, metavar="K", help="Which sample of the config to use, from 1.")]
Rows = Annotated[int, typer.Option("--rows", min=1, metavar="N", help="At most this many rows per table.")]
AllRows = Annotated[bool, typer.Option("--all", help="Show every row, however many.")]
PencilOption = Annotated[int | None, typer.Option(
    "--pencil", min=0, max=15, metavar="N", show_default=False,
    help="Pencil arithmetic: round every intermediate half up to N decimals before using it, as by hand.")]
ExactOption = Annotated[bool, typer.Option("--exact", help="Exact float64 arithmetic, whatever the config says.")]
Sets = Annotated[list[str] | None, typer.Option(
    "--set", metavar="PATH=VALUE", show_default=False,
    help="Change a config value, e.g. training.learning_rate=0.1 or layers[0].weights[1][0]=0.3; repeatable.")]

Force = Annotated[bool, typer.Option(
    "--force", help="Replace an existing output file even if it is not one this command writes.")]

# A polite request to stop (`timeout` and `kill` send SIGTERM, a closed terminal SIGHUP) is
# treated as Ctrl-C: a run stops cleanly, keeps what it can, and exits with 128 + the signal.
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
_stopped_by: list[int] = []  # the stop signal received, if any


EXIT_BROKEN_PIPE = 128 + 13  # as a process killed by SIGPIPE: what `| head` expects of a tool


@contextmanager
def failures():
    """The tool's own errors → one line each on stderr and their exit code; never a traceback.

    Ctrl-C, SIGTERM and SIGHUP → one line and exit 128 + the signal's number (130, 143, 129).
    Training stopped by Ctrl-C or divergence (in `verify` and `expect` as in `train`), a reader
    that closed the pipe, and an output that cannot be written end here too. NumPy's warnings
    about overflow are silenced: every result is checked for non-finite numbers where it matters."""
    import warnings

    from pencilnet.cli import interrupted_while_starting

    if signal.getsignal(signal.SIGINT) is interrupted_while_starting:  # the command handles Ctrl-C itself
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with _stopping_signals(), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.showwarning = _shown_warning  # a library's warning may quote a user's text
            yield
            sys.stdout.flush()  # a full disk or a closed pipe shows here, while it can still be reported
    except PencilnetError as exc:
        _fail(exc.lines, exc.exit_code)
    except KeyboardInterrupt:
        _fail([interruption()], interrupted_exit_code(), prefix="pencilnet: ")
    except BrokenPipeError:
        quiet_stdout()
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except RecursionError:
        _fail(["input nested too deeply to handle"], EXIT_BAD_INPUT)
    except Exception as exc:
        stopped = _training_stop(exc)
        if stopped is not None:
            _fail([stopped[0]], stopped[1])
        if isinstance(exc, OSError):  # the output: stdout on a full disk, closed, or a file gone away
            quiet_stdout()
            _fail([f"cannot write: {exc.strerror or exc}"], EXIT_BAD_INPUT)
        raise


def _fail(lines, code: int, prefix: str = "pencilnet: error: "):
    """Each of `lines` as one line on stderr (`say`), then exit with `code`."""
    try:
        for line in lines:
            say(f"{prefix}{line}")
    except (OSError, ValueError):
        pass  # stderr itself is gone: the exit code is all that is left to say it
    raise typer.Exit(code) from None


def _training_stop(exc) -> tuple[str, int] | None:
    """(message, exit code) for training stopped by Ctrl-C, else None. The loop's module is
    looked up, not imported: if it is not loaded, nothing it raises can be here."""
    loop = sys.modules.get("pencilnet.training.loop")
    if loop is not None and isinstance(exc, loop.TrainingInterrupted):
        return f"{interruption()} during training, after {exc.epochs_done} whole epoch(s)", interrupted_exit_code()
    return None


@contextmanager
def diverging(schedule, targets, after: str = ""):
    """Training that diverges inside → `Diverged`, exit 3, with the engine's one line saying
    where, what blew up and the likely cause (`after` is added: what became of an output)."""
    from pencilnet.training.loop import TrainingDiverged

    try:
        yield
    except TrainingDiverged as broke:
        from pencilnet.training.divergence import explain

        raise Diverged(explain(broke, schedule, targets) + after) from None


def _broken_pipe():
    raise BrokenPipeError


def quiet_stdout():
    """Point stdout at /dev/null, so that Python's own flush at exit finds nothing to complain about."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # not a real descriptor (a test's captured output): nothing is flushed at exit


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
    """The decimals of pencil arithmetic --pencil and --exact choose (`io.config.arithmetic_chosen`);
    None for exact. The two options together are refused."""
    if pencil is not None and exact:
        raise InputError("--pencil and --exact: expected one of them, found both")
    from pencilnet.io.config import arithmetic_chosen

    return arithmetic_chosen(configured, pencil, exact)


def style(decimals: int = 4, rows: int | None = 24, all_rows: bool = False, pencil: int | None = None,
          labels: dict[str, str] | None = None):
    from pencilnet.views.numbers import Style

    return Style(decimals, None if all_rows else rows, pencil, labels)


def emit_json(data: dict):
    """One JSON object; a value that is not finite (an overflowed gradient) is written as null,
    as JSON has no infinity."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite_or_null(data), indent=2, ensure_ascii=False, allow_nan=False)
    write_out(text + "\n")


def write_out(text: str) -> None:
    """Write a command's output to stdout whole, or fail with OSError (see `write_whole`). Where
    stdout is no descriptor (a test's captured output), it is written as text."""
    stream = sys.stdout
    try:
        descriptor = stream.fileno()
        encoding = stream.encoding or "utf-8"
    except (AttributeError, OSError, ValueError):
        stream.write(text)
        return
    data = text.encode(encoding, stream.errors or "strict")
    stream.flush()  # anything printed before goes first
    write_whole(descriptor, data)


def write_whole(descriptor: int, data) -> None:
    """Write `data` to `descriptor` whole, or fail with OSError: Python's buffered writer loses
    the rest of a write the disk cut short (a full disk, a file-size limit) without a word, so
    every short write is carried on until done or refused."""
    rest = memoryview(data)
    while rest:
        try:
            rest = rest[os.write(descriptor, rest):]
        except BlockingIOError:  # a descriptor another program left non-blocking: wait until it takes more
            select.select([], [descriptor], [])


class WholeWrites(io.RawIOBase):
    """A descriptor whose every write is carried on until whole or refused (`write_whole`): under
    `whole_stdout`, what Click prints itself (the help, usage) is as safe as a command's output."""

    def __init__(self, descriptor: int):
        super().__init__()
        self.descriptor = descriptor

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.descriptor

    def isatty(self) -> bool:
        return os.isatty(self.descriptor)

    def write(self, data) -> int:
        try:
            write_whole(self.descriptor, data)
        except BrokenPipeError:  # without its errno: Click would make EPIPE exit 1 ("a check failed")
            raise BrokenPipeError("the reader closed the pipe") from None
        return len(data)


def whole_stdout() -> None:
    """Make sys.stdout write whole or fail (as `write_out` does), keeping its encoding and line
    buffering; stdout that is no descriptor stays as it is."""
    stream = sys.stdout
    try:
        descriptor = stream.fileno()
        encoding, errors, lines = stream.encoding, stream.errors, stream.line_buffering
    except (AttributeError, OSError, ValueError):
        return
    stream.flush()
    sys.stdout = io.TextIOWrapper(WholeWrites(descriptor), encoding=encoding, errors=errors,
                                  line_buffering=bool(lines), write_through=True)


def _finite_or_null(value):
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {key: _finite_or_null(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_null(item) for item in value]
    return value


TRAILING_SPACES = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)  # spaces before any closing style codes


def console():
    """The console every table is printed through: at the terminal's width, or 80 columns in a
    pipe or a log (Rich's default there; the tables reflow to fit); NO_COLOR means no styles at
    all, bold included. It shows the control characters of a user's text as escapes (`\\x1b`),
    never passing them to the terminal, and draws ASCII rules where stdout cannot take box lines."""
    from pencilnet.views.layout import ShownConsole

    plain = bool(os.environ.get("NO_COLOR"))
    made = ShownConsole(highlight=False, emoji=False,  # numbers and names, never :emoji: codes
                        **({"color_system": None} if plain else {}))
    made.on_broken_pipe = _broken_pipe  # Rich's own exits 1, which here means "a check failed"
    return made


def display(*renderables):
    """Print to stdout, as `console` shows them; no line ends in spaces. Where stdout's
    encoding lacks a character (LC_ALL=C: ASCII), it is written in ASCII (× as x, σ as sigma)."""
    from pencilnet.views.terminal import encodable

    shown = console()
    with shown.capture() as captured:
        for item in renderables:
            shown.print(item)
            shown.print()
    write_out(encodable(TRAILING_SPACES.sub(r"\1", captured.get()), getattr(sys.stdout, "encoding", None)))


def _shown_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A library's warning (matplotlib's "Glyph 27 missing") as one line, its text shown, not obeyed."""
    say(f"pencilnet: warning: {category.__name__}: {message}")


def say(line: str) -> None:
    """One line on stderr, whatever text it quotes: its control characters and line breaks shown
    as escapes (`\\x1b`, `\\n`), in characters stderr can take."""
    from pencilnet.views.terminal import encodable, visible

    print(encodable(visible(line, breaks=False), getattr(sys.stderr, "encoding", None)), file=sys.stderr)


def show(as_json: bool, data, views):
    """One output: `data()` as JSON, or the renderables `views()` makes. Each is a function, so
    that only the one asked for is built (and `--json` never imports Rich)."""
    if as_json:
        return emit_json(data())
    display(*views())


def check_output(path: "str | os.PathLike[str] | None", kind: str | None, force: bool) -> None:
    """Fail before any work if an output file could not or should not be written (see
    `files.check_target`): every writing command calls this first. None: no output asked for."""
    if path is None:
        return
    from pencilnet.io.files import check_target

    path = os.fspath(path)
    real = check_target(path, kind, force)
    if real.exists() and (links := os.stat(real).st_nlink) > 1:  # the rename cannot keep them: say so first
        say(f"pencilnet: note: {path} has {links - 1} other hard link(s); they will keep the old content")
    if kind == "picture":
        from pencilnet.views.pictures import check_picture  # an .svg or .png name, and matplotlib

        check_picture(path)


def distinct_outputs(*named: tuple[str, str | None]) -> None:
    """Fail before any work if two outputs of one command, (option, path) each, name one file,
    directly or through links: the second would replace the first (a plot over a saved config)."""
    seen: dict[str, str] = {}
    for option, path in named:
        if path is None:
            continue
        real = os.path.realpath(path)
        if real in seen:
            raise InputError(f"{seen[real]} and {option}: expected two different files, found both naming "
                             f"{real if os.path.basename(real) != os.path.basename(path) else path}")
        seen[real] = option


def wrote(path, what: str = "") -> None:
    """Every writing command says what it wrote the same way, on stderr: stdout stays its output."""
    say(f"pencilnet: wrote {path}" + (f": {what}" if what else ""))
