"""The site map: the articles at their map positions (topics.projection), as a static SVG.

The SVG needs no JavaScript: every article is a dot inside a link with its title as a
tooltip, coloured by topic from a palette with light and dark variants
(prefers-color-scheme), and the topic names sit at their centres with a halo. Inline it in
the page (or use <object>) for the links to work; as an <img> it is only a picture.
"""

from __future__ import annotations

import html
import zlib
from collections.abc import Mapping, Sequence

import numpy as np

from vibesite.site.feeds import NOT_XML
from vibesite.topics.build import Topic, Topics

WIDTH, HEIGHT, PAD = 960, 720, 24
LABEL_SIZE = 12  # px
LIGHT = ("#1f6fb2", "#c43c39", "#2b8a3e", "#8a4fbf", "#c76a00", "#8b5a2b",
         "#c2418f", "#0f8a8f", "#7a7d00", "#4a5fc1", "#a33b6b", "#3d7d5a")
DARK = ("#6cb4f0", "#f28482", "#6fd08c", "#c39bf0", "#f5a94e", "#d4a373",
        "#f28cc8", "#5fd3d6", "#d4d65a", "#97a8f5", "#e38fb3", "#8fd1ad")


def _esc(text: str) -> str:
    """Escaped for XML text and attributes; ASCII only, so any page encoding works."""
    escaped = html.escape(NOT_XML.sub("", text), quote=True)
    return escaped.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _colour(slug: str) -> int:
    return zlib.crc32(slug.encode("utf-8")) % len(LIGHT)


def _style() -> str:
    light = "".join(f".t{i}{{fill:{c}}}" for i, c in enumerate(LIGHT))
    dark = "".join(f".t{i}{{fill:{c}}}" for i, c in enumerate(DARK))
    return (
        f".d{{fill-opacity:.85}}.tn{{fill:#8a8a8a}}{light}"
        "a:hover .d,a:focus .d{stroke:#000;stroke-width:1.5px;fill-opacity:1}"
        f".l{{font:600 {LABEL_SIZE}px system-ui,-apple-system,'Segoe UI',sans-serif;fill:#1a1a1a;"
        "stroke:#fff;stroke-width:3px;stroke-linejoin:round;paint-order:stroke;"
        "text-anchor:middle;dominant-baseline:middle;pointer-events:none}"
        f"@media (prefers-color-scheme:dark){{{dark}.tn{{fill:#9a9a9a}}"
        "a:hover .d,a:focus .d{stroke:#fff}.l{fill:#f0f0f0;stroke:#141414}}"
    )


def render_map_svg(topics: Topics, titles: Mapping[str, str], urls: Mapping[str, str]) -> str:
    """Deterministic static SVG map of every article in ``topics.coords``."""
    ids = list(topics.coords)
    pts = np.array([topics.coords[a] for a in ids], dtype=np.float64).reshape(-1, 2)
    lo = pts.min(axis=0) if len(ids) else np.zeros(2)
    spread = pts.max(axis=0) - lo if len(ids) else np.zeros(2)
    span = np.maximum(spread, 1e-9)
    scale = min((WIDTH - 2 * PAD) / span[0], (HEIGHT - 2 * PAD) / span[1])
    offset = (np.array([WIDTH, HEIGHT]) - np.where(spread > 0, span * scale, 0.0)) / 2  # centred
    screen = {a: (offset[0] + (p[0] - lo[0]) * scale, HEIGHT - offset[1] - (p[1] - lo[1]) * scale)
              for a, p in zip(ids, pts, strict=True)}
    radius = float(np.clip(3.5 * np.sqrt(1000 / max(len(ids), 1)), 1.2, 4.0))
    auto = [t for t in topics.topics if not t.seeded]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" style="max-width:100%;height:auto" role="img" '
        'aria-labelledby="vs-map-title vs-map-desc">',
        f'<title id="vs-map-title">Map of {len(ids)} articles in {len(auto)} topics</title>',
        '<desc id="vs-map-desc">Each dot is an article, placed so that similar articles are '
        "close together (a 2D projection of their embeddings) and coloured by topic. "
        "Every dot links to its article.</desc>",
        f"<style>{_style()}</style>",
        '<g class="dots">',
    ]
    for a in sorted(ids, key=lambda i: (screen[i][1], screen[i][0], i)):
        slug = topics.topic_of.get(a)
        cls = f"t{_colour(slug)}" if slug is not None else "tn"
        x, y = screen[a]
        dot = (f'<circle class="d {cls}" cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}">'
               f"<title>{_esc(titles.get(a, a))}</title></circle>")
        url = urls.get(a)
        out.append(f'<a href="{_esc(url)}">{dot}</a>' if url is not None else dot)
    out.append("</g>")
    out.extend(_labels(auto, screen))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _labels(auto: Sequence[Topic], screen: Mapping[str, tuple[float, float]]) -> list[str]:
    """Topic names at their members' mean position, largest topics first, skipping overlaps."""
    placed: list[tuple[float, float, float, float]] = []
    out = ['<g class="labels" aria-hidden="true">']
    for topic in sorted(auto, key=lambda t: (-len(t.member_ids), t.slug)):
        members = [screen[a] for a in topic.member_ids if a in screen]
        if not members:
            continue
        cx, cy = np.mean(members, axis=0)
        half_w = 0.31 * LABEL_SIZE * len(topic.name) + 2
        half_h = 0.6 * LABEL_SIZE + 1
        cx = float(np.clip(cx, half_w, WIDTH - half_w))
        cy = float(np.clip(cy, half_h, HEIGHT - half_h))
        box = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
            continue
        placed.append(box)
        out.append(f'<text class="l" x="{cx:.1f}" y="{cy:.1f}">{_esc(topic.name)}</text>')
    out.append("</g>")
    return out
