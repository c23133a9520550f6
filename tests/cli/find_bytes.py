#!/usr/bin/env python3
"""find_bytes.py HEXFILE PATH...: prints every file under the PATHs that contains any of the
byte strings listed (one hex string a line) in HEXFILE, and exits 1 if there is one. For
proving that old ciphertexts and wrapped keys are gone after a reset."""
import os
import sys


def main():
    needles = [bytes.fromhex(l.strip()) for l in open(sys.argv[1]) if l.strip()]
    hits = 0
    paths = []
    for root in sys.argv[2:]:
        if os.path.isfile(root):
            paths.append(root)
        for d, _, files in os.walk(root):
            paths.extend(os.path.join(d, f) for f in files)
    for p in paths:
        try:
            data = open(p, "rb").read()
        except OSError:
            continue
        for n in needles:
            if n in data:
                print("found %d bytes of %s... in %s" % (len(n), n[:4].hex(), p))
                hits += 1
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
