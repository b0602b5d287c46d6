"""Standardising input features: (raw − offset) / scale per feature, fitted on the training data.

`zscore`: the offset is the feature's mean and the scale its standard deviation (ddof 0, as
scikit-learn's StandardScaler); `minmax`: its smallest value and its range, so the training data
spans 0 to 1 (MinMaxScaler). A feature that never varies keeps a scale of 1.

The fit cannot overflow: each feature is first divided by a power of two near its largest
magnitude, which is exact (so ordinary data gives the very same numbers as a direct fit), and the
mean and deviation are taken of values no larger than 2. A feature whose range itself is past
a float's (from −1e308 to 1e308) cannot be standardised at all, and is refused by name.
"""

from dataclasses import dataclass

import numpy as np

from pencilnet.core.errors import InputError

METHODS = ("zscore", "minmax")


@dataclass(frozen=True, eq=False)
class Scaling:
    """Each input feature as (raw − offset) / scale. A saved config stores the fitted numbers, so
    `predict` scales raw inputs exactly as training did."""

    method: str
    offset: np.ndarray
    scale: np.ndarray

    METHODS = METHODS

    @staticmethod
    def valid(spec) -> bool:
        if spec in METHODS:
            return True
        return (isinstance(spec, dict) and set(spec) == {"method", "offset", "scale"}
                and spec["method"] in METHODS
                and all(isinstance(spec[key], list) and spec[key]
                        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v)
                                for v in spec[key]) for key in ("offset", "scale"))
                and len(spec["offset"]) == len(spec["scale"]) and all(v > 0 for v in spec["scale"]))

    @staticmethod
    def of(spec, inputs: np.ndarray, where: str, names: list[str] | None = None) -> "Scaling":
        """The scaling `spec` names, fitted to `inputs` (whose columns are `names`); or the one a
        saved config spelled out."""
        if isinstance(spec, dict):
            found = Scaling(spec["method"], np.array(spec["offset"], dtype=np.float64),
                            np.array(spec["scale"], dtype=np.float64))
            if found.offset.size != inputs.shape[1]:
                raise InputError(f"{where}: expected {inputs.shape[1]} offsets and scales, one per feature, "
                                 f"found {found.offset.size}")
            return found
        return fit(spec, inputs, where, names)

    def apply(self, inputs) -> np.ndarray:
        """Raw inputs scaled; a value that would scale past a float's range is refused by feature."""
        with np.errstate(over="ignore", invalid="ignore"):
            scaled = (np.asarray(inputs, dtype=np.float64) - self.offset) / self.scale
        if not np.isfinite(scaled).all():
            row, column = (int(i) for i in np.argwhere(~np.isfinite(scaled))[0])
            raw = np.atleast_2d(inputs)[row][column]
            raise InputError(f"sample {row + 1}: input x{column + 1}: expected a value the {self.method} "
                             f"standardisation (offset {self.offset[column]:.6g}, scale {self.scale[column]:.6g}) "
                             f"keeps finite, found {raw}")
        return scaled

    def as_yaml(self) -> dict:
        return {"method": self.method, "offset": self.offset.tolist(), "scale": self.scale.tolist()}


def fit(method: str, inputs: np.ndarray, where: str, names: list[str] | None = None) -> Scaling:
    """`method` fitted to the columns of `inputs`, without overflow (see the module's note)."""
    inputs = np.asarray(inputs, dtype=np.float64)
    low, high = inputs.min(axis=0), inputs.max(axis=0)
    with np.errstate(over="ignore"):
        spread = high - low
    if not np.isfinite(spread).all():
        column = int(np.argmin(np.isfinite(spread)))
        name = names[column] if names is not None else f"x{column + 1}"
        raise InputError(f"{where}: column {name!r}: expected features whose range fits in a float (to about "
                         f"1.8e308) to standardise, found {low[column]:g} to {high[column]:g}")
    if method == "minmax":
        offset, scale = low, spread
    else:
        # 2**(e − 1) with largest magnitude = m × 2**e, 0.5 ≤ m < 1: every unit value is below 2 in size
        largest = np.maximum(np.abs(low), np.abs(high))
        unit = np.where(largest > 0, np.ldexp(1.0, np.frexp(largest)[1] - 1), 1.0)
        shrunk = inputs / unit
        offset, scale = shrunk.mean(axis=0) * unit, shrunk.std(axis=0) * unit
    return Scaling(method, offset, np.where(scale > 0, scale, 1.0))
