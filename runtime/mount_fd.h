/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mount operations on file descriptors.
 *
 * With the new mount API (Linux >= 5.2/5.12) a mount is built detached - open_tree()
 * clone or fsopen()/fsmount() - given its attributes with mount_setattr() while nobody
 * can see it, and attached with move_mount() onto the O_PATH fd of its target: no
 * path is ever re-walked and no half-configured mount is ever visible.
 *
 * Without it (ENOSYS, or EPERM from a seccomp profile that predates it) the classic
 * mount(2) is used on "/proc/self/fd/N" of the same target fd; the new mount is then
 * re-opened through the root (struct mount_target says where) and checked to be a new
 * mount before anything more is applied to it.
 *
 * Each function returns, in *out, an O_PATH fd of the root of the new mount, which the
 * caller uses for later changes (propagation, read-only after /dev is populated...).
 */
#ifndef WARD_MOUNT_FD_H
#define WARD_MOUNT_FD_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"

/* Test hook: never use the new mount API (classic mount(2) everywhere it can do). */
extern bool mount_force_legacy;

/* Where a mount goes: an O_PATH fd, plus how to find it again (legacy re-open). */
struct mount_target {
	int fd;           /* O_PATH fd of the target (directory or file) */
	int root_fd;      /* root the path is resolved in */
	const char *path; /* path of the target inside root_fd */
};

/* Attribute changes for a bind mount (MOUNT_ATTR_*). */
struct mount_bind_attrs {
	bool recursive;            /* rbind */
	uint64_t set, clr;         /* on the top mount */
	uint64_t clr_retry;        /* when set/clr hit locked flags (EPERM): clear only these */
	uint64_t rec_set, rec_clr; /* on every mount of the tree */
	bool rec_optional;         /* without mount_setattr, apply set/clr to the top mount only */
	int userns_fd;             /* >= 0: id-map with this user namespace */
	bool idmap_recursive;      /* id-map the whole tree, not just the top */
};

/*
 * Bind-mounts a source onto the target. The source is `src_path` relative to src_dirfd
 * (AT_FDCWD for the host view), or the object src_dirfd itself when src_path is "" (an
 * fd of /dev/null, a pty...).
 */
int mount_bind(int src_dirfd, const char *src_path, const struct mount_target *t,
	       const struct mount_bind_attrs *a, int *out, struct werr *e);

/*
 * Builds the detached bind tree only (new API only), for a mount that another process
 * attaches later (idmapped mounts prepared outside a user namespace).
 */
int mount_bind_detached(int src_dirfd, const char *src_path, const struct mount_bind_attrs *a,
			int *out, struct werr *e);

/* Attaches a detached tree (from mount_bind_detached) onto the target. *out: its fd. */
int mount_attach(int tree_fd, const struct mount_target *t, int *out, struct werr *e);

/*
 * Mounts a new filesystem instance (tmpfs, proc, sysfs, devpts, mqueue, cgroup...) onto
 * the target. ms_flags: MS_* (mount attributes and superblock flags like MS_SYNCHRONOUS;
 * propagation and MS_BIND/MS_REC are not allowed here). data: "k=v,flag,..." or NULL.
 */
int mount_new_fs(const char *type, const char *source, unsigned long ms_flags, const char *data,
		 const struct mount_target *t, int *out, struct werr *e);

/*
 * A new filesystem instance that is never attached anywhere (a private procfs to write
 * sysctls through). New API only: -1 with ENOSYS otherwise.
 */
int mount_new_fs_detached(const char *type, unsigned long ms_flags, const char *data, int *out,
			  struct werr *e);

/* Changes the attributes of the mount whose root is mnt_fd (recursively or not). */
int mount_set_attrs(int mnt_fd, uint64_t set, uint64_t clr, bool recursive, struct werr *e);

/* Changes the propagation of the mount whose root is mnt_fd: MS_SHARED|MS_SLAVE|
 * MS_PRIVATE|MS_UNBINDABLE, with MS_REC for the whole tree. */
int mount_set_propagation(int mnt_fd, unsigned long ms, struct werr *e);

#endif
