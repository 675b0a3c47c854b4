/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attacks on a policy's file sets, run inside a container (file_policy.bats). Each
 * operation prints one line: "ok" or the errno name, so the test reads what the
 * kernel said rather than a shell's paraphrase.
 *
 *   attack_files openat2 r|w PATH [beneath]   openat2, optionally RESOLVE_BENEATH
 *   attack_files at FD r|w NAME               openat on an inherited directory fd
 *   attack_files race GOOD BAD N              a thread swaps a symlink between GOOD and
 *                                              BAD while the main thread opens it for
 *                                              writing N times; prints "opened=K
 *                                              bad=0|1" (bad=1: a write reached BAD)
 *   attack_files dirrace DIR N                 a thread swaps DIR/x between a real dir
 *                                              and a symlink to /etc while the main
 *                                              thread creates DIR/x/pwned; prints
 *                                              "created=K escaped=0|1"
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

struct open_how_ {
	unsigned long long flags, mode, resolve;
};

static void report(long r)
{
	if (r >= 0) {
		puts("ok");
		close((int)r);
	} else {
		puts(strerrorname_np(errno) ? strerrorname_np(errno) : "E?");
	}
}

static int open_flags(const char *mode)
{
	return strcmp(mode, "w") == 0 ? O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC
				      : O_RDONLY | O_CLOEXEC;
}

static atomic_int stop;

struct swap {
	const char *a, *b; /* exchanged again and again */
};

static void *swapper(void *arg)
{
	struct swap *s = arg;
	while (!atomic_load(&stop))
		syscall(SYS_renameat2, AT_FDCWD, s->a, AT_FDCWD, s->b, RENAME_EXCHANGE);
	return NULL;
}

static size_t file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (size_t)st.st_size : 0;
}

/* link -> GOOD and alt -> BAD, exchanged by a thread; the main thread writes through link. */
static int race(const char *good, const char *bad, long n)
{
	const char *link = "/tmp/race-link", *alt = "/tmp/race-alt";
	unlink(link);
	unlink(alt);
	if (symlink(good, link) < 0 || symlink(bad, alt) < 0) {
		perror("symlink");
		return 2;
	}
	size_t bad0 = file_size(bad);
	struct swap s = {link, alt};
	pthread_t t;
	if (pthread_create(&t, NULL, swapper, &s) != 0)
		return 2;
	long opened = 0;
	for (long i = 0; i < n; i++) {
		int fd = open(link, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			continue;
		opened++;
		if (write(fd, "X", 1) < 0) {
			/* counted by size below */
		}
		close(fd);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("opened=%ld bad=%d\n", opened, file_size(bad) != bad0);
	return 0;
}

/* DIR/x is a directory or (swapped in) a symlink to /etc; create DIR/x/pwned meanwhile. */
static int dirrace(const char *dir, long n)
{
	char x[4096], y[4096], target[4096];
	snprintf(x, sizeof(x), "%s/x", dir);
	snprintf(y, sizeof(y), "%s/y", dir);
	snprintf(target, sizeof(target), "%s/x/pwned", dir);
	if ((mkdir(x, 0777) < 0 && errno != EEXIST) ||
	    (symlink("/etc", y) < 0 && errno != EEXIST)) {
		perror("prepare");
		return 2;
	}
	struct swap s = {x, y};
	pthread_t t;
	if (pthread_create(&t, NULL, swapper, &s) != 0)
		return 2;
	long created = 0;
	int escaped = 0;
	for (long i = 0; i < n; i++) {
		int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			continue;
		created++;
		close(fd);
		/* whichever way the swap went, the file is either ours or in /etc */
		if (access("/etc/pwned", F_OK) == 0) {
			escaped = 1;
			unlink("/etc/pwned");
		}
		unlink(target);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("created=%ld escaped=%d\n", created, escaped);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "openat2") == 0) {
		struct open_how_ how = {.flags = (unsigned long long)open_flags(argv[2])};
		if (how.flags & O_CREAT)
			how.mode = 0644; /* openat2 refuses a mode without O_CREAT */
		if (argc > 4 && strcmp(argv[4], "beneath") == 0)
			how.resolve = 0x08; /* RESOLVE_BENEATH */
		report(syscall(SYS_openat2, AT_FDCWD, argv[3], &how, sizeof(how)));
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "at") == 0) {
		report(openat(atoi(argv[2]), argv[4], open_flags(argv[3]), 0644));
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "race") == 0)
		return race(argv[2], argv[3], atol(argv[4]));
	if (argc == 4 && strcmp(argv[1], "dirrace") == 0)
		return dirrace(argv[2], atol(argv[3]));
	fprintf(stderr, "usage: attack_files openat2 r|w PATH [beneath] | at FD r|w NAME | "
			"race GOOD BAD N | dirrace DIR N\n");
	return 2;
}
