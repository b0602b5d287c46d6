"""Writing files so that a crash leaves the old file or the new one, never half of one."""

import os
import re
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from pencilnet.core.errors import InputError


def read_text(path: str | Path, what: str = "file", limit: int | None = None) -> str:
    """A UTF-8 text file's contents ("-": standard input), every failure an InputError of one line
    naming the file; with a `limit`, at most that many bytes are accepted."""
    data = read_bytes(path, what, limit)
    try:
        return data.decode("utf-8-sig")  # -sig: a byte-order mark (spreadsheets write one) is not content
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: expected UTF-8 text, found undecodable bytes") from None


def read_bytes(path: str | Path, what: str = "file", limit: int | None = None) -> bytes:
    """At most `limit` bytes of a file or of standard input ("-"). Never more than `limit` + 1
    bytes are read from standard input, so a pipe that never ends costs no more than a file at
    the limit. A named file must be a regular file (see `open_regular`): a FIFO, a socket or a
    device (/dev/zero) is refused before anything is read from it."""
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            if sys.stdin is None:
                raise InputError("<stdin>: cannot read: standard input is closed")
            stream, size = sys.stdin.buffer, None
            data = stream.read(-1 if limit is None else limit + 1)
        else:
            with open_regular(path, what) as stream:
                size = os.fstat(stream.fileno()).st_size
                data = stream.read(-1 if limit is None else limit + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: expected a {what}, found a directory") from None
    except (OSError, ValueError) as exc:  # ValueError: a standard input closed under us
        raise InputError(f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if limit is not None and len(data) > limit:
        found = sized(size) if size is not None else "more"
        raise InputError(f"{name}: expected a {what} of at most {size_text(limit)}, found {found}")
    return data


def open_regular(path: str | Path, what: str = "file") -> BinaryIO:
    """`path` opened for reading, refused unless it is a regular file (after symlinks): a FIFO
    with no writer would block the open forever, and a device (/dev/zero) never ends. The open
    itself cannot block (O_NONBLOCK; it changes nothing for a regular file), and the check is
    made on what was opened, so nothing can be swapped in between."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: expected a {what}, found a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = "a regular file, not a pipe or device" if not stat.S_ISDIR(mode) else ""
        raise InputError(f"{path}: expected a {what}{f' ({kind})' if kind else ''}, found {_special(mode)}")
    return os.fdopen(descriptor, "rb")


def sized(count: int) -> str:
    """A size as people compare it with a cap: 18,246,042 bytes (18.2 MB, 17.4 MiB)."""
    return f"{count:,} bytes ({count / 1e6:.1f} MB, {count / 2**20:.1f} MiB)"


def size_text(count: int) -> str:
    """16 MiB, 512 KiB, 300 bytes: a limit as a person reads it."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale and count % scale == 0:
            return f"{count // scale} {unit}"
    return f"{count:,} bytes"


# What each writing command may replace without --force: a file of the kind it writes itself,
# told by its first bytes. Anything else (a hand-written config, a data file, a photo) is
# someone's work, and replacing it takes --force. `None`: the command replaces nothing unasked.
SAVED_MARK = "# Trained by pencilnet"  # the first line of every config `train --save` writes
PARAMETERS_MARK = b"layers[0].weights"  # the first array of every parameters .npz it writes
DOCUMENT_MARK = "written by pencilnet publish"
NOTEBOOK_MARK = "a notebook " + DOCUMENT_MARK  # the first field of its metadata
KINDS = {
    "saved config": ("a config written by `pencilnet train --save`",
                     lambda head: head.startswith(SAVED_MARK.encode())),
    "saved parameters": ("the parameters of a config written by `pencilnet train --save`",
                         lambda head: head.startswith(b"PK\x03\x04") and PARAMETERS_MARK in head[:200]),
    "pictures": ("a CSV of pictures written by `pencilnet data fruit`",
                 lambda head: re.match(rb"p1(,p[0-9]+)*,label\r?\n", head) is not None),
    # A PDF names its maker at its end: the bytes tested are a file's first and last few thousand.
    "picture": ("a picture drawn by pencilnet (a PNG, SVG or PDF made with matplotlib)",
                lambda head: (head.startswith((b"\x89PNG", b"<?xml", b"<svg", b"%PDF"))
                              and b"matplotlib" in head.lower())),
    "document": ("a document written by `pencilnet publish`", lambda head: DOCUMENT_MARK.encode() in head),
    "notebook": ("a notebook written by `pencilnet publish`",
                 lambda head: head.startswith(b"{") and NOTEBOOK_MARK.encode() in head[:200]),
    "predictions": ("predictions written by `pencilnet predict --out`",
                    lambda head: re.match(rb"sample,(class,)?[a-z0-9_,]*\r?\n", head) is not None),
    "exercise": ("an exercise written by `pencilnet exercise`",
                 lambda head: head.startswith(b"# An exercise made by pencilnet")),
    "quiz": ("a Moodle quiz written by pencilnet", lambda head: b"$course$/pencilnet/" in head[:400]),
    "grades": ("grades written by `pencilnet grade --out`",
               lambda head: head.startswith(b"student,quantity,answer,right,")),
    "training log": ("a training log written by `pencilnet train --log`",
                     lambda head: head.startswith((b"epoch,error,learning_rate,", b'{"epoch": '))),
    "junit": ("a JUnit report written by pencilnet (`verify`, `gradcheck` or `train` with --junit)",
              lambda head: b'<testsuites name="pencilnet ' in head[:200]),
    None: (None, lambda head: False),
}
HEAD_BYTES = 2048  # enough to tell every kind above
TAIL_BYTES = 4096


def check_target(path: str | Path, kind: str | None, force: bool = False) -> Path:
    """Fail now, before any work, if `path` cannot or should not be written: its directory is
    missing or not writable, it is a special file (a device, a FIFO, a directory), it is
    read-only, or it is a file not of `kind` (see KINDS) and `force` is not given.
    Returns the file a write will replace: symlinks are followed to the file they name."""
    real, info = _target(path)
    directory = real.parent
    if not directory.is_dir():
        raise InputError(f"{path}: cannot write: no such directory '{directory}'")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError(f"{path}: cannot write: permission denied for the directory '{directory}'")
    if info is None:
        return real
    if not os.access(real, os.W_OK):
        raise InputError(f"{path}: cannot write: the file is read-only")
    if not force:
        what, is_kind = KINDS[kind]
        try:
            with open(real, "rb") as stream:
                head = stream.read(HEAD_BYTES)
                if info.st_size > HEAD_BYTES:
                    stream.seek(max(HEAD_BYTES, info.st_size - TAIL_BYTES))
                    head += stream.read(TAIL_BYTES)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if not is_kind(head):
            unlike = f" and is not {what}" if what else ""
            raise InputError(f"{path}: already exists{unlike}; --force replaces it")
    return real


def write_atomic(path: str | Path, content: str | bytes) -> None:
    """Replace `path` by `content` in one step: a temporary file beside it, flushed to disk,
    then renamed over it. On any failure, Ctrl-C included, the temporary file is removed.

    A symlink is written through: the file it names is replaced, in that file's directory.
    The replaced file's permission bits (and owner, where allowed) are kept. Other hard links
    to it keep the old content: the rename gives the name a new file (see the README)."""
    import tempfile  # only a command that writes a file needs it

    real, info = _target(path)
    directory = real.parent
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{real.name}.", suffix=".tmp")
    except FileNotFoundError:
        raise InputError(f"{path}: cannot write: no such directory '{directory}'") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp makes the file private (0600): give it the mode the old file had, or a new one would get
        os.chmod(temporary, stat.S_IMODE(info.st_mode) if info else _new_file_mode())
        if info and hasattr(os, "chown"):
            _keep_owner(temporary, info)
        os.replace(temporary, real)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    _sync_directory(directory)


def _target(path: str | Path) -> tuple[Path, os.stat_result | None]:
    """The file a write to `path` replaces (symlinks followed), and its status, None if it is new.
    Anything there that is not a regular file is refused: renaming over a device or a FIFO
    would replace it by a regular file."""
    real = Path(os.path.realpath(path))
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return real, None
    except OSError as exc:  # a loop of symlinks, a directory on the way that cannot be searched
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: expected a regular file to write (or a new name), found {_special(info.st_mode)}")
    return real, info


def _special(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))
    return next((text for test, text in kinds if test(mode)), "a special file")


def _keep_owner(temporary: str, info: os.stat_result) -> None:
    """Give the new file the old one's owner and group, as far as this user may (root may)."""
    if (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        os.chown(temporary, info.st_uid, info.st_gid)
    except OSError:
        try:
            os.chown(temporary, -1, info.st_gid)
        except OSError:
            pass


def _new_file_mode() -> int:
    umask = os.umask(0)  # reading the umask means setting it: put it straight back
    os.umask(umask)
    return 0o666 & ~umask


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable; not every system can open a directory, and that is fine."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
