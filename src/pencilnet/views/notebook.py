"""The records a notebook user holds, shown by Jupyter: a walk, a training history, a verify
report and a config, as HTML (the publish renderer's MathML and SVG) and as Markdown for plain
front ends.

The records hold no view code (the engine may not import views): `register` hands these
functions to IPython's display formatters, by the records' names, so that nothing is imported
before a record is shown. `import pencilnet` calls it inside IPython; `%load_ext pencilnet` too.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any

from pencilnet.io.budget import DRAWN_EDGES_LIMIT as DRAWN_EDGES  # as `pencilnet publish`

# Each record shown gets ids of its own: a notebook's page holds many pictures.
_shown = itertools.count(1)

# A fragment's style, scoped to it: a notebook's page is not ours to restyle.
STYLE = ("<style>.pencilnet td.n, .pencilnet th.n { text-align: right; } "
         ".pencilnet figure svg { max-width: 100%; height: auto; } "
         ".pencilnet .eq { margin: 0.4rem 0 0.4rem 1.5rem; }</style>")


@dataclass(frozen=True)
class _Bare:
    """What a walk alone tells of its example (the `views.example.Example` a document needs): its
    model and loss; the output nodes' names as its classes."""

    model: Any
    loss: str
    source: str = "the config it was made from"
    name: str = ""
    classes: tuple = ()
    expected: Any = None
    threshold: float = 0.5
    default_init: Any = None
    scaling: Any = None
    schedule: Any = None
    train_inputs: Any = None
    test_inputs: Any = None
    labels: dict = field(default_factory=dict)


def _drawable() -> bool:
    from importlib.util import find_spec

    return find_spec("matplotlib") is not None


def _walk_parts(walk):
    from pencilnet.views.numbers import Style
    from pencilnet.views.publish.builder import build

    example = _Bare(walk.model, walk.loss, classes=tuple(walk.model.names.nodes[-1]))
    carried = getattr(walk.arithmetic, "decimals", None)
    style = Style(carried if carried is not None else 4, None, carried)
    sample = f"sample {walk.sample}" if walk.sample else "one sample"
    return example, style, build(example, walk, style, f"The four stages of {sample}")


def walk_html(walk) -> str:
    """A `core.stages.Walk` as the worked document `pencilnet publish` writes, in HTML."""
    from pencilnet.views import network_figure
    from pencilnet.views.publish import _without_pictures, html

    example, style, document = _walk_parts(walk)
    edges = sum(layer.weights.size for layer in walk.model.layers)
    if edges > DRAWN_EDGES:
        why = f"its {edges:,} edges are more than the {DRAWN_EDGES:,} a picture shows"
        return _fragment(html.body(_without_pictures(document, why), {}))
    if not _drawable():
        return _fragment(html.body(_without_pictures(document, "matplotlib is not installed"), {}))
    pictures = {stage: network_figure.picture(example, stage, walk, "svg", style).decode("utf-8")
                for stage in document.figures}
    return _fragment(html.body(document, pictures, f"pencilnet-{next(_shown)}"))


def walk_markdown(walk) -> str:
    from pencilnet.views.publish import _without_pictures

    _, _, document = _walk_parts(walk)
    return _markdown(_without_pictures(document, "a Markdown front end shows no pictures"), {})


def _spread(count: int, most: int = 11) -> list[int]:
    """At most `most` indices from 0 to count - 1, evenly spread, the first and the last among them."""
    if count <= most:
        return list(range(count))
    return sorted({round(k * (count - 1) / (most - 1)) for k in range(most)})


def _history_document(history):
    from pencilnet.views.numbers import Style
    from pencilnet.views.publish.blocks import Document, Figure, Items, Table

    style = Style(6)
    facts = [(f"Epochs run: {history.epochs_run}" + (" (the target error was reached)" if history.stopped_early
                                                     else "") + ".",),
             (f"Error with the final parameters: {style.number(history.final_error)} (mean per sample).",)]
    if history.test_accuracy:
        facts.append((f"Test accuracy after the last epoch: {history.test_accuracy[-1]:.1%}.",))
    epochs, accuracy, tested = history.epochs or [], history.test_accuracy, history.test_errors
    header = ((("epoch",), ("error",)) + ((("test error",),) if tested else ())
              + ((("test accuracy",),) if accuracy else ()))
    rows = tuple(((str(epochs[k]),), (style.number(history.errors[k]),))
                 + (((style.number(tested[k]),),) if tested else ())
                 + (((f"{accuracy[k]:.1%}",),) if accuracy else ()) for k in _spread(len(history.errors)))
    blocks = [Items(tuple(facts)), Figure("history", "The error by epoch."),
              Table(header, rows, (True,) * len(header))]
    return Document("Training", blocks)


def history_html(history) -> str:
    """A `training.loop.History`: what the run did, its error curve as an inline SVG, a table of errors."""
    from pencilnet.views.publish import _without_pictures, html

    document = _history_document(history)
    if not _drawable() or not history.errors:
        return _fragment(html.body(_without_pictures(document, "matplotlib is not installed"), {}))
    from pencilnet.views.history_plot import picture

    svg = picture(history.errors, "svg", history.test_accuracy, history.epochs, history.test_errors).decode("utf-8")
    return _fragment(html.body(document, {"history": svg}, f"pencilnet-{next(_shown)}"))


def history_markdown(history) -> str:
    from dataclasses import replace

    from pencilnet.views.publish.blocks import Figure

    document = _history_document(history)  # the table is its curve here
    return _markdown(replace(document, blocks=[b for b in document.blocks if not isinstance(b, Figure)]), {})


def _report_document(report):
    from pencilnet.checks.verify import PASSING
    from pencilnet.views.numbers import Style
    from pencilnet.views.publish.blocks import Document, Paragraph, Table

    verdicts = list(report)
    differ = sum(not v.passed for v in verdicts)
    said = (f"{len(verdicts)} published number{'s' * (len(verdicts) != 1)}: "
            + (f"{differ} differ." if differ else "all hold.") if verdicts else "No published numbers to check.")
    rows = []
    for v in verdicts:
        places = len(v.published.split(".")[1]) + 2 if "." in v.published else 2
        note = "; ".join(part for part in (v.note, *v.diagnosis) if part)
        mark = "✓ " if v.verdict in PASSING else "✗ "
        rows.append(((v.name,), (v.published,), (Style(places).number(v.computed),), (mark + v.verdict,), (note,)))
    table = Table((("quantity",), ("published",), ("computed",), ("verdict",), ("note",)), tuple(rows),
                  (False, True, True, False, False))
    blocks = [Paragraph((f"Config: {report.source}. {said}",))] + ([table] if rows else [])
    return Document(f"pencilnet verify: {report.name or report.source}", blocks)


def report_html(report) -> str:
    """A `checks.report.VerifyReport`: one row per published number, its verdict and why."""
    from pencilnet.views.publish import html

    return _fragment(html.body(_report_document(report), {}))


def report_markdown(report) -> str:
    return _markdown(_report_document(report), {})


def _config_document(config):
    from pencilnet.views.as_json import summary
    from pencilnet.views.publish.blocks import Document, Items, Table

    found = summary(config)
    rows = tuple(((", ".join(layer["nodes"]),), (layer["activation"],), (str(layer["weights"]),),
                  (str(layer["biases"]),)) for layer in found["layers"])
    layers = Table((("nodes",), ("activation",), ("weights",), ("biases",)), rows, (False, False, True, True))
    facts = Items((
        (f"Network: {'-'.join(map(str, found['sizes']))}, {found['parameters']} parameters; "
         f"loss {found['loss']}; bias input {found['bias_input']:g}.",),
        (f"Training: learning rate {found['learning_rate']:g}, {found['epochs']} epoch"
         f"{'s' * (found['epochs'] != 1)}, batch size "
         f"{found['batch_size']}; {found['training_samples']} training and {found['test_samples']} test samples.",),
        (f"Classes: {', '.join(found['classes'])}.",),
        (f"File: {config.source}.",),
    ))
    return Document(config.name or config.source, [facts, layers])


def config_html(config) -> str:
    """An `io.config.Config`'s summary: the network, its layers, the schedule, the data."""
    from pencilnet.views.publish import html

    return _fragment(html.body(_config_document(config), {}))


def config_markdown(config) -> str:
    return _markdown(_config_document(config), {})


def _fragment(elements: list[str]) -> str:
    """Elements of a page as a fragment a notebook shows: its title a smaller heading."""
    first = elements[0].replace("<h1>", "<h3>").replace("</h1>", "</h3>")
    return f'<div class="pencilnet">{STYLE}\n' + "\n".join([first, *elements[1:]]) + "\n</div>"


def _markdown(document, pictures: dict[str, str]) -> str:
    from pencilnet.views.publish.markdown import _escape, block_text

    return "\n\n".join([f"### {_escape(document.title)}"]
                       + [block_text(block, pictures) for block in document.blocks]) + "\n"


# (the record's module, its class, its HTML, its Markdown)
DISPLAYS = [
    ("pencilnet.core.stages", "Walk", walk_html, walk_markdown),
    ("pencilnet.training.loop", "History", history_html, history_markdown),
    ("pencilnet.checks.report", "VerifyReport", report_html, report_markdown),
    ("pencilnet.io.config", "Config", config_html, config_markdown),
]


def register(shell) -> None:
    """Show the records in `shell` (an IPython shell) as HTML and Markdown: by name, so that no
    record's module is imported before one is shown."""
    formatters = shell.display_formatter.formatters
    for module, name, as_html, as_markdown in DISPLAYS:
        formatters["text/html"].for_type_by_name(module, name, as_html)
        formatters["text/markdown"].for_type_by_name(module, name, as_markdown)


def register_in_running_shell() -> None:
    """`register` in the IPython shell running now, if there is one (IPython is imported, so asking is cheap)."""
    from IPython import get_ipython  # type: ignore[import-not-found,attr-defined,unused-ignore]

    shell = get_ipython()
    if shell is not None:
        register(shell)
