"""What a run keeps of each epoch: every epoch while they are few, then an evenly spread sample.

The rule (so a curve can be reproduced elsewhere): epoch e is kept when (e − 1) is a multiple
of the stride, which starts at 1. Whenever more than `LIMIT` epochs are kept, the stride doubles
and the epochs that are no longer on it are dropped, so between LIMIT / 2 and LIMIT epochs
remain, evenly spaced from the first; the last epoch run is always kept as well. A run of any
number of epochs (up to 2**63 − 1) keeps at most LIMIT + 1 of them in memory.
"""

LIMIT = 1024


NAN = float("nan")


class EpochSample:
    """Per-epoch values, kept by the rule above: the error and, when there is a test set, the
    test set's error and (a classifier's) accuracy after the epoch."""

    def __init__(self, tested: bool, classes: bool = True, limit: int = LIMIT):
        self.limit, self.stride, self.tested, self.classes = limit, 1, tested, classes
        self.epochs: list[int] = []
        self.rows: list[tuple[float, float, float]] = []  # (error, test error, test accuracy) per epoch kept
        self.last: tuple[int, tuple[float, float, float]] | None = None  # the latest, on the stride or not

    def add(self, epoch: int, error: float, test_error: float = NAN, accuracy: float = NAN) -> None:
        self.last = (epoch, (error, test_error, accuracy))
        if (epoch - 1) % self.stride:
            return
        self.epochs.append(epoch)
        self.rows.append(self.last[1])
        if len(self.epochs) > self.limit:
            self.stride *= 2
            kept = [i for i, e in enumerate(self.epochs) if (e - 1) % self.stride == 0]
            self.epochs = [self.epochs[i] for i in kept]
            self.rows = [self.rows[i] for i in kept]

    def done(self) -> int:
        """The epochs run so far."""
        return self.last[0] if self.last else 0

    def lists(self) -> tuple[list[int], list[float], list[float] | None, list[float] | None]:
        """(epochs, errors, test errors or None, test accuracies or None): the sample with the last
        epoch at its end."""
        epochs, rows = list(self.epochs), list(self.rows)
        if self.last and (not epochs or epochs[-1] != self.last[0]):
            epochs.append(self.last[0])
            rows.append(self.last[1])
        errors, test_errors, accuracies = ([row[i] for row in rows] for i in range(3))
        return (epochs, errors, test_errors if self.tested else None,
                accuracies if self.tested and self.classes else None)
