"""Text on its way to a terminal: shown, never obeyed, and in characters the terminal can take.

A config's name, classes, labels and notes, a CSV's label column and an imported model's
metadata are the user's files' text, not pencilnet's. A control character in them (ESC starts
the terminal's own commands: OSC 52 writes the clipboard, CSI 2J clears the screen) is shown
as its escape, `\\x1b`, wherever it is printed: by `layout.ShownConsole`, which every table
goes through, and in the CLI's lines on stderr. And a terminal whose encoding lacks ×, −, Σ,
σ, ∂, η or the box lines (LC_ALL=C, ISO-8859-1) gets an ASCII rendition of them rather than
a UnicodeEncodeError.
"""

import codecs
import re
from functools import cache

FOOTNOTE_MARKS = "†‡§¶‖"  # a footnote's mark after a number: " †", then numbered, " [6]"

# C0 and C1 controls (a line break stays where it is asked to), DEL, the marks that reorder
# text (a right-to-left override makes `evil` print as `live`), and lone surrogates, which no
# encoding can write.
_CONTROL = "\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
CONTROL = re.compile(f"[{_CONTROL}]")
CONTROL_OR_BREAK = re.compile(f"[{_CONTROL}\n\u2028\u2029]")  # with the line and paragraph separators


def _escape(found: re.Match) -> str:
    code = ord(found.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, breaks: bool = True) -> str:
    """`text` with every control character written as its escape (ESC as `\\x1b`); with
    `breaks` False, a line break too, U+2028 and U+2029 included (a table cell, a message: one line)."""
    return (CONTROL if breaks else CONTROL_OR_BREAK).sub(_escape, text)


def one_line(text: str) -> str:
    """A user's text as one line to quote in a document: a line break is a space (in Markdown
    it would start a heading, in LaTeX a paragraph), any other control character its escape."""
    return visible(re.sub(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]", " ", text))


# What a terminal without the character reads instead. Longer words take more room, so a table
# laid out for the Unicode text may come out a column wider: readable, if not aligned.
ASCII = {
    "×": "x", "−": "-", "–": "-", "—": "-", "Σ": "sum", "∑": "sum", "σ": "sigma", "∂": "d", "η": "eta",
    "½": "1/2", "²": "^2", "·": "*", "√": "sqrt", "≈": "~", "≠": "!=", "≤": "<=", "≥": ">=", "→": "->",
    "←": "<-", "…": "...", "⋯": "...", "‘": "'", "’": "'", "“": '"', "”": '"', "†": "+", "‡": "++",
    "§": "S", "¶": "P", "‖": "||", "β": "beta", "ε": "eps", "λ": "lambda", "μ": "mu", "γ": "gamma",
    "α": "alpha", "θ": "theta", "\u00a0": " ", "\u0302": "^", "✓": "ok", "✗": "x", "•": "*", "°": "deg",
    "─": "-", "━": "-", "│": "|", "┃": "|", "┌": "+", "┐": "+", "└": "+", "┘": "+", "├": "+", "┤": "+",
    "┬": "+", "┴": "+", "┼": "+", "╷": "|", "╵": "|", "▁": "_", "▂": "_", "▃": "_", "▄": "=", "▅": "=",
    "▆": "#", "▇": "#", "█": "#", "░": ".", "▒": ":", "▓": "#",
}


@cache
def _table(encoding: str) -> dict[int, str]:
    """The ASCII rendition of each character `encoding` cannot write."""
    table = {}
    for char, ascii_text in ASCII.items():
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            table[ord(char)] = ascii_text
    return table


def encodable(text: str, encoding: str | None) -> str:
    """`text` as `encoding` can write it: as it is when it can, else each missing character by
    its ASCII rendition, or its escape (`\\u2207`) when it has none."""
    if not encoding:
        return text
    try:
        encoding = codecs.lookup(encoding).name
        text.encode(encoding)
        return text
    except LookupError:
        return text
    except UnicodeEncodeError:
        pass
    translated = text.translate(_table(encoding))
    return translated.encode(encoding, "backslashreplace").decode(encoding)


def ascii_only(encoding: str | None) -> bool:
    try:
        "×−Σσ∂η─".encode(encoding or "utf-8")
        return False
    except (UnicodeEncodeError, LookupError):
        return True
