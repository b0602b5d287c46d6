"""The mathematics of a document as a short list of tokens, before it has a format.

A variable, a number (as `Style` wrote it), an operator, a function name, a fraction, a power,
a partial derivative: Markdown, HTML and LaTeX each say how a token is written. The helpers at
the end name the article's quantities (w5, net_h1, out_y2) and join factors and terms.
"""

from pencilnet.core.written import (  # noqa: F401  (the renderers import them from here)
    Fn,
    Frac,
    Half,
    Num,
    Op,
    Partial,
    Power,
    Sum,
    Var,
    paren,
    plus,
    times,
)
from pencilnet.views.numbers import Style

LARGE = 20  # a layer with more parameters than this gets its general formula, a few rows and a table
FEW = 3  # rows written out for a large layer
LONG_SUM = 8  # a written-out sum of a large layer with more terms shows the first and the last ones

# The tokens are the core's (`core.written`), with which each activation and loss row writes its
# formulas; they are named here too, for the renderers.
def width(tokens) -> float:
    """A rough width in characters, to decide where a long equation is broken."""
    total = 0.0
    for t in tokens:
        if isinstance(t, Var):
            total += len(t.base) + 0.7 * (len(t.sub) + len(t.sup))
        elif isinstance(t, Num):
            total += len(t.text)
        elif isinstance(t, Op):
            total += 1 if t.text in "()[]," else len(t.text) + 1.5
        elif isinstance(t, Fn):
            total += len(t.name) + 0.5
        elif isinstance(t, Partial):
            total += max(width([t.top]), width([t.bottom])) + 1
        elif isinstance(t, Frac):
            total += max(width(t.top), width(t.bottom))
        elif isinstance(t, Power):
            total += width(t.base) + 0.7 * width(t.exponent)
        elif isinstance(t, Sum):
            total += 2.5
        else:
            total += 1
    return total


def param(name: str, new: bool = False) -> Var:
    """w5 → w with subscript 5, bw3 → bw with subscript 3."""
    base = name.rstrip("0123456789")
    return Var(base, name[len(base):], "new" if new else "")


def node(name: str) -> Var:
    """An input x1 as a variable; other nodes are named by their net or out."""
    base = name.rstrip("0123456789")
    return Var(base, name[len(base):])


def net(name: str) -> Var:
    return Var("net", name)


def out(name: str) -> Var:
    return Var("out", name)


E = Var("E")
ETA = Var("η")


def d(top: Var, bottom: Var) -> Partial:
    return Partial(top, bottom)








def shorten(terms: list, count: int, large: bool) -> list:
    """A large layer's long sum as its first terms, ⋯ and its last term: `terms` holds them all."""
    if not large or count <= LONG_SUM:
        return terms
    return terms[:FEW] + [Op("⋯")] + terms[-1:]


class Numbers:
    """Style's three ways of showing a number, as tokens; a negative operand is put in parentheses."""

    def __init__(self, style: Style):
        self.style = style

    def _token(self, text: str, operand: bool) -> tuple:
        return paren((Num(text),)) if operand and text.startswith("-") else (Num(text),)

    def shown(self, text: str, operand: bool = False) -> tuple:
        """A number already written by `style`, as tokens."""
        return self._token(text, operand)

    def number(self, x, operand: bool = False) -> tuple:
        return self._token(self.style.number(x), operand)

    def result(self, x, operand: bool = False) -> tuple:
        return self._token(self.style.result(x), operand)

    def given(self, x, operand: bool = False) -> tuple:
        return self._token(self.style.given(x), operand)
