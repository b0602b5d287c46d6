"""A command refused before it computes, because of what it would cost (`io.budget`): the message
says what it needs and which of the command's options need less."""

from pencilnet.core.errors import InputError
from pencilnet.io.budget import MEMORY_LIMIT, TABLE_ROWS_LIMIT, check_edges, check_gradcheck, cost, stage_rows

__all__ = ["check", "check_edges", "check_gradcheck", "stage_rows"]


def check(config, rows: int, tables: int | None = None, shown: int | None = None, epochs: int = 0) -> None:
    """Refuse a command that would write `rows` rows for `config` (as `tables` tables of at most
    `shown` rows each, when it prints tables with a row limit), after training `epochs` epochs,
    beyond the limits."""
    need = cost(config.model, rows, tables, shown, epochs)
    if need.too_much_memory:
        trained = f", {need.epochs:,} epochs" if need.epochs else ""
        hint = ("train fewer epochs at a time (--save, then train the saved config)" if need.mostly_epochs
                else "a table with --rows needs far less")
        raise InputError(f"{config.source}: expected a network this command can show in "
                         f"{MEMORY_LIMIT // 2**30} GiB of memory, found one that needs about "
                         f"{need.memory / 2**30:,.1f} GiB ({need.parameters:,} parameters, {need.rows:,} rows to "
                         f"write{trained}); {hint}")
    if need.too_many_rows:
        made = (f"--all on {need.parameters:,} parameters" if shown is None else
                f"{tables:,} tables of up to {shown:,} rows, on {need.parameters:,} parameters")
        raise InputError(f"{config.source}: expected at most {TABLE_ROWS_LIMIT:,} table rows, found {need.rows:,} "
                         f"({made}); use --json, or " + ("--rows N" if shown is None else "show fewer rows"))
