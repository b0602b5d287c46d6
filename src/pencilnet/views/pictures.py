"""What every picture shares: the formats, matplotlib imported only when a picture is asked for,
and a figure rendered to bytes (the CLI writes them: a view never writes a file)."""

from pathlib import Path

from pencilnet.core.errors import InputError

FORMATS = (".svg", ".png", ".pdf")  # PDF for LaTeX documents
MISSING = "drawing needs matplotlib: pip install 'pencilnet[plot]'"


def check_path(out_path) -> Path:
    """The picture's path, refused before any work unless its suffix names a format and its folder exists."""
    path = Path(out_path)
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"{path}: expected a file name ending in .svg, .png or .pdf, "
                         f"found {path.suffix or 'no suffix'!r}")
    if not path.parent.is_dir():
        raise InputError(f"{path}: no such directory: {path.parent}")
    return path


def kind_of(path) -> str:
    """The format a picture named `path` is rendered in: svg, png or pdf."""
    return Path(path).suffix[1:].lower()


def matplotlib_figure():
    """matplotlib's Figure, imported only now: pictures are an optional extra."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: never open a window, never need a display
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError(MISSING) from None
    return matplotlib, Figure


def rendered(figure, kind: str) -> bytes:
    """The figure as the bytes of an svg, png or pdf file, rendered in memory: the CLI writes
    them atomically, so a failed or interrupted write never leaves half a picture."""
    import io

    import matplotlib

    buffer = io.BytesIO()
    # Text in an SVG stays text (searchable, selectable) rather than becoming outlines.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "pencilnet"}):
        # No date in an SVG or a PDF: the same network gives the same file.
        dateless = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(kind)
        figure.savefig(buffer, format=kind, dpi=100, metadata=dateless)
    return buffer.getvalue()


def check_picture(out_path) -> Path:
    """Fail now, not after a long training run, if a picture could not be written."""
    path = check_path(out_path)
    matplotlib_figure()
    return path


# Where a document's picture goes: the text block of the LaTeX document's A4 page, in points
# (595 × 842 less margins of 2.2 cm). A picture keeps its own size where it fits, else is made
# smaller to fit the text width and TALLEST of the text height; one whose text would then be too
# small to read is turned a quarter instead, if that leaves it larger.
TEXT_WIDTH, TEXT_HEIGHT = 470.0, 717.0
TALLEST = 0.9
READABLE = 7.0  # points, on the page: the smallest text a published picture may show


def on_page(width: float, height: float, smallest: float = 9.0) -> tuple[float, bool]:
    """The scale LaTeX gives a picture of `width` × `height` inches, and whether it is turned:
    only when upright its `smallest` text would come out smaller than READABLE, and turned larger."""
    upright = min(1.0, TEXT_WIDTH / (width * 72), TALLEST * TEXT_HEIGHT / (height * 72))
    turned = min(1.0, TEXT_WIDTH / (height * 72), TALLEST * TEXT_HEIGHT / (width * 72))
    return (turned, True) if upright * smallest < READABLE and turned > upright else (upright, False)
