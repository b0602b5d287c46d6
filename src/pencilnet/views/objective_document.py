"""Steps on a function as a document a teacher can hand out, in the blocks a network's document is
made of (`publish.blocks`), so that Markdown, HTML and LaTeX come from one structure: the function
and each ∂f/∂θ as formulas, the optimizer's rule, then per step the gradient worked out at the
parameters, a table of every intermediate, f before and after, and the picture of the path.
Records in, blocks and text out."""

from pathlib import Path

from pencilnet.core import expression
from pencilnet.core.objective import FunctionStep, Objective
from pencilnet.views.numbers import Style, agrees, shown_value
from pencilnet.views.publish import FORMATS, STDOUT, check_path, rendered, rules
from pencilnet.views.publish.backward import update_table
from pencilnet.views.publish.blocks import Document, Equation, Figure, Heading, Items, Paragraph
from pencilnet.views.publish.math import ETA, Fn, Frac, Num, Numbers, Op, Partial, Power, Var, paren
from pencilnet.views.updates import rule

# A parameter named after a Greek letter is written as the letter, as a lecture writes θ.
GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η", "theta": "θ",
         "lambda": "λ", "mu": "μ", "phi": "φ", "psi": "ψ", "omega": "ω", "sigma": "σ", "tau": "τ", "rho": "ρ"}
# How tightly each kind binds (`expression.text`'s order): a child binding more loosely is put in parentheses.
BINDING = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}
F = Var("f")


def symbol(name: str) -> Var:
    """A parameter as mathematics: theta → θ, theta1 → θ with subscript 1, x_2 → x with subscript 2."""
    base = name.rstrip("0123456789")
    index = name[len(base):]
    base = base.rstrip("_") if index and base.rstrip("_") else base
    return Var(GREEK.get(base, base), index)


def gradient_of(objective: Objective, position: int | None = None) -> Partial:
    """∂f/∂θ: of the parameter at `position`, or of the only one, or of each in turn (θ)."""
    if position is None and len(objective.names) > 1:
        return Partial(F, Var("θ"))
    return Partial(F, symbol(objective.names[position or 0]))


def written(tree: expression.Node, values: dict | None = None) -> tuple:
    """The tree as tokens; with `values` ({name: tokens}), each parameter replaced by its number."""
    kind, a, b = tree.kind, tree.a, tree.b
    if kind == "number":
        return (Num(expression.text(tree)),)
    if kind == "name":
        return values[tree.name] if values is not None else (symbol(tree.name),)
    assert a is not None
    if kind == "exp":
        return (Power((Var("e"),), written(a, values)),)
    if kind == "abs":
        return (Op("|"), *written(a, values), Op("|"))
    if kind in expression.FUNCTIONS:
        return (Fn({"log": "ln"}.get(kind, kind)), *paren(written(a, values)))
    if kind == "neg":
        return (Op("−"), *_side(a, 3, values, tight=True))
    assert b is not None
    if kind == "/":
        return (Frac(written(a, values), written(b, values)),)
    if kind == "**":
        return (Power(_side(a, 4, values, tight=True), written(b, values)),)
    op = {"+": "+", "-": "−", "*": "×"}[kind]
    return (*_side(a, BINDING[kind], values), Op(op), *_side(b, BINDING[kind], values, tight=kind != "+"))


def _side(node: expression.Node, binding: int, values: dict | None, tight: bool = False) -> tuple:
    inner = BINDING.get(node.kind, 5)
    if node.kind == "number" and node.value < 0:
        inner = 3
    if node.kind in ("/", "exp") and binding < 4:  # drawn as a fraction or a power: parentheses only as a base
        inner = 5
    found = written(node, values)
    return paren(found) if inner < binding or (tight and inner == binding) else found


def document(objective: Objective, run: list[FunctionStep], style: Style, title: str, arithmetic) -> Document:
    """The document of `run`, steps of one optimizer on `objective` from its start in `arithmetic`
    (`core.arithmetic`'s: exact, or a pencil's rounding)."""
    n, names = Numbers(style), objective.names
    first = run[0].update
    doc = Document(title or "A function instead of a network")
    add = doc.blocks.append
    method = first.optimizer.describe()
    add(Paragraph((f"{len(run)} step{'s' * (len(run) > 1)} of {method} on a function of "
                   f"{len(names)} parameter{'s' * (len(names) > 1)}, worked by hand: at each step the gradient "
                   "from the exact derivative, every intermediate of the optimizer and the new parameters. Each "
                   "number is computed by pencilnet.",)))
    add(Paragraph((_arithmetic(arithmetic, style),)))
    add(Heading(2, "1. The function"))
    add(Equation((F,), (written(objective.tree),)))
    start = [style.given(v) for v in objective.start]
    add(Items((("Start: ", *_listed(names, start, n), _named(names)),
               ("Learning rate: ", (ETA, Op("="), *n.given(first.learning_rate)), "."))))
    add(Heading(2, "2. The derivative" if len(names) == 1 else "2. The derivatives"))
    add(Paragraph(("Its exact derivative, by the rules of calculus:" if len(names) == 1 else
                   "Each partial derivative, exact, by the rules of calculus:",)))
    for position, derivative in enumerate(objective.derivatives):
        add(Equation((gradient_of(objective, position),), (written(derivative),)))
    add(Heading(2, "3. The rule"))
    t = " (t: the step's number)" if "adam" in first.optimizer.name else ""
    zeros = " from a state of zeros" if first.optimizer.state_names else ""
    add(Paragraph((f"Each step of {method}, with torch.optim's formulas, takes every parameter in turn{zeros}{t}:",)))
    symbol_text = "∂f/∂" + (symbol(names[0]).base if len(names) == 1 and not symbol(names[0]).sub else "θ")
    add(Items(tuple(rules.parts(formula) for formula in
                    rule(first.optimizer, first.learning_rate, None, style, symbol_text).split("; "))))
    for step in run:
        _step(add, objective, step, style, n)
    add(Heading(2, "The path"))
    where = {1: "each step's point on the curve of f", 2: "the path of the parameters on the contours of f"}
    add(Figure("path", f"The steps: {where.get(len(names), 'f after each step')}."))
    return doc


def _named(names) -> str:
    """How the config names the parameters the formulas write as letters: " (theta).", else "."."""
    renamed = [name for name in names if symbol(name).base + symbol(name).sub != name]
    return f" ({', '.join(renamed)} in the config)." if renamed else "."


def _arithmetic(arithmetic, style: Style) -> str:
    if getattr(arithmetic, "decimals", None) is None:  # exact
        return (f"Arithmetic: exact, in double precision. Each number is shown rounded half up to {style.decimals} "
                "decimals, so the last digit of a result may differ from what its rounded factors give (≈).")
    return (f"Arithmetic: as with a pencil, to {arithmetic.rounding()}: every parameter and optimizer state was "
            "rounded half up before it was used further; the gradient and the update keep the digits they have.")


def _step(add, objective: Objective, step: FunctionStep, style: Style, n: Numbers) -> None:
    names, first = objective.names, step.number == 1
    shown = [style.given(v) if first else style.number(v) for v in step.old]
    at = {name: n.shown(text, True) for name, text in zip(names, shown, strict=True)}
    add(Heading(2, f"Step {step.number}"))
    add(Paragraph(("The gradient at ", *_listed(names, shown, n), ":")))
    by_hand_at = {name: float(shown_value(text)) for name, text in zip(names, shown, strict=True)}
    for position, derivative in enumerate(objective.derivatives):
        value = step.gradient[position]
        steps = [written(derivative)]
        if written(derivative, at) != steps[0]:
            steps.append(written(derivative, at))
        result = style.result(value)
        if (Num(result),) != steps[-1]:
            steps.append(n.result(value))
        by_hand = float(expression.evaluate(derivative, by_hand_at))
        rough = frozenset() if agrees(by_hand, result) else frozenset({len(steps) - 1})
        add(Equation((gradient_of(objective, position),), tuple(steps), rough))
    add(update_table(n, names, step.update, gradient=(gradient_of(objective),), given=first))
    add(Paragraph(("f before the step: ", (F, Op("="), *n.number(step.value)), "; after it: ",
                   (F, Op("="), *n.number(step.value_after)), ".")))


def _listed(names, shown: list[str], n: Numbers) -> list:
    parts: list = []
    for k, (name, text) in enumerate(zip(names, shown, strict=True)):
        parts += [", "] * bool(k) + [(symbol(name), Op("="), *n.shown(text))]
    return parts


MOST_STEPS = 200  # a section each: a document beyond this is no hand-out (`train` shows f over any number)


def check_steps(count: int, source: str) -> None:
    """Refuse, before any work, a document of more steps than a reader follows."""
    if count > MOST_STEPS:
        from pencilnet.core.errors import InputError

        raise InputError(f"{source}: training.epochs: a function's document works every step by hand: expected at "
                         f"most {MOST_STEPS} steps, found {count} (--set training.epochs=N)")


def path_at(path: Path, stage: str) -> Path:
    """Where the picture of the path goes beside a Markdown or LaTeX document: adam.md → adam-path.svg."""
    return path.with_name(f"{path.stem}-{stage}{FORMATS[path.suffix.lower()]}")


def files(objective: Objective, run: list[FunctionStep], out_path, style: Style, title: str,
          arithmetic) -> list[tuple[Path, str | bytes]]:
    """The document (its format from `out_path`'s suffix; `-`: Markdown for standard output) and the
    picture of the path, as (path, content) pairs to write in order, the document last."""
    from pencilnet.core.errors import InputError
    from pencilnet.views.objective_plot import path_picture

    path = check_path(out_path)
    if path != STDOUT and path.suffix.lower() == ".ipynb":
        raise InputError(f"{path}: expected a file name ending in .md, .html or .tex for a function's steps (a "
                         "notebook recomputes a network's stages), found '.ipynb'")
    return rendered(document(objective, run, style, title, arithmetic), path,
                    lambda stage, kind: path_picture(objective, run, title, kind), path_at,
                    pictures="The picture of the path is")
