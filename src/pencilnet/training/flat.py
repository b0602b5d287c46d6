"""What the fast runs (NumPy and compiled) share: the parameters as one float64 vector in
`flatten`'s order, with each layer's weights and biases as views into it, changed in place;
the optimizer's state beside it (`steppers.InPlace`); and the bookkeeping the loop asks of a run
(mark and rewind, the last whole epoch, the largest parameter, the error terms)."""

import numpy as np

from pencilnet.core.activations import activation_of
from pencilnet.core.losses import FUSED, LOSSES, from_net, terms_from_net
from pencilnet.core.model import Model, flatten, unflatten, views
from pencilnet.core.optimizers import Optimizer, State
from pencilnet.core.stages import SGD, trainable
from pencilnet.training.closed import closed_form, written_terms
from pencilnet.training.steppers import InPlace

# Samples trained between checks of the error and the parameters, of the clock and of Ctrl-C: few
# enough that a check is quick to come, many enough that checking costs nothing next to training.
# In batches, four times as many (whole batches): 32 updates of 32 samples between checks cost
# some 5% more than 128 (measured on the 36-36-2 network), while 1,024 online updates hide it.
STRETCH = 1024
BATCH_STRETCH = 4 * STRETCH


class FlatRun:
    """The parameters of a run in one vector, and everything about them but the training itself.

    With an optimizer other than plain gradient descent, the gradient too is one vector (with
    views per layer), and `optimizer` holds the optimizer's state, which `mark` and `rewind`
    keep with the parameters."""

    def __init__(self, model: Model, loss: str, optimizer: Optimizer = SGD):
        self.template = model
        self.parameters = flatten(model)  # a new array, ours to change
        self.saved = self.parameters.copy()  # the parameters after the last whole epoch
        self.marked = self.parameters.copy()  # the parameters when `mark` was last called
        self.layers = views(model, self.parameters)  # (weights, biases) of each layer
        self.activations = [activation_of(layer.activation) for layer in model.layers]
        self.loss = LOSSES[loss]
        self.fused = FUSED.get((model.layers[-1].activation, loss))
        self.closed = closed_form(model, loss)
        self.records_net = from_net(loss, model.layers[-1].activation)
        self.optimizer: InPlace | None = None
        self.free = trainable(model)
        if not optimizer.plain:
            # Frozen parameters' places in the gradient are never written: they stay 0 (see InPlace).
            self.gradient = np.zeros_like(self.parameters)
            self.gradients = views(model, self.gradient)
            self.optimizer = InPlace(optimizer, self.parameters, self.gradient, self.free)
            self.marked_state: State = self.optimizer.state()

    def mean_error(self, inputs, targets) -> float:
        """The mean error per sample with the current parameters, a stretch of samples at a time."""
        total, bias_input = 0.0, self.template.bias_input
        for start in range(0, len(inputs), STRETCH):
            value, t = inputs[start:start + STRETCH], targets[start:start + STRETCH]
            for (weights, biases), activation in zip(self.layers, self.activations, strict=True):
                value = np.matmul(value, weights)
                value += biases if bias_input == 1.0 else biases * bias_input
                net = value.copy()
                activation.apply(value)
            total += float(terms_from_net(self.loss.name, self.template.layers[-1].activation, net, value, t).sum())
        return total / len(inputs)

    def terms(self, written: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return written_terms(self.loss.name, self.template.layers[-1].activation, self.records_net, written, targets)

    def largest(self) -> float:
        # Both reductions are NaN if any parameter is, and max() keeps a NaN that comes first.
        return max(float(np.maximum.reduce(self.parameters)), -float(np.minimum.reduce(self.parameters)))

    def mark(self):
        np.copyto(self.marked, self.parameters)
        if self.optimizer:
            self.marked_state = self.optimizer.state()

    def rewind(self):
        np.copyto(self.parameters, self.marked)
        if self.optimizer:
            self.optimizer.restore(self.marked_state)

    def epoch_done(self):
        np.copyto(self.saved, self.parameters)  # for a clean stop after this epoch

    def last_good(self) -> Model:
        return unflatten(self.template, self.saved.copy())

    def model(self) -> Model:
        return unflatten(self.template, self.parameters)
