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

int werr_wrap(struct werr *e, const char *fmt, ...)
{
	char ctx[WERR_MSG_MAX];
	char old[WERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	snprintf(e->msg, sizeof(e->msg), "%s: %s", ctx, old);
	return -1;
}
