/* SPDX-License-Identifier: Apache-2.0 */
/* `ward state` and `ward list`. */
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/jsonw.h"
#include "../common/util.h"
#include "cli.h"
#include "container.h"
#include "supervisor_client.h"

/* runc's state object: the runtime-spec fields plus rootfs, created and owner */
static void write_state(struct jsonw *w, struct container *c, enum container_status s)
{
	struct werr ignored;
	const struct oci_config *cfg = container_config(c, &ignored);
	jsonw_obj_open(w);
	jsonw_key_str(w, "ociVersion",
		      cfg && cfg->oci_version ? cfg->oci_version : OCI_SPEC_VERSION);
	jsonw_key_str(w, "id", c->id);
	jsonw_key_int(w, "pid", s == STATUS_STOPPED ? 0 : c->pid);
	jsonw_key_str(w, "status", container_status_name(s));
	jsonw_key_str(w, "bundle", c->bundle);
	jsonw_key_str(w, "rootfs", c->rootfs);
	jsonw_key_str(w, "created", c->created);
	jsonw_key_str(w, "owner", c->owner);
	/* ward's own: the supervisor policy and, while it runs, the supervisor's pid */
	if (c->policy)
		jsonw_key_str(w, "policy", c->policy);
	_cleanup_free_ char *dir = xasprintf("%s/%s", c->root, c->id);
	pid_t sup = 0;
	struct werr pe;
	if (faccessat(c->dir_fd, "supervisor.sock", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
	    supervisor_ping(dir, &sup, NULL, &pe) == 0 && sup > 0)
		jsonw_key_int(w, "supervisorPid", sup);
	if (cfg && cfg->n_annotations) {
		jsonw_key(w, "annotations");
		jsonw_obj_open(w);
		for (size_t i = 0; i < cfg->n_annotations; i++)
			jsonw_key_str(w, cfg->annotations[i].key, cfg->annotations[i].value);
		jsonw_obj_close(w);
	}
	jsonw_obj_close(w);
}

static int run_state(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	struct container *c = NULL;
	if (container_open(ctx->root, argv[0], false, &c, e) < 0)
		return -1;
	struct jsonw w;
	jsonw_init(&w, true);
	write_state(&w, c, container_status(c));
	container_free(c);
	_cleanup_free_ char *s = jsonw_take(&w);
	if (!s)
		return werr_code(e, ENOMEM, "state");
	printf("%s\n", s);
	return 0;
}

const struct cli_command cmd_state = {
	.name = "state",
	.summary = "output the state of a container",
	.usage = "<container-id>",
	.description = "The state command outputs current state information for the instance of a "
		       "container.",
	.min_args = 1,
	.max_args = 1,
	.run = run_state,
};

static const char *opt_format;
static bool opt_quiet;

static const struct cli_opt list_opts[] = {
	{"format", 'f', OPT_STRING, &opt_format, NULL,
	 "select one of: table or json (default: table)"},
	{"quiet", 'q', OPT_BOOL, &opt_quiet, NULL, "display only container IDs"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

static int run_list(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	(void)argv;
	bool json = false;
	if (opt_format && !strcmp(opt_format, "json"))
		json = true;
	else if (opt_format && strcmp(opt_format, "table") != 0)
		return werr_set(e, 0, "invalid format option");
	char **ids;
	size_t n;
	if (container_list_ids(ctx->root, &ids, &n, e) < 0)
		return -1;
	struct jsonw w;
	jsonw_init(&w, false);
	jsonw_arr_open(&w);
	if (!json && !opt_quiet)
		printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	for (size_t i = 0; i < n; i++) {
		struct container *c = NULL;
		struct werr ce;
		/* a container being created or deleted right now is simply not listed */
		if (container_open(ctx->root, ids[i], false, &c, &ce) == 0) {
			enum container_status s = container_status(c);
			if (opt_quiet)
				printf("%s\n", c->id);
			else if (json)
				write_state(&w, c, s);
			else
				printf("%-12s %-8d %-10s %-40s %-30s %s\n", c->id,
				       s == STATUS_STOPPED ? 0 : c->pid, container_status_name(s),
				       c->bundle, c->created, c->owner);
			container_free(c);
		}
		free(ids[i]);
	}
	free(ids);
	jsonw_arr_close(&w);
	_cleanup_free_ char *s = jsonw_take(&w);
	if (json && !opt_quiet)
		printf("%s\n", s ? s : "[]");
	return 0;
}

const struct cli_command cmd_list = {
	.name = "list",
	.summary = "lists containers started by ward with the given root",
	.usage = "",
	.opts = list_opts,
	.min_args = 0,
	.max_args = 0,
	.run = run_list,
};
