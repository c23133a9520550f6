#!/usr/bin/env python3
"""allocs.py KURA_FAILALLOC VAULT_SQL VAULT_ITEMS DIR STEP: allocation failures.

For open (status), unlock, add and get on a vault of 20 items: counts the allocations the
command makes (kura-failalloc, KURA_ALLOC_COUNT), then for every STEP-th N fails the Nth one.
Each case must end in success or in a one-line "kura: ..." error with one of kura's exit
codes: never a crash, and, in the sanitizer build, no AddressSanitizer or LeakSanitizer report
(their exit codes are set apart from kura's). Afterwards the vault is whole and holds the data
from before, or (add) from after. Prints the figures; exits 1 on any failure."""
import os
import shutil
import sys

import harness
from harness import run

FAILALLOC, VAULT_SQL, VAULT_ITEMS, DIR = sys.argv[1:5]
STEP = int(sys.argv[5])
SANITIZER_EXIT = {86: "AddressSanitizer", 87: "LeakSanitizer"}
figures = {"cases": 0, "succeeded": 0, "refused": 0, "crashes": 0, "leaks": 0, "lost": 0,
           "bad_message": 0}
problems = []

OPS = {
    "open": (["status"], None),
    "unlock": (["unlock"], None),
    "add": (["add", "New item", "--password-file", "-"], b"new-pw\n"),
    "get": (["get", "Item 5", "--field", "password"], None),
}


def p(name):
    return os.path.join(DIR, name)


def problem(what):
    problems.append(what)
    print("FAIL: " + what)


def env_for(**extra):
    env = harness.fresh_env(p("home"), **extra)
    env["ASAN_OPTIONS"] = "exitcode=86:" + env.get("ASAN_OPTIONS", "")
    env["LSAN_OPTIONS"] = "exitcode=87:" + env.get("LSAN_OPTIONS", "")
    env["XDG_RUNTIME_DIR"] = p("run")
    shutil.rmtree(p("run"), ignore_errors=True)
    os.makedirs(p("run"), mode=0o700)
    return env


def main():
    shutil.rmtree(DIR, ignore_errors=True)
    os.makedirs(DIR)
    base, key = p("base.kura"), p("base.key")
    harness.make_vault(FAILALLOC, VAULT_ITEMS, base, key, 20, p("home"))
    before = harness.dump(VAULT_ITEMS, base, key, p("home"))
    work = p("work.kura")
    for name, (args, stdin) in OPS.items():
        shutil.copy(base, work)
        code, out, err = run([FAILALLOC, "--vault", work, "--key-file", key] + args,
                             env_for(KURA_ALLOC_COUNT=p("count")), stdin)
        if code != 0:
            problem("%s without failures: exit %d %s" % (name, code, err.strip()))
            continue
        after = harness.dump(VAULT_ITEMS, work, key, p("home"))
        total = int(open(p("count")).read())
        print("%s: %d allocations" % (name, total))
        for n in range(1, total + 1, STEP):
            one_case(name, args, stdin, key, before, after, n)
    print("allocation failures: %(cases)d cases, %(succeeded)d still succeeded, %(refused)d "
          "refused cleanly, crashes %(crashes)d, leaks or memory errors %(leaks)d, data lost "
          "%(lost)d, unclear messages %(bad_message)d" % figures)
    return 1 if problems else 0


def one_case(name, args, stdin, key, before, after, n):
    work = p("work.kura")
    shutil.copy(p("base.kura"), work)
    figures["cases"] += 1
    case = "%s, allocation #%d" % (name, n)
    code, out, err = run([FAILALLOC, "--vault", work, "--key-file", key] + args,
                         env_for(KURA_ALLOC_FAIL=str(n)), stdin)
    if code in SANITIZER_EXIT:
        figures["leaks"] += 1
        problem("%s: %s: %s" % (case, SANITIZER_EXIT[code], err.strip()[-600:]))
        return
    if not harness.judge(case, code, err, figures, problem,
                         lambda code, line: line.startswith("kura: ")):
        return
    ok, why = harness.integrity_ok(VAULT_SQL, work)
    now = harness.dump(VAULT_ITEMS, work, key, p("home"))
    if not ok or now not in (before, after) or (code == 0 and now != after):
        figures["lost"] += 1
        problem("%s: the vault is not as before or after (integrity: %s)" % (case, why))


if __name__ == "__main__":
    sys.exit(main())
