"""Loss functions by name: one error term per output node, and ∂E/∂out.

`Loss.terms` and `Loss.derivative` take the outputs only, as a hand calculation does (pencil
arithmetic uses them on the rounded outputs). The cross-entropy losses have a logarithm of
out, and out loses its digits as it saturates (σ(40) rounds to 1, and 1 − out to 0), so in
exact arithmetic the engine computes them from the output layer's net instead:
`terms_from_net` with log σ(net) = −softplus(−net) and log softmax(net) = net − logsumexp(net),
and `output_dE_dnet` with ∂E/∂net in closed form. Then E, its derivative and finite
differences agree at any saturation.

The cross-entropy losses take logarithms of out and of 1 − out, so they are defined only
on outputs between 0 and 1: `PAIRS` says which output activations each loss accepts.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pencilnet.core.written import Fn, Frac, Half, Num, Op, Power, Sum, Var, paren

# Outputs are kept this far from 0 and 1 inside logarithms and divisions of the from-out forms:
# log(1e-15) ≈ −34.5, a large but finite error for a confidently wrong output.
EPSILON = 1e-15


@dataclass(frozen=True, eq=False)
class Loss:
    """One loss: its function and derivative, as tables write them (text, with the numbers written
    in), as documents write them (`core.written` tokens), and as the compiled loop computes ∂E/∂out
    (an expression of out, target and n_out, the outputs' count, with _clip as in `_clipped`)."""

    name: str
    formula: str
    terms: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, target) -> E_k for each output
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, target) -> ∂E/∂out_k
    term_arithmetic: str  # one term with its numbers written in; {t} target, {o} out, {n} outputs
    derivative_arithmetic: str
    words: str  # what a sentence calls it
    written_term: Callable[[tuple, tuple, int], tuple]  # (target, out, n) tokens -> E_k
    written_slope: Callable[[tuple, tuple, int], tuple]  # (target, out, n) tokens -> ∂E/∂out_k
    compiled_derivative: str
    logarithmic: bool = False  # takes ln(out): defined only on outputs between 0 and 1
    # ∂E/∂out as one NumPy ufunc of (out, target) writing into an array, where there is one
    # (the NumPy loop calls it without a Python call per update); else `derivative` is called.
    ufunc: str | None = None
    # The squared errors: documents write E = ½ Σ (t − o)² with this factor of n outputs before the sum.
    before_sum: Callable[[int], tuple] | None = None

    def written_total(self, outputs: int) -> tuple:
        """E = … over every output k, as a document's heading writes it."""
        t, o = (Var("target", "k"),), (Var("out", "k"),)
        if self.before_sum:
            return (Var("E"), Op("="), *self.before_sum(outputs), Sum("k"), *_squared(t, o))
        return (Var("E"), Op("="), Sum("k"), *self.written_term(t, o, outputs))


def _squared(t: tuple, o: tuple) -> tuple:
    return (Power(paren((*t, Op("−"), *o)), (Num("2"),)),)


def _clipped(out):
    return np.clip(out, EPSILON, 1.0 - EPSILON)


def _ln(x: tuple) -> tuple:
    return (Fn("ln"), *paren(x))


def _one_minus(x: tuple) -> tuple:
    return (Num("1"), Op("−"), *x)


LOSSES = {
    # The article's E = ½ Σ (target − out)²: the ½ cancels the 2 of the square's derivative.
    "half_sse": Loss("half_sse", "E = ½ Σ (target − out)²",
                     lambda out, t: 0.5 * (t - out) ** 2,
                     lambda out, t: out - t,
                     "½ × ({t} − {o})²", "{o} − {t}", "half the sum of squared errors",
                     lambda t, o, n: (Half(), *_squared(t, o)), lambda t, o, n: (*o, Op("−"), *t),
                     "out - target", ufunc="subtract", before_sum=lambda n: (Half(),)),
    "mse": Loss("mse", "E = (1/n) Σ (target − out)²",
                lambda out, t: (t - out) ** 2 / out.shape[-1],
                lambda out, t: 2.0 * (out - t) / out.shape[-1],
                "({t} − {o})² / {n}", "2 × ({o} − {t}) / {n}", "the mean squared error",
                lambda t, o, n: (Frac(_squared(t, o), (Num(str(n)),)),),
                lambda t, o, n: (Frac((Num("2"), Op("×"), *paren((*o, Op("−"), *t))), (Num(str(n)),)),),
                "2.0 * (out - target) / n_out", before_sum=lambda n: (Frac((Num("1"),), (Num(str(n)),)),)),
    # For softmax outputs: the targets are one probability distribution over the classes.
    "cross_entropy": Loss("cross_entropy", "E = −Σ target × ln(out)",
                          lambda out, t: -t * np.log(_clipped(out)),
                          lambda out, t: -t / _clipped(out),
                          "−({t} × ln({o}))", "−({t} / {o})", "the cross-entropy",
                          lambda t, o, n: (Op("−"), *t, Op("×"), *_ln(o)), lambda t, o, n: (Op("−"), Frac(t, o)),
                          "-target / _clip(out)", logarithmic=True),
    # For sigmoid outputs: each output is a yes/no probability of its own.
    "binary_cross_entropy": Loss(
        "binary_cross_entropy", "E = −Σ [target ln(out) + (1 − target) ln(1 − out)]",
        lambda out, t: -(t * np.log(_clipped(out)) + (1.0 - t) * np.log(_clipped(1.0 - out))),
        lambda out, t: (_clipped(out) - t) / (_clipped(out) * _clipped(1.0 - out)),
        "−[{t} ln({o}) + (1 − {t}) ln(1 − {o})]", "({o} − {t}) / ({o} (1 − {o}))", "the binary cross-entropy",
        lambda t, o, n: (Op("−"), Op("["), *t, *_ln(o), Op("+"), *paren(_one_minus(t)), *_ln(_one_minus(o)),
                         Op("]")),
        lambda t, o, n: (Frac((*o, Op("−"), *t), (*o, Op("×"), *paren(_one_minus(o)))),),
        "(_clip(out) - target) / (_clip(out) * _clip(1.0 - out))", logarithmic=True),
    # Not an error: the outputs themselves are what is differentiated (∂E/∂out = 1), as lecture
    # notes do that backpropagate a neuron's output f to its weights and inputs.
    "output": Loss("output", "E = Σ out (the outputs themselves are differentiated)",
                   lambda out, t: out * 1.0,
                   lambda out, t: np.ones_like(out),
                   "{o}", "1", "the outputs themselves", lambda t, o, n: o, lambda t, o, n: (Num("1"),), "1.0"),
}

# The output activations whose every output lies strictly between 0 and 1.
PROBABILITIES = ("sigmoid", "softmax")
# Which output activations each loss is defined on. The squared errors take any output; the
# cross-entropies only probabilities (on identity, relu or tanh outputs ln(out) is undefined).
PAIRS = {name: (PROBABILITIES if loss.logarithmic else None) for name, loss in LOSSES.items()}

# The training loop's ∂E/∂net of the output layer for the pairs where it is out − target: softmax
# with cross_entropy when the targets sum to 1 (the config refuses other targets for that pair,
# see `target_problem`), sigmoid with binary_cross_entropy always.
FUSED = {
    ("softmax", "cross_entropy"): lambda out, t: out - t,
    ("sigmoid", "binary_cross_entropy"): lambda out, t: out - t,
}


def pairing_problem(activation: str, loss: str) -> str | None:
    """Why `loss` cannot follow an output layer of `activation`, naming the pairs that work; None if it can."""
    accepted = PAIRS.get(loss)
    if accepted is None or activation in accepted:
        return None
    return (f"an output activation on which {loss} is defined ({' or '.join(accepted)}: it takes ln(out), "
            f"so every output must lie between 0 and 1; {activation} outputs can be 0, negative or above 1), "
            f"or loss half_sse or mse, which take any output")


def target_problem(activation: str, loss: str, targets) -> tuple[str, str] | None:
    """(expected, found) when these targets do not suit the pair, or None. softmax outputs are one probability
    distribution, so cross_entropy against it needs targets that are one too (summing to 1);
    several labels per sample are binary_cross_entropy's on sigmoid outputs."""
    targets = np.asarray(targets, dtype=np.float64)
    if activation != "softmax" or loss != "cross_entropy" or targets.size == 0:
        return None
    sums = targets.sum(axis=-1)
    bad = np.flatnonzero((np.abs(sums - 1.0) > 1e-9) | (targets < 0).any(axis=-1))
    if not len(bad):
        return None
    row = int(bad[0])
    return ("targets that are each a probability distribution (non-negative, summing to 1) for softmax with "
            "cross_entropy; for several labels per sample use sigmoid outputs with binary_cross_entropy",
            f"sample {row + 1}'s target {targets[row].tolist()} (summing to {sums[row]:.6g})"
            + (f" and {len(bad) - 1} more" if len(bad) > 1 else ""))


def log_out(activation: str, net) -> tuple[np.ndarray, np.ndarray]:
    """(ln out, ln(1 − out)) of a sigmoid or softmax layer, from its net, exact at any saturation."""
    net = np.asarray(net, dtype=np.float64)
    if activation == "sigmoid":  # ln σ(n) = −ln(1 + e^−n), ln(1 − σ(n)) = ln σ(−n) = −ln(1 + e^n)
        return -np.logaddexp(0.0, -net), -np.logaddexp(0.0, net)
    if activation != "softmax":
        raise ValueError(f"ln(out) from net: expected a sigmoid or softmax layer, found {activation}")
    # ln Σ e^net = top + ln(1 + Σ_{j≠top} e^(net_j − top)): log1p keeps the digits of a small sum,
    # so the largest output's ln p is −4.2e-18, not 0, when the others are 40 below it.
    shifted = net - np.max(net, axis=-1, keepdims=True)
    rest = np.exp(shifted)
    np.put_along_axis(rest, np.argmax(net, axis=-1)[..., None], 0.0, axis=-1)
    whole = np.log1p(rest.sum(axis=-1, keepdims=True))
    # ln(1 − p_k) = ln Σ_{j≠k} e^net_j − ln Σ_j e^net_j: the sum without k, never 1 − p_k.
    others = np.empty_like(net)
    for k in range(net.shape[-1]):
        without = np.delete(shifted, k, axis=-1)
        others[..., k] = np.logaddexp.reduce(without, axis=-1) if without.shape[-1] else -np.inf
    return shifted - whole, others - whole


def _times(t, log_value):
    """t × ln(value) with 0 × ln(0) = 0: a target of 0 takes nothing from a saturated output."""
    with np.errstate(invalid="ignore"):
        return np.where(t != 0, t * log_value, 0.0)


def from_net(loss: str, activation: str | None) -> bool:
    """Whether, in exact arithmetic, E of this output layer is taken from its net (`terms_from_net`)."""
    return LOSSES[loss].logarithmic and activation in PROBABILITIES


def terms_from_net(loss: str, activation: str | None, net, out, target) -> np.ndarray:
    """E_k for each output (one sample, or a batch with one row per sample). The cross-entropies
    on sigmoid or softmax outputs come from net, exact at any saturation; every other pair is
    `LOSSES[loss].terms(out, target)`."""
    t = np.asarray(target, dtype=np.float64)
    if activation is None or not from_net(loss, activation):  # None: from the outputs, as by hand
        return LOSSES[loss].terms(np.asarray(out, dtype=np.float64), t)
    log_p, log_q = log_out(activation, net)
    if loss == "cross_entropy":
        return -_times(t, log_p)
    return -(_times(t, log_p) + _times(1.0 - t, log_q))


def dE_dout_from_net(loss: str, activation: str | None, net, out, target) -> np.ndarray:
    """∂E/∂out_k, for the cross-entropies from net: 1/out = e^(−ln out) keeps its digits when out
    underflows below 1e-15 (and is infinite only once out rounds to 0, beyond net = −745)."""
    t = np.asarray(target, dtype=np.float64)
    if not LOSSES[loss].logarithmic or activation not in PROBABILITIES:
        return LOSSES[loss].derivative(np.asarray(out, dtype=np.float64), t)
    log_p, log_q = log_out(activation, net)
    with np.errstate(over="ignore"):
        found = -_times(t, np.exp(-log_p))
        if loss == "binary_cross_entropy":
            found = found + _times(1.0 - t, np.exp(-log_q))
    return found


def sigmoid_minus(net: np.ndarray, t: np.ndarray) -> np.ndarray:
    """σ(net) − t, binary_cross_entropy's ∂E/∂net on sigmoid outputs, from net: written as
    (1 − t) σ(net) − t σ(−net), it keeps the digits out − t loses once out rounds to 1
    (net 39.1, target 1: −1.0e-17, where 1.0 − 1 is 0). With e = e^−|net| nothing overflows."""
    e = np.exp(-np.abs(net))
    return np.where(net >= 0, ((1.0 - t) - t * e) / (1.0 + e), ((1.0 - t) * e - t) / (1.0 + e))


def output_dE_dnet(loss: str, activation: str, net, out, target) -> np.ndarray | None:
    """∂E/∂net of the output layer in closed form, where the product ∂E/∂out × ∂out/∂net would
    lose digits or divide by a saturated output; None where that product is exact (the squared
    errors). `net` None (pencil arithmetic, from the rounded outputs): only the out − target forms
    of `FUSED`; otherwise None, and the product is taken as a hand calculation takes it."""
    if not LOSSES[loss].logarithmic or activation not in PROBABILITIES:
        return None
    if net is None and (activation, loss) not in FUSED:
        return None  # by hand: the product of the rounded ∂E/∂out and ∂out/∂net, as written
    out, t = np.asarray(out, dtype=np.float64), np.asarray(target, dtype=np.float64)
    if activation == "sigmoid":
        if loss == "binary_cross_entropy":
            return out - t if net is None else sigmoid_minus(np.asarray(net, dtype=np.float64), t)
        # E = −t ln σ(net): ∂E/∂net = −t (1 − σ(net)) = −t σ(−net)
        with np.errstate(over="ignore"):
            return -t / (1.0 + np.exp(np.asarray(net, dtype=np.float64)))
    total = t.sum(axis=-1, keepdims=True)
    if loss == "cross_entropy":
        # E = −Σ t_j ln p_j with ln p_j = net_j − ln Σ e^net: ∂E/∂net_k = p_k Σ_j t_j − t_k,
        # which is p_k − t_k only when the targets sum to 1.
        return out * total - t
    # binary_cross_entropy on softmax: with g_j = ∂E/∂p_j = −t_j / p_j + (1 − t_j) / (1 − p_j) and the
    # softmax Jacobian p_k (δ_jk − p_j), ∂E/∂net_k = Σ_j g_j p_j (δ_jk − p_k), written so that nothing
    # cancels: −t_k (1 − p_k) + (1 − t_k) p_k + p_k Σ_{j≠k} t_j − Σ_{j≠k} (1 − t_j) p_k p_j / (1 − p_j).
    # Each p_k p_j / (1 − p_j) is at most p_j (p_k ≤ 1 − p_j), taken from logs so that it stays exact.
    log_p, log_q = log_out(activation, net)
    rest = np.exp(log_q)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        cross = np.exp(log_p[..., :, None] + (log_p - log_q)[..., None, :])  # [k, j] = p_k p_j / (1 − p_j)
        cross = np.where(np.eye(out.shape[-1], dtype=bool), 0.0, np.nan_to_num(cross) * (1.0 - t)[..., None, :])
    return -t * rest + (1.0 - t) * out + out * (total - t) - cross.sum(axis=-1)
