/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The musl builds of ward and ward-supervisor link Debian's static libyajl, libseccomp and
 * (ward) libcap, which were compiled against glibc with _FORTIFY_SOURCE: their calls go to
 * glibc's checked variants.
 * musl has none, so these are they, with glibc's contract: abort when the destination is
 * smaller than what would be written.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len);
int __snprintf_chk(char *buf, size_t n, int flag, size_t buf_len, const char *fmt, ...);
int __sprintf_chk(char *buf, int flag, size_t buf_len, const char *fmt, ...);
int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
int __asprintf_chk(char **out, int flag, const char *fmt, ...);

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len)
{
	if (n > dst_len)
		abort();
	return memcpy(dst, src, n);
}

int __snprintf_chk(char *buf, size_t n, int flag, size_t buf_len, const char *fmt, ...)
{
	(void)flag;
	if (n > buf_len)
		abort();
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

int __sprintf_chk(char *buf, int flag, size_t buf_len, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	/* (size_t)-1: the compiler did not know the size */
	int r = buf_len > INT_MAX ? vsprintf(buf, fmt, ap) : vsnprintf(buf, buf_len, fmt, ap);
	va_end(ap);
	if (r >= 0 && (size_t)r >= buf_len)
		abort();
	return r;
}

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int __asprintf_chk(char **out, int flag, const char *fmt, ...)
{
	(void)flag;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(out, fmt, ap);
	va_end(ap);
	return r;
}
