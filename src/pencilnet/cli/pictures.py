"""The picture subcommands, `diagram` and `plot`; cli.py registers them on its app.

They follow cli.py's pattern: parse options, load, call the library, show one view; the
tool's own errors become one line on stderr and exit code 2.
"""

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

        from pencilnet.io.objective_config import FunctionGiven

        try:
            cfg, carried, walk = walk_of(config, sample, sets, pencil, exact, within)
        except FunctionGiven as given:  # a function: the path of its steps, on its contours or its curve
            from pencilnet.cli import functions

            if out is None:
                return functions.train(given.function, None, decimals, False, 24, False, pencil, exact)
            return functions.picture(given.function, None, out)
        style = Style(decimals, pencil=carried)
        if out is None:
            return display(network_text.text(cfg, stage.value, walk, style))
        write_atomic(out, network_figure.picture(cfg, stage.value, walk, kind_of(out), style))
        wrote(out)


def plot(history: Annotated[str, typer.Argument(
             metavar="HISTORY", show_default=False,
             help="The output of `pencilnet train --json` (keys errors, optionally test_errors and "
                  "test_accuracies); - reads stdin.")],
         out: Out = None, force: Force = False):
    """Plot the error by epoch of a training run, with the test set's error and accuracy when the run has them; a
    long run's sample of its epochs (`error_epochs`) at the epochs they were kept from."""
    with failures():
        from pencilnet.io.history import read_history

        check_output(out, "picture", force)
        read = read_history(history)
        if out is None:
            from pencilnet.views.run_tables import curve_text

            return display(curve_text(read.errors, read.epochs))
        from pencilnet.io.files import write_atomic
        from pencilnet.views import history_plot
        from pencilnet.views.pictures import kind_of

        write_atomic(out, history_plot.picture(read.errors, kind_of(out), read.accuracy, read.epochs, read.test_errors))
        wrote(out)
