"""The network's parameters and the article's names for them.

Naming rule (it reproduces the article's 2-2-2 example and generalises):
- nodes: inputs x1..xn, hidden nodes h1, h2, ... numbered on across hidden layers, outputs y1..yk;
- weights w1, w2, ... numbered layer by layer, then by source node, then by target node,
  which is a row-major walk of each weight matrix (rows = source nodes, columns = targets);
- bias weights bw1, bw2, ... numbered layer by layer, then by target node.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


def _frozen(values) -> np.ndarray:
    array = np.array(values, dtype=np.float64)  # always a private copy
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Layer:
    weights: np.ndarray  # (sources, targets)
    biases: np.ndarray  # (targets,), or (1,) for one bias weight shared by the layer's nodes
    activation: str = "sigmoid"
    shared_bias: bool = False
    frozen_weights: bool = False  # kept as they are by step and train
    frozen_biases: bool = False

    def __post_init__(self):
        object.__setattr__(self, "weights", _frozen(self.weights))
        object.__setattr__(self, "biases", _frozen(self.biases))
        expected = (1,) if self.shared_bias else (self.weights.shape[1],)
        if self.biases.shape != expected:
            raise ValueError(f"biases of shape {self.biases.shape}, expected {expected}")

    @property
    def size(self) -> int:
        return self.weights.shape[1]


@dataclass(frozen=True, eq=False)
class Model:
    layers: tuple[Layer, ...]
    bias_input: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "layers", tuple(self.layers))

    @property
    def names(self) -> "Names":
        return Names.of(tuple(self.sizes), tuple(layer.shared_bias for layer in self.layers))

    @property
    def inputs(self) -> int:
        return self.layers[0].weights.shape[0]

    @property
    def sizes(self) -> list[int]:
        return [self.inputs] + [layer.size for layer in self.layers]

    @property
    def parameter_count(self) -> int:
        return sum(layer.weights.size + layer.biases.size for layer in self.layers)

    def parameters(self) -> dict[str, float]:
        """Every parameter by name: w1..wN, then bw1..bwM (the article's order)."""
        return dict(zip(self.names.parameters, flatten(self).tolist(), strict=True))

    def replace(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> "Model":
        """The same network holding other parameter values."""
        layers = [Layer(w, b, layer.activation, layer.shared_bias, layer.frozen_weights, layer.frozen_biases)
                  for w, b, layer in zip(weights, biases, self.layers, strict=True)]
        return Model(tuple(layers), self.bias_input)


def span(names: list, between: str = "…") -> str:
    """A run of names for a person to read: "h1", "h1, h2", or "h1…h36"."""
    names = [str(name) for name in names]
    if len(names) <= 2:
        return ", ".join(names)
    return f"{names[0]}{between}{names[-1]}"


def shared_target(targets: list[str]) -> str:
    """What a bias weight shared by a layer feeds, as chain rows and quantity names write it: "h1…h4"."""
    return f"{targets[0]}…{targets[-1]}" if len(targets) > 1 else targets[0]


def flatten(model: Model) -> np.ndarray:
    """All parameters as one vector, in the order of `Names.parameters`."""
    return np.concatenate([layer.weights.ravel() for layer in model.layers] + [layer.biases for layer in model.layers])


def unflatten(model: Model, vector: np.ndarray) -> Model:
    """The inverse of `flatten`: a model shaped like `model` holding `vector`."""
    weights, biases = zip(*views(model, vector), strict=True)
    return model.replace(list(weights), list(biases))


def views(model: Model, vector: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's (weights, biases) as views into `vector`, laid out as `flatten` lays them."""
    weights, biases, at = [], [], 0
    for layer in model.layers:
        weights.append(vector[at:at + layer.weights.size].reshape(layer.weights.shape))
        at += layer.weights.size
    for layer in model.layers:
        biases.append(vector[at:at + layer.biases.size])
        at += layer.biases.size
    return list(zip(weights, biases, strict=True))


@dataclass(frozen=True, eq=False)
class Names:
    nodes: list[list[str]]  # per layer, input layer first
    weights: list[np.ndarray]  # per weight matrix, same shape, e.g. "w5"
    biases: list[list[str]]  # per layer after the input, e.g. "bw3"; one name for a shared bias

    @staticmethod
    @lru_cache(maxsize=32)  # a training loop builds a model per update; the names never change
    def of(sizes: tuple[int, ...], shared: tuple[bool, ...] = ()) -> "Names":
        hidden = iter(range(1, sum(sizes[1:-1]) + 1))
        nodes = [[f"x{i + 1}" for i in range(sizes[0])]]
        nodes += [[f"h{next(hidden)}" for _ in range(n)] for n in sizes[1:-1]]
        nodes += [[f"y{k + 1}" for k in range(sizes[-1])]]
        weights, biases, w, b = [], [], 0, 0
        shared = shared or (False,) * (len(sizes) - 1)
        for n_in, n_out, one in zip(sizes, sizes[1:], shared, strict=False):
            numbers = np.arange(w + 1, w + n_in * n_out + 1).reshape(n_in, n_out)
            # (not np.char.add: numpy.char takes milliseconds to import, a tenth of a small command's run)
            weights.append(np.array([f"w{n}" for n in numbers.ravel()]).reshape(numbers.shape))
            count = 1 if one else n_out
            biases.append([f"bw{b + j + 1}" for j in range(count)])
            w, b = w + n_in * n_out, b + count
        return Names(nodes, weights, biases)

    @property
    def parameters(self) -> list[str]:
        return [str(n) for w in self.weights for n in w.ravel()] + [n for b in self.biases for n in b]

    @property
    def computed_nodes(self) -> list[str]:
        """Every node that has a net and an out: hidden nodes, then outputs."""
        return [n for layer in self.nodes[1:] for n in layer]
