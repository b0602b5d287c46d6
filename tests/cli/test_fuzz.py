"""Thousands of mutated configs through every subcommand: each run ends with a documented exit
code and, when it fails, a one-line message; never a traceback. A second run mutates what
surrounds a config: its data file, `--set` values (huge integers, deep nesting, alias bombs),
the targets of the commands that write (two outputs naming one file among them), and standard
input. A third cuts the output of commands that write to stdout short, at a random byte.

A third mutates the text a user's files carry (every text field of a config, a CSV's label column)
with terminal commands, markup of each format and broken characters, and runs it under locales
without Unicode and with outputs cut short: shown, never obeyed; printed, never a traceback.

PENCILNET_FUZZ_RUNS sets how many (default 3000 in CI, 50 locally); a failure prints the seed and the config
that caused it, so it can be replayed."""

import copy
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
import yaml
from helpers import IN_ONE_PROCESS, ROOT, THOROUGH
from typer.testing import CliRunner

from pencilnet.cli.app import app
from pencilnet.core.activations import ACTIVATIONS
from pencilnet.core.errors import ConfigError
from pencilnet.core.losses import LOSSES, pairing_problem

# Every run in CI; a sample locally, where the suite must stay quick (the same seed: the same first runs).
RUNS = int(os.environ.get("PENCILNET_FUZZ_RUNS", "3000" if THOROUGH else "50"))

SOFTMAX = """\
inputs: 3
seed: 2
init: {scheme: uniform, range: 0.4}
layers:
  - {size: 3, activation: tanh, bias: shared}
  - {size: 2, activation: softmax, freeze: biases}
loss: cross_entropy
training: {learning_rate: 0.3, epochs: 3, batch_size: 2, shuffle: true, target_error: 0.01}
classes: [a, b]
samples:
  - {inputs: [0.1, 0.2, 0.3], label: a}
  - {inputs: [0.9, 0.1, 0.4], label: b}
  - {inputs: [0.5, 0.5, 0.9], target: [0, 1]}
"""

DATA = """\
inputs: 2
layers:
  - {size: 2, init: xavier}
  - {size: 2, init: he, activation: sigmoid}
classes: [red apple, tomato]
data: {train: pictures.csv, split: {test_fraction: 0.5, seed: 1}}
"""

# Values that have broken parsers before: wrong types, edge numbers, near-miss names.
ODD = [0, -1, 1, 2, 3, 0.5, -0.0, 1e308, -1e308, float("nan"), float("inf"), 10**6, 2**70, "abc", "", None, True,
       False, [], {}, [1, 2], [[1]], {"a": 1}, "sigmoid", "softmax", "sigmod", "full", "pencil 4", "pencil 99",
       "exact", "tomato", "0.5", [0.1, "x"], [None], [[0.1, 0.2], [0.3]], "../nowhere.csv", "pictures.csv"]

COMMANDS = [["forward"], ["error"], ["backprop"], ["step"], ["walkthrough"], ["train", "--epochs", "2"],
            ["train", "--json", "--epochs", "2"], ["verify"], ["summary"], ["predict"], ["expect"], ["diagram"],
            ["forward", "--json", "--pencil", "3"], ["backprop", "--sample", "2"]]
ALLOWED = {"verify": {0, 1, 2}, "train": {0, 2, 3}}
PAIRINGS = [(activation, loss) for loss in LOSSES for activation in ACTIVATIONS
            if pairing_problem(activation, loss) is None]


def paths(data, prefix=()):
    """Every place in the YAML data: (path, container, key)."""
    found = []
    if isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return found
    for key, value in items:
        found.append((prefix + (key,), data, key))
        found += paths(value, prefix + (key,))
    return found


def mutate(data, rng: np.random.Generator):
    data = copy.deepcopy(data)
    for _ in range(int(rng.integers(1, 4))):
        places = paths(data)
        if not places:
            return rng.choice(ODD[:20]) if rng.random() < 0.5 else data
        _, container, key = places[int(rng.integers(len(places)))]
        action = rng.random()
        if action < 0.55:
            container[key] = copy.deepcopy(ODD[int(rng.integers(len(ODD)))])
        elif action < 0.75:
            del container[key]
        elif action < 0.85 and isinstance(container[key], list):
            container[key].append(copy.deepcopy(container[key][-1]) if container[key] else 1)
        elif action < 0.95 and isinstance(container, dict):
            container[str(key) + "x"] = container.pop(key)  # a misspelt field
        else:
            value = container[key]
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                container[key] = value * float(rng.choice([-1, 10, 1e6, 1e-9]))
    return data


def corrupt(text: str, rng: np.random.Generator) -> str:
    raw = bytearray(text.encode())
    for _ in range(int(rng.integers(1, 6))):
        at = int(rng.integers(len(raw)))
        raw[at:at + int(rng.integers(0, 3))] = bytes(rng.integers(0, 256, size=int(rng.integers(1, 4))).tolist())
    return raw.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def bases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "pictures.csv").write_text("x1,x2,label\n0.1,0.9,tomato\n0.8,0.2,red apple\n0.2,0.7,tomato\n"
                                         "0.9,0.1,red apple\n")
    article = (ROOT / "configs" / "article.yaml").read_text()
    return folder, [article, SOFTMAX, DATA]


def test_mutated_configs_never_crash(bases, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    folder, texts = bases
    runner = CliRunner()
    rng = np.random.default_rng(20261130)
    parsed = [yaml.safe_load(text) for text in texts]
    config = folder / "fuzzed.yaml"
    outcomes = {}
    for run in range(RUNS):
        base = int(rng.integers(len(texts)))
        if rng.random() < 0.15:
            text = corrupt(texts[base], rng)
        else:
            data = parsed[base]
            if rng.random() < 0.4:  # an output activation and loss the config accepts, every pairing in turn
                data = copy.deepcopy(data)
                data["layers"][-1]["activation"], data["loss"] = PAIRINGS[run % len(PAIRINGS)]
            text = yaml.safe_dump(mutate(data, rng), allow_unicode=True)
        config.write_text(text, encoding="utf-8")
        command = COMMANDS[int(rng.integers(len(COMMANDS)))]
        result = runner.invoke(app, [*command, str(config)])
        where = f"run {run}, command {command}, config:\n{text}\noutput:\n{result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{type(result.exception).__name__}: {result.exception}\n{where}"
        assert result.exit_code in ALLOWED.get(command[0], {0, 2}), where
        if result.exit_code:
            message = result.stderr.strip().splitlines()
            assert message and all(line.startswith(("pencilnet: ", "Usage:", "Try ", "Error", "│", "╭", "╰"))
                                   for line in message), where
            assert "Traceback" not in result.output, where
        outcomes[result.exit_code] = outcomes.get(result.exit_code, 0) + 1
    # The mutations must exercise both paths, or the test proves nothing.
    assert outcomes.get(0, 0) > RUNS // 20 and outcomes.get(2, 0) > RUNS // 4, outcomes


# ---- beyond the config: data files, --set values, output targets, standard input ------------------

SET_VALUES = ["0.1", "1e-3", "-1", "0", "nan", ".inf", "abc", "", "[1, 2]", "[[0.1, 0.2], [0.3, 0.4]]", "{a: 1}",
              "null", "true", "9" * 5000, "[" * 3000 + "]" * 3000, "[&a [1, 2], *a, *a]", "&a [*a]", "'0.5'",
              "line\nbreak", "[1, 2", "pencil 4", "softmax", "full", str(2**70), "1e999", "0x10", "1:30"]
SET_PATHS = ["training.learning_rate", "training.epochs", "training.batch_size", "layers[0].weights[0][0]",
             "layers[0].activation", "layers[1].size", "layers[0].weights", "samples[0].inputs", "samples",
             "inputs", "classes", "arithmetic", "expected.values.net_h1", "data.train", "trainig.epochs", "foo.bar",
             "layers[99].size", "layers[0].weights[9][9]", "", "=", "a..b", "layers[-1].size", "loss"]
CSV_LINES = ["x1,x2,label", "x1,x1,label", "x1,x2", "", "0.1,0.9,tomato", "0.1,nan,tomato", "1e999,0.2,red apple",
             "0.1,0.2,0.3,tomato", "0.1,,tomato", "a,b,c", '"0.1,0.2",tomato', "\x00\x01", "0.1,0.2,plum",
             ",".join(["x"] * 500), "0.5,0.5,red apple"]
WRITERS = [lambda out, other: ["train", "--epochs", "1", "--save", out],
           lambda out, other: ["diagram", "--out", out], lambda out, other: ["init", "--out", out],
           lambda out, other: ["data", "fruit", "--count", "4", "--out", out],
           lambda out, other: ["train", "--epochs", "1", "--plot", out],
           lambda out, other: ["train", "--epochs", "1", "--save", out, "--plot", other]]  # two outputs: one file?


def hostile_csv(rng: np.random.Generator) -> str:
    count = int(rng.integers(0, 7))
    lines = [CSV_LINES[int(rng.integers(len(CSV_LINES)))] for _ in range(count)]
    if rng.random() < 0.5:  # mostly a good header, so the rows are what is tried
        lines.insert(0, "x1,x2,label")
    return "\n".join(lines) + ("\n" if rng.random() < 0.8 else "")


def test_mutated_data_sets_outputs_and_stdin_never_crash(bases, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    folder, texts = bases
    original = (folder / "pictures.csv").read_text()
    try:
        _mutate_around(folder, texts)
    finally:  # the module's other fuzz test shares the folder
        (folder / "pictures.csv").write_text(original)


def _mutate_around(folder, texts):
    runner = CliRunner()
    rng = np.random.default_rng(20261201)
    (folder / "a folder.svg").mkdir(exist_ok=True)
    (folder / "other.csv").write_text("x1,x2,label\n0.1,0.2,tomato\n")
    if not (folder / "link.svg").is_symlink():
        (folder / "link.svg").symlink_to("out.svg")
    targets = [folder / "out.yaml", folder / "out.svg", folder / "out.png", folder / "out.csv", folder / "a folder.svg",
               folder / "missing" / "out.yaml", folder / "other.csv", folder / "out.txt", folder / "link.svg"]
    outcomes = {}
    for run in range(max(RUNS // 4, 25)):
        base = int(rng.integers(len(texts)))
        text = texts[base]
        (folder / "pictures.csv").write_text(hostile_csv(rng) if rng.random() < 0.6 else
                                             "x1,x2,label\n0.1,0.9,tomato\n0.8,0.2,red apple\n")
        sets = []
        for _ in range(int(rng.integers(0, 3))):
            sets += ["--set", f"{SET_PATHS[int(rng.integers(len(SET_PATHS)))]}="
                              f"{SET_VALUES[int(rng.integers(len(SET_VALUES)))]}"]
        kind = rng.random()
        stdin = None
        if kind < 0.3:  # the config on standard input, whole, cut short or empty
            stdin = text[: int(rng.integers(len(text) + 1))] if rng.random() < 0.5 else text
            command = [*COMMANDS[int(rng.integers(len(COMMANDS)))], "-"]
        elif kind < 0.6:  # a command that writes, to a target that may not take it
            config = folder / "fuzzed.yaml"
            config.write_text(text, encoding="utf-8")
            target, other = (str(targets[int(rng.integers(len(targets)))]) for _ in range(2))
            command = WRITERS[int(rng.integers(len(WRITERS)))](target, other)
            if command[0] in ("train", "diagram"):
                command.append(str(config))
        else:
            config = folder / "fuzzed.yaml"
            config.write_text(text, encoding="utf-8")
            command = [*COMMANDS[int(rng.integers(len(COMMANDS)))], str(config)]
        if command[0] not in ("init", "data"):
            command += sets
        result = runner.invoke(app, command, input=stdin)
        where = f"run {run}, command {command}, stdin {stdin!r:.300}\noutput:\n{result.output[-2000:]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{type(result.exception).__name__}: {result.exception}\n{where}"
        assert result.exit_code in ALLOWED.get(command[0], {0, 2}) | ({1} if command[0] == "verify" else set()), where
        if result.exit_code:
            message = result.stderr.strip().splitlines()
            assert message and all(line.startswith(("pencilnet: ", "Usage:", "Try ", "Error", "│", "╭", "╰"))
                                   for line in message), where
            assert len(message) <= ConfigError.SHOWN + 1 or message[0].startswith(("Usage", "╭")), where
        if "--save" in command and "--plot" in command and os.path.realpath(target) == os.path.realpath(other):
            assert result.exit_code == 2 and "expected two different files" in result.stderr, where
        outcomes[result.exit_code] = outcomes.get(result.exit_code, 0) + 1
    assert outcomes.get(0, 0) >= 3 and outcomes.get(2, 0) >= 10, outcomes


# ---- short writes: an output a full disk cuts anywhere is whole, or an error -------------------------

STDOUT_WRITERS = [["forward"], ["walkthrough", "--json"], ["expect"], ["init", "--layers", "12,9,3"], ["summary"],
                  ["gradcheck", "--all"], ["train", "--json", "--epochs", "3"], ["verify"], ["diagram"]]


def test_an_output_cut_anywhere_is_whole_or_an_error(tmp_path):
    import resource
    import signal
    import subprocess
    import sys

    def limited(limit: int):
        def prepare():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        return prepare

    rng = np.random.default_rng(20261207)
    for run in range(max(RUNS // 100, 3)):
        command = STDOUT_WRITERS[int(rng.integers(len(STDOUT_WRITERS)))]
        whole = subprocess.run([sys.executable, "-m", "pencilnet", *command], capture_output=True, timeout=120,
                               stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "100"}).stdout
        limit = int(rng.integers(0, len(whole) + 2))
        with open(tmp_path / "out", "wb") as out:
            process = subprocess.run([sys.executable, "-m", "pencilnet", *command], stdout=out, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, timeout=120, preexec_fn=limited(limit),
                                     env={**os.environ, "COLUMNS": "100"})
        written, where = (tmp_path / "out").read_bytes(), f"run {run}: {command} limited to {limit} of {len(whole)}"
        if limit >= len(whole):
            assert process.returncode in ALLOWED.get(command[0], {0}) and written == whole, where
        else:
            assert process.returncode == 2, where
            assert process.stderr.decode().strip() == "pencilnet: error: cannot write: File too large", where
            assert written == whole[:limit], where


# ---- text a user's files carry: shown, never obeyed; locales; short writes (issue 26) ------------------

# Fragments that have broken terminals, documents or encoders: terminal commands (OSC 52 writes the
# clipboard, CSI 2J clears the screen, 8-bit CSI), marks that reorder text, a character outside the BMP
# and half of one, markup of every format pencilnet writes, line breaks that start a heading, a long word.
FRAGMENTS = ["\x1b]52;c;SGk=\x07", "\x1b]0;title\x07", "\x1b[2J", "\x9b31m", "\x00", "\x7f", "\u202e", "\u2066",
             "🍅", "\ud83c", "<script>alert(1)</script>", "\\input{/etc/passwd}", "\\write18{ls}", "}{", "%#_^&$~",
             "\n# heading\n", "\r\n    code", "`tick`", "[a](javascript:x)", "x" * 300, "red apple", "é", " ",
             "a\rb", "a\u2028b", "a\x85b", "a\x0bb\x0cc\x1cd"]
BREAKS = ["\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1e"]  # str.splitlines' breaks
TEXT_FIELDS = [("name",), ("description",), ("classes", 0), ("classes", 1), ("samples", 0, "label"),
               ("expected", "values", "E_total", "erratum"), ("expected", "values", "net_h1")]
TEXT_COMMANDS = [["summary"], ["predict"], ["forward"], ["error"], ["walkthrough"], ["verify"],
                 ["train", "--epochs", "1"], ["publish", "--out", "-"], ["diagram"], ["data", "show"]]
SHOWN_NOT_OBEYED = ("\x1b", "\x9b", "\u202e", "\u2066")


def hostile_text(rng: np.random.Generator) -> str:
    return "".join(FRAGMENTS[int(rng.integers(len(FRAGMENTS)))] for _ in range(int(rng.integers(1, 5))))


def with_hostile_text(data: dict, rng: np.random.Generator) -> dict:
    data = copy.deepcopy(data)
    for _ in range(int(rng.integers(1, 4))):
        *where, last = TEXT_FIELDS[int(rng.integers(len(TEXT_FIELDS)))]
        place = data
        for key in where:
            place = place[key]
        if last == "net_h1":
            place[last] = {"value": "0.857", "note": hostile_text(rng)}
        else:
            place[last] = hostile_text(rng)
    if rng.random() < 0.5 and "samples" in data:  # the label names a class, or the config says so
        data["samples"][0]["label"] = data["classes"][int(rng.integers(2))]
    return data


def test_hostile_text_in_every_field_is_shown_never_obeyed(bases, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    folder, texts = bases
    runner = CliRunner()
    rng = np.random.default_rng(20261207)
    article = yaml.safe_load(texts[0])
    config, csv = folder / "texts.yaml", folder / "texts.csv"
    for run in range(max(RUNS // 2, 25)):
        data = with_hostile_text(article, rng)
        # JSON is YAML: every character escaped as JSON writes it, a lone surrogate included.
        config.write_text(json.dumps(data), encoding="utf-8")
        label = hostile_text(rng).replace(",", "").replace("\n", "").replace("\r", "").replace('"', "")
        csv.write_text(f"x1,x2,label\n0.1,0.9,{label}\n0.8,0.2,plain\n", encoding="utf-8", errors="surrogatepass")
        command = TEXT_COMMANDS[int(rng.integers(len(TEXT_COMMANDS)))]
        target = csv if command[0] == "data" else config
        result = runner.invoke(app, [*command, str(target)])
        where = f"run {run}, command {command}, config:\n{json.dumps(data)[:3000]}\noutput:\n{result.output[-2000:]}"
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            f"{type(result.exception).__name__}: {result.exception}\n{where}"
        assert result.exit_code in ALLOWED.get(command[0], {0, 2}) | ({1} if command[0] == "verify" else set()), where
        for stream in (result.stdout, result.stderr):
            assert not any(mark in stream for mark in SHOWN_NOT_OBEYED), where
        # A message is one line whatever it quotes: no line of stderr is the rest of another.
        assert all(line.startswith("pencilnet: ") for line in result.stderr.splitlines()), where


def test_a_message_quoting_a_line_break_is_one_line(tmp_path):
    # A class name, a label, a CSV's label, a --set value and the config's own file name, each holding
    # a line break of every kind: the message quoting it was printed as several `pencilnet: error:` lines.
    article = (ROOT / "src" / "pencilnet" / "configs" / "article.yaml").read_text(encoding="utf-8")
    commands = []
    for number, brk in enumerate(BREAKS if THOROUGH else ["\n", "\r", "\u2028", "\x85"]):  # locally: one of each kind
        q = json.dumps
        classes = article.replace("classes: [red apple, tomato]", f"classes: [{q('red' + brk + 'apple')}, tomato]")
        label = article.replace("label: tomato", f"label: {q('to' + brk + 'mato')}")
        (tmp_path / f"classes{number}.yaml").write_text(classes.replace("label: tomato", "label: plum"))
        (tmp_path / f"label{number}.yaml").write_text(label)
        (tmp_path / f"d{number}.csv").write_text(f'x1,x2,label\n0.1,0.2,a\n0.3,0.4,"b{brk}c"\n', newline="")
        (tmp_path / f"data{number}.yaml").write_text(f"inputs: 2\nlayers: [{{size: 2, init: xavier}}]\n"
                                                     f"classes: [a, {q('b' + brk)}]\ndata: {{train: d{number}.csv}}\n")
        named = tmp_path / f"my{brk}config.yaml"
        named.write_text(article.replace("epochs: ", "epochs: -"))
        commands += [["forward", str(tmp_path / f"classes{number}.yaml")],
                     ["summary", str(tmp_path / f"label{number}.yaml")],
                     ["summary", str(tmp_path / f"data{number}.yaml")], ["summary", str(named)],
                     ["summary", "--set", f"samples[0].label={q('x' + brk)}"]]
    done = subprocess.run([sys.executable, "-c", IN_ONE_PROCESS.format(commands=commands)], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    # Each command: one line, then its "exit 2" (on stdout, which the lines of stderr do not share).
    assert done.stdout.split() == ["exit", "2"] * len(commands), done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == len(commands) and all(line.startswith("pencilnet: error: ") for line in lines), lines
    assert "classes red\\x0aapple, tomato" in lines[0] and any("my\\u2028config.yaml" in line for line in lines), lines




@pytest.mark.parametrize("locale", [{"LC_ALL": "C", "PYTHONUTF8": "0"},
                                    pytest.param({"PYTHONIOENCODING": "iso-8859-1", "PYTHONUTF8": "0"},
                                                 marks=pytest.mark.thorough)], ids=["C", "latin-1"])
def test_hostile_text_under_a_locale_without_unicode(bases, tmp_path, locale):
    import subprocess
    import sys

    folder, texts = bases
    rng = np.random.default_rng(20261208)
    commands = []
    for k in range(4 if not THOROUGH else 20):
        path = tmp_path / f"c{k}.yaml"
        path.write_text(json.dumps(with_hostile_text(yaml.safe_load(texts[0]), rng)), encoding="utf-8")
        command = TEXT_COMMANDS[int(rng.integers(len(TEXT_COMMANDS) - 1))]
        commands.append([*command, str(path)])
    env = {key: value for key, value in os.environ.items() if not key.startswith(("LC_", "LANG", "PYTHONIOENC"))}
    done = subprocess.run([sys.executable, "-c", IN_ONE_PROCESS.format(commands=commands)], capture_output=True,
                          cwd=tmp_path, env={**env, "COLUMNS": "100", **locale}, timeout=300)
    encoding = "ascii" if locale.get("LC_ALL") == "C" else "iso-8859-1"
    out, err = done.stdout.decode(encoding), done.stderr.decode(encoding)  # every byte one the terminal can show
    assert "Traceback" not in err, err[-3000:]
    codes = [line for line in out.splitlines() if line.startswith("exit ")]
    assert len(codes) == len(commands) and set(codes) <= {"exit 0", "exit 1", "exit 2"}, (codes, err[-2000:])
    assert not any(mark in out + err for mark in SHOWN_NOT_OBEYED)


SHORT_WRITE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
import signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
from pencilnet.cli import main
sys.argv = ["pencilnet", *{command!r}]
main()
"""


def test_an_output_cut_short_is_an_error_never_a_silent_exit_0(tmp_path):
    import subprocess
    import sys

    rng = np.random.default_rng(20261209)
    for run in range(3 if not THOROUGH else 15):
        command = [*COMMANDS[int(rng.integers(len(COMMANDS)))]]
        limit = int(rng.choice([0, 100, 1000, 4000]))
        with open(tmp_path / "out.txt", "wb") as out:
            done = subprocess.run([sys.executable, "-c", SHORT_WRITE.format(limit=limit, command=command)],
                                  stdout=out, stderr=subprocess.PIPE, cwd=tmp_path, timeout=120)
        size = (tmp_path / "out.txt").stat().st_size
        where = f"run {run}: {command} with a limit of {limit} bytes: exit {done.returncode}, {size} bytes\n" \
                f"{done.stderr.decode(errors='replace')[-2000:]}"
        assert b"Traceback" not in done.stderr, where
        if size >= limit and done.returncode == 0:
            pytest.fail(f"cut short at the limit, yet exit 0: {where}")
        assert done.returncode in (0, 1, 2, 3), where


def test_a_note_naming_a_file_with_a_line_break_is_one_line(tmp_path):
    # train --save's note that the saved file drops the expected section quoted the path raw.
    result = CliRunner().invoke(app, ["train", "--epochs", "1", "--save", str(tmp_path / "a\nb.yaml")])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("pencilnet: ") for line in lines), lines
    assert "a\\x0ab.yaml does not keep the expected: section" in lines[0]
