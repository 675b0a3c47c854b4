/* SPDX-License-Identifier: Apache-2.0 */
#include "hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"

#define HOOK_OUTPUT_MAX 4096

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Child side: stdin from the state pipe, stdout+stderr to the capture pipe, then exec. */
static void __attribute__((noreturn)) hook_child(const struct oci_hook *h, int in_fd, int out_fd)
{
	sigset_t none;
	/* `run` blocks signals to forward them; a hook must get them normally */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(out_fd, STDERR_FILENO) < 0)
		_exit(127);
	char *fallback[] = {h->path, NULL};
	char **argv = h->n_args ? strv_terminated(h->args, h->n_args) : fallback;
	char **envp = strv_terminated(h->env, h->n_env);
	execve(h->path, argv, envp);
	dprintf(STDERR_FILENO, "exec %s: %s", h->path, strerror(errno));
	_exit(127);
}

static int run_one(const struct oci_hook *h, const char *kind, size_t idx, const char *state,
		   struct werr *e)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return werr_sys(e, "%s hook %zu: pipe", kind, idx);
	if (pipe2(out, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return werr_sys(e, "%s hook %zu: pipe", kind, idx);
	}
	pid_t pid = fork();
	if (pid < 0) {
		werr_sys(e, "%s hook %zu: fork", kind, idx);
		close(in[0]), close(in[1]), close(out[0]), close(out[1]);
		return -1;
	}
	if (pid == 0)
		hook_child(h, in[0], out[1]);
	close(in[0]);
	close(out[1]);
	/* the hook may not read stdin at all: a full pipe or EPIPE is not its failure */
	signal(SIGPIPE, SIG_IGN);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (write_all(in[1], state, strlen(state)) < 0 && errno != EAGAIN && errno != EPIPE)
		log_debug("%s hook %zu: writing state: %s", kind, idx, strerror(errno));
	close(in[1]);

	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	long long deadline = h->has_timeout ? now_ms() + (long long)h->timeout * 1000 : -1;
	char output[HOOK_OUTPUT_MAX];
	size_t olen = 0;
	bool out_open = true, timed_out = false;
	for (;;) {
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = out[0], .events = POLLIN}};
		int timeout = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		int r = poll(p, out_open ? 2 : 1, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			timed_out = true;
			kill(pid, SIGKILL);
			break;
		}
		if (out_open && (p[1].revents & (POLLIN | POLLHUP))) {
			char buf[512];
			ssize_t n = read(out[0], buf, sizeof(buf));
			if (n <= 0) {
				out_open = false;
			} else {
				size_t take = (size_t)n < sizeof(output) - 1 - olen
						      ? (size_t)n
						      : sizeof(output) - 1 - olen;
				memcpy(output + olen, buf, take);
				olen += take;
			}
		}
		if (p[0].revents & POLLIN)
			break;
	}
	close(out[0]);
	while (olen > 0 && (output[olen - 1] == '\n' || output[olen - 1] == ' '))
		olen--;
	output[olen] = '\0';
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return werr_code(e, ETIMEDOUT, "%s hook %zu (%s) timed out after %d s", kind, idx,
				 h->path, h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (olen)
			log_debug("%s hook %zu (%s) output: %s", kind, idx, h->path, output);
		return 0;
	}
	if (WIFSIGNALED(status))
		return werr_set(e, 0, "%s hook %zu (%s) killed by signal %d%s%s", kind, idx,
				h->path, WTERMSIG(status), olen ? ": " : "", output);
	return werr_set(e, 0, "%s hook %zu (%s) exited with status %d%s%s", kind, idx, h->path,
			WEXITSTATUS(status), olen ? ": " : "", output);
}

int hooks_run(const struct oci_hook_list *hooks, const char *kind, const char *state_json,
	      struct werr *e)
{
	for (size_t i = 0; i < hooks->n; i++)
		if (run_one(&hooks->items[i], kind, i, state_json, e) < 0)
			return -1;
	return 0;
}

void hooks_run_warn(const struct oci_hook_list *hooks, const char *kind, const char *state_json)
{
	for (size_t i = 0; i < hooks->n; i++) {
		struct werr e;
		if (run_one(&hooks->items[i], kind, i, state_json, &e) < 0)
			log_warn("%s", e.msg);
	}
}
