/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Comma-separated option strings as mount(8) and /proc/self/mountinfo write them:
 * "rw,mode=755,context="a,b"". A double-quoted part of a value keeps its commas.
 */
#ifndef WARD_OPTSTR_H
#define WARD_OPTSTR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The option at *p, advancing *p past it: its name and, after "=", its value (quotes
 * included), or *value = NULL without "=". 0: one option; 1: the end of the string;
 * -1: malformed (an empty option between commas, an unterminated quote).
 */
int optstr_next(const char **p, const char **name, size_t *namesz, const char **value,
		size_t *valuesz);

/* Whether the string has option `name` ("name" or "name=..."); its value when asked. */
bool optstr_has(const char *optstr, const char *name, const char **value, size_t *valuesz);

#endif
