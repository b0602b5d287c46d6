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

from .config import Config, load
from .engine import backprop, error, forward, step, train
from .model import Layer, Model

__all__ = ["Config", "Layer", "Model", "backprop", "error", "forward", "load", "step", "train", "__version__"]
