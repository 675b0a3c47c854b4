/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp from config.json, compiled with libseccomp before clone and
 * loaded as the very last step before execve (see process_attrs.h for when
 * "last" has to come before the capability drop).
 *
 * Compilation ends with the BPF program exported from libseccomp, so loading
 * is one seccomp(2) call with the config's flags: no libseccomp work in the
 * child, and every flag the kernel has (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
 * is newer than libseccomp 2.5) works the same way. Loading never sets
 * no_new_privs by itself (libseccomp's seccomp_load() would): that is
 * process.noNewPrivileges's job.
 *
 * Semantics follow runc: unknown syscall names are skipped with a debug log;
 * a rule whose action equals the default action is skipped; errnoRet defaults
 * to EPERM for SCMP_ACT_ERRNO and SCMP_ACT_TRACE and is ignored for other
 * actions; SCMP_ACT_KILL is KILL_THREAD; when two args of one rule name the same
 * index, libseccomp cannot AND two conditions on one argument, so each arg
 * becomes a rule of its own (OR); with distinct indexes all args form one rule
 * (AND). SCMP_CMP_MASKED_EQ takes value as the mask and valueTwo as the datum.
 * SCMP_ACT_NOTIFY is refused as defaultAction and for write and sendmsg: the
 * process that loads the filter still has to hand its listener fd over, and a
 * notified call with no one listening yet would hang it forever.
 */
#ifndef WARD_SECCOMP_OCI_H
#define WARD_SECCOMP_OCI_H

#include <linux/filter.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

struct seccomp_oci {
	struct sock_fprog prog; /* exported BPF (heap, owned); len 0: no filter configured */
	bool has_notify;        /* some rule uses SCMP_ACT_NOTIFY: loading returns a listener fd */
	unsigned int flags;     /* SECCOMP_FILTER_FLAG_* requested by linux.seccomp.flags */
};

/*
 * Compiles (does not load). Errors name the field, e.g.
 *   linux.seccomp.syscalls[2].action: unknown action "SCMP_ACT_FOO"
 */
int seccomp_oci_compile(const struct oci_seccomp *s, struct seccomp_oci *out, struct werr *e);
/*
 * Loads into the calling process (TSYNC: all its threads). *listener_fd gets
 * the notify fd (O_CLOEXEC) when the filter has SCMP_ACT_NOTIFY rules, else -1.
 * Without no_new_privs the caller needs CAP_SYS_ADMIN.
 */
int seccomp_oci_load(const struct seccomp_oci *f, int *listener_fd, struct werr *e);
void seccomp_oci_release(struct seccomp_oci *f);

/* Names ward accepts (NULL-terminated, static), for `ward features`. */
const char *const *seccomp_oci_known_actions(void);
const char *const *seccomp_oci_known_operators(void);
const char *const *seccomp_oci_known_archs(void);
const char *const *seccomp_oci_known_flags(void);
/* Whether this kernel accepts the flag (probed without installing anything). */
bool seccomp_oci_flag_supported(const char *name);

/*
 * The runtime-spec "ContainerProcessState" sent to listenerPath:
 *   {"ociVersion":..,"fds":["seccompFd"],"pid":..,"metadata":..,"state":{..}}
 * metadata (listenerMetadata) is left out when NULL or empty; state_json is the
 * container's state object (as `ward state` prints it). Heap string.
 */
char *seccomp_oci_process_state(const char *metadata, pid_t pid, const char *state_json);

/*
 * linux.seccomp.listenerPath: connects to the agent's unix stream socket and
 * sends the ContainerProcessState with the listener fd as SCM_RIGHTS in the same
 * sendmsg, as the runtime-spec describes.
 */
/*
 * The same in two steps, for container processes that send after pivot_root: the runtime
 * connects on the host side (the path resolves in the runtime's mount namespace) and the
 * container process sends over the inherited socket.
 */
int seccomp_oci_agent_connect(const char *listener_path, struct werr *e);
int seccomp_oci_send_listener_on(int sock, const char *metadata, pid_t pid, const char *state_json,
				 int listener_fd, struct werr *e);
int seccomp_oci_send_listener(const char *listener_path, const char *metadata, pid_t pid,
			      const char *state_json, int listener_fd, struct werr *e);

#endif
