"""verify's reports for CI: JUnit XML, GitHub workflow commands, a GitLab code-quality report, and
several configs with one exit code (issue 25)."""

import json
import subprocess
import sys

import junitparser
import xmlschema
from helpers import ROOT

ARTICLE = (ROOT / "configs" / "article.yaml").read_text(encoding="utf-8").split("expected:")[0]
SCHEMA = xmlschema.XMLSchema(ROOT / "tests" / "data" / "junit.xsd")

# The same published values in three YAML styles; ∂E/∂w5 is 0.1005 by hand (0.5934 × 0.2413 × 0.7020),
# so 0.4166 (∂out/∂net left out) differs. Each config's differing value is on the line noted.
BLOCK = ARTICLE + 'expected:\n  arithmetic: pencil 4\n  values:\n    net_h1: "0.857"\n    dE/dw5: "0.4166"\n'
FLOW = ARTICLE + 'expected: {arithmetic: pencil 4, values: {net_h1: "0.857",\n    dE/dw5: "0.4166"}}\n'
ANCHORED = (ARTICLE + 'description: &slip "0.4166"\nexpected:\n  arithmetic: pencil 4\n  values:\n'
            '    net_h1: "0.857"\n    dE/dw5: *slip\n')


def run(*args, cwd):
    """A real process: its exit status as a CI job's shell sees it."""
    return subprocess.run([sys.executable, "-m", "pencilnet", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def inside(cli, cwd, monkeypatch):
    """The same in-process (quicker), from `cwd`; `.returncode` as a process's."""
    monkeypatch.chdir(cwd)

    def call(*args):
        result = cli(*args)
        result.returncode = result.exit_code
        return result
    return call


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_annotations_point_at_the_line_of_each_differing_value(tmp_path):
    texts = {"block.yaml": BLOCK, "flow.yaml": FLOW, "anchored.yaml": ANCHORED}
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "right.yaml").write_text(BLOCK.replace('"0.4166"', '"0.1005"'))
    result = run("verify", *texts, "right.yaml", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # one exit code for the lot: a value differs
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert len(errors) == 3
    for name, text in texts.items():
        line = line_of(text, "dE/dw5:")  # the anchored value's line is where it is used, not its anchor's
        error = next(e for e in errors if f"file={name}," in e)
        assert error.startswith(f"::error file={name},line={line},title=dE/dw5 differs::published 0.4166, ")
        assert "∂out/∂net left out" in error
    assert result.stdout.splitlines()[-1] == "pencilnet verify: 8 published numbers in 4 configs, 3 differ"
    assert "block.yaml: 1 published number(s) differ: dE/dw5" in result.stderr


def test_a_junit_report_validates_and_reads_back_with_the_right_counts(tmp_path, cli, monkeypatch):
    (tmp_path / "student.yaml").write_text(BLOCK)
    (tmp_path / "broken.yaml").write_text("inputs: [\n")
    report = tmp_path / "verify.xml"
    result = run("verify", "student.yaml", "broken.yaml", "--junit", report, cwd=tmp_path)
    assert result.returncode == 2  # a config that cannot be read outranks a value that differs
    assert result.stderr.splitlines()[-1].startswith("pencilnet: error: 1 of 2 configs could not be checked: "
                                                     "broken.yaml:")
    SCHEMA.validate(str(report))
    suites = list(junitparser.JUnitXml.fromfile(str(report)))
    assert [(s.tests, s.failures, s.errors, s.skipped) for s in suites] == [(2, 1, 0, 0), (1, 0, 1, 0)]
    cases = {case.name: case for case in suites[0]}
    failure = cases["dE/dw5"].result[0]
    assert isinstance(failure, junitparser.Failure)
    assert "published 0.4166" in failure.message and "∂out/∂net left out" in failure.message
    assert cases["dE/dw5"]._elem.get("line") == str(line_of(BLOCK, "dE/dw5:"))
    assert cases["net_h1"].is_passed
    # The article's two declared errata are skipped cases, not failures; the run passes.
    call = inside(cli, tmp_path, monkeypatch)
    assert call("verify", "--junit", report).returncode == 0
    SCHEMA.validate(str(report))
    suite = next(iter(junitparser.JUnitXml.fromfile(str(report))))
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (44, 0, 0, 2)
    (tmp_path / "mine.xml").write_text("<mine/>")  # another file is never replaced without --force
    refused = call("verify", "--junit", "mine.xml")
    assert refused.returncode == 2 and (tmp_path / "mine.xml").read_text() == "<mine/>"


def test_gitlab_and_json_reports_carry_file_and_line(tmp_path, cli, monkeypatch):
    (tmp_path / "student.yaml").write_text(BLOCK)
    call = inside(cli, tmp_path, monkeypatch)
    result = call("verify", "student.yaml", "--format", "gitlab")
    assert result.returncode == 1
    (issue,) = json.loads(result.stdout)
    assert issue["location"] == {"path": "student.yaml", "lines": {"begin": line_of(BLOCK, "dE/dw5:")}}
    assert issue["severity"] == "major" and len(issue["fingerprint"]) == 64
    assert json.loads(call("verify", "student.yaml", "--format", "gitlab").stdout) == [issue]
    entries = json.loads(call("verify", "student.yaml", "--json").stdout)["entries"]
    assert [(e["file"], e["line"]) for e in entries] == [("student.yaml", line_of(BLOCK, "net_h1:")),
                                                         ("student.yaml", line_of(BLOCK, "dE/dw5:"))]
    assert entries[1]["diagnosis"] == ["the activation's derivative ∂out/∂net left out (taken as 1)"]
    both = json.loads(call("verify", "student.yaml", "student.yaml", "--json").stdout)
    assert both["passed"] is False and [c["file"] for c in both["configs"]] == ["student.yaml", "student.yaml"]
