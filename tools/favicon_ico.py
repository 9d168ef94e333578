"""Draw the theme's favicon (favicon.svg's blue rounded square and white V) as a 32x32 ICO.

Writes templates/static/favicon.ico, which the build also copies to the site's root, where
browsers and crawlers ask for /favicon.ico. Run from the repository root; standard library only.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

SIZE, SAMPLES = 32, 4  # pixels, subsamples per pixel side (anti-aliasing)
BLUE = (0x0B, 0x5F, 0xBF)  # favicon.svg's .bg in light mode


def _in_square(x: float, y: float, radius: float = 7) -> bool:
    cx, cy = min(max(x, radius), SIZE - radius), min(max(y, radius), SIZE - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius


def _to_segment(x: float, y: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    t = max(0.0, min(1.0, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - a[0] - t * dx, y - a[1] - t * dy)


def _in_v(x: float, y: float) -> bool:  # the SVG's path M9 10 l7 13 7-13, stroke 3.5
    return min(_to_segment(x, y, (9, 10), (16, 23)), _to_segment(x, y, (16, 23), (23, 10))) <= 1.75


def _pixel(i: int, j: int) -> bytes:
    square = v = 0
    for sj in range(SAMPLES):
        for si in range(SAMPLES):
            x, y = i + (si + 0.5) / SAMPLES, j + (sj + 0.5) / SAMPLES
            if _in_square(x, y):
                square += 1
                v += _in_v(x, y)
    if not square:
        return bytes(4)
    white = v / square
    rgb = [round(c * (1 - white) + 255 * white) for c in BLUE]
    return bytes([*rgb, round(255 * square / SAMPLES**2)])


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def favicon() -> bytes:
    rows = b"".join(b"\0" + b"".join(_pixel(i, j) for i in range(SIZE)) for j in range(SIZE))
    image_header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    png = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", image_header)
           + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b""))
    header = struct.pack("<HHH", 0, 1, 1)  # an icon file holding one image
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(png), 6 + 16)
    return header + entry + png


if __name__ == "__main__":
    Path("templates/static/favicon.ico").write_bytes(favicon())
