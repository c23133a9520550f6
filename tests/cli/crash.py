#!/usr/bin/env python3
"""crash.py KURA VAULT_SQL VAULT_ITEMS DIR ITEMS KILLS [SEED]: SIGKILL at random moments.

Makes a vault of ITEMS items in DIR, enrolls this device, then KILLS times starts one of
add, edit, rm, key rotate, device passphrase and reset, and kills it (SIGKILL) at a random
moment within 1.3 times that operation's normal run time (so some land after it ended).
After each: SQLite's integrity check passes, the vault unlocks with kura, and the whole vault
(every title and password, dumped by vault_items) equals the model: an operation that
reported success is fully there, any other is fully there or fully absent. Key rotation and
the device passphrase: exactly one of the old and new secrets opens. Reset runs on a copy
(its own HOME): afterwards that file is either the whole old vault or the new empty one,
opened by the key reset printed. Prints the figures; exits 1 on any failure."""
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

KURA, VAULT_SQL, VAULT_ITEMS, DIR = sys.argv[1:5]
ITEMS, KILLS = int(sys.argv[5]), int(sys.argv[6])
rng = random.Random(int(sys.argv[7]) if len(sys.argv) > 7 else None)
VAULT = os.path.join(DIR, "v.kura")
KEY = os.path.join(DIR, "v.key")
figures = {"kills": 0, "ended_first": 0, "corrupt": 0, "lost_acked": 0, "half_done": 0,
           "locked_out": 0, "errors": 0}
problems = []


def path(name):
    return os.path.join(DIR, name)


def write(name, text):
    with open(path(name), "w") as f:
        f.write(text + "\n")


def run(args, env=None, inp=None, timeout=120):
    p = subprocess.run(args, input=inp, capture_output=True, timeout=timeout, env=env,
                       start_new_session=True)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def kura(*args, env=None, vault=VAULT):
    return run([KURA, "--vault", vault] + list(args), env=env)


def problem(what):
    problems.append(what)
    print("FAIL: " + what)


def killed_run(args, span, env=None):
    """Starts args, kills it after a random delay; returns (exit code, stdout, delay)."""
    out = open(path("op.out"), "wb")
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                         env=env, start_new_session=True)
    delay = rng.uniform(0, span * 1.3)
    time.sleep(delay)
    try:
        os.kill(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    code = p.wait()
    out.close()
    return code, open(path("op.out"), "rb").read().decode(errors="replace"), delay


def dump(key=KEY, vault=VAULT):
    code, out, err = run([VAULT_ITEMS, vault, key, "dump"])
    if code != 0:
        return None
    return dict(line.split("\t", 1) for line in out.splitlines())


def check_file(vault=VAULT):
    code, out, err = run([VAULT_SQL, vault, "PRAGMA integrity_check"])
    if code != 0 or out.strip() != "ok":
        figures["corrupt"] += 1
        problem("integrity check: %s %s" % (out.strip(), err.strip()))
        return False
    return True


def new_key_in(text):
    import re
    m = re.search(r"[0-9A-Z]{6}(?:-[0-9A-Z]{6}){5}", text)
    return m.group(0) if m else None


model = {}
spans = {}
passphrase = [0]  # the number of the passphrase that opens this device's slot
counter = [0]


def timed(op, fn):
    start = time.monotonic()
    result = fn()
    spans[op] = max(spans.get(op, 0), time.monotonic() - start)
    return result


def enroll():
    code, out, err = kura("device", "enroll", "--key-file", KEY, "--passphrase-file",
                          path("pass.%d" % passphrase[0]))
    if code != 0:
        problem("enroll: " + err.strip())


def op_add():
    n = counter[0]
    title, pw = "New %d" % n, "new-%d" % n
    write("secret", pw)
    args = [KURA, "--vault", VAULT, "add", title, "--password-file", path("secret"),
            "--key-file", KEY]
    return args, lambda present: {title: pw} if present else {}, title, [None, pw]


def op_edit():
    title = rng.choice(sorted(model))
    old, pw = model[title], "%s-e%d" % (model[title], counter[0])
    write("secret", pw)
    args = [KURA, "--vault", VAULT, "edit", title, "--password-file", path("secret"),
            "--key-file", KEY]
    return args, None, title, [old, pw]


def op_rm():
    title = rng.choice(sorted(model))
    args = [KURA, "--vault", VAULT, "rm", title, "--yes", "--key-file", KEY]
    return args, None, title, [model[title], None]


def item_op(make):
    args, _, title, (before, after) = make()
    op = make.__name__[3:]
    if op not in spans:  # the first of each kind runs to the end: its time sets the span
        code, out, err = timed(op, lambda: run(args))
        if code != 0:
            problem("%s %s: %s" % (op, title, err.strip()))
        settle(title, before, after, acked=True)
        return
    code, out, delay = killed_run(args, spans[op])
    figures["kills"] += 1
    if code == 0:
        figures["ended_first"] += 1
    elif code != -signal.SIGKILL:
        figures["errors"] += 1
        problem("%s %s exited %d: %s" % (op, title, code, out.strip()))
    settle(title, before, after, acked=code == 0)


def settle(title, before, after, acked):
    """Checks the vault against the model with the one item either way; updates the model."""
    if not check_file():
        return
    code, out, err = kura("ls", "--json", "--key-file", KEY)
    if code != 0:
        figures["locked_out"] += 1
        problem("ls after a kill: exit %d %s" % (code, err.strip()))
        return
    got = dump()
    if got is None:
        figures["corrupt"] += 1
        problem("the vault does not dump")
        return
    now = got.get(title)
    others_same = {k: v for k, v in got.items() if k != title} == \
        {k: v for k, v in model.items() if k != title}
    if not others_same:
        figures["lost_acked"] += 1
        problem("items other than %r changed" % title)
    if now == after:
        pass
    elif now == before and not acked:
        pass
    elif now == before and acked:
        figures["lost_acked"] += 1
        problem("acknowledged change to %r is missing" % title)
    else:
        figures["half_done"] += 1
        problem("%r is %r, neither %r nor %r" % (title, now, before, after))
    model.clear()
    model.update(got)


def op_rotate():
    args = [KURA, "--vault", VAULT, "key", "rotate", "--key-file", KEY, "--no-kit", "--yes"]
    if "rotate" not in spans:
        code, out, err = timed("rotate", lambda: run(args))
        acked, killed = code == 0, False
    else:
        code, out, delay = killed_run(args, spans["rotate"])
        figures["kills"] += 1
        figures["ended_first"] += code == 0
        acked, killed = code == 0, True
        if code not in (0, -signal.SIGKILL):
            figures["errors"] += 1
            problem("rotate exited %d: %s" % (code, out.strip()))
    new = new_key_in(out)
    if new:
        write("new.key", new)
    check_file()
    old_opens = dump(KEY) == model
    new_opens = bool(new) and dump(path("new.key")) == model
    if old_opens == new_opens or (acked and not new_opens):
        figures["locked_out" if not old_opens else "half_done"] += 1
        problem("rotate (killed %s, acked %s): old key opens %s, new key opens %s" %
                (killed, acked, old_opens, new_opens))
    if new_opens:
        shutil.copy(path("new.key"), KEY)
        # The device slot wraps the old vault key: enroll again with the new one.
        enroll()


def op_passphrase():
    cur, nxt = passphrase[0], passphrase[0] + 1
    write("pass.%d" % nxt, "passphrase number %d" % nxt)
    args = [KURA, "--vault", VAULT, "device", "passphrase", "--passphrase-file",
            path("pass.%d" % cur), "--new-passphrase-file", path("pass.%d" % nxt)]
    if "passphrase" not in spans:
        code, out, err = timed("passphrase", lambda: run(args))
        killed = False
    else:
        code, out, delay = killed_run(args, spans["passphrase"])
        figures["kills"] += 1
        figures["ended_first"] += code == 0
        killed = True
    first = sorted(model)[0]
    opens = [kura("get", "--passphrase-file", path("pass.%d" % n), "--field", "password",
                  first)[1].strip() == model[first] for n in (cur, nxt)]
    if opens[0] == opens[1] or (code == 0 and not opens[1]):
        figures["locked_out" if not any(opens) else "half_done"] += 1
        problem("passphrase change (killed %s, exit %d): old opens %s, new opens %s" %
                (killed, code, opens[0], opens[1]))
        enroll()
    elif opens[1]:
        passphrase[0] = nxt


def op_reset():
    home = path("reset-home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    env = dict(os.environ, HOME=home)
    copy = path("r.kura")
    for leftover in (copy, copy + ".reset", copy + "-journal"):
        if os.path.exists(leftover):
            os.unlink(leftover)
    shutil.copy(VAULT, copy)
    code, out, err = kura("status", "--json", vault=copy, env=env)
    short = json.loads(out)["vault_id"][:8] if code == 0 else "DELETE"
    args = [KURA, "--vault", copy, "reset", "--confirm", short, "--no-kit"]
    if "reset" not in spans:
        code, out, err = timed("reset", lambda: run(args, env=env))
        killed = False
    else:
        code, out, delay = killed_run(args, spans["reset"], env=env)
        figures["kills"] += 1
        figures["ended_first"] += code == 0
        killed = True
    new = new_key_in(out)
    if new:
        write("reset.key", new)
    if not check_file(copy):
        return
    old_opens = dump(KEY, copy) == model
    new_opens = bool(new) and dump(path("reset.key"), copy) == {}
    if old_opens == new_opens or (code == 0 and not new_opens):
        figures["locked_out" if not (old_opens or new_opens) else "half_done"] += 1
        problem("reset (killed %s, exit %d): the old vault %s, the new one %s" %
                (killed, code, old_opens, new_opens))


def main():
    os.makedirs(DIR, exist_ok=True)
    code, out, err = kura("init", "--json", "--no-kit", "--name", "Crash")
    if code != 0:
        print("init failed: " + err)
        return 1
    write("v.key", json.loads(out)["client_key"])
    code, out, err = run([VAULT_ITEMS, VAULT, KEY, "fill", str(ITEMS)], timeout=600)
    if code != 0:
        print("fill failed: " + err)
        return 1
    model.update(dump())
    write("pass.0", "passphrase number 0")
    enroll()
    ops = [lambda: item_op(op_add)] * 3 + [lambda: item_op(op_edit)] * 3 + \
          [lambda: item_op(op_rm)] * 2 + [op_rotate, op_passphrase, op_reset]
    # The first of each kind is timed, not killed.
    for first in (lambda: item_op(op_add), lambda: item_op(op_edit), lambda: item_op(op_rm),
                  op_rotate, op_passphrase, op_reset):
        first()
    while figures["kills"] < KILLS and len(problems) < 20:
        counter[0] += 1
        rng.choice(ops)()
    print("crash: %(kills)d kills (%(ended_first)d ended before the kill), corrupt vaults "
          "%(corrupt)d, lost acknowledged writes %(lost_acked)d, half-done %(half_done)d, "
          "locked out %(locked_out)d, errors %(errors)d" % figures)
    print("  on a vault of %d items; spans (s): %s" %
          (ITEMS, ", ".join("%s %.3f" % kv for kv in sorted(spans.items()))))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
