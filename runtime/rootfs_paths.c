/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.maskedPaths and linux.readonlyPaths.
 *
 * Masking binds the host's /dev/null over files - opened before pivot_root, checked to
 * be the character device 1:3 on the fd that is mounted, never the image's /dev/null,
 * which the image controls (CVE-2025-31133) - and an empty read-only tmpfs over
 * directories. Paths are resolved inside the rootfs; absent ones are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "pathfd.h"
#include "rootfs_internal.h"

static bool seen_before(char **paths, size_t i, const char *clean)
{
	for (size_t j = 0; j < i; j++) {
		_cleanup_free_ char *c = path_clean(paths[j]);
		if (strcmp(c, clean) == 0)
			return true;
	}
	return false;
}

static int mask_dir(const struct mount_target *t, struct werr *e)
{
	const unsigned long fl = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int fd;
	if (mount_new_fs("tmpfs", "tmpfs", fl, "nr_blocks=1,nr_inodes=1", t, &fd, e) < 0) {
		/* some distribution kernels refuse nr_inodes=1 */
		if (e->errnum != EINVAL ||
		    mount_new_fs("tmpfs", "tmpfs", fl, "nr_blocks=1,nr_inodes=2", t, &fd, e) < 0)
			return -1;
	}
	close(fd);
	return 0;
}

static int mask_file(int devnull, const struct mount_target *t, struct werr *e)
{
	struct mount_bind_attrs a = {.userns_fd = -1};
	_cleanup_close_ int fd = -1;
	if (mount_bind(devnull, "", t, &a, &fd, e) < 0)
		return -1;
	/* what is now mounted there must be the null device */
	if (!rootfs_is_chardev(fd, 1, 3))
		return werr_set(e, EIO, "%s: the mask is not /dev/null", t->path);
	return 0;
}

int rootfs_mask_paths(struct rootfs_ctx *r, struct werr *e)
{
	const struct oci_linux *l = &r->cfg->linux_;
	if (!l->n_masked_paths)
		return 0;
	if (r->pivoted)
		return werr_set(e, EINVAL, "masking must happen before pivot_root");
	_cleanup_close_ int devnull = open("/dev/null", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (devnull < 0)
		return werr_sys(e, "open the host's /dev/null");
	if (!rootfs_is_chardev(devnull, 1, 3))
		return werr_set(e, EINVAL, "the host's /dev/null is not the null device");

	for (size_t i = 0; i < l->n_masked_paths; i++) {
		_cleanup_free_ char *clean = path_clean(l->masked_paths[i]);
		if (seen_before(l->masked_paths, i, clean))
			continue;
		_cleanup_close_ int fd = pathfd_open_in_root(r->rootfs_fd, clean, O_PATH, 0, e);
		if (fd < 0) {
			if (e->errnum == ENOENT)
				continue;
			return werr_wrap(e, "%s", clean);
		}
		struct stat st;
		if (fstat(fd, &st) < 0)
			return werr_sys(e, "fstat %s", clean);
		struct mount_target t = {.fd = fd, .root_fd = r->rootfs_fd, .path = clean};
		int rc = S_ISDIR(st.st_mode) ? mask_dir(&t, e) : mask_file(devnull, &t, e);
		if (rc < 0)
			return werr_wrap(e, "mask %s", clean);
	}
	return 0;
}

int rootfs_readonly_paths(struct rootfs_ctx *r, struct werr *e)
{
	const struct oci_linux *l = &r->cfg->linux_;
	for (size_t i = 0; i < l->n_readonly_paths; i++) {
		_cleanup_free_ char *clean = path_clean(l->readonly_paths[i]);
		if (seen_before(l->readonly_paths, i, clean))
			continue;
		_cleanup_close_ int fd = pathfd_open_in_root(r->rootfs_fd, clean, O_PATH, 0, e);
		if (fd < 0) {
			if (e->errnum == ENOENT)
				continue;
			return werr_wrap(e, "%s", clean);
		}
		/* bind it onto itself, whole tree, read-only throughout; other flags kept */
		struct mount_target t = {.fd = fd, .root_fd = r->rootfs_fd, .path = clean};
		struct mount_bind_attrs a = {.recursive = true,
					     .set = MOUNT_ATTR_RDONLY,
					     .rec_set = MOUNT_ATTR_RDONLY,
					     .rec_optional = true,
					     .userns_fd = -1};
		int mnt;
		if (mount_bind(fd, "", &t, &a, &mnt, e) < 0)
			return werr_wrap(e, "%s", clean);
		close(mnt);
	}
	return 0;
}
