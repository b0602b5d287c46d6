"""A class's grades as tables, JSON and CSV, and its exercises as a Moodle quiz (XML)."""

import csv
import io
from html import escape as html_escape
from xml.sax.saxutils import escape

from rich.console import Group
from rich.text import Text

from pencilnet.views.numbers import Style
from pencilnet.views.table_parts import grid, titled

MOODLE_TOLERANCE_UNITS = 1  # a numerical answer's tolerance in units of its last place: the other orders of hand
# rounding land one unit off at most


def _percent(right: int, asked: int) -> str:
    return f"{100 * right / asked:.0f}%" if asked else "–"


def grades(found, style: Style) -> Group:
    """A row per student (score, and each wrong answer with why), then a row per quantity."""
    table = grid("student", "#right", "#asked", "#score", "?wrong answers")
    rows = []
    from pencilnet.checks.verify import chain_sentences  # grading's module, only where grading ran

    for grade in found.students:
        chained = {name for chain in grade.chains if len(chain["names"]) + len(chain["follows"]) > 1
                   for name in chain["names"] + chain["follows"]}
        wrong = chain_sentences(grade.verdicts)  # one slip and what follows from it, in one sentence
        wrong += [f"{v.name} = {v.published}: {v.note}" for v in grade.verdicts
                  if v.verdict not in ("match", "rounding") and v.name not in chained]
        wrong += [f"{name}: not answered" for name in grade.missing]
        rows.append((grade.student, str(grade.right), str(grade.asked), _percent(grade.right, grade.asked),
                     "; ".join(wrong)))
    students = titled("Grades, one row per student", table, rows, style, "students")
    per = grid("quantity", "#right", "#asked", "#share right")
    quantity_rows = [(name, str(right), str(asked), _percent(right, asked))
                     for name, (right, asked) in found.by_quantity().items()]
    quantities = titled("Each quantity over the class", per, quantity_rows, style, "quantities")
    total = sum(g.right for g in found.students), sum(g.asked for g in found.students)
    return Group(students, quantities,
                 Text(f"{len(found.students)} students: {total[0]} of {total[1]} answers right "
                      f"({_percent(*total)})", style="bold"))


def grades_json(found) -> dict:
    return {"students": [{"student": g.student, "right": g.right, "asked": g.asked, "score": g.score,
                          "missing": g.missing, "root": g.chains,
                          "answers": [{"quantity": v.quantity, "answer": v.published, "verdict": v.verdict,
                                       "right": v.verdict in ("match", "rounding"), "expected": v.computed,
                                       "diagnosis": list(v.diagnosis), "follows": v.follows, "note": v.note}
                                      for v in g.verdicts]} for g in found.students],
            "quantities": {name: {"right": right, "asked": asked} for name, (right, asked)
                           in found.by_quantity().items()}}


def grades_csv(found) -> str:
    """One row per student and quantity, as a spreadsheet reads it."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "quantity", "answer", "right", "verdict", "expected", "diagnosis", "follows"])
    for g in found.students:
        for v in g.verdicts:
            writer.writerow([g.student, v.quantity, v.published, int(v.verdict in ("match", "rounding")), v.verdict,
                             repr(v.computed), " | ".join(v.diagnosis), v.follows or ""])
        for name in g.missing:
            writer.writerow([g.student, name, "", 0, "missing", "", "", ""])
    return out.getvalue()


def _network_html(config) -> str:
    """The exercise's givens, for a question's text: weights, biases, the sample, the learning rate."""
    model, names = config.model, config.model.names
    parts = []
    for index, layer in enumerate(model.layers):
        weights = ", ".join(f"{name} = {value:g}" for name, value in zip(names.weights[index].ravel(),
                                                                          layer.weights.ravel(), strict=True))
        biases = ", ".join(f"{name} = {value:g}" for name, value in zip(names.biases[index], layer.biases,
                                                                         strict=True))
        parts.append(f"Layer {index + 1} ({layer.activation}): {weights}; {biases}")
    x, target = config.sample(1)
    inputs = ", ".join(f"{name} = {value:g}" for name, value in zip(names.nodes[0], x, strict=True))
    targets = ", ".join(f"{value:g}" for value in target)
    parts.append(f"Inputs: {inputs}; target: ({targets}); learning rate {config.schedule.learning_rate:g}; "
                 f"loss {config.loss}; bias input {model.bias_input:g}")
    return "".join(f"<p>{html_escape(part)}</p>" for part in parts)


def moodle_xml(exercises: dict) -> bytes:
    """A Moodle XML quiz: a category per student's variant, a numerical question per quantity of its
    answer key, with a tolerance of one unit in the answer's last place."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    for student, config in exercises.items():
        out += ['  <question type="category">',
                f"    <category><text>$course$/pencilnet/{escape(student)}</text></category>", "  </question>"]
        givens = _network_html(config)
        places = config.expected.pencil_decimals
        for entry in config.expected.entries:
            decimals = len(entry.published.split(".")[1]) if "." in entry.published else 0
            tolerance = MOODLE_TOLERANCE_UNITS * 10.0 ** -decimals
            text = (f"{givens}<p>Carry every number rounded to {places} decimals. What is "
                    f"<b>{html_escape(entry.name)}</b>, to {decimals} decimals?</p>")
            out += ['  <question type="numerical">',
                    f"    <name><text>{escape(student)}: {escape(entry.name)}</text></name>",
                    f'    <questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>',
                    "    <defaultgrade>1</defaultgrade>", "    <penalty>0.3333333</penalty>", "    <hidden>0</hidden>",
                    '    <answer fraction="100" format="moodle_auto_format">',
                    f"      <text>{entry.published}</text>", f"      <tolerance>{tolerance:.{decimals}f}</tolerance>",
                    '      <feedback format="html"><text></text></feedback>', "    </answer>",
                    "  </question>"]
    out.append("</quiz>")
    return ("\n".join(out) + "\n").encode("utf-8")
