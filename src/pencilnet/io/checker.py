"""The config checker: collects every problem of a config, each located by the line of its field
(or marked `(from --set)`), with what was found described as a person would write it."""

import re
from collections.abc import Sequence

import numpy as np
import yaml

from pencilnet.core.errors import Problem
from pencilnet.io.overrides import one_line
from pencilnet.io.yaml_text import LEADING_ZERO, CoreResolver, line_of, node_at


class Checker:
    """Collects problems, each located by the line of its field, or marked (from --set)."""

    def __init__(self, root, overridden: Sequence[str] = ()):
        self.root = root  # the YAML node tree, for line numbers
        self.overridden = overridden
        self.problems: list[Problem] = []
        self.explained: set[str] = set()  # fields whose missing value another problem explains (a data
        # file that was to give them could not), not reported missing as well

    def fail(self, path: str, expected: str, found=None, *, describe=True):
        if found is None and path in self.explained:
            return  # "found nothing" where a data file that was to fill it in could not be read: said already
        found_text = described(found) if describe else found
        line = line_of(self.root, path)
        if self._from_set(path):
            found_text, line = f"{found_text} (from --set)", None  # a value set on the command line has no line
        self.problems.append(Problem(one_line(path), expected, one_line(found_text), line))

    def _from_set(self, path: str) -> bool:
        """Whether --set gave the value at `path`, or made the field: `--set trainig.epochs=3` makes `trainig`."""
        for changed in self.overridden:
            if path == changed or path.startswith((changed + ".", changed + "[")):
                return True
            if changed.startswith((path + ".", path + "[")) and node_at(self.root, path) is None:
                return True
        return False


def described(value) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...") + yaml_1_1_hint(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        # A short list of plain values is shown whole too (which of [0.9, 1.5] is wrong shows); a
        # long or nested one by its length only.
        if 0 < len(value) <= 4 and all(isinstance(v, (bool, int, float)) or (isinstance(v, str) and len(v) <= 20)
                                       for v in value):
            return f"a list of {len(value)}: [" + ", ".join(described(v) for v in value) + "]"
        return f"a list of {len(value)}"
    if isinstance(value, np.ndarray):  # from a parameters file
        return f"an array of shape {value.shape}"
    return repr(value)


def yaml_1_1_hint(text: str) -> str:
    """Why a text that looks like a number is text: it is a number only in YAML 1.1."""
    if re.fullmatch(LEADING_ZERO, text):
        return (f" (a whole number with a leading zero: octal in YAML 1.1, decimal in YAML 1.2; "
                f"write {int(text)}, or {'-' if text.startswith('-') else ''}0o{text.lstrip('+-')[1:]} for octal)")
    if len(text) > 40 or yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False)) in (
            "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"):
        return ""
    if CoreResolver().resolve(yaml.ScalarNode, text, (True, False)) != "tag:yaml.org,2002:str":
        return ""  # a number (or true, false) in YAML 1.2 as well: it is text because it was quoted
    try:
        old = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError):
        return ""
    shown = str(old).lower() if isinstance(old, bool) else repr(old)
    return f" (text in YAML 1.2, which pencilnet reads; YAML 1.1 would read {shown})"

