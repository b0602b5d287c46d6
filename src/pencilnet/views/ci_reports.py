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


def junit(checked: Sequence[Checked]) -> bytes:
    """A JUnit XML report: a test suite per config, a test case per published number, named by its
    quantity; a failure carries the published and the computed value and the diagnosis; an erratum
    is a skipped case (declared, not checked); a config that could not be read, one error."""
    suites = []
    for config in checked:
        cases = []
        for v in config.verdicts:
            where = f' file={quoteattr(config.path)}' + (f' line="{v.line}"' if v.line else "")
            body = ""
            if v.verdict == "differs":
                body = (f'<failure message={quoteattr(f"{v.name}: {_said(v)}")} type="differs">'
                        f"{escape(_said(v))}</failure>")
            elif v.verdict == "erratum":
                body = f'<skipped message={quoteattr(f"declared erratum: {v.note}")}/>'
            cases.append(f'    <testcase name={quoteattr(v.name)} classname={quoteattr(config.name)}{where} time="0">'
                         f"{body}</testcase>")
        if config.problem is not None:
            cases.append(f'    <testcase name="config" classname={quoteattr(config.name)} '
                         f'file={quoteattr(config.path)} time="0"><error message={quoteattr(config.problem)} '
                         f'type="bad input">{escape(config.problem)}</error></testcase>')
        failures = sum(v.verdict == "differs" for v in config.verdicts)
        skipped = sum(v.verdict == "erratum" for v in config.verdicts)
        errors = int(config.problem is not None)
        suites.append(f'  <testsuite name={quoteattr(config.name)} tests="{len(cases)}" failures="{failures}" '
                      f'errors="{errors}" skipped="{skipped}" time="0" file={quoteattr(config.path)}>\n'
                      + "\n".join(cases) + "\n  </testsuite>")
    totals = {kind: sum(getattr(v, "verdict", None) == kind for c in checked for v in c.verdicts)
              for kind in ("differs", "erratum")}
    tests = sum(len(c.verdicts) + (c.problem is not None) for c in checked)
    errors = sum(c.problem is not None for c in checked)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="pencilnet verify" tests="{tests}" '
            f'failures="{totals["differs"]}" errors="{errors}" skipped="{totals["erratum"]}" time="0">\n'
            + "\n".join(suites) + "\n</testsuites>\n").encode("utf-8")


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
