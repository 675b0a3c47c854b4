/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem view, built inside its new mount namespace by
 * container init. Every path inside the rootfs is resolved through fds
 * (openat2 RESOLVE_IN_ROOT, with a careful fallback: runtime/pathfd.h), never as a
 * re-walked string; mounts are attached to target fds (runtime/mount_fd.h).
 *
 *   rootfs_mount_all()   "/" made rslave (or per rootfsPropagation), rootfs bind, every
 *                        config mount in order, /dev (default devices and symlinks when
 *                        /dev is a fresh mount; linux.devices always)
 *   -- createContainer hooks run here, still before pivot_root --
 *   rootfs_bind_console() (when process.terminal) before or after the pivot
 *   rootfs_pivot()       maskedPaths (while the host /dev/null is still reachable), then
 *                        pivot_root (or the --no-pivot move+chroot), rootfsPropagation
 *   rootfs_finalize()    sysctl (through a private procfs), readonlyPaths, deferred
 *                        read-only mounts (tmpfs, /dev), readonly root
 *
 * rootfs_validate() runs before any process exists and refuses what it can.
 *
 * Shared mount namespace (no mount namespace in the config, or one joined by path): that
 * namespace belongs to others too and its mount table is never touched. rootfs_mount_all
 * moves init into a private copy of it where all of the above runs as usual (pivot_root
 * included); rootfs_finalize then takes a detached copy of the finished tree (open_tree),
 * returns to the shared namespace and chroots into that copy. The private namespace dies
 * at once; the copy lives exactly as long as the container's processes use it as root,
 * so nothing is left to unmount, ever.
 */
#ifndef WARD_ROOTFS_H
#define WARD_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

struct rootfs_ctx {
	const struct oci_config *cfg;
	const char *bundle; /* absolute bundle directory */
	char *rootfs;       /* absolute rootfs path (root.path resolved against bundle) */
	int rootfs_fd;      /* O_PATH fd of the rootfs directory; after rootfs_mount_all the
			       rootfs bind mount; after rootfs_pivot "/" */
	bool no_pivot;
	/* rootfs_ctx_init derives these two from the config; the caller may override. */
	bool in_userns; /* a new user namespace: devices are bind-mounted, not mknod'ed */
	bool has_netns; /* a network namespace of its own (sysfs may be mounted fresh) */
	/* No mount namespace of its own (none in the config: the host's; or one joined by
	 * path): see "Shared mount namespace" above. */
	bool shared_mntns;
	/* Optional, set by the caller before rootfs_mount_all: the fds that
	 * rootfs_idmap_prepare() made (one per config mount, -1 where none). */
	const int *idmap_fds;

	/* private to the rootfs code */
	bool pivoted;
	int proc_fd;   /* a procfs instance of our own (detached), -1 when unavailable */
	int *ro_later; /* mounts made read-only by rootfs_finalize (tmpfs, /dev) */
	size_t n_ro_later;
	/* shared_mntns: the namespace to return to, else -1 */
	int shared_ns_fd;
};

int rootfs_ctx_init(struct rootfs_ctx *r, const struct oci_config *cfg, const char *bundle,
		    bool no_pivot, struct werr *e);
void rootfs_ctx_release(struct rootfs_ctx *r);

int rootfs_mount_all(struct rootfs_ctx *r, struct werr *e);
/* The devpts instance at /dev/pts, resolved inside the root and checked to be the root of
 * a devpts mount: an O_PATH fd for opening its ptmx. */
int rootfs_open_devpts(struct rootfs_ctx *r, struct werr *e);
/* Bind-mounts the pty slave (an open fd) onto /dev/console inside the rootfs; /dev/console
 * becomes a plain file of the container's /dev whatever the image had there. */
int rootfs_bind_console(struct rootfs_ctx *r, int slave_fd, struct werr *e);
int rootfs_pivot(struct rootfs_ctx *r, struct werr *e);
int rootfs_finalize(struct rootfs_ctx *r, struct werr *e);

/* Checks config values that can be refused before any process exists (mount types,
 * options that cannot be parsed, destinations, propagation names, sysctl names against
 * the namespaces, device entries, masked/readonly paths). */
int rootfs_validate(const struct oci_config *cfg, struct werr *e);

/*
 * Idmapped mounts (mounts[i].uidMappings/gidMappings) need CAP_SYS_ADMIN over the source
 * filesystem, which a process inside a new user namespace does not have. When the
 * container gets one, ward create calls this on the host side before cloning init: it
 * builds every idmapped mount as a detached tree. init inherits the fds (set
 * rootfs_ctx.idmap_fds) and rootfs_mount_all only attaches them.
 * *fds gets cfg->n_mounts entries (-1 for mounts without mappings); NULL when none.
 */
int rootfs_idmap_prepare(const struct oci_config *cfg, const char *bundle, int **fds,
			 struct werr *e);
void rootfs_idmap_release(int *fds, size_t n);

#endif
