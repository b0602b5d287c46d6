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

from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import combinations

from pencilnet.checks import quantities
from pencilnet.checks.published import INHERIT, Expected
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

    @property
    def passed(self) -> bool:
        return self.verdict in PASSING


def _decimals(published: str) -> int:
    return len(published.split(".")[1]) if "." in published else 0


def reproduces(value: float, entry: Expected) -> bool:
    published = Decimal(entry.published)
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
                                published_way, exact, published_way - float(entry.published), verdict, note))
        if entry.corrected is not None:  # the right value, under the same name, checked as usual
            fixed = replace(entry, published=entry.corrected, erratum=None, note=None)
            verdict, _ = judge(fixed, arithmetic, published_way, exact)
            verdicts.append(Verdict(entry.label or entry.name, entry.corrected, str(arithmetic),
                                    published_way, exact, published_way - float(entry.corrected), verdict,
                                    f"the correction of the printed {entry.published}"))
    return verdicts
