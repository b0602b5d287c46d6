"""Loss functions by name: one error term per output node, and ∂E/∂out.

A few (output activation, loss) pairs have a simple, numerically safe ∂E/∂net, out − target,
which avoids dividing by an output that has saturated at 0 or 1: `FUSED` lists them.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

# Outputs are kept this far from 0 and 1 inside logarithms and divisions: log(1e-15) ≈ −34.5,
# a large but finite error for a confidently wrong output.
EPSILON = 1e-15


@dataclass(frozen=True, eq=False)
class Loss:
    name: str
    formula: str
    terms: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, target) -> E_k for each output
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, target) -> ∂E/∂out_k
    term_arithmetic: str  # one term with its numbers written in; {t} target, {o} out, {n} outputs
    derivative_arithmetic: str


def _clipped(out):
    return np.clip(out, EPSILON, 1.0 - EPSILON)


LOSSES = {
    # The article's E = ½ Σ (target − out)²: the ½ cancels the 2 of the square's derivative.
    "half_sse": Loss("half_sse", "E = ½ Σ (target − out)²",
                     lambda out, t: 0.5 * (t - out) ** 2,
                     lambda out, t: out - t,
                     "½ × ({t} − {o})²", "{o} − {t}"),
    "mse": Loss("mse", "E = (1/n) Σ (target − out)²",
                lambda out, t: (t - out) ** 2 / out.shape[-1],
                lambda out, t: 2.0 * (out - t) / out.shape[-1],
                "({t} − {o})² / {n}", "2 × ({o} − {t}) / {n}"),
    # For softmax outputs: the targets are one probability distribution over the classes.
    "cross_entropy": Loss("cross_entropy", "E = −Σ target × ln(out)",
                          lambda out, t: -t * np.log(_clipped(out)),
                          lambda out, t: -t / _clipped(out),
                          "−{t} × ln({o})", "−{t} / {o}"),
    # For sigmoid outputs: each output is a yes/no probability of its own.
    "binary_cross_entropy": Loss(
        "binary_cross_entropy", "E = −Σ [target ln(out) + (1 − target) ln(1 − out)]",
        lambda out, t: -(t * np.log(_clipped(out)) + (1.0 - t) * np.log(_clipped(1.0 - out))),
        lambda out, t: (_clipped(out) - t) / (_clipped(out) * _clipped(1.0 - out)),
        "−[{t} ln({o}) + (1 − {t}) ln(1 − {o})]", "({o} − {t}) / ({o} (1 − {o}))"),
    # Not an error: the outputs themselves are what is differentiated (∂E/∂out = 1), as lecture
    # notes do that backpropagate a neuron's output f to its weights and inputs.
    "output": Loss("output", "E = Σ out (the outputs themselves are differentiated)",
                   lambda out, t: out * 1.0,
                   lambda out, t: np.ones_like(out),
                   "{o}", "1"),
}

FUSED = {
    ("softmax", "cross_entropy"): lambda out, t: out - t,
    ("sigmoid", "binary_cross_entropy"): lambda out, t: out - t,
}
