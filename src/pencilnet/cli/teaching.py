"""Commands for a class: exercise (a pleasant worked example per student, with its answer key) and
grade (a class's answers, each wrong one with its diagnosis)."""

from typing import Annotated

import typer

from pencilnet.cli.shared import AsJson, Force, check_output, failures, show, style, wrote
from pencilnet.core.errors import InputError

MAX_VARIANTS = 1000  # a class, or a few


def exercise(out: Annotated[str, typer.Option("--out", "-o", metavar="DIR",
                                                help="The directory the exercises go into (made if missing).")],
             layers: Annotated[str, typer.Option("--layers", metavar="N,N,…",
                                                 help="Node counts, inputs first.")] = "2,2,2",
             seed: Annotated[int, typer.Option("--seed", min=0, metavar="N", help="The class's seed.")] = 0,
             activation: Annotated[str, typer.Option("--activation", metavar="NAME",
                                                     help="The hidden layers' activation.")] = "sigmoid",
             output: Annotated[str | None, typer.Option(
                 "--output-activation", metavar="NAME", show_default=False,
                 help="The output layer's (the hidden layers' if not given; softmax with --loss cross_entropy).")]
             = None,
             loss: Annotated[str, typer.Option("--loss", metavar="NAME")] = "half_sse",
             optimizer: Annotated[str, typer.Option("--optimizer", metavar="NAME",
                                                    help="sgd, adam, adamw or rmsprop (torch.optim's defaults).")]
             = "sgd",
             learning_rate: Annotated[float, typer.Option("--learning-rate", min=0.0, metavar="RATE")] = 0.5,
             decimals: Annotated[int, typer.Option("--decimals", min=1, max=3, metavar="N",
                                                   help="Places of the given weights and inputs.")] = 2,
             answer_decimals: Annotated[int, typer.Option("--answer-decimals", min=2, max=8, metavar="N",
                                                          help="Places every carried number and answer has.")] = 4,
             variants: Annotated[int, typer.Option("--variants", min=1, max=MAX_VARIANTS, metavar="N",
                                                   help="How many exercises (named variant-1 …).")] = 1,
             students: Annotated[str | None, typer.Option(
                 "--students", metavar="ROSTER.csv", show_default=False,
                 help="One exercise per student of the roster, named by the student's identifier.")] = None,
             quiz: Annotated[str | None, typer.Option(
                 "--quiz", metavar="FILE.xml", show_default=False,
                 help="Also write the exercises as a Moodle XML quiz, a category per exercise.")] = None,
             force: Force = False):
    """Write exercises for a class: a fresh network per student whose numbers are pleasant by hand
    (one or two decimals, nothing saturated, no near-ties, distinct answers), each a config whose
    expected section is its answer key, reproducible from --seed and the student's identifier."""
    with failures():
        from pathlib import Path

        from pencilnet.checks.exercises import make
        from pencilnet.core.optimizers import Optimizer
        from pencilnet.io.class_files import exercise_text, read_roster
        from pencilnet.io.config import parse
        from pencilnet.io.files import write_atomic
        from pencilnet.io.starter import sizes_of

        sizes = sizes_of(layers)
        if sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False)) > 200:
            raise InputError(f"--layers: expected a network of at most 200 parameters, to be worked by hand, "
                             f"found {layers}")
        final = output or ("softmax" if loss == "cross_entropy" else activation)
        names = read_roster(students) if students else [f"variant-{k}" for k in range(1, variants + 1)]
        if len(names) > MAX_VARIANTS:
            raise InputError(f"{students}: expected at most {MAX_VARIANTS} students, found {len(names)}")
        folder = Path(out)
        paths = [folder / f"{name}.yaml" for name in names]
        for path in paths:
            if folder.is_dir():
                check_output(path, "exercise", force)
        check_output(quiz, "quiz", force)
        questions = ("Work one step of backpropagation by hand on the sample: every net and out, E_total, every "
                     "gradient dE/dw and every new weight.")
        texts = []
        for name in names:
            found = make(sizes, activation, final, loss, seed, name, decimals, answer_decimals, learning_rate,
                         Optimizer(optimizer))
            text = exercise_text(found, questions)
            parse(text, f"{name}.yaml")  # every exercise reads back as every command will read it
            texts.append(text)
        folder.mkdir(parents=True, exist_ok=True)
        for path, text in zip(paths, texts, strict=True):
            write_atomic(path, text)
        wrote(folder, f"{len(paths)} exercise{'s' if len(paths) > 1 else ''} ({', '.join(names[:3])}"
                      f"{', …' if len(names) > 3 else ''})")
        if quiz is not None:
            from pencilnet.views.teaching import moodle_xml

            write_atomic(quiz, moodle_xml({name: parse(text, name) for name, text in zip(names, texts,
                                                                                          strict=True)}))
            wrote(quiz, "a Moodle XML quiz")


def grade(answers: Annotated[str, typer.Argument(
              metavar="ANSWERS.csv", help="The class's answers: columns student, quantity, value.")],
          exercises: Annotated[str, typer.Option("--exercises", metavar="DIR",
                                                 help="The exercises the class worked (pencilnet exercise --out).")],
          as_json: AsJson = False,
          out: Annotated[str | None, typer.Option(
              "--out", "-o", metavar="FILE", show_default=False,
              help="Also write the grades as a CSV (grades.csv) or the exercises as a Moodle XML quiz (quiz.xml).")]
          = None,
          force: Force = False):
    """Grade a class: each student's answers against their own exercise, a score per student and per
    quantity, each wrong answer with its diagnosis and the earlier answer it follows from. Exit 0."""
    with failures():
        from pencilnet.checks.grading import grade as graded
        from pencilnet.io.class_files import exercise_paths, read_answers
        from pencilnet.io.config import load
        from pencilnet.io.files import write_atomic
        from pencilnet.views import teaching

        if out is not None and not out.endswith((".csv", ".xml")):
            raise InputError(f"--out {out}: expected a .csv (grades) or .xml (a Moodle quiz) file")
        check_output(out, "grades" if out and out.endswith(".csv") else "quiz", force)
        given = read_answers(answers)
        paths = exercise_paths(exercises)
        configs = {student: load(str(paths[student])) for student in given if student in paths}
        found = graded({**{s: None for s in paths}, **configs}, given, answers)
        if out is not None and out.endswith(".csv"):
            write_atomic(out, teaching.grades_csv(found))
        elif out is not None:
            write_atomic(out, teaching.moodle_xml({student: load(str(path)) for student, path in paths.items()}))
        show(as_json, lambda: teaching.grades_json(found), lambda: [teaching.grades(found, style(rows=None))])
        if out is not None:
            wrote(out)


def register(app: typer.Typer) -> None:
    app.command()(exercise)
    app.command()(grade)
