/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The three steps that turn the runtime's child into the configured process
 * (see process_attrs.h for the order and why), and the validation create runs
 * before any process exists.
 */
#include "process_attrs_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int rlimits_validate(const struct oci_rlimit *r, size_t n, struct werr *e)
{
	for (size_t i = 0; i < n; i++) {
		int res = rlimit_from_name(r[i].type);
		if (res < 0)
			return werr_set(e, 0, "process.rlimits[%zu]: unknown rlimit type \"%s\"", i,
					r[i].type ? r[i].type : "");
		if (r[i].soft > r[i].hard)
			return werr_set(
				e, 0,
				"process.rlimits[%zu]: %s soft limit %llu is above its hard "
				"limit %llu",
				i, r[i].type, (unsigned long long)r[i].soft,
				(unsigned long long)r[i].hard);
		for (size_t j = 0; j < i; j++)
			if (rlimit_from_name(r[j].type) == res)
				return werr_set(e, 0, "process.rlimits[%zu]: %s is given twice", i,
						r[i].type);
	}
	return 0;
}

int process_attrs_validate(const struct oci_process *p, const struct oci_personality *pers,
			   int proc_fd, struct werr *e)
{
	cpu_set_t set;
	if (rlimits_validate(p->rlimits, p->n_rlimits, e) < 0)
		return -1;
	if (p->has_oom_score_adj && (p->oom_score_adj < -1000 || p->oom_score_adj > 1000))
		return werr_set(e, 0, "process.oomScoreAdj: %d is outside -1000..1000",
				p->oom_score_adj);
	if (scheduler_validate(&p->scheduler, e) < 0 ||
	    io_priority_validate(&p->io_priority, e) < 0 || personality_validate(pers, e) < 0 ||
	    caps_validate(&p->capabilities, e) < 0)
		return -1;
	if (p->exec_cpu_affinity.present) {
		if (p->exec_cpu_affinity.initial &&
		    cpu_list_parse(p->exec_cpu_affinity.initial, &set, e) < 0)
			return werr_wrap(e, "process.execCPUAffinity.initial");
		if (p->exec_cpu_affinity.final &&
		    cpu_list_parse(p->exec_cpu_affinity.final, &set, e) < 0)
			return werr_wrap(e, "process.execCPUAffinity.final");
	}
	if (p->user.n_additional_gids > NGROUPS_MAX)
		return werr_set(e, 0, "process.user.additionalGids: more than %d groups",
				NGROUPS_MAX);
	if (p->user.has_umask && p->user.umask > 07777)
		return werr_set(e, 0, "process.user.umask: %#o is not a file mode mask",
				p->user.umask);
	return lsm_validate(p, proc_fd, e);
}

int process_apply_early(const struct oci_process *p, const struct oci_personality *pers,
			int proc_fd, struct werr *e)
{
	if (p->has_oom_score_adj && oom_score_adj_apply(proc_fd, p->oom_score_adj, e) < 0)
		return -1;
	if (rlimits_apply(p->rlimits, p->n_rlimits, e) < 0)
		return werr_wrap(e, "process.rlimits");
	if (personality_apply(pers, e) < 0)
		return werr_wrap(e, "linux.personality");
	if (scheduler_apply(&p->scheduler, e) < 0)
		return werr_wrap(e, "process.scheduler");
	if (io_priority_apply(&p->io_priority, e) < 0)
		return werr_wrap(e, "process.ioPriority");
	return 0;
}

int process_apply_confinement(const struct oci_process *p, int proc_fd, struct werr *e)
{
	if (lsm_apply(p, proc_fd, e) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return werr_sys(e, "process.noNewPrivileges: prctl(PR_SET_NO_NEW_PRIVS)");
	return 0;
}

bool process_seccomp_before_identity(const struct oci_process *p)
{
	return !p->no_new_privileges;
}

int process_apply_identity(const struct oci_process *p, int proc_fd, struct werr *e)
{
	/*
	 * Once our capabilities and ids are the container's, the container's own processes
	 * pass the ptrace access checks on us, and we still hold runtime fds (state dir,
	 * cgroup dirs, sockets) until execve: be non-dumpable from here on (CVE-2016-9962).
	 * execve of the container's program makes it dumpable again.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return werr_sys(e, "prctl(PR_SET_DUMPABLE)");
	/* The bounding set needs CAP_SETPCAP, which setuid may take away: drop it first. */
	if (caps_apply_bounding(&p->capabilities, e) < 0)
		return werr_wrap(e, "process.capabilities.bounding");
	/* Keep the permitted set across setuid so capset can still choose from it. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return werr_sys(e, "prctl(PR_SET_KEEPCAPS)");
	if (user_apply(&p->user, proc_fd, e) < 0)
		return werr_wrap(e, "process.user");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return werr_sys(e, "prctl(PR_SET_KEEPCAPS)");
	if (caps_apply_sets(&p->capabilities, e) < 0)
		return werr_wrap(e, "process.capabilities");
	/* runc's default when the config has no umask. */
	umask(p->user.has_umask ? (mode_t)p->user.umask : 022);
	return 0;
}

/* (mount, inode) of fd, or of path relative to it. */
static int mnt_ino(int fd, const char *path, struct statx *st)
{
	return statx(fd, path, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, st);
}

static bool same_node(const struct statx *a, const struct statx *b)
{
	return a->stx_mnt_id == b->stx_mnt_id && a->stx_ino == b->stx_ino;
}

/*
 * getcwd's check without getcwd, which a container's seccomp profile may refuse (it is
 * loaded before the user change when noNewPrivileges is off): climb ".." from the cwd. It
 * stops at our root only if the cwd is below it; from outside it stops at another top.
 */
static int cwd_below_root(const char *cwd, struct werr *e)
{
	struct statx root, cur, up;
	if (mnt_ino(AT_FDCWD, "/", &root) < 0)
		return werr_sys(e, "process.cwd: statx /");
	int fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "process.cwd: open %s", cwd);
	int r = -1;
	for (int depth = 0; depth <= PATH_MAX / 2; depth++) {
		if (mnt_ino(fd, "", &cur) < 0)
			break;
		if (same_node(&cur, &root)) {
			r = 0;
			break;
		}
		int parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0)
			break;
		close(fd);
		fd = parent;
		if (mnt_ino(fd, "", &up) < 0)
			break;
		if (same_node(&up, &cur)) {
			errno = 0;
			break; /* a top that is not our root */
		}
	}
	int saved = errno;
	close(fd);
	if (r < 0 && saved) {
		errno = saved;
		return werr_sys(e, "process.cwd: check where %s leads", cwd);
	}
	if (r < 0)
		return werr_set(e, 0, "process.cwd: %s is outside the container's root", cwd);
	return 0;
}

int process_chdir(const char *cwd, struct werr *e)
{
	if (chdir(cwd) < 0)
		return werr_sys(e, "process.cwd: chdir to %s", cwd);
	/*
	 * A cwd like /proc/self/fd/N can name a directory fd the runtime still holds, outside
	 * the container's root (CVE-2024-21626). The kernel's getcwd marks a cwd that is not
	 * below our root "(unreachable)"; glibc's would hide that as ENOENT.
	 */
	char buf[PATH_MAX];
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0) {
		/* errors getcwd itself never gives: a seccomp profile refused it */
		if (errno != ENOENT && errno != ERANGE && errno != ENAMETOOLONG)
			return cwd_below_root(cwd, e);
		return werr_sys(e, "process.cwd: check where %s leads", cwd);
	}
	if (buf[0] != '/')
		return werr_set(e, 0, "process.cwd: %s is outside the container's root", cwd);
	return 0;
}
