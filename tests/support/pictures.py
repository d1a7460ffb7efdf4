"""Small real images for tests that show pictures (a browser must be able to decode them)."""

from __future__ import annotations

import struct
import zlib


def png(width: int = 160, height: int = 100) -> bytes:
    """An RGB PNG: a blue-to-orange gradient, so a screenshot shows that it rendered."""
    rows = b"".join(b"\x00" + b"".join(bytes((30 + 200 * x // width, 110, 230 - 200 * x // width))
                                        for x in range(width)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
