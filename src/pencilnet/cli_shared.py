"""What every subcommand shares: its common options, and how it prints and fails."""

import json
import sys
from contextlib import contextmanager
from typing import Annotated, Optional

import typer

from .errors import EXIT_INTERRUPTED, PencilnetError

ConfigPath = Annotated[Optional[str], typer.Argument(
    metavar="CONFIG", show_default=False,
    help="A YAML config, or - for standard input; without it, the article's example bundled with pencilnet.")]
Decimals = Annotated[int, typer.Option("--decimals", min=0, max=15, metavar="N",
                                       help="Decimal places shown in tables.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print one JSON object, full precision, and nothing else.")]
Sample = Annotated[int, typer.Option("--sample", min=1, metavar="K", help="Which sample of the config to use, from 1.")]
Rows = Annotated[int, typer.Option("--rows", min=1, metavar="N", help="At most this many rows per table.")]
AllRows = Annotated[bool, typer.Option("--all", help="Show every row, however many.")]
Pencil = Annotated[Optional[int], typer.Option(
    "--pencil", min=0, max=15, metavar="N", show_default=False,
    help="Pencil arithmetic: round every intermediate half up to N decimals before using it, as by hand.")]
Exact = Annotated[bool, typer.Option("--exact", help="Exact float64 arithmetic, whatever the config says.")]
Sets = Annotated[Optional[list[str]], typer.Option(
    "--set", metavar="PATH=VALUE", show_default=False,
    help="Change a config value, e.g. training.learning_rate=0.1 or layers[0].weights[1][0]=0.3; repeatable.")]


@contextmanager
def failures():
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


def emit_json(data: dict):
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def display(*renderables):
    from rich.console import Console

    console = Console(highlight=False, emoji=False)  # numbers and names, never :emoji: codes
    for item in renderables:
        console.print(item)
        console.print()


