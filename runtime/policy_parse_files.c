/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file side of a policy document:
 *
 *   "files": {
 *     "readOnly":   ["/"],
 *     "writable":   ["/tmp", "$cwd"],
 *     "executable": ["/bin", "/usr", "$cwd"],
 *     "hidden":     ["/run/secrets"],
 *     "mountReadOnly": true
 *   },
 *   "proc": { "virtualize": true },
 *   "landlock": "best-effort" | "required" | "off"
 *
 * Paths are container paths, absolute, without "." or ".." components (a policy
 * names places, it does not walk); "$cwd" stands for the container's process.cwd.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "policy_parse_internal.h"

#define POLICY_PATH_MAX  4096
#define POLICY_PATHS_MAX 1024

/* Checks one path and returns its normal form (single slashes, no trailing one), or NULL. */
static char *clean_path(struct pctx *c, const char *where, const char *s)
{
	const char *rest = s;
	if (strncmp(s, "$cwd", 4) == 0 && (s[4] == '\0' || s[4] == '/'))
		rest = s + 4;
	else if (s[0] != '/') {
		pp_fail(c, where, "\"%s\" is not an absolute path (or \"$cwd\")", s);
		return NULL;
	}
	if (strlen(s) > POLICY_PATH_MAX) {
		pp_fail(c, where, "longer than %d bytes", POLICY_PATH_MAX);
		return NULL;
	}
	char *out = xcalloc(1, strlen(s) + 2);
	size_t n = (size_t)(rest - s);
	memcpy(out, s, n);
	const char *p = rest;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t len = strcspn(p, "/");
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
			pp_fail(c, where,
				"\"%s\": \".\" and \"..\" are not allowed in policy paths", s);
			free(out);
			return NULL;
		}
		out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
		p += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

static int parse_path_set(struct pctx *c, yajl_val obj, const char *base, const char *key,
			  struct ward_path_set *set)
{
	yajl_val arr;
	if (pp_get_array(c, obj, base, key, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	char path[PATH_MAX_LEN];
	pp_subpath(path, base, key);
	size_t n = arr->u.array.len;
	if (n > POLICY_PATHS_MAX)
		return pp_fail(c, path, "more than %d paths", POLICY_PATHS_MAX);
	set->paths = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		yajl_val v = arr->u.array.values[i];
		char p[PATH_MAX_LEN];
		pp_indexpath(p, path, i);
		if (!YAJL_IS_STRING(v))
			return pp_fail(c, p, "expected a path string, got %s", pp_type_name(v));
		char *clean = clean_path(c, p, YAJL_GET_STRING(v));
		if (!clean)
			return -1;
		set->paths[set->n++] = clean;
	}
	return 0;
}

int pp_parse_files(struct pctx *c, yajl_val files, struct ward_policy *pol)
{
	static const char *const keys[] = {"readOnly", "writable",      "executable",
					   "hidden",   "mountReadOnly", NULL};
	const char *base = "files";
	if (pp_check_keys(c, files, base, keys) < 0)
		return -1;
	pol->files.present = true;
	pol->files.mount_read_only = true;
	if (parse_path_set(c, files, base, "readOnly", &pol->files.read_only) < 0 ||
	    parse_path_set(c, files, base, "writable", &pol->files.writable) < 0 ||
	    parse_path_set(c, files, base, "executable", &pol->files.executable) < 0 ||
	    parse_path_set(c, files, base, "hidden", &pol->files.hidden) < 0 ||
	    pp_get_bool(c, files, base, "mountReadOnly", &pol->files.mount_read_only) < 0)
		return -1;
	for (size_t i = 0; i < pol->files.hidden.n; i++)
		if (strcmp(pol->files.hidden.paths[i], "/") == 0) {
			char p[PATH_MAX_LEN];
			pp_indexpath(p, "files.hidden", i);
			return pp_fail(c, p, "the root cannot be hidden");
		}
	return 0;
}

int pp_parse_proc(struct pctx *c, yajl_val proc, struct ward_policy *pol)
{
	static const char *const keys[] = {"virtualize", NULL};
	if (pp_check_keys(c, proc, "proc", keys) < 0)
		return -1;
	return pp_get_bool(c, proc, "proc", "virtualize", &pol->proc.virtualize);
}

int pp_parse_landlock(struct pctx *c, yajl_val v, struct ward_policy *pol)
{
	if (!YAJL_IS_STRING(v))
		return pp_fail(c, "landlock", "expected a string, got %s", pp_type_name(v));
	const char *s = YAJL_GET_STRING(v);
	if (strcmp(s, "best-effort") == 0)
		pol->landlock = WARD_LANDLOCK_BEST_EFFORT;
	else if (strcmp(s, "required") == 0)
		pol->landlock = WARD_LANDLOCK_REQUIRED;
	else if (strcmp(s, "off") == 0)
		pol->landlock = WARD_LANDLOCK_OFF;
	else
		return pp_fail(c, "landlock",
			       "invalid mode \"%s\" (expected \"best-effort\", \"required\" or "
			       "\"off\")",
			       s);
	return 0;
}

static void free_set(struct ward_path_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
	s->paths = NULL;
	s->n = 0;
}

void pp_free_files(struct ward_policy *pol)
{
	free_set(&pol->files.read_only);
	free_set(&pol->files.writable);
	free_set(&pol->files.executable);
	free_set(&pol->files.hidden);
}
