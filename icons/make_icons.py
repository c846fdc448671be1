#!/usr/bin/env python3
"""Draws the app icon (a rounded tile with spreadsheet rows flowing into a batch) as PNGs, an ICO and an ICNS.

Pure standard library; run from the repository root: python3 icons/make_icons.py
"""
import struct
import zlib


def png(size: int) -> bytes:
    def blend(a, b, t):
        return tuple(int(a[i] + (b[i] - a[i]) * t) for i in range(3))

    top, bottom = (35, 92, 190), (20, 160, 150)
    radius = size * 0.22
    rows = []
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            # Rounded-rectangle coverage with a one-pixel soft edge.
            cx = min(max(x + 0.5, radius), size - radius)
            cy = min(max(y + 0.5, radius), size - radius)
            d = ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2) ** 0.5
            alpha = max(0.0, min(1.0, radius - d + 0.5))
            r, g, b = blend(top, bottom, y / size)
            # Three white "rows" on the left, an arrow-ish block on the right.
            u, v = x / size, y / size
            for k in range(3):
                y0 = 0.28 + k * 0.17
                if 0.18 <= u <= 0.56 and y0 <= v <= y0 + 0.09:
                    r, g, b = 245, 248, 252
            if 0.64 <= u <= 0.82 and 0.28 <= v <= 0.71:
                r, g, b = 255, 206, 84
            row += bytes((r, g, b, int(alpha * 255)))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def ico(images) -> bytes:
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    body = b""
    for size, data in images:
        out += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset + len(body))
        body += data
    return out + body


def icns(images) -> bytes:
    """Apple's icon container: PNG entries by type code (ic07 128 px, ic08 256 px, ic09 512 px)."""
    body = b""
    for kind, data in images:
        body += kind + struct.pack(">I", len(data) + 8) + data
    return b"icns" + struct.pack(">I", len(body) + 8) + body


if __name__ == "__main__":
    made = {}
    for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
        made[size] = png(size)
        with open(f"icons/{name}", "wb") as handle:
            handle.write(made[size])
    with open("icons/icon.ico", "wb") as handle:
        handle.write(ico([(32, made[32]), (256, made[256])]))
    with open("icons/icon.icns", "wb") as handle:
        handle.write(icns([(b"ic07", made[128]), (b"ic08", made[256]), (b"ic09", made[512])]))
