"""A person's calculation (`checks.hand`) and the diagnosis of a number that differs (issue 24)."""

from functools import partial
from itertools import combinations

import numpy as np
import pytest
from helpers import CASES, ROOT, THOROUGH, random_model, thorough_beyond

from pencilnet.checks import quantities
from pencilnet.checks.diagnosis import Diagnostician
from pencilnet.checks.hand import Hand, Mistake
from pencilnet.checks.published import Expected
from pencilnet.checks.verify import chain_sentences, reproduces, verify
from pencilnet.core.arithmetic import EXACT, Pencil, half_up
from pencilnet.core.stages import walk
from pencilnet.io.config import parse


@pytest.mark.parametrize("case", CASES, ids=lambda case: "-".join([*case[0], case[1], case[2]]))
@pytest.mark.parametrize("arithmetic", [EXACT, Pencil(4), Pencil(3, {"out": 2}), Pencil(4).along({"delta_first"})],
                         ids=str)
def test_a_calculation_without_mistakes_is_the_stages(case, arithmetic):
    hidden, output, loss = case
    rng = np.random.default_rng(7)
    model = random_model(rng, [3, *[3] * len(hidden), 2], [*hidden, output])
    x, target = rng.uniform(-1, 1, 3), np.array([0.3, 0.7]) if loss != "binary_cross_entropy" else np.array([0., 1.])
    if output == "softmax":
        target = np.array([0.0, 1.0])
    stages = quantities.of_walk(walk(model, x, target, loss, 0.5, arithmetic))
    hand = Hand(model, x, target, loss, 0.5, arithmetic).values()
    shared = set(stages) & set(hand)
    assert {name for name in stages if name.startswith(("net_", "out_", "E_", "dE/dw", "dE/dbw", "w", "bw"))} <= shared
    assert {name: hand[name] for name in shared} == {name: stages[name] for name in shared}


ARTICLE = (ROOT / "configs" / "article.yaml").read_text(encoding="utf-8").split("expected:")[0]
SHEET = 'expected:\n  arithmetic: pencil 4\n  values:\n'


def test_a_students_slip_is_named_and_the_numbers_after_it_follow_from_it():
    # ∂out/∂net left out of ∂E/∂w5: 0.5934 × 0.7020 = 0.41657 → 0.4166 instead of 0.5934 × 0.2413 × 0.7020
    # = 0.1005; carried into the update: w5_new = 0.05 − 0.5 × 0.4166 = −0.1583. ∂E/∂w7 and w7_new are right.
    config = parse(ARTICLE + SHEET + '    dE/dw5: "0.4166"\n    w5_new: "-0.1583"\n    dE/dw7: "0.0836"\n'
                   '    w7_new: "0.2882"\n', "student.yaml")
    verdicts = verify(config)
    assert [v.verdict for v in verdicts] == ["differs", "differs", "match", "match"]
    assert verdicts[0].diagnosis[0] == "the activation's derivative ∂out/∂net left out (taken as 1)"
    assert verdicts[1].follows == "dE/dw5" and "right with your dE/dw5 carried forward" in verdicts[1].note
    assert not verdicts[2].diagnosis and not verdicts[3].diagnosis  # never a diagnosis for a number that matches
    assert chain_sentences(verdicts) == [
        "2 numbers differ; all follow from dE/dw5, which matches the value with the activation's derivative "
        "∂out/∂net left out (taken as 1): with that value carried forward, the other one is right"]
    # A number no mistake of the catalogue gives is said to be one.
    config = parse(ARTICLE + SHEET + '    dE/dw5: "0.3141"\n', "student.yaml")
    assert verify(config)[0].note == "no known mistake gives this value"


def test_the_ordering_slip_of_updating_before_backpropagating():
    # Backpropagating with the new w5 = −0.0003 and w6 = 0.4181 instead of 0.05 and 0.4:
    #   ∂E_y1/∂out_h1 = 0.1432 × −0.000254 = −0.0000, ∂E_y2/∂out_h1 = −0.0515 × 0.418084 = −0.0215
    sheet = Hand(**_hand_of(parse(ARTICLE, "a.yaml")), mistakes=frozenset({Mistake("updated_weights")})).values()
    names = ["dE/dw5", "dE_y1/dout_h1", "dE_y2/dout_h1", "dE/dout_h1", "dE/dw1", "dE/dw3", "w1_new", "w5_new"]
    text = ARTICLE + SHEET + "".join(f'    {n}: "{half_up(sheet[n], 4)}"\n' for n in names)
    verdicts = verify(parse(text, "student.yaml"))
    assert chain_sentences(verdicts) == [
        "6 numbers differ; all follow from dE_y1/dout_h1 and dE_y2/dout_h1, which match the value with the updated "
        "weights used in backpropagation (the layer's new weights carry the error back): with those values carried "
        "forward, the other 4 are right"]
    assert [v.verdict for v in verdicts if v.name in ("dE/dw5", "w5_new")] == ["match", "match"]


def _hand_of(config) -> dict:
    x, target = config.sample(1)
    return dict(model=config.model, x=x, target=target, loss=config.loss,
                learning_rate=config.schedule.learning_rate, arithmetic=Pencil(4),
                optimizer=config.schedule.optimizer)


NETWORKS = {  # the article's 2-2-2 and four others: 3-4-2, tanh hidden, softmax outputs, momentum
    "article": ARTICLE,
    "3-4-2": """inputs: 3
layers:
  - {size: 4, activation: sigmoid, weights: [[0.1, -0.2, 0.3, 0.15], [0.25, 0.05, -0.1, 0.2], [-0.3, 0.4, 0.12, -0.05]],
     biases: [0.1, -0.1, 0.2, 0.05]}
  - {size: 2, activation: sigmoid, weights: [[0.3, -0.25], [0.2, 0.45], [-0.15, 0.1], [0.35, -0.3]],
     biases: [0.05, -0.05]}
training: {learning_rate: 0.5, epochs: 1}
samples: [{inputs: [0.6, 0.2, 0.9], target: [1, 0]}]
""",
    "tanh": """inputs: 2
layers:
  - {size: 2, activation: tanh, weights: [[0.3, -0.2], [0.4, 0.1]], biases: [0.1, -0.1]}
  - {size: 2, activation: sigmoid, weights: [[0.5, -0.3], [0.2, 0.6]], biases: [0.1, 0.2]}
training: {learning_rate: 0.1, epochs: 1}
samples: [{inputs: [0.5, 0.8], target: [1, 0]}]
""",
    "softmax": """inputs: 2
layers:
  - {size: 3, activation: sigmoid, weights: [[0.3, -0.2, 0.1], [0.4, 0.1, -0.3]], biases: [0.1, -0.1, 0.2]}
  - {size: 2, activation: softmax, weights: [[0.5, -0.3], [0.2, 0.6], [-0.4, 0.3]], biases: [0.1, 0.2]}
loss: cross_entropy
training: {learning_rate: 0.3, epochs: 1}
samples: [{inputs: [0.5, 0.8], target: [0, 1]}]
""",
    "momentum": """inputs: 2
layers:
  - {size: 2, activation: sigmoid, weights: [[0.15, 0.25], [0.2, 0.3]], biases: [0.35, 0.35]}
  - {size: 2, activation: sigmoid, weights: [[0.4, 0.5], [0.45, 0.55]], biases: [0.6, 0.6]}
training: {learning_rate: 0.5, epochs: 1, optimizer: {name: sgd, momentum: 0.9}}
samples: [{inputs: [0.05, 0.1], target: [0.01, 0.99]}]
""",
}


def planted(network: str, pairs: bool) -> tuple[int, int]:
    """Each mistake of the catalogue (and, with `pairs`, each pair) planted in a student's whole answer
    sheet at 4 places (a coarser rounding at its own places): (named first, not named first), where
    "named" is a first diagnosis of the first root whose mistakes are all planted ones."""
    doctor = Diagnostician(parse(NETWORKS[network], f"{network}.yaml"), Pencil(4), 1)
    plants = [(m,) for m in doctor.catalogue]
    if pairs:
        plants += [pair for pair in combinations(doctor.catalogue, 2) if pair[0].key != pair[1].key]
    right, named, missed = doctor.values(), 0, 0
    for plant in plants:
        values = doctor.values(frozenset(plant))
        places = next((m.variant for m in plant if m.key == "fewer_decimals"), 4)
        sheet = {n: Expected(n, str(half_up(values[n], places))) for n in doctor.order if np.isfinite(values[n])}
        differing = {n: e.published for n, e in sheet.items() if not reproduces(right[n], e)}
        if not differing:  # a mistake that changes nothing here (a bias input of 0 with no bias)
            continue
        judges = {n: partial(reproduces, entry=e) for n, e in sheet.items()}
        first = doctor.roots(differing, lambda n, v, sheet=sheet: reproduces(v, sheet[n]))[0].name
        causes = doctor.mistakes_giving(first, judges)
        if causes and set(causes[0]) <= set(plant):
            named += 1
        else:
            missed += 1
    return named, missed


@pytest.mark.parametrize("network", thorough_beyond(list(NETWORKS), 0, 3))
def test_a_planted_mistake_is_named_first(network):
    # Measured on 2026-12-07: 99.5%, 98.0%, 100%, 100% and 97.3% of singles and pairs on these five.
    named, missed = planted(network, pairs=THOROUGH)
    assert named / (named + missed) >= 0.95, (named, missed)
