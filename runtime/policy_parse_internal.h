/* SPDX-License-Identifier: Apache-2.0 */
/* The strict JSON walk shared by the policy_parse*.c files; not an API. */
#ifndef WARD_POLICY_PARSE_INTERNAL_H
#define WARD_POLICY_PARSE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "policy.h"

/* JSON paths are short; one that does not fit is cut (and still names the start). */
#define PATH_MAX_LEN 256

struct pctx {
	const char *origin;
	struct werr *e;
};

/* Fails with "<origin>: <path>: <message>"; returns -1. */
__attribute__((format(printf, 3, 4))) int pp_fail(struct pctx *c, const char *path, const char *fmt,
						  ...);
void pp_subpath(char *out, const char *base, const char *key);
void pp_indexpath(char *out, const char *base, size_t i);
const char *pp_type_name(yajl_val v);
/* Every key must be in `allowed` (NULL-terminated); "comment" is always allowed. */
int pp_check_keys(struct pctx *c, yajl_val obj, const char *path, const char *const *allowed);
yajl_val pp_field(yajl_val obj, const char *key);
/* Typed getters: absent fields leave *out alone and succeed. */
int pp_get_string(struct pctx *c, yajl_val obj, const char *base, const char *key,
		  const char **out);
int pp_get_bool(struct pctx *c, yajl_val obj, const char *base, const char *key, bool *out);
int pp_get_uint(struct pctx *c, yajl_val obj, const char *base, const char *key,
		unsigned long long min, unsigned long long max, unsigned long long *out);
int pp_get_action(struct pctx *c, yajl_val obj, const char *base, const char *key,
		  enum ward_action *out);
int pp_get_errno(struct pctx *c, yajl_val obj, const char *base, const char *key, int *out);
/* An array field: *out is NULL when absent. */
int pp_get_array(struct pctx *c, yajl_val obj, const char *base, const char *key, yajl_val *out);

/* The "files", "proc" and "landlock" members (policy_parse_files.c). */
int pp_parse_files(struct pctx *c, yajl_val files, struct ward_policy *pol);
int pp_parse_proc(struct pctx *c, yajl_val proc, struct ward_policy *pol);
int pp_parse_landlock(struct pctx *c, yajl_val v, struct ward_policy *pol);
void pp_free_files(struct ward_policy *pol);

#endif
