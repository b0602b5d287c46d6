"""The error by epoch of a run as a picture, with the test set's error beside it and its accuracy on a
second axis when the run has them; returned as a figure or as the bytes of an svg, png or pdf file."""

import numpy as np

from pencilnet.views.pictures import matplotlib_figure, rendered


def wants_log_scale(errors) -> bool:
    """A log scale when the errors span more than two decades: on a linear one, everything
    after the first steep fall would lie flat on the axis."""
    values = np.asarray(errors, dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    return bool(len(positive)) and positive.max() / positive.min() > 100


def picture(errors: list[float], kind: str, test_accuracy: list[float] | None = None,
            epochs: list[int] | None = None, test_errors: list[float] | None = None) -> bytes:
    """The error by epoch (log scale when it spans more than two decades), with the test set's
    error dashed beside it and its accuracy on a second axis when given, as the bytes of a `kind`
    file: svg, png or pdf."""
    return rendered(history_figure(errors, test_accuracy, epochs, test_errors), kind)


def history_figure(errors: list[float], test_accuracy: list[float] | None = None, epochs: list[int] | None = None,
                   test_errors: list[float] | None = None):
    """The figure `picture` renders; `epochs` numbers the values (None: 1, 2, … every epoch)."""
    _, Figure = matplotlib_figure()
    values = np.asarray(errors, dtype=float)
    numbers = np.arange(1, len(values) + 1) if epochs is None else np.asarray(epochs, dtype=float)
    figure = Figure(figsize=(8, 5))
    ax = figure.add_subplot()
    ax.plot(numbers, values, color="#c0392b", lw=1.8, label="error", marker="o" if len(values) <= 30 else None,
            ms=4)
    if test_errors is not None:
        tested = np.asarray(test_errors, dtype=float)
        ax.plot(numbers, tested, color="#c0392b", lw=1.4, ls="--", label="test error")
        values = np.concatenate([values, tested])  # one scale for both errors
    log = wants_log_scale(values)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("error (mean over the samples)" + (", log scale" if log else ""))
    ax.set_title("Error by epoch", fontsize=13, weight="bold")
    ax.grid(True, alpha=0.3)
    handles = list(ax.get_lines())
    if test_accuracy is not None:
        right = ax.twinx()
        accuracy = np.asarray(test_accuracy, dtype=float)
        handles += right.plot(numbers, accuracy, color="#2471a3", lw=1.8,
                              label="test accuracy")
        right.set_ylabel("test accuracy")
        if np.nanmax(accuracy) <= 1:
            right.set_ylim(0, 1.02)
    # Beneath the axes, where no curve can run: inside, the accuracy line sits near the top
    # and the error starts there.
    ax.legend(handles, [h.get_label() for h in handles], loc="upper center", bbox_to_anchor=(0.5, -0.13),
              ncol=len(handles), frameon=False)
    figure.tight_layout()
    return figure
