/* SPDX-License-Identifier: Apache-2.0 */
/* Creating a container (`create`, the first half of `run`) and starting it. */
#ifndef WARD_CREATE_H
#define WARD_CREATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "container.h"

struct create_opts {
	const char *root;
	const char *id;
	const char *bundle;         /* NULL: the current directory */
	const char *console_socket; /* path given by the engine */
	int console_fd;             /* or an already connected socket (run's own relay), -1 */
	const char *pid_file;
	const char *policy;
	const char *allowed_policies; /* comma-separated; NULL: the annotation may pick any */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
};

/* Creates the container; on success init waits for start and *out holds its (locked) state. On
 * failure nothing is left: no process, cgroup, mount or state dir. */
int container_create(const struct create_opts *o, struct container **out, struct werr *e);

/* Lets a created container's init exec its process; runs poststart hooks. */
int container_start(struct container *c, struct werr *e);

/* Waits (up to timeout_ms, -1 forever) for a verified pidfd's process to exit. */
int wait_pidfd_exit(int pidfd, int timeout_ms);

/* Kills what is left, runs poststop hooks, removes the cgroup and the state dir. */
int container_destroy(struct container *c, struct werr *e);

/* Writes the pid file atomically (temp file + rename in the same directory). */
int write_pid_file(const char *path, pid_t pid, struct werr *e);

#endif
