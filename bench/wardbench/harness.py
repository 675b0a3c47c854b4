# SPDX-License-Identifier: Apache-2.0
"""The benchmark's shared state: runtimes, bundles, samples, and the cleanup that leaves
no container, process, cgroup or mount of ours behind."""

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from . import bundles as bnd
from . import proc
from .proc import CommandFailed
from .runtimes import make_runtimes, policy_runtime

STATE_PARENT = "/run"  # runtimes want their state on tmpfs


class Bench:
    def __init__(self, opts, repo):
        self.opts = opts
        self.repo = repo
        self.rng = random.Random(opts.seed)
        self.samples = []
        self.skipped = {}  # "runtime@level" or section -> why
        self.missing = {}
        self.rts = []
        self.policy_rts = []
        self.bundles = {}
        self.bundle_args = {}
        self.work = None
        self.state_top = None
        self.ns = None
        self.spawner = None
        self.probe = None
        self.id_prefix = "wb%d-" % os.getpid()
        self._last_progress = {}

    # ---------- output ----------

    def log(self, msg):
        print(msg, file=sys.stderr, flush=True)

    def progress(self, what, done, total=None):
        if total is None:
            self.log("  %s: %s done" % (what, done))
            return
        step = max(1, total // 10)
        if done == total or done % step == 0:
            self.log("  %s: %d/%d" % (what, done, total))

    def record(self, section, metric, runtime, value, unit, param="", it=0):
        self.samples.append({"section": section, "metric": metric, "runtime": runtime, "param": param,
                             "iteration": it, "value": value, "unit": unit})

    def shuffled(self, items):
        items = list(items)
        self.rng.shuffle(items)
        return items

    # ---------- running ----------

    def call(self, rt, argv, capture=False, timeout=None):
        self.ns.enter(rt.ns)
        r = self.spawner.run(argv, capture=capture, timeout=timeout or self.opts.timeout)
        if r.stderr:
            self._note_warnings(rt, argv, r.stderr)
        return r

    def _note_warnings(self, rt, argv, stderr):
        """Counts the warnings and errors a command printed although it succeeded (runc's
        logfmt: level=warning msg=...), so the report shows what went wrong quietly."""
        for line in stderr.splitlines():
            if "level=warning" in line or "level=error" in line:
                msg = line.split("msg=", 1)[-1].strip().strip('"')
                for cid in rt.ids | {a for a in argv if a.startswith(self.id_prefix)}:
                    msg = msg.replace(cid, "<id>")  # one entry per kind of message, not per container
                key = "%s: %s" % (argv[len(rt.argv())] if len(argv) > len(rt.argv()) else "?", msg)
                rt.warnings[key] = rt.warnings.get(key, 0) + 1

    def host_call(self, argv):
        self.ns.enter("host")
        return self.spawner.run(argv, capture=True, timeout=self.opts.timeout)

    # ---------- setup ----------

    def setup(self):
        o = self.opts
        self.work = tempfile.mkdtemp(prefix="ward-bench.", dir="/tmp")
        self.state_top = tempfile.mkdtemp(prefix="ward-bench.", dir=STATE_PARENT)
        self.spawner = proc.Spawner(self.work)
        self.ns = proc.MountNamespaces()
        self.probe = self._build_probe()
        self.rts, self.missing = make_runtimes(o.runtimes, o.ward, self.state_top, o.cgroups)
        for name, why in self.missing.items():
            self.log("runtime %s unavailable: %s" % (name, why))
        if any(rt.ns == "v2" for rt in self.rts):
            self.ns.make_cgroup2()
        self._make_bundles()
        ward_rt = next((rt for rt in self.rts if rt.kind == "ward"), None)
        if ward_rt and "policy" in o.sections:
            for n in o.policy_sizes:
                path = bnd.write_policy(os.path.join(self.work, "policy-%d.json" % n), n)
                self.policy_rts.append((n, policy_runtime(ward_rt, "ward-%drules" % n, path, self.state_top)))

    def _build_probe(self):
        out = os.path.join(self.opts.out, "probe")
        src = os.path.join(self.repo, "bench", "probe.c")
        os.makedirs(self.opts.out, exist_ok=True)
        subprocess.run(["gcc", "-std=gnu11", "-D_GNU_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror",
                        "-static", "-o", out, src], check=True)
        return out

    def _make_bundles(self):
        o = self.opts
        ward = o.ward
        mk = lambda name, args, **kw: bnd.make_bundle(self.repo, ward, os.path.join(self.work, name), args,
                                                      probe=self.probe, **kw)
        self.bundles["true"] = mk("true", ["/bin/true"])
        self.bundles["sleep"] = mk("sleep", ["/bin/sleep", "1000000"])
        self.bundles["syscalls"] = mk("syscalls", ["/bin/probe", "syscalls", str(o.batches)], net_admin=True)
        self.bundles["connect"] = mk("connect", ["/bin/probe", "connect", str(o.batches)], net_admin=True)
        files = ('d=$(mktemp -d /scratch/w.XXXXXX) && cd "$d" && tar xf /data/tree.tar && '
                 'ls -lR . >/dev/null && grep -rl needle . >/dev/null && cd / && rm -rf "$d"')
        # file-heavy: every read-only open is one the ward filter hands to the supervisor under
        # proc.virtualize (default, agent), every open and unlink one more under audit.files (agent)
        tree_work = ('d=$(mktemp -d /scratch/w.XXXXXX) && cd "$d" && tar xf /data/tree.tar && '
                     'find . >/dev/null && ls -R . >/dev/null && '
                     'find . -type f | while read f; do read l <"$f"; done; cd / && rm -rf "$d"')
        procs = 'i=0; while [ $i -lt %d ]; do /bin/probe nop; i=$((i+1)); done' % o.work_procs
        self.bundle_args = {
            "files": ["/bin/probe", "time", "/bin/sh", "-c", files],
            "procs": ["/bin/probe", "time", "/bin/sh", "-c", procs],
            "tree": ["/bin/probe", "time", "/bin/sh", "-c", tree_work],
            "net": ["/bin/probe", "netloop", str(o.work_requests)],
        }
        tree = bnd.tree_tar(o.work_dirs, 50)
        self.bundles["w-files"] = mk("w-files", self.bundle_args["files"], scratch=True, data={"tree.tar": tree})
        big = bnd.tree_tar(o.work_tree_dirs, 50)
        self.bundles["w-tree"] = mk("w-tree", self.bundle_args["tree"], scratch=True, data={"tree.tar": big})
        self.bundles["w-procs"] = mk("w-procs", self.bundle_args["procs"])
        self.bundles["w-net"] = mk("w-net", self.bundle_args["net"], net_admin=True)

    @property
    def density_levels(self):
        top = self.opts.density
        levels = [n for n in (1, 10, 100, 500, 1000) if n <= top]
        if top not in levels:
            levels.append(top)
        return levels

    def all_runtimes(self):
        return list(self.rts) + [rt for _, rt in self.policy_rts]

    # ---------- cleanup ----------

    def cleanup(self):
        """Deletes every container we may have made, kills what is left of ours by pid,
        removes our cgroups, mounts and directories. Never raises."""
        if self.ns is None:
            return
        for rt in self.all_runtimes():
            try:
                self._cleanup_runtime(rt)
            except Exception as e:  # keep going: the next runtime must be cleaned too
                self.log("cleanup of %s: %s" % (rt.name, e))
        for ns in list(self.ns.fds):
            try:
                self.ns.enter(ns)
                self._remove_cgroups()
                self._umount_under([self.work, self.state_top])
            except Exception as e:
                self.log("cleanup in %s mount namespace: %s" % (ns, e))
        try:
            self.ns.close()
        except OSError as e:
            self.log("cleanup: %s" % e)
        for d in (self.work, self.state_top):
            if d and os.path.isdir(d):
                shutil.rmtree(d, ignore_errors=True)

    def _cleanup_runtime(self, rt):
        ids = set(rt.ids)
        if os.path.isdir(rt.root):
            list_flag = "-quiet" if rt.kind == "runsc" else "--quiet"
            try:
                out = self.call(rt, rt.argv("list", list_flag), capture=True, timeout=60).stdout
                ids.update(l.strip() for l in out.splitlines() if l.strip())
            except CommandFailed:
                pass
        for cid in sorted(ids):
            try:
                self.call(rt, rt.delete(cid, force=True), timeout=60)
            except CommandFailed:
                pass  # most of these were deleted already (run deletes its container)
        rt.ids.clear()
        left = rt.everything_pids()
        if left:
            self.log("cleanup: killing %d leftover process(es) of %s: %s" % (len(left), rt.name, left))
            proc.kill_pids(left)
            time.sleep(0.2)

    def _remove_cgroups(self):
        """cgroup directories named after our containers (every id starts with our prefix)."""
        found = []
        for top, dirs, _ in os.walk("/sys/fs/cgroup"):
            for d in dirs:
                if d.startswith(self.id_prefix):
                    found.append(os.path.join(top, d))
        for path in sorted(found, key=len, reverse=True):
            for _ in range(20):
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    try:
                        with open(os.path.join(path, "cgroup.procs")) as f:
                            proc.kill_pids(int(p) for p in f.read().split())
                    except OSError:
                        pass
                    time.sleep(0.05)
            else:
                self.log("cleanup: cannot remove cgroup %s" % path)

    def _umount_under(self, dirs):
        dirs = [d for d in dirs if d]
        mps = []
        with open("/proc/self/mountinfo") as f:
            for line in f:
                mp = line.split()[4].replace("\\040", " ")
                if any(mp == d or mp.startswith(d + "/") for d in dirs):
                    mps.append(mp)
        for mp in sorted(mps, key=len, reverse=True):
            subprocess.run(["umount", "-l", mp], stderr=subprocess.DEVNULL)
