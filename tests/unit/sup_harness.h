/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test harness for the supervisor: a "container" is a forked child that
 * connects to the supervisor, loads the ward filter, hands its listener over
 * (exactly what init and `ward exec` processes will do) and then attacks.
 * Results come back through a shared page. Servers live in the (unfiltered)
 * test process on loopback and count what actually reached them.
 */
#ifndef WARD_SUP_HARNESS_H
#define WARD_SUP_HARNESS_H

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "runtime/supervisor_client.h"
#include "runtime/ward_filter.h"

#define H_MAX_RESULTS 160

struct h_result {
	char name[80];
	long ret;
	int err;
};

struct h_shared {
	atomic_int stage;
	atomic_int flag;
	int n;
	char setup_error[WERR_MSG_MAX];
	long counters[16];
	double values[16];
	struct h_result r[H_MAX_RESULTS];
};

extern struct h_shared *H;

static inline void h_record(const char *name, long ret)
{
	int err = errno;
	if (H->n >= H_MAX_RESULTS)
		return;
	struct h_result *r = &H->r[H->n++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->ret = ret;
	r->err = ret < 0 ? err : 0;
}

static inline const struct h_result *h_find(const char *name)
{
	for (int i = 0; i < H->n; i++)
		if (strcmp(H->r[i].name, name) == 0)
			return &H->r[i];
	return NULL;
}

/* What a container process does before its entrypoint: connect, filter, hand over. */
static inline int h_enter(const char *state_dir, const struct ward_filter *f)
{
	struct werr e;
	werr_clear(&e);
	int sock = supervisor_connect(state_dir, &e);
	if (sock < 0 || supervisor_install_filter(f, sock, getpid(), &e) < 0) {
		snprintf(H->setup_error, sizeof(H->setup_error), "%s", e.msg);
		return -1;
	}
	close(sock);
	return 0;
}

/* Forks a container child running fn; does not wait. */
static inline pid_t h_spawn(const char *state_dir, const struct ward_filter *f, void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (f && h_enter(state_dir, f) < 0)
			_exit(90);
		fn();
		_exit(0);
	}
	return pid;
}

static inline int h_wait(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

static inline double h_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* ---- loopback servers in the test process ---- */

struct h_server {
	int fd;
	int family, type;
	uint16_t port;
	atomic_long hits; /* accepted connections or received datagrams */
	atomic_bool stop;
	pthread_t th;
	bool threaded;
};

static inline int h_server_open(struct h_server *s, int family, int type, int backlog)
{
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->type = type;
	s->fd = socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return -1;
	int one = 1;
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if (bind(s->fd, (struct sockaddr *)&ss, len) < 0)
		return -1;
	if (type == SOCK_STREAM && listen(s->fd, backlog) < 0)
		return -1;
	len = sizeof(ss);
	getsockname(s->fd, (struct sockaddr *)&ss, &len);
	s->port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					  : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return 0;
}

/* Takes whatever is waiting; returns how many arrived in total. */
static inline long h_server_drain(struct h_server *s)
{
	for (;;) {
		if (s->type == SOCK_STREAM) {
			int c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				break;
			close(c);
		} else {
			char buf[2048];
			if (recv(s->fd, buf, sizeof(buf), 0) < 0)
				break;
		}
		atomic_fetch_add(&s->hits, 1);
	}
	return atomic_load(&s->hits);
}

static inline void *h_server_main(void *arg)
{
	struct h_server *s = arg;
	while (!atomic_load(&s->stop)) {
		struct pollfd p = {s->fd, POLLIN, 0};
		if (poll(&p, 1, 50) > 0)
			h_server_drain(s);
	}
	return NULL;
}

static inline void h_server_thread(struct h_server *s)
{
	s->threaded = true;
	pthread_create(&s->th, NULL, h_server_main, s);
}

static inline void h_server_close(struct h_server *s)
{
	if (s->threaded) {
		atomic_store(&s->stop, true);
		pthread_join(s->th, NULL);
		s->threaded = false;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static inline struct sockaddr_in h_sin(uint16_t port)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static inline struct sockaddr_in6 h_sin6(uint16_t port)
{
	struct sockaddr_in6 sin6;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	sin6.sin6_addr = in6addr_loopback;
	return sin6;
}

/* Reads a "Key:   value kB" line of /proc/PID/status (or smaps_rollup); -1 if absent. */
static inline long h_proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], buf[8192];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	size_t kl = strlen(key);
	for (char *l = buf; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, kl) == 0 && l[kl] == ':')
			return strtol(l + kl + 1, NULL, 10);
	return -1;
}

/* Waits (at most `ms`) for a process that is not our child to exit. */
static inline bool h_wait_gone(pid_t pid, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return true;
		/* a zombie still answers kill(); its state says Z */
		char path[64], st[256];
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t n = read(fd, st, sizeof(st) - 1);
			close(fd);
			if (n > 0) {
				st[n] = '\0';
				char *p = strrchr(st, ')');
				if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
					return true;
			}
		}
		usleep(10000);
	}
	return false;
}

/*
 * The supervisor's stderr is /dev/null: in sanitizer builds its reports go to files in
 * `dir` instead (the spawner passes the environment on), checked by h_sanitizer_clean().
 */
/*
 * The supervisor the test starts: the build's own ward-supervisor (build/tests/../, the
 * static musl program that ward runs) when it has been built, else this test binary, whose
 * main routes "__supervise" to supervisor_cli like ward-supervisor's does.
 */
static inline void h_use_test_supervisor(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);
	char *slash = n > 0 ? memrchr(path, '/', (size_t)n) : NULL;
	if (slash) {
		snprintf(slash, sizeof(path) - (size_t)(slash - path), "/../ward-supervisor");
		if (access(path, X_OK) == 0) {
			printf("# supervisor: %s\n", path);
			supervisor_set_binary(path);
			return;
		}
	}
	printf("# supervisor: this test binary\n");
	supervisor_set_binary("/proc/self/exe");
}

static inline void h_sanitizer_logs(const char *dir)
{
	char v[256];
	snprintf(v, sizeof(v), "log_path=%s/asan", dir);
	setenv("ASAN_OPTIONS", v, 1);
	snprintf(v, sizeof(v), "log_path=%s/ubsan:print_stacktrace=1", dir);
	setenv("UBSAN_OPTIONS", v, 1);
}

/* Returns the number of sanitizer reports left in dir (printing their first lines). */
static inline int h_sanitizer_reports(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "asan.", 5) && strncmp(de->d_name, "ubsan.", 6))
			continue;
		n++;
		char path[512], buf[2048];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t k = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;
		if (fd >= 0)
			close(fd);
		buf[k > 0 ? k : 0] = '\0';
		for (char *l = strtok(buf, "\n"); l; l = strtok(NULL, "\n"))
			printf("#   %s: %s\n", de->d_name, l);
	}
	closedir(d);
	return n;
}

#endif
