/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The per-container supervisor: a small detached process that holds the
 * seccomp notify listeners of the container's processes and mediates the
 * calls the ward filter notifies (see runtime/ward_filter.h): network
 * operations are decided on its own copy of the arguments and emulated on a
 * duplicate of the caller's socket; exec is audited; every event can be
 * written to the audit log.
 *
 * It is its own program, ward-supervisor (shim/main.c), started by
 * supervisor_spawn() (runtime/supervisor_client.h) as
 * `ward-supervisor __supervise ...`; main() hands that to supervisor_cli().
 */
#ifndef WARD_SUPERVISOR_H
#define WARD_SUPERVISOR_H

struct supervisor_opts {
	const char *state_dir;    /* holds supervisor.sock and audit.jsonl */
	const char *container_id; /* for audit lines */
	const char *policy;       /* built-in name or absolute file path */
	int listen_fd;            /* the bound, listening control socket */
};

/* Runs the supervisor until the last listener hangs up or it is told to stop. Exit code. */
int supervisor_main(const struct supervisor_opts *o);

/* argv = {"ward-supervisor", "__supervise", "--state-dir", D, "--id", ID, "--policy", P,
 *         "--listen-fd", N} */
int supervisor_cli(int argc, char **argv);

#endif
