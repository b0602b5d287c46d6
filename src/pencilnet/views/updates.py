"""An optimizer's step, shown the way the article shows its update: the rule written out once with
its numbers, then every parameter's gradient, state before and after, and new value.

Plain gradient descent keeps the article's own table (`stage_tables.step`); these views are for
optimizers that keep state or decay weights (momentum, Nesterov, Adam, AdamW, RMSprop)."""

from rich.console import Group
from rich.text import Text

from pencilnet.core.optimizers import Optimizer, Update
from pencilnet.views.declared import Declared
from pencilnet.views.numbers import Style, shown_value
from pencilnet.views.table_parts import grid, mark

# How the intermediates are named in tables (b: the velocity, torch's momentum_buffer; s: square_avg).
HEADS = {"decay": "decay", "g": "g", "velocity": "b", "m": "m", "v": "v", "mhat": "m̂", "vhat": "v̂",
         "square_avg": "s", "step": "update"}
# The intermediates that are products worked out (shown as results); the rest are carried values.
RESULTS = ("decay", "step")


GRADIENT = "∂E/∂w"  # a network's; a function's steps write ∂f/∂θ (`objective_tables.gradient_symbol`)


def rule(optimizer: Optimizer, learning_rate: float, steps: int | None, style: Style,
         gradient: str = GRADIENT) -> str:
    """The update rule of step `steps` (None: any step t) with its settings' numbers, as a line a
    person can follow; `gradient`: how the gradient is written."""
    o, lr, n = optimizer, style.given(learning_rate), style.given
    parts = []
    if o.weight_decay and o.name == "adamw":
        parts.append(f"decay = {lr} × {n(o.weight_decay)} × old")
    elif o.weight_decay:
        parts.append(f"g = {gradient} + {n(o.weight_decay)} × old")
    g = "g" if o.weight_decay and o.name != "adamw" else gradient
    squared = "g²" if g == "g" else f"({gradient})²"  # not ∂E/∂w², which reads as a derivative by w²
    if o.classical:  # the lecture notes' form: the learning rate inside the velocity
        parts.append(f"v = {n(o.momentum)} × v − {lr} × {g}")
        parts.append(f"update = −({n(o.momentum)} × v − {lr} × {g})" if o.nesterov else "update = −v (new = old + v)")
    elif o.name == "sgd":
        if not o.momentum:
            parts.append(f"update = {lr} × {g}")
        else:
            damp = "" if not o.dampening else f"{n(1 - o.dampening)} × "
            later = f"b = {n(o.momentum)} × b + {damp}{g}"
            parts.append(f"b = {g} on the first step" if steps == 1 else
                         later + (f" (b = {g} on the first step)" if steps is None else ""))
            parts.append(f"update = {lr} × ({g} + {n(o.momentum)} × b)" if o.nesterov else f"update = {lr} × b")
    elif o.name in ("adam", "adamw"):
        beta1, beta2 = o.betas
        t = "t" if steps is None else steps
        parts += [f"m = {n(beta1)} × m + {n(1 - beta1)} × {g}", f"v = {n(beta2)} × v + {n(1 - beta2)} × {squared}",
                  f"m̂ = m / (1 − {n(beta1)}^{t})", f"v̂ = v / (1 − {n(beta2)}^{t})",
                  f"update = {lr} × m̂ / (√v̂ + {o.eps:g})"]
    else:
        parts.append(f"s = {n(o.alpha)} × s + {n(1 - o.alpha)} × {squared}")
        if o.momentum:
            parts += [f"b = {n(o.momentum)} × b + {g} / (√s + {o.eps:g})", f"update = {lr} × b"]
        else:
            parts.append(f"update = {lr} × {g} / (√s + {o.eps:g})")
    decayed = " − decay" if o.name == "adamw" and o.weight_decay else ""
    parts.append(f"new = old{decayed} − update")
    return "; ".join(parts)


def state_keys(found: Update) -> list[str]:
    """The intermediates of this optimizer's step beyond the gradient, in the order it computes them."""
    order = ("decay", "m", "v", "mhat", "vhat", "square_avg", "velocity", "step")
    keys: list[str] = [k for k in order if k in found.values]
    if "decay" in found.values and found.optimizer.name != "adamw":
        keys.insert(1, "g")
    return keys


def _state_rows(found: Update, position: int, style: Style) -> dict[str, tuple[str, str, str]]:
    """(heading, before, after) for each intermediate of one parameter's step, by its key in
    `found.values`, in the order it is computed; `before` only for the state carried from step to step."""
    rows = {}
    for key in state_keys(found):
        value = found.values[key][position]
        if key in found.before.buffers:
            rows[key] = (HEADS[key], style.number(found.before.buffers[key][position]), style.number(value))
        else:
            rows[key] = (HEADS[key], "", style.result(value) if key in RESULTS else style.number(value))
    return rows


def _add(table, first: tuple, found: Update, position: int, style: Style, new=lambda text: text):
    """A parameter's rows: `first` (its name or step, and its old value and gradient), the first of
    its intermediates and the new value (`new` marks it, if need be); then a row for each further
    intermediate."""
    state = _state_rows(found, position, style)
    # new = old − update (− decay, for AdamW) as the rows show them; "≈" where their rounding shows.
    by_hand = shown_value(first[1]) - shown_value(state["step"][2])
    if found.optimizer.name == "adamw" and "decay" in state:
        by_hand -= shown_value(state["decay"][2])
    rows = list(state.values())
    table.add_row(*first, *rows[0], new(mark(by_hand, style.number(found.values["new"][position]))))
    for row in rows[1:]:
        table.add_row(*[""] * len(first), *row, "")


def _columns(gradient: str) -> tuple[str, ...]:
    return ("#old", f"#{gradient}", "state", "#before", "#after", "#new")


def step_table(names: list[str], found: Update, style: Style, title: str | None = None,
               declared: Declared | None = None, gradient: str = GRADIENT) -> Group:
    """Every parameter's rows of one step: old value, gradient, each state before and after, new value;
    with `declared`, the config's errata and tolerances marked beside the values and noted beneath;
    `gradient`: how the gradient is written, in the heading and the rule."""
    table = grid("parameter", *_columns(gradient))
    shown, hidden = style.limit(list(range(len(names))))
    mark = declared.beside if declared is not None else (lambda quantity, text: text)
    for position in shown:
        name = names[position]
        slope = mark(f"dE/d{name}", style.result(found.values["gradient"][position]))
        _add(table, (style.name(name), style.given(found.old[position]), slope), found, position, style,
             lambda text, name=name: mark(f"{name}_new", text))
    heading = title or f"Step {found.steps} with {found.optimizer.describe()}"
    parts: list = [_ruled(heading, rule(found.optimizer, found.learning_rate, found.steps, style, gradient)), table]
    if hidden:
        parts.append(Text(f"… {hidden} more parameters not shown (--all shows every row)", style="dim italic"))
    return Group(*parts, *(declared.notes() if declared is not None else []))


def steps_table(name: str, position: int, updates: list[Update], style: Style) -> Group:
    """One parameter through successive steps: rows per step, its state evolving."""
    table = grid("#step", *_columns(GRADIENT))
    for found in updates:
        old = found.old[position]
        _add(table, (str(found.steps), style.given(old) if found.steps == 1 else style.number(old),
                     style.result(found.values["gradient"][position])), found, position, style)
    first = updates[0]
    return Group(_ruled(f"{name} over {len(updates)} steps with {first.optimizer.describe()}",
                        rule(first.optimizer, first.learning_rate, None, style)), table)


def _ruled(heading: str, formulas: str) -> Text:
    """The heading, then each formula of the rule on a line of its own: a narrow terminal wraps
    between formulas, never inside one."""
    return Text(heading + ":\n" + "\n".join(f"  {formula}" for formula in formulas.split("; ")), style="bold")
