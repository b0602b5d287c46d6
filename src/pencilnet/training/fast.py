"""The NumPy training loop: parameters updated in place, arrays kept from batch to batch."""

import os

import numpy as np

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.losses import FUSED, LOSSES
from pencilnet.core.model import Model, flatten, unflatten, views

# Samples trained between checks of the error (for NaN), of the clock and of Ctrl-C: few enough
# that a check is quick to come, many enough that checking costs nothing next to training.
STRETCH = 1024


class ExactRun:
    """The training loop's state: the parameters as one vector in `flatten`'s order, with each
    layer's weights and biases as views into it, all updated in place, and arrays for the
    intermediate values kept from one batch to the next. An update costs its arithmetic only:
    no new Model, and, for big batches, no new arrays."""

    def __init__(self, model: Model, loss: str, compiled: bool = False):
        self.template = model
        self.parameters = flatten(model)  # a new array, ours to change
        self.saved = self.parameters.copy()  # the parameters after the last whole epoch
        weights = views(model, self.parameters)
        self.layers = [(w, b, ACTIVATIONS[layer.activation], layer.frozen_weights, layer.frozen_biases,
                        layer.shared_bias) for (w, b), layer in zip(weights, model.layers)]
        self.bias_input = model.bias_input
        self.loss = LOSSES[loss]
        self.fused = FUSED.get((model.layers[-1].activation, loss))
        fused, derivative, scale = self.fused, self.loss.derivative, self.layers[-1][2].scale

        def output_delta(out, t, spare):  # ∂E/∂net of the output layer, fused where there is a fused form
            if fused:
                return fused(out, t)
            delta = derivative(out, t)
            scale(out, delta, spare)
            return delta

        self.output_delta = output_delta
        self.gradients = [np.empty(w.shape) for w, *_ in self.layers]
        self.plans = {}  # rows in a batch (0: one sample, as vectors) -> what `_plan` gives
        self.kernel = compiled_online() if compiled else None
        if self.kernel:
            self._describe(model, loss)

    def _describe(self, model: Model, loss: str):
        """The layers as the compiled loop takes them: one row of integers each (see `compiled`)."""
        from pencilnet.training import compiled

        sizes, rows, w_at, b_at = model.sizes, [], 0, sum(layer.weights.size for layer in model.layers)
        for index, layer in enumerate(model.layers):
            rows.append([w_at, b_at, sizes[index], sizes[index + 1], compiled.ACTIVATIONS[layer.activation],
                         layer.shared_bias, layer.frozen_weights, layer.frozen_biases, sum(sizes[:index]),
                         sum(sizes[:index + 1])])
            w_at, b_at = w_at + layer.weights.size, b_at + layer.biases.size
        self.layout = np.array(rows, dtype=np.int64)
        self.loss_code, self.is_fused = compiled.LOSSES[loss], self.fused is not None
        self.values, self.deltas = np.empty(sum(sizes)), np.empty((2, 2 * max(sizes)))

    def _plan(self, rows: int):
        """For batches of `rows` samples (0: one sample, as vectors), what the loops go through, with
        the arrays they write into, made once: the hidden layers (weights, biases, activation, net),
        the output layer (weights, biases, activation), and the layers from the last back, each with
        its input (None: the batch's), the array for ∂E/∂out of the layer before (None for the first),
        that layer's `scale` and scratch, and the array for its weights' gradient; then scratch for
        the output layer, and an array for its outputs."""
        if rows not in self.plans:
            shape = (rows,) if rows else ()
            nets = [np.empty(shape + (w.shape[1],)) for w, *_ in self.layers]
            spares = [np.empty(net.shape) for net in nets]
            hidden = [(w, b, activation.apply, net) for (w, b, activation, *_), net in zip(self.layers, nets)][:-1]
            steps = []
            for index in range(len(self.layers) - 1, -1, -1):
                w, b, _, frozen_weights, frozen_biases, shared = self.layers[index]
                before = (nets[index - 1], np.empty(nets[index - 1].shape), self.layers[index - 1][2].scale,
                          spares[index - 1]) if index else (None, None, None, None)
                steps.append((w, b, frozen_weights, frozen_biases, shared, *before, self.gradients[index]))
            self.plans[rows] = hidden, self.layers[-1][:2] + (self.layers[-1][2].apply,), steps, spares[-1], nets[-1]
        return self.plans[rows]

    def train(self, inputs: np.ndarray, targets: np.ndarray, size: int, learning_rate: float, outputs: np.ndarray):
        """Batches of `size` rows in turn, one update each; each sample's output before its update goes to `outputs`."""
        if size == 1 and self.kernel:
            return self.kernel(self.parameters, self.layout, self.bias_input, self.loss_code, self.is_fused,
                               learning_rate, inputs, targets, outputs, self.values, self.deltas)
        if size == 1:
            return self._online(inputs, targets, learning_rate, outputs)
        for start in range(0, len(inputs), size):
            end = start + size
            self._batch(inputs[start:end], targets[start:end], learning_rate, outputs[start:end])

    def _online(self, inputs, targets, learning_rate, outputs):
        # One sample at a time NumPy's cost is per call, not per number, so this loop makes as few
        # calls as it can, and as little else: `_forward` and `_batch` written out for vectors, with
        # the outer product for the gradient.
        hidden, (w_out, b_out, apply_out), steps, spare, _ = self._plan(0)
        bias_input, output_delta, matmul, outer = self.bias_input, self.output_delta, np.matmul, np.multiply.outer
        scaled = bias_input != 1.0
        for x, t, out in zip(inputs, targets, outputs):
            value = x
            for w, b, apply, net in hidden:
                matmul(value, w, out=net)
                net += b * bias_input if scaled else b
                apply(net)
                value = net
            matmul(value, w_out, out=out)
            out += b_out * bias_input if scaled else b_out
            apply_out(out)
            delta = output_delta(out, t, spare)
            for w, b, frozen_weights, frozen_biases, shared, source, back, scale, back_spare, _ in steps:
                if back is not None:  # ∂E/∂out of the layer before, from the weights before this step
                    matmul(w, delta, out=back)
                step = learning_rate * delta
                if not frozen_weights:
                    w -= outer(x if source is None else source, step)
                if not frozen_biases:
                    if shared:
                        step = step.sum(keepdims=True)
                    b -= step * bias_input if scaled else step
                if back is not None:
                    scale(source, back, back_spare)
                    delta = back

    def _forward(self, x, hidden, output_layer, outputs):
        """Every layer's out for the batch `x`, into the plan's arrays; the output layer's into `outputs`."""
        value, bias_input = x, self.bias_input
        for w, b, apply, net in hidden:
            np.matmul(value, w, out=net)
            net += b * bias_input if bias_input != 1.0 else b
            apply(net)
            value = net
        w, b, apply = output_layer
        np.matmul(value, w, out=outputs)
        outputs += b * bias_input if bias_input != 1.0 else b
        apply(outputs)

    def _batch(self, x, t, learning_rate, outputs):
        hidden, output_layer, steps, spare, _ = self._plan(len(x))
        self._forward(x, hidden, output_layer, outputs)
        delta = self.output_delta(outputs, t, spare)
        rate = learning_rate / len(x)  # the batch's gradient is the mean of its samples' gradients
        for w, b, frozen_weights, frozen_biases, shared, source, back, scale, back_spare, gradient in steps:
            if back is not None:  # ∂E/∂out of the layer before, from the weights before this step
                np.matmul(delta, w.T, out=back)
            if not frozen_weights:
                np.matmul((x if source is None else source).T, delta, out=gradient)
                gradient *= rate
                w -= gradient
            if not frozen_biases:
                found = np.add.reduce(delta, axis=0, keepdims=shared)
                if shared:
                    found = np.add.reduce(found, axis=1)
                found *= rate * self.bias_input
                b -= found
            if back is not None:
                scale(source, back, back_spare)
                delta = back

    def mean_error(self, inputs, targets) -> float:
        """`mean_error` with the current parameters, a stretch at a time in the arrays kept: a
        forward pass over all the data at once would need new arrays as big as the data (unless
        training was in one full batch, whose arrays are that big already)."""
        total = 0.0
        step = len(inputs) if len(inputs) in self.plans else STRETCH  # a full batch's arrays are there already
        for start in range(0, len(inputs), step):
            x, t = inputs[start:start + step], targets[start:start + step]
            hidden, output_layer, _, _, out = self._plan(len(x))
            self._forward(x, hidden, output_layer, out)
            total += float(self.loss.terms(out, t).sum())
        return total / len(inputs)

    def epoch_done(self):
        np.copyto(self.saved, self.parameters)  # for a clean stop after this epoch

    def last_good(self) -> Model:
        return unflatten(self.template, self.saved.copy())

    def model(self) -> Model:
        return unflatten(self.template, self.parameters)


def compiled_online():
    """The compiled online loop, or None without numba (or with PENCILNET_NUMBA=0 in the environment)."""
    if os.environ.get("PENCILNET_NUMBA") == "0":
        return None
    try:
        from pencilnet.training.compiled import online
    except ImportError:  # numba is an optional extra; NumPy gives the same numbers, slower
        return None
    return online
