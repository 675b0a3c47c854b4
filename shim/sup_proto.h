/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supervisor's control protocol on <statedir>/supervisor.sock (a unix
 * SOCK_SEQPACKET socket, mode 0600): one fixed-size message per record, one
 * reply per message.
 *
 * HANDOFF tells the supervisor "process `pid` holds a seccomp listener as fd
 * number `fd`": the supervisor takes it itself with pidfd_getfd(2). The
 * filtered process cannot send it with SCM_RIGHTS: sendmsg is one of the
 * calls its own new filter notifies, and nobody would answer. write(2) and
 * read(2) are never notified, so the handoff uses only those (the connection
 * itself is made before the filter is loaded). A message that carries an fd
 * as SCM_RIGHTS anyway (from an unfiltered helper) is accepted too.
 * The client waits for the reply before it closes its copy of the listener.
 */
#ifndef WARD_SUP_PROTO_H
#define WARD_SUP_PROTO_H

#include <stdint.h>

#define SUP_MAGIC       0x50555357u /* "WSUP" little-endian */
#define SUP_VERSION     1
#define SUP_SOCKET_NAME "supervisor.sock"
#define SUP_ARGV1       "__supervise"
#define SUP_BINARY      "ward-supervisor" /* beside ward, or in <prefix>/libexec/ward */

enum sup_msg_type {
	SUP_MSG_HANDOFF = 1, /* pid, fd: take the listener */
	SUP_MSG_STOP = 2,    /* close every listener (fail closed) and exit */
	SUP_MSG_PING = 3,    /* reply with the supervisor's pid */
	SUP_MSG_FLUSH = 4,   /* reply once the audit lines queued so far are in the file */
};

struct sup_msg {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	int32_t pid; /* host pid of the process holding the listener; 0: the connecting one */
	int32_t fd;  /* listener fd number in that process */
};

struct sup_reply {
	uint32_t magic;
	int32_t error; /* 0 or an errno */
	int32_t pid;   /* the supervisor's pid */
	uint32_t listeners;
};

#endif
