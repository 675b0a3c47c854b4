/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Safe path resolution inside a root directory, through file descriptors.
 *
 * Every function here treats `root_fd` as "/" for the path it is given: "..", absolute
 * symlinks and relative symlinks never leave it (openat2 RESOLVE_IN_ROOT semantics),
 * and /proc magic links are never jumped through (RESOLVE_NO_MAGICLINKS). What the
 * caller gets back is an fd; the caller operates on that fd (mount onto it, mknodat in
 * it...) and never re-walks the path as a string.
 *
 * openat2(2) does the work when the kernel offers it. When it fails with ENOSYS (kernel
 * before 5.6) or EPERM (a seccomp profile that does not know it), a user-space walker
 * resolves one component at a time with O_NOFOLLOW, expands symlinks itself inside the
 * root, handles ".." on its own stack of directory fds, and finally checks that the
 * result is still below the root (a rename race can move a directory out; the walker
 * then fails with EXDEV instead of returning it).
 *
 * Errors keep the errno of the failing step in e->errnum (ENOENT for "absent", which
 * callers use to skip optional paths).
 */
#ifndef WARD_PATHFD_H
#define WARD_PATHFD_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"

/* Test hook (and emergency switch): never call openat2, always use the walker. */
extern bool pathfd_force_fallback;

/* Room for "/proc/self/fd/" + any int. */
#define PATHFD_PROC_LEN 32
/* Formats "/proc/self/fd/N" into buf (PATHFD_PROC_LEN bytes) and returns buf. */
const char *pathfd_proc_path(char *buf, int fd);

/*
 * Opens `path` resolved inside root_fd. flags are open(2) flags (O_CLOEXEC is always
 * added); O_NOFOLLOW applies to the last component as usual. Returns the fd or -1.
 */
int pathfd_open_in_root(int root_fd, const char *path, int flags, mode_t mode, struct werr *e);
/* The same, always through the user-space walker (exposed so tests can compare both). */
int pathfd_open_in_root_walk(int root_fd, const char *path, int flags, mode_t mode, struct werr *e);

/*
 * mkdir -p inside root_fd: every missing directory is created with `mode` (subject to the
 * umask) in the directory fd reached so far; symlinks on the way are followed inside the
 * root. Returns an O_PATH|O_DIRECTORY fd of the final directory.
 */
int pathfd_mkdir_all_in_root(int root_fd, const char *path, mode_t mode, struct werr *e);

/*
 * Opens the parent of `path` inside the root (creating it like mkdir -p) and returns its
 * O_PATH fd; *base receives the last component (heap). The path is cleaned lexically
 * first, so the base is never "." or "..". Fails with EINVAL for "/" itself.
 */
int pathfd_open_parent_in_root(int root_fd, const char *path, mode_t dir_mode, char **base,
			       struct werr *e);

/*
 * Returns an O_PATH fd of a mount target inside the root, creating it when absent: a
 * directory (mkdir -p) when is_dir, else an empty regular file (mode 0644 unless
 * file_mode says otherwise) in a created parent. An existing target is returned as it is,
 * whatever its type (the mount call reports a mismatch). A dangling symlink is followed
 * inside the root and the target created where it points.
 */
int pathfd_mount_target(int root_fd, const char *path, bool is_dir, struct werr *e);

/* Creates a symlink `path` -> `target` inside the root (parents created). EEXIST is
 * reported as an error with errnum EEXIST so callers can accept it. */
int pathfd_symlink_in_root(int root_fd, const char *target, const char *path, struct werr *e);

/*
 * Opens `path` below dir_fd refusing any symlink, any ".." and any mount crossing
 * (RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS, or the same
 * checks done by hand). For writing knobs in a procfs we own (sysctl).
 */
int pathfd_open_beneath_strict(int dir_fd, const char *path, int flags, struct werr *e);

/*
 * True when system call nr is not there for us: it answers ENOSYS (older kernel) or EPERM
 * (a seccomp profile that predates it) to a call with invalid arguments, which the kernel
 * itself would refuse with EFAULT/EBADF/EINVAL. Used to tell "refused by a filter" from a
 * real EPERM. Safe for openat2, open_tree, move_mount, fsopen, fsconfig, fsmount,
 * mount_setattr.
 */
bool pathfd_syscall_missing(long nr);

/* fstatfs(fd) says procfs. */
bool pathfd_is_procfs(int fd);
/* Checks that dir_fd still sits below root_fd (walking ".." up to the root). 0 when it
 * does, -1 with EXDEV when it reached the real "/" without meeting root_fd. */
int pathfd_check_below(int root_fd, int dir_fd, struct werr *e);

#endif
