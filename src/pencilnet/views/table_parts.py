"""The pieces every table of pencilnet is made of: a grid, a titled section with its row limit,
shortened sums, the "≈" mark of a result the shown numbers give only roughly, and sequences
read lazily (a network of a million parameters costs a table of two dozen rows)."""

from collections.abc import Sequence

from rich.console import Group
from rich.text import Text

from pencilnet.core.model import Model
from pencilnet.views.layout import Grid
from pencilnet.views.numbers import Style, agrees, shown_value

MAX_TERMS = 4  # a weighted sum with more sources is shortened: the first terms, then a count
APART = " … "  # between the first and last name of a long run, in tables: "w1 … w1296"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def grid(*columns: str) -> Grid:
    """Columns named with a leading "#" hold numbers and are right-aligned (the "#" is dropped);
    "~" marks written-out arithmetic, which moves beneath its row when the table is too wide
    (`layout.column` has the rest)."""
    return Grid(*columns)


def titled(title: str, table: Grid, items, style: Style, what: str, row=None) -> Group:
    """A title line, the table with at most `style.rows` rows, then what was left out.

    `row(item)` makes the cells of one item (default: the item is its cells); only the rows
    shown are made, so a network of a million parameters costs a table of two dozen.
    The title is a line of its own: as a table title, Rich would wrap it to a narrow table."""
    shown, hidden = style.limit(items)
    for item in shown:
        table.add_row(*(row(item) if row else item))
    parts: list = [Text(title, style="bold"), table]
    if hidden:
        parts.append(Text(f"… {hidden} more {what} not shown (--all shows every row)", style="dim italic"))
    return Group(*parts)


def layer_name(model: Model, position: int) -> str:
    """The layer of nodes at `position`: 0 the inputs, then the layers the network computes."""
    count = len(model.layers)
    if position == 0:
        return "input layer"
    if position == count:
        return "output layer"
    return "hidden layer" if count == 2 else f"hidden layer {position}"


def layer_title(model: Model, index: int) -> str:
    return f"Part {index + 1}: from the {layer_name(model, index)} to the {layer_name(model, index + 1)}"


def shortened(count: int, term, what: str = "terms") -> list[str]:
    """At most MAX_TERMS terms of a long sum, `term(i)` each: the first ones, then how many
    are left out. Only the terms shown are formatted."""
    if count <= MAX_TERMS:
        return [term(i) for i in range(count)]
    return [term(i) for i in range(MAX_TERMS - 1)] + [f"… ({count - MAX_TERMS + 1} more {what})"]


def mark(value, text: str) -> str:
    """A result as shown, with "≈ " before it when the numbers shown beside it, multiplied and
    added by hand, do not give its digits (they are rounded; the result was not)."""
    return text if agrees(value, text) else f"≈ {text}"


def shown_sum(texts: list[str]):
    return sum((shown_value(t) for t in texts), shown_value("0"))


class Enumerated(Sequence):
    """(position, item) pairs of a sequence, made when asked for."""

    def __init__(self, items: Sequence):
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[k] for k in range(*position.indices(len(self)))]
        return position, self.items[position]


class Joined(Sequence):
    """Several sequences read as one, without copying them."""

    def __init__(self, parts: list):
        self.parts = parts

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts)

    def __getitem__(self, position):
        if isinstance(position, slice):
            return [self[k] for k in range(*position.indices(len(self)))]
        for part in self.parts:
            if position < len(part):
                return part[position]
            position -= len(part)
        raise IndexError(position)
