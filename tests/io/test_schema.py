"""The config schema's tables: they drive the allowed keys, the defaults and the checks, and the
config reference (docs/config.md) is made from them."""

import re

import pytest
from helpers import ROOT, config_problems

from pencilnet.io import schema
from pencilnet.io.config import parse

GOOD = """\
inputs: 2
layers:
  - weights: [[0.1, 0.2], [0.12, 0.17]]
    biases: [0.8, 0.25]
  - size: 2
    weights: [[0.05, 0.4], [0.33, 0.07]]
    biases: [0.15, 0.7]
samples:
  - {inputs: [0.15, 0.35], target: [0, 1]}
"""


problems = config_problems


def test_the_docs_show_the_reference_made_from_the_tables():
    doc = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- config reference: made by pencilnet.io.schema.reference\(\) -->\n(.*?)"
                      r"<!-- end of the config reference -->", doc, re.S)
    assert found, "docs/config.md has lost its config reference markers"
    assert found.group(1) == schema.reference(), (
        "docs/config.md's config reference differs from the schema: paste the output of "
        "python -c 'from pencilnet.io.schema import reference; print(reference(), end=\"\")'")


def test_reference_names_every_field_of_every_table_once():
    text = schema.reference()
    for where, section in schema.SECTIONS.items():
        part = text.split(f"**`{where}`**")[1].split("**`")[0]
        rows = re.findall(r"^\| `([^`]+)` \|", part, re.M)
        assert rows == [field.name for field in section.table], where


# Each table's fields are the keys its section allows: a misspelt key names them all and the near miss.
SECTION_OF = [  # (a config with an unknown key added to the section, its path, the table)
    (GOOD + "clases: [a, b]\n", "clases", schema.TOP),
    (GOOD.replace("  - size: 2\n", "  - size: 2\n    activaton: tanh\n"), "layers[1].activaton", schema.LAYER),
    (GOOD + "training: {epoch: 3}\n", "training.epoch", schema.TRAINING),
    (GOOD.replace("target: [0, 1]}", "target: [0, 1], labels: a}"), "samples[0].labels", schema.SAMPLE),
    (GOOD + "init: {scheme: he, rang: 1}\n", "init.rang", schema.SCHEME.section),
    (GOOD + "expected: {sampel: 1, values: {net_h1: '0.857'}}\n", "expected.sampel", schema.EXPECTED),
    (GOOD + "expected: {values: {net_h1: {value: '0.857', tolerence: '0.1'}}}\n", "expected.values.net_h1.tolerence",
     schema.ENTRY.section),
]


@pytest.mark.parametrize("text, path, section", SECTION_OF)
def test_each_table_gives_its_section_keys(text, path, section):
    names = [field.name for field in section.table]
    [line] = problems(text)
    assert f": {path}: expected one of the fields {', '.join(names)} (did you mean '" in line, line
    assert line.endswith("found an unknown field")


def test_defaults_are_the_tables():
    config = parse(GOOD, "good.yaml")
    training = {field.name: field.default for field in schema.TRAINING.table}
    assert training == {"learning_rate": 0.5, "epochs": 1, "batch_size": 1, "shuffle": False, "seed": None,
                        "target_error": None, "optimizer": "sgd", "weight_decay": None,
                        "lr_schedule": "constant"}  # seed None: the top-level seed; weight_decay None: the optimizer's
    s = config.schedule
    assert (s.learning_rate, s.epochs, s.batch_size, s.shuffle, s.seed, s.target_error) == (0.5, 1, 1, False, 0, None)
    assert s.optimizer.plain and s.optimizer.name == "sgd" and s.lr_schedule.name == "constant"
    assert config.loss == "half_sse" and config.pencil_decimals is None and config.model.bias_input == 1.0
    assert config.classes == ("y1", "y2") and config.name == ""
    layer = config.model.layers[0]
    assert layer.activation == "sigmoid" and not layer.shared_bias
    assert not layer.frozen_weights and not layer.frozen_biases


def test_a_changed_default_in_the_table_changes_the_config():
    # The defaults live in the table and nowhere else.
    table = schema.TRAINING.table
    changed = tuple(schema.Field(f.name, f.kind, 0.25, f.help) if f.name == "learning_rate" else f for f in table)
    object.__setattr__(schema.TRAINING, "table", changed)
    try:
        assert parse(GOOD, "good.yaml").schedule.learning_rate == 0.25
    finally:
        object.__setattr__(schema.TRAINING, "table", table)
    assert parse(GOOD, "good.yaml").schedule.learning_rate == 0.5


@pytest.mark.parametrize("added, expected", [
    ("training: {epochs: 0}", "training.epochs: expected a positive whole number, found 0"),
    ("training: {learning_rate: .inf}", "training.learning_rate: expected a positive finite number, found inf"),
    ("training: {batch_size: 0}", "training.batch_size: expected a positive whole number, or 'full' for one step "
                                  "per epoch, found 0"),
    ("training: {shuffle: 1}", "training.shuffle: expected true or false, found 1"),
    ("training: {seed: -1}", "training.seed: expected a non-negative whole number, found -1"),
    ("training: {target_error: 0}", "training.target_error: expected a positive finite number, found 0"),
    ("arithmetic: pencil 16", "arithmetic: expected 'exact', 'pencil N' (every intermediate rounded to N decimals, "
                              "N from 0 to 15) or a mapping such as {pencil: 4, out: 3} or {pencil: 4, significant: "
                              "true}, found 'pencil 16'"),
    ("arithmetic: {pencil: 4, out: 16}", "arithmetic.out: expected a number of places from 0 to 15, found 16"),
    ("loss: hinge", "loss: expected one of half_sse, mse, cross_entropy, binary_cross_entropy, output, found 'hinge'"),
    ("init: {scheme: uniform, range: 2000000}", "init.range: expected a positive number of at most 1,000,000, "
                                                "found 2000000"),
    ("init: zeros", "init: expected one of xavier, he, uniform, found 'zeros'"),
    ("name: 3", "name: expected a text, found 3"),
    ("classes: [a, a]", "classes: expected a list of distinct class names, one per output node, found a list of 2"),
    ("expected: {sample: 0, values: {net_h1: '0.857'}}", "expected.sample: expected a positive whole number, found 0"),
    ("expected: {values: {net_h1: {value: '0.857', tolerance: '-1'}}}",
     "expected.values.net_h1.tolerance: expected a positive number, e.g. '0.0001', or units in the last place, "
     "e.g. '4 ulp', found '-1'"),
    ("expected: {values: {}}", "expected.values: expected a mapping of quantity names to published values"),
])
def test_each_kind_checks_its_type_and_range(added, expected):
    [line] = problems(GOOD + added + "\n")
    assert expected in line, line


def test_null_leaves_an_optional_field_out_and_a_required_one_missing():
    config = parse(GOOD + "training: {target_error: null, seed: null}\nclasses: null\n", "good.yaml")
    assert config.schedule.target_error is None and config.schedule.seed == 0 and config.classes == ("y1", "y2")
    assert problems(GOOD.replace("inputs: 2", "inputs: null")) == [
        "my.yaml:1: inputs: expected a positive whole number of at most 1,000,000, found nothing"]
    assert problems(GOOD + "training: {epochs: null}\n") == [
        "my.yaml:10: training.epochs: expected a positive whole number, found nothing"]


def test_cross_field_rules_run_after_the_fields():
    # The second pass: shapes against sizes, softmax on the output layer only, classes against outputs,
    # reported together with the first pass's problems, in the file's order.
    text = (GOOD.replace("  - weights:", "  - activation: softmax\n    weights:")
            .replace("[0.15, 0.7]", "[0.15]") + "classes: [a, b, c]\ntraining: {epochs: 0}\n")
    assert problems(text) == [
        "my.yaml:3: layers[0].activation: expected softmax on the output layer only, found 'softmax'",
        "my.yaml:8: layers[1].biases: expected a list of 2 bias weights, one per node, found a list of 1: [0.15]",
        "my.yaml:11: classes: expected a list of 2 distinct class names, one per output node, found a list of 3: "
        "['a', 'b', 'c']",
        "my.yaml:12: training.epochs: expected a positive whole number, found 0",
    ]


def test_many_problems_show_the_first_25_and_a_count():
    rows = "".join(f"  - {{inputs: [0.1, x{i}], target: [0, 1]}}\n" for i in range(30))
    found = problems(GOOD.split("samples:")[0] + "samples:\n" + rows)
    assert len(found) == 26 and found[0] == "my.yaml:9: samples[0].inputs[1]: expected a finite number, found 'x0'"
    assert found[-1] == "my.yaml: … and 5 more problems of the same kinds"
