"""pencilnet: a neural network you can check with paper and pencil.

The public API: load a config (from a file, YAML text or a dict), then run the stages on its
model, train it, and predict with it. Every stage returns an immutable record and prints nothing.

    >>> import pencilnet
    >>> config = pencilnet.load()          # the article's 2-2-2 example
    >>> x, target = config.sample(1)
    >>> trace = pencilnet.forward(config.model, x)
    >>> round(float(trace.output[1]), 4)
    0.7353
    >>> config.predict([[0.15, 0.35]]).predicted.tolist()   # class indices into config.classes
    [1]

Modules for the views are reachable the same way: `pencilnet.tables` (Rich tables),
`pencilnet.as_json` (JSON-ready dicts), `pencilnet.config`, `pencilnet.datasets`.
"""

__version__ = "0.1.0"

# Where each public name lives. They are imported on first use, not here: `import pencilnet.cli`
# imports this package first, and `pencilnet --help` has no use for NumPy or YAML.
_HOMES = {
    "Config": "io.config", "load": "io.config", "loads": "io.config", "from_dict": "io.config", "parse": "io.config",
    "Dataset": "io.dataset", "Scaling": "io.scaling",
    "Layer": "core.model", "Model": "core.model",
    "Exact": "core.arithmetic", "Pencil": "core.arithmetic", "EXACT": "core.arithmetic",
    "arithmetic_of": "core.arithmetic",
    "forward": "core.stages", "error": "core.stages", "backprop": "core.stages", "step": "core.stages",
    "walk": "core.stages", "Walk": "core.stages", "Trace": "core.stages", "ErrorReport": "core.stages",
    "Gradients": "core.stages", "chain": "core.stages",
    "mean_error": "core.metrics", "accuracy": "core.metrics", "confusion": "core.metrics",
    "predict": "core.metrics", "Predictions": "core.metrics", "classes_of": "core.metrics",
    "LOSSES": "core.losses", "ACTIVATIONS": "core.activations",
    "train": "training.loop", "Schedule": "training.loop", "History": "training.loop",
    "TrainingDiverged": "training.loop", "TrainingInterrupted": "training.loop",
    "gradcheck": "core.gradcheck", "Check": "core.gradcheck",
    "verify": "checks.report", "VerifyReport": "checks.report",
    "PencilnetError": "core.errors", "InputError": "core.errors", "ConfigError": "core.errors",
}
# Modules a notebook reaches as attributes, imported on first use like the names above.
_MODULES = {"config": "io.config", "datasets": "io.data_files", "tables": "views.tables", "as_json": "views.as_json",
            "metrics": "core.metrics", "losses": "core.losses"}

__all__ = sorted(_HOMES) + sorted(_MODULES) + ["__version__"]


def __getattr__(name: str):
    from importlib import import_module

    if name in _MODULES:
        value = import_module(f"pencilnet.{_MODULES[name]}")
        globals()[name] = value
        return value
    if name not in _HOMES:
        raise AttributeError(f"module 'pencilnet' has no attribute {name!r}")
    value = getattr(import_module(f"pencilnet.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def load_ipython_extension(ipython) -> None:
    """`%load_ext pencilnet`: the records (a walk, a training history, a verify report, a config)
    show themselves as HTML and Markdown in this shell."""
    from importlib import import_module

    import_module("pencilnet.views.notebook").register(ipython)


def __dir__():
    return sorted(list(globals()) + list(_HOMES) + list(_MODULES))


# Inside IPython (a notebook's kernel), the records show themselves; elsewhere nothing is imported
# for it: IPython is asked only when it is imported already.
# (Imported by name, as every name above: the package's top is the facade of every layer, and a
# module of io that takes the version from it does not come to depend on views.)
if "IPython" in __import__("sys").modules:
    __import__("importlib").import_module("pencilnet.views.notebook").register_in_running_shell()
