"""Exercises for a class: a fresh worked example per student, pleasant to do by hand.

Pleasant means: every weight, bias and input written with `decimals` places (no zeros), no output
saturated and no relu unit dead or at its kink, no answer within a fiftieth of a unit of a rounding
boundary (a near-tie that a calculator's extra digits could flip), no answer 0, and the answers of
one kind (the nets, the outs, the gradients, the new weights) distinct at their places. Another
correct order of rounding by hand may give an answer one unit off: `verify` and `grade` take it as
a rounding, and say which order gives it. A draw that fails any rule is drawn again; the draws come
from a seed and the student's identifier, so the same command gives the same exercise.
"""

import zlib
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from pencilnet.checks import quantities
from pencilnet.core.arithmetic import Pencil, half_up
from pencilnet.core.errors import InputError
from pencilnet.core.model import Layer, Model
from pencilnet.core.optimizers import Optimizer
from pencilnet.core.stages import SGD, walk

DRAWS = 5000  # attempts at a pleasant exercise before saying there is none for these settings
SATURATED = 0.05  # a sigmoid or softmax output closer than this to 0 or 1 is not worked by hand
TIE = 0.02  # an answer within this fraction of a unit of a rounding boundary could round either way
CLASSIFIERS = ("sigmoid", "softmax", "tanh")


@dataclass(frozen=True, eq=False)
class Exercise:
    """One student's exercise: the network, the sample and the answers (the quantities asked, in the
    order they are worked, each at `answer_decimals` places)."""

    student: str
    seed: int
    model: Model
    x: np.ndarray
    target: np.ndarray
    loss: str
    learning_rate: float
    optimizer: Optimizer
    answer_decimals: int
    answers: dict[str, str]


def variant_seed(seed: int, student: str) -> int:
    """The seed of one student's draw: the class's seed and the student's identifier, the same on
    every machine (crc32, not Python's salted hash)."""
    return int(np.random.SeedSequence([seed, zlib.crc32(student.encode("utf-8"))]).generate_state(1)[0])


def asked(model: Model) -> list[str]:
    """The quantities a student computes: each net and out, E_total, every gradient, every new parameter."""
    names = model.names
    return ([f"{kind}_{node}" for node in names.computed_nodes for kind in ("net", "out")] + ["E_total"]
            + [f"dE/d{p}" for p in names.parameters] + [f"{p}_new" for p in names.parameters])


def make(sizes: list[int], activation: str, output: str, loss: str, seed: int, student: str = "", decimals: int = 2,
         answer_decimals: int = 4, learning_rate: float = 0.5, optimizer: Optimizer = SGD) -> Exercise:
    """A pleasant exercise for `student` (see the module's rules), or InputError when none is found."""
    rng = np.random.default_rng(variant_seed(seed, student))
    for _ in range(DRAWS):
        model, x, target = _draw(rng, sizes, activation, output, decimals)
        answers = _pleasant(model, x, target, loss, learning_rate, optimizer, answer_decimals)
        if answers is not None:
            return Exercise(student, seed, model, x, target, loss, learning_rate, optimizer, answer_decimals, answers)
    raise InputError(f"no exercise pleasant by hand in {DRAWS:,} draws for a {'-'.join(map(str, sizes))} network of "
                     f"{activation} nodes at {decimals} decimals: try another --seed, fewer nodes or more --decimals")


def _values(rng, count: int, decimals: int, low: float, high: float) -> np.ndarray:
    """`count` numbers between `low` and `high` written with `decimals` places, none of them 0."""
    scale = 10 ** decimals
    found = rng.integers(round(low * scale), round(high * scale) + 1, size=count)
    found[found == 0] = 1
    return found / scale


def _draw(rng, sizes: list[int], activation: str, output: str, decimals: int):
    layers = []
    for index, (sources, targets) in enumerate(zip(sizes, sizes[1:], strict=False)):
        kind = output if index == len(sizes) - 2 else activation
        weights = _values(rng, sources * targets, decimals, -0.9, 0.9).reshape(sources, targets)
        layers.append(Layer(weights, _values(rng, targets, decimals, -0.9, 0.9), kind))
    x = _values(rng, sizes[0], decimals, 0.05, 0.95)
    outputs = sizes[-1]
    if output in ("sigmoid", "softmax") or outputs > 1:
        target = np.eye(outputs)[int(rng.integers(outputs))] if outputs > 1 else np.array([float(rng.integers(2))])
    else:
        target = _values(rng, outputs, decimals, -0.9, 0.9)
    return Model(tuple(layers), 1.0), x, target


def _pleasant(model: Model, x, target, loss: str, rate: float, optimizer: Optimizer, places: int
              ) -> dict[str, str] | None:
    """The answers at `places`, or None when the draw breaks a rule."""
    pencil = Pencil(places)
    done = walk(model, x, target, loss, rate, pencil, optimizer=optimizer)
    for layer, seen in zip(model.layers, done.trace.layers, strict=True):
        if layer.activation in ("sigmoid", "softmax") and np.any(np.minimum(seen.out, 1 - seen.out) < SATURATED):
            return None
        if layer.activation == "tanh" and np.any(np.abs(seen.out) > 1 - SATURATED):
            return None
        if layer.activation in ("relu", "leaky_relu") and np.any(seen.net < 10.0 ** -places * 10):
            return None  # a unit at its kink or dead: its gradients are 0, nothing to work out
    names = asked(model)
    values = quantities.of_walk(done)
    answers = {}
    for name in names:
        if not np.isfinite(values[name]) or _near_tie(values[name], places):
            return None
        answers[name] = _text(half_up(values[name], places), places)
    if any(Decimal(answer) == 0 for answer in answers.values()):
        return None
    for kind in ("net_", "out_", "dE/d", "_new"):  # one kind's answers are told apart by value alone
        rounded = [answer for name, answer in answers.items() if kind in name]
        if len(set(rounded)) < len(rounded):
            return None
    return answers


def _near_tie(value: float, places: int) -> bool:
    """Whether `value` lies within TIE of a unit from the boundary between two roundings at `places`."""
    units = abs(value) * 10**places
    return abs(units - np.floor(units) - 0.5) < TIE


def _text(value: Decimal, places: int) -> str:
    return f"{value:.{places}f}"
