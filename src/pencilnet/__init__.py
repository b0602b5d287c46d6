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

__all__ = ["Config", "Layer", "Model", "backprop", "error", "forward", "load", "step", "train", "__version__"]

# Where each public name lives. They are imported on first use, not here: `import pencilnet.cli`
# imports this package first, and `pencilnet --help` has no use for NumPy or YAML.
_HOMES = {"Config": "config", "load": "config", "Layer": "model", "Model": "model", "backprop": "engine",
          "error": "engine", "forward": "engine", "step": "engine", "train": "engine"}


def __getattr__(name: str):
    if name not in _HOMES:
        raise AttributeError(f"module 'pencilnet' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_HOMES[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + list(_HOMES))
