"""Steps on a function as tables: the function and its derivatives once, then a table per step
with each parameter's old value, ∂f/∂θ, every optimizer intermediate and the new value (the rows
of a network's step tables, `updates.step_table`), and f before and after; `train`'s history of
f by step; the same as JSON. Records in, renderables or dicts out."""

from rich.console import Group
from rich.text import Text

from pencilnet.core.objective import FunctionStep, Objective
from pencilnet.views import updates
from pencilnet.views.numbers import Style
from pencilnet.views.table_parts import grid, titled


def heading(title: str, objective: Objective, style: Style, arithmetic: str) -> Text:
    """The function, where it starts, and each partial derivative, written out once."""
    start = ", ".join(f"{n} = {style.given(v)}" for n, v in zip(objective.names, objective.start, strict=True))
    lines = [f"{title}" if title else "A function instead of a network",
             f"  f = {objective.text}   from {start}   ({arithmetic})"]
    lines += [f"  ∂f/∂{name} = {text}" for name, text in objective.derivative_texts().items()]
    return Text("\n".join(lines), style="bold")


def gradient_symbol(names) -> str:
    """How a function's gradient is written: by its parameter's own name when it has one (∂f/∂theta),
    else ∂f/∂θ for each parameter in turn (a network's is ∂E/∂w)."""
    return f"∂f/∂{names[0]}" if len(names) == 1 else "∂f/∂θ"


def step_tables(objective: Objective, run: list[FunctionStep], style: Style) -> list:
    """A table per step, with f before and after beneath it."""
    shown = []
    names = list(objective.names)
    for step in run:
        title = f"Step {step.number} of {len(run)}, {step.update.optimizer.describe()}"
        table = updates.step_table(names, step.update, style, title, gradient=gradient_symbol(names))
        change = Text(f"f = {style.number(step.value)} → {style.number(step.value_after)}")
        shown.append(Group(table, change))
    return shown


def history(objective: Objective, run: list[FunctionStep], style: Style, title: str = "") -> Group:
    """One row per step: the learning rate, the parameters after it and f there."""
    table = grid("#step", "#learning rate", *[f"#{name}" for name in objective.names], "#f")
    rows = [("0", "", *[style.given(v) for v in objective.start], style.number(run[0].value if run else
                                                                                objective.value(objective.start)))]
    rows += [(str(s.number), style.given(s.update.learning_rate), *[style.number(v) for v in s.new],
              style.number(s.value_after)) for s in run]
    return titled(title or f"f over {len(run)} steps", table, rows, style, "steps")


def as_json(objective: Objective, run: list[FunctionStep], arithmetic: str) -> dict:
    """The function, its derivatives and every step's numbers, full precision."""
    from pencilnet.views.as_json import number

    names = objective.names
    steps = []
    for s in run:
        entry: dict = {"step": s.number, "learning_rate": number(s.update.learning_rate),
                       "parameters": {n: number(v) for n, v in zip(names, s.old, strict=True)},
                       "f": number(s.value),
                       "gradient": {n: number(v) for n, v in zip(names, s.gradient, strict=True)}}
        for key, values in s.update.values.items():
            if key not in ("gradient", "new"):
                entry[key] = {n: number(v) for n, v in zip(names, values, strict=True)}
        entry["new"] = {n: number(v) for n, v in zip(names, s.new, strict=True)}
        entry["f_after"] = number(s.value_after)
        steps.append(entry)
    return {"objective": objective.text, "derivatives": objective.derivative_texts(),
            "start": {n: number(v) for n, v in zip(names, objective.start, strict=True)},
            "optimizer": run[0].update.optimizer.settings() if run else None, "arithmetic": arithmetic,
            "steps": steps}
