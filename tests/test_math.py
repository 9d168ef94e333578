"""LaTeX math as MathML on the pages that ask for it; "$5 and $10" and LaTeX that cannot be
read stay text; nothing in the LaTeX can put a script or a link in the page."""

from __future__ import annotations

import pytest
from _sitebuild import by_source, parse_site

EULER = ('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline"><mrow><msup>'
         "<mi>e</mi><mrow><mi>i</mi><mi>π</mi></mrow></msup><mo>+</mo><mn>1</mn><mo>=</mo>"
         "<mn>0</mn></mrow></math>")
BODY = "Euler: $e^{i\\pi}+1=0$, and it costs $5 and $10.\n\n$$\n\\frac12\n$$\n"


def test_math_is_read_where_the_front_matter_asks(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "hugo.md": f"---\ntitle: Hugo\nmath: true\n---\n{BODY}",
        "jekyll.md": f"---\ntitle: Jekyll\nmathjax: true\n---\n{BODY}",
        "plain.md": f"---\ntitle: Plain\n---\n{BODY}"}))
    pages = by_source(parsed)
    for name in ("hugo.md", "jekyll.md"):
        html = pages[name].html_body
        assert f'<p>Euler: <span class="math inline">{EULER}</span>, and it costs $5 and $10.</p>' \
            in html
        assert ('<div class="math block">\n<math xmlns="http://www.w3.org/1998/Math/MathML" '
                'display="block"><mrow><mfrac><mn>1</mn><mn>2</mn></mfrac></mrow></math>\n</div>'
                ) in html
    assert "<p>Euler: $e^{i\\pi}+1=0$, and it costs $5 and $10.</p>" in pages["plain.md"].html_body
    assert diagnostics.sorted() == []


@pytest.mark.parametrize("raw_html", [True, False])
def test_latex_cannot_put_a_script_a_link_or_css_in_the_page(make_site, raw_html) -> None:
    parsed, _ = parse_site(make_site({"a.md": (
        "# A\n\n$\\text{<script>alert(1)</script>}$ $\\href{javascript:alert(1)}{x}$ "
        "$\\style{color:red}{y}$ $\\frac{$ z\n")}, math=True, raw_html=raw_html))
    html = by_source(parsed)["a.md"].html_body
    assert "<script" not in html and "javascript:" not in html and "style=" not in html
    assert '<code class="math">\\text{&lt;script&gt;alert(1)&lt;/script&gt;}</code>' in html
    assert '<code class="math">\\frac{</code>' in html  # unreadable LaTeX is shown as written
    assert "<mi>x</mi>" in html and "<mi>y</mi>" in html


def test_a_vault_reads_math_unless_a_note_says_no(make_site) -> None:
    parsed, _ = parse_site(make_site({".obsidian/app.json": "{}", "a.md": "# A\n\n$x^2$\n",
                                      "b.md": "---\nmath: false\n---\n# B\n\n$x^2$\n"}))
    pages = by_source(parsed)
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in pages["a.md"].html_body
    assert "<p>$x^2$</p>" in pages["b.md"].html_body
