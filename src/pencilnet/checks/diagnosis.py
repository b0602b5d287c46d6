"""Why a number differs: the mistakes that give it, and the one early number the rest follow from.

`mistakes_giving` recomputes the sample by hand (`checks.hand`) under every mistake of the
catalogue that can touch this network, alone and in pairs, and keeps those that reproduce the
published digits. `roots` rechecks later numbers with the person's own earlier number carried
forward: a student who made one slip early is told one thing to fix, not seven.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from pencilnet.checks.hand import Hand, Mistake, applicable

SHOWN = 3  # diagnoses named for one number: more would be a list of guesses, not a diagnosis


@dataclass(frozen=True)
class Root:
    """A differing number that the person's later differing numbers follow from."""

    name: str
    follows: tuple[str, ...]  # the differing numbers that are right with this one carried forward


class Diagnostician:
    """Hand calculations of one sample under mistakes and given numbers, each made once."""

    def __init__(self, config, arithmetic, sample: int):
        x, target = config.sample(sample)
        self.base = dict(model=config.model, x=np.asarray(x, dtype=np.float64),
                         target=np.asarray(target, dtype=np.float64), loss=config.loss,
                         learning_rate=config.schedule.learning_rate, arithmetic=arithmetic,
                         optimizer=config.schedule.optimizer)
        self.catalogue = applicable(config.model, config.loss, getattr(arithmetic, "decimals", None))
        self._made: dict[frozenset, dict[str, float]] = {}
        self.order = list(Hand(**self.base).values())  # the order a person works in

    def knows(self, name: str) -> bool:
        return name in self.order

    def values(self, mistakes: frozenset = frozenset()) -> dict[str, float]:
        if mistakes not in self._made:
            with np.errstate(all="ignore"):
                self._made[mistakes] = Hand(**self.base, mistakes=mistakes).values()
        return self._made[mistakes]

    def mistakes_giving(self, name: str, sheet: Mapping[str, Callable[[float], bool]]
                        ) -> list[tuple[Mistake, ...]]:
        """The single mistakes that give `name` a value its judge in `sheet` (name → judge of each
        published number) accepts; if none, the pairs. Those that keep more of the other published
        numbers as they were published come first: a slip that would have changed numbers the person
        got right is not the slip they made."""
        if not self.knows(name):
            return []
        judge = sheet[name]
        for size in (1, 2):
            found = [chosen for chosen in combinations(self.catalogue, size)
                     if _distinct(chosen) and judge(self.values(frozenset(chosen))[name])]
            if found:
                def kept(chosen) -> int:
                    values = self.values(frozenset(chosen))
                    return sum(1 for other, accepts in sheet.items() if other in values and accepts(values[other]))
                return sorted(found, key=lambda chosen: -kept(chosen))[:SHOWN]
        return []

    def roots(self, differing: dict[str, str], reproduced: Callable[[str, float], bool]) -> list[Root]:
        """`differing` (name → published digits): each earliest one carried forward in turn, with what
        then comes out right."""
        remaining = sorted((name for name in differing if self.knows(name)), key=self.order.index)
        given: dict[str, float] = {}
        found = []
        while remaining:
            root, *rest = remaining
            given[root] = float(differing[root])
            with np.errstate(all="ignore"):
                values = Hand(**self.base, given=dict(given)).values()
            follows = tuple(name for name in rest if reproduced(name, values[name]))
            found.append(Root(root, follows))
            remaining = [name for name in rest if name not in follows]
        return found


def _distinct(chosen: tuple[Mistake, ...]) -> bool:
    """Two variants of one mistake are not two mistakes."""
    return len({mistake.key for mistake in chosen}) == len(chosen)


def describe(mistakes: tuple[Mistake, ...]) -> str:
    return "; and ".join(mistake.describe() for mistake in mistakes)
