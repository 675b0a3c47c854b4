/* SPDX-License-Identifier: Apache-2.0 */
#include "cli.h"

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/util.h"
#include "../oci-spec/oci_config.h"
#include "version.h"

/* Commands in the order `ward help` lists them. Only what is implemented is here. */
static const struct cli_command *const commands[] = {
	&cmd_audit, &cmd_create, &cmd_delete, &cmd_events,   &cmd_exec, &cmd_kill,
	&cmd_list,  &cmd_pause,  &cmd_ps,     &cmd_resume,   &cmd_run,  &cmd_spec,
	&cmd_start, &cmd_state,  &cmd_update, &cmd_features,
};

const struct cli_command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static struct cli_ctx global;
static bool opt_help, opt_version;

static const struct cli_opt global_opts[] = {
	{"debug", 0, OPT_BOOL, &global.debug, NULL, "enable debug logging"},
	{"log", 0, OPT_STRING, &global.log_path, NULL,
	 "set the log file to write ward logs to (default is '/dev/stderr')"},
	{"log-format", 0, OPT_STRING, &global.log_format, NULL,
	 "set the log format ('text' (default), or 'json')"},
	{"root", 0, OPT_STRING, &global.root, NULL,
	 "root directory for storage of container state (this should be located in tmpfs) "
	 "(default: \"" WARD_DEFAULT_ROOT "\")"},
	{"policy", 0, OPT_STRING, &global.policy, "NAME|FILE",
	 "supervisor policy: built-in default (the default), agent, audit or none (no "
	 "supervisor), or a policy file; the dev.ward.policy annotation wins over this flag"},
	{"allowed-policies", 0, OPT_STRING, &global.allowed_policies, "NAME,...",
	 "policies a dev.ward.policy annotation may choose (comma-separated names or files; "
	 "default: any); --policy itself is always allowed"},
	{"systemd-cgroup", 0, OPT_BOOL, &global.systemd_cgroup, NULL,
	 "use systemd to manage cgroups (not supported yet: refused)"},
	{"rootless", 0, OPT_STRING, &global.rootless, NULL,
	 "ignore cgroup permission errors ('true', 'false', or 'auto')"},
	{"criu", 0, OPT_STRING, &global.criu, NULL,
	 "path to the criu binary (accepted for runc compatibility; checkpoint is not supported)"},
	{"help", 'h', OPT_BOOL, &opt_help, NULL, "show help"},
	{"version", 'v', OPT_BOOL, &opt_version, NULL, "print the version"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name, size_t len)
{
	for (const struct cli_opt *o = opts; o->name; o++) {
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
		if (o->short_name && len == 1 && name[0] == o->short_name)
			return o;
	}
	return NULL;
}

static int set_bool(bool *dest, const char *v, const char *flag, struct werr *e)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "t") || !strcmp(v, "TRUE"))
		*dest = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "f") || !strcmp(v, "FALSE"))
		*dest = false;
	else
		return werr_set(e, 0, "invalid boolean value \"%s\" for -%s: parse error", v, flag);
	return 0;
}

int cli_parse_opts(const struct cli_opt *opts, int argc, char **argv, int *first_arg,
		   struct werr *e)
{
	int i = 0;
	int help = 0;

	while (i < argc) {
		const char *a = argv[i];
		if (a[0] != '-' || a[1] == '\0')
			break; /* first positional argument ends the flags, as in Go */
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		const char *name = a + 1;
		if (*name == '-')
			name++;
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct cli_opt *o = find_opt(opts, name, nlen);
		if (!o) {
			if ((nlen == 4 && !strncmp(name, "help", 4)) ||
			    (nlen == 1 && name[0] == 'h')) {
				help = 1;
				i++;
				continue;
			}
			return werr_set(e, 0, "flag provided but not defined: -%.*s", (int)nlen,
					name);
		}
		const char *val = eq ? eq + 1 : NULL;
		i++;
		if (o->kind == OPT_BOOL) {
			if (set_bool(o->dest, val, o->name, e) < 0)
				return -1;
			continue;
		}
		if (!val) {
			if (i >= argc)
				return werr_set(e, 0, "flag needs an argument: -%s", o->name);
			val = argv[i++];
		}
		switch (o->kind) {
		case OPT_STRING:
			*(const char **)o->dest = val;
			break;
		case OPT_INT: {
			long long v;
			if (parse_ll(val, -0x7fffffffffffffffLL, 0x7fffffffffffffffLL, &v) < 0)
				return werr_set(e, 0,
						"invalid value \"%s\" for flag -%s: parse error",
						val, o->name);
			*(long long *)o->dest = v;
			break;
		}
		case OPT_STRV: {
			struct cli_strv *sv = o->dest;
			sv->v = xrealloc(sv->v, (sv->n + 1) * sizeof(*sv->v));
			sv->v[sv->n++] = val;
			break;
		}
		case OPT_BOOL:
			break;
		}
	}
	*first_arg = i;
	return help;
}

static void print_opts(FILE *out, const struct cli_opt *opts)
{
	for (const struct cli_opt *o = opts; o && o->name; o++) {
		char left[128];
		const char *vn = o->value_name ? o->value_name : "value";
		if (o->kind == OPT_BOOL)
			snprintf(left, sizeof(left), "--%s%s%c", o->name,
				 o->short_name ? ", -" : "", o->short_name ? o->short_name : ' ');
		else
			snprintf(left, sizeof(left), "--%s %s%s%c%s%s", o->name, vn,
				 o->short_name ? ", -" : "", o->short_name ? o->short_name : ' ',
				 o->short_name ? " " : "", o->short_name ? vn : "");
		fprintf(out, "   %-28s %s\n", left, o->help);
	}
}

void cli_print_app_help(FILE *out)
{
	fprintf(out,
		"NAME:\n"
		"   ward - OCI container runtime with a seccomp-notify supervisor\n\n"
		"ward runs OCI bundles with runc's command line, so container engines can use it\n"
		"unchanged. A bundle is a directory holding config.json and a root filesystem.\n\n"
		"To run a container:\n\n"
		"    # ward run [ -b bundle ] <container-id>\n\n"
		"USAGE:\n"
		"   ward [global options] command [command options] [arguments...]\n\n"
		"VERSION:\n"
		"   %s\n\n"
		"COMMANDS:\n",
		WARD_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "   %-10s  %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "   %-10s  %s\n", "help, h",
		"Shows a list of commands or help for one command");
	fprintf(out, "\nGLOBAL OPTIONS:\n");
	print_opts(out, global_opts);
}

void cli_print_command_help(FILE *out, const struct cli_command *cmd)
{
	bool has_opts = cmd->opts && cmd->opts->name;
	fprintf(out, "NAME:\n   ward %s - %s\n\nUSAGE:\n   ward %s%s%s%s\n", cmd->name,
		cmd->summary, cmd->name, has_opts ? " [command options]" : "",
		cmd->usage ? " " : "", cmd->usage ? cmd->usage : "");
	if (cmd->description)
		fprintf(out, "\nDESCRIPTION:\n   %s\n", cmd->description);
	if (has_opts) {
		fprintf(out, "\nOPTIONS:\n");
		print_opts(out, cmd->opts);
	}
}

static void print_version(void)
{
	const struct scmp_version *sv = seccomp_version();
	printf("ward version %s\ncommit: %s\nspec: %s\nlibseccomp: %u.%u.%u\n", WARD_VERSION,
	       WARD_COMMIT, OCI_SPEC_VERSION, sv ? sv->major : 0, sv ? sv->minor : 0,
	       sv ? sv->micro : 0);
}

static int usage_error(const struct cli_command *cmd, struct werr *e)
{
	log_fatal(e);
	fprintf(stderr, "Incorrect Usage: %s\n\n", e->msg);
	if (cmd)
		cli_print_command_help(stderr, cmd);
	else
		cli_print_app_help(stderr);
	return CLI_EXIT_USAGE;
}

static int run_help(int argc, char **argv)
{
	if (argc == 0) {
		cli_print_app_help(stdout);
		return 0;
	}
	const struct cli_command *cmd = cli_find_command(argv[0]);
	if (!cmd) {
		struct werr e;
		werr_set(&e, 0, "No help topic for '%s'", argv[0]);
		log_fatal(&e);
		return CLI_EXIT_NO_COMMAND;
	}
	cli_print_command_help(stdout, cmd);
	return 0;
}

static int run_command(const struct cli_command *cmd, int argc, char **argv)
{
	struct werr e;
	int first = 0;
	werr_clear(&e);

	int r = cli_parse_opts(cmd->opts ? cmd->opts : (const struct cli_opt[]){{0}}, argc, argv,
			       &first, &e);
	if (r < 0)
		return usage_error(cmd, &e);
	if (r == 1) {
		cli_print_command_help(stdout, cmd);
		return 0;
	}
	int nargs = argc - first;
	if (nargs < cmd->min_args || (cmd->max_args >= 0 && nargs > cmd->max_args)) {
		if (cmd->min_args == cmd->max_args)
			werr_set(&e, 0, "ward: \"%s\" requires exactly %d argument(s)", cmd->name,
				 cmd->min_args);
		else if (nargs < cmd->min_args)
			werr_set(&e, 0, "ward: \"%s\" requires a minimum of %d argument(s)",
				 cmd->name, cmd->min_args);
		else
			werr_set(&e, 0, "ward: \"%s\" requires a maximum of %d argument(s)",
				 cmd->name, cmd->max_args);
		return usage_error(cmd, &e);
	}
	int status = cmd->run(&global, nargs, argv + first, &e);
	if (status < 0) {
		log_fatal(&e);
		return 1;
	}
	return status;
}

int cli_main(int argc, char **argv)
{
	struct werr e;
	int first = 0;

	werr_clear(&e);
	global.argv0 = argv[0];
	int r = cli_parse_opts(global_opts, argc - 1, argv + 1, &first, &e);
	first += 1;
	if (r < 0)
		return usage_error(NULL, &e);

	enum log_format fmt = WLOG_TEXT;
	if (global.log_format && strcmp(global.log_format, "json") == 0)
		fmt = WLOG_JSON;
	else if (global.log_format && strcmp(global.log_format, "text") != 0) {
		werr_set(&e, 0, "invalid log-format: %s", global.log_format);
		log_fatal(&e);
		return 1;
	}
	if (log_open(global.log_path, fmt, global.debug, &e) < 0) {
		log_fatal(&e);
		return 1;
	}
	if (!global.root || !*global.root)
		global.root = WARD_DEFAULT_ROOT;

	int status;
	if (opt_version) {
		print_version();
		status = 0;
	} else if (r == 1 || opt_help) {
		cli_print_app_help(stdout);
		status = 0;
	} else if (first >= argc) {
		cli_print_app_help(stdout);
		status = 0;
	} else if (!strcmp(argv[first], "help") || !strcmp(argv[first], "h")) {
		status = run_help(argc - first - 1, argv + first + 1);
	} else {
		const struct cli_command *cmd = cli_find_command(argv[first]);
		if (!cmd) {
			werr_set(&e, 0, "No help topic for '%s'", argv[first]);
			log_fatal(&e);
			status = CLI_EXIT_NO_COMMAND;
		} else if (global.systemd_cgroup) {
			werr_set(&e, 0,
				 "--systemd-cgroup is not supported by ward yet: use the "
				 "cgroupfs manager (cgroupsPath as a plain path)");
			log_fatal(&e);
			status = 1;
		} else {
			status = run_command(cmd, argc - first - 1, argv + first + 1);
		}
	}
	log_close();
	return status;
}
