/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exe_seal: which commands re-execute, and that the re-executed binary cannot be opened
 * for writing through /proc/self/exe (read-only bind mount, or sealed memfd). This test
 * binary re-executes itself: run as root (the bind mount needs CAP_SYS_ADMIN; without it
 * the memfd is what gets checked).
 *
 *   test_exe_seal                  the tests
 *   test_exe_seal child            (internal) seal, then report sealed=, write_errno=
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/console.h"
#include "../../runtime/exe_seal.h"
#include "tap.h"

static int child(char **argv)
{
	struct werr e;
	werr_clear(&e);
	if (exe_seal_reexec(argv, &e) < 0) {
		printf("error=%s\n", e.msg);
		return 1;
	}
	printf("sealed=%d\n", exe_is_sealed());
	printf("mark=%s\n", getenv("_WARD_EXE_SEALED") ? "left" : "gone");
	int fd = open("/proc/self/exe", O_WRONLY | O_CLOEXEC);
	printf("write_errno=%s\n", fd < 0 ? strerrorname_np(errno) : "none");
	if (fd >= 0) {
		ssize_t n = write(fd, "", 0);
		printf("write0=%zd\n", n);
		close(fd);
	}
	/* reopening through an fd of the exe, the CVE-2019-5736 way */
	int p = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p);
	int w = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	int err = errno;
	if (w >= 0 && write(w, "x", 1) < 0)
		err = errno;
	else if (w >= 0)
		err = 0;
	printf("reopen_write=%s\n", err ? strerrorname_np(err) : "written");
	/* hand an fd of our exe to the parent, which tries again once we are gone */
	struct werr se;
	if (fcntl(3, F_GETFD) >= 0 && send_fd(3, "exe", p, &se) < 0)
		printf("send_error=%s\n", se.msg);
	return 0;
}

/*
 * Runs a private copy of this binary as `child` (so that nothing else executes the inode
 * once the child is gone) with env_extra added; returns its output (heap) and, in
 * *exe_fd, the fd of its /proc/self/exe it sent back (-1 if none).
 */
static char *run_child(const char *env_extra, int *exe_fd)
{
	*exe_fd = -1;
	char copy[] = "/tmp/test_exe_seal.XXXXXX";
	int out = mkstemp(copy);
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (out < 0 || in < 0)
		return NULL;
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return NULL;
	close(in);
	fchmod(out, 0755);
	close(out);

	int pfd[2], sv[2];
	if (pipe(pfd) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		close(sv[0]);
		/* stdout to the pipe, the socket at fd 3 (either may sit at 3 already) */
		int o = fcntl(pfd[1], F_DUPFD, 10), so = fcntl(sv[1], F_DUPFD, 10);
		dup2(o, 1);
		dup2(so, 3);
		close(o);
		close(so);
		if (pfd[1] != 1 && pfd[1] != 3)
			close(pfd[1]);
		if (sv[1] != 1 && sv[1] != 3)
			close(sv[1]);
		if (env_extra)
			putenv((char *)env_extra);
		char *argv[] = {"test_exe_seal", "child", NULL};
		execv(copy, argv);
		_exit(127);
	}
	close(pfd[1]);
	close(sv[1]);
	static char text[4096];
	size_t got = 0;
	while ((n = read(pfd[0], text + got, sizeof(text) - 1 - got)) > 0)
		got += (size_t)n;
	text[got] = '\0';
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	struct werr e;
	if (recv_fd(sv[0], exe_fd, &e) < 0) {
		printf("# no fd from the child: %s\n", e.msg);
		*exe_fd = -1;
	}
	close(sv[0]);
	unlink(copy);
	return strdup(text);
}

/* With nobody executing it any more: reopen for writing and write one byte. */
static const char *write_after_exit(int fd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	int w = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (w < 0)
		return strerrorname_np(errno);
	ssize_t n = write(w, "x", 1);
	int err = errno;
	close(w);
	return n < 0 ? strerrorname_np(err) : "written";
}

static const char *value(const char *out, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);
	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, kl) == 0 && l[kl] == '=') {
			size_t n = strcspn(l + kl + 1, "\n");
			if (n >= len)
				n = len - 1;
			memcpy(buf, l + kl + 1, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return "";
}

static void test_wanted(void)
{
	char *create[] = {"ward", "--root", "/r", "create", "-b", "b", "id", NULL};
	char *run[] = {"ward", "run", "x", NULL};
	char *exec[] = {"ward", "exec", "x", "sh", NULL};
	char *state[] = {"ward", "state", "x", NULL};
	char *list[] = {"ward", "--root", "/run", "list", NULL};
	TAP_OK(exe_seal_wanted(7, create), "create re-executes sealed");
	TAP_OK(exe_seal_wanted(3, run), "run re-executes sealed");
	TAP_OK(exe_seal_wanted(4, exec), "exec re-executes sealed");
	TAP_OK(!exe_seal_wanted(3, state), "state does not");
	TAP_OK(!exe_seal_wanted(4, list), "list does not (\"/run\" is a value, not the command)");
}

static void test_sealed(const char *mode, const char *env, const char *want)
{
	char b1[256];
	int fd;
	char *out = run_child(env, &fd);
	TAP_OK(out && strstr(out, "sealed=1"), "%s: re-executed from a sealed copy (%s)", mode,
	       out ? value(out, "error", b1, sizeof(b1)) : "no output");
	TAP_STREQ(value(out, "mark", b1, sizeof(b1)), "gone", "%s: the re-exec mark is removed",
		  mode);
	const char *rw = value(out, "reopen_write", b1, sizeof(b1));
	TAP_OK(strcmp(rw, "written") != 0 && *rw, "%s: not writable while it runs (%s)", mode, rw);
	TAP_OK(fd >= 0, "%s: the child sent an fd of its exe", mode);
	TAP_STREQ(fd >= 0 ? write_after_exit(fd) : "no fd", want,
		  "%s: once it exited, its exe still cannot be written through that fd", mode);
	if (fd >= 0)
		close(fd);
	free(out);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child(argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_wanted();
	struct werr e;
	werr_clear(&e);
	TAP_OK(!exe_is_sealed() || geteuid() != 0,
	       "the test binary itself is not sealed (it is on a writable file system)");
	if (geteuid() == 0)
		test_sealed("read-only bind", NULL, "EROFS");
	/* the memfd: open for writing works, every write is refused by the seal */
	test_sealed("memfd", "WARD_EXE_SEAL=memfd", "EPERM");
	/* a second pass that finds the binary unsealed is an error, never another exec */
	setenv("_WARD_EXE_SEALED", "1", 1);
	char *self[] = {argv[0], "child", NULL};
	int r = exe_seal_reexec(self, &e);
	unsetenv("_WARD_EXE_SEALED");
	TAP_OK(r < 0 && strstr(e.msg, "still writable"),
	       "an unsealed binary after the re-exec is refused (%s)", e.msg);
	return tap_done();
}
