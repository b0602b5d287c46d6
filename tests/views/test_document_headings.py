"""A deeper network's document numbers its backpropagation headings by layer, in the order a
reader walks back (issue 26 item 26): it read "Part 2: the weights on the inside", then
"#### Part 2", then "#### Part 1"."""

import re

import pencilnet
from pencilnet.views.numbers import Style
from pencilnet.views.publish.blocks import Heading
from pencilnet.views.publish.builder import build

DEEP = """name: deep
inputs: 2
layers:
  - {size: 3, activation: sigmoid, weights: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], biases: [0.1, 0.1, 0.1]}
  - {size: 3, activation: tanh, weights: [[0.1, -0.2, 0.3], [0.2, 0.1, -0.1], [0.3, 0.3, 0.3]], biases: [0, 0, 0]}
  - {size: 2, activation: sigmoid, weights: [[0.5, -0.5], [0.1, 0.2], [-0.3, 0.4]], biases: [0.2, 0.2]}
loss: half_sse
training: {learning_rate: 0.5}
samples:
  - {inputs: [0.05, 0.1], target: [0, 1]}
"""


def headings(config) -> list[tuple[int, str]]:
    document = build(config, config.walk(1), Style(4))
    return [(block.level, block.text) for block in document.blocks if isinstance(block, Heading)]


def test_a_deeper_networks_backprop_headings_go_back_layer_by_layer():
    found = headings(pencilnet.loads(DEEP))
    back = found[[text for _, text in found].index("4. Backpropagation") + 1:]
    assert back[:8] == [
        (3, "Part 1: the weights on the outside, into the output layer"),
        (3, "Part 2: the weights on the inside"),
        (4, "Part 2.1: the weights into the hidden layer 2, from the hidden layer 1"),
        (4, "Part 2.2: the weights into the hidden layer 1, from the input layer"),
        (3, "Part 3: the bias weights on the outside"),
        (3, "Part 4: the bias weights on the inside"),
        (4, "Part 4.1: the bias weights into the hidden layer 2"),
        (4, "Part 4.2: the bias weights into the hidden layer 1"),
    ]
    # No number repeats and none goes backwards among the backprop parts as read.
    numbers = [tuple(map(int, re.match(r"Part ([\d.]+):", text).group(1).split("."))) for _, text in back
               if text.startswith("Part")]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_the_articles_headings_are_unchanged(article):
    texts = [text for _, text in headings(article) if text.startswith("Part")]
    assert texts == ["Part 1: from the input layer to the hidden layer",
                     "Part 2: from the hidden layer to the output layer",
                     "Part 1: the weights on the outside, into the output layer", "Part 2: the weights on the inside",
                     "Part 3: the bias weights on the outside", "Part 4: the bias weights on the inside"]


SINGLE = """name: single
inputs: 2
layers:
  - {size: 1, activation: sigmoid, weights: [[0.4], [-0.3]], biases: [0.1]}
loss: half_sse
training: {learning_rate: 1.0}
samples:
  - {inputs: [0.5, 0.8], target: [1]}
"""


def titles(cli, text: str) -> list[str]:
    result = cli("backprop", "-", input=text)
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if line.startswith(("Part", "The error signal", " outside"))]


def test_the_terminals_backprop_parts_are_numbered_without_gaps_and_name_their_layers(cli):
    # A network without a hidden layer has no inside: it showed "Part 1: … (hidden → output)",
    # then Part 3 and Part 5, and an empty "inside" column in the summary.
    assert titles(cli, SINGLE) == [
        "The error signal at each output node: ∂E/∂net = ∂E/∂out × ∂out/∂net",
        "Part 1: weights on the outside (input → output)",
        "Part 2: bias weights on the outside",
        " outside     ∂E/∂w   bias     ∂E/∂w",
        "Part 3: the inputs, ∂E/∂x (what a change of each input would do)"]
    # Two hidden layers: each table of error signals says which layer it is (both said "hidden").
    found = titles(cli, DEEP)
    assert found[:3] == ["The error signal at each output node: ∂E/∂net = ∂E/∂out × ∂out/∂net",
                         "The error signal at each node of hidden layer 2: ∂E/∂out sums over the nodes k it feeds",
                         "The error signal at each node of hidden layer 1: ∂E/∂out sums over the nodes k it feeds"]
    assert [t.split(":")[0] for t in found if t.startswith("Part")] == [f"Part {n}" for n in range(1, 6)]
