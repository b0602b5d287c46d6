"""`pencilnet publish`: the worked example as a document, in Markdown, HTML or LaTeX.

One document model (blocks of `math` tokens, made by `builder` from the engine's `Walk`); one
module per format says how to write it. Pictures are the network figures of `network_figure`:
files beside a Markdown or LaTeX document, inline SVG in an HTML page. The CLI writes the files.
"""

import re
from pathlib import Path

from pencilnet.core.errors import InputError
from pencilnet.core.stages import Walk
from pencilnet.io.files import DOCUMENT_MARK
from pencilnet.views.example import Example
from pencilnet.views.numbers import Style

# the document's suffix → its pictures' suffix
FORMATS = {".md": ".svg", ".html": None, ".tex": ".pdf", ".ipynb": ".svg"}


STDOUT = Path("-")  # `--out -`: Markdown on standard output, without its pictures


def check_path(out_path) -> Path:
    """Fail before any work if the document could not be written under this name."""
    path = Path(out_path)
    if path == STDOUT:
        return path
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: expected a file name ending in .md, .html, .tex or .ipynb, "
                         f"found {path.suffix or 'no suffix'!r}")
    if not path.parent.is_dir():
        raise InputError(f"{path}: no such directory: {path.parent}")
    if suffix == ".tex" and not re.fullmatch(r"[A-Za-z0-9_-]+", path.stem):
        raise InputError(f"{path}: expected a name of letters, digits, - and _ for a LaTeX document "
                         f"(its pictures are included by that name), found {path.stem!r}")
    return path


def picture_path(path: Path, stage: str) -> Path:
    """Where a Markdown or LaTeX document's picture of `stage` goes: beside it, named after it."""
    return path.with_name(f"{path.stem}-network-{stage}{FORMATS[path.suffix.lower()]}")


def publish(config: Example, walk: Walk, out_path, style: Style, title: str | None = None,
            left_out: str | None = None, sheet: str | None = None, recipe=None) -> list[tuple[Path, str | bytes]]:
    """The document of `walk` (its format from the suffix of `out_path`; `-`: Markdown for standard
    output) and its pictures, as (path, content) pairs to write in order, the document last:
    written in that order, a document never links to a picture that is not there. Nothing here
    writes a file. `left_out`: why the pictures are left out, if they are; the document says it.
    `recipe`: for a notebook, how its code cells make the walk again (`ipynb.recipe`)."""
    from pencilnet.views import network_figure
    from pencilnet.views.publish import html, latex, markdown
    from pencilnet.views.publish.builder import build

    path = check_path(out_path)
    suffix = ".md" if path == STDOUT else path.suffix.lower()
    if sheet is not None:  # an exercise's question sheet or answer key: no pictures
        from pencilnet.views.publish.sheets import sheet as exercise_sheet

        if suffix == ".ipynb":
            raise InputError(f"{path}: expected a file name ending in .md, .html or .tex for an exercise's sheet, "
                             "found '.ipynb'")
        document = exercise_sheet(config, sheet == "answers", title)
        text = {".md": markdown, ".html": html, ".tex": latex}[suffix].render(document, {})
        return [(path, f"{text.rstrip()}\n{MARKS[suffix]}\n")]
    document = build(config, walk, style, title)
    if left_out is not None:
        document = _without_pictures(document, left_out)
    return rendered(document, path, lambda stage, kind: network_figure.picture(config, stage, walk, kind, style),
                    picture_path, recipe)


def rendered(document, path: Path, draw, picture_at, recipe=None,
             pictures: str = "The pictures of the network are") -> list[tuple[Path, str | bytes]]:
    """A built document in the format of `path`'s suffix (`-`: Markdown for standard output, its
    pictures left out), with its pictures, as (path, content) pairs to write in order, the document
    last. `draw(stage, kind)`: the bytes of a figure's picture as svg or pdf; `picture_at(path, stage)`:
    where it goes beside the document (an HTML page has its pictures inline)."""
    from pencilnet.views.publish import html, latex, markdown

    suffix = ".md" if path == STDOUT else path.suffix.lower()
    if path == STDOUT:
        document = _without_pictures(document, "the document went to standard output, and its pictures would be "
                                               "files beside it", pictures)
    files: list[tuple[Path, str | bytes]] = []
    if suffix == ".html":
        text = html.render(document, {stage: draw(stage, "svg").decode("utf-8") for stage in document.figures})
    else:
        names = {}
        for stage in document.figures:
            drawn = picture_at(path, stage)
            files.append((drawn, draw(stage, drawn.suffix[1:])))
            names[stage] = drawn.name
        if suffix == ".ipynb":
            from pencilnet.views.publish import ipynb

            files.append((path, ipynb.render(document, names, recipe) + "\n"))  # its mark is in its metadata
            return files
        text = (markdown if suffix == ".md" else latex).render(document, names)
    files.append((path, f"{text.rstrip()}\n{MARKS[suffix]}\n"))
    return files


def _without_pictures(document, why: str, pictures: str = "The pictures of the network are"):
    """The document with a sentence where its first picture was, saying why there are none."""
    from dataclasses import replace

    from pencilnet.views.publish.blocks import Figure, Paragraph

    blocks, said = [], False
    for block in document.blocks:
        if isinstance(block, Figure):
            if not said:
                blocks.append(Paragraph((f"({pictures} left out: {why}.)",)))
            said = True
        else:
            blocks.append(block)
    return replace(document, blocks=blocks)


# The last line of every document, so that a later publish knows the file for its own (the rule
# of every writing command: replace what it wrote before, nothing else without --force).
MARKS = {".md": f"<!-- {DOCUMENT_MARK} -->", ".html": f"<!-- {DOCUMENT_MARK} -->", ".tex": f"% {DOCUMENT_MARK}"}
