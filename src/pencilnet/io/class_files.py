"""The files of a class: an exercise as a config (its answer key in `expected:`), a roster of
students, and the answers a class hands in, as a spreadsheet exports them.

An answers file is a CSV with a header naming the columns `student`, `quantity` and `value` (in any
order; other columns are left alone), one row per student and quantity. A directory of configs,
one per student (named by the identifier), each with its `expected:` section, is read the same way.
"""

import csv
import io
import re
from pathlib import Path

from pencilnet.checks.exercises import Exercise
from pencilnet.core.errors import InputError
from pencilnet.io.config_writer import config_text, network_fields, network_notes
from pencilnet.io.files import read_text

MAX_CLASS_BYTES = 16 * 2**20  # a roster or an answers file: a class, not a data set
STUDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}")  # an identifier that is a file name everywhere
PUBLISHED = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def exercise_text(exercise: Exercise, questions: str) -> str:
    """The exercise as a config: the network, the sample, and the answer key as its expected section."""
    model = exercise.model
    who = f" for {exercise.student}" if exercise.student else ""
    document: dict = {
        "name": f"Exercise{who}: a {'-'.join(map(str, model.sizes))} network",
        "description": questions,
        **network_fields(model),
        "loss": exercise.loss,
        "arithmetic": f"pencil {exercise.answer_decimals}",
        "training": {"learning_rate": exercise.learning_rate, "epochs": 1,
                     **({"optimizer": exercise.optimizer.name} if exercise.optimizer.name != "sgd" else {})},
        "samples": [{"inputs": exercise.x.tolist(), "target": exercise.target.tolist()}],
        "expected": {"arithmetic": f"pencil {exercise.answer_decimals}", "values": dict(exercise.answers)},
    }
    header = [f"An exercise made by pencilnet{who} (seed {exercise.seed}): work one step of backpropagation by "
              f"hand, rounding every carried number to {exercise.answer_decimals} decimals.",
              "The expected section is the answer key: keep it from the students (publish --questions writes "
              "the question sheet without it)."]
    return config_text(document, header, network_notes(model))


def read_roster(path: str) -> list[str]:
    """The student identifiers of a roster: a CSV whose `student` column (or else first column) names
    each student once."""
    rows = _rows(path, "roster")
    header = [name.strip().lower() for name in rows[0]]
    column = header.index("student") if "student" in header else 0
    students: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        student = row[column].strip() if column < len(row) else ""
        _check_student(student, f"{path}:{number}")
        if student in seen:
            raise InputError(f"{path}:{number}: student: expected each student once, found {student!r} again "
                             f"(first on line {seen[student]})")
        seen[student] = number
        students.append(student)
    if not students:
        raise InputError(f"{path}: expected at least one student, found none")
    return students


def read_answers(path: str) -> dict[str, dict[str, str]]:
    """{student: {quantity: the value as written}} from a CSV of columns student, quantity, value."""
    rows = _rows(path, "answers file")
    header = [name.strip().lower() for name in rows[0]]
    missing = [name for name in ("student", "quantity", "value") if name not in header]
    if missing:
        raise InputError(f"{path}:1: expected the columns student, quantity and value, found no "
                         f"{' or '.join(missing)} column")
    at = {name: header.index(name) for name in ("student", "quantity", "value")}
    answers: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        student, quantity, value = (row[at[name]].strip() if at[name] < len(row) else "" for name in at)
        where = f"{path}:{number}"
        _check_student(student, where)
        value = value.replace("−", "-").replace(",", ".") if value.count(",") == 1 and "." not in value else value
        if not PUBLISHED.fullmatch(value.replace("−", "-")):
            raise InputError(f"{where}: value: expected a number such as 0.1005, found {value[:40]!r}")
        given = answers.setdefault(student, {})
        if quantity in given:
            raise InputError(f"{where}: quantity: expected each quantity once per student, found {quantity!r} "
                             f"again for {student}")
        given[quantity] = value.replace("−", "-")
    if not answers:
        raise InputError(f"{path}: expected at least one answer, found none")
    return answers


def exercise_paths(directory: str) -> dict[str, Path]:
    """{student: config} of a directory of exercises, each named by its student (`alice.yaml`)."""
    folder = Path(directory)
    if not folder.is_dir():
        raise InputError(f"{directory}: expected a directory of exercises (pencilnet exercise --out DIR), "
                         "found no such directory")
    found = {path.stem: path for path in sorted(folder.glob("*.yaml")) if path.is_file()}
    if not found:
        raise InputError(f"{directory}: expected exercises (STUDENT.yaml), found none")
    return found


def _check_student(student: str, where: str) -> None:
    if not STUDENT.fullmatch(student):
        raise InputError(f"{where}: student: expected an identifier of letters, digits and . _ @ + - (at most 64), "
                         f"found {student[:40]!r}")


def _rows(path: str, what: str) -> list[list[str]]:
    text = read_text(path, what, MAX_CLASS_BYTES)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise InputError(f"{path}: expected a CSV {what}: {exc}") from None
    if not rows:
        raise InputError(f"{path}: expected a CSV {what} with a header line, found an empty file")
    return rows
