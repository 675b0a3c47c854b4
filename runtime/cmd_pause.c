/* SPDX-License-Identifier: Apache-2.0 */
/* `ward pause`, `ward resume` and `ward events`: the container's cgroup freezer and statistics. */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/jsonw.h"
#include "../common/util.h"
#include "cgroup.h"
#include "cli.h"
#include "container.h"

/* Opens the container (locked) and its cgroup. */
static int open_with_cgroup(struct cli_ctx *ctx, const char *id, bool lock, struct container **c,
			    struct cgroup **cg, struct werr *e)
{
	if (container_open(ctx->root, id, lock, c, e) < 0)
		return -1;
	if (!(*c)->cgroup) {
		werr_set(e, 0, "container %s has no cgroup", id);
	} else if (cgroup_open((*c)->cgroup, cg, e) == 0) {
		return 0;
	}
	container_free(*c);
	*c = NULL;
	return -1;
}

static int set_frozen(struct cli_ctx *ctx, const char *id, bool frozen, struct werr *e)
{
	struct container *c = NULL;
	struct cgroup *cg = NULL;
	if (open_with_cgroup(ctx, id, true, &c, &cg, e) < 0)
		return -1;
	int r = -1;
	enum container_status s = container_status(c);
	if (frozen && s != STATUS_RUNNING)
		werr_set(e, 0, "container not running");
	else if (!frozen && s != STATUS_PAUSED)
		werr_set(e, 0, "container not paused");
	else
		r = cgroup_freeze(cg, frozen, e);
	cgroup_free(cg);
	container_free(c);
	return r;
}

static int run_pause(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	return set_frozen(ctx, argv[0], true, e);
}

static int run_resume(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	return set_frozen(ctx, argv[0], false, e);
}

const struct cli_command cmd_pause = {
	.name = "pause",
	.summary = "pause suspends all processes inside the container",
	.usage = "<container-id>",
	.description = "The pause command suspends all processes in the instance of the container "
		       "(cgroup freezer).",
	.min_args = 1,
	.max_args = 1,
	.run = run_pause,
};

const struct cli_command cmd_resume = {
	.name = "resume",
	.summary = "resumes all processes that have been previously paused",
	.usage = "<container-id>",
	.description = "The resume command resumes all processes in the instance of the container.",
	.min_args = 1,
	.max_args = 1,
	.run = run_resume,
};

static bool opt_stats;
static const char *opt_interval;

static const struct cli_opt events_opts[] = {
	{"interval", 0, OPT_STRING, &opt_interval, NULL,
	 "set the stats collection interval (default: 5s)"},
	{"stats", 0, OPT_BOOL, &opt_stats, NULL, "display the container's stats then exit"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

/* Go-style durations: "5s", "250ms", "1m", "1m30s", "1h". */
static int parse_duration_ms(const char *s, long long *out)
{
	long long total = 0;
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v = strtod(s, &end);
		if (end == s || v < 0)
			return -1;
		s = end;
		double mult;
		if (str_has_prefix(s, "ms"))
			mult = 1, s += 2;
		else if (*s == 's')
			mult = 1000, s++;
		else if (*s == 'm')
			mult = 60000, s++;
		else if (*s == 'h')
			mult = 3600000, s++;
		else
			return -1;
		total += (long long)(v * mult);
	}
	*out = total;
	return 0;
}

static int print_stats(struct container *c, struct cgroup *cg, struct werr *e)
{
	struct jsonw w;
	jsonw_init(&w, false);
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "type", "stats");
	jsonw_key_str(&w, "id", c->id);
	jsonw_key(&w, "data");
	if (cgroup_stats(cg, &w, e) < 0) {
		jsonw_free(&w);
		return -1;
	}
	jsonw_obj_close(&w);
	_cleanup_free_ char *s = jsonw_take(&w);
	if (!s)
		return werr_code(e, ENOMEM, "stats");
	printf("%s\n", s);
	fflush(stdout);
	return 0;
}

static int run_events(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	long long interval = 5000;
	if (opt_interval && (parse_duration_ms(opt_interval, &interval) < 0 || interval <= 0))
		return werr_code(e, EINVAL, "invalid --interval %s: expected a duration such as 5s",
				 opt_interval);
	struct container *c = NULL;
	struct cgroup *cg = NULL;
	if (open_with_cgroup(ctx, argv[0], false, &c, &cg, e) < 0)
		return -1;
	int r = 0;
	if (container_status(c) == STATUS_STOPPED)
		r = werr_set(e, 0, "container with id %s is not running", c->id);
	else if (opt_stats)
		r = print_stats(c, cg, e);
	else
		while (container_status(c) != STATUS_STOPPED && (r = print_stats(c, cg, e)) == 0)
			poll(NULL, 0, (int)interval);
	cgroup_free(cg);
	container_free(c);
	return r;
}

const struct cli_command cmd_events = {
	.name = "events",
	.summary = "display container statistics (cpu, memory, pids, IO, hugetlb) once or at an "
		   "interval",
	.usage = "<container-id>",
	.description = "The events command displays information about the container. By default "
		       "the information is displayed once every 5 seconds.",
	.opts = events_opts,
	.min_args = 1,
	.max_args = 1,
	.run = run_events,
};
