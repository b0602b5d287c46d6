"""The document as one self-contained HTML page: mathematics as MathML, which browsers draw
natively, pictures as inline SVG, styles in the page; nothing is fetched from anywhere."""

import re
from html import escape as _escape_html

from pencilnet.views.publish.blocks import Document, Equation, Figure, Heading, Items, Paragraph, Table, prose
from pencilnet.views.publish.latex import SCIENTIFIC
from pencilnet.views.publish.math import Fn, Frac, Half, Num, Op, Partial, Power, Sum, Var
from pencilnet.views.terminal import one_line, visible


def escape(text: str) -> str:
    """A user's text for the page: markup escaped, a control character shown as its escape (no
    parser sees one), a line break a space."""
    return _escape_html(one_line(text))

NUMERIC = ' class="n"'


def _name(text: str) -> str:
    if len(text) == 2 and text[1] == "\u0302":  # m̂: an optimizer's bias-corrected state
        return f'<mover accent="true">{_name(text[0])}<mo>^</mo></mover>'
    kind = "mn" if text.isdigit() else "mi"
    return f"<{kind}>{escape(text)}</{kind}>"


def number(text: str) -> str:
    """A number as Style wrote it, as MathML: 1.78e-10 as 1.78 × 10⁻¹⁰; a negative sign as −."""
    found = SCIENTIFIC.fullmatch(text)
    if not found:
        sign = "−" if text.startswith("-") else ""
        return f"<mn>{sign}{escape(text.lstrip('-'))}</mn>"
    mantissa, exponent = found.group(1), int(found.group(2))
    minus = "<mo>−</mo>" if exponent < 0 else ""
    power = f"<msup><mn>10</mn><mrow>{minus}<mn>{abs(exponent)}</mn></mrow></msup>"
    return power if mantissa in ("1", "1.0") else f"{number(mantissa)}<mo>×</mo>{power}"


def _var(v: Var) -> str:
    base = _name(v.base)
    if v.sub and v.sup:
        return f"<msubsup>{base}{_name(v.sub)}{_name(v.sup)}</msubsup>"
    if v.sub:
        return f"<msub>{base}{_name(v.sub)}</msub>"
    if v.sup:
        return f"<msup>{base}{_name(v.sup)}</msup>"
    return base


def math(tokens) -> str:
    """Tokens as MathML presentation markup (without the <math> around them)."""
    parts = []
    tokens = list(tokens)
    while tokens:
        t = tokens.pop(0)
        if t == Op("√") and tokens:  # a root over the token after it
            parts.append(f"<msqrt>{math(tokens[:1])}</msqrt>")
            tokens.pop(0)
        elif isinstance(t, Var):
            parts.append(_var(t))
        elif isinstance(t, Num):
            parts.append(number(t.text))
        elif isinstance(t, Op):
            fixed = ' stretchy="false"' if t.text in "()[]" else ""
            fixed = ' stretchy="false" lspace="0" rspace="0"' if t.text == "|" else fixed  # |x|: no gaps
            parts.append(f"<mo{fixed}>{escape(t.text)}</mo>")
        elif isinstance(t, Fn):
            parts.append(f"<mi>{escape(t.name)}</mi>")
        elif isinstance(t, Half):
            parts.append("<mfrac><mn>1</mn><mn>2</mn></mfrac>")
        elif isinstance(t, Sum):
            parts.append(f"<munder><mo>∑</mo>{_name(t.index)}</munder>")
        elif isinstance(t, Partial):
            parts.append(f"<mfrac><mrow><mo>∂</mo>{_var(t.top)}</mrow>"
                         f"<mrow><mo>∂</mo>{_var(t.bottom)}</mrow></mfrac>")
        elif isinstance(t, Frac):
            parts.append(f"<mfrac><mrow>{math(t.top)}</mrow><mrow>{math(t.bottom)}</mrow></mfrac>")
        elif isinstance(t, Power):
            parts.append(f"<msup><mrow>{math(t.base)}</mrow><mrow>{math(t.exponent)}</mrow></msup>")
        else:
            raise TypeError(f"no MathML for {t!r}")
    return "".join(parts)


def inline(parts) -> str:
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces += [f"<code>{escape(t)}</code>" if code else escape(t) for code, t in prose(part)]
        else:
            pieces.append(f"<math>{math(part)}</math>")
    return "".join(pieces)


STYLE = """
body { font-family: Georgia, "Times New Roman", serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #111; }
h1 { font-size: 1.7rem; }
p, li, h1, h2, h3, h4, figcaption, td, th { overflow-wrap: break-word; } /* a long word breaks, never runs off */
/* A wide table may use the window's width beyond the text's, centred on it; wider still, it scrolls. */
table { display: block; overflow-x: auto; width: max-content; max-width: calc(100vw - 2rem);
        position: relative; left: 50%; transform: translateX(-50%); }
@media print { table { max-width: 100%; left: 0; transform: none; font-size: 9pt; } }
h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; }
h2, h3, h4 { break-after: avoid; }
math { font-size: 1.05em; }
.eq { margin: 0.6rem 0 0.6rem 1.5rem; }
.eq { text-align: left; } .eq math { display: block math; margin: 0.2rem 0; }
table { border-collapse: collapse; margin: 0.8rem 0; }
th, td { padding: 0.2rem 0.7rem; border-bottom: 1px solid #ddd; text-align: left; }
th { border-bottom: 2px solid #888; } td.n, th.n { text-align: right; }
figure { margin: 1rem 0; text-align: center; } figure svg { max-width: 100%; height: auto; }
/* A picture may be wider than the text: it takes the window's width, so that its labels stay readable. */
@media screen { figure { margin: 1rem calc(50% - 50vw + 1rem); } }
figcaption { font-size: 0.9rem; color: #444; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
@media print {
  body { max-width: none; margin: 0; font-size: 10.5pt; }
  figure, .eq, tr { break-inside: avoid; }
  thead { display: table-header-group; }
}
"""


def _svg(text: str, prefix: str) -> str:
    """matplotlib's SVG made fit to sit in a page beside others: no XML prolog, and ids (its
    clip paths) renamed so that two pictures never share one."""
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    # A control character from a config's text (a title, a class) has no place in a page: shown.
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]",
                  lambda m: visible(m.group()), text)  # and a mark that would reverse the text after it
    text = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", text)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', text)


def render(document: Document, pictures: dict[str, str]) -> str:
    """`pictures`: each figure's stage drawn as SVG text, put into the page as it is."""
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{escape(document.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body(document, pictures)) + "\n</body>\n</html>\n")


def body(document: Document, pictures: dict[str, str], prefix: str = "figure") -> list[str]:
    """The page's elements, one per block (a notebook shows them without the page around them);
    `prefix` starts the ids of the pictures, unique on the page."""
    body = [f"<h1>{escape(document.title)}</h1>"]
    for block in document.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 2), 4)
            body.append(f"<h{level}>{escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            body.append(f"<p>{inline(block.parts)}</p>")
        elif isinstance(block, Equation):
            lines = block.lines()
            if len(lines) == 1:
                body.append(f'<div class="eq"><math display="block">{math(block.lhs)}<mo>=</mo>'
                            f"{math(lines[0][1])}</math></div>")
                continue
            # Several lines: a table of two columns, the left-hand side, then each line of the right.
            rows = []
            for k, (starts, tokens) in enumerate(lines):
                lead = math(block.lhs) if k == 0 else ""
                indent = "" if starts else '<mspace width="2em"></mspace>'
                rows.append(f'<mtr><mtd displaystyle="true" style="text-align: right">{lead}</mtd>'
                            f'<mtd displaystyle="true" style="text-align: left">'
                            f'{indent}{f"<mo>{starts}</mo>" if starts else ""}{math(tokens)}</mtd></mtr>')
            body.append(f'<div class="eq"><math display="block"><mtable>{"".join(rows)}</mtable></math></div>')
        elif isinstance(block, Table):
            def cells(tag: str, row, block=block) -> str:
                return "".join(f"<{tag}{NUMERIC if right else ''}>{inline(cell)}</{tag}>"
                               for cell, right in zip(row, block.numeric, strict=True))

            table_rows = "\n".join(f"<tr>{cells('td', row)}</tr>" for row in block.rows)
            body.append(f"<table>\n<thead><tr>{cells('th', block.header)}</tr></thead>\n"
                        f"<tbody>\n{table_rows}\n</tbody>\n</table>")
        elif isinstance(block, Figure):
            svg = _svg(pictures[block.stage], f"{prefix}-{block.stage}")
            body.append(f"<figure>\n{svg}\n<figcaption>{escape(block.caption)}</figcaption>\n</figure>")
        elif isinstance(block, Items):
            body.append("<ul>\n" + "\n".join(f"<li>{inline(item)}</li>" for item in block.items) + "\n</ul>")
    return body
