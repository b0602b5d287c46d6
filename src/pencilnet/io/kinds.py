"""The kinds of value a config field holds, and the tables that group fields into sections.

Each kind says what it expects (for messages and the config reference) and reads a YAML value:
the value as the engine wants it, or INVALID after reporting the problem to `check` (the
config's checker: `check.fail(path, expected, found)`). Nothing here knows pencilnet's fields:
`schema.py` holds the tables made of these kinds.
"""

import math

INVALID = type("Invalid", (), {"__repr__": lambda self: "INVALID"})()  # a field whose problem is reported
REQUIRED = type("Required", (), {"__repr__": lambda self: "REQUIRED"})()  # a field without a default


def valid(*values) -> bool:
    """Whether none of `values` is a field whose problem was reported."""
    return all(value is not INVALID for value in values)


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_finite(value) -> bool:
    """A finite int or float; an int too large for a float (2**1100) is not."""
    try:
        return is_number(value) and math.isfinite(value)
    except OverflowError:
        return False


def near_miss(word: str, choices) -> str:
    """" (did you mean 'x'?)" for a near miss among `choices`, or nothing."""
    import difflib  # only when something is wrong: a config that reads cleanly never needs it

    hint = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


class Record:
    """Its `fields` set from the arguments, in order or by name; the others keep the class's value.
    (Not dataclasses: making a score of them would cost more start-up than checking a config.)"""

    fields: tuple = ()

    def __init__(self, *args, **kwargs):
        for name, value in [*zip(self.fields, args, strict=False), *kwargs.items()]:
            if name not in self.fields:
                raise TypeError(f"{type(self).__name__} has no field {name!r}")
            setattr(self, name, value)


class Kind(Record):
    expected = "a value"

    def read(self, value, path: str, check):
        raise NotImplementedError


class Text(Kind):
    fields = ("expected",)
    expected = "a text"

    def read(self, value, path, check):
        if isinstance(value, str):
            return value
        check.fail(path, self.expected, value)
        return INVALID


class Whole(Kind):
    """Whole numbers here are counts and seeds: never negative, and bounded to what fits in memory."""

    fields = ("least", "most")
    least = 0
    most = 2**63 - 1

    @property
    def expected(self):
        low = "a positive" if self.least == 1 else "a non-negative"
        return f"{low} whole number" + (f" of at most {self.most:,}" if self.most < 2**63 - 1 else "")

    def read(self, value, path, check):
        if isinstance(value, int) and not isinstance(value, bool) and self.least <= value <= self.most:
            return value
        # The widest bound, the one a machine word holds, is said where a value passes it.
        too_big = isinstance(value, int) and not isinstance(value, bool) and value > self.most == 2**63 - 1
        check.fail(path, self.expected + (" of at most 2**63 - 1" if too_big else ""), value)
        return INVALID


class Number(Kind):
    fields = ("positive", "most")
    positive = False
    most = None

    @property
    def expected(self):
        if self.most is not None:
            return f"a positive number of at most {self.most:,.0f}"
        return "a positive finite number" if self.positive else "a finite number"

    def read(self, value, path, check):
        if is_finite(value) and not (self.positive and value <= 0) and not (self.most and value > self.most):
            return float(value)
        check.fail(path, self.expected, value)
        return INVALID


class Fraction(Kind):
    expected = "a fraction between 0 and 1"

    def read(self, value, path, check):
        if is_finite(value) and 0 < value < 1:
            return float(value)
        check.fail(path, self.expected, value)
        return INVALID


class NonNegative(Kind):
    expected = "a finite number of at least 0"

    def read(self, value, path, check):
        if is_finite(value) and value >= 0:
            return float(value)
        check.fail(path, self.expected, value)
        return INVALID


class Unit(Kind):
    """A number from 0 to 1, 1 itself allowed or not: momentum, dampening, alpha, a beta."""

    fields = ("below_one",)
    below_one = False

    @property
    def expected(self):
        return "a number from 0 up to 1 (not 1)" if self.below_one else "a number from 0 to 1"

    def read(self, value, path, check):
        if is_finite(value) and 0 <= value <= 1 and not (self.below_one and value == 1):
            return float(value)
        check.fail(path, self.expected, value)
        return INVALID


class Betas(Kind):
    expected = "two numbers from 0 up to 1 (not 1), such as [0.9, 0.999]"

    def read(self, value, path, check):
        if isinstance(value, list) and len(value) == 2 and all(is_finite(b) and 0 <= b < 1 for b in value):
            return (float(value[0]), float(value[1]))
        check.fail(path, self.expected, value)
        return INVALID


class Flag(Kind):
    expected = "true or false"

    def read(self, value, path, check):
        if isinstance(value, bool):
            return value
        check.fail(path, self.expected, value)
        return INVALID


class Choice(Kind):
    fields = ("options",)
    options: tuple[str, ...]

    @property
    def expected(self):
        return f"one of {', '.join(self.options)}"

    def read(self, value, path, check):
        if isinstance(value, str) and value in self.options:
            return value
        suggestion = near_miss(value, self.options) if isinstance(value, str) else ""
        check.fail(path, self.expected + suggestion, value)
        return INVALID



class ActivationChoice(Choice):
    """An activation's name, or a mapping with its name and settings ({name: leaky_relu, slope: 0.2});
    read as the name the engine takes (`core.activations.activation_of`): "leaky_relu(slope=0.2)"."""

    @property
    def expected(self):
        return f"one of {', '.join(self.options)}, or a mapping such as {{name: leaky_relu, slope: 0.2}}"

    def read(self, value, path, check):
        from pencilnet.core.activations import ACTIVATIONS, activation_of, written_name

        if isinstance(value, str) and "(" in value:  # as the engine and a saved model's metadata write it
            try:
                return activation_of(value).name
            except ValueError as exc:
                check.fail(path, str(exc), value)
                return INVALID
        if not isinstance(value, dict):
            return super().read(value, path, check)
        name = super().read(value.get("name"), f"{path}.name", check)
        if name is INVALID:
            return INVALID
        row, settings = ACTIVATIONS[name], {}
        for key, setting in value.items():
            if key == "name":
                continue
            wrong = (row.check(key, setting) if key in row.settings else
                     f"only the settings {name} has: {', '.join(row.settings)}" if row.settings else
                     f"no settings: {name} has none")
            if wrong:
                check.fail(f"{path}.{key}", wrong, setting)
                return INVALID
            settings[key] = setting
        return written_name(name, settings)


class Vector(Kind):
    """A list of finite numbers → a float64 array; its length is the second pass's to check."""

    fields = ("what", "number_alone")
    what = "numbers"
    number_alone = False  # a lone number stands for a list of one (a shared bias)

    @property
    def expected(self):
        return f"a list of {self.what}" + (", or one number" if self.number_alone else "")

    def read(self, value, path, check):
        import numpy as np

        if isinstance(value, np.ndarray):  # from a parameters file: its numbers are checked already
            if value.ndim == 1:
                return value
            check.fail(path, self.expected, f"an array of shape {value.shape}", describe=False)
            return INVALID
        if self.number_alone and is_number(value):
            value = [value]
        if not isinstance(value, list):
            check.fail(path, self.expected, value)
            return INVALID
        ok = True
        for i, item in enumerate(value):
            if not is_finite(item):
                check.fail(f"{path}[{i}]", "a finite number", item)
                ok = False
        return np.array(value, dtype=np.float64) if ok else INVALID


class Matrix(Kind):
    """Rows of finite numbers → a 2-D float64 array, or a list of rows when they differ in length
    (the second pass says which row is wrong)."""

    expected = "a list of rows of numbers, one row per source node"

    def read(self, value, path, check):
        import numpy as np

        if isinstance(value, np.ndarray):  # from a parameters file: its numbers are checked already
            if value.ndim == 2:
                return value
            check.fail(path, self.expected, f"an array of shape {value.shape}", describe=False)
            return INVALID
        if not isinstance(value, list):
            check.fail(path, self.expected, value)
            return INVALID
        rows = [Vector().read(row, f"{path}[{i}]", check) for i, row in enumerate(value)]
        if any(row is INVALID for row in rows):
            return INVALID
        if rows and all(len(row) == len(rows[0]) for row in rows):
            return np.array(rows, dtype=np.float64).reshape(len(rows), len(rows[0]))
        return rows


class Names(Kind):
    fields = ("expected",)
    expected = "a list of distinct class names, one per output node"

    def read(self, value, path, check):
        if (isinstance(value, list) and all(isinstance(c, str) and c for c in value)
                and len(set(value)) == len(value)):
            return list(value)
        check.fail(path, self.expected, value)
        return INVALID


class Section(Kind):
    """A mapping of the fields of `table` → a dict of every field's value, defaults filled in."""

    fields = ("table", "expected")
    table: tuple["Field", ...]
    expected = "a mapping of fields"

    def read(self, value, path, check):
        if not isinstance(value, dict):
            check.fail(path, self.expected, value)
            return INVALID
        known = [field.name for field in self.table]
        for key in value:
            if key not in known:
                where = f"{path}.{key}" if path else str(key)
                check.fail(where, f"one of the fields {', '.join(known)}{near_miss(str(key), known)}",
                           "an unknown field", describe=False)
        return {field.name: field.read(value, path, check) for field in self.table}

    def field(self, name: str) -> "Field":
        return next(field for field in self.table if field.name == name)


class Listing(Kind):
    """A non-empty list of sections."""

    fields = ("section", "expected")
    section: Section
    expected = "a list"

    def read(self, value, path, check):
        if not isinstance(value, list) or not value:
            check.fail(path, self.expected, value)
            return INVALID
        return [self.section.read(item, f"{path}[{i}]", check) for i, item in enumerate(value)]


class Either(Kind):
    """A short form or a section: `init: he` or `init: {scheme: uniform, range: 0.3}`; the
    short form stands for the section with only its field `short` given."""

    fields = ("section", "short")
    section: Section
    short: str

    @property
    def expected(self):
        return f"{self.section.field(self.short).kind.expected}, or a mapping of fields"

    def read(self, value, path, check):
        if isinstance(value, dict):
            return self.section.read(value, path, check)
        field = self.section.field(self.short)
        values = {f.name: f.read({}, path, check) for f in self.section.table if f is not field}
        return {**values, field.name: field.kind.read(value, path, check)}


class Entries(Kind):
    """A non-empty mapping of names (checked by the second pass) to one `kind` each."""

    fields = ("kind", "expected")
    kind: Kind
    expected = "a mapping"

    def read(self, value, path, check):
        if not isinstance(value, dict) or not value:
            check.fail(path, self.expected, value)
            return INVALID
        return {name: self.kind.read(item, f"{path}.{name}", check) for name, item in value.items()}


class Field(Record):
    """One row of a table: a field's name, kind, default and a line of help."""

    fields = ("name", "kind", "default", "help", "shown_default")
    name: str
    kind: Kind
    default = None  # REQUIRED, None (absent: no value), or a YAML value, read as a given one is
    help = ""
    shown_default = None  # the README's words for a default that depends on other fields

    def read(self, mapping: dict, section_path: str, check):
        value = mapping.get(self.name)
        if value is None:
            if self.default is None:
                return None  # an optional field left out, or given as null
            if self.name not in mapping and self.default is not REQUIRED:
                value = self.default
        path = f"{section_path}.{self.name}" if section_path else self.name
        return self.kind.read(value, path, check)  # None still: a required field is missing, and says so


def section(*fields: Field) -> Section:
    """A table of fields, in the order a config reference lists them."""
    return Section(fields)

