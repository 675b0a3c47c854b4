/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem view, built inside its new mount namespace by
 * container init. Every path inside the rootfs is resolved through fds
 * (openat2 RESOLVE_IN_ROOT, with a careful fallback), never as a re-walked string.
 *
 *   rootfs_mount_all()   rootfsPropagation, rootfs bind, every linux mount, /dev (default
 *                        devices, symlinks, linux.devices), /dev/pts, /dev/shm
 *   -- createContainer hooks run here, still before pivot_root --
 *   rootfs_pivot()       pivot_root (or the --no-pivot move+chroot fallback)
 *   rootfs_finalize()    sysctl, maskedPaths, readonlyPaths, readonly root
 */
#ifndef WARD_ROOTFS_H
#define WARD_ROOTFS_H

#include <stdbool.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

struct rootfs_ctx {
	const struct oci_config *cfg;
	const char *bundle;   /* absolute bundle directory */
	char *rootfs;         /* absolute rootfs path (root.path resolved against bundle) */
	int rootfs_fd;        /* O_PATH fd of the rootfs directory */
	bool no_pivot;
	bool in_userns;       /* a new user namespace: devices are bind-mounted, not mknod'ed */
	bool has_netns;       /* a new network namespace (sysfs may be mounted fresh) */
};

int rootfs_ctx_init(struct rootfs_ctx *r, const struct oci_config *cfg, const char *bundle,
                    bool no_pivot, struct werr *e);
void rootfs_ctx_release(struct rootfs_ctx *r);

int rootfs_mount_all(struct rootfs_ctx *r, struct werr *e);
/* Bind-mounts the pty slave (an open fd) onto /dev/console inside the rootfs. */
int rootfs_bind_console(struct rootfs_ctx *r, int slave_fd, struct werr *e);
int rootfs_pivot(struct rootfs_ctx *r, struct werr *e);
int rootfs_finalize(struct rootfs_ctx *r, struct werr *e);

/* Checks config values that can be refused before any process exists (mount types,
 * options libmount cannot parse, relative destinations, propagation names). */
int rootfs_validate(const struct oci_config *cfg, struct werr *e);

#endif
