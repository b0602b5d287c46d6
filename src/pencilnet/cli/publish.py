"""`pencilnet publish`: the worked example as a document a teacher can hand out."""

from typing import Annotated

import typer

from pencilnet.cli import budget
from pencilnet.cli.shared import (
    ConfigPath,
    ExactOption,
    Force,
    PencilOption,
    Sample,
    Sets,
    check_output,
    failures,
    say,
    write_out,
    wrote,
)
from pencilnet.core.errors import InputError

Out = Annotated[str, typer.Option(
    "--out", "-o", metavar="FILE", show_default=False,
    help="Write the document to FILE: .md (Markdown, pictures beside it as .svg), .html (one self-contained "
         "page), .tex (LaTeX for pdflatex, pictures beside it as .pdf; run pdflatex twice) or .ipynb (a Jupyter "
         "notebook whose code recomputes each stage, pictures beside it as .svg); "
         "- for Markdown on standard output, without pictures.")]
Decimals = Annotated[int | None, typer.Option(
    "--decimals", min=0, max=15, metavar="N", show_default=False,
    help="Decimal places shown; default: pencil arithmetic's N, so that every line can be redone by hand, else 4.")]
Title = Annotated[str | None, typer.Option(
    "--title", metavar="TEXT", show_default=False, help="The document's title; without it, the config's name.")]


Sheet = Annotated[str | None, typer.Option(
    "--sheet", metavar="questions|answers", show_default=False,
    help="An exercise's question sheet (the network, the sample, the questions) or its answer key, instead of "
         "the worked example.")]


def publish(out: Out, config: ConfigPath = None, sample: Sample = 1, decimals: Decimals = None,
            pencil: PencilOption = None, exact: ExactOption = False, sets: Sets = None, title: Title = None,
            sheet: Sheet = None, force: Force = False):
    """Write the worked example as a document: the network, the forward pass, the error, every
    gradient by the chain rule and the update, each number from the engine, in Markdown, HTML or LaTeX, or as
    a notebook whose code recomputes each stage."""
    with failures():
        from pencilnet.cli.stages import walk_of
        from pencilnet.io.files import write_atomic
        from pencilnet.views.numbers import Style
        from pencilnet.views.publish import STDOUT, check_path, picture_path
        from pencilnet.views.publish import publish as document

        if sheet not in (None, "questions", "answers"):
            raise InputError(f"--sheet: expected questions or answers, found {sheet!r}")
        path = check_path(out)
        to_stdout = path == STDOUT
        if not to_stdout:
            check_output(out, "notebook" if path.suffix.lower() == ".ipynb" else "document", force)
        if path.suffix.lower() == ".ipynb":
            from pencilnet.views.publish.ipynb import check_source

            check_source(config, out)
        from pencilnet.io.objective_config import FunctionGiven

        try:
            cfg, carried, walk = walk_of(config, sample, sets, pencil, exact, within=_within)
        except FunctionGiven as given:  # a function instead of a network: its own document
            from pencilnet.cli.functions import publish as publish_function
            from pencilnet.views.objective_document import path_at

            if path.suffix.lower() in (".md", ".tex"):
                check_output(str(path_at(path, "path")), "picture", force)
            return publish_function(given.function, out, decimals, pencil, exact, title, force)
        if path.suffix.lower() not in (".html", ""):  # its pictures, beside it
            for stage in ("forward", "backprop", "step"):
                check_output(str(picture_path(path, stage)), "picture", force)
        shown = decimals if decimals is not None else carried if carried is not None else 4
        from pencilnet.io.budget import DRAWN_EDGES_LIMIT, edges_beyond_drawing

        edges = edges_beyond_drawing(cfg.model)
        left_out = (f"its {edges:,} edges are more than the {DRAWN_EDGES_LIMIT:,} a picture shows "
                    "(`pencilnet diagram` draws none either)" if edges else None)
        recipe = None
        if path.suffix.lower() == ".ipynb":
            from pencilnet.views.publish.ipynb import recipe as recipe_of

            recipe = recipe_of(config, out, sets, sample, carried, walk, cfg.expected is not None)
        for path, content in document(cfg, walk, out, Style(shown, None, carried), title, left_out, sheet,
                                      recipe):
            if to_stdout:
                write_out(str(content))
                continue
            write_atomic(path, content)
            wrote(path)
        if left_out is not None and not to_stdout:
            say(f"pencilnet: note: the pictures are left out: {left_out}")
        if path.suffix.lower() == ".tex":
            say(f"pencilnet: note: run pdflatex twice on {path.name}: its tables settle their widths on the second run")


def _within(config) -> None:
    """A document has about three rows per parameter (its initial weights, its gradients, its
    update) besides a few per node: refused, as every command is, beyond the memory budget."""
    budget.check(config, 3 * config.model.parameter_count + sum(config.model.sizes))


def register(app):
    app.command()(publish)
