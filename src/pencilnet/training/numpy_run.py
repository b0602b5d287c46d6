"""The NumPy run: parameters updated in place, arrays kept from batch to batch.

Plain gradient descent folds the learning rate into the backward pass and steps each layer as it
goes. Every other optimizer (momentum, Adam, RMSprop, weight decay) has each batch's mean
gradient written into one flat vector laid out as the parameters, and then one step of
`steppers.InPlace` on the flat vectors: the formulas of `optimizers.update`, in place."""

from collections.abc import Callable

import numpy as np

from pencilnet.core.losses import terms_from_net
from pencilnet.core.model import Model
from pencilnet.core.optimizers import Optimizer
from pencilnet.core.stages import SGD
from pencilnet.training.codegen import LayerPlan, Plan, write_updates
from pencilnet.training.flat import STRETCH, FlatRun


class NumpyRun(FlatRun):
    """The run object (see `loop.Run`) in NumPy, float64: the parameters of `FlatRun`, and
    arrays for the intermediate values kept from one batch to the next. An update costs its
    arithmetic only: no new Model, and new arrays only for what a loss or a layer's options
    compute apart (∂E/∂out of most losses, a shared bias's step, a bias input other than 1)."""

    def __init__(self, model: Model, loss: str, optimizer: Optimizer = SGD):
        super().__init__(model, loss, optimizer)
        self.plans: dict[int, Plan] = {}  # rows in a batch (0: one sample, as vectors) -> its Plan

    def _plan(self, rows: int) -> Plan:
        """The Plan for batches of `rows` samples (0: one sample, as vectors)."""
        if rows in self.plans:
            return self.plans[rows]
        shape = (rows,) if rows else ()
        nets = [np.empty(shape + (w.shape[1],)) for w, _ in self.layers]
        gradients = self.gradients if self.optimizer else [(None, None)] * len(nets)
        # One sample at a time, a layer's ∂E/∂net is its biases' gradient (when they are its own,
        # trained and fed by 1): the backward pass writes it into the gradient vector itself.
        deltas: list[np.ndarray] = [b if b is not None and _is_bias_gradient(self.template, rows, index, b)
                                    else np.empty(net.shape)
                                    for index, ((_, b), net) in enumerate(zip(gradients, nets, strict=True))]
        layers = []
        for index, ((w, b), activation, net) in enumerate(zip(self.layers, self.activations, nets, strict=True)):
            source = nets[index - 1] if index else None
            for_step = None if source is None else source.T if rows else source[:, None]
            layers.append(LayerPlan(w, b, activation.apply, activation.scale, net, np.empty(net.shape),
                                    deltas[index], w.T if rows else w, for_step, np.empty(w.shape),
                                    np.empty(w.shape[1]), *gradients[index]))
        delta = deltas[-1] if self.fused is None and self.loss.ufunc else np.empty(nets[-1].shape)
        self.plans[rows] = Plan(rows, tuple(layers), delta, np.ones(rows) if rows else None)
        return self.plans[rows]

    def train(self, inputs: np.ndarray, targets: np.ndarray, size: int, learning_rate: float, outputs: np.ndarray):
        """Batches of `size` rows in turn, one update each; each sample's output before its update goes to `outputs`."""
        if size == 1:
            return self._updates(0)(inputs, targets, outputs, learning_rate)
        whole = len(inputs) // size * size  # then a last, shorter batch, if there is one
        if whole:
            self._updates(size)(inputs[:whole], targets[:whole], outputs[:whole], learning_rate)
        if whole < len(inputs):
            self._updates(len(inputs) - whole)(inputs[whole:], targets[whole:], outputs[whole:], learning_rate)

    def _updates(self, rows: int) -> Callable:
        """The function that trains on a batch of `rows` samples (0: on samples one at a time)."""
        plan = self._plan(rows)
        if plan.updates is None:
            step = self.optimizer.step if self.optimizer else None
            names, source = write_updates(self.template, plan, self.loss, self.fused, step, self.closed,
                                          self.records_net)
            exec(compile(source, f"<pencilnet training, {rows or 'one sample'} a batch>", "exec"), names)
            self.plans[rows] = plan = plan._replace(updates=names["updates"], source=source)
        return plan.updates  # type: ignore[return-value]

    def _forward(self, x, plan: Plan):
        """Every layer's out for the batch `x`, into the plan's arrays; returns the output layer's,
        whose net is left in that layer's spare array."""
        value, bias_input = x, self.template.bias_input
        for layer in plan.layers:
            value = np.matmul(value, layer.weights, out=layer.net)
            value += layer.biases if bias_input == 1.0 else layer.biases * bias_input
            if layer is plan.layers[-1]:
                np.copyto(layer.spare, value)
            layer.apply(value)
        return value

    def mean_error(self, inputs, targets) -> float:
        """`mean_error` with the current parameters, a stretch at a time in the arrays kept: a
        forward pass over all the data at once would need new arrays as big as the data (unless
        training was in one full batch, whose arrays are that big already)."""
        total = 0.0
        step = len(inputs) if len(inputs) in self.plans else STRETCH  # a full batch's arrays are there already
        for start in range(0, len(inputs), step):
            x, t = inputs[start:start + step], targets[start:start + step]
            plan = self._plan(len(x))
            out = self._forward(x, plan)
            # The cross-entropies from net, as the stages take them: exact however saturated out is.
            total += float(terms_from_net(self.loss.name, self.template.layers[-1].activation, plan.layers[-1].spare,
                                          out, t).sum())
        return total / len(inputs)


def _is_bias_gradient(model: Model, rows: int, index: int, biases: np.ndarray | None) -> bool:
    """Whether layer `index`'s ∂E/∂net, one sample at a time, is its biases' gradient as it stands."""
    layer = model.layers[index]
    return (biases is not None and not rows and model.bias_input == 1.0 and not layer.shared_bias
            and not layer.frozen_biases)
