"""What export and import refuse, and what they keep as it is (issue 26): non-finite tensors, models
whose size hides in subgraphs or in one long name, messages that must name the file at fault, and
text that must come back as it went in. Exit statuses from real processes."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from helpers import THOROUGH, cli_in
from hypothesis import given, settings
from hypothesis import strategies as st

from pencilnet.core.errors import InputError
from pencilnet.io import interop
from pencilnet.io.config import parse

onnx = pytest.importorskip("onnx")
safetensors_numpy = pytest.importorskip("safetensors.numpy")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

PENCILNET = str(Path(sys.executable).parent / "pencilnet")


def pencilnet(*args, cwd: Path, real: bool = False):
    """The CLI in the folder `cwd`: as a real process (for its exit status as a shell sees it), or in-process,
    which costs a tenth of the time."""
    if real:
        return subprocess.run([PENCILNET, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120)
    return cli_in(cwd, *args)


# ── export refuses what it cannot write finite (26.14) ─────────────────────────────────────

@pytest.mark.parametrize("options, message", [
    # bw1 = 1e10 times a bias input of 1e300 is 1e310, beyond float64 (about 1.8e308).
    (["--set", "bias_input=1e300", "--set", "layers[0].biases=[1e10, 0.25]"],
     "tensor '0.bias' [0]: expected a finite float64 number, found inf: it holds bw1 × bias input = "
     "10000000000.0 × 1e+300"),
    # bw4 = 1e9 times 1e30 is 1e39: a float64, but beyond float32 (about 3.4e38).
    (["--float32", "--set", "bias_input=1e30", "--set", "layers[1].biases=[0.5, 1e9]"],
     "tensor '2.bias' [1]: expected a finite float32 number, found inf: it holds bw4 × bias input = "
     "1000000000.0 × 1e+30 (float32 reaches ±3.4e38"),
    # w6 is h1 → y2: row 1, column 0 of 2.weight, which is (targets, sources).
    (["--float32", "--set", "layers[1].weights[0][1]=1e39"],
     "tensor '2.weight' [1, 0]: expected a finite float32 number, found inf: it holds w6 = 1e+39"),
])
@pytest.mark.parametrize("suffix", interop.FORMATS)
def test_export_refuses_a_tensor_that_is_not_finite_naming_it(tmp_path, suffix, options, message):
    out = tmp_path / f"net{suffix}"
    real = suffix == ".onnx" and "--float32" not in options  # one case as a process: its exit status as a shell's
    result = pencilnet("export", "--out", out, *options, cwd=tmp_path, real=real)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"pencilnet: error: article.yaml (bundled): {message}")
    assert result.stderr.endswith("; nothing written\n") and result.stderr.count("\n") == 1
    assert not out.exists() and os.listdir(tmp_path) == []  # no file, not even a temporary one


def test_a_scale_float32_cannot_hold_is_refused(tmp_path):
    from pencilnet.io.interop.exporting import tensors

    class Scaling:  # a feature that varies by 1e-50: its scale is 0 in float32, and x / 0 is inf
        method, offset, scale = "zscore", np.array([0.0, 1.0]), np.array([1e-50, 1.0])

    article = parse("inputs: 2\nlayers:\n  - {size: 1, weights: [[1.0], [1.0]], biases: [0.0]}\n"
                    "samples:\n  - {inputs: [0, 0], target: [0]}\n", "a.yaml")
    tensors(article.model, Scaling, np.float64, "a.yaml")  # float64 holds it
    with pytest.raises(InputError) as raised:
        tensors(article.model, Scaling, np.float32, "a.yaml")
    assert str(raised.value).startswith("a.yaml: tensor 'input.scale' [0]: expected a finite float32 number above "
                                        "0, found 0.0: it holds the scale of x1 = 1e-50")


# ── the ONNX node guard counts subgraphs; every name is bounded (26.16) ─────────────────────

def if_model(path: Path, inner: int) -> str:
    """in → MatMul → an If whose branches each hold `inner` Identity nodes → out."""
    def branch(name: str):
        nodes = [helper.make_node("Identity", ["a" if k == 0 else f"{name}{k - 1}"], [f"{name}{k}"])
                 for k in range(inner)]
        return helper.make_graph(nodes, name, [], [helper.make_tensor_value_info(f"{name}{inner - 1}",
                                                                                 TensorProto.DOUBLE, ["N", 2])])

    nodes = [helper.make_node("MatMul", ["in", "W"], ["a"], name="m"),
             helper.make_node("If", ["cond"], ["out"], name="branch", then_branch=branch("t"),
                              else_branch=branch("e"))]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("in", TensorProto.DOUBLE, ["N", 2])],
                              [helper.make_tensor_value_info("out", TensorProto.DOUBLE, ["N", 2])],
                              [numpy_helper.from_array(np.eye(2), "W"),
                               numpy_helper.from_array(np.array(True), "cond")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    path.write_bytes(proto.SerializeToString())
    return str(path)


def test_nodes_inside_subgraphs_are_counted_before_the_checker_runs(tmp_path, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the checker ran on a model over the bound")

    path = if_model(tmp_path / "if.onnx", 2_500)  # two branches of 2,500 nodes; two nodes and two tensors on top
    monkeypatch.setattr(onnx.checker, "check_model", never)
    with pytest.raises(InputError) as raised:
        interop.read_network(path)
    assert str(raised.value) == (f"{path}: expected at most 2000 nodes and tensors, found 5,004 (the "
                                 "subgraphs of If, Loop and Scan nodes counted)")
    monkeypatch.undo()
    small = if_model(tmp_path / "small.onnx", 3)  # within the bound: checked, read, and refused for what it holds
    with pytest.raises(InputError, match="tensor 'cond': expected float16, float32 or float64 numbers, found bool"):
        interop.read_network(small)


def test_a_name_of_ten_megabytes_is_refused_in_one_short_line_quickly(tmp_path):
    huge = "n" * 10_000_000
    state = tmp_path / "named.safetensors"
    safetensors_numpy.save_file({"0.weight": np.eye(2)}, str(state), {"pencilnet.activations": "tanh",
                                                                       "pencilnet.name": huge})
    nodes = tmp_path / "node.onnx"
    graph = helper.make_graph([helper.make_node("MatMul", ["in", "W"], ["out"], name=huge)], "g",
                              [helper.make_tensor_value_info("in", TensorProto.DOUBLE, ["N", 2])],
                              [helper.make_tensor_value_info("out", TensorProto.DOUBLE, ["N", 2])],
                              [numpy_helper.from_array(np.eye(2), "W")])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = 8
    nodes.write_bytes(proto.SerializeToString())
    tensor = tmp_path / "tensor.safetensors"
    safetensors_numpy.save_file({huge + ".weight": np.eye(2)}, str(tensor), {"pencilnet.activations": "tanh"})
    for path, what, limit, found in ((state, "metadata pencilnet.name", "1,000", "10,000,000"),
                                     (nodes, "node", "200", "10,000,000"), (tensor, "tensor", "200", "10,000,007")):
        start = time.perf_counter()
        result = pencilnet("import", path, cwd=tmp_path, real=what == "node")
        assert time.perf_counter() - start < 20  # a process start and a 10 MB read; 104 s in `diagram` before
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == f"pencilnet: error: {path}: {what} '{'n' * 40}…': expected at most {limit} " \
                                f"characters, found {found}\n"


def test_a_class_name_of_more_than_a_thousand_characters_is_refused(tmp_path):
    path = tmp_path / "classes.safetensors"
    safetensors_numpy.save_file({"0.weight": np.eye(2)}, str(path), {
        "pencilnet.activations": "softmax", "pencilnet.classes": json.dumps(["a", "b" * 1001])})
    with pytest.raises(InputError, match=r"metadata pencilnet.classes\[1\] 'b{40}…': expected at most 1,000 "
                                         "characters, found 1,001"):
        interop.read_network(str(path))


# ── messages name the file at fault (26.19) ───────────────────────────────────────────────

def test_a_data_file_that_does_not_fit_is_blamed_not_the_unwritten_config(tmp_path):
    assert pencilnet("export", "--out", "article.onnx", cwd=tmp_path).returncode == 0
    (tmp_path / "three.csv").write_text("a,b,c,label\n1,2,3,tomato\n")
    for out in (["--out", "new3.yaml"], []):  # before: "new3.yaml:16: data.train: …", "<stdout>:22: data.train: …"
        result = pencilnet("import", "article.onnx", *out, "--data", "three.csv", cwd=tmp_path, real=not out)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr == "pencilnet: error: --data three.csv: expected a dataset of 2 features (one per " \
                                "input node), found 3 in three.csv, for the network in article.onnx\n"
    assert sorted(os.listdir(tmp_path)) == ["article.onnx", "three.csv"]


def test_import_to_stdout_works_without_a_working_directory(tmp_path):
    assert pencilnet("export", "--out", "article.onnx", cwd=tmp_path).returncode == 0
    (tmp_path / "points.csv").write_text("a,b,label\n0.15,0.35,tomato\n")

    def in_removed_folder(*args):  # the shell enters a folder, removes it, then runs pencilnet there
        script = 'mkdir gone && cd gone && rmdir ../gone && exec "$@"'
        return subprocess.run(["sh", "-c", script, "sh", PENCILNET, *map(str, args)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    result = in_removed_folder("import", tmp_path / "article.onnx")
    assert result.returncode == 0 and result.stderr == ""  # was: "cannot write", exit 2
    assert result.stdout.startswith("# A 2-2-2 network imported by pencilnet from article.onnx")
    assert parse(result.stdout, "c.yaml").model.layers[0].weights.tolist() == [[0.1, 0.2], [0.12, 0.17]]
    result = in_removed_folder("import", tmp_path / "article.onnx", "--data", "points.csv")
    assert result.returncode == 2 and result.stderr == "pencilnet: error: --data points.csv: cannot tell where it " \
                                                       "is: the working directory no longer exists\n"


# ── text comes back as it went in (26.20) ─────────────────────────────────────────────────

@pytest.mark.parametrize("text", ["tomato\x85red", "line\u2028para\u2029end", "del\x7f", "c1\x9b", "🍅 tomato",
                                  'quote " and \\ back', "tab\there"])
def test_names_and_classes_come_back_character_for_character(tmp_path, text):
    path = tmp_path / "named.safetensors"
    safetensors_numpy.save_file({"0.weight": np.eye(2)}, str(path), {
        "pencilnet.activations": "softmax", "pencilnet.name": text, "pencilnet.classes": json.dumps([text, "pear"])})
    config = parse(interop.import_config(str(path), None).text, "c.yaml")
    assert config.classes == (text, "pear") and config.name == text  # U+0085 became a space before


@settings(max_examples=300 if THOROUGH else 40, deadline=None)
@given(name=st.text(max_size=30), first=st.text(min_size=1, max_size=30), second=st.text(min_size=1, max_size=30),
       data=st.text(min_size=1, max_size=20).filter(lambda path: "\x00" not in path and path not in (".", "..")))
def test_any_text_a_model_carries_comes_back_or_is_refused_in_one_line(name, first, second, data):
    """Fuzz: whatever text the metadata holds (every Unicode category, controls, line breaks, quotes), the
    config import writes reads back with the same name and classes, or import refuses in one line; and a
    data path of any text is written so that the config names that very path."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.safetensors"
        meta = {"pencilnet.activations": "softmax", "pencilnet.name": name,
                "pencilnet.classes": json.dumps([first, second])}
        safetensors_numpy.save_file({"0.weight": np.eye(2)}, str(path), meta)
        try:
            text = interop.import_config(str(path), None).text
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).isprintable()
            assert first == second or len(set(map(str, [first, second]))) < 2, str(exc)
            return
        config = parse(text, "c.yaml")
        assert config.classes == (first, second) and config.name == (name or "Imported from fuzz.safetensors")
        written = interop.imported_text(interop.read_network(str(path)), str(path), data)
        assert yaml.safe_load(written)["data"]["train"] == data
