"""The tool's own failures, each with the exit code the CLI turns it into.

Exit codes are the same for every subcommand and are documented in the README.
"""

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130


class PencilnetError(Exception):
    """Base class: the CLI prints the message on stderr, one line for each of `lines`, and exits
    with `exit_code`. A message is one line whatever text it quotes (a class name with a line
    break in it): several problems reported together are given as several `lines`."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, *lines: str):
        super().__init__("\n".join(lines))
        self.lines = lines


class InputError(PencilnetError):
    """Bad input: a config, a data file or an option the tool cannot use."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(InputError):
    """One or more problems in one config file, each located by field path (and line)."""

    SHOWN = 25  # one line each for this many problems; the rest are counted in one more line

    def __init__(self, source: str, problems: list["Problem"]):
        self.source = source
        self.problems = problems
        lines = [p.describe(source) for p in problems[: self.SHOWN]]
        if len(problems) > self.SHOWN:
            lines.append(f"{source}: … and {len(problems) - self.SHOWN} more problems of the same kinds")
        super().__init__(*lines)


class Problem:
    """One thing wrong with one field: where it is, what was expected, what was found."""

    def __init__(self, path: str, expected: str, found: str | None = None, line: int | None = None):
        self.path = path
        self.expected = expected
        self.found = found
        self.line = line

    def describe(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        field = self.path or "(top level)"
        found = f", found {self.found}" if self.found is not None else ""
        return f"{where}: {field}: expected {self.expected}{found}"


class CheckFailed(PencilnetError):
    exit_code = EXIT_CHECK_FAILED


class Diverged(PencilnetError):
    exit_code = EXIT_DIVERGED
