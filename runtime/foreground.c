/* SPDX-License-Identifier: Apache-2.0 */
#include "foreground.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/util.h"

void relay_start(struct relay *t)
{
	if (t->master < 0 || !isatty(STDIN_FILENO))
		return;
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(t->master, TIOCSWINSZ, &ws);
	if (tcgetattr(STDIN_FILENO, &t->saved) == 0) {
		struct termios raw = t->saved;
		cfmakeraw(&raw);
		raw.c_oflag |= OPOST; /* keep our own output sane */
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
			t->raw = true;
	}
}

void relay_stop(struct relay *t)
{
	if (t->raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &t->saved);
	if (t->master >= 0)
		close(t->master);
}

/* Copies what is readable from `from` to `to`; false at EOF or error. */
static bool pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && errno == EINTR;
	return write_all(to, buf, (size_t)n) == 0;
}

int exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/* Forwards signals and relays the terminal until init exits; returns its exit code. */
int supervise(pid_t init, struct relay *t, int sfd)
{
	bool in_open = t->master >= 0, out_open = t->master >= 0;
	for (;;) {
		struct pollfd p[3] = {{.fd = sfd, .events = POLLIN},
				      {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = out_open ? t->master : -1, .events = POLLIN}};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 255;
		}
		if (p[2].revents & (POLLIN | POLLHUP))
			out_open = pump(t->master, STDOUT_FILENO);
		if (p[1].revents & (POLLIN | POLLHUP))
			in_open = pump(STDIN_FILENO, t->master);
		if (!(p[0].revents & POLLIN))
			continue;
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof(si)) != sizeof(si))
			continue;
		if (si.ssi_signo == SIGWINCH && t->master >= 0) {
			struct winsize ws;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(t->master, TIOCSWINSZ, &ws);
			continue;
		}
		if (si.ssi_signo != SIGCHLD) {
			kill(init, (int)si.ssi_signo);
			continue;
		}
		/* we are a subreaper: orphans of the container land here too */
		int status;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			if (pid == init) {
				/* drain what the terminal still holds */
				while (out_open && pump(t->master, STDOUT_FILENO)) {
					struct pollfd q = {.fd = t->master, .events = POLLIN};
					if (poll(&q, 1, 0) <= 0 || !(q.revents & POLLIN))
						break;
				}
				return exit_code(status);
			}
		}
	}
}
