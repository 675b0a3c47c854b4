/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's terminal: a pty from the container's own devpts instance,
 * the peer (slave) opened with TIOCGPTPEER from the master fd - never by a
 * path the container could have swapped - and the master handed to the
 * engine over --console-socket with SCM_RIGHTS.
 */
#ifndef WARD_CONSOLE_H
#define WARD_CONSOLE_H

#include <stdint.h>

#include "../common/err.h"

/* Connects to the engine's console socket (a unix stream socket path). */
int console_socket_connect(const char *path, struct werr *e);
/* Opens a new pty through ptmx_fd's devpts (an fd of ptmx, e.g. <rootfs>/dev/pts/ptmx) and
 * verifies both ends really live on a devpts filesystem. */
int console_open_pty(int ptmx_dirfd, const char *ptmx_path, int *master, int *slave,
		     struct werr *e);
int console_set_size(int fd, uint32_t rows, uint32_t cols, struct werr *e);
/* Sends fd over a unix socket with SCM_RIGHTS, with `name` as the payload. */
int send_fd(int sock, const char *name, int fd, struct werr *e);
/* Receives one fd (and discards the payload). */
int recv_fd(int sock, int *fd, struct werr *e);
/* Makes the slave the controlling terminal and stdio of the calling process (after setsid). */
int console_make_controlling(int slave, struct werr *e);

#endif
