"""The article's stages as commands: forward, error, backprop, step and walkthrough.

Each loads the config, makes the one pass through the stages (`Config.walk`) and shows one
stage of it, as tables or as JSON.
"""

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


def _forward(walk, config, shown):
    if shown is None:  # (tables import Rich, which --json never needs)
        from pencilnet.views import as_json

        return as_json.forward(config, walk.trace, walk.sample)
    from pencilnet.views import tables

    return [tables.forward(config, walk.trace, walk.sample, shown)]


def _error(walk, config, shown):
    if shown is None:  # (tables import Rich, which --json never needs)
        from pencilnet.views import as_json

        return as_json.error(config, walk.report, walk.sample)
    from pencilnet.views import tables

    return [tables.error(config, walk.report, shown, walk.sample)]


def _backprop(walk, config, shown):
    if shown is None:  # (tables import Rich, which --json never needs)
        from pencilnet.views import as_json

        return as_json.backprop(config, walk.gradients, walk.sample)
    from pencilnet.views import tables

    return [tables.backprop(config, walk.trace, walk.target, walk.gradients, shown, walk.sample)]


def _step(walk, config, shown):
    if shown is None:  # (tables import Rich, which --json never needs)
        from pencilnet.views import as_json

        return as_json.step(config, walk.gradients, walk.new_model, walk.learning_rate, walk.sample)
    from pencilnet.views import tables

    return [tables.step(config, walk.gradients, walk.new_model, walk.learning_rate, shown, walk.sample)]


STEPS = (("forward", "Step 2: forward propagation", _forward),
         ("error", "Step 3: the total error", _error),
         ("backprop", "Step 4: backpropagation", _backprop),
         ("step", "Step 5: updating the weights", _step))


def _walkthrough(walk, config, shown):
    if shown is None:
        return {name: views(walk, config, None) for name, _, views in STEPS}
    from rich.rule import Rule

    found = []
    for _, title, views in STEPS:
        found += [Rule(title)] + views(walk, config, shown)
    return found


def walk_of(config_path, sample: int, sets, pencil: int | None, exact: bool):
    """The config, the pencil decimals chosen, and the pass through the stages for `sample`."""
    from pencilnet.core.arithmetic import arithmetic_of

    config = load(config_path, sets)
    decimals = pencil_decimals(config.pencil_decimals, pencil, exact)
    return config, decimals, config.walk(sample, arithmetic_of(decimals))


def stage_command(views, help_text: str):
    """One subcommand per stage; they differ only in which view of the walk they print."""

    def command(config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = 4, as_json: AsJson = False,
                rows: Rows = 24, all_rows: AllRows = False, pencil: PencilOption = None, exact: ExactOption = False,
                sets: Sets = None):
        with failures():
            cfg, carried, walk = walk_of(config, sample, sets, pencil, exact)
            if as_json:
                return emit_json({**views(walk, cfg, None), "arithmetic": str(walk.arithmetic)})
            shown = views(walk, cfg, style(decimals, rows, all_rows, carried))
            from pencilnet.views.tables import exact_note, pencil_note

            note = pencil_note(carried) if carried is not None else exact_note(cfg, style(decimals))
            shown = [note, *shown]
            display(*shown)

    command.__doc__ = help_text
    return command


COMMANDS = {
    "forward": (_forward, "Step 2, forward propagation: net and out of every node, layer by layer."),
    "error": (_error, "Step 3, the total error: each output's target, output and error term, and their sum."),
    "backprop": (_backprop, "Step 4, backpropagation: every gradient with its chain-rule factors, in the "
                            "article's four groups."),
    "step": (_step, "Step 5, updating the weights: new = old − learning rate × gradient, for every parameter."),
    "walkthrough": (_walkthrough, "Steps 2 to 5 in one go: forward, error, backprop and the update, as the "
                                  "article walks through them."),
}


def register(app):
    for name, (views, help_text) in COMMANDS.items():
        app.command(name)(stage_command(views, help_text))
