/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/probe: the static program bench/run starts inside every runtime's
 * container (and on the host, for the native baseline). It measures from the
 * inside what only the inside can see: the cost of single system calls and the
 * duration of small workloads, free of the runtime's start-up time.
 *
 *   probe syscalls BATCHES   per-call cost in ns, one `name=ns` line per call:
 *                            getppid (never mediated), openat+close of
 *                            /etc/passwd, connect to a listener on 127.0.0.1
 *                            in this network namespace, read of /proc/meminfo
 *   probe connect BATCHES    only the connect line (for the policy-size runs)
 *   probe floor BATCHES      the seccomp floor, on the host: getppid as it is
 *                            (getppid_nofilter=), then again in the same
 *                            process after installing a one-instruction
 *                            SECCOMP_RET_ALLOW filter (getppid_floor=)
 *   probe netloop N          N loopback request/reply exchanges with a forked
 *                            server: connect, write 64 bytes, read the reply
 *   probe time CMD ARGS...   runs CMD, prints its wall time as elapsed_ns=
 *   probe rusage CMD ARGS... runs CMD, prints maxrss_kib= (its peak RSS, from
 *                            wait4; a small static parent keeps the pre-exec
 *                            image, which ru_maxrss counts, small) and
 *                            elapsed_ns=; exits with CMD's status
 *   probe nop                exits at once (the process-heavy loop's child)
 *
 * Each call is timed in BATCHES batches of about 20 ms each; the line gives
 * the median of the batch means, so one descheduled batch does not move the
 * result. Loopback is
 * brought up first when it is down (the bench bundle grants CAP_NET_ADMIN for
 * that; runsc's sandbox has it up already).
 *
 * Static (busybox images have no dynamic loader), libc only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_BATCHES 100

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "probe: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Brings lo up in this network namespace when it is down; silent when it cannot. */
static void lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			fprintf(stderr, "probe: cannot bring lo up: %s\n", strerror(errno));
	}
	close(s);
}

/* A TCP listener on 127.0.0.1, any port; *sa gets its address. */
static int listener(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (l < 0)
		die("socket");
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l, (struct sockaddr *)sa, sizeof(*sa)) < 0)
		die("bind 127.0.0.1");
	if (listen(l, 128) < 0)
		die("listen");
	if (getsockname(l, (struct sockaddr *)sa, &len) < 0)
		die("getsockname");
	return l;
}

/* Closes with a reset: no TIME_WAIT left behind, so thousands of runs cannot exhaust ports. */
static void close_reset(int fd)
{
	struct linger lg = {.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* ---------- per-call costs ---------- */

typedef uint64_t (*op_fn)(long iters, void *arg);

static uint64_t op_getppid(long iters, void *arg)
{
	uint64_t t0 = now_ns();

	(void)arg;
	for (long i = 0; i < iters; i++)
		syscall(SYS_getppid); /* glibc does not cache it, but be explicit */
	return now_ns() - t0;
}

static uint64_t op_openat(long iters, void *arg)
{
	uint64_t t0 = now_ns();

	(void)arg;
	for (long i = 0; i < iters; i++) {
		int fd = openat(AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die("open /etc/passwd");
		close(fd);
	}
	return now_ns() - t0;
}

static uint64_t op_meminfo(long iters, void *arg)
{
	char buf[8192];
	uint64_t t0 = now_ns();

	(void)arg;
	for (long i = 0; i < iters; i++) {
		int fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die("open /proc/meminfo");
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	return now_ns() - t0;
}

/* Only the connect call is timed; socket, accept and close are not. */
static uint64_t op_connect(long iters, void *arg)
{
	int l = *(int *)arg;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	uint64_t total = 0;

	if (getsockname(l, (struct sockaddr *)&sa, &len) < 0)
		die("getsockname");
	for (long i = 0; i < iters; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		uint64_t t0;
		int a;

		if (c < 0)
			die("socket");
		t0 = now_ns();
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("connect 127.0.0.1");
		total += now_ns() - t0;
		a = accept4(l, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0)
			die("accept");
		close_reset(c);
		close(a);
	}
	return total;
}

/*
 * Prints name=ns per call: the median over batches of the batch mean. The
 * batch size is calibrated so that one batch takes about BATCH_NS whatever the
 * runtime (a call costs 50x more under runsc than on the host), between
 * min_iters and max_iters calls; the calibration doubles as the warm-up.
 */
#define BATCH_NS 20000000ull

static void measure(const char *name, op_fn fn, void *arg, long min_iters, long max_iters,
		    int batches)
{
	double per[MAX_BATCHES];
	long iters = min_iters;

	for (;;) {
		uint64_t t = fn(iters, arg);

		if (t >= BATCH_NS || iters >= max_iters)
			break;
		iters = t > 0 && (uint64_t)iters * BATCH_NS / t < (uint64_t)iters * 2
				? (long)((uint64_t)iters * BATCH_NS / t) + 1
				: iters * 2;
		if (iters > max_iters)
			iters = max_iters;
	}
	for (int b = 0; b < batches; b++)
		per[b] = (double)fn(iters, arg) / (double)iters;
	printf("%s=%.1f\n", name, median(per, batches));
	printf("%s_iters=%ld\n", name, iters);
	fflush(stdout);
}

/* One calibration for every getppid line, so that the floor and the rows compare alike. */
static void measure_getppid(const char *name, int batches)
{
	measure(name, op_getppid, NULL, 1000, 1000000, batches);
}

static int cmd_syscalls(int batches, int only_connect)
{
	struct sockaddr_in sa;
	int l;

	lo_up();
	l = listener(&sa);
	if (!only_connect) {
		measure_getppid("getppid", batches);
		measure("openat", op_openat, NULL, 100, 100000, batches);
	}
	measure("connect", op_connect, &l, 50, 2000, batches);
	if (!only_connect)
		measure("meminfo", op_meminfo, NULL, 20, 20000, batches);
	close(l);
	return 0;
}

/*
 * The seccomp floor: what any filter costs an unmediated call. The filter is
 * the cheapest there is (one instruction, allow everything; the kernel caches
 * its verdict), so what getppid gains here is the kernel's fixed price for a
 * task with seccomp work (the syscall entry's slow path), the least that
 * ward's filter, or any other, can cost. Both lines come from one process, one
 * after the other; a filter cannot be removed, so the unfiltered one is first.
 */
static void install_allow_all_filter(void)
{
	struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {.len = 1, .filter = allow};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("prctl PR_SET_NO_NEW_PRIVS");
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		die("seccomp SECCOMP_SET_MODE_FILTER");
}

static int cmd_floor(int batches)
{
	measure_getppid("getppid_nofilter", batches);
	install_allow_all_filter();
	measure_getppid("getppid_floor", batches);
	return 0;
}

/* ---------- loopback request loop ---------- */

static int read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void serve(int l)
{
	char req[64], reply[512];

	memset(reply, 'r', sizeof(reply));
	for (;;) {
		int a = accept4(l, NULL, NULL, SOCK_CLOEXEC);

		if (a < 0)
			_exit(errno == EINTR ? 0 : 1);
		if (read_full(a, req, sizeof(req)) == 0)
			(void)!write(a, reply, sizeof(reply));
		close(a);
	}
}

static int cmd_netloop(long n)
{
	struct sockaddr_in sa;
	char req[64], reply[512];
	uint64_t t0;
	pid_t srv;
	int l;

	lo_up();
	l = listener(&sa);
	srv = fork();
	if (srv < 0)
		die("fork");
	if (srv == 0)
		serve(l);
	close(l);
	memset(req, 'q', sizeof(req));
	t0 = now_ns();
	for (long i = 0; i < n; i++) {
		int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (c < 0)
			die("socket");
		if (connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("connect");
		if (write(c, req, sizeof(req)) != (ssize_t)sizeof(req))
			die("write");
		if (read_full(c, reply, sizeof(reply)) < 0)
			die("read reply");
		close_reset(c);
	}
	printf("elapsed_ns=%llu\n", (unsigned long long)(now_ns() - t0));
	kill(srv, SIGKILL);
	waitpid(srv, NULL, 0);
	return 0;
}

/* ---------- wall time of a command ---------- */

/* Forks and execs argv (a path, no PATH search); the child exits 127 when exec fails. */
static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv(argv[0], argv);
		fprintf(stderr, "probe: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	return pid;
}

static int cmd_time(char **argv)
{
	uint64_t t0 = now_ns(), dt;
	int status;
	pid_t pid = spawn(argv);

	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	dt = now_ns() - t0;
	printf("elapsed_ns=%llu\n", (unsigned long long)dt);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "probe: %s failed (status 0x%x)\n", argv[0], status);
		return 1;
	}
	return 0;
}

static int cmd_rusage(char **argv)
{
	struct rusage ru;
	uint64_t t0 = now_ns(), dt;
	int status;
	pid_t pid = spawn(argv);

	if (wait4(pid, &status, 0, &ru) < 0)
		die("wait4");
	dt = now_ns() - t0;
	printf("maxrss_kib=%ld\nelapsed_ns=%llu\n", ru.ru_maxrss, (unsigned long long)dt);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void usage(void)
{
	fprintf(stderr, "usage: probe syscalls|connect|floor BATCHES | netloop N | time|rusage CMD "
			"[ARG...] | nop\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long n;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "nop") == 0)
		return 0;
	if (strcmp(argv[1], "time") == 0) {
		if (argc < 3)
			usage();
		return cmd_time(argv + 2);
	}
	if (strcmp(argv[1], "rusage") == 0) {
		if (argc < 3)
			usage();
		return cmd_rusage(argv + 2);
	}
	if (argc != 3)
		usage();
	n = strtol(argv[2], NULL, 10);
	if (strcmp(argv[1], "netloop") == 0 && n > 0)
		return cmd_netloop(n);
	if (n < 1 || n > MAX_BATCHES)
		usage();
	if (strcmp(argv[1], "syscalls") == 0)
		return cmd_syscalls((int)n, 0);
	if (strcmp(argv[1], "connect") == 0)
		return cmd_syscalls((int)n, 1);
	if (strcmp(argv[1], "floor") == 0)
		return cmd_floor((int)n);
	usage();
	return 2;
}
