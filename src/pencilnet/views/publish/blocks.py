"""The blocks a document is made of: headings, paragraphs, equations, tables, figures and lists.

Each block holds prose (str) and mathematics (tuples of `math` tokens); the formats only say
how a block is written, so the three formats have one structure.
"""

from dataclasses import dataclass, field

from pencilnet.views.publish.math import Op, width

LINE = 80  # an equation wider than this (in characters, roughly) is broken over several lines


@dataclass(frozen=True)
class Heading:
    level: int  # 1 the title, 2 a step, 3 a part of it
    text: str


@dataclass(frozen=True)
class Paragraph:
    parts: tuple  # prose (str) and inline mathematics (tuple of tokens)


@dataclass(frozen=True)
class Equation:
    """lhs = steps[0] = steps[1] = …, each step a tuple of tokens; a step whose place is in `rough`
    follows "≈" instead: the numbers shown before it, worked by hand, give its digits only roughly
    (they are rounded, it was not), as the terminal's tables mark it."""

    lhs: tuple
    steps: tuple
    rough: frozenset = frozenset()

    def relation(self, k: int) -> str:
        return "≈" if k in self.rough else "="

    def lines(self) -> list[tuple[str, tuple]]:
        """The equation as display lines: ("=", tokens) or ("≈", tokens) starts a step with its
        relation, ("", tokens) goes on with a long sum. One line when it fits (lhs = …); else a
        step per line, a long step broken before + or −."""
        if width(self.lhs) + sum(width(s) + 3 for s in self.steps) <= LINE:
            return [("=", sum(((Op(self.relation(i)), *s) if i else s for i, s in enumerate(self.steps)), ()))]
        lines: list[tuple[str, tuple]] = []
        for k, step in enumerate(self.steps):
            current: list = []
            first = self.relation(k)
            for k, token in enumerate(step):
                # Broken before a + or − once the line is long, unless little would be left for the next one.
                if (token in (Op("+"), Op("−")) and current and width(current) > LINE - 12
                        and width(step[k:]) > 12):
                    lines.append((first, tuple(current)))
                    current, first = [], ""
                current.append(token)
            lines.append((first, tuple(current)))
        return lines


@dataclass(frozen=True)
class Table:
    header: tuple  # cells: each a tuple of parts, as a paragraph's
    rows: tuple
    numeric: tuple  # per column: right-aligned when True


@dataclass(frozen=True)
class Figure:
    stage: str  # the diagram's stage: forward, backprop or step
    caption: str


@dataclass(frozen=True)
class Items:
    items: tuple  # each a tuple of parts


@dataclass(frozen=True)
class Document:
    title: str
    blocks: list = field(default_factory=list)

    @property
    def figures(self) -> list[str]:
        return [block.stage for block in self.blocks if isinstance(block, Figure)]


def prose(text: str) -> list[tuple[bool, str]]:
    """A prose string as (is code, text) pieces: `pencilnet verify` in backquotes is code."""
    pieces = text.split("`")
    return [(k % 2 == 1, piece) for k, piece in enumerate(pieces) if piece]
