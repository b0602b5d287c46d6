"""Grading a class: each student's answers checked against their own exercise as `verify` checks a
publication, so every wrong answer comes with its diagnosis and the earlier answer it follows from."""

from dataclasses import dataclass, replace

from pencilnet.checks.published import Expectations, Expected
from pencilnet.checks.verify import Verdict, chains, verify
from pencilnet.core.errors import InputError

RIGHT = ("match", "rounding")  # a rounding: a correct order of hand rounding gives it


@dataclass(frozen=True, eq=False)
class StudentGrade:
    student: str
    verdicts: list[Verdict]  # one per answer given, in the order of the exercise's key
    missing: list[str]  # quantities of the key left unanswered
    asked: int

    @property
    def right(self) -> int:
        return sum(v.verdict in RIGHT for v in self.verdicts)

    @property
    def score(self) -> float:
        return self.right / self.asked if self.asked else 0.0

    @property
    def chains(self) -> list[dict]:
        return chains(self.verdicts)


@dataclass(frozen=True, eq=False)
class Grades:
    students: list[StudentGrade]

    def by_quantity(self) -> dict[str, tuple[int, int]]:
        """{quantity: (right, asked)} over the class, in the order the exercises ask them."""
        found: dict[str, list[int]] = {}
        for grade in self.students:
            for v in grade.verdicts:
                counts = found.setdefault(v.quantity, [0, 0])
                counts[0] += v.verdict in RIGHT
                counts[1] += 1
            for name in grade.missing:
                found.setdefault(name, [0, 0])[1] += 1
        return {name: (right, asked) for name, (right, asked) in found.items()}


def grade(exercises: dict, answers: dict[str, dict[str, str]], source: str) -> Grades:
    """Every student of `answers` graded against their exercise in `exercises` ({student: Config with
    the answer key as its expected section}); a student or quantity the exercises do not have is an
    InputError naming it and `source`."""
    unknown = sorted(set(answers) - set(exercises))
    if unknown:
        raise InputError(f"{source}: student: expected one of the exercises' students, found {unknown[0]!r} "
                         f"(no {unknown[0]}.yaml)" + (f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""))
    graded = []
    for student, given in answers.items():
        config = exercises[student]
        key = config.expected
        if key is None:
            raise InputError(f"{config.source}: expected: expected the exercise's answer key, found none")
        names = [entry.name for entry in key.entries]
        strange = [name for name in given if name not in names]
        if strange:
            raise InputError(f"{source}: quantity: expected one of {student}'s exercise's quantities such as "
                             f"{', '.join(names[:3])}, found {strange[0]!r}")
        entries = [Expected(entry.name, given[entry.name]) for entry in key.entries if entry.name in given]
        sheet = replace(config, expected=Expectations(key.pencil_decimals, key.sample, entries))
        missing = [name for name in names if name not in given]
        places = {entry.name: _places(entry.published) for entry in key.entries}
        verdicts = [v if _places(v.published) >= places[v.quantity] or v.verdict not in RIGHT else
                    replace(v, verdict="differs", note=f"written to {_places(v.published)} decimals: the exercise "
                                                       f"asks for {places[v.quantity]}")
                    for v in verify(sheet)]
        graded.append(StudentGrade(student, verdicts, missing, len(names)))
    return Grades(graded)


def _places(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0
