"""`pencilnet publish --out worked.ipynb`: the worked example as a Jupyter notebook whose text is the
Markdown document's and whose code recomputes every stage; and docs/notebook.ipynb. The notebooks
are executed by a real kernel (nbclient, the test extra) and their outputs compared with the engine's
numbers and the article's."""

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, THOROUGH

import pencilnet

try:
    import ipykernel  # noqa: F401  (the kernel nbclient starts)
    import nbclient
    import nbformat
except ImportError:
    if THOROUGH:  # in CI the test extra is installed: a missing kernel fails rather than skips
        raise
    pytest.skip("the test extra's nbclient, nbformat and ipykernel are not installed", allow_module_level=True)

PENCILNET = str(Path(sys.executable).with_name("pencilnet"))


def publish(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([PENCILNET, "publish", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    """The kernel `python3` is this interpreter, whatever else a user's machine has installed: a
    kernelspec in a folder of JUPYTER_PATH, which comes before every other place Jupyter looks."""
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))


def execute(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=180,
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def outputs(notebook) -> list[dict]:
    """Each code cell's result, as the MIME bundle Jupyter shows (an error fails the execution)."""
    return [next((o["data"] for o in cell.outputs if o.output_type == "execute_result"), {})
            for cell in notebook.cells if cell.cell_type == "code"]


def test_the_notebooks_text_is_the_markdown_document(tmp_path, cli):
    for kind in ("md", "ipynb"):
        (tmp_path / kind).mkdir()
        assert cli("publish", "--out", tmp_path / kind / f"worked.{kind}").exit_code == 0
    text = (tmp_path / "md" / "worked.md").read_text()
    notebook = nbformat.read(tmp_path / "ipynb" / "worked.ipynb", as_version=4)
    nbformat.validate(notebook)
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    # every block of the document, in its order, the pictures beside it under the same names; one
    # cell more, before the last code cell, says what the walk is
    assert "\n\n".join(cells[:-1]) + "\n" + "<!-- written by pencilnet publish -->\n" == text
    pictures = sorted(p.name for p in (tmp_path / "ipynb").iterdir() if p.suffix == ".svg")
    assert pictures == sorted(p.name for p in (tmp_path / "md").iterdir() if p.suffix == ".svg") and len(pictures) == 3
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for call in ("pencilnet.load()", "pencilnet.forward(", "pencilnet.error(", "pencilnet.backprop(",
                 "pencilnet.step(", "pencilnet.verify(config)", "config.walk(1, arithmetic)"):
        assert call in code


def test_publish_replaces_its_own_notebook_and_no_other_file(tmp_path, cli):
    assert cli("publish", "--out", tmp_path / "worked.ipynb").exit_code == 0
    assert cli("publish", "--out", tmp_path / "worked.ipynb").exit_code == 0  # its own: replaced
    (tmp_path / "mine.ipynb").write_text('{"cells": []}')
    refused = publish("--out", "mine.ipynb", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.strip().splitlines() == [
        "pencilnet: error: mine.ipynb: already exists and is not a notebook written by `pencilnet publish`; "
        "--force replaces it"]
    assert (tmp_path / "mine.ipynb").read_text() == '{"cells": []}'


def test_a_notebook_needs_a_config_file_to_load(tmp_path):
    text = (ROOT / "src" / "pencilnet" / "configs" / "article.yaml").read_text()
    result = subprocess.run([PENCILNET, "publish", "-", "--out", "worked.ipynb"], input=text, capture_output=True,
                            text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2 and "found - (standard input)" in result.stderr
    assert not (tmp_path / "worked.ipynb").exists()


def test_executing_a_published_notebook_shows_the_engines_numbers(tmp_path, kernel):
    # A config in a folder of its own, options as a user gives them: the notebook's code loads it by a
    # path relative to the notebook, with the same --set and the same arithmetic.
    (tmp_path / "configs").mkdir()
    (tmp_path / "out").mkdir()
    shutil.copy(ROOT / "src" / "pencilnet" / "configs" / "article.yaml", tmp_path / "configs" / "a.yaml")
    sets = "training.learning_rate=0.25"
    result = publish("configs/a.yaml", "--set", sets, "--pencil", "4", "--out", "out/worked.ipynb", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    notebook = execute(tmp_path / "out" / "worked.ipynb")
    assert "pencilnet.load('../configs/a.yaml', ['training.learning_rate=0.25'])" in notebook.cells[1].source
    found = outputs(notebook)
    walk = pencilnet.load(str(tmp_path / "configs" / "a.yaml"), [sets]).walk(1, pencilnet.arithmetic_of(4))
    net, out = ast.literal_eval(found[1]["text/plain"])
    # pencil 4: each out rounded as by hand; the article's out_y1 0.5934 and out_h1 0.7020
    assert out["y1"] == 0.5934 and out["h1"] == 0.702 and net["h1"] == 0.857
    terms, total = ast.literal_eval(found[2]["text/plain"])
    assert total == float(walk.report.total)  # the engine's, to the last bit (a float's repr is exact)
    assert abs(total - 0.5 * ((0 - 0.5934) ** 2 + (1 - 0.7353) ** 2)) < 1e-12  # by hand, from the rounded outs
    gradients = ast.literal_eval(found[3]["text/plain"])
    weights = ast.literal_eval(found[4]["text/plain"])
    parameters = walk.model.parameters()
    for name, value in walk.new_model.parameters().items():
        assert weights[name] == float(value)
        assert weights[name] == pytest.approx(float(parameters[name]) - 0.25 * gradients[name], abs=1e-4)
    # verify: a report; the article's new weights are not those of half its learning rate
    assert "differ." in found[5]["text/html"] and "✗ differs" in found[5]["text/html"]
    assert "<math" in found[6]["text/html"] and "0.5934" in found[6]["text/html"]  # the walk, as the document


def test_the_example_notebooks_code_gives_the_articles_numbers():
    # The quick variant of the one below: its code cells run here, in this process, without a kernel.
    notebook = nbformat.read(ROOT / "docs" / "notebook.ipynb", as_version=4)
    nbformat.validate(notebook)
    names: dict = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            exec(compile(cell.source, "notebook.ipynb", "exec"), names)
    assert round(float(names["walk"].trace.output[0]), 4) == 0.5934  # the article's out_y1
    assert names["history"].epochs_run == 200
    assert names["history"].errors[0] == pytest.approx(float(names["walk"].report.total), rel=1e-12)
    assert names["report"].passed


@pytest.mark.thorough
def test_the_example_notebook_runs_and_shows_the_articles_numbers(tmp_path, kernel):
    shutil.copy(ROOT / "docs" / "notebook.ipynb", tmp_path / "notebook.ipynb")
    found = outputs(execute(tmp_path / "notebook.ipynb"))
    assert "2-2-2, 12 parameters" in found[0]["text/markdown"]
    assert "0.5934" in found[1]["text/html"] and "<svg" in found[1]["text/html"]  # the walk
    out = ast.literal_eval(found[2]["text/plain"])
    assert round(out["y1"], 4) == 0.5934 and round(out["y2"], 4) == 0.7353  # the article's
    total = float(found[3]["text/plain"])
    assert total == float(pencilnet.load().walk(1).report.total) and abs(total - 0.2111) < 5e-5
    gradients = ast.literal_eval(found[4]["text/plain"])
    assert round(gradients["w5"], 4) == 0.1005  # the article's ∂E/∂w5
    assert "<svg" in found[5]["text/html"] and "Epochs run: 200" in found[5]["text/html"]  # the history
    assert "all hold" in found[6]["text/html"]  # verify
