"""The site map: the articles at their map positions (topics.projection), as a static SVG.

In: ``Topics`` (positions, fine and broad topics), article titles and URLs, topic URLs.
Out: deterministic SVG text to inline in the map page; ``label_overlaps`` counts
overlapping labels per level in such text (a check for tests and the bench).

- Every article is a dot linking to it, with its title as a tooltip; the links are not tab
  stops (``tabindex="-1"``) and the SVG is hidden from screen readers: the page lists the
  topics beside the map for keyboard and screen-reader users. No JavaScript is needed.
- Dots are coloured by broad topic (one level: by topic), light and dark palettes
  (prefers-color-scheme).
- Every topic is labelled: broad topics in large type, fine ones (``data-level="2"``) in
  small type, placed greedily (largest first) at the centre of their articles or, when that
  spot is taken, at the nearest free spot on rings around it, with a leader line back; no
  two labels of one level overlap, and fine labels keep off broad ones.
- Labels are placed for the largest size a script may draw them at (``PLACE_SIZE``): the
  static SVG draws them smaller (``LABEL_SIZE``), static/map.js sizes them in screen pixels
  (``LABEL_PX``, read from the SVG's data attributes) but never above ``PLACE_SIZE``. A box
  shrunk about its centre overlaps nothing new, and zooming in only moves centres apart, so
  no two labels of a level overlap at any size or zoom the script draws. Broad labels are
  placed for ``MIN_PX[1]`` pixels on a map ``PHONE_PX`` wide (a 375-px phone shows 343):
  readable on a phone without pinching. Fine labels show once zoomed in enough to draw them
  at ``MIN_PX[2]`` pixels or more. A broad label too long for a phone's map is drawn on two
  lines (``label_lines``: one ``<tspan>`` each). When the labels of a level do not all fit
  at that size (long names on a crowded map: winrt-api-docs' 85 fine topics), the level is
  placed again at ``SHRINK`` times the size until they do; the SVG's ``data-place`` holds the
  sizes used.
- Dots carry their fine topic (``data-t``, the index of that topic's label link, which
  carries ``data-b``, its broad topic's index) for the script's card: title, article link,
  topic.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from itertools import combinations

import numpy as np

from vibesite.site.feeds import NOT_XML
from vibesite.topics.build import Topic, Topics

WIDTH, HEIGHT, PAD = 1200, 800, 28
LABEL_SIZE = {1: 22, 2: 14}  # static font size per level, in SVG units (1200 across)
PHONE_PX = 320  # the narrowest map (CSS px) broad labels are placed to be readable on
MIN_PX = {1: 12, 2: 11}  # smallest screen size (CSS px) a label is drawn at by the script
LABEL_PX = {1: 18, 2: 13}  # screen size (CSS px) the script draws labels at when they fit
# broad labels: MIN_PX on a PHONE_PX map; fine labels: as drawn statically
PLACE_SIZE = {1: MIN_PX[1] * WIDTH / PHONE_PX, 2: LABEL_SIZE[2]}
# the broad size fine labels keep off: the script's broad size wherever fine labels show
NEAR_BROAD = LABEL_PX[1] * PLACE_SIZE[2] / MIN_PX[2]
# glyph advances in ems of bold DejaVu Sans, the widest system-ui fallback measured (Chromium
# on Debian), rounded up per group; other ASCII 0.72, beyond ASCII 1. On the TIL map they
# over-estimate every label's drawn width by 5-9% (broad, bold) and 2-22% (fine, 500);
# a flat 0.6 em per character under-estimated bold labels by up to 10%, so they overlapped.
ADVANCE = {c: w for chars, w in (("ijlIJ.,'|!/ ", 0.38), ("frt()-:;", 0.5), ("mwMW", 1.1),
                                  ("&+#@%", 0.9), ("ABCDEFGHKLNOPQRSTUVXYZ", 0.86),
                                  ("0123456789", 0.7)) for c in chars}
WEIGHT = {1: 1.0, 2: 0.95}  # broad labels are bold, fine ones 500
LEADER_FROM = 10  # a label this far (units) from its topic's centre gets a leader line
RING_STEP = 6  # units between the rings of candidate spots
RINGS = 400  # rings searched: 2,400 units, the whole map from any anchor
# a level whose labels do not all fit is placed again this much smaller: one step from
# PLACE_SIZE[1] is 40.5 units, 11.6 px on a 375-px phone's 343-px map (0.85 gave 10.9 px)
SHRINK = 0.9
# a broad label wider than WRAP_EMS ems is drawn on WRAP_LINES lines, broken after a space
# or a dot where the wider line is narrowest: winrt-api-docs' "Windows.devices.geolocation
# and Windows.ui.xaml.controls" is ~37 ems, wider than a phone's map at 11 px. There its 11
# broad labels (7 wrapped) fit at 40.5 units (11.6 px on the phone; 9.3 px unwrapped), with
# WRAP_EMS 14 or 16 alike (12 or 10: 10.4 px, as 3 lines: 10.4 px); jbranchaud/til wraps
# one label of 11 and keeps 45 units (12.9 px).
WRAP_EMS, WRAP_LINES = 16.0, 2
LINE_EM = 1.2  # line height of a wrapped label
MIN_PLACE = 3.0  # units: below this a label that does not fit sits at its anchor
LIGHT = ("#1f6fb2", "#c43c39", "#2b8a3e", "#8a4fbf", "#c76a00", "#8b5a2b", "#c2418f",
         "#0f8a8f", "#7a7d00", "#4a5fc1", "#a33b6b", "#3d7d5a", "#b25d1f", "#5a6b7d", "#6d4fa3")
DARK = ("#6cb4f0", "#f28482", "#6fd08c", "#c39bf0", "#f5a94e", "#d4a373", "#f28cc8",
        "#5fd3d6", "#d4d65a", "#97a8f5", "#e38fb3", "#8fd1ad", "#f0a06c", "#a9b8c8", "#b9a3ef")
_PLACED = re.compile(r'data-place="([\d.]+) ([\d.]+)"')
_LABEL = re.compile(r'<text class="l l(\d)" data-level="\d" x="([^"]+)" y="([^"]+)">(.*?)</text>')
_LINE = re.compile(r"<tspan [^>]*>([^<]*)</tspan>")
_BREAK = re.compile(r"(?<=[ .])(?=[^ .])")  # a line may end after a space or a dot


def _esc(text: str) -> str:
    """Escaped for XML text and attributes; ASCII only, so any page encoding works."""
    escaped = html.escape(NOT_XML.sub("", text), quote=True)
    return escaped.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _ems(text: str, level: int) -> float:
    return WEIGHT[level] * sum(ADVANCE.get(c, 0.72 if c.isascii() else 1.0) for c in text)


def label_lines(text: str, level: int) -> list[str]:
    """The lines a label is drawn on: one, or for a broad label wider than WRAP_EMS two or
    more (up to WRAP_LINES), broken after a space or a dot where the widest line is
    narrowest."""
    pieces = [p for p in _BREAK.split(text) if p]
    if level != 1 or _ems(text, level) <= WRAP_EMS or len(pieces) < 2:
        return [text]
    best: list[str] = [text]
    for count in range(2, min(WRAP_LINES, len(pieces)) + 1):
        splits = [["".join(pieces[a:b]).strip() for a, b in zip((0, *cut), (*cut, len(pieces)),
                                                                 strict=True)]
                  for cut in combinations(range(1, len(pieces)), count - 1)]
        best = min(splits, key=lambda lines: (max(_ems(t, level) for t in lines), lines))
        if max(_ems(t, level) for t in best) <= WRAP_EMS:
            break
    return best


def label_box(text: str, level: int, x: float, y: float,
              size: float | None = None) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) a label centred at (x, y) covers at ``size`` (default: as
    placed, ``PLACE_SIZE``), halo included, on the lines of ``label_lines``."""
    size = PLACE_SIZE[level] if size is None else size
    lines = label_lines(text, level)
    half_w = max(_ems(t, level) for t in lines) * size / 2 + 3
    half_h = (0.65 + LINE_EM / 2 * (len(lines) - 1)) * size + 2
    return (x - half_w, y - half_h, x + half_w, y + half_h)


def label_text(inner: str) -> str:
    """A label's text from the inside of its SVG ``<text>`` (lines joined by spaces)."""
    lines = [html.unescape(t) for t in _LINE.findall(inner)] or [html.unescape(inner)]
    return "".join(t if i == 0 or lines[i - 1].endswith(".") else " " + t
                   for i, t in enumerate(lines))


def placed_sizes(svg: str) -> dict[int, float]:
    """The sizes a map SVG's labels were placed for (its ``data-place``), per level."""
    found = _PLACED.search(svg)
    return {1: float(found[1]), 2: float(found[2])} if found else dict(PLACE_SIZE)


def label_overlaps(svg: str, sizes: Mapping[int, float] | None = None) -> dict[int, int]:
    """Pairs of overlapping labels per level in a map SVG, at ``sizes`` per level (default:
    the largest a script draws, as placed; ``static_sizes`` for the static SVG)."""
    sizes = placed_sizes(svg) if sizes is None else sizes
    boxes: dict[int, list[tuple[float, float, float, float]]] = {1: [], 2: []}
    for level, x, y, text in _LABEL.findall(svg):
        boxes[int(level)].append(label_box(label_text(text), int(level), float(x), float(y),
                                           sizes[int(level)]))
    out = {}
    for level, bs in boxes.items():
        b = np.array(bs).reshape(-1, 4)
        hit = ((b[:, None, 0] < b[None, :, 2]) & (b[None, :, 0] < b[:, None, 2])
               & (b[:, None, 1] < b[None, :, 3]) & (b[None, :, 1] < b[:, None, 3]))
        out[level] = int(np.triu(hit, 1).sum())
    return out


def static_sizes(placed: Mapping[int, float]) -> dict[int, float]:
    """Label sizes of the static SVG: ``LABEL_SIZE``, or the placed size when smaller."""
    return {level: min(LABEL_SIZE[level], placed[level]) for level in (1, 2)}


def _style(sizes: Mapping[int, float]) -> str:
    """The map's CSS, every rule under .vs-map (an inline SVG's style applies to the page)."""
    m = ".vs-map "
    light = "".join(f"{m}.c{i}{{fill:{c}}}" for i, c in enumerate(LIGHT))
    dark = "".join(f"{m}.c{i}{{fill:{c}}}" for i, c in enumerate(DARK))
    font = "system-ui,-apple-system,'Segoe UI',sans-serif"
    return (
        f"{m}.d{{fill-opacity:.8}}{m}.cn{{fill:#8a8a8a}}{light}"
        f"{m}a:hover .d{{stroke:#000;stroke-width:1.5px;fill-opacity:1}}"
        f"{m}.l{{font-family:{font};fill:#1a1a1a;stroke:#fff;stroke-width:4px;"
        "stroke-linejoin:round;paint-order:stroke;text-anchor:middle;"
        "dominant-baseline:central}"
        f"{m}.l1{{font-size:{sizes[1]:g}px;font-weight:700}}"
        f"{m}.l2{{font-size:{sizes[2]:g}px;font-weight:500;fill:#333}}"
        f"{m}a:hover .l{{text-decoration:underline}}"
        f"{m}.k{{stroke:#666;stroke-width:1px;fill:none}}"
        f"@media (prefers-color-scheme:dark){{{dark}{m}.cn{{fill:#9a9a9a}}"
        f"{m}a:hover .d{{stroke:#fff}}{m}.l{{fill:#f0f0f0;stroke:#141414}}{m}.l2{{fill:#d8d8d8}}"
        f"{m}.k{{stroke:#aaa}}}}"
    )


def _screen(topics: Topics) -> dict[str, tuple[float, float]]:
    """Map positions in SVG units, the whole map centred and scaled to fit."""
    ids = list(topics.coords)
    pts = np.array([topics.coords[a] for a in ids], dtype=np.float64).reshape(-1, 2)
    lo = pts.min(axis=0) if len(ids) else np.zeros(2)
    spread = pts.max(axis=0) - lo if len(ids) else np.zeros(2)
    span = np.maximum(spread, 1e-9)
    scale = min((WIDTH - 2 * PAD) / span[0], (HEIGHT - 2 * PAD) / span[1])
    offset = (np.array([WIDTH, HEIGHT]) - np.where(spread > 0, span * scale, 0.0)) / 2
    return {a: (float(offset[0] + (p[0] - lo[0]) * scale),
                float(HEIGHT - offset[1] - (p[1] - lo[1]) * scale))
            for a, p in zip(ids, pts, strict=True)}


def colour_of(topics: Topics) -> dict[str, int]:
    """Palette index per topic slug (fine and broad): by broad topic when there are two
    levels, else by topic; largest first."""
    auto = [t for t in topics.topics if not t.seeded]
    if topics.broad:
        broad = {b.slug: i % len(LIGHT) for i, b in enumerate(topics.broad)}
        return {**broad, **{t.slug: broad.get(t.parent, 0) for t in auto}}
    return {t.slug: i % len(LIGHT) for i, t in enumerate(auto)}


def render_map_svg(topics: Topics, titles: Mapping[str, str], urls: Mapping[str, str],
                   topic_urls: Mapping[str, str] | None = None) -> str:
    """Deterministic static SVG map of every article in ``topics.coords``."""
    screen = _screen(topics)
    colours = colour_of(topics)
    radius = float(np.clip(4.2 * np.sqrt(1000 / max(len(screen), 1)), 1.3, 5.0))
    placed, labels = _labels(topics, screen, topic_urls or {})
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="vs-map" aria-hidden="true" focusable="false" '
        f'data-label-px="{LABEL_PX[1]} {LABEL_PX[2]}" data-min-px="{MIN_PX[1]} {MIN_PX[2]}" '
        f'data-place="{placed[1]:g} {placed[2]:g}">',
        f"<style>{_style(static_sizes(placed))}</style>",
        '<g class="dots">',
    ]
    fine = {t.slug: i for i, t in enumerate(_fine(topics))}
    for a in sorted(screen, key=lambda i: (screen[i][1], screen[i][0], i)):
        slug = topics.topic_of.get(a)
        cls = f"c{colours[slug]}" if slug in colours else "cn"
        topic = f' data-t="{fine[slug]}"' if slug in fine else ""
        x, y = screen[a]
        dot = (f'<circle class="d {cls}"{topic} cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}">'
               f"<title>{_esc(titles.get(a, a))}</title></circle>")
        url = urls.get(a)
        out.append(f'<a href="{_esc(url)}" tabindex="-1">{dot}</a>' if url is not None else dot)
    out.append("</g>")
    out.extend(labels)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _anchor(topic: Topic, screen: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """Where a topic's label belongs: the member nearest the mean of its most central half
    (a spot among its dots even when the topic is spread or crescent-shaped)."""
    members = np.array([screen[a] for a in topic.member_ids if a in screen])
    core = members[: max(1, (len(members) + 1) // 2)]
    mean = core.mean(axis=0)
    best = core[int(np.argmin(((core - mean) ** 2).sum(axis=1)))]
    return float(best[0]), float(best[1])


def _spot(text: str, level: int, size: float, anchor: tuple[float, float],
          taken: list[tuple[float, float, float, float]]) -> tuple[float, float] | None:
    """The free spot nearest the anchor (rings of candidates around it, each ring checked at
    once), inside the map; None when there is none."""
    boxes = np.array(taken).reshape(-1, 4)
    ax, ay = anchor
    x0, y0, x1, y1 = label_box(text, level, 0.0, 0.0, size)
    if x1 - x0 > WIDTH - 2 or y1 - y0 > HEIGHT - 2:
        return None
    for ring in range(RINGS):
        steps = 1 if ring == 0 else 8 + 4 * ring
        angle = 2 * np.pi * np.arange(steps) / steps
        xs = np.clip(ax + ring * RING_STEP * np.cos(angle), -x0 + 1, WIDTH - x1 - 1)
        ys = np.clip(ay + ring * RING_STEP * np.sin(angle), -y0 + 1, HEIGHT - y1 - 1)
        hit = ((boxes[None, :, 0] < xs[:, None] + x1 + 1)  # a unit apart: rounding can't touch
               & (xs[:, None] + x0 - 1 < boxes[None, :, 2])
               & (boxes[None, :, 1] < ys[:, None] + y1 + 1)
               & (ys[:, None] + y0 - 1 < boxes[None, :, 3])).any(axis=1)
        free = np.flatnonzero(~hit)
        if len(free):
            return round(float(xs[free[0]]), 1), round(float(ys[free[0]]), 1)
    return None


def _place(level: int, todo: list[tuple[Topic, tuple[float, float]]],
           avoid: list[tuple[float, float, float, float]]
           ) -> tuple[float, list[tuple[float, float]]]:
    """(size, spot per label): the labels of one level at the largest size, from
    ``PLACE_SIZE`` down by ``SHRINK``, at which every one finds a free spot."""
    size = PLACE_SIZE[level]
    while True:
        taken = list(avoid)
        spots: list[tuple[float, float]] = []
        for topic, anchor in todo:
            spot = _spot(topic.name, level, size, anchor, taken)
            if spot is None:
                if size * SHRINK >= MIN_PLACE:
                    break
                spot = anchor  # nowhere free even at MIN_PLACE: a full map
            spots.append(spot)
            taken.append(label_box(topic.name, level, *spot, size))
        else:
            return round(size, 2), spots
        size *= SHRINK


def _text_lines(name: str, level: int, x: float) -> str:
    """A label's text, one ``<tspan>`` per line when it is wrapped, centred on its y."""
    lines = label_lines(name, level)
    if len(lines) == 1:
        return _esc(name)
    first = -LINE_EM / 2 * (len(lines) - 1)
    return "".join(f'<tspan x="{x:.1f}" dy="{first if i == 0 else LINE_EM:g}em">{_esc(t)}</tspan>'
                   for i, t in enumerate(lines))


def _fine(topics: Topics) -> list[Topic]:
    """The automatic (labelled) topics, largest first: the order of their labels."""
    return sorted((t for t in topics.topics if not t.seeded),
                  key=lambda t: (-len(t.member_ids), t.slug))


def _labels(topics: Topics, screen: Mapping[str, tuple[float, float]],
            topic_urls: Mapping[str, str]) -> tuple[dict[int, float], list[str]]:
    """(placed size per level, SVG lines): broad labels first, then fine ones, each topic
    largest first."""
    broad = {t.slug: i for i, t in enumerate(topics.broad)}
    order = {1: list(enumerate(topics.broad)), 2: list(enumerate(_fine(topics)))}
    placed: dict[int, float] = {}
    near: list[tuple[float, float, float, float]] = []  # broad labels as drawn near fine ones
    leaders, labels = [], []
    for level in (1, 2):
        todo = [(i, t, _anchor(t, screen)) for i, t in order[level]
                if any(a in screen for a in t.member_ids)]
        # fine labels keep off broad ones too, so both levels stay readable at once
        placed[level], spots = _place(level, [(t, anchor) for _, t, anchor in todo],
                                      near if level == 2 else [])
        drawn = static_sizes({**PLACE_SIZE, **placed})[level]
        for (index, topic, anchor), (x, y) in zip(todo, spots, strict=True):
            if level == 1:
                near.append(label_box(topic.name, level, x, y, NEAR_BROAD))
            box = label_box(topic.name, level, x, y, drawn)  # the leader meets it
            if np.hypot(x - anchor[0], y - anchor[1]) > LEADER_FROM:
                ex = min(max(anchor[0], box[0]), box[2])
                ey = min(max(anchor[1], box[1]), box[3])
                leaders.append(f'<line class="k" data-level="{level}" x1="{anchor[0]:.1f}" '
                               f'y1="{anchor[1]:.1f}" x2="{ex:.1f}" y2="{ey:.1f}"/>')
            text = (f'<text class="l l{level}" data-level="{level}" x="{x:.1f}" y="{y:.1f}">'
                    f"{_text_lines(topic.name, level, x)}</text>")
            url = topic_urls.get(topic.slug)
            ref = (f' data-b="{index}"' if level == 1 else
                   f' data-t="{index}"' + (f' data-b="{broad[topic.parent]}"'
                                           if topic.parent in broad else ""))
            labels.append(f'<a href="{_esc(url)}" tabindex="-1"{ref}>{text}</a>' if url else text)
    lines = ['<g class="leaders">', *leaders, "</g>", '<g class="labels">', *labels, "</g>"]
    return placed, lines
