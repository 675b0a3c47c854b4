/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /dev inside the container: linux.devices, the default devices the runtime-spec
 * requires (null, zero, full, random, urandom, tty), and the usual symlinks.
 *
 * A device is made with mknodat() in the directory fd its path resolves to inside the
 * rootfs, then re-opened O_NOFOLLOW and checked (type, major:minor) before its owner is
 * set. Inside a new user namespace mknod is not allowed: the host's node of the same
 * path is bind-mounted instead, after checking that it is the device the config names.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "pathfd.h"
#include "rootfs_internal.h"

struct devspec {
	const char *path;
	mode_t type; /* S_IFCHR, S_IFBLK, S_IFIFO */
	unsigned int major, minor;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

static const struct devspec default_devices[] = {
	{"/dev/null", S_IFCHR, 1, 3, 0666, 0, 0},    {"/dev/zero", S_IFCHR, 1, 5, 0666, 0, 0},
	{"/dev/full", S_IFCHR, 1, 7, 0666, 0, 0},    {"/dev/random", S_IFCHR, 1, 8, 0666, 0, 0},
	{"/dev/urandom", S_IFCHR, 1, 9, 0666, 0, 0}, {"/dev/tty", S_IFCHR, 5, 0, 0666, 0, 0},
};

bool rootfs_is_chardev(int fd, unsigned int major, unsigned int minor)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == major &&
	       minor(st.st_rdev) == minor;
}

static bool node_matches(const struct stat *st, const struct devspec *d)
{
	if ((st->st_mode & S_IFMT) != d->type)
		return false;
	if (d->type == S_IFIFO)
		return true;
	return major(st->st_rdev) == d->major && minor(st->st_rdev) == d->minor;
}

/* Bind-mounts the host's node at the same path onto an empty file in the container. */
static int bind_host_node(struct rootfs_ctx *r, int dir, const char *base, const struct devspec *d,
			  struct werr *e)
{
	_cleanup_close_ int src = open(d->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return werr_sys(e, "%s: open the host's node to bind", d->path);
	struct stat st;
	if (fstat(src, &st) < 0)
		return werr_sys(e, "%s: fstat the host's node", d->path);
	if (!node_matches(&st, d))
		return werr_set(e, EINVAL, "%s: the host's node is not device %u:%u", d->path,
				d->major, d->minor);
	/* An empty file to mount on, made without opening anything the image put there (a
	 * symlink planted by the image is removed first). */
	struct stat cur;
	if (fstatat(dir, base, &cur, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(cur.st_mode) &&
	    unlinkat(dir, base, 0) < 0)
		return werr_sys(e, "%s: remove the symlink the image has there", d->path);
	if (mknodat(dir, base, S_IFREG | 0000, 0) < 0 && errno != EEXIST)
		return werr_sys(e, "%s: create the mount target", d->path);
	_cleanup_close_ int target = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return werr_sys(e, "%s: open the mount target", d->path);
	struct stat tst;
	if (fstat(target, &tst) < 0 || S_ISLNK(tst.st_mode) || S_ISDIR(tst.st_mode))
		return werr_set(e, EINVAL, "%s: the mount target is not a file", d->path);
	struct mount_target t = {.fd = target, .root_fd = r->rootfs_fd, .path = d->path};
	struct mount_bind_attrs a = {.userns_fd = -1};
	int fd;
	if (mount_bind(src, "", &t, &a, &fd, e) < 0)
		return werr_wrap(e, "%s", d->path);
	close(fd);
	return 0;
}

static int mknod_node(int dir, const char *base, const struct devspec *d, struct werr *e)
{
	/* an image may have anything at this name: only the exact device is kept */
	struct stat st;
	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		/*
		 * The exact device is already there: leave it as it is, owner included, like runc.
		 * It may not be ours to change: a /dev bound from the host shares the host's inode
		 * (chowning it changed the host's own /dev/null).
		 */
		if (node_matches(&st, d))
			return 0;
		if (S_ISDIR(st.st_mode))
			return werr_set(e, EISDIR, "%s is a directory", d->path);
		if (unlinkat(dir, base, 0) < 0)
			return werr_sys(e, "%s: remove what the image has there", d->path);
	}
	mode_t old = umask(0);
	dev_t dev = d->type == S_IFIFO ? 0 : makedev(d->major, d->minor);
	int rc = mknodat(dir, base, d->type | d->mode, dev);
	int err = errno;
	umask(old);
	if (rc < 0)
		return werr_set(e, err, "mknod %s", d->path);
	_cleanup_close_ int fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "open %s", d->path);
	if (fstat(fd, &st) < 0)
		return werr_sys(e, "fstat %s", d->path);
	if (!node_matches(&st, d))
		return werr_set(e, EIO, "%s is not the device just made", d->path);
	if (fchownat(fd, "", d->uid, d->gid, AT_EMPTY_PATH) < 0)
		return werr_sys(e, "chown %s", d->path);
	return 0;
}

static int make_device(struct rootfs_ctx *r, const struct devspec *d, struct werr *e)
{
	_cleanup_free_ char *base = NULL;
	_cleanup_close_ int dir = pathfd_open_parent_in_root(r->rootfs_fd, d->path, 0755, &base, e);
	if (dir < 0)
		return werr_wrap(e, "%s", d->path);
	/* fifos can be made anywhere; device nodes need CAP_MKNOD in the initial namespace */
	if (d->type == S_IFIFO || !r->in_userns) {
		if (mknod_node(dir, base, d, e) == 0)
			return 0;
		if (e->errnum != EPERM || d->type == S_IFIFO)
			return -1;
		log_debug("%s: mknod not permitted, binding the host's node", d->path);
	}
	return bind_host_node(r, dir, base, d, e);
}

static int spec_of(const struct oci_device *od, struct devspec *d, struct werr *e)
{
	memset(d, 0, sizeof(*d));
	d->path = od->path;
	if (!od->type || strlen(od->type) != 1)
		return werr_set(e, EINVAL, "%s: type must be c, b, u or p", od->path);
	switch (od->type[0]) {
	case 'c':
	case 'u':
		d->type = S_IFCHR;
		break;
	case 'b':
		d->type = S_IFBLK;
		break;
	case 'p':
		d->type = S_IFIFO;
		break;
	default:
		return werr_set(e, EINVAL, "%s: type must be c, b, u or p", od->path);
	}
	if (d->type != S_IFIFO) {
		if (!od->has_major || !od->has_minor || od->major < 0 || od->minor < 0 ||
		    od->major > 0xfff || od->minor > 0xfffff)
			return werr_set(e, EINVAL, "%s: needs a valid major and minor", od->path);
		d->major = (unsigned int)od->major;
		d->minor = (unsigned int)od->minor;
	}
	d->mode = od->has_file_mode ? (od->file_mode & 07777) : 0666;
	d->uid = od->has_uid ? od->uid : 0;
	d->gid = od->has_gid ? od->gid : 0;
	return 0;
}

static bool listed_in_config(const struct oci_config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->linux_.n_devices; i++) {
		_cleanup_free_ char *c = path_clean(cfg->linux_.devices[i].path);
		if (strcmp(c, path) == 0)
			return true;
	}
	return false;
}

static int dev_symlinks(struct rootfs_ctx *r, struct werr *e)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "fd"},
		{"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"},
	};
	_cleanup_close_ int dev =
		pathfd_open_in_root(r->rootfs_fd, "/dev", O_PATH | O_DIRECTORY, 0, e);
	if (dev < 0)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST)
			return werr_sys(e, "symlink /dev/%s", links[i][1]);
	/* kcore exists only with CONFIG_PROC_KCORE */
	if (access("/proc/kcore", F_OK) == 0 && symlinkat("/proc/kcore", dev, "core") < 0 &&
	    errno != EEXIST)
		return werr_sys(e, "symlink /dev/core");
	/* ptmx is the devpts instance's own (newinstance), whatever the image had */
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		return werr_sys(e, "remove /dev/ptmx");
	if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
		return werr_sys(e, "symlink /dev/ptmx");
	return 0;
}

int devices_setup(struct rootfs_ctx *r, bool defaults, struct werr *e)
{
	const struct oci_config *cfg = r->cfg;
	for (size_t i = 0; i < cfg->linux_.n_devices; i++) {
		struct devspec d;
		_cleanup_free_ char *clean = path_clean(cfg->linux_.devices[i].path);
		if (strcmp(clean, "/dev/ptmx") == 0)
			continue; /* the ptmx symlink below is what works with devpts */
		if (spec_of(&cfg->linux_.devices[i], &d, e) < 0)
			return werr_wrap(e, "linux.devices[%zu]", i);
		d.path = clean;
		if (make_device(r, &d, e) < 0)
			return werr_wrap(e, "linux.devices[%zu]", i);
	}
	if (!defaults)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(default_devices); i++) {
		if (listed_in_config(cfg, default_devices[i].path))
			continue;
		if (make_device(r, &default_devices[i], e) < 0)
			return -1;
	}
	return dev_symlinks(r, e);
}
