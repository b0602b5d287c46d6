"""Training through the recorded stages, in pencil arithmetic: every carried number rounded, the
optimizer's state variables too (through `optimizers.update`). Exact arithmetic trains in
`numpy_run.NumpyRun` (and `compiled_run.CompiledRun`), every optimizer included; in exact
arithmetic this run is the slow reference the tests hold the fast ones to."""

import numpy as np

from pencilnet.core import optimizers
from pencilnet.core.arithmetic import EXACT
from pencilnet.core.losses import LOSSES, from_net
from pencilnet.core.metrics import mean_error
from pencilnet.core.model import Model, flatten, unflatten
from pencilnet.core.stages import SGD, backprop, forward, gradient_vector, trainable
from pencilnet.training.closed import written_terms


class StagesRun:
    """The run object (see `loop.Run`) that trains by the stages themselves: slow, and exact to the
    last rounding. A batch's update uses the mean of its samples' gradients."""

    def __init__(self, model: Model, loss: str, arithmetic, optimizer: optimizers.Optimizer = SGD):
        self.current, self.loss_name, self.arithmetic, self.optimizer = model, loss, arithmetic, optimizer
        self.loss = LOSSES[loss]
        self.state = optimizers.start(optimizer, model.parameter_count)
        self.trainable = trainable(model)
        self.good, self.marked = model, (model, self.state)
        # In exact arithmetic the cross-entropies come from net, as the stages take them; pencil
        # arithmetic takes E from the rounded outputs, as a hand calculation does.
        self.records_net = arithmetic is EXACT and from_net(loss, model.layers[-1].activation)

    def train(self, inputs, targets, size, learning_rate, outputs):
        for begin in range(0, len(inputs), size):
            batch = slice(begin, begin + size)
            try:
                self._update(inputs[batch], targets[batch], outputs[batch], learning_rate, self.arithmetic)
            except ArithmeticError:
                # Rounding an infinity to N places (decimal's InvalidOperation): the batch is done
                # again without rounding, where the infinity or NaN shows as it would in exact
                # arithmetic, and the stretch ends there. The loop sees the error or the weights
                # no longer finite and reports the divergence; the samples left have no output.
                self._update(inputs[batch], targets[batch], outputs[batch], learning_rate, EXACT)
                outputs[begin + size:] = np.nan
                return

    def _update(self, inputs, targets, outputs, learning_rate, arithmetic):
        gradient = 0.0
        for x, t, out in zip(inputs, targets, outputs, strict=False):
            trace = forward(self.current, x, arithmetic)
            out[:] = trace.layers[-1].net if self.records_net else trace.output
            gradient = gradient + gradient_vector(backprop(self.current, trace, t, self.loss_name, arithmetic))
        found = optimizers.update(self.optimizer, flatten(self.current), gradient / len(inputs), self.state,
                                  learning_rate, self.trainable, arithmetic.carry)
        self.current, self.state = unflatten(self.current, found.values["new"]), found.after

    def terms(self, written, targets):
        return written_terms(self.loss_name, self.current.layers[-1].activation, self.records_net, written, targets)

    def mean_error(self, inputs, targets) -> float:
        return mean_error(self.current, inputs, targets, self.loss_name, self.arithmetic)

    def largest(self) -> float:
        return float(np.max(np.abs(flatten(self.current))))

    def mark(self):
        self.marked = self.current, self.state

    def rewind(self):
        self.current, self.state = self.marked

    def epoch_done(self):
        self.good = self.current

    def last_good(self) -> Model:
        return self.good

    def model(self) -> Model:
        return self.current
