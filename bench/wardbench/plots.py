# SPDX-License-Identifier: Apache-2.0
"""PNG plots with Debian's python3-matplotlib. A missing matplotlib or a failing plot is
reported, never fatal: the numbers are in the CSV and JSON either way."""

import os

from .stats import median

COLORS = {"host": "#555555", "ward-default": "#1f77b4", "ward-agent": "#17becf", "ward-none": "#aec7e8",
          "runc": "#2ca02c", "crun": "#ff7f0e", "runsc": "#d62728"}


def _color(rt):
    return COLORS.get(rt, "#9467bd")


def draw_all(d, out, levels):
    """Draws every plot it has data for; returns messages about those it could not draw."""
    msgs = []
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ["python3-matplotlib is not installed (apt-get install python3-matplotlib): no plots"]
    for name, fn in (("lifecycle", _lifecycle), ("syscalls", _syscalls), ("policy", _policy),
                     ("memory", _memory), ("workloads", _workloads), ("density", _density)):
        try:
            fig = fn(plt, d, levels)
            if fig is not None:
                fig.savefig(os.path.join(out, name + ".png"), dpi=110, bbox_inches="tight")
                plt.close(fig)
        except Exception as e:  # one broken plot must not lose the others
            msgs.append("%s.png: %s" % (name, e))
    return msgs


def _lifecycle(plt, d, levels):
    ops = [op for op in ("run", "create", "start", "delete", "exec") if d.runtimes("lifecycle", op)]
    if not ops:
        return None
    fig, axes = plt.subplots(1, len(ops), figsize=(3.2 * len(ops), 4), squeeze=False)
    for ax, op in zip(axes[0], ops):
        rts = d.runtimes("lifecycle", op)
        data = [d.get("lifecycle", op, rt) for rt in rts]
        bp = ax.boxplot(data, whis=(1, 99), showfliers=False, patch_artist=True)
        for patch, rt in zip(bp["boxes"], rts):
            patch.set_facecolor(_color(rt))
        ax.set_xticks(range(1, len(rts) + 1))
        ax.set_xticklabels(rts, rotation=60, ha="right", fontsize=8)
        ax.set_title(op)
        ax.set_yscale("log")
        ax.set_ylabel("ms (box p25–p75, whiskers p1–p99)" if op == ops[0] else "")
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle("Lifecycle latency")
    return fig


def _bars_vs_host(plt, d, section, metrics, title, ylabel):
    rts = [rt for rt in d.runtimes(section) if rt != "host"]
    if not rts or not d.runtimes(section):
        return None
    fig, ax = plt.subplots(figsize=(2.2 * len(metrics) + 3, 4))
    width = 0.8 / len(rts)
    for i, rt in enumerate(rts):
        ys = []
        for m in metrics:
            v, h = d.get(section, m, rt), d.get(section, m, "host")
            ys.append(median(v) / median(h) if v and h and median(h) > 0 else 0)
        ax.bar([j + i * width for j in range(len(metrics))], ys, width, label=rt, color=_color(rt))
    ax.axhline(1.0, color="black", lw=0.8)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(metrics))])
    ax.set_xticklabels(metrics)
    ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return fig


def _syscalls(plt, d, levels):
    return _bars_vs_host(plt, d, "syscalls", ["getppid", "openat", "connect", "meminfo"],
                         "System call cost relative to the host", "× host (log)")


def _workloads(plt, d, levels):
    return _bars_vs_host(plt, d, "workloads", ["files", "tree", "procs", "net"], "Workloads relative to the host",
                         "× host (log)")


def _finish_line_plot(ax, title, xlabel, ylabel, logx=True):
    """The common dress of the line plots: log y (and x), labels, a small legend, a grid."""
    if logx:
        ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)


def _policy(plt, d, levels):
    sized = sorted(((int(p), rt) for (sec, met, rt, p) in d.idx if sec == "policy" and met == "connect" and p))
    if not sized:
        return None
    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [n for n, _ in sized]
    ys = [median(d.get("policy", "connect", rt, n)) / 1000 for n, rt in sized]
    ax.plot(xs, ys, "o-", color=_color("ward-default"), label="ward, N egress rules (emulated)")
    for rt in ("host", "ward-none", "ward-default", "ward-agent", "runc", "crun", "runsc"):
        v = d.get("policy", "connect", rt)
        if v:
            ax.axhline(median(v) / 1000, ls="--", lw=1, color=_color(rt), label=rt)
    _finish_line_plot(ax, "Mediated connect against policy size", "rules in the policy", "connect(2), µs (p50)")
    return fig


def _memory(plt, d, levels):
    rts = d.runtimes("memory")
    if not rts:
        return None
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.27
    for k, (m, color) in enumerate((("helper_rss", "#1f77b4"), ("helper_pss", "#aec7e8"), ("helper_uss", "#ff7f0e"))):
        ys = [(d.p50("memory", m, rt) or 0) / 1024 for rt in rts]
        ax.bar([i + k * width for i in range(len(rts))], ys, width, label=m[7:].upper(), color=color)
    ax.set_yscale("symlog", linthresh=1)
    ax.set_xticks([i + width for i in range(len(rts))])
    ax.set_xticklabels(rts, rotation=30, ha="right")
    ax.set_ylabel("MiB")
    ax.set_title("What a runtime leaves running per idle container")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return fig


def _density(plt, d, levels):
    rts = d.runtimes("density", "create")
    if not rts:
        return None
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4))
    for rt in rts:
        top = max((n for n in levels if d.get("density", "create", rt, n)), default=None)
        if top is None:
            continue
        c = d.get("density", "create", rt, top)
        a1.plot(range(1, len(c) + 1), c, ".", ms=3, color=_color(rt), label="%s (N=%d)" % (rt, top))
        ns = [n for n in levels if d.get("density", "total_pss_per_ctr", rt, n)]
        a2.plot(ns, [d.p50("density", "total_pss_per_ctr", rt, n) / 1024 for n in ns], "o-", color=_color(rt),
                label=rt)
    _finish_line_plot(a1, "create latency as containers accumulate", "container number", "create, ms", logx=False)
    _finish_line_plot(a2, "memory per container", "concurrent idle containers",
                      "PSS per container (helpers + container), MiB")
    return fig
