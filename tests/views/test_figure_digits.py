"""A picture of the network keeps the digits its table keeps (issue 26 item 24): in pencil mode
the backprop table shows ∂E/∂w1 = −0.0134 × 0.2092 × 0.15 = −0.000420492 (the article's own
figure), and the figure beside it showed −0.0004."""

import pytest
from helpers import text_of

import pencilnet
from pencilnet.core.arithmetic import arithmetic_of
from pencilnet.views import backprop_tables, network_text
from pencilnet.views.network_labels import edges_of, output_notes
from pencilnet.views.numbers import Style


@pytest.fixture
def pencil():
    config = pencilnet.load()
    return config, config.walk(1, arithmetic_of(4)), Style(4, pencil=4)


def test_the_backprop_labels_keep_the_gradients_digits(pencil):
    config, walk, style = pencil
    labels = {e.name: e.label for e in edges_of(config, "backprop", walk, style)}
    # −0.0134 × 0.2092 × 0.15 = −0.00042049200, by hand: the article prints −0.000420492
    assert labels["w1"] == "w1 = 0.1\n∂E/∂w1 = -0.000420492"
    table = text_of(backprop_tables.backprop(config, walk.trace, walk.target, walk.gradients, style, 1), 200)
    assert "-0.000420492" in table  # the digits of the table beside it
    assert "-0.000420492" in text_of(network_text.text(config, "backprop", walk, style), 120)


def test_the_error_figure_keeps_the_terms_digits(pencil):
    config, walk, style = pencil
    # ½ × (0 − 0.5934)² = 0.17606178 and ½ × (1 − 0.7353)² = 0.035033045, by hand, as the error table shows them
    notes = output_notes(config, "error", walk, style)
    assert [note[2] for note in notes] == ["= 0.17606178", "= 0.035033045"]


def test_exact_mode_is_unchanged(article):
    walk = article.walk(1)
    labels = {e.name: e.label for e in edges_of(article, "backprop", walk, Style(4))}
    assert labels["w1"] == "w1 = 0.1\n∂E/∂w1 = -0.000422"
