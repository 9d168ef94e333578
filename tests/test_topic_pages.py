"""Topics on built sites: the topic index, topic pages, the map, article links and topics.json.

Synthetic sites with the fake embedder (a hashed bag of words) in four vocabularies that
share no words, so each vocabulary is one topic; one build of the demo site with the real
model (shared with test_build) at the end.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from _sitebuild import FakeEmbedder, build_quiet, site_config, snapshot, write_files

from vibesite.config import Config, load_config
from vibesite.diagnostics import BuildError
from vibesite.pipeline import BuildResult

VOCAB = {
    "git": "git rebase commit branch merge stash reflog cherry pick upstream remote checkout",
    "python": "python pandas dataframe numpy series pip venv import module typing pytest",
    "vim": "vim buffer motion register macro split normal insert visual yank keymap",
    "postgres": "postgres query vacuum schema psql join table explain transaction sql",
}
PER_DOMAIN = 8  # 32 articles
SITE_ARGS: dict[str, Any] = {"base_url": "https://me.github.io/blog/"}
BASE = "/blog/"


def article(domain: str, i: int, rng: random.Random) -> str:
    words = VOCAB[domain].split()
    title = " ".join(w.title() for w in rng.sample(words, 3))
    body = " ".join(rng.choice(words) for _ in range(40))
    return (f"---\ntitle: {title} {i}\ndate: 2024-{1 + i % 12:02d}-{1 + i:02d}\n"
            f"tags: [{domain}]\n---\n{body}\n")


def corpus(per: int = PER_DOMAIN, seed: int = 0) -> dict[str, str | bytes]:
    """``{domain}-{i:02d}.md`` files; the article ids are the file names without .md."""
    rng = random.Random(seed)
    return {f"{d}-{i:02d}.md": article(d, i, rng) for d in VOCAB for i in range(per)}


def domain_of(article_id: str) -> str:
    return article_id.split("-")[0]


def read(config: Config, relpath: str) -> str:
    return (config.output_dir / relpath).read_text(encoding="utf-8")


def topics_data(config: Config) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(read(config, "topics.json"))
    return data


def membership(config: Config) -> dict[str, str]:
    """Article id -> slug of its automatic topic, from topics.json."""
    return {m["id"]: t["slug"] for t in topics_data(config)["topics"] if not t["seeded"]
            for m in t["members"]}


def automatic(config: Config) -> list[dict[str, Any]]:
    return [t for t in topics_data(config)["topics"] if not t["seeded"]]


def main(page_html: str) -> str:
    match = re.search(r"<main\b.*?</main>", page_html, re.S)
    assert match, "no <main> in the page"
    return match.group(0)


def listed_articles(page_html: str) -> list[str]:
    """Hrefs of the post cards of a list page (a topic or tag page)."""
    return re.findall(r'<h2 class="post-card__title"><a href="([^"]+)">', page_html)


def map_svg(config: Config) -> str:
    match = re.search(r"<svg\b.*?</svg>", read(config, "map/index.html"), re.S)
    assert match, "no inline <svg> on the map page"
    return match.group(0)


def topic_files(config: Config) -> dict[str, bytes]:
    """topics.json, every page under topics/ and the map page."""
    out = config.output_dir
    paths = [out / "topics.json", out / "map/index.html", *sorted((out / "topics").rglob("*"))]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in paths if p.is_file()}


def change_line(result: BuildResult) -> tuple[int, str]:
    return result.topics, result.topic_changes


@pytest.fixture
def topic_site(make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> Config:
    """The 32-article synthetic site under the base path /blog/, built (about 0.5 s)."""
    config = make_site(corpus(), **SITE_ARGS)
    result = build_quiet(config, fake_embedder)
    assert result.articles == 4 * PER_DOMAIN
    assert result.diagnostics == ()
    return config


# ---------------------------------------------------------------- the pages


def test_one_topic_per_vocabulary_in_topics_json(topic_site: Config) -> None:
    data = topics_data(topic_site)
    assert set(data) == {"topics", "broad", "map"}
    assert data["broad"] == []  # four fine topics: one level
    topics = automatic(topic_site)
    assert len(topics) == len(VOCAB)
    for topic in topics:
        ids = [m["id"] for m in topic["members"]]
        assert topic["size"] == len(ids) == PER_DOMAIN
        assert len({domain_of(a) for a in ids}) == 1, topic
        assert topic["slug"] == re.sub(r"[^a-z0-9]+", "-", topic["slug"]).strip("-")
        # every article is tagged with its vocabulary: the tag names the topic
        assert topic["keywords"] and topic["name"] == domain_of(ids[0]).capitalize()
    assert sorted(data["map"]) == sorted(f[:-3] for f in corpus())
    assert all(-1 <= c <= 1 for xy in data["map"].values() for c in xy)


def test_topic_index_lists_name_size_and_three_examples(topic_site: Config) -> None:
    index = main(read(topic_site, "topics/index.html"))
    cards = re.findall(r'<li class="topic-card">(.*?</ul>)', index, re.S)
    topics = automatic(topic_site)
    assert len(cards) == len(topics)
    titles = {a: re.search(r"^title: (.*)$", text, re.M).group(1)  # type: ignore[union-attr]
              for a, text in ((f[:-3], str(t)) for f, t in corpus().items())}
    for card, topic in zip(cards, topics, strict=True):  # same order: largest first
        head = re.search(r'<a href="([^"]+)">([^<]+)</a>\s*<span class="count">(\d+)<', card)
        assert head, card
        assert head.group(1) == f"{BASE}topics/{topic['slug']}/"
        assert html.unescape(head.group(2)) == topic["name"]
        assert int(head.group(3)) == topic["size"]
        examples = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', card)
        central = [m["id"] for m in topic["members"][:3]]
        assert [href for href, _ in examples] == [f"{BASE}{a}/" for a in central]
        assert [html.unescape(title) for _, title in examples] == [titles[a] for a in central]
    assert "Topics appear once" not in index
    assert f'href="{BASE}map/"' in index


def test_each_topic_page_lists_its_articles(topic_site: Config) -> None:
    for topic in automatic(topic_site):
        page = read(topic_site, f"topics/{topic['slug']}/index.html")
        assert f"<title>Topic: {html.escape(topic['name'])}" in page
        assert f'<h1 class="page-title">{html.escape(topic["name"])}</h1>' in page
        assert f"{topic['size']} articles" in page
        assert listed_articles(main(page)) == [f"{BASE}{m['id']}/" for m in topic["members"]]


def test_map_is_an_inline_svg_with_one_link_per_article(topic_site: Config) -> None:
    page = read(topic_site, "map/index.html")
    svg = map_svg(topic_site)
    ids = sorted(f[:-3] for f in corpus())
    hrefs = re.findall(r'<a href="([^"]+)" tabindex="-1"><circle', svg)
    assert sorted(hrefs) == [f"{BASE}{a}/" for a in ids]
    assert svg.count("<circle") == len(ids)
    assert "<script" not in main(page) and "onclick" not in svg  # plain links: no JS needed
    assert "<object" not in page and "<img" not in main(page)
    labels = [html.unescape(t) for t in re.findall(r'<text class="l l2"[^>]*>([^<]*)</text>', svg)]
    assert sorted(labels) == sorted(t["name"] for t in automatic(topic_site))


def test_every_article_links_its_topic(topic_site: Config) -> None:
    topic_of = membership(topic_site)
    names = {t["slug"]: t["name"] for t in automatic(topic_site)}
    for article_id, slug in topic_of.items():
        page = read(topic_site, f"{article_id}/index.html")
        links = re.findall(r'<p class="post-topic">Topic: <a href="([^"]+)">([^<]+)</a>', page)
        assert links == [(f"{BASE}topics/{slug}/", html.escape(names[slug]))], article_id


def test_tag_pages_still_exist_beside_topics(topic_site: Config) -> None:
    tags = main(read(topic_site, "tags/index.html"))
    for domain in VOCAB:
        assert f'href="{BASE}tags/{domain}/"' in tags
        listed = listed_articles(main(read(topic_site, f"tags/{domain}/index.html")))
        assert len(listed) == PER_DOMAIN
    nav = read(topic_site, "index.html")
    for section in ("tags/", "topics/", "map/"):
        assert f'href="{BASE}{section}"' in nav
    sitemap = read(topic_site, "sitemap.xml")
    assert "/blog/topics/</loc>" in sitemap and "/blog/map/</loc>" in sitemap


# ---------------------------------------------------------------- stability


def test_adding_one_article_keeps_every_slug_and_membership(
        topic_site: Config, fake_embedder: FakeEmbedder) -> None:
    before = membership(topic_site)
    slugs = {t["slug"] for t in automatic(topic_site)}
    rng = random.Random(99)
    write_files(topic_site.content_dir, {"vim-99.md": article("vim", 99, rng)})
    result = build_quiet(topic_site, fake_embedder)
    after = membership(topic_site)
    assert {t["slug"] for t in automatic(topic_site)} == slugs
    assert {a: after[a] for a in before} == before
    assert after["vim-99"] == before["vim-00"]
    assert change_line(result) == (len(VOCAB), f"{len(VOCAB)} kept, 0 new, 0 merged, 0 gone")
    assert f'href="{BASE}vim-99/"' in map_svg(topic_site)


def test_removing_a_third_keeps_the_largest_topics(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    files = corpus(per=9, seed=3)
    # unequal sizes, so that "the largest" means something: drop two python articles
    files = {f: t for f, t in files.items() if f not in ("python-07.md", "python-08.md")}
    config = make_site(files)
    build_quiet(config, fake_embedder)
    first = automatic(config)
    largest = [t["slug"] for t in first][:2]  # topics.json lists the largest first
    for i, name in enumerate(sorted(files)):
        if i % 3 == 0:
            (config.content_dir / name).unlink()
    result = build_quiet(config, fake_embedder)
    assert result.articles == len(files) - len(range(0, len(files), 3))
    assert set(largest) <= {t["slug"] for t in automatic(config)}
    assert result.topic_changes == f"{len(VOCAB)} kept, 0 new, 0 merged, 0 gone"
    for topic in automatic(config):  # survivors stay with their own vocabulary
        assert len({domain_of(m["id"]) for m in topic["members"]}) == 1


# ---------------------------------------------------------------- determinism


def test_two_builds_from_scratch_are_byte_identical(
        make_site: Callable[..., Config], tmp_path_factory: pytest.TempPathFactory) -> None:
    one = make_site(corpus(), **SITE_ARGS)
    build_quiet(one, FakeEmbedder())
    two = site_config(tmp_path_factory.mktemp("other"), corpus(), **SITE_ARGS)
    build_quiet(two, FakeEmbedder())
    files = topic_files(one)
    assert len(files) == len(VOCAB) + 3  # topics.json, map, topics/ and one page per topic
    assert topic_files(two) == files


def test_rebuild_with_the_same_cache_changes_nothing(
        topic_site: Config, fake_embedder: FakeEmbedder) -> None:
    before = snapshot(topic_site.output_dir)
    result = build_quiet(topic_site, fake_embedder)
    assert result.files == 0
    assert snapshot(topic_site.output_dir) == before
    assert change_line(result) == (len(VOCAB), f"{len(VOCAB)} kept, 0 new, 0 merged, 0 gone")


# ---------------------------------------------------------------- small sites


def test_small_site_has_no_automatic_topics(make_site: Callable[..., Config],
                                            fake_embedder: FakeEmbedder) -> None:
    files = dict(list(corpus().items())[:7])
    config = make_site(files)
    result = build_quiet(config, fake_embedder)
    assert result.diagnostics == ()
    assert change_line(result) == (0, "0 kept, 0 new, 0 merged, 0 gone")
    assert topics_data(config)["topics"] == []
    index = main(read(config, "topics/index.html"))
    assert "Topics appear once the site has at least 8 articles." in index
    assert "topic-card" not in index
    assert sorted(p.name for p in (config.output_dir / "topics").iterdir()) == ["index.html"]
    assert map_svg(config).count("<circle") == 7
    assert "post-topic" not in read(config, "git-00/index.html")


# ---------------------------------------------------------------- configuration


def test_topic_names_rename_a_topic(make_site: Callable[..., Config],
                                    fake_embedder: FakeEmbedder) -> None:
    config = make_site(corpus())
    build_quiet(config, fake_embedder)
    slug = membership(config)["git-00"]
    config = replace(config, topic_names={slug: "Version control <git>"})
    build_quiet(config, fake_embedder)
    assert membership(config)["git-00"] == slug  # the slug stays
    assert [t["name"] for t in automatic(config) if t["slug"] == slug] == ["Version control <git>"]
    escaped = "Version control &lt;git&gt;"
    assert f'<a href="/topics/{slug}/">{escaped}</a>' in read(config, "topics/index.html")
    assert f'<h1 class="page-title">{escaped}</h1>' in read(config, f"topics/{slug}/index.html")
    assert f'<a href="/topics/{slug}/">{escaped}</a>' in read(config, "git-03/index.html")
    assert f">{escaped}</text>" in map_svg(config)
    assert f'<a href="/topics/{slug}/">{escaped}</a>' in read(config, "map/index.html")


def test_topic_seed_lists_matching_articles_and_warns_about_unknown_ids(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    seed = {"slug": "versioning", "name": "Versioning", "examples": ["git-00", "no-such-post"]}
    config = make_site(corpus(), topic_seeds=(seed,))
    result = build_quiet(config, fake_embedder)
    assert [str(d) for d in result.diagnostics] == [
        "vibesite.toml:1: warning: topic seed 'versioning': no article no-such-post; "
        "use article ids such as 'git-00' [topic-seed]"
    ]
    seeded = [t for t in topics_data(config)["topics"] if t["seeded"]]
    assert [(t["slug"], t["name"]) for t in seeded] == [("versioning", "Versioning")]
    members = [m["id"] for m in seeded[0]["members"]]
    assert "git-00" in members and {domain_of(a) for a in members} == {"git"}
    assert len(members) >= PER_DOMAIN // 2
    page = read(config, "topics/versioning/index.html")
    assert '<h1 class="page-title">Versioning</h1>' in page
    assert "(a topic declared in the site’s settings)" in page
    assert listed_articles(main(page)) == [f"/{a}/" for a in members]
    assert 'href="/topics/versioning/">Versioning</a>' in read(config, "topics/index.html")
    assert len(automatic(config)) == len(VOCAB)  # the seed takes nothing from the automatic topics
    assert result.topics == len(VOCAB)


def test_seed_on_a_small_site_still_says_why_there_are_no_automatic_topics(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    seed = {"slug": "versioning", "name": "Versioning", "examples": ["git-00"]}
    config = make_site(dict(list(corpus().items())[:5]), topic_seeds=(seed,))
    result = build_quiet(config, fake_embedder)
    assert result.diagnostics == () and result.topics == 0
    index = main(read(config, "topics/index.html"))
    assert 'href="/topics/versioning/">Versioning</a>' in index
    assert "Topics appear once the site has at least 8 articles." in index


# ---------------------------------------------------------------- the demo site, real model


def test_demo_site_topics_have_at_least_two_articles(
        demo_build: tuple[Config, BuildResult]) -> None:
    """REPO/content with the packaged model (built once for the session, see conftest)."""
    config, result = demo_build
    topics = automatic(config)
    assert result.articles >= 15 and result.topics == len(topics) >= 2
    assert sum(t["size"] for t in topics) == result.articles
    base = config.base_path
    for topic in topics:
        listed = listed_articles(main(read(config, f"topics/{topic['slug']}/index.html")))
        assert len(listed) == topic["size"] >= 2, topic["slug"]
        assert listed == [f"{base}{m['id']}/" for m in topic["members"]]
        assert topic["name"] and topic["keywords"]
    for article_id in membership(config):
        assert 'class="post-topic"' in read(config, f"{article_id}/index.html")


def test_strict_fails_on_a_late_warning(make_site, fake_embedder) -> None:
    config = make_site({f"p{i}.md": f"# Post {i}\n\ncats and dogs {i}\n" for i in range(3)},
                       strict=True, topic_seeds=({"slug": "x", "name": "X",
                                                  "examples": ["missing"]},))
    with pytest.raises(BuildError) as failure:
        build_quiet(config, fake_embedder)
    assert [d.code for d in failure.value.diagnostics] == ["topic-name-unknown"]
    assert not config.output_dir.exists()


def test_unknown_renames_and_seeds_are_warned_at_their_line(
        tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    write_files(tmp_path / "content", corpus())
    (tmp_path / "vibesite.toml").write_text(
        'title = "T"\n'
        'base_url = "https://example.org/"\n'  # absolute: no [base-url-relative] warning
        "[topic_names]\n"
        'git = "Version control"\n'
        '"pyhton" = "Snakes"\n'
        'database-and-query = "Old name"\n'
        "\n"
        "[[topic_seeds]]\n"
        'slug = "ghost"\n'
        'examples = ["git-99"]\n'
        "[[topic_seeds]]\n"
        'slug = "half"\n'
        'examples = ["vim-00", "vim-0"]\n', encoding="utf-8")
    config = load_config(tmp_path / "vibesite.toml")
    result = build_quiet(config, fake_embedder)
    assert [str(d) for d in result.diagnostics] == [
        "vibesite.toml:5: warning: [topic_names] 'pyhton' matches no topic; did you mean "
        "'python'? [topic-name-unknown]",
        "vibesite.toml:6: warning: [topic_names] 'database-and-query' matches no topic; topics "
        "are 'git', 'half', 'postgres', 'python', 'vim' [topic-name-unknown]",
        "vibesite.toml:9: warning: topic seed 'ghost' matches no topic: no article git-99; "
        "did you mean 'git-07'? [topic-name-unknown]",
        "vibesite.toml:12: warning: topic seed 'half': no article vim-0; use article ids such "
        "as 'vim-07' [topic-seed]",
    ]
    assert [t["name"] for t in automatic(config) if t["slug"] == "git"] == ["Version control"]
