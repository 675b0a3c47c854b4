/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The numbers behind the virtual /proc files, read from the container's cgroup
 * at each open (nothing is cached but what cannot change: which directories
 * the cgroup is, and when init started).
 *
 *   cgroup v1 (this host's hybrid layout): memory.limit_in_bytes,
 *     memory.usage_in_bytes, memory.stat (total_*), memory.memsw.* (swap, when
 *     the kernel accounts it), cpu.cfs_quota_us / cpu.cfs_period_us,
 *     cpuset.effective_cpus, cpuacct.usage, cpuacct.usage_user / _sys and their
 *     _percpu_ versions, and the cpu hierarchy's tasks;
 *   pure cgroup v2: memory.max, memory.current, memory.stat, memory.swap.max,
 *     memory.swap.current, cpu.max, cpuset.cpus.effective, cpu.stat and
 *     cgroup.threads.
 * A file that is missing (a controller not there) leaves the host's value.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yajl/yajl_tree.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../runtime/cgroup.h"
#include "sup_vproc.h"

#define SMALL_FILE 8192
#define MAX_TASKS  4096

struct vproc_src {
	struct cgroup *cg;
	bool v2;
	const char *mem, *cpu, *cpuacct, *cpuset; /* directories (v2: all the same) */
	unsigned long long start_ticks;           /* init's start, clock ticks after boot */
	uint64_t percpu_user[VPROC_MAX_CPUS], percpu_sys[VPROC_MAX_CPUS];
};

struct vproc_src *vproc_src_load(const char *state_dir)
{
	char path[PATH_MAX], errbuf[128];
	snprintf(path, sizeof(path), "%s/state.json", state_dir);
	_cleanup_free_ char *buf = NULL;
	struct werr e;
	if (read_file_at(AT_FDCWD, path, 1u << 20, &buf, NULL, &e) < 0)
		return NULL;
	yajl_val t = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
	if (!t)
		return NULL;
	const char *cg_path[] = {"cgroup", NULL}, *start_path[] = {"pidStart", NULL};
	yajl_val cgv = yajl_tree_get(t, cg_path, yajl_t_string);
	yajl_val st = yajl_tree_get(t, start_path, yajl_t_number);
	struct vproc_src *src = NULL;
	struct cgroup *cg = NULL;
	if (cgv && st && YAJL_IS_INTEGER(st) && cgroup_open(YAJL_GET_STRING(cgv), &cg, &e) == 0) {
		src = xcalloc(1, sizeof(*src));
		src->cg = cg;
		src->start_ticks = (unsigned long long)YAJL_GET_INTEGER(st);
		src->v2 = cgroup_get_mode(cg) == CGROUP_MODE_V2;
		if (src->v2) {
			src->mem = src->cpu = src->cpuacct = src->cpuset = cgroup_dir(cg, NULL);
		} else {
			src->mem = cgroup_dir(cg, "memory");
			src->cpu = cgroup_dir(cg, "cpu");
			src->cpuacct = cgroup_dir(cg, "cpuacct");
			src->cpuset = cgroup_dir(cg, "cpuset");
		}
	}
	yajl_tree_free(t);
	return src;
}

void vproc_src_free(struct vproc_src *src)
{
	if (!src)
		return;
	cgroup_free(src->cg);
	free(src);
}

/* Reads dir/file (at most size-1 bytes) NUL-terminated; the length or -1. */
static ssize_t read_small(int dirfd, const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	if (!dir)
		return -1;
	if (dir[0])
		snprintf(path, sizeof(path), "%s/%s", dir, file);
	else
		snprintf(path, sizeof(path), "%s", file);
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* A number, or "max" (UINT64_MAX); v1's "-1" (no quota) is no limit too. */
static bool read_u64(const char *dir, const char *file, uint64_t *v)
{
	char buf[64];
	if (read_small(AT_FDCWD, dir, file, buf, sizeof(buf)) <= 0)
		return false;
	if (buf[0] == '-') {
		*v = UINT64_MAX;
		return true;
	}
	return cg_parse_u64(buf, v) == 0;
}

/* "key value" lines (memory.stat, cpu.stat, cpuacct.stat); 0 when absent. */
static uint64_t kv(const char *text, const char *key)
{
	uint64_t v = 0;
	return cg_text_key_u64(text, key, &v) == 0 ? v : 0;
}

/* memory.stat entries and their names: v2, v1 (hierarchical totals) */
static const struct {
	size_t off;
	const char *v2, *v1;
} mem_stat_keys[] = {
	{offsetof(struct vproc_limits, cache), "file", "total_cache"},
	{offsetof(struct vproc_limits, rss), "anon", "total_rss"},
	{offsetof(struct vproc_limits, shmem), "shmem", "total_shmem"},
	{offsetof(struct vproc_limits, mapped), "file_mapped", "total_mapped_file"},
	{offsetof(struct vproc_limits, active_anon), "active_anon", "total_active_anon"},
	{offsetof(struct vproc_limits, inactive_anon), "inactive_anon", "total_inactive_anon"},
	{offsetof(struct vproc_limits, active_file), "active_file", "total_active_file"},
	{offsetof(struct vproc_limits, inactive_file), "inactive_file", "total_inactive_file"},
};

static void read_mem(struct vproc_src *src, struct vproc_limits *l)
{
	char stat[SMALL_FILE];
	bool v2 = src->v2;
	if (!read_u64(src->mem, v2 ? "memory.max" : "memory.limit_in_bytes", &l->mem_limit) ||
	    !read_u64(src->mem, v2 ? "memory.current" : "memory.usage_in_bytes", &l->mem_usage) ||
	    read_small(AT_FDCWD, src->mem, "memory.stat", stat, sizeof(stat)) <= 0)
		return;
	l->have_mem = true;
	/* v1 reports an unlimited cgroup as the largest page-aligned long */
	if (!v2 && l->mem_limit >= (1ull << 62))
		l->mem_limit = UINT64_MAX;
	for (size_t i = 0; i < ARRAY_SIZE(mem_stat_keys); i++)
		*(uint64_t *)((char *)l + mem_stat_keys[i].off) =
			kv(stat, v2 ? mem_stat_keys[i].v2 : mem_stat_keys[i].v1);
	if (v2) {
		l->have_slab = true;
		l->slab_reclaimable = kv(stat, "slab_reclaimable");
		l->slab_unreclaimable = kv(stat, "slab_unreclaimable");
		l->have_swap = read_u64(src->mem, "memory.swap.max", &l->swap_limit) &&
			       read_u64(src->mem, "memory.swap.current", &l->swap_usage);
	} else {
		uint64_t sw_limit, sw_usage;
		if (read_u64(src->mem, "memory.memsw.limit_in_bytes", &sw_limit) &&
		    read_u64(src->mem, "memory.memsw.usage_in_bytes", &sw_usage)) {
			l->have_swap = true;
			if (sw_limit >= (1ull << 62) || l->mem_limit == UINT64_MAX)
				l->swap_limit = UINT64_MAX;
			else
				l->swap_limit =
					sw_limit > l->mem_limit ? sw_limit - l->mem_limit : 0;
			l->swap_usage = sw_usage > l->mem_usage ? sw_usage - l->mem_usage : 0;
		}
	}
}

static void read_cpus(struct vproc_src *src, struct vproc_limits *l)
{
	char buf[1024];
	bool got = read_small(AT_FDCWD, src->cpuset,
			      src->v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus", buf,
			      sizeof(buf)) > 0 &&
		   vproc_parse_cpulist(buf, &l->cpuset) == 0 && CPU_COUNT(&l->cpuset) > 0;
	if (!got &&
	    (read_small(AT_FDCWD, "", "/sys/devices/system/cpu/online", buf, sizeof(buf)) <= 0 ||
	     vproc_parse_cpulist(buf, &l->cpuset) < 0))
		CPU_SET(0, &l->cpuset);
	uint64_t quota = UINT64_MAX, period = 0;
	if (src->v2) {
		if (read_small(AT_FDCWD, src->cpu, "cpu.max", buf, sizeof(buf)) > 0 &&
		    strncmp(buf, "max", 3) != 0) {
			char *end;
			quota = strtoull(buf, &end, 10);
			period = strtoull(end, NULL, 10);
		}
	} else if (read_u64(src->cpu, "cpu.cfs_quota_us", &quota)) {
		read_u64(src->cpu, "cpu.cfs_period_us", &period);
	}
	if (quota != UINT64_MAX && period > 0)
		l->quota_cpus = (int)((quota + period - 1) / period);
}

/* One line of per-CPU nanoseconds into out[]; how many. */
static int read_percpu(const char *dir, const char *file, uint64_t *out)
{
	char buf[SMALL_FILE];
	if (read_small(AT_FDCWD, dir, file, buf, sizeof(buf)) <= 0)
		return -1;
	int n = 0;
	for (char *p = buf, *end; n < VPROC_MAX_CPUS; p = end, n++) {
		out[n] = strtoull(p, &end, 10);
		if (end == p)
			break;
	}
	return n;
}

static void read_usage(struct vproc_src *src, struct vproc_limits *l)
{
	if (src->v2) {
		char stat[SMALL_FILE];
		if (read_small(AT_FDCWD, src->cpu, "cpu.stat", stat, sizeof(stat)) <= 0)
			return;
		l->have_cpu_usage = true;
		l->usage_ns = kv(stat, "usage_usec") * 1000;
		l->user_ns = kv(stat, "user_usec") * 1000;
		l->system_ns = kv(stat, "system_usec") * 1000;
		return;
	}
	if (!read_u64(src->cpuacct, "cpuacct.usage", &l->usage_ns))
		return;
	l->have_cpu_usage = true;
	read_u64(src->cpuacct, "cpuacct.usage_user", &l->user_ns);
	read_u64(src->cpuacct, "cpuacct.usage_sys", &l->system_ns);
	int nu = read_percpu(src->cpuacct, "cpuacct.usage_percpu_user", src->percpu_user);
	int ns = read_percpu(src->cpuacct, "cpuacct.usage_percpu_sys", src->percpu_sys);
	if (nu > 0 && nu == ns) {
		l->percpu_user_ns = src->percpu_user;
		l->percpu_sys_ns = src->percpu_sys;
		l->n_percpu = nu;
	}
}

static void read_time(struct vproc_src *src, int proc_fd, struct vproc_limits *l)
{
	char buf[128];
	l->hz = sysconf(_SC_CLK_TCK);
	if (l->hz <= 0)
		l->hz = 100;
	if (read_small(proc_fd, "", "uptime", buf, sizeof(buf)) <= 0)
		return;
	char *end;
	l->host_uptime = strtod(buf, &end);
	l->host_idle = strtod(end, NULL);
	double age = l->host_uptime - (double)src->start_ticks / (double)l->hz;
	l->uptime = age > 0 ? age : 0;
}

/* The state letter and the innermost pid of one thread, from /proc/TID/status. */
static void read_task(int proc_fd, const char *tid, struct vproc_limits *l)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "%s/status", tid);
	if (read_small(proc_fd, "", path, buf, sizeof(buf)) <= 0)
		return;
	l->threads++;
	const char *st = strstr(buf, "\nState:");
	if (st) {
		st += 7;
		while (*st == ' ' || *st == '\t')
			st++;
		if (*st == 'R' || *st == 'D')
			l->runnable++;
	}
	const char *ns = strstr(buf, "\nNSpid:");
	if (ns) {
		const char *eol = strchr(ns + 1, '\n');
		const char *last = NULL;
		for (const char *p = ns + 7; *p && (!eol || p < eol); p++)
			if ((*p == '\t' || *p == ' ') && p[1] >= '0' && p[1] <= '9')
				last = p + 1;
		if (last) {
			int pid = atoi(last);
			if (pid > l->last_pid)
				l->last_pid = pid;
		}
	}
}

static void read_tasks(struct vproc_src *src, int proc_fd, struct vproc_limits *l)
{
	char path[PATH_MAX];
	const char *dir = src->v2 ? src->cpu : src->cpu ? src->cpu : src->mem;
	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, src->v2 ? "cgroup.threads" : "tasks");
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[32];
	for (unsigned n = 0; n < MAX_TASKS && fgets(line, sizeof(line), f); n++) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			read_task(proc_fd, line, l);
	}
	fclose(f);
}

int vproc_read(struct vproc_src *src, int proc_fd, unsigned need, struct vproc_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->mem_limit = l->swap_limit = UINT64_MAX;
	l->hz = 100;
	if (need & VPROC_MEM)
		read_mem(src, l);
	if (need & VPROC_CPUS)
		read_cpus(src, l);
	if (need & VPROC_USAGE)
		read_usage(src, l);
	if (need & VPROC_TIME)
		read_time(src, proc_fd, l);
	if (need & VPROC_TASKS)
		read_tasks(src, proc_fd, l);
	return 0;
}
