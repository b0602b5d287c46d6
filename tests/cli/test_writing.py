"""Every writing command, through the CLI: its output is checked before any work, special files
are refused, and one overwrite rule holds (a file of the command's own kind is replaced, any
other only with --force)."""

import json
import os
import stat

import numpy as np
import pytest
import yaml
from helpers import ROOT, THOROUGH, thorough_beyond

import pencilnet
from pencilnet.io import saving
from pencilnet.training import loop

FRUIT_CSV = ROOT / "data" / "fruit-test.csv"


def writing_commands(tmp_path) -> dict:
    """Each writing command with the output file it writes, as a function of that file."""
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"errors": [0.3, 0.2, 0.1]}))
    return {
        "train --save": lambda out: ["train", "--epochs", "1", "--save", out],
        "train --plot": lambda out: ["train", "--epochs", "1", "--plot", out],
        "init --out": lambda out: ["init", "--out", out],
        "data fruit --out": lambda out: ["data", "fruit", "--count", "4", "--out", out],
        "diagram --out": lambda out: ["diagram", "--out", out],
        "plot --out": lambda out: ["plot", history, "--out", out],
        "data show --out": lambda out: ["data", "show", FRUIT_CSV, "--count", "2", "--out", out],
    }


def suffix(command: str) -> str:
    return ".png" if command in ("train --plot", "diagram --out", "plot --out", "data show --out") else ".yaml"


@pytest.fixture
def untrained(monkeypatch):
    """Training fails the test if it starts: the commands below must stop before it."""
    def never(*args, **kwargs):
        raise AssertionError("training started before the output was checked")

    monkeypatch.setattr(loop, "train", never)


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pencilnet: error: "), result.stderr
    return lines[0]


# Every writing command checks its target with the same function: locally three, all in CI.
@pytest.mark.parametrize("command", thorough_beyond(["train --save", "train --plot", "init --out", "data fruit --out",
                                                     "diagram --out", "plot --out", "data show --out"], 0, 2, 4))
def test_no_writing_command_replaces_a_fifo_or_a_device(cli, tmp_path, command, untrained):
    make = writing_commands(tmp_path)[command]
    fifo = tmp_path / f"fifo{suffix(command)}"
    os.mkfifo(fifo)
    targets = [(fifo, stat.S_ISFIFO, "a named pipe (FIFO)")]
    if os.geteuid() == 0:  # as root, `--save /dev/null` would have replaced the system's /dev/null
        device = tmp_path / f"null{suffix(command)}"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        targets.append((device, stat.S_ISCHR, "a character device"))
    for target, is_kind, found in targets:
        for force in ([], ["--force"]):
            line = one_error_line(cli(*make(target), *force))
            assert line == (f"pencilnet: error: {target}: expected a regular file to write (or a new name), "
                            f"found {found}")
            assert is_kind(os.lstat(target).st_mode)


# Every writing command checks its target with the same function: locally three, all in CI.
@pytest.mark.parametrize("command", thorough_beyond(["train --save", "train --plot", "init --out", "data fruit --out",
                                                     "diagram --out", "plot --out", "data show --out"], 0, 2, 4))
def test_every_output_is_checked_before_the_input_is_even_read(cli, tmp_path, command, untrained):
    target = tmp_path / "missing" / f"out{suffix(command)}"
    args = writing_commands(tmp_path)[command](target)
    if command.startswith(("train", "diagram")):
        args.insert(1, tmp_path / "absent.yaml")  # a config that is not there: the output is found first
    line = one_error_line(cli(*args))
    assert line == f"pencilnet: error: {target}: cannot write: no such directory '{target.parent}'"


def test_a_big_networks_parameters_file_is_checked_before_training(cli, tmp_path, monkeypatch, untrained):
    monkeypatch.setattr(saving, "YAML_MAX_PARAMETERS", 10)  # the article's 12 parameters go to an .npz
    os.mkfifo(tmp_path / "trained.parameters.npz")
    line = one_error_line(cli("train", "--save", tmp_path / "trained.yaml"))
    assert line.endswith("trained.parameters.npz: expected a regular file to write (or a new name), found a named "
                         "pipe (FIFO)")
    os.remove(tmp_path / "trained.parameters.npz")
    (tmp_path / "trained.parameters.npz").write_bytes(b"PK\x03\x04 someone's archive")
    line = one_error_line(cli("train", "--save", tmp_path / "trained.yaml"))
    assert "already exists and is not the parameters of a config written by `pencilnet train --save`" in line


def test_train_does_not_replace_its_own_config_without_force(cli, tmp_path):
    cfg = tmp_path / "article.yaml"
    original = (ROOT / "configs" / "article.yaml").read_text()
    cfg.write_text(original)
    line = one_error_line(cli("train", cfg, "--save", cfg))
    assert line == (f"pencilnet: error: {cfg}: already exists and is not a config written by `pencilnet train --save`; "
                    "--force replaces it")
    assert cfg.read_text() == original
    result = cli("train", cfg, "--save", cfg, "--force")
    assert result.exit_code == 0, result.output
    assert f"pencilnet: note: {cfg} does not keep the expected: section of {cfg}" in result.stderr
    text = cfg.read_text()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    header = " ".join([comments[0]] + [line[2:] for line in comments[1:]])  # as written before wrapping
    assert header.startswith(f"# Trained by pencilnet from {cfg}: 1 epochs") and "expected: section (" in header
    assert "expected" not in yaml.safe_load(text)
    # What was dropped is said in the file, and the file is what `expect` needs to make a new one.
    assert cli("expect", cfg).exit_code == 0


def test_train_replaces_a_config_it_saved_without_force(cli, tmp_path):
    saved = tmp_path / "trained.yaml"
    for epochs in ("1", "2"):
        result = cli("train", "--epochs", epochs, "--save", saved)
        assert result.exit_code == 0, result.output
        assert f"pencilnet: wrote {saved}" in result.stderr
    assert saved.read_text().startswith("# Trained by pencilnet from article.yaml (bundled): 2 epochs")
    again = cli("train", saved, "--save", saved)  # resume training in place
    assert again.exit_code == 0, again.output


def test_a_data_file_is_not_replaced_by_a_save_nor_a_config_by_pictures(cli, tmp_path):
    data = tmp_path / "fruit.csv"
    data.write_bytes(FRUIT_CSV.read_bytes()[:2000])
    for args in (["train", "--save", data], ["data", "fruit", "--count", "4", "--out", tmp_path / "cfg.yaml"],
                 ["diagram", "--out", tmp_path / "photo.png"]):
        (tmp_path / "cfg.yaml").write_text("inputs: 2\n")
        (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n from a camera")
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
        assert "--force replaces it" in one_error_line(cli(*args))
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_pictures_and_picture_files_replace_their_own_kind(cli, tmp_path):
    csv = tmp_path / "pictures.csv"
    assert cli("data", "fruit", "--count", "4", "--seed", "1", "--out", csv).exit_code == 0
    assert cli("data", "fruit", "--count", "6", "--seed", "2", "--out", csv).exit_code == 0
    assert len(csv.read_text().splitlines()) == 7
    history = tmp_path / "h.json"
    history.write_text(json.dumps({"errors": [0.3, 0.2]}))
    png = tmp_path / "curve.png"
    assert cli("plot", history, "--out", png).exit_code == 0
    assert cli("data", "show", FRUIT_CSV, "--count", "2", "--out", png).exit_code == 0  # a picture replaces a picture
    svg = tmp_path / "curve.svg"
    assert cli("plot", history, "--out", svg).exit_code == 0
    assert cli("plot", history, "--out", svg).exit_code == 0


def test_init_replaces_nothing_without_force(cli, tmp_path):
    out = tmp_path / "starter.yaml"
    assert cli("init", "--out", out).exit_code == 0
    line = one_error_line(cli("init", "--layers", "3,2", "--out", out))
    assert line == f"pencilnet: error: {out}: already exists; --force replaces it"
    assert cli("init", "--layers", "3,2", "--out", out, "--force").exit_code == 0
    assert pencilnet.load(str(out)).model.sizes == [3, 2]


def test_a_save_through_a_symlink_keeps_the_link_and_the_mode(cli, tmp_path):
    (tmp_path / "runs").mkdir()
    real = tmp_path / "runs" / "first.yaml"
    assert cli("train", "--save", real).exit_code == 0
    real.chmod(0o600)
    link = tmp_path / "latest.yaml"
    link.symlink_to("runs/first.yaml")
    result = cli("train", "--epochs", "3", "--save", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == "runs/first.yaml"
    assert real.read_text().startswith("# Trained by pencilnet from article.yaml (bundled): 3 epochs")
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "runs")) == ["first.yaml"]


# Every command loads through the same function: locally three of them, all in CI.
@pytest.mark.parametrize("command", thorough_beyond([["forward", "--json"], ["error", "--json"], ["backprop", "--json"],
                                     ["step", "--json"], ["walkthrough"], ["predict", "--json"], ["expect"],
                                     ["gradcheck", "--json"], ["summary", "--json"], ["diagram"],
                                     ["train", "--epochs", "3", "--json"]], 3, 7, 10))
def test_every_subcommand_reads_a_big_save_as_it_reads_a_small_one(cli, tmp_path, monkeypatch, command):
    small, big = tmp_path / "small.yaml", tmp_path / "big.yaml"
    assert cli("train", "--epochs", "2", "--save", small).exit_code == 0
    monkeypatch.setattr(saving, "YAML_MAX_PARAMETERS", 10)  # the article's 12 parameters go to an .npz
    assert cli("train", "--epochs", "2", "--save", big).exit_code == 0
    assert "parameters" in yaml.safe_load(big.read_text()) and "parameters" not in yaml.safe_load(small.read_text())
    results = [cli(*command, path) for path in (small, big)]
    assert [r.exit_code for r in results] == [0, 0], results[1].output
    assert results[0].stdout  # something to compare
    assert results[0].stdout.replace("small.yaml", "X") == results[1].stdout.replace("big.yaml", "X")


def test_a_hard_linked_target_is_written_and_the_other_names_said_to_keep_the_old_content(cli, tmp_path):
    saved, other = tmp_path / "trained.yaml", tmp_path / "backup.yaml"
    assert cli("train", "--save", saved).exit_code == 0
    os.link(saved, other)
    old = other.read_text()
    result = cli("train", "--epochs", "2", "--save", saved)
    assert result.exit_code == 0, result.output
    assert f"pencilnet: note: {saved} has 1 other hard link(s); they will keep the old content\n" in result.stderr
    assert other.read_text() == old and "2 epochs" in saved.read_text().splitlines()[0]


# Every writing command checks its target with the same function: locally three, all in CI.
@pytest.mark.parametrize("command", thorough_beyond(["train --save", "train --plot", "init --out", "data fruit --out",
                                                     "diagram --out", "plot --out", "data show --out"], 0, 2, 4))
def test_links_to_special_files_loops_and_directories_are_one_line_each(cli, tmp_path, command, untrained):
    make = writing_commands(tmp_path)[command]
    end = suffix(command)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / f"to-fifo{end}").symlink_to(tmp_path / "fifo")
    (tmp_path / f"loop{end}").symlink_to(tmp_path / f"loop{end}")
    (tmp_path / f"folder{end}").mkdir()
    (tmp_path / "plain").write_text("")
    before = {p.name: (os.lstat(p).st_mode, os.path.islink(p) and os.readlink(p)) for p in tmp_path.iterdir()}
    expected = {f"to-fifo{end}": "expected a regular file to write (or a new name), found a named pipe (FIFO)",
                f"loop{end}": "cannot write: Too many levels of symbolic links",
                f"folder{end}": "expected a regular file to write (or a new name), found a directory",
                f"plain/x{end}": "cannot write: "}
    for name, message in expected.items():
        for force in ([], ["--force"]):
            line = one_error_line(cli(*make(tmp_path / name), *force))
            assert line.startswith(f"pencilnet: error: {tmp_path / name}: {message}"), line
    assert {p.name: (os.lstat(p).st_mode, os.path.islink(p) and os.readlink(p)) for p in tmp_path.iterdir()} == before


def snapshot(folder) -> dict:
    """Every entry under `folder`: its type and mode, where a link points, a file's bytes and
    inode (a file written again with the same bytes is still a new file: the atomic writer's)."""
    found = {}
    for root, directories, names in os.walk(folder):
        for name in directories + names:
            path = os.path.join(root, name)
            info = os.lstat(path)
            found[os.path.relpath(path, folder)] = (
                info.st_mode, os.readlink(path) if stat.S_ISLNK(info.st_mode) else None,
                open(path, "rb").read() if stat.S_ISREG(info.st_mode) else None,
                info.st_ino if stat.S_ISREG(info.st_mode) else None)
    return found


TARGETS = ["new", "missing/new", "fifo", "directory", "link-to-fifo", "link-to-directory", "dangling-link", "loop",
           "foreign", "own", "link-to-foreign", "link-to-own", "hard-linked-foreign", "private-foreign", "file/new"]
OWN_BYTES = {"train --save": b"# Trained by pencilnet from x: 1 epochs.\ninputs: 2\n",
             "data fruit --out": b"p1,p2,label\n0.1,0.2,tomato\n",
             "init --out": None}  # init replaces nothing without --force; the picture commands: a real picture


def make_target(folder, kind: str, command: str, own_picture: bytes) -> str:
    """A target of `kind` in `folder`; returns its name."""
    end = suffix(command)
    own = OWN_BYTES.get(command, own_picture) or b"# A starter pencilnet config\n"
    if kind in ("new", "missing/new", "file/new"):
        (folder / "file").write_text("a file where a directory should be\n")
        return kind + end
    if kind == "fifo":
        os.mkfifo(folder / f"fifo{end}")
    elif kind == "directory":
        (folder / f"directory{end}").mkdir()
    elif kind == "loop":
        (folder / f"loop{end}").symlink_to(f"loop{end}")
    elif kind == "dangling-link":
        (folder / f"dangling-link{end}").symlink_to(f"nothing{end}")
    elif kind.startswith("link-to-"):
        made = make_target(folder, kind[len("link-to-"):], command, own_picture)
        (folder / f"{kind}{end}").symlink_to(made)
    elif kind in ("foreign", "hard-linked-foreign", "private-foreign"):
        (folder / f"{kind}{end}").write_bytes(b"someone's work\n")
        if kind == "hard-linked-foreign":
            os.link(folder / f"{kind}{end}", folder / "other-name")
        if kind == "private-foreign":
            (folder / f"{kind}{end}").chmod(0o600)
    elif kind == "own":
        (folder / f"own{end}").write_bytes(own)
    return f"{kind}{end}"


# A sample locally, where the suite must stay quick; more in CI (the same seed: the same first runs).
RUNS = int(os.environ.get("PENCILNET_TARGET_RUNS", "200" if THOROUGH else "10"))


def test_random_output_targets_never_lose_anything(cli, tmp_path):
    """A seeded sample of writing commands, targets and --force: every run ends with exit 0 or 2
    (one line), and only a run that succeeds changes anything: the one file it was asked to
    write (the file a link names), created or replaced by the overwrite rule, its mode kept."""
    rng = np.random.default_rng(11)
    # Every command goes through the same checks; the slowest drawing, the network's, is left to the tests above.
    commands = {name: make for name, make in writing_commands(tmp_path).items() if name != "diagram --out"}
    picture = tmp_path / "picture.png"
    assert cli("plot", tmp_path / "history.json", "--out", picture).exit_code == 0
    own_picture = picture.read_bytes()
    outcomes = []
    for run in range(RUNS):
        command, kind = str(rng.choice(list(commands))), str(rng.choice(TARGETS))
        force = bool(rng.integers(2))
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        name = make_target(folder, kind, command, own_picture)
        before = snapshot(folder)
        result = cli(*commands[command](folder / name), *(["--force"] if force else []))
        case = f"run {run}: {command} {kind} {'--force' if force else ''}\n{result.output}"
        assert result.exit_code in (0, 2) and "Traceback" not in result.output, case
        outcomes.append(result.exit_code)
        after = snapshot(folder)
        if result.exit_code == 2:
            assert len(result.stderr.splitlines()) == 1 and after == before, case
            continue
        written = os.path.relpath(os.path.realpath(folder / name), folder)
        assert {key for key in after if before.get(key) != after[key]} == {written}, case
        assert before.get(written) is None or stat.S_ISREG(before[written][0]), case  # never a special file
        assert before.get(written) is None or force or kind in ("own", "link-to-own"), case
        if before.get(written) is not None:
            assert stat.S_IMODE(after[written][0]) == stat.S_IMODE(before[written][0]), case
    assert set(outcomes) == {0, 2}  # the sample both wrote and refused


def test_publish_and_predict_replace_their_own_files_and_only_those(cli, tmp_path, monkeypatch):
    from pencilnet.views import network_figure

    # stand-in pictures: what is tested is which files are replaced, not the drawing (half a second each)
    def picture(config, stage, walk, kind, style=None) -> bytes:
        return f'<svg xmlns="http://www.w3.org/2000/svg"><title>{stage}</title></svg>'.encode()

    monkeypatch.setattr(network_figure, "picture", picture)
    document = tmp_path / "worked.html"
    assert cli("publish", "--out", document).exit_code == 0
    assert cli("publish", "--out", document).exit_code == 0  # its own document: replaced without asking
    notes = tmp_path / "notes.html"
    notes.write_text("<p>my notes</p>")
    refused = cli("publish", "--out", notes)
    assert refused.exit_code == 2 and "is not a document written by `pencilnet publish`" in refused.stderr
    assert notes.read_text() == "<p>my notes</p>"
    table = tmp_path / "out.csv"
    assert cli("predict", "--out", table).exit_code == 0
    assert cli("predict", "--out", table).exit_code == 0
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    refused = cli("predict", "--out", other)
    assert refused.exit_code == 2 and other.read_text() == "a,b\n1,2\n"


def test_two_outputs_naming_one_file_are_refused_before_any_work(cli, tmp_path, monkeypatch):
    # `train --save x.svg --plot x.svg` trained, wrote the config, then drew the plot over it and
    # said "wrote x.svg" twice: the trained weights were lost with exit 0.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(loop, "train", lambda *a, **k: pytest.fail("trained although the outputs clash"))
    (tmp_path / "link.svg").symlink_to("x.svg")
    for plot, named in (("x.svg", "x.svg"), ("link.svg", str(tmp_path / "x.svg")),
                        (str(tmp_path / "x.svg"), str(tmp_path / "x.svg"))):
        result = cli("train", "--save", "x.svg", "--plot", plot)
        assert result.exit_code == 2, result.output
        assert result.stderr == f"pencilnet: error: --save and --plot: expected two different files, found both " \
                                f"naming {named}\n"
        assert not (tmp_path / "x.svg").exists()
