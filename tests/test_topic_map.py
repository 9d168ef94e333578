"""Two topic levels and the map on a built site: broad topics holding fine ones, every topic
labelled once with no overlapping labels per level, a map usable without JavaScript.

A synthetic site of eight vocabularies (fake embedder), so eight fine topics in a few broad
ones; the TIL corpus figures are in bench/topics.py.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from _sitebuild import FakeEmbedder, build_quiet
from browser import WAIT_MS, Recorder, serve

from vibesite.config import Config
from vibesite.site.map_svg import LABEL_SIZE, label_overlaps, label_text, placed_sizes

VOCAB = {
    "git": "git rebase commit branch merge stash reflog cherry upstream remote checkout",
    "python": "python pandas dataframe numpy series pip venv import module typing pytest",
    "vim": "vim buffer motion register macro split normal insert visual yank keymap",
    "postgres": "postgres query vacuum schema psql join table explain transaction sql",
    "bread": "bread dough flour yeast oven crust loaf knead proof sourdough starter",
    "garden": "garden tomato soil compost seed water mulch prune bloom weed harvest",
    "bikes": "bike chain wheel tyre brake gear saddle pedal frame spoke derailleur",
    "stars": "star telescope planet orbit galaxy nebula comet eclipse lens moon sky",
}
PER = 6


def corpus(domains: dict[str, str] = VOCAB, per: int = PER) -> dict[str, str | bytes]:
    rng = random.Random(1)
    files: dict[str, str | bytes] = {}
    for d, words in domains.items():
        w = words.split()
        for i in range(per):
            title = " ".join(x.title() for x in rng.sample(w, 3))
            body = " ".join(rng.choice(w) for _ in range(40))
            files[f"{d}/{d}-{i:02d}.md"] = f"# {title} {i}\n\n{body}\n"
    return files


def read(config: Config, relpath: str) -> str:
    return (config.output_dir / relpath).read_text(encoding="utf-8")


def data(config: Config) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(read(config, "topics.json"))
    return loaded


def svg_of(config: Config) -> str:
    match = re.search(r'<svg\b[^>]*viewBox="0 0 1200 800".*?</svg>', read(config, "map/index.html"),
                      re.S)
    assert match, "no inline map <svg>"
    return match.group(0)


def labels(svg: str, level: int) -> list[str]:
    return [label_text(t) for t in re.findall(
        rf'<text class="l l{level}" data-level="{level}"[^>]*>(.*?)</text>', svg)]


@pytest.fixture
def two_levels(make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> Config:
    config = make_site(corpus())
    result = build_quiet(config, fake_embedder)
    assert result.articles == len(VOCAB) * PER and result.diagnostics == ()
    return config


def test_fine_topics_sit_in_a_few_broad_ones(two_levels: Config) -> None:
    d = data(two_levels)
    fine = [t for t in d["topics"] if not t["seeded"]]
    assert len(fine) == len(VOCAB)
    assert 2 <= len(d["broad"]) < len(fine)
    assert sorted(s for b in d["broad"] for s in b["topics"]) == sorted(t["slug"] for t in fine)
    parents = {b["slug"] for b in d["broad"]}
    assert all(t["parent"] in parents for t in fine)
    # each fine topic is one folder, and a folder holding all its articles names it
    assert sorted(t["name"] for t in fine) == sorted(d.title() for d in VOCAB)


def test_topics_page_shows_both_levels(two_levels: Config) -> None:
    d = data(two_levels)
    page = read(two_levels, "topics/index.html")
    for broad in d["broad"]:
        section = re.search(rf'<section class="topic-group" id="{broad["slug"]}".*?</section>',
                            page, re.S)
        assert section, broad["slug"]
        assert f'>{html.escape(broad["name"])}' in section.group(0)
        cards = re.findall(r'<h3 class="topic-card__title"><a href="/topics/([^/]+)/">',
                           section.group(0))
        assert cards == broad["topics"]


def test_each_article_shows_its_fine_topic_with_its_broad_parent(two_levels: Config) -> None:
    d = data(two_levels)
    broad = {b["slug"]: b["name"] for b in d["broad"]}
    for topic in (t for t in d["topics"] if not t["seeded"]):
        for member in topic["members"]:
            page = read(two_levels, f"{member['id']}/index.html")
            line = re.search(r'<p class="post-topic">.*?</p>', page, re.S)
            assert line, member["id"]
            links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', line.group(0))
            assert links == [(f"/topics/#{topic['parent']}", html.escape(broad[topic["parent"]])),
                             (f"/topics/{topic['slug']}/", html.escape(topic["name"]))]


def test_map_labels_every_topic_once_and_no_two_of_a_level_overlap(two_levels: Config) -> None:
    d = data(two_levels)
    svg = svg_of(two_levels)
    assert sorted(labels(svg, 1)) == sorted(b["name"] for b in d["broad"])
    assert sorted(labels(svg, 2)) == sorted(t["name"] for t in d["topics"] if not t["seeded"])
    assert label_overlaps(svg) == {1: 0, 2: 0}
    # broad labels come first (drawn under the fine ones), fine ones are marked level 2
    assert svg.index('<text class="l l1"') < svg.index('<text class="l l2"')


def test_map_is_usable_without_javascript_and_dots_are_not_tab_stops(two_levels: Config) -> None:
    page = read(two_levels, "map/index.html")
    svg = svg_of(two_levels)
    main = re.search(r"<main\b.*?</main>", page, re.S).group(0)  # type: ignore[union-attr]
    assert "<script" not in main and 'role="img"' not in svg
    assert 'aria-hidden="true"' in svg.split(">", 1)[0]  # the list beside it speaks for it
    dots = re.findall(r'<a href="([^"]+)" tabindex="-1"><circle', svg)
    assert len(dots) == len(VOCAB) * PER
    assert not re.search(r'<a (?![^>]*tabindex="-1")', svg)  # no link in the map is a tab stop
    nav = re.search(r'<nav class="map-topics" aria-label="Topics on the map">.*?</nav>', main, re.S)
    assert nav
    listed = re.findall(r'<a href="/topics/([^/"]+)/">', nav.group(0))
    assert sorted(listed) == sorted(t["slug"] for t in data(two_levels)["topics"])


def test_dots_are_coloured_by_broad_topic(two_levels: Config) -> None:
    d = data(two_levels)
    svg = svg_of(two_levels)
    colour = dict(re.findall(r'<a href="/([^"]+)/" tabindex="-1"><circle class="d (c\d+)"', svg))
    for broad in d["broad"]:
        members = [m["id"] for t in d["topics"] if t["slug"] in broad["topics"]
                   for m in t["members"]]
        assert len({colour[a] for a in members}) == 1, broad["slug"]
    assert len({colour[a] for a in colour}) == len(d["broad"])


def test_adding_an_article_keeps_broad_slugs_and_every_dot(
        make_site: Callable[..., Config], fake_embedder: FakeEmbedder) -> None:
    files = corpus()
    extra = files.pop("stars/stars-05.md")
    config = make_site(files)
    build_quiet(config, fake_embedder)
    before = data(config)
    config = make_site({"stars/stars-05.md": extra})
    build_quiet(config, fake_embedder)
    after = data(config)
    assert [b["slug"] for b in after["broad"]] == [b["slug"] for b in before["broad"]]
    assert {a: xy for a, xy in after["map"].items() if a in before["map"]} == before["map"]


@pytest.mark.browser
def test_map_zooms_with_buttons_and_keys_and_shows_fine_labels_closer(
        two_levels: Config, context: Any) -> None:
    with serve(two_levels.output_dir) as url:
        page = context.new_page()
        recorder = Recorder(page)
        page.goto(url + "map/")
        svg = page.locator(".site-map svg.vs-map")
        fine = page.locator('.site-map text[data-level="2"]')
        broad = page.locator('.site-map text[data-level="1"]')
        assert svg.get_attribute("viewBox") == "0.0 0.0 1200.0 800.0"
        assert broad.first.is_visible() and not fine.first.is_visible()  # broad labels first
        page.get_by_role("button", name="Zoom in").click()
        width = float(svg.get_attribute("viewBox").split()[2])  # type: ignore[union-attr]
        assert width == pytest.approx(720.0, abs=0.1) and fine.first.is_visible()
        page.locator(".site-map").focus()
        x = float(svg.get_attribute("viewBox").split()[0])  # type: ignore[union-attr]
        page.keyboard.press("ArrowRight")
        assert float(svg.get_attribute("viewBox").split()[0]) > x  # type: ignore[union-attr]
        page.keyboard.press("0")
        assert svg.get_attribute("viewBox") == "0.0 0.0 1200.0 800.0"
        assert not fine.first.is_visible()
        assert recorder.errors == []


def test_dots_carry_their_fine_topic_for_the_card(two_levels: Config) -> None:
    d = data(two_levels)
    svg = svg_of(two_levels)
    topic_of = {m["id"]: t["slug"] for t in d["topics"] if not t["seeded"] for m in t["members"]}
    fine = {index: slug for slug, index in re.findall(
        r'<a href="/topics/([^/]+)/" tabindex="-1" data-t="(\d+)"', svg)}
    broad = {index: slug for slug, index in re.findall(
        r'<a href="/topics/#([^"]+)" tabindex="-1" data-b="(\d+)">', svg)}
    dots = re.findall(r'<a href="/([^"]+)/" tabindex="-1"><circle class="d c\d+" data-t="(\d+)"',
                      svg)
    assert len(dots) == len(topic_of)
    assert all(fine[index] == topic_of[a] for a, index in dots)
    parents = dict(re.findall(r'data-t="(\d+)" data-b="(\d+)"', svg))
    slugs = {t["slug"]: t for t in d["topics"]}
    assert all(broad[b] == slugs[fine[t]]["parent"] for t, b in parents.items())


def test_labels_are_placed_for_the_phone_size_without_overlaps(two_levels: Config) -> None:
    svg = svg_of(two_levels)
    assert 'data-label-px="18 13" data-min-px="12 11" data-place="45 14"' in svg
    assert label_overlaps(svg) == {1: 0, 2: 0}  # at the placed (largest drawn) sizes
    assert label_overlaps(svg, LABEL_SIZE) == {1: 0, 2: 0}  # as the static SVG draws them


PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
PHONE_MAP_PX = 343  # the map's width on a 375-px phone (the page's side margins taken off)
# broad names as long as winrt-api-docs' (folder pairs of dotted namespaces), each wider
# than a phone's map at 11 px on one line
LONG = ("Windows.devices.geolocation and Windows.ui.xaml.controls",
        "Windows.media.capture and Windows.media.playback",
        "Windows.devices.lights.effects and Windows.ui", "Windows.ai.machinelearning.preview")


@pytest.fixture
def long_broad(two_levels: Config, fake_embedder: FakeEmbedder) -> Config:
    """The two-level site again, its broad topics renamed (vibesite.toml [topic_names])."""
    renames = dict(zip((b["slug"] for b in data(two_levels)["broad"]), LONG, strict=False))
    config = replace(two_levels, topic_names=renames)
    result = build_quiet(config, fake_embedder)
    assert result.diagnostics == ()
    return config


def test_long_broad_labels_wrap_and_stay_readable_on_a_phone(long_broad: Config) -> None:
    """A broad label wider than WRAP_EMS is drawn on two lines, so the level is placed at a
    size a phone shows at 11 px or more before any zoom, and none overlap."""
    svg = svg_of(long_broad)
    names = [b["name"] for b in data(long_broad)["broad"]]
    assert set(names) <= set(LONG) and len(names) >= 2
    assert sorted(labels(svg, 1)) == sorted(names)
    wrapped = re.findall(r'<text class="l l1"[^>]*>(<tspan [^>]*>[^<]*</tspan>){2}</text>', svg)
    assert len(wrapped) == len(names)
    assert placed_sizes(svg)[1] * PHONE_MAP_PX / 1200 >= 11
    assert label_overlaps(svg) == {1: 0, 2: 0}


def _label_boxes(page: Any, level: int) -> list[dict[str, float]]:
    """Screen boxes and sizes (CSS px) of the visible labels of a level."""
    boxes: list[dict[str, float]] = page.evaluate("""(level) => {
        const svg = document.querySelector('.site-map svg.vs-map');
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return [...svg.querySelectorAll(`text[data-level="${level}"]`)]
          .filter((t) => t.getBoundingClientRect().width > 0)
          .map((t) => { const r = t.getBoundingClientRect();
            return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom,
                    px: parseFloat(getComputedStyle(t).fontSize) * scale}; });
    }""", level)
    return boxes


def _hit(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def _overlapping(boxes: list[dict[str, float]]) -> int:
    return sum(_hit(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


@contextmanager
def map_page(config: Config, browser: Any, **options: Any) -> Iterator[tuple[Any, str, Recorder]]:
    """The built map page, its script run, in a new browser context: (page, site URL,
    recorder)."""
    context = browser.new_context(**options)
    context.set_default_timeout(WAIT_MS)
    try:
        with serve(config.output_dir) as url:
            page = context.new_page()
            recorder = Recorder(page)
            page.goto(url + "map/")
            page.wait_for_selector(".site-map svg.vs-map--js")
            yield page, url, recorder
    finally:
        context.close()


@pytest.mark.browser
def test_phone_shows_readable_broad_labels_without_pinching_and_none_overlap(
        two_levels: Config, browser: Any) -> None:
    with map_page(two_levels, browser, **PHONE) as (page, _, recorder):
        broad = _label_boxes(page, 1)
        assert len(broad) == len(data(two_levels)["broad"])
        assert min(b["px"] for b in broad) >= 12 and _overlapping(broad) == 0
        assert _label_boxes(page, 2) == []  # fine labels wait for a closer zoom
        zoom_in = page.get_by_role("button", name="Zoom in")
        while not _label_boxes(page, 2):
            zoom_in.tap()
        fine = _label_boxes(page, 2)
        assert min(b["px"] for b in fine) >= 11 and _overlapping(fine) == 0
        assert _overlapping(_label_boxes(page, 1)) == 0
        assert recorder.errors == []


@pytest.mark.browser
def test_phone_shows_long_broad_labels_wrapped_at_11_px_without_overlaps(
        long_broad: Config, browser: Any) -> None:
    with map_page(long_broad, browser, **PHONE) as (page, _, recorder):
        assert page.evaluate("document.querySelector('.site-map svg').getBoundingClientRect()"
                             ".width") == PHONE_MAP_PX
        broad = _label_boxes(page, 1)
        assert len(broad) == len(data(long_broad)["broad"])
        assert min(b["px"] for b in broad) >= 11 and _overlapping(broad) == 0
        assert max(b["x1"] - b["x0"] for b in broad) < PHONE_MAP_PX
        dot = page.locator(".site-map circle.d").nth(10)  # its card names the area whole
        href = dot.locator("xpath=..").get_attribute("href")
        dot.tap()
        d = data(long_broad)
        topic = next(t for t in d["topics"] if any(f"/{m['id']}/" == href for m in t["members"]))
        parent = next(b for b in d["broad"] if b["slug"] == topic["parent"])
        area = page.locator(".site-map .map-card .map-card__topic a").first.inner_text()
        assert area == parent["name"] and area in LONG
        assert recorder.errors == []


@pytest.mark.browser
def test_tapping_a_dot_shows_a_card_whose_link_opens_the_article(
        two_levels: Config, browser: Any) -> None:
    d = data(two_levels)
    with map_page(two_levels, browser, **PHONE) as (page, url, recorder):
        dot = page.locator(".site-map circle.d").nth(10)
        href = dot.locator("xpath=..").get_attribute("href")
        title = dot.locator("title").text_content()
        dot.tap()
        card = page.locator(".site-map .map-card")
        assert card.is_visible() and page.url == url + "map/"  # the tap did not navigate
        assert card.locator(".map-card__title").inner_text() == title
        topic = next(t for t in d["topics"] if any(f"/{m['id']}/" == href for m in t["members"]))
        parent = next(b for b in d["broad"] if b["slug"] == topic["parent"])
        links = card.locator(".map-card__topic a")
        assert links.all_inner_texts() == [parent["name"], topic["name"]]
        assert links.nth(1).get_attribute("href") == f"/topics/{topic['slug']}/"
        page.keyboard.press("Escape")
        assert not card.is_visible()
        dot.tap()
        card.get_by_role("button", name="Close").tap()
        assert not card.is_visible()
        dot.tap()
        card.locator(".map-card__title").tap()
        page.wait_for_url(url + href.lstrip("/"))  # type: ignore[union-attr]
        assert page.locator("h1").first.inner_text() == title
        assert recorder.errors == []


@pytest.mark.browser
def test_hovering_a_dot_shows_its_card_and_a_click_opens_the_article(
        two_levels: Config, browser: Any) -> None:
    with map_page(two_levels, browser) as (page, url, recorder):
        dot = page.locator(".site-map circle.d").nth(3)
        title = dot.locator("title").text_content()
        dot.hover()
        card = page.locator(".site-map .map-card")
        assert card.is_visible()
        assert card.locator(".map-card__title").inner_text() == title
        card.locator(".map-card__title").hover()  # the card stays while the pointer is on it
        page.wait_for_timeout(800)
        assert card.is_visible()
        card.get_by_role("button", name="Close").click()
        assert not card.is_visible()
        href = dot.locator("xpath=..").get_attribute("href")
        dot.click()
        page.wait_for_url(url + href.lstrip("/"))  # type: ignore[union-attr]
        assert recorder.errors == []


DESKTOP = {"viewport": {"width": 1280, "height": 900}}
SHIFTS = """() => new Promise((done) => {  // the page's layout shifts so far (buffered)
  const shifts = [];
  new PerformanceObserver((list) => shifts.push(...list.getEntries().map((e) => e.value)))
    .observe({type: "layout-shift", buffered: true});
  setTimeout(() => done(shifts), 300);
})"""


def _boxes(page: Any, selector: str) -> list[dict[str, float]]:
    """Screen boxes (CSS px) of the elements a selector finds."""
    boxes: list[dict[str, float]] = page.evaluate("""(selector) =>
        [...document.querySelectorAll(selector)].map((e) => { const r = e.getBoundingClientRect();
          return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })""", selector)
    return boxes


@pytest.mark.browser
def test_no_label_of_the_first_view_lies_under_a_zoom_button(
        long_broad: Config, browser: Any) -> None:
    """On a phone the long first broad label sat under the + and - buttons, drawn over the
    map's top-left corner; they now sit in a strip above it, at every width."""
    for options in (PHONE, DESKTOP):
        with map_page(long_broad, browser, **options) as (page, _, recorder):
            controls = _boxes(page, ".site-map .map-zoom button")
            broad, fine = _label_boxes(page, 1), _label_boxes(page, 2)
            assert len(controls) == 3 and len(broad) == len(data(long_broad)["broad"])
            assert [b for b in broad + fine if any(_hit(b, c) for c in controls)] == []
            # nor any dot, at any zoom: the buttons are wholly above the drawing
            (svg,) = _boxes(page, ".site-map svg.vs-map")
            assert max(c["y1"] for c in controls) <= svg["y0"]
            assert page.evaluate(SHIFTS) == []  # their strip is kept from the first paint
            assert recorder.errors == []
