/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes to /proc/thread-self/... that a container cannot redirect.
 *
 * After pivot_root, "/proc" is whatever the container's rootfs and mounts make
 * of it: a symlink, a tmpfs with fake files, or a real procfs with a bind mount
 * over attr/exec (CVE-2019-16884: an AppArmor profile written into a file that
 * is not procfs is silently never applied).  So every access starts at a
 * directory fd that fstatfs() shows is procfs, resolves with openat2()
 * refusing magic links, ".." escapes and mount crossings, and checks the
 * opened file again.  Where openat2() is unavailable (ENOSYS, or a seccomp
 * filter refusing it) the fallback opens with O_NOFOLLOW and compares the
 * mount id of the result with the directory's.
 */
#include "process_attrs_internal.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"

static bool on_procfs(int fd)
{
	struct statfs sfs;
	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static int mount_id(int fd, uint64_t *id)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID)) {
		errno = ENOSYS;
		return -1;
	}
	*id = stx.stx_mnt_id;
	return 0;
}

int procfs_dir_open(int proc_fd, struct werr *e)
{
	int fd;
	if (proc_fd >= 0)
		fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
	else
		fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return werr_sys(e, "open /proc");
	struct stat st;
	/* The root directory of a procfs mount has inode 1. */
	if (!on_procfs(fd) || fstat(fd, &st) < 0 || st.st_ino != 1 || !S_ISDIR(st.st_mode)) {
		close(fd);
		return werr_set(e, EXDEV, "/proc is not the root of a procfs mount");
	}
	return fd;
}

static int open_below(int dir, const char *path, int flags, struct werr *e)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC | O_NOCTTY),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, dir, path, &how, sizeof(how));
	if (fd >= 0)
		return fd;
	if (errno == EXDEV)
		return werr_set(e, EXDEV, "/proc/%s is covered by another mount", path);
	if (errno != ENOSYS && errno != EPERM)
		return werr_sys(e, "open /proc/%s", path);

	/* No openat2: open without following the last component, then compare mounts. */
	fd = openat(dir, path, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0)
		return werr_sys(e, "open /proc/%s", path);
	uint64_t a, b;
	if (mount_id(dir, &a) == 0 && mount_id(fd, &b) == 0 && a != b) {
		close(fd);
		return werr_set(e, EXDEV, "/proc/%s is covered by another mount", path);
	}
	return fd;
}

int procfs_open(int proc_fd, const char *path, int flags, struct werr *e)
{
	_cleanup_close_ int dir = procfs_dir_open(proc_fd, e);
	if (dir < 0)
		return -1;
	int fd = open_below(dir, path, flags, e);
	if (fd < 0)
		return -1;
	if (!on_procfs(fd)) {
		close(fd);
		return werr_set(e, EXDEV, "/proc/%s is not on procfs", path);
	}
	return fd;
}

int procfs_write(int proc_fd, const char *path, const char *s, struct werr *e)
{
	_cleanup_close_ int fd = procfs_open(proc_fd, path, O_WRONLY, e);
	if (fd < 0)
		return -1;
	/* proc attribute files take the whole value in one write. */
	size_t len = strlen(s);
	ssize_t n = write(fd, s, len);
	if (n < 0)
		return werr_sys(e, "write \"%s\" to /proc/%s", s, path);
	if ((size_t)n != len)
		return werr_set(e, EIO, "short write to /proc/%s", path);
	return 0;
}

int procfs_read(int proc_fd, const char *path, char *buf, size_t len)
{
	struct werr e;
	_cleanup_close_ int fd = procfs_open(proc_fd, path, O_RDONLY, &e);
	if (fd < 0) {
		errno = e.errnum ? e.errnum : EIO;
		return -1;
	}
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return (int)got;
}

int oom_score_adj_apply(int proc_fd, int value, struct werr *e)
{
	char buf[16];
	if (value < -1000 || value > 1000)
		return werr_set(e, 0, "process.oomScoreAdj: %d is outside -1000..1000", value);
	snprintf(buf, sizeof(buf), "%d", value);
	if (procfs_write(proc_fd, "self/oom_score_adj", buf, e) < 0) {
		if (e->errnum == EACCES || e->errnum == EPERM)
			return werr_wrap(
				e,
				"process.oomScoreAdj %d: a value below the lowest one a "
				"privileged process set (normally 0) needs CAP_SYS_RESOURCE",
				value);
		return werr_wrap(e, "process.oomScoreAdj");
	}
	return 0;
}
