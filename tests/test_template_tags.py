"""Hugo shortcodes and Liquid tags: the common ones rendered natively, the others removed with
one warning per file, code always literal, and nothing of them left in the plain text that
summaries, search and embeddings read (issue 11)."""

from __future__ import annotations

from _sitebuild import by_source, lines, parse_site

from vibesite.content.template_tags import convert

HUGO = (
    "---\ntitle: Hugo page\n---\n"
    'Intro {{< figure src="shot.png" alt="A shot" caption="The shot" >}}\n\n'
    '{{< note >}}\nBe **careful**.\n{{< /note >}}\n\n'
    "See [the other]({{< ref \"other.md\" >}}) and {{< youtube abc123 >}}.\n\n"
    '{{< legacy-img src="x" >}} {{< ring title="R" >}}kept inside{{< /ring >}}\n\n'
    "{{< highlight go >}}\nfmt.Println(\"{{< ref x >}}\")\n{{< /highlight >}}\n\n"
    "`{{< figure src=\"code.png\" >}}` stays.\n"
)


def test_hugo_shortcodes(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "posts/hugo.md": HUGO, "news/other.md": "# Other\n", "posts/shot.png": b"png"}))
    article = by_source(parsed)["posts/hugo.md"]
    html = article.html_body
    assert '<img src="/posts/shot.png" alt="A shot" title="The shot" />' in html
    assert '<div class="callout callout-note">\n<p>Be <strong>careful</strong>.</p>\n</div>' in html
    assert '<a href="/news/other/">the other</a>' in html
    assert '<a href="https://www.youtube.com/watch?v=abc123">YouTube video abc123</a>' in html
    assert "kept inside" in html and "legacy-img" not in html and "ring" not in html
    assert '<code class="language-go">' in html and "{{&lt; ref x &gt;}}" in html
    assert '<code>{{&lt; figure src=&quot;code.png&quot; &gt;}}</code> stays.' in html
    assert "{{<" not in article.text.replace('{{< ref x >}}', "").replace(
        '{{< figure src="code.png" >}}', "")
    assert lines(diagnostics.sorted()) == [
        "posts/hugo.md:12: warning: 3 template tag(s) of another generator removed, the first "
        "'{{< legacy-img src=\"x\" >}}'; vibesite does not run them (template_syntax = false "
        "keeps them as text) [template-syntax]",
    ]


LIQUID = (
    "---\ntitle: Jekyll post\nimage: /assets/chart.png\nimages: [/assets/chart.png]\n---\n"
    "![cover]({{ site.baseurl }}{{ page.image }}) ![first]({{page.images[0]}})\n"
    "![chart]({{ site.baseurl }}/assets/chart.png) and [home]({{site.baseurl}}/)\n\n"
    "[post]({% post_url 2020-01-02-first %}) [page]({% link about.md %}) "
    "[css]({{ '/assets/chart.png' | relative_url }})\n\n"
    "{% oembed https://example.org/v %}\n\n"
    "{{ \"https://video.example/embed/x\" | embed: \"Our talk\" }}\n\n"
    "{% highlight ruby %}\nputs '{{ x }}'\n{% endhighlight %}\n\n"
    "{% raw %}Use {{ page.title }} here{% endraw %}\n\n"
    "Hello {{ \"noah\" | team_link }} and {% include card.html %}. Prose {{ .Name }} stays.\n"
)


def test_liquid_tags(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({
        "_posts/2020-01-03-liquid.md": LIQUID,
        "_posts/2020-01-02-first.md": "# First\n",
        "about.md": "# About\n",
        "assets/chart.png": b"png",
    }))
    article = by_source(parsed)["_posts/2020-01-03-liquid.md"]
    html = article.html_body
    assert '<img src="/assets/chart.png" alt="chart" />' in html
    assert ('<img src="/assets/chart.png" alt="cover" /> <img src="/assets/chart.png" '
            'alt="first" />') in html  # the page's own front matter, as Jekyll fills it in
    assert '<a href="/">home</a>' in html
    assert '<a href="/first/">post</a>' in html and '<a href="/about/">page</a>' in html
    assert '<a href="/assets/chart.png">css</a>' in html
    assert '<a href="https://example.org/v">https://example.org/v</a>' in html
    assert '<a href="https://video.example/embed/x">Our talk</a>' in html  # a site's own filter
    assert '<code class="language-ruby">' in html
    assert "Use {{ page.title }} here" in html
    assert "Hello and . Prose {{ .Name }} stays." in article.text
    assert lines(diagnostics.sorted()) == [
        "_posts/2020-01-03-liquid.md:21: warning: 2 template tag(s) of another generator "
        "removed, the first '{{ \"noah\" | team_link }}'; vibesite does not run them "
        "(template_syntax = false keeps them as text) [template-syntax]",
    ]


def test_zolas_built_in_shortcodes_are_links_and_its_own_stay_as_written() -> None:
    converted = convert('{{ youtube(id="dQw4w9WgXcQ") }} {{ vimeo(id="124313553") }}\n'
                        '{{ gist(url="https://gist.github.com/Keats/e5fb") }} '
                        '{{ streamable(id="92ok4") }} {{ chart(data="x") }}\n', "a.md", [])
    assert converted.body == (
        "[YouTube video dQw4w9WgXcQ](https://www.youtube.com/watch?v=dQw4w9WgXcQ) "
        "[Vimeo video 124313553](https://vimeo.com/124313553)\n"
        "[Gist](https://gist.github.com/Keats/e5fb) "
        '[Streamable video 92ok4](https://streamable.com/92ok4) {{ chart(data="x") }}\n')
    assert converted.removed == 0


def test_the_switch_keeps_template_syntax_literal(make_site) -> None:
    parsed, diagnostics = parse_site(make_site(
        {"a.md": "# A\n\nWrite {{< note >}} and {% raw %}.\n"}, template_syntax=False))
    assert "Write {{&lt; note &gt;}} and {% raw %}." in by_source(parsed)["a.md"].html_body
    assert lines(diagnostics.sorted()) == []


def test_fenced_and_indented_code_are_never_changed() -> None:
    body = ("```\n{{< note >}}\n{% raw %}\n```\n\n    {{< x >}}\n\n~~~~\n{{ site.baseurl }}\n"
            "~~~~\n")
    assert convert(body, "a.md", []).body == body
    assert convert(body, "a.md", []).removed == 0


def test_text_without_template_syntax_is_returned_as_is() -> None:
    body = "Plain {text} and {{ .Name }} and ${{ secrets.TOKEN }}.\n"
    assert convert(body, "a.md", []).body == body
