"""Which configs publish numbers: those with an `expected:` section, the ones `verify` checks (the
pre-commit hook passes only these on, so that a commit touching other YAML files is not refused)."""

import re

from pencilnet.core.errors import InputError
from pencilnet.io.files import read_text
from pencilnet.io.yaml_text import MAX_BYTES, read

# A file YAML cannot read is passed on when a line starts an `expected:` key, so that verify says
# what is wrong with it rather than the hook passing it over in silence.
_EXPECTED_KEY = re.compile(r"^(\{\s*)?['\"]?expected['\"]?\s*:", re.MULTILINE)


def has_expected(path: str) -> bool:
    """Whether the YAML file at `path` is a mapping with an `expected` key (bounded read: MAX_BYTES).
    A file that cannot be read at all is passed on too: verify names the problem."""
    try:
        text = read_text(path, "config", MAX_BYTES)
    except InputError:
        return True
    try:
        data = read(text, path)[0]
    except InputError:
        return _EXPECTED_KEY.search(text) is not None
    return isinstance(data, dict) and "expected" in data


def split_published(paths: list[str]) -> tuple[list[str], list[str]]:
    """The paths of configs with published numbers, and the others."""
    kept = [path for path in paths if has_expected(path)]
    return kept, [path for path in paths if path not in kept]
