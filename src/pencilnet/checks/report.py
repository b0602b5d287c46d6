"""What `pencilnet.verify(config)` hands a notebook: the verdicts of one config, with its name.

A sequence of `verify.Verdict` as before (len, index, iterate), and a record a notebook can show
(views/notebook.py registers its display): which config, whether every number held.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from pencilnet.checks.verify import Verdict
from pencilnet.checks.verify import verify as verdicts_of


@dataclass(frozen=True, eq=False)
class VerifyReport:
    source: str  # the config's file, as messages name it
    name: str  # the config's name
    verdicts: tuple[Verdict, ...]

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    def __len__(self) -> int:
        return len(self.verdicts)

    def __iter__(self) -> Iterator[Verdict]:
        return iter(self.verdicts)

    def __getitem__(self, index):
        return self.verdicts[index]


def verify(config) -> VerifyReport:
    """The verdict of each published number of `config` (its `expected:` section), in its order."""
    return VerifyReport(config.source, config.name, tuple(verdicts_of(config)))
