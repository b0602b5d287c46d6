"""The one config writer (`init`, `train --save` and `import` write through it): every text and
number reads back as it was written, whatever characters a name or a class holds."""

import math

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import pencilnet
from pencilnet.io.config_writer import config_text, number, scalar
from pencilnet.io.saving import saved_text
from pencilnet.io.yaml_text import read

TOMATO = "\U0001F345"  # outside the Basic Multilingual Plane: two UTF-16 code units, one character


def read_back(text: str):
    return read(text, "written.yaml")[0]


@pytest.mark.parametrize("text", [
    TOMATO, f"{TOMATO} salad", f"a{TOMATO}\x7fb", "line\nbreak", "C:\\fruit\\it's", "é\x85x", "\u2028",
    "a\tb\x1b[2J", "\ufeffbom", "1e5", "yes", "null", "a, b", "- x", "#x", "x # y", "[x]", "{a}", "", " lead",
    "\\U0001F345", "\\\\U0001F345",
])
def test_every_text_reads_back_as_it_was(text):
    document = {"name": text, "classes": [text, "b"], text or "empty": {"k": text}}
    assert read_back(config_text(document)) == document


def test_a_character_outside_the_bmp_is_written_as_itself():
    written = config_text({"name": f"{TOMATO} \x7f", "classes": [TOMATO, f"{TOMATO}\n"]})
    assert TOMATO in written and "\\ud83c" not in written.lower() and "\\U0001F345" not in written
    # DEL and a line break are not, and they are escaped rather than written raw: the file stays one field a line.
    assert "\x7f" not in written and "\\x7F" in written and len(written.splitlines()) == 2


@given(st.text(max_size=12))
def test_any_text_reads_back(text):
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # a str a file can hold
    assert read_back(config_text({"name": text, "classes": [text]})) == {"name": text, "classes": [text]}


@pytest.mark.parametrize("value", [0.1, -3e-06, 1e300, 5e-324, 2.0**-1074 * 3, 123456789.125, -0.0, 1.0, 1e16])
def test_a_number_is_its_shortest_text_and_reads_back_the_same(value):
    text = number(value)
    assert "." in text.split("e")[0]  # a dot in the mantissa: strict YAML 1.1 readers take it for a number too
    assert yaml.safe_load(text) == value and read_back(text) == value
    assert math.copysign(1, read_back(text)) == math.copysign(1, value)


def test_special_numbers_and_arrays():
    assert [number(math.inf), number(-math.inf), number(math.nan)] == [".inf", "-.inf", ".nan"]
    assert scalar(np.array([0.5, 1.0])) == "[0.5, 1.0]" and scalar(np.float64(0.25)) == "0.25"
    assert scalar([True, None, 3]) == "[true, null, 3]"


def test_notes_and_header_are_comments_that_cannot_break_the_file():
    written = config_text({"inputs": 2, "layers": [{"size": 2, "weights": [[0.1, 0.2], [0.3, 0.4]]}]},
                          ["first line\nname: injected"], {"inputs": "x1, x2\nsamples: []",
                                                            "layers[0].weights": "w1 … w4"})
    assert read_back(written) == {"inputs": 2, "layers": [{"size": 2, "weights": [[0.1, 0.2], [0.3, 0.4]]}]}
    assert written.splitlines()[:2] == ["# first line\\nname: injected", ""]
    assert "    weights:   # w1 … w4\n      - [0.1, 0.2]\n      - [0.3, 0.4]\n" in written


def test_a_saved_config_keeps_names_and_classes_outside_the_bmp(tmp_path):
    # The file written the way other programs write a tomato ("\ud83c\udf45"), saved by pencilnet: 🍅 itself.
    source = tmp_path / "tomato.yaml"
    source.write_text("name: \"\\ud83c\\udf45 or \\x7f\"\ninputs: 2\nlayers:\n"
                      "  - {weights: [[0.1, 0.2], [0.12, 0.17]], biases: [0.8, 0.25]}\n"
                      "  - {weights: [[0.05, 0.4], [0.33, 0.07]], biases: [0.15, 0.7]}\n"
                      "classes: [\"\\ud83c\\udf45\", \"pe\\x7far\"]\n"
                      "samples:\n  - {inputs: [0.15, 0.35], label: \"\\ud83c\\udf45\"}\n", encoding="utf-8")
    config = pencilnet.load(str(source))
    written = saved_text(config, config.model, "0 epochs", tmp_path / "saved.yaml")
    assert TOMATO in written and "\\ud83c" not in written and "\x7f" not in written
    again = pencilnet.loads(written)
    assert again.name == f"{TOMATO} or \x7f" and again.classes == (TOMATO, "pe\x7far")


@pytest.mark.parametrize("suffix", [".safetensors", ".onnx"])
def test_an_import_writes_del_escaped_and_a_tomato_as_itself(tmp_path, suffix):
    # Issue 26 items 6 and 19: a class name holding DEL was written raw and the import then blamed its own
    # output as invalid YAML; a name outside the BMP was written as two surrogate escapes.
    pytest.importorskip("onnx" if suffix == ".onnx" else "safetensors")
    from pencilnet.io import interop

    config = pencilnet.loads(f'name: "{TOMATO} salad"\ninputs: 2\nlayers:\n'
                             "  - {weights: [[0.1, 0.2], [0.12, 0.17]], biases: [0.8, 0.25]}\n"
                             "  - {weights: [[0.05, 0.4], [0.33, 0.07]], biases: [0.15, 0.7]}\n"
                             f'classes: ["{TOMATO}", "pe\\x7far"]\n'
                             "samples:\n  - {inputs: [0.15, 0.35], target: [0, 1]}\n")
    model_file = tmp_path / f"m{suffix}"
    interop.export(config, model_file)
    text = interop.import_config(str(model_file), None).text
    assert TOMATO in text and "\\ud83c" not in text and "\x7f" not in text and "\\x7F" in text
    again = pencilnet.loads(text)
    assert again.name == f"{TOMATO} salad" and again.classes == (TOMATO, "pe\x7far")
