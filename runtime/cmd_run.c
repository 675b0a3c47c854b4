/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ward run`: create + start, then (unless --detach) stay in the foreground:
 * forward signals to the container, relay its terminal when we own it, and
 * exit with its status (128+N when killed by signal N), deleting it unless --keep.
 */
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../common/log.h"
#include "../common/util.h"
#include "cli.h"
#include "console.h"
#include "create.h"
#include "foreground.h"

static const char *opt_bundle, *opt_console_socket, *opt_pid_file;
static bool opt_detach, opt_keep, opt_no_pivot, opt_no_new_keyring;
static long long opt_preserve_fds;

static const struct cli_opt run_opts[] = {
	{"bundle", 'b', OPT_STRING, &opt_bundle, NULL,
	 "path to the root of the bundle directory, defaults to the current directory"},
	{"console-socket", 0, OPT_STRING, &opt_console_socket, NULL,
	 "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
	 "end of the console's pseudoterminal"},
	{"detach", 'd', OPT_BOOL, &opt_detach, NULL, "detach from the container's process"},
	{"keep", 0, OPT_BOOL, &opt_keep, NULL, "do not delete the container after it exits"},
	{"pid-file", 0, OPT_STRING, &opt_pid_file, NULL,
	 "specify the file to write the process id to"},
	{"no-pivot", 0, OPT_BOOL, &opt_no_pivot, NULL,
	 "do not use pivot root to jail process inside rootfs"},
	{"no-new-keyring", 0, OPT_BOOL, &opt_no_new_keyring, NULL,
	 "do not create a new session keyring for the container"},
	{"preserve-fds", 0, OPT_INT, &opt_preserve_fds, NULL,
	 "pass N additional file descriptors to the container"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

static int run_run(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	struct create_opts o = {
		.root = ctx->root,
		.id = argv[0],
		.bundle = opt_bundle,
		.console_socket = opt_console_socket,
		.console_fd = -1,
		.pid_file = opt_pid_file,
		.policy = ctx->policy,
		.allowed_policies = ctx->allowed_policies,
		.no_pivot = opt_no_pivot,
		.no_new_keyring = opt_no_new_keyring,
		.preserve_fds = (int)opt_preserve_fds,
	};
	struct relay t = {.master = -1};
	int pair[2] = {-1, -1};
	sigset_t all, old;

	if (!opt_detach) {
		/* init must be our child to wait for it, even when a stage process cloned it */
		prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		if (!opt_console_socket) {
			if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
				return werr_sys(e, "console socketpair");
			o.console_fd = pair[1];
		}
	}
	struct container *c = NULL;
	int r = container_create(&o, &c, e);
	if (pair[1] >= 0)
		close(pair[1]);
	if (r == 0 && !opt_detach && pair[0] >= 0) {
		const struct oci_config *cfg = container_config(c, e);
		if (!cfg)
			r = -1;
		else if (cfg->process.terminal)
			r = recv_fd(pair[0], &t.master, e);
	}
	if (pair[0] >= 0)
		close(pair[0]);
	/* our terminal's size and raw mode before the process runs, not after its first output */
	if (r == 0)
		relay_start(&t);
	if (r == 0)
		r = container_start(c, e);
	if (r < 0) {
		if (c) {
			struct werr ignored;
			container_destroy(c, &ignored);
		}
		container_free(c);
		relay_stop(&t);
		return -1;
	}
	if (opt_detach) {
		container_free(c);
		return 0;
	}
	/* others (state, kill, exec) may act on the container while it runs */
	container_unlock(c);
	int sfd = signalfd(-1, &all, SFD_CLOEXEC);
	int status = sfd < 0 ? 255 : supervise(c->pid, &t, sfd);
	relay_stop(&t);
	if (sfd >= 0)
		close(sfd);
	if (!opt_keep) {
		struct werr de;
		if (container_relock(c, &de) == 0 && container_destroy(c, &de) < 0)
			log_warn("delete %s: %s", c->id, de.msg);
	}
	container_free(c);
	return status;
}

const struct cli_command cmd_run = {
	.name = "run",
	.summary = "create and run a container",
	.usage = "<container-id>",
	.description = "The run command creates an instance of a container for a bundle and starts "
		       "it; in the foreground it forwards signals and exits with the container's "
		       "status.",
	.opts = run_opts,
	.min_args = 1,
	.max_args = 1,
	.run = run_run,
};
