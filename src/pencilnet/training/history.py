"""What a run keeps of each epoch: every epoch while they are few, then an evenly spread sample.

The rule (so a curve can be reproduced elsewhere): epoch e is kept when (e − 1) is a multiple
of the stride, which starts at 1. Whenever more than `LIMIT` epochs are kept, the stride doubles
and the epochs that are no longer on it are dropped, so between LIMIT / 2 and LIMIT epochs
remain, evenly spaced from the first; the last epoch run is always kept as well. A run of any
number of epochs (up to 2**63 − 1) keeps at most LIMIT + 1 of them in memory.
"""

LIMIT = 1024


class EpochSample:
    """Per-epoch values (the error, and the test accuracy when there is a test set), kept by the rule above."""

    def __init__(self, tested: bool, limit: int = LIMIT):
        self.limit, self.stride, self.tested = limit, 1, tested
        self.epochs: list[int] = []
        self.errors: list[float] = []
        self.accuracies: list[float] = []
        self.last: tuple[int, float, float] | None = None  # the latest epoch, kept whether on the stride or not

    def add(self, epoch: int, error: float, accuracy: float = float("nan")) -> None:
        self.last = (epoch, error, accuracy)
        if (epoch - 1) % self.stride:
            return
        self.epochs.append(epoch)
        self.errors.append(error)
        self.accuracies.append(accuracy)
        if len(self.epochs) > self.limit:
            self.stride *= 2
            kept = [i for i, e in enumerate(self.epochs) if (e - 1) % self.stride == 0]
            self.epochs = [self.epochs[i] for i in kept]
            self.errors = [self.errors[i] for i in kept]
            self.accuracies = [self.accuracies[i] for i in kept]

    def done(self) -> int:
        """The epochs run so far."""
        return self.last[0] if self.last else 0

    def lists(self) -> tuple[list[int], list[float], list[float] | None]:
        """(epochs, errors, test accuracies or None): the sample with the last epoch at its end."""
        epochs, errors, accuracies = list(self.epochs), list(self.errors), list(self.accuracies)
        if self.last and (not epochs or epochs[-1] != self.last[0]):
            epochs.append(self.last[0])
            errors.append(self.last[1])
            accuracies.append(self.last[2])
        return epochs, errors, accuracies if self.tested else None
