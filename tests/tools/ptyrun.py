#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs a command on a new pseudo-terminal, the way a user's terminal would, for tests.

    ptyrun.py [--size ROWSxCOLS] [--timeout S] [--termios-report FILE]
              [[--wait PATTERN] [--resize ROWSxCOLS] [--input TEXT]]... -- CMD [ARG...]

The command gets a fresh pty as its controlling terminal and stdin/stdout/stderr (in a new
session), with the window size --size (default 24x80). Everything it writes is copied to
our stdout. Steps run in order, like console_recv's: each --input is written once the
output (after the previous step's match) contains the --wait PATTERN before it (if any);
a --resize before it changes the window size first (the kernel sends SIGWINCH to the
terminal's foreground process group, as when a user resizes their terminal window).
TEXT is written as given (use $'...\\n' in bash for a newline); a lone --wait/--resize is
a step of its own.

We keep the terminal's peer open ourselves so that we can compare its termios settings
before and after (a runtime that puts the terminal in raw mode must restore it): with
--termios-report FILE, FILE gets "termios=same" or "termios=changed <fields>".

Exit status: the command's (128+N when killed by signal N); 124 on timeout (the command's
process group is killed: only what we started); 125 if steps were left undone.
"""
import argparse
import fcntl
import os
import select
import signal
import struct
import sys
import termios
import time


def parse_size(text):
    try:
        rows, cols = text.split("x")
        return int(rows), int(cols)
    except ValueError:
        raise argparse.ArgumentTypeError("want ROWSxCOLS, got %r" % text)


def set_size(fd, size):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))


class Step(argparse.Action):
    """Collects --wait/--resize/--input into an ordered list of steps."""

    def __call__(self, parser, ns, value, option):
        steps = getattr(ns, "steps", None) or []
        cur = getattr(ns, "cur", None) or {}
        key = option.lstrip("-")
        if key in cur:  # a second --wait/--resize before an --input: its own step
            steps.append(cur)
            cur = {}
        cur[key] = value
        if key == "input":
            steps.append(cur)
            cur = {}
        ns.steps, ns.cur = steps, cur


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=parse_size, default=(24, 80))
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--termios-report")
    ap.add_argument("--wait", action=Step)
    ap.add_argument("--resize", action=Step, type=parse_size)
    ap.add_argument("--input", action=Step)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command")
    steps = (getattr(args, "steps", None) or []) + (
        [args.cur] if getattr(args, "cur", None) else [])

    master, slave = os.openpty()
    set_size(slave, args.size)
    before = termios.tcgetattr(slave)

    pid = os.fork()
    if pid == 0:
        try:
            os.close(master)
            os.setsid()
            fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
            for fd in (0, 1, 2):
                os.dup2(slave, fd)
            if slave > 2:
                os.close(slave)
            os.execvp(cmd[0], cmd)
        except OSError as e:
            os.write(2, ("ptyrun: exec %s: %s\n" % (cmd[0], e)).encode())
        os._exit(127)

    deadline = time.monotonic() + args.timeout
    out = b""
    seen = 0
    nxt = 0
    status = None

    def run_steps():
        nonlocal seen, nxt
        while nxt < len(steps):
            s = steps[nxt]
            if "wait" in s:
                hit = out.find(s["wait"].encode(), seen)
                if hit < 0:
                    return
                seen = hit + len(s["wait"].encode())
            if "resize" in s:
                set_size(master, s["resize"])
            if "input" in s:
                os.write(master, s["input"].encode())
            nxt += 1

    def drain(block_s):
        """Reads what the master has within block_s seconds; False at EIO/EOF."""
        nonlocal out
        r, _, _ = select.select([master], [], [], block_s)
        if not r:
            return True
        try:
            data = os.read(master, 65536)
        except OSError:
            return False
        if not data:
            return False
        out += data
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return True

    while True:
        run_steps()
        if time.monotonic() > deadline:
            sys.stderr.write("ptyrun: timeout after %gs\n" % args.timeout)
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
            sys.exit(124)
        if status is None:
            wpid, st = os.waitpid(pid, os.WNOHANG)
            if wpid == pid:
                status = st
        if status is not None:
            # the command is gone: take what its terminal still holds, then stop
            while drain(0):
                r, _, _ = select.select([master], [], [], 0)
                if not r:
                    break
            break
        drain(0.1)
    run_steps()

    if args.termios_report:
        after = termios.tcgetattr(slave)
        names = ["iflag", "oflag", "cflag", "lflag", "ispeed", "ospeed", "cc"]
        diff = [n for n, a, b in zip(names, before, after) if a != b]
        with open(args.termios_report, "w") as f:
            f.write("termios=same\n" if not diff else "termios=changed %s\n" % " ".join(diff))

    if nxt < len(steps):
        sys.stderr.write("ptyrun: command ended with %d step(s) left, waiting for %r\n"
                         % (len(steps) - nxt, steps[nxt].get("wait")))
        sys.exit(125)
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()
