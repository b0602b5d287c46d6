"""The document as Markdown with $…$ and $$…$$ mathematics, the dialect GitHub, Jupyter and
most blog engines render; pictures are files beside it, linked by name."""

from urllib.parse import quote

from pencilnet.views.publish.blocks import Document, Equation, Figure, Heading, Items, Paragraph, Table, prose
from pencilnet.views.publish.latex import aligned, math
from pencilnet.views.terminal import one_line

SPECIAL = "\\`*_[]<>#|$&~!"  # what Markdown (and GitHub's, with ~~strike~~) reads as markup


def _escape(value: str) -> str:
    """A text as Markdown shows it: markup characters escaped, a line break a space (it could start a
    heading or a code block), a control character its escape."""
    return "".join("\\" + ch if ch in SPECIAL else ch for ch in one_line(value))


def inline(parts) -> str:
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces += [f"`{one_line(t)}`" if code else _escape(t) for code, t in prose(part)]
        else:
            pieces.append(f"${math(part)}$")
    return "".join(pieces)


def render(document: Document, pictures: dict[str, str]) -> str:
    """`pictures`: the file each figure's stage was drawn to, beside the Markdown file."""
    blocks = [f"# {_escape(document.title)}"] + [block_text(block, pictures) for block in document.blocks]
    return "\n\n".join(blocks) + "\n"


def block_text(block, pictures: dict[str, str]) -> str:
    """One block as Markdown (a notebook's text cells are made of these too)."""
    if isinstance(block, Heading):
        return f"{'#' * block.level} {_escape(block.text)}"
    if isinstance(block, Paragraph):
        return inline(block.parts)
    if isinstance(block, Equation):
        rows = block.lines()
        if len(rows) == 1:
            return f"$$\n{math(block.lhs)} = {math(rows[0][1])}\n$$"
        return "$$\n\\begin{aligned}\n" + aligned(block) + "\n\\end{aligned}\n$$"
    if isinstance(block, Table):
        lines = ["| " + " | ".join(inline(cell) for cell in block.header) + " |",
                 "|" + "|".join("---:" if right else ":---" for right in block.numeric) + "|"]
        lines += ["| " + " | ".join(inline(cell) for cell in row) + " |" for row in block.rows]
        return "\n".join(lines)
    if isinstance(block, Figure):
        return f"![{_escape(block.caption)}]({quote(pictures[block.stage])})\n\n*{_escape(block.caption)}*"
    if isinstance(block, Items):
        return "\n".join(f"- {inline(item)}" for item in block.items)
    raise TypeError(f"no Markdown for {block!r}")
