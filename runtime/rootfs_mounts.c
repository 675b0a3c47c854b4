/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One config mount: where it goes (created safely in the root), what may not be done
 * there (/proc and /sys rules), and how it is made (bind, new filesystem, cgroup).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "mount_idmap.h"
#include "pathfd.h"
#include "rootfs_internal.h"

/* Files under /proc that may be covered (what lxcfs provides), as runc allows. */
static const char *const proc_allowed[] = {
	"/proc/cpuinfo",
	"/proc/diskstats",
	"/proc/meminfo",
	"/proc/stat",
	"/proc/swaps",
	"/proc/uptime",
	"/proc/loadavg",
	"/proc/slabinfo",
	"/proc/sys/kernel/ns_last_pid",
	"/proc/sys/crypto/fips_enabled",
};

int rootfs_open_source(const char *bundle, const char *source, struct werr *e)
{
	if (!source || !*source)
		return werr_set(e, EINVAL, "a bind mount needs a source");
	_cleanup_free_ char *path =
		source[0] == '/' ? xstrdup(source) : xasprintf("%s/%s", bundle, source);
	/* The host's view, symlinks followed like mount(8) does: the source is chosen by
	 * whoever wrote config.json, not by the image. */
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "bind source %s", path);
	return fd;
}

void rootfs_bind_attrs(const struct mount_opts *o, struct mount_bind_attrs *a)
{
	const uint64_t plain = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
			       MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW;
	unsigned long asked = o->flags & MOUNT_MS_VFS_FLAGS;
	unsigned long cleared = o->cleared & MOUNT_MS_VFS_FLAGS;

	memset(a, 0, sizeof(*a));
	a->userns_fd = -1;
	a->recursive = o->recursive;
	a->rec_set = o->rec_set;
	a->rec_clr = o->rec_clr;
	a->idmap_recursive = o->ridmap;
	if (!asked && !cleared)
		return; /* no flags named: the bind keeps the source's */
	/* "mount --bind -o ro" means exactly these flags: the plain ones not named are
	 * cleared; atime and nodiratime change only when named. */
	a->set = mount_ms_to_attr(asked);
	a->clr = plain & ~a->set;
	a->clr_retry = mount_ms_to_attr(cleared) & plain;
	if (cleared & MS_NODIRATIME) {
		a->clr |= MOUNT_ATTR_NODIRATIME;
		a->clr_retry |= MOUNT_ATTR_NODIRATIME;
	}
	if (asked & MOUNT_MS_ATIME) {
		a->clr |= MOUNT_ATTR__ATIME;
		a->clr_retry |= MOUNT_ATTR__ATIME;
	}
}

static bool same_inode_fd(int a, int b)
{
	struct stat sa, sb;
	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* /proc and /sys must be plain directories: never mount through a symlink or onto a
 * file planted there by the image (CVE-2019-19921, CVE-2023-27561). */
static int check_plain_dir(int root_fd, const char *dest, struct werr *e)
{
	_cleanup_close_ int fd = pathfd_open_in_root(root_fd, dest, O_PATH | O_NOFOLLOW, 0, e);
	if (fd < 0)
		return e->errnum == ENOENT ? 0 : -1;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return werr_sys(e, "fstat %s", dest);
	if (!S_ISDIR(st.st_mode))
		return werr_set(e, EPERM, "%s in the rootfs is not a plain directory (%s)", dest,
				S_ISLNK(st.st_mode) ? "a symlink" : "not a directory");
	return 0;
}

/* Refuses targets that would cover the root or reach into /proc (runc's checkProcMount). */
static int check_target(struct rootfs_ctx *r, const char *dest, int target, bool is_proc,
			int src_fd, struct werr *e)
{
	if (same_inode_fd(target, r->rootfs_fd))
		return werr_set(e, EPERM, "%s resolves to the root of the rootfs", dest);

	if (strcmp(dest, "/proc") == 0) {
		bool ok = is_proc;
		if (src_fd >= 0 && pathfd_is_procfs(src_fd)) {
			struct stat st;
			ok = fstat(src_fd, &st) == 0 && st.st_ino == 1; /* the root of a procfs */
		}
		if (!ok)
			return werr_set(e, EPERM, "only a procfs may be mounted on /proc");
	}
	if (!pathfd_is_procfs(target))
		return 0;

	/* The target lies in a procfs: only the lxcfs-style files, and only if the path
	 * really is that file (no symlink led us into /proc from elsewhere). */
	bool listed = false;
	for (size_t i = 0; i < ARRAY_SIZE(proc_allowed); i++)
		listed = listed || strcmp(dest, proc_allowed[i]) == 0;
	if (!listed)
		return werr_set(e, EPERM, "%s cannot be mounted: it is inside /proc", dest);
	if (!r->pivoted) {
		char p[PATHFD_PROC_LEN], real[PATH_MAX];
		ssize_t n = readlink(pathfd_proc_path(p, target), real, sizeof(real) - 1);
		if (n < 0)
			return werr_sys(e, "readlink %s", p);
		real[n] = '\0';
		_cleanup_free_ char *want = xasprintf("%s%s", r->rootfs, dest);
		if (strcmp(real, want) != 0)
			return werr_set(e, EPERM, "%s cannot be mounted: it resolves to %s", dest,
					real);
	}
	return 0;
}

/* ---- tmpfs "tmpcopyup": the new tmpfs starts with the content of what it covers ---- */

#define COPYUP_MAX_DEPTH 64

static int copy_file(int sdir, int ddir, const char *name, const struct stat *st, struct werr *e)
{
	_cleanup_close_ int in = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return werr_sys(e, "open %s", name);
	_cleanup_close_ int out =
		openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		       st->st_mode & 07777);
	if (out < 0)
		return werr_sys(e, "create %s", name);
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return werr_sys(e, "read %s", name);
		if (n == 0)
			break;
		if (write_all(out, buf, (size_t)n) < 0)
			return werr_sys(e, "write %s", name);
	}
	if (fchmod(out, st->st_mode & 07777) < 0 || fchown(out, st->st_uid, st->st_gid) < 0)
		return werr_sys(e, "set owner and mode of %s", name);
	return 0;
}

static int copy_tree(int sdir, int ddir, int depth, struct werr *e)
{
	if (depth > COPYUP_MAX_DEPTH)
		return werr_set(e, ELOOP, "tmpcopyup: directories nested too deep");
	int dfd = openat(sdir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return werr_sys(e, "tmpcopyup: open directory");
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return werr_sys(e, "tmpcopyup: read directory");
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(d))) {
		const char *n = de->d_name;
		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(sdir, n, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return werr_sys(e, "tmpcopyup: stat %s", n);
		if (S_ISDIR(st.st_mode)) {
			if (mkdirat(ddir, n, st.st_mode & 07777) < 0)
				return werr_sys(e, "tmpcopyup: mkdir %s", n);
			_cleanup_close_ int s2 =
				openat(sdir, n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			_cleanup_close_ int d2 =
				openat(ddir, n, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (s2 < 0 || d2 < 0)
				return werr_sys(e, "tmpcopyup: open %s", n);
			if (copy_tree(s2, d2, depth + 1, e) < 0)
				return werr_wrap(e, "%s", n);
			if (fchmodat(ddir, n, st.st_mode & 07777, 0) < 0)
				return werr_sys(e, "tmpcopyup: chmod %s", n);
		} else if (S_ISREG(st.st_mode)) {
			if (copy_file(sdir, ddir, n, &st, e) < 0)
				return werr_wrap(e, "tmpcopyup");
			continue;
		} else if (S_ISLNK(st.st_mode)) {
			char target[PATH_MAX];
			ssize_t len = readlinkat(sdir, n, target, sizeof(target) - 1);
			if (len < 0)
				return werr_sys(e, "tmpcopyup: readlink %s", n);
			target[len] = '\0';
			if (symlinkat(target, ddir, n) < 0)
				return werr_sys(e, "tmpcopyup: symlink %s", n);
		} else {
			if (mknodat(ddir, n, st.st_mode, st.st_rdev) < 0)
				return werr_sys(e, "tmpcopyup: mknod %s", n);
		}
		if (fchownat(ddir, n, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
			return werr_sys(e, "tmpcopyup: chown %s", n);
	}
	if (errno)
		return werr_sys(e, "tmpcopyup: readdir");
	return 0;
}

/* The target fd keeps naming the directory the new tmpfs covers: copy from it into the
 * new mount once it is there (the container is not running yet, nobody sees it half
 * filled). Works the same with either mount API. */
static int tmpfs_copyup(unsigned long flags, const char *data, const struct mount_target *t,
			int *out, struct werr *e)
{
	struct stat st;
	if (fstat(t->fd, &st) < 0 || !S_ISDIR(st.st_mode))
		return werr_set(e, ENOTDIR, "tmpcopyup: %s is not a directory", t->path);
	_cleanup_close_ int m = -1;
	if (mount_new_fs("tmpfs", "tmpfs", flags, data, t, &m, e) < 0)
		return -1;
	if (copy_tree(t->fd, m, 0, e) < 0)
		return werr_wrap(e, "tmpcopyup of %s", t->path);
	*out = take_fd(&m);
	return 0;
}

/* ---- the mount ---- */

static bool has_mappings(const struct oci_mount *m)
{
	return m->n_uid_mappings || m->n_gid_mappings;
}

int rootfs_idmap_tree(const char *bundle, const struct oci_mount *m, const struct mount_opts *o,
		      int *out, struct werr *e)
{
	_cleanup_close_ int src = rootfs_open_source(bundle, m->source, e);
	if (src < 0)
		return -1;
	int userns = mount_idmap_userns(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
					m->n_gid_mappings, e);
	if (userns < 0)
		return werr_wrap(e, "uidMappings/gidMappings");
	struct mount_bind_attrs a;
	rootfs_bind_attrs(o, &a);
	a.userns_fd = userns;
	int r = mount_bind_detached(src, "", &a, out, e);
	close(userns);
	if (r < 0)
		return werr_wrap(e, "uidMappings/gidMappings: idmapped mount of %s", m->source);
	return 0;
}

static int mount_as_bind(struct rootfs_ctx *r, size_t idx, const struct oci_mount *m,
			 const struct mount_opts *o, int src, const struct mount_target *t,
			 int *mnt, struct werr *e)
{
	if (has_mappings(m)) {
		if (r->idmap_fds && r->idmap_fds[idx] >= 0)
			return mount_attach(r->idmap_fds[idx], t, mnt, e);
		_cleanup_close_ int tree = -1;
		if (rootfs_idmap_tree(r->bundle, m, o, &tree, e) < 0) {
			if (r->in_userns)
				werr_wrap(e, "inside a new user namespace, idmapped mounts must be "
					     "prepared by rootfs_idmap_prepare");
			return -1;
		}
		return mount_attach(tree, t, mnt, e);
	}
	struct mount_bind_attrs a;
	rootfs_bind_attrs(o, &a);
	return mount_bind(src, "", t, &a, mnt, e);
}

/* The data string for a new filesystem: tmpfs keeps the mode of what it covers (as
 * runc does), and the mount label goes where the filesystem takes one. */
static char *fs_data(const struct rootfs_ctx *r, const char *type, const struct mount_opts *o,
		     int target, bool existed)
{
	char *data = o->data ? xstrdup(o->data) : NULL;
	if (strcmp(type, "tmpfs") == 0 && existed) {
		struct stat st;
		if (fstat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
			char *d = data ? xasprintf("mode=%04o,%s", st.st_mode & 07777, data)
				       : xasprintf("mode=%04o", st.st_mode & 07777);
			free(data);
			data = d;
		}
	}
	const char *label = r->cfg->linux_.mount_label;
	if (label && *label &&
	    (strcmp(type, "tmpfs") == 0 || strcmp(type, "devpts") == 0 ||
	     strcmp(type, "mqueue") == 0)) {
		char *d = data ? xasprintf("%s,context=\"%s\"", data, label)
			       : xasprintf("context=\"%s\"", label);
		free(data);
		data = d;
	}
	return data;
}

int rootfs_mount_one(struct rootfs_ctx *r, size_t idx, bool *dev_fresh, struct werr *e)
{
	const struct oci_mount *m = &r->cfg->mounts[idx];
	struct mount_opts o;
	if (!m->destination || !*m->destination)
		return werr_set(e, EINVAL, "destination is required");
	if (mount_opts_parse(m->options, m->n_options, &o, e) < 0)
		return -1;

	int ret = -1;
	int src = -1, target = -1, mnt = -1;
	char *data = NULL;
	_cleanup_free_ char *dest = path_clean(m->destination);
	const char *type = (m->type && *m->type) ? m->type : NULL;
	bool bind = o.bind || (type && strcmp(type, "bind") == 0);
	bool is_proc = !bind && type && strcmp(type, "proc") == 0;
	bool is_sysfs = !bind && type && strcmp(type, "sysfs") == 0;
	bool is_cgroup =
		!bind && type && (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0);
	bool is_tmpfs = !bind && type && strcmp(type, "tmpfs") == 0;
	bool is_dev = strcmp(dest, "/dev") == 0;
	bool defer_ro = false;

	if (strcmp(dest, "/") == 0) {
		werr_set(e, EINVAL, "mounting over the rootfs itself is not supported");
		goto out;
	}
	if (!bind && !type) {
		werr_set(e, EINVAL, "no type, and no bind option");
		goto out;
	}
	if (has_mappings(m) && !bind) {
		werr_set(e, EINVAL, "uidMappings/gidMappings: only bind mounts can be id-mapped");
		goto out;
	}
	if ((is_proc || is_sysfs || strcmp(dest, "/proc") == 0 || strcmp(dest, "/sys") == 0) &&
	    check_plain_dir(r->rootfs_fd, dest, e) < 0)
		goto out;

	/* A sysfs without a network namespace of our own shows the host's network devices
	 * and cannot be mounted in a user namespace: bind the host's, read-only throughout. */
	bool sys_bind = is_sysfs && !r->has_netns;
	if (bind || sys_bind) {
		src = sys_bind ? rootfs_open_source(r->bundle, "/sys", e)
			       : rootfs_open_source(r->bundle, m->source, e);
		if (src < 0)
			goto out;
	}
	bool is_dir = true;
	if (bind) {
		struct stat st;
		if (fstat(src, &st) < 0) {
			werr_sys(e, "fstat %s", m->source);
			goto out;
		}
		is_dir = S_ISDIR(st.st_mode);
	}
	int probe = pathfd_open_in_root(r->rootfs_fd, dest, O_PATH, 0, e);
	bool existed = probe >= 0;
	if (probe >= 0)
		close(probe);
	target = pathfd_mount_target(r->rootfs_fd, dest, is_dir, e);
	if (target < 0)
		goto out;
	if (check_target(r, dest, target, is_proc, bind ? src : -1, e) < 0)
		goto out;

	struct mount_target t = {.fd = target, .root_fd = r->rootfs_fd, .path = dest};
	if (bind) {
		if (mount_as_bind(r, idx, m, &o, src, &t, &mnt, e) < 0)
			goto out;
		if (is_dev)
			*dev_fresh = false;
	} else if (sys_bind) {
		struct mount_bind_attrs a;
		rootfs_bind_attrs(&o, &a);
		a.recursive = true;
		a.set |= MOUNT_ATTR_RDONLY;
		a.clr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
		a.rec_set |= MOUNT_ATTR_RDONLY;
		a.rec_clr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
		/* without mount_setattr (Linux < 5.12) only the top can be made ro */
		a.rec_optional = true;
		if (mount_bind(src, "", &t, &a, &mnt, e) < 0)
			goto out;
	} else if (is_cgroup) {
		if (mount_cgroup(r, &o, &t, e) < 0)
			goto out;
		/* mount_cgroup handled propagation and recursive attributes itself */
		ret = 0;
		goto out;
	} else {
		unsigned long flags = o.flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
		/* /dev and tmpfs mounts get populated (devices, copy-up) or written by hooks
		 * first: "ro" is applied by rootfs_finalize, as runc does. */
		if ((flags & MS_RDONLY) && (is_tmpfs || is_dev)) {
			flags &= ~(unsigned long)MS_RDONLY;
			defer_ro = true;
		}
		data = fs_data(r, type, &o, target, existed);
		if (o.tmpcopyup && is_tmpfs) {
			if (tmpfs_copyup(flags, data, &t, &mnt, e) < 0)
				goto out;
		} else {
			if (o.tmpcopyup)
				log_warn("mount %s: tmpcopyup only applies to tmpfs", dest);
			if (mount_new_fs(type, m->source, flags, data, &t, &mnt, e) < 0)
				goto out;
		}
		if (is_dev)
			*dev_fresh = true;
	}

	for (size_t i = 0; i < o.n_propagation; i++)
		if (mount_set_propagation(mnt, o.propagation[i], e) < 0)
			goto out;
	if (!bind && !sys_bind && (o.rec_set || o.rec_clr) &&
	    mount_set_attrs(mnt, o.rec_set, o.rec_clr, true, e) < 0)
		goto out;
	if (defer_ro) {
		rootfs_defer_ro(r, mnt);
		mnt = -1;
	}
	ret = 0;
out:
	if (src >= 0)
		close(src);
	if (target >= 0)
		close(target);
	if (mnt >= 0)
		close(mnt);
	free(data);
	mount_opts_release(&o);
	return ret;
}
