/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process_chdir: a cwd that leads outside the process's root (/proc/self/fd/N of a
 * directory fd held from before the chroot: CVE-2024-21626) is refused, also when a
 * seccomp profile refuses getcwd (runtime-tools' linux_seccomp test does: without
 * noNewPrivileges ward loads the profile before the chdir).
 *
 * Each case runs in a child in a private mount namespace, chrooted into a temp dir with a
 * procfs of its own, holding an fd of a directory outside that root. Needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/process_attrs.h"
#include "tap.h"

static char tmp[] = "/tmp/ward-test-chdir-XXXXXX";

/* Child: sets up the chroot, optionally the filter, then tries cwd. Exit codes:
 * 0 chdir accepted, 1 refused as outside the root, 2 refused otherwise, 3 setup failed,
 * 4 the filter did not refuse getcwd. */
static int try_cwd(const char *cwd_fmt, bool block_getcwd)
{
	char path[128], root[128];
	snprintf(root, sizeof(root), "%s/root", tmp);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0)
		return 3;
	snprintf(path, sizeof(path), "%s/proc", root);
	if (mount("proc", path, "proc", 0, NULL) < 0)
		return 3;
	snprintf(path, sizeof(path), "%s/outside", tmp);
	int out = open(path, O_PATH | O_DIRECTORY);
	if (out < 0 || chroot(root) < 0 || chdir("/") < 0)
		return 3;
	if (block_getcwd) {
		scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
		if (!f || seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(getcwd), 0) < 0 ||
		    seccomp_load(f) < 0)
			return 3;
		seccomp_release(f);
		char b[64];
		if (syscall(SYS_getcwd, b, sizeof(b)) >= 0 || errno != EPERM)
			return 4;
	}
	char cwd[64];
	snprintf(cwd, sizeof(cwd), cwd_fmt, out);
	struct werr e;
	werr_clear(&e);
	if (process_chdir(cwd, &e) == 0)
		return 0;
	printf("# %s: %s\n", cwd, e.msg);
	fflush(stdout);
	return strstr(e.msg, "outside the container's root") ? 1 : 2;
}

static int run_case(const char *cwd_fmt, bool block_getcwd)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0)
		_exit(try_cwd(cwd_fmt, block_getcwd));
	int st;
	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 99;
}

int main(void)
{
	char p[128];
	if (!mkdtemp(tmp))
		abort();
	static const char *const dirs[] = {"root", "root/proc", "root/sub", "root/sub/deeper",
					   "outside"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmp, dirs[i]);
		if (mkdir(p, 0755) < 0)
			abort();
	}

	for (int blocked = 0; blocked <= 1; blocked++) {
		const char *how = blocked ? "getcwd refused by seccomp" : "getcwd allowed";
		TAP_OK(run_case("/", blocked) == 0, "%s: cwd / accepted", how);
		TAP_OK(run_case("/sub/deeper", blocked) == 0, "%s: cwd /sub/deeper accepted", how);
		TAP_OK(run_case("/sub/deeper/../..", blocked) == 0, "%s: cwd /sub/deeper/../..",
		       how);
		TAP_OK(run_case("/proc/self/fd/%d", blocked) == 1,
		       "%s: cwd /proc/self/fd/N of a directory outside the root refused", how);
	}

	for (size_t i = sizeof(dirs) / sizeof(dirs[0]); i-- > 0;) {
		snprintf(p, sizeof(p), "%s/%s", tmp, dirs[i]);
		rmdir(p);
	}
	rmdir(tmp);
	return tap_done();
}
