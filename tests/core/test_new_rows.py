"""leaky_relu and softplus, each added as one row: against hand calculations (in the comments),
finite differences, and in every place a row reaches (the stage tables, pencil arithmetic,
gradcheck, the NumPy and compiled training loops, publish, the diagram, ONNX and safetensors)."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from helpers import analytic_gradient, commands_in_one_process, numeric_gradient

from pencilnet.core.activations import ACTIVATIONS, activation_of
from pencilnet.core.arithmetic import Pencil
from pencilnet.core.gradcheck import gradcheck
from pencilnet.core.model import Layer, Model, flatten
from pencilnet.core.stages import backprop, forward
from pencilnet.training import loop
from pencilnet.training.loop import Schedule, train

NEW = ["leaky_relu", "leaky_relu(slope=0.2)", "softplus"]


def test_leaky_relu_by_hand():
    # slope 0.01 by default: out = net above 0, 0.01 × net below; ∂out/∂net = 1 or 0.01 (from out's sign).
    row = ACTIVATIONS["leaky_relu"]
    assert row.function(np.array([-2.0, 0.0, 3.0])).tolist() == [-0.02, 0.0, 3.0]
    assert row.derivative(np.array([-0.02, 0.0, 3.0])).tolist() == [0.01, 0.01, 1.0]
    # slope 0.2: net −2.5 → −0.5; the slope shows in the names tables and documents write
    steep = activation_of("leaky_relu(slope=0.2)")
    assert steep.function(np.array([-2.5])).tolist() == [-0.5] and steep.derivative(np.array([-0.5])).tolist() == [0.2]
    assert steep.derivative_formula == "1 if out > 0 else 0.2" and steep.settings == {"slope": 0.2}
    assert activation_of("leaky_relu(slope=0.01)").name == "leaky_relu"  # the default is the plain name
    for wrong in ("leaky_relu(slope=-1)", "leaky_relu(alpha=1)", "tanh(slope=1)", "leaky_relu(slope=x)"):
        with pytest.raises(ValueError):
            activation_of(wrong)


def test_softplus_by_hand():
    # out = ln(1 + e^net): net 0 → ln 2 = 0.693147…; net 2 → ln(1 + 7.389056) = 2.126928.
    # ∂out/∂net = σ(net) = 1 − e^(−out): at out = ln 2, 1 − 1/2 = 0.5; at net 2, σ(2) = 0.880797.
    row = ACTIVATIONS["softplus"]
    out = row.function(np.array([0.0, 2.0, -800.0, 800.0]))
    assert out[:2] == pytest.approx([math.log(2), 2.126928], rel=1e-6)
    assert out[2] == 0.0 and out[3] == 800.0  # no overflow at either end
    assert row.derivative(out[:2]) == pytest.approx([0.5, 0.880797], rel=1e-6)


@pytest.mark.parametrize("name", NEW)
def test_backprop_agrees_with_finite_differences(name):
    rng = np.random.default_rng(3)
    model = Model((Layer(rng.normal(size=(3, 4)), rng.normal(size=4), name), Layer(rng.normal(size=(4, 2)),
                                                                                 rng.normal(size=2), "sigmoid")))
    x, t = rng.normal(size=3), np.array([0.0, 1.0])
    np.testing.assert_allclose(analytic_gradient(model, x, t, "half_sse"), numeric_gradient(model, x, t, "half_sse"),
                               rtol=1e-6, atol=1e-9)
    assert gradcheck(model, x, t, "half_sse").passed


def test_a_leaky_relu_output_layer_by_hand():
    # One input x = 2, w1 = −1, bw1 = 0.5, slope 0.2: net = −1.5, out = −0.3; half_sse with target 0:
    # ∂E/∂out = out − t = −0.3, ∂out/∂net = 0.2, ∂E/∂net = −0.06, ∂E/∂w1 = −0.06 × 2 = −0.12, ∂E/∂bw1 = −0.06.
    model = Model((Layer([[-1.0]], [0.5], "leaky_relu(slope=0.2)"),))
    grads = backprop(model, forward(model, np.array([2.0])), np.array([0.0]), "half_sse")
    assert grads.layers[0].weights[0, 0] == pytest.approx(-0.12) and grads.layers[0].biases[0] == pytest.approx(-0.06)


@pytest.mark.parametrize("name", NEW)
def test_pencil_arithmetic_rounds_the_new_rows(name):
    model = Model((Layer([[0.3, -0.7]], [0.1, -0.2], name), Layer([[0.5], [0.25]], [0.0], "identity")))
    trace = forward(model, np.array([1.0]), Pencil(4))
    for layer in trace.layers:  # every carried number at 4 places
        assert np.array_equal(layer.out, np.round(layer.out, 4))


def fitted(name: str, compiled: bool, monkeypatch, size: int = 1):
    monkeypatch.setenv("PENCILNET_NUMBA", "1" if compiled else "0")
    monkeypatch.setattr(loop, "COMPILED_FROM", 0 if compiled else 10**12)
    rng = np.random.default_rng(5)
    model = Model((Layer(rng.normal(size=(2, 3)), rng.normal(size=3), name), Layer(rng.normal(size=(3, 1)),
                                                                                 [0.0], "identity")))
    xs = rng.normal(size=(20, 2))
    ts = xs[:, :1] * 0.5 - xs[:, 1:] * 0.25
    return model, xs, ts, train(model, xs, ts, Schedule(0.05, 30, size), "mse")


@pytest.mark.parametrize("name", NEW)
def test_the_numpy_loop_is_the_stages(name, monkeypatch):
    model, xs, ts, history = fitted(name, False, monkeypatch)
    stages = train(model, xs, ts, Schedule(0.05, 30, 1), "mse", Pencil(15))  # the recorded stages, rounded finely
    np.testing.assert_allclose(flatten(history.model), flatten(stages.model), rtol=0, atol=1e-9)
    assert history.errors[-1] < history.errors[0] / 2  # it learns
    _, _, _, batches = fitted(name, False, monkeypatch, size=4)
    assert np.isfinite(flatten(batches.model)).all()


@pytest.mark.parametrize("name", NEW)
def test_the_compiled_loop_gives_the_numpy_loops_numbers(name, monkeypatch):
    pytest.importorskip("numba")
    *_, numpy_run = fitted(name, False, monkeypatch)
    *_, compiled_run = fitted(name, True, monkeypatch)
    np.testing.assert_allclose(flatten(compiled_run.model), flatten(numpy_run.model), rtol=0, atol=1e-12)


def pencilnet(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pencilnet", *args], capture_output=True, text=True, timeout=120,
                          input=stdin)


SETTINGS = ["--set", "layers[0].activation={name: leaky_relu, slope: 0.2}", "--set", "layers[1].activation=softplus"]


def test_every_stage_command_and_gradcheck_take_them():
    for command in ("forward", "error", "backprop", "step", "walkthrough"):
        for arithmetic in ("--exact", "--pencil=4"):
            found = pencilnet(command, arithmetic, *SETTINGS)
            assert found.returncode == 0, (command, found.stderr)
    found = pencilnet("gradcheck", *SETTINGS)
    assert found.returncode == 0, found.stderr
    table = pencilnet("backprop", *SETTINGS).stdout
    assert "1 if out > 0 else 0.2" in table and "1 − e^(−out)" in table


def test_train_saves_the_slope_and_reads_it_back(tmp_path):
    saved = tmp_path / "saved.yaml"
    found, again = commands_in_one_process(["train", "--epochs", "3", "--save", str(saved), *SETTINGS],
                                           ["forward", "--json", str(saved)], timeout=120)
    assert found.returncode == 0, found.stderr
    assert again.returncode == 0, again.stderr
    import pencilnet as api

    assert [layer.activation for layer in api.load(str(saved)).model.layers] == ["leaky_relu(slope=0.2)", "softplus"]


@pytest.mark.parametrize("kind", ["md", "html", "tex"])
def test_publish_writes_their_formulas(tmp_path, kind):
    out = tmp_path / f"doc.{kind}"
    found = pencilnet("publish", "--out", str(out), *SETTINGS)
    assert found.returncode == 0, found.stderr
    text = out.read_text()
    assert "leaky" in text and "0.2" in text and ("ln" in text)


def test_onnx_and_safetensors_carry_them_and_onnxruntime_computes_them(tmp_path):
    pytest.importorskip("onnxruntime")
    import onnxruntime

    from pencilnet.io import interop

    rng = np.random.default_rng(9)
    model = Model((Layer(rng.normal(size=(3, 4)), rng.normal(size=4), "leaky_relu(slope=0.2)"),
                   Layer(rng.normal(size=(4, 3)), rng.normal(size=3), "softplus"),
                   Layer(rng.normal(size=(3, 2)), rng.normal(size=2), "leaky_relu")))
    classes = ["a", "b"]
    onnx_path = tmp_path / "net.onnx"
    # onnxruntime computes Softplus in float32 only (it has no float64 kernel for it): the float32 export runs there.
    onnx_path.write_bytes(interop.onnx_bytes(model, "mse", classes, "new rows", True))
    session = onnxruntime.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    x = rng.normal(size=(7, 3))
    np.testing.assert_allclose(session.run(["y"], {"x": x.astype(np.float32)})[0], forward(model, x).output, rtol=0,
                               atol=1e-5)
    onnx_path.write_bytes(interop.onnx_bytes(model, "mse", classes, "new rows", False))  # float64 for the round trip
    import onnx

    nodes = {node.op_type: node for node in onnx.load(str(onnx_path)).graph.node}
    assert {"LeakyRelu", "Softplus"} <= set(nodes)
    safetensors_path = tmp_path / "net.safetensors"
    safetensors_path.write_bytes(interop.safetensors_bytes(model, "mse", classes, "new rows", False))
    from safetensors import safe_open

    with safe_open(str(safetensors_path), "np") as opened:
        meta = opened.metadata()
    assert json.loads(meta["pencilnet.torch_modules"]) == [
        "torch.nn.LeakyReLU(negative_slope=0.2)", "torch.nn.Softplus()", "torch.nn.LeakyReLU(negative_slope=0.01)"]
    for path in (onnx_path, safetensors_path):  # import brings each layer's activation back, slope and all
        found = pencilnet("import", str(path), "--out", str(tmp_path / f"{path.suffix[1:]}.yaml"))
        assert found.returncode == 0, found.stderr
        import pencilnet as api

        back = api.load(str(tmp_path / f"{path.suffix[1:]}.yaml")).model
        assert [layer.activation for layer in back.layers] == ["leaky_relu(slope=0.2)", "softplus", "leaky_relu"]
        np.testing.assert_array_equal(flatten(back), flatten(model))


def test_the_diagram_names_them():
    names = ("softplus", "leaky_relu")
    drawn = commands_in_one_process(*[["diagram", "--set", f"layers[0].activation={name}", "--set",
                                       f"layers[1].activation={name}"] for name in names], timeout=120)
    for name, found in zip(names, drawn, strict=True):
        assert found.returncode == 0, found.stderr
        assert f"out = {name}(net)" in found.stdout
