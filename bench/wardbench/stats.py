# SPDX-License-Identifier: Apache-2.0
"""Percentiles and bootstrap intervals (no numpy: Debian's python3 alone runs this)."""

import random


def percentile(values, p):
    """Linear interpolation between closest ranks (numpy's default)."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def median(values):
    return percentile(values, 50)


def summary(values):
    if not values:
        return None
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "min": min(values),
        "max": max(values),
        "mean": sum(values) / len(values),
    }


def ratio_ci(a, b, seed=1, iters=1000, level=95):
    """Ratio of medians median(a)/median(b) with a percentile-bootstrap interval
    (a and b resampled independently). Returns (ratio, lo, hi), or None."""
    if not a or not b:
        return None
    mb = median(b)
    if mb == 0:
        return None
    r = median(a) / mb
    if len(a) < 2 and len(b) < 2:
        return r, r, r
    rng = random.Random(seed)
    rs = []
    for _ in range(iters):
        sb = median(rng.choices(b, k=len(b)))
        if sb == 0:
            continue
        rs.append(median(rng.choices(a, k=len(a))) / sb)
    tail = (100 - level) / 2
    return r, percentile(rs, tail), percentile(rs, 100 - tail)
