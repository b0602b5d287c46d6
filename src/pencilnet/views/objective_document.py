"""Steps on a function as a Markdown document a teacher can hand out: the function, its
derivatives, the optimizer's rule, then each step's numbers (every intermediate) and f before
and after, and the picture of the path when there is one. Records in, text out."""

from pencilnet.core.objective import FunctionStep, Objective
from pencilnet.views.numbers import Style
from pencilnet.views.updates import HEADS, rule, state_keys


def markdown(objective: Objective, run: list[FunctionStep], style: Style, title: str, arithmetic: str,
             picture: str | None = None) -> str:
    names = objective.names
    start = ", ".join(f"{n} = {style.given(v)}" for n, v in zip(names, objective.start, strict=True))
    first = run[0].update
    lines = [f"# {title or 'A function instead of a network'}", "",
             f"f = `{objective.text}`, from {start}; {len(run)} steps of {first.optimizer.describe()}, "
             f"learning rate {style.given(first.learning_rate)} ({arithmetic}).", "",
             "## The derivative", ""]
    lines += [f"- ∂f/∂{name} = `{text}`" for name, text in objective.derivative_texts().items()]
    lines += ["", "## The rule", ""]
    lines += [f"- {formula}" for formula in rule(first.optimizer, first.learning_rate, None, style).split("; ")]
    for step in run:
        keys = state_keys(step.update)
        lines += ["", f"## Step {step.number}", "",
                  "| parameter | old | ∂f/∂θ | " + " | ".join(HEADS[k] for k in keys) + " | new |",
                  "|---|" + "---:|" * (len(keys) + 3)]
        for i, name in enumerate(names):
            cells = [style.number(step.old[i]), style.number(step.gradient[i])]
            cells += [style.number(step.update.values[k][i]) for k in keys]
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {style.number(step.new[i])} |")
        lines += ["", f"f = {style.number(step.value)} → {style.number(step.value_after)}"]
    if picture is not None:
        lines += ["", "## The path", "", f"![The steps on f]({picture})"]
    return "\n".join(lines) + "\n"
