"""A table that stays legible at any width: a number is never cut, a formula never split
inside a product.

At its natural width a table looks as Rich's SIMPLE_HEAD tables do. When that is wider than
the console (a pipe or a CI log gets 80 columns), long headers break between words; then
the written-out arithmetic leaves the row and goes on lines of its own beneath it, broken
only before a " + " or a " = " if it must be; and if the numbers alone are still too wide,
each row is stacked, one "header: value" a line.
"""

import re
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from pencilnet.views.terminal import CONTROL, CONTROL_OR_BREAK, FOOTNOTE_MARKS, encodable, visible

GAP = 3  # spaces between columns, as Rich's SIMPLE_HEAD box with padding 1 draws them
INDENT = 4  # arithmetic moved beneath its row
BREAKS = (" + ", " = ")  # a formula may break only before these: never inside a product
FOOTNOTE = re.compile(rf" (?:[{FOOTNOTE_MARKS}]|\[\d+\])$")


@dataclass
class Column:
    header: str
    numeric: bool = False  # right-aligned
    movable: int = 0  # 0: stays in the row; 1, 2: moves beneath the row, 1 before 2, when too wide
    labelled: bool = False  # beneath the row it reads "header: value" (its cells do not name themselves)
    prose: bool = False  # words, not arithmetic: beneath the row it wraps between words


def column(spec: str) -> Column:
    """"#name": a number column; "~name": arithmetic that may move beneath its row (the cells
    say what they are, `net_h1 = …`); "~~name": moves only if that was not enough, labelled;
    "?name": prose that moves with the first, labelled, and wraps between words."""
    movable, labelled, prose = 0, False, False
    if spec.startswith("~~"):
        movable, labelled, spec = 2, True, spec[2:]
    elif spec.startswith("~"):
        movable, spec = 1, spec[1:]
    elif spec.startswith("?"):
        movable, labelled, prose, spec = 1, True, True, spec[1:]
    numeric = spec.startswith("#")
    return Column(spec[1:] if numeric else spec, numeric, movable, labelled, prose)


def _text(cell) -> Text:
    """A cell as one line of shown text: a control character or line break from a user's file
    is written as its escape (a name with ESC in it shows `\\x1b`, and moves no cursor)."""
    text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
    if CONTROL_OR_BREAK.search(text.plain):  # rare: the spans of styled text do not survive it
        text = Text(visible(text.plain, breaks=False), style=text.style)
    return text


def _split_mark(cell: Text) -> tuple[Text, Text]:
    """A number's cell as the number and the footnote mark after it, if any: numbers align on
    their last digit, and a mark stands beyond them."""
    found = FOOTNOTE.search(cell.plain)
    return (cell[:found.start()], cell[found.start():]) if found else (cell, Text(""))


def _words(header: str) -> list[str]:
    return header.split(" ")


def _header_lines(header: str, width: int) -> list[str]:
    """The header broken between words into lines of at most `width` cells (a word longer
    than that stays whole: the column is made as wide as its longest word)."""
    lines: list[str] = []
    for word in _words(header):
        if lines and cell_len(lines[-1]) + 1 + cell_len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def break_formula(text: Text, width: int, indent: int) -> list[Text]:
    """`text` in lines of at most `width` cells, each continuation line `indent` cells in and
    starting with the operator it broke before; a piece longer than a line stays whole."""
    plain = text.plain
    cuts = sorted({i for mark in BREAKS for i in _find_all(plain, mark)})
    pieces, start = [], 0
    for cut in cuts:
        pieces.append(text[start:cut])
        start = cut + 1  # the space before the operator is dropped: the line starts with it
    pieces.append(text[start:])
    lines: list[Text] = []
    for piece in pieces:
        if lines and cell_len(lines[-1].plain) + 1 + piece.cell_len <= width:
            lines[-1].append(" ")
            lines[-1].append_text(piece)
        else:
            lines.append(Text(" " * indent) + piece if lines else piece)
    return lines


def wrap_words(text: Text, width: int, indent: int) -> list[Text]:
    """`text` (prose) in lines of at most `width` cells, broken between words, each continuation
    line `indent` cells in; a word longer than a line is broken inside it: never cut off."""
    plain = text.plain
    words = [found.span() for found in re.finditer(r"\S+", plain)]
    lines: list[Text] = []
    begin, end, prefix = 0, 0, 0  # the line at hand: text[begin:end], after `prefix` spaces

    def add(stop: int) -> None:
        lines.append(Text(" " * prefix) + text[begin:stop] if prefix else text[begin:stop])

    for start, stop in words:
        if end > begin and prefix + cell_len(plain[begin:stop]) > width:
            add(end)
            begin, prefix = start, indent
        end = stop
        while prefix + cell_len(plain[begin:end]) > width and end - begin > 1:  # a word wider than a line
            cut = begin + 1
            while cut < end - 1 and prefix + cell_len(plain[begin:cut + 1]) <= width:
                cut += 1
            add(cut)
            begin, prefix = cut, indent
    add(end if words else len(plain))
    return lines


def _find_all(text: str, mark: str) -> list[int]:
    found, at = [], text.find(mark)
    while at >= 0:
        found.append(at)
        at = text.find(mark, at + 1)
    return found


class Grid:
    """Columns and rows, laid out when printed, at the console's width."""

    def __init__(self, *specs: str):
        self.columns = [column(spec) for spec in specs]
        self.rows: list[tuple[list[Text], str]] = []
        self.rule = "─"  # beneath the headers

    def add_row(self, *cells, style: str = "") -> None:
        self.rows.append(([_text(cell) for cell in cells], style))

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = self._width(range(len(self.columns)), wrap_headers=False)
        return Measurement(min(width, options.max_width), width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        grid = self._in(options.encoding) if options.ascii_only else self
        for line in grid.lines(options.max_width):
            # Laid out to fit; a line that cannot (one number wider than the console) is
            # printed whole, for the terminal to wrap, never cut.
            line.no_wrap, line.overflow = True, "ignore"
            yield line

    def _in(self, encoding: str) -> "Grid":
        """This grid as a terminal without Unicode shows it (σ as sigma), laid out for that text:
        its columns stay aligned."""
        grid = Grid()
        grid.columns = [Column(encodable(c.header, encoding), c.numeric, c.movable, c.labelled) for c in self.columns]
        grid.rows = [([Text(encodable(cell.plain, encoding), style=cell.style) for cell in cells], style)
                     for cells, style in self.rows]
        grid.rule = encodable(self.rule, encoding)
        return grid

    def _marks_width(self, c: int) -> int:
        """The widest footnote mark of a number column: room kept right of its numbers."""
        if not self.columns[c].numeric:
            return 0
        return max((_split_mark(row[c])[1].cell_len for row, _ in self.rows), default=0)

    def _widths(self, kept, wrap_headers: bool) -> dict[int, int]:
        widths = {}
        for c in kept:
            marks = self._marks_width(c)
            cells = max((_split_mark(row[c])[0].cell_len + marks if marks else row[c].cell_len
                         for row, _ in self.rows), default=0)
            header = self.columns[c].header
            words = max(cell_len(w) for w in _words(header)) if wrap_headers else cell_len(header)
            widths[c] = max(cells, words)
        return widths

    def _width(self, kept, wrap_headers: bool) -> int:
        widths = self._widths(kept, wrap_headers)
        return 1 + sum(widths.values()) + GAP * (len(widths) - 1) + 1

    def lines(self, width: int) -> list[Text]:
        everything = range(len(self.columns))
        for level in (0, 1, 2):
            kept = [c for c in everything if not 0 < self.columns[c].movable <= level]
            for wrap in (False, True):
                # The last column's trailing pad is never printed, so it needs no room.
                if self._width(kept, wrap) - 1 <= width:
                    return self._laid_out(kept, wrap, width)
        return self._stacked(width)

    def _laid_out(self, kept: list[int], wrap_headers: bool, width: int) -> list[Text]:
        widths = self._widths(kept, wrap_headers)
        marks = {c: self._marks_width(c) for c in kept}
        moved = [c for c in range(len(self.columns)) if c not in kept]

        def line(cells: dict[int, Text], style: str = "", header: bool = False) -> Text:
            out = Text(" ", style=style)
            for position, c in enumerate(kept):
                cell, mark = (cells[c], Text("")) if header else _split_mark(cells[c])
                # A header stands over the numbers, not over their marks, when it has the room.
                room = min(marks[c], widths[c] - cell.cell_len) if header else marks[c]
                pad = " " * (widths[c] - room - cell.cell_len)
                if position:
                    out.append(" " * GAP)
                if self.columns[c].numeric:
                    out.append_text(Text(pad) + cell + mark + Text(" " * (room - mark.cell_len)))
                else:
                    out.append_text(cells[c] + Text(" " * (widths[c] - cells[c].cell_len)))
            out.rstrip()
            return out

        headers = {c: _header_lines(self.columns[c].header, widths[c]) if wrap_headers
                   else [self.columns[c].header] for c in kept}
        height = max(len(h) for h in headers.values())
        out = [Text("")]
        for i in range(height):  # a broken header sits on the bottom lines, beside the others
            header_cells = {c: Text(h[i - height + len(h)] if i >= height - len(h) else "") for c, h in headers.items()}
            out.append(line(header_cells, "bold", header=True))
        out += [Text(" " * INDENT + f"{self.columns[c].header} (beneath each row)", style="bold")
                for c in moved if not self.columns[c].labelled]
        out.append(Text(" " + self.rule * (sum(widths.values()) + GAP * (len(kept) - 1) + 1)))
        for cells, style in self.rows:
            out.append(line(dict(enumerate(cells)), style))
            for c in moved:
                if cells[c].plain:
                    wrap = wrap_words if self.columns[c].prose else break_formula
                    out += wrap(Text(" " * INDENT) + self._moved_text(c, cells[c]), width, 2 * INDENT)
        out.append(Text(""))
        return out

    def _moved_text(self, c: int, cell: Text) -> Text:
        return Text(f"{self.columns[c].header}: ") + cell if self.columns[c].labelled else cell

    def _stacked(self, width: int) -> list[Text]:
        """The last resort, for a console too narrow for the numbers side by side."""
        out = [Text("")]
        for cells, style in self.rows:
            out.append(Text(" ", style=style) + cells[0])
            for c in range(1, len(self.columns)):
                if not cells[c].plain:
                    continue
                label = f"{' ' * INDENT}{self.columns[c].header}:"
                if cell_len(label) + 1 + cells[c].cell_len <= width:
                    out.append(Text(label + " ") + cells[c])
                else:  # the value on a line of its own
                    out.append(Text(label))
                    wrap = wrap_words if self.columns[c].prose else break_formula
                    out += wrap(Text(" " * 2 * INDENT) + cells[c], width, 3 * INDENT)
        out.append(Text(""))
        return out


class Formulas:
    """Lines of arithmetic, each broken only before a " + " or an " = " when too long."""

    def __init__(self, lines: list[str], style: str = ""):
        self.lines, self.style = lines, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            for piece in break_formula(Text(line, style=self.style), options.max_width, INDENT):
                piece.no_wrap, piece.overflow = True, "ignore"
                yield piece


class ShownConsole(Console):
    """A Rich console that shows the text it is given and never passes on a control character:
    strings are cleaned as they become Text (so tables measure what will be shown), and every
    segment once more as it is rendered (text a view built as Text itself)."""

    def render_str(self, text: str, **kwargs) -> Text:
        # Shown, and where the terminal lacks a character in its ASCII rendition before it is
        # measured, so that a table's columns stay aligned.
        shown = visible(text)
        return super().render_str(encodable(shown, self.encoding) if self.options.ascii_only else shown, **kwargs)

    def render(self, renderable, options=None):
        for segment in super().render(renderable, options):
            if segment.control or not CONTROL.search(segment.text):
                yield segment
            else:
                yield Segment(visible(segment.text), segment.style)
