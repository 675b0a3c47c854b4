/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runc-compatible logging. `--log FILE` and `--log-format text|json` choose
 * where and how; the json form is one {"level","msg","time"} object a line,
 * which is what containerd's shim reads back when a runtime command fails.
 */
#ifndef WARD_LOG_H
#define WARD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include "err.h"

enum log_level { WLOG_DEBUG, WLOG_INFO, WLOG_WARN, WLOG_ERROR };
enum log_format { WLOG_TEXT, WLOG_JSON };

/* path NULL or "" means stderr. Without `debug`, debug lines are dropped. */
int log_open(const char *path, enum log_format fmt, bool debug, struct werr *e);
void log_close(void);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(WLOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(WLOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(WLOG_WARN, __VA_ARGS__)

/*
 * Reports a command's final error, once: to the log, and also to stderr when
 * the log is a file (so a person at a terminal sees it, as with runc).
 */
void log_fatal(const struct werr *e);

bool log_debug_enabled(void);

/* Formats one log line into buf (exposed for the unit tests). */
int log_format_line(char *buf, size_t len, enum log_format fmt, enum log_level lvl, const char *msg,
		    long long epoch_sec);

#endif
