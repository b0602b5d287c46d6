"""The document as a Jupyter notebook (nbformat 4, written as JSON): its text cells are the
Markdown document's blocks, and after each part a code cell recomputes that stage with the
Python API, so that running the notebook shows the numbers the text gives."""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from pencilnet.core.errors import InputError
from pencilnet.io.files import NOTEBOOK_MARK
from pencilnet.views.publish.blocks import Document, Heading
from pencilnet.views.publish.markdown import _escape, block_text


@dataclass(frozen=True)
class Recipe:
    """How the notebook's code makes the walk the document shows: as the command was asked."""

    path: str | None  # the config file as the notebook's folder reaches it; None: the bundled article
    overrides: tuple[str, ...]
    sample: int
    decimals: int | None  # pencil arithmetic's places; None: exact
    plain: bool  # plain gradient descent: `pencilnet.step` redoes its update
    published: bool  # the config lists published values, which `pencilnet.verify` checks


def check_source(config_path: str | None, out_path) -> None:
    """Fail before any work if the notebook's code could not load the config again."""
    if config_path == "-":
        raise InputError(f"{out_path}: expected a config file for a notebook (its code loads the config "
                         "to recompute each stage), found - (standard input)")


def recipe(config_path: str | None, out_path, overrides, sample: int, decimals: int | None, walk,
           published: bool) -> Recipe:
    """The `Recipe` of `publish --out out_path` given these options; the config's path is written
    relative to the notebook's folder (where Jupyter runs its code) when it can be."""
    check_source(config_path, out_path)
    path = None
    if config_path is not None:
        real, folder = Path(config_path).resolve(), Path(out_path).resolve().parent
        try:
            path = Path(os.path.relpath(real, folder)).as_posix()
        except ValueError:  # another drive (Windows): no relative path
            path = str(real)
    plain = walk.update is None or walk.update.optimizer.plain
    return Recipe(path, tuple(overrides or ()), sample, decimals, plain, published)


def _setup(r: Recipe) -> str:
    arguments = ", ".join(([repr(r.path)] if r.path is not None or r.overrides else [])
                          + ([repr(list(r.overrides))] if r.overrides else []))
    arithmetic = ("pencilnet.EXACT  # exact arithmetic" if r.decimals is None else
                  f"pencilnet.arithmetic_of({r.decimals})  # as with a pencil, to {r.decimals} decimals")
    return (f"import pencilnet\n\nconfig = pencilnet.load({arguments})\narithmetic = {arithmetic}\n"
            f"x, target = config.sample({r.sample})\nconfig")


def _code(part: str, r: Recipe) -> str | None:
    """The code cell after the part of the document numbered `part` (None: none after it)."""
    s = r.sample
    if part == "1":
        return _setup(r)
    if part == "2":
        return (f"trace = pencilnet.forward(config.model, x, arithmetic)\n"
                f"found = pencilnet.as_json.forward(config, trace, {s})\nfound[\"net\"], found[\"out\"]")
    if part == "3":
        return (f"report = pencilnet.error(trace, target, config.loss, arithmetic)\n"
                f"found = pencilnet.as_json.error(config, report, {s})\nfound[\"terms\"], found[\"error\"]")
    if part == "4":
        return (f"gradients = pencilnet.backprop(config.model, trace, target, config.loss, arithmetic)\n"
                f"pencilnet.as_json.backprop(config, gradients, {s})[\"gradients\"]")
    if part == "5":
        new = ("new_model = pencilnet.step(config.model, gradients, config.schedule.learning_rate, arithmetic)\n"
               if r.plain else f"new_model = config.walk({s}, arithmetic).new_model  # the optimizer's step\n")
        return new + (f"pencilnet.as_json.step(config, gradients, new_model, config.schedule.learning_rate, {s})"
                      "[\"weights\"]")
    if part == "Published values" and r.published:
        return "pencilnet.verify(config)"
    return None


def _cell(kind: str, source: str, number: int) -> dict:
    cell: dict = {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def render(document: Document, pictures: dict[str, str], r: Recipe) -> str:
    """`pictures`: the file each figure's stage was drawn to, beside the notebook."""
    parts: list[tuple[str, list[str]]] = [("", [f"# {_escape(document.title)}"])]
    for block in document.blocks:
        if isinstance(block, Heading) and block.level == 2:
            parts.append((block.text.split(".")[0], []))
        parts[-1][1].append(block_text(block, pictures))
    cells: list[dict] = []
    for k, (part, texts) in enumerate(parts):
        if k == 0 and len(parts) > 1:  # the introduction goes with the network's part
            parts[1][1][:0] = texts
            continue
        cells.append(_cell("markdown", "\n\n".join(texts), len(cells) + 1))
        code = _code(part, r)
        if code is not None:
            cells.append(_cell("code", code, len(cells) + 1))
    cells.append(_cell("markdown", "## All four stages as one record\n\n`config.walk` makes the four stages in one "
                                   "call; in a notebook the walk shows itself as this document does.", len(cells) + 1))
    cells.append(_cell("code", f"walk = config.walk({r.sample}, arithmetic)\nwalk", len(cells) + 1))
    notebook = {  # the mark first, where a later publish looks for it before it replaces the file
        "metadata": {"pencilnet": NOTEBOOK_MARK,
                     "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5, "cells": cells}
    return json.dumps(notebook, indent=1, ensure_ascii=False)
