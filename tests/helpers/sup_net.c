/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sup_net: the attacker and the witness of the supervisor tests
 * (tests/integration/supervisor*.bats). Static, so it runs in a busybox
 * rootfs; inside a container it is the attacker, outside (entered into the
 * container's network namespace with nsenter) it is the server that counts
 * what really arrived.
 *
 *   sup_net OP ARGS... [+ OP ARGS...]...    several operations in one process
 *
 * Client operations print one line "OP PROTO ADDR PORT: RESULT", RESULT being
 * "ok" or the errno's name (EACCES, ENOSYS, ...):
 *   connect  tcp|udp ADDR PORT   connect (then send one byte with send(2))
 *   sendto   tcp|udp ADDR PORT   udp: sendto with the address; tcp: sendto
 *                                with MSG_FASTOPEN (a connect by another name)
 *   sendmsg  udp ADDR PORT       sendmsg with msg_name
 *   sendmmsg udp ADDR PORT       sendmmsg of two datagrams with msg_name
 *   connect-from PROTO SRC ADDR PORT, sendto-from PROTO SRC ADDR PORT
 *                                the same after binding the socket to SRC:0
 *   unix-connect PATH            a unix stream socket connects to PATH, sends a byte
 *   unix-connect-fd PATH         the same through /proc/self/fd/N of PATH opened O_PATH
 *   race MODE GOOD BAD PORT N    TOCTOU attack: a thread rewrites the sockaddr
 *                                between GOOD and BAD while this thread makes N
 *                                calls with it (MODE: connect-tcp, connect-udp,
 *                                sendto-udp, sendmsg-udp, sendmmsg-udp);
 *                                prints ok= denied= other=
 * Process operations print "NAME: RESULT" the same way:
 *   unshare-user  clone-user  clone3-user  unshare-mount  fork  pthread
 *   spawn PATH (posix_spawn)  execve PATH  fexecve PATH (execveat, then execve)
 *   own-filter allow|log|trace|notify   load a seccomp filter of our own that
 *                                returns that action for connect (notify: with a
 *                                listener of our own), everything else allowed
 * Other:
 *   waitfile PATH                wait (at most 120 s) until PATH exists
 *   pid                          "pid: N" (as this process sees itself)
 *   sleep SECONDS
 *   serve tcp|udp ADDR PORT LOG  bind ADDR:PORT and append one line to LOG per
 *                                accepted connection or datagram; LOG.ready
 *                                appears once bound; on SIGTERM the queue is
 *                                drained before exit. Runs until killed.
 *   serve unix PATH 0 LOG        the same for a unix stream socket at PATH (mode 0777)
 *   serve-stuck tcp ADDR PORT LOG  listen with the smallest backlog and never
 *                                accept: once one connection waits, SYNs are dropped
 *                                and a blocking connect hangs
 *
 * Exit status 0 unless an argument is bad (2).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

extern char **environ;

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E?";
}

static __attribute__((noreturn)) void usage(const char *why)
{
	fprintf(stderr, "sup_net: %s (see the comment at the top of sup_net.c)\n", why);
	exit(2);
}

static int parse_port(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 65535)
		usage("bad port");
	return (int)v;
}

static socklen_t make_addr(const char *addr, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, addr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return sizeof(*in);
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		return sizeof(*in6);
	}
	usage("bad address");
}

static int sock_type(const char *proto)
{
	if (strcmp(proto, "tcp") == 0)
		return SOCK_STREAM;
	if (strcmp(proto, "udp") == 0)
		return SOCK_DGRAM;
	usage("protocol must be tcp or udp");
}

static void report(const char *what, int err)
{
	printf("%s: %s\n", what, err ? ename(err) : "ok");
	fflush(stdout);
}

/* ---------- client operations ---------- */

/* Returns 0 or the errno of the first failing step. src: bind there first (port 0). */
static int do_net(const char *op, const char *proto, const char *src, const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(addr, port, &ss);
	int type = sock_type(proto);
	int s = socket(ss.ss_family, type | SOCK_CLOEXEC, 0);
	if (s < 0)
		return errno;
	int err = 0;
	if (src) {
		struct sockaddr_storage from;
		socklen_t flen = make_addr(src, 0, &from);
		if (bind(s, (struct sockaddr *)&from, flen) < 0) {
			err = errno;
			close(s);
			return err;
		}
	}
	if (strcmp(op, "connect") == 0) {
		if (connect(s, (struct sockaddr *)&ss, len) < 0 || send(s, "c", 1, 0) != 1)
			err = errno;
	} else if (strcmp(op, "sendto") == 0) {
		int flags = type == SOCK_STREAM ? MSG_FASTOPEN : 0;
		if (sendto(s, "t", 1, flags, (struct sockaddr *)&ss, len) != 1)
			err = errno;
	} else if (strcmp(op, "sendmsg") == 0) {
		struct iovec iov = {.iov_base = "m", .iov_len = 1};
		struct msghdr mh = {
			.msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
		if (sendmsg(s, &mh, 0) != 1)
			err = errno;
	} else if (strcmp(op, "sendmmsg") == 0) {
		struct iovec iov = {.iov_base = "M", .iov_len = 1};
		struct mmsghdr mm[2];
		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < 2; i++) {
			mm[i].msg_hdr.msg_name = &ss;
			mm[i].msg_hdr.msg_namelen = len;
			mm[i].msg_hdr.msg_iov = &iov;
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int n = sendmmsg(s, mm, 2, 0);
		if (n < 0)
			err = errno;
		else if (n != 2)
			err = EMSGSIZE; /* a short count: report it as a failure */
	} else {
		usage("unknown network operation");
	}
	/* tcp: a reset, so that many attempts leave no TIME_WAIT behind */
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s);
	return err;
}

static int do_unix(const char *path, bool via_fd)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int pfd = -1;
	if (via_fd) {
		pfd = open(path, O_PATH | O_CLOEXEC);
		if (pfd < 0)
			return errno;
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pfd);
	} else {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	}
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = 0;
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(s, "u", 1, MSG_NOSIGNAL) != 1)
		err = errno;
	if (s >= 0)
		close(s);
	if (pfd >= 0)
		close(pfd);
	return err;
}

/* ---------- the TOCTOU race ---------- */

struct race {
	struct sockaddr_storage ss; /* the one buffer both threads use */
	struct sockaddr_storage good, bad;
	atomic_bool stop;
	unsigned long flips;
};

static void *flipper(void *arg)
{
	struct race *r = arg;
	/* rewrite the address bytes only (family and port never change) */
	if (r->ss.ss_family == AF_INET) {
		volatile uint32_t *a =
			(volatile uint32_t *)&((struct sockaddr_in *)&r->ss)->sin_addr;
		uint32_t g = ((struct sockaddr_in *)&r->good)->sin_addr.s_addr;
		uint32_t b = ((struct sockaddr_in *)&r->bad)->sin_addr.s_addr;
		while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
			*a = b;
			*a = g;
			r->flips++;
		}
	} else {
		volatile unsigned char *a = ((struct sockaddr_in6 *)&r->ss)->sin6_addr.s6_addr;
		const unsigned char *g = ((struct sockaddr_in6 *)&r->good)->sin6_addr.s6_addr;
		const unsigned char *b = ((struct sockaddr_in6 *)&r->bad)->sin6_addr.s6_addr;
		while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
			for (int i = 0; i < 16; i++)
				a[i] = b[i];
			for (int i = 0; i < 16; i++)
				a[i] = g[i];
			r->flips++;
		}
	}
	return NULL;
}

static int do_race(const char *mode, const char *good, const char *bad, int port, long n)
{
	static struct race r;
	socklen_t len = make_addr(good, port, &r.good);
	if (make_addr(bad, port, &r.bad) != len)
		usage("race: both addresses must be of one family");
	r.ss = r.good;
	int type, op;
	if (strcmp(mode, "connect-tcp") == 0) {
		type = SOCK_STREAM;
		op = 0;
	} else if (strcmp(mode, "connect-udp") == 0) {
		type = SOCK_DGRAM;
		op = 0;
	} else if (strcmp(mode, "sendto-udp") == 0) {
		type = SOCK_DGRAM;
		op = 1;
	} else if (strcmp(mode, "sendmsg-udp") == 0) {
		type = SOCK_DGRAM;
		op = 2;
	} else if (strcmp(mode, "sendmmsg-udp") == 0) {
		type = SOCK_DGRAM;
		op = 3;
	} else {
		usage("race: mode is connect-tcp, connect-udp, sendto-udp, sendmsg-udp or "
		      "sendmmsg-udp");
	}
	struct iovec iov = {.iov_base = "r", .iov_len = 1};
	struct mmsghdr mm;
	memset(&mm, 0, sizeof(mm));
	mm.msg_hdr.msg_name = &r.ss;
	mm.msg_hdr.msg_namelen = len;
	mm.msg_hdr.msg_iov = &iov;
	mm.msg_hdr.msg_iovlen = 1;
	pthread_t th;
	if (pthread_create(&th, NULL, flipper, &r) != 0)
		usage("race: pthread_create failed");
	long ok = 0, denied = 0, other = 0;
	int other_err = 0;
	struct linger lg = {.l_onoff = 1, .l_linger = 0};
	for (long i = 0; i < n; i++) {
		int s = socket(r.good.ss_family, type | SOCK_CLOEXEC, 0);
		if (s < 0) {
			other++;
			other_err = errno;
			continue;
		}
		int rc;
		if (op == 0) {
			rc = connect(s, (struct sockaddr *)&r.ss, len);
			/* what a successful connect reached gets a byte: the witness counts it */
			if (rc == 0 && send(s, "r", 1, 0) != 1)
				rc = -1;
		} else if (op == 1) {
			rc = sendto(s, "r", 1, 0, (struct sockaddr *)&r.ss, len) == 1 ? 0 : -1;
		} else if (op == 2) {
			rc = sendmsg(s, &mm.msg_hdr, 0) == 1 ? 0 : -1;
		} else {
			rc = sendmmsg(s, &mm, 1, 0) == 1 ? 0 : -1;
		}
		if (rc == 0)
			ok++;
		else if (errno == EACCES)
			denied++;
		else {
			other++;
			other_err = errno;
		}
		if (type == SOCK_STREAM)
			setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	printf("race %s %s/%s %d: attempts=%ld ok=%ld denied=%ld other=%ld other_errno=%s "
	       "flips=%lu\n",
	       mode, good, bad, port, n, ok, denied, other, other ? ename(other_err) : "-",
	       r.flips);
	fflush(stdout);
	return 0;
}

/* ---------- process operations ---------- */

static int child_exit(void *arg)
{
	(void)arg;
	_exit(0);
}

static int reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, __WALL) < 0)
		if (errno != EINTR)
			return errno;
	return 0;
}

static void *thread_fn(void *arg)
{
	return arg;
}

static int do_proc(const char *op, const char *arg)
{
	if (strcmp(op, "unshare-user") == 0)
		return unshare(CLONE_NEWUSER) < 0 ? errno : 0;
	if (strcmp(op, "unshare-mount") == 0)
		return unshare(CLONE_NEWNS) < 0 ? errno : 0;
	if (strcmp(op, "clone-user") == 0) {
		long pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, NULL, NULL, 0);
		if (pid < 0)
			return errno;
		if (pid == 0)
			_exit(0);
		return reap((pid_t)pid);
	}
	if (strcmp(op, "clone3-user") == 0) {
		struct clone_args ca;
		memset(&ca, 0, sizeof(ca));
		ca.flags = CLONE_NEWUSER;
		ca.exit_signal = SIGCHLD;
		long pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid < 0)
			return errno;
		if (pid == 0)
			_exit(0);
		return reap((pid_t)pid);
	}
	if (strcmp(op, "fork") == 0) {
		pid_t pid = fork();
		if (pid < 0)
			return errno;
		if (pid == 0)
			_exit(0);
		return reap(pid);
	}
	if (strcmp(op, "pthread") == 0) {
		pthread_t th;
		int r = pthread_create(&th, NULL, thread_fn, NULL);
		if (r)
			return r;
		return pthread_join(th, NULL);
	}
	if (strcmp(op, "clone-thread") == 0) {
		/* a plain clone() with a stack: glibc's own fallback path */
		static char stack[64 * 1024] __attribute__((aligned(16)));
		int pid = clone(child_exit, stack + sizeof(stack), SIGCHLD, NULL);
		if (pid < 0)
			return errno;
		return reap(pid);
	}
	if (strcmp(op, "own-filter") == 0) {
		if (!arg)
			usage("own-filter allow|log|trace|notify");
		unsigned act = strcmp(arg, "allow") == 0   ? SECCOMP_RET_ALLOW
			       : strcmp(arg, "log") == 0   ? SECCOMP_RET_LOG
			       : strcmp(arg, "trace") == 0 ? SECCOMP_RET_TRACE
			       : strcmp(arg, "notify") == 0
				       ? SECCOMP_RET_USER_NOTIF
				       : (usage("own-filter allow|log|trace|notify"), 0u);
		struct sock_filter f[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_connect, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, act),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = {.len = 4, .filter = f};
		unsigned flags =
			act == SECCOMP_RET_USER_NOTIF ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return errno;
		long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
		return fd < 0 ? errno : 0;
	}
	if (!arg)
		usage("this operation needs a path");
	char *argv[] = {(char *)arg, NULL};
	if (strcmp(op, "spawn") == 0) {
		pid_t pid;
		int r = posix_spawn(&pid, arg, NULL, NULL, argv, environ);
		if (r)
			return r;
		int st;
		waitpid(pid, &st, 0);
		return WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ENOEXEC : 0;
	}
	if (strcmp(op, "execve") == 0) {
		execve(arg, argv, environ);
		return errno;
	}
	if (strcmp(op, "fexecve") == 0) {
		int fd = open(arg, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		fexecve(fd, argv, environ);
		int err = errno;
		close(fd);
		return err;
	}
	usage("unknown operation");
}

/* ---------- the witness ---------- */

static volatile sig_atomic_t stop_serving;
static void on_term(int sig)
{
	(void)sig;
	stop_serving = 1;
}

static void log_line(int logfd, const char *what, const struct sockaddr_storage *peer)
{
	char host[INET6_ADDRSTRLEN] = "?", line[160];
	int port = 0;
	if (peer->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)peer;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
	} else if (peer->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)peer;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
	}
	int n = snprintf(line, sizeof(line), "%s from %s %d\n", what, host, port);
	if (write(logfd, line, (size_t)n) != n)
		perror("sup_net serve: log");
}

static int serve(const char *proto, const char *addr, int port, const char *log, bool stuck)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int type;
	if (strcmp(proto, "unix") == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
		memset(&ss, 0, sizeof(ss));
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof(sun->sun_path), "%s", addr);
		len = sizeof(*sun);
		type = SOCK_STREAM;
		unlink(addr);
		umask(0);
	} else {
		len = make_addr(addr, port, &ss);
		type = sock_type(proto);
	}
	int s = socket(ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;
	if (s < 0 ||
	    (ss.ss_family != AF_UNIX &&
	     setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    (ss.ss_family == AF_INET6 &&
	     setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(s, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(s, stuck ? 0 : 4096) < 0)) {
		perror("sup_net serve");
		return 1;
	}
	int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0) {
		perror(log);
		return 1;
	}
	struct sigaction sa = {.sa_handler = on_term};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	char ready[4096];
	snprintf(ready, sizeof(ready), "%s.ready", log);
	int rfd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (rfd < 0) {
		perror(ready);
		return 1;
	}
	close(rfd);
	while (stuck && !stop_serving)
		pause();
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		char buf[2048];
		if (type == SOCK_STREAM) {
			int c = accept4(s, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
			if (c >= 0) {
				log_line(logfd, "connection", &peer);
				/* unix: the client's byte first, or its send could see EPIPE */
				struct pollfd pc = {.fd = c, .events = POLLIN};
				if (ss.ss_family == AF_UNIX && poll(&pc, 1, 1000) > 0 &&
				    recv(c, buf, sizeof(buf), MSG_DONTWAIT) < 0) {
					/* nothing to read after all: close anyway */
				}
				close(c);
				continue;
			}
		} else {
			ssize_t n =
				recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
			if (n >= 0) {
				log_line(logfd, "datagram", &peer);
				continue;
			}
		}
		if (errno != EAGAIN && errno != EINTR) {
			perror("sup_net serve");
			return 1;
		}
		/* the queue is empty: stop now if told to, else wait */
		if (stop_serving)
			return 0;
		struct pollfd p = {.fd = s, .events = POLLIN};
		poll(&p, 1, 200);
	}
}

/* ---------- main ---------- */

static int nargs(int argc, char **argv, int i)
{
	int n = 0;
	while (i + n < argc && strcmp(argv[i + n], "+") != 0)
		n++;
	return n;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage("no operation");
	for (int i = 1; i < argc;) {
		int n = nargs(argc, argv, i);
		char **a = argv + i;
		char what[256];
		if (n == 0)
			usage("empty operation");
		if (strcmp(a[0], "serve") == 0 || strcmp(a[0], "serve-stuck") == 0) {
			if (n != 5)
				usage("serve tcp|udp|unix ADDR PORT LOG");
			return serve(a[1], a[2], parse_port(a[3]), a[4], a[0][5] == '-');
		} else if (strcmp(a[0], "unix-connect") == 0 ||
			   strcmp(a[0], "unix-connect-fd") == 0) {
			if (n != 2)
				usage("unix-connect PATH");
			snprintf(what, sizeof(what), "%s %s", a[0], a[1]);
			report(what, do_unix(a[1], a[0][12] == '-'));
		} else if (strcmp(a[0], "race") == 0) {
			if (n != 6)
				usage("race MODE GOOD BAD PORT N");
			do_race(a[1], a[2], a[3], parse_port(a[4]), atol(a[5]));
		} else if (strcmp(a[0], "connect") == 0 || strcmp(a[0], "sendto") == 0 ||
			   strcmp(a[0], "sendmsg") == 0 || strcmp(a[0], "sendmmsg") == 0) {
			if (n != 4)
				usage("OP PROTO ADDR PORT");
			snprintf(what, sizeof(what), "%s %s %s %s", a[0], a[1], a[2], a[3]);
			report(what, do_net(a[0], a[1], NULL, a[2], parse_port(a[3])));
		} else if (strcmp(a[0], "connect-from") == 0 || strcmp(a[0], "sendto-from") == 0) {
			if (n != 5)
				usage("OP-from PROTO SRC ADDR PORT");
			snprintf(what, sizeof(what), "%s %s %s %s %s", a[0], a[1], a[2], a[3],
				 a[4]);
			*strchr(a[0], '-') = '\0';
			report(what, do_net(a[0], a[1], a[2], a[3], parse_port(a[4])));
		} else if (strcmp(a[0], "waitfile") == 0) {
			if (n != 2)
				usage("waitfile PATH");
			struct stat st;
			for (int k = 0; k < 12000 && stat(a[1], &st) < 0; k++)
				usleep(10000);
		} else if (strcmp(a[0], "pid") == 0) {
			printf("pid: %d\n", getpid());
		} else if (strcmp(a[0], "sleep") == 0) {
			if (n != 2)
				usage("sleep SECONDS");
			sleep((unsigned)atoi(a[1]));
		} else {
			if (n > 2)
				usage("too many arguments");
			snprintf(what, sizeof(what), "%s%s%s", a[0], n > 1 ? " " : "",
				 n > 1 ? a[1] : "");
			report(what, do_proc(a[0], n > 1 ? a[1] : NULL));
		}
		i += n + (i + n < argc ? 1 : 0);
	}
	return 0;
}
