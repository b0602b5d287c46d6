"""Formulas as written: a small vocabulary of plain records (no rendering in it), from which the
publish renderer writes MathML, LaTeX or Markdown. Each activation and loss row of
`core.activations` and `core.losses` writes its formulas with these, so a document never keeps
an if-chain of its own per formula.

A written formula is a tuple of tokens; a token is one of the records below.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Var:
    """A named quantity: Var("net", "h1") is net with subscript h1; Var("w", "5", "new") is w5's new value."""

    base: str
    sub: str = ""
    sup: str = ""


@dataclass(frozen=True)
class Num:
    text: str  # as Style wrote it


@dataclass(frozen=True)
class Op:
    text: str  # + − × = ( ) [ ] , ⋯ > Σ and the like


@dataclass(frozen=True)
class Fn:
    name: str  # σ, tanh, relu, max, ln, exp


@dataclass(frozen=True)
class Sum:
    """Σ over `index`."""

    index: str


@dataclass(frozen=True)
class Half:
    """½."""


@dataclass(frozen=True)
class Partial:
    """∂top/∂bottom."""

    top: Var
    bottom: Var


@dataclass(frozen=True)
class Frac:
    top: tuple
    bottom: tuple


@dataclass(frozen=True)
class Power:
    base: tuple
    exponent: tuple


E_BASE = (Var("e"),)


def times(*factors) -> tuple:
    """factors joined by ×; a factor is a token or a tuple of tokens."""
    return joined("×", factors)


def plus(terms) -> tuple:
    return joined("+", terms)


def joined(op: str, parts) -> tuple:
    tokens: list = []
    for k, part in enumerate(parts):
        if k:
            tokens.append(Op(op))
        tokens.extend(part if isinstance(part, tuple) else (part,))
    return tuple(tokens)


def paren(tokens) -> tuple:
    return (Op("("), *tokens, Op(")"))


def exp(exponent: tuple) -> Power:
    """e to the power `exponent`."""
    return Power(E_BASE, exponent)


def number(value: float) -> Num:
    """A setting (a leaky relu's slope) as a formula writes it: 0.01, not 1e-02."""
    return Num(f"{value:g}")
