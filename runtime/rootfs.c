/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Orchestration of the container's filesystem view: context, the order of the steps
 * (rootfs.h), the rootfs bind, pivot_root, and the console bind.
 */
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "mount_fd.h"
#include "mount_opts.h"
#include "mountinfo.h"
#include "pathfd.h"
#include "rootfs_internal.h"

const struct oci_namespace *rootfs_config_ns(const struct oci_config *cfg, enum oci_ns_type t)
{
	for (size_t i = 0; i < cfg->linux_.n_namespaces; i++)
		if (cfg->linux_.namespaces[i].type == t)
			return &cfg->linux_.namespaces[i];
	return NULL;
}

void rootfs_defer_ro(struct rootfs_ctx *r, int mnt_fd)
{
	r->ro_later = xrealloc(r->ro_later, (r->n_ro_later + 1) * sizeof(*r->ro_later));
	r->ro_later[r->n_ro_later++] = mnt_fd;
}

int rootfs_ctx_init(struct rootfs_ctx *r, const struct oci_config *cfg, const char *bundle,
		    bool no_pivot, struct werr *e)
{
	memset(r, 0, sizeof(*r));
	r->rootfs_fd = -1;
	r->proc_fd = -1;
	r->shared_ns_fd = -1;
	r->cfg = cfg;
	r->bundle = bundle;
	r->no_pivot = no_pivot;
	r->in_userns = rootfs_config_ns(cfg, OCI_NS_USER) != NULL;
	r->has_netns = rootfs_config_ns(cfg, OCI_NS_NETWORK) != NULL;
	const struct oci_namespace *mntns = rootfs_config_ns(cfg, OCI_NS_MOUNT);
	r->shared_mntns = !mntns || (mntns->path && *mntns->path);

	if (!cfg->has_root || !cfg->root.path || !*cfg->root.path)
		return werr_set(e, EINVAL, "root.path is required");
	_cleanup_free_ char *joined = cfg->root.path[0] == '/'
					      ? xstrdup(cfg->root.path)
					      : xasprintf("%s/%s", bundle, cfg->root.path);
	/* Canonical host path: the rootfs itself is chosen by whoever wrote the bundle. */
	char *real = realpath(joined, NULL);
	if (!real)
		return werr_sys(e, "root.path %s", joined);
	r->rootfs = real;
	r->rootfs_fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->rootfs_fd < 0)
		return werr_sys(e, "open rootfs %s", real);
	if (strcmp(real, "/") == 0)
		return werr_set(e, EINVAL, "root.path may not be the host's /");
	return 0;
}

void rootfs_ctx_release(struct rootfs_ctx *r)
{
	if (r->rootfs_fd >= 0)
		close(r->rootfs_fd);
	if (r->proc_fd >= 0)
		close(r->proc_fd);
	if (r->shared_ns_fd >= 0)
		close(r->shared_ns_fd);
	for (size_t i = 0; i < r->n_ro_later; i++)
		close(r->ro_later[i]);
	free(r->ro_later);
	free(r->rootfs);
	r->ro_later = NULL;
	r->n_ro_later = 0;
	r->rootfs = NULL;
	r->rootfs_fd = r->proc_fd = r->shared_ns_fd = -1;
}

/* MS_* value of linux.rootfsPropagation, 0 when unset. */
static unsigned long root_propagation(const struct oci_config *cfg)
{
	const char *p = cfg->linux_.rootfs_propagation;
	return (p && *p) ? mount_propagation_from_name(p) : 0;
}

/*
 * pivot_root refuses a new root whose parent mount is shared, and a bind of a shared
 * mount would propagate back to the host: make the mount holding the rootfs private
 * (or slave, when that is what was asked). mount(2) wants a mount point, so walk up.
 */
static int make_parent_private(const char *rootfs, unsigned long prop, struct werr *e)
{
	unsigned long flag = (prop & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE;
	_cleanup_free_ char *path = xstrdup(rootfs);
	for (;;) {
		if (mount(NULL, path, NULL, flag, NULL) == 0)
			return 0;
		if (errno != EINVAL || strcmp(path, "/") == 0)
			return werr_sys(e, "make the mount of %s private", path);
		char *slash = strrchr(path, '/');
		if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* Binds the rootfs onto itself (pivot_root needs a mount) and makes rootfs_fd name it. */
static int bind_rootfs(struct rootfs_ctx *r, struct werr *e)
{
	_cleanup_close_ int host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host_root < 0)
		return werr_sys(e, "open /");
	struct mount_target t = {.fd = r->rootfs_fd, .root_fd = host_root, .path = r->rootfs};
	struct mount_bind_attrs a = {.recursive = true, .userns_fd = -1};
	int fd;
	if (mount_bind(r->rootfs_fd, "", &t, &a, &fd, e) < 0)
		return werr_wrap(e, "bind the rootfs onto itself");
	close(r->rootfs_fd);
	r->rootfs_fd = fd;
	return 0;
}

/* shared_mntns: builds the container's tree in a private copy of the shared namespace. */
static int enter_private_mntns(struct rootfs_ctx *r, struct werr *e)
{
	r->shared_ns_fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (r->shared_ns_fd < 0)
		return werr_sys(e, "open /proc/self/ns/mnt");
	if (unshare(CLONE_NEWNS) < 0)
		return werr_sys(e, "linux.namespaces: a private mount namespace to build the "
				   "rootfs in");
	/* the fd names the rootfs in the shared namespace: mounts need this one's */
	int fd = open(r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "open rootfs %s", r->rootfs);
	close(r->rootfs_fd);
	r->rootfs_fd = fd;
	return 0;
}

/* shared_mntns: back to the shared namespace, rooted in a detached copy of the tree. */
static int leave_private_mntns(struct rootfs_ctx *r, struct werr *e)
{
	struct mount_bind_attrs a = {.recursive = true, .userns_fd = -1};
	_cleanup_close_ int tree = -1;
	if (mount_bind_detached(AT_FDCWD, "/", &a, &tree, e) < 0)
		return werr_wrap(e, "linux.namespaces: copy the container's root to take it "
				    "into the shared mount namespace");
	if (setns(r->shared_ns_fd, CLONE_NEWNS) < 0)
		return werr_sys(e, "linux.namespaces: return to the shared mount namespace");
	/* the copy has no parent mount: ".." at its top stays there */
	if (fchdir(tree) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return werr_sys(e, "chroot into the container's root");
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return werr_sys(e, "open the new /");
	close(r->rootfs_fd);
	r->rootfs_fd = root;
	return 0;
}

int rootfs_mount_all(struct rootfs_ctx *r, struct werr *e)
{
	const struct oci_config *cfg = r->cfg;
	unsigned long prop = root_propagation(cfg);

	if (r->shared_mntns && enter_private_mntns(r, e) < 0)
		return -1;

	/* Everything below changes the mount table: never the host's own. */
	struct stat self_ns, init_ns;
	if (stat("/proc/self/ns/mnt", &self_ns) == 0 && stat("/proc/1/ns/mnt", &init_ns) == 0 &&
	    self_ns.st_dev == init_ns.st_dev && self_ns.st_ino == init_ns.st_ino)
		return werr_set(e, EPERM, "not in a mount namespace of the container's own");

	/* Nothing we mount may propagate to the host: slave by default, like runc. */
	if (mount(NULL, "/", NULL, prop ? prop : (MS_SLAVE | MS_REC), NULL) < 0)
		return werr_sys(e, "set the propagation of /");
	if (make_parent_private(r->rootfs, prop, e) < 0)
		return -1;
	if (bind_rootfs(r, e) < 0)
		return -1;

	/*
	 * A procfs of our own, attached nowhere, for the sysctl writes of rootfs_finalize:
	 * made now, before masks and read-only binds cover the container's /proc (which in
	 * a user namespace would make a new procfs "too revealing" to be allowed).
	 */
	struct werr pe;
	if (mount_new_fs_detached("proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, &r->proc_fd,
				  &pe) < 0) {
		log_debug("no private procfs (%s): sysctls go through the container's /proc",
			  pe.msg);
		r->proc_fd = -1;
	}

	bool dev_fresh = false;
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		if (rootfs_mount_one(r, i, &dev_fresh, e) < 0)
			return werr_wrap(e, "mounts[%zu] (%s)", i, cfg->mounts[i].destination);
	}
	if (devices_setup(r, dev_fresh, e) < 0)
		return werr_wrap(e, "/dev");
	return 0;
}

#ifndef DEVPTS_SUPER_MAGIC
#define DEVPTS_SUPER_MAGIC 0x1cd1
#endif

int rootfs_open_devpts(struct rootfs_ctx *r, struct werr *e)
{
	/* resolved inside the root: an image's /dev or /dev/pts symlink stays in the image */
	_cleanup_close_ int fd =
		pathfd_open_in_root(r->rootfs_fd, "/dev/pts", O_PATH | O_DIRECTORY, 0, e);
	if (fd < 0)
		return werr_wrap(e, "needs a devpts mount at /dev/pts");
	struct statfs sf;
	struct stat st;
	if (fstatfs(fd, &sf) < 0 || fstat(fd, &st) < 0)
		return werr_sys(e, "/dev/pts");
	if ((unsigned long)sf.f_type != DEVPTS_SUPER_MAGIC || st.st_ino != 1)
		return werr_set(e, EPERM, "/dev/pts is not the root of a devpts mount");
	return take_fd(&fd);
}

/*
 * The mount target for the console: a plain file named console in the container's /dev.
 * What the image has there is never followed: a symlink (into /proc, say) or any other
 * non-device node is replaced (CVE-2025-52565).
 */
static int console_target(struct rootfs_ctx *r, struct werr *e)
{
	_cleanup_close_ int dev =
		pathfd_open_in_root(r->rootfs_fd, "/dev", O_PATH | O_DIRECTORY, 0, e);
	if (dev < 0)
		return werr_wrap(e, "/dev");
	struct statfs sf;
	if (fstatfs(dev, &sf) < 0)
		return werr_sys(e, "statfs /dev");
	if (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC)
		return werr_set(e, EPERM, "/dev of the rootfs leads into /proc or /sys");
	struct stat st;
	if (fstatat(dev, "console", &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
	    !S_ISCHR(st.st_mode) &&
	    unlinkat(dev, "console", S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
		return werr_sys(e, "remove what the image has at /dev/console");
	if (mknodat(dev, "console", S_IFREG | 0600, 0) < 0 && errno != EEXIST)
		return werr_sys(e, "create /dev/console");
	_cleanup_close_ int fd = openat(dev, "console", O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "open /dev/console");
	if (fstat(fd, &st) < 0)
		return werr_sys(e, "fstat /dev/console");
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		return werr_set(e, EPERM, "/dev/console changed while it was being made");
	return take_fd(&fd);
}

int rootfs_bind_console(struct rootfs_ctx *r, int slave_fd, struct werr *e)
{
	struct stat st;
	if (fstat(slave_fd, &st) < 0)
		return werr_sys(e, "console: fstat the pty");
	if (!S_ISCHR(st.st_mode))
		return werr_set(e, EINVAL, "console: the pty fd is not a character device");
	_cleanup_close_ int target = console_target(r, e);
	if (target < 0)
		return werr_wrap(e, "console");
	struct mount_target t = {.fd = target, .root_fd = r->rootfs_fd, .path = "/dev/console"};
	struct mount_bind_attrs a = {.userns_fd = -1};
	int fd;
	if (mount_bind(slave_fd, "", &t, &a, &fd, e) < 0)
		return werr_wrap(e, "console: bind the pty onto /dev/console");
	close(fd);
	return 0;
}

/*
 * --no-pivot: before moving the rootfs over "/", take away every full procfs and sysfs
 * of the host that a chroot would leave reachable in this mount namespace (the kernel
 * lets a new procfs be mounted if a full one is visible).
 */
static int hide_host_pseudo_fs(const char *rootfs, struct werr *e)
{
	struct mountinfo mi;
	if (mountinfo_read("/proc/self/mountinfo", &mi, e) < 0)
		return -1;
	size_t rl = strlen(rootfs);
	int ret = 0;
	/* children before their parents: an unmounted parent would take them along */
	for (size_t i = mi.n; i-- > 0;) {
		const char *type = mi.e[i].fstype, *tgt = mi.e[i].target;
		if (strcmp(mi.e[i].root, "/") != 0)
			continue;
		if (strcmp(type, "proc") != 0 && strcmp(type, "sysfs") != 0)
			continue;
		if (strncmp(tgt, rootfs, rl) == 0 && (tgt[rl] == '/' || tgt[rl] == '\0'))
			continue;
		if (mount(NULL, tgt, NULL, MS_SLAVE | MS_REC, NULL) < 0) {
			if (errno == ENOENT)
				continue;
			ret = werr_sys(e, "make %s a slave", tgt);
			break;
		}
		if (umount2(tgt, MNT_DETACH) < 0) {
			if (errno != EINVAL && errno != EPERM) {
				ret = werr_sys(e, "unmount %s", tgt);
				break;
			}
			if (mount("tmpfs", tgt, "tmpfs", MS_RDONLY, "size=0") < 0) {
				ret = werr_sys(e, "cover %s", tgt);
				break;
			}
		}
	}
	mountinfo_free(&mi);
	return ret;
}

static int pivot_into(struct rootfs_ctx *r, struct werr *e)
{
	_cleanup_close_ int old_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (old_root < 0)
		return werr_sys(e, "open /");
	if (fchdir(r->rootfs_fd) < 0)
		return werr_sys(e, "chdir to the rootfs");
	/* pivot_root(".", "."): the old root ends up stacked under the new one, reachable as
	 * our cwd once we fchdir to it, and can be unmounted without a directory for it. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return werr_sys(e, "pivot_root");
	if (fchdir(old_root) < 0)
		return werr_sys(e, "chdir to the old root");
	/* our unmount must not reach the host's mounts */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return werr_sys(e, "make the old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return werr_sys(e, "unmount the old root");
	if (chdir("/") < 0)
		return werr_sys(e, "chdir /");
	return 0;
}

static int move_into(struct rootfs_ctx *r, struct werr *e)
{
	if (hide_host_pseudo_fs(r->rootfs, e) < 0)
		return werr_wrap(e, "--no-pivot");
	if (fchdir(r->rootfs_fd) < 0)
		return werr_sys(e, "chdir to the rootfs");
	/* The host /proc may be gone now: name the rootfs mount by its host path (ours, from
	 * realpath; the container has not run yet). */
	if (mount(r->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return werr_sys(e, "move the rootfs onto /");
	if (chroot(".") < 0)
		return werr_sys(e, "chroot");
	if (chdir("/") < 0)
		return werr_sys(e, "chdir /");
	return 0;
}

int rootfs_pivot(struct rootfs_ctx *r, struct werr *e)
{
	if (rootfs_mask_paths(r, e) < 0)
		return werr_wrap(e, "linux.maskedPaths");
	if ((r->no_pivot ? move_into(r, e) : pivot_into(r, e)) < 0)
		return -1;
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return werr_sys(e, "open the new /");
	close(r->rootfs_fd);
	r->rootfs_fd = root;
	r->pivoted = true;

	/* rslave/rprivate were applied to the whole tree at the start; shared and
	 * unbindable make sense only on the container's own root. */
	unsigned long prop = root_propagation(r->cfg);
	if (prop & (MS_SHARED | MS_UNBINDABLE)) {
		if (mount_set_propagation(root, prop, e) < 0)
			return werr_wrap(e, "linux.rootfsPropagation");
	}
	return 0;
}

int rootfs_finalize(struct rootfs_ctx *r, struct werr *e)
{
	if (rootfs_sysctl_apply(r, e) < 0)
		return werr_wrap(e, "linux.sysctl");
	if (r->proc_fd >= 0) {
		close(r->proc_fd);
		r->proc_fd = -1;
	}
	if (rootfs_readonly_paths(r, e) < 0)
		return werr_wrap(e, "linux.readonlyPaths");
	for (size_t i = 0; i < r->n_ro_later; i++) {
		if (mount_set_attrs(r->ro_later[i], MOUNT_ATTR_RDONLY, 0, false, e) < 0)
			return werr_wrap(e, "make a mount read-only");
	}
	if (r->cfg->root.readonly) {
		if (mount_set_attrs(r->rootfs_fd, MOUNT_ATTR_RDONLY, 0, false, e) < 0)
			return werr_wrap(e, "root.readonly");
	}
	if (r->shared_mntns)
		return leave_private_mntns(r, e);
	return 0;
}
