# ruff: noqa: E402 (bytecode is allowed before anything else is imported)
import os
import sys

# An environment that asks Python not to write bytecode (PYTHONDONTWRITEBYTECODE, as some shells and
# containers set) would make pytest rewrite the asserts of every test module, in every worker, on every
# run: about 3 s of CPU a worker, a sixth of the suite's start. The rewritten modules (and the package's
# own, which the commands the tests start then read) are kept in __pycache__ folders, ignored by git.
sys.dont_write_bytecode = False

import functools

import pytest
import typer.testing
from helpers import THOROUGH
from hypothesis import settings
from typer.testing import CliRunner

import pencilnet
from pencilnet.cli.app import app

# Typer builds the Click command anew from the functions' signatures on every in-process run (13 ms,
# about 850 times a suite): the tests build each app's once, as a process does. Click's commands keep no
# state between runs; each run still gets its own context, streams and environment from CliRunner.
typer.testing._get_command = functools.cache(typer.testing._get_command)


@pytest.fixture
def article():
    """The article's config, as bundled with the package."""
    return pencilnet.load()


@pytest.fixture
def cli(monkeypatch):
    """Run the CLI in-process: cli("forward", "--json", input=...) → a click Result."""
    monkeypatch.setenv("COLUMNS", "200")  # tables must not depend on the terminal running the tests
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(app, [str(a) for a in args], input=input)


# In CI, the same examples on every run: a property test must not pass or fail by luck there.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config):
    config.addinivalue_line("markers", "thorough: a slower variant of a kind of test that also runs in a quicker "
                                       "form; runs in CI (CI=true) or with PENCILNET_THOROUGH=1")


# The slowest single tests, run in CI only: each has a quicker sibling that runs locally on the same
# code path (named beside it). Measured on 2026-12-07, about 32 s of CPU of the local suite's 128.
CI_ONLY = {
    "tests/cli/test_processes.py::test_every_command_exits_0_when_it_succeeds_as_a_real_process":
        "the pipefail test and each command's own process tests",
    "tests/core/test_new_rows.py::test_every_stage_command_and_gradcheck_take_them":
        "the new rows' finite-difference and hand-calculation tests",
    "tests/core/test_new_rows.py::test_publish_writes_their_formulas[html]": "its [md] case",
    "tests/core/test_new_rows.py::test_publish_writes_their_formulas[tex]": "its [md] case",
    "tests/cli/test_hostile_use.py::test_step_checks_its_budget_too_for_every_step":
        "test_step_with_one_parameter_counts_the_rows_it_shows",
    "tests/cli/test_publish_notebook.py::test_executing_a_published_notebook_shows_the_engines_numbers":
        "test_the_notebooks_text_is_the_markdown_document and the docs notebook run in-process",
    "tests/cli/test_function_configs.py::test_the_path_on_the_contours": "test_publish_markdown_with_the_path_beside",
    "tests/checks/test_teaching.py::test_a_class_of_thirty_is_graded_end_to_end":
        "test_bad_class_files_get_one_line, which makes exercises and grades them",
    "tests/io/test_interop_guards.py::test_import_to_stdout_works_without_a_working_directory":
        "the other interop guards",
    "tests/io/test_interop_guards.py::test_a_name_of_ten_megabytes_is_refused_in_one_short_line_quickly":
        "the property test over the texts a model carries",
    "tests/cli/test_fuzz.py::test_an_output_cut_anywhere_is_whole_or_an_error":
        "test_an_output_cut_short_is_an_error_never_a_silent_exit_0",
    "tests/cli/test_processes.py::test_a_stop_signal_during_training_saves_the_last_whole_epoch[15-143-stopped by "
    "SIGTERM-False]": "its SIGINT case",
}


def pytest_collection_modifyitems(config, items):
    if THOROUGH:
        return
    for item in items:
        if item.nodeid in CI_ONLY:
            item.add_marker(pytest.mark.thorough)
    slower = [item for item in items if "thorough" in item.keywords]
    if slower:  # deselected, not skipped: a local run stays quick and its report short
        config.hook.pytest_deselected(items=slower)
        items[:] = [item for item in items if "thorough" not in item.keywords]


def pytest_terminal_summary(terminalreporter):
    if not THOROUGH:
        terminalreporter.write_line("The slower variants of some tests were left out (deselected); CI=true or "
                                    "PENCILNET_THOROUGH=1 runs every one, as CI does.")


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch):
    """The suite's outcome must not depend on the user's environment: colour switches and
    terminal sizes are cleared, so Rich decides from each test's own settings."""
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS", "LINES", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
