/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading the calling thread: its memory (process_vm_readv: one syscall, no
 * fd to keep per process), its fds (pidfd_getfd: the very open file
 * description, so an emulated connect acts on the caller's socket), and its
 * credentials (/proc/TID/status, for emulations that must act as the caller).
 *
 * Everything read from memory may be rewritten by another thread of the
 * caller at any moment: callers of these functions decide on their own copy
 * and check the notification is still valid afterwards.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../common/util.h"

/*
 * Opening /proc/TID/... and pidfds costs microseconds each on every call, so
 * a few recent threads keep theirs. Nothing stale can be used: a pidfd names
 * one task for good, so once that task is gone pidfd_getfd fails with ESRCH
 * (also when its tid was reused meanwhile) and the entry is opened afresh;
 * the same holds for an open /proc/TID/comm, whose reads then fail.
 */
#define TID_CACHE 32

struct tid_ent {
	pid_t tid;
	int pidfd, commfd;
	uint64_t used;
};

static struct tid_ent tid_cache[TID_CACHE];
static pthread_mutex_t tid_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t tid_clock;

static int open_pidfd(int proc_fd, pid_t tid)
{
	/* a thread pidfd (Linux 6.9+) names exactly the caller, leader or not */
	int fd = pidfd_open(tid, PIDFD_THREAD);
	if (fd < 0 && errno == EINVAL) {
		struct sup_creds cr;
		pid_t tgid = tid;
		if (sup_creds_read(proc_fd, tid, &cr) == 0)
			tgid = cr.tgid;
		fd = pidfd_open(tgid, 0);
	}
	return fd;
}

static void ent_reset(struct tid_ent *e, pid_t tid)
{
	if (e->used && e->pidfd >= 0)
		close(e->pidfd);
	if (e->used && e->commfd >= 0)
		close(e->commfd);
	e->tid = tid;
	e->pidfd = -1;
	e->commfd = -1;
}

/* The entry for tid (created, or recycled from the least recently used). Lock held. */
static struct tid_ent *ent_get(pid_t tid)
{
	struct tid_ent *lru = &tid_cache[0];
	for (int i = 0; i < TID_CACHE; i++) {
		struct tid_ent *e = &tid_cache[i];
		if (e->tid == tid && e->used) {
			e->used = ++tid_clock;
			return e;
		}
		if (e->used < lru->used)
			lru = e;
	}
	ent_reset(lru, tid);
	lru->used = ++tid_clock;
	return lru;
}

/* A new fd for the cached pidfd of tid, the caller's to close. */
static int cached_pidfd(int proc_fd, pid_t tid)
{
	pthread_mutex_lock(&tid_lock);
	struct tid_ent *e = ent_get(tid);
	if (e->pidfd < 0)
		e->pidfd = open_pidfd(proc_fd, tid);
	int fd = e->pidfd >= 0 ? fcntl(e->pidfd, F_DUPFD_CLOEXEC, 3) : -1;
	pthread_mutex_unlock(&tid_lock);
	return fd;
}

/*
 * Whether a task has exited: a zombie or one being released counts (it makes
 * no more calls). The listener's hang-up can come while its last task is
 * still being released, when /proc/TID/comm still reads.
 */
static bool task_exited(int proc_fd, const struct tid_ent *e)
{
	if (e->pidfd >= 0) {
		struct pollfd p = {.fd = e->pidfd, .events = POLLIN};
		if (poll(&p, 1, 0) != 0)
			return true; /* readable (or an error): exited */
	}
	char path[32], buf[512];
	snprintf(path, sizeof(path), "%d/stat", e->tid);
	int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	const char *paren = strrchr(buf, ')'); /* the name may contain anything */
	return !paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X';
}

void sup_target_forget_dead(int proc_fd)
{
	pthread_mutex_lock(&tid_lock);
	for (int i = 0; i < TID_CACHE; i++) {
		struct tid_ent *e = &tid_cache[i];
		if (!e->used)
			continue;
		bool dead = task_exited(proc_fd, e);
		if (dead) {
			ent_reset(e, 0);
			e->used = 0;
		}
	}
	pthread_mutex_unlock(&tid_lock);
}

int sup_target_pidfd(struct sup_call *c)
{
	if (c->pidfd < 0)
		c->pidfd = cached_pidfd(c->s->proc_fd, (pid_t)c->n.pid);
	return c->pidfd;
}

int sup_target_comm(struct sup_call *c, char *buf, size_t len)
{
	pid_t tid = (pid_t)c->n.pid;
	buf[0] = '\0';
	pthread_mutex_lock(&tid_lock);
	struct tid_ent *e = ent_get(tid);
	ssize_t n = -1;
	for (int attempt = 0; attempt < 2 && n < 0; attempt++) {
		if (e->commfd < 0 || attempt > 0) {
			char path[32];
			if (e->commfd >= 0)
				close(e->commfd);
			snprintf(path, sizeof(path), "%d/comm", tid);
			e->commfd = openat(c->s->proc_fd, path, O_RDONLY | O_CLOEXEC);
			if (e->commfd < 0)
				break;
		}
		n = pread(e->commfd, buf, len - 1, 0);
	}
	pthread_mutex_unlock(&tid_lock);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return n > 0 ? 0 : -1;
}

int sup_target_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec local = {buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

int sup_target_write(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = {(void *)buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

int sup_target_read_str(pid_t pid, uint64_t addr, char *buf, size_t max, bool *truncated)
{
	size_t got = 0;
	*truncated = false;
	if (max == 0)
		return -1;
	/* page by page: a string may end right before an unmapped page */
	while (got < max - 1) {
		uint64_t cur = addr + got;
		size_t chunk = 4096 - (size_t)(cur & 4095);
		if (chunk > max - 1 - got)
			chunk = max - 1 - got;
		if (sup_target_read(pid, cur, buf + got, chunk) < 0)
			return -1;
		char *nul = memchr(buf + got, '\0', chunk);
		if (nul)
			return 0;
		got += chunk;
	}
	buf[max - 1] = '\0';
	*truncated = true;
	return 0;
}

/*
 * The hot path of every emulation: pidfd_getfd on the cached pidfd itself, under the cache's
 * lock, instead of on a duplicate of it (a duplicate and its close are two more system calls
 * per call, three with musl's F_DUPFD_CLOEXEC).
 */
int sup_target_getfd(struct sup_call *c, int fd)
{
	pid_t tid = (pid_t)c->n.pid;
	int r = -1, err = ESRCH;
	pthread_mutex_lock(&tid_lock);
	struct tid_ent *e = ent_get(tid);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (e->pidfd < 0 || attempt > 0) {
			/* none yet, or a cached pidfd of a task that is gone: the tid may be
			 * someone new now */
			if (e->pidfd >= 0)
				close(e->pidfd);
			e->pidfd = open_pidfd(c->s->proc_fd, tid);
			if (e->pidfd < 0) {
				err = errno;
				break;
			}
		}
		r = (int)syscall(SYS_pidfd_getfd, e->pidfd, fd, 0);
		err = errno;
		if (r >= 0 || err != ESRCH)
			break;
	}
	pthread_mutex_unlock(&tid_lock);
	if (r < 0)
		errno = err;
	return r;
}

/* ---- credentials ---- */

static int parse_ids(const char *line, unsigned long *v, int n)
{
	char *end;
	for (int i = 0; i < n; i++) {
		errno = 0;
		v[i] = strtoul(line, &end, 10);
		if (end == line || errno)
			return -1;
		line = end;
	}
	return 0;
}

int sup_creds_read(int proc_fd, pid_t tid, struct sup_creds *cr)
{
	char path[48], buf[4096];
	snprintf(path, sizeof(path), "%d/status", tid);
	int fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	memset(cr, 0, sizeof(*cr));
	cr->umask = 022;
	int found = 0;
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long v[4];
		if (strncmp(l, "Tgid:", 5) == 0 && parse_ids(l + 5, v, 1) == 0) {
			cr->tgid = (pid_t)v[0];
			found |= 1;
		} else if (strncmp(l, "Uid:", 4) == 0 && parse_ids(l + 4, v, 4) == 0) {
			for (int i = 0; i < 4; i++)
				cr->uid[i] = (uid_t)v[i];
			found |= 2;
		} else if (strncmp(l, "Gid:", 4) == 0 && parse_ids(l + 4, v, 4) == 0) {
			for (int i = 0; i < 4; i++)
				cr->gid[i] = (gid_t)v[i];
			found |= 4;
		} else if (strncmp(l, "Umask:", 6) == 0) {
			cr->umask = (mode_t)strtoul(l + 6, NULL, 8);
		} else if (strncmp(l, "CapEff:", 7) == 0) {
			cr->cap_eff = strtoull(l + 7, NULL, 16);
		} else if (strncmp(l, "Groups:", 7) == 0) {
			char *p = l + 7, *end;
			while (cr->ngroups < (int)ARRAY_SIZE(cr->groups)) {
				unsigned long g = strtoul(p, &end, 10);
				if (end == p)
					break;
				cr->groups[cr->ngroups++] = (gid_t)g;
				p = end;
			}
		}
	}
	if (found != 7) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * The kernel keeps credentials per thread; glibc's setresuid() & co. change
 * every thread of the process, so the raw syscalls are used. The saved uid
 * stays 0, which keeps the permitted capabilities, so sup_creds_leave() can
 * come back. Effective capabilities become the caller's (within ours).
 */
int sup_creds_enter(const struct sup_creds *cr)
{
	if (syscall(SYS_setgroups, (size_t)cr->ngroups, cr->groups) < 0 ||
	    syscall(SYS_setresgid, cr->gid[0], cr->gid[1], 0) < 0)
		return -1;
	syscall(SYS_setfsgid, cr->gid[3]);
	if (syscall(SYS_setresuid, cr->uid[0], cr->uid[1], 0) < 0)
		return -1;
	syscall(SYS_setfsuid, cr->uid[3]);
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) == 0) {
		uint64_t perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
		uint64_t eff = perm & cr->cap_eff;
		d[0].effective = (uint32_t)eff;
		d[1].effective = (uint32_t)(eff >> 32);
		syscall(SYS_capset, &h, d);
	}
	return 0;
}

void sup_creds_leave(void)
{
	/* euid 0 again raises the effective set back to the permitted one */
	syscall(SYS_setresuid, 0, 0, 0);
	syscall(SYS_setresgid, 0, 0, 0);
	syscall(SYS_setgroups, 0, NULL);
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) == 0) {
		d[0].effective = d[0].permitted;
		d[1].effective = d[1].permitted;
		syscall(SYS_capset, &h, d);
	}
}
