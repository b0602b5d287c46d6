"""Exercises for a class and their grading (issue 24, items 4 to 6)."""

import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

import numpy as np
import pytest
from helpers import THOROUGH, commands_in_one_process

import pencilnet
from pencilnet.checks.exercises import SATURATED, TIE, asked, make
from pencilnet.checks.hand import Hand, Mistake
from pencilnet.core.arithmetic import Pencil, half_up
from pencilnet.core.stages import forward

KINDS = [([2, 2, 2], "sigmoid", "sigmoid", "half_sse"), ([3, 4, 2], "sigmoid", "sigmoid", "half_sse"),
         ([2, 3, 2], "tanh", "softmax", "cross_entropy"), ([2, 2, 1], "relu", "identity", "half_sse")]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: "-".join(map(str, kind[0])) + f"-{kind[1]}-{kind[2]}")
def test_every_exercise_is_pleasant_by_hand(kind):
    sizes, activation, output, loss = kind
    for seed in range(300 if THOROUGH else 8):
        found = make(sizes, activation, output, loss, seed, f"student{seed}", decimals=2)
        where = f"seed {seed}"
        for layer in found.model.layers:  # given with two places, none of them 0
            for value in [*layer.weights.ravel(), *layer.biases]:
                assert value != 0 and round(value, 2) == value, where
        assert all(0 < v < 1 and round(v, 2) == v for v in found.x), where
        for layer, seen in zip(found.model.layers, forward(found.model, found.x, Pencil(4)).layers, strict=True):
            if layer.activation in ("sigmoid", "softmax"):
                assert np.all(np.minimum(seen.out, 1 - seen.out) >= SATURATED), where
            if layer.activation == "relu":
                assert np.all(seen.net > 0), where  # no unit dead or at its kink
        assert list(found.answers) == asked(found.model)
        values = Hand(found.model, found.x, found.target, loss, 0.5, Pencil(4)).values()
        for name, answer in found.answers.items():  # the answer key is the hand calculation's, far from a tie
            assert Decimal(answer) == half_up(values[name], 4) != 0, (where, name)
            units = abs(values[name]) * 1e4
            assert abs(units - np.floor(units) - 0.5) >= TIE, (where, name)
        for kind_of in ("net_", "out_", "dE/d", "_new"):
            answers = [a for n, a in found.answers.items() if kind_of in n]
            assert len(set(answers)) == len(answers), (where, kind_of)
    again = make(sizes, activation, output, loss, 3, "student3")
    assert again.answers == make(sizes, activation, output, loss, 3, "student3").answers  # reproducible
    assert again.answers != make(sizes, activation, output, loss, 3, "student4").answers  # one per student


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pencilnet", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


# The slips planted in the class's answer sheets, one per student (students 10 to 29), in turn.
PLANTED = ["derivative_left_out", "sign_flipped", "half_dropped", "rate_left_out", "gradient_added",
           "updated_weights", "bias_not_updated", "rate_twice", "derivative_of_net", "net_as_input"]


def test_a_class_of_thirty_is_graded_end_to_end(tmp_path):
    students = [f"s{k:02d}" for k in range(30)]
    (tmp_path / "roster.csv").write_text("student,name\n" + "".join(f"{s},Student {s}\n" for s in students))
    made = run("exercise", "--students", "roster.csv", "--seed", 2026, "--out", "ex", "--quiz", "quiz.xml",
               cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    rows, planted = ["student,quantity,value"], {}
    for k, student in enumerate(students):
        config = pencilnet.load(str(tmp_path / "ex" / f"{student}.yaml"))
        x, target = config.sample(1)
        mistakes = frozenset({Mistake(PLANTED[k % 10])}) if k >= 10 else frozenset()
        planted[student] = mistakes
        values = Hand(config.model, x, target, config.loss, 0.5, Pencil(4), mistakes=mistakes).values()
        given = [e.name for e in config.expected.entries]
        if k == 5:
            given = given[:-3]  # three left unanswered
        rows += [f"{student},{name},{half_up(values[name], 4)}" for name in given]
    (tmp_path / "answers.csv").write_text("\n".join(rows) + "\n")
    result = run("grade", "answers.csv", "--exercises", "ex", "--json", "--out", "grades.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    grades = {g["student"]: g for g in json.loads(result.stdout)["students"]}
    named = 0
    for k, student in enumerate(students):
        g = grades[student]
        config = pencilnet.load(str(tmp_path / "ex" / f"{student}.yaml"))
        key = {e.name: e.published for e in config.expected.entries}
        wrong = {a["quantity"] for a in g["answers"] if not a["right"]}
        if k < 10:  # worked right: every answer given is right
            assert not wrong and g["right"] == g["asked"] - (3 if k == 5 else 0), student
            continue
        differing = {a["quantity"] for a in g["answers"] if a["answer"] != key[a["quantity"]]}
        assert wrong <= differing, student  # never a right answer marked wrong
        roots = g["root"]
        if roots and roots[0]["diagnosis"] and planted[student] and \
                next(iter(planted[student])).describe() in roots[0]["diagnosis"][0]:
            named += 1
    assert named >= 18, named  # the planted slip named first for (nearly) every one of the twenty
    sheet = list(csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert {row["student"] for row in sheet} == set(students) and len(sheet) == 30 * 33
    quiz = ElementTree.parse(tmp_path / "quiz.xml").getroot()
    categories = [q.find("category/text").text for q in quiz if q.get("type") == "category"]
    assert categories == [f"$course$/pencilnet/{s}" for s in students]
    numerical = [q for q in quiz if q.get("type") == "numerical"]
    assert len(numerical) == 30 * 33
    first = numerical[0]
    assert first.find("answer/text").text == pencilnet.load(str(tmp_path / "ex" / "s00.yaml")).expected.entries[
        0].published and first.find("answer/tolerance").text == "0.0001"


@pytest.mark.parametrize("roster, answers, message", [
    ("student\nann\nann\n", None, "roster.csv:3: student: expected each student once, found 'ann' again"),
    ("student\nann\n", "student,quantity,value\nzoe,net_h1,0.5\n",
     "answers.csv: student: expected one of the exercises' students, found 'zoe'"),
    ("student\nann\n", "student,quantity,value\nann,net_h9,0.5\n",
     "answers.csv: quantity: expected one of ann's exercise's quantities such as net_h1"),
    ("student\nann\n", "student,quantity,value\nann,net_h1,about 0.5\n",
     "answers.csv:2: value: expected a number such as 0.1005, found 'about 0.5'"),
    ("student\nann\n", "student,value\nann,0.5\n",
     "answers.csv:1: expected the columns student, quantity and value, found no quantity column"),
])
def test_bad_class_files_get_one_line(tmp_path, roster, answers, message):
    (tmp_path / "roster.csv").write_text(roster)
    exercise = ["exercise", "--students", "roster.csv", "--out", "ex"]
    if answers is None:
        [result] = commands_in_one_process(exercise, cwd=tmp_path, timeout=300)
    else:  # one process for both commands: a second would cost 0.3 s more
        (tmp_path / "answers.csv").write_text(answers)
        made, result = commands_in_one_process(exercise, ["grade", "answers.csv", "--exercises", "ex"], cwd=tmp_path,
                                               timeout=300)
        assert made.returncode == 0, made.stderr
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"pencilnet: error: {message}") and result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize("name, questions, answers", [
    ("Exercise for ben: a 2-2-2 network", "Exercise for ben: a 2-2-2 network", "Answer key for ben: a 2-2-2 network"),
    ("Exercise: a 2-2-2 network", "Exercise: a 2-2-2 network", "Answer key: a 2-2-2 network"),
    ("Red apple or tomato", "Exercise: Red apple or tomato", "Answer key: Red apple or tomato"),
    ("Exercises in backprop", "Exercise: Exercises in backprop", "Answer key: Exercises in backprop"),
])
def test_a_sheet_says_exercise_once_in_its_title(name, questions, answers):
    # The sheet of `exercise`'s config was titled "Exercise: Exercise for ben: a 2-2-2 network".
    from pencilnet.views.publish.sheets import _titled

    assert (_titled("Exercise", name), _titled("Answer key", name)) == (questions, answers)
