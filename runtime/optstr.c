/* SPDX-License-Identifier: Apache-2.0 */
#include "optstr.h"

#include <string.h>

int optstr_next(const char **p, const char **name, size_t *namesz, const char **value,
		size_t *valuesz)
{
	const char *s = *p;
	if (!*s)
		return 1;
	const char *start = s, *eq = NULL;
	bool quoted = false;
	for (; *s && (quoted || *s != ','); s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '=' && !eq && !quoted)
			eq = s;
	}
	if (quoted || s == start)
		return -1;
	*name = start;
	*namesz = (size_t)((eq ? eq : s) - start);
	*value = eq ? eq + 1 : NULL;
	*valuesz = eq ? (size_t)(s - eq - 1) : 0;
	/* a trailing comma ends the list; two in a row are an empty option (next call) */
	*p = *s == ',' && s[1] ? s + 1 : s + (*s == ',');
	return 0;
}

bool optstr_has(const char *optstr, const char *name, const char **value, size_t *valuesz)
{
	size_t len = strlen(name);
	const char *p = optstr, *n, *v;
	size_t nl, vl;
	while (p && optstr_next(&p, &n, &nl, &v, &vl) == 0) {
		if (nl == len && strncmp(n, name, len) == 0) {
			if (value)
				*value = v;
			if (valuesz)
				*valuesz = vl;
			return true;
		}
	}
	return false;
}
