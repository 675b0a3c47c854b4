/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one error type of ward. A failing function fills a struct werr with
 * what went wrong (and the errno of the root cause, if any) and returns -1;
 * each caller that adds meaning prepends its context with werr_wrap().  The
 * message is printed exactly once, by the command's top level.
 */
#ifndef WARD_ERR_H
#define WARD_ERR_H

#include <errno.h>
#include <stdarg.h>

#define WERR_MSG_MAX 2048

struct werr {
	int errnum;             /* errno of the root cause, 0 when there is none */
	char msg[WERR_MSG_MAX]; /* "context: context: cause[: strerror]" */
};

/* Sets the message (with ": strerror(errnum)" appended when errnum != 0). Returns -1. */
int werr_set(struct werr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int werr_vset(struct werr *e, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Like werr_set, but the message is complete as given: errnum only tags the cause for callers
 * (e.g. ENOENT for "container does not exist") and is not spelled out. Returns -1. */
int werr_code(struct werr *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "context: " to the message, keeping errnum. Returns -1. */
int werr_wrap(struct werr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Shorthand for a failed system call: werr_set(e, errno, ...). Returns -1. */
#define werr_sys(e, ...) werr_set((e), errno, __VA_ARGS__)

static inline void werr_clear(struct werr *e)
{
	e->errnum = 0;
	e->msg[0] = '\0';
}

#endif
