"""Fuzzing the parse stage: any bytes in a content file give a page or a ``file:line`` error.

Hypothesis writes one file into a content folder and runs the real stages 1-2 (discover:
reading and UTF-8 decoding; parse: BOM and newlines, front matter fences, YAML/TOML,
dates, slugs, Markdown). Whatever the bytes, the result must be an article, a file left out
on purpose (draft, unpublished, expired), or an error diagnostic naming the file and a line
inside it; never an exception. The strategies are built from what breaks parsers (fences,
YAML tags and aliases, TOML edge cases, NUL, BOMs, CRLF, long lines, lists where text
belongs) and run derandomized, so CI sees the same few hundred examples every time.
The crashes it found have their own regression tests in test_parse.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from _sitebuild import parse_site, site_config
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from vibesite.config import Config

SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Nine levels of nine aliases: 9**9 strings if anything walks it (str(), a tag list...)
BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "\n".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
FENCES = ["---", "+++", "...", "--- ", "---\t", "+++ ", "----", "", "\ufeff---"]
# The keys vibesite reads, each given one of the values below.
KEYS = ["title", "date", "tags", "slug", "path", "summary", "updated", "expirydate",
        "categories", "draft", "published", "description"]
YAML_VALUES = [
    "Plain text", "'<script>alert(1)</script>'", "'\"><img src=x onerror=alert(1)>'",
    r'"a\0b\x1b\u2028"', "*i", "*t", "&r [*r]", "[[a, b], {c: d}, ~, '', 1.5]",
    "!!python/object/apply:os.system ['echo pwned > PWNED']", "!!python/name:os.system",
    "!!python/object:builtins.dict {}", "!!timestamp 2019-02-30", "!!binary aGk=",
    "!!float abc", "!!int 0xZZ", "!!set {a, b}", "!custom x", "!!str 2019-01-01",
    "2019-13-45", "2019-02-30", "0000-00-00", "[2020, 1, 1]", "{year: 2020}",
    "9" * 40, "9" * 5000, "-1", ".nan", ".inf", "1e400", "~", "''", "'   '", "yes",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "10000-01-01",
    "June 2021", "2016-07-19 (optional)", "'a, b,, c'", "../../etc/passwd", "'..'",
    "/../../x//y", "2014/12/12/x", "<b>bold</b> &amp; odd", "|\n  multi\n  line",
    "[" * 800 + "]" * 800, "[" * 3000 + "]" * 3000, "'" + "x" * 5000 + "'",
    "\u2028x\u2029\x85", "value\t\t", "[\ta]",
]
YAML_LINES = [  # whole lines: anchors, merge keys, complex keys, directives, tabs
    "t: &t [1, [2, [3, [4]]]]", "<<: *t", "<<: {title: merged}", "? [a, b]\n: c",
    "? {a: b}\n: c", "? *t\n: c", "- melody\t\t", "key:\tvalue", "%YAML 1.1",
    "%TAG ! tag:x,2000:", "--- !!map", "&x title: anchored",
    "!!python/object/apply:os.system ['echo pwned > PWNED']", "1: numeric key",
    "2019-01-01: date key", "null: x",
]
TOML_VALUES = [
    '"Plain"', r'"a\u0000b\u001b"', '"<script>alert(1)</script>"', "1e400", "nan", "inf",
    "9" * 40, "9" * 5000, "-0", "0x_1", "true", "1979-05-27T07:32:00-08:00", "1979-05-27",
    "07:32:00", "1979-05-27T07:32:00", "0001-01-01T00:00:00+23:59", "9999-12-31", "1979-02-30",
    '"2019-02-30"', "[1979-05-27]", "[[1], [2]]", '["a", 1, 2.5, true, {x = 1}]', "{a = 1}",
    '".."', '"/a//b/"', '"""\nmulti\n"""', "'''\nraw\n'''", '"unterminated', "\x7f",
    "[" * 800 + "]" * 800, "[" * 3000 + "]" * 3000, "{b = " * 3000 + "1" + "}" * 3000,
    '"' + "x" * 5000 + '"',
]
TOML_LINES = ["[extra]", "[[extra]]", "[extra]\n[extra]", "a.b.c = 1", "a = 1\na = 2", "= 1",
              "[extra]\ntitle = 'in a table'"]
BODY_LINES = [
    "# A heading", "# ", "#", "Heading\n=======", "```python", "```", "~~~", "    indented code",
    "<script>alert(1)</script>", "</script>", "<!--", "-->", "<div>", "</div>", "<?php ?>",
    "\x00", "\ufeff", "\u2028", "\u202e", "\f", "\x1b[31m", "\ud7ff\ue000\ufffd\uffff",
    "> " * 60 + "deep", "- " * 60 + "deep", "1. " * 60, "*" * 500, "_" * 500, "[" * 500,
    "![" * 200, "`" * 300, "<" * 300, "&#0; &#x110000; &#xD800; &bogus; &amp", "[a]: <",
    "| a | b |\n|---|---|\n| 1 |", "[^1] and [^1]\n\n[^1]: note\n[^1]: again", "- [ ] task",
    "- [x] done", "## Section", "## Section", "#### ####", "x" * 20000,
    "word " * 4000, "\u0301\u0301\u0301 combining", "עברית العربية", "🚀" * 50,
    "{{ site.baseurl }}", "{% raw %}", "\\", "***", "    ---", "---", "+++", "...",
    # Obsidian's syntax, math and diagrams (the site is a vault: tags and math are read too)
    "> [!note] Title", "> [!faq]- Folded", "> [!", "==marked==", "==", "%%hidden%%", "%%",
    "text ^block-id", "^id", "![[pic.png|300]]", "![[post]]", "![[post#^id]]", "[[post#Post]]",
    "#tag #nested/tag C# #42", "$x^2$", "$$", "$\\frac{$", "$\\text{<script>}$", "```mermaid",
]
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)


def _often(common: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """``common`` about seven times in eight (st.integers would favour the edge cases)."""
    return st.sampled_from([True] * 7 + [False]).flatmap(lambda usual: common if usual else rare)


@st.composite
def front_matter(draw: st.DrawFn, toml: bool) -> list[str]:
    """``key: value`` lines with hostile values, a few odd whole lines, rarely anything."""
    values, lines, between = (TOML_VALUES, TOML_LINES, " = ") if toml else (
        YAML_VALUES, YAML_LINES, ": ")
    entry = st.tuples(st.sampled_from(KEYS), st.sampled_from(values)).map(between.join)
    front = draw(st.lists(_often(entry, st.one_of(st.sampled_from(lines), TEXT)),
                          min_size=1, max_size=4))
    if not toml and draw(st.booleans()):  # define *i and *t, and use *i
        front[:0] = [BILLION_LAUGHS, "t: &t [1, [2, [3, [4]]]]"]
        front.append(draw(st.sampled_from(KEYS)) + ": *i")
    return front


@st.composite
def content_files(draw: st.DrawFn) -> bytes:
    """Front matter + Markdown built from dangerous fragments, in the encodings files have."""
    fence = draw(_often(st.sampled_from(["---", "+++"]), st.sampled_from(FENCES)))
    front = draw(front_matter(toml=fence.lstrip("\ufeff").startswith("+")))
    body = draw(st.lists(_often(st.sampled_from(BODY_LINES), TEXT), max_size=8))
    head = [fence, *front] if fence else front
    if draw(_often(st.just(True), st.just(False))):
        head.append(fence)  # closed, usually
    text = draw(st.sampled_from(["", "", "\n", "\n\n \n"])) + "\n".join(head + body)
    newline = draw(_often(st.just("\n"), st.sampled_from(["\r\n", "\r", "\n\r"])))
    data = text.replace("\n", newline).encode("utf-8")
    prefix = draw(_often(st.just(b""), st.sampled_from([b"\xef\xbb\xbf", b"\xef\xbb\xbf" * 2,
                                                       b"\xff\xfe", b"\x00", b"\r"])))
    if not draw(_often(st.just(True), st.just(False))):  # a stray byte that is not UTF-8
        at = draw(st.integers(0, len(data)))
        stray = draw(st.sampled_from([b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xff"]))
        data = data[:at] + stray + data[at:]
    return prefix + data


@contextmanager
def one_file_site() -> Iterator[tuple[Config, Path]]:
    """A content folder for one file, reused by every example (a fixture would not reset)."""
    with tempfile.TemporaryDirectory() as tmp:
        config = site_config(Path(tmp))
        (config.content_dir / ".obsidian").mkdir(parents=True)  # a vault: every rule applies
        yield config, config.content_dir / "post.md"


def assert_page_or_error(config: Config, path: Path, data: bytes) -> None:
    path.write_bytes(data)
    parsed, diagnostics = parse_site(config)
    line_count = data.count(b"\n") + data.count(b"\r") + 1
    for item in diagnostics.items:
        assert item.path == "post.md", str(item)
        assert 1 <= item.line <= line_count, str(item)
        assert item.message and item.code and len(item.message) < 400, str(item)[:600]
    left_out = parsed.drafts + parsed.unpublished + parsed.expired
    event(f"errors: {sorted({d.code for d in diagnostics.errors})}" if diagnostics.errors
          else "a page" if parsed.articles else "left out")
    for code in {d.code for d in diagnostics.warnings}:
        event(f"warning: {code}")
    if diagnostics.errors:
        assert parsed.articles == () and left_out == 0
        return
    assert len(parsed.articles) + left_out == 1
    for article in parsed.articles:
        assert isinstance(article.title, str) and article.title.strip()
        assert "\n" not in article.title and "\x00" not in article.title
        assert isinstance(article.date, datetime) and article.date.tzinfo is not None
        assert article.id and all(part not in ("", ".", "..") for part in article.id.split("/"))
        assert all(isinstance(t.name, str) and t.name and t.slug for t in article.tags)
        assert isinstance(article.html_body, str) and isinstance(article.summary, str)
        # Nothing is longer than the file: YAML aliases must not blow a title up to gigabytes.
        longest = max(len(data), len("post"))
        assert max(len(article.title), len(article.summary), len(article.id),
                   sum(len(t.name) for t in article.tags)) <= longest


@SETTINGS
@given(content_files())
def test_hostile_front_matter_and_markdown_give_a_page_or_an_error(data: bytes) -> None:
    with one_file_site() as (config, path):
        assert_page_or_error(config, path, data)
        assert not (path.parent / "PWNED").exists() and not Path("PWNED").exists()


@settings(SETTINGS, max_examples=100)
@given(st.one_of(st.binary(max_size=400), TEXT.map(lambda t: t.encode("utf-8"))))
def test_any_bytes_give_a_page_or_an_error(data: bytes) -> None:
    with one_file_site() as (config, path):
        assert_page_or_error(config, path, data)
