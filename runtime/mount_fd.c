/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Mount operations on fds: new mount API first, classic mount(2) through
 * /proc/self/fd/N when the kernel (or a seccomp profile) refuses it. See mount_fd.h.
 */
#include "mount_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "mount_opts.h"
#include "optstr.h"
#include "pathfd.h"

bool mount_force_legacy;

/* mount_setattr failed because it is not there for us (old kernel, seccomp profile). */
static bool setattr_missing(int err)
{
	return err == ENOSYS || (err == EPERM && pathfd_syscall_missing(SYS_mount_setattr));
}

/* A call of the new API failed in a way that means "use mount(2)" rather than a real
 * error: the syscall is missing, or one of the family is filtered (EPERM). */
static bool new_api_refused(int err)
{
	static const long family[] = {SYS_open_tree, SYS_move_mount, SYS_fsopen,
				      SYS_fsconfig,  SYS_fsmount,    SYS_mount_setattr};
	if (err == ENOSYS)
		return true;
	if (err != EPERM)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(family); i++)
		if (pathfd_syscall_missing(family[i]))
			return true;
	return false;
}

static bool use_new_api(void)
{
	return !mount_force_legacy;
}

static int mnt_id_of(int fd, uint64_t *id)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return -1;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -1;
	*id = stx.stx_mnt_id;
	return 0;
}

/*
 * After a classic mount(2) on /proc/self/fd/N, the fd still names the covered dentry:
 * resolve the path again to get the new mount's root and check it is a different mount.
 */
static int legacy_reopen(const struct mount_target *t, int *out, struct werr *e)
{
	int fd = pathfd_open_in_root(t->root_fd, t->path, O_PATH, 0, e);
	if (fd < 0)
		return werr_wrap(e, "re-open %s after mounting", t->path);
	uint64_t before, after;
	if (mnt_id_of(t->fd, &before) == 0 && mnt_id_of(fd, &after) == 0 && before == after) {
		close(fd);
		return werr_set(e, EBUSY, "%s: the new mount is not where it was made", t->path);
	}
	*out = fd;
	return 0;
}

/* "/proc/self/fd" must be a procfs for the legacy path to mean what it says. */
static int legacy_check_proc(struct werr *e)
{
	_cleanup_close_ int fd = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !pathfd_is_procfs(fd))
		return werr_set(e, ENOTSUP, "/proc is not a procfs: cannot mount through fds");
	return 0;
}

/* Locked mount flags (a user namespace inherited them) from statvfs, as MS_*. */
static unsigned long statvfs_ms_flags(int fd)
{
	struct statvfs sv;
	unsigned long ms = 0;
	if (fstatvfs(fd, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_RDONLY)
		ms |= MS_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		ms |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		ms |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		ms |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		ms |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		ms |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		ms |= MS_RELATIME;
	return ms;
}

static unsigned long attr_to_ms(uint64_t a)
{
	unsigned long ms = 0;
	if (a & MOUNT_ATTR_RDONLY)
		ms |= MS_RDONLY;
	if (a & MOUNT_ATTR_NOSUID)
		ms |= MS_NOSUID;
	if (a & MOUNT_ATTR_NODEV)
		ms |= MS_NODEV;
	if (a & MOUNT_ATTR_NOEXEC)
		ms |= MS_NOEXEC;
	if (a & MOUNT_ATTR_NODIRATIME)
		ms |= MS_NODIRATIME;
	if (a & MOUNT_ATTR_NOSYMFOLLOW)
		ms |= MS_NOSYMFOLLOW;
	return ms;
}

/* Classic bind-remount of the mount at mnt_fd, setting `set` and clearing `clr`. */
static int legacy_remount(int mnt_fd, uint64_t set, uint64_t clr, struct werr *e)
{
	char p[PATHFD_PROC_LEN];
	unsigned long cur = statvfs_ms_flags(mnt_fd);
	unsigned long ms = (cur & ~attr_to_ms(clr)) | attr_to_ms(set);
	if (clr & MOUNT_ATTR__ATIME) {
		ms &= ~(unsigned long)MOUNT_MS_ATIME;
		uint64_t at = set & MOUNT_ATTR__ATIME;
		if (at == MOUNT_ATTR_NOATIME)
			ms |= MS_NOATIME;
		else if (at == MOUNT_ATTR_STRICTATIME)
			ms |= MS_STRICTATIME;
		else
			ms |= MS_RELATIME;
	}
	if (mount(NULL, pathfd_proc_path(p, mnt_fd), NULL, MS_BIND | MS_REMOUNT | ms, NULL) < 0)
		return werr_sys(e, "remount");
	return 0;
}

static int setattr(int fd, unsigned int flags, uint64_t set, uint64_t clr, uint64_t prop,
		   int userns)
{
	struct mount_attr a = {
		.attr_set = set,
		.attr_clr = clr,
		.propagation = prop,
		.userns_fd = userns >= 0 ? (uint64_t)userns : 0,
	};
	return mount_setattr(fd, "", AT_EMPTY_PATH | flags, &a, sizeof(a));
}

int mount_set_attrs(int mnt_fd, uint64_t set, uint64_t clr, bool recursive, struct werr *e)
{
	if (!set && !clr)
		return 0;
	if (use_new_api()) {
		if (setattr(mnt_fd, recursive ? AT_RECURSIVE : 0, set, clr, 0, -1) == 0)
			return 0;
		/* EPERM can be real (locked flags): only a missing syscall falls back */
		if (!setattr_missing(errno))
			return werr_sys(e, "mount_setattr");
	}
	if (recursive)
		return werr_set(e, ENOSYS,
				"recursive mount attributes need mount_setattr (Linux 5.12)");
	if (legacy_check_proc(e) < 0)
		return -1;
	return legacy_remount(mnt_fd, set, clr, e);
}

int mount_set_propagation(int mnt_fd, unsigned long ms, struct werr *e)
{
	unsigned long type = ms & MOUNT_MS_PROPAGATION;
	if (use_new_api()) {
		if (setattr(mnt_fd, (ms & MS_REC) ? AT_RECURSIVE : 0, 0, 0, type, -1) == 0)
			return 0;
		if (!setattr_missing(errno))
			return werr_sys(e, "mount_setattr propagation");
	}
	if (legacy_check_proc(e) < 0)
		return -1;
	char p[PATHFD_PROC_LEN];
	if (mount(NULL, pathfd_proc_path(p, mnt_fd), NULL, ms, NULL) < 0)
		return werr_sys(e, "change propagation");
	return 0;
}

/* Top-level attributes of a bind, retrying without clearing locked flags. */
static int bind_top_attrs(int fd, const struct mount_bind_attrs *a, struct werr *e)
{
	if (!a->set && !a->clr)
		return 0;
	if (setattr(fd, 0, a->set, a->clr, 0, -1) == 0)
		return 0;
	if (setattr_missing(errno))
		return werr_sys(e, "set mount attributes");
	if (errno == EPERM && a->clr != a->clr_retry) {
		/* A user namespace inherited locked flags (nosuid, nodev...): keep them, as
		 * "mount -o remount,bind" would, and fail only if they were asked off. */
		log_debug("bind: keeping locked mount flags");
		if (setattr(fd, 0, a->set, a->clr_retry, 0, -1) == 0)
			return 0;
	}
	return werr_sys(e, "set mount attributes");
}

static int apply_bind_attrs(int tree, const struct mount_bind_attrs *a, struct werr *e)
{
	if (bind_top_attrs(tree, a, e) < 0)
		return -1;
	if ((a->rec_set || a->rec_clr) &&
	    setattr(tree, AT_RECURSIVE, a->rec_set, a->rec_clr, 0, -1) < 0)
		return werr_sys(e, "set recursive mount attributes");
	if (a->userns_fd >= 0 && setattr(tree, a->idmap_recursive ? AT_RECURSIVE : 0,
					 MOUNT_ATTR_IDMAP, 0, 0, a->userns_fd) < 0)
		return werr_sys(e, "id-map the mount");
	return 0;
}

int mount_bind_detached(int src_dirfd, const char *src_path, const struct mount_bind_attrs *a,
			int *out, struct werr *e)
{
	unsigned int fl = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	if (a->recursive)
		fl |= AT_RECURSIVE;
	if (!*src_path)
		fl |= AT_EMPTY_PATH;
	_cleanup_close_ int tree = open_tree(src_dirfd, src_path, fl);
	if (tree < 0)
		return werr_sys(e, "open_tree %s", *src_path ? src_path : "(fd)");
	if (apply_bind_attrs(tree, a, e) < 0)
		return -1;
	*out = take_fd(&tree);
	return 0;
}

int mount_attach(int tree_fd, const struct mount_target *t, int *out, struct werr *e)
{
	if (move_mount(tree_fd, "", t->fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0)
		return werr_sys(e, "move_mount onto %s", t->path);
	/* the tree fd now names the root of the attached mount */
	*out = fcntl(tree_fd, F_DUPFD_CLOEXEC, 3);
	if (*out < 0)
		return werr_sys(e, "dup");
	return 0;
}

static int legacy_bind(int src_dirfd, const char *src_path, const struct mount_target *t,
		       const struct mount_bind_attrs *a, int *out, struct werr *e)
{
	if (a->userns_fd >= 0)
		return werr_set(e, ENOSYS, "idmapped mounts need the new mount API (Linux 5.12)");
	if (legacy_check_proc(e) < 0)
		return -1;
	char dst[PATHFD_PROC_LEN], sp[PATHFD_PROC_LEN];
	_cleanup_free_ char *src = NULL;
	if (!*src_path)
		src = xstrdup(pathfd_proc_path(sp, src_dirfd));
	else if (src_path[0] == '/' || src_dirfd == AT_FDCWD)
		src = xstrdup(src_path);
	else
		src = xasprintf("%s/%s", pathfd_proc_path(sp, src_dirfd), src_path);
	unsigned long ms = MS_BIND | (a->recursive ? MS_REC : 0);
	if (mount(src, pathfd_proc_path(dst, t->fd), NULL, ms, NULL) < 0)
		return werr_sys(e, "bind %s onto %s", *src_path ? src_path : "(fd)", t->path);
	_cleanup_close_ int fd = -1;
	if (legacy_reopen(t, &fd, e) < 0)
		return -1;
	if (a->set || a->clr) {
		if (legacy_remount(fd, a->set, a->clr, e) < 0) {
			if (e->errnum != EPERM || a->clr == a->clr_retry)
				return werr_wrap(e, "%s", t->path);
			if (legacy_remount(fd, a->set, a->clr_retry, e) < 0)
				return werr_wrap(e, "%s", t->path);
		}
	}
	if (a->rec_set || a->rec_clr) {
		if (setattr(fd, AT_RECURSIVE, a->rec_set, a->rec_clr, 0, -1) < 0) {
			if (!setattr_missing(errno) || !a->rec_optional)
				return werr_sys(e, "set recursive mount attributes on %s", t->path);
			log_debug("%s: no mount_setattr, only the top mount changed", t->path);
		}
	}
	*out = take_fd(&fd);
	return 0;
}

int mount_bind(int src_dirfd, const char *src_path, const struct mount_target *t,
	       const struct mount_bind_attrs *a, int *out, struct werr *e)
{
	if (use_new_api()) {
		_cleanup_close_ int tree = -1;
		if (mount_bind_detached(src_dirfd, src_path, a, &tree, e) == 0)
			return mount_attach(tree, t, out, e);
		if (!new_api_refused(e->errnum) || a->userns_fd >= 0)
			return werr_wrap(e, "bind onto %s", t->path);
		log_debug("open_tree refused (%s): using mount(2)", e->msg);
	}
	return legacy_bind(src_dirfd, src_path, t, a, out, e);
}

/* Superblock flags, which fsopen() takes as parameters rather than mount attributes. */
static const struct {
	unsigned long ms;
	const char *name;
} sb_flags[] = {
	{MS_SYNCHRONOUS, "sync"}, {MS_DIRSYNC, "dirsync"}, {MS_LAZYTIME, "lazytime"},
	{MS_MANDLOCK, "mand"},    {MS_SILENT, "silent"},
};

/* Feeds "k=v,flag" data to an fs context, one fsconfig() per option. */
static int fs_configure(int fs, const char *type, const char *data, struct werr *e)
{
	if (!data || !*data)
		return 0;
	const char *p = data;
	for (;;) {
		const char *name, *value;
		size_t namesz, valuesz;
		int r = optstr_next(&p, &name, &namesz, &value, &valuesz);
		if (r == 1)
			return 0;
		if (r < 0)
			return werr_set(e, EINVAL, "%s: cannot parse options \"%s\"", type, data);
		_cleanup_free_ char *nm = strndup(name, namesz);
		_cleanup_free_ char *val = NULL;
		if (value) {
			/* strip one level of quotes: context="a,b" */
			if (valuesz >= 2 && value[0] == '"' && value[valuesz - 1] == '"') {
				value++;
				valuesz -= 2;
			}
			val = strndup(value, valuesz);
		}
		if (!nm || (value && !val))
			abort();
		if (fsconfig(fs, val ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, nm, val, 0) < 0)
			return werr_sys(e, "%s: option %s%s%s", type, nm, val ? "=" : "",
					val ? val : "");
	}
}

static int new_fs_detached(const char *type, const char *source, unsigned long ms_flags,
			   const char *data, int *out, struct werr *e)
{
	_cleanup_close_ int fs = fsopen(type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return werr_sys(e, "fsopen %s", type);
	if (source && *source && fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
		return werr_sys(e, "%s: source %s", type, source);
	for (size_t i = 0; i < ARRAY_SIZE(sb_flags); i++)
		if ((ms_flags & sb_flags[i].ms) &&
		    fsconfig(fs, FSCONFIG_SET_FLAG, sb_flags[i].name, NULL, 0) < 0)
			return werr_sys(e, "%s: option %s", type, sb_flags[i].name);
	if (fs_configure(fs, type, data, e) < 0)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return werr_sys(e, "create %s filesystem", type);
	int m = fsmount(fs, FSMOUNT_CLOEXEC, (unsigned int)mount_ms_to_attr(ms_flags));
	if (m < 0)
		return werr_sys(e, "fsmount %s", type);
	*out = m;
	return 0;
}

int mount_new_fs_detached(const char *type, unsigned long ms_flags, const char *data, int *out,
			  struct werr *e)
{
	if (!use_new_api())
		return werr_set(e, ENOSYS, "the new mount API is switched off");
	return new_fs_detached(type, type, ms_flags, data, out, e);
}

int mount_new_fs(const char *type, const char *source, unsigned long ms_flags, const char *data,
		 const struct mount_target *t, int *out, struct werr *e)
{
	if (ms_flags & (MS_BIND | MS_REC | MS_MOVE | MS_REMOUNT | MOUNT_MS_PROPAGATION))
		return werr_set(e, EINVAL, "%s: flags %#lx do not make a new mount", type,
				ms_flags);
	if (!source || !*source)
		source = type;
	if (use_new_api()) {
		_cleanup_close_ int m = -1;
		if (new_fs_detached(type, source, ms_flags, data, &m, e) == 0)
			return mount_attach(m, t, out, e);
		if (!new_api_refused(e->errnum))
			return werr_wrap(e, "mount %s on %s", type, t->path);
		log_debug("fsopen refused (%s): using mount(2)", e->msg);
	}
	if (legacy_check_proc(e) < 0)
		return -1;
	char dst[PATHFD_PROC_LEN];
	if (mount(source, pathfd_proc_path(dst, t->fd), type, ms_flags, data) < 0)
		return werr_sys(e, "mount %s on %s", type, t->path);
	return legacy_reopen(t, out, e);
}
