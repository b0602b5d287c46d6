"""The document as LaTeX for pdflatex, using only TeX Live's base and recommended packages;
`math` also writes the mathematics of the Markdown version."""

import re

from pencilnet.views.publish.blocks import Document, Equation, Figure, Heading, Items, Paragraph, Table, prose
from pencilnet.views.publish.math import Fn, Frac, Half, Num, Op, Partial, Power, Sum, Var, width
from pencilnet.views.terminal import one_line

OPS = {"×": r"\times", "−": "-", "⋯": r"\cdots", "≤": r"\leq", "≈": r"\approx", "√": r"\surd", "{": r"\{",
       "}": r"\}", "#": r"\#", "%": r"\%", "&": r"\&", "$": r"\$", "_": r"\_", "^": r"\hat{}", "~": r"\sim",
       "\\": r"\backslash"}
SCIENTIFIC = re.compile(r"(-?\d+(?:\.\d+)?)e([+-]?\d+)")
FUNCTIONS = {"σ": r"\sigma", "tanh": r"\tanh", "ln": r"\ln", "max": r"\max", "exp": r"\exp"}
GREEK = {"η": r"\eta", "σ": r"\sigma", "θ": r"\theta", "α": r"\alpha", "β": r"\beta", "γ": r"\gamma",
         "δ": r"\delta", "ε": r"\varepsilon", "λ": r"\lambda", "μ": r"\mu", "φ": r"\varphi", "ψ": r"\psi",
         "ω": r"\omega", "τ": r"\tau", "ρ": r"\rho"}  # σ, η: the network's; the rest a function's parameters


def _name(text: str) -> str:
    if text in GREEK:
        return GREEK[text]
    if len(text) == 2 and text[1] == "\u0302":  # m̂: an optimizer's bias-corrected state
        return rf"\hat{{{_name(text[0])}}}"
    if not re.fullmatch(r"[A-Za-z0-9]+", text):  # not a name pencilnet makes: quoted as text
        return rf"\text{{{_characters(text)}}}"
    if len(text) == 1 or text.isdigit():
        return text
    if text.isalpha() and len(text) > 2:  # a word (total, new); ij stays two indices
        return rf"\mathrm{{{text}}}"
    return text  # a node such as h1


def number(text: str) -> str:
    """A number as Style wrote it, in mathematics: 1.78e-10 as 1.78 × 10⁻¹⁰, never 1.78e − 10."""
    found = SCIENTIFIC.fullmatch(text)
    if not found:
        return text
    mantissa, exponent = found.group(1), int(found.group(2))
    power = f"10^{{{exponent}}}"
    return power if mantissa in ("1", "1.0") else f"{mantissa} \\times {power}"


def _var(v: Var) -> str:
    base = r"\mathit{bw}" if v.base == "bw" else _name(v.base)
    sub = f"_{{{_name(v.sub)}}}" if v.sub else ""
    sup = f"^{{{_name(v.sup)}}}" if v.sup else ""
    return base + sub + sup


def math(tokens) -> str:
    """Tokens as LaTeX mathematics (without the $ around them)."""
    parts = []
    tokens = list(tokens)
    while tokens:
        t = tokens.pop(0)
        if t == Op("√") and tokens:  # a root over the token after it
            parts.append(rf"\sqrt{{{math(tokens[:1])}}}")
            tokens.pop(0)
        elif isinstance(t, Var):
            parts.append(_var(t))
        elif isinstance(t, Num):
            parts.append(number(t.text))
        elif isinstance(t, Op):
            parts.append(OPS.get(t.text, t.text))
        elif isinstance(t, Fn):
            parts.append(FUNCTIONS.get(t.name, rf"\operatorname{{{t.name}}}".replace("_", r"\_")))
        elif isinstance(t, Half):
            parts.append(r"\tfrac{1}{2}")
        elif isinstance(t, Sum):
            parts.append(rf"\sum_{{{_name(t.index)}}}")
        elif isinstance(t, Partial):
            parts.append(rf"\frac{{\partial {_var(t.top)}}}{{\partial {_var(t.bottom)}}}")
        elif isinstance(t, Frac):
            parts.append(rf"\frac{{{math(t.top)}}}{{{math(t.bottom)}}}")
        elif isinstance(t, Power):
            parts.append(rf"{{{math(t.base)}}}^{{{math(t.exponent)}}}")
        else:
            raise TypeError(f"no LaTeX for {t!r}")
    return " ".join(parts)


def aligned(equation: Equation) -> str:
    """The lines of an equation for an aligned environment: lhs &= … \\ &= …"""
    lines = []
    for k, (starts, tokens) in enumerate(equation.lines()):
        lead = (math(equation.lhs) + " ") if k == 0 else ""
        lines.append(f"{lead}&{OPS.get(starts, starts)} {math(tokens)}" if starts else rf"&\quad {{}}{math(tokens)}")
    return " \\\\\n".join(lines)


TEXT = {  # characters of prose that pdflatex's default fonts have under another name
    "∂": r"$\partial$", "→": r"$\to$", "…": r"\dots{}", "⋯": r"$\cdots$", "−": "$-$", "×": r"$\times$",
    "η": r"$\eta$", "σ": r"$\sigma$", "Σ": r"$\Sigma$", "½": r"$\frac12$", "²": r"$^2$", "·": r"$\cdot$",
    "√": r"$\surd$", "≈": r"$\approx$",
    "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "\u00a0": "~",
    "'": r"\textquotesingle{}", '"': r"\textquotedbl{}", "`": r"\textasciigrave{}",  # as typed, never curled
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


LONG_WORD = 24  # characters without a space: such a word may break after any CHUNK of them
CHUNK = 4


def text(value: str) -> str:
    """Prose for pdflatex: specials escaped (a ^ is a caret, never a superscript); a character its
    fonts lack written as its code point; a line break a space; a long word (a path, a hash) free
    to break. A table's heading may have m̂ (m and a combining circumflex): mathematics."""
    out = []
    for piece in re.split(r"(\w\u0302)", one_line(value)):
        if len(piece) == 2 and piece[1] == "\u0302":
            out.append(rf"$\hat{{{text(piece[0])}}}$")
        else:
            out.append(_characters(piece))
    return "".join(out)


def _characters(value: str) -> str:
    """Each character as pdflatex's fonts write it; a word longer than LONG_WORD may break."""
    pieces = re.split(rf"(\S{{{LONG_WORD},}})", value)
    if len(pieces) > 1:
        return "".join(r"\allowbreak{}".join(_letters(piece[k:k + CHUNK]) for k in range(0, len(piece), CHUNK))
                       if n % 2 else _letters(piece) for n, piece in enumerate(pieces))
    return _letters(value)


def _letters(value: str) -> str:
    out = []
    for ch in value:
        if ch in TEXT:
            out.append(TEXT[ch])
        elif ord(ch) < 0x180 and (ch.isprintable() or ch == "\n"):  # Latin letters the inputenc utf8 files cover
            out.append(ch)
        else:
            out.append(f"[U+{ord(ch):04X}]")
    return "".join(out)


def inline(parts) -> str:
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces += [rf"\texttt{{{text(t)}}}" if code else text(t) for code, t in prose(part)]
        else:
            pieces.append(f"${math(part)}$")
    return "".join(pieces)


PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
% Run pdflatex twice: the tables (longtable) settle their column widths on the second run.
\usepackage[utf8]{inputenc}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath}
\usepackage{graphicx}
\usepackage{longtable}
\usepackage{booktabs}
\allowdisplaybreaks
\setlength{\emergencystretch}{3em}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
% A picture floats to where it fits, never leaving half a page empty. One much wider than the
% text (a network of three layers or more) is turned a quarter and given the whole text height,
% so that its labels stay readable.
\newsavebox{\picturebox}
\newcommand{\networkpicture}[2]{%
  \sbox{\picturebox}{\includegraphics{#1}}%
  \ifdim\wd\picturebox>1.4\linewidth
    \begin{figure}[p]\centering
    \includegraphics[angle=90,width=\linewidth,height=0.88\textheight,keepaspectratio]{#1}\par\medskip
    {\small #2}\end{figure}%
  \else
    \begin{figure}[tbp]\centering
    \includegraphics[width=\linewidth,height=0.6\textheight,keepaspectratio]{#1}\par\medskip
    {\small #2}\end{figure}%
  \fi}
"""


TEXT_WIDTH = 470.0  # points: A4's 595 less two margins of 2.2 cm
CHARACTER = 6.0  # points: a digit is 5.5 at 11 points; the rest, roughly, with room for signs and marks
SIZES = ((r"\normalsize", 1.0, 6.0), (r"\small", 0.91, 5.0), (r"\footnotesize", 0.82, 4.0),
         (r"\scriptsize", 0.7, 3.0))  # a size, how much it shrinks a character, and the space beside a column


def _cell_width(cell) -> float:
    """A cell's width in characters, roughly: its prose's letters and its mathematics' width."""
    return sum(len(one_line(part)) if isinstance(part, str) else width(part) for part in cell)


def _table_width(widths: list[float], scale: float, gap: float) -> float:
    return sum(widths) * CHARACTER * scale + 2 * gap * len(widths)


def table(block: Table) -> str:
    """A table that fits the text width: at the largest size it fits at, else its columns split
    over several tables, each starting with the first (the row's name)."""
    columns = range(len(block.numeric))
    widths = [max(_cell_width(row[c]) for row in (block.header, *block.rows)) for c in columns]
    for size, scale, gap in SIZES:
        if _table_width(widths, scale, gap) <= TEXT_WIDTH:
            return _longtable(block, list(columns), size, gap)
    size, scale, gap = SIZES[-1]
    groups: list[list[int]] = [[0]]
    for c in columns[1:]:
        if len(groups[-1]) > 1 and _table_width([widths[k] for k in (*groups[-1], c)], scale, gap) > TEXT_WIDTH:
            groups.append([0])
        groups[-1].append(c)
    return "\n\n".join(_longtable(block, group, size, gap) for group in groups)


def _longtable(block: Table, columns: list[int], size: str, gap: float) -> str:
    spec = "".join("r" if block.numeric[c] else "l" for c in columns)
    head = " & ".join(rf"\textbf{{{inline(block.header[c])}}}" for c in columns)
    body = "\n".join(" & ".join(inline(row[c]) for c in columns) + r" \\" for row in block.rows)
    return (rf"{{{size}\setlength{{\tabcolsep}}{{{gap:g}pt}}\begin{{longtable}}{{{spec}}}" + "\n" + r"\toprule" + "\n"
            + head + r" \\ \midrule" + "\n" + r"\endhead" + "\n" + body + "\n" + r"\bottomrule" + "\n"
            + r"\end{longtable}}")


def render(document: Document, pictures: dict[str, str]) -> str:
    """`pictures`: the file each figure's stage was drawn to, beside the .tex."""
    lines = [PREAMBLE, rf"\title{{{text(document.title)}}}", r"\author{}", r"\date{}", r"\begin{document}",
             r"\maketitle", ""]
    for block in document.blocks:
        if isinstance(block, Heading):
            command = {1: "section", 2: "section", 3: "subsection"}.get(block.level, "subsubsection")
            lines.append(rf"\{command}*{{{text(block.text)}}}")
        elif isinstance(block, Paragraph):
            lines.append(inline(block.parts))
        elif isinstance(block, Equation):
            rows = block.lines()
            if len(rows) == 1:
                lines.append(rf"\[ {math(block.lhs)} = {math(rows[0][1])} \]")
            else:
                lines.append("\\begin{align*}\n" + aligned(block) + "\n\\end{align*}")
        elif isinstance(block, Table):
            lines.append(table(block))
        elif isinstance(block, Figure):
            lines.append(rf"\networkpicture{{{pictures[block.stage]}}}{{{text(block.caption)}}}")
        elif isinstance(block, Items):
            items = "\n".join(rf"\item {inline(item)}" for item in block.items)
            lines.append(r"\begin{itemize}" + "\n" + items + "\n" + r"\end{itemize}")
        lines.append("")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
