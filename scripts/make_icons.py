#!/usr/bin/env python3
"""Draw the site's icons: a white balance (天平) on the site's red, from one set of shapes.

    python scripts/make_icons.py [folder]      (default: static/icons)

writes favicon.svg (for browsers that take SVG), favicon.ico (16, 32 and 48 pixels, PNG inside, for
the ones that ask /favicon.ico) and apple-touch-icon.png (180 pixels, square and opaque: iOS rounds
the corners itself). The shapes are drawn here, in a 64-unit square, and rasterized with plain
Python (no imaging library): each pixel is the share of 8 × 8 sample points inside each shape.
The same input always gives the same bytes; tests/kb/test_icons.py checks the files are this
script's output.
"""

import math
import struct
import sys
import zlib
from pathlib import Path

ACCENT = (0x9B, 0x1C, 0x1C)  # --accent in static/css/site.css: the site's header
WHITE = (0xFF, 0xFF, 0xFF)
UNITS = 64
RADIUS = 12  # the favicon's rounded corners, in units
SAMPLES = 8
FAVICON_SIZES = (16, 32, 48)
TOUCH_ICON_SIZE = 180


# --- the shapes: each a test of a point (x, y) in units, and its SVG --------------------------


def rounded_square(radius):
    def inside(x, y):
        cx = min(max(x, radius), UNITS - radius)
        cy = min(max(y, radius), UNITS - radius)
        return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2 and 0 <= x <= UNITS and 0 <= y <= UNITS

    svg = f'<rect width="{UNITS}" height="{UNITS}" rx="{radius}" fill="#{bytes(ACCENT).hex()}"/>'
    return inside, svg, (0, 0, UNITS, UNITS)


def rectangle(left, top, right, bottom):
    def inside(x, y):
        return left <= x <= right and top <= y <= bottom

    svg = f'<rect x="{left}" y="{top}" width="{right - left}" height="{bottom - top}"/>'
    return inside, svg, (left, top, right, bottom)


def disc(cx, cy, r):
    def inside(x, y):
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

    return inside, f'<circle cx="{cx}" cy="{cy}" r="{r}"/>', (cx - r, cy - r, cx + r, cy + r)


def bowl(cx, top, r):
    """The lower half of a disc: a scale's pan, its rim at `top`."""

    def inside(x, y):
        return y >= top and (x - cx) ** 2 + (y - top) ** 2 <= r * r

    svg = f'<path d="M{cx - r} {top}h{2 * r}a{r} {r} 0 0 1 -{2 * r} 0z"/>'
    return inside, svg, (cx - r, top, cx + r, top + r)


def stroke(x1, y1, x2, y2, width):
    """A straight line of the given width (a pan's cord)."""
    length2 = (x2 - x1) ** 2 + (y2 - y1) ** 2

    def inside(x, y):
        t = max(0.0, min(1.0, ((x - x1) * (x2 - x1) + (y - y1) * (y2 - y1)) / length2))
        return math.hypot(x - (x1 + t * (x2 - x1)), y - (y1 + t * (y2 - y1))) <= width / 2

    svg = f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#fff" stroke-width="{width}"/>'
    box = (min(x1, x2) - width, min(y1, y2) - width, max(x1, x2) + width, max(y1, y2) + width)
    return inside, svg, box


def balance():
    """The balance: a post on a base, a beam, and a pan hanging from each end."""
    shapes = [
        rectangle(30, 15, 34, 49),  # post
        disc(32, 14, 4),  # knob
        rectangle(10, 19, 54, 23),  # beam
        rectangle(20, 48, 44, 53),  # base
    ]
    for end in (17, 47):
        shapes += [stroke(end, 21, end - 8, 37, 2.5), stroke(end, 21, end + 8, 37, 2.5), bowl(end, 37, 10)]
    return shapes


# --- drawing ----------------------------------------------------------------------------------


def raster(size, *, rounded):
    """RGBA rows of the icon at size × size pixels; rounded: corners transparent (favicons)."""
    background, _, _ = rounded_square(RADIUS if rounded else 0)
    marks = [(inside, box) for inside, _, box in balance()]
    pixel = UNITS / size
    step = pixel / SAMPLES
    offsets = [(index + 0.5) * step for index in range(SAMPLES)]
    rows = []
    for row in range(size):
        pixels = bytearray()
        top = row * pixel
        for column in range(size):
            left = column * pixel
            # Only the shapes that reach this pixel are asked about its sample points.
            near = [
                inside
                for inside, (x1, y1, x2, y2) in marks
                if x1 <= left + pixel and left <= x2 and y1 <= top + pixel and top <= y2
            ]
            corner = (
                rounded
                and min(left, UNITS - left - pixel) < RADIUS
                and min(top, UNITS - top - pixel) < RADIUS
            )
            if not near and not corner:  # plain background: nothing to sample
                pixels += bytes([*ACCENT, 255])
                continue
            ground = white = 0
            for dy in offsets:
                y = row * UNITS / size + dy
                for dx in offsets:
                    x = column * UNITS / size + dx
                    if background(x, y):
                        ground += 1
                        if any(inside(x, y) for inside in near):
                            white += 1
            if ground == 0:
                pixels += bytes(4)
                continue
            share = white / ground
            color = [round(w * share + a * (1 - share)) for w, a in zip(WHITE, ACCENT, strict=True)]
            pixels += bytes([*color, round(255 * ground / SAMPLES**2)])
        rows.append(bytes(pixels))
    return rows


def png(rows):
    """A PNG file of RGBA rows, 8 bits a channel."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    size = len(rows)
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    data = zlib.compress(b"".join(b"\0" + row for row in rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def ico(images):
    """An ICO file holding PNG images (every browser, and Windows since Vista, reads them)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, data in images:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def svg():
    _, background, _ = rounded_square(RADIUS)
    marks = "".join(shape for _, shape, _ in balance())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {UNITS} {UNITS}">'
        f'{background}<g fill="#fff">{marks}</g></svg>\n'
    )


def make_icons(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "favicon.svg": svg().encode(),
        "favicon.ico": ico([(size, png(raster(size, rounded=True))) for size in FAVICON_SIZES]),
        "apple-touch-icon.png": png(raster(TOUCH_ICON_SIZE, rounded=False)),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


if __name__ == "__main__":
    target = (
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "static" / "icons"
    )
    for path in make_icons(target):
        print(f"{path} ({path.stat().st_size} bytes)")
