/* SPDX-License-Identifier: Apache-2.0 */
/*
 * In-root path resolution through fds: openat2(RESOLVE_IN_ROOT) when the kernel has it,
 * otherwise a user-space walker with the same semantics (see pathfd.h).
 */
#include "pathfd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The kernel's own limit on symlinks followed during one lookup. */
#define WALK_MAX_LINKS 40
/* openat2 answers EAGAIN when a rename or mount raced with a ".." step; retry that long. */
#define OPENAT2_RETRIES 64

bool pathfd_force_fallback;
/* Set once openat2 answered ENOSYS: no point asking again. */
static bool openat2_missing;

const char *pathfd_proc_path(char *buf, int fd)
{
	snprintf(buf, PATHFD_PROC_LEN, "/proc/self/fd/%d", fd);
	return buf;
}

bool pathfd_syscall_missing(long nr)
{
	int saved = errno;
	long r = syscall(nr, -1L, 0L, 0L, 0L, 0L);
	bool missing = r < 0 && (errno == ENOSYS || errno == EPERM);
	if (r >= 0)
		close((int)r);
	errno = saved;
	return missing;
}

bool pathfd_is_procfs(int fd)
{
	struct statfs sfs;
	return fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC;
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int pathfd_check_below(int root_fd, int dir_fd, struct werr *e)
{
	struct stat root_st, st;
	if (fstat(root_fd, &root_st) < 0)
		return werr_sys(e, "fstat root");
	_cleanup_close_ int cur = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return werr_sys(e, "dup");
	/* PATH_MAX / 2 levels is more than any real path can have ("a/" per level). */
	for (int depth = 0; depth < PATH_MAX / 2; depth++) {
		if (fstat(cur, &st) < 0)
			return werr_sys(e, "fstat");
		if (same_inode(&st, &root_st))
			return 0;
		int up = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (up < 0)
			return werr_sys(e, "open ..");
		struct stat up_st;
		if (fstat(up, &up_st) < 0) {
			close(up);
			return werr_sys(e, "fstat ..");
		}
		close(cur);
		cur = up;
		if (same_inode(&up_st, &st))
			break; /* ".." of the real root is itself */
	}
	return werr_set(e, EXDEV, "resolved path is no longer below the root");
}

/* ---- the user-space walker ---- */

struct walker {
	int root_fd;
	int *stack; /* owned directory fds below the root, deepest last */
	size_t n, cap;
	int links;
};

static int walker_top(const struct walker *w)
{
	return w->n ? w->stack[w->n - 1] : w->root_fd;
}

static void walker_push(struct walker *w, int fd)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->stack = xrealloc(w->stack, w->cap * sizeof(*w->stack));
	}
	w->stack[w->n++] = fd;
}

static void walker_pop(struct walker *w)
{
	if (w->n)
		close(w->stack[--w->n]);
}

static void walker_release(struct walker *w)
{
	while (w->n)
		walker_pop(w);
	free(w->stack);
	w->stack = NULL;
}

/*
 * Replaces the unread path `*rest` by "<target of link_fd>/<rest>"; an absolute target
 * sends the walk back to the root. `*buf` owns the string `*rest` points into.
 */
static int walker_follow(struct walker *w, int link_fd, const char *name, char **buf,
			 const char **rest, struct werr *e)
{
	if (++w->links > WALK_MAX_LINKS)
		return werr_set(e, ELOOP, "too many levels of symbolic links at %s", name);
	char target[PATH_MAX];
	ssize_t n = readlinkat(link_fd, "", target, sizeof(target));
	if (n < 0)
		return werr_sys(e, "readlink %s", name);
	if ((size_t)n >= sizeof(target))
		return werr_set(e, ENAMETOOLONG, "symlink %s is too long", name);
	target[n] = '\0';
	if (n == 0)
		return werr_set(e, ENOENT, "symlink %s is empty", name);
	if (target[0] == '/') {
		while (w->n)
			walker_pop(w);
	}
	/* rest is "" (the link was the last component) or starts with its own '/' */
	char *next = xasprintf("%s%s", target, *rest);
	free(*buf);
	*buf = next;
	*rest = next;
	return 0;
}

/* Opens the symlink `name` in dir as an O_PATH fd when it is one; -1 otherwise. */
static int open_if_symlink(int dir, const char *name)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISLNK(st.st_mode))
		return -1;
	return openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/*
 * Walks `path` below w->root_fd. Intermediate components must be directories (missing
 * ones are created when mkdir_mode >= 0); the last one is opened with flags/mode.
 */
static int walk(int root_fd, const char *path, int flags, mode_t mode, int mkdir_mode,
		struct werr *e)
{
	struct walker w = {.root_fd = root_fd};
	_cleanup_free_ char *buf = xstrdup(path);
	const char *rest = buf;
	int result = -1;
	int oflags = flags | O_CLOEXEC;
	bool nofollow = flags & O_NOFOLLOW;
	bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);

	for (;;) {
		while (*rest == '/')
			rest++;
		if (!*rest) {
			/* The path ended on a directory (or was empty, or "/"). */
			int fl = oflags & ~(O_NOFOLLOW | O_EXCL);
			if (fl & O_CREAT) {
				/* open("dir/", O_CREAT) is EISDIR for the kernel too */
				werr_set(e, EISDIR, "%s is a directory", path);
				goto out;
			}
			result = openat(walker_top(&w), ".", fl, 0);
			if (result < 0)
				werr_sys(e, "open %s", path);
			goto out;
		}
		const char *end = strchrnul(rest, '/');
		size_t len = (size_t)(end - rest);
		if (len > NAME_MAX) {
			werr_set(e, ENAMETOOLONG, "path component too long in %s", path);
			goto out;
		}
		char name[NAME_MAX + 1];
		memcpy(name, rest, len);
		name[len] = '\0';
		rest = end;
		/* A trailing slash makes the component a directory step, like in the kernel. */
		bool last = *end == '\0';

		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			/* pop our own stack: ".." can never climb above the root */
			walker_pop(&w);
			continue;
		}
		int top = walker_top(&w);
		if (!last) {
			int fd = openat(top, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0 && errno == ENOENT && mkdir_mode >= 0) {
				if (mkdirat(top, name, (mode_t)mkdir_mode) < 0 && errno != EEXIST) {
					werr_sys(e, "mkdir %s in %s", name, path);
					goto out;
				}
				fd = openat(top, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			}
			if (fd < 0) {
				werr_sys(e, "open %s in %s", name, path);
				goto out;
			}
			struct stat st;
			if (fstat(fd, &st) < 0) {
				werr_sys(e, "fstat %s", name);
				close(fd);
				goto out;
			}
			if (S_ISLNK(st.st_mode)) {
				int r = walker_follow(&w, fd, name, &buf, &rest, e);
				close(fd);
				if (r < 0)
					goto out;
				continue;
			}
			if (!S_ISDIR(st.st_mode)) {
				close(fd);
				werr_set(e, ENOTDIR, "%s in %s is not a directory", name, path);
				goto out;
			}
			walker_push(&w, fd);
			continue;
		}

		/* The last component. */
		if (mkdir_mode >= 0) {
			if (mkdirat(top, name, (mode_t)mkdir_mode) < 0 && errno != EEXIST) {
				werr_sys(e, "mkdir %s in %s", name, path);
				goto out;
			}
		}
		int fd;
		if (oflags & O_PATH) {
			fd = openat(top, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				werr_sys(e, "open %s", path);
				goto out;
			}
			struct stat st;
			if (fstat(fd, &st) < 0) {
				werr_sys(e, "fstat %s", path);
				close(fd);
				goto out;
			}
			if (S_ISLNK(st.st_mode) && !nofollow) {
				int r = walker_follow(&w, fd, name, &buf, &rest, e);
				close(fd);
				if (r < 0)
					goto out;
				continue;
			}
			if ((oflags & O_DIRECTORY) && !S_ISDIR(st.st_mode)) {
				close(fd);
				werr_set(e, ENOTDIR, "%s is not a directory", path);
				goto out;
			}
			result = fd;
			break;
		}
		fd = openat(top, name, oflags | O_NOFOLLOW, mode);
		if (fd >= 0) {
			result = fd;
			break;
		}
		int err = errno;
		int link = (!nofollow && !excl) ? open_if_symlink(top, name) : -1;
		if (link < 0) {
			werr_set(e, err, "open %s", path);
			goto out;
		}
		int r = walker_follow(&w, link, name, &buf, &rest, e);
		close(link);
		if (r < 0)
			goto out;
	}

	/* A rename race may have moved a directory we hold out of the root: check. */
	if (result >= 0) {
		struct werr e2;
		int below = walker_top(&w);
		if (pathfd_check_below(root_fd, below, &e2) < 0) {
			close(result);
			result = -1;
			*e = e2;
			werr_wrap(e, "%s", path);
		}
	}
out:
	walker_release(&w);
	return result;
}

int pathfd_open_in_root_walk(int root_fd, const char *path, int flags, mode_t mode, struct werr *e)
{
	return walk(root_fd, path, flags, mode, -1, e);
}

/* openat2 in the root; returns -2 when the caller should use the walker instead. */
static int try_openat2(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve,
		       struct werr *e)
{
	if (pathfd_force_fallback || openat2_missing)
		return -2;
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY))) ? mode : 0,
		.resolve = resolve,
	};
	for (int i = 0; i < OPENAT2_RETRIES; i++) {
		int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno == EAGAIN)
			continue;
		if (errno == ENOSYS) {
			openat2_missing = true;
			return -2;
		}
		/* A seccomp profile that predates openat2 answers EPERM; so may a real
		 * permission problem, which the kernel reports the same way. */
		if (errno == EPERM && pathfd_syscall_missing(SYS_openat2)) {
			openat2_missing = true;
			return -2;
		}
		return werr_sys(e, "open %s", path);
	}
	return werr_set(e, EAGAIN, "open %s: kept racing with renames", path);
}

int pathfd_open_in_root(int root_fd, const char *path, int flags, mode_t mode, struct werr *e)
{
	if (!*path)
		path = "/";
	int fd =
		try_openat2(root_fd, path, flags, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, e);
	if (fd != -2)
		return fd;
	return walk(root_fd, path, flags, mode, -1, e);
}

int pathfd_mkdir_all_in_root(int root_fd, const char *path, mode_t mode, struct werr *e)
{
	_cleanup_close_ int fd = walk(root_fd, path, O_PATH | O_DIRECTORY, 0, (int)mode, e);
	if (fd < 0)
		return -1;
	/*
	 * The walker created what was missing. Where the kernel can resolve in-root itself,
	 * let it confirm that the same directory is what the path means now.
	 */
	int fd2 = try_openat2(root_fd, path, O_PATH | O_DIRECTORY, 0,
			      RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, e);
	if (fd2 == -2)
		return take_fd(&fd);
	if (fd2 < 0)
		return -1;
	struct stat a, b;
	if (fstat(fd, &a) < 0 || fstat(fd2, &b) < 0) {
		close(fd2);
		return werr_sys(e, "fstat %s", path);
	}
	if (!same_inode(&a, &b)) {
		close(fd2);
		return werr_set(e, EAGAIN, "%s changed while it was being created", path);
	}
	return fd2;
}

int pathfd_open_parent_in_root(int root_fd, const char *path, mode_t dir_mode, char **base,
			       struct werr *e)
{
	_cleanup_free_ char *clean = path_clean(path);
	char *slash = strrchr(clean, '/');
	if (!slash[1])
		return werr_set(e, EINVAL, "%s has no parent inside the root", path);
	*slash = '\0';
	int fd = pathfd_mkdir_all_in_root(root_fd, *clean ? clean : "/", dir_mode, e);
	if (fd < 0)
		return -1;
	*base = xstrdup(slash + 1);
	return fd;
}

int pathfd_mount_target(int root_fd, const char *path, bool is_dir, struct werr *e)
{
	_cleanup_free_ char *cur = path_clean(path);

	for (int i = 0; i <= WALK_MAX_LINKS; i++) {
		int fd = pathfd_open_in_root(root_fd, cur, O_PATH, 0, e);
		if (fd >= 0)
			return fd;
		if (e->errnum != ENOENT)
			return -1;
		if (is_dir)
			return pathfd_mkdir_all_in_root(root_fd, cur, 0755, e);

		_cleanup_free_ char *base = NULL;
		_cleanup_close_ int dir = pathfd_open_parent_in_root(root_fd, cur, 0755, &base, e);
		if (dir < 0)
			return -1;
		int made = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				  0644);
		if (made >= 0) {
			close(made);
			fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return werr_sys(e, "open %s", path);
			return fd;
		}
		if (errno != EEXIST)
			return werr_sys(e, "create %s", path);
		/* A dangling symlink is in the way: create what it points to, in the root. */
		char target[PATH_MAX];
		ssize_t n = readlinkat(dir, base, target, sizeof(target) - 1);
		if (n < 0) {
			if (errno == EINVAL)
				continue; /* it appeared meanwhile and is no symlink: look again */
			return werr_sys(e, "readlink %s", path);
		}
		target[n] = '\0';
		char *next;
		if (target[0] == '/') {
			next = path_clean(target);
		} else {
			char *slash = strrchr(cur, '/');
			*slash = '\0';
			_cleanup_free_ char *joined = xasprintf("%s/%s", cur, target);
			next = path_clean(joined);
		}
		free(cur);
		cur = next;
	}
	return werr_set(e, ELOOP, "too many levels of symbolic links creating %s", path);
}

int pathfd_symlink_in_root(int root_fd, const char *target, const char *path, struct werr *e)
{
	_cleanup_free_ char *base = NULL;
	_cleanup_close_ int dir = pathfd_open_parent_in_root(root_fd, path, 0755, &base, e);
	if (dir < 0)
		return -1;
	if (symlinkat(target, dir, base) < 0)
		return werr_sys(e, "symlink %s -> %s", path, target);
	return 0;
}

int pathfd_open_beneath_strict(int dir_fd, const char *path, int flags, struct werr *e)
{
	int fd = try_openat2(
		dir_fd, path, flags | O_NOFOLLOW, 0,
		RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS, e);
	if (fd >= 0) {
		/* O_PATH|O_NOFOLLOW would hand out a final symlink itself: refuse it too */
		struct stat st;
		if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode)) {
			close(fd);
			return werr_set(e, ELOOP, "%s is a symlink", path);
		}
		return fd;
	}
	if (fd != -2)
		return fd;

	struct stat base_st;
	if (fstat(dir_fd, &base_st) < 0)
		return werr_sys(e, "fstat");
	_cleanup_free_ char *buf = xstrdup(path);
	_cleanup_close_ int cur = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return werr_sys(e, "dup");
	char *save = NULL;
	char *comp = strtok_r(buf, "/", &save);
	if (!comp || path[0] == '/')
		return werr_set(e, EXDEV, "%s is not a relative path below the directory", path);
	while (comp) {
		char *next = strtok_r(NULL, "/", &save);
		if (strcmp(comp, "..") == 0)
			return werr_set(e, EXDEV, "%s climbs out with ..", path);
		int fl = next ? (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			      : (flags | O_NOFOLLOW | O_CLOEXEC);
		int fd2 = openat(cur, comp, fl);
		if (fd2 < 0)
			return werr_sys(e, "open %s", path);
		struct stat st;
		if (fstat(fd2, &st) < 0 || st.st_dev != base_st.st_dev || S_ISLNK(st.st_mode)) {
			close(fd2);
			return werr_set(e, EXDEV, "%s crosses a mount or a symlink", path);
		}
		close(cur);
		cur = fd2;
		comp = next;
	}
	return take_fd(&cur);
}
