"""The pre-commit hook and the GitHub Action in the repository root (issue 25 item 2)."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import junitparser
import pytest
import yaml
from helpers import ROOT

ARTICLE = (ROOT / "configs" / "article.yaml").read_text(encoding="utf-8")
# ∂E/∂w5 is 0.1005 by hand (0.5934 × 0.2413 × 0.7020); 0.4166 leaves ∂out/∂net out and differs.
WRONG = ARTICLE.replace('dE/dw5: "0.1005"', 'dE/dw5: "0.4166"')
NOT_A_CONFIG = "name: build\non: [push]\n"  # a workflow, say: any other YAML file in the repository
BIN = Path(sys.executable).parent


def sample_repository(path: Path, wrong: bool) -> Path:
    path.mkdir()
    (path / "worked.yaml").write_text(WRONG if wrong else ARTICLE)
    (path / "workflow.yaml").write_text(NOT_A_CONFIG)
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def hook(*args, cwd):
    return subprocess.run([sys.executable, "-m", "pencilnet.cli.hook", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_the_hook_verifies_the_configs_that_publish_numbers_and_passes_over_the_rest(tmp_path):
    assert WRONG != ARTICLE
    repo = sample_repository(tmp_path / "repo", wrong=True)
    result = hook("--format", "github", "worked.yaml", "workflow.yaml", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert f"::error file=worked.yaml,line={line_of(WRONG, 'dE/dw5:')},title=dE/dw5 differs::" in result.stdout
    assert "1 YAML file(s) without an expected: section passed over" in result.stderr
    (repo / "worked.yaml").write_text(ARTICLE)
    assert hook("worked.yaml", "workflow.yaml", cwd=repo).returncode == 0
    only_others = hook("workflow.yaml", cwd=repo)  # nothing to verify: the commit goes through
    assert only_others.returncode == 0 and only_others.stdout == ""


def test_a_config_yaml_cannot_read_is_verified_not_passed_over(tmp_path):
    (tmp_path / "broken.yaml").write_text("expected:\n  values: [\n")
    result = hook("broken.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "broken.yaml" in result.stderr


def test_the_hook_definition_runs_that_entry_point():
    [definition] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert definition["id"] == "pencilnet-verify" and definition["language"] == "python"
    assert definition["entry"] == "python -m pencilnet.cli.hook"
    assert re.search(definition["files"], "configs/article.yaml") and re.search(definition["files"], "a.yml")
    assert not re.search(definition["files"], "README.md")


@pytest.mark.thorough
def test_pre_commit_try_repo_runs_the_hook_on_a_sample_repository(tmp_path):
    """pre-commit installs this repository (its working tree, uncommitted changes too) into a virtualenv
    of its own, from the package index: slow, so CI runs it."""
    pre_commit = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
    assert pre_commit, "pre-commit is in the test extra"
    repo = sample_repository(tmp_path / "repo", wrong=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for command in (["git", "init", "-q"], ["git", "add", "."]):
        subprocess.run(command, cwd=repo, check=True, env=env)

    def try_repo():
        return subprocess.run([pre_commit, "try-repo", str(ROOT), "pencilnet-verify", "--all-files"], cwd=repo,
                              capture_output=True, text=True, env=env, timeout=1200)

    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "pencilnet verify" in failed.stdout and "Failed" in failed.stdout
    assert "worked.yaml: 1 published number(s) differ: dE/dw5" in failed.stdout or "dE/dw5" in failed.stdout
    (repo / "worked.yaml").write_text(ARTICLE)
    subprocess.run(["git", "add", "."], cwd=repo, check=True, env=env)
    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def action_steps(inputs: dict[str, str]):
    """action.yml's steps with `${{ … }}` replaced as GitHub would: the given inputs over the defaults."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    values = {f"inputs.{name}": spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update({f"inputs.{name}": value for name, value in inputs.items()})
    values["github.action_path"] = str(ROOT)

    def substitute(text: str) -> str:
        return re.sub(r"\$\{\{\s*([\w.]+)\s*\}\}", lambda found: values[found.group(1)], text)

    for step in action["runs"]["steps"]:
        yield {key: (substitute(value) if isinstance(value, str) else
                     {k: substitute(str(v)) for k, v in value.items()} if isinstance(value, dict) else value)
               for key, value in step.items()}


@pytest.mark.parametrize("wrong", [True, False])
def test_the_action_steps_run_as_a_script(tmp_path, wrong):
    work = sample_repository(tmp_path / "work", wrong)
    shutil.move(work / "worked.yaml", work / "configs.yaml")
    (work / "configs").mkdir()
    shutil.move(work / "configs.yaml", work / "configs" / "worked.yaml")
    steps = list(action_steps({"junit": "reports/verify.xml"}))
    (work / "reports").mkdir()
    install, verify, upload = steps
    # Installing is `pip install` of the action's own directory; here the interpreter running the tests
    # already has pencilnet, whose script is put first on PATH instead.
    assert install["run"] == 'python -m pip install --quiet "$ACTION_PATH"'
    assert install["env"]["ACTION_PATH"] == str(ROOT)
    env = {**os.environ, **verify["env"], "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([verify["shell"], "-e", "-c", verify["run"]], cwd=work, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == (1 if wrong else 0), result.stderr
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    if wrong:
        line = line_of(WRONG, "dE/dw5:")
        assert annotations == [a for a in annotations if a.startswith(f"::error file=configs/worked.yaml,line={line},")]
        assert len(annotations) == 1
    else:
        assert annotations == []
    [suite] = junitparser.JUnitXml.fromfile(str(work / "reports" / "verify.xml"))
    assert suite.failures == (1 if wrong else 0)
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"]["path"] == "reports/verify.xml" and upload["if"] == "${{ !cancelled() }}"
