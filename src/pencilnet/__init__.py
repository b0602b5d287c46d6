"""pencilnet: a neural network you can check with paper and pencil.

The public API: load a config, then run the stages on its model.

    >>> import pencilnet
    >>> config = pencilnet.load()          # the article's 2-2-2 example
    >>> x, target = config.sample(1)
    >>> trace = pencilnet.forward(config.model, x)
    >>> round(float(trace.output[1]), 4)
    0.7353
"""

__version__ = "0.1.0"

# Where each public name lives. They are imported on first use, not here: `import pencilnet.cli`
# imports this package first, and `pencilnet --help` has no use for NumPy or YAML.
_HOMES = {
    "Config": "io.config", "load": "io.config", "parse": "io.config",
    "Layer": "core.model", "Model": "core.model",
    "Exact": "core.arithmetic", "Pencil": "core.arithmetic", "EXACT": "core.arithmetic",
    "arithmetic_of": "core.arithmetic",
    "forward": "core.stages", "error": "core.stages", "backprop": "core.stages", "step": "core.stages",
    "walk": "core.stages", "Walk": "core.stages", "Trace": "core.stages", "ErrorReport": "core.stages",
    "Gradients": "core.stages", "chain": "core.stages",
    "mean_error": "core.metrics", "accuracy": "core.metrics", "confusion": "core.metrics",
    "train": "training.loop", "Schedule": "training.loop", "History": "training.loop",
    "TrainingDiverged": "training.loop", "TrainingInterrupted": "training.loop",
    "gradcheck": "core.gradcheck", "verify": "checks.verify",
}

__all__ = sorted(_HOMES) + ["__version__"]


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'pencilnet' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"pencilnet.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_HOMES))
