/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The config's cgroup mount (type "cgroup" or "cgroup2", usually at /sys/fs/cgroup).
 *
 * Pure cgroup v2 host: a new cgroup2 mount (with a cgroup namespace it shows the
 * container's own cgroup as its root). If the kernel refuses (a user namespace without
 * a cgroup namespace), the host's cgroup2 is bind-mounted instead.
 *
 * v1 or hybrid host (what runc does): a tmpfs, and in it one directory per hierarchy
 * mounted under the host's /sys/fs/cgroup - with a cgroup namespace a new mount of that
 * hierarchy, without one a bind of the container's own cgroup directory in it - plus
 * the "cpu" -> "cpu,cpuacct" symlinks for co-mounted controllers.
 *
 * Without a cgroup namespace the mount is always read-only (CVE-2023-25809 class): a
 * writable view of the host's hierarchy would let the container change its own limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "mountinfo.h"
#include "optstr.h"
#include "pathfd.h"
#include "rootfs_internal.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* One line of /proc/self/cgroup: "id:controllers:path". */
struct cg_line {
	char *controllers; /* "cpu,cpuacct", "name=systemd", "" for v2 */
	char *path;
};

static void cg_lines_free(struct cg_line *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].controllers);
		free(l[i].path);
	}
	free(l);
}

static int read_self_cgroup(struct cg_line **out, size_t *n, struct werr *e)
{
	_cleanup_free_ char *buf = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 20, &buf, NULL, e) < 0)
		return -1;
	struct cg_line *l = NULL;
	size_t cnt = 0;
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		l = xrealloc(l, (cnt + 1) * sizeof(*l));
		l[cnt].controllers = xstrdup(c1 + 1);
		l[cnt].path = xstrdup(c2 + 1);
		cnt++;
	}
	*out = l;
	*n = cnt;
	return 0;
}

/* Every controller of the /proc/self/cgroup line appears in the mount's options. */
static bool line_matches(const struct cg_line *l, const char *fs_type, const char *fs_opts)
{
	if (strcmp(fs_type, "cgroup2") == 0)
		return l->controllers[0] == '\0';
	if (!l->controllers[0] || !fs_opts)
		return false;
	_cleanup_free_ char *c = xstrdup(l->controllers);
	char *save = NULL;
	for (char *t = strtok_r(c, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		if (!eq) {
			if (!optstr_has(fs_opts, t, NULL, NULL))
				return false;
			continue;
		}
		/* "name=systemd": the mount has option "name" with that value */
		*eq = '\0';
		const char *val = NULL;
		size_t len = 0;
		if (!optstr_has(fs_opts, t, &val, &len) || !val || len != strlen(eq + 1) ||
		    strncmp(val, eq + 1, len) != 0)
			return false;
	}
	return true;
}

/* Binds host_dir (read-only when ro) onto dir/name. */
static int bind_into(int dir_fd, const char *name, const char *host_dir, bool ro, struct werr *e)
{
	if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
		return werr_sys(e, "mkdir %s", name);
	_cleanup_close_ int target =
		openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return werr_sys(e, "open %s", name);
	_cleanup_close_ int src = open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (src < 0)
		return werr_sys(e, "open %s", host_dir);
	struct mount_target t = {.fd = target, .root_fd = dir_fd, .path = name};
	struct mount_bind_attrs a = {
		.recursive = true,
		.set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
		       (ro ? MOUNT_ATTR_RDONLY : 0),
		.userns_fd = -1,
	};
	if (ro)
		a.rec_set = MOUNT_ATTR_RDONLY;
	a.rec_optional = true; /* old kernels: the top is read-only, that must do */
	int fd;
	if (mount_bind(src, "", &t, &a, &fd, e) < 0)
		return werr_wrap(e, "bind %s", host_dir);
	close(fd);
	return 0;
}

/* A new mount of one hierarchy onto dir/name. */
static int fresh_into(int dir_fd, const char *name, const char *type, const char *data,
		      unsigned long flags, struct werr *e)
{
	if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
		return werr_sys(e, "mkdir %s", name);
	_cleanup_close_ int target =
		openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (target < 0)
		return werr_sys(e, "open %s", name);
	struct mount_target t = {.fd = target, .root_fd = dir_fd, .path = name};
	int fd;
	if (mount_new_fs(type, type, flags, data, &t, &fd, e) < 0)
		return -1;
	close(fd);
	return 0;
}

/* Source directory of the container's cgroup in a host hierarchy mounted at mountpoint
 * with root `root`. */
static char *own_dir(const char *mountpoint, const char *root, const char *own)
{
	size_t rl = strlen(root);
	if (strcmp(root, "/") == 0)
		return xasprintf("%s%s", mountpoint, strcmp(own, "/") == 0 ? "" : own);
	if (strncmp(own, root, rl) == 0 && (own[rl] == '/' || own[rl] == '\0'))
		return xasprintf("%s%s", mountpoint, own + rl);
	return xstrdup(mountpoint); /* our cgroup is not below this mount's root */
}

static int populate_v1(int tmpfs_fd, bool cgroupns, bool ro, unsigned long fresh_flags,
		       struct werr *e)
{
	struct cg_line *lines = NULL;
	size_t n_lines = 0;
	if (read_self_cgroup(&lines, &n_lines, e) < 0)
		return -1;
	struct mountinfo mi;
	if (mountinfo_read("/proc/self/mountinfo", &mi, e) < 0) {
		cg_lines_free(lines, n_lines);
		return -1;
	}
	int ret = 0;
	for (size_t k = 0; k < mi.n; k++) {
		const struct mountinfo_entry *fs = &mi.e[k];
		const char *type = fs->fstype, *tgt = fs->target;
		if (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2") != 0)
			continue;
		const char *slash = strrchr(tgt, '/');
		if (!slash || (size_t)(slash - tgt) != strlen(CGROUP_ROOT) ||
		    strncmp(tgt, CGROUP_ROOT, strlen(CGROUP_ROOT)) != 0 || !slash[1])
			continue; /* only hierarchies mounted directly under /sys/fs/cgroup */
		const char *name = slash + 1;
		const char *opts = fs->fs_opts;
		const struct cg_line *line = NULL;
		for (size_t i = 0; i < n_lines && !line; i++)
			if (line_matches(&lines[i], type, opts))
				line = &lines[i];
		if (!line) {
			log_debug("cgroup: no /proc/self/cgroup line for %s, skipped", tgt);
			continue;
		}
		bool v2 = strcmp(type, "cgroup2") == 0;
		if (cgroupns) {
			/* a new v1 mount names its hierarchy by its controllers ("name=systemd") */
			_cleanup_free_ char *data = v2 ? NULL : xstrdup(line->controllers);
			struct werr fe;
			if (fresh_into(tmpfs_fd, name, type, data, fresh_flags, &fe) == 0)
				goto linked;
			/* v1 hierarchies cannot be mounted inside a user namespace */
			log_debug("cgroup: new mount of %s refused (%s): binding", name, fe.msg);
		}
		{
			_cleanup_free_ char *src = own_dir(tgt, fs->root, line->path);
			if (bind_into(tmpfs_fd, name, src, ro, e) < 0) {
				ret = werr_wrap(e, "cgroup %s", name);
				goto out;
			}
		}
	linked:
		/* co-mounted controllers: "cpu" and "cpuacct" -> "cpu,cpuacct" */
		if (strchr(name, ',')) {
			_cleanup_free_ char *c = xstrdup(name);
			char *save = NULL;
			for (char *t = strtok_r(c, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				if (symlinkat(name, tmpfs_fd, t) < 0 && errno != EEXIST) {
					ret = werr_sys(e, "symlink %s", t);
					goto out;
				}
			}
		}
	}
out:
	mountinfo_free(&mi);
	cg_lines_free(lines, n_lines);
	return ret;
}

int mount_cgroup(struct rootfs_ctx *r, const struct mount_opts *o, const struct mount_target *t,
		 struct werr *e)
{
	bool cgroupns = rootfs_config_ns(r->cfg, OCI_NS_CGROUP) != NULL;
	unsigned long flags = o->flags & MOUNT_MS_VFS_FLAGS;
	if (!cgroupns)
		flags |= MS_RDONLY;
	bool ro = flags & MS_RDONLY;
	int mnt = -1;

	struct statfs sfs;
	bool pure_v2 = statfs(CGROUP_ROOT, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
	if (pure_v2) {
		struct werr fe;
		if (mount_new_fs("cgroup2", "cgroup", flags, NULL, t, &mnt, &fe) < 0) {
			if (fe.errnum != EPERM && fe.errnum != EBUSY) {
				*e = fe;
				return -1;
			}
			log_debug("cgroup2 mount refused (%s): binding the host's", fe.msg);
			_cleanup_close_ int src =
				open(CGROUP_ROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (src < 0)
				return werr_sys(e, "open %s", CGROUP_ROOT);
			struct mount_bind_attrs a = {.recursive = true,
						     .set = mount_ms_to_attr(flags),
						     .rec_set = ro ? MOUNT_ATTR_RDONLY : 0,
						     .rec_optional = true,
						     .userns_fd = -1};
			if (mount_bind(src, "", t, &a, &mnt, e) < 0)
				return -1;
		}
	} else {
		/* the tmpfs stays writable until its directories exist */
		if (mount_new_fs("tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755", t,
				 &mnt, e) < 0)
			return -1;
		unsigned long fresh = flags | MS_NOSUID | MS_NODEV | MS_NOEXEC;
		if (populate_v1(mnt, cgroupns, ro, fresh, e) < 0) {
			close(mnt);
			return -1;
		}
		if (ro && mount_set_attrs(mnt, MOUNT_ATTR_RDONLY, 0, false, e) < 0) {
			close(mnt);
			return -1;
		}
	}
	for (size_t i = 0; i < o->n_propagation; i++) {
		if (mount_set_propagation(mnt, o->propagation[i], e) < 0) {
			close(mnt);
			return -1;
		}
	}
	if ((o->rec_set || o->rec_clr) &&
	    mount_set_attrs(mnt, o->rec_set, o->rec_clr, true, e) < 0) {
		close(mnt);
		return -1;
	}
	close(mnt);
	return 0;
}
