"""The same records as the tables, as plain JSON-ready dicts at full float64 precision.

Keys follow the article's names (h1, y2, w5, bw3); dicts keep the network's order, so the
same config always gives byte-identical output.
"""

import math
from typing import TYPE_CHECKING

from pencilnet.core.model import Model
from pencilnet.core.optimizers import Update
from pencilnet.core.stages import ErrorReport, Gradients, Trace, Walk, chain
from pencilnet.views import declared
from pencilnet.views.example import Example, class_names

if TYPE_CHECKING:  # the training loop, only where a command trained
    from pencilnet.training.loop import History


def number(x) -> float | None:
    """A float for JSON; NaN and infinity, which JSON cannot hold, become null."""
    x = float(x)
    return x if math.isfinite(x) else None


def _named(names, values) -> dict:
    return {str(n): number(v) for n, v in zip(names, values, strict=False)}


def _prediction(config: Example, output) -> dict:
    from pencilnet.core.metrics import classes_of

    found = int(classes_of(output, config.threshold)[0])
    outputs = config.model.names.nodes[-1]
    # One output stands for both classes; several: the node of the class.
    return {"class": class_names(config)[found], "node": outputs[0] if len(outputs) == 1 else outputs[found]}


def _declared(config: Example, sample: int | None, stage: str) -> dict:
    """`expected`: the stage's values the config declares an erratum or a tolerance for, by name,
    each {published, kind ("erratum" or "tolerance"), erratum or tolerance, note}; absent
    when there are none, so other configs' output is unchanged."""
    found = declared.as_json(config, sample, stage)
    return {"expected": found} if found else {}


def forward(config: Example, trace: Trace, sample: int | None) -> dict:
    names = config.model.names
    return {
        "sample": sample,
        "inputs": _named(names.nodes[0], trace.x),
        "net": {n: number(v) for layer, seen in zip(names.nodes[1:], trace.layers, strict=True)
                for n, v in zip(layer, seen.net, strict=True)},
        "out": {n: number(v) for layer, seen in zip(names.nodes[1:], trace.layers, strict=True)
                for n, v in zip(layer, seen.out, strict=True)},
        "prediction": _prediction(config, trace.output),
        **_declared(config, sample, "forward"),
    }


def error(config: Example, report: ErrorReport, sample: int | None) -> dict:
    outputs = config.model.names.nodes[-1]
    return {
        "sample": sample,
        "loss": report.loss,
        "error": number(report.total),
        "terms": _named(outputs, report.terms),
        "targets": _named(outputs, report.target),
        "outputs": _named(outputs, report.output),
        **_declared(config, sample, "error"),
    }


def backprop(config: Example, gradients: Gradients, sample: int | None) -> dict:
    rows = chain(config.model, gradients)
    names = config.model.names
    nodes = {}
    for index, found in enumerate(gradients.layers):
        fed = names.nodes[index + 2] if found.terms is not None else []
        for j, node in enumerate(names.nodes[index + 1]):
            entry: dict[str, object] = {"dE_dout": number(found.dE_dout[j]), "dout_dnet": number(found.dout_dnet[j]),
                     "dE_dnet": number(found.dE_dnet[j])}
            if found.terms is not None:
                entry["terms"] = _named(fed, found.terms[j])  # ∂E_k/∂out_j for each node k fed
            nodes[node] = entry
    return {
        "sample": sample,
        "gradients": {r.name: number(r.gradient) for r in rows},
        "chain": {r.name: {"from": r.source, "to": r.target, "dE_dout": number(r.dE_dout),
                           "dout_dnet": number(r.dout_dnet), "dnet_dw": number(r.dnet_dw)} for r in rows},
        "nodes": nodes,
        "inputs": _named(names.nodes[0], gradients.dE_dx) if gradients.dE_dx is not None else {},
        **_declared(config, sample, "backprop"),
    }


def step(config: Example, gradients: Gradients, new: Model, learning_rate: float, sample: int | None) -> dict:
    return {
        "sample": sample,
        "learning_rate": learning_rate,
        "weights": {k: number(v) for k, v in new.parameters().items()},
        "previous": {k: number(v) for k, v in config.model.parameters().items()},
        "gradients": {r.name: number(r.gradient) for r in chain(config.model, gradients)},
        **_declared(config, sample, "step"),
    }


STAGES = ("forward", "error", "backprop", "step")  # in the article's order, as `walkthrough` shows them


def stage(name: str, walk: Walk, config: Example) -> dict:
    """One stage of `walk` (forward, error, backprop or step) as JSON; "walkthrough": the four, by name."""
    if name == "walkthrough":
        return {one: stage(one, walk, config) for one in STAGES}
    if name == "forward":
        return forward(config, walk.trace, walk.sample)
    if name == "error":
        return error(config, walk.report, walk.sample)
    if name == "backprop":
        return backprop(config, walk.gradients, walk.sample)
    return {**step(config, walk.gradients, walk.new_model, walk.learning_rate, walk.sample),
            "previous": {k: number(v) for k, v in walk.model.parameters().items()},
            **(state_json(walk.model.names.parameters, walk.update) if walk.update is not None else {})}


def train(config: Example, history: "History", schedule, confusion=None) -> dict:
    result = {
        "epochs": history.epochs_run,
        "samples": len(config.train_inputs),
        "learning_rate": schedule.learning_rate,
        "optimizer": schedule.optimizer.settings(),
        "learning_rates": [number(r) for r in history.learning_rates or []],
        "batch_size": schedule.batch_size if schedule.batch_size is not None else "full",
        "errors": [number(e) for e in history.errors],
        "final_error": number(history.final_error),
        "stopped_early": history.stopped_early,
        "weights": {k: number(v) for k, v in history.model.parameters().items()},
        "default_init": None if config.default_init is None else config.default_init.describe(),
    }
    if len(history.errors) != history.epochs_run:  # a long run's evenly spread sample of its epochs
        result["error_epochs"] = history.epochs
    if history.test_errors is not None:
        result["test_errors"] = [number(e) for e in history.test_errors]
    if history.test_accuracy is not None:
        result["test_accuracies"] = [number(a) for a in history.test_accuracy]
    if confusion is not None:
        result["test_accuracy"] = number(confusion.trace() / confusion.sum())
        result["confusion"] = {"classes": class_names(config), "counts": confusion.tolist()}
    return result


def verify(verdicts, file: str | None = None) -> dict:
    from pencilnet.checks.verify import chains

    return {
        "passed": all(v.passed for v in verdicts),
        "counts": {kind: sum(v.verdict == kind for v in verdicts)
                   for kind in ("match", "rounding", "erratum", "differs")},
        "entries": [{"name": v.name, "published": v.published, "arithmetic": v.arithmetic,
                     "computed": number(v.computed), "exact": number(v.exact), "difference": number(v.difference),
                     "verdict": v.verdict, "note": v.note, "file": file, "line": v.line,
                     "diagnosis": list(v.diagnosis), "follows": v.follows} for v in verdicts],
        "root": chains(verdicts),  # each differing number the later differing ones follow from
    }


def summary(config: Example) -> dict:
    model, names = config.model, config.model.names
    return {
        "sizes": model.sizes,
        "parameters": model.parameter_count,
        "layers": [{"nodes": names.nodes[i + 1], "activation": layer.activation, "weights": int(layer.weights.size),
                    "biases": int(layer.biases.size), "shared_bias": layer.shared_bias,
                    "frozen_weights": layer.frozen_weights, "frozen_biases": layer.frozen_biases}
                   for i, layer in enumerate(model.layers)],
        "loss": config.loss,
        "bias_input": model.bias_input,
        "learning_rate": config.schedule.learning_rate,
        "epochs": config.schedule.epochs,
        "batch_size": config.schedule.batch_size if config.schedule.batch_size is not None else "full",
        "classes": config.classes,
        "training_samples": len(config.train_inputs),
        "test_samples": len(config.test_inputs) if config.test_inputs is not None else 0,
        "default_init": None if config.default_init is None else {
            "layers": list(config.default_init.layers), "scheme": config.default_init.scheme,
            "seed": config.default_init.seed},
    }


def prediction_rows(config: Example, found) -> list[dict]:
    """One dict per sample of a `metrics.Predictions`: its class, its outputs, and its true class when known."""
    names = config.model.names.nodes[-1]
    rows = []
    for i, out in enumerate(found.outputs):
        row: dict[str, object] = {"sample": i + 1}
        if found.predicted is not None:
            row["class"] = class_names(config)[found.predicted[i]]
        row["outputs"] = _named(names, out)
        if found.actual is not None:
            row["actual"] = class_names(config)[found.actual[i]]
            row["right"] = bool(found.right[i])
        elif found.scores is not None:  # a regression's targets
            row["targets"] = _named(names, found.targets[i])
        rows.append(row)
    return rows


def scores(found) -> dict:
    return {"error": number(found.error), "r2": number(found.r2),
            "mean_absolute_error": number(found.mean_absolute_error)}


def predictions(config: Example, found) -> dict:
    rows = prediction_rows(config, found)
    result: dict[str, object] = {"predictions": [{k: v for k, v in row.items() if k != "sample"} for row in rows]}
    if found.confusion is not None:
        result["accuracy"] = number(found.accuracy)
        result["confusion"] = {"classes": class_names(config), "counts": found.confusion.tolist()}
    if found.scores is not None:
        result["scores"] = scores(found.scores)
    return result


def predictions_csv(config: Example, found) -> str:
    """The predictions as CSV: sample, class, one column per output node, and actual when known."""
    import csv
    import io

    rows = prediction_rows(config, found)
    names = [str(n) for n in config.model.names.nodes[-1]]
    classes = found.predicted is not None
    header = ["sample", *(["class"] if classes else []), *names] + (["actual"] if found.actual is not None else [])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row["sample"], *([row["class"]] if classes else []), *[repr(row["outputs"][n]) for n in names]]
                        + ([row["actual"]] if "actual" in row else []))
    return text.getvalue()


def gradcheck(report, sample: int) -> dict:
    checks = report.checks
    return {"sample": sample, "tolerance": report.tolerance, "passed": report.passed,
            "worst_relative_error": max(c.relative_error for c in checks),
            "parameters": {c.name: {"analytic": c.analytic, "numeric": c.numeric, "relative_error": c.relative_error,
                                    "resolution": c.resolution, "spacing": c.spacing, "verdict": c.verdict,
                                    "passed": c.passed} for c in checks}}


def state_json(names: list[str], found: Update) -> dict:
    """The optimizer's settings and, for every parameter, each state variable before and after the
    step (and Adam's bias-corrected m̂ and v̂) and the update subtracted, by name; plain gradient
    descent has none."""
    state = {}
    for position, name in enumerate(names):
        entry: dict[str, object] = {key: {"before": number(found.before.buffers[key][position]),
                       "after": number(found.values[key][position])} for key in found.before.buffers}
        entry.update({key: number(found.values[key][position]) for key in ("mhat", "vhat") if key in found.values})
        if not found.optimizer.plain:  # plain descent's step is η × ∂E/∂w, from what its JSON has
            entry["update"] = number(found.values["step"][position])
        if entry:
            state[name] = entry
    return {"optimizer": found.optimizer.settings(), "step": found.steps, "state": state}
