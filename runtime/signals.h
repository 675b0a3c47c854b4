/* SPDX-License-Identifier: Apache-2.0 */
#ifndef WARD_SIGNALS_H
#define WARD_SIGNALS_H

/* "KILL", "SIGKILL", "kill" or "9" to a signal number; -1 when unknown. */
int signal_parse(const char *s);

#endif
