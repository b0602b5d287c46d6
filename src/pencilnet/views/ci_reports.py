"""`verify`'s verdicts as the reports CI systems read: JUnit XML, GitHub Actions workflow commands and
a GitLab code-quality report. Each takes the checked configs as (path, name, verdicts), the path as
the repository names the file, so that an annotation lands on the line of the published value.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr


class Checked(NamedTuple):
    """One config's verdicts: `path` as given on the command line, `name` its title. `problem` is
    the one line that stopped the config from being checked at all (a bad config), else None."""

    path: str
    name: str
    verdicts: Sequence
    problem: str | None = None


def _said(v) -> str:
    """A differing value in one line: published, computed, and why."""
    text = f"published {v.published}, computed {v.computed!r} ({v.arithmetic}; exactly {v.exact!r})"
    return text + (f"; {v.note}" if v.note else "")


class Case(NamedTuple):
    """One JUnit test case. `outcome` is None (passed), "failure", "error" or "skipped"; `kind` is
    the outcome's type attribute, `message` its one line and `text` its body."""

    name: str
    classname: str
    file: str | None = None
    line: int | None = None
    outcome: str | None = None
    message: str = ""
    kind: str = ""
    text: str = ""


class Suite(NamedTuple):
    """One JUnit test suite: its cases, the file they came from, and named values of the run."""

    name: str
    cases: Sequence[Case]
    file: str | None = None
    properties: Sequence[tuple[str, str]] = ()


def _case(case: Case) -> str:
    where = (f" file={quoteattr(case.file)}" if case.file is not None else "") + (
        f' line="{case.line}"' if case.line else "")
    body = ""
    if case.outcome == "skipped":
        body = f"<skipped message={quoteattr(case.message)}/>"
    elif case.outcome is not None:
        body = (f"<{case.outcome} message={quoteattr(case.message)} type={quoteattr(case.kind)}>"
                f"{escape(case.text)}</{case.outcome}>")
    return (f"    <testcase name={quoteattr(case.name)} classname={quoteattr(case.classname)}{where} "
            f'time="0">{body}</testcase>')


def _counts(cases: Sequence[Case]) -> str:
    tests, failures, errors, skipped = len(cases), *(sum(c.outcome == kind for c in cases)
                                                     for kind in ("failure", "error", "skipped"))
    return f'tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}" time="0"'


def junit_report(command: str, suites: Sequence[Suite]) -> bytes:
    """A JUnit XML report of one pencilnet command (`verify`, `gradcheck`, `train`), named
    "pencilnet COMMAND" so that a later run recognises the file it may replace; times are 0 (the
    report says what was checked, not how long it took)."""
    parts = []
    for suite in suites:
        properties = ("    <properties>\n" + "".join(f"      <property name={quoteattr(k)} value={quoteattr(v)}/>\n"
                                                  for k, v in suite.properties) + "    </properties>\n"
                      if suite.properties else "")
        where = f" file={quoteattr(suite.file)}" if suite.file is not None else ""
        parts.append(f"  <testsuite name={quoteattr(suite.name)} {_counts(suite.cases)}{where}>\n" + properties
                     + "".join(_case(case) + "\n" for case in suite.cases) + "  </testsuite>")
    every = [case for suite in suites for case in suite.cases]
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name={quoteattr(f"pencilnet {command}")} '
            f"{_counts(every)}>\n" + "\n".join(parts) + "\n</testsuites>\n").encode("utf-8")


def junit(checked: Sequence[Checked]) -> bytes:
    """verify's JUnit XML report: a test suite per config, a test case per published number, named by
    its quantity; a failure carries the published and the computed value and the diagnosis; an
    erratum is a skipped case (declared, not checked); a config that could not be read, one error."""
    suites = []
    for config in checked:
        cases = []
        for v in config.verdicts:
            case = Case(v.name, config.name, config.path, v.line)
            if v.verdict == "differs":
                case = case._replace(outcome="failure", message=f"{v.name}: {_said(v)}", kind="differs",
                                     text=_said(v))
            elif v.verdict == "erratum":
                case = case._replace(outcome="skipped", message=f"declared erratum: {v.note}")
            cases.append(case)
        if config.problem is not None:
            cases.append(Case("config", config.name, config.path, None, "error", config.problem, "bad input",
                              config.problem))
        suites.append(Suite(config.name, cases, config.path))
    return junit_report("verify", suites)


def junit_gradcheck(report, config: str, path: str) -> bytes:
    """gradcheck's JUnit XML report: a test case per parameter; a failure for each whose gradient
    differs from finite differences or cannot be checked by them at this sample."""
    cases = []
    for c in report.checks:
        case = Case(c.name, config, path)
        if not c.passed:
            said = (f"backprop {c.analytic!r}, finite differences {c.numeric!r} (± {c.resolution:.1e}, h = "
                    f"{c.spacing:.1e}): relative difference {c.relative_error:.2e}, tolerance {report.tolerance:g}")
            case = case._replace(outcome="failure", message=f"{c.name}: {c.verdict}: {said}", kind=c.verdict,
                                 text=said)
        cases.append(case)
    return junit_report("gradcheck", [Suite(config, cases, path, [("tolerance", f"{report.tolerance:g}")])])


def junit_train(history, target: float, config: str, path: str) -> bytes:
    """train's JUnit XML report when a target error is set: one test case, `target_error`, failed
    when the error of the last epoch run (measured during the epoch, as training stops on it) is
    above the target; the final error and the epochs run are the suite's properties."""
    reached = bool(history.errors) and history.errors[-1] <= target
    said = (f"error {history.errors[-1] if history.errors else float('nan')!r} in epoch {history.epochs_run} "
            f"(measured during the epoch), target {target!r}; {history.final_error!r} with the final weights")
    case = Case("target_error", config, path)
    if not reached:
        case = case._replace(outcome="failure", message=f"target error not reached: {said}", kind="not reached",
                             text=said)
    properties = [("target_error", repr(target)), ("final_error", repr(history.final_error)),
                  ("epochs_run", str(history.epochs_run)), ("stopped_early", str(history.stopped_early).lower())]
    return junit_report("train", [Suite(config, [case], path, properties)])


def _problem_line(problem: str) -> int | None:
    """The line a config's problem names (`c.yaml:12: …`), if it names one."""
    found = re.match(r"[^\n]*?:(\d+): ", problem)
    return int(found.group(1)) if found else None


def _data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped as GitHub reads them."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A workflow command's property value: also , and : escaped."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def github(checked: Sequence[Checked]) -> str:
    """GitHub Actions workflow commands: an ::error on the line of each differing value (and of a
    config that could not be read), a ::notice for each declared erratum, one summary line."""
    lines = []
    for config in checked:
        if config.problem is not None:
            line = _problem_line(config.problem)
            lines.append(f"::error file={_property(config.path)}" + (f",line={line}" if line else "")
                         + f",title={_property('pencilnet verify')}::{_data(config.problem)}")
        for v in config.verdicts:
            where = f"file={_property(config.path)}" + (f",line={v.line}" if v.line else "")
            if v.verdict == "differs":
                lines.append(f"::error {where},title={_property(f'{v.name} differs')}::{_data(_said(v))}")
            elif v.verdict == "erratum":
                lines.append(f"::notice {where},title={_property(f'{v.name}: declared erratum')}::{_data(v.note)}")
    differ = sum(v.verdict == "differs" for c in checked for v in c.verdicts)
    total = sum(len(c.verdicts) for c in checked)
    bad = sum(c.problem is not None for c in checked)
    configs = "1 config" if len(checked) == 1 else f"{len(checked)} configs"
    lines.append(f"pencilnet verify: {total} published numbers in {configs}, {differ} differ"
                 + (f", {bad} could not be read" if bad else ""))
    return "\n".join(lines) + "\n"


def gitlab(checked: Sequence[Checked]) -> str:
    """A GitLab code-quality report (JSON): an issue for each differing value and each config that
    could not be read, with a fingerprint stable from run to run."""
    issues = []
    for config in checked:
        found = ([(config.problem, "config", _problem_line(config.problem) or 1)] if config.problem is not None
                 else [])
        found += [(f"{v.name}: {_said(v)}", v.name, v.line or 1) for v in config.verdicts if v.verdict == "differs"]
        for description, name, line in found:
            fingerprint = hashlib.sha256(f"{config.path}\0{name}\0{description}".encode()).hexdigest()
            issues.append({"description": description, "check_name": "pencilnet-verify", "fingerprint": fingerprint,
                           "severity": "major", "location": {"path": config.path, "lines": {"begin": line}}})
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
