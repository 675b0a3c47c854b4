/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vproc_probe: looks at the virtual /proc files from inside a container (static,
 * for busybox bundles). One `key=value` line per result.
 *
 *   vproc_probe open PATH [cloexec]   the fd's close-on-exec flag, access mode, whether a
 *                                     write fails and how, the first line
 *   vproc_probe affinity              sched_getaffinity(0): the CPU count and the kernel's
 *                                     byte count
 *   vproc_probe race N                one thread flips a path between /proc/meminfo and
 *                                     /proc/meminfX while the main thread opens it N times:
 *                                     counts of virtual, host and ENOENT answers, and
 *                                     anything else
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int first_line(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int do_open(const char *path, int cloexec)
{
	int fd = open(path, O_RDONLY | (cloexec ? O_CLOEXEC : 0));
	if (fd < 0) {
		printf("open=%s\n", strerror(errno));
		return 1;
	}
	int fdfl = fcntl(fd, F_GETFD), fl = fcntl(fd, F_GETFL);
	printf("cloexec=%d\n", (fdfl & FD_CLOEXEC) ? 1 : 0);
	printf("accmode=%d\n", fl & O_ACCMODE);
	printf("offset=%lld\n", (long long)lseek(fd, 0, SEEK_CUR));
	ssize_t w = write(fd, "x", 1);
	printf("write=%s\n", w < 0 ? strerror(errno) : "ok");
	char line[256];
	if (first_line(fd, line, sizeof(line)) == 0)
		printf("line=%s\n", line);
	return 0;
}

static int do_affinity(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	long r = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
	printf("affinity_ret=%ld\n", r);
	printf("affinity_cpus=%d\n", CPU_COUNT(&set));
	return 0;
}

static char race_path[32] = "/proc/meminfo";
static atomic_int race_stop;

static void *flipper(void *arg)
{
	(void)arg;
	while (!atomic_load(&race_stop)) {
		race_path[12] = 'X';
		race_path[12] = 'o';
	}
	return NULL;
}

static int do_race(int n)
{
	pthread_t th;
	int virt = 0, host = 0, enoent = 0, other = 0;
	if (pthread_create(&th, NULL, flipper, NULL) != 0)
		return 1;
	for (int i = 0; i < n; i++) {
		int fd = open(race_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				enoent++;
			else
				other++;
			continue;
		}
		char line[256];
		if (first_line(fd, line, sizeof(line)) < 0)
			other++;
		else if (strstr(line, "MemTotal:") && strtoull(line + 9, NULL, 10) == 262144)
			virt++;
		else if (strstr(line, "MemTotal:"))
			host++;
		else
			other++;
		close(fd);
	}
	atomic_store(&race_stop, 1);
	pthread_join(th, NULL);
	printf("race_virtual=%d\nrace_host=%d\nrace_enoent=%d\nrace_other=%d\n", virt, host, enoent,
	       other);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "open") == 0)
		return do_open(argv[2], argc > 3 && strcmp(argv[3], "cloexec") == 0);
	if (argc == 2 && strcmp(argv[1], "affinity") == 0)
		return do_affinity();
	if (argc == 3 && strcmp(argv[1], "race") == 0)
		return do_race(atoi(argv[2]));
	fprintf(stderr, "usage: vproc_probe open PATH [cloexec] | affinity | race N\n");
	return 2;
}
