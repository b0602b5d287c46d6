"""Published numbers as a contract: compute each expected quantity and judge it.

A published value matches when the computed value, rounded half up to the published
number of decimals, gives the published digits (or lies within the entry's own
tolerance). It is computed twice: with the arithmetic the publication used (exact, or
pencil N) and exactly. Verdicts:
  match     the digits are reproduced, with exact arithmetic too;
  rounding  reproduced only with the publication's rounded (pencil) arithmetic, in its default
            order of rounding or in another correct one (see `core.arithmetic.PATHS`), named in the note;
  erratum   a declared mistake of the publication: shown, and not a failure;
  differs   anything else: the check fails.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from itertools import combinations

from pencilnet.checks import quantities
from pencilnet.checks.diagnosis import Diagnostician, describe
from pencilnet.checks.published import INHERIT, Expected, Ulps
from pencilnet.core.arithmetic import EXACT, PATHS, Pencil, arithmetic_of, half_up

PASSING = ("match", "rounding", "erratum")
@dataclass(frozen=True, eq=False)
class Verdict:
    name: str
    published: str
    arithmetic: str  # what the publication computed with: "exact" or "pencil 4"
    computed: float  # with that arithmetic
    exact: float
    difference: float  # computed − published
    verdict: str
    note: str
    # Of a number that differs: the mistakes that give it, each described (empty: no known mistake
    # does), and the earlier differing number it is right from when that one is carried forward.
    diagnosis: tuple[str, ...] = ()
    follows: str | None = None
    quantity: str = ""  # pencilnet's name for it (`name` is the publication's label, where it has one)
    line: int | None = None  # where the config writes it

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING


def _decimals(published: str) -> int:
    return len(published.split(".")[1]) if "." in published else 0


def reproduces(value: float, entry: Expected) -> bool:
    published = Decimal(entry.published)
    if isinstance(entry.tolerance, Ulps):  # as many floats apart as that, counted from the published one
        return abs(value - float(published)) <= entry.tolerance.count * math.ulp(float(published))
    if entry.tolerance is not None:
        # The float's shortest decimal form: every digit it carries counts (a tolerance may be finer
        # than any fixed number of digits), and none it does not (its binary expansion's tail).
        return abs(Decimal(repr(value)) - published) <= entry.tolerance
    # A float's shortest form has at most 341 decimals (17 digits, down to 1e-324): rounding it to
    # more changes nothing, and 800 published decimals would outgrow half_up's precision.
    return half_up(value, min(_decimals(entry.published), 341)) == published


def _arithmetic(spec):
    """The arithmetic an expectation names: decimals (None for exact) or an arithmetic itself."""
    return arithmetic_of(spec) if spec is None or isinstance(spec, int) else spec


def rounding_paths(arithmetic) -> list:
    """Every other legitimate order of hand rounding of `arithmetic`, the fewest changes first."""
    if not isinstance(arithmetic, Pencil):
        return []
    names = list(PATHS)
    return [arithmetic.along(chosen) for size in range(1, len(names) + 1)
            for chosen in combinations(names, size)]


def published(config):
    """The config's `expected` section, or InputError naming the file when it has none: verifying
    nothing is a mistake in a command, not a success."""
    if config.expected is None:
        from pencilnet.core.errors import InputError

        raise InputError(f"{config.source}: expected: expected a section of published values to verify, "
                         "found none (pencilnet expect writes one)")
    return config.expected


def verify(config) -> list[Verdict]:
    """A verdict for each entry of `config.expected` (a `pencilnet.io.config.Config`), in its order."""
    expectations = config.expected
    if expectations is None:
        return []
    computed: dict = {}

    def value(name: str, arithmetic) -> float:
        if arithmetic not in computed:
            computed[arithmetic] = quantities.one_step(config, arithmetic, expectations.sample)
        found = computed[arithmetic]
        epochs = quantities.epochs_of(name, config.model)
        if epochs is not None and f"error_after_{epochs}_epochs" not in found:
            found.update(quantities.after_epochs(config, arithmetic, epochs, expectations.sample))
        steps = quantities.steps_of(name, config.model)
        if steps is not None and name not in found:
            found.update(quantities.after_steps(config, arithmetic, steps, expectations.sample))
        return quantities.lookup(name, found)

    return _diagnosed(config, judged(expectations, value))


def judged(expectations, value: Callable[[str, object], float]) -> list[Verdict]:
    """A verdict for each published entry, `value(name, arithmetic)` giving what is computed (for a
    network's quantities or a function's): with the publication's arithmetic, exactly, and along
    the other correct orders of hand rounding."""
    def judge(entry: Expected, arithmetic, published_way: float, exact: float) -> tuple[str, str]:
        if reproduces(exact, entry):
            return "match", entry.note or ""
        if arithmetic is EXACT:
            return "differs", entry.note or ""
        if reproduces(published_way, entry):
            places = _decimals(entry.published) + 2
            return "rounding", entry.note or f"exact arithmetic gives {exact:.{places}f}"
        # Another correct order of rounding by hand; an entry with a tolerance of its own is held to it
        # in the publication's declared arithmetic only, or one tolerance would widen to many.
        for other in rounding_paths(arithmetic) if entry.tolerance is None else []:
            if reproduces(value(entry.name, other), entry):
                way = "; ".join(PATHS[path] for path in sorted(other.paths, key=list(PATHS).index))
                return "rounding", f"{arithmetic} with {way}" + (f"; {entry.note}" if entry.note else "")
        return "differs", entry.note or ""

    verdicts = []
    for entry in expectations.entries:
        arithmetic = _arithmetic(expectations.pencil_decimals if entry.pencil_decimals == INHERIT
                                 else entry.pencil_decimals)
        published_way, exact = value(entry.name, arithmetic), value(entry.name, EXACT)
        if entry.erratum:
            verdict, note = "erratum", entry.erratum
            if reproduces(published_way, entry):
                note += " (yet the published value is reproduced: is this still an erratum?)"
        else:
            verdict, note = judge(entry, arithmetic, published_way, exact)
        if entry.label:  # named as the publication names it; pencilnet's name in the note
            note = f"{entry.name}" + (f"; {note}" if note else "")
        verdicts.append(Verdict(entry.label or entry.name, entry.published, str(arithmetic),
                                published_way, exact, published_way - float(entry.published), verdict, note,
                                quantity=entry.name, line=entry.line))
        if entry.corrected is not None:  # the right value, under the same name, checked as usual
            fixed = replace(entry, published=entry.corrected, erratum=None, note=None)
            verdict, _ = judge(fixed, arithmetic, published_way, exact)
            verdicts.append(Verdict(entry.label or entry.name, entry.corrected, str(arithmetic),
                                    published_way, exact, published_way - float(entry.corrected), verdict,
                                    f"the correction of the printed {entry.published}", quantity=entry.name,
                                    line=entry.line))
    return verdicts


def _judge(entry: Expected, value: float) -> bool:
    return reproduces(value, entry)


def _diagnosed(config, verdicts: list[Verdict]) -> list[Verdict]:
    """Each differing number with the mistakes that give it and the earlier number it follows from."""
    differing = [v for v in verdicts if v.verdict == "differs"]
    if not differing:
        return verdicts
    expectations = config.expected
    by_name = {entry.name: entry for entry in expectations.entries}
    doctor = Diagnostician(config, _arithmetic(expectations.pencil_decimals), expectations.sample)

    def reproduced(name: str, value: float) -> bool:
        return reproduces(value, by_name[name])

    roots = doctor.roots({v.quantity: v.published for v in differing}, reproduced)
    root_of = {name: root.name for root in roots for name in root.follows}
    # What the person published, each with its judge: the catalogue prefers mistakes that keep them.
    sheet = {v.quantity: partial(_judge, replace(by_name[v.quantity], published=v.published))
             for v in verdicts if v.verdict in ("match", "rounding", "differs") and doctor.knows(v.quantity)}
    label = {v.quantity: v.name for v in verdicts}
    found = []
    for v in verdicts:
        if v.verdict == "differs":
            causes = doctor.mistakes_giving(v.quantity, sheet) if v.quantity in sheet else []
            diagnosis, follows = tuple(describe(mistakes) for mistakes in causes), root_of.get(v.quantity)
            if follows:
                said = f"right with your {label[follows]} carried forward"
            elif diagnosis:
                said = "the value " + " (or: ".join(f"with {d}" for d in diagnosis) + ")" * (len(diagnosis) - 1)
            else:
                said = "no known mistake gives this value"
            v = replace(v, diagnosis=diagnosis, follows=follows, note="; ".join(filter(None, (v.note, said))))
        found.append(v)
    return found


def chains(verdicts: list[Verdict]) -> list[dict]:
    """The differing numbers that later differing numbers follow from, in the order of the
    calculation: their names, their diagnosis and the names that are right with them carried
    forward. Roots one after another with the same diagnosis are one slip (the new w5 and w6 both
    used in backpropagation) and one chain."""
    found: list[dict] = []
    for root in (v for v in verdicts if v.verdict == "differs" and not v.follows):
        follows = [v.name for v in verdicts if v.follows == root.quantity]
        if found and root.diagnosis and found[-1]["diagnosis"][:1] == list(root.diagnosis[:1]):
            found[-1]["names"].append(root.name)
            found[-1]["follows"] += follows
        else:
            found.append({"names": [root.name], "diagnosis": list(root.diagnosis), "follows": follows})
    return found


def chain_sentences(verdicts: list[Verdict]) -> list[str]:
    """The chains in words: one thing to fix for each."""
    sentences = []
    for chain in chains(verdicts):
        names, follows = chain["names"], chain["follows"]
        if len(names) + len(follows) < 2:
            continue
        count = len(names) + len(follows)
        roots = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + f" and {names[-1]}"
        match = "matches" if len(names) == 1 else "match"
        why = f"the value with {chain['diagnosis'][0]}" if chain["diagnosis"] else "no known mistake's value"
        if not follows:
            sentences.append(f"{count} numbers differ: {roots}, which {match} {why}")
            continue
        rest = "the other one is right" if len(follows) == 1 else f"the other {len(follows)} are right"
        value = "that value" if len(names) == 1 else "those values"
        sentences.append(f"{count} numbers differ; all follow from {roots}, which {match} {why}: with "
                         f"{value} carried forward, {rest}")
    return sentences


def failure(verdicts: list[Verdict]) -> str | None:
    """One line saying which published numbers differ, or None when every one passes."""
    failed = [v.name for v in verdicts if not v.passed]
    if not failed:
        return None
    return f"{len(failed)} published number(s) differ: {', '.join(failed[:10])}" + (" …" if len(failed) > 10 else "")
