#!/usr/bin/env python3
"""Drives a command on a pseudo-terminal, as a person at a keyboard would.

    pty_drive.py [-e REGEX | -s TEXT | -c]... -- COMMAND ARGS...

-e waits (30 s at most) for REGEX in what the command has written to the terminal since
the last match; -s types TEXT and Enter; -c sends Ctrl-C. Prints the whole transcript (the
terminal saw stdout and stderr both) and exits with the command's status; 124 if an
expectation timed out or the command did not finish within 30 s of the last step."""
import os
import pty
import re
import select
import sys
import time

# Seconds to wait for an expected text, and for the end; generous, for a loaded machine
# running the ASan build: only a failing run ever waits this long.
LIMIT = 30


def main(argv):
    sep = argv.index("--")
    steps, cmd = argv[1:sep], argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    transcript = b""
    seen = 0

    def read_some(timeout):
        nonlocal transcript
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        transcript += data
        return True

    status = 0
    i = 0
    while i < len(steps):
        flag = steps[i]
        if flag == "-e":
            pat = re.compile(steps[i + 1].encode())
            deadline = time.time() + LIMIT
            while True:
                m = pat.search(transcript, seen)
                if m:
                    seen = m.end()
                    break
                if time.time() > deadline or not read_some(0.1):
                    m = pat.search(transcript, seen)
                    if m:
                        seen = m.end()
                        break
                    sys.stdout.write(transcript.decode(errors="replace"))
                    sys.stdout.write("\n[pty_drive: timed out waiting for %r]\n" % steps[i + 1])
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    return 124
            i += 2
        elif flag == "-s":
            time.sleep(0.05)
            os.write(fd, steps[i + 1].encode() + b"\r")
            i += 2
        elif flag == "-c":
            os.write(fd, b"\x03")
            i += 1
        else:
            print("pty_drive: unknown step " + flag, file=sys.stderr)
            return 2
    # The steps are done: the command must finish within LIMIT (a prompt nobody answers would
    # otherwise hang the suite).
    deadline = time.time() + LIMIT
    while True:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            sys.stdout.write(transcript.decode(errors="replace"))
            sys.stdout.write("\n[pty_drive: the command did not finish; killed]\n")
            return 124
        read_some(0.1)
    while read_some(0.2):
        pass
    sys.stdout.write(transcript.decode(errors="replace"))
    if os.WIFEXITED(st):
        status = os.WEXITSTATUS(st)
    else:
        status = 128 + os.WTERMSIG(st)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
