"""Writing files so that a crash leaves the old file or the new one, never half of one."""

import os
import stat
import sys
from pathlib import Path

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
    bytes are read from anything, so a device (/dev/zero), a pipe or a FIFO that never ends
    costs no more than a file at the limit."""
    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            if sys.stdin is None:
                raise InputError("<stdin>: cannot read: standard input is closed")
            stream, size = sys.stdin.buffer, None
            data = stream.read(-1 if limit is None else limit + 1)
        else:
            with open(path, "rb") as stream:
                status = os.fstat(stream.fileno())
                size = status.st_size if stat.S_ISREG(status.st_mode) else None
                data = stream.read(-1 if limit is None else limit + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: expected a {what}, found a directory") from None
    except (OSError, ValueError) as exc:  # ValueError: a standard input closed under us
        raise InputError(f"{name}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if limit is not None and len(data) > limit:
        found = f"{size:,} bytes" if size is not None else "more"
        raise InputError(f"{name}: expected a {what} of at most {size_text(limit)}, found {found}")
    return data


def size_text(count: int) -> str:
    """16 MiB, 512 KiB, 300 bytes: a limit as a person reads it."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale and count % scale == 0:
            return f"{count // scale} {unit}"
    return f"{count:,} bytes"


def write_atomic(path: str | Path, content: str | bytes) -> None:
    """Replace `path` by `content` in one step: a temporary file beside it, flushed to disk,
    then renamed over it. On any failure, Ctrl-C included, the temporary file is removed."""
    import tempfile  # only a command that writes a file needs it

    path = Path(path)
    directory = path.parent
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except FileNotFoundError:
        raise InputError(f"{path}: cannot write: no such directory '{directory}'") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _new_file_mode())  # mkstemp makes it private (0600); a new file would not be
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        raise
    _sync_directory(directory)


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
