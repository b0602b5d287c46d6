"""A function of named parameters written as text, `(theta - 4)**2`: parsed (never run as Python),
shown, evaluated in float64 and differentiated exactly, by the rules of calculus applied to its tree.

The grammar, loosest binding first:

  sum      := product (('+' | '-') product)*
  product  := unary (('*' | '/') unary)*
  unary    := ('-' | '+') unary | power
  power    := atom (('**' | '^') unary)?        right-associative: 2**3**2 = 2**9; -x**2 = -(x**2)
  atom     := number | parameter | function '(' sum ')' | '(' sum ')'

A problem is one line naming the character where it is (counted from 1). The text's length and its
nesting are bounded before any recursion can run out of stack.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pencilnet.core.errors import InputError

MAX_LENGTH = 1000  # characters: far beyond any function a lecture works by hand
MAX_DEPTH = 40  # nested parentheses, signs and powers
FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tanh", "abs")
TOKEN = re.compile(r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<name>[A-Za-z_]\w*)"
                   r"|(?P<op>\*\*|[-+*/^(),]))")


@dataclass(frozen=True)
class Node:
    """One node of the tree: kind is 'number' (value), 'name' (name), 'neg' (a), a binary operator
    '+', '-', '*', '/', '**' (a, b), or a function's name (a)."""

    kind: str
    a: "Node | None" = None
    b: "Node | None" = None
    value: float = 0.0
    name: str = ""


def number(value: float) -> Node:
    return Node("number", value=float(value))


ZERO, ONE, TWO = number(0), number(1), number(2)


class ExpressionError(InputError):
    """A problem with an expression's text, one line naming where it is: `field: expected …, found …`."""

    def __init__(self, field: str, expected: str, found: str):
        self.expected, self.found = expected, found
        super().__init__(f"{field}: expected {expected}, found {found}")


def _tokens(text: str, field: str) -> list[tuple[str, str, int]]:
    """(kind, text, character from 1) of each token, then ('end', '', length + 1)."""
    found, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = TOKEN.match(text, at)
        if match is None:
            where = at + len(text[at:]) - len(text[at:].lstrip())
            raise ExpressionError(field, f"a number, a parameter, an operator or a parenthesis at character "
                                         f"{where + 1}", repr(text[where]))
        kind = match.lastgroup or "op"
        found.append((kind, match.group(kind), match.start(kind) + 1))
        at = match.end()
    found.append(("end", "", len(text) + 1))
    return found


class _Parser:
    def __init__(self, text: str, parameters: tuple[str, ...], field: str):
        self.tokens, self.at, self.depth = _tokens(text, field), 0, 0
        self.parameters, self.field = parameters, field

    def fail(self, expected: str):
        kind, text, where = self.tokens[self.at]
        found = "the end" if kind == "end" else repr(text)
        raise ExpressionError(self.field, f"{expected} at character {where}", found)

    def peek(self) -> str:
        kind, text, _ = self.tokens[self.at]
        return text if kind == "op" else kind

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(self.field, f"at most {MAX_DEPTH} nested parentheses, signs and powers",
                                  f"more at character {self.tokens[self.at][2]}")

    def whole(self) -> Node:
        tree = self.sum()
        if self.peek() != "end":
            self.fail("an operator (+ - * / ** ^) or the end")
        return tree

    def sum(self) -> Node:
        tree = self.product()
        while self.peek() in ("+", "-"):
            op = self.peek()
            self.at += 1
            tree = Node(op, tree, self.product())
        return tree

    def product(self) -> Node:
        tree = self.unary()
        while self.peek() in ("*", "/"):
            op = self.peek()
            self.at += 1
            tree = Node(op, tree, self.unary())
        return tree

    def unary(self) -> Node:
        if self.peek() in ("-", "+"):
            op = self.peek()
            self.at += 1
            self.deeper()
            inner = self.unary()
            self.depth -= 1
            return Node("neg", inner) if op == "-" else inner
        base = self.atom()
        if self.peek() in ("**", "^"):
            self.at += 1
            self.deeper()
            exponent = self.unary()
            self.depth -= 1
            return Node("**", base, exponent)
        return base

    def atom(self) -> Node:
        kind, text, where = self.tokens[self.at]
        if kind == "number":
            self.at += 1
            return number(float(text))
        if kind == "name" and text in FUNCTIONS:
            self.at += 1
            if self.peek() != "(":
                self.fail(f"'(' after {text}")
            return Node(text, self.parenthesised())
        if kind == "name":
            if text not in self.parameters:
                raise ExpressionError(self.field, f"one of the parameters ({', '.join(self.parameters)}) or a "
                                      f"function ({', '.join(FUNCTIONS)}) at character {where}",
                                      f"the unknown name {text!r}")
            self.at += 1
            return Node("name", name=text)
        if self.peek() == "(":
            return self.parenthesised()
        self.fail("a number, a parameter or '('")
        raise AssertionError  # fail raised

    def parenthesised(self) -> Node:
        self.at += 1
        self.deeper()
        inner = self.sum()
        if self.peek() != ")":
            self.fail("')' or an operator")
        self.at += 1
        self.depth -= 1
        return inner


def parse(text: str, parameters, field: str = "objective") -> Node:
    """The tree of `text`, a function of `parameters` (names); ExpressionError naming the character
    of the first problem otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(field, "a function of the parameters, e.g. '(theta - 4)**2'",
                              "nothing" if not text else repr(text))
    if len(text) > MAX_LENGTH:
        raise ExpressionError(field, f"at most {MAX_LENGTH} characters", str(len(text)))
    return _Parser(text, tuple(parameters), field).whole()


def evaluate(tree: Node, values: dict):
    """The value of the tree with each parameter's value from `values` (floats, or NumPy arrays of
    one shape for many points at once), in float64. Outside a function's domain: nan or inf, as NumPy."""
    kind = tree.kind
    if kind == "number":
        return np.float64(tree.value)
    if kind == "name":
        return np.asarray(values[tree.name], dtype=np.float64)
    a = evaluate(tree.a, values)  # type: ignore[arg-type]
    if kind == "neg":
        return -a
    if tree.b is not None:
        b = evaluate(tree.b, values)
        with np.errstate(all="ignore"):
            return _BINARY[kind](a, b)
    with np.errstate(all="ignore"):
        return _UNARY[kind](a)


# NumPy's ufuncs, elementwise on grids too; a whole exponent of a negative base works ((-2)**3 = -8).
_BINARY: dict[str, Callable] = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "**": np.power}
_UNARY: dict[str, Callable] = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos,
                               "tanh": np.tanh, "abs": np.abs}


def derivative(tree: Node, name: str) -> Node:
    """∂tree/∂name as a tree, exact by the rules of calculus (then tidied: 0 and 1 terms dropped)."""
    d = derivative
    kind, a, b = tree.kind, tree.a, tree.b
    if kind == "number":
        return ZERO
    if kind == "name":
        return ONE if tree.name == name else ZERO
    assert a is not None
    da = d(a, name)
    if kind == "neg":
        return _neg(da)
    if kind in ("+", "-"):
        assert b is not None
        return _add(da, d(b, name)) if kind == "+" else _sub(da, d(b, name))
    if kind == "*":
        assert b is not None
        return _add(_mul(da, b), _mul(a, d(b, name)))
    if kind == "/":  # (a'b − ab') / b²
        assert b is not None
        return _div(_sub(_mul(da, b), _mul(a, d(b, name))), _pow(b, TWO))
    if kind == "**":
        assert b is not None
        db = d(b, name)
        if db == ZERO:  # a constant exponent c: c·a^(c−1)·a'
            return _mul(_mul(b, _pow(a, _sub(b, ONE))), da)
        # a^b · (b'·log a + b·a'/a)
        return _mul(tree, _add(_mul(db, Node("log", a)), _div(_mul(b, da), a)))
    inner = {"exp": lambda: tree, "log": lambda: _div(ONE, a), "sqrt": lambda: _div(ONE, _mul(TWO, tree)),
             "sin": lambda: Node("cos", a), "cos": lambda: _neg(Node("sin", a)),
             "tanh": lambda: _sub(ONE, _pow(tree, TWO)), "abs": lambda: _div(a, tree)}[kind]
    return _mul(inner(), da)


def _constant(node: Node) -> bool:
    return node.kind == "number"


def _fold(op: str, a: Node, b: Node) -> Node | None:
    if _constant(a) and _constant(b):
        with np.errstate(all="ignore"):
            value = float(evaluate(Node(op, a, b), {}))
        if np.isfinite(value):
            return number(value)
    return None


def _add(a: Node, b: Node) -> Node:
    if a == ZERO:
        return b
    if b == ZERO:
        return a
    if b.kind == "neg" and b.a is not None:
        return _sub(a, b.a)
    return _fold("+", a, b) or Node("+", a, b)


def _sub(a: Node, b: Node) -> Node:
    if b == ZERO:
        return a
    if a == ZERO:
        return _neg(b)
    return _fold("-", a, b) or Node("-", a, b)


def _neg(a: Node) -> Node:
    if _constant(a):
        return number(-a.value)
    if a.kind == "neg" and a.a is not None:
        return a.a
    return Node("neg", a)


def _mul(a: Node, b: Node) -> Node:
    if a == ZERO or b == ZERO:
        return ZERO
    if a == ONE:
        return b
    if b == ONE:
        return a
    if _constant(b) and not _constant(a):  # the number first: 2*theta, not theta*2
        a, b = b, a
    if a.kind == "neg" and a.a is not None:
        return _neg(_mul(a.a, b))
    if b.kind == "neg" and b.a is not None:
        return _neg(_mul(a, b.a))
    if _constant(a) and b.kind == "*" and b.a is not None and b.b is not None and _constant(b.a):
        return _mul(number(a.value * b.a.value), b.b)
    return _fold("*", a, b) or Node("*", a, b)


def _div(a: Node, b: Node) -> Node:
    if a == ZERO:
        return ZERO
    if b == ONE:
        return a
    return _fold("/", a, b) or Node("/", a, b)


def _pow(a: Node, b: Node) -> Node:
    if b == ONE:
        return a
    if b == ZERO:
        return ONE
    return _fold("**", a, b) or Node("**", a, b)


# How tightly each kind binds, for parentheses when written back: a sum loosest, a power tightest.
_BINDING = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3, "**": 4}


def text(tree: Node) -> str:
    """The tree written as an expression the parser reads back to the same tree: `2*(theta - 4)`."""
    kind = tree.kind
    if kind == "number":
        return _number_text(tree.value)
    if kind == "name":
        return tree.name
    assert tree.a is not None
    if kind in FUNCTIONS:
        return f"{kind}({text(tree.a)})"
    if kind == "neg":
        return "-" + _side(tree.a, 3, tight=True)
    assert tree.b is not None
    binding = _BINDING[kind]
    if kind == "**":  # right-associative: the base needs parentheses at its own level, the exponent not
        return f"{_side(tree.a, binding, tight=True)}**{_side(tree.b, binding - 1)}"
    spaced = f" {kind} " if binding == 1 else kind
    return f"{_side(tree.a, binding)}{spaced}{_side(tree.b, binding, tight=True)}"


def _side(node: Node, binding: int, tight: bool = False) -> str:
    inner = _BINDING.get(node.kind, 5)
    if node.kind == "number" and node.value < 0:
        inner = 3
    return f"({text(node)})" if inner < binding or (tight and inner == binding) else text(node)


def _number_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)
