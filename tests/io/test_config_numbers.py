"""Numbers read as people write them: YAML 1.2 in files and in --set alike, and messages that
say where a value came from and how big a file really is."""

import json
from decimal import Decimal

import pytest
from helpers import config_problems

import pencilnet
from pencilnet.core.errors import ConfigError, InputError
from pencilnet.io.config import parse

GOOD = """\
inputs: 2
layers:
  - weights: [[0.1, 0.2], [0.12, 0.17]]
    biases: [0.8, 0.25]
  - weights: [[0.05, 0.4], [0.33, 0.07]]
    biases: [0.15, 0.7]
samples:
  - {inputs: [0.15, 0.35], target: [0, 1]}
"""


problems = config_problems


@pytest.mark.parametrize("written, value", [
    ("2.5e-1", 0.25), ("1e-3", 0.001), ("2.5E+1", 25.0), ("+.5", 0.5), ("3.", 3.0), ("1", 1.0),
])
def test_exponents_are_numbers_in_a_file_and_in_set(written, value):
    assert parse(GOOD + f"training: {{learning_rate: {written}}}\n", "my.yaml").schedule.learning_rate == value
    assert parse(GOOD, "my.yaml", [f"training.learning_rate={written}"]).schedule.learning_rate == value


def test_set_reads_an_exponent_as_a_number_through_the_cli(cli):
    result = cli("step", "--json", "--set", "training.learning_rate=1e-3")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # The article's ∂E/∂w5 is 0.10050825424 (test_stages checks it against finite differences).
    assert data["learning_rate"] == 0.001 and data["weights"]["w5"] == pytest.approx(0.05 - 0.001 * 0.10050825424,
                                                                                       abs=1e-12)


@pytest.mark.parametrize("written, value", [("0x10", 16), ("0o17", 15), ("12", 12), ("+7", 7)])
def test_whole_numbers_in_yaml_1_2_forms(written, value):
    assert parse(GOOD + f"training: {{epochs: {written}}}\n", "my.yaml").schedule.epochs == value
    assert parse(GOOD, "my.yaml", [f"training.epochs={written}"]).schedule.epochs == value


@pytest.mark.parametrize("written, says", [
    # YAML 1.1 reads these as 90, 8, 9 (no: text) and true; YAML 1.2 as text, 10, 9 and text.
    ("1:30", "found '1:30' (text in YAML 1.2, which pencilnet reads; YAML 1.1 would read 90)"),
    ("010", "found '010' (a whole number with a leading zero: octal in YAML 1.1, decimal in YAML 1.2; "
            "write 10, or 0o10 for octal)"),
    ("09", "found '09' (a whole number with a leading zero"),
    ("1_000", "found '1_000' (text in YAML 1.2, which pencilnet reads; YAML 1.1 would read 1000)"),
])
def test_yaml_1_1_numbers_are_refused_with_a_reason(written, says):
    [line] = problems(GOOD + f"training:\n  epochs: {written}\n")
    assert line.startswith("my.yaml:10: training.epochs: expected a positive whole number, ") and says in line, line
    [line] = problems(GOOD, [f"training.epochs={written}"])
    assert line.startswith("my.yaml: training.epochs: expected a positive whole number, ") and says in line, line
    assert line.endswith(" (from --set)")


def test_yes_is_text_not_true():
    [line] = problems(GOOD + "training: {shuffle: yes}\n")
    assert line == ("my.yaml:9: training.shuffle: expected true or false, found 'yes' "
                    "(text in YAML 1.2, which pencilnet reads; YAML 1.1 would read true)")
    assert parse(GOOD + "training: {shuffle: true}\n", "my.yaml").schedule.shuffle is True


def test_a_leading_zero_is_refused_in_a_weight_too():
    [line] = problems(GOOD.replace("[0.8, 0.25]", "[0.8, 010]"))
    assert line.startswith("my.yaml:4: layers[0].biases[1]: expected a finite number, found '010' (a whole number")
    assert parse(GOOD.replace("[0.8, 0.25]", "[0.8, 00.25]"), "my.yaml").model.layers[0].biases.tolist() == [0.8, 0.25]


@pytest.mark.parametrize("item, path, hint", [
    ("trainig.epochs=3", "trainig", " (did you mean 'training'?)"),
    ("foo.bar=1", "foo", ""),
    ("training.epoch=3", "training.epoch", " (did you mean 'epochs'?)"),
    ("layers[1].activaton=tanh", "layers[1].activaton", " (did you mean 'activation'?)"),
])
def test_set_names_itself_not_a_line_of_the_file(item, path, hint):
    [line] = problems(GOOD + "training:\n  epochs: 2\n", [item])
    assert line.startswith(f"my.yaml: {path}: expected one of the fields "), line  # no line number
    assert line.endswith(f"{hint}, found an unknown field (from --set)"), line


def test_set_of_a_field_the_file_has_is_still_from_set():
    [line] = problems(GOOD + "training:\n  epochs: 2\n", ["training.epochs=0"])
    assert line == "my.yaml: training.epochs: expected a positive whole number, found 0 (from --set)"


@pytest.mark.parametrize("item", [
    "name=a\nb: [1",  # a value YAML cannot read
    "na\nme=1",  # a path with a line break
    "training.epochs=[1,\n2]",  # a list that is no whole number
    "foo\r=1",
])
def test_a_set_with_a_line_break_gives_one_line(cli, item):
    result = cli("forward", "--set", item)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("pencilnet: error: "), result.stderr


def test_a_huge_config_says_its_real_size(tmp_path):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as file:
        file.truncate(17_400_000)  # sparse: no 17 MB are written
    with pytest.raises(InputError) as caught:
        pencilnet.load(str(big))
    assert str(caught.value) == (f"{big}: expected a config of at most 16 MiB, "
                                 "found 17,400,000 bytes (17.4 MB, 16.6 MiB)")


def test_a_huge_config_on_standard_input_says_its_real_size():
    with pytest.raises(InputError, match=r"<stdin>: expected a config of at most 16 MiB, found 17,400,000 bytes "
                                         r"\(17\.4 MB, 16\.6 MiB\)"):
        parse("#" * 17_400_000, "<stdin>")


def test_a_whole_number_too_long_to_read_is_one_line():
    with pytest.raises(InputError) as caught:
        parse(GOOD + "seed: " + "7" * 5000 + "\n", "my.yaml")
    assert str(caught.value) == ("my.yaml:9: expected numbers and texts Python can read, found an integer of "
                                 "more than 4,300 digits")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

PATHS = ["training.learning_rate", "training.epochs", "name", "layers[0].weights[1][0]", "expected.sample", "seed",
         "trainig.epochs", "layers[1].activaton", "samples[0].inputs"]


@settings(max_examples=60, deadline=None)
@given(x=st.floats(min_value=1e-300, max_value=1e300), form=st.sampled_from(["{!r}", "{:e}", "{:E}", "{:.3e}", "{:g}"]))
def test_every_written_float_is_the_number_python_reads(x, form):
    # The oracle is Python's own float(): YAML 1.2 reads each of these forms as it does.
    written = form.format(x)
    assert parse(GOOD, "my.yaml", [f"training.learning_rate={written}"]).schedule.learning_rate == float(written)


@settings(max_examples=100, deadline=None)
@given(path=st.sampled_from(PATHS) | st.text(max_size=12), value=st.text(max_size=30))
def test_any_set_is_read_or_refused_in_whole_lines(path, value):
    try:
        parse(GOOD, "my.yaml", [f"{path}={value}"])
    except ConfigError as exc:
        for problem in exc.problems:
            text = problem.describe("my.yaml")
            assert "\n" not in text and "\r" not in text
            assert problem.line is not None or text.endswith("(from --set)"), text  # a --set names itself
    except InputError as exc:
        assert len(str(exc).splitlines()) == 1, str(exc)


def test_texts_that_look_like_numbers_survive_a_save(tmp_path):
    from pencilnet.io.saving import saved_text

    text = GOOD.replace("target: [0, 1]}", "label: '1e5'}") + "name: '1e3'\nclasses: ['1e5', 'yes']\n"
    config = parse(text, "my.yaml")
    saved = saved_text(config, config.model, "saved", tmp_path / "saved.yaml")
    again = parse(saved, "saved.yaml")
    assert again.name == "1e3" and again.classes == ("1e5", "yes") and again.train_targets.tolist() == [[1.0, 0.0]]
    assert "'1e5'" in saved and "'yes'" in saved  # quoted for YAML 1.2 and for YAML 1.1 readers alike
    assert [layer.weights.tolist() for layer in again.model.layers] == [[[0.1, 0.2], [0.12, 0.17]],
                                                                        [[0.05, 0.4], [0.33, 0.07]]]

ARTICLE_WITH = GOOD + "expected:\n  values:\n    out_y1: {value: '0.75', tolerance: TOLERANCE}\n"


@pytest.mark.parametrize("written", ["1e-12", "'1e-12'", "1.0E-12", "'1E-12'", "0.000000000001"])
def test_a_tolerance_in_scientific_notation_is_a_tolerance(written):
    # Issue 23 item 2: YAML 1.2 reads 1e-12 as a number, quoted it is the same number as text.
    config = parse(ARTICLE_WITH.replace("TOLERANCE", written), "t.yaml")
    assert config.expected.entries[0].tolerance == Decimal("1e-12")


@pytest.mark.parametrize("written", ["-1e-12", "'0'", "1e", "'e-12'", ".inf", "'1e-12x'"])
def test_a_tolerance_that_is_not_a_positive_number_is_refused(written):
    with pytest.raises(ConfigError, match=r"tolerance: expected a positive number, e.g. '0.0001'"):
        parse(ARTICLE_WITH.replace("TOLERANCE", written), "t.yaml")
