#!/usr/bin/env python3
"""qr_text_to_png.py OUT.png < text: turns `kura key show --qr --ascii` output ("##" for a
dark module, two spaces for a light one) into a PNG, 8 pixels a module, so that zbarimg can
judge whether the terminal drawing scans. Only rows made of module cells are taken."""
import struct
import sys
import zlib


def main():
    rows = [l.rstrip("\n") for l in sys.stdin if l.strip("# \n") == "" and len(l) > 20]
    if not rows:
        return 1
    width = max(len(r) for r in rows) // 2
    scale = 8
    raw = b""
    for r in rows:
        r = r.ljust(width * 2)
        line = bytes(0 if r[2 * c:2 * c + 2] == "##" else 255 for c in range(width) for _ in range(scale))
        raw += (b"\0" + line) * scale
    w, h = width * scale, len(rows) * scale

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    open(sys.argv[1], "wb").write(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
