/* SPDX-License-Identifier: Apache-2.0 */
/* Shared between the rootfs*.c, mount_cgroup.c and devices.c files; not an API. */
#ifndef WARD_ROOTFS_INTERNAL_H
#define WARD_ROOTFS_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "mount_fd.h"
#include "mount_opts.h"
#include "rootfs.h"

/* The namespace entry of that type in the config, or NULL. */
const struct oci_namespace *rootfs_config_ns(const struct oci_config *cfg, enum oci_ns_type t);

/* Keeps mnt_fd (taken over) to be made read-only by rootfs_finalize. */
void rootfs_defer_ro(struct rootfs_ctx *r, int mnt_fd);

/* Mounts config mount number idx. *dev_fresh is set when it puts a new filesystem on /dev. */
int rootfs_mount_one(struct rootfs_ctx *r, size_t idx, bool *dev_fresh, struct werr *e);

/* The config's "cgroup"/"cgroup2" mount (see mount_cgroup.c). */
int mount_cgroup(struct rootfs_ctx *r, const struct mount_opts *o, const struct mount_target *t,
		 struct werr *e);

/* linux.devices always; the default devices, /dev symlinks and ptmx when `defaults`. */
int devices_setup(struct rootfs_ctx *r, bool defaults, struct werr *e);

/* maskedPaths, done before pivot_root with the host's verified /dev/null. */
int rootfs_mask_paths(struct rootfs_ctx *r, struct werr *e);
/* readonlyPaths. */
int rootfs_readonly_paths(struct rootfs_ctx *r, struct werr *e);

/* Refuses a sysctl the container's namespaces do not isolate. */
int rootfs_sysctl_check(const struct oci_config *cfg, const char *key, struct werr *e);
/* Writes linux.sysctl through a verified procfs. */
int rootfs_sysctl_apply(struct rootfs_ctx *r, struct werr *e);

/* Opens a bind source (host path; relative ones are relative to the bundle) as O_PATH. */
int rootfs_open_source(const char *bundle, const char *source, struct werr *e);

/* Bind attributes for a bind mount with these options (runc's "mount --bind -o" meaning:
 * flags not asked for are cleared, locked ones kept when the kernel insists). */
void rootfs_bind_attrs(const struct mount_opts *o, struct mount_bind_attrs *a);

/* Builds the detached, id-mapped tree for config mount m (new API only). */
int rootfs_idmap_tree(const char *bundle, const struct oci_mount *m, const struct mount_opts *o,
		      int *out, struct werr *e);

/* char device major:minor check on an fd. */
bool rootfs_is_chardev(int fd, unsigned int major, unsigned int minor);

#endif
