"""The two icons of the Teams app package, drawn in pure Python (zlib + struct): no image library needed.

Teams wants `color.png` 192×192 (full colour) and `outline.png` 32×32 (white on transparent, nothing else).
Run `python -m adapters.teams.icons` to redraw them into app-package/.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

Pixel = tuple[int, int, int, int]
ACCENT = (198, 40, 40, 255)  # the manifest's accentColor, #C62828
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def png(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """An 8-bit RGBA PNG; every row uses filter 0 (none), which keeps the writer and its test trivial."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _exclamation(size: int, x: int, y: int) -> bool:
    """An exclamation mark centred in a square of `size`: a bar and a dot."""
    u, v = x / size, y / size
    in_column = 0.43 <= u <= 0.57
    return (in_column and 0.18 <= v <= 0.62) or (in_column and 0.70 <= v <= 0.84)


def _ring(size: int, x: int, y: int, outer: float, inner: float) -> bool:
    c = (size - 1) / 2
    distance = math.hypot(x - c, y - c) / size
    return inner <= distance <= outer


def color_icon() -> bytes:
    return png(192, 192, lambda x, y: WHITE if _exclamation(192, x, y) else ACCENT)


def outline_icon() -> bytes:
    return png(32, 32, lambda x, y: WHITE if _exclamation(32, x, y) or _ring(32, x, y, 0.49, 0.42) else CLEAR)


def write_icons(folder: Path) -> None:
    (folder / "color.png").write_bytes(color_icon())
    (folder / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    write_icons(Path(__file__).resolve().parent / "app-package")
