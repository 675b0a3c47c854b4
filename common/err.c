/* SPDX-License-Identifier: Apache-2.0 */
#include "err.h"

#include <stdio.h>
#include <string.h>

int werr_vset(struct werr *e, int errnum, const char *fmt, va_list ap)
{
	int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(e->msg))
		n = sizeof(e->msg) - 1;
	if (errnum != 0)
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(errnum));
	e->errnum = errnum;
	return -1;
}

int werr_set(struct werr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	werr_vset(e, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int werr_code(struct werr *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	werr_vset(e, 0, fmt, ap);
	va_end(ap);
	e->errnum = errnum;
	return -1;
}

int werr_wrap(struct werr *e, const char *fmt, ...)
{
	char ctx[WERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	size_t clen = strlen(ctx);
	size_t old = strnlen(e->msg, sizeof(e->msg) - 1);
	/* shift the old message right to make room for "context: ", cutting its tail if needed */
	if (clen + 2 >= sizeof(e->msg))
		clen = sizeof(e->msg) - 3;
	size_t keep = old;
	if (clen + 2 + keep >= sizeof(e->msg))
		keep = sizeof(e->msg) - 1 - clen - 2;
	memmove(e->msg + clen + 2, e->msg, keep);
	memcpy(e->msg, ctx, clen);
	e->msg[clen] = ':';
	e->msg[clen + 1] = ' ';
	e->msg[clen + 2 + keep] = '\0';
	return -1;
}
