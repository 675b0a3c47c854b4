/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtualized /proc files (policy proc.virtualize): what LXCFS shows, computed
 * by the supervisor at open time from the container's cgroup and start time.
 *
 * Split in two so the arithmetic can be tested on fixtures:
 *   sup_vproc_gen.c  pure: host text + struct vproc_limits -> the container's text
 *   sup_vproc_cg.c   reads struct vproc_limits from the cgroup (v1 or pure v2)
 *   sup_vproc.c      the notification handlers (open*, sched_getaffinity, sysinfo)
 *
 * Which CPUs the container has: its cpuset (cpuset.effective_cpus, or the host's
 * online CPUs without one), cut to the first ceil(quota / period) of them when a
 * CFS quota is set. They are renumbered 0..n-1 in every file.
 */
#ifndef WARD_SUP_VPROC_H
#define WARD_SUP_VPROC_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/sysinfo.h>

#define VPROC_MAX_CPUS CPU_SETSIZE

struct vproc_limits {
	/* memory, bytes (have_mem false: no memory controller files, host values shown) */
	bool have_mem;
	uint64_t mem_limit; /* UINT64_MAX: none */
	uint64_t mem_usage; /* includes the page cache, as the kernel counts it */
	uint64_t cache, rss, shmem, mapped;
	uint64_t active_anon, inactive_anon, active_file, inactive_file;
	bool have_slab;
	uint64_t slab_reclaimable, slab_unreclaimable;
	bool have_swap;
	uint64_t swap_limit; /* swap alone (v1: memsw - mem), UINT64_MAX: none */
	uint64_t swap_usage;

	/* CPUs */
	cpu_set_t cpuset; /* effective cpuset, or the host's online CPUs */
	int quota_cpus;   /* ceil(quota / period); 0: no quota */
	bool have_cpu_usage;
	uint64_t usage_ns;              /* total CPU time of the cgroup */
	uint64_t user_ns, system_ns;    /* its split */
	const uint64_t *percpu_user_ns; /* by host CPU id (n_percpu entries), or NULL */
	const uint64_t *percpu_sys_ns;
	int n_percpu;

	/* time, seconds: the host's uptime and idle, and the container's age */
	double host_uptime, host_idle, uptime;
	long hz; /* USER_HZ of /proc/stat */

	/* tasks of the cgroup: threads, runnable (R or D) ones, highest pid in the container */
	unsigned threads, runnable;
	int last_pid;
};

/* The container's CPUs (host ids), see above. Returns how many. */
int vproc_cpus(const struct vproc_limits *l, cpu_set_t *out);
/* Parses a kernel CPU list ("0-3,8\n"); -1 when malformed. */
int vproc_parse_cpulist(const char *s, cpu_set_t *out);

/* Each writes the container's version of a file into out. -1 (errno EINVAL) when the
 * host text cannot be understood: the caller then shows the host's file. */
int vproc_meminfo(FILE *out, const char *host, const struct vproc_limits *l);
int vproc_cpuinfo(FILE *out, const char *host, const struct vproc_limits *l);
int vproc_stat(FILE *out, const char *host, const struct vproc_limits *l);
int vproc_uptime(FILE *out, const struct vproc_limits *l);
int vproc_loadavg(FILE *out, const struct vproc_limits *l);
int vproc_cpu_online(FILE *out, const struct vproc_limits *l);

/* sysinfo(2) with the container's memory, uptime, load and task count (host values in). */
void vproc_sysinfo(struct sysinfo *si, const char *host_meminfo, const struct vproc_limits *l);
/* Keeps the first n set bits of a CPU mask of len bytes (sched_getaffinity's layout). */
void vproc_affinity_cut(unsigned char *mask, size_t len, int n);

/* ---- sup_vproc_cg.c: where the numbers come from ---- */

/* What a file needs (vproc_read reads nothing else: one generation per open). */
enum vproc_need {
	VPROC_MEM = 1u << 0,
	VPROC_CPUS = 1u << 1,  /* cpuset and quota */
	VPROC_USAGE = 1u << 2, /* CPU time used (per CPU where kept) */
	VPROC_TIME = 1u << 3,  /* uptime */
	VPROC_TASKS = 1u << 4, /* threads, runnable, last pid */
};

struct vproc_src;
/* The container's cgroup and start time, from state.json in state_dir (written by create;
 * -1 while it is not there yet). Neither can change while the container lives. */
struct vproc_src *vproc_src_load(const char *state_dir);
void vproc_src_free(struct vproc_src *src);
/* Fills l from the cgroup now. proc_fd: the supervisor's /proc. l's per-CPU arrays point
 * into src (one reader at a time: the supervisor's event loop). */
int vproc_read(struct vproc_src *src, int proc_fd, unsigned need, struct vproc_limits *l);

#endif
