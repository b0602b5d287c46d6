"""A commented starter config for any architecture, as written by `pencilnet init`.

The options become a config with an init scheme and a seed, which the config checker reads like
any other (so `init` accepts exactly what every command accepts, and its messages name the
option); the weights it draws are written out, rounded, by the one config writer.
"""

import re

from pencilnet.core.errors import ConfigError, InputError
from pencilnet.io.config_writer import config_text, network_fields, network_notes
from pencilnet.io.files import size_text
from pencilnet.io.yaml_text import MAX_BYTES

BYTES_PER_PARAMETER = 12  # "-0.123456, ": the longest a starter config writes a weight
# Which option made the field a problem is about (the weights are the scheme's); any other (a size, the
# inputs) is --layers'.
OPTIONS = (("seed", "--seed"), (r"(layers\[\d+\]\.)?init(\..*)?|layers\[\d+\]\.(weights|biases)", "--scheme"),
           (r"layers\[\d+\]\.activation", "--activation"), ("training.learning_rate", "--learning-rate"),
           ("training.epochs", "--epochs"))


def sizes_of(layers: str) -> list[int]:
    """The node counts of `--layers 36,36,2`, refused before a single weight is drawn when its
    starter config could not be read (past the size a config may have)."""
    try:
        sizes = [int(n) for n in layers.split(",")]
    except ValueError:  # not a whole number, or one of more than 4,300 digits
        sizes = []
    if len(sizes) < 2 or min(sizes) < 1:
        raise InputError(f"--layers: expected at least two positive node counts such as 2,2,2, "
                         f"found {layers if len(layers) <= 40 else layers[:39] + '…'!r}")
    parameters = sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))
    if parameters * BYTES_PER_PARAMETER > MAX_BYTES:
        raise InputError(f"--layers: expected a network whose starter config fits the {size_text(MAX_BYTES)} "
                         f"a config may have (at most {MAX_BYTES // BYTES_PER_PARAMETER:,} "
                         f"parameters), found {parameters:,} parameters; for a bigger network write "
                         "a config with an init scheme (init: xavier) instead of weights")
    return sizes


def starter_config(layers: str, activation: str, scheme: str, seed: int, learning_rate: float, epochs: int,
                   decimals: int = 6) -> str:
    """YAML text of a network of `layers` (node counts, inputs first: "2,2,2") with initial weights
    from `scheme` and `seed`, rounded to `decimals` places (the file holds the exact values every
    command will use)."""
    from pencilnet.io.config import parse

    sizes = sizes_of(layers)
    shape = "-".join(map(str, sizes))
    outputs = sizes[-1]
    document: dict = {
        "name": f"A {shape} network", "inputs": sizes[0], "bias_input": 1, "seed": seed, "init": scheme,
        "layers": [{"size": size, "activation": activation} for size in sizes[1:]],
        "loss": "half_sse",
        "training": {"learning_rate": learning_rate, "epochs": epochs},
        # One output tells two classes apart (below the threshold of 0.5, then at or above it).
        "classes": [f"class {k + 1}" for k in range(2 if outputs == 1 else outputs)],
        "samples": [{"inputs": [0.5] * sizes[0], "target": [1.0] + [0.0] * (outputs - 1)}],
    }
    try:
        model = parse(config_text(document), "init").model  # the checker every command uses, weights drawn
    except ConfigError as exc:
        raise InputError(*_as_options(exc)) from None
    del document["seed"], document["init"]
    document["layers"] = network_fields(model, decimals)["layers"]
    header = [f"A starter pencilnet config: a {shape} network of {activation} nodes.",
              f"Initial weights: the {scheme} scheme with seed {seed}, rounded to {decimals} decimals",
              f"(pencilnet init --layers {','.join(map(str, sizes))} --activation {activation} "
              f"--scheme {scheme} --seed {seed}).",
              "Replace the sample with your own data, then: pencilnet forward THIS_FILE"]
    return config_text(document, header, {**network_notes(model), "loss": "E = ½ Σ (target − out)²",
                                          "samples[0].inputs": "one placeholder sample"})


def _as_options(error: ConfigError) -> list[str]:
    """The checker's problems with the starter config, each said of the option that made it, once."""
    lines: dict[str, str] = {}
    for problem in error.problems:
        option = next((option for pattern, option in OPTIONS if re.fullmatch(pattern, problem.path)), "--layers")
        found = f", found {problem.found}" if problem.found is not None else ""
        lines.setdefault(option, f"{option}: expected {problem.expected}{found}")
    return list(lines.values())
