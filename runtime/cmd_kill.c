/* SPDX-License-Identifier: Apache-2.0 */
/* `ward kill` and `ward delete`. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/log.h"
#include "cgroup.h"
#include "cli.h"
#include "container.h"
#include "create.h"
#include "signals.h"

static bool opt_all;

static const struct cli_opt kill_opts[] = {
	{"all", 'a', OPT_BOOL, &opt_all, NULL,
	 "send the specified signal to all processes inside the container"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

static int signal_all(struct container *c, int sig, struct werr *e)
{
	if (!c->cgroup)
		return werr_set(e, 0, "container %s has no cgroup to find its processes in", c->id);
	struct cgroup *cg = NULL;
	if (cgroup_open(c->cgroup, &cg, e) < 0)
		return -1;
	pid_t *pids = NULL;
	size_t n = 0;
	int r = cgroup_pids(cg, &pids, &n, e);
	/* frozen processes only see the signal once thawed: SIGKILL must not wait for that */
	if (r == 0 && sig == SIGKILL) {
		bool frozen = false;
		if (cgroup_is_frozen(cg, &frozen, e) == 0 && frozen) {
			for (size_t i = 0; i < n; i++)
				kill(pids[i], sig);
			r = cgroup_freeze(cg, false, e);
		}
	}
	for (size_t i = 0; r == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			r = werr_sys(e, "signal pid %d", (int)pids[i]);
	free(pids);
	cgroup_free(cg);
	return r;
}

static int run_kill(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	int sig = SIGTERM;
	if (argc > 1 && (sig = signal_parse(argv[1])) < 0)
		return werr_code(e, EINVAL, "unknown signal \"%s\"", argv[1]);
	struct container *c = NULL;
	if (container_open(ctx->root, argv[0], true, &c, e) < 0)
		return -1;
	int r = 0;
	enum container_status s = container_status(c);
	if (s == STATUS_STOPPED && !opt_all) {
		r = werr_code(e, ESRCH, "container not running");
	} else if (opt_all) {
		r = signal_all(c, sig, e);
	} else {
		r = container_signal(c, sig, e);
	}
	container_free(c);
	return r < 0 ? -1 : 0;
}

const struct cli_command cmd_kill = {
	.name = "kill",
	.summary = "kill sends the specified signal (default: SIGTERM) to the container's init "
		   "process",
	.usage = "<container-id> [signal]",
	.description = "The kill command sends a signal to the init process of the container: a "
		       "name with or without SIG (KILL, SIGKILL) or a number.",
	.opts = kill_opts,
	.min_args = 1,
	.max_args = 2,
	.run = run_kill,
};

static bool opt_force;

static const struct cli_opt delete_opts[] = {
	{"force", 'f', OPT_BOOL, &opt_force, NULL,
	 "forcibly deletes the container if it is still running (uses SIGKILL)"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

static int run_delete(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	struct container *c = NULL;
	if (container_open(ctx->root, argv[0], true, &c, e) < 0) {
		/* like runc: forcing the deletion of something already gone is not an error */
		if (opt_force && e->errnum == ENOENT)
			return 0;
		return -1;
	}
	int r = 0;
	enum container_status s = container_status(c);
	if (s != STATUS_STOPPED && s != STATUS_CREATED && !opt_force)
		r = werr_set(e, 0, "cannot delete container %s that is not stopped: %s", c->id,
			     container_status_name(s));
	else
		r = container_destroy(c, e);
	container_free(c);
	return r < 0 ? -1 : 0;
}

const struct cli_command cmd_delete = {
	.name = "delete",
	.summary = "delete any resources held by the container often used with detached container",
	.usage = "<container-id>",
	.description = "The delete command deletes any resources held by the container: its "
		       "processes (with --force, or when it was only created), cgroup and state.",
	.opts = delete_opts,
	.min_args = 1,
	.max_args = 1,
	.run = run_delete,
};
