"""A run as Rich tables: the network's summary before it, the error by epoch and the final
weights after it, the test set's confusion matrix, and predictions. Nothing here prints."""

import math

import numpy as np
from rich.console import Group
from rich.text import Text

from pencilnet.core.losses import LOSSES
from pencilnet.core.model import Model, flatten, span
from pencilnet.training.loop import History
from pencilnet.views.example import Example, class_names
from pencilnet.views.numbers import Style
from pencilnet.views.table_parts import APART, grid, plural, titled

SPARK = "▁▂▃▄▅▆▇█"
EVERY_WEIGHT = 48  # a network of more parameters gets a line per layer after training, unless --all


def sparkline(values: list[float], width: int = 60) -> str:
    """The error curve in one line of block characters; long runs are averaged into `width` bins."""
    data = np.asarray(values, dtype=float)
    if len(data) > width:
        data = np.array([chunk.mean() for chunk in np.array_split(data, width)])
    low, high = float(data.min()), float(data.max())
    if high == low:
        return SPARK[0] * len(data)
    scaled = (data - low) / (high - low) * (len(SPARK) - 1)
    return "".join(SPARK[int(round(v))] for v in scaled)


def curve_text(errors: list[float], epochs: list[int]):
    """`plot`'s text for the terminal: the curve in one line and the first and last errors; a long
    run's sample of its epochs (`epochs`, from 1) is said to be one."""
    finite = [e for e in errors if math.isfinite(e)]
    style = Style()
    run = f"{epochs[-1]:,} epochs" + ("" if len(epochs) == epochs[-1] else f" (an even sample of {len(epochs):,} kept)")
    return Text(f"curve: {sparkline(finite)}\n{run}: error {style.number(finite[0])} in the first, "
                f"{style.number(finite[-1])} in the last (--out FILE.png draws it)")


def epochs_to_show(count: int, rows: int | None) -> list[int]:
    """Every epoch for short runs; otherwise evenly spaced ones, always the first and the last."""
    if rows is None or count <= max(rows, 2):
        return list(range(count))
    return sorted({int(round(i)) for i in np.linspace(0, count - 1, max(rows, 2))})


def batch_mode(batch_size: int | None, samples: int) -> str:
    if batch_size == 1:
        return "online: one step per sample"
    if batch_size is None or batch_size >= samples:
        return "full batch: one step per epoch"
    return f"mini-batches of {batch_size}"


def train(config: Example, history: History, schedule, style: Style, confusion: np.ndarray | None = None,
          test_scores=None) -> Group:
    """The error by epoch, how the run went, the test set (a classifier's `confusion`, a
    regression's `test_scores`) and then the final weights: one order for both kinds."""
    epochs, kept = history.epochs_run, len(history.errors)  # a long run keeps a sample of its epochs
    tested, test_errors = history.test_accuracy is not None, history.test_errors
    scheduled = schedule.lr_schedule.name != "constant" and history.learning_rates
    chosen = epochs_to_show(kept, style.rows)
    # Spaced rows: the change is still from the epoch kept just before, not from the row above.
    change = "#change" if len(chosen) == epochs else "#change from the epoch before" if kept == epochs else (
        "#change from the epoch kept before")
    accuracies, rates = history.test_accuracy or [], history.learning_rates or []
    numbers = history.epochs or list(range(1, kept + 1))  # the epoch of each entry kept
    table = grid("#epoch", "#error", change, *(["#test error"] if test_errors else []),
                 *(["#test accuracy"] if tested else []),
                 *(["#learning rate"] if scheduled else []))
    for i in chosen:
        change = "" if i == 0 else style.number(history.errors[i] - history.errors[i - 1])
        extra = [style.number(test_errors[i])] if test_errors else []
        extra += [f"{100 * accuracies[i]:.1f}%"] if tested else []
        extra += [style.given(rates[i])] if scheduled else []
        table.add_row(str(numbers[i]), style.number(history.errors[i]), change, *extra)
    title = f"Error by epoch: the mean over {plural(len(config.train_inputs), 'sample')}, measured during the epoch"
    parts: list = [Text(title, style="bold"), table]
    if config.default_init is not None:
        parts.insert(0, Text(f"Initial weights: {config.default_init.describe()}"))
    if len(chosen) < epochs:
        parts.append(Text(f"{len(chosen)} of {epochs} epochs shown, evenly spaced (--all shows every epoch)",
                          style="dim italic"))
    if epochs > 1:
        parts.append(Text(f"curve: {sparkline(history.errors)}"))
    first = history.errors[0] if history.errors else float("nan")
    how = (batch_mode(schedule.batch_size, len(config.train_inputs))
           + (", shuffled each epoch" if schedule.shuffle else ""))
    parts.append(Text(f"{plural(epochs, 'epoch')} at learning rate {style.given(schedule.learning_rate)} ({how})\n"
                      f"Error: {style.number(first)} in the first epoch, {style.number(history.final_error)} "
                      "with the final weights", style="bold"))
    if not schedule.optimizer.plain or scheduled:
        lately = (f", {schedule.lr_schedule.describe()}: {style.given(rates[-1])} in the last epoch"
                  if scheduled else "")
        parts.append(Text(f"Optimizer: {schedule.optimizer.describe()}; learning rate "
                          f"{style.given(schedule.learning_rate)}{lately}."))
    if history.stopped_early:
        parts.append(Text(f"Stopped early: the error of epoch {epochs}, {style.number(history.errors[-1])} "
                          f"(measured during the epoch), reached the target {style.given(schedule.target_error)}."))
    if confusion is not None:
        parts.append(confusion_table(class_names(config), confusion))
    if test_scores is not None:
        parts.append(scores(test_scores, "Test set"))
    parts.append(final_weights(config.model, history.model, style))
    return Group(*parts)


def final_weights(before: Model, after: Model, style: Style) -> Group:
    """Every parameter's initial and final value and change; beyond EVERY_WEIGHT parameters, unless
    every row is asked for (--all), how much each layer moved instead."""
    names, old, new = before.names.parameters, flatten(before), flatten(after)
    if len(names) > EVERY_WEIGHT and style.rows is not None:
        return _layer_moves(before, after, style)

    def row(i: int) -> tuple:
        return names[i], style.number(old[i]), style.number(new[i]), style.number(new[i] - old[i])

    return titled("Final weights", grid("parameter", "#initial", "#final", "#change"), range(len(names)),
                  style, "parameters", row)


def _layer_moves(before: Model, after: Model, style: Style) -> Group:
    """Per layer: its parameters, the mean size of their change, and the one that moved most."""
    names = before.names
    table = grid("layer", "parameters", "#count", "#mean |change|", "largest change")
    last = len(before.layers) - 1
    for index, (old, new) in enumerate(zip(before.layers, after.layers, strict=True)):
        change = np.concatenate([(new.weights - old.weights).ravel(), new.biases - old.biases])
        named = [*map(str, names.weights[index].ravel()), *map(str, names.biases[index])]
        most = int(np.argmax(np.abs(change)))
        role = "output" if index == last else f"hidden {index + 1}"
        spans = f"{span(list(names.weights[index].ravel()), APART)}, {span(list(names.biases[index]), APART)}"
        table.add_row(role, spans, str(len(change)), style.number(float(np.mean(np.abs(change)))),
                      f"{named[most]}: {style.number(float(change[most]))}")
    count = len(names.parameters)
    return Group(Text(f"Final weights: how much each layer moved (--all shows all {count})",
                      style="bold"), table)


def confusion_table(classes: list[str], counts: np.ndarray, title: str = "Test set") -> Group:
    """Rows: the true class; columns: the predicted one; and the accuracy."""
    table = grid("actual \\ predicted", *[f"#{name}" for name in classes])
    for name, row in zip(classes, counts, strict=False):
        table.add_row(name, *[str(n) for n in row])
    total = int(counts.sum())
    right = int(np.trace(counts))
    accuracy = right / total if total else float("nan")
    return Group(Text(f"{title}: {right} of {total} right, accuracy {100 * accuracy:.1f}%", style="bold"), table)


def summary(config: Example, style: Style) -> Group:
    model, names = config.model, config.model.names
    table = grid("layer", "nodes", "activation", "weights", "bias weights", "#parameters")
    table.add_row("input", f"{model.inputs} ({span(names.nodes[0], APART)})", "", "", "", "")
    for index, layer in enumerate(model.layers):
        role = "output" if index == len(model.layers) - 1 else f"hidden {index + 1}"
        weights = f"{span(list(names.weights[index].ravel()), APART)}" + (" (frozen)" if layer.frozen_weights else "")
        biases = span(names.biases[index], APART) + (" (shared)" if layer.shared_bias else "")
        biases += " (frozen)" if layer.frozen_biases else ""
        table.add_row(role, f"{layer.size} ({span(names.nodes[index + 1], APART)})", layer.activation, weights, biases,
                      str(layer.weights.size + layer.biases.size))
    table.add_row("total", "", "", "", "", str(model.parameter_count), style="bold")
    shape = "-".join(map(str, model.sizes))
    schedule = config.schedule
    lines = [f"Loss: {LOSSES[config.loss].formula} ({config.loss}); bias input {style.given(model.bias_input)}",
             f"Training: learning rate {style.given(schedule.learning_rate)}, {plural(schedule.epochs, 'epoch')}, "
             f"{batch_mode(schedule.batch_size, len(config.train_inputs))}"
             + (", shuffled" if schedule.shuffle else ""),
             f"Data: {plural(len(config.train_inputs), 'training sample')}"
             + (f", {plural(len(config.test_inputs), 'test sample')}" if config.test_inputs is not None else "")
             + f"; classes: {', '.join(config.classes)}"]
    if config.default_init is not None:
        lines.append(f"Initial weights: {config.default_init.describe()}")
    name = config.name or config.source
    title = f"{name}, {model.parameter_count} parameters" if shape in name else \
        f"{name}: a {shape} network, {model.parameter_count} parameters"
    return Group(Text(title, style="bold"), table, *[Text(line) for line in lines])


def predictions(config: Example, found, style: Style) -> Group:
    """A `metrics.Predictions`: each sample's class and outputs, and whether it is right when that is known."""
    names, classes = config.model.names.nodes[-1], class_names(config)
    if found.predicted is None:  # a regression: outputs, and their targets when known
        columns = ["#sample", *[f"#{n}" for n in names]]
        if found.scores is not None:
            columns += [f"#target {n}" for n in names]
    elif len(names) == 1:  # one output: the probability of the second (positive) class
        positive = config.classes[-1] if config.classes else names[0]  # a 0/1 column's name: its "1"
        columns = ["#sample", "class", f"#{names[0]} (P({positive}))"]
    else:
        columns = ["#sample", "class", *[f"#{n} ({c})" for n, c in zip(names, config.classes, strict=False)]]
    if found.actual is not None:
        columns += ["actual", "right"]

    def row(i: int) -> tuple:
        cells = [str(i + 1)] + ([classes[found.predicted[i]]] if found.predicted is not None else [])
        cells += [style.number(v) for v in found.outputs[i]]
        if found.actual is not None:
            cells += [classes[found.actual[i]], "✓" if found.right[i] else "✗"]
        elif found.scores is not None:
            cells += [style.number(v) for v in found.targets[i]]
        return tuple(cells)

    parts: list = [titled("Predictions", grid(*columns), range(len(found.outputs)), style, "samples", row)]
    if found.confusion is not None:
        parts.append(confusion_table(classes, found.confusion, "These samples"))
    if found.scores is not None:
        parts.append(scores(found.scores, "These samples"))
    return Group(*parts)


def scores(found, title: str) -> Text:
    """A regression's measures: no classes, so no accuracy."""
    return Text(f"{title}: mean error {found.error:.6g}, R² {found.r2:.4f}, "
                f"mean absolute error {found.mean_absolute_error:.6g}", style="bold")
