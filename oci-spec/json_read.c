/* SPDX-License-Identifier: Apache-2.0 */
/* Typed readers over a jnode tree; every refusal names the JSON path and says why. */
#include "json_read.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "oci_config.h"

int jerr(const struct jctx *cx, const struct jpath *p, const char *fmt, ...)
{
	char path[512], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!p)
		return werr_set(cx->e, 0, "%s: %s", cx->origin, msg);
	jpath_render(p, path, sizeof(path));
	return werr_set(cx->e, 0, "%s: %s: %s", cx->origin, path, msg);
}

const char *jtype_desc(const struct jnode *n)
{
	switch (n->type) {
	case JT_NULL:
		return "null";
	case JT_BOOL:
		return "a boolean";
	case JT_NUMBER:
		return n->integral ? "an integer" : "a number";
	case JT_STRING:
		return "a string";
	case JT_OBJECT:
		return "an object";
	case JT_ARRAY:
		return "an array";
	}
	return "a value";
}

static const char *want_desc(enum jtype t)
{
	switch (t) {
	case JT_NULL:
		return "null";
	case JT_BOOL:
		return "a boolean";
	case JT_NUMBER:
		return "a number";
	case JT_STRING:
		return "a string";
	case JT_OBJECT:
		return "an object";
	case JT_ARRAY:
		return "an array";
	}
	return "a value";
}

static bool key_is(const struct jnode *n, const char *name, size_t len)
{
	return n->key_len == len && memcmp(n->key, name, len) == 0;
}

const struct jnode *jobj_member(const struct jnode *obj, const char *name)
{
	const struct jnode *found = NULL;
	size_t len = strlen(name);
	for (const struct jnode *m = obj->u.kids.first; m; m = m->next)
		if (key_is(m, name, len))
			found = m;
	return found;
}

struct member_ref {
	const struct jnode *n;
	size_t pos;
};

static int cmp_member(const void *a, const void *b)
{
	const struct member_ref *x = a, *y = b;
	size_t l = x->n->key_len < y->n->key_len ? x->n->key_len : y->n->key_len;
	int c = memcmp(x->n->key, y->n->key, l);
	if (c)
		return c;
	if (x->n->key_len != y->n->key_len)
		return x->n->key_len < y->n->key_len ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

static int cmp_pos(const void *a, const void *b)
{
	const struct member_ref *x = a, *y = b;
	return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

size_t jobj_unique_members(const struct jnode *obj, const struct jnode ***out)
{
	size_t n = obj->u.kids.n, k = 0, i = 0;
	*out = NULL;
	if (n == 0)
		return 0;
	/* sort by (key, position) so that repeats sit together, keep each run's last */
	struct member_ref *refs = xcalloc(n, sizeof(*refs));
	for (const struct jnode *m = obj->u.kids.first; m; m = m->next, i++) {
		refs[i].n = m;
		refs[i].pos = i;
	}
	qsort(refs, n, sizeof(*refs), cmp_member);
	for (i = 0; i < n; i++) {
		bool repeated = i + 1 < n && refs[i + 1].n->key_len == refs[i].n->key_len &&
				memcmp(refs[i + 1].n->key, refs[i].n->key, refs[i].n->key_len) == 0;
		if (!repeated)
			refs[k++] = refs[i];
	}
	qsort(refs, k, sizeof(*refs), cmp_pos);
	const struct jnode **v = xcalloc(k, sizeof(*v));
	for (i = 0; i < k; i++)
		v[i] = refs[i].n;
	free(refs);
	*out = v;
	return k;
}

/* ---- values ---- */

int jv_type(const struct jctx *cx, const struct jpath *p, const struct jnode *n, enum jtype t)
{
	if (n->type != t)
		return jerr(cx, p, "expected %s, got %s", want_desc(t), jtype_desc(n));
	return 0;
}

int jv_str(const struct jctx *cx, const struct jpath *p, const struct jnode *n, char **out)
{
	if (jv_type(cx, p, n, JT_STRING) < 0)
		return -1;
	/* a NUL would silently cut paths and names short in every C consumer */
	if (strlen(n->u.str.s) != n->u.str.len)
		return jerr(cx, p, "string contains a NUL character");
	*out = xstrdup(n->u.str.s);
	return 0;
}

int jv_bool(const struct jctx *cx, const struct jpath *p, const struct jnode *n, bool *out)
{
	if (jv_type(cx, p, n, JT_BOOL) < 0)
		return -1;
	*out = n->b;
	return 0;
}

/* An integer number, or an error saying what it is instead. */
static int want_integer(const struct jctx *cx, const struct jpath *p, const struct jnode *n)
{
	char q[96];
	if (n->type != JT_NUMBER)
		return jerr(cx, p, "expected an integer, got %s", jtype_desc(n));
	if (!n->integral) {
		jquote(n->u.str.s, n->u.str.len, q, sizeof(q));
		return jerr(cx, p, "expected an integer, got a non-integer number %s", q);
	}
	return 0;
}

/* The number's text for a range message, shortened when absurdly long. */
static void number_text(const struct jnode *n, char *buf, size_t size)
{
	if (n->u.str.len < 40)
		snprintf(buf, size, "%s", n->u.str.s);
	else
		snprintf(buf, size, "%.20s...(%zu digits)", n->u.str.s, n->u.str.len);
}

int jv_int(const struct jctx *cx, const struct jpath *p, const struct jnode *n, int64_t min,
	   int64_t max, int64_t *out)
{
	char t[64];
	if (want_integer(cx, p, n) < 0)
		return -1;
	errno = 0;
	char *end;
	long long v = strtoll(n->u.str.s, &end, 10);
	if (errno || *end || v < min || v > max) {
		number_text(n, t, sizeof(t));
		return jerr(cx, p, "value %s out of range (%" PRId64 "..%" PRId64 ")", t, min, max);
	}
	*out = v;
	return 0;
}

int jv_uint(const struct jctx *cx, const struct jpath *p, const struct jnode *n, uint64_t max,
	    uint64_t *out)
{
	char t[64];
	if (want_integer(cx, p, n) < 0)
		return -1;
	const char *s = n->u.str.s;
	bool neg = s[0] == '-';
	if (neg && strcmp(s, "-0") == 0) {
		*out = 0;
		return 0;
	}
	errno = 0;
	char *end;
	unsigned long long v = neg ? 0 : strtoull(s, &end, 10);
	if (neg || errno || *end || v > max) {
		number_text(n, t, sizeof(t));
		return jerr(cx, p, "value %s out of range (0..%" PRIu64 ")", t, max);
	}
	*out = v;
	return 0;
}

/* ---- members ---- */

/*
 * Looks a member up. Returns 1 with *out set when it holds a value, 0 when it
 * is absent or null (allowed unless required), -1 on error.
 */
static int member(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
		  const char *name, bool required, const char *want, const struct jnode **out)
{
	const struct jnode *n = jobj_member(obj, name);
	*out = n;
	if (n && n->type != JT_NULL)
		return 1;
	if (!required)
		return 0;
	struct jpath p = JP_FIELD_OF(up, name);
	if (n)
		return jerr(cx, &p, "expected %s, got null", want);
	return jerr(cx, &p, "required field missing");
}

int jf_str(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, char **out)
{
	const struct jnode *n;
	int r = member(cx, up, obj, name, required, "a string", &n);
	if (r <= 0)
		return r;
	struct jpath p = JP_FIELD_OF(up, name);
	return jv_str(cx, &p, n, out);
}

int jf_bool(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
	    const char *name, bool required, bool *out, bool *has)
{
	const struct jnode *n;
	int r = member(cx, up, obj, name, required, "a boolean", &n);
	if (has)
		*has = false;
	if (r <= 0)
		return r;
	struct jpath p = JP_FIELD_OF(up, name);
	if (jv_bool(cx, &p, n, out) < 0)
		return -1;
	if (has)
		*has = true;
	return 0;
}

int jf_int_range(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
		 const char *name, bool required, int64_t min, int64_t max, int64_t *out, bool *has)
{
	const struct jnode *n;
	int r = member(cx, up, obj, name, required, "an integer", &n);
	if (has)
		*has = false;
	if (r <= 0)
		return r;
	struct jpath p = JP_FIELD_OF(up, name);
	if (jv_int(cx, &p, n, min, max, out) < 0)
		return -1;
	if (has)
		*has = true;
	return 0;
}

static int uint_range(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
		      const char *name, bool required, uint64_t max, uint64_t *out, bool *has)
{
	const struct jnode *n;
	int r = member(cx, up, obj, name, required, "an integer", &n);
	if (has)
		*has = false;
	if (r <= 0)
		return r;
	struct jpath p = JP_FIELD_OF(up, name);
	if (jv_uint(cx, &p, n, max, out) < 0)
		return -1;
	if (has)
		*has = true;
	return 0;
}

int jf_i64(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, int64_t *out, bool *has)
{
	return jf_int_range(cx, up, obj, name, required, INT64_MIN, INT64_MAX, out, has);
}

int jf_u64(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, uint64_t *out, bool *has)
{
	return uint_range(cx, up, obj, name, required, UINT64_MAX, out, has);
}

int jf_i32(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, int32_t *out, bool *has)
{
	int64_t v;
	bool h;
	if (jf_int_range(cx, up, obj, name, required, INT32_MIN, INT32_MAX, &v, &h) < 0)
		return -1;
	if (h)
		*out = (int32_t)v;
	if (has)
		*has = h;
	return 0;
}

int jf_u32(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, uint32_t *out, bool *has)
{
	uint64_t v;
	bool h;
	if (uint_range(cx, up, obj, name, required, UINT32_MAX, &v, &h) < 0)
		return -1;
	if (h)
		*out = (uint32_t)v;
	if (has)
		*has = h;
	return 0;
}

int jf_u16(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, uint16_t *out, bool *has)
{
	uint64_t v;
	bool h;
	if (uint_range(cx, up, obj, name, required, UINT16_MAX, &v, &h) < 0)
		return -1;
	if (h)
		*out = (uint16_t)v;
	if (has)
		*has = h;
	return 0;
}

int jf_obj(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, const struct jnode **out)
{
	const struct jnode *n;
	*out = NULL;
	int r = member(cx, up, obj, name, required, "an object", &n);
	if (r <= 0)
		return r;
	struct jpath p = JP_FIELD_OF(up, name);
	if (jv_type(cx, &p, n, JT_OBJECT) < 0)
		return -1;
	*out = n;
	return 0;
}

int jf_arr(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   const struct jnode **out)
{
	const struct jnode *n;
	*out = NULL;
	int r = member(cx, up, obj, name, false, "an array", &n);
	if (r <= 0)
		return r;
	struct jpath p = JP_FIELD_OF(up, name);
	if (jv_type(cx, &p, n, JT_ARRAY) < 0)
		return -1;
	*out = n;
	return 0;
}

int jf_strv(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
	    const char *name, char ***out, size_t *n)
{
	const struct jnode *a;
	if (jf_arr(cx, up, obj, name, &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, name);
	/* the count is set first so that a failure midway frees what was filled */
	*out = xcalloc(a->u.kids.n, sizeof(char *));
	*n = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		if (jv_str(cx, &ip, it, &(*out)[i]) < 0)
			return -1;
	}
	return 0;
}

int jf_map_str(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
	       const char *name, struct oci_kv **out, size_t *n)
{
	const struct jnode *o;
	if (jf_obj(cx, up, obj, name, false, &o) < 0)
		return -1;
	if (!o || o->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, name);
	const struct jnode **m;
	size_t k = jobj_unique_members(o, &m);
	*out = xcalloc(k, sizeof(struct oci_kv));
	*n = k;
	for (size_t i = 0; i < k; i++) {
		struct jpath kp = {
			.up = &p, .kind = JP_MAPKEY, .key = m[i]->key, .key_len = m[i]->key_len};
		int r = 0;
		if (m[i]->key_len == 0)
			r = jerr(cx, &kp, "key must not be empty");
		else if (strlen(m[i]->key) != m[i]->key_len)
			r = jerr(cx, &kp, "key contains a NUL character");
		else if (jv_str(cx, &kp, m[i], &(*out)[i].value) == 0)
			(*out)[i].key = xstrdup(m[i]->key);
		else
			r = -1;
		if (r < 0) {
			free(m);
			return -1;
		}
	}
	free(m);
	return 0;
}

int jcheck_enum(const struct jctx *cx, const struct jpath *p, const char *value,
		const char *const *names, size_t n)
{
	char list[1024], q[96];
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		if (strcmp(value, names[i]) == 0)
			return 0;
	list[0] = '\0';
	for (size_t i = 0; i < n && o < sizeof(list); i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", names[i]);
	jquote(value, strlen(value), q, sizeof(q));
	return jerr(cx, p, "invalid value %s (expected one of: %s)", q, list);
}

int jcheck_abs(const struct jctx *cx, const struct jpath *p, const char *value)
{
	char q[96];
	if (value[0] == '/')
		return 0;
	jquote(value, strlen(value), q, sizeof(q));
	return jerr(cx, p, "must be an absolute path, got %s", q);
}
