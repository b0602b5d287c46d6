"""The layers of the package import one way only: cli → views → io → checks → training → core.

A module may import its own layer and the layers below it, never one above: the engine cannot
come to depend on how its numbers are shown or read. Imports inside functions count too.
import-linter holds the same layers and two more contracts (see the end of this file)."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

PACKAGE = ROOT / "src" / "pencilnet"
LAYERS = ["core", "training", "checks", "io", "views", "cli"]  # each may import those before it


def imported(path) -> list[str]:
    """Every pencilnet module `path` imports, as a dotted name ("pencilnet.core.model")."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import; write pencilnet.<layer>.<module>"
            base = node.module or ""
            found += [f"{base}.{alias.name}" if base == "pencilnet" else base for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    # The version is a constant of the package, the one name any layer may take from its top.
    return [name for name in found if (name == "pencilnet" or name.startswith("pencilnet."))
            and name != "pencilnet.__version__"]


def layer_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_imports_only_the_layers_below_it(layer):
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    modules = sorted((PACKAGE / layer).rglob("*.py"))  # packages inside a layer (views/publish) too
    assert modules, f"no modules in {layer}"
    wrong = [f"{path.relative_to(PACKAGE)} imports {name}" for path in modules for name in imported(path)
             if layer_of(name) not in allowed]
    assert not wrong, "\n".join(wrong)


def test_every_module_lives_in_a_layer():
    loose = {path.name for path in PACKAGE.glob("*.py")} - {"__init__.py", "__main__.py"}
    assert not loose, loose


# The same rules, and more, as import-linter contracts (pyproject.toml, [tool.importlinter]):
# the layers; core importing none of rich, yaml, typer or numba; the training runs independent.
RUNS = ["numpy_run", "compiled_run", "stages_run"]  # peers behind loop.Run; loop.choose_run picks one


def lint_imports(*contracts: str, cwd=ROOT, env=None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("lint-imports")
    if not script.exists():
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    options = [part for contract in contracts for part in ("--contract", contract)]
    return subprocess.run([str(script), "--no-logo", "--no-cache", *options], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_import_contracts_hold():
    present = [run for run in RUNS if (PACKAGE / "training" / f"{run}.py").exists()]
    assert not present or present == RUNS, f"only some of the training runs exist: {present}"
    # Until the runs are modules of their own, their contract has nothing to hold.
    result = lint_imports(*([] if present else ["layers", "core"]))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_contracts_catch_a_forbidden_import(tmp_path):
    # A copy of the package whose core imports rich: the core contract must break.
    shutil.copytree(PACKAGE, tmp_path / "src" / "pencilnet", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    model = tmp_path / "src" / "pencilnet" / "core" / "model.py"
    model.write_text("import rich  # noqa\n" + model.read_text(encoding="utf-8"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    result = lint_imports("core", cwd=tmp_path, env=env)
    assert result.returncode == 1 and "pencilnet.core.model -> rich" in result.stdout, result.stdout + result.stderr



@pytest.mark.parametrize("run", RUNS)
def test_the_training_runs_are_independent_of_each_other(run):
    names = imported(PACKAGE / "training" / f"{run}.py")
    others = [f"pencilnet.training.{other}" for other in RUNS if other != run] + ["pencilnet.training.loop"]
    assert not [name for name in names if name in others], names


@pytest.mark.parametrize("layer", ["core", "training"])
def test_no_import_circle_in_the_engine(layer):
    graph = {}
    for path in (PACKAGE / layer).rglob("*.py"):
        module = ".".join(("pencilnet",) + path.relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        graph[module] = {name for name in imported(path) if name != module}
    state: dict = {}

    def visit(module, trail):
        if state.get(module) == "done" or module not in graph:
            return
        assert state.get(module) != "open", " → ".join(trail + [module])
        state[module] = "open"
        for name in sorted(graph[module]):
            if not name.startswith(module + "."):  # a package importing its own modules is not a circle
                visit(name, trail + [module])
        state[module] = "done"

    for module in sorted(graph):
        visit(module, [])
