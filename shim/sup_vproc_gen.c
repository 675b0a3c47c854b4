/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's /proc text from the host's text and the cgroup's numbers.
 * Pure (no I/O but the output stream), so tests/unit/test_vproc.c checks it on
 * fixtures. The rules, line by line, are LXCFS's:
 *
 *   meminfo  MemTotal = min(host, limit); MemFree = total - usage; MemAvailable =
 *            free + the file cache (+ reclaimable slab on v2); Cached, Active*,
 *            Inactive*, Shmem, AnonPages, Mapped from memory.stat; Buffers 0; slab
 *            lines from memory.stat on v2 and 0 on v1 (no per-cgroup number there);
 *            SwapTotal = min(host, swap limit), SwapFree from the swap usage. Every
 *            other line is the host's. No memory controller: the host's file.
 *   cpuinfo  the blocks of the container's CPUs only, "processor" renumbered.
 *   stat     one cpuN line per container CPU: user and system from the cgroup
 *            (per CPU where the kernel keeps it per CPU and the set is not cut by
 *            a quota, else spread evenly), idle = the container's age minus both,
 *            the other columns 0; the "cpu" line is their sum. Other lines: host.
 *   uptime   the container's age; idle = age x CPUs - CPU time used.
 *   loadavg  see vproc_loadavg.
 */
#include "sup_vproc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

int vproc_parse_cpulist(const char *s, cpu_set_t *out)
{
	CPU_ZERO(out);
	while (*s && *s != '\n') {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;
		if (end == s)
			return -1;
		s = end;
		if (*s == '-') {
			hi = strtoul(s + 1, &end, 10);
			if (end == s + 1 || hi < lo)
				return -1;
			s = end;
		}
		for (unsigned long c = lo; c <= hi && c < VPROC_MAX_CPUS; c++)
			CPU_SET(c, out);
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return 0;
}

int vproc_cpus(const struct vproc_limits *l, cpu_set_t *out)
{
	CPU_ZERO(out);
	int n = 0;
	for (int c = 0; c < VPROC_MAX_CPUS; c++) {
		if (!CPU_ISSET(c, &l->cpuset))
			continue;
		if (l->quota_cpus > 0 && n >= l->quota_cpus)
			break;
		CPU_SET(c, out);
		n++;
	}
	return n;
}

/* "Key:   123 kB" of a meminfo text, in kB. */
static bool mi_get(const char *text, const char *key, uint64_t *kb)
{
	size_t k = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, k) == 0 && l[k] == ':') {
			char *end;
			*kb = strtoull(l + k + 1, &end, 10);
			return end != l + k + 1;
		}
	return false;
}

struct mi_val {
	const char *key;
	uint64_t kb;
	bool set;
};

/* The container's memory numbers in kB; false when the host's apply unchanged. */
struct mem_view {
	uint64_t total, free, avail, swap_total, swap_free;
	bool swap;
};

static bool mem_view(const char *host, const struct vproc_limits *l, struct mem_view *v)
{
	uint64_t host_total, host_swap = 0;
	if (!l->have_mem || !mi_get(host, "MemTotal", &host_total))
		return false;
	mi_get(host, "SwapTotal", &host_swap);
	v->total =
		l->mem_limit == UINT64_MAX ? host_total : min_u64(host_total, l->mem_limit >> 10);
	uint64_t used = min_u64(l->mem_usage >> 10, v->total);
	v->free = v->total - used;
	uint64_t reclaim = (l->active_file + l->inactive_file) >> 10;
	if (l->have_slab)
		reclaim += l->slab_reclaimable >> 10;
	v->avail = min_u64(v->free + reclaim, v->total);
	v->swap = l->have_swap;
	if (v->swap) {
		v->swap_total = l->swap_limit == UINT64_MAX
					? host_swap
					: min_u64(host_swap, l->swap_limit >> 10);
		v->swap_free = v->swap_total - min_u64(l->swap_usage >> 10, v->swap_total);
	}
	return true;
}

int vproc_meminfo(FILE *out, const char *host, const struct vproc_limits *l)
{
	struct mem_view v;
	uint64_t probe;
	if (!mi_get(host, "MemTotal", &probe)) {
		errno = EINVAL;
		return -1;
	}
	if (!mem_view(host, l, &v)) {
		fputs(host, out);
		return 0;
	}
	struct mi_val vals[] = {
		{"MemTotal", v.total, true},
		{"MemFree", v.free, true},
		{"MemAvailable", v.avail, true},
		{"Buffers", 0, true},
		{"Cached", l->cache >> 10, true},
		{"SwapCached", 0, true},
		{"Active", (l->active_anon + l->active_file) >> 10, true},
		{"Inactive", (l->inactive_anon + l->inactive_file) >> 10, true},
		{"Active(anon)", l->active_anon >> 10, true},
		{"Inactive(anon)", l->inactive_anon >> 10, true},
		{"Active(file)", l->active_file >> 10, true},
		{"Inactive(file)", l->inactive_file >> 10, true},
		{"SwapTotal", v.swap_total, v.swap},
		{"SwapFree", v.swap_free, v.swap},
		{"AnonPages", l->rss >> 10, true},
		{"Mapped", l->mapped >> 10, true},
		{"Shmem", l->shmem >> 10, true},
		{"Slab", (l->slab_reclaimable + l->slab_unreclaimable) >> 10, true},
		{"SReclaimable", l->slab_reclaimable >> 10, true},
		{"SUnreclaim", l->slab_unreclaimable >> 10, true},
	};
	for (const char *line = host; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		const char *colon = memchr(line, ':', len);
		bool done = false;
		for (size_t i = 0; colon && i < sizeof(vals) / sizeof(vals[0]); i++) {
			size_t k = strlen(vals[i].key);
			if (vals[i].set && (size_t)(colon - line) == k &&
			    strncmp(line, vals[i].key, k) == 0) {
				/* the kernel's layout: the key and its colon in 16 columns, 8
				 * digits */
				char key[32];
				snprintf(key, sizeof(key), "%s:", vals[i].key);
				fprintf(out, "%-16s%8" PRIu64 " kB\n", key, vals[i].kb);
				done = true;
				break;
			}
		}
		if (!done)
			fwrite(line, 1, len, out);
		line += len;
	}
	return 0;
}

int vproc_cpuinfo(FILE *out, const char *host, const struct vproc_limits *l)
{
	cpu_set_t cpus;
	vproc_cpus(l, &cpus);
	bool keep = true, any = false;
	int next = 0;
	for (const char *line = host; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (strncmp(line, "processor", 9) == 0 &&
		    (line[9] == '\t' || line[9] == ' ' || line[9] == ':')) {
			const char *colon = memchr(line, ':', len);
			if (!colon) {
				errno = EINVAL;
				return -1;
			}
			long cpu = strtol(colon + 1, NULL, 10);
			keep = cpu >= 0 && cpu < VPROC_MAX_CPUS && CPU_ISSET(cpu, &cpus);
			if (keep) {
				fprintf(out, "%.*s: %d\n", (int)(colon - line), line, next++);
				any = true;
			}
		} else if (keep) {
			fwrite(line, 1, len, out);
		}
		line += len;
	}
	if (!any) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

struct cpu_times {
	uint64_t user, system, idle;
};

static void put_cpu_line(FILE *out, const char *name, const struct cpu_times *t)
{
	fprintf(out, "%s %" PRIu64 " 0 %" PRIu64 " %" PRIu64 " 0 0 0 0 0 0\n", name, t->user,
		t->system, t->idle);
}

int vproc_stat(FILE *out, const char *host, const struct vproc_limits *l)
{
	if (strncmp(host, "cpu ", 4) != 0) {
		errno = EINVAL;
		return -1;
	}
	cpu_set_t cpus;
	int n = vproc_cpus(l, &cpus);
	if (n <= 0) {
		errno = EINVAL;
		return -1;
	}
	/* the set is what the tasks ran on unless a quota cut it */
	bool per_cpu = l->percpu_user_ns && l->percpu_sys_ns && l->quota_cpus == 0;
	double hz = (double)(l->hz > 0 ? l->hz : 100);
	uint64_t age = (uint64_t)(l->uptime * hz);
	struct cpu_times sum = {0}, each[VPROC_MAX_CPUS];
	int k = 0;
	for (int c = 0; c < VPROC_MAX_CPUS && k < n; c++) {
		if (!CPU_ISSET(c, &cpus))
			continue;
		uint64_t u, s;
		if (per_cpu && c < l->n_percpu) {
			u = l->percpu_user_ns[c];
			s = l->percpu_sys_ns[c];
		} else if (per_cpu) {
			u = s = 0;
		} else {
			u = l->user_ns / (uint64_t)n;
			s = l->system_ns / (uint64_t)n;
		}
		struct cpu_times *t = &each[k++];
		t->user = (uint64_t)((double)u * hz / 1e9);
		t->system = (uint64_t)((double)s * hz / 1e9);
		t->idle = age > t->user + t->system ? age - t->user - t->system : 0;
		sum.user += t->user;
		sum.system += t->system;
		sum.idle += t->idle;
	}
	put_cpu_line(out, "cpu ", &sum);
	for (int i = 0; i < k; i++) {
		char name[16];
		snprintf(name, sizeof(name), "cpu%d", i);
		put_cpu_line(out, name, &each[i]);
	}
	for (const char *line = host; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
		if (strncmp(line, "cpu", 3) != 0)
			fwrite(line, 1, len, out);
		line += len;
	}
	return 0;
}

int vproc_uptime(FILE *out, const struct vproc_limits *l)
{
	cpu_set_t cpus;
	int n = vproc_cpus(l, &cpus);
	double used = l->have_cpu_usage ? (double)l->usage_ns / 1e9 : 0;
	double idle = l->uptime * (n > 0 ? n : 1) - used;
	fprintf(out, "%.2f %.2f\n", l->uptime, idle > 0 ? idle : 0);
	return 0;
}

/*
 * loadavg: the kernel's averages are per host and a cgroup keeps none, and
 * keeping our own (LXCFS samples every cgroup every 5 s) would cost a thread
 * and a timer in every idle supervisor. So the three averages are the number
 * of the cgroup's threads that are runnable or in uninterruptible sleep right
 * now (the value the averages converge to under a steady load), then
 * runnable/threads and the highest pid in the container's pid namespace.
 */
int vproc_loadavg(FILE *out, const struct vproc_limits *l)
{
	for (int i = 0; i < 3; i++)
		fprintf(out, "%u.00 ", l->runnable);
	fprintf(out, "%u/%u %d\n", l->runnable, l->threads, l->last_pid);
	return 0;
}

int vproc_cpu_online(FILE *out, const struct vproc_limits *l)
{
	cpu_set_t cpus;
	int n = vproc_cpus(l, &cpus);
	if (n <= 1)
		fputs("0\n", out);
	else
		fprintf(out, "0-%d\n", n - 1);
	return 0;
}

void vproc_sysinfo(struct sysinfo *si, const char *host_meminfo, const struct vproc_limits *l)
{
	struct mem_view v;
	if (mem_view(host_meminfo, l, &v)) {
		/* everything in bytes from here on (the host's swap too) */
		unsigned long unit = si->mem_unit ? si->mem_unit : 1;
		si->mem_unit = 1;
		si->totalram = v.total << 10;
		si->freeram = v.free << 10;
		si->sharedram = l->shmem;
		si->bufferram = 0;
		si->totalhigh = si->freehigh = 0;
		si->totalswap = v.swap ? v.swap_total << 10 : si->totalswap * unit;
		si->freeswap = v.swap ? v.swap_free << 10 : si->freeswap * unit;
	}
	si->uptime = (long)l->uptime;
	for (int i = 0; i < 3; i++)
		si->loads[i] = (unsigned long)l->runnable << SI_LOAD_SHIFT;
	si->procs = (unsigned short)(l->threads > 0xffff ? 0xffff : l->threads);
}

void vproc_affinity_cut(unsigned char *mask, size_t len, int n)
{
	int seen = 0;
	for (size_t i = 0; i < len; i++)
		for (int b = 0; b < 8; b++)
			if (mask[i] & (1u << b)) {
				if (seen >= n)
					mask[i] &= (unsigned char)~(1u << b);
				else
					seen++;
			}
}
