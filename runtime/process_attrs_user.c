/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.user: supplementary groups, gid and uid, in the order the kernel
 * needs (groups and gid while the process may still change them), with the
 * stdio fds handed to the new uid first so the process can reopen them
 * (/dev/stdout) after dropping root.  username is never resolved here: the
 * engine has already turned it into numbers.
 */
#include "process_attrs_internal.h"

#include <grp.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../common/log.h"

_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "additionalGids are passed as gid_t");

/*
 * Like runc's fixStdioPermissions, but only for pipes, sockets and terminals:
 * a regular file or directory given as stdio lives on the host, and the
 * runtime has no business changing its owner. /dev/null is left alone.
 */
static int fix_stdio_owner(uid_t uid, struct werr *e)
{
	for (int fd = 0; fd <= 2; fd++) {
		struct stat st;
		if (fstat(fd, &st) < 0) {
			if (errno == EBADF)
				continue;
			return werr_sys(e, "fstat stdio fd %d", fd);
		}
		if (st.st_uid == uid)
			continue;
		if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
			continue;
		if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISCHR(st.st_mode))
			continue;
		if (fchown(fd, uid, (gid_t)-1) < 0) {
			/* Unmapped owner, read-only /dev: leave stdio as it is, like runc. */
			if (errno == EINVAL || errno == EPERM || errno == EROFS)
				continue;
			return werr_sys(e, "chown stdio fd %d to uid %u", fd, (unsigned)uid);
		}
	}
	return 0;
}

/* In a user namespace whose gid_map was written without privilege, setgroups is denied. */
static bool setgroups_denied(int proc_fd)
{
	char buf[16];
	if (procfs_read(proc_fd, "self/setgroups", buf, sizeof(buf)) < 0)
		return false;
	return strncmp(buf, "deny", 4) == 0;
}

int user_apply(const struct oci_user *u, int proc_fd, struct werr *e)
{
	if (fix_stdio_owner(u->uid, e) < 0)
		return -1;

	if (u->n_additional_gids > NGROUPS_MAX)
		return werr_set(e, 0, "process.user.additionalGids: more than %d groups",
				NGROUPS_MAX);
	/*
	 * Try first, look at /proc only when refused: the usual path then makes no
	 * file system calls, which matters when a seccomp filter is already loaded.
	 */
	gid_t *gids = u->n_additional_gids ? (gid_t *)u->additional_gids : NULL;
	if (setgroups(u->n_additional_gids, gids) < 0) {
		if (errno != EPERM || !setgroups_denied(proc_fd))
			return werr_sys(e, "setgroups(process.user.additionalGids)");
		if (u->n_additional_gids > 0)
			log_warn("process.user.additionalGids ignored: setgroups is denied in "
				 "this user namespace");
	}

	if (setresgid(u->gid, u->gid, u->gid) < 0) {
		if (errno == EINVAL)
			return werr_set(e, EINVAL,
					"setgid %u: the gid is not mapped in the container's user "
					"namespace",
					u->gid);
		return werr_sys(e, "setgid %u", u->gid);
	}
	if (setresuid(u->uid, u->uid, u->uid) < 0) {
		if (errno == EINVAL)
			return werr_set(e, EINVAL,
					"setuid %u: the uid is not mapped in the container's user "
					"namespace",
					u->uid);
		return werr_sys(e, "setuid %u", u->uid);
	}
	return 0;
}
