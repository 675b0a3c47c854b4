/* SPDX-License-Identifier: Apache-2.0 */
/* `ward exec`: flags as runc's; the process defaults to the container's own process config. */
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "cli.h"
#include "console.h"
#include "create.h"
#include "exec.h"
#include "foreground.h"
#include "process_attrs.h"

static const char *opt_console_socket, *opt_cwd, *opt_user, *opt_process, *opt_pid_file,
	*opt_apparmor, *opt_label;
static struct cli_strv opt_env, opt_caps, opt_gids;
static bool opt_tty, opt_detach, opt_nnp, opt_ignore_paused;
static long long opt_preserve_fds;

static const struct cli_opt exec_opts[] = {
	{"console-socket", 0, OPT_STRING, &opt_console_socket, NULL,
	 "path to an AF_UNIX socket which will receive a file descriptor referencing the master "
	 "end of the console's pseudoterminal"},
	{"cwd", 0, OPT_STRING, &opt_cwd, NULL, "current working directory in the container"},
	{"env", 'e', OPT_STRV, &opt_env, NULL, "set environment variables"},
	{"tty", 't', OPT_BOOL, &opt_tty, NULL, "allocate a pseudo-TTY"},
	{"user", 'u', OPT_STRING, &opt_user, NULL, "UID (format: <uid>[:<gid>])"},
	{"additional-gids", 'g', OPT_STRV, &opt_gids, NULL, "additional gids"},
	{"process", 'p', OPT_STRING, &opt_process, NULL, "path to the process.json"},
	{"detach", 'd', OPT_BOOL, &opt_detach, NULL, "detach from the container's process"},
	{"pid-file", 0, OPT_STRING, &opt_pid_file, NULL,
	 "specify the file to write the process id to"},
	{"process-label", 0, OPT_STRING, &opt_label, NULL,
	 "set the asm process label for the process commonly used with selinux"},
	{"apparmor", 0, OPT_STRING, &opt_apparmor, NULL,
	 "set the apparmor profile for the process"},
	{"no-new-privs", 0, OPT_BOOL, &opt_nnp, NULL,
	 "set the no new privileges value for the process"},
	{"cap", 'c', OPT_STRV, &opt_caps, NULL,
	 "add a capability to the bounding set for the process"},
	{"preserve-fds", 0, OPT_INT, &opt_preserve_fds, NULL,
	 "pass N additional file descriptors to the container"},
	{"ignore-paused", 0, OPT_BOOL, &opt_ignore_paused, NULL,
	 "allow exec in a paused container"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

static void replace_str(char **dst, const char *src)
{
	free(*dst);
	*dst = xstrdup(src);
}

static void append_strs(char ***v, size_t *n, const char *const *add, size_t nadd)
{
	*v = xrealloc(*v, (*n + nadd) * sizeof(**v));
	for (size_t i = 0; i < nadd; i++)
		(*v)[(*n)++] = xstrdup(add[i]);
}

static int parse_id(const char *s, uint32_t *out)
{
	long long v;
	if (parse_ll(s, 0, 0xfffffffeLL, &v) < 0)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* The container's own process, changed by the command line as runc does. */
static int process_from_flags(struct oci_process *p, int argc, char **argv, struct werr *e)
{
	for (size_t i = 0; i < p->n_args; i++)
		free(p->args[i]);
	p->n_args = 0;
	append_strs(&p->args, &p->n_args, (const char *const *)argv, (size_t)argc);
	append_strs(&p->env, &p->n_env, opt_env.v, opt_env.n);
	if (opt_cwd)
		replace_str(&p->cwd, opt_cwd);
	p->terminal = opt_tty;
	if (opt_user) {
		_cleanup_free_ char *u = xstrdup(opt_user);
		char *colon = strchr(u, ':');
		if (colon)
			*colon++ = '\0';
		if (parse_id(u, &p->user.uid) < 0 || (colon && parse_id(colon, &p->user.gid) < 0))
			return werr_code(e, EINVAL, "--user %s: expected <uid>[:<gid>] as numbers",
					 opt_user);
	}
	for (size_t i = 0; i < opt_gids.n; i++) {
		uint32_t g;
		if (parse_id(opt_gids.v[i], &g) < 0)
			return werr_code(e, EINVAL, "--additional-gids %s: not a number",
					 opt_gids.v[i]);
		p->user.additional_gids =
			xrealloc(p->user.additional_gids,
				 (p->user.n_additional_gids + 1) * sizeof(uint32_t));
		p->user.additional_gids[p->user.n_additional_gids++] = g;
	}
	/* --cap adds to bounding, effective and permitted: never inheritable (CVE-2022-29162) */
	for (size_t i = 0; i < opt_caps.n; i++)
		if (caps_add_exec_cap(&p->capabilities, opt_caps.v[i], e) < 0)
			return werr_wrap(e, "--cap");
	if (opt_nnp)
		p->no_new_privileges = true;
	if (opt_apparmor)
		replace_str(&p->apparmor_profile, opt_apparmor);
	if (opt_label)
		replace_str(&p->selinux_label, opt_label);
	return 0;
}

static int run_exec(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	struct oci_process *own = NULL;
	struct container *c = NULL;
	int rc = -1;
	if (container_open(ctx->root, argv[0], true, &c, e) < 0)
		return -1;
	enum container_status s = container_status(c);
	if (s == STATUS_STOPPED) {
		werr_set(e, 0, "cannot exec in a stopped container");
		goto out;
	}
	if (s == STATUS_PAUSED && !opt_ignore_paused) {
		werr_set(e, 0,
			 "cannot exec in a paused container (use --ignore-paused to override)");
		goto out;
	}
	const struct oci_process *proc;
	if (opt_process) {
		_cleanup_free_ char *buf = NULL;
		size_t len;
		if (read_file_at(AT_FDCWD, opt_process, OCI_CONFIG_MAX_BYTES, &buf, &len, e) < 0 ||
		    oci_process_parse(buf, len, opt_process, &own, e) < 0)
			goto out;
		proc = own;
	} else {
		if (argc < 2) {
			werr_code(e, EINVAL,
				  "exec: no command given: args or --process are required");
			goto out;
		}
		const struct oci_config *cfg = container_config(c, e);
		if (!cfg)
			goto out;
		/* we own the parsed config: edit its process in place */
		struct oci_process *p = &((struct oci_config *)cfg)->process;
		if (process_from_flags(p, argc - 1, argv + 1, e) < 0)
			goto out;
		proc = p;
	}
	if (proc->terminal && opt_detach && !opt_console_socket) {
		werr_code(e, EINVAL,
			  "cannot allocate tty if ward will detach without setting console socket");
		goto out;
	}
	int pair[2] = {-1, -1};
	struct relay t = {.master = -1};
	sigset_t all;
	if (!opt_detach) {
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		if (proc->terminal && !opt_console_socket &&
		    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
			werr_sys(e, "console socketpair");
			goto out;
		}
	}
	struct exec_opts o = {.process = proc,
			      .console_socket = opt_console_socket,
			      .console_fd = pair[1],
			      .preserve_fds = (int)opt_preserve_fds};
	pid_t pid;
	int r = container_exec(c, &o, &pid, e);
	if (pair[1] >= 0)
		close(pair[1]);
	if (r == 0 && pair[0] >= 0)
		r = recv_fd(pair[0], &t.master, e);
	if (pair[0] >= 0)
		close(pair[0]);
	if (r < 0)
		goto out;
	if (opt_pid_file && write_pid_file(opt_pid_file, pid, e) < 0)
		goto out;
	container_unlock(c);
	if (opt_detach) {
		rc = 0;
		goto out;
	}
	relay_start(&t);
	int sfd = signalfd(-1, &all, SFD_CLOEXEC);
	rc = sfd < 0 ? 255 : supervise(pid, &t, sfd);
	relay_stop(&t);
	if (sfd >= 0)
		close(sfd);
out:
	oci_process_free(own);
	container_free(c);
	return rc;
}

const struct cli_command cmd_exec = {
	.name = "exec",
	.summary = "execute new process inside the container",
	.usage = "<container-id> <command> [command options]  ||  -p process.json <container-id>",
	.description =
		"The exec command runs a new process in a container's namespaces and cgroup; "
		"in the foreground ward exits with the process's status.",
	.opts = exec_opts,
	.min_args = 1,
	.max_args = -1,
	.run = run_exec,
};
