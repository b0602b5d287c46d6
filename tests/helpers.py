"""What many tests share: the repository's root, independent gradient oracles, random
networks, the cases that cover every activation and loss, and a renderable as plain text."""

import io
import itertools
import os
from pathlib import Path

import numpy as np
import pytest

from pencilnet.core.model import Layer, Model, flatten, unflatten
from pencilnet.core.stages import backprop, chain, error, forward

ROOT = Path(__file__).resolve().parents[1]

# Every variant of every test, and long samples of the randomized ones: in CI (CI=true) or with
# PENCILNET_THOROUGH=1. Locally the suite keeps one representative of each slow kind, to stay
# quick; tests marked `thorough` are the others (see conftest.py).
THOROUGH = bool(os.environ.get("CI") or os.environ.get("PENCILNET_THOROUGH"))


def thorough_beyond(cases: list, *kept: int) -> list:
    """`cases` as parameters of a test, all but those at the indices `kept` marked `thorough`."""
    return [case if index in kept else pytest.param(case, marks=pytest.mark.thorough)
            for index, case in enumerate(cases)]


def every_combination(*axes: list) -> list:
    """Every combination of one value from each axis, as parameters of a test; locally only a few,
    in which each value of each axis still appears (the n-th value of every axis together, round
    the shorter axes again), the others marked `thorough`."""

    def named(value) -> str:
        return "-".join(map(named, value)) if isinstance(value, (list, tuple)) else str(value)

    kept = {tuple(n % len(axis) for axis in axes) for n in range(max(map(len, axes)))}
    return [pytest.param(*(values := [axis[i] for axis, i in zip(axes, indices, strict=True)]), id=named(values),
                         marks=() if indices in kept else pytest.mark.thorough)
            for indices in itertools.product(*(range(len(axis)) for axis in axes))]

CASES = [  # (hidden activations, output activation, loss): every activation and loss, fused or not
    (["sigmoid"], "sigmoid", "half_sse"),
    (["tanh", "relu", "sigmoid"], "identity", "mse"),  # three hidden layers
    (["relu"], "softmax", "cross_entropy"),
    (["tanh"], "softmax", "half_sse"),  # softmax without its fused partner: the full Jacobian
    (["identity", "tanh"], "sigmoid", "binary_cross_entropy"),
    (["sigmoid"], "sigmoid", "cross_entropy"),
    (["tanh"], "tanh", "half_sse"),
    (["softmax"], "tanh", "half_sse"),  # a softmax layer inside the network: its Jacobian carried back
]


def numeric_gradient(model: Model, x, t, loss: str, h: float = 1e-6) -> np.ndarray:
    """Central differences, (E(θ + h) − E(θ − h)) / 2h for every parameter θ: an oracle that
    shares nothing with backprop but the forward pass."""
    theta = flatten(model)
    grad = np.empty_like(theta)
    for i in range(theta.size):
        up, down = theta.copy(), theta.copy()
        up[i] += h
        down[i] -= h
        e_up = error(forward(unflatten(model, up), x), t, loss).total
        e_down = error(forward(unflatten(model, down), x), t, loss).total
        grad[i] = (e_up - e_down) / (2 * h)
    return grad


def analytic_gradient(model: Model, x, t, loss: str) -> np.ndarray:
    """Backprop's gradient of every parameter, in `flatten`'s order."""
    grads = backprop(model, forward(model, x), t, loss)
    return np.array([row.gradient for row in chain(model, grads)])


def random_model(rng: np.random.Generator, sizes: list[int], activations: list[str]) -> Model:
    layers = [Layer(rng.normal(0, 0.8, (a, b)), rng.normal(0, 0.5, b), act)
              for (a, b), act in zip(itertools.pairwise(sizes), activations, strict=True)]
    return Model(tuple(layers), bias_input=float(rng.choice([1.0, -1.0, 0.5])))


def text_of(renderable, width: int = 160, color_system=None) -> str:
    """What a Rich renderable prints at `width` columns, as plain text unless colours are asked for."""
    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=color_system, highlight=False)
    console.print(renderable)
    return console.file.getvalue()


def torch_like(name: str, settings: dict, theta: np.ndarray, grads: list[np.ndarray],
               lr: float | list[float]) -> list[np.ndarray]:
    """torch.optim's algorithms, written from its documentation and in the order its code computes:
    an oracle independent of pencilnet's `update`. `lr`: one rate, or one per step (a schedule)."""
    theta, found, state = theta.copy(), [], {}
    wd = settings.get("weight_decay", 0.0)
    rates = lr if isinstance(lr, list) else [lr] * len(grads)
    for t, (grad, lr) in enumerate(zip(grads, rates, strict=False), start=1):
        d_p = grad.copy()
        if name == "sgd":
            if wd:
                d_p = d_p + wd * theta
            mu = settings.get("momentum", 0.0)
            if mu:
                if "buf" not in state:
                    state["buf"] = d_p.copy()
                else:
                    state["buf"] = state["buf"] * mu + (1 - settings.get("dampening", 0.0)) * d_p
                d_p = d_p + mu * state["buf"] if settings.get("nesterov") else state["buf"]
            theta = theta - lr * d_p
        elif name in ("adam", "adamw"):
            beta1, beta2 = settings.get("betas", (0.9, 0.999))
            eps = settings.get("eps", 1e-8)
            if name == "adamw":
                theta = theta * (1 - lr * wd)
            elif wd:
                d_p = d_p + wd * theta
            state["m"] = state.get("m", 0 * theta) * beta1 + (1 - beta1) * d_p
            state["v"] = state.get("v", 0 * theta) * beta2 + (1 - beta2) * d_p * d_p
            bias1, bias2 = 1 - beta1 ** t, 1 - beta2 ** t
            denom = np.sqrt(state["v"]) / np.sqrt(bias2) + eps
            theta = theta - (lr / bias1) * state["m"] / denom
        else:
            alpha, eps, mu = settings.get("alpha", 0.99), settings.get("eps", 1e-8), settings.get("momentum", 0.0)
            if wd:
                d_p = d_p + wd * theta
            state["s"] = state.get("s", 0 * theta) * alpha + (1 - alpha) * d_p * d_p
            avg = np.sqrt(state["s"]) + eps
            if mu:
                state["buf"] = state.get("buf", 0 * theta) * mu + d_p / avg
                theta = theta - lr * state["buf"]
            else:
                theta = theta - lr * d_p / avg
        found.append(theta.copy())
    return found


def config_problems(text: str, overrides=(), source: str = "my.yaml") -> list[str]:
    """The lines of the ConfigError that parsing `text` (with `--set` overrides) must raise."""
    import pytest

    from pencilnet.core.errors import ConfigError
    from pencilnet.io.config import parse

    with pytest.raises(ConfigError) as caught:
        parse(text, source, list(overrides))
    return str(caught.value).splitlines()


def cli_in(cwd, *args):
    """The CLI in-process from the folder `cwd`, its exit code also as `.returncode` (as a process's)."""
    from typer.testing import CliRunner

    from pencilnet.cli.app import app

    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args])
    finally:
        os.chdir(here)
    result.returncode = result.exit_code
    return result


# Several CLI commands in one real process (each process costs a second): its stdout and stderr are
# what a terminal would receive. `.format(commands=[[…args], …])`; prints "exit N" after each.
IN_ONE_PROCESS = """
import sys
from pencilnet.cli.app import app
for args in {commands!r}:
    try:
        app(args, prog_name="pencilnet")
    except SystemExit as done:
        print(f"exit {{done.code or 0}}", flush=True)
"""


# Each command as the `pencilnet` script runs it (pencilnet.cli.main, sys.argv set), one after another;
# after each, a line with the separator and the exit status on stdout and on stderr.
_COMMANDS = """
import sys
from pencilnet.cli import main
for args in {commands!r}:
    sys.argv = ["pencilnet", *args]
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code
    if code is None:
        code = 0
    elif not isinstance(code, int):  # a message: Python prints it and exits with 1
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        stream.write(f"\\x1eexit {{code}}\\n")
        stream.flush()
"""


def commands_in_one_process(*commands, text: bool = True, **run) -> list:
    """Several commands run by `pencilnet.cli.main` in ONE real process (a process costs 0.3 s of CPU to
    start), each its own CompletedProcess (exit status, stdout, stderr) as if it had had its own process.
    For exit statuses and outputs; a test of what a process does alone (signals, closed or odd
    descriptors, standard input read by several commands) starts its own. `run`: subprocess.run's."""
    import re
    import subprocess
    import sys

    script = _COMMANDS.format(commands=[[str(a) for a in args] for args in commands])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, **run)
    mark = re.compile(rb"\x1eexit (-?\d+)\n")
    outs, errs = mark.split(done.stdout), mark.split(done.stderr)
    assert done.returncode == 0 and len(outs) == len(errs) == 2 * len(commands) + 1, \
        f"the commands did not all finish (exit {done.returncode}):\n{done.stderr.decode(errors='replace')}"
    return [subprocess.CompletedProcess(
        ["pencilnet", *map(str, args)], int(outs[2 * n + 1]),
        outs[2 * n].decode() if text else outs[2 * n], errs[2 * n].decode() if text else errs[2 * n])
        for n, args in enumerate(commands)]


def hostile_config(folder, text: str) -> str:
    """The article's config with `text` in every field that holds text (JSON quoting is YAML's)."""
    import json

    q = json.dumps
    yaml_text = (ROOT / "src" / "pencilnet" / "configs" / "article.yaml").read_text(encoding="utf-8")
    yaml_text = yaml_text.replace('name: "Red apple or tomato: the hand-computed 2-2-2 example"',
                                  f"name: {q('N' + text)}\ndescription: {q('D' + text)}")
    yaml_text = yaml_text.replace("classes: [red apple, tomato]", f"classes: [{q('red' + text)}, {q('tom' + text)}]")
    yaml_text = yaml_text.replace("label: tomato", f"label: {q('tom' + text)}")
    yaml_text = yaml_text.replace('erratum: "a slip', f"erratum: {q('E' + text)[:-1]} a slip")
    yaml_text = yaml_text.replace('dE/dw5: "0.1005"', f'dE/dw5: {{value: "0.1005", note: {q("Note" + text)}}}')
    path = folder / "hostile.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    return str(path)
