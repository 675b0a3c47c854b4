/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A minimal TAP producer for the C unit tests: each check prints one
 * "ok N - name" or "not ok N - name" line; tests/run counts them across all
 * suites. Header-only so every test binary is a single file.
 */
#ifndef WARD_TAP_H
#define WARD_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 3))) static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define TAP_OK(cond, ...)                                                                          \
	do {                                                                                       \
		if (!tap_ok(!!(cond), __VA_ARGS__))                                                \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond);            \
	} while (0)

#define TAP_STREQ(a, b, ...)                                                                       \
	do {                                                                                       \
		const char *tap_a_ = (a), *tap_b_ = (b);                                           \
		if (!tap_ok(tap_a_ && tap_b_ && strcmp(tap_a_, tap_b_) == 0, __VA_ARGS__))         \
			printf("#   at %s:%d\n#   got:      %s\n#   expected: %s\n", __FILE__,     \
			       __LINE__, tap_a_ ? tap_a_ : "(null)", tap_b_ ? tap_b_ : "(null)");  \
	} while (0)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
