"""A function instead of a network, as a user runs it: real processes, their exit codes and
their one-line messages; the numbers worked by hand in configs/adam-quadratic.yaml."""

import json
import re
import subprocess
import sys

import pytest
from helpers import IN_ONE_PROCESS, ROOT, commands_in_one_process

ADAM = ROOT / "configs" / "adam-quadratic.yaml"
ROSENBROCK = """\
objective: "(1 - x)**2 + 100*(y - x**2)**2"
parameters: {x: -1, y: 2}
training: {learning_rate: 0.001, epochs: 2, optimizer: {name: sgd, momentum: 0.9}}
expected:
  values:
    dE/dx_step_1: "396"      # −2(1 − x) − 400x(y − x²) = −4 + 400 at (−1, 2)
    dE/dy_step_1: "200"      # 200(y − x²)
    x_after_1_steps: "-1.396"   # b = 396, x = −1 − 0.001·396
    velocity_y_after_1_steps: "200"
    E_after_0_steps: "104"   # 2² + 100·1²
"""


ENV = {"COLUMNS": "120", "PATH": "/usr/bin:/bin"}


def pencilnet(*args, input=None):
    return subprocess.run([sys.executable, "-m", "pencilnet", *map(str, args)], capture_output=True, text=True,
                          input=input, env=ENV)


def test_verify_the_worked_adam_example():
    result = pencilnet("verify", ADAM)
    assert result.returncode == 0, result.stderr
    assert "11 published numbers: 11 match" in result.stdout


def test_verify_rosenbrock_by_hand_and_a_wrong_value_fails(tmp_path):
    config, wrong = tmp_path / "rosenbrock.yaml", tmp_path / "wrong.yaml"
    config.write_text(ROSENBROCK)
    wrong.write_text(ROSENBROCK.replace('"396"', '"395"'))
    right, result = commands_in_one_process(["verify", config], ["verify", wrong], env=ENV)  # one process: 0.3 s less
    assert right.returncode == 0
    assert result.returncode == 1 and "differs" in result.stdout


def test_step_json_has_every_intermediate():
    found = json.loads(pencilnet("step", ADAM, "--steps", "2", "--json").stdout)
    assert found["derivatives"] == {"theta": "2*(theta - 4)"}
    first, second = found["steps"]
    assert first["gradient"] == {"theta": 12.0} and first["m"]["theta"] == pytest.approx(1.2, rel=1e-15)
    assert second["mhat"]["theta"] == pytest.approx(2.18 / 0.19, rel=1e-9)  # θ₁ is 9.5 to 4e-10
    assert first["new"]["theta"] == pytest.approx(9.5, abs=1e-9)


def test_step_and_train_tables():
    shown, history = (found.stdout for found in commands_in_one_process(["step", ADAM, "--steps", "2"],
                                                                         ["train", ADAM, "--epochs", "3"], env=ENV))
    assert "∂f/∂theta = 2*(theta - 4)" in shown and "Step 2 of 2, adam" in shown and "f = 36.0000 → 30.2500" in shown
    assert "f over 3 steps" in history
    # a function's gradient is ∂f/∂θ, named by its parameter: in the rule and the table's heading
    assert "m = 0.9 × m + 0.1 × ∂f/∂theta" in shown and "v = 0.999 × v + 0.001 × (∂f/∂theta)²" in shown
    assert re.search(r"parameter +old +∂f/∂theta +state", shown) and "∂E" not in shown


def test_two_parameters_write_their_gradient_as_df_dtheta(cli):
    shown = cli("step", "-", "--steps", "1", input=ROSENBROCK).stdout
    # torch's momentum on its first step: b = ∂f/∂θ (396 for x, 200 for y), x = −1 − 0.001 × 396
    assert "b = ∂f/∂θ on the first step" in shown and re.search(r"parameter +old +∂f/∂θ +state", shown)
    assert re.search(r"x +-1 +396\.0000 +b +0\.0000 +396\.0000 +-1\.3960", shown) and "∂E" not in shown


def test_network_commands_refuse_a_function_in_one_line():
    for result in commands_in_one_process(["forward", ADAM], ["gradcheck", ADAM], env=ENV):
        assert result.returncode == 2
        assert result.stderr.strip().splitlines() == [
            f"pencilnet: error: {ADAM}: objective: this config gives a function, not a network: this command needs "
            "layers and samples (step, train, verify, expect, publish and plot work on a function)"]


@pytest.mark.parametrize(("text", "message"), [
    ('objective: "(theta - 4) * * 2"\nparameters: {theta: 10}\n',
     "<stdin>:1: objective: expected a number, a parameter or '(' at character 15, found '*'"),
    ('objective: "thet**2"\nparameters: {theta: 10}\n',
     "<stdin>:1: objective: expected one of the parameters (theta) or a function (exp, log, sqrt, sin, cos, tanh, "
     "abs) at character 1, found the unknown name 'thet'"),
    ('objective: "x**2"\nparameters: {x: one}\n',
     "<stdin>:2: parameters.x: expected a finite number, the parameter's start value, found 'one'"),
    ('objective: "x**2"\nparameters: weights.npz\n',
     "<stdin>:2: parameters: expected a mapping of the function's parameters to their start values (a .npz path "
     "is a network's parameters), found 'weights.npz'"),
    ('objective: "x**2"\nparameters: {x: 1}\nexpected: {values: {m_x_after_1_steps: "1"}}\n',  # plain SGD
     "<stdin>:3: expected.values.m_x_after_1_steps: expected no optimizer state: this optimizer keeps none, "
     "found m_x_after_1_steps"),
    ('objective: "x**2"\nparameters: {x: 1}\ntraining: {optimizer: adam}\n'
     'expected: {values: {velocity_x_after_1_steps: "1"}}\n',
     "<stdin>:4: expected.values.velocity_x_after_1_steps: expected a state the optimizer keeps (m, v, mhat, vhat), "
     "found velocity_x_after_1_steps"),
    ('objective: "f**2"\nparameters: {f: 1}\n',  # f_after_1_steps would be f's value or the parameter's
     "<stdin>:2: parameters.f: expected a name of letters, digits or _ (not a function's name, nor E or f, which "
     "name the function's value), e.g. theta, found 'f'"),
    ('objective: "x**2"\nparameters: {x: 1}\nlayers: []\n',
     "<stdin>:3: layers: expected no network fields beside an objective (a function has no layers or samples), "
     "found a network's field"),
])
def test_a_bad_function_config_is_one_line(cli, text, message):
    result = cli("step", "-", input=text)  # in-process: the exit status as a process is tested above
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"pencilnet: error: {message}"]


def test_divergence_exits_3():
    result = pencilnet("train", "-", input='objective: "log(x)"\nparameters: {x: 0.5}\ntraining: {learning_rate: 1}\n'
                                           "\n")
    assert result.returncode == 3 and "diverged before step 2" in result.stderr


def test_the_path_on_the_contours(tmp_path):
    config = tmp_path / "rosenbrock.yaml"
    config.write_text(ROSENBROCK)
    for name in ("path.png", "path.svg"):
        result = pencilnet("diagram", config, "--out", tmp_path / name)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / name).stat().st_size > 1000
    one = pencilnet("train", ADAM, "--plot", tmp_path / "curve.svg")
    assert one.returncode == 0 and (tmp_path / "curve.svg").read_text().lstrip().startswith("<?xml")


def test_publish_markdown_html_and_latex_with_the_path(tmp_path):
    # in one real process: what a terminal sees, and the exit status of each
    commands = [["publish", "--out", str(tmp_path / f"adam.{suffix}"), str(ADAM)] for suffix in ("md", "html", "tex")]
    commands += [["publish", "--out", str(tmp_path / "adam.ipynb"), str(ADAM)]]
    done = subprocess.run([sys.executable, "-c", IN_ONE_PROCESS.format(commands=commands)], capture_output=True,
                          text=True, env={"COLUMNS": "120", "PATH": "/usr/bin:/bin"}, cwd=tmp_path)
    assert done.stdout.split() == ["exit", "0"] * 3 + ["exit", "2"], done.stderr
    markdown = (tmp_path / "adam.md").read_text()
    # step 1 as worked in the config: m = 1.2, v = 0.144, m̂ = 12, v̂ = 144, update 0.5, θ = 9.5
    row = "| theta | $10$ | $12.0000$ | $1.2000$ | $0.1440$ | $12.0000$ | $144.0000$ | $0.5000$ | $9.5000$ |"
    assert row in markdown
    assert "(adam-path.svg)" in markdown and (tmp_path / "adam-path.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert "<svg" in (tmp_path / "adam.html").read_text() and not (tmp_path / "adam-path.png").exists()
    assert "\\networkpicture{adam-path.pdf}" in (tmp_path / "adam.tex").read_text()
    assert (tmp_path / "adam-path.pdf").read_bytes().startswith(b"%PDF")
    assert "run pdflatex twice on adam.tex" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"pencilnet: error: {tmp_path / 'adam.ipynb'}: expected a file name ending in .md, .html or .tex for a "
        "function's steps (a notebook recomputes a network's stages), found '.ipynb'")
    assert not (tmp_path / "adam.ipynb").exists()


def test_a_network_with_parameters_as_a_mapping_is_told_they_are_a_file(cli):
    result = cli("forward", "--set", "parameters={w1: 0.1}")
    assert result.exit_code == 2 and "parameters: expected the path of a .npz file" in result.stderr


def test_verify_of_a_function_names_no_sample_and_repeats_no_exact_value(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # narrow: the exact column would go beneath each row, "exact: …"
    shown = cli("verify", ADAM).stdout
    assert shown.splitlines()[0] == "Published numbers of Adam on (theta - 4)^2"  # steps have no sample
    # exact arithmetic: the exact value is the computed one (12 = 2 × (10 − 4) both), so no column of it
    assert re.search(r"dE/dtheta_step_1 +12 +12\.0000 +0 +match\n m_theta", shown) and "exact:" not in shown


def test_a_networks_exact_value_is_shown_where_pencil_rounding_shows_in_it(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    article = ROOT / "configs" / "article.yaml"
    exact = cli("verify", article, "--exact").stdout
    assert "sample 1" in exact and "exact:" not in exact
    # pencil 4: out_h1 carried as 0.7020, its exact value σ(0.857) = 0.702033 adds what rounding changed
    pencil = cli("verify", article).stdout
    assert re.search(r"out_h1 +0\.7020 +0\.702000 +0 +match\n +exact: 0\.702033\n", pencil)


def test_expect_writes_what_verify_then_passes(cli, tmp_path):
    bare = ADAM.read_text().split("expected:")[0]
    written = cli("expect", ADAM).stdout
    # Adam's step 1 on (θ − 4)² from θ = 10, worked in the config: f = 6² = 36, ∂f/∂θ = 12, m = 1.2,
    # v = 0.144, m̂ = 12, v̂ = 144, update 0.5: θ = 9.5 (a change of −0.5) and f = 5.5² = 30.25
    assert written.splitlines() == [
        "expected:", "  arithmetic: exact", "  values:", '    E_after_0_steps: "36.0000"',
        '    E_after_1_steps: "30.2500"', '    theta_after_1_steps: "9.5000"', '    dE/dtheta_step_1: "12.0000"',
        '    change_theta_step_1: "-0.5000"', '    m_theta_after_1_steps: "1.2000"',
        '    v_theta_after_1_steps: "0.1440"', '    mhat_theta_after_1_steps: "12.0000"',
        '    vhat_theta_after_1_steps: "144.0000"']  # no sample: a function has none
    for options in ([], ["--steps", "3", "--epochs", "2", "--pencil", "4"]):
        config = tmp_path / "expected.yaml"
        config.write_text(bare + cli("expect", ADAM, *options).stdout)
        result = cli("verify", config)
        assert result.exit_code == 0, result.stdout
    # step 2 by hand: θ = 9.5, ∂f/∂θ = 11, m = 2.18, v = 0.264856; the update 0.4984 leaves θ = 9.0016 and
    # f = 5.0016² = 25.0160; with --steps 3 the state after step 3 too, with --epochs 2 f after each step
    assert '    E_after_2_steps: "25.0160"' in config.read_text() and "theta_after_2_steps" not in config.read_text()
    assert '  arithmetic: pencil 4' in config.read_text() and "m_theta_after_3_steps" in config.read_text()
    refused = cli("expect", ADAM, "--sample", "2")
    assert refused.exit_code == 2 and refused.stderr.strip() == (
        f"pencilnet: error: --sample: {ADAM} gives a function: its steps have no samples, found 2")


def test_a_function_s_quantities_may_say_f_where_a_network_s_say_e(cli, tmp_path):
    bare = ADAM.read_text().split("expected:")[0]
    config = tmp_path / "f.yaml"
    # by hand: ∂f/∂θ = 2 (10 − 4) = 12 at the start, and f = (9.5 − 4)² = 30.25 after step 1
    written = 'expected:\n  values:\n    df/dtheta_step_1: "12"\n    f_after_1_steps: "30.25"\n'
    config.write_text(bare + written)
    result = cli("verify", config)
    assert result.exit_code == 0 and re.search(r"df/dtheta_step_1 +12 +12\.0000 +0 +match", result.stdout)
    config.write_text(bare + written.replace('"12"', '"13"'))
    assert cli("verify", config).exit_code == 1
    config.write_text(bare + written.replace("df/dtheta", "df/dtheda"))
    refused = cli("verify", config)
    assert refused.exit_code == 2 and "expected.values.df/dtheda_step_1: expected a quantity" in refused.stderr


def test_a_document_of_more_steps_than_a_reader_follows_is_refused_before_any_work(cli, tmp_path):
    out = tmp_path / "long.md"
    result = cli("publish", "--out", out, ADAM, "--set", "training.epochs=201")
    assert result.exit_code == 2 and result.stderr.strip() == (
        f"pencilnet: error: {ADAM}: training.epochs: a function's document works every step by hand: expected at "
        "most 200 steps, found 201 (--set training.epochs=N)")
    assert list(tmp_path.iterdir()) == []
