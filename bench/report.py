#!/usr/bin/env python3
"""report.py RESULTS.jsonl QUICK KURA: the benchmark's figures as markdown (bench/RESULTS.md).

One table per size: each operation's median (hyperfine) and peak RSS (GNU time) for kura,
keepassxc-cli and pass, how many times slower the others are, and kura's target at 100,000
items with whether it was met. Then the machine and every tool's version, and the analysis
kept by hand in bench/ANALYSIS.md (what limits each figure)."""
import json
import os
import platform
import subprocess
import sys

OPS = [  # (key, what it is)
    ("import", "bulk import of every login"),
    ("get_by_id", "get one password, by id"),
    ("get_by_title", "get one password, by title"),
    ("search", "search \"github\" (kura: overview cache of the unchanged vault)"),
    ("search_after_change", "search \"github\" right after a change (kura: reads the vault)"),
    ("ls_json", "list everything (kura: ls --json; keepassxc-cli: ls -R -f; pass: ls)"),
    ("ls", None),
    ("unlock_key", "unlock with the client key"),
    ("unlock_passphrase", "unlock with the passphrase (kura: Argon2id MODERATE; keepassxc: its KDF)"),
    ("kit", "emergency kit, PDF + PNG"),
    ("rotate", "key rotate: every item re-encrypted, new kit"),
    ("reset", "reset: old vault destroyed, new one and its kit"),
]
# kura's targets at 100,000 items with a session open: milliseconds (and MiB of RSS).
TARGETS = {"get_by_id": (5, 16), "get_by_title": (5, 16), "search": (50, None),
           "ls_json": (300, None), "import": (3000, None), "rotate": (3000, None),
           "reset": (1000, None), "kit": (100, None), "unlock_key": (20, None)}


def run(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                              timeout=30).stdout.strip().splitlines()[0]
    except Exception:  # a tool that is not there
        return "not installed"


def fmt_ms(s):
    ms = s * 1000
    if ms >= 10000:
        return "%.1f s" % (ms / 1000)
    if ms >= 100:
        return "%.0f ms" % ms
    return "%.1f ms" % ms


def main():
    path, quick, kura = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
    rows = [json.loads(line) for line in open(path)]
    by = {}
    for r in rows:
        by[(r["size"], r["tool"], r["op"])] = r
    sizes = sorted({r["size"] for r in rows})
    tools = [t for t in ("kura", "keepassxc", "pass") if any(r["tool"] == t for r in rows)]
    out = []
    w = out.append
    w("# kura benchmark results\n")
    w("Made by `bash bench/run.sh%s` (this file is written by bench/report.py; the analysis at "
      "the end is bench/ANALYSIS.md). Medians of repeated runs (hyperfine), peak RSS of one run "
      "(`/usr/bin/time -f %%M`). kura works with a session open; keepassxc-cli has none, so "
      "every command of it opens the database with its key derivation first.\n"
      % (" --quick" if quick else ""))
    for n in sizes:
        w("## %s items\n" % format(n, ","))
        head = "| operation | " + " | ".join(
            "%s | RSS" % {"kura": "kura", "keepassxc": "keepassxc-cli", "pass": "pass"}[t]
            for t in tools)
        if len(tools) > 1:
            head += " | others / kura"
        if n == 100000:
            head += " | target (100,000) | met"
        w(head + " |")
        w("|" + "---|" * (head.count("|")))
        for key, label in OPS:
            if label is None:
                continue
            keys = [key] if key != "ls_json" else ["ls_json", "ls"]
            cells, medians = [], {}
            for t in tools:
                r = next((by.get((n, t, k)) for k in keys if (n, t, k) in by), None)
                if r:
                    medians[t] = r["median"]
                    cells.append("%s | %.1f MiB" % (fmt_ms(r["median"]), r["rss_kb"] / 1024))
                else:
                    cells.append("n/a | ")
            if not medians:
                continue
            line = "| %s | %s" % (label, " | ".join(cells))
            if len(tools) > 1:
                k = medians.get("kura")
                ratios = ["%s %s×" % ({"keepassxc": "keepassxc-cli"}.get(t, t),
                                      ("%.0f" if medians[t] / k >= 10 else "%.1f") % (medians[t] / k))
                          for t in tools[1:] if t in medians and k]
                line += " | " + (", ".join(ratios) or "")
            if n == 100000:
                tgt = TARGETS.get(key)
                r = by.get((n, "kura", key))
                if key == "unlock_passphrase":
                    a = by.get((n, "kura", "argon2id"))
                    u = by.get((n, "kura", "unlock_key"))
                    if r and a and u:
                        over = u["median"] * 1000
                        line += (" | Argon2id + 5 ms | %s (Argon2id %.0f ms; the same unlock "
                                 "without it %.1f ms)" % ("yes" if over <= 5 else "**no**",
                                                          a["ms"], over))
                    else:
                        line += " | | "
                elif tgt and r:
                    ok = r["median"] * 1000 <= tgt[0] and (
                        tgt[1] is None or r["rss_kb"] / 1024 <= tgt[1])
                    line += " | %d ms%s | %s" % (tgt[0], ", %d MiB" % tgt[1] if tgt[1] else "",
                                                 "yes" if ok else "**no**")
                else:
                    line += " | | "
            w(line + " |")
        a = by.get((n, "kura", "argon2id"))
        if a:
            r = by.get((n, "kura", "unlock_passphrase"))
            u = by.get((n, "kura", "unlock_key"))
            p = by.get((n, "kura", "argon2id_process"))
            extra = (" A process that runs only Argon2id, timed as kura is: %.0f ms; a passphrase "
                     "unlock differs from it by %+.1f ms (medians of 10; Argon2id itself varies "
                     "by tens of ms from run to run). The client-key unlock, the same work "
                     "without Argon2id, takes %.1f ms." %
                     (p["median"] * 1000, (r["median"] - p["median"]) * 1000,
                      u["median"] * 1000)) if r and u and p else ""
            w("\nArgon2id alone (libsodium MODERATE, bench/argon2_cost.c, median of 11): %.0f ms.%s"
              % (a["ms"], extra))
        fb, cb = by.get((n, "kura", "file_bytes")), by.get((n, "kura", "ciphertext_bytes"))
        if fb and cb:
            w("Vault file: %s bytes for %s bytes of padded ciphertexts: %.2f× (target: at most 2×)."
              % (format(fb["bytes"], ","), format(cb["bytes"], ","), fb["bytes"] / cb["bytes"]))
        for t, name in (("keepassxc", "keepassxc-cli's .kdbx"), ("pass", "pass's store")):
            f = by.get((n, t, "file_bytes"))
            if f:
                w("%s: %s bytes." % (name, format(f["bytes"], ",")))
        if (n, "pass", "import") not in by and "pass" in tools:
            w("pass was not run at this size (bench/run.sh --pass-max): one gpg run per login "
              "makes its import and `pass grep` take tens of minutes.")
        w("")
    w("## Machine and versions\n")
    cpu = run("lscpu | sed -n 's/^Model name: *//p'")
    mem = run("free -g | awk '/^Mem:/ {print $2 \" GiB\"}'")
    w("- machine: %s, %s cores, %s RAM; %s %s" % (cpu, os.cpu_count(), mem,
                                                   run(". /etc/os-release && echo $PRETTY_NAME"),
                                                   platform.release()))
    w("- kura: %s (%s), Release build" % (run(kura + " --version"),
                                          run("git -C %s describe --always --dirty" %
                                              os.path.dirname(os.path.abspath(__file__)))))
    w("- libsodium %s, SQLite %s" % (run("pkg-config --modversion libsodium"),
                                      run("pkg-config --modversion sqlite3")))
    if "keepassxc" in tools:
        w("- keepassxc-cli %s" % run("keepassxc-cli --version"))
    if "pass" in tools:
        w("- %s; %s" % (run("pass version | grep -o 'v[0-9.]*'") and
                         "pass " + run("pass version | grep -o 'v[0-9.]*'"),
                         run("gpg --version")))
    w("- %s" % run("hyperfine --version"))
    w("")
    analysis = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ANALYSIS.md")
    if not quick and os.path.exists(analysis):
        w(open(analysis).read())
    print("\n".join(out))


if __name__ == "__main__":
    main()
