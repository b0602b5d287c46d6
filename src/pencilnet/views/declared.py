"""A config's declared errata and tolerances, for the views that show the values they concern.

`verify` judges every published number; the stage tables and their JSON only say, beside a
value, that the publication printed something else there on purpose: an erratum, or a value
declared to hold within a tolerance. Nothing here imports Rich: `--json` uses it too.
"""

from pencilnet.views.example import Example
from pencilnet.views.terminal import FOOTNOTE_MARKS  # not layout: JSON never imports Rich

STAGE_OF = {"forward": ("net_", "out_"), "error": ("E_",), "backprop": ("d",), "step": ()}  # by name prefix


def declared(config: Example, sample: int | None) -> dict[str, list]:
    """The expected entries with an erratum or a tolerance, by quantity name, for `sample`
    (the published values are of one sample: another sample's tables have none)."""
    expected = config.expected
    if expected is None or expected.sample != sample:
        return {}
    found: dict[str, list] = {}
    for entry in expected.entries:
        if entry.erratum is not None or entry.tolerance is not None:
            found.setdefault(entry.name, []).append(entry)
    return found


def of_stage(name: str, stage: str) -> bool:
    """Whether the quantity `name` is one the stage computes (w5_new in step, dE/dw5 in backprop)."""
    if stage == "step":
        return name.endswith("_new")
    return (name.startswith(STAGE_OF[stage]) and not name.endswith("_new") and "_after_" not in name
            and not name.startswith("epoch_"))


def describe(entry) -> str:
    """What was published and why it may differ, in a line: "published 0.0851, declared to hold within …"."""
    if entry.erratum is not None:
        corrected = f"; corrected: {entry.corrected}" if entry.corrected else ""
        return f"published {entry.published}, a declared erratum ({entry.erratum}){corrected}"
    why = f"; {entry.note}" if entry.note else ""
    return f"published {entry.published}, declared to hold within {entry.tolerance}{why}"


def as_json(config: Example, sample: int | None, stage: str) -> dict:
    """The stage's declared values for `--json`, by name: what was published, the kind of
    declaration ("erratum" or "tolerance") and its words."""
    found = {}
    for name, entries in declared(config, sample).items():
        if of_stage(name, stage):
            e = entries[0]  # one entry a name: an `expected:` mapping has each key once
            found[name] = {"published": e.published, "kind": "erratum" if e.erratum is not None else "tolerance",
                           **({"erratum": e.erratum} if e.erratum is not None else {}),
                           **({"tolerance": str(e.tolerance)} if e.tolerance is not None else {}),
                           **({"corrected": e.corrected} if e.corrected else {}),
                           **({"note": e.note} if e.note else {})}
    return found


class Declared:
    """The config's declared errata and tolerances, marked beside the values they concern, so
    that a reader sees them in the row without running `verify`; `notes()` keys each mark to
    what was published and why it differs.

    A mark is given on first use (`beside`), so marks run in the order of the rows; a declared
    value of the stage whose row is not shown is still listed beneath, without a mark."""

    def __init__(self, config: Example, sample: int | None, stage: str):
        self.entries, self.stage = declared(config, sample), stage
        self.marks: dict[str, str] = {}

    def beside(self, name: str, text: str) -> str:
        """`text`, a value as shown, with the mark of `name` after it if one is declared."""
        if name not in self.entries:
            return text
        if name not in self.marks:
            count = len(self.marks)
            # †, ‡, §, ¶, ‖, then numbered: [6], [7]…
            self.marks[name] = FOOTNOTE_MARKS[count] if count < len(FOOTNOTE_MARKS) else f"[{count + 1}]"
        return f"{text} {self.marks[name]}"

    def notes(self) -> list:
        """The notes beneath the table: a mark, then its note, which wraps under itself, not under the mark."""
        unmarked = [name for name in self.entries if name not in self.marks and of_stage(name, self.stage)]
        rows = [(self.marks.get(name, ""), f"{name}: {describe(entry)}")
                for name in list(self.marks) + unmarked for entry in self.entries[name]]
        if not rows:
            return []
        from rich.table import Table  # (only here: --json never needs Rich)

        grid = Table.grid(padding=(0, 1) if self.marks else 0)
        if self.marks:
            grid.add_column(no_wrap=True, style="yellow")
        grid.add_column(style="yellow")
        for mark, note in rows:
            grid.add_row(*((mark, note) if self.marks else (note,)))
        return [grid]
