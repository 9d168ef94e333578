"""An Obsidian vault builds as Obsidian shows it: callouts, highlights, private comments,
block ids, image sizes, aliases, links to a note's title heading and its ``created`` date."""

from __future__ import annotations

from _sitebuild import build_ok, by_source, lines, page, parse_site

PLAN = """---
aliases: [Backups, Backup plan]
created: 2024-03-02
---
# Backup Plan

> [!warning] Check the copies
> A backup never restored is a *hope*.

> [!tip]- Folded tip
> Starts closed.

> [!faq]+
> Starts open.

> [!unknown-kind]
> Shown as a note.

Keep ==three copies== of every file. %%private: the old NAS password is hunter2%%

%%
A private block
over lines
%%
See [gone](gone.md).

A paragraph with an id. ^keep-three

- first
- second ^second

`%%code%%`, `==code==` and `x ^code` stay.

![[disk.png|300]] ![[disk.png|300x200]] ![[disk.png]]
"""

DRILL = """# Restore Drill

[[Backup Plan#^keep-three]], [[Backup Plan#^second|the item]], [[Backups]],
[[backup plan#Backup Plan]] and [[Restore Drill#Restore Drill]].
"""


def test_obsidian_notes_render_as_obsidian_shows_them(make_site, fake_embedder) -> None:
    config = make_site({".obsidian/app.json": "{}", "notes/Backup Plan.md": PLAN,
                        "drill/Restore Drill.md": DRILL, "attachments/disk.png": b"png"})
    _, warnings = build_ok(config, fake_embedder)
    # the comment over four lines keeps its lines: the broken link is still on line 25
    assert warnings == ["notes/Backup Plan.md:25: warning: link 'gone.md': no article is built "
                        "from notes/gone.md [broken-link]"]
    html = page(config, "notes/backup-plan/")
    assert ('<div class="markdown-alert markdown-alert-warning callout callout-warning">\n'
            '<p class="markdown-alert-title">Check the copies</p>\n'
            '<p>A backup never restored is a <em>hope</em>.</p>\n</div>') in html
    assert ('<details class="markdown-alert markdown-alert-tip callout callout-tip">\n'
            '<summary class="markdown-alert-title">Folded tip</summary>\n'
            '<p>Starts closed.</p>\n</details>') in html
    assert ('<details class="markdown-alert markdown-alert-important callout callout-faq" '
            'open="">\n<summary class="markdown-alert-title">Faq</summary>\n'
            '<p>Starts open.</p>\n</details>') in html
    assert ('<div class="markdown-alert markdown-alert-note callout callout-unknown-kind">\n'
            '<p class="markdown-alert-title">Unknown-kind</p>') in html
    assert "<p>Keep <mark>three copies</mark> of every file.</p>" in html
    assert "hunter2" not in html and "private block" not in html and "%%" not in html.replace(
        "<code>%%code%%</code>", "")
    assert '<p id="^keep-three">A paragraph with an id.</p>' in html
    assert '<li id="^second">second</li>' in html
    assert "<code>%%code%%</code>, <code>==code==</code> and <code>x ^code</code> stay." in html
    assert ('<img src="/attachments/disk.png" alt="disk.png" width="300" /> '
            '<img src="/attachments/disk.png" alt="disk.png" width="300" height="200" /> '
            '<img src="/attachments/disk.png" alt="disk.png" />') in html
    assert '<time datetime="2024-03-02T00:00:00+00:00">2024-03-02</time>' in html
    drill = page(config, "drill/restore-drill/")
    assert ('<a href="/notes/backup-plan/#%5Ekeep-three">Backup Plan</a>, '
            '<a href="/notes/backup-plan/#%5Esecond">the item</a>, '
            '<a href="/notes/backup-plan/">Backups</a>,\n'
            '<a href="/notes/backup-plan/">backup plan</a> and '
            '<a href="/drill/restore-drill/">Restore Drill</a>.') in drill


def test_comments_stay_out_of_search_and_embeddings(make_site) -> None:
    parsed, diagnostics = parse_site(make_site({"a.md": "# A\n\nShown %%hidden words%% here.\n"
                                                "Half %% open stays.\n"}))
    article = by_source(parsed)["a.md"]
    assert article.text == "Shown here. Half %% open stays."
    # outside a vault, where %% means nothing to the generator the site came from
    assert lines(diagnostics.sorted()) == [
        "a.md:3: warning: text between '%%' marks is left out, as Obsidian's comments are; put "
        "it in `code` to show it [obsidian-comment]"]


VAULT_NOTE = """# Tagged

Filed under #ops/backups and #checklist, #ops/backups again.
#first-word starts a line. Not tags: C#, issue #42, [a link](#tagged), `#code`,
[#in-link](https://example.com/#x), x#y and https://example.com/#frag.
"""


def test_a_vaults_inline_tags_link_to_tag_pages_and_its_templates_are_left_out(
        make_site, fake_embedder) -> None:
    config = make_site({".obsidian/templates.json": '{"folder": "Templates/"}',
                        "Templates/Daily.md": "# {{date}}\n\n- [ ] \n",
                        "Private.md": "---\npublish: false\n---\n# Private\n",
                        "Tagged.md": VAULT_NOTE}, base_url="https://me.example/sub/")
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    assert result.left_out == (("Private.md", "published: false or publish: false"),
                               ("Templates/Daily.md", "in the vault's template folder"))
    html = page(config, "tagged/")
    assert ('Filed under <a class="tag-inline" data-tag="ops/backups" '
            'href="/sub/tags/ops/backups/">#ops/backups</a> and <a class="tag-inline" '
            'data-tag="checklist" href="/sub/tags/checklist/">#checklist</a>, '
            '<a class="tag-inline" data-tag="ops/backups" href="/sub/tags/ops/backups/">'
            '#ops/backups</a> again.\n<a class="tag-inline" data-tag="first-word" '
            'href="/sub/tags/first-word/">#first-word</a> starts a line. Not tags: C#, issue #42, '
            '<a href="#">a link</a>, <code>#code</code>,\n'
            '<a href="https://example.com/#x">#in-link</a>, x#y and https://example.com/#frag.'
            ) in html
    assert ('<li><a class="tag" href="/sub/tags/ops/backups/">#ops/backups</a></li>  '
            '<li><a class="tag" href="/sub/tags/checklist/">#checklist</a></li>') in html
    assert "Tagged" in page(config, "tags/first-word/")
    assert "Tagged" in page(config, "tags/ops/")  # a nested tag's upper level lists it, as Quartz


def test_outside_a_vault_a_hash_word_stays_text(make_site) -> None:
    parsed, _ = parse_site(make_site({"a.md": "# A\n\nA #hashtag in a Jekyll post.\n"}))
    article = by_source(parsed)["a.md"]
    assert "<p>A #hashtag in a Jekyll post.</p>" in article.html_body and article.tags == ()


def test_note_embeds_show_the_note_its_section_or_its_block(make_site, fake_embedder) -> None:
    config = make_site({
        "Host.md": ("# Host\n\n![[Guest]]\n\n![[Guest#Part two]]\n\n![[Guest#^fact]]\n\n"
                    "Inline ![[Guest]] stays a link.\n"),
        "Guest.md": ("# Guest\n\nIntro with [a link](Host.md).\n\n## Part one\n\nOne.\n\n"
                     "## Part two\n\nTwo. ^fact\n\n### Deeper\n\nStill two.\n\n## Part three\n\n"
                     "Three.\n"),
    })
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    body = page(config, "host/")
    source = '<p class="embed__source"><a href="/guest/'
    assert ('<blockquote class="embed">\n<p>Intro with <a href="/host/">a link</a>.</p>\n'
            '<h2>Part one</h2>\n<p>One.</p>\n<h2>Part two</h2>\n') in body
    assert (f'<blockquote class="embed">\n<h2>Part two</h2>\n<p>Two.</p>\n<h3>Deeper</h3>\n'
            f'<p>Still two.</p>\n{source}#part-two">Guest</a></p>\n</blockquote>') in body
    assert (f'<blockquote class="embed">\n<p>Two.</p>\n{source}#%5Efact">Guest</a></p>\n'
            '</blockquote>') in body
    assert '<p>Inline <a href="/guest/">Guest</a> stays a link.</p>' in body
    assert 'vibesite:embed' not in body and body.count('id="part-two"') == 0


def test_a_highlight_may_hold_other_markup_and_equals_signs_in_prose_stay() -> None:
    from vibesite.content.markdown import make_markdown

    md = make_markdown()
    cases = {
        "==**Never** skip the drill==": "<mark><strong>Never</strong> skip the drill</mark>",
        "**==inside bold==**": "<strong><mark>inside bold</mark></strong>",
        "==see [the plan](plan.md) and `rsync`==":
            '<mark>see <a href="plan.md">the plan</a> and <code>rsync</code></mark>',
        "a == b and c == d": "a == b and c == d",
        "== spaced ==": "== spaced ==",
        "===three===": "=<mark>three</mark>=",
    }
    for source, expected in cases.items():
        assert md.renderInline(source) == expected, source
    math = make_markdown(math=True).renderInline("$a==b==c$ and ==x==")
    assert "<mark>" not in math.split("</math>")[0] and math.endswith(" and <mark>x</mark>")
