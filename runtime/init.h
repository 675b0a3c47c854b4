/* SPDX-License-Identifier: Apache-2.0 */
/* The container's init: runs in the new namespaces, sets everything up, waits for start, execs. */
#ifndef WARD_INIT_H
#define WARD_INIT_H

#include <stdbool.h>

#include "../oci-spec/oci_config.h"
#include "namespaces.h"
#include "policy.h"
#include "seccomp_oci.h"
#include "ward_filter.h"

#define PRESERVE_FDS_MAX 1024

struct init_ctx {
	const struct oci_config *cfg;
	const char *id;
	const char *bundle;
	int sync_fd;    /* our end of the socketpair with `ward create` */
	int listen_fd;  /* init.sock: `ward start` connects here */
	int console_fd; /* where the pty master goes, -1 without a terminal */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
	const unsigned char *inherited; /* inherited[i]: fd 3+i came from our caller */
	const struct ns_plan *plan;
	struct seccomp_oci *seccomp; /* compiled before clone, NULL when the config has none */
	bool direct_child;           /* cloned by `ward create` itself, not by a stage process */
	const int *idmap_fds;        /* detached idmapped mounts made on the host side, or NULL */
	const struct ward_filter *ward; /* the policy's filter; prog.len 0 under policy none */
	int sup_sock;                   /* connected to the supervisor, -1 without one */
	int agent_sock;                 /* connected to linux.seccomp.listenerPath, -1 */
	int state_lock_fd; /* create's lock: ours to drop, or `start` would wait on it */
	int state_dir_fd;
	const struct ward_policy *policy; /* its file rules become a Landlock domain */
};

void __attribute__((noreturn)) container_init(const struct init_ctx *ctx);

/* Finds argv0 along PATH (from env) the way execvp would; returns a heap path. */
char *init_lookup_executable(const char *argv0, char *const *env, size_t n_env, struct werr *e);

/* Marks every fd close-on-exec except 0-2 and the preserved ones that came from our caller. */
int init_prepare_fds(int preserve_fds, const unsigned char *inherited, struct werr *e);
/* Default dispositions and an empty mask, as a fresh process expects. */
void init_reset_signals(void);

/* Which of fds 3..3+PRESERVE_FDS_MAX were open when ward started (before it opened any). */
extern unsigned char ward_inherited_fds[PRESERVE_FDS_MAX];
void record_inherited_fds(void);

#endif
