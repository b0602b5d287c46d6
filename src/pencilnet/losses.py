"""Loss functions by name: one error term per output node, and ∂E/∂out."""

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Loss:
    name: str
    formula: str
    terms: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, target) -> E_k for each output
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]  # (out, target) -> ∂E/∂out_k
    term_arithmetic: str  # one term with its numbers written in; {t} target, {o} out, {n} outputs
    derivative_arithmetic: str


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
}
