# SPDX-License-Identifier: Apache-2.0
"""Raw numbers (CSV, JSON), the Markdown report, and the target verdicts."""

import csv
import json
import os

from .stats import median, ratio_ci, summary

OTHERS = ("runc", "crun", "runsc")
WARDS = ("ward-default", "ward-agent", "ward-none")
HOST = "host"

# (section, metric, label, unit, lower is better)
SUMMARY_ROWS = [
    ("lifecycle", "run", "run /bin/true", "ms"),
    ("lifecycle", "create", "create", "ms"),
    ("lifecycle", "start", "start", "ms"),
    ("lifecycle", "delete", "delete", "ms"),
    ("lifecycle", "exec", "exec /bin/true", "ms"),
    ("syscalls", "getppid", "getppid (unmediated)", "ns"),
    ("syscalls", "openat", "openat+close", "ns"),
    ("syscalls", "connect", "connect 127.0.0.1", "ns"),
    ("syscalls", "meminfo", "read /proc/meminfo", "ns"),
    ("workloads", "files", "files: untar, ls -lR, grep -r", "ms"),
    ("workloads", "tree", "files: untar, find, ls -R, sh loop opening each", "ms"),
    ("workloads", "procs", "procs: sh loop of fork+exec", "ms"),
    ("workloads", "net", "net: loopback request loop", "ms"),
    ("memory", "create_maxrss", "create: peak RSS", "KiB"),
    ("memory", "helper_rss", "left running: RSS", "KiB"),
    ("memory", "helper_pss", "left running: PSS", "KiB"),
    ("memory", "helper_uss", "left running: USS (private)", "KiB"),
]


class Data:
    """Samples indexed by (section, metric, runtime, param) -> [values]."""

    def __init__(self, samples):
        self.samples = samples
        self.idx = {}
        for s in samples:
            self.idx.setdefault((s["section"], s["metric"], s["runtime"], str(s["param"])), []).append(s["value"])

    def get(self, section, metric, runtime, param=""):
        return self.idx.get((section, metric, runtime, str(param)), [])

    def p50(self, *key):
        v = self.get(*key)
        return median(v) if v else None

    def runtimes(self, section, metric=None):
        """Runtimes with samples, in the reading order: host, ward's, the others, then the rest."""
        seen = []
        for (sec, met, rt, _) in self.idx:
            if sec == section and (metric is None or met == metric) and rt not in seen:
                seen.append(rt)
        order = ("host",) + WARDS + OTHERS
        return sorted(seen, key=lambda rt: (order.index(rt) if rt in order else len(order), rt))


def fmt(v, unit=""):
    if v is None:
        return "—"
    if unit == "ms":
        return "%.2f" % v if v < 100 else "%.0f" % v
    if unit == "ns":
        return "%.0f" % v
    if unit == "KiB":
        return "%.0f" % v
    if unit == "s":
        return "%.2f" % v
    return "%.3g" % v


def fmt_ratio(rc):
    if rc is None:
        return "—"
    r, lo, hi = rc
    if lo == hi == r:
        return "%.2f" % r
    return "%.2f [%.2f–%.2f]" % (r, lo, hi)


def _table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# ---------- pieces ----------


def seccomp_floor(d):
    """What any seccomp filter costs getppid on this machine, from the host's `probe floor`
    runs (getppid in one process without, then with, a one-instruction allow filter), and
    each ward policy's getppid against it; None when the syscalls section did not run."""
    floor = d.get("syscalls", "getppid_floor", HOST)
    nofilter = d.get("syscalls", "getppid_nofilter", HOST)
    if not floor or not nofilter:
        return None
    return {"floor_ns": median(floor), "nofilter_ns": median(nofilter),
            "floor_vs_nofilter": ratio_ci(floor, nofilter),
            "ward_vs_floor": {w: ratio_ci(d.get("syscalls", "getppid", w), floor)
                              for w in WARDS if d.get("syscalls", "getppid", w)}}


def seccomp_floor_note(d):
    f = seccomp_floor(d)
    if not f:
        return ""
    line = ("seccomp floor: host getppid %.0f ns with a one-instruction allow filter, %.0f ns without "
            "(same process): ×%s" % (f["floor_ns"], f["nofilter_ns"], fmt_ratio(f["floor_vs_nofilter"])))
    if f["ward_vs_floor"]:
        line += "; ward getppid ÷ floor: " + ", ".join(
            "%s %s" % (w[5:], fmt_ratio(r)) for w, r in f["ward_vs_floor"].items())
    return line


def summary_table(d):
    """The ward ÷ others table, then the seccomp floor (a host number, so not a row of it)."""
    rows = []
    for sec, met, label, unit in SUMMARY_ROWS:
        for w in WARDS:
            a = d.get(sec, met, w)
            if not a:
                continue
            row = [label, w[5:], fmt(median(a), unit)]
            for o in OTHERS:
                b = d.get(sec, met, o)
                if not b:
                    row.append("—")
                elif median(b) == 0:
                    row.append("%s: 0" % o)
                else:
                    row.append(fmt_ratio(ratio_ci(a, b)))
            rows.append(row)
    table = _table(["metric", "ward policy", "ward p50", "ward/runc", "ward/crun", "ward/runsc"], rows)
    note = seccomp_floor_note(d)
    return table + "\n\n" + note if note else table


def lifecycle_tables(d):
    parts = []
    for op in ("run", "create", "start", "delete", "exec"):
        rows = []
        for rt in d.runtimes("lifecycle", op):
            s = summary(d.get("lifecycle", op, rt))
            rows.append([rt, s["n"], fmt(s["p50"], "ms"), fmt(s["p90"], "ms"), fmt(s["p99"], "ms"),
                         fmt(s["min"], "ms"), fmt(s["max"], "ms")])
        if rows:
            parts.append("**%s** (ms)\n\n" % op + _table(["runtime", "n", "p50", "p90", "p99", "min", "max"], rows))
    return "\n\n".join(parts)


def _spread_vs(v, base, unit):
    """median (min–max) ×ratio to the median of base (no ratio without base)."""
    if not v:
        return "—"
    s = "%s" % fmt(median(v), unit)
    if len(v) > 1:
        s += " (%s–%s)" % (fmt(min(v), unit), fmt(max(v), unit))
    if base and median(base) > 0:
        s += " ×%.2f" % (median(v) / median(base))
    return s


def _vs_host(d, section, metric, rt, unit, param=""):
    return _spread_vs(d.get(section, metric, rt, param), d.get(section, metric, HOST) if rt != HOST else [], unit)


def syscall_table(d):
    """Per-call cost against the host, with the seccomp floor as a row of its own (the host
    under an allow-all filter, ×host in the getppid column) and each runtime's getppid ÷ it."""
    calls = ("getppid", "openat", "connect", "meminfo")
    floor = d.get("syscalls", "getppid_floor", HOST)

    def vs_floor(rt):
        v = d.get("syscalls", "getppid", rt)
        return "%.2f" % (median(v) / median(floor)) if v and floor and median(floor) > 0 else "—"

    rows = [[rt] + [_vs_host(d, "syscalls", c, rt, "ns") for c in calls] + [vs_floor(rt)]
            for rt in d.runtimes("syscalls")]
    if floor:  # right after the host's own row
        rows.insert(1 if rows and rows[0][0] == HOST else 0, ["host + allow-all seccomp filter (the floor)",
                        _spread_vs(floor, d.get("syscalls", "getppid", HOST), "ns")] + ["—"] * len(calls))
    return _table(["runtime"] + ["%s ns" % c for c in calls] + ["getppid ÷ seccomp floor"], rows)


def workload_table(d):
    ws = ("files", "tree", "procs", "net")
    rows = [[rt] + [_vs_host(d, "workloads", w, rt, "ms") for w in ws] for rt in d.runtimes("workloads")]
    return _table(["runtime", "files ms", "tree ms", "procs ms", "net ms"], rows)


def memory_table(d):
    rows = []
    for rt in d.runtimes("memory"):
        rows.append([rt] + [fmt(d.p50("memory", m, rt), "KiB") for m in
                            ("helper_rss", "helper_pss", "helper_uss", "container_rss", "container_pss",
                             "create_maxrss")])
    return _table(["runtime", "left running RSS KiB", "PSS KiB", "USS KiB", "container RSS KiB",
                   "container PSS KiB", "create peak RSS KiB"], rows)


def policy_table(d):
    rows = []
    runsc = d.p50("policy", "connect", "runsc")
    host = d.p50("policy", "connect", "host")
    refs = [(rt, "") for rt in d.runtimes("policy", "connect") if d.get("policy", "connect", rt)]
    sized = sorted((int(p), rt) for (sec, met, rt, p) in d.idx if sec == "policy" and met == "connect" and p)
    for rt, param in refs + [(rt, n) for n, rt in sized]:
        m = d.p50("policy", "connect", rt, param)
        create = d.p50("policy", "create", rt, param) if param else None
        rows.append([rt, param, fmt(m, "ns"), "%.2f" % (m / host) if host else "—",
                     "%.1f" % (runsc / m) if runsc else "—", fmt(create, "ms")])
    return _table(["runtime", "rules", "connect ns (p50)", "×host", "runsc ÷ this", "create ms"], rows)


def density_table(d, levels, skipped):
    rows = []
    for n in levels:
        for rt in d.runtimes("density"):
            c = d.get("density", "create", rt, n)
            if not c:
                why = skipped.get("%s@%d" % (rt, n))
                if why:
                    rows.append([n, rt, "—", "—", "—", "—", "—", "—", "—", "—", why])
                continue
            k = min(10, max(1, len(c) // 4))
            first, last = median(c[:k]), median(c[-k:])
            rows.append([n, rt, fmt(d.p50("density", "start_all", rt, n), "s"), fmt(first, "ms"), fmt(last, "ms"),
                         "%.2f" % (last / first) if first else "—",
                         fmt(d.p50("density", "memavail_drop_per_ctr", rt, n), "KiB"),
                         fmt(d.p50("density", "helper_uss_per_ctr", rt, n), "KiB"),
                         fmt(d.p50("density", "helper_pss_per_ctr", rt, n), "KiB"),
                         fmt(d.p50("density", "total_pss_per_ctr", rt, n), "KiB"),
                         skipped.get("%s@%d" % (rt, n), "")])
    return _table(["N", "runtime", "create+start all s", "create ms (first)", "create ms (last)", "growth",
                   "MemAvailable drop KiB/ctr", "helper USS KiB/ctr", "helper PSS KiB/ctr", "all PSS KiB/ctr",
                   "note"], rows)


# ---------- targets ----------


def targets(d, levels, skipped, ran):
    out = []

    def add(name, status, detail):
        out.append({"target": name, "status": status, "detail": detail})

    crun = d.get("lifecycle", "run", "crun")
    for w in ("ward-default", "ward-agent"):
        a = d.get("lifecycle", "run", w)
        if a and crun:
            r = ratio_ci(a, crun)
            add("`run` of /bin/true, supervisor on (%s): faster than crun" % w[5:],
                "met" if r[0] < 1 else "not met",
                "p50 %.2f ms vs crun %.2f ms: ratio %s" % (median(a), median(crun), fmt_ratio(r)))
        else:
            add("`run` faster than crun (%s)" % w[5:], "not measured", "needs lifecycle, %s and crun" % w)
    def within_5pct(target, a, base, base_name, also=""):
        r = ratio_ci(a, base)
        add(target, "met" if r[0] <= 1.05 else "not met",
            "%.0f ns vs %.0f ns %s: ×%s%s" % (median(a), median(base), base_name, fmt_ratio(r), also))

    host = d.get("syscalls", "getppid", HOST)
    floor = d.get("syscalls", "getppid_floor", HOST)
    # the least any seccomp filter costs here (bench/README.md): the second verdict asks
    # what ward's filter adds to it, the first (the design's) stays against native
    floor_text = ("; the seccomp floor (any filter) is %.0f ns: ×%s native" % (
        median(floor), fmt_ratio(ratio_ci(floor, host))) if floor and host else "")
    for w in ("ward-default", "ward-agent"):
        a = d.get("syscalls", "getppid", w)
        if a and host:
            within_5pct("unmediated syscall (getppid) within 5 %% of native (%s)" % w[5:], a, host, "native",
                        floor_text)
        else:
            add("unmediated syscalls within 5 %% of native (%s)" % w[5:], "not measured", "needs syscalls")
        target = "unmediated syscall within 5 %% of the seccomp floor (any filter) (%s)" % w[5:]
        if a and floor:
            within_5pct(target, a, floor, "floor")
        else:
            add(target, "not measured", "needs syscalls (the host's `probe floor`)")
    runsc = d.get("syscalls", "connect", "runsc") or d.get("policy", "connect", "runsc")
    med_rows = [("syscalls", "ward-agent", "", "agent policy: emulated connect")]
    med_rows += [("policy", rt, p, "%s-rule policy: emulated connect" % p)
                 for (sec, met, rt, p) in d.idx if sec == "policy" and met == "connect" and p]
    for sec, rt, p, what in med_rows:
        a = d.get(sec, "connect", rt, p)
        if a and runsc:
            r = median(runsc) / median(a)
            add("mediated call ≥10× cheaper than under runsc (%s)" % what, "met" if r >= 10 else "not met",
                "%.0f ns vs runsc %.0f ns: runsc is %.1f× slower" % (median(a), median(runsc), r))
    if not runsc:
        add("mediated call ≥10× cheaper than under runsc", "not measured", "needs runsc")
    for w in ("ward-default", "ward-agent"):
        rss = d.get("memory", "helper_rss", w)
        pss = d.get("memory", "helper_pss", w)
        uss = d.get("memory", "helper_uss", w)
        if rss:
            add("idle supervisor under 1 MiB resident (%s)" % w[5:], "met" if median(rss) < 1024 else "not met",
                "RSS %.0f KiB; of it private (USS) %.0f KiB, proportional (PSS) %.0f KiB: the rest is "
                "file pages (ward-supervisor's, or shared libraries') that other processes map too" % (
                    median(rss), median(uss) if uss else float("nan"), median(pss) if pss else float("nan")))
    for w in ("ward-default", "ward-agent"):
        key = "%s@500" % w
        if 500 in levels and d.get("density", "create", w, 500) and key not in skipped:
            add("500 concurrent supervised containers (%s)" % w[5:], "met",
                "started in %.1f s" % d.p50("density", "start_all", w, 500))
        elif key in skipped:
            add("500 concurrent supervised containers (%s)" % w[5:], "not met", skipped[key])
        elif "density" in ran:
            add("500 concurrent supervised containers (%s)" % w[5:], "not measured",
                "run `bench/run --density 500`")
    return out


# ---------- writers ----------


def write_all(bench, machine, started, finished):
    o = bench.opts
    d = Data(bench.samples)
    levels = bench.density_levels if "density" in o.sections else []
    tg = targets(d, levels, bench.skipped, o.sections)
    os.makedirs(o.out, exist_ok=True)

    with open(os.path.join(o.out, "raw.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["section", "metric", "runtime", "param", "iteration", "value", "unit"])
        for s in bench.samples:
            w.writerow([s["section"], s["metric"], s["runtime"], s["param"], s["iteration"], s["value"], s["unit"]])

    summ = {}
    for (sec, met, rt, param), v in d.idx.items():
        summ.setdefault(sec, {}).setdefault(met, {}).setdefault(rt, {})[param] = summary(v)
    ratios = []
    for sec, met, label, unit in SUMMARY_ROWS:
        for wname in WARDS:
            for oname in OTHERS:
                a, b = d.get(sec, met, wname), d.get(sec, met, oname)
                rc = ratio_ci(a, b) if a and b else None
                if rc:
                    ratios.append(dict({"section": sec, "metric": met, "ward": wname, "other": oname},
                                       **_ratio_json(rc)))
    rts = {}
    for rt in bench.all_runtimes():
        rts[rt.name] = {"kind": rt.kind, "binary": rt.binary, "args": rt.global_args, "mount_ns": rt.ns,
                        "version": machine["versions"].get(rt.kind, ""), "errors": rt.errors,
                        "warnings": rt.warnings}
    doc = {"machine": machine, "options": vars(o), "started": started, "finished": finished,
           "id_prefix": bench.id_prefix, "state_dir": bench.state_top, "work_dir": bench.work,
           "runtimes": rts, "unavailable": bench.missing, "skipped": bench.skipped, "summary": summ,
           "ratios": ratios, "seccomp_floor": _floor_json(d), "targets": tg, "samples": bench.samples}
    with open(os.path.join(o.out, "results.json"), "w") as f:
        json.dump(doc, f, indent=1, default=str)

    if not o.no_plots:
        from . import plots  # matplotlib is only needed here

        for msg in plots.draw_all(d, o.out, levels):
            bench.log("plots: " + msg)
    md = render_markdown(bench, d, machine, started, finished, tg, levels)
    with open(os.path.join(o.out, "report.md"), "w") as f:
        f.write(md)
    return d, tg


def _ratio_json(rc):
    """A ratio_ci result as results.json writes it."""
    return {"ratio": rc[0], "ci95": [rc[1], rc[2]]} if rc else None


def _floor_json(d):
    f = seccomp_floor(d)
    if not f:
        return None
    return {"host_floor_ns_p50": f["floor_ns"], "host_nofilter_ns_p50": f["nofilter_ns"],
            "floor_vs_nofilter": _ratio_json(f["floor_vs_nofilter"]),
            "ward_getppid_vs_floor": {w: _ratio_json(r) for w, r in f["ward_vs_floor"].items()}}


def machine_line(m):
    return ("%s, %d cores, %.1f GiB RAM, kernel %s; load average %s at start, %s at end; cgroups: %s" % (
        m["cpu"], m["cores"], m["mem_gib"], m["kernel"], m["load_start"], m.get("load_end", "?"), m["cgroups"]))


def render_markdown(bench, d, machine, started, finished, tg, levels):
    o = bench.opts
    L = []
    L.append("# ward benchmark\n")
    L.append("Run %s → %s. Machine: %s.\n" % (started, finished, machine_line(machine)))
    L.append("ward %s; %s.\n" % (machine["versions"].get("ward", "?"), "; ".join(
        "%s %s" % (k, v) for k, v in machine["versions"].items() if k != "ward")))
    L.append("Options: iterations %d, repeats %d, batches %d, density up to %d, policy sizes %s. "
             "Runtimes interleaved in a fresh random order every iteration.\n" % (
                 o.iterations, o.repeats, o.batches, o.density, ",".join(map(str, o.policy_sizes))))
    if machine.get("note"):
        L.append("Note: %s\n" % machine["note"])
    L.append("## Summary: ward ÷ others\n")
    L.append("Ratio of medians with a 95 %% bootstrap interval; below 1 means ward is faster "
             "(or smaller). \"runc: 0\" means that runtime leaves nothing running.\n")
    L.append(summary_table(d) + "\n")
    L.append("## Targets\n")
    for t in tg:
        L.append("- **%s** — %s: %s" % (t["status"], t["target"], t["detail"]))
    L.append("")
    # (section, heading, what the table shows, the table): one part for each section that ran
    parts = [
        ("lifecycle", "Lifecycle",
         "Wall time of each runtime command, fork to exit, as run by the harness. `run` is "
         "create+start+wait+delete of /bin/true in a busybox bundle; `exec` runs /bin/true "
         "in an idle container.", lambda: lifecycle_tables(d)),
        ("syscalls", "System call cost",
         "Static probe, median of %d batch means per run, median (min–max) over %d runs, "
         "×host = ratio to the same binary on the host. connect is the connect(2) call "
         "alone to a listener in the container's own loopback. The seccomp floor is the host "
         "probe's getppid after it installed a one-instruction allow filter: what any filter "
         "costs an unmediated call on this kernel, the least ward's can." % (o.batches, o.repeats),
         lambda: syscall_table(d)),
        ("policy", "Mediated connect against policy size",
         "ward with N egress rules, the match being the last (every call emulated by the "
         "supervisor, audit off), beside the references. `create ms` is `ward create` with "
         "that policy.", lambda: policy_table(d)),
        ("memory", "Memory per idle container",
         "\"Left running\" is what the runtime keeps beside the container's own processes: "
         "ward's supervisor, runsc's sandbox+gofer (which also hold the container's "
         "processes), nothing for runc and crun. USS is its private memory (what killing it frees), "
         "PSS adds its share of pages it shares (the ward binary, libc). Container = its init "
         "(busybox sleep).", lambda: memory_table(d)),
        ("workloads", "Workloads",
         "Timed inside the container (start-up excluded); host = chroot into the same rootfs.",
         lambda: workload_table(d)),
        ("density", "Density",
         "N idle containers created and started one after another, all alive together. "
         "create ms (first/last): median of the first and last min(10, N/4) creates. "
         "The MemAvailable drop is system-wide (kernel memory included) and noisy at "
         "small N when anything else runs on the machine.", lambda: density_table(d, levels, bench.skipped)),
    ]
    for section, heading, prose, table in parts:
        if section in o.sections:
            L += ["## %s\n" % heading, prose + "\n", table() + "\n"]
    warns = [(rt, msg, n) for rt in bench.all_runtimes() for msg, n in rt.warnings.items()]
    if warns:
        L.append("## Warnings from commands that succeeded\n")
        for rt, msg, n in warns:
            L.append("- %s, %d×: %s" % (rt.name, n, msg))
        L.append("")
    errs = [(rt, sec, msgs) for rt in bench.all_runtimes() for sec, msgs in rt.errors.items()]
    if errs or bench.missing:
        L.append("## Failures\n")
        L.append("Every failed measurement is listed; a runtime leaves a section after %d failures "
                 "(--max-failures), the others go on.\n" % o.max_failures)
        for name, why in bench.missing.items():
            L.append("- %s: unavailable: %s" % (name, why))
        for rt, sec, msgs in errs:
            uniq = list(dict.fromkeys(msgs))
            L.append("- %s, %s: %d failure(s)%s: %s" % (rt.name, sec, len(msgs),
                                                        " (left the section)" if sec in rt.disabled else "",
                                                        " / ".join(uniq[:3])))
        L.append("")
    pngs = sorted(f for f in os.listdir(o.out) if f.endswith(".png")) if os.path.isdir(o.out) else []
    if pngs:
        L.append("## Plots\n")
        L += ["![%s](%s)" % (p, p) for p in pngs]
        L.append("")
    return "\n".join(L)
