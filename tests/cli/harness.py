"""Helpers the Python drivers of the end-to-end tests share (faults.py, allocs.py, crash.py):
running a program without a terminal, a fresh device (HOME) per run, dumping a vault."""
import os
import re
import shutil
import subprocess


def run(args, env=None, inp=None, timeout=120):
    """Runs args in a new session (no terminal); returns (exit code, stdout, stderr)."""
    r = subprocess.run(args, input=inp, capture_output=True, timeout=timeout, env=env,
                       start_new_session=True)
    return r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")


def fresh_env(home, **extra):
    """The environment of a device that never saw any vault: copies of one vault file are
    then not rollbacks to it."""
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    env = dict(os.environ, HOME=home)
    env.update(extra)
    return env


def dump(vault_items, vault, key, home):
    """Every item of the vault as "title<TAB>password" lines, or None if it does not open."""
    code, out, err = run([vault_items, vault, key, "dump"], env=fresh_env(home))
    return out if code == 0 else None


def client_key_in(text):
    """The first client key (grouped) in text, or None."""
    m = re.search(r"[0-9A-Z]{6}(?:-[0-9A-Z]{6}){5}", text)
    return m.group(0) if m else None


def integrity_ok(vault_sql, vault):
    code, out, err = run([vault_sql, vault, "PRAGMA integrity_check"])
    return code == 0 and out.strip() == "ok", (out + err).strip()


def make_vault(kura, vault_items, path, key_path, items, home):
    """A new vault of `items` items ("Item I", password "pw-I"); its key saved to key_path."""
    code, out, err = run([kura, "--vault", path, "init", "--json", "--no-kit"],
                         env=fresh_env(home))
    if code != 0:
        raise SystemExit("init failed: " + err)
    with open(key_path, "w") as f:
        f.write(client_key_in(out) + "\n")
    code, out, err = run([vault_items, path, key_path, "fill", str(items)], env=fresh_env(home),
                         timeout=600)
    if code != 0:
        raise SystemExit("fill failed: " + err)


def judge(case, code, err, figures, problem, message_ok):
    """Sorts one run of kura: crashed (not one of kura's exit codes 0-9: returns False),
    succeeded, or refused, whose one-line message message_ok(code, lines) must accept."""
    if code < 0 or code > 9:
        figures["crashes"] += 1
        problem("%s: crashed (%d) %s" % (case, code, err.strip()[-600:]))
        return False
    if code == 0:
        figures["succeeded"] += 1
        return True
    figures["refused"] += 1
    lines = err.strip().splitlines()
    if len(lines) != 1 or not message_ok(code, lines[0]):
        figures["bad_message"] += 1
        problem("%s: exit %d, %r" % (case, code, err.strip()[-600:]))
    return True
