/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Messages between `ward create` and the container's init (and the stage
 * process in between) over a SOCK_SEQPACKET socketpair: one message a
 * datagram, so no framing. An error in the child travels as SYNC_ERROR with
 * its full message and errno, and is printed once, by the parent.
 */
#ifndef WARD_SYNC_H
#define WARD_SYNC_H

#include <stdint.h>
#include <sys/types.h>

#include "../common/err.h"

enum sync_type {
	SYNC_PID = 1,    /* stage -> parent: value = init's pid */
	SYNC_GO,         /* parent -> init: id maps written, cgroup joined */
	SYNC_HOOKS,      /* init -> parent: namespaces and mounts ready, run createRuntime hooks */
	SYNC_HOOKS_DONE, /* parent -> init */
	SYNC_READY,      /* init -> parent: everything set up, waiting for start */
	SYNC_ERROR,      /* child -> parent: text is the error, value its errno */
};

struct sync_msg {
	uint32_t type;
	int32_t value;
	char text[WERR_MSG_MAX];
};

int sync_send(int fd, enum sync_type type, int32_t value, struct werr *e);
int sync_send_error(int fd, const struct werr *err);
/*
 * Receives one message and checks its type. A SYNC_ERROR from the other side is turned into
 * *e (returning -1); so is EOF (the other side died without a word).
 */
int sync_expect(int fd, enum sync_type type, int32_t *value, struct werr *e);

#endif
