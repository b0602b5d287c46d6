"""An optimizer's rule (`updates.rule`'s line, "m̂ = m / (1 − 0.9^1)") as a document's
mathematics, so that HTML writes it as MathML and LaTeX as mathematics, like every formula."""

import re

from pencilnet.views.publish.math import Num, Op, Partial, Power, Var

PROSE = re.compile(r"( on the first step)")
TOKEN = re.compile(r"\s*(∂\w+/∂\w+|\d+(?:\.\d+)?(?:e[+-]?\d+)?|[A-Za-z]\u0302?[A-Za-z]*|[×+−/=()√²^])")


def parts(rule: str) -> tuple:
    """One step of a rule as a paragraph's parts: mathematics (tuples of tokens) and prose."""
    found: list = []
    for k, piece in enumerate(PROSE.split(rule)):
        if k % 2:
            found.append(piece)
        elif piece.strip():
            found.append(tokens(piece))
    return tuple(found)


def tokens(text: str) -> tuple:
    out: list = []
    position = 0
    for match in TOKEN.finditer(text):
        if match.start() != position:
            raise ValueError(f"no mathematics for {text!r} at {position}")
        position = match.end()
        token = match.group(1)
        if token.startswith("∂"):  # ∂E/∂w, or a function's ∂f/∂θ
            top, bottom = token[1:].split("/∂")
            out.append(Partial(Var(top), Var(bottom)))
        elif token == "²":  # before the digits: "²".isdigit() is true
            out[len(out) - _last(out):] = [Power(tuple(out[len(out) - _last(out):]), (Num("2"),))]
        elif token[0].isdigit():
            out.append(Num(token))
        elif token in "×+−/=()√^":
            out.append(Op(token))
        else:
            out.append(Var(token))
    if position != len(text.rstrip()):
        raise ValueError(f"no mathematics for {text!r} at {position}")
    # a^b: the power of the token before by the token after
    while Op("^") in out:
        at = out.index(Op("^"))
        out[at - 1:at + 2] = [Power((out[at - 1],), (out[at + 1],))]
    return tuple(out)


def _last(out: list) -> int:
    """How many tokens the last operand takes: a group in parentheses, or one token."""
    if out and out[-1] == Op(")"):
        depth = 0
        for k in range(len(out) - 1, -1, -1):
            depth += {Op(")"): 1, Op("("): -1}.get(out[k], 0)
            if depth == 0:
                return len(out) - k
    return 1
