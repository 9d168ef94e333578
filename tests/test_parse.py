"""Front matter, titles, dates, slugs, drafts, tags and content errors.

Pure functions are tested directly; everything else builds a tiny site in tmp_path (with the
instant fake embedder) and checks the written HTML and the exact diagnostic lines.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import os
import re
import shutil
import subprocess
import types
from pathlib import Path

import markupsafe
import pytest
from _sitebuild import (
    build_fails,
    build_ok,
    by_source,
    has_page,
    head_title,
    lines,
    page,
    parse_site,
    post_body,
    post_title,
    published,
    snapshot,
)

from vibesite.content import dates
from vibesite.content.discover import matches
from vibesite.content.frontmatter import normalize_newlines, split_front_matter
from vibesite.content.markdown import make_markdown, render_markdown
from vibesite.content.parse import RESERVED_IDS
from vibesite.content.slugs import slugify
from vibesite.diagnostics import Diagnostics

TAB_WARNING = ("tab character in YAML front matter (YAML allows only spaces, other tools "
               "reject this file); read as spaces: replace the tab with spaces [yaml-tab]")


def split(text: str) -> tuple[object, Diagnostics]:
    diagnostics = Diagnostics()
    return split_front_matter(normalize_newlines(text), "x.md", diagnostics), diagnostics


# --- split_front_matter and normalize_newlines --------------------------------------------

YAML_DOC = "---\ntitle: Kinds\ndate: 2020-05-06\n---\nBody text.\n"
TOML_DOC = '+++\ntitle = "Kinds"\ndate = 2020-05-06\n+++\nBody text.\n'

FRONT_MATTER_VARIANTS = {
    "yaml": YAML_DOC,
    "toml": TOML_DOC,
    "yaml-dots-end": "---\ntitle: Kinds\ndate: 2020-05-06\n...\nBody text.\n",
    "blank-lines-before": "\n\n  \n" + YAML_DOC,
    "trailing-spaces-on-fences": YAML_DOC.replace("---\n", "---  \n"),
    "toml-trailing-tab-on-fence": TOML_DOC.replace("+++\n", "+++\t\n"),
    "crlf": YAML_DOC.replace("\n", "\r\n"),
    "toml-crlf": TOML_DOC.replace("\n", "\r\n"),
    "mixed-endings": "---\r\ntitle: Kinds\ndate: 2020-05-06\r\n---\nBody text.\r\n",
    "bom": "\ufeff" + YAML_DOC,
    "bom-crlf-blank-lines": "\ufeff\r\n\r\n" + YAML_DOC.replace("\n", "\r\n"),
}


@pytest.mark.parametrize("text", FRONT_MATTER_VARIANTS.values(), ids=FRONT_MATTER_VARIANTS.keys())
def test_split_front_matter_kinds(text: str) -> None:
    fm, diagnostics = split(text)
    assert diagnostics.items == []
    # YAML dates stay text (vibesite parses them itself); TOML has native dates.
    assert set(fm.data) == {"title", "date"} and fm.data["title"] == "Kinds"
    assert dates.parse_date(fm.data["date"]) == (dt.datetime(2020, 5, 6, tzinfo=dt.UTC), True)
    assert fm.body.strip() == "Body text."
    lines = normalize_newlines(text).split("\n")
    assert lines[fm.body_line - 1] == "Body text."
    assert lines[fm.line_of("date") - 1].startswith("date")


def test_split_front_matter_none() -> None:
    fm, diagnostics = split("# Title\n\n---\nnot: front matter\n---\n")
    assert diagnostics.items == []
    assert fm.data == {}
    assert fm.body == "# Title\n\n---\nnot: front matter\n---\n"
    assert fm.body_line == 1


def test_split_front_matter_empty_and_body_less() -> None:
    fm, diagnostics = split("---\n---\n")
    assert (fm.data, fm.body.strip(), diagnostics.items) == ({}, "", [])
    fm, diagnostics = split("---\ntitle: Only\n---")
    assert (fm.data, fm.body, diagnostics.items) == ({"title": "Only"}, "", [])


def test_normalize_newlines() -> None:
    assert normalize_newlines("\ufeffa\r\nb\rc\nd") == "a\nb\nc\nd"
    assert normalize_newlines("no bom\ufeff") == "no bom\ufeff"  # only a leading BOM goes


def test_line_of_counts_file_lines() -> None:
    fm, _ = split('\n\n---\n# comment\n"quoted": 1\n\nexpirydate: 2001-01-01\n---\n')
    assert fm.first_line == 4
    assert fm.line_of("quoted") == 5
    assert fm.line_of("expirydate") == 7
    assert fm.line_of("missing") == 3  # the opening fence


def test_unclosed_front_matter() -> None:
    fm, diagnostics = split("\n---\ntitle: never closed\n\nBody.\n")
    assert [str(d) for d in diagnostics.items] == [
        "x.md:2: error: front matter opened with '---' is never closed; add a '---' line "
        "after it [front-matter-unclosed]"]
    assert fm.data == {}


def test_front_matter_must_be_a_mapping() -> None:
    _, diagnostics = split("---\n- a\n- b\n---\nBody\n")
    assert [str(d) for d in diagnostics.items] == [
        "x.md:2: error: front matter must be a set of 'key: value' lines, not a list "
        "[front-matter-not-mapping]"]


@pytest.mark.parametrize("value", ["2019-02-30", "2019-13-01"])
def test_impossible_yaml_date_is_a_diagnostic_not_a_crash(value: str, make_site) -> None:
    config = make_site({"x.md": f"---\ntitle: T\ndate: {value}\n---\nBody\n"})
    parsed, diagnostics = parse_site(config)
    assert lines(diagnostics.items) == [
        f"x.md:3: warning: cannot read date '{value}'; write it as YYYY-MM-DD [date-invalid]"]
    assert [a.title for a in parsed.articles] == ["T"]


# --- parse_date and the file name / path dates --------------------------------------------

UTC = dt.UTC
EDT = dt.timezone(dt.timedelta(hours=-4))


@pytest.mark.parametrize(("value", "expected", "exact"), [
    (dt.date(2016, 3, 25), dt.datetime(2016, 3, 25, tzinfo=UTC), True),
    (dt.datetime(2016, 3, 25, 9, 30), dt.datetime(2016, 3, 25, 9, 30, tzinfo=UTC), True),
    ("2019-12-3", dt.datetime(2019, 12, 3, tzinfo=UTC), True),
    ("2016-03-22 10:00 EDT", dt.datetime(2016, 3, 22, 10, tzinfo=EDT), True),
    ("June 16, 2021", dt.datetime(2021, 6, 16, tzinfo=UTC), True),
    ("2010-10-22 11:33:15 -0400", dt.datetime(2010, 10, 22, 11, 33, 15, tzinfo=EDT), True),
    ("2015-06-29 1:00:19 -0400", dt.datetime(2015, 6, 29, 1, 0, 19, tzinfo=EDT), True),
    ("2014-03-19T10:14:29-04:00", dt.datetime(2014, 3, 19, 10, 14, 29, tzinfo=EDT), True),
    ("2020-07-07T00:00:00.000Z", dt.datetime(2020, 7, 7, tzinfo=UTC), True),
    ("2015-12-08 10:00", dt.datetime(2015, 12, 8, 10, tzinfo=UTC), True),
    ("2016-07-19 (optional)", dt.datetime(2016, 7, 19, tzinfo=UTC), False),
])
def test_parse_date_tolerant_forms(value: object, expected: dt.datetime, exact: bool) -> None:
    found, was_exact = dates.parse_date(value)
    assert found == expected
    assert found is not None and found.utcoffset() == expected.utcoffset()
    assert was_exact is exact


@pytest.mark.parametrize("value", ["garbage", "tomorrow", "", "   ", None, 2019, ["2019"],
                                   "2019-02-30"])
def test_parse_date_rejects(value: object) -> None:
    assert dates.parse_date(value) == (None, False)


@pytest.mark.parametrize("value", ["June 2021", "2019-12", "Spring 2019", "March 3"])
def test_parse_date_does_not_depend_on_the_build_day(value: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from dateutil.parser import _parser

    def frozen(year: int, month: int, day: int) -> types.SimpleNamespace:
        class Frozen(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> Frozen:  # type: ignore[override]
                return cls(year, month, day, tzinfo=tz)

        return types.SimpleNamespace(**{**vars(dt), "datetime": Frozen})

    results = []
    for today in [(2001, 2, 3), (2030, 11, 28)]:
        monkeypatch.setattr(_parser, "datetime", frozen(*today))
        results.append(dates.parse_date(value))
    assert results[0] == results[1]


@pytest.mark.parametrize(("name", "expected"), [
    ("2019-12-3-long-term-teams.md", dt.datetime(2019, 12, 3, tzinfo=UTC)),
    ("2016-05-19-content-debt.md", dt.datetime(2016, 5, 19, tzinfo=UTC)),
    ("2019-13-01-bad-month.md", None),
    ("2019-12-03.md", None),  # the prefix needs its trailing dash
    ("notes-2019-12-03-x.md", None),
    ("long-term-teams.md", None),
])
def test_date_from_filename(name: str, expected: dt.datetime | None) -> None:
    assert dates.date_from_filename(name) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("2014/12/12/1.0-Timeline", dt.datetime(2014, 12, 12, tzinfo=UTC)),
    ("inside-rust/2025/12/02/project-director-update", dt.datetime(2025, 12, 2, tzinfo=UTC)),
    ("2014/12", None),
    ("about", None),
])
def test_date_from_path(path: str, expected: dt.datetime | None) -> None:
    assert dates.date_from_path(path) == expected


# --- slugify, glob matching, Markdown rendering ----------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Hello, World!", "hello-world"),
    ("three-ways-to manage-research-projects", "three-ways-to-manage-research-projects"),
    ("gsa\u2019s-fedramp", "gsa-s-fedramp"),
    ("sin%e2%80%8a-%e2%80%8aready", "sin-e2-80-8a-e2-80-8aready"),
    ("Rust-1.0@0", "rust-1.0-0"),
    ("1.0-Timeline", "1.0-timeline"),
    ("Ελληνικά κείμενα", "ελληνικά-κείμενα"),
    ("ＦＵＬＬ width", "full-width"),
    ("--..--", "untitled"),
    ("", "untitled"),
])
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_is_idempotent_and_url_safe() -> None:
    for text in ["A  B", "x/y", "C++ & C#", "a\u00a0b\u200bc", "日本語 テキスト"]:
        slug = slugify(text)
        assert slugify(slug) == slug
        assert not re.search(r"[\s/%?#&]", slug)


@pytest.mark.parametrize(("relpath", "patterns", "expected"), [
    ("README.md", ("README.md",), True),
    ("docs/README.md", ("README.md",), False),  # no slash: the root only
    ("_index.md", ("**/_index.md",), True),
    ("a/b/_index.md", ("**/_index.md",), True),
    ("a/b/index.md", ("**/_index.md",), False),
    ("notes/x.md", ("notes/*.md",), True),
    ("notes/deep/x.md", ("notes/*.md",), False),
    ("notes/deep/x.md", ("notes/**",), True),
])
def test_glob_matches(relpath: str, patterns: tuple[str, ...], expected: bool) -> None:
    assert matches(relpath, patterns) is expected


def test_render_markdown_takes_the_first_h1_only_when_asked() -> None:
    md = make_markdown()
    body = "Intro line.\n\n# The *Title*\n\nText.\n\n# Second H1\n"
    taken = render_markdown(md, body, take_h1=True)
    assert taken.h1_title == "The Title"
    assert taken.h1_line == 2
    assert "The" not in taken.html and '<h1 id="second-h1">Second H1 <a' in taken.html
    assert taken.text == "Intro line.\nText.\nSecond H1"
    kept = render_markdown(md, body, take_h1=False)
    assert kept.h1_title is None
    assert '<h1 id="the-title">The <em>Title</em> <a' in kept.html
    assert render_markdown(md, "No heading.\n", take_h1=True).h1_title is None


# --- front matter kinds in a built site -----------------------------------------------------

@pytest.mark.parametrize("text", FRONT_MATTER_VARIANTS.values(), ids=FRONT_MATTER_VARIANTS.keys())
def test_front_matter_kinds_build_the_same_page(make_site, fake_embedder, text: str) -> None:
    config = make_site({"kinds.md": text})
    result, warnings = build_ok(config, fake_embedder)
    assert (result.articles, warnings) == (1, [])
    html = page(config, "kinds/")
    assert post_title(html) == "Kinds"
    assert published(html) == "2020-05-06T00:00:00+00:00"
    assert post_body(html).strip() == "<p>Body text.</p>"
    assert "\ufeff" not in html and "\r" not in html


def test_no_front_matter_uses_h1_and_file_name_date(make_site, fake_embedder) -> None:
    config = make_site({"2020-05-06-kinds.md": "# Kinds\n\nBody text.\n"})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    html = page(config, "kinds/")
    assert post_title(html) == "Kinds"
    assert published(html) == "2020-05-06T00:00:00+00:00"
    assert post_body(html).strip() == "<p>Body text.</p>"


# --- titles ------------------------------------------------------------------------------------

def test_title_front_matter_beats_h1(make_site, fake_embedder) -> None:
    config = make_site({"t.md": "---\ntitle: From front matter\n---\n# From heading\n\nText.\n"})
    build_ok(config, fake_embedder)
    html = page(config, "t/")
    assert post_title(html) == "From front matter"
    assert '<h1 id="from-heading">From heading <a' in post_body(html)  # a body heading


def test_title_from_h1_is_removed_from_the_body(make_site, fake_embedder) -> None:
    config = make_site({"t.md": "\n# From heading\n\nText about it.\n",
                        "e.md": "---\ntitle: ''\n---\n# Empty title key\n\nText.\n"})
    build_ok(config, fake_embedder)
    html = page(config, "t/")
    assert post_title(html) == "From heading"
    assert "From heading" not in post_body(html)
    assert html.count("<h1") == 1
    assert post_title(page(config, "e/")) == "Empty title key"


def test_title_falls_back_to_the_file_name(make_site, fake_embedder) -> None:
    config = make_site({"notes/no-title-anywhere.md": "Just a paragraph, no heading.\n\n## Sub\n"})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    html = page(config, "notes/no-title-anywhere/")
    assert post_title(html) == "no-title-anywhere"
    assert "<h2" in post_body(html)


def test_character_references_in_titles_and_tags_read_as_characters(make_site,
                                                                     fake_embedder) -> None:
    # as Jekyll shows them: front matter text goes into its pages as it is
    config = make_site({
        "uswds.md": "---\ntitle: 'U&#46;S&#46; Web Design System&#58; May &ldquo;call&rdquo;'"
                    "\ntags: [Leadership &amp; Development]\n---\nBody.\n",
        "att.md": "---\ntitle: AT&T and &para without a semicolon, <details> as typed\n---\n"
                  "Body.\n"})
    build_ok(config, fake_embedder)
    html = page(config, "uswds/")
    assert post_title(html) == "U.S. Web Design System: May \u201ccall\u201d"
    assert head_title(html) == "U.S. Web Design System: May \u201ccall\u201d · Test site"
    assert "Leadership &amp; Development</a>" in html  # the tag: one ampersand, escaped once
    assert "&amp;amp;" not in html and "&amp;#" not in html
    assert post_title(page(config, "att/")) == (
        "AT&amp;T and &amp;para without a semicolon, &lt;details&gt; as typed")


@pytest.mark.parametrize("title", ["Windows.Foundation.EventHandler<T>",
                                   "Windows.Foundation.IAsyncOperationWithProgress"
                                   "<TResult, TProgress>.Progress"])
def test_generic_titles_are_escaped_everywhere(make_site, fake_embedder, title: str) -> None:
    text = f"---\n-api-id: T:X\n---\n\n<!-- Syntax.\npublic class X\n-->\n\n# {title}\n\nDoc.\n"
    config = make_site({"eventhandler_1.md": text})
    build_ok(config, fake_embedder)
    escaped = str(markupsafe.escape(title))
    assert "&lt;T" in escaped
    html = page(config, "eventhandler_1/")
    assert post_title(html) == escaped
    assert head_title(html) == f"{escaped} · Test site"
    assert f'<meta property="og:title" content="{escaped}">' in html
    home = page(config, "")
    atom = (config.output_dir / "atom.xml").read_text(encoding="utf-8")
    for output in (html, home, atom):
        assert "<T>" not in output and "<TResult" not in output
    assert escaped.replace("<wbr>", "") in home.replace("<wbr>", "")


def test_quotes_and_backticks_in_titles(make_site, fake_embedder) -> None:
    fm_title = "Say \"hi\" to `git` & 'friends' <now>"
    config = make_site({
        "fm.md": f"---\ntitle: '{fm_title.replace(chr(39), chr(39) * 2)}'\n---\nText.\n",
        "h1.md": '# Use `git add -p` for "partial" staging\n\nText.\n',
    })
    build_ok(config, fake_embedder)
    html = page(config, "fm/")
    assert head_title(html) == f"{markupsafe.escape(fm_title)} · Test site"
    og = re.search(r'<meta property="og:title" content="([^"]*)">', html)
    assert og and htmllib.unescape(og.group(1)) == fm_title
    html = page(config, "h1/")
    assert htmllib.unescape(post_title(html)) == 'Use git add -p for "partial" staging'
    assert "staging" not in post_body(html)


# --- dates in a built site -------------------------------------------------------------------

@pytest.mark.parametrize(("value", "iso"), [
    ("2019-12-3", "2019-12-03T00:00:00+00:00"),
    ("2016-03-22 10:00 EDT", "2016-03-22T10:00:00-04:00"),
    ("June 16, 2021", "2021-06-16T00:00:00+00:00"),
    ("2010-10-22 11:33:15 -0400", "2010-10-22T11:33:15-04:00"),
    ("2016-03-25", "2016-03-25T00:00:00+00:00"),
    ("'2014-03-19T10:14:29-04:00'", "2014-03-19T10:14:29-04:00"),
    ("2020-07-07T00:00:00.000Z", "2020-07-07T00:00:00+00:00"),
])
def test_front_matter_date_forms(make_site, fake_embedder, value: str, iso: str) -> None:
    config = make_site({"2001-01-01-d.md": f"---\ntitle: D\ndate: {value}\n---\nText.\n"})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    assert published(page(config, "d/")) == iso  # the front matter beats the file name


def test_fuzzy_date_warns(make_site, fake_embedder) -> None:
    config = make_site({"d.md": "---\ntitle: D\n\ndate: 2016-07-19 (optional)\n---\nText.\n"})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == ["d.md:4: warning: date '2016-07-19 (optional)' has extra text; read as "
                        "2016-07-19 [date-fuzzy]"]
    assert published(page(config, "d/")) == "2016-07-19T00:00:00+00:00"


def test_invalid_date_warns_at_its_line_and_falls_back(make_site, fake_embedder) -> None:
    config = make_site({
        "_posts/2019-12-3-long-term-teams.md":
            "\n---\ntitle: Teams\n\nauthors:\n  - x\ndate: not a date\n---\nText.\n",
        "undated.md": "---\ntitle: U\ndate: someday\n---\nText.\n",
    })
    stamp = dt.datetime(2012, 6, 7, 8, 9, 10, tzinfo=UTC).timestamp()
    os.utime(config.content_dir / "undated.md", (stamp, stamp))
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        "_posts/2019-12-3-long-term-teams.md:7: warning: cannot read date 'not a date'; write "
        "it as YYYY-MM-DD [date-invalid]",
        "undated.md:3: warning: cannot read date 'someday'; write it as YYYY-MM-DD "
        "[date-invalid]",
    ]
    assert published(page(config, "long-term-teams/")) == "2019-12-03T00:00:00+00:00"
    assert published(page(config, "undated/")) == "2012-06-07T08:09:10+00:00"  # mtime


def test_zola_path_gives_date_and_url(make_site, fake_embedder) -> None:
    config = make_site({
        "Rust-1.0@0.md": '+++\npath = "2014/12/12/1.0-Timeline"\ntitle = "Trains"\n'
                         'authors = ["A"]\naliases = ["2014/12/12/1.0-Timeline.html"]\n\n'
                         '[extra]\nteam = "Core"\n+++\nText.\n',
        "inside/x/index.md": '+++\npath = "/inside-rust/2025/12/02/update/"\ntitle = "U"\n+++\n',
    })
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    html = page(config, "2014/12/12/1.0-timeline/")
    assert post_title(html) == "Trains"
    assert published(html) == "2014-12-12T00:00:00+00:00"
    assert published(page(config, "inside-rust/2025/12/02/update/")) == \
        "2025-12-02T00:00:00+00:00"
    assert not has_page(config, "rust-1.0-0/")


def test_mtime_is_the_last_resort(make_site, fake_embedder) -> None:
    config = make_site({"plain.md": "# Plain\n\nNo date anywhere.\n"})
    stamp = dt.datetime(2011, 2, 3, 4, 5, 6, tzinfo=UTC).timestamp()
    os.utime(config.content_dir / "plain.md", (stamp, stamp))
    build_ok(config, fake_embedder)
    html = page(config, "plain/")
    assert published(html) == "2011-02-03T04:05:06+00:00"
    assert "Updated" not in html


def _git(cwd: Path, *args: str, when: str | None = None) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd.parent)}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                    "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
                   cwd=cwd, check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_first_commit_date_and_update(make_site, fake_embedder) -> None:
    config = make_site({"first.md": "# First\n\nOne.\n",
                        "dated.md": "---\ntitle: Dated\ndate: 2010-01-02\n---\nText.\n",
                        "2009-08-07-named.md": "# Named\n\nText.\n"})
    content = config.content_dir
    _git(content, "init", "-q")
    _git(content, "add", "-A")
    _git(content, "commit", "-q", "-m", "one", when="2015-03-01T10:00:00+00:00")
    (content / "first.md").write_text("# First\n\nOne, edited.\n", encoding="utf-8")
    (content / "second.md").write_text("# Second\n\nTwo.\n", encoding="utf-8")
    _git(content, "add", "-A")
    _git(content, "commit", "-q", "-m", "two", when="2016-04-02T11:30:00-05:00")
    (content / "uncommitted.md").write_text("# Uncommitted\n\nThree.\n", encoding="utf-8")
    stamp = dt.datetime(2013, 1, 1, tzinfo=UTC).timestamp()
    os.utime(content / "uncommitted.md", (stamp, stamp))

    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    first = page(config, "first/")
    assert published(first) == "2015-03-01T10:00:00+00:00"
    assert "Updated 2016-04-02" in first
    second = page(config, "second/")
    assert published(second) == "2016-04-02T11:30:00-05:00"
    assert "Updated" not in second
    assert published(page(config, "dated/")) == "2010-01-02T00:00:00+00:00"
    assert published(page(config, "named/")) == "2009-08-07T00:00:00+00:00"
    assert published(page(config, "uncommitted/")) == "2013-01-01T00:00:00+00:00"


def test_updated_keys(make_site, fake_embedder) -> None:
    config = make_site({
        "u.md": "---\ntitle: U\ndate: 2020-01-01\nupdated: 2021-02-03\n---\nText.\n",
        "l.md": "---\ntitle: L\ndate: 2020-01-01\nlastmod: March 4, 2022\n---\nText.\n",
        "bad.md": "---\ntitle: B\ndate: 2020-01-01\nupdated: whenever\n---\nText.\n",
    })
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == ["bad.md:4: warning: cannot read updated 'whenever'; write it as "
                        "YYYY-MM-DD [date-invalid]"]
    assert "Updated 2021-02-03" in page(config, "u/")
    assert "Updated 2022-03-04" in page(config, "l/")
    assert "Updated" not in page(config, "bad/")


# --- drafts, unpublished, expired ------------------------------------------------------------

def _left_out_site(make_site, **overrides):
    future = dt.date.today().year + 5
    return make_site({
        "kept.md": "# Kept\n\nText.\n",
        "draft.md": "---\ntitle: Draft\ndraft: true\n---\nText.\n",
        "unpublished.md": "---\ntitle: Unpublished\npublished: false\n---\nText.\n",
        "expired.md": "---\ntitle: Expired\nexpirydate: 2001-01-01\n---\nText.\n",
        "expires-later.md": f"---\ntitle: Later\nexpirydate: {future}-01-01\n---\nText.\n",
        "toml-draft.md": "+++\ntitle = 'TD'\ndraft = true\n+++\nText.\n",
    }, **overrides)


def test_drafts_unpublished_and_expired_are_left_out(make_site, fake_embedder) -> None:
    config = _left_out_site(make_site)
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    assert (result.articles, result.drafts, result.unpublished, result.expired) == (2, 2, 1, 1)
    assert has_page(config, "kept/") and has_page(config, "expires-later/")
    for gone in ("draft", "toml-draft", "unpublished", "expired"):
        assert not has_page(config, f"{gone}/")
        assert f"/{gone}/" not in page(config, "")


def test_drafts_option_includes_drafts(make_site, fake_embedder) -> None:
    config = _left_out_site(make_site, drafts=True)
    result, _ = build_ok(config, fake_embedder)
    assert (result.articles, result.drafts, result.unpublished, result.expired) == (4, 0, 1, 1)
    assert post_title(page(config, "draft/")) == "Draft"
    assert has_page(config, "toml-draft/")
    assert not has_page(config, "unpublished/")


# --- tags --------------------------------------------------------------------------------------

def test_tags_and_categories(make_site, fake_embedder) -> None:
    config = make_site({
        "a.md": "---\ntitle: A\ntags:\n  - Python\n  - web dev\ncategories: Notes, python\n"
                "---\nText.\n",
        "b.md": '+++\ntitle = "B"\ntags = ["python"]\n+++\nText.\n',
    })
    build_ok(config, fake_embedder)
    html = page(config, "a/")
    for name, slug in [("Python", "python"), ("web dev", "web-dev"), ("Notes", "notes")]:
        assert f'<a class="tag" href="/tags/{slug}/">#{name}</a>' in html
    assert html.count('class="tag"') == 3  # "python" in categories is the same tag
    python = page(config, "tags/python/")
    assert 'href="/a/"' in python and 'href="/b/"' in python
    assert 'href="/a/"' in page(config, "tags/notes/")
    assert 'href="/b/"' not in page(config, "tags/web-dev/")
    index = page(config, "tags/")
    assert all(f'href="/tags/{s}/"' in index for s in ("python", "web-dev", "notes"))


def test_zola_taxonomies_table_and_hugo_custom_taxonomies(make_site, fake_embedder) -> None:
    files = {
        "zola.md": '+++\ntitle = "Zola"\n[taxonomies]\ntags = ["rust"]\n'
                   'categories = ["Release notes"]\n+++\nText.\n',
        "hugo.md": "---\ntitle: Hugo\ntags: [rust]\ntopics:\n  - Plain language\n---\nText.\n",
    }
    config = make_site(files)
    build_ok(config, fake_embedder)
    tags = sorted(p.name for p in (config.output_dir / "tags").iterdir() if p.is_dir())
    assert tags == ["release-notes", "rust"]  # "topics" is not a taxonomy unless configured
    assert 'href="/zola/"' in page(config, "tags/rust/")

    config = make_site(files, taxonomies=("tags", "categories", "topics"))
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == []
    assert 'href="/hugo/"' in page(config, "tags/plain-language/")
    assert '<a class="tag" href="/tags/plain-language/">#Plain language</a>' in page(config,
                                                                                      "hugo/")


def test_a_taxonomy_of_the_wrong_type_is_warned_at_its_line(make_site, fake_embedder) -> None:
    config = make_site({"a.md": '+++\ntitle = "A"\n[taxonomies]\ntags = {x = 1}\n+++\nText.\n'})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == ["a.md:4: warning: 'tags' must be a list of names, not a table; it is "
                        "ignored [front-matter-type]"]


def test_distinct_tags_get_distinct_pages(make_site, fake_embedder) -> None:
    config = make_site({"a.md": "---\ntitle: A\ntags: [C++]\n---\nText.\n",
                        "b.md": "---\ntitle: B\ntags: [C#]\n---\nText.\n"})
    build_ok(config, fake_embedder)
    tag_pages = [p for p in (config.output_dir / "tags").iterdir() if p.is_dir()]
    assert len(tag_pages) == 2


# --- slugs ---------------------------------------------------------------------------------------

def test_slug_clash_second_gets_suffix(make_site, fake_embedder) -> None:
    config = make_site({"_posts/2024-01-12-award.md": "# Award 2024\n\nText.\n",
                        "_posts/2023-05-08-award.md": "# Award 2023\n\nText.\n"})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        "_posts/2024-01-12-award.md:1: warning: slug 'award' is also used by "
        "_posts/2023-05-08-award.md; this page is published as 'award-2/' (set 'slug' in "
        "its front matter to choose) [slug-clash]"]
    assert post_title(page(config, "award/")) == "Award 2023"
    assert post_title(page(config, "award-2/")) == "Award 2024"


def test_front_matter_slug(make_site, fake_embedder) -> None:
    config = make_site({
        "news/2023/09/2023-09-15-x.md": "---\nslug: Custom Name\ntitle: C\n---\nText.\n",
        "a.md": "# A\n\nText.\n",
        "b.md": "---\nslug: a\ntitle: B\n---\nText.\n",
    })
    _, warnings = build_ok(config, fake_embedder)
    assert post_title(page(config, "news/2023/09/custom-name/")) == "C"
    assert post_title(page(config, "a/")) == "A"
    assert post_title(page(config, "a-2/")) == "B"
    assert warnings == [
        "b.md:1: warning: slug 'a' is also used by a.md; this page is published as 'a-2/' "
        "(set 'slug' in its front matter to choose) [slug-clash]"]


@pytest.mark.parametrize("reserved", sorted(RESERVED_IDS))
def test_slug_equal_to_a_generated_page(make_site, fake_embedder, reserved: str) -> None:
    config = make_site({f"{reserved}.md": f"# My {reserved}\n\nText.\n", "x.md": "# X\n\nx\n"})
    _, warnings = build_ok(config, fake_embedder)
    assert warnings == [
        f"{reserved}.md:1: warning: slug '{reserved}' is also used by a page vibesite "
        f"generates; this page is published as '{reserved}-2/' (set 'slug' in its front "
        "matter to choose) [slug-clash]"]
    assert post_title(page(config, f"{reserved}-2/")) == f"My {reserved}"
    assert 'href="/x/"' in page(config, "archive/")


_GENERATED = "BUG: urls.unique_ids checks only whole ids against RESERVED_IDS"


@pytest.mark.parametrize(("files", "clashing"), [
    pytest.param({"tags/python.md": "---\ntitle: In tags\ntags: [python]\n---\nText.\n"},
                 "tags/python.md"),
    pytest.param({"page/2.md": "# Two\n\nText.\n", "x.md": "# X\n\nText.\n"}, "page/2.md"),
    pytest.param({"atom.xml.md": "# Feed notes\n\nText.\n"}, "atom.xml.md"),
])
def test_slug_inside_a_generated_path(make_site, fake_embedder, files, clashing) -> None:
    config = make_site(files, per_page=1)
    result, warnings = build_ok(config, fake_embedder)
    assert [w for w in warnings if w.startswith(f"{clashing}:1: warning: slug ")]
    assert result.files == len(snapshot(config.output_dir))


# --- content errors ------------------------------------------------------------------------

def test_invalid_yaml_reports_the_file_line(make_site, fake_embedder) -> None:
    config = make_site({"x.md": "\n\n---\ntitle: Bad\nsummary: fine\nbad: value: here\n---\n"
                                "Body.\n"})
    error, errors = build_fails(config, fake_embedder)
    assert errors == ["x.md:6: error: invalid YAML front matter: mapping values are not allowed "
                      "in this context; fix the YAML or quote the value [yaml-invalid]"]
    assert str(error) == "build failed: 1 error(s); nothing was written"


def test_invalid_toml_reports_the_file_line(make_site, fake_embedder) -> None:
    config = make_site({"x.md": '\n+++\ntitle = "T"\n\n[extra]\nteam = nope\n+++\nBody.\n'})
    _, errors = build_fails(config, fake_embedder)
    assert errors == ["x.md:6: error: invalid TOML front matter: Invalid value [toml-invalid]"]


def test_invalid_toml_at_end_of_front_matter(make_site, fake_embedder) -> None:
    config = make_site({"x.md": '+++\ntitle = "T"\nauthors = ["a",\n+++\nBody.\n'})
    _, errors = build_fails(config, fake_embedder)
    assert errors == ["x.md:3: error: invalid TOML front matter: Invalid value [toml-invalid]"]


def test_unclosed_front_matter_fails_the_build(make_site, fake_embedder) -> None:
    config = make_site({"x.md": "+++\ntitle = 'open'\n\nBody text.\n"})
    _, errors = build_fails(config, fake_embedder)
    assert errors == ["x.md:1: error: front matter opened with '+++' is never closed; add a "
                      "'+++' line after it [front-matter-unclosed]"]


def test_all_errors_listed_once_and_old_site_kept(make_site, fake_embedder) -> None:
    config = make_site({"good.md": "# Good\n\nText.\n"})
    build_ok(config, fake_embedder)
    before = snapshot(config.output_dir)
    make_site({
        "b/bad-yaml.md": "---\ntitle: [unclosed\n---\nText.\n",
        "a-bad-toml.md": "+++\ntitle = \ndate = 2020-01-01\n+++\nText.\n",
        "c-unclosed.md": "---\ntitle: x\n",
        "d-tab.md": "---\ntitle: Tab\nauthors:\n- melody\t\t\n---\nText.\n",
    })
    error, found = build_fails(config, fake_embedder)
    assert found == [
        "a-bad-toml.md:2: error: invalid TOML front matter: Invalid value [toml-invalid]",
        "b/bad-yaml.md:2: error: invalid YAML front matter: did not find expected ',' or ']'; "
        "fix the YAML or quote the value [yaml-invalid]",
        "c-unclosed.md:1: error: front matter opened with '---' is never closed; add a '---' "
        "line after it [front-matter-unclosed]",
        f"d-tab.md:4: warning: {TAB_WARNING}",
    ]
    assert str(error) == "build failed: 3 error(s); nothing was written"
    assert snapshot(config.output_dir) == before
    assert sorted(p.name for p in config.output_dir.parent.iterdir() if p.name.startswith(".s")) \
        == []


def test_tab_in_yaml_warns_and_builds(make_site, fake_embedder) -> None:
    config = make_site({
        "list.md": "---\ntitle: ' Content debt'\ndate: 2016-05-19\nauthors:\n- melody\t\t\n"
                   "tags:\n- content\n---\nText.\n",
        "indent.md": "---\ntitle: Indent\ntags:\n\t- a\n\t- b\n---\nText.\n",
        "quoted.md": '---\ntitle: "a\ttab inside quotes is fine"\n---\nText.\n',
    })
    result, warnings = build_ok(config, fake_embedder)
    assert warnings == [f"indent.md:4: warning: {TAB_WARNING}",
                        f"list.md:5: warning: {TAB_WARNING}"]
    assert result.articles == 3
    html = page(config, "list/")
    assert post_title(html) == "Content debt"
    assert 'href="/tags/content/"' in html
    assert 'href="/tags/a/"' in page(config, "indent/") and has_page(config, "tags/b/")


def test_strict_turns_warnings_into_errors(make_site, fake_embedder) -> None:
    files = {"d.md": "---\ntitle: D\ndate: 2016-07-19 (optional)\n---\nText.\n"}
    config = make_site(files, strict=True)
    error, found = build_fails(config, fake_embedder)
    assert found == ["d.md:3: warning: date '2016-07-19 (optional)' has extra text; read as "
                     "2016-07-19 [date-fuzzy]"]
    assert str(error) == "build failed: 1 warning(s) with --strict; nothing was written"
    assert not config.output_dir.exists()
    result, warnings = build_ok(make_site(files), fake_embedder)
    assert result.articles == 1 and warnings == found


# --- which files are articles ----------------------------------------------------------------

def test_default_excludes(make_site, fake_embedder) -> None:
    config = make_site({
        "README.md": "# Readme\n", "CONTRIBUTING.md": "# Contributing\n",
        "LICENSE.md": "# License\n", "_index.md": "---\ntitle: Home\n---\n",
        "section/_index.md": "---\ntitle: Section\n---\n",
        "docs/README.md": "# Docs readme\n\nKept.\n", "post.md": "# Post\n\nText.\n",
    })
    result, _ = build_ok(config, fake_embedder)
    parsed, _ = parse_site(config)
    assert sorted(by_source(parsed)) == ["docs/README.md", "post.md"]
    assert result.articles == 2
    assert post_title(page(config, "docs/readme/")) == "Docs readme"
    assert not has_page(config, "readme/")
    # _index.md files are not articles: they introduce their folder's section page
    assert '<h1 class="page-title">Section</h1>' in page(config, "section/")


def test_include_and_exclude(make_site, fake_embedder) -> None:
    config = make_site({
        "notes/a.md": "# A\n\nText.\n", "notes/deep/b.md": "# B\n\nText.\n",
        "notes/private/c.md": "# C\n\nText.\n", "drafts/d.md": "# D\n\nText.\n",
        "README.md": "# Readme\n",
    }, include=("notes/**", "README.md"), exclude=("notes/private/**",))
    result, _ = build_ok(config, fake_embedder)
    parsed, _ = parse_site(config)
    assert sorted(by_source(parsed)) == ["README.md", "notes/a.md", "notes/deep/b.md"]
    assert result.articles == 3
    assert has_page(config, "readme/") and not has_page(config, "drafts/d/")


def test_exclude_keeps_other_files_out_of_the_site_too(make_site, fake_embedder) -> None:
    config = make_site({
        "a.md": "# A\n\n![kept](img/kept.png) ![gone](scratch/gone.png)\n",
        "img/kept.png": b"png", "scratch/gone.png": b"png", "scratch/notes.md": "# Notes\n",
        "art/cover.psd": b"psd",
    }, exclude=("scratch/**", "**/*.psd"))
    result, warnings = build_ok(config, fake_embedder)
    assert result.articles == 1
    assert (config.output_dir / "img/kept.png").is_file()
    assert not (config.output_dir / "scratch").exists()
    assert not (config.output_dir / "art/cover.psd").exists()
    assert warnings == ["a.md:3: warning: image 'scratch/gone.png': no file scratch/gone.png in "
                        "the content folder [broken-image]"]


def test_article_ids_are_unique_and_sorted_newest_first(make_site) -> None:
    config = make_site({
        "2019-01-01-x.md": "# X1\n", "2020-01-01-x.md": "# X2\n", "x.md": "---\ndate: "
        "2018-05-05\n---\n# X3\n", "b/x.md": "---\ndate: 2020-01-01\n---\n# X4\n",
    })
    parsed, _ = parse_site(config)
    ids = [a.id for a in parsed.articles]
    assert len(set(ids)) == len(ids) == 4
    assert [a.date for a in parsed.articles] == sorted((a.date for a in parsed.articles),
                                                       reverse=True)
    assert ids[:2] == sorted(ids[:2])  # same date: by id


# --- hostile front matter (crashes the fuzz test in test_fuzz_parse.py found) -----------------

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "\n".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True))


@pytest.mark.parametrize(("front", "line"), [
    ("+++\nx = " + "[" * 3000 + "]" * 3000 + "\n+++\n", 2),
    ("+++\ntitle = 'T'\n[a]\nx = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n+++\n", 2),
])
def test_toml_nested_too_deeply_is_an_error(make_site, front: str, line: int) -> None:
    config = make_site({"deep.md": front + "Body.\n"})
    parsed, diagnostics = parse_site(config)
    assert lines(diagnostics.items) == [
        f"deep.md:{line}: error: front matter is nested too deeply (lists or tables inside each "
        "other hundreds of levels down); flatten it [toml-invalid]"]
    assert parsed.articles == ()


def test_yaml_nested_deeply_with_a_tab_is_not_a_crash(make_site) -> None:
    # libyaml reads 900 levels; the pure-Python check for tabs runs out of stack on them
    deep = "[" * 900 + "]" * 900
    config = make_site({"deep.md": f"---\ntitle: Deep\nx: {deep}\ny:\t1\n---\nBody.\n"})
    parsed, diagnostics = parse_site(config)
    assert lines(diagnostics.items) == []
    assert [a.title for a in parsed.articles] == ["Deep"]


@pytest.mark.parametrize(("fence", "assign", "kind"), [("---", ": ", "YAML"),
                                                        ("+++", " = ", "TOML")])
def test_integer_too_long_to_read_is_an_error(make_site, fence: str, assign: str,
                                              kind: str) -> None:
    config = make_site({"big.md": f"{fence}\ntitle{assign}{'9' * 5000}\n{fence}\nBody.\n"})
    _, diagnostics = parse_site(config)
    assert lines(diagnostics.items) == [
        f"big.md:2: error: invalid {kind} front matter: Exceeds the limit (4300 digits) for "
        f"integer string conversion: value has 5000 digits; fix or quote the value "
        f"[{kind.lower()}-invalid]"]


@pytest.mark.parametrize("key", ["title", "tags", "slug", "path", "date"])
def test_yaml_alias_bomb_is_never_turned_into_text(make_site, key: str) -> None:
    config = make_site({"lol.md": f"---\n{BILLION_LAUGHS}\n{key}: *i\n---\n# Heading\n\nBody.\n"})
    parsed, diagnostics = parse_site(config)
    message = {
        "tags": "'tags' must list names, not a list; such items are ignored [front-matter-type]",
        "date": "cannot read date a list; write it as YYYY-MM-DD [date-invalid]",
    }.get(key, f"'{key}' must be text, not a list; it is ignored [front-matter-type]")
    assert lines(diagnostics.items) == [f"lol.md:11: warning: {message}"]
    found = parsed.articles[0]
    assert (found.title, found.id, found.tags) == ("Heading", "lol", ())


def test_front_matter_value_types(make_site) -> None:
    front = ('title: "Tab\\tNUL\\0 escape\\x1b[31m end"\ntags: [ok, [nested], {a: b}, 3]\n'
             "categories: {x: y}\nslug: 42\ndate: " + "2020-01-01 " + "x" * 100 + "\n")
    config = make_site({"types.md": f"---\n{front}---\nBody.\n"})
    parsed, diagnostics = parse_site(config)
    assert lines(diagnostics.sorted()) == [
        "types.md:3: warning: 'tags' must list names, not a list; such items are ignored "
        "[front-matter-type]",
        "types.md:4: warning: 'categories' must be a list of names, not a table; it is ignored "
        "[front-matter-type]",
        # a long value is cut at 60 characters in the message
        f"types.md:6: warning: date '2020-01-01 {'x' * 49}…' has extra text; read as 2020-01-01 "
        "[date-fuzzy]"]
    found = parsed.articles[0]
    assert found.title == "Tab NUL escape[31m end"
    assert ([t.name for t in found.tags], found.id) == (["ok", "3"], "42")
