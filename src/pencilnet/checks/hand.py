"""A person's calculation of one sample's stages, mistakes and all.

The stages (`core.stages`) compute what is right; this computes what a person with a pencil
writes down, in the same order and with the same rounding, but with two things the stages never
take: `mistakes`, the slips people make by hand (see `MISTAKES`), and `given`, numbers the person
wrote down themselves and carried on (a student's own ∂E/∂w5, right or wrong). Without either it
gives exactly the stages' numbers (a test holds the two together), so every difference it shows
is the mistake's or the given number's.
"""

from dataclasses import dataclass, field
from functools import partial

import numpy as np

from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.arithmetic import EXACT, Arithmetic, Pencil
from pencilnet.core.losses import dE_dout_from_net, output_dE_dnet, terms_from_net
from pencilnet.core.model import Model
from pencilnet.core.optimizers import Optimizer, start, update
from pencilnet.core.stages import SGD, trainable


@dataclass(frozen=True)
class Mistake:
    """One slip, as a person makes it: its key, the variant (a layer, an output path, a number of
    decimals; 0 where there is one form only) and its description, worded for a student."""

    key: str
    variant: int = 0

    def describe(self) -> str:
        return MISTAKES[self.key].format(n=self.variant + 1, d=self.variant)


# The catalogue (docs/teaching.md explains each with an example). {n}: the variant counted from 1.
MISTAKES = {
    "derivative_left_out": "the activation's derivative ∂out/∂net left out (taken as 1)",
    "derivative_of_net": "∂out/∂net written with net where out belongs (net (1 − net) for the sigmoid)",
    "derivative_at_out": "∂out/∂net taken at out as if it were net (σ(out) (1 − σ(out)) for the sigmoid)",
    "net_as_input": "a node's net used where its out belongs, as the input of the next layer and in ∂net/∂w",
    "sign_flipped": "∂E/∂out with the wrong sign: (target − out) instead of (out − target)",
    "half_dropped": "the ½ of ½ Σ (target − out)² dropped: E and every gradient twice as large",
    "updated_weights": "the updated weights used in backpropagation (the layer's new weights carry the error back)",
    "one_path": "a hidden node's ∂E/∂out from one output path only (through node {n} of the next layer)",
    "transposed": "the weights of layer {n} read the other way round (w(i→j) taken as w(j→i), as w6 for w7)",
    "bias_input_zero": "the bias input taken as 0",
    "bias_not_updated": "the bias weights not updated",
    "rate_left_out": "the learning rate left out of the update (new = old − ∂E/∂w)",
    "rate_twice": "the learning rate applied twice (new = old − η² × ∂E/∂w)",
    "gradient_added": "the gradient added instead of subtracted (new = old + η × ∂E/∂w)",
    "fewer_decimals": "rounded to {d} decimals, fewer than the rest of the work",
    "target_for_out": "the target used in place of the output in ∂out/∂net (target (1 − target))",
    "softmax_elementwise": "the softmax derivative taken element by element, out (1 − out), without the other outputs",
}


@dataclass
class Hand:
    """One sample's calculation by hand: `values()` gives every quantity by name, as `quantities.of_walk`."""

    model: Model
    x: np.ndarray
    target: np.ndarray
    loss: str
    learning_rate: float
    arithmetic: Arithmetic = EXACT
    optimizer: Optimizer = SGD
    mistakes: frozenset[Mistake] = frozenset()
    given: dict[str, float] = field(default_factory=dict)

    def __post_init__(self):
        fewer = [m.variant for m in self.mistakes if m.key == "fewer_decimals"]
        if fewer:  # the whole calculation rounded coarser, in the same order
            self.arithmetic = Pencil(fewer[0])

    def has(self, key: str, variant: int | None = None) -> bool:
        return any(m.key == key and (variant is None or m.variant == variant) for m in self.mistakes)

    def _carry(self, value, kind: str, names) -> np.ndarray:
        """`value` rounded as the arithmetic rounds its kind, then any number the person gave for it."""
        value = np.array(self.arithmetic.carry(np.asarray(value, dtype=np.float64), kind), dtype=np.float64)
        for index, name in np.ndenumerate(np.asarray(names)):
            if str(name) in self.given:
                value[index] = self.given[str(name)]
        return value

    def values(self) -> dict[str, float]:
        found: dict[str, float] = {}
        outs = self._forward(found)
        self._error(outs, found)
        gradient = self._backprop(outs, found)
        self._update(gradient, found)
        return found

    # --- the stages, as written by hand ---------------------------------------------------------------

    def _weights(self, index: int) -> np.ndarray:
        weights = self.model.layers[index].weights
        if self.has("transposed", index) and weights.shape[0] == weights.shape[1]:
            return weights.T
        return weights

    def _bias_input(self) -> float:
        return 0.0 if self.has("bias_input_zero") else self.model.bias_input

    def _forward(self, found: dict) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Each layer's (inputs, net, out), recording net_… and out_…."""
        names, values, layers = self.model.names, np.asarray(self.x, dtype=np.float64), []
        for index, layer in enumerate(self.model.layers):
            nodes = names.nodes[index + 1]
            net = self._carry(values @ self._weights(index) + layer.biases * self._bias_input(), "net",
                              [f"net_{n}" for n in nodes])
            out = self._carry(ACTIVATIONS[layer.activation].function(net), "out", [f"out_{n}" for n in nodes])
            found.update({f"net_{n}": float(v) for n, v in zip(nodes, net, strict=True)})
            found.update({f"out_{n}": float(v) for n, v in zip(nodes, out, strict=True)})
            layers.append((values, net, out))
            values = net if self.has("net_as_input") else out
        return layers

    def _error(self, layers: list, found: dict) -> None:
        _, net, out = layers[-1]
        last = self.model.layers[-1].activation
        terms = terms_from_net(self.loss, last if self.arithmetic is EXACT else None, net, out, self.target)
        if self.has("half_dropped"):
            terms = terms * 2.0
        nodes = self.model.names.nodes[-1]
        found.update({f"E_{n}": float(v) for n, v in zip(nodes, terms, strict=True)})
        found["E_total"] = float(terms.sum())
        found.update({f"e_{n}": float(t - o) for n, t, o in zip(nodes, self.target, out, strict=True)})

    def _slope(self, index: int, net: np.ndarray, out: np.ndarray) -> np.ndarray:
        activation = ACTIVATIONS[self.model.layers[index].activation]
        if self.has("derivative_left_out"):
            return np.ones_like(out)
        if self.has("derivative_of_net"):
            return activation.derivative(net)
        if self.has("derivative_at_out"):
            return activation.derivative(activation.function(out))
        if self.has("target_for_out") and index == len(self.model.layers) - 1:
            return activation.derivative(np.asarray(self.target, dtype=np.float64))
        return activation.derivative(out)

    def _backprop(self, layers: list, found: dict) -> np.ndarray:
        """Every ∂E/∂θ in `flatten`'s order, recording the chain-rule factors as `of_walk` names them."""
        model, names, exact = self.model, self.model.names, self.arithmetic is EXACT
        last = len(model.layers) - 1
        _, net, out = layers[last]
        sign = -1.0 if self.has("sign_flipped") else 1.0
        scale = 2.0 if self.has("half_dropped") else 1.0
        dE_dout = dE_dout_from_net(self.loss, model.layers[last].activation if exact else None, net, out, self.target)
        nodes = names.nodes[last + 1]
        dE_dout = self._carry(sign * scale * dE_dout, "error", [f"dE/dout_{n}" for n in nodes])
        weights_found: list = [None] * len(model.layers)
        biases_found: list = [None] * len(model.layers)
        for index in range(last, -1, -1):
            layer, (inputs, net, out) = model.layers[index], layers[index]
            activation, nodes = ACTIVATIONS[layer.activation], names.nodes[index + 1]
            found.update({f"dE/dout_{n}": float(v) for n, v in zip(nodes, dE_dout, strict=True)})
            slope = self._carry(self._slope(index, net, out), "slope", [f"dout_{n}/dnet_{n}" for n in nodes])
            closed = None
            if index == last:
                closed = output_dE_dnet(self.loss, layer.activation, net if exact else None, out, self.target)
            if closed is not None:
                product = sign * scale * closed
            elif activation.coupled and not self.has("softmax_elementwise"):
                product = activation.backward(out, dE_dout)
            elif activation.coupled:
                product = dE_dout * out * (1.0 - out)
            else:
                product = dE_dout * slope
            dE_dnet = self._carry(product, "delta", [f"dE/dnet_{n}" for n in nodes])
            given = np.array([f"dE/dnet_{n}" in self.given for n in nodes])
            if self.arithmetic.follows("delta_first") or given.any():  # a given δ is what the person multiplies
                product = np.where(given, dE_dnet, dE_dnet if self.arithmetic.follows("delta_first") else product)
            found.update({f"dE/dnet_{n}": float(v) for n, v in zip(nodes, dE_dnet, strict=True)})
            found.update({f"delta_{n}": -float(v) for n, v in zip(nodes, dE_dnet, strict=True)})
            found.update({f"dout_{n}/dnet_{n}": float(v) for n, v in zip(nodes, slope, strict=True)})
            bias_input = self._bias_input()
            weights = self._carry(np.outer(inputs, product), "gradient",
                                  [[f"dE/d{name}" for name in row] for row in names.weights[index]])
            bias = product * bias_input
            if layer.shared_bias:
                bias = np.atleast_1d(bias.sum())
            biases = self._carry(bias, "gradient", [f"dE/d{name}" for name in names.biases[index]])
            weights_found[index], biases_found[index] = weights, biases
            self._record_gradients(index, inputs, bias_input, weights, biases, found)
            if index == 0:
                break
            carried_by = self._weights(index)
            if self.has("updated_weights"):
                carried_by = carried_by - self.learning_rate * weights
            unrounded = carried_by * dE_dnet
            below = names.nodes[index]
            term_names = [[f"dE_{k}/dout_{j}" for k in nodes] for j in below]
            terms = self._carry(unrounded, "error", term_names)
            summed = unrounded if self.arithmetic.follows("sum_then_round") else terms
            paths = [m.variant for m in self.mistakes if m.key == "one_path" and m.variant < len(nodes)]
            total = summed[:, paths[0]] if paths else summed.sum(axis=1)
            found.update({str(n): float(v) for n, v in zip(np.ravel(term_names), terms.ravel(), strict=True)})
            dE_dout = self._carry(total, "error", [f"dE/dout_{n}" for n in below])
        return np.concatenate([w.ravel() for w in weights_found] + list(biases_found))

    def _record_gradients(self, index: int, inputs, bias_input: float, weights, biases, found: dict) -> None:
        names = self.model.names
        targets = names.nodes[index + 1]
        for i, row in enumerate(names.weights[index]):
            for j, name in enumerate(row):
                found[f"dE/d{name}"] = float(weights[i, j])
                found[f"dnet_{targets[j]}/d{name}"] = float(inputs[i])
        for j, name in enumerate(names.biases[index]):
            found[f"dE/d{name}"] = float(biases[j])
            target = targets[j] if len(names.biases[index]) == len(targets) else f"{targets[0]}…{targets[-1]}"
            found[f"dnet_{target}/d{name}"] = bias_input

    def _update(self, gradient: np.ndarray, found: dict) -> None:
        model, names = self.model, self.model.names.parameters
        old = np.concatenate([layer.weights.ravel() for layer in model.layers]
                             + [layer.biases for layer in model.layers])
        rate = self.learning_rate
        rate = 1.0 if self.has("rate_left_out") else rate * rate if self.has("rate_twice") else rate
        sign = -1.0 if self.has("gradient_added") else 1.0

        new = update(self.optimizer, old, sign * gradient, start(self.optimizer, old.size), rate, trainable(model),
                     partial(self.arithmetic.carry, kind="weight")).values["new"]
        if self.has("bias_not_updated"):
            weights = sum(layer.weights.size for layer in model.layers)
            new[weights:] = old[weights:]
        new = self._carry(new, "weight", [f"{p}_new" for p in names])
        found.update({f"{p}_new": float(v) for p, v in zip(names, new, strict=True)})
        found.update({f"change_{p}": float(n - o) for p, n, o in zip(names, new, old, strict=True)})


def applicable(model: Model, loss: str, decimals: int | None) -> list[Mistake]:
    """Every mistake (and variant) that can change this network's numbers."""
    found = [Mistake(key) for key in ("derivative_left_out", "derivative_of_net", "derivative_at_out",
                                      "sign_flipped", "updated_weights", "bias_input_zero", "bias_not_updated",
                                      "rate_left_out", "rate_twice", "gradient_added", "target_for_out")]
    if len(model.layers) > 1:
        found.append(Mistake("net_as_input"))
        found += [Mistake("one_path", k) for k in range(max(layer.size for layer in model.layers[1:]))]
    if loss == "half_sse":
        found.append(Mistake("half_dropped"))
    found += [Mistake("transposed", index) for index, layer in enumerate(model.layers)
              if layer.weights.shape[0] == layer.weights.shape[1] > 1]
    if any(layer.activation == "softmax" for layer in model.layers):
        found.append(Mistake("softmax_elementwise"))
    if decimals is not None:
        found += [Mistake("fewer_decimals", d) for d in range(decimals - 1, max(decimals - 3, 0), -1)]
    return found
