/* SPDX-License-Identifier: Apache-2.0 */
/* What `run` and `exec` do in the foreground: forward signals, relay a terminal, relay status. */
#ifndef WARD_FOREGROUND_H
#define WARD_FOREGROUND_H

#include <stdbool.h>
#include <sys/types.h>
#include <termios.h>

struct relay {
	int master; /* -1 without a terminal of ours */
	bool raw;
	struct termios saved;
};

/* Puts our terminal in raw mode and copies its size to the pty. */
void relay_start(struct relay *t);
void relay_stop(struct relay *t);
/* Exit code for a wait status: the status, or 128+N when killed by signal N. */
int exit_code(int status);
/*
 * Until `pid` (our child) exits: forwards every signal read from sfd to it, relays the terminal,
 * reaps orphans (we are a subreaper). Returns its exit code.
 */
int supervise(pid_t pid, struct relay *t, int sfd);

#endif
