"""The expression of a function instead of a network: parsed (never run as Python), written
back, and differentiated exactly; every problem one line naming its character."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pencilnet.core.expression import MAX_DEPTH, ExpressionError, derivative, evaluate, parse, text

ROSENBROCK = "(1 - x)**2 + 100*(y - x**2)**2"


def value(source: str, names, **at) -> float:
    return float(evaluate(parse(source, names), at))


def slope(source: str, names, name: str, **at) -> float:
    return float(evaluate(derivative(parse(source, names), name), at))


def test_precedence_as_written_by_hand():
    assert value("1 + 2*3", ()) == 7
    assert value("2**3**2", ()) == 512  # right-associative: 2**9
    assert value("-2**2", ()) == -4  # the power binds tighter than the sign
    assert value("2^-1", ()) == 0.5
    assert value("(1 - 4)/2*3", ()) == -4.5  # left to right
    assert value("abs(-3) + sqrt(16) + exp(0) + log(1) + sin(0) + cos(0) + tanh(0)", ()) == 9


def test_quadratic_derivative_by_hand():
    # f = (θ − 4)²: ∂f/∂θ = 2(θ − 4) = 12 at θ = 10
    assert text(derivative(parse("(theta - 4)**2", ["theta"]), "theta")) == "2*(theta - 4)"
    assert slope("(theta - 4)**2", ["theta"], "theta", theta=10) == 12


def test_rosenbrock_gradient_at_minus_one_two_by_hand():
    # ∂f/∂x = −2(1 − x) − 400x(y − x²) = −2·2 − 400·(−1)·(2 − 1) = −4 + 400 = 396
    # ∂f/∂y = 200(y − x²) = 200·1 = 200;  f = 2² + 100·1² = 104
    assert slope(ROSENBROCK, "xy", "x", x=-1, y=2) == 396
    assert slope(ROSENBROCK, "xy", "y", x=-1, y=2) == 200
    assert value(ROSENBROCK, "xy", x=-1, y=2) == 104


def test_never_python():
    # __import__ is no parameter and no function: refused, never looked up
    with pytest.raises(ExpressionError, match="at character 1, found the unknown name '__import__'"):
        parse("__import__(os)", ["x"])


@pytest.mark.parametrize(("source", "message"), [
    ("(theta - 4) * * 2", "objective: expected a number, a parameter or '(' at character 15, found '*'"),
    ("theta + * 2", "objective: expected a number, a parameter or '(' at character 9, found '*'"),
    ("(theta - 4", "objective: expected ')' or an operator at character 11, found the end"),
    ("thetaa**2", "objective: expected one of the parameters (theta) or a function (exp, log, sqrt, sin, cos, "
                  "tanh, abs) at character 1, found the unknown name 'thetaa'"),
    ("exp theta", "objective: expected '(' after exp at character 5, found 'theta'"),
    ("2 theta", "objective: expected an operator (+ - * / ** ^) or the end at character 3, found 'theta'"),
    ("theta $ 2", "objective: expected a number, a parameter, an operator or a parenthesis at character 7, "
                  "found '$'"),
    ("", "objective: expected a function of the parameters, e.g. '(theta - 4)**2', found nothing"),
])
def test_a_problem_is_one_line_naming_its_character(source, message):
    with pytest.raises(ExpressionError) as raised:
        parse(source, ["theta"])
    assert str(raised.value) == message


def test_length_and_nesting_are_bounded_before_parsing():
    with pytest.raises(ExpressionError, match="at most 1000 characters, found 1001"):
        parse("x" + "+x" * 500, ["x"])
    with pytest.raises(ExpressionError, match=f"at most {MAX_DEPTH} nested"):
        parse("(" * 450 + "x" + ")" * 450, ["x"])
    with pytest.raises(ExpressionError, match=f"at most {MAX_DEPTH} nested"):
        parse("-" * 900 + "x", ["x"])


NAMES = ("a", "b")
leaves = st.one_of(st.sampled_from(NAMES), st.integers(-3, 3).map(str), st.sampled_from(["0.5", "1.5"]))


def _combine(children):
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda p: f"({p[0]} + {p[1]})"), pair.map(lambda p: f"({p[0]} - {p[1]})"),
        pair.map(lambda p: f"({p[0]} * {p[1]})"), pair.map(lambda p: f"({p[0]}) / (2 + ({p[1]})**2)"),
        children.map(lambda c: f"-({c})"), children.map(lambda c: f"({c})**2"), children.map(lambda c: f"({c})^3"),
        st.sampled_from(["sin", "cos", "tanh"]).flatmap(lambda f: children.map(lambda c: f"{f}({c})")),
        children.map(lambda c: f"exp(tanh({c}))"), children.map(lambda c: f"sqrt(1 + ({c})**2)"),
        children.map(lambda c: f"log(2 + sin({c}))"))


expressions = st.recursive(leaves, _combine, max_leaves=6)


@given(expressions, st.floats(-1, 1), st.floats(-1, 1))
def test_derivatives_agree_with_finite_differences(source, a, b):
    tree = parse(source, NAMES)
    assert parse(text(tree), NAMES) == tree  # written back, it reads as the same tree
    at = {"a": a, "b": b}
    for name in NAMES:
        exact = float(evaluate(derivative(tree, name), at))
        h = 1e-6
        up, down = dict(at), dict(at)
        up[name] += h
        down[name] -= h
        numeric = (float(evaluate(tree, up)) - float(evaluate(tree, down))) / (2 * h)
        scale = max(1.0, abs(exact), abs(float(evaluate(tree, at))))
        assert math.isclose(exact, numeric, rel_tol=1e-5, abs_tol=1e-5 * scale), (source, name, exact, numeric)


def test_evaluates_on_grids_for_pictures():
    x, y = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(0, 2, 3))
    assert evaluate(parse(ROSENBROCK, "xy"), {"x": x, "y": y}).shape == (3, 3)
