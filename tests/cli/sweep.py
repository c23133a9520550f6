#!/usr/bin/env python3
"""sweep.py KURA VAULT KEYFILE ITEM WANT STEP [all]: single-byte damage across a vault file.

For each offset in the header (0-99) and every STEP-th byte after it, inverts that byte in a
copy, runs `kura get ITEM --field password` (no terminal), and sorts the outcome: the right
data (WANT), exit 6 with one line (damage noticed), exit 7 only for the format-version
field, or else wrong / crashed / hung (5 s). A get reads only the pages it needs, so damage
elsewhere may leave it the right data; it must never give wrong data.
With "all", `kura check` also runs on every case and must refuse each one (exit 6, or 7 for
the version field): it reads every page, and page checksums leave no byte unchecked.
Also checks kura never changed the damaged copy.
Prints the figures; exits 1 if anything was wrong, crashed or hung."""
import os
import subprocess
import sys


def main():
    kura, vault, keyfile, item, want, step = sys.argv[1:7]
    every = sys.argv[7:8] == ["all"]
    step = int(step)
    original = open(vault, "rb").read()
    work = vault + ".sweep"
    counts = {"cases": 0, "intact": 0, "refused": 0, "wrong": 0, "crashed": 0, "hung": 0,
              "check_refused": 0, "check_missed": 0}
    offsets = list(range(0, 100)) + list(range(100, len(original), step))
    for off in offsets:
        data = bytearray(original)
        data[off] ^= 0xFF
        with open(work, "wb") as f:
            f.write(data)
        counts["cases"] += 1
        try:
            p = subprocess.run([kura, "--vault", work, "get", item, "--field", "password",
                                "--key-file", keyfile], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=30, start_new_session=True)
        except subprocess.TimeoutExpired:
            counts["hung"] += 1
            print("hung at offset %d" % off)
            continue
        out, err = p.stdout.decode(errors="replace").strip(), p.stderr.decode(errors="replace")
        if p.returncode == 0 and out == want:
            counts["intact"] += 1
        elif p.returncode == 6 and err.count("\n") == 1:
            counts["refused"] += 1
        elif p.returncode == 7 and 60 <= off <= 63:
            counts["refused"] += 1
        elif p.returncode < 0 or p.returncode >= 128:
            counts["crashed"] += 1
            print("crash at offset %d: %s" % (off, err.strip()))
        else:
            counts["wrong"] += 1
            print("wrong at offset %d: exit %d, out %r, err %r" % (off, p.returncode, out, err))
        if every:
            try:
                c = subprocess.run([kura, "--vault", work, "check", "--key-file", keyfile],
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=30,
                                   start_new_session=True)
                cerr = c.stderr.decode(errors="replace")
                if (c.returncode == 6 or (c.returncode == 7 and 60 <= off <= 63)) \
                        and cerr.count("\n") == 1:
                    counts["check_refused"] += 1
                elif c.returncode < 0 or c.returncode >= 128:
                    counts["crashed"] += 1
                    print("check crashed at offset %d: %s" % (off, cerr.strip()))
                else:
                    counts["check_missed"] += 1
                    print("check missed offset %d: exit %d, err %r" % (off, c.returncode, cerr))
            except subprocess.TimeoutExpired:
                counts["hung"] += 1
                print("check hung at offset %d" % off)
        if open(work, "rb").read() != bytes(data):
            counts["wrong"] += 1
            print("kura changed the damaged file at offset %d" % off)
    os.unlink(work)
    print("damage sweep: %(cases)d cases; get: %(intact)d right data, %(refused)d refused, "
          "%(wrong)d wrong; %(crashed)d crashed, %(hung)d hung" % counts)
    bad = counts["wrong"] + counts["crashed"] + counts["hung"]
    if every:
        print("kura check: %(check_refused)d refused, %(check_missed)d unnoticed" % counts)
        bad += counts["check_missed"]
    return 1 if bad or counts["refused"] < 10 else 0


if __name__ == "__main__":
    sys.exit(main())
