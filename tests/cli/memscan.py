#!/usr/bin/env python3
"""memscan.py PID CANARY...: searches the [heap] and [stack] of a live process for each
canary (as given, and as hex). Secrets belong in sodium_malloc memory (their own mappings,
guarded and locked), never in the malloc heap or on the stack where they outlive their use.
Prints one line per hit and exits 1 if any; needs root (or ptrace rights) to read the memory."""
import re
import sys


def main():
    pid, canaries = sys.argv[1], [c.encode() for c in sys.argv[2:]]
    hits = 0
    with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
        for line in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)", line)
            if not m or m.group(4) not in ("[heap]", "[stack]") or m.group(3)[0] != "r":
                continue
            start, end = int(m.group(1), 16), int(m.group(2), 16)
            mem.seek(start)
            data = mem.read(end - start)
            for c in canaries:
                for form in (c, c.hex().encode()):
                    if form in data:
                        hits += 1
                        print("%s... in %s" % (c[:10].decode(errors="replace"), m.group(4)))
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
