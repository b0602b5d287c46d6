"""The steps on a function as a picture: for two parameters, the path of the parameters on the
function's contours; for one, the curve f(θ) with each step's point on it; for more, f by step.
Returned as the bytes of an svg, png or pdf file."""

import numpy as np

from pencilnet.core import expression
from pencilnet.core.objective import FunctionStep, Objective
from pencilnet.views.pictures import matplotlib_figure, rendered

GRID = 200  # points per axis of the contour grid


def path_picture(objective: Objective, run: list[FunctionStep], title: str, kind: str) -> bytes:
    return rendered(path_figure(objective, run, title), kind)


def _span(values: np.ndarray) -> tuple[float, float]:
    """The range of the path's values, widened by a quarter each side (and to 1 if it is a point)."""
    low, high = float(np.min(values)), float(np.max(values))
    margin = max(high - low, 1.0) * 0.25
    return low - margin, high + margin


def path_figure(objective: Objective, run: list[FunctionStep], title: str = ""):
    _, Figure = matplotlib_figure()
    points = np.array([objective.start] + [s.new for s in run])  # (steps + 1, parameters)
    values = np.array([run[0].value if run else objective.value(objective.start)] + [s.value_after for s in run])
    figure = Figure(figsize=(7, 5.5))
    ax = figure.add_subplot()
    names = objective.names
    if len(names) == 1:
        low, high = _span(points[:, 0])
        theta = np.linspace(low, high, GRID * 2)
        with np.errstate(all="ignore"):
            curve = np.broadcast_to(expression.evaluate(objective.tree, {names[0]: theta}), theta.shape)
        ax.plot(theta, curve, color="#7f8c8d", lw=1.5, label=f"f = {objective.text}")
        ax.plot(points[:, 0], values, color="#c0392b", marker="o", ms=4, lw=1, label="steps")
        ax.set_xlabel(names[0])
        ax.set_ylabel("f")
    elif len(names) == 2:
        (x0, x1), (y0, y1) = _span(points[:, 0]), _span(points[:, 1])
        x, y = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
        others = {name: value for name, value in zip(names, objective.start, strict=True)}
        with np.errstate(all="ignore"):
            z = np.broadcast_to(expression.evaluate(objective.tree, {**others, names[0]: x, names[1]: y}), x.shape)
        finite = z[np.isfinite(z)]
        if finite.size and finite.max() > finite.min():
            # contour levels spaced by quantiles: a valley as narrow as Rosenbrock's still shows
            levels = np.unique(np.quantile(finite, np.linspace(0, 1, 25)))
            ax.contour(x, y, np.where(np.isfinite(z), z, np.nan), levels=levels, cmap="viridis", linewidths=0.8)
        ax.plot(points[:, 0], points[:, 1], color="#c0392b", marker="o", ms=3, lw=1, label="steps")
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    else:
        ax.plot(np.arange(len(values)), values, color="#c0392b", marker="o", ms=3, label="f")
        ax.set_xlabel("step")
        ax.set_ylabel("f")
    ax.plot(points[:1, 0] if len(names) <= 2 else [0], [values[0]] if len(names) == 1 else
            points[:1, 1] if len(names) == 2 else [values[0]], "ks", ms=6, label="start")
    optimizer = run[0].update.optimizer.describe() if run else ""
    ax.set_title(title or f"{len(run)} steps of {optimizer} on f = {objective.text}", fontsize=11, weight="bold")
    ax.legend(loc="best", fontsize=8)
    ax.grid(True, alpha=0.3)
    figure.tight_layout()
    return figure
