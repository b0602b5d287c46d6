"""What the interop modules share: the formats, the bounds every file is read within, and how a
failure is put in one line."""

from importlib import import_module
from pathlib import Path
from types import ModuleType

from pencilnet.core.errors import InputError

FORMATS = (".safetensors", ".onnx")
MAX_FILE_BYTES = 64 * 2**20  # far more than a config can hold (16 MiB of text, about 750,000 numbers)
MAX_TENSORS = 2_000  # and as many ONNX nodes: a thousand layers
MAX_PARAMETERS = 2_000_000
MAX_NAME = 200  # of a tensor, a node or a value: PyTorch's longest are a few dozen characters
MAX_TEXT = 1_000  # of a model's name or a class name, which pencilnet writes into a config and its pictures
MAX_MESSAGE = 1_000  # a failure's line, whatever the names in it


def needs(package: str, what: str) -> ModuleType:
    """`import package`, or one line naming the extra that installs it."""
    try:
        return import_module(package)
    except ImportError:
        raise InputError(f"{what} needs {package.split('.')[0]}: pip install 'pencilnet[interop]'") from None


def format_of(path: str | Path, option: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{option}: expected a file ending .safetensors or .onnx, found '{path}'")
    return suffix


def read_file(path: str | Path) -> bytes:
    """The file, read with the bound every input has (see `files.read_bytes`); a pipe or a device,
    which may never end or never open, is refused without being opened."""
    from pencilnet.io.files import read_bytes

    path = Path(path)
    if path.exists() and not path.is_file() and not path.is_dir():
        raise InputError(f"{path}: expected a file, found a special file")
    return read_bytes(path, "file", MAX_FILE_BYTES)


def printable(text: str, limit: int | None = None) -> str:
    """`text` with every character a terminal or a YAML comment would act on (line breaks, escapes) as '?',
    cut to `limit` characters."""
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return "".join(c if c.isprintable() else "?" for c in text)


def first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def check_name(name: str, what: str, source: str, limit: int = MAX_NAME) -> str:
    """`name`, once it is known to be of at most `limit` characters: every name a file carries ends up in a
    message or a config, so a 10 MB one is refused here, in one line, before anything works on it."""
    if len(name) > limit:
        raise InputError(f"{source}: {what} '{name[:40]}…': expected at most {limit:,} characters, found "
                         f"{len(name):,}")
    return name
