#!/usr/bin/env python3
"""flip.py FILE OFFSET: inverts the byte at OFFSET of FILE in place."""
import sys

path, off = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(off)
    b = f.read(1)
    f.seek(off)
    f.write(bytes([b[0] ^ 0xFF]))
