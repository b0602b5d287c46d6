"""A commented starter config for any architecture, as written by `pencilnet init`."""

import numpy as np

from pencilnet.core.initializers import initial_parameters
from pencilnet.core.model import Names, span


def _numbers(values, decimals: int) -> str:
    return "[" + ", ".join(_number(round(float(v), decimals)) for v in values) + "]"


def _number(value: float) -> str:
    """The shortest text that reads back as `value`, with a dot in the mantissa (-3.0e-06, not
    -3e-06), so that any YAML reader, strict YAML 1.1 included, takes it for a number."""
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text


def starter_config(sizes: list[int], activation: str, scheme: str, seed: int, learning_rate: float,
                   epochs: int, decimals: int = 6) -> str:
    """YAML text of a network of `sizes` with initial weights from `scheme` and `seed`,
    rounded to `decimals` places (the file holds the exact values every command will use)."""
    names = Names.of(tuple(sizes))
    weights, biases = initial_parameters(sizes, scheme, seed)
    shape = "-".join(map(str, sizes))
    lines = [
        f"# A starter pencilnet config: a {shape} network of {activation} nodes.",
        f"# Initial weights: the {scheme} scheme with seed {seed}, rounded to {decimals} decimals",
        f"# (pencilnet init --layers {','.join(map(str, sizes))} --activation {activation} "
        f"--scheme {scheme} --seed {seed}).",
        "# Replace the sample with your own data, then: pencilnet forward THIS_FILE",
        "",
        f'name: "A {shape} network"',
        f"inputs: {sizes[0]}   # {span(names.nodes[0])}",
        "bias_input: 1",
        "layers:",
    ]
    for index, (w, b) in enumerate(zip(weights, biases)):
        sources, targets = names.nodes[index], names.nodes[index + 1]
        role = "the output layer" if index == len(weights) - 1 else "a hidden layer"
        first, last = names.weights[index][0, 0], names.weights[index][-1, -1]
        lines += [
            f"  - size: {sizes[index + 1]}   # {role}: {span(targets)}",
            f"    activation: {activation}",
            f"    weights:   # {len(sources)} rows ({span(sources)}) of {len(targets)} columns "
            f"({span(targets)}): {first} … {last}",
        ]
        lines += [f"      - {_numbers(row, decimals)}" for row in w]
        lines.append(f"    biases: {_numbers(b, decimals)}   # {span(names.biases[index])}")
    outputs = sizes[-1]
    lines += [
        "loss: half_sse   # E = ½ Σ (target − out)²",
        "training:",
        f"  learning_rate: {learning_rate}",
        f"  epochs: {epochs}",
        # One output tells two classes apart (below the threshold of 0.5, then at or above it).
        f"classes: [{', '.join(f'class {k + 1}' for k in range(2 if outputs == 1 else outputs))}]",
        "samples:",
        f"  - inputs: {_numbers(np.full(sizes[0], 0.5), decimals)}   # one placeholder sample",
        f"    target: {_numbers(np.eye(outputs)[0], 0)}",
    ]
    return "\n".join(lines) + "\n"
