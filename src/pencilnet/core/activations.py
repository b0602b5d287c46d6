"""Activation functions: one row each, holding everything about it.

A row has the function and its derivative, written in terms of the activation's output as the
article does (∂out/∂net = out (1 − out) for the sigmoid), so backprop needs only the forward
trace; the formulas as tables write them (text) and as documents write them (`core.written`
tokens); the training loop's in-place NumPy statements; and the compiled loop's numba source.
Every other form is derived from the row: `apply` and `scale` are its statements compiled, the
NumPy loop writes the statements into its update function, the compiled loop generates its
kernels from the numba source. Adding an activation is adding a row (and its tests).

An activation with settings (leaky_relu's slope) is named with them when they are not the
defaults: "leaky_relu(slope=0.2)"; `activation_of` gives the row for such a name.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np

from pencilnet.core.written import Fn, Frac, Num, Op, Power, Sum, Var, exp, number, paren, plus, times

# The NumPy functions the in-place statements may call, by the names they are written with.
IN_PLACE_NAMES = {name: getattr(np, name) for name in (
    "add", "subtract", "multiply", "divide", "negative", "reciprocal", "exp", "expm1", "logaddexp", "tanh",
    "maximum", "greater", "less", "less_equal", "max", "sum")}


@dataclass(frozen=True, eq=False)
class Activation:
    name: str  # as a config writes it, with its settings where they are not the defaults
    symbol: str  # how tables write it: out = σ(net)
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]  # ∂out/∂net from out
    derivative_formula: str  # in terms of out
    derivative_arithmetic: str  # the same with the number written in: "{o} × (1 − {o})"
    written: Callable[..., tuple]  # (net tokens, every net of the layer for softmax) -> f(net) as tokens
    written_slope: Callable[[tuple], tuple]  # (out tokens) -> ∂out/∂net as tokens
    # In place, for the training loop: `apply` statements turn {net} into out; `scale` statements
    # turn {grad} (∂E/∂out) into ∂E/∂net from {out}, with {spare}, an array of its shape, as
    # scratch. Operation for operation the arithmetic of `function` and `derivative`, so the
    # numbers are the same to the last bit. New arrays for a whole batch cost more than the
    # arithmetic on them (fresh memory must be mapped), and for one sample each call counts.
    apply_statements: tuple[str, ...]
    scale_statements: tuple[str, ...]
    # The compiled loop's forms (numba): an expression of x, one net (out = …), and one of o, one
    # out (∂out/∂net = …); or, where outputs are coupled, a block over values[at:at + size] and
    # grads[:size]; "" where there is nothing to do. Settings are variables of their names.
    compiled_out: str
    compiled_slope: str
    # Softmax couples its outputs: each net moves every out, so ∂E/∂net_k = Σ_j ∂E/∂out_j ∂out_j/∂net_k
    # and `derivative` is only the diagonal ∂out_k/∂net_k of that Jacobian.
    coupled: bool = False
    named: bool = False  # documents write out = σ(net) = … (the name, then the formula)
    settings: dict[str, float] = field(default_factory=dict)  # as given or the defaults
    family: str = ""  # the row's name without settings
    make: Callable[..., "Activation"] | None = None  # the row with other settings
    check: Callable[[str, float], str | None] | None = None  # what a setting must be, None if it is

    @property
    def apply(self) -> Callable[[np.ndarray], None]:
        """net -> out, in place."""
        return _compiled("net", self.apply_statements, (("net", "net"),))

    @property
    def scale(self) -> Callable[[np.ndarray, np.ndarray, np.ndarray], None]:
        """(out, ∂E/∂out, spare): ∂E/∂out -> ∂E/∂net, in place."""
        names = (("out", "out"), ("grad", "grad"), ("spare", "spare"))
        return _compiled("out, grad, spare", self.scale_statements, names)

    def backward(self, out: np.ndarray, dE_dout: np.ndarray) -> np.ndarray:
        """∂E/∂net from ∂E/∂out, for one sample (1-D) or a batch (one row per sample)."""
        if self.coupled:  # the softmax Jacobian is diag(out) − out outᵀ
            return out * (dE_dout - np.sum(dE_dout * out, axis=-1, keepdims=True))
        return dE_dout * self.derivative(out)

    def heading(self) -> tuple:
        """out = f(net) in general, as a document's layer heading writes it."""
        if self.coupled:
            return (Var("out", "k"), Op("="), Frac((exp((Var("net", "k"),)),), (Sum("j"), exp((Var("net", "j"),)))))
        named = (Fn(self.symbol), *paren((Var("net"),)), Op("=")) if self.named else ()
        return (Var("out"), Op("="), *named, *self.written((Var("net"),)))


@lru_cache(maxsize=64)
def _compiled(parameters: str, statements: tuple[str, ...], names: tuple[tuple[str, str], ...]) -> Callable:
    """A function of `parameters` running `statements` (their placeholders filled from `names`)."""
    body = [line.format(**dict(names)) for line in statements] or ["pass"]
    found: dict = dict(IN_PLACE_NAMES)
    exec(compile(f"def run({parameters}):\n" + "".join(f"    {line}\n" for line in body), "<in place>", "exec"), found)
    return found["run"]


def _with(statements: tuple[str, ...], settings: dict[str, float]) -> tuple[str, ...]:
    """The statements with each setting's value written in ({slope} -> 0.2)."""
    found = []
    for line in statements:
        for name, value in settings.items():
            line = line.replace("{" + name + "}", repr(float(value)))
        found.append(line)
    return tuple(found)


def _sigmoid(net):
    # exp overflows to inf for net < -709 (1 / (1 + inf) is the correct limit 0) and
    # underflows to 0 for net > 745 (giving 1): both are the right answer, not a fault.
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-net))


def _softmax(net):
    # Shifting by the largest net changes nothing mathematically and keeps exp from overflowing.
    shifted = np.exp(net - np.max(net, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


def _softmax_written(net, nets=None):
    return (Frac((exp(net),), plus([(exp(n),) for n in nets or [net]])),)


SOFTMAX_OUT = """largest = values[at]
for j in range(at, at + size):
    largest = max(largest, values[j])
total = 0.0
for j in range(at, at + size):
    values[j] = np.exp(values[j] - largest)
    total += values[j]
for j in range(at, at + size):
    values[j] /= total"""
SOFTMAX_SLOPE = """total = 0.0
for j in range(size):
    total += grads[j] * values[at + j]
for j in range(size):
    grads[j] = (grads[j] - total) * values[at + j]"""  # the softmax Jacobian: out (g − Σ g out)


def _non_negative(name: str, value: float) -> str | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value) and value >= 0
    return None if ok else "a finite number of at least 0"


def _leaky_relu(slope: float = 0.01) -> Activation:
    # out = net for net > 0, slope × net below (torch's LeakyReLU, ONNX's LeakyRelu alpha). With a
    # slope of at least 0 out keeps net's sign, so ∂out/∂net is 1 for out > 0 and the slope else.
    s = float(slope)
    bound = (Fn("max") if s <= 1 else Fn("min"),)
    return Activation(
        "leaky_relu" if s == 0.01 else f"leaky_relu(slope={s!r})", "leaky_relu",
        lambda net: np.where(net < 0.0, net * s, net), lambda out: np.where(out <= 0.0, s, 1.0),
        f"1 if out > 0 else {s:g}", f"1 if {{o}} > 0 else {s:g}",
        lambda net, nets=None: (*bound, Op("("), number(s), Op("×"), *net, Op(","), *net, Op(")")),
        lambda o: (Op("["), *o, Op(">"), Num("0"), Op("]"), Op("+"), number(s), Op("×"), Op("["), *o, Op("≤"),
                   Num("0"), Op("]")),
        _with(("multiply({net}, {slope}, out={net}, where=less({net}, 0.0))",), {"slope": s}),
        _with(("multiply({grad}, {slope}, out={grad}, where=less_equal({out}, 0.0))",), {"slope": s}),
        "x * slope if x < 0.0 else x", "slope if o <= 0.0 else 1.0",
        settings={"slope": s}, family="leaky_relu", make=_leaky_relu, check=_non_negative)


ROWS = (
    Activation("sigmoid", "σ", _sigmoid, lambda out: out * (1.0 - out), "out (1 − out)", "{o} × (1 − {o})",
               lambda net, nets=None: (Frac((Num("1"),), (Num("1"), Op("+"), exp((Op("−"), *net)))),),
               lambda o: times(o, paren((Num("1"), Op("−"), *o))),
               ("negative({net}, out={net})", "exp({net}, out={net})", "add({net}, 1.0, out={net})",
                "reciprocal({net}, out={net})"),
               ("subtract(1.0, {out}, out={spare})", "multiply({spare}, {out}, out={spare})",
                "multiply({grad}, {spare}, out={grad})"),
               "1.0 / (1.0 + np.exp(-x))", "(1.0 - o) * o", named=True),
    Activation("tanh", "tanh", np.tanh, lambda out: 1.0 - out * out, "1 − out²", "1 − {o}²",
               lambda net, nets=None: (Fn("tanh"), *paren(net)),
               lambda o: (Num("1"), Op("−"), Power(o, (Num("2"),))),
               ("tanh({net}, out={net})",),
               ("multiply({out}, {out}, out={spare})", "subtract(1.0, {spare}, out={spare})",
                "multiply({grad}, {spare}, out={grad})"),
               "np.tanh(x)", "1.0 - o * o"),
    Activation("relu", "relu", lambda net: np.maximum(net, 0.0), lambda out: (out > 0.0).astype(float),
               "1 if out > 0 else 0", "[{o} > 0]",
               lambda net, nets=None: (Fn("max"), Op("("), Num("0"), Op(","), *net, Op(")")),
               lambda o: (Op("["), *o, Op(">"), Num("0"), Op("]")),
               ("maximum({net}, 0.0, out={net})",),
               ("greater({out}, 0.0, out={spare})", "multiply({grad}, {spare}, out={grad})"),
               "max(x, 0.0)", "1.0 if o > 0.0 else 0.0"),
    Activation("identity", "id", lambda net: net + 0.0, lambda out: np.ones_like(out), "1", "1",
               lambda net, nets=None: net, lambda o: (Num("1"),), (), (), "", ""),
    Activation("softmax", "softmax", _softmax, lambda out: out * (1.0 - out), "out (1 − out) on the diagonal",
               "{o} × (1 − {o})", _softmax_written, lambda o: times(o, paren((Num("1"), Op("−"), *o))),
               ("subtract({net}, max({net}, axis=-1, keepdims=True), out={net})", "exp({net}, out={net})",
                "divide({net}, sum({net}, axis=-1, keepdims=True), out={net})"),
               ("multiply({grad}, {out}, out={spare})", "subtract({grad}, sum({spare}, axis=-1, keepdims=True), "
                "out={grad})", "multiply({grad}, {out}, out={grad})"),
               SOFTMAX_OUT, SOFTMAX_SLOPE, coupled=True),
    _leaky_relu(),
    # softplus: out = ln(1 + e^net), a smooth relu; ∂out/∂net = σ(net) = 1 − e^(−out).
    Activation("softplus", "softplus", lambda net: np.logaddexp(0.0, net), lambda out: -np.expm1(-out),
               "1 − e^(−out)", "1 − e^(−{o})",
               lambda net, nets=None: (Fn("ln"), *paren((Num("1"), Op("+"), exp(net)))),
               lambda o: (Num("1"), Op("−"), exp((Op("−"), *o))),
               ("logaddexp(0.0, {net}, out={net})",),
               ("negative({out}, out={spare})", "expm1({spare}, out={spare})", "negative({spare}, out={spare})",
                "multiply({grad}, {spare}, out={grad})"),
               "np.logaddexp(0.0, x)", "-np.expm1(-o)"),
)

ACTIVATIONS = {row.name: replace(row, family=row.family or row.name) for row in ROWS}


def written_name(family: str, settings: dict[str, float]) -> str:
    """The name of `family` with `settings` (those that differ from its defaults): "leaky_relu(slope=0.2)"."""
    make = ACTIVATIONS[family].make
    return make(**settings).name if settings and make else family


def activation_of(name: str) -> Activation:
    """The row of an activation named as a config writes it ("sigmoid", "leaky_relu(slope=0.2)");
    ValueError (saying what was expected) for any other name."""
    return ACTIVATIONS[name] if name in ACTIVATIONS else _with_settings(name)


@lru_cache(maxsize=256)
def _with_settings(name: str) -> Activation:
    match = re.fullmatch(r"(\w+)\((.*)\)", name)
    row = ACTIVATIONS.get(match.group(1)) if match else None
    if match is None or row is None or row.make is None:
        raise ValueError(f"one of {', '.join(ACTIVATIONS)}, or one with its settings such as leaky_relu(slope=0.2)")
    settings = {}
    for part in match.group(2).split(","):
        key, _, value = part.partition("=")
        key = key.strip()
        try:
            settings[key] = float(value)
        except ValueError:
            raise ValueError(f"{row.name}'s settings as numbers, such as {row.name}(slope=0.2)") from None
        problem = (row.check(key, settings[key]) if key in row.settings and row.check else
                   None if key in row.settings else f"only the settings {', '.join(row.settings)}")
        if problem:
            raise ValueError(f"{row.name}: {key}: {problem}")
    return replace(row.make(**settings), family=row.name)
