# SPDX-License-Identifier: Apache-2.0
"""Processes: timed spawning, /proc inspection, mount-namespace switching."""

import ctypes
import os
import signal
import time

CLONE_NEWNS = 0x00020000
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


class CommandFailed(Exception):
    """A measured command exited non-zero, was killed, or ran out of time."""

    def __init__(self, argv, how, stderr):
        self.argv = argv
        self.how = how
        self.stderr = stderr.strip()
        tail = self.stderr.splitlines()[-3:] if self.stderr else []
        super().__init__("%s: %s%s" % (" ".join(argv[:6]), how, (": " + " | ".join(tail)) if tail else ""))


class Result:
    def __init__(self, ns, stdout, stderr):
        self.ns = ns  # wall time of the command, spawn to reap
        self.stdout = stdout
        self.stderr = stderr


class _Timeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


class Spawner:
    """Runs commands with posix_spawn and waitpid, timing each (wall clock), with
    stdio on /dev/null or files (never pipes: a container that inherits a pipe would
    keep a reader waiting). Single-threaded on purpose: setns(CLONE_NEWNS) needs it."""

    def __init__(self, scratch):
        self.out_path = os.path.join(scratch, "cmd.out")
        self.err_path = os.path.join(scratch, "cmd.err")
        # stdin is an empty file of ours, not /dev/null: runsc hands its stdio to the
        # container user (chown), which would change the owner of the host's /dev/null
        self.in_path = os.path.join(scratch, "cmd.in")
        open(self.in_path, "w").close()
        signal.signal(signal.SIGALRM, _on_alarm)

    def run(self, argv, capture=False, timeout=120.0, check=True):
        out = self.out_path  # a file, not /dev/null, for the same reason as stdin
        acts = [
            (os.POSIX_SPAWN_OPEN, 0, self.in_path, os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            (os.POSIX_SPAWN_OPEN, 2, self.err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
        ]
        t0 = time.perf_counter_ns()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=acts, setsid=False)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            _, status = os.waitpid(pid, 0)
        except _Timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise CommandFailed(argv, "timed out after %gs" % timeout, _read(self.err_path))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        dt = time.perf_counter_ns() - t0
        if check and status != 0:
            how = ("exit %d" % os.waitstatus_to_exitcode(status)) if os.WIFEXITED(status) else (
                "signal %d" % os.WTERMSIG(status))
            raise CommandFailed(argv, how, _read(self.err_path))
        return Result(dt, _read(self.out_path) if capture else "", _read(self.err_path))


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


class MountNamespaces:
    """The host's mount namespace and, on demand, a private one whose /sys/fs/cgroup is a
    pure cgroup2 mount (crun refuses this hybrid host). The harness switches itself between
    them with setns before spawning a runtime, so nothing extra runs in the timed path."""

    def __init__(self):
        self.fds = {"host": os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)}
        self.current = "host"

    def make_cgroup2(self):
        if "v2" in self.fds:
            return
        self.enter("host")
        _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
        try:
            _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
            if os.path.ismount("/sys/fs/cgroup"):
                _check(_libc.umount2(b"/sys/fs/cgroup", MNT_DETACH), "umount -l /sys/fs/cgroup")
            _check(_libc.mount(b"none", b"/sys/fs/cgroup", b"cgroup2", 0, None), "mount -t cgroup2 /sys/fs/cgroup")
            self.fds["v2"] = os.open("/proc/self/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
            self.current = "v2"
        finally:
            self.enter("host")

    def enter(self, name):
        if name == self.current:
            return
        _check(_libc.setns(self.fds[name], CLONE_NEWNS), "setns(mnt %s)" % name)
        self.current = name

    def close(self):
        self.enter("host")
        for fd in self.fds.values():
            os.close(fd)
        self.fds = {}


def _check(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, "%s: %s" % (what, os.strerror(err)))


# ---------- /proc ----------


def _each_process_file(name, mode="r"):
    """(pid, content of /proc/PID/name) of every process; those gone meanwhile are passed over."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/%s" % (d, name), mode) as f:
                content = f.read()
        except OSError:
            continue
        yield int(d), content


def processes():
    """(pid, argv) of every process we can read."""
    for pid, raw in _each_process_file("cmdline", "rb"):
        if raw:
            yield pid, [a.decode(errors="replace") for a in raw.rstrip(b"\0").split(b"\0")]


def memory_kib(pid):
    """(Rss, Pss, Uss) of a process in KiB from smaps_rollup, or None when it is gone.
    Uss (Private_Clean + Private_Dirty) is what killing it would free."""
    v = {}
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                k, _, rest = line.partition(":")
                if k in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                    v[k] = int(rest.split()[0])
    except OSError:
        return None
    if len(v) != 4:
        return None
    return v["Rss"], v["Pss"], v["Private_Clean"] + v["Private_Dirty"]


def sum_memory_kib(pids):
    """(Rss, Pss, Uss) summed over processes (threads share their process's numbers)."""
    tot = [0, 0, 0]
    for p in pids:
        m = memory_kib(p)
        if m:
            tot = [a + b for a, b in zip(tot, m)]
    return tuple(tot)


def descendants(pid):
    """pid and every process below it."""
    children = {}
    for child, st in _each_process_file("stat"):
        ppid = int(st[st.rindex(")") + 2:].split()[1])  # after "(comm)", which may hold anything
        children.setdefault(ppid, []).append(child)
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def meminfo_kib():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":", 1)
            out[k] = int(v.split()[0])
    return out


def kill_pids(pids):
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
