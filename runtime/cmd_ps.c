/* SPDX-License-Identifier: Apache-2.0 */
/* `ward ps`: the container's processes, from its cgroup's member list. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/jsonw.h"
#include "../common/util.h"
#include "cgroup.h"
#include "cli.h"
#include "container.h"

static const char *opt_format;

static const struct cli_opt ps_opts[] = {
	{"format", 'f', OPT_STRING, &opt_format, NULL,
	 "select one of: table or json (default: \"table\")"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

static bool has_pid(const pid_t *pids, size_t n, long p)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* Runs ps(1) with the given options and keeps the header and the container's lines. */
static int ps_table(const pid_t *pids, size_t n, int argc, char **argv, struct werr *e)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return werr_sys(e, "pipe");
	pid_t child = fork();
	if (child < 0)
		return werr_sys(e, "fork");
	if (child == 0) {
		dup2(fds[1], STDOUT_FILENO);
		char **args = xcalloc((size_t)argc + 3, sizeof(char *));
		args[0] = "ps";
		if (argc == 0)
			args[1] = "-ef";
		for (int i = 0; i < argc; i++)
			args[1 + i] = argv[i];
		execvp("ps", args);
		_exit(127);
	}
	close(fds[1]);
	_cleanup_free_ char *out = NULL;
	int r = read_fd_all(fds[0], 64u << 20, &out, NULL, e);
	close(fds[0]);
	int status;
	waitpid(child, &status, 0);
	if (r < 0)
		return werr_wrap(e, "read ps output");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return werr_set(e, 0, "ps failed (status %d)", WEXITSTATUS(status));
	char *save = NULL;
	char *line = strtok_r(out, "\n", &save);
	if (!line)
		return werr_set(e, 0, "ps printed nothing");
	/* the PID column's index in the header */
	int col = -1, i = 0;
	_cleanup_free_ char *hdr = xstrdup(line);
	char *hs = NULL;
	for (char *f = strtok_r(hdr, " \t", &hs); f; f = strtok_r(NULL, " \t", &hs), i++)
		if (!strcmp(f, "PID"))
			col = i;
	if (col < 0)
		return werr_set(e, 0, "couldn't find PID field in ps output");
	printf("%s\n", line);
	while ((line = strtok_r(NULL, "\n", &save))) {
		_cleanup_free_ char *copy = xstrdup(line);
		char *fs = NULL, *f = strtok_r(copy, " \t", &fs);
		for (int j = 0; f && j < col; j++)
			f = strtok_r(NULL, " \t", &fs);
		if (f && has_pid(pids, n, strtol(f, NULL, 10)))
			printf("%s\n", line);
	}
	return 0;
}

static int run_ps(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	struct container *c = NULL;
	if (container_open(ctx->root, argv[0], false, &c, e) < 0)
		return -1;
	int rc = -1;
	struct cgroup *cg = NULL;
	pid_t *pids = NULL;
	size_t n = 0;
	if (!c->cgroup) {
		werr_set(e, 0, "container %s has no cgroup", c->id);
		goto out;
	}
	if (cgroup_open(c->cgroup, &cg, e) < 0 || cgroup_pids(cg, &pids, &n, e) < 0)
		goto out;
	if (opt_format && !strcmp(opt_format, "json")) {
		struct jsonw w;
		jsonw_init(&w, false);
		jsonw_arr_open(&w);
		for (size_t i = 0; i < n; i++)
			jsonw_int(&w, pids[i]);
		jsonw_arr_close(&w);
		_cleanup_free_ char *s = jsonw_take(&w);
		printf("%s\n", s ? s : "[]");
		rc = 0;
	} else if (opt_format && strcmp(opt_format, "table") != 0) {
		werr_set(e, 0, "invalid format option");
	} else {
		rc = ps_table(pids, n, argc - 1, argv + 1, e);
	}
out:
	free(pids);
	cgroup_free(cg);
	container_free(c);
	return rc;
}

const struct cli_command cmd_ps = {
	.name = "ps",
	.summary = "ps displays the processes running inside a container",
	.usage = "<container-id> [ps options]",
	.opts = ps_opts,
	.min_args = 1,
	.max_args = -1,
	.run = run_ps,
};
