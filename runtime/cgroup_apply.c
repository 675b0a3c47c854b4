/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources onto the cgroup files, on whichever layout the host has.
 *
 * Every group finds where its controller lives (a v1 hierarchy, or the cgroup2
 * directory) and writes the v1 or v2 form. The whole resources object is first
 * walked without writing anything ("dry" pass) so that a field this host cannot
 * apply is refused - with its JSON path in the message - before any change is
 * made; `update` is then all-or-nothing as far as refusals go.
 *
 * Zero values mean "unset" where runc reads them so (memory limit, reservation and
 * swap, cpu shares, quota, period, realtime values, blkio weights): the OCI fields
 * are pointers in Go and runc treats 0 as absent for these.
 *
 * Fields runc ignores on a layout are ignored here with a debug log, so a config
 * that runs under runc runs under ward: kernel and kernelTCP memory limits when the
 * kernel dropped the files, swappiness, disableOOMKiller and the realtime cpu values
 * on cgroup v2, blockIO leaf weights on v2, network on v2, and useHierarchy wherever
 * the kernel no longer lets it be changed.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "cgroup_internal.h"

struct ctx {
	struct cgroup *cg;
	const struct oci_resources *res;
	bool creating;
	bool dry; /* check only: refuse what cannot be applied, write nothing */
};

/* The field cannot be applied: the controller is missing on this host. */
static int refuse(struct ctx *c, const char *field, const char *ctrl, struct werr *e)
{
	const char *avail = cg_unified_controllers(c->cg);
	if (c->cg->mode == CGROUP_MODE_V1)
		return werr_set(e, ENOTSUP,
				"linux.resources.%s: the %s controller is not mounted on this host "
				"(cgroup v1)",
				field, ctrl);
	if (c->cg->mode == CGROUP_MODE_V2)
		return werr_set(e, ENOTSUP,
				"linux.resources.%s: the %s controller is not available on this "
				"cgroup v2 host (controllers available: %s)",
				field, ctrl, *avail ? avail : "none");
	return werr_set(e, ENOTSUP,
			"linux.resources.%s: the %s controller is neither a mounted v1 hierarchy "
			"nor available in the unified cgroup2 mount (hybrid host; cgroup2 has: %s)",
			field, ctrl, *avail ? avail : "none");
}

static void ignored(const char *field, const char *why)
{
	log_debug("linux.resources.%s ignored: %s", field, why);
}

/* Writes one knob; errors name the field. */
static int put(const char *dir, const char *file, const char *value, const char *field,
	       struct werr *e)
{
	if (cg_write(dir, file, value, e) < 0)
		return werr_wrap(e, "linux.resources.%s", field);
	return 0;
}

static int putf(const char *dir, const char *file, const char *field, struct werr *e,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int putf(const char *dir, const char *file, const char *field, struct werr *e,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v;
	int r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0)
		return werr_set(e, ENOMEM, "linux.resources.%s", field);
	r = put(dir, file, v, field, e);
	free(v);
	return r;
}

/* ---- memory ---------------------------------------------------------------------- */

struct mem_req {
	int64_t limit, reservation, swap; /* 0: unset */
};

static int check_before_update(struct ctx *c, const struct cg_where *w, const struct mem_req *q,
			       struct werr *e)
{
	const struct oci_memory *m = &c->res->memory;
	if (c->creating || !m->has_check_before_update || !m->check_before_update)
		return 0;
	uint64_t usage;
	struct werr e2;
	/* best effort, as runc: no usage figure, no check */
	if (cg_read_u64(w->dir, w->v2 ? "memory.current" : "memory.usage_in_bytes", &usage, &e2) <
	    0)
		return 0;
	if (q->swap > 0 && (uint64_t)q->swap <= usage)
		return werr_set(e, EBUSY,
				"linux.resources.memory.swap: rejecting memory+swap limit %" PRId64
				" <= usage %" PRIu64 " (checkBeforeUpdate)",
				q->swap, usage);
	if (q->limit > 0 && (uint64_t)q->limit <= usage)
		return werr_set(e, EBUSY,
				"linux.resources.memory.limit: rejecting memory limit %" PRId64
				" <= usage %" PRIu64 " (checkBeforeUpdate)",
				q->limit, usage);
	return 0;
}

static int v1_set_limit(const char *dir, int64_t v, struct werr *e)
{
	if (v == 0)
		return 0;
	if (cg_writef(dir, "memory.limit_in_bytes", e, "%" PRId64, v) == 0)
		return 0;
	if (e->errnum == EBUSY) {
		uint64_t usage = 0, peak = 0;
		struct werr e2;
		cg_read_u64(dir, "memory.usage_in_bytes", &usage, &e2);
		cg_read_u64(dir, "memory.max_usage_in_bytes", &peak, &e2);
		return werr_set(
			e, EBUSY,
			"linux.resources.memory.limit: unable to set memory limit to %" PRId64
			" (current usage: %" PRIu64 ", peak usage: %" PRIu64 ")",
			v, usage, peak);
	}
	return werr_wrap(e, "linux.resources.memory.limit");
}

static int v1_set_swap(const char *dir, int64_t v, struct werr *e)
{
	if (v == 0)
		return 0;
	if (!cg_exists(dir, "memory.memsw.limit_in_bytes"))
		return werr_set(e, ENOTSUP,
				"linux.resources.memory.swap: this kernel does not account swap "
				"(no memory.memsw.limit_in_bytes; boot with swapaccount=1)");
	return putf(dir, "memory.memsw.limit_in_bytes", "memory.swap", e, "%" PRId64, v);
}

/* Kernel memory knobs: set where the kernel still has them, else ignored as runc does. */
static void v1_kmem(const char *dir, const char *file, int64_t v, const char *field)
{
	if (!cg_exists(dir, file)) {
		ignored(field, "the kernel has no such knob any more");
		return;
	}
	struct werr e;
	if (cg_writef(dir, file, &e, "%" PRId64, v) < 0) {
		ignored(field, e.msg);
		return;
	}
	uint64_t back;
	if (v > 0 && cg_read_u64(dir, file, &back, &e) == 0 && back > (uint64_t)v)
		ignored(field, "the kernel accepts the value but no longer enforces it");
}

static int memory_v1(struct ctx *c, const char *dir, const struct mem_req *q, struct werr *e)
{
	const struct oci_memory *m = &c->res->memory;
	int64_t limit = q->limit, swap = q->swap;
	/* unlimited memory with swap not given: unlimited memory+swap too */
	if (limit == -1 && swap == 0 && cg_exists(dir, "memory.memsw.limit_in_bytes"))
		swap = -1;
	bool done = false;
	if (limit != 0 && swap != 0) {
		/* the kernel wants memory <= memory+swap at every step: raise swap first when
		 * growing, lower memory first when shrinking */
		uint64_t cur;
		if (cg_read_u64(dir, "memory.limit_in_bytes", &cur, e) < 0)
			return werr_wrap(e, "linux.resources.memory.limit");
		if (swap == -1 || cur < (uint64_t)swap) {
			if (v1_set_swap(dir, swap, e) < 0 || v1_set_limit(dir, limit, e) < 0)
				return -1;
			done = true;
		}
	}
	if (!done && (v1_set_limit(dir, limit, e) < 0 || v1_set_swap(dir, swap, e) < 0))
		return -1;
	if (q->reservation != 0 && putf(dir, "memory.soft_limit_in_bytes", "memory.reservation", e,
					"%" PRId64, q->reservation) < 0)
		return -1;
	if (m->has_kernel)
		v1_kmem(dir, "memory.kmem.limit_in_bytes", m->kernel, "memory.kernel");
	if (m->has_kernel_tcp)
		v1_kmem(dir, "memory.kmem.tcp.limit_in_bytes", m->kernel_tcp, "memory.kernelTCP");
	if (m->has_disable_oom_killer &&
	    put(dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0",
		"memory.disableOOMKiller", e) < 0)
		return -1;
	if (m->has_swappiness &&
	    putf(dir, "memory.swappiness", "memory.swappiness", e, "%" PRIu64, m->swappiness) < 0)
		return -1;
	if (m->has_use_hierarchy) {
		struct werr e2;
		/* Linux 5.x+ is always hierarchical and refuses 0; runc ignores the field */
		if (cg_write(dir, "memory.use_hierarchy", m->use_hierarchy ? "1" : "0", &e2) < 0)
			ignored("memory.useHierarchy", e2.msg);
	}
	return 0;
}

static int memory_v2(struct ctx *c, const char *dir, const struct mem_req *q, int64_t swap2,
		     struct werr *e)
{
	const struct oci_memory *m = &c->res->memory;
	char buf[32];
	/* a swap limit of 0 that was asked for (memory+swap == memory) means "no swap" */
	if (swap2 != 0 || q->swap > 0) {
		const char *v = cg_v2_num(swap2, buf, sizeof(buf));
		struct werr e2;
		if (cg_write(dir, "memory.swap.max", v, &e2) < 0) {
			/* no swap accounting: setting "max" or "0" is moot, as runc says */
			if (!(e2.errnum == ENOENT && (swap2 <= 0)))
				return *e = e2, werr_wrap(e, "linux.resources.memory.swap");
			ignored("memory.swap",
				"this kernel does not account swap (no memory.swap.max)");
		}
	}
	if (q->limit != 0 &&
	    put(dir, "memory.max", cg_v2_num(q->limit, buf, sizeof(buf)), "memory.limit", e) < 0)
		return -1;
	if (q->reservation != 0 &&
	    put(dir, "memory.low", cg_v2_num(q->reservation, buf, sizeof(buf)),
		"memory.reservation", e) < 0)
		return -1;
	if (m->has_kernel)
		ignored("memory.kernel", "cgroup v2 has no kernel memory limit");
	if (m->has_kernel_tcp)
		ignored("memory.kernelTCP", "cgroup v2 has no kernel TCP memory limit");
	if (m->has_swappiness)
		ignored("memory.swappiness",
			"cgroup v2 has no per-cgroup swappiness (runc ignores it)");
	if (m->has_disable_oom_killer)
		ignored("memory.disableOOMKiller", "cgroup v2 cannot disable the OOM killer (runc "
						   "ignores it)");
	if (m->has_use_hierarchy)
		ignored("memory.useHierarchy", "cgroup v2 is always hierarchical");
	return 0;
}

static int apply_memory(struct ctx *c, struct werr *e)
{
	const struct oci_memory *m = &c->res->memory;
	if (!m->present)
		return 0;
	struct mem_req q = {
		.limit = m->has_limit ? m->limit : 0,
		.reservation = m->has_reservation ? m->reservation : 0,
		.swap = m->has_swap ? m->swap : 0,
	};
	struct cg_where w;
	if (!cg_where_is(c->cg, "memory", &w)) {
		if (q.limit)
			return refuse(c, "memory.limit", "memory", e);
		if (q.reservation)
			return refuse(c, "memory.reservation", "memory", e);
		if (q.swap)
			return refuse(c, "memory.swap", "memory", e);
		bool v2 = c->cg->mode == CGROUP_MODE_V2;
		if (m->has_swappiness && !v2)
			return refuse(c, "memory.swappiness", "memory", e);
		if (m->has_disable_oom_killer && !v2)
			return refuse(c, "memory.disableOOMKiller", "memory", e);
		if (m->has_kernel)
			ignored("memory.kernel",
				"no memory controller (runc ignores kernel limits)");
		if (m->has_kernel_tcp)
			ignored("memory.kernelTCP",
				"no memory controller (runc ignores kernel limits)");
		if (m->has_swappiness)
			ignored("memory.swappiness", "no memory controller on cgroup v2");
		if (m->has_disable_oom_killer)
			ignored("memory.disableOOMKiller", "no memory controller on cgroup v2");
		if (m->has_use_hierarchy)
			ignored("memory.useHierarchy", "no memory controller");
		return 0;
	}
	int64_t swap2 = 0;
	if (w.v2 && cg_swap_to_v2(q.swap, q.limit, &swap2, e) < 0)
		return werr_wrap(e, "linux.resources.memory.swap");
	if (!w.v2 && m->has_swappiness && m->swappiness > 100)
		return werr_set(e, EINVAL,
				"linux.resources.memory.swappiness: %" PRIu64
				" is out of range (0-100)",
				m->swappiness);
	if (!w.v2 && q.swap > 0 && q.limit > 0 && q.swap < q.limit)
		return werr_set(e, EINVAL,
				"linux.resources.memory.swap: %" PRId64
				" (memory+swap) is lower than memory.limit %" PRId64,
				q.swap, q.limit);
	if (c->dry)
		return 0;
	if (check_before_update(c, &w, &q, e) < 0)
		return -1;
	return w.v2 ? memory_v2(c, w.dir, &q, swap2, e) : memory_v1(c, w.dir, &q, e);
}

/* ---- cpu ------------------------------------------------------------------------- */

static int cpu_rt_v1(const char *dir, const struct oci_cpu *p, struct werr *e)
{
	bool rtr = p->has_realtime_runtime && p->realtime_runtime != 0;
	bool rtp = p->has_realtime_period && p->realtime_period != 0;
	if (!rtr && !rtp)
		return 0;
	if (!cg_exists(dir, "cpu.rt_runtime_us"))
		return werr_set(
			e, ENOTSUP,
			"linux.resources.cpu.%s: this kernel has no realtime group scheduling "
			"(no cpu.rt_runtime_us)",
			rtr ? "realtimeRuntime" : "realtimePeriod");
	/* period and runtime depend on each other: a rejected period is retried after the
	 * runtime, like runc */
	bool period_pending = false;
	if (rtp) {
		struct werr e2;
		if (cg_writef(dir, "cpu.rt_period_us", &e2, "%" PRIu64, p->realtime_period) < 0) {
			if (e2.errnum != EINVAL || !rtr)
				return *e = e2, werr_wrap(e, "linux.resources.cpu.realtimePeriod");
			period_pending = true;
		}
	}
	if (rtr) {
		if (putf(dir, "cpu.rt_runtime_us", "cpu.realtimeRuntime", e, "%" PRId64,
			 p->realtime_runtime) < 0)
			return -1;
		if (period_pending && putf(dir, "cpu.rt_period_us", "cpu.realtimePeriod", e,
					   "%" PRIu64, p->realtime_period) < 0)
			return -1;
	}
	return 0;
}

static int cpu_v1(const char *dir, const struct oci_cpu *p, struct werr *e)
{
	if (p->has_shares && p->shares != 0) {
		if (putf(dir, "cpu.shares", "cpu.shares", e, "%" PRIu64, p->shares) < 0)
			return -1;
		/* the kernel clamps silently; runc reports the clamp as an error */
		uint64_t back;
		if (cg_read_u64(dir, "cpu.shares", &back, e) < 0)
			return werr_wrap(e, "linux.resources.cpu.shares");
		if (p->shares > back)
			return werr_set(
				e, EINVAL,
				"linux.resources.cpu.shares: the maximum allowed cpu-shares is "
				"%" PRIu64,
				back);
		if (p->shares < back)
			return werr_set(
				e, EINVAL,
				"linux.resources.cpu.shares: the minimum allowed cpu-shares is "
				"%" PRIu64,
				back);
	}
	bool quota = p->has_quota && p->quota != 0;
	bool period_pending = false, burst_pending = false;
	struct werr e2;
	if (p->has_period && p->period != 0) {
		/* a shorter period can be refused until the quota follows: retry after it */
		if (cg_writef(dir, "cpu.cfs_period_us", &e2, "%" PRIu64, p->period) < 0) {
			if (e2.errnum != EINVAL || !quota)
				return *e = e2, werr_wrap(e, "linux.resources.cpu.period");
			period_pending = true;
		}
	}
	if (p->has_burst) {
		if (!cg_exists(dir, "cpu.cfs_burst_us")) {
			ignored("cpu.burst",
				"this kernel has no cpu.cfs_burst_us (runc ignores it)");
		} else if (cg_writef(dir, "cpu.cfs_burst_us", &e2, "%" PRIu64, p->burst) < 0) {
			if (e2.errnum != EINVAL || !quota)
				return *e = e2, werr_wrap(e, "linux.resources.cpu.burst");
			burst_pending = true;
		}
	}
	if (quota) {
		if (putf(dir, "cpu.cfs_quota_us", "cpu.quota", e, "%" PRId64, p->quota) < 0)
			return -1;
		if (period_pending &&
		    putf(dir, "cpu.cfs_period_us", "cpu.period", e, "%" PRIu64, p->period) < 0)
			return -1;
		if (burst_pending &&
		    putf(dir, "cpu.cfs_burst_us", "cpu.burst", e, "%" PRIu64, p->burst) < 0)
			return -1;
	}
	if (p->has_idle && putf(dir, "cpu.idle", "cpu.idle", e, "%" PRId64, p->idle) < 0)
		return -1;
	return cpu_rt_v1(dir, p, e);
}

static int cpu_v2(const char *dir, const struct oci_cpu *p, struct werr *e)
{
	if (p->has_idle && putf(dir, "cpu.idle", "cpu.idle", e, "%" PRId64, p->idle) < 0)
		return -1;
	if (p->has_shares && p->shares != 0 &&
	    putf(dir, "cpu.weight", "cpu.shares", e, "%" PRIu64, cg_shares_to_weight(p->shares)) <
		    0)
		return -1;
	bool quota = p->has_quota && p->quota != 0;
	bool period = p->has_period && p->period != 0;
	bool burst_pending = false;
	struct werr e2;
	if (p->has_burst && cg_writef(dir, "cpu.max.burst", &e2, "%" PRIu64, p->burst) < 0) {
		if (e2.errnum != EINVAL || !quota)
			return *e = e2, werr_wrap(e, "linux.resources.cpu.burst");
		burst_pending = true;
	}
	if (quota || period) {
		/* cpu.max holds both: keep the half that is not being set (runc would reset it
		 * to max / 100000, which loses a quota when only the period is updated) */
		char qbuf[32] = "max";
		uint64_t per = 100000;
		_cleanup_free_ char *cur = NULL;
		if (cg_read(dir, "cpu.max", &cur, &e2) == 0) {
			char q[32];
			unsigned long long pp;
			if (sscanf(cur, "%31s %llu", q, &pp) == 2) {
				snprintf(qbuf, sizeof(qbuf), "%s", q);
				per = pp;
			}
		}
		if (quota) {
			if (p->quota > 0)
				snprintf(qbuf, sizeof(qbuf), "%" PRId64, p->quota);
			else
				snprintf(qbuf, sizeof(qbuf), "max");
		}
		if (period)
			per = p->period;
		if (putf(dir, "cpu.max", quota ? "cpu.quota" : "cpu.period", e, "%s %" PRIu64, qbuf,
			 per) < 0)
			return -1;
		if (burst_pending &&
		    putf(dir, "cpu.max.burst", "cpu.burst", e, "%" PRIu64, p->burst) < 0)
			return -1;
	}
	if ((p->has_realtime_runtime && p->realtime_runtime != 0) ||
	    (p->has_realtime_period && p->realtime_period != 0))
		ignored("cpu.realtimeRuntime/realtimePeriod",
			"cgroup v2 has no realtime group limits (runc ignores them)");
	return 0;
}

static int cpuset_write(const char *dir, bool v2, const char *name, const char *value,
			const char *field, struct werr *e)
{
	char file[64];
	snprintf(file, sizeof(file), "cpuset.%s", name);
	if (!v2 && !cg_exists(dir, file))
		snprintf(file, sizeof(file), "%s", name); /* v1 "noprefix" mount */
	return put(dir, file, value, field, e);
}

static int apply_cpu(struct ctx *c, struct werr *e)
{
	const struct oci_cpu *p = &c->res->cpu;
	if (!p->present)
		return 0;
	bool cpus = p->cpus && *p->cpus, mems = p->mems && *p->mems;
	const char *needs_cpu = NULL;
	if (p->has_shares && p->shares != 0)
		needs_cpu = "cpu.shares";
	else if (p->has_quota && p->quota != 0)
		needs_cpu = "cpu.quota";
	else if (p->has_period && p->period != 0)
		needs_cpu = "cpu.period";
	else if (p->has_burst)
		needs_cpu = "cpu.burst";
	else if (p->has_idle)
		needs_cpu = "cpu.idle";
	bool rt = (p->has_realtime_runtime && p->realtime_runtime != 0) ||
		  (p->has_realtime_period && p->realtime_period != 0);
	struct cg_where w, ws;
	bool have_cpu = cg_where_is(c->cg, "cpu", &w);
	bool have_cpuset = cg_where_is(c->cg, "cpuset", &ws);
	if (needs_cpu && !have_cpu)
		return refuse(c, needs_cpu, "cpu", e);
	if (rt && !have_cpu) {
		if (c->cg->mode != CGROUP_MODE_V2)
			return refuse(c, "cpu.realtimeRuntime", "cpu", e);
		ignored("cpu.realtimeRuntime/realtimePeriod", "no realtime limits on cgroup v2");
	}
	if ((cpus || mems) && !have_cpuset)
		return refuse(c, cpus ? "cpu.cpus" : "cpu.mems", "cpuset", e);
	/* knobs a kernel may lack even with the controller there */
	if (have_cpu && !w.v2 && rt && !cg_exists(w.dir, "cpu.rt_runtime_us"))
		return werr_set(e, ENOTSUP,
				"linux.resources.cpu.realtimeRuntime: this kernel has no "
				"realtime group scheduling (no cpu.rt_runtime_us)");
	if (have_cpu && p->has_idle && !cg_exists(w.dir, "cpu.idle"))
		return werr_set(e, ENOTSUP,
				"linux.resources.cpu.idle: this kernel has no cpu.idle (Linux "
				"5.15 or later)");
	if (have_cpu && w.v2 && p->has_burst && !cg_exists(w.dir, "cpu.max.burst"))
		return werr_set(e, ENOTSUP,
				"linux.resources.cpu.burst: this kernel has no cpu.max.burst "
				"(Linux 5.14 or later)");
	if (c->dry)
		return 0;
	if (have_cpuset) {
		if (cpus && cpuset_write(ws.dir, ws.v2, "cpus", p->cpus, "cpu.cpus", e) < 0)
			return -1;
		if (mems && cpuset_write(ws.dir, ws.v2, "mems", p->mems, "cpu.mems", e) < 0)
			return -1;
	}
	if (!have_cpu)
		return 0;
	return w.v2 ? cpu_v2(w.dir, p, e) : cpu_v1(w.dir, p, e);
}

/* ---- pids ------------------------------------------------------------------------ */

static int apply_pids(struct ctx *c, struct werr *e)
{
	if (!c->res->pids.present)
		return 0;
	struct cg_where w;
	if (!cg_where_is(c->cg, "pids", &w))
		return refuse(c, "pids.limit", "pids", e);
	if (c->dry)
		return 0;
	char buf[32];
	return put(w.dir, "pids.max", cg_pids_max(c->res->pids.limit, buf, sizeof(buf)),
		   "pids.limit", e);
}

/* ---- block io -------------------------------------------------------------------- */

static const struct {
	const char *field, *v1_file, *v2_key;
} throttles[] = {
	{"blockIO.throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps"},
	{"blockIO.throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps"},
	{"blockIO.throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops"},
	{"blockIO.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops"},
};

static const struct oci_throttle_list *throttle_list(const struct oci_block_io *b, size_t i)
{
	const struct oci_throttle_list *l[] = {&b->throttle_read_bps, &b->throttle_write_bps,
					       &b->throttle_read_iops, &b->throttle_write_iops};
	return l[i];
}

/* io.bfq.weight takes per-device weights (Linux 5.4) when it shows more than one number */
static bool bfq_per_device(const char *dir)
{
	_cleanup_free_ char *s = NULL;
	struct werr e;
	if (cg_read(dir, "io.bfq.weight", &s, &e) < 0)
		return false;
	long long v;
	return parse_ll(cg_trim(s), 0, 1000000, &v) < 0;
}

static int blkio_v1(const char *dir, const struct oci_block_io *b, bool dry, struct werr *e)
{
	const char *wfile = cg_exists(dir, "blkio.weight")       ? "blkio.weight"
			    : cg_exists(dir, "blkio.bfq.weight") ? "blkio.bfq.weight"
								 : NULL;
	const char *wdfile = wfile && strcmp(wfile, "blkio.weight") == 0
				     ? "blkio.weight_device"
				     : "blkio.bfq.weight_device";
	bool leaf_ok = cg_exists(dir, "blkio.leaf_weight");
	if (b->has_weight && b->weight != 0 && !wfile)
		return werr_set(
			e, ENOTSUP,
			"linux.resources.blockIO.weight: no proportional I/O scheduler in this "
			"kernel (neither blkio.weight nor blkio.bfq.weight exists)");
	if (b->has_leaf_weight && b->leaf_weight != 0 && !leaf_ok)
		return werr_set(e, ENOTSUP,
				"linux.resources.blockIO.leafWeight: this kernel has no "
				"blkio.leaf_weight (CFQ is gone)");
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct oci_weight_device *d = &b->weight_device[i];
		if (d->has_weight && d->weight != 0 && !cg_exists(dir, wdfile))
			return werr_set(
				e, ENOTSUP,
				"linux.resources.blockIO.weightDevice[%zu].weight: no per-device "
				"proportional I/O weights in this kernel (no %s)",
				i, wdfile);
		if (d->has_leaf_weight && d->leaf_weight != 0 &&
		    !cg_exists(dir, "blkio.leaf_weight_device"))
			return werr_set(
				e, ENOTSUP,
				"linux.resources.blockIO.weightDevice[%zu].leafWeight: this "
				"kernel has no blkio.leaf_weight_device",
				i);
	}
	for (size_t t = 0; t < ARRAY_SIZE(throttles); t++)
		if (throttle_list(b, t)->n && !cg_exists(dir, throttles[t].v1_file))
			return werr_set(
				e, ENOTSUP,
				"linux.resources.%s: this kernel has no I/O throttling (no %s)",
				throttles[t].field, throttles[t].v1_file);
	if (dry)
		return 0;
	if (b->has_weight && b->weight != 0 &&
	    putf(dir, wfile, "blockIO.weight", e, "%u", (unsigned)b->weight) < 0)
		return -1;
	if (b->has_leaf_weight && b->leaf_weight != 0 &&
	    putf(dir, "blkio.leaf_weight", "blockIO.leafWeight", e, "%u",
		 (unsigned)b->leaf_weight) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct oci_weight_device *d = &b->weight_device[i];
		if (d->has_weight && d->weight != 0 &&
		    putf(dir, wdfile, "blockIO.weightDevice.weight", e,
			 "%" PRId64 ":%" PRId64 " %u", d->major, d->minor, (unsigned)d->weight) < 0)
			return -1;
		if (d->has_leaf_weight && d->leaf_weight != 0 &&
		    putf(dir, "blkio.leaf_weight_device", "blockIO.weightDevice.leafWeight", e,
			 "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
			 (unsigned)d->leaf_weight) < 0)
			return -1;
	}
	for (size_t t = 0; t < ARRAY_SIZE(throttles); t++) {
		const struct oci_throttle_list *l = throttle_list(b, t);
		for (size_t i = 0; i < l->n; i++)
			if (putf(dir, throttles[t].v1_file, throttles[t].field, e,
				 "%" PRId64 ":%" PRId64 " %" PRIu64, l->items[i].major,
				 l->items[i].minor, l->items[i].rate) < 0)
				return -1;
	}
	return 0;
}

static int blkio_v2(const char *dir, const struct oci_block_io *b, bool dry, struct werr *e)
{
	bool bfq = cg_exists(dir, "io.bfq.weight");
	bool iow = cg_exists(dir, "io.weight");
	bool bfq_dev = bfq && bfq_per_device(dir);
	if (b->has_weight && b->weight != 0 && !bfq && !iow)
		return werr_set(
			e, ENOTSUP,
			"linux.resources.blockIO.weight: neither io.bfq.weight nor io.weight "
			"exists (no proportional I/O control in this kernel)");
	for (size_t i = 0; i < b->n_weight_device; i++)
		if (b->weight_device[i].has_weight && b->weight_device[i].weight != 0 && !bfq_dev &&
		    !iow)
			return werr_set(
				e, ENOTSUP,
				"linux.resources.blockIO.weightDevice[%zu].weight: no per-device "
				"weights (neither io.bfq.weight per device nor io.weight)",
				i);
	for (size_t t = 0; t < ARRAY_SIZE(throttles); t++)
		if (throttle_list(b, t)->n && !cg_exists(dir, "io.max"))
			return werr_set(e, ENOTSUP, "linux.resources.%s: this kernel has no io.max",
					throttles[t].field);
	if (dry)
		return 0;
	if (b->has_weight && b->weight != 0) {
		/* BFQ takes the v1 range as is; io.weight needs the conversion */
		if (bfq) {
			if (putf(dir, "io.bfq.weight", "blockIO.weight", e, "%u",
				 (unsigned)b->weight) < 0)
				return -1;
		} else if (putf(dir, "io.weight", "blockIO.weight", e, "default %" PRIu64,
				cg_blkio_weight_to_io_weight(b->weight)) < 0) {
			return -1;
		}
	}
	if (b->has_leaf_weight && b->leaf_weight != 0)
		ignored("blockIO.leafWeight", "cgroup v2 has no leaf weights (runc ignores them)");
	for (size_t i = 0; i < b->n_weight_device; i++) {
		const struct oci_weight_device *d = &b->weight_device[i];
		if (d->has_weight && d->weight != 0) {
			int r = bfq_dev ? putf(dir, "io.bfq.weight", "blockIO.weightDevice.weight",
					       e, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
					       (unsigned)d->weight)
					: putf(dir, "io.weight", "blockIO.weightDevice.weight", e,
					       "%" PRId64 ":%" PRId64 " %" PRIu64, d->major,
					       d->minor, cg_blkio_weight_to_io_weight(d->weight));
			if (r < 0)
				return -1;
		}
		if (d->has_leaf_weight && d->leaf_weight != 0)
			ignored("blockIO.weightDevice.leafWeight", "cgroup v2 has no leaf weights");
	}
	for (size_t t = 0; t < ARRAY_SIZE(throttles); t++) {
		const struct oci_throttle_list *l = throttle_list(b, t);
		for (size_t i = 0; i < l->n; i++)
			if (putf(dir, "io.max", throttles[t].field, e,
				 "%" PRId64 ":%" PRId64 " %s=%" PRIu64, l->items[i].major,
				 l->items[i].minor, throttles[t].v2_key, l->items[i].rate) < 0)
				return -1;
	}
	return 0;
}

static int apply_blkio(struct ctx *c, struct werr *e)
{
	const struct oci_block_io *b = &c->res->block_io;
	if (!b->present)
		return 0;
	bool any = (b->has_weight && b->weight != 0) || b->n_weight_device > 0;
	bool leaf_only = !any && b->has_leaf_weight && b->leaf_weight != 0;
	for (size_t t = 0; t < ARRAY_SIZE(throttles); t++)
		any = any || throttle_list(b, t)->n > 0;
	struct cg_where w;
	if (!cg_where_is(c->cg, "blkio", &w)) {
		if (any)
			return refuse(c, "blockIO", "blkio/io", e);
		if (leaf_only && c->cg->mode != CGROUP_MODE_V2)
			return refuse(c, "blockIO.leafWeight", "blkio", e);
		if (leaf_only)
			ignored("blockIO.leafWeight", "cgroup v2 has no leaf weights");
		return 0;
	}
	return w.v2 ? blkio_v2(w.dir, b, c->dry, e) : blkio_v1(w.dir, b, c->dry, e);
}

/* ---- hugetlb --------------------------------------------------------------------- */

static int apply_hugetlb(struct ctx *c, struct werr *e)
{
	const struct oci_resources *r = c->res;
	if (r->n_hugepage_limits == 0)
		return 0;
	struct cg_where w;
	if (!cg_where_is(c->cg, "hugetlb", &w))
		return refuse(c, "hugepageLimits", "hugetlb", e);
	for (size_t i = 0; i < r->n_hugepage_limits; i++) {
		const char *ps = r->hugepage_limits[i].page_size;
		_cleanup_free_ char *file = NULL, *rsvd = NULL;
		if (!ps || !*ps || strchr(ps, '/') || strchr(ps, '.'))
			return werr_set(
				e, EINVAL,
				"linux.resources.hugepageLimits[%zu].pageSize: invalid \"%s\"", i,
				ps ? ps : "");
		file = xasprintf(w.v2 ? "hugetlb.%s.max" : "hugetlb.%s.limit_in_bytes", ps);
		rsvd = xasprintf(w.v2 ? "hugetlb.%s.rsvd.max" : "hugetlb.%s.rsvd.limit_in_bytes",
				 ps);
		if (!cg_exists(w.dir, file))
			return werr_set(
				e, EINVAL,
				"linux.resources.hugepageLimits[%zu].pageSize: \"%s\" is not a "
				"huge page size of this kernel (no %s)",
				i, ps, file);
		if (c->dry)
			continue;
		char field[64];
		snprintf(field, sizeof(field), "hugepageLimits[%zu]", i);
		if (putf(w.dir, file, field, e, "%" PRIu64, r->hugepage_limits[i].limit) < 0)
			return -1;
		/* reservations too (Linux 5.7), so a mapping cannot reserve past the limit */
		if (cg_exists(w.dir, rsvd) &&
		    putf(w.dir, rsvd, field, e, "%" PRIu64, r->hugepage_limits[i].limit) < 0)
			return -1;
	}
	return 0;
}

/* ---- network (v1 only) ----------------------------------------------------------- */

static int apply_network(struct ctx *c, struct werr *e)
{
	const struct oci_network_res *n = &c->res->network;
	if (!n->present)
		return 0;
	bool v2 = c->cg->mode == CGROUP_MODE_V2;
	const char *cls = cg_v1_dir_of(c->cg, "net_cls");
	const char *prio = cg_v1_dir_of(c->cg, "net_prio");
	if (n->has_class_id && !cls) {
		if (!v2)
			return refuse(c, "network.classID", "net_cls", e);
		ignored("network.classID", "net_cls does not exist on cgroup v2 (runc ignores it)");
	}
	if (n->n_priorities && !prio) {
		if (!v2)
			return refuse(c, "network.priorities", "net_prio", e);
		ignored("network.priorities",
			"net_prio does not exist on cgroup v2 (runc ignores it)");
	}
	if (c->dry)
		return 0;
	if (n->has_class_id && cls &&
	    putf(cls, "net_cls.classid", "network.classID", e, "%" PRIu32, n->class_id) < 0)
		return -1;
	for (size_t i = 0; prio && i < n->n_priorities; i++) {
		const char *name = n->priorities[i].name;
		if (!name || !*name || strpbrk(name, " \n"))
			return werr_set(
				e, EINVAL,
				"linux.resources.network.priorities[%zu].name: invalid \"%s\"", i,
				name ? name : "");
		if (putf(prio, "net_prio.ifpriomap", "network.priorities", e, "%s %" PRIu32, name,
			 n->priorities[i].priority) < 0)
			return -1;
	}
	return 0;
}

/* ---- rdma ------------------------------------------------------------------------ */

static int apply_rdma(struct ctx *c, struct werr *e)
{
	const struct oci_resources *r = c->res;
	if (r->n_rdma == 0)
		return 0;
	struct cg_where w;
	if (!cg_where_is(c->cg, "rdma", &w))
		return refuse(c, "rdma", "rdma", e);
	for (size_t i = 0; i < r->n_rdma; i++) {
		const char *dev = r->rdma[i].device;
		/* one line per device in rdma.max: a name must not smuggle in another */
		if (!dev || !*dev || strpbrk(dev, " \t\n="))
			return werr_set(e, EINVAL,
					"linux.resources.rdma: invalid device name \"%s\"",
					dev ? dev : "");
	}
	if (c->dry)
		return 0;
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct oci_rdma *d = &r->rdma[i];
		if (!d->has_hca_handles && !d->has_hca_objects)
			continue;
		char h[40] = "", o[40] = "";
		if (d->has_hca_handles)
			snprintf(h, sizeof(h), " hca_handle=%" PRIu32, d->hca_handles);
		if (d->has_hca_objects)
			snprintf(o, sizeof(o), " hca_object=%" PRIu32, d->hca_objects);
		if (putf(w.dir, "rdma.max", "rdma", e, "%s%s%s", d->device, h, o) < 0)
			return -1;
	}
	return 0;
}

/* ---- devices --------------------------------------------------------------------- */

static int apply_devices(struct ctx *c, struct werr *e)
{
	const struct oci_resources *r = c->res;
	if (!c->creating) {
		if (r->n_devices)
			ignored("devices",
				"device rules are set at create time only (as runc's update)");
		return 0;
	}
	_cleanup_free_ struct cg_dev_rule *rules = NULL;
	size_t n;
	if (cg_dev_rules_build(r->devices, r->n_devices, &rules, &n, e) < 0)
		return -1;
	struct cg_where w;
	if (!cg_where_is(c->cg, "devices", &w))
		/* runc: a missing devices controller is fatal, for security */
		return refuse(c, "devices", "devices", e);
	if (c->dry)
		return 0;
	int rc = w.v2 ? cg_devices_apply_v2(w.dir, rules, n, e)
		      : cg_devices_apply_v1(w.dir, rules, n, e);
	return rc < 0 ? werr_wrap(e, "linux.resources.devices") : 0;
}

/* ---- unified (v2 map) ------------------------------------------------------------ */

/* Multi-line values (io.max for several devices) are written one line at a time. */
static int write_unified(struct ctx *c, const char *dir, const char *k, const char *v,
			 struct werr *e)
{
	_cleanup_free_ char *copy = xstrdup(v);
	size_t lines = 0;
	char *save = NULL;
	int r = 0;
	for (char *line = strtok_r(copy, "\n", &save); line && r == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		lines++;
		r = cg_write(dir, k, line, e);
	}
	if (lines == 0)
		r = cg_write(dir, k, v, e);
	if (r == 0)
		return 0;
	int err = e->errnum;
	if (err == ENOENT || err == EPERM || err == EACCES) {
		/* say which controller is missing rather than just "no such file" */
		_cleanup_free_ char *ctrl = xstrdup(k);
		*strchr(ctrl, '.') = '\0';
		if (strcmp(ctrl, "cgroup") != 0 &&
		    !cg_list_has(cg_unified_controllers(c->cg), ctrl, ' '))
			return werr_set(
				e, err,
				"linux.resources.unified.%s: the %s controller is not available "
				"in %s (available: %s)",
				k, ctrl, dir, cg_unified_controllers(c->cg));
	}
	return werr_wrap(e, "linux.resources.unified.%s", k);
}

static int apply_unified(struct ctx *c, struct werr *e)
{
	const struct oci_resources *r = c->res;
	if (r->n_unified == 0)
		return 0;
	if (!c->cg->unified)
		return werr_set(e, ENOTSUP,
				"linux.resources.unified: needs cgroup v2, and this host has only "
				"cgroup v1");
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		if (!k || !*k || strchr(k, '/') || strcmp(k, ".") == 0 || strcmp(k, "..") == 0)
			return werr_set(
				e, EINVAL,
				"linux.resources.unified: \"%s\" must be a file name (no slashes)",
				k ? k : "");
		if (!strchr(k, '.'))
			return werr_set(
				e, EINVAL,
				"linux.resources.unified: \"%s\" must be CONTROLLER.PARAMETER", k);
	}
	const char *dir = c->cg->unified;
	for (size_t i = 0; c->dry && i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		if (cg_exists(dir, k))
			continue;
		/* refuse up front, naming the controller when that is what is missing */
		_cleanup_free_ char *ctrl = xstrdup(k);
		*strchr(ctrl, '.') = '\0';
		if (strcmp(ctrl, "cgroup") != 0 &&
		    !cg_list_has(cg_unified_controllers(c->cg), ctrl, ' '))
			return werr_set(e, ENOENT,
					"linux.resources.unified.%s: the %s controller is not "
					"available in %s (available: %s)",
					k, ctrl, dir, cg_unified_controllers(c->cg));
		return werr_set(e, ENOENT, "linux.resources.unified.%s: no such file in %s", k,
				dir);
	}
	if (c->dry)
		return 0;
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key,
			   *v = r->unified[i].value ? r->unified[i].value : "";
		if (write_unified(c, dir, k, v, e) < 0)
			return -1;
	}
	return 0;
}

/* ---- driver ---------------------------------------------------------------------- */

static int apply_all(struct ctx *c, struct werr *e)
{
	/* cpuset first (a task needs it to run), devices before the rest, unified last so it
	 * can override any of the above, as runc orders them */
	if (apply_cpu(c, e) < 0 || apply_devices(c, e) < 0 || apply_memory(c, e) < 0 ||
	    apply_pids(c, e) < 0 || apply_blkio(c, e) < 0 || apply_hugetlb(c, e) < 0 ||
	    apply_network(c, e) < 0 || apply_rdma(c, e) < 0 || apply_unified(c, e) < 0)
		return -1;
	return 0;
}

int cg_apply(struct cgroup *cg, const struct oci_resources *res, bool creating, struct werr *e)
{
	struct ctx c = {.cg = cg, .res = res, .creating = creating, .dry = true};
	if (apply_all(&c, e) < 0)
		return -1;
	c.dry = false;
	return apply_all(&c, e);
}
