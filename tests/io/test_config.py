
import json
import os

import numpy as np
import pytest
from helpers import ROOT, commands_in_one_process, config_problems

import pencilnet
from pencilnet.core.errors import ConfigError, InputError
from pencilnet.io.config import parse


def test_shipped_config_is_the_bundled_one():
    from pencilnet.io.config import bundled_text

    assert (ROOT / "configs" / "article.yaml").read_text(encoding="utf-8") == bundled_text()


def test_article_config_holds_the_article_numbers(article):
    layers = article.model.layers
    assert layers[0].weights.tolist() == [[0.1, 0.2], [0.12, 0.17]]  # w1 w2 / w3 w4
    assert layers[1].weights.tolist() == [[0.05, 0.4], [0.33, 0.07]]  # w5 w6 / w7 w8
    assert layers[0].biases.tolist() == [0.8, 0.25] and layers[1].biases.tolist() == [0.15, 0.7]
    assert article.train_inputs.tolist() == [[0.15, 0.35]] and article.train_targets.tolist() == [[0.0, 1.0]]
    assert article.schedule.learning_rate == 0.5 and article.schedule.epochs == 1
    assert article.classes == ("red apple", "tomato") and article.model.bias_input == 1.0


GOOD = """\
inputs: 2
layers:
  - weights: [[0.1, 0.2], [0.12, 0.17]]
    biases: [0.8, 0.25]
  - size: 2
    weights: [[0.05, 0.4], [0.33, 0.07]]
    biases: [0.15, 0.7]
classes: [red apple, tomato]
samples:
  - {inputs: [0.15, 0.35], label: tomato}
"""


def test_defaults_and_label_targets():
    config = parse(GOOD, "good.yaml")
    assert config.train_targets.tolist() == [[0.0, 1.0]]  # the label's one-hot vector
    assert config.loss == "half_sse" and config.schedule.learning_rate == 0.5 and config.schedule.epochs == 1
    assert config.model.layers[0].activation == "sigmoid" and config.model.sizes == [2, 2, 2]


problems = config_problems


@pytest.mark.parametrize("change, expected", [
    (("[[0.1, 0.2], [0.12, 0.17]]", "[[0.1, 0.2], [0.12]]"),
     "my.yaml:3: layers[0].weights[1]: expected a list of 2 numbers, found a list of 1: [0.12]"),
    (("[[0.1, 0.2], [0.12, 0.17]]", "[[0.1, 0.2]]"),
     "my.yaml:3: layers[0].weights: expected 2 rows (one per input node) of 2 numbers each, found a list of 1"),
    (("[0.15, 0.7]", "[0.15, abc]"), "my.yaml:7: layers[1].biases[1]: expected a finite number, found 'abc'"),
    (("[0.15, 0.7]", "[0.15, .nan]"), "my.yaml:7: layers[1].biases[1]: expected a finite number, found nan"),
    (("[0.15, 0.7]", "[0.15, true]"), "my.yaml:7: layers[1].biases[1]: expected a finite number, found true"),
    (("label: tomato", "target: [0, 1, 0]"),
     "my.yaml:10: samples[0].target: expected a list of 2 target values (one per output node), found a list of 3: "
     "[0, 1, 0]"),
    (("label: tomato", "label: banana"),
     "my.yaml:10: samples[0].label: expected one of the classes red apple, tomato, found 'banana'"),
    (("inputs: 2", "inputs: two"),
     "my.yaml:1: inputs: expected a positive whole number of at most 1,000,000, found 'two'"),
    (("  - size: 2", "  - size: 2\n    activation: sigmod"),
     "my.yaml:6: layers[1].activation: expected one of sigmoid, tanh, relu, identity, softmax, leaky_relu, softplus, "
     "or a mapping such as {name: leaky_relu, slope: 0.2} (did you mean 'sigmoid'?), found 'sigmod'"),
])
def test_each_problem_is_one_precise_line(change, expected):
    assert problems(GOOD.replace(*change)) == [expected]


def test_several_problems_are_all_reported():
    text = GOOD.replace("[0.8, 0.25]", "[0.8]").replace("inputs: [0.15, 0.35]", "inputs: [0.15]")
    text += "training: {learning_rate: 0, epochs: -3}\nlos: mse\n"
    found = problems(text)
    assert len(found) == 5, found
    assert any("layers[0].biases: expected a list of 2 bias weights" in p for p in found)
    assert any("samples[0].inputs: expected a list of 2 input values" in p for p in found)
    assert any("training.learning_rate: expected a positive finite number, found 0" in p for p in found)
    assert any("training.epochs: expected a positive whole number, found -3" in p for p in found)
    assert any("los: " in p and "did you mean 'loss'" in p for p in found)


@pytest.mark.parametrize("text, expected", [
    ("", "my.yaml: (top level): expected a mapping of fields, found nothing"),
    ("- 1\n- 2\n", "my.yaml:1: (top level): expected a mapping of fields, found a list of 2"),
    ("inputs: [1,\n", "my.yaml:2: invalid YAML:"),
    ("a: !!python/object:os.system ls\n", "invalid YAML"),  # the safe loader refuses to build objects
])
def test_not_a_config(text, expected):
    with pytest.raises(InputError) as caught:
        parse(text, "my.yaml")
    assert expected in str(caught.value).splitlines()[0]


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        pencilnet.load(str(tmp_path / "absent.yaml"))
    with pytest.raises(InputError, match="found a directory"):
        pencilnet.load(str(tmp_path))
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError, match="expected UTF-8 text"):
        pencilnet.load(str(binary))


def test_alias_heavy_yaml_does_not_blow_up():
    # Each level refers to the one before nine times: walking it naively visits 9^8 nodes, and
    # expanded it holds 3 × 9^8 = 129 million numbers: refused before any is built.
    lines = ["a0: &a0 [1, 2, 3]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    with pytest.raises(InputError) as caught:
        parse("\n".join(lines) + "\n", "bomb.yaml")
    assert "bomb.yaml: expected a config of at most 16,777,216 values and fields once its aliases are expanded" \
        in str(caught.value)
    # Two levels fewer (2.4 million values and lists once expanded) is not a bomb: it is read, and checked.
    with pytest.raises(ConfigError) as caught:
        parse("\n".join(lines[:-2]) + "\n", "bomb.yaml")
    assert "a0: expected one of the fields" in str(caught.value)


def test_sample_numbers_count_from_one(article):
    x, t = article.sample(1)
    assert x.tolist() == [0.15, 0.35]
    with pytest.raises(InputError, match="expected a sample number from 1 to 1, found 2"):
        article.sample(2)
    assert np.shares_memory(article.sample(1)[0], article.train_inputs)


# ---- characters outside the Basic Multilingual Plane (issue 26 item 6) ---------------------------

TOMATO_TEXT = """\
name: "TITLE"
inputs: 2
layers:
  - {weights: [[0.1, 0.2], [0.12, 0.17]], biases: [0.8, 0.25]}
  - {weights: [[0.05, 0.4], [0.33, 0.07]], biases: [0.15, 0.7]}
classes: ["CLASS", pear]
samples:
  - {inputs: [0.15, 0.35], label: pear}
"""


def named(title: str, klass: str) -> str:
    return TOMATO_TEXT.replace("TITLE", title).replace("CLASS", klass)


def test_a_surrogate_pair_escape_reads_as_the_one_character_it_writes():
    # "\ud83c\udf45" is how JSON (and Python's json.dumps) writes U+1F345, the tomato: one character.
    config = parse(named("\\ud83c\\udf45 salad", "\\ud83c\\udf45"), "my.yaml")
    assert config.name == "\U0001F345 salad" and len(config.name) == 7
    assert config.classes == ("\U0001F345", "pear")
    assert config.name.encode("utf-8")  # a lone surrogate would raise UnicodeEncodeError here


def test_a_surrogate_pair_given_by_set_reads_as_one_character():
    config = parse(named("x", "y"), "my.yaml", ['name="\\ud83c\\udf45"'])
    assert config.name == "\U0001F345"


@pytest.mark.parametrize("escape", ["\\ud83c", "\\udf45", "\\udf45\\ud83c", "a\\ud83cb"])
def test_a_lone_surrogate_escape_is_refused_in_one_line(escape):
    with pytest.raises(InputError) as caught:
        parse(named(escape, "y"), "my.yaml")
    message = str(caught.value)
    assert message.startswith("my.yaml:1: expected text, found a lone surrogate escape \\u")
    assert "\n" not in message and message.encode("utf-8")


def test_a_name_with_a_character_outside_the_bmp_is_printed_by_every_command(tmp_path):
    path = tmp_path / "tomato.yaml"
    path.write_text(named("\\ud83c\\udf45 or pear", "\\ud83c\\udf45"), encoding="utf-8")
    for result in commands_in_one_process(["summary", path], ["error", path], ["walkthrough", path],
                                          ["summary", "--json", path], text=False, timeout=60,
                                          env={**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "120"}):
        assert result.returncode == 0, result.stderr.decode()
        assert "\U0001F345".encode() in result.stdout and b"Traceback" not in result.stderr


# ---- every problem at once (issue 22 item 12) ---------------------------------------------------

PANDAS_CSV = ",a,b,label\n0,1,2,x\n1,3,4,y\n"  # DataFrame.to_csv(path) writes the index as an unnamed column
PANDAS_HINT = "column 1: expected a column name, found an empty field (a CSV written by pandas with its index: " \
              "write it with to_csv(path, index=False))"


@pytest.mark.parametrize("inputs", ["", "inputs: 2\n", "inputs: 3\n"])
def test_the_pandas_index_hint_comes_whether_or_not_inputs_is_given(tmp_path, inputs):
    (tmp_path / "pd.csv").write_text(PANDAS_CSV)
    text = inputs + "init: xavier\nlayers:\n  - {size: 3}\n  - {activation: softmax}\nloss: cross_entropy\n" \
                    "data: {train: pd.csv}\n"
    with pytest.raises(InputError) as caught:
        pencilnet.loads(text, base_dir=tmp_path)
    lines = str(caught.value).splitlines()
    assert any(line.endswith(f"pd.csv:1: {PANDAS_HINT}") for line in lines), lines
    # The sizes the file was to give, and the weights a scheme draws from them, are not blamed: the file is.
    assert not any("found nothing" in line for line in lines), lines


def test_an_unquoted_published_value_and_unknown_names_are_reported_together():
    text = TOMATO_TEXT.replace("TITLE", "t").replace("CLASS", "apple") + (
        "expected:\n  values:\n    out_y1: 0.5933\n    out_z9: '0.1'\n    dE/dw99: '0.2'\n")
    problems = config_problems(text)
    assert [line.split(": expected ")[0] for line in problems] == [
        "my.yaml:11: expected.values.out_y1", "my.yaml:12: expected.values.out_z9",
        "my.yaml:13: expected.values.dE/dw99"]
    assert problems[0].endswith("or a list of them, e.g. ['0.7071', '0.7071067811865476'], found 0.5933")


def test_a_quoted_number_is_not_told_about_yaml_1_1():
    # '0.1' is a number in YAML 1.1 and 1.2 alike: it is text because it was quoted, not because of the version.
    problems = config_problems(TOMATO_TEXT.replace("TITLE", "t").replace("CLASS", "apple")
                               + "expected:\n  values:\n    net_h1: {value: '0.3', corrected: '0.1'}\n")
    assert problems == ["my.yaml:11: expected.values.net_h1.corrected: expected a correction beside an erratum "
                        "(erratum: says what was wrong), found '0.1'"]


# ---- a layer with neither weights nor a scheme (issue 22 item 15) -------------------------------

BARE = "inputs: 2\nSEED\nlayers:\n  - {size: 3}\n  - {size: 2, activation: tanh}\nsamples:\n" \
       "  - {inputs: [0.15, 0.35], target: [0, 1]}\n"


@pytest.mark.parametrize("seed", ["", "seed: 7"])
def test_a_layer_without_weights_or_scheme_is_drawn_by_xavier_from_the_seed(seed):
    config = parse(BARE.replace("SEED", seed), "bare.yaml")
    # The same draw as the config that names the scheme: Glorot's uniform, biases 0, from the config's seed.
    named = parse(BARE.replace("SEED", seed + "\ninit: xavier"), "named.yaml")
    assert config.model.parameters() == named.model.parameters() and named.default_init is None
    assert config.default_init.layers == (0, 1) and config.default_init.scheme == "xavier"
    assert config.default_init.seed == (7 if seed else 0)
    limit = np.sqrt(6 / (2 + 3))  # xavier's bound for the 2 → 3 layer
    assert 0 < np.abs(config.model.layers[0].weights).max() <= limit and not config.model.layers[0].biases.any()


def test_layers_with_weights_draw_as_before_and_only_the_bare_layer_takes_the_default():
    text = ("inputs: 2\nlayers:\n  - {weights: [[0.1, 0.2], [0.12, 0.17]], biases: [0.8, 0.25]}\n"
            "  - {size: 2, init: he}\nsamples:\n  - {inputs: [0.15, 0.35], target: [0, 1]}\n")
    assert parse(text, "my.yaml").default_init is None  # a scheme of its own: no default
    bare = parse(text.replace("{size: 2, init: he}", "{size: 2}"), "my.yaml")
    assert bare.default_init.layers == (1,) and bare.model.layers[0].weights.tolist() == [[0.1, 0.2], [0.12, 0.17]]


def test_summary_and_train_say_the_default_was_used(cli, tmp_path):
    path = tmp_path / "bare.yaml"
    path.write_text(BARE.replace("SEED", "seed: 7"))
    said = "Initial weights: layers[0], layers[1] give neither weights nor an init scheme: drawn by the default, " \
           "xavier, with seed 7"
    for command in ("summary", "train"):
        result = cli(command, path)
        assert result.exit_code == 0 and said in " ".join(result.stdout.split()), result.output
    assert json.loads(cli("summary", "--json", path).stdout)["default_init"] == {
        "layers": [0, 1], "scheme": "xavier", "seed": 7}
    assert "Initial weights" not in cli("summary").stdout  # the article gives every weight


# ---- messages that say the real problem (issue 26 item 19) --------------------------------------

ARTICLE_LABELS = TOMATO_TEXT.replace("TITLE", "t").replace("CLASS", "apple")


@pytest.mark.parametrize("labels, message", [
    ("{w5: E_total}", "my.yaml:9: labels.w5: expected a label that is not already a quantity's name (E_total is "
                      "the name of one, which expected: would then read as this label), found 'E_total'"),
    ("{h1: out_h1}", "my.yaml:9: labels.h1: expected a label that is not already a quantity's name (out_h1 is "
                     "the name of one, which expected: would then read as this label), found 'out_h1'"),
    ("{w5: w6}", "my.yaml:9: labels.w5: expected a label that is not another node's or parameter's name (w6 is "
                 "one; give w6 a label too where the publication swaps the two), found 'w6'"),
])
def test_a_label_that_is_already_a_name_is_told_so(labels, message):
    text = ARTICLE_LABELS + f"labels: {labels}\nexpected:\n  values:\n    E_total: '0.3'\n"
    # Only the label is blamed: E_total in expected is read as pencilnet's E_total, not as the label.
    assert config_problems(text) == [message]


def test_labels_that_swap_two_names_are_a_publications_numbering():
    config = parse(ARTICLE_LABELS + "labels: {w5: w6, w6: w5}\nexpected:\n  values:\n    w6_new: '0.4'\n", "my.yaml")
    assert config.labels == {"w5": "w6", "w6": "w5"} and config.expected.entries[0].name == "w5_new"


@pytest.mark.parametrize("field, value", [("seed", 2**63), ("training.seed", 2**64), ("training.epochs", 10**19)])
def test_the_upper_limit_of_a_whole_number_is_said_when_passed(field, value):
    problems = config_problems(ARTICLE_LABELS, [f"{field}={value}"])
    assert problems == [f"my.yaml: {field}: expected a {'positive' if 'epochs' in field else 'non-negative'} whole "
                        f"number of at most 2**63 - 1, found {value} (from --set)"]
