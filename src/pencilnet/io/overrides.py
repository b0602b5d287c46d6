"""`--set PATH=VALUE`: a change to a config's YAML data, made before any field is checked.

PATH is dotted with list indexes, `training.learning_rate` or `layers[0].weights[1][0]`; VALUE is
read as YAML, as a file's values are, so `1e-3` is a number, `[1, 2]` a list and `tanh` a text.
"""

import yaml

from pencilnet.core.errors import InputError
from pencilnet.io.yaml_text import keys_of, path_text, value_of


def apply_override(data, item: str) -> str:
    """Apply one `--set PATH=VALUE` to the YAML data in place; return the path, as messages write it."""
    path, equals, text = item.partition("=")
    keys = keys_of(path)
    item = shortened(item)  # messages quote it: one line, of a readable length
    if not equals or not keys:
        raise InputError(f"--set {one_line(item)}: expected PATH=VALUE, for example training.learning_rate=0.1")
    try:
        value = value_of(text, f"--set {item}")
    except (yaml.YAMLError, RecursionError):
        raise InputError(f"--set {one_line(item)}: expected a YAML value after '=', "
                         f"found {shortened(text)!r}") from None
    if not isinstance(data, dict):
        raise InputError(f"--set {one_line(item)}: the config is not a mapping of fields")
    node = data
    for index, key in enumerate(keys[:-1]):
        following = keys[index + 1]
        if isinstance(key, str) and isinstance(node, dict):
            node = node.setdefault(key, [] if isinstance(following, int) else {})
        elif isinstance(key, int) and isinstance(node, list) and key < len(node):
            node = node[key]
        else:
            raise InputError(f"--set {one_line(item)}: {path_text(keys[:index + 1])} is not in the config")
    last = keys[-1]
    if isinstance(last, str) and isinstance(node, dict):
        node[last] = value
    elif isinstance(last, int) and isinstance(node, list) and last < len(node):
        node[last] = value
    else:
        raise InputError(f"--set {one_line(item)}: {path_text(keys)} is not in the config")
    return path_text(keys)


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped: a message stays one line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def shortened(text: str, most: int = 60) -> str:
    text = one_line(text)
    return text if len(text) <= most else text[: most - 1] + "…"
