"""YAML text with its lines: read by YAML 1.2's core schema, bounded, with every field's line kept.

Plain values are read by YAML 1.2's core schema, in files and in `--set` alike: 1e-5 is a
number, 1:30 and yes are text, and a whole number with a leading zero (010: 8 in YAML 1.1, 10
in YAML 1.2) is refused rather than guessed at. The node tree is kept beside the data, so a
problem found later is reported at its line, and a config's keys path (`layers[1].weights[0]`)
leads to that line.

A character outside the Basic Multilingual Plane written as a JSON-style pair of escapes
("\\ud83c\\udf45", as other programs write 🍅) is read as the one character it stands for.
"""

import re

import yaml

from pencilnet.core.errors import InputError

MAX_BYTES = 16 * 2**20  # a config is text a person wrote; big data belongs in a CSV or .npz file
MAX_YAML_NODES = MAX_BYTES  # values and fields once aliases are expanded: no file without aliases has more
MAX_REREAD_BYTES = 2**20  # a broken file up to this size is read again for a more precise message
SURROGATES = re.compile("[\ud800-\udfff]")


class FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, libyaml's when PyYAML has it."""


class PlainLoader(yaml.SafeLoader):
    """YAML's safe loader in pure Python: slower, with more precise messages."""


LEADING_ZERO = r"[-+]?0[0-9]+"
# YAML 1.2's core schema for plain scalars. PyYAML follows YAML 1.1, where 1e-5 is text, 1:30 is
# 90 (base 60), 010 is 8 (octal), yes and on are true. A leading zero is the one form the two
# versions read as different numbers: it resolves to text, which every numeric field refuses.
CORE_SCHEMA = (
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("str", LEADING_ZERO, "-+0"),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
     "-+.0123456789"),
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("merge", r"<<", "<"),  # not YAML 1.2, but widely used with anchors, and never a number
)


class CoreResolver(yaml.resolver.BaseResolver):
    """What a plain scalar is by YAML 1.2's core schema."""


for _tag, _pattern, _first in CORE_SCHEMA:
    CoreResolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), list(_first))
for _loader in (FastLoader, PlainLoader):
    _loader.yaml_implicit_resolvers = CoreResolver.yaml_implicit_resolvers


class Dumper(yaml.SafeDumper):
    """YAML's safe dumper, quoting every text that YAML 1.1 or 1.2 would read as something else
    (1e5 unquoted is a number here, yes one elsewhere): a saved file reads back as it was."""

    core = CoreResolver()

    def resolve(self, kind, value, implicit):
        tag = super().resolve(kind, value, implicit)
        if tag == "tag:yaml.org,2002:str" and kind is yaml.ScalarNode and implicit[0]:
            return self.core.resolve(kind, value, implicit)
        return tag


def read(text: str, source: str) -> tuple[object, object, list[tuple[str, int, int]]]:
    """Safe-load the text: the data, the node tree (where line numbers are looked up when a
    problem is reported), and every field given twice in one mapping.

    libyaml's parser, where PyYAML has it, reads a config several times faster than the pure-Python
    one (a good part of a small command's start-up). A small broken file is read again by the
    pure-Python one, whose messages say more ("found character '\\t'" rather than "found character");
    a big one is not: the pure-Python parser takes seconds a megabyte."""
    try:
        node, data = _either(text, source, lines=True)
    except RecursionError:
        raise InputError(f"{source}: expected a config, found YAML nested too deeply to read") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}: invalid YAML: {problem}") from None
    return data, node, _duplicates(node)


def value_of(text: str, source: str):
    """One YAML value read as a file's values are (a `--set` value); raises yaml.YAMLError."""
    return _either(text, source, lines=False)[1]


def _either(text: str, source: str, lines: bool):
    """libyaml's reading, or, when it fails on a small text, the pure-Python parser's: it also reads
    escapes libyaml refuses (a surrogate pair, "\\ud83c\\udf45") and says more of what is wrong."""
    try:
        return _load(text, FastLoader, source, lines)
    except yaml.YAMLError:
        if len(text) > MAX_REREAD_BYTES:
            raise
        return _load(text, PlainLoader, source, lines)


def _load(text: str, loader_class, source: str, lines: bool):
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_expansion(node, source)  # before a single value is built from the node tree
        if "\\u" in text or "\\U" in text:  # only an escape makes a surrogate
            _join_surrogates(node, source if lines else "")
        try:
            return node, loader.construct_document(node)
        except ValueError as exc:  # int("9" * 5000), or a date such as 2001-13-45
            where = _long_integer_line(node)
            if where:
                where, found = (where if lines else ""), "an integer of more than 4,300 digits"
            else:
                found = f"a value YAML cannot read ({str(exc).splitlines()[0][:60]})"
            raise InputError(f"{source}{where}: expected numbers and texts Python can read, found {found}") from None
    finally:
        loader.dispose()


def _join_surrogates(root, source: str) -> None:
    """Each pair of surrogate escapes ("\\ud83c\\udf45", as JSON writes a character outside the
    Basic Multilingual Plane) made the one character it stands for, in place on the node tree. A lone
    one stands for no character, and no terminal or file could take it: it is refused."""
    for node in _nodes(root):
        if isinstance(node, yaml.ScalarNode) and SURROGATES.search(node.value):
            try:
                node.value = node.value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
            except UnicodeDecodeError:
                lone = SURROGATES.search(node.value).group()  # type: ignore[union-attr]
                where = f"{source}:{node.start_mark.line + 1}: " if source else ""
                raise InputError(f"{where}expected text, found a lone surrogate escape "
                                 f"\\u{ord(lone):04x} (half of a pair such as \\ud83c\\udf45, which "
                                 "writes one character)") from None


def _check_expansion(root, source: str) -> None:
    """Refuse a document whose aliases expand it past MAX_YAML_NODES: an 800 KB file whose samples
    all name one anchored list of 100,000 numbers is 300 million numbers once expanded.

    Counted on the node tree, where an alias is the very node it names, each node once:
    (1 + its children's expanded counts); a node that contains itself never ends."""
    expanded: dict[int, int] = {}
    open_nodes: set[int] = set()  # on the path from the root to the node at hand
    todo = [(root, False)]
    while todo:
        node, leaving = todo.pop()
        key = id(node)
        children = _children(node)
        if leaving:
            open_nodes.discard(key)
            expanded[key] = 1 + sum(expanded[id(child)] for child in children)
            if expanded[key] > MAX_YAML_NODES:
                break
            continue
        if key in expanded:
            continue
        if key in open_nodes:
            raise InputError(f"{source}:{node.start_mark.line + 1}: expected a config, found an alias that "
                             "contains itself (it never ends once expanded)")
        open_nodes.add(key)
        todo.append((node, True))
        todo.extend((child, False) for child in children if id(child) not in expanded)
    total = expanded.get(id(node), 0)
    if total > MAX_YAML_NODES:
        raise InputError(f"{source}: expected a config of at most {MAX_YAML_NODES:,} values and fields once its "
                         f"aliases are expanded, found more than {total:,} (aliases are not expanded "
                         "past that)")


def _nodes(root):
    """Every node of the tree once (an alias's node is shared), in the order the file writes them."""
    todo, seen = [root], set()
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        todo.extend(reversed(_children(node)))


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _long_integer_line(root) -> str:
    """":LINE" of the first integer too long for Python to read, found on the node tree."""
    for node in _nodes(root):
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int") and len(node.value) > 4000:
            return f":{node.start_mark.line + 1}"
    return ""


def _duplicates(root) -> list[tuple[str, int, int]]:
    """Every field given twice in one mapping: (field, its first line, the line it is repeated on)."""
    found = []
    seen: set[int] = set()  # an alias points back at a node already walked: never walk it twice
    todo = [("", root)] if root is not None else []
    while todo:
        path, node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_lines: dict[str, int] = {}
            for key, value in node.value:
                name = str(key.value)
                field = f"{path}.{name}" if path else name
                if name in first_lines:
                    found.append((field, first_lines[name], key.start_mark.line + 1))
                first_lines.setdefault(name, key.start_mark.line + 1)
                todo.append((field, value))
        elif isinstance(node, yaml.SequenceNode):  # scalars hold no mappings: a matrix costs one pass
            todo.extend((f"{path}[{i}]", value) for i, value in enumerate(node.value)
                        if not isinstance(value, yaml.ScalarNode))
    return found


def keys_of(path: str) -> list[str | int] | None:
    """`layers[0].weights[1]` → ["layers", 0, "weights", 1]; None if it is not such a path."""
    keys: list[str | int] = []
    for part in path.strip().split("."):
        match = re.fullmatch(r"([^\[\]=]+)((?:\[\d+\])*)", part.strip())
        if not match or not match.group(1).isprintable():
            return None
        keys.append(match.group(1))
        keys += [int(i) for i in re.findall(r"\[(\d+)\]", match.group(2))]
    return keys


def node_at(root, path: str):
    """The YAML node of the field at `path`, or None when the file does not have it."""
    node = root
    for key in keys_of(path) or [] if path else []:
        if isinstance(key, str) and isinstance(node, yaml.MappingNode):
            matches = [value for name, value in node.value if str(name.value) == key]
            if not matches:
                return None
            node = matches[-1]  # with a key given twice, YAML keeps the last
        elif isinstance(key, int) and isinstance(node, yaml.SequenceNode) and key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node


def line_of(root, path: str) -> int | None:
    """The line of the field at `path`, or of the nearest enclosing one that the file has.
    Looked up only when a problem is reported, so a big weight matrix costs nothing."""
    keys = (keys_of(path) or []) if path else []
    for count in range(len(keys), -1, -1):
        node = node_at(root, path_text(keys[:count]))
        if node is not None:
            return node.start_mark.line + 1
    return None


def key_line(root, path: str) -> int | None:
    """The line where the field at `path` is written: its key's line (an alias's value has the line of
    its anchor, not of the place that uses it), or `line_of`'s where the file has no such key."""
    keys = keys_of(path) if path else None
    if keys and isinstance(keys[-1], str):
        parent = node_at(root, path_text(keys[:-1]))
        if isinstance(parent, yaml.MappingNode):
            found = [name for name, _ in parent.value if str(name.value) == keys[-1]]
            if found:
                return found[-1].start_mark.line + 1
    return line_of(root, path)


def path_text(keys: list) -> str:
    """["layers", 0, "weights"] → `layers[0].weights`, as messages write a field's place."""
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text
