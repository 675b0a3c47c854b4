/* SPDX-License-Identifier: Apache-2.0 */
/*
 * console_recv: the engine's side of `--console-socket`, for tests.
 *
 *   console_recv [-T SECONDS] [-m INFOFILE] [[-w PATTERN] [-s ROWSxCOLS] [-i INPUT]]... SOCKET
 *
 * Listens on the unix socket SOCKET, accepts one connection, receives the pty master
 * over SCM_RIGHTS (what containerd and Docker do with runc's --console-socket), and copies
 * everything the master reads to stdout until the pty is closed on the other side (read
 * gives EIO once no process holds the peer any more) or EOF.
 *
 * Readiness: the socket is bound and listening under a temporary name and only then
 * renamed to SOCKET, so a caller that sees SOCKET exist may connect at once.
 *
 * Steps: every -i INPUT is one step, written to the master once everything before it is
 * done; a -w PATTERN before it makes the step wait until the output (after the previous
 * step's match) contains PATTERN; a -s ROWSxCOLS before it resizes the pty (TIOCSWINSZ on
 * the master, what `docker resize` does) just before the input is written. -s or -w
 * without a following -i make a step of their own. INPUT is written as given (use
 * $'...\n' in bash for a newline).
 *
 * -m INFOFILE: once the fd is received, writes what was received as shell-style lines:
 *   name=<the message's payload>  ptn=<pty number (TIOCGPTN)>  rows=<R>  cols=<C>
 *   (the window size the sender set), then `closed=1` when the pty closed normally.
 *
 * Exit: 0 when the pty closed; 2 usage; 3 nothing usable received on the socket; 4 the fd
 * received is not a pty master; 5 steps left undone at close (a pattern never seen);
 * 124 timeout (-T, default 60 s): the pty is still open - the process still runs or
 * some process leaked a copy of the pty peer.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct step {
	const char *wait;  /* pattern to see first, or NULL */
	const char *input; /* bytes to write, or NULL */
	unsigned short rows, cols;
	int resize;
};

#define MAX_STEPS 64

static const char *sock_path;
static char tmp_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void __attribute__((noreturn, format(printf, 2, 3))) die(int code, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "console_recv: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (tmp_path[0])
		unlink(tmp_path);
	exit(code);
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "console_recv: timeout: the pty is still open (process still "
				  "running, or a copy of the pty peer leaked)\n";
	ssize_t r = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)r;
	_exit(124);
}

static void usage(void)
{
	fprintf(stderr, "usage: console_recv [-T SECONDS] [-m INFOFILE] "
			"[[-w PATTERN] [-s ROWSxCOLS] [-i INPUT]]... SOCKET\n");
	exit(2);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Binds and listens under a temporary name, then renames it to `path`. */
static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int n = snprintf(tmp_path, sizeof(tmp_path), "%s.%d.tmp", path, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
		tmp_path[0] = 0;
		die(2, "socket path too long: %s", path);
	}
	memcpy(sa.sun_path, tmp_path, (size_t)n + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die(3, "socket: %s", strerror(errno));
	unlink(tmp_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(3, "bind %s: %s", tmp_path, strerror(errno));
	if (listen(fd, 1) < 0)
		die(3, "listen: %s", strerror(errno));
	if (rename(tmp_path, path) < 0)
		die(3, "rename %s to %s: %s", tmp_path, path, strerror(errno));
	tmp_path[0] = 0;
	return fd;
}

/* Receives one message; returns the fd it carried and copies its payload to name. */
static int receive_master(int conn, char *name, size_t name_size)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {.iov_base = name, .iov_len = name_size - 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf.buf,
			    .msg_controllen = sizeof(cbuf.buf)};
	ssize_t n;
	do
		n = recvmsg(conn, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		die(3, "recvmsg: %s", strerror(errno));
	name[n] = 0;
	int fd = -1, extra = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;
			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (fd < 0) {
				fd = f;
			} else {
				close(f);
				extra++;
			}
		}
	}
	if (mh.msg_flags & MSG_CTRUNC)
		die(3, "control message truncated: more fds than expected were sent");
	if (fd < 0)
		die(3, "no fd received (%zd bytes of payload%s)", n, n == 0 ? ": peer closed" : "");
	if (extra)
		die(3, "%d fds received, expected exactly one", extra + 1);
	return fd;
}

static void write_info(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void write_info(const char *path, const char *fmt, ...)
{
	if (!path)
		return;
	FILE *f = fopen(path, "ae");
	if (!f)
		die(2, "open %s: %s", path, strerror(errno));
	va_list ap;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) != 0)
		die(2, "write %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	struct step steps[MAX_STEPS];
	struct step cur = {0};
	size_t n_steps = 0;
	const char *info = NULL;
	long timeout = 60;
	int have_cur = 0, opt;

	memset(steps, 0, sizeof(steps));
	while ((opt = getopt(argc, argv, "+T:m:w:s:i:h")) != -1) {
		switch (opt) {
		case 'T':
			timeout = strtol(optarg, NULL, 10);
			if (timeout <= 0)
				usage();
			break;
		case 'm':
			info = optarg;
			break;
		case 'w':
		case 's':
			if (have_cur && ((opt == 'w' && cur.wait) || (opt == 's' && cur.resize))) {
				/* a second -w or -s before any -i: the first one is a step of its
				 * own */
				if (n_steps == MAX_STEPS)
					die(2, "too many steps");
				steps[n_steps++] = cur;
				memset(&cur, 0, sizeof(cur));
			}
			have_cur = 1;
			if (opt == 'w') {
				cur.wait = optarg;
			} else {
				unsigned r, c;
				char tail;
				if (sscanf(optarg, "%ux%u%c", &r, &c, &tail) != 2 || r > 65535 ||
				    c > 65535)
					die(2, "-s wants ROWSxCOLS, got '%s'", optarg);
				cur.rows = (unsigned short)r;
				cur.cols = (unsigned short)c;
				cur.resize = 1;
			}
			break;
		case 'i':
			if (n_steps == MAX_STEPS)
				die(2, "too many steps");
			cur.input = optarg;
			steps[n_steps++] = cur;
			memset(&cur, 0, sizeof(cur));
			have_cur = 0;
			break;
		default:
			usage();
		}
	}
	if (have_cur) {
		if (n_steps == MAX_STEPS)
			die(2, "too many steps");
		steps[n_steps++] = cur;
	}
	if (optind != argc - 1)
		usage();
	sock_path = argv[optind];
	if (info)
		unlink(info);

	signal(SIGPIPE, SIG_IGN);
	signal(SIGALRM, on_alarm);
	alarm((unsigned)timeout);

	int lfd = listen_on(sock_path);
	int conn;
	do
		conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		die(3, "accept: %s", strerror(errno));
	close(lfd);
	unlink(sock_path);

	char name[4096];
	int master = receive_master(conn, name, sizeof(name));
	close(conn);

	int ptn;
	if (ioctl(master, TIOCGPTN, &ptn) < 0)
		die(4, "the fd received is not a pty master (TIOCGPTN: %s)", strerror(errno));
	struct winsize ws = {0};
	if (ioctl(master, TIOCGWINSZ, &ws) < 0)
		die(4, "TIOCGWINSZ on the master: %s", strerror(errno));
	write_info(info, "name=%s\nptn=%d\nrows=%u\ncols=%u\n", name, ptn, ws.ws_row, ws.ws_col);

	/* all output so far, to look for step patterns in */
	size_t cap = 1 << 16, len = 0, seen_from = 0, next = 0;
	char *out = malloc(cap + 1);
	if (!out)
		die(2, "out of memory");
	out[0] = 0;

	for (;;) {
		/* run every step whose pattern is already in the output */
		while (next < n_steps) {
			struct step *s = &steps[next];
			if (s->wait) {
				char *hit = strstr(out + seen_from, s->wait);
				if (!hit)
					break;
				seen_from = (size_t)(hit - out) + strlen(s->wait);
			}
			if (s->resize) {
				struct winsize nw = {.ws_row = s->rows, .ws_col = s->cols};
				if (ioctl(master, TIOCSWINSZ, &nw) < 0)
					die(4, "TIOCSWINSZ: %s", strerror(errno));
			}
			if (s->input && write_all(master, s->input, strlen(s->input)) < 0)
				die(4, "write to the pty master: %s", strerror(errno));
			next++;
		}

		char buf[4096];
		ssize_t n = read(master, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EIO)
			die(4, "read from the pty master: %s", strerror(errno));
		if (n <= 0)
			break; /* EIO: no process holds the peer any more; 0: EOF */
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			die(2, "write to stdout: %s", strerror(errno));
		if (len + (size_t)n > cap) {
			/* keep the tail: patterns are searched after the last match only */
			size_t drop = len + (size_t)n - cap;
			if (drop > seen_from)
				seen_from = 0;
			else
				seen_from -= drop;
			memmove(out, out + drop, len - drop);
			len -= drop;
		}
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
		out[len] = 0;
		/* NULs from the program would hide later text from strstr */
		for (size_t i = len - (size_t)n; i < len; i++)
			if (out[i] == 0)
				out[i] = ' ';
	}
	close(master);
	free(out);
	write_info(info, "closed=1\n");
	if (next < n_steps) {
		fprintf(stderr,
			"console_recv: pty closed with %zu step(s) left; waiting for '%s'\n",
			n_steps - next, steps[next].wait ? steps[next].wait : "");
		return 5;
	}
	return 0;
}
