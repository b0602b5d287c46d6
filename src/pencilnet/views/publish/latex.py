"""The document as LaTeX for pdflatex, using only TeX Live's base and recommended packages;
`math` also writes the mathematics of the Markdown version."""

import re

from pencilnet.views.publish.blocks import Document, Equation, Figure, Heading, Items, Paragraph, Table, prose
from pencilnet.views.publish.math import Fn, Frac, Half, Num, Op, Partial, Power, Sum, Var

OPS = {"×": r"\times", "−": "-", "⋯": r"\cdots"}
FUNCTIONS = {"σ": r"\sigma", "tanh": r"\tanh", "ln": r"\ln", "max": r"\max", "exp": r"\exp"}
GREEK = {"η": r"\eta", "σ": r"\sigma"}


def _name(text: str) -> str:
    if text in GREEK:
        return GREEK[text]
    if len(text) == 1 or text.isdigit():
        return text
    if text.isalpha() and len(text) > 2:  # a word (total, new); ij stays two indices
        return rf"\mathrm{{{text}}}"
    return text  # a node such as h1


def _var(v: Var) -> str:
    base = r"\mathit{bw}" if v.base == "bw" else _name(v.base)
    sub = f"_{{{_name(v.sub)}}}" if v.sub else ""
    sup = f"^{{{_name(v.sup)}}}" if v.sup else ""
    return base + sub + sup


def math(tokens) -> str:
    """Tokens as LaTeX mathematics (without the $ around them)."""
    parts = []
    for t in tokens:
        if isinstance(t, Var):
            parts.append(_var(t))
        elif isinstance(t, Num):
            parts.append(t.text)
        elif isinstance(t, Op):
            parts.append(OPS.get(t.text, t.text))
        elif isinstance(t, Fn):
            parts.append(FUNCTIONS.get(t.name, rf"\operatorname{{{t.name}}}"))
        elif isinstance(t, Half):
            parts.append(r"\tfrac{1}{2}")
        elif isinstance(t, Sum):
            parts.append(rf"\sum_{{{t.index}}}")
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
        lines.append(f"{lead}&= {math(tokens)}" if starts else rf"&\quad {{}}{math(tokens)}")
    return " \\\\\n".join(lines)


TEXT = {  # characters of prose that pdflatex's default fonts have under another name
    "∂": r"$\partial$", "→": r"$\to$", "…": r"\dots{}", "⋯": r"$\cdots$", "−": "$-$", "×": r"$\times$",
    "η": r"$\eta$", "σ": r"$\sigma$", "Σ": r"$\Sigma$", "½": r"$\frac12$", "²": r"$^2$", "·": r"$\cdot$",
    "√": r"$\surd$",
    "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''", "\u00a0": "~",
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def text(value: str) -> str:
    """Prose for pdflatex: specials escaped; a character its fonts lack written as its code point.
    An optimizer's rule has m̂ (m and a combining circumflex) and powers (0.9^t): math for both."""
    out = []
    for piece in re.split(r"(\w\u0302|\^[A-Za-z0-9]+)", value):
        if len(piece) == 2 and piece[1] == "\u0302":
            out.append(rf"$\hat{{{text(piece[0])}}}$")
        elif piece.startswith("^") and len(piece) > 1:
            out.append(f"$^{{{piece[1:]}}}$")
        else:
            out.append(_characters(piece))
    return "".join(out)


def _characters(value: str) -> str:
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
\usepackage[utf8]{inputenc}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath}
\usepackage{graphicx}
\usepackage{longtable}
\usepackage{booktabs}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
"""


def render(document: Document, pictures: dict[str, str]) -> str:
    """`pictures`: the file each figure's stage was drawn to, beside the .tex."""
    lines = [PREAMBLE, rf"\title{{{text(document.title)}}}", r"\date{}", r"\begin{document}", r"\maketitle", ""]
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
            spec = "".join("r" if right else "l" for right in block.numeric)
            head = " & ".join(rf"\textbf{{{inline(cell)}}}" for cell in block.header)
            body = "\n".join(" & ".join(inline(cell) for cell in row) + r" \\" for row in block.rows)
            lines.append(rf"\begin{{longtable}}{{{spec}}}" + "\n" + r"\toprule" + "\n" + head + r" \\ \midrule"
                         + "\n" + r"\endhead" + "\n" + body + "\n" + r"\bottomrule" + "\n" + r"\end{longtable}")
        elif isinstance(block, Figure):
            # In a minipage, so that a picture and its caption are never split over two pages.
            lines.append(r"\begin{center}\begin{minipage}{\linewidth}\centering" + "\n"
                         + r"\includegraphics[width=\linewidth,height=0.42\textheight,keepaspectratio]"
                         + f"{{{pictures[block.stage]}}}\\\\[0.3em]\n"
                         + rf"{{\small {text(block.caption)}}}" + "\n" + r"\end{minipage}\end{center}")
        elif isinstance(block, Items):
            items = "\n".join(rf"\item {inline(item)}" for item in block.items)
            lines.append(r"\begin{itemize}" + "\n" + items + "\n" + r"\end{itemize}")
        lines.append("")
    lines.append(r"\end{document}")
    return "\n".join(lines) + "\n"
