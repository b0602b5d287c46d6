"""The commands that work on a function instead of a network (`objective:` in the config): each
network command that can catches `FunctionGiven` from loading and hands its function here."""

from pencilnet.cli.shared import display, emit_json, pencil_decimals, style, write_out


def _run(function, steps: int, pencil: int | None, exact: bool):
    """(arithmetic, the steps) of `function`'s optimizer from its start."""
    from pencilnet.core.arithmetic import arithmetic_of
    from pencilnet.core.objective import steps as run

    arithmetic = arithmetic_of(pencil_decimals(function.pencil_decimals, pencil, exact))
    schedule = function.schedule
    return arithmetic, run(function.objective, schedule.optimizer, schedule.learning_rate, steps,
                           schedule.lr_schedule, arithmetic)


def step(function, steps: int, decimals: int, as_json: bool, rows: int, all_rows: bool, pencil: int | None,
         exact: bool) -> None:
    """`step --steps N` on a function: a table per step, every optimizer intermediate."""
    from pencilnet.views import objective_tables as views

    arithmetic, found = _run(function, steps, pencil, exact)
    if as_json:
        return emit_json(views.as_json(function.objective, found, str(arithmetic)))
    shown = style(decimals, rows, all_rows, pencil_decimals(function.pencil_decimals, pencil, exact))
    display(views.heading(function.name, function.objective, shown, str(arithmetic)),
            *views.step_tables(function.objective, found, shown))


def train(function, epochs: int | None, decimals: int, as_json: bool, rows: int, all_rows: bool,
          pencil: int | None, exact: bool, plot: str | None = None) -> None:
    """`train` on a function: training.epochs steps (an epoch of a function is one step), f by step."""
    from pencilnet.views import objective_tables as views

    count = epochs or function.schedule.epochs
    arithmetic, found = _run(function, count, pencil, exact)
    if plot is not None:
        picture(function, found, plot)
    if as_json:
        return emit_json(views.as_json(function.objective, found, str(arithmetic)))
    shown = style(decimals, rows, all_rows, pencil_decimals(function.pencil_decimals, pencil, exact))
    display(views.heading(function.name, function.objective, shown, str(arithmetic)),
            views.history(function.objective, found, shown))


def verified(function, pencil: int | None, exact: bool):
    """(function, verdicts) of its `expected:` section, as `verify` checks a network's."""
    from dataclasses import replace

    from pencilnet.checks.function_quantities import verify
    from pencilnet.core.errors import InputError

    if function.expected is None:
        raise InputError(f"{function.source}: expected: expected a section of published values to verify, "
                         "found none")
    if pencil is not None or exact:
        function = replace(function, expected=replace(function.expected,
                                                      pencil_decimals=pencil_decimals(None, pencil, exact)))
    return function, verify(function)


def expect(function, decimals: int, epochs: int | None, steps: int | None, pencil: int | None,
           exact: bool) -> None:
    """`expect` on a function: an `expected:` section of the quantities of its steps, as a network's."""
    from pencilnet.checks.function_quantities import published_values
    from pencilnet.views.as_yaml import expected_section

    arithmetic, found = _run(function, max(1, epochs or 0, steps or 0), pencil, exact)
    values = published_values(function.objective, found, epochs, steps)
    write_out(expected_section(values, arithmetic, None, style(decimals)))


def picture(function, found, out: str, steps: int | None = None) -> None:
    """The path of the steps on the function's contours (one parameter: on its curve), to `out`."""
    from pencilnet.cli.shared import wrote
    from pencilnet.io.files import write_atomic
    from pencilnet.views.objective_plot import path_picture

    if found is None:
        _, found = _run(function, steps or function.schedule.epochs, None, False)
    kind = "png" if out.lower().endswith(".png") else "svg"
    write_atomic(out, path_picture(function.objective, found, function.name, kind))
    wrote(out, "picture")


def publish(function, out: str, decimals: int | None, pencil: int | None, exact: bool, title: str | None,
            force: bool) -> None:
    """A function's worked steps as Markdown, HTML or LaTeX (or Markdown on standard output), the path's
    picture beside a Markdown or LaTeX file, inline in an HTML page; the CLI has checked the names."""
    from pencilnet.cli.shared import say, write_out, wrote
    from pencilnet.io.files import write_atomic
    from pencilnet.views.numbers import Style
    from pencilnet.views.objective_document import check_steps, files

    check_steps(function.schedule.epochs, function.source)
    carried = pencil_decimals(function.pencil_decimals, pencil, exact)
    arithmetic, found = _run(function, function.schedule.epochs, pencil, exact)
    shown = Style(decimals if decimals is not None else carried if carried is not None else 4, None, carried)
    written = files(function.objective, found, out, shown, title or function.name, arithmetic)
    if out == "-":
        return write_out(str(written[-1][1]))
    for path, content in written:
        write_atomic(path, content)
        wrote(path)
    if out.lower().endswith(".tex"):
        say(f"pencilnet: note: run pdflatex twice on {written[-1][0].name}: its tables settle their widths on the "
            "second run")
