/* SPDX-License-Identifier: Apache-2.0 */
/* `ward exec`: a new process inside a running container's namespaces and cgroup. */
#ifndef WARD_EXEC_H
#define WARD_EXEC_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"
#include "container.h"

struct exec_opts {
	const struct oci_process *process;
	const char *console_socket;
	int console_fd; /* or a connected socket of our own (-1) */
	int preserve_fds;
};

/* Starts the process; returns once it has exec'd (or failed to), with its pid in *pid. The
 * process is our child. */
int container_exec(struct container *c, const struct exec_opts *o, pid_t *pid, struct werr *e);

#endif
