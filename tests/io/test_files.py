"""The one writer: special files refused, symlinks written through, modes kept, hard links
as documented, and the overwrite rule every writing command follows."""

import os
import stat
import tempfile

import pytest

from pencilnet.core.errors import InputError
from pencilnet.io.files import check_target, write_atomic


def special_files(tmp_path):
    """A FIFO, a directory, a socket and, where this user may make one, a character device
    like /dev/null (1, 3): each by name, with what it is."""
    import socket

    made = {}
    os.mkfifo(tmp_path / "fifo")
    made["fifo"] = stat.S_ISFIFO
    (tmp_path / "directory").mkdir()
    made["directory"] = stat.S_ISDIR
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "socket"))
    server.close()  # the socket file stays
    made["socket"] = stat.S_ISSOCK
    try:
        os.mknod(tmp_path / "device", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        made["device"] = stat.S_ISCHR
    except (PermissionError, AttributeError):
        pass  # not root: the FIFO stands for every special file
    return made


def test_a_special_file_is_never_replaced(tmp_path):
    made = special_files(tmp_path)
    assert "fifo" in made
    for name, is_kind in made.items():
        path = tmp_path / name
        for attempt in (lambda path=path: write_atomic(path, "x"),
                        lambda path=path: check_target(path, "picture", force=True)):
            with pytest.raises(InputError, match=f"^{path}: expected a regular file to write .*, found a "):
                attempt()  # a FIFO is refused without opening it, which would wait for a reader
            assert is_kind(os.lstat(path).st_mode), name  # still what it was
        link = tmp_path / f"link-to-{name}"
        link.symlink_to(path)
        with pytest.raises(InputError, match="expected a regular file"):
            write_atomic(link, "x")
        assert link.is_symlink() and is_kind(os.lstat(path).st_mode)
    assert sorted(os.listdir(tmp_path)) == sorted([*made, *(f"link-to-{name}" for name in made)])  # no temporaries


def test_a_symlink_is_written_through_in_its_files_directory(tmp_path, monkeypatch):
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    real = real_dir / "trained.yaml"
    real.write_text("old\n")
    link = link_dir / "current.yaml"
    link.symlink_to(os.path.relpath(real, link_dir))  # a relative link, as `ln -s` makes them
    made_in = []
    original = tempfile.mkstemp

    def recording(*args, **kwargs):
        made_in.append(kwargs["dir"])
        return original(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", recording)
    write_atomic(link, "new\n")
    assert link.is_symlink() and real.read_text() == "new\n" and link.read_text() == "new\n"
    assert made_in == [real_dir]  # the rename stays in one directory, so it is atomic
    assert os.listdir(link_dir) == ["current.yaml"] and os.listdir(real_dir) == ["trained.yaml"]
    assert check_target(link, None, force=True) == real


def test_a_dangling_symlink_creates_the_file_it_names(tmp_path):
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "named.yaml")
    write_atomic(link, "made\n")
    assert link.is_symlink() and (tmp_path / "named.yaml").read_text() == "made\n"


def test_a_symlink_loop_is_one_line_of_error(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(InputError, match="cannot write: .*symbolic links"):
        write_atomic(tmp_path / "a", "x")


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o755, 0o604])
def test_the_replaced_files_mode_is_kept(tmp_path, mode):
    path = tmp_path / "secret.yaml"
    path.write_text("old\n")
    path.chmod(mode)
    write_atomic(path, "new\n")
    assert stat.S_IMODE(path.stat().st_mode) == mode and path.read_text() == "new\n"


def test_a_new_file_gets_the_umask_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.yaml", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.yaml").stat().st_mode) == 0o640  # 0666 & ~027, not mkstemp's 0600


def test_the_replaced_files_owner_is_kept_where_allowed(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root may give a file to another user")
    path = tmp_path / "theirs.yaml"
    path.write_text("old\n")
    os.chown(path, 1234, 5678)
    write_atomic(path, "new\n")
    assert (path.stat().st_uid, path.stat().st_gid) == (1234, 5678)


def test_a_hard_link_keeps_the_old_content(tmp_path):
    # The rename gives the name written a new file; every other name of the old one still
    # shows the old content (as with `sed -i`, editors that save atomically, and rsync). The
    # README says so: atomic replacement is worth more than keeping links.
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text("old\n")
    os.link(first, second)
    write_atomic(first, "new\n")
    assert first.read_text() == "new\n" and second.read_text() == "old\n"
    assert first.stat().st_nlink == 1 and second.stat().st_nlink == 1


def test_a_missing_directory_is_found_before_any_work(tmp_path):
    with pytest.raises(InputError, match=f"^{tmp_path}/missing/x.yaml: cannot write: no such directory "):
        check_target(tmp_path / "missing" / "x.yaml", "saved config")
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="cannot write: "):  # a file where a directory should be
        check_target(tmp_path / "file" / "x.yaml", "saved config")


def test_a_read_only_file_or_directory_is_refused(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may write anything")
    path = tmp_path / "locked.yaml"
    path.write_text("# Trained by pencilnet from x\n")
    path.chmod(0o444)
    with pytest.raises(InputError, match="read-only"):
        check_target(path, "saved config", force=True)


OWN = {  # the first bytes of a file each kind's command wrote itself
    "saved config": b"# Trained by pencilnet from configs/fruit.yaml: 30 epochs, final error 0.01.\nname: x\n",
    "pictures": b"p1,p2,p3,p4,label\n0.1,0.2,0.3,0.4,tomato\n",
    "picture": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR...tEXtSoftware\x00Matplotlib version3.9\n",
}
FOREIGN = {  # files a person wrote, or another program
    "a hand-written config": b"# My network\nname: x\nexpected:\n  values: {net_h1: '0.5'}\n",
    "a data file": b"x1,x2,label\n0.1,0.2,tomato\n",
    "a photo": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR camera",
    "empty": b"",
}


@pytest.mark.parametrize("kind", [*OWN, None])
def test_only_a_file_of_the_commands_own_kind_is_replaced_without_force(tmp_path, kind):
    path = tmp_path / "target"
    for content in {**FOREIGN, **{other: OWN[other] for other in OWN if other != kind}}.values():
        path.write_bytes(content)
        with pytest.raises(InputError, match=f"^{path}: already exists.*; --force replaces it$"):
            check_target(path, kind)
        assert check_target(path, kind, force=True) == path
        assert path.read_bytes() == content
    if kind is not None:
        path.write_bytes(OWN[kind])
        assert check_target(path, kind) == path
    path.unlink()
    assert check_target(path, kind) == path  # a new name is always fine
