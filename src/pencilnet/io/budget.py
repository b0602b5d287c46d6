"""What a command will cost, estimated from the network's sizes before anything is computed.

A 300-byte config can describe 23 million parameters; a command that writes a row for each of
them would need tens of gigabytes and hours. Each command states the rows it will make, and is
refused (exit 2, with the estimate) when they need more memory than MEMORY_LIMIT, or, for a
table, more rows than a terminal table can lay out in reasonable time: `cost` says what it needs,
and the CLI's message names the options that need less (cli/budget.py).

The figures were measured on `backprop`, `step` and `walkthrough` of a 20-5000-2 network:
about 1.1 to 2 KB of memory per row written (JSON or table) besides the arrays, and about 90
bytes per parameter for the arrays of the walk (weights, gradients, terms, new weights).
"""

from dataclasses import dataclass

from pencilnet.core.errors import InputError
from pencilnet.training.history import LIMIT as KEPT_EPOCHS

MEMORY_LIMIT = 2 * 2**30
BYTES_PER_PARAMETER = 96
BYTES_PER_ROW = 2048
TABLE_ROWS_LIMIT = 10_000  # Rich lays out a few thousand rows a second
DRAWN_EDGES_LIMIT = 10_000  # a picture draws about a thousand edges a second
BYTES_PER_EPOCH = 64  # training keeps an epoch's error (and test accuracy) as a Python float, for
# at most training.history.LIMIT + 1 epochs (an evenly spread sample of a longer run)
GRADCHECK_LIMIT = 10**9  # parameters × parameters: each of about ten forward passes per parameter


def stage_rows(stage: str, model) -> int:
    """The rows a stage's view makes with no row limit: one per node, output or parameter."""
    parameters = model.parameter_count
    nodes, outputs = sum(model.sizes[1:]), model.sizes[-1]
    hidden_terms = sum(layer.weights.size for layer in model.layers[1:])  # ∂E_yk/∂out_hj
    rows = {"forward": nodes, "error": outputs, "backprop": parameters + nodes + hidden_terms, "step": parameters}
    if stage == "walkthrough":
        return sum(rows.values())
    return rows[stage]


@dataclass(frozen=True)
class Cost:
    """What a command will need: memory for the network's arrays, the rows it writes and the
    epochs it keeps the error of; and whether that is beyond the limits."""

    parameters: int
    rows: int  # the rows it writes: with a row limit, at most `tables` × `shown`
    epochs: int  # the epochs whose error is kept
    memory: int  # bytes, estimated
    tables: int | None  # tables printed with a row limit (None: not tables)
    shown: int | None  # the row limit of each (None: every row)

    @property
    def too_much_memory(self) -> bool:
        return self.memory > MEMORY_LIMIT

    @property
    def too_many_rows(self) -> bool:
        return self.tables is not None and self.rows > TABLE_ROWS_LIMIT

    @property
    def mostly_epochs(self) -> bool:
        """The kept errors need more than the rows: fewer epochs at a time is what helps."""
        return BYTES_PER_EPOCH * self.epochs > BYTES_PER_ROW * self.rows


def cost(model, rows: int, tables: int | None = None, shown: int | None = None, epochs: int = 0) -> Cost:
    """What a command that writes `rows` rows for `model` (as `tables` tables of at most `shown`
    rows each, when it prints tables with a row limit), after training `epochs` epochs, needs."""
    if tables is not None and shown is not None:
        rows = min(rows, tables * shown)
    parameters = model.parameter_count
    epochs = min(epochs, KEPT_EPOCHS + 1)
    memory = BYTES_PER_PARAMETER * parameters + BYTES_PER_ROW * rows + BYTES_PER_EPOCH * epochs
    return Cost(parameters, rows, epochs, memory, tables, shown)


def edges_beyond_drawing(model) -> int:
    """The network's edges when a picture cannot draw them all, else 0."""
    edges = sum(layer.weights.size for layer in model.layers)
    return edges if edges > DRAWN_EDGES_LIMIT else 0


def check_edges(config) -> None:
    if edges := edges_beyond_drawing(config.model):
        raise InputError(f"{config.source}: expected a network of at most {DRAWN_EDGES_LIMIT:,} edges to draw, "
                         f"found {edges:,} (a {'-'.join(map(str, config.model.sizes))} network)")


def check_gradcheck(config) -> None:
    parameters = config.model.parameter_count
    if parameters * parameters > GRADCHECK_LIMIT:
        raise InputError(f"{config.source}: expected at most {int(GRADCHECK_LIMIT ** 0.5):,} parameters to check "
                         f"by finite differences (about ten forward passes each), found {parameters:,}")
