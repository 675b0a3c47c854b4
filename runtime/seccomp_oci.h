/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp from config.json, compiled with libseccomp before clone and
 * loaded as the very last step before execve.
 */
#ifndef WARD_SECCOMP_OCI_H
#define WARD_SECCOMP_OCI_H

#include <seccomp.h>
#include <stdbool.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

struct seccomp_oci {
	scmp_filter_ctx ctx;
	bool has_notify;   /* some rule uses SCMP_ACT_NOTIFY: loading returns a listener fd */
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* requested by linux.seccomp.flags */
};

/* Compiles (does not load). Unknown syscall names are skipped with a debug log, like runc. */
int seccomp_oci_compile(const struct oci_seccomp *s, struct seccomp_oci *out, struct werr *e);
/* Loads into the calling thread/process. *listener_fd gets the notify fd or -1. */
int seccomp_oci_load(struct seccomp_oci *f, int *listener_fd, struct werr *e);
void seccomp_oci_release(struct seccomp_oci *f);

/*
 * linux.seccomp.listenerPath: connects to the agent's unix socket and sends the
 * container process state (runtime-spec "ContainerProcessState") with the listener fd.
 */
int seccomp_oci_send_listener(const char *listener_path, const char *state_json, int listener_fd,
                              struct werr *e);

#endif
