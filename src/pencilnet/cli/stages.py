"""The article's stages as commands: forward, error, backprop, step and walkthrough.

Each loads the config, makes the one pass through the stages (`Config.walk`) and shows one
stage of it, as tables or as JSON.
"""

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
    display,
    emit_json,
    failures,
    load,
    pencil_decimals,
    style,
)


def walk_of(config_path, sample: int, sets, pencil: int | None, exact: bool, within=None):
    """The config, the pencil decimals chosen, and the pass through the stages for `sample`;
    `within(config)` refuses a network too big for the command before the pass is made."""
    from pencilnet.core.arithmetic import arithmetic_of

    config = load(config_path, sets)
    if within is not None:
        within(config)
    decimals = pencil_decimals(config.pencil_decimals, pencil, exact)
    return config, decimals, config.walk(sample, arithmetic_of(decimals))


def _note(cfg, carried: int | None, decimals: int):
    """Said once above a stage's tables: how its numbers were carried (pencil N, or exact)."""
    from pencilnet.views.stage_tables import exact_note, pencil_note

    return pencil_note(carried) if carried is not None else exact_note(cfg, style(decimals))


def stage_command(name: str, help_text: str):
    """One subcommand per stage; they differ only in which view of the walk they print."""

    def command(config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = 4, as_json: AsJson = False,
                rows: Rows = 24, all_rows: AllRows = False, pencil: PencilOption = None, exact: ExactOption = False,
                sets: Sets = None):
        with failures():
            from pencilnet.cli import budget

            def within(cfg):  # a view makes at most four tables, each of at most --rows rows
                budget.check(cfg, budget.stage_rows(name, cfg.model), None if as_json else 4,
                             None if as_json or all_rows else rows)

            cfg, carried, walk = walk_of(config, sample, sets, pencil, exact, within)
            if as_json:  # (the tables import Rich, which --json never needs)
                from pencilnet.views import as_json as json_view

                return emit_json({**json_view.stage(name, walk, cfg), "arithmetic": str(walk.arithmetic)})
            from pencilnet.views import stage_tables

            display(_note(cfg, carried, decimals),
                    *stage_tables.stage(name, walk, cfg, style(decimals, rows, all_rows, carried, cfg.labels)))

    command.__doc__ = help_text
    return command


COMMANDS = {
    "forward": ("Stage 1, forward propagation: net and out of every node, layer by layer."),
    "error": ("Stage 2, the total error: each output's target, output and error term, and their sum."),
    "backprop": ("Stage 3, backpropagation: every gradient with its chain-rule factors, in the "
                            "article's four groups."),
    "step": ("Stage 4, updating the weights: one step, new = old − learning rate × gradient, for every "
             "parameter."),
    "walkthrough": ("The four stages in one go: forward, error, backprop and the update, as the "
                                  "article walks through them (its Steps 2 to 5)."),
}


# `step --steps N` makes N passes through the stages: bounded like any other work a command does.
MAX_STEPS = 10_000


def step(config: ConfigPath = None, sample: Sample = 1, steps: Annotated[int, typer.Option(
             "--steps", min=1, max=MAX_STEPS, metavar="N",
             help="Make N steps on the same sample, the optimizer's state carried on.")] = 1,
         parameter: Annotated[str | None, typer.Option(
             "--parameter", metavar="NAME", show_default=False,
             help="With --steps: one row per step for this parameter (w5, bw3) instead of a table per step.")] = None,
         decimals: Decimals = 4, as_json: AsJson = False, rows: Rows = 24, all_rows: AllRows = False,
         pencil: PencilOption = None, exact: ExactOption = False, sets: Sets = None):
    """Stage 4, updating the weights: one step, new = old − learning rate × gradient for every parameter, or the
    configured optimizer's rule (momentum, Adam, AdamW, RMSprop) with its state before and after."""
    with failures():
        from pencilnet.cli import budget
        from pencilnet.core.arithmetic import arithmetic_of
        from pencilnet.io.objective_config import FunctionGiven
        from pencilnet.views import updates

        try:
            cfg = load(config, sets)
        except FunctionGiven as given:  # a function instead of a network: its own tables
            from pencilnet.cli import functions

            return functions.step(given.function, steps, decimals, as_json, rows, all_rows, pencil, exact)
        names = cfg.model.names.parameters
        if parameter is not None and parameter not in names:
            from pencilnet.core.errors import InputError

            raise InputError(f"--parameter: expected a parameter name such as {names[0]} or {names[-1]}, "
                             f"found {parameter!r}")
        # as every stage command, refused before the passes when too big: a table of rows per step,
        # or with --parameter one table of a row per step (--json writes every parameter still)
        one_table = parameter is not None and not as_json
        budget.check(cfg, steps if one_table else budget.stage_rows("step", cfg.model) * steps,
                     None if as_json else 1 if one_table else steps, None if as_json or all_rows else rows)
        carried = pencil_decimals(cfg.pencil_decimals, pencil, exact)
        found = cfg.walks(sample, steps, arithmetic_of(carried))
        if as_json:
            from pencilnet.views import as_json as json_view

            each = [{**json_view.stage("step", walk, cfg), "arithmetic": str(walk.arithmetic)} for walk in found]
            return emit_json(each[0] if steps == 1 else {"sample": sample, "steps": each})
        shown_style = style(decimals, rows, all_rows, carried, cfg.labels)
        if parameter is not None:
            shown = [updates.steps_table(parameter, names.index(parameter), [w.update for w in found], shown_style)]
        elif steps == 1:
            from pencilnet.views import stage_tables

            shown = stage_tables.stage("step", found[0], cfg, shown_style)
        else:
            shown = [updates.step_table(names, w.update, shown_style, f"Step {k} of {steps} on sample {sample}, "
                                                                        f"{w.update.optimizer.describe()}")
                     for k, w in enumerate(found, start=1)]
        display(_note(cfg, carried, decimals), *shown)


def register(app):
    for name, help_text in COMMANDS.items():
        if name != "step":
            app.command(name)(stage_command(name, help_text))
    app.command("step")(step)
