/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime's side of the supervisor (shim/supervisor.h): starting it,
 * handing it seccomp listeners, stopping it.
 *
 * Sequence for a container process (init, or a `ward exec` process):
 *   1. before pivot_root (the socket lives in the host's state dir) and
 *      before the ward filter is loaded (connect is a notified call):
 *         sock = supervisor_connect(state_dir, &e);
 *   2. as the last steps before execve:
 *         ward_filter_load(&filter, &listener, &e);
 *         supervisor_handoff(sock, listener, host_pid, &e);   // write + read only
 *         close(listener); close(sock);
 *         execve(...);   // audited by the supervisor under agent/audit
 * Between 2's load and handoff nothing but write/read may be called.
 */
#ifndef WARD_SUPERVISOR_CLIENT_H
#define WARD_SUPERVISOR_CLIENT_H

#include <sys/types.h>

#include "../common/err.h"

/*
 * Starts the supervisor for a container, detached: double fork + setsid, its
 * stdio on /dev/null, every other inherited fd closed, never the parent of
 * anything of the container. The control socket <state_dir>/supervisor.sock
 * is bound and listening before this returns, so connects cannot race the
 * start. The supervisor is its own binary (see supervisor_binary), executed from a
 * copy nobody can write (exe_seal_open) as
 *   ward-supervisor __supervise --state-dir D --id ID --policy P --listen-fd 3
 * A policy file path is made absolute first (the supervisor runs in "/").
 *
 * In two steps, so the container's init is set up while the supervisor starts (the
 * socket already listens): supervisor_spawn_begin returns once the helper process is
 * forked; supervisor_spawn_end waits for the exec and reports its failure, or the
 * supervisor's pid.
 */
struct supervisor_spawn {
	pid_t mid;  /* the helper process between ward and the supervisor, or -1 */
	int report; /* its report pipe: the pid, then an exec errno or EOF */
	char *binary;
};
int supervisor_spawn_begin(const char *state_dir, const char *container_id,
			   const char *policy_name_or_path, struct supervisor_spawn *sp,
			   struct werr *e);
/* Idempotent; a no-op for a spawn that never began (mid -1). */
int supervisor_spawn_end(struct supervisor_spawn *sp, pid_t *pid, struct werr *e);
/* Both steps at once: *pid is the supervisor's pid. */
int supervisor_spawn(const char *state_dir, const char *container_id,
		     const char *policy_name_or_path, pid_t *pid, struct werr *e);

/*
 * The supervisor binary (SUP_BINARY, a small static program: one runs per container, so
 * its resident memory counts): beside the ward binary that was started (before the sealed
 * re-exec), else in ../libexec/ward/ relative to it, else in WARD_LIBEXECDIR when built
 * with one. Returns a path to free, or NULL with *e naming where it looked.
 */
char *supervisor_binary(struct werr *e);

/* Uses `path` as the supervisor binary (tests: a test program that routes __supervise to
 * supervisor_cli, e.g. "/proc/self/exe"). NULL: look it up again. */
void supervisor_set_binary(const char *path);

/* Connects to <state_dir>/supervisor.sock (any path length). Returns the fd (O_CLOEXEC). */
int supervisor_connect(const char *state_dir, struct werr *e);

/*
 * Tells the supervisor that process `pid` (its pid in the supervisor's - the
 * host's - pid namespace; 0: the process that called supervisor_connect on
 * this socket) holds a listener as fd `listener_fd`, and waits until the
 * supervisor has taken its own copy (pidfd_getfd). Uses write(2) and read(2)
 * only: safe right after the ward filter was loaded.
 */
int supervisor_handoff(int sock, int listener_fd, pid_t pid, struct werr *e);

struct ward_filter;
/*
 * The last step before execve in a container process: loads the ward filter
 * and, when it has a listener, hands it to the supervisor over `sock` (from
 * supervisor_connect, made before the filter and before pivot_root) and closes
 * it. host_pid is the calling process's pid in the host pid namespace (0: the
 * process that connected `sock`). An empty filter (policy none) does nothing.
 */
int supervisor_install_filter(const struct ward_filter *f, int sock, pid_t host_pid,
			      struct werr *e);

/*
 * Asks the supervisor to stop (for `ward delete`) and waits until it has exited
 * (it is killed after 5 s). 0 if it stopped or was not running.
 */
int supervisor_stop(const char *state_dir, struct werr *e);

/* Whether a supervisor answers on the state dir's socket; *pid its pid (for `ward state`). */
int supervisor_ping(const char *state_dir, pid_t *pid, unsigned *listeners, struct werr *e);
/* Asks a running supervisor to write out the audit lines it holds; none running is fine. */
int supervisor_flush_audit(const char *state_dir, struct werr *e);

#endif
