"""Export to and import from PyTorch state dicts (.safetensors) and ONNX graphs.

Oracles: the article's printed outputs; a forward pass written here in PyTorch's convention
(out = act(x Wᵀ + b)), sharing nothing with pencilnet's; onnxruntime running the exported graph;
and the bits of every parameter after a round trip."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import CASES, random_model

from pencilnet.core.errors import InputError
from pencilnet.core.model import Layer, Model, flatten
from pencilnet.core.stages import forward
from pencilnet.io import interop
from pencilnet.io.config import parse

onnx = pytest.importorskip("onnx")
safetensors_numpy = pytest.importorskip("safetensors.numpy")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def torch_style_forward(tensors: dict, activations: list[str], x: np.ndarray) -> np.ndarray:
    """nn.Sequential(Linear, act, Linear, act, …) on a batch, from the state dict alone."""
    functions = {"sigmoid": lambda v: 1 / (1 + np.exp(-v)), "tanh": np.tanh, "relu": lambda v: np.where(v > 0, v, 0),
                 "identity": lambda v: v,
                 "softmax": lambda v: np.exp(v - v.max(-1, keepdims=True)) / np.exp(v - v.max(-1, keepdims=True)).sum(
                     -1, keepdims=True)}
    for k, name in enumerate(activations):
        x = functions[name](x @ tensors[f"{2 * k}.weight"].T + tensors[f"{2 * k}.bias"])
    return x


def case_models():
    """One network per case of helpers.CASES (every activation and loss), each with its own bias input,
    and one with a shared bias."""
    rng = np.random.default_rng(17)
    models = []
    for hidden, output, loss in CASES:
        sizes = [3] + [4] * len(hidden) + [2 if output != "softmax" else 3]
        models.append((random_model(rng, sizes, hidden + [output]), loss))
    shared = Model((Layer(rng.normal(size=(2, 3)), [0.25], "tanh", shared_bias=True),
                    Layer(rng.normal(size=(3, 1)), [-0.5], "sigmoid", shared_bias=True)), bias_input=1.0)
    return models + [(shared, "half_sse")]


MODELS = case_models()
# A config keeps softmax to the output layer: the network with a softmax inside is exported, never imported.
CONFIGURABLE = [i for i, (model, _) in enumerate(MODELS)
                if "softmax" not in [layer.activation for layer in model.layers[:-1]]]


def bits(model: Model) -> list:
    """Every parameter's float64 bits (so -0.0 ≠ 0.0), and the model's shape, bias modes and activations."""
    return [flatten(model).view(np.int64).tolist(), model.sizes, model.bias_input,
            [(layer.activation, layer.shared_bias) for layer in model.layers]]


def export_file(tmp_path, model: Model, loss: str, suffix: str, float32=False, name="a test network") -> str:
    maker = interop.safetensors_bytes if suffix == ".safetensors" else interop.onnx_bytes
    path = tmp_path / f"net{suffix}"
    classes = [f"class {k}" for k in range(model.sizes[-1] if model.sizes[-1] > 1 else 2)]  # one output: two classes
    path.write_bytes(maker(model, loss, classes, name, float32))
    return str(path)


def imported_config(path: str, out, **options):
    text = interop.import_config(path, str(out), **options).text
    return parse(text, str(out), base_dir=out.parent)


def test_every_activation_has_one_onnx_operator_and_one_pytorch_module():
    """One row per activation in the interop table: a new activation without its operator fails here."""
    from pencilnet.core.activations import ACTIVATIONS
    from pencilnet.io.interop.activations import BY_ONNX, OPERATORS

    assert sorted(OPERATORS) == sorted(ACTIVATIONS)
    assert len(BY_ONNX) == len(OPERATORS)  # each operator reads back as one activation


# ── export ──────────────────────────────────────────────────────────────────────────────────

def test_the_state_dict_is_the_article_network_in_pytorch_layout(tmp_path, article):
    path = export_file(tmp_path, article.model, article.loss, ".safetensors")
    tensors = safetensors_numpy.load_file(path)
    assert list(tensors) == ["0.bias", "0.weight", "2.bias", "2.weight"]  # safetensors sorts its keys
    # nn.Linear keeps (out_features, in_features): row j holds the weights into node j. The article's
    # w1 = x1→h1 = 0.1, w2 = x1→h2 = 0.2, w3 = x2→h1 = 0.12, w4 = x2→h2 = 0.17.
    assert tensors["0.weight"].tolist() == [[0.1, 0.12], [0.2, 0.17]]
    assert tensors["0.bias"].tolist() == [0.8, 0.25]
    assert tensors["2.weight"].tolist() == [[0.05, 0.33], [0.4, 0.07]]  # w5 w7 / w6 w8
    assert tensors["2.bias"].tolist() == [0.15, 0.7]
    assert all(t.dtype == np.float64 for t in tensors.values())
    # The article prints out_y1 = 0.5934 and out_y2 = 0.7353 for x = (0.15, 0.35).
    out = torch_style_forward(tensors, ["sigmoid", "sigmoid"], np.array([[0.15, 0.35]]))
    assert np.round(out, 4).tolist() == [[0.5934, 0.7353]]


def test_the_state_dict_metadata_names_activations_loss_and_parameters(tmp_path, article):
    from safetensors import safe_open

    path = export_file(tmp_path, article.model, article.loss, ".safetensors")
    with safe_open(path, "np") as opened:
        meta = opened.metadata()
    assert meta["pencilnet.activations"] == "sigmoid,sigmoid"
    assert meta["pencilnet.loss"] == "half_sse"
    assert meta["pencilnet.bias"] == "per_node,per_node" and meta["pencilnet.bias_input"] == "1.0"
    names = json.loads(meta["pencilnet.parameters"])
    assert names["0.weight"].startswith("w1…w4, the weights x1, x2 → h1, h2, transposed")
    assert "w1 is x1 → h1, w2 is x1 → h2" in names["0.weight"]
    assert names["2.bias"] == "bw3, bw4, the bias weights of y1, y2"


@pytest.mark.parametrize("index", range(len(MODELS)))
def test_every_network_runs_the_same_in_pytorch_layout(tmp_path, index):
    model, loss = MODELS[index]
    path = export_file(tmp_path, model, loss, ".safetensors")
    x = np.random.default_rng(index).normal(size=(9, model.inputs))
    out = torch_style_forward(safetensors_numpy.load_file(path), [layer.activation for layer in model.layers], x)
    np.testing.assert_allclose(out, forward(model, x).output, rtol=0, atol=1e-13)


def test_a_shared_bias_is_written_once_per_node_and_said_so(tmp_path):
    model, loss = MODELS[-1]
    path = export_file(tmp_path, model, loss, ".safetensors")
    tensors = safetensors_numpy.load_file(path)
    assert tensors["0.bias"].tolist() == [0.25, 0.25, 0.25] and tensors["2.bias"].tolist() == [-0.5]
    from safetensors import safe_open

    with safe_open(path, "np") as opened:
        meta = opened.metadata()
    assert meta["pencilnet.bias"] == "shared,shared"
    assert json.loads(meta["pencilnet.parameters"])["0.bias"] == "bw1, the bias weight shared by h1…h3, " \
                                                                  "repeated for each node"


def test_the_bias_input_is_in_the_biases_a_linear_layer_adds(tmp_path):
    model = Model((Layer([[1.0]], [0.75], "identity"),), bias_input=-2.0)
    tensors = safetensors_numpy.load_file(export_file(tmp_path, model, "mse", ".safetensors"))
    assert tensors["0.bias"].tolist() == [-1.5]  # net = x w + bias × bias input


def run_onnx(path: str, x: np.ndarray) -> np.ndarray:
    import onnxruntime

    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(["y"], {"x": x})[0]


@pytest.mark.parametrize("float32, tolerance", [(False, 1e-12), (True, 1e-6)])
@pytest.mark.parametrize("index", range(len(MODELS)))
def test_onnxruntime_gives_pencilnets_outputs(tmp_path, index, float32, tolerance):
    pytest.importorskip("onnxruntime")
    model, loss = MODELS[index]
    path = export_file(tmp_path, model, loss, ".onnx", float32)
    rng = np.random.default_rng(100 + index)
    for batch in (1, 13):  # the batch dimension is left open
        x = rng.normal(size=(batch, model.inputs))
        out = run_onnx(path, x.astype(np.float32 if float32 else np.float64))
        assert out.dtype == (np.float32 if float32 else np.float64)
        np.testing.assert_allclose(out, forward(model, x).output, rtol=0, atol=tolerance)


def test_the_onnx_graph_is_checked_named_and_opset_17(tmp_path, article):
    proto = onnx.load(export_file(tmp_path, article.model, article.loss, ".onnx"))
    onnx.checker.check_model(proto, full_check=True)
    assert [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")] == [17]
    assert [i.name for i in proto.graph.input] == ["x"] and [o.name for o in proto.graph.output] == ["y"]
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and dims[1].dim_value == 2
    assert proto.graph.input[0].type.tensor_type.elem_type == TensorProto.DOUBLE
    assert [(n.op_type, n.name) for n in proto.graph.node] == [("Gemm", "0"), ("Sigmoid", "1"), ("Gemm", "2"),
                                                              ("Sigmoid", "3")]
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta["pencilnet.activations"] == "sigmoid,sigmoid" and meta["pencilnet.loss"] == "half_sse"
    assert {t.name: t.doc_string for t in proto.graph.initializer}["0.bias"] == "bw1, bw2, the bias weights of h1, h2"


# ── round trips ─────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("suffix", interop.FORMATS)
@pytest.mark.parametrize("index", CONFIGURABLE)
def test_a_round_trip_keeps_every_bit(tmp_path, suffix, index):
    model, loss = MODELS[index]
    config = imported_config(export_file(tmp_path, model, loss, suffix), tmp_path / "back.yaml")
    assert bits(config.model) == bits(model)
    assert config.loss == loss and config.classes == tuple(f"class {k}" for k in range(max(model.sizes[-1], 2)))
    assert config.name == "a test network"


def test_negative_zero_and_tiny_numbers_survive_the_config(tmp_path):
    model = Model((Layer([[-0.0, 5e-324], [1e-300, -1.7976931348623157e308]], [2.2250738585072014e-308, 1e-5],
                         "identity"),))
    config = imported_config(export_file(tmp_path, model, "mse", ".onnx"), tmp_path / "back.yaml")
    assert bits(config.model) == bits(model)


def test_a_bias_input_other_than_1_comes_back_exactly(tmp_path):
    # The tensors hold bias × bias input; the metadata holds pencilnet's biases, so that 0.9 comes back as
    # 0.9, where dividing back would not always give it: 0.9 × 0.3 = 0.27, and 0.27 / 0.3 = 0.9000000000000001.
    model = Model((Layer([[1.0], [2.0]], [0.9], "identity"),), bias_input=0.3)
    path = export_file(tmp_path, model, "mse", ".safetensors")
    config = imported_config(path, tmp_path / "back.yaml")
    assert bits(config.model) == bits(model)
    tensors = safetensors_numpy.load_file(path)
    assert tensors["0.bias"].tolist() == [0.27]
    # Without pencilnet's biases (a tool rewrote the file), the import divides back: the same sums.
    safetensors_numpy.save_file(tensors, path, {"pencilnet.activations": "identity", "pencilnet.bias_input": "0.3"})
    config = imported_config(path, tmp_path / "back.yaml")
    assert config.model.bias_input == 0.3 and config.model.layers[0].biases.tolist() == [0.9000000000000001]
    x = np.array([[0.7, -1.1]])
    assert forward(config.model, x).output.tolist() == forward(model, x).output.tolist()


def test_a_bias_input_of_0_without_pencilnets_biases_keeps_what_each_node_adds(tmp_path):
    path = tmp_path / "zero.safetensors"
    safetensors_numpy.save_file({"0.weight": np.ones((1, 2)), "0.bias": np.zeros(1)}, str(path),
                                {"pencilnet.activations": "identity", "pencilnet.bias_input": "0.0"})
    text = interop.import_config(str(path), None).text
    header = " ".join(line.removeprefix("# ") for line in text.splitlines() if line.startswith("#"))
    assert ("Note: the exporting config had a bias input of 0.0; the biases here are what each node adds, "
            "bias × bias input, with a bias input of 1.") in header
    config = parse(text, "back.yaml")
    assert config.model.bias_input == 1.0 and config.model.layers[0].biases.tolist() == [0.0]


# ── import: what PyTorch and other tools write ──────────────────────────────────────────────

def test_a_plain_pytorch_state_dict_takes_activations_from_the_option(tmp_path):
    rng = np.random.default_rng(3)
    tensors = {"0.weight": rng.normal(size=(4, 3)).astype(np.float32), "0.bias": rng.normal(size=4).astype(np.float32),
               "2.weight": rng.normal(size=(4, 4)), "2.bias": rng.normal(size=4),
               "4.weight": rng.normal(size=(2, 4)), "4.bias": rng.normal(size=2)}
    path = tmp_path / "plain.safetensors"
    safetensors_numpy.save_file(tensors, str(path))  # no metadata, as torch's save_file(model.state_dict()) writes
    with pytest.raises(InputError, match="no activations in its metadata: give them with --activation"):
        interop.import_config(str(path), str(tmp_path / "out.yaml"))
    config = imported_config(str(path), tmp_path / "out.yaml", activations=["tanh", "relu", "softmax"],
                             loss="cross_entropy")
    assert [layer.activation for layer in config.model.layers] == ["tanh", "relu", "softmax"]
    assert config.model.sizes == [3, 4, 4, 2] and config.loss == "cross_entropy"
    assert config.model.layers[0].weights.tolist() == tensors["0.weight"].astype(np.float64).T.tolist()
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(forward(config.model, x).output,
                               torch_style_forward(tensors, ["tanh", "relu", "softmax"], x), rtol=0, atol=1e-13)
    with pytest.raises(InputError, match=r"--activation: expected 3 activation names, one per Linear layer "
                                         r"\(0.weight, 2.weight, 4.weight\), found 2"):
        interop.import_config(str(path), None, activations=["tanh", "relu"])


def test_layers_are_ordered_by_their_numbers_and_a_missing_bias_is_zero(tmp_path):
    # Sorted as text, "10" would come before "2"; and Linear(bias=False) has no bias tensor.
    tensors = {f"{k}.weight": np.full((1, 1), float(k + 1)) for k in (0, 2, 4, 6, 8, 10)}
    path = tmp_path / "deep.safetensors"
    safetensors_numpy.save_file(tensors, str(path))
    imported = interop.read_network(str(path), ["identity"] * 6)
    assert [layer.weights.item() for layer in imported.model.layers] == [1, 3, 5, 7, 9, 11]
    assert all(layer.biases.tolist() == [0.0] for layer in imported.model.layers)


@pytest.mark.parametrize("keys, message", [
    (["fc1", "fc2", "out"], "tensor 'out.weight': expected a number in its name that gives its place among the layers"),
    (["encoder.0", "decoder.0"], "tensor 'decoder.0.weight': expected a number in its name that gives its place "
                                 "among the layers (0.weight, 2.weight, … as nn.Sequential names them), found the "
                                 "same numbers as 'encoder.0.weight'"),
])
def test_layers_whose_order_their_names_do_not_tell_are_refused(tmp_path, keys, message):
    # Square layers would chain in either order: a guess could give a wrong network that loads.
    path = tmp_path / "named.safetensors"
    safetensors_numpy.save_file({f"{key}.weight": np.eye(2) for key in keys}, str(path))
    with pytest.raises(InputError, match=re.escape(message)):
        interop.read_network(str(path), ["tanh"] * len(keys))


def test_equal_biases_stay_per_node_unless_the_metadata_says_shared(tmp_path):
    model, loss = MODELS[-1]
    path = export_file(tmp_path, model, loss, ".safetensors")
    tensors = safetensors_numpy.load_file(path)
    plain = tmp_path / "plain.safetensors"
    safetensors_numpy.save_file(tensors, str(plain), {"pencilnet.activations": "tanh,sigmoid"})
    layers = interop.read_network(str(plain)).model.layers
    assert not layers[0].shared_bias and layers[0].biases.tolist() == [0.25, 0.25, 0.25]
    # Trained on in PyTorch, the values drift apart: per node then, and the config says why.
    tensors["0.bias"][1] = 0.3
    drifted = tmp_path / "drifted.safetensors"
    safetensors_numpy.save_file(tensors, str(drifted), {"pencilnet.activations": "tanh,sigmoid",
                                                        "pencilnet.bias": "shared,shared"})
    text = interop.import_config(str(drifted), None).text
    assert "# Note: 0.weight: its bias was shared when exported, but its values differ now: one per node." in text
    layers = parse(text, "x.yaml").model.layers
    assert layers[0].biases.tolist() == [0.25, 0.3, 0.25] and layers[1].shared_bias


def onnx_file(tmp_path, nodes, initializers, inputs=2, outputs=2, opset=17, name="graph.onnx") -> str:
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("in", TensorProto.DOUBLE, ["N", inputs])],
                              [helper.make_tensor_value_info("out", TensorProto.DOUBLE, ["N", outputs])],
                              [numpy_helper.from_array(np.asarray(v, dtype=np.float64), k)
                               for k, v in initializers.items()])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    proto.ir_version = 8
    path = tmp_path / name
    path.write_bytes(proto.SerializeToString())
    return str(path)


def test_an_onnx_graph_of_matmul_add_and_gemm_in_either_layout(tmp_path):
    W1, b1 = [[0.1, 0.2], [0.12, 0.17]], [0.8, 0.25]  # the article's numbers, (sources, targets)
    W2T, b2 = [[0.05, 0.33], [0.4, 0.07]], [[0.15, 0.7]]  # transposed, as torch exports them; a (1, 2) bias
    path = onnx_file(tmp_path, [
        helper.make_node("MatMul", ["in", "W1"], ["a"], name="first"),
        helper.make_node("Add", ["b1", "a"], ["b"]),  # the bias on either side
        helper.make_node("Sigmoid", ["b"], ["c"]),
        helper.make_node("Identity", ["c"], ["d"]),  # no layer of its own
        helper.make_node("Gemm", ["d", "W2T", "b2"], ["e"], transB=1, name="second"),
        helper.make_node("Softmax", ["e"], ["out"], axis=1),
    ], {"W1": W1, "b1": b1, "W2T": W2T, "b2": b2})
    imported = interop.read_network(path)
    layers = imported.model.layers
    assert [layer.weights.tolist() for layer in layers] == [W1, [[0.05, 0.4], [0.33, 0.07]]]
    assert [layer.biases.tolist() for layer in layers] == [b1, [0.15, 0.7]]
    assert [layer.activation for layer in layers] == ["sigmoid", "softmax"]
    assert imported.keys == ["MatMul first", "Gemm second"] and imported.loss == "half_sse"
    assert imported.classes is None and imported.name == "Imported from graph.onnx"


def test_linear_layers_in_a_row_pass_net_on_as_it_is(tmp_path):
    path = onnx_file(tmp_path, [helper.make_node("Gemm", ["in", "W"], ["a"]),  # no bias, transB=0
                                helper.make_node("Gemm", ["a", "V", "c"], ["out"], transB=0)],
                     {"W": [[1.0, 2.0], [3.0, 4.0]], "V": [[0.5, 0.0], [0.0, 0.5]], "c": [1.0]})
    layers = interop.read_network(path).model.layers
    assert [layer.activation for layer in layers] == ["identity", "identity"]
    assert layers[0].biases.tolist() == [0.0, 0.0] and layers[1].biases.tolist() == [1.0, 1.0]  # one value broadcast


def expect_refusal(cli, tmp_path, path, message: str, *options):
    result = cli("import", path, "--out", tmp_path / "out.yaml", *options)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"pencilnet: error: {path}"), result.stderr
    assert message in lines[0], lines[0]
    assert not (tmp_path / "out.yaml").exists()
    return lines[0]


@pytest.mark.parametrize("node, message", [
    (helper.make_node("Elu", ["a"], ["out"], name="act"), "node 'act' (Elu): pencilnet cannot express it"),
    (helper.make_node("Softmax", ["a"], ["out"], axis=0, name="sm"), "node 'sm' (Softmax): expected softmax over each "
                                                                     "sample's outputs (axis -1), found axis 0"),
    (helper.make_node("Mul", ["a", "a"], ["out"], name="sq"), "node 'sq' (Mul): pencilnet cannot express it"),
])
def test_an_onnx_node_pencilnet_cannot_express_is_refused_by_name(cli, tmp_path, node, message):
    path = onnx_file(tmp_path, [helper.make_node("MatMul", ["in", "W"], ["a"]), node], {"W": np.eye(2)})
    expect_refusal(cli, tmp_path, path, message)


def test_an_onnx_branch_is_refused(cli, tmp_path):
    path = onnx_file(tmp_path, [helper.make_node("MatMul", ["in", "W"], ["a"], name="m"),
                                helper.make_node("Sigmoid", ["a"], ["s"], name="s"),
                                helper.make_node("Add", ["s", "a"], ["out"], name="skip")], {"W": np.eye(2)})
    expect_refusal(cli, tmp_path, path, "node 'skip' (Add): expected a node on the one path from the input")


def test_softmax_inside_the_network_is_refused(cli, tmp_path):
    path = onnx_file(tmp_path, [helper.make_node("MatMul", ["in", "W"], ["a"], name="m"),
                                helper.make_node("Softmax", ["a"], ["s"]),
                                helper.make_node("MatMul", ["s", "W"], ["out"])], {"W": np.eye(2)})
    expect_refusal(cli, tmp_path, path, "layer 'MatMul m': expected softmax on the output layer only")


def test_a_wrong_shape_is_refused(cli, tmp_path):
    tensors = {"0.weight": np.ones((3, 2)), "0.bias": np.ones(3), "2.weight": np.ones((2, 4)), "2.bias": np.ones(2)}
    path = tmp_path / "wrong.safetensors"
    safetensors_numpy.save_file(tensors, str(path))
    expect_refusal(cli, tmp_path, str(path), "tensor '2.weight': expected 3 sources, one per node of '0.weight', "
                                             "found 4", "--activation", "tanh,tanh")
    tensors["2.weight"], tensors["2.bias"] = np.ones((2, 3)), np.ones(3)
    safetensors_numpy.save_file(tensors, str(path))
    expect_refusal(cli, tmp_path, str(path), "tensor '2.bias': expected shape (2,), one per row of '2.weight', "
                                             "found (3,)", "--activation", "tanh,tanh")
    gemm = onnx_file(tmp_path, [helper.make_node("Gemm", ["in", "W", "b"], ["out"], name="g")],
                     {"W": np.ones((2, 2)), "b": np.ones(3)})
    expect_refusal(cli, tmp_path, gemm, "node 'g' (Gemm): tensor 'b': expected a bias of 2 values, one per node, "
                                        "found shape (3,)")


@pytest.mark.parametrize("tensors, message", [
    ({"0.weight": np.ones((2, 2)), "1.running_mean": np.ones(2)},
     "tensor '1.running_mean': expected the weight or bias of a Linear layer"),
    ({"0.weight": np.ones((2, 2), dtype=np.int64)}, "tensor '0.weight': expected float16, float32 or float64 "
                                                    "numbers, found I64"),
    ({"0.weight": np.ones(2)}, "tensor '0.weight': expected a Linear layer's 2-D weight (targets, sources), "
                               "found shape (2,)"),
    ({"0.bias": np.ones(2)}, "tensor '0.bias': expected it beside a '0.weight', found none"),
    ({"0.weight": np.array([[1.0, np.nan]])}, "layer '0.weight': expected finite weights, found nan"),
])
def test_a_state_dict_pencilnet_cannot_express_is_refused_by_tensor(cli, tmp_path, tensors, message):
    path = tmp_path / "bad.safetensors"
    safetensors_numpy.save_file(tensors, str(path))
    expect_refusal(cli, tmp_path, str(path), message, "--activation", "sigmoid")


@pytest.mark.parametrize("suffix", interop.FORMATS)
@pytest.mark.parametrize("keep", [0, 5, 0.5, -1])
def test_a_truncated_file_is_one_line_and_exit_2(cli, tmp_path, article, suffix, keep):
    whole = (tmp_path / "whole").with_suffix(suffix)
    whole.write_bytes((interop.safetensors_bytes if suffix == ".safetensors" else interop.onnx_bytes)(
        article.model, "half_sse", ["a", "b"], "n"))
    data = whole.read_bytes()
    cut = tmp_path / f"cut{suffix}"
    cut.write_bytes(data[:int(len(data) * keep) if isinstance(keep, float) else keep])
    line = expect_refusal(cli, tmp_path, str(cut), "")
    assert "not a" in line  # "not a safetensors file, or a truncated one…", "not a readable ONNX model…"


def test_garbage_and_hostile_headers_are_one_line(cli, tmp_path):
    path = tmp_path / "huge.safetensors"
    path.write_bytes((2**62).to_bytes(8, "little") + b"{}")  # a header longer than the file
    expect_refusal(cli, tmp_path, str(path), "its header is incomplete")
    header = json.dumps({"0.weight": {"dtype": "F64", "shape": [10**6, 10**6], "data_offsets": [0, 8]}}).encode()
    path.write_bytes(len(header).to_bytes(8, "little") + header + bytes(8))
    expect_refusal(cli, tmp_path, str(path), "expected at most 2,000,000 parameters, found 1,000,000,000,000")
    header = b"[1, 2]"
    path.write_bytes(len(header).to_bytes(8, "little") + header)
    expect_refusal(cli, tmp_path, str(path), "its header is not a mapping")
    onnx_path = tmp_path / "junk.onnx"
    onnx_path.write_bytes(b"\xff" * 100)
    expect_refusal(cli, tmp_path, str(onnx_path), "not a readable ONNX model")


def test_a_file_larger_than_the_cap_is_not_read(cli, tmp_path, monkeypatch):
    from pencilnet.io.interop import common

    monkeypatch.setattr(common, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.onnx"
    path.write_bytes(bytes(1001))
    expect_refusal(cli, tmp_path, str(path), "expected a file of at most 1,000 bytes, found 1,001 bytes")


def test_names_from_the_file_cannot_break_the_message_or_the_config(cli, tmp_path):
    path = onnx_file(tmp_path, [helper.make_node("MatMul", ["in", "W"], ["a"], name="m\nsamples: []"),
                                helper.make_node("Elu", ["a"], ["out"], name="bad\n\x1b[31mred")],
                     {"W": np.eye(2)})
    expect_refusal(cli, tmp_path, path, "node 'bad??[31mred' (Elu): pencilnet cannot express it")
    path = onnx_file(tmp_path, [helper.make_node("MatMul", ["in", "W"], ["out"], name="m\nsamples: []")],
                     {"W": np.eye(2)})
    text = interop.import_config(path, None).text
    assert "from MatMul m?samples: []" in text and parse(text, "x.yaml").train_inputs.tolist() == [[0.5, 0.5]]


def test_an_onnx_input_of_the_wrong_width_is_refused(cli, tmp_path):
    path = onnx_file(tmp_path, [helper.make_node("MatMul", ["in", "W"], ["out"])], {"W": np.eye(2)}, inputs=3)
    expect_refusal(cli, tmp_path, path, "input 'in': expected 2 values per sample, one per row of the first weight "
                                        "matrix, found 3")


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_waiting_on_it(cli, tmp_path):
    import os

    path = tmp_path / "pipe.onnx"
    os.mkfifo(path)
    expect_refusal(cli, tmp_path, str(path), "expected a file, found a special file")


def test_onnx_weights_in_another_file_are_refused(cli, tmp_path):
    path = onnx_file(tmp_path, [helper.make_node("MatMul", ["in", "W"], ["out"])], {"W": np.eye(2)})
    proto = onnx.load(path)
    tensor = proto.graph.initializer[0]
    tensor.data_location = TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "/etc/passwd"
    tensor.ClearField("raw_data")
    with open(path, "wb") as stream:
        stream.write(proto.SerializeToString())
    expect_refusal(cli, tmp_path, path, "")


def test_metadata_that_contradicts_itself_is_refused(cli, tmp_path):
    path = tmp_path / "meta.safetensors"
    tensors = {"0.weight": np.ones((2, 2)), "0.bias": np.ones(2)}
    for meta, message in [({"pencilnet.activations": "gelu"}, "metadata pencilnet.activations: expected "
                                                             "activations among sigmoid"),
                          ({"pencilnet.activations": "tanh", "pencilnet.loss": "hinge"},
                           "metadata pencilnet.loss: expected one of half_sse"),
                          ({"pencilnet.activations": "tanh", "pencilnet.classes": '["a"]'},
                           "metadata pencilnet.classes: expected a JSON list of 2 distinct class names"),
                          ({"pencilnet.activations": "tanh", "pencilnet.bias_input": "nan"},
                           "metadata pencilnet.bias_input: expected a finite number, found 'nan'")]:
        safetensors_numpy.save_file(tensors, str(path), meta)
        expect_refusal(cli, tmp_path, str(path), message)


@pytest.mark.parametrize("package, command", [("onnx", "export"), ("safetensors.numpy", "import")])
def test_a_missing_package_names_the_extra(cli, tmp_path, monkeypatch, article, package, command):
    import sys

    path = tmp_path / "net.safetensors"
    path.write_bytes(interop.safetensors_bytes(article.model, "half_sse", ["a", "b"], "n"))
    monkeypatch.setitem(sys.modules, package, None)  # what `import` finds when a package is not installed
    if command == "export":
        result = cli("export", "--out", tmp_path / "net.onnx")
        expected = "pencilnet: error: export to .onnx needs onnx: pip install 'pencilnet[interop]'\n"
    else:
        result = cli("import", path)
        expected = "pencilnet: error: import from .safetensors needs safetensors: pip install 'pencilnet[interop]'\n"
    assert result.exit_code == 2 and result.stderr == expected


# ── the commands ────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("suffix", interop.FORMATS)
def test_export_then_import_gives_a_config_every_command_accepts(cli, tmp_path, suffix):
    exported, config = tmp_path / f"article{suffix}", tmp_path / "back.yaml"
    result = cli("export", "--out", exported)
    assert result.exit_code == 0 and result.stderr == f"pencilnet: wrote {exported}\n"
    result = cli("import", exported, "--out", config)
    assert result.exit_code == 0 and result.stderr == f"pencilnet: wrote {config}\n", result.output
    text = config.read_text()
    assert "# the output layer: y1, y2, from " in text and "# a placeholder" in text
    assert "weights:   # 2 rows (x1, x2) of 2 columns (h1, h2): w1 … w4" in text
    commands = ("forward", "error", "backprop", "step", "walkthrough", "summary", "diagram", "train", "gradcheck")
    for command in commands if suffix == ".onnx" else ("forward",):  # the same config text from either file
        result = cli(command, config)
        assert result.exit_code == 0, (command, result.output)
    # The article's sample, given here by --set, gives the article's gradients: ∂E/∂w5 = 0.1005 (printed).
    result = cli("backprop", config, "--json", "--set", "samples[0].inputs=[0.15, 0.35]",
                 "--set", "samples[0].target=[0, 1]")
    expected = json.loads(cli("backprop", "--json").stdout)
    assert json.loads(result.stdout)["gradients"] == expected["gradients"]
    assert round(expected["gradients"]["w5"], 4) == 0.1005


def test_import_with_data_attaches_the_dataset(cli, tmp_path):
    data = tmp_path / "data" / "points.csv"
    data.parent.mkdir()
    data.write_text("a,b,label\n0.15,0.35,tomato\n0.9,0.1,red apple\n")
    exported = tmp_path / "article.onnx"
    assert cli("export", "--out", exported).exit_code == 0
    out = tmp_path / "configs" / "net.yaml"
    out.parent.mkdir()
    result = cli("import", exported, "--out", out, "--data", data)
    assert result.exit_code == 0, result.output
    assert "train: ../data/points.csv" in out.read_text() and "placeholder" not in out.read_text()
    forward = json.loads(cli("forward", out, "--json").stdout)
    assert round(forward["out"]["y2"], 4) == 0.7353  # the article's sample, now from the CSV
    wrong = tmp_path / "three.csv"
    wrong.write_text("a,b,c,label\n1,2,3,tomato\n")
    result = cli("import", exported, "--out", tmp_path / "no.yaml", "--data", wrong)
    assert result.exit_code == 2 and "a dataset of 2 features" in result.stderr
    assert not (tmp_path / "no.yaml").exists()


def test_import_without_out_prints_the_config(cli, tmp_path):
    exported = tmp_path / "article.safetensors"
    cli("export", "--out", exported)
    result = cli("import", exported)
    assert result.exit_code == 0 and result.stdout.startswith("# A 2-2-2 network imported by pencilnet")
    assert parse(result.stdout, "stdout").model.layers[1].weights.tolist() == [[0.05, 0.4], [0.33, 0.07]]


def test_writing_commands_keep_an_existing_file_unless_forced(cli, tmp_path):
    exported = tmp_path / "a.onnx"
    exported.write_text("keep me")
    result = cli("export", "--out", exported)
    assert result.exit_code == 2 and result.stderr == f"pencilnet: error: {exported}: already exists; " \
                                                      "--force replaces it\n"
    assert exported.read_text() == "keep me"
    assert cli("export", "--out", exported, "--force").exit_code == 0 and onnx.load(str(exported))


def test_an_unknown_format_is_refused(cli, tmp_path):
    result = cli("export", "--out", tmp_path / "net.pt")
    assert result.exit_code == 2
    assert result.stderr == f"pencilnet: error: --out: expected a file ending .safetensors or .onnx, found " \
                            f"'{tmp_path / 'net.pt'}'\n"
    result = cli("import", tmp_path / "net.pkl")
    assert result.exit_code == 2 and "FILE: expected a file ending .safetensors or .onnx" in result.stderr


def test_float32_export_reads_back_as_the_rounded_numbers(cli, tmp_path):
    exported = tmp_path / "a.safetensors"
    assert cli("export", "--out", exported, "--float32").exit_code == 0
    tensors = safetensors_numpy.load_file(str(exported))
    assert tensors["0.weight"].dtype == np.float32
    config = imported_config(str(exported), tmp_path / "b.yaml")
    assert config.model.layers[0].weights[0, 0] == float(np.float32(0.1)) != 0.1


def test_the_docs_pytorch_example_gives_pencilnets_gradients(cli, tmp_path, monkeypatch):
    """The docs' lines, run as they are where PyTorch is installed (pencilnet's tests do not need it)."""
    import os
    import subprocess
    import sys

    pytest.importorskip("torch")
    from helpers import ROOT

    section = (ROOT / "docs" / "interop.md").read_text(encoding="utf-8")
    code = section[section.index("```python\n") + 10:]
    code = code[:code.index("```")]
    assert cli("export", "--out", tmp_path / "article.safetensors").exit_code == 0
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env={**os.environ, "PATH": path}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 1e-15


def test_files_pytorch_wrote_import_and_give_pytorchs_outputs(tmp_path):
    # tests/io/pytorch/ holds what PyTorch 2.13 wrote for
    #     torch.manual_seed(0)
    #     model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2),
    #                           nn.Softmax(dim=-1))
    #     safetensors.torch.save_file(model.state_dict(), "sequential.safetensors")
    #     torch.onnx.export(model, (x,), "sequential.onnx", input_names=["x"], output_names=["y"], dynamo=False,
    #                       dynamic_axes={"x": {0: "N"}})
    # and PyTorch's own outputs (float32) for these inputs:
    x = [[-0.6859184503555298, -1.5051417350769043, 0.25498273968696594],
         [1.8042484521865845, -0.450237512588501, -0.48303207755088806],
         [0.6577075719833374, 0.9386566877365112, 1.1317306756973267],
         [-0.6454730033874512, -1.7702915668487549, 0.21427294611930847]]
    y = [[0.5175198912620544, 0.48248013854026794], [0.5326100587844849, 0.4673900008201599],
         [0.5323792099952698, 0.4676207900047302], [0.515212893486023, 0.48478710651397705]]
    from helpers import ROOT

    folder = ROOT / "tests" / "io" / "pytorch"
    from_onnx = imported_config(str(folder / "sequential.onnx"), tmp_path / "a.yaml")
    from_state = imported_config(str(folder / "sequential.safetensors"), tmp_path / "b.yaml",
                                 activations=["tanh", "relu", "softmax"])
    assert bits(from_onnx.model) == bits(from_state.model)
    assert [layer.activation for layer in from_onnx.model.layers] == ["tanh", "relu", "softmax"]
    np.testing.assert_allclose(forward(from_onnx.model, np.array(x)).output, y, rtol=0, atol=1e-6)


@pytest.mark.parametrize("suffix", interop.FORMATS)
def test_damaged_files_are_read_or_refused_in_one_line(suffix):
    """Bytes flipped, cut out or repeated anywhere in an exported file: the import either reads a network
    that loads as a config, or raises the tool's own error of one line; never anything else."""
    model, loss = MODELS[0]
    whole = interop.safetensors_bytes(model, loss, ["a", "b"], "n") if suffix == ".safetensors" else \
        interop.onnx_bytes(model, loss, ["a", "b"], "n")
    rng = np.random.default_rng(7)  # among its 700 cases: a tensor of an unknown type, metadata not UTF-8
    outcomes = set()
    for _ in range(700):
        data = bytearray(whole)
        at = int(rng.integers(len(data)))
        kind = int(rng.integers(3))
        if kind == 0:
            data[at] = int(rng.integers(256))
        elif kind == 1:
            del data[at:at + int(rng.integers(1, 16))]
        else:
            data[at:at] = data[at:at + int(rng.integers(1, 16))]
        try:
            parse(interop.imported_text(interop.network_of(bytes(data), suffix, "damaged"), "damaged"), "x.yaml")
            outcomes.add("read")
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc).startswith("damaged: "), str(exc)
            outcomes.add("refused")
    assert outcomes == {"read", "refused"}  # the damage reached both the numbers and the structure
