/* SPDX-License-Identifier: Apache-2.0 */
/* `ward create` and `ward start`. */
#include "../common/util.h"
#include "cli.h"
#include "create.h"

static const char *opt_bundle, *opt_console_socket, *opt_pid_file;
static bool opt_no_pivot, opt_no_new_keyring;
static long long opt_preserve_fds;

static const struct cli_opt create_opts[] = {
	{"bundle", 'b', OPT_STRING, &opt_bundle, NULL,
	 "path to the root of the bundle directory, defaults to the current directory"},
	{"console-socket", 0, OPT_STRING, &opt_console_socket, NULL,
	 "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
	 "end of the console's pseudoterminal"},
	{"pid-file", 0, OPT_STRING, &opt_pid_file, NULL,
	 "specify the file to write the process id to"},
	{"no-pivot", 0, OPT_BOOL, &opt_no_pivot, NULL,
	 "do not use pivot root to jail process inside rootfs (move the mount and chroot instead)"},
	{"no-new-keyring", 0, OPT_BOOL, &opt_no_new_keyring, NULL,
	 "do not create a new session keyring for the container"},
	{"preserve-fds", 0, OPT_INT, &opt_preserve_fds, NULL,
	 "pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

static int run_create(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	struct create_opts o = {
		.root = ctx->root,
		.id = argv[0],
		.bundle = opt_bundle,
		.console_socket = opt_console_socket,
		.console_fd = -1,
		.pid_file = opt_pid_file,
		.no_pivot = opt_no_pivot,
		.no_new_keyring = opt_no_new_keyring,
		.preserve_fds = (int)opt_preserve_fds,
	};
	o.policy = ctx->policy;
	o.allowed_policies = ctx->allowed_policies;
	struct container *c = NULL;
	if (container_create(&o, &c, e) < 0)
		return -1;
	container_free(c);
	return 0;
}

const struct cli_command cmd_create = {
	.name = "create",
	.summary = "create a container",
	.usage = "<container-id>",
	.description =
		"The create command creates an instance of a container for a bundle. The "
		"bundle is a directory with a specification file named \"config.json\" and a "
		"root filesystem. The container waits for `ward start`.",
	.opts = create_opts,
	.min_args = 1,
	.max_args = 1,
	.run = run_create,
};

static int run_start(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	struct container *c = NULL;
	if (container_open(ctx->root, argv[0], true, &c, e) < 0)
		return -1;
	int r = container_start(c, e);
	container_free(c);
	return r < 0 ? -1 : 0;
}

const struct cli_command cmd_start = {
	.name = "start",
	.summary = "executes the user defined process in a created container",
	.usage = "<container-id>",
	.description =
		"The start command executes the user defined process in a created container.",
	.min_args = 1,
	.max_args = 1,
	.run = run_start,
};
