/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual /proc files (policy proc.virtualize): an open of /proc/meminfo,
 * /proc/cpuinfo, /proc/stat, /proc/uptime, /proc/loadavg or
 * /sys/devices/system/cpu/online is answered with a sealed memfd whose text
 * is computed now from the container's cgroup (sup_vproc_gen.c), injected with
 * SECCOMP_IOCTL_NOTIF_ADDFD + SECCOMP_ADDFD_FLAG_SEND. Every other open goes on
 * with CONTINUE.
 *
 * Why this needs no helper in the container's namespaces: the supervisor opens
 * nothing on the caller's behalf. It reads the path, resolves it lexically
 * (against the caller's cwd or dirfd as readlink of /proc/TID/cwd or
 * /proc/TID/fd/N shows them) and compares it with six names. No security
 * decision rests on that: a thread that rewrites the path after our read can
 * only get the host's real file instead of the virtual one, which the
 * kernel's own /proc shows it anyway. Only those exact names count: a symlink
 * to /proc/meminfo, /proc/self/root/proc/meminfo or a dirfd on /proc/1/.. show
 * the host's file (the same information, unvirtualized).
 *
 * The memfd is reopened read-only through /proc/self/fd (the caller gets an
 * O_RDONLY description at offset 0, as from procfs), sealed against writes,
 * growth, shrinking and further seals; O_CLOEXEC of the caller's flags is
 * honoured.
 *
 * sched_getaffinity and sysinfo are emulated: the supervisor makes the call
 * itself (for the calling thread, by its host tid), cuts the CPU mask to the
 * quota's CPU count or puts the container's memory, uptime and load into the
 * struct, and writes the result into the caller's buffer. Only pid 0 (the
 * caller itself) is emulated for sched_getaffinity; a pid of the container's
 * namespace goes on with CONTINUE and gets the kernel's answer.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "sup_file.h"
#include "sup_vproc.h"

#define HOST_FILE_MAX (4u << 20)
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

enum vfile { VF_MEMINFO, VF_CPUINFO, VF_STAT, VF_UPTIME, VF_LOADAVG, VF_ONLINE };

static const struct {
	const char *path;
	const char *base;
	const char *host; /* the host's text it rewrites (in the supervisor's /proc) */
	unsigned need;
} vfiles[] = {
	[VF_MEMINFO] = {"/proc/meminfo", "meminfo", "meminfo", VPROC_MEM},
	[VF_CPUINFO] = {"/proc/cpuinfo", "cpuinfo", "cpuinfo", VPROC_CPUS},
	[VF_STAT] = {"/proc/stat", "stat", "stat", VPROC_CPUS | VPROC_USAGE | VPROC_TIME},
	[VF_UPTIME] = {"/proc/uptime", "uptime", NULL, VPROC_CPUS | VPROC_USAGE | VPROC_TIME},
	[VF_LOADAVG] = {"/proc/loadavg", "loadavg", NULL, VPROC_TASKS},
	[VF_ONLINE] = {"/sys/devices/system/cpu/online", "online", NULL, VPROC_CPUS},
};

/* The container's cgroup and start: loaded at the first virtual open (state.json is
 * written at the end of create; opens before that see the host's files). Event loop only. */
static struct vproc_src *vsrc;

static struct vproc_src *src_get(struct sup *s)
{
	if (!vsrc && s->state_dir)
		vsrc = vproc_src_load(s->state_dir);
	return vsrc;
}

void sup_vproc_release(void)
{
	vproc_src_free(vsrc);
	vsrc = NULL;
}

/* Which virtual file the open names, or -1. */
static int which_file(struct sup_call *c, const struct sup_open *o)
{
	if (!o->have_path || o->truncated || !o->path[0])
		return -1;
	/* cheap first: the last component must be one of ours */
	const char *base = strrchr(o->path, '/');
	base = base ? base + 1 : o->path;
	bool maybe = false;
	for (size_t i = 0; i < ARRAY_SIZE(vfiles); i++)
		maybe |= strcmp(base, vfiles[i].base) == 0;
	if (!maybe)
		return -1;
	char full[PATH_MAX * 2];
	if (o->path[0] == '/') {
		snprintf(full, sizeof(full), "%s", o->path);
	} else {
		char link[64];
		if (o->dirfd == AT_FDCWD)
			snprintf(link, sizeof(link), "%u/cwd", c->n.pid);
		else
			snprintf(link, sizeof(link), "%u/fd/%d", c->n.pid, o->dirfd);
		ssize_t n = readlinkat(c->s->proc_fd, link, full, PATH_MAX - 1);
		if (n <= 0 || full[0] != '/')
			return -1;
		full[n] = '\0';
		snprintf(full + n, sizeof(full) - (size_t)n, "/%s", o->path);
	}
	_cleanup_free_ char *clean = path_clean(full);
	for (size_t i = 0; i < ARRAY_SIZE(vfiles); i++)
		if (strcmp(clean, vfiles[i].path) == 0)
			return (int)i;
	return -1;
}

/* The file's text into a sealed, read-only memfd; -1 when it cannot be made. */
static int make_file(struct sup *s, enum vfile f)
{
	struct vproc_src *src = src_get(s);
	if (!src)
		return -1;
	struct vproc_limits l;
	unsigned need = vfiles[f].need;
	if (f == VF_STAT || f == VF_UPTIME)
		need |= VPROC_CPUS;
	vproc_read(src, s->proc_fd, need, &l);
	/* the caller is one of the cgroup's threads, running though it waits on us now */
	if (l.runnable < l.threads)
		l.runnable++;
	_cleanup_free_ char *host = NULL;
	struct werr e;
	if (vfiles[f].host &&
	    read_file_at(s->proc_fd, vfiles[f].host, HOST_FILE_MAX, &host, NULL, &e) < 0)
		return -1;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return -1;
	int r = -1;
	switch (f) {
	case VF_MEMINFO:
		r = vproc_meminfo(out, host, &l);
		break;
	case VF_CPUINFO:
		r = vproc_cpuinfo(out, host, &l);
		break;
	case VF_STAT:
		r = vproc_stat(out, host, &l);
		break;
	case VF_UPTIME:
		r = vproc_uptime(out, &l);
		break;
	case VF_LOADAVG:
		r = vproc_loadavg(out, &l);
		break;
	case VF_ONLINE:
		r = vproc_cpu_online(out, &l);
		break;
	}
	if (fclose(out) != 0)
		r = -1;
	_cleanup_free_ char *owned = text;
	if (r < 0)
		return -1;
	_cleanup_close_ int mfd =
		memfd_create(vfiles[f].base, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL);
	if (mfd < 0 && errno == EINVAL) /* before Linux 6.3 */
		mfd = memfd_create(vfiles[f].base, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || write_all(mfd, text, len) < 0 ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return -1;
	char self[48];
	snprintf(self, sizeof(self), "self/fd/%d", mfd);
	return openat(s->proc_fd, self, O_RDONLY | O_CLOEXEC);
}

bool sup_vproc_open(struct sup_call *c, const struct sup_open *o)
{
	/* a plain read only: what would write, create, walk or not read gets the real file */
	if ((o->flags & (O_ACCMODE | O_CREAT | O_DIRECTORY | O_PATH | O_TRUNC)) != 0 ||
	    (c->n.data.nr == SYS_openat2 && (!o->how_ok || o->resolve)))
		return false;
	int f = which_file(c, o);
	if (f < 0)
		return false;
	_cleanup_close_ int fd = make_file(c->s, (enum vfile)f);
	if (fd < 0) {
		log_debug("supervisor: %s not virtualized: %m", vfiles[f].path);
		return false;
	}
	/* the path was read from the caller's memory: is that caller still waiting? */
	if (!sup_call_valid(c)) {
		sup_call_reply(c, 0, ENOENT, "error", NULL);
		return true;
	}
	if (c->audit) {
		jsonw_key_str(&c->jw, "path", o->path);
		jsonw_key_str(&c->jw, "virtual", vfiles[f].path);
	}
	sup_call_reply_fd(c, fd, (o->flags & O_CLOEXEC) != 0, "virtualize");
	return true;
}

void sup_vproc_affinity(struct sup_call *c)
{
	const __u64 *a = c->n.data.args;
	struct vproc_src *src = src_get(c->s);
	struct vproc_limits l;
	if ((pid_t)a[0] != 0 || !src) {
		sup_call_continue(c);
		return;
	}
	vproc_read(src, c->s->proc_fd, VPROC_CPUS, &l);
	if (l.quota_cpus <= 0) {
		/* without a quota the kernel's answer (the cpuset) is the container's */
		sup_call_continue(c);
		return;
	}
	/* the kernel's own checks first: a length of whole longs */
	size_t len = (size_t)(uint32_t)a[1];
	if (len & (sizeof(long) - 1)) {
		sup_call_reply(c, 0, EINVAL, "error", NULL);
		return;
	}
	unsigned char mask[VPROC_MAX_CPUS / 8];
	size_t ask = len < sizeof(mask) ? len : sizeof(mask);
	long r = syscall(SYS_sched_getaffinity, (pid_t)c->n.pid, ask, mask);
	if (r < 0) {
		sup_call_reply(c, 0, errno, "error", NULL);
		return;
	}
	vproc_affinity_cut(mask, (size_t)r, l.quota_cpus);
	if (!sup_call_valid(c))
		return;
	if (sup_target_write((pid_t)c->n.pid, a[2], mask, (size_t)r) < 0) {
		sup_call_reply(c, 0, EFAULT, "error", NULL);
		return;
	}
	sup_call_reply(c, r, 0, "virtualize", NULL);
}

void sup_vproc_sysinfo(struct sup_call *c)
{
	struct vproc_src *src = src_get(c->s);
	struct sysinfo si;
	_cleanup_free_ char *host = NULL;
	struct werr e;
	if (!src || sysinfo(&si) < 0 ||
	    read_file_at(c->s->proc_fd, "meminfo", HOST_FILE_MAX, &host, NULL, &e) < 0) {
		sup_call_continue(c);
		return;
	}
	struct vproc_limits l;
	vproc_read(src, c->s->proc_fd, VPROC_MEM | VPROC_TIME | VPROC_TASKS, &l);
	if (l.runnable < l.threads)
		l.runnable++; /* the caller, as in make_file */
	vproc_sysinfo(&si, host, &l);
	if (!sup_call_valid(c))
		return;
	/* the kernel's struct, not our libc's: musl pads its own with 256 reserved bytes, which
	 * would overrun the caller's (glibc's matches the kernel's, 112 bytes on 64-bit) */
	size_t abi_size =
		(offsetof(struct sysinfo, mem_unit) + sizeof(si.mem_unit) + 7) & ~(size_t)7;
	if (sup_target_write((pid_t)c->n.pid, c->n.data.args[0], &si, abi_size) < 0) {
		sup_call_reply(c, 0, EFAULT, "error", NULL);
		return;
	}
	sup_call_reply(c, 0, 0, "virtualize", NULL);
}
