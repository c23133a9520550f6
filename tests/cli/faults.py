#!/usr/bin/env python3
"""faults.py KURA KURA_FAULTY VAULT_SQL VAULT_ITEMS DIR STEP: disk faults at every I/O call.

For get, add, edit, rm and key rotate on a vault of 20 items: counts the reads, writes and
syncs the operation makes (kura-faulty, KURA_FAULT_COUNT), then for every STEP-th N of each
fails the Nth call, once and from then on (always), with EIO and (writes, syncs) ENOSPC.
Each case must end in success, or in a one-line error that says it was the disk (exit 1), never
a crash; and afterwards the real kura finds the vault whole (SQLite's integrity check) with
exactly the data from before, or (only if the operation may have committed) from after.
Prints the figures; exits 1 on any failure."""
import os
import shutil
import sys

import harness
from harness import run

KURA, FAULTY, VAULT_SQL, VAULT_ITEMS, DIR = sys.argv[1:6]
STEP = int(sys.argv[6])
figures = {"faults": 0, "succeeded": 0, "refused": 0, "crashes": 0, "lost": 0,
           "bad_message": 0, "damaged": 0}
problems = []


def p(name):
    return os.path.join(DIR, name)


def home():
    return p("home")


def dump(vault, key):
    return harness.dump(VAULT_ITEMS, vault, key, home())


def problem(what):
    problems.append(what)
    print("FAIL: " + what)


OPS = {
    "get": (["get", "Item 5", "--field", "password"], None),
    "add": (["add", "New item", "--password-file", "-"], b"new-pw\n"),
    "edit": (["edit", "Item 3", "--password-file", "-"], b"edited-pw\n"),
    "rm": (["rm", "Item 4", "--yes"], None),
    "rotate": (["key", "rotate", "--no-kit", "--yes"], None),
}


def main():
    shutil.rmtree(DIR, ignore_errors=True)
    os.makedirs(DIR)
    base, key = p("base.kura"), p("base.key")
    harness.make_vault(KURA, VAULT_ITEMS, base, key, 20, home())
    before = dump(base, key)
    work = p("work.kura")
    for name, (args, stdin) in OPS.items():
        # A clean run: the state after, and how many calls of each kind it makes.
        shutil.copy(base, work)
        env = harness.fresh_env(home(), KURA_FAULT_COUNT=p("count"))
        code, out, err = run([FAULTY, "--vault", work, "--key-file", key] + args, env, stdin)
        if code != 0:
            problem("%s without faults: exit %d %s" % (name, code, err.strip()))
            continue
        after_key = p("after.key")
        open(after_key, "w").write((harness.client_key_in(out) or open(key).read().strip()) + "\n")
        after = dump(work, after_key)
        counts = dict(zip("rws", map(int, open(p("count")).read().split())))
        print("%s: %d reads, %d writes, %d syncs" % (name, counts["r"], counts["w"], counts["s"]))
        for op in "rws":
            for n in range(1, counts[op] + 1, STEP):
                for mode in ("once", "always"):
                    for errno in (("eio",) if op == "r" else ("eio", "enospc")):
                        one_case(name, args, stdin, key, before, after, op, n, mode, errno)
    print("disk faults: %(faults)d faults injected, %(succeeded)d operations still succeeded, "
          "%(refused)d refused cleanly, crashes %(crashes)d, data lost %(lost)d, vaults "
          "damaged %(damaged)d, unclear messages %(bad_message)d" % figures)
    return 1 if problems else 0


def one_case(name, args, stdin, key, before, after, op, n, mode, errno):
    work = p("work.kura")
    for leftover in (work + "-journal",):
        if os.path.exists(leftover):
            os.unlink(leftover)
    shutil.copy(p("base.kura"), work)
    env = harness.fresh_env(home(), KURA_FAULT="%s %d %s %s" % (op, n, mode, errno))
    figures["faults"] += 1
    case = "%s, %s #%d %s %s" % (name, op, n, mode, errno)
    code, out, err = run([FAULTY, "--vault", work, "--key-file", key] + args, env, stdin)
    words = ("disk", "I/O", "full", "read", "write")
    if not harness.judge(case, code, err, figures, problem,
                         lambda code, line: code == 1 and any(w in line for w in words)):
        return
    # The real kura, no faults: the file is whole and holds the before or the after.
    ok, why = harness.integrity_ok(VAULT_SQL, work)
    if not ok:
        figures["damaged"] += 1
        problem("%s: integrity check: %s" % (case, why))
        return
    now_old = dump(work, key)
    now_new = now_old
    if name == "rotate":  # under the key this run printed (each rotation makes its own)
        printed = harness.client_key_in(out)
        if printed:
            open(p("case.key"), "w").write(printed + "\n")
        now_new = dump(work, p("case.key") if printed else p("after.key"))
    if code == 0 and after not in (now_old, now_new):
        figures["lost"] += 1
        problem("%s: reported success but the change is not there" % case)
    elif code != 0 and before not in (now_old, now_new) and after not in (now_old, now_new):
        figures["lost"] += 1
        problem("%s: the vault holds neither the data from before nor after" % case)


if __name__ == "__main__":
    sys.exit(main())
