"""LaTeX math in Markdown, rendered at build time as MathML, which browsers show without a script.

In: the site's markdown-it instance (``math_plugin``) and a page's front matter (``wants_math``).
Out: ``$inline$`` and ``$$display$$`` math (Pandoc's rule: no space inside the dollars, none
followed by a digit, so "$5 and $10" stays text) as ``<math>`` elements holding only MathML's
own elements and presentation attributes (``\\text{<script>}``, ``\\href`` and ``\\style``
cannot put a script, a link or CSS in the page, with ``raw_html`` on or off); LaTeX that
latex2mathml cannot read is shown as written, in ``<code class="math">``, never dropped.
Math is read on the pages that ask for it, as Hugo and Jekyll themes do (front matter ``math``,
``mathjax`` or ``katex`` true), on every page with ``math = true`` in vibesite.toml, and in an
Obsidian vault, which always shows math; a page's ``math: false`` turns it off.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

_KEYS = ("math", "mathjax", "katex")
_NS = "{http://www.w3.org/1998/Math/MathML}"
ET.register_namespace("", _NS[1:-1])  # MathML's as the default: <math xmlns="...">, no ns0:
_ELEMENTS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mlabeledtr", "mstyle", "mpadded", "mphantom", "menclose", "merror", "mmultiscripts",
    "mprescripts", "none", "semantics", "annotation", "mfenced",
))
_ATTRIBUTES = frozenset((
    "display", "mathvariant", "stretchy", "fence", "separator", "separators", "lspace",
    "rspace", "width", "height", "depth", "voffset", "columnalign", "rowalign", "rowspacing",
    "columnspacing", "columnlines", "rowlines", "frame", "equalrows", "equalcolumns",
    "columnwidth", "rowspan", "columnspan", "accent", "accentunder", "linethickness",
    "minsize", "maxsize", "movablelimits", "symmetric", "largeop", "form", "notation",
    "scriptlevel", "displaystyle", "open", "close", "mathsize", "mathcolor", "mathbackground",
    "align", "encoding",
))


def wants_math(front_matter: dict[str, Any], site_default: bool) -> bool:
    """Whether a page's math is read (see the module docstring)."""
    said = next((v for k in _KEYS if isinstance(v := front_matter.get(k), bool)), None)
    return site_default if said is None else said


def _clean(element: ET.Element) -> None:
    """MathML's elements and presentation attributes only (see the module docstring)."""
    for name in list(element.attrib):
        if name not in _ATTRIBUTES:
            del element.attrib[name]
    for child in list(element):
        if child.tag.removeprefix(_NS) not in _ELEMENTS:
            raise ValueError(f"not MathML: {child.tag}")
        _clean(child)


def _mathml(latex: str, options: dict[str, Any]) -> str:
    from latex2mathml.converter import convert

    display = "block" if options.get("display_mode") else "inline"
    try:
        root = ET.fromstring(convert(latex, display=display))
        if root.tag != _NS + "math":
            raise ValueError("not MathML")
        _clean(root)
        root.set("display", display)
        return ET.tostring(root, encoding="unicode", short_empty_elements=True)
    except Exception:  # noqa: BLE001 - any LaTeX latex2mathml cannot read is shown as written
        return f'<code class="math">{escape(latex)}</code>'


def math_plugin(md: MarkdownIt) -> None:
    """``$...$`` and ``$$...$$`` as MathML; ``md.options["math"]`` records it for the render
    cache's key."""
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True,
           allow_labels=False, renderer=_mathml)
    md.options["math"] = True
