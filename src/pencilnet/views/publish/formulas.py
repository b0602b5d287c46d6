"""Activations and losses written out as tokens: a layer's formula, its value at a number, its slope.

One function per thing written (an activation applied, its general formula, its slope in terms
of out; a loss term, its slope, the whole loss), each taking names or numbers as tokens.
"""

from pencilnet.views.publish.math import Fn, Frac, Half, Num, Op, Power, Sum, Var, paren, plus, times


def activation_of(name: str, net_value: tuple, nets: list | None = None) -> tuple:
    """The activation applied to `net_value`; softmax needs every net of its layer, `nets`."""
    if name == "sigmoid":
        return (Frac((Num("1"),), (Num("1"), Op("+"), Power((Var("e"),), (Op("−"), *net_value)))),)
    if name == "tanh":
        return (Fn("tanh"), *paren(net_value))
    if name == "relu":
        return (Fn("max"), Op("("), Num("0"), Op(","), *net_value, Op(")"))
    if name == "identity":
        return net_value
    if name == "softmax":
        return (Frac((Power((Var("e"),), net_value),), plus([(Power((Var("e"),), n),) for n in nets or ()])),)
    raise ValueError(f"no written form for the activation {name!r}")


def activation_formula(name: str) -> tuple:
    """out = f(net) in general, for the layer's heading."""
    symbol = (Fn("σ"),) if name == "sigmoid" else ()
    if name == "softmax":
        return (Var("out", "k"), Op("="), Frac((Power((Var("e"),), (Var("net", "k"),)),),
                                                  (Sum("j"), Power((Var("e"),), (Var("net", "j"),)))))
    body = activation_of(name, (Var("net"),))
    return (Var("out"), Op("="), *((*symbol, *paren((Var("net"),)), Op("=")) if symbol else ()), *body)


def slope(name: str, o: tuple) -> tuple:
    """∂out/∂net in terms of out (`o`: a name or a number)."""
    if name in ("sigmoid", "softmax"):
        return times(o, paren((Num("1"), Op("−"), *o)))
    if name == "tanh":
        return (Num("1"), Op("−"), Power(o, (Num("2"),)))
    if name == "relu":
        return (Op("["), *o, Op(">"), Num("0"), Op("]"))
    if name == "identity":
        return (Num("1"),)
    raise ValueError(f"no written form for the activation {name!r}")


def loss_term(loss: str, t: tuple, o: tuple, n: int) -> tuple:
    """One output's error term with `t` the target and `o` the output (names or numbers)."""
    if loss == "half_sse":
        return (Half(), Power(paren((*t, Op("−"), *o)), (Num("2"),)))
    if loss == "mse":
        return (Frac((Power(paren((*t, Op("−"), *o)), (Num("2"),)),), (Num(str(n)),)),)
    if loss == "cross_entropy":
        return (Op("−"), *t, Op("×"), Fn("ln"), *paren(o))
    if loss == "binary_cross_entropy":
        return (Op("−"), Op("["), *t, Fn("ln"), *paren(o), Op("+"), *paren((Num("1"), Op("−"), *t)),
                Fn("ln"), *paren((Num("1"), Op("−"), *o)), Op("]"))
    raise ValueError(f"no written form for the loss {loss!r}")


def loss_slope(loss: str, t: tuple, o: tuple, n: int) -> tuple:
    """∂E/∂out of one output."""
    if loss == "half_sse":
        return (*o, Op("−"), *t)
    if loss == "mse":
        return (Frac((Num("2"), Op("×"), *paren((*o, Op("−"), *t))), (Num(str(n)),)),)
    if loss == "cross_entropy":
        return (Op("−"), Frac(t, o))
    if loss == "binary_cross_entropy":
        return (Frac((*o, Op("−"), *t), (*o, Op("×"), *paren((Num("1"), Op("−"), *o)))),)
    raise ValueError(f"no written form for the loss {loss!r}")


LOSS_NAMES = {"half_sse": "half the sum of squared errors", "mse": "the mean squared error",
              "cross_entropy": "the cross-entropy", "binary_cross_entropy": "the binary cross-entropy"}


def loss_formula(loss: str, outputs: int) -> tuple:
    t, o = (Var("target", "k"),), (Var("out", "k"),)
    if loss == "mse":
        return (Var("E"), Op("="), Frac((Num("1"),), (Num(str(outputs)),)), Sum("k"),
                Power(paren((*t, Op("−"), *o)), (Num("2"),)))
    if loss == "half_sse":
        return (Var("E"), Op("="), Half(), Sum("k"), Power(paren((*t, Op("−"), *o)), (Num("2"),)))
    return (Var("E"), Op("="), Sum("k"), *loss_term(loss, t, o, outputs))
