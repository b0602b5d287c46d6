"""Online training in pencil arithmetic: through the recorded stages, every carried number rounded."""

import numpy as np

from pencilnet.core.arithmetic import EXACT
from pencilnet.core.losses import LOSSES
from pencilnet.core.metrics import mean_error
from pencilnet.core.model import Model, flatten
from pencilnet.core.stages import backprop, forward, step


class PencilRun:
    """The run object (see `loop.Run`) for pencil arithmetic: slow, and exact to the last rounding."""

    def __init__(self, model: Model, loss: str, arithmetic):
        self.current, self.loss_name, self.arithmetic = model, loss, arithmetic
        self.loss = LOSSES[loss]
        self.good = self.marked = model

    def train(self, inputs, targets, size, learning_rate, outputs):
        for index, (x, t, out) in enumerate(zip(inputs, targets, outputs)):
            try:
                self.current = self._update(x, t, out, learning_rate, self.arithmetic)
            except ArithmeticError:
                # Rounding an infinity to N places (decimal's InvalidOperation): the sample is done
                # again without rounding, where the infinity or NaN shows as it would in exact
                # arithmetic, and the stretch ends there. The loop sees the error or the weights
                # no longer finite and reports the divergence; the samples left have no output.
                self.current = self._update(x, t, out, learning_rate, EXACT)
                outputs[index + 1:] = np.nan
                return

    def _update(self, x, t, out, learning_rate, arithmetic) -> Model:
        trace = forward(self.current, x, arithmetic)
        out[:] = trace.output
        gradients = backprop(self.current, trace, t, self.loss_name, arithmetic)
        return step(self.current, gradients, learning_rate, arithmetic)

    def mean_error(self, inputs, targets) -> float:
        return mean_error(self.current, inputs, targets, self.loss_name, self.arithmetic)

    def largest(self) -> float:
        return float(np.max(np.abs(flatten(self.current))))

    def mark(self):
        self.marked = self.current

    def rewind(self):
        self.current = self.marked

    def epoch_done(self):
        self.good = self.current

    def last_good(self) -> Model:
        return self.good

    def model(self) -> Model:
        return self.current
