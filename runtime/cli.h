/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The command-line frame shared by every command: runc's global flags, Go
 * flag-package parsing rules (flags stop at the first argument that is not a
 * flag, `--flag=v` and `--flag v` both work, one or two dashes), urfave/cli
 * style help, and runc's exit codes for usage errors.
 */
#ifndef WARD_CLI_H
#define WARD_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "../common/err.h"

#define WARD_DEFAULT_ROOT "/run/ward"

enum cli_opt_kind {
	OPT_BOOL,   /* bool *: --x, --x=true, --x=false */
	OPT_STRING, /* const char **: last one wins */
	OPT_INT,    /* long long * (decimal) */
	OPT_STRV,   /* struct cli_strv *: repeatable */
};

struct cli_strv {
	const char **v;
	size_t n;
};

struct cli_opt {
	const char *name; /* long name without dashes; NULL ends a table */
	char short_name;  /* alias such as 'b' for -b; 0 when none */
	enum cli_opt_kind kind;
	void *dest;
	const char *value_name; /* "value" when NULL */
	const char *help;
};

/* What every command sees: the global options. */
struct cli_ctx {
	const char *root;
	const char *log_path;
	const char *log_format;
	bool debug;
	bool systemd_cgroup;
	const char *policy;
	const char *allowed_policies; /* what the annotation may pick, NULL: anything */
	const char *rootless;
	const char *criu;
	const char *argv0;
};

struct cli_command {
	const char *name;
	const char *summary;
	const char *usage; /* arguments after the options, e.g. "<container-id>" */
	const char *description;
	const struct cli_opt *opts;
	int min_args, max_args; /* max_args -1: unlimited */
	/* Returns the process exit status (>= 0) or -1 with *e set. */
	int (*run)(struct cli_ctx *ctx, int argc, char **argv, struct werr *e);
};

/* Exit status used when the command line itself is wrong (runc: 1; unknown command: 3). */
#define CLI_EXIT_USAGE      1
#define CLI_EXIT_NO_COMMAND 3

/*
 * Parses options from argv[0..argc) into the table. On success *first_arg is the
 * index of the first positional argument. Returns 1 if --help/-h was given,
 * 0 on success, -1 on an unknown flag or bad value (*e says which, in Go's words).
 */
int cli_parse_opts(const struct cli_opt *opts, int argc, char **argv, int *first_arg,
		   struct werr *e);

void cli_print_app_help(FILE *out);
void cli_print_command_help(FILE *out, const struct cli_command *cmd);
const struct cli_command *cli_find_command(const char *name);

/* Runs the whole command line; returns the exit status. */
int cli_main(int argc, char **argv);

/* Each command, defined in its own cmd_*.c file. */
extern const struct cli_command cmd_audit, cmd_create, cmd_delete, cmd_events, cmd_exec,
	cmd_features, cmd_kill, cmd_list, cmd_pause, cmd_ps, cmd_resume, cmd_run, cmd_spec,
	cmd_start, cmd_state, cmd_update;

#endif
