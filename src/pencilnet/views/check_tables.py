"""The checks as Rich tables: published numbers against the engine (`verify`) and backprop
against finite differences (`gradcheck`), each with its verdict. Nothing here prints."""

from rich.console import Group
from rich.text import Text

from pencilnet.core.gradcheck import FLOOR
from pencilnet.views.example import Example
from pencilnet.views.numbers import Style, scientific, significant
from pencilnet.views.table_parts import grid, plural, titled

VERDICT_STYLES = {"match": "green", "rounding": "cyan", "erratum": "yellow", "differs": "bold red"}


def verify(config: Example, verdicts, style: Style) -> Group:
    rows = []
    for v in verdicts:
        places = max(style.decimals, len(v.published.split(".")[1]) + 2 if "." in v.published else 2)
        places = min(places, 341)  # a float's shortest form has no more decimals than this
        shown = Style(places)
        difference = ("+" if v.difference > 0 else "") + significant(v.difference, 2) if v.difference else "0"
        rows.append([v.name, v.published, shown.number(v.computed), shown.number(v.exact),
                     difference, Text(v.verdict, style=VERDICT_STYLES[v.verdict]), v.note])
    arithmetic = verdicts[0].arithmetic if verdicts else "exact"
    columns = ["quantity", "#published", f"#computed ({arithmetic})", "~~#exact", "#difference", "verdict", "?note"]
    # The exact values only where pencil arithmetic's rounding shows in one (in exact arithmetic they
    # repeat the computed ones, a line beneath every row of a narrow table); the notes where there is one.
    kept = [k for k in range(len(columns)) if not (k == 3 and all(row[2] == row[3] for row in rows))
            and not (k == 6 and not any(row[6] for row in rows))]
    table = grid(*[columns[k] for k in kept])
    rows = [[row[k] for k in kept] for row in rows]
    counts = {kind: sum(v.verdict == kind for v in verdicts) for kind in VERDICT_STYLES}
    summary = (f"{plural(len(verdicts), 'published number')}: {counts['match']} match, "
               f"{plural(counts['rounding'], 'rounding difference')}, "
               f"{counts['erratum']} declared {'erratum' if counts['erratum'] == 1 else 'errata'}"
               f", {counts['differs']} differ")
    sample = config.expected.sample if config.expected is not None else 1
    # a function's published numbers are of its steps: it has no samples
    title = f"Published numbers of {config.name or config.source}" + (f", sample {sample}" if sample else "")
    section = titled(title, table, rows, style, "quantities")
    from pencilnet.checks.verify import chain_sentences  # verify's module, only where verify ran

    chains = [Text(sentence, style="bold") for sentence in chain_sentences(verdicts)]
    return Group(section, Text(summary, style="bold red" if counts["differs"] else "bold green"), *chains)


def gradcheck(report, style: Style) -> Group:
    table = grid("parameter", "#backprop", "#finite differences", "#relative difference", "verdict")
    checks, tolerance_text = report.checks, significant(report.tolerance, 6)
    verdicts = {  # the record's verdict as words: within roundoff and not resolved with their ±
        "ok": lambda c: Text("ok", style="green"),
        "within roundoff": lambda c: Text(f"within roundoff (±{significant(c.resolution, 2)})", style="yellow"),
        "differs": lambda c: Text("differs", style="bold red"),
        "not resolved": lambda c: Text(f"not resolved (±{significant(c.resolution, 2)})", style="bold red"),
        "kink": lambda c: Text("cannot check at a kink", style="bold red"),  # every spacing crosses it
    }
    rows = [(c.name, significant(c.analytic, 10), significant(c.numeric, 10),
             scientific(c.relative_error, 3) if c.relative_error >= FLOOR else f"< {significant(FLOOR, 1)}",
             verdicts[c.verdict](c))
            for c in checks]
    bad = sum(not c.passed for c in checks)
    unchecked = len(report.having("not resolved", "kink"))
    title = f"Backprop against central finite differences, worst first (tolerance {tolerance_text})"
    rough = len(report.having("within roundoff"))
    verdict = (f"{len(checks)} gradients: all within {tolerance_text}" + (
               f" ({rough} only within the roundoff of finite differences, which cannot check them more finely)"
               if rough else "") if not bad
               else f"{len(checks)} gradients: " + ", ".join(
                   ([f"{bad - unchecked} differ by more than {tolerance_text}"] if bad > unchecked else [])
                   + ([f"{unchecked} cannot be checked here"] if unchecked else [])))
    return Group(titled(title, table, rows, style, "parameters"),
                 Text(verdict, style="bold red" if bad else "bold green"))
