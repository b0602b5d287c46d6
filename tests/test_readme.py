"""The examples of the README and of docs/*.md, run: every `$ pencilnet …` line in a fenced
block, with the output shown beneath it, is executed from a fresh directory holding the
repository's configs/ and data/, and its standard output must match what the page shows. A line "..." stands for
any number of lines left out. The examples are shown as a 120-column terminal prints them."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCED = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)
WIDTH = 120


def examples(text: str) -> list[list[tuple[str, list[str]]]]:
    """Each fenced block's (command, expected output lines) pairs, in order."""
    blocks = []
    for block in FENCED.findall(text):
        lines = block.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
        pairs = [(lines[i][2:], lines[i + 1:end]) for i, end in zip(starts, starts[1:] + [len(lines)], strict=False)]
        if any(command.startswith("pencilnet ") for command, _ in pairs):
            blocks.append(pairs)
    return blocks


# A number shown to ten significant digits (nine when the tenth is a 0, which is dropped) has
# digits that depend on the CPU: finite differences, and the last bits of exp and log (AVX-512
# changes them), move its tenth digit. Such numbers match within CLOSE; every other digit exactly.
NUMBER = re.compile(r"(-?\d+\.\d+(?:e-?\d+)?)")
LONG = 10
CLOSE = 2e-9  # relative: one unit in the tenth significant digit, with room for rounding


def digits(number: str) -> int:
    return len(number.split("e")[0].lstrip("-").replace(".", "").lstrip("0"))


def close(a: str, b: str) -> bool:
    return min(digits(a), digits(b)) >= LONG - 1 and abs(float(a) - float(b)) <= CLOSE * abs(float(a))


def same(expected: str, actual: str) -> bool:
    """The same line, except that its long numbers may differ by CLOSE (and so their columns by a space)."""
    if expected == actual:
        return True
    want, got = NUMBER.split(expected), NUMBER.split(actual)
    if len(want) != len(got) or want[1::2] == got[1::2]:
        return False
    words = all(" ".join(a.split()) == " ".join(b.split()) for a, b in zip(want[::2], got[::2], strict=True))
    return words and all(a == b or close(a, b) for a, b in zip(want[1::2], got[1::2], strict=True))


def matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line, trailing spaces aside; "..." matches any run of lines, even none; long
    numbers match within CLOSE."""
    expected = [line.rstrip() for line in expected]
    actual = [line.rstrip() for line in actual]
    while expected and not expected[-1]:
        expected.pop()
    while actual and not actual[-1]:
        actual.pop()
    # reachable[j]: the first i expected lines can match the first j actual lines
    reachable = [True] + [False] * len(actual)
    for line in expected:
        if line.strip() == "...":
            for j in range(1, len(actual) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
        else:
            reachable = [False] + [reachable[j] and same(line, actual[j]) for j in range(len(actual))]
    return reachable[-1]


EXIT = re.compile(r"\(exit (\d+)\)")  # a last line "(exit 1)": the example's exit status, when it is not 0


def run(command: str, status: int = 0) -> str:
    """The command's standard output: pencilnet in-process (a process each would take seconds
    on a busy machine), and whatever it is piped into, if anything, in a shell."""
    from typer.testing import CliRunner

    from pencilnet.cli.app import app

    first, _, rest = command.partition(" | ")
    result = CliRunner().invoke(app, shlex.split(first)[1:])
    assert result.exit_code == status, f"{command}: exit {result.exit_code}\n{result.output}"
    if not rest:
        return result.stdout
    done = subprocess.run(rest, shell=True, input=result.stdout, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"})
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stderr}"
    return done.stdout


# Examples whose files a page's snippet makes first: another test makes them and runs the example.
ELSEWHERE = {"cancer.yaml": "tests/cli/test_readme_own_data.py"}
BLOCKS = [pytest.param(block, id=f"{page.relative_to(ROOT)}: {block[-1][0]}")
          for page in PAGES for block in examples(page.read_text(encoding="utf-8"))
          if not any(name in command for name in ELSEWHERE for command, _ in block)]


def test_the_pages_have_examples_to_run():
    assert len(BLOCKS) >= 12
    assert {block.id.split(":")[0] for block in BLOCKS} >= {"README.md", "docs/tutorial.md", "docs/verify-and-ci.md"}


@pytest.mark.parametrize("block", BLOCKS)
def test_readme_example(block, tmp_path, monkeypatch):
    for name in ("configs", "data"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    for command, expected in block:
        assert command.startswith("pencilnet "), command
        shown = [line for line in expected if line.strip()]
        status = EXIT.fullmatch(shown[-1].strip()) if shown else None
        if status:
            expected = expected[:expected.index(shown[-1])]
        out = run(command, int(status.group(1)) if status else 0)
        assert matches(expected, out.splitlines()), f"$ {command}\n{out}"


def test_matching_allows_elided_lines_only_where_marked():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "b"], ["a", "b"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a", "...", "d"], ["a", "b", "c", "e"])
    assert matches(["a  ", ""], ["a", "", ""])


def test_long_numbers_match_within_their_tenth_digit_only():
    # finite differences on another CPU: 0.001590195993 against 0.001590195992 (6e-10 apart, relatively)
    row = " w2            0.001590195993     0.001590195993   < 1e-9   ok"
    assert matches([row], [row.replace("195993   ", "195992   ")])
    assert matches([row], [row.replace("   0.001590195993   ", "  0.0015901959931   ")])  # one digit wider
    assert not matches([row], [row.replace("195993   ", "195983   ")])  # the ninth digit
    assert not matches([row], [row.replace("ok", "no")])
    assert not matches(["E = 0.2111"], ["E = 0.2112"])  # short numbers: every digit
    assert not matches(["E = 0.2111"], ["E = 0.21110000001"])
    assert not matches(["a 0.2111  b"], ["a 0.2111 b"])  # spacing counts where no number differs


def anchors(text: str) -> set[str]:
    """The anchors GitHub makes of a page's headings: lower case, punctuation dropped, spaces as hyphens."""
    headings = [line.lstrip("#").strip() for line in FENCED.sub("", text).splitlines() if line.startswith("#")]
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_link_between_the_pages_leads_somewhere(page):
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", FENCED.sub("", text)):
        if re.match(r"[a-z]+:", target):
            continue  # another site
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name}: {target}: no such file"
        if anchor:
            assert anchor in anchors(linked.read_text(encoding="utf-8")), f"{page.name}: {target}: no such heading"
