# SPDX-License-Identifier: Apache-2.0
"""The measurements. Each section interleaves the runtimes within every iteration (in a
fresh random order each time), so slow drift of the machine hits all of them alike."""

import os
import time

from . import proc
from .proc import CommandFailed
from .runtimes import parse_state

HOST = "host"  # the native baseline: the same binary without a container
# The host again, in its own slot of the shuffled order: getppid without and with an
# allow-all seccomp filter (probe floor). Its samples are recorded under HOST.
SECCOMP_FLOOR = "host-seccomp-floor"


class Section:
    def __init__(self, bench, name):
        self.b = bench
        self.name = name

    def ok(self, rt):
        return self.name not in rt.disabled

    def fail(self, rt, err, can_disable=True):
        """Records a failed measurement (reported, never hidden). After --max-failures of
        them the runtime leaves the section; the other runtimes go on."""
        errs = rt.errors.setdefault(self.name, [])
        errs.append(str(err))
        if can_disable and len(errs) >= self.b.opts.max_failures:
            rt.disabled.add(self.name)
            self.b.log("  %s: %s failed (%d times), skipped from now on: %s" % (self.name, rt.name, len(errs), err))
        else:
            self.b.log("  %s: %s failed: %s" % (self.name, rt.name, err))

    def rec(self, metric, who, value, unit, param="", it=0):
        self.b.record(self.name, metric, who, value, unit, param, it)

    def rounds(self, who):
        """(repeat, participant) for --repeats rounds over who, each round in a fresh random
        order; logs the progress after each round."""
        n = self.b.opts.repeats
        for rep in range(n):
            for rt in self.b.shuffled(who):
                yield rep, rt
            self.b.progress(self.name, rep + 1, n)

    def run_once(self, rt, bundle, tag, native_argv=None):
        """One run of a measuring program: native_argv on the host when it is given (rt
        is then a host baseline), else bundle in a fresh container of rt. Returns the
        key=value lines it printed as a dict, or None when rt has left the section or
        failed (recorded). The host failing raises: without the baseline no ratio means
        anything."""
        try:
            if native_argv is not None:
                return _kv(self.b.host_call(native_argv).stdout)
            if not self.ok(rt):
                return None
            cid = rt.new_id(tag)
            out = self.b.call(rt, rt.run(bundle, cid), capture=True).stdout
            rt.ids.discard(cid)
            return _kv(out)
        except CommandFailed as e:
            if native_argv is not None:
                raise
            self.fail(rt, e)
            return None


def _kv(text):
    out = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            try:
                out[k.strip()] = float(v)
            except ValueError:
                pass
    return out


def wait_stopped(b, rt, cid, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st = parse_state(b.call(rt, rt.state(cid), capture=True).stdout)
        if st.get("status") == "stopped":
            return
        time.sleep(0.002)
    raise CommandFailed(rt.state(cid), "not stopped after %gs" % timeout, "")


def state_pid(b, rt, cid):
    st = parse_state(b.call(rt, rt.state(cid), capture=True).stdout)
    return int(st.get("pid") or 0)


def delete_quietly(b, rt, cid):
    try:
        b.call(rt, rt.delete(cid, force=True), timeout=60)
        rt.ids.discard(cid)
    except CommandFailed as e:
        b.log("  cleanup: %s delete %s: %s" % (rt.name, cid, e))


# ---------- lifecycle ----------


def lifecycle(b):
    s = Section(b, "lifecycle")
    bt, bs = b.bundles["true"], b.bundles["sleep"]
    sleepers = {}
    for rt in b.rts:
        try:
            cid = rt.new_id("x")
            b.call(rt, rt.create(bs, cid))
            b.call(rt, rt.start(cid))
            sleepers[rt.name] = cid
        except CommandFailed as e:
            s.fail(rt, e)
    try:
        for it in range(b.opts.iterations):
            for rt in b.shuffled(b.rts):
                if not s.ok(rt):
                    continue
                try:
                    cid = rt.new_id("r")
                    r = b.call(rt, rt.run(bt, cid))
                    rt.ids.discard(cid)
                    s.rec("run", rt.name, r.ns / 1e6, "ms", it=it)

                    cid = rt.new_id("c")
                    r = b.call(rt, rt.create(bt, cid))
                    s.rec("create", rt.name, r.ns / 1e6, "ms", it=it)
                    r = b.call(rt, rt.start(cid))
                    s.rec("start", rt.name, r.ns / 1e6, "ms", it=it)
                    wait_stopped(b, rt, cid)
                    r = b.call(rt, rt.delete(cid))
                    rt.ids.discard(cid)
                    s.rec("delete", rt.name, r.ns / 1e6, "ms", it=it)

                    r = b.call(rt, rt.exec(sleepers[rt.name], "/bin/true"))
                    s.rec("exec", rt.name, r.ns / 1e6, "ms", it=it)
                except CommandFailed as e:
                    s.fail(rt, e)
            b.progress("lifecycle", it + 1, b.opts.iterations)
    finally:
        for rt in b.rts:
            if rt.name in sleepers:
                delete_quietly(b, rt, sleepers[rt.name])


# ---------- per-call costs ----------


# what probe syscalls prints, and probe floor's two getppid lines (host only)
SYSCALL_METRICS = ("getppid", "openat", "connect", "meminfo", "getppid_nofilter", "getppid_floor")


def syscalls(b):
    s = Section(b, "syscalls")
    bundle = b.bundles["syscalls"]
    batches = str(b.opts.batches)
    natives = {HOST: [b.probe, "syscalls", batches], SECCOMP_FLOOR: [b.probe, "floor", batches]}
    for rep, rt in s.rounds(list(natives) + list(b.rts)):
        native = natives.get(rt)  # None for a runtime
        vals = s.run_once(rt, bundle, "s", native)
        if vals is None:
            continue
        for call in SYSCALL_METRICS:
            if call in vals:
                s.rec(call, HOST if native else rt.name, vals[call], "ns", it=rep)


# ---------- memory ----------


def memory(b):
    s = Section(b, "memory")
    bundle = b.bundles["sleep"]
    for rep, rt in s.rounds(b.rts):
        if not s.ok(rt):
            continue
        cid = rt.new_id("m")
        try:
            # through the probe: ru_maxrss counts the image before exec, and the
            # harness's own (python's) would otherwise be the floor of every number
            r = b.call(rt, [b.probe, "rusage"] + rt.create(bundle, cid), capture=True)
            s.rec("create_maxrss", rt.name, _kv(r.stdout)["maxrss_kib"], "KiB", it=rep)
            b.call(rt, rt.start(cid))
            time.sleep(b.opts.settle)
            rss, pss, uss = proc.sum_memory_kib(rt.helper_pids())
            s.rec("helper_rss", rt.name, rss, "KiB", it=rep)
            s.rec("helper_pss", rt.name, pss, "KiB", it=rep)
            s.rec("helper_uss", rt.name, uss, "KiB", it=rep)
            if rt.kind != "runsc":  # runsc's container lives inside its sandbox
                pid = state_pid(b, rt, cid)
                if pid > 0:
                    crss, cpss, _ = proc.sum_memory_kib(proc.descendants(pid))
                    s.rec("container_rss", rt.name, crss, "KiB", it=rep)
                    s.rec("container_pss", rt.name, cpss, "KiB", it=rep)
        except CommandFailed as e:
            s.fail(rt, e)
        finally:
            delete_quietly(b, rt, cid)


# ---------- policy size ----------


def policy_size(b):
    s = Section(b, "policy")
    bundle, bt = b.bundles["connect"], b.bundles["true"]
    sized = b.policy_rts  # [(rules, runtime)]
    refs = [rt for rt in b.rts]
    who = [HOST] + refs + [rt for _, rt in sized]
    rules_of = {rt.name: n for n, rt in sized}
    for rep, rt in s.rounds(who):
        name = HOST if rt == HOST else rt.name
        if name in rules_of and s.ok(rt):
            try:
                # what a big policy costs at create (parse, compile, supervisor start)
                cid = rt.new_id("p")
                r = b.call(rt, rt.create(bt, cid))
                s.rec("create", name, r.ns / 1e6, "ms", param=rules_of[name], it=rep)
                b.call(rt, rt.delete(cid, force=True))
                rt.ids.discard(cid)
            except CommandFailed as e:
                s.fail(rt, e)
                continue
        native = [b.probe, "connect", str(b.opts.batches)] if rt == HOST else None
        vals = s.run_once(rt, bundle, "q", native)
        if vals is not None and "connect" in vals:
            s.rec("connect", name, vals["connect"], "ns", param=rules_of.get(name, ""), it=rep)


# ---------- workloads ----------

WORKLOADS = ("files", "tree", "procs", "net")


def workloads(b):
    s = Section(b, "workloads")
    who = [HOST] + list(b.rts)
    for rep, rt in s.rounds(who):
        for w in WORKLOADS:
            bundle = b.bundles["w-" + w]
            native = None
            if rt == HOST:
                # the same files and programs, chrooted into the bundle's rootfs
                native = ["/usr/sbin/chroot", os.path.join(bundle, "rootfs")] + b.bundle_args[w]
            vals = s.run_once(rt, bundle, "w", native)
            if vals is None:
                break  # left the section or failed: its other workloads wait for the next repeat
            if "elapsed_ns" in vals:
                s.rec(w, HOST if native else rt.name, vals["elapsed_ns"] / 1e6, "ms", it=rep)


# ---------- density ----------


def density(b):
    s = Section(b, "density")
    bundle = b.bundles["sleep"]
    for level in b.density_levels:
        for rt in b.shuffled(b.rts):
            key = "%s@%d" % (rt.name, level)
            if rt.kind == "runsc" and level > b.opts.runsc_density_max:
                b.skipped[key] = "runsc sandboxes are ~40 MB each: above --runsc-density-max %d" % (
                    b.opts.runsc_density_max)
                continue
            if not s.ok(rt):
                continue
            ids = []
            try:
                mem0 = proc.meminfo_kib()["MemAvailable"]
                t0 = time.perf_counter_ns()
                for i in range(level):
                    cid = rt.new_id("d")
                    ids.append(cid)
                    r = b.call(rt, rt.create(bundle, cid))
                    s.rec("create", rt.name, r.ns / 1e6, "ms", param=level, it=i)
                    b.call(rt, rt.start(cid))
                s.rec("start_all", rt.name, (time.perf_counter_ns() - t0) / 1e9, "s", param=level)
                time.sleep(b.opts.settle)
                mem1 = proc.meminfo_kib()["MemAvailable"]
                s.rec("memavail_drop_per_ctr", rt.name, (mem0 - mem1) / level, "KiB", param=level)
                rss, pss, uss = proc.sum_memory_kib(rt.helper_pids())
                cpss = 0
                if rt.kind != "runsc":
                    for cid in ids:
                        pid = state_pid(b, rt, cid)
                        if pid > 0:
                            cpss += proc.sum_memory_kib(proc.descendants(pid))[1]
                s.rec("helper_rss_per_ctr", rt.name, rss / level, "KiB", param=level)
                s.rec("helper_pss_per_ctr", rt.name, pss / level, "KiB", param=level)
                s.rec("helper_uss_per_ctr", rt.name, uss / level, "KiB", param=level)
                s.rec("total_pss_per_ctr", rt.name, (pss + cpss) / level, "KiB", param=level)
            except CommandFailed as e:
                s.fail(rt, "at %d of %d containers: %s" % (len(ids), level, e), can_disable=False)
                b.skipped[key] = "failed at container %d of %d: %s" % (len(ids), level, e)
            finally:
                t0 = time.perf_counter_ns()
                for cid in ids:
                    delete_quietly(b, rt, cid)
                if ids and key not in b.skipped:
                    s.rec("delete_all", rt.name, (time.perf_counter_ns() - t0) / 1e9, "s", param=level)
            b.progress("density N=%d" % level, rt.name)


SECTIONS = {
    "lifecycle": lifecycle,
    "syscalls": syscalls,
    "memory": memory,
    "policy": policy_size,
    "workloads": workloads,
    "density": density,
}
