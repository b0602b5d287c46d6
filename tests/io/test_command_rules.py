"""Rules the commands share, living in io/ (no rule lives in cli/): what a command will cost, from the
network's sizes; which arithmetic it uses."""

from pencilnet.io import budget
from pencilnet.io.config import load


def test_the_cost_of_a_command_is_a_record_of_what_it_needs():
    article = load(None).model  # 12 parameters
    need = budget.cost(article, 12)
    # 96 bytes per parameter and 2,048 per row written: 96 × 12 + 2,048 × 12 = 25,728 bytes
    assert (need.parameters, need.rows, need.memory) == (12, 12, 25_728)
    assert not (need.too_much_memory or need.too_many_rows or need.mostly_epochs)
    # 4 tables of at most 3 rows write 12 rows at most; 2,000 rows are beyond nothing but a table's limit
    assert budget.cost(article, 2_000, 4, 3).rows == 12 and budget.cost(article, 20_000, 1).too_many_rows
    # 10**9 epochs keep at most 1,025 errors, 64 bytes each: more than one row's 2,048 bytes
    trained = budget.cost(article, 1, epochs=10**9)
    assert trained.epochs == 1_025 and trained.mostly_epochs and not trained.too_much_memory
    assert budget.cost(article, 2**20).too_much_memory  # 2 GiB of rows and a little more
    assert budget.edges_beyond_drawing(article) == 0


def test_the_arithmetic_a_command_uses_is_the_options_else_the_configs():
    from pencilnet.io.config import arithmetic_chosen

    assert [arithmetic_chosen(4, None, False), arithmetic_chosen(4, 2, False), arithmetic_chosen(4, None, True),
            arithmetic_chosen(None, 3, False), arithmetic_chosen(None, None, False)] == [4, 2, None, 3, None]
