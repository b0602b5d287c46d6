import os

import pytest
from helpers import THOROUGH
from hypothesis import settings
from typer.testing import CliRunner

import pencilnet
from pencilnet.cli.app import app


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


def pytest_collection_modifyitems(config, items):
    if THOROUGH:
        return
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
