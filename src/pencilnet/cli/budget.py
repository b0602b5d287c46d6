"""What a command will cost, estimated from the network's sizes before anything is computed.

A 300-byte config can describe 23 million parameters; a command that writes a row for each of
them would need tens of gigabytes and hours. Each command states the rows it will make, and is
refused (exit 2, with the estimate) when they need more memory than MEMORY_LIMIT, or, for a
table, more rows than a terminal table can lay out in reasonable time.

The figures were measured on `backprop`, `step` and `walkthrough` of a 20-5000-2 network:
about 1.1 to 2 KB of memory per row written (JSON or table) besides the arrays, and about 90
bytes per parameter for the arrays of the walk (weights, gradients, terms, new weights).
"""

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


def check(config, rows: int, tables: int | None = None, shown: int | None = None, epochs: int = 0) -> None:
    """Refuse a command that would write `rows` rows for `config` (as `tables` tables of at most
    `shown` rows each, when it prints tables with a row limit), after training `epochs` epochs,
    beyond the limits."""
    if tables is not None and shown is not None:
        rows = min(rows, tables * shown)
    parameters = config.model.parameter_count
    epochs = min(epochs, KEPT_EPOCHS + 1)
    memory = BYTES_PER_PARAMETER * parameters + BYTES_PER_ROW * rows + BYTES_PER_EPOCH * epochs
    if memory > MEMORY_LIMIT:
        trained = f", {epochs:,} epochs" if epochs else ""
        hint = ("train fewer epochs at a time (--save, then train the saved config)"
                if BYTES_PER_EPOCH * epochs > BYTES_PER_ROW * rows else "a table with --rows needs far less")
        raise InputError(f"{config.source}: expected a network this command can show in "
                         f"{MEMORY_LIMIT // 2**30} GiB of memory, found one that needs about {memory / 2**30:,.1f} "
                         f"GiB ({parameters:,} parameters, {rows:,} rows to write{trained}); {hint}")
    if tables is not None and rows > TABLE_ROWS_LIMIT:
        made = (f"--all on {parameters:,} parameters" if shown is None else
                f"{tables:,} tables of up to {shown:,} rows, on {parameters:,} parameters")
        raise InputError(f"{config.source}: expected at most {TABLE_ROWS_LIMIT:,} table rows, found {rows:,} "
                         f"({made}); use --json, or " + ("--rows N" if shown is None else "show fewer rows"))


def check_edges(config) -> None:
    edges = sum(layer.weights.size for layer in config.model.layers)
    if edges > DRAWN_EDGES_LIMIT:
        raise InputError(f"{config.source}: expected a network of at most {DRAWN_EDGES_LIMIT:,} edges to draw, "
                         f"found {edges:,} (a {'-'.join(map(str, config.model.sizes))} network)")


def check_gradcheck(config) -> None:
    parameters = config.model.parameter_count
    if parameters * parameters > GRADCHECK_LIMIT:
        raise InputError(f"{config.source}: expected at most {int(GRADCHECK_LIMIT ** 0.5):,} parameters to check "
                         f"by finite differences (about ten forward passes each), found {parameters:,}")
