"""`pencilnet publish`: the worked example as a document, in Markdown, HTML or LaTeX.

One document model (document.py) made from the engine's `Walk`; one module per format says
how to write it. Pictures are the diagrams of `views.diagram`: files beside a Markdown or
LaTeX document, inline SVG in an HTML page.
"""

import re
from pathlib import Path

from pencilnet.core.errors import InputError
from pencilnet.core.stages import Walk
from pencilnet.io.config import Config
from pencilnet.io.files import DOCUMENT_MARK, write_atomic
from pencilnet.views.numbers import Style

FORMATS = {".md": ".svg", ".html": None, ".tex": ".pdf"}  # the document's suffix → its pictures' suffix


def check_path(out_path) -> Path:
    """Fail before any work if the document could not be written under this name."""
    path = Path(out_path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: expected a file name ending in .md, .html or .tex, "
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


def publish(config: Config, walk: Walk, out_path, style: Style, title: str | None = None) -> list[Path]:
    """Write the document of `walk` to `out_path` (its format from the suffix) and its pictures;
    return every path written, the document last. Each file is written atomically, the
    document after its pictures, so it never links to a picture that is not there."""
    from pencilnet.views import diagram
    from pencilnet.views.publish import html, latex, markdown
    from pencilnet.views.publish.document import build

    path = check_path(out_path)
    suffix = path.suffix.lower()
    document = build(config, walk, style, title)
    written = []
    if suffix == ".html":
        import tempfile

        pictures = {}
        with tempfile.TemporaryDirectory() as folder:
            for stage in document.figures:
                drawn = diagram.draw(config, stage, walk, Path(folder) / f"{stage}.svg", style)
                pictures[stage] = drawn.read_text(encoding="utf-8")
        text = html.render(document, pictures)
    else:
        pictures = {}
        for stage in document.figures:
            written.append(diagram.draw(config, stage, walk, picture_path(path, stage), style))
            pictures[stage] = written[-1].name
        text = (markdown if suffix == ".md" else latex).render(document, pictures)
    write_atomic(path, f"{text.rstrip()}\n{MARKS[suffix]}\n")
    return written + [path]


# The last line of every document, so that a later publish knows the file for its own (the rule
# of every writing command: replace what it wrote before, nothing else without --force).
MARKS = {".md": f"<!-- {DOCUMENT_MARK} -->", ".html": f"<!-- {DOCUMENT_MARK} -->", ".tex": f"% {DOCUMENT_MARK}"}
