"""How to train, on its own: every config carries one, so it is cheap to import."""

from dataclasses import dataclass

from pencilnet.core.optimizers import LearningRateSchedule, Optimizer


@dataclass(frozen=True, eq=False)
class Schedule:
    """How to train: the learning rate, how many epochs, and how samples are grouped."""

    learning_rate: float
    epochs: int
    batch_size: int | None = 1  # 1: online, one update per sample (the article's way); None: full batch
    shuffle: bool = False  # a new order of the samples every epoch, from `seed`
    seed: int = 0
    target_error: float | None = None  # stop after the first epoch whose error is at or below this
    optimizer: Optimizer = Optimizer()  # plain gradient descent by default, as the article updates
    lr_schedule: LearningRateSchedule = LearningRateSchedule()  # the learning rate of each epoch

    def rate(self, epoch: int) -> float:
        """The learning rate of `epoch`, counted from 1."""
        return self.lr_schedule.rate(self.learning_rate, epoch)
