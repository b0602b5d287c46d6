"""The compiled run: online training in the loops numba compiles (`kernels`, generated from the
rows), for long online runs. One sample at a time, NumPy spends its time on calls, not on
arithmetic; the kernels are the same operations in the same order per number, except the sums
(of a matrix product, of a shared bias), which NumPy adds up in an order of its own: the two
runs agree to about 1e-12 over a few hundred updates, not to the last bit.

Numba is an optional extra (`pencilnet[fast]`); `kernels` is imported only when this run is
made, which the loop does only for a run long enough to pay for numba's start."""

import importlib
import os

import numpy as np

from pencilnet.core.model import Model
from pencilnet.core.optimizers import Optimizer
from pencilnet.core.stages import SGD
from pencilnet.training.closed import closed_form
from pencilnet.training.flat import FlatRun


def available(model: Model, loss: str) -> bool:
    """Whether this run can train `model` with `loss`: numba installed and not switched off
    (PENCILNET_NUMBA=0), and the output layer's ∂E/∂net not in closed form from net (NumPy's)."""
    if os.environ.get("PENCILNET_NUMBA") == "0" or closed_form(model, loss) is not None:
        return False
    try:  # compiling the kernels, or loading them from numba's cache
        importlib.import_module("pencilnet.training.kernels")
    except ImportError:  # numba is an optional extra; NumPy gives the same numbers, slower
        return False
    return True


class CompiledRun(FlatRun):
    """The run object (see `loop.Run`) of the compiled kernels, online only (batches of one)."""

    def __init__(self, model: Model, loss: str, optimizer: Optimizer = SGD):
        from pencilnet.training import kernels

        super().__init__(model, loss, optimizer)
        self.kernels = kernels
        self.table, self.layer_settings, self.codes = kernels.table(model, loss)
        self.values, self.deltas = np.empty(sum(model.sizes)), np.empty((2, max(model.sizes)))
        if self.optimizer:
            self.settings = kernels.optimizer_settings(optimizer)
            self.mask = np.ones(self.parameters.size) if self.free is None else self.free.astype(np.float64)

    def train(self, inputs: np.ndarray, targets: np.ndarray, size: int, learning_rate: float, outputs: np.ndarray):
        """One update per row, in order; each sample's output before its update goes to `outputs`."""
        if size != 1:
            raise ValueError("the compiled run trains online only, one sample at a time")
        if self.optimizer:
            steps = np.array([self.optimizer.steps])
            self.kernels.online_optimized(self.parameters, self.gradient, self.table, self.layer_settings,
                                          self.template.bias_input, *self.codes, learning_rate, inputs, targets,
                                          outputs, self.values, self.deltas, *self.settings, self.optimizer.rows,
                                          self.mask, steps)
            self.optimizer.steps = int(steps[0])
        else:
            self.kernels.online(self.parameters, self.table, self.layer_settings, self.template.bias_input,
                                *self.codes, learning_rate, inputs, targets, outputs, self.values, self.deltas)
