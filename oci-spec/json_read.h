/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal to oci-spec: a small JSON document tree built with yajl's callback
 * parser, and typed readers over it whose every error names the JSON path of
 * the offending value ("linux.resources.memory.limit", "mounts[3].destination",
 * "linux.sysctl[\"net.ipv4.ip_forward\"]").
 *
 * Why our own tree rather than yajl_tree: yajl_tree has no nesting limit (and
 * frees recursively), cannot report where a syntax error happened, and gives
 * no way to see a "\u0000" inside a string. Here every node and string lives
 * in one arena that is released at once, nesting is bounded, and strings
 * carry their length.
 */
#ifndef WARD_OCI_JSON_READ_H
#define WARD_OCI_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"
#include "oci_config.h"

/* Objects and arrays nested deeper than this are refused (config.json needs 7). */
#define JSON_MAX_DEPTH OCI_CONFIG_MAX_DEPTH

enum jtype { JT_NULL, JT_BOOL, JT_NUMBER, JT_STRING, JT_OBJECT, JT_ARRAY };

struct jnode {
	enum jtype type;
	bool b;             /* JT_BOOL */
	bool integral;      /* JT_NUMBER: no fraction and no exponent */
	uint32_t key_len;   /* member name length when the parent is an object */
	const char *key;    /* member name (NUL-terminated copy), NULL in arrays */
	struct jnode *next; /* next sibling in the parent */
	union {
		struct {
			const char *s; /* JT_STRING value, JT_NUMBER text; NUL-terminated */
			size_t len;
		} str;
		struct {
			struct jnode *first, *last;
			size_t n;
		} kids; /* JT_OBJECT members, JT_ARRAY elements */
	} u;
};

struct jarena_chunk;

struct jdoc {
	struct jnode *root;
	struct jarena_chunk *chunks;
};

/*
 * Parses len bytes (need not be NUL-terminated). Syntax errors read
 *   "<origin>: <path>: invalid JSON at line L, column C: <what>"
 * where <path> is where the parser was when it stopped.
 */
int jdoc_parse(const char *json, size_t len, const char *origin, struct jdoc *doc, struct werr *e);
void jdoc_free(struct jdoc *doc);

/* A path from the document root to a value, built on the stack as readers descend. */
enum jpath_kind { JP_FIELD, JP_INDEX, JP_MAPKEY };
struct jpath {
	const struct jpath *up; /* NULL at the first segment */
	enum jpath_kind kind;
	const char *key; /* JP_FIELD, JP_MAPKEY */
	size_t key_len;
	size_t index; /* JP_INDEX */
};

#define JP_FIELD_OF(parent, name)                                                                  \
	((struct jpath){.up = (parent), .kind = JP_FIELD, .key = (name), .key_len = strlen(name)})
#define JP_INDEX_OF(parent, i) ((struct jpath){.up = (parent), .kind = JP_INDEX, .index = (i)})

/* Renders "a.b[3][\"k\"]" into buf (truncated with "..." if it does not fit). */
void jpath_render(const struct jpath *p, char *buf, size_t size);

/* What every reader needs: where errors go and how they start. */
struct jctx {
	const char *origin; /* "config.json" */
	struct werr *e;
};

/* "<origin>: <path>: <message>" (no path segment when p is NULL). Returns -1. */
int jerr(const struct jctx *cx, const struct jpath *p, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "a string", "an integer", "an object", ... for "expected X, got Y" messages. */
const char *jtype_desc(const struct jnode *n);

/* The member named name (the last one if repeated, as Go's decoder does); NULL if absent. */
const struct jnode *jobj_member(const struct jnode *obj, const char *name);

/*
 * Members of a map-like object in document order, where a key given more than
 * once keeps only its last value (Go map semantics). *out is heap (free it);
 * returns the count.
 */
size_t jobj_unique_members(const struct jnode *obj, const struct jnode ***out);

/* Writes s quoted and escaped, truncated to a readable length, for messages. */
void jquote(const char *s, size_t len, char *buf, size_t size);

/*
 * Value readers: n is the value at path p. JSON null is refused here (it only
 * means "absent" for object members, handled by the field readers below).
 */
int jv_type(const struct jctx *cx, const struct jpath *p, const struct jnode *n, enum jtype t);
int jv_str(const struct jctx *cx, const struct jpath *p, const struct jnode *n, char **out);
int jv_bool(const struct jctx *cx, const struct jpath *p, const struct jnode *n, bool *out);
int jv_int(const struct jctx *cx, const struct jpath *p, const struct jnode *n, int64_t min,
	   int64_t max, int64_t *out);
int jv_uint(const struct jctx *cx, const struct jpath *p, const struct jnode *n, uint64_t max,
	    uint64_t *out);

/*
 * Field readers: read member `name` of object obj (whose path is up). An absent
 * member or a null one leaves the output alone and clears *has (when given);
 * if `required`, it is an error instead ("required field missing").
 */
int jf_str(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, char **out);
int jf_bool(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
	    const char *name, bool required, bool *out, bool *has);
int jf_i64(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, int64_t *out, bool *has);
int jf_u64(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, uint64_t *out, bool *has);
int jf_i32(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, int32_t *out, bool *has);
int jf_u32(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, uint32_t *out, bool *has);
int jf_u16(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, uint16_t *out, bool *has);
/* A signed integer within [min, max]. */
int jf_int_range(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
		 const char *name, bool required, int64_t min, int64_t max, int64_t *out,
		 bool *has);
/* An array of strings. */
int jf_strv(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
	    const char *name, char ***out, size_t *n);
/* A member that must be an object / an array; *out is NULL when absent or null. */
int jf_obj(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   bool required, const struct jnode **out);
int jf_arr(const struct jctx *cx, const struct jpath *up, const struct jnode *obj, const char *name,
	   const struct jnode **out);

struct oci_kv;
/* An object of string values (annotations, sysctl, unified); keys must be non-empty. */
int jf_map_str(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
	       const char *name, struct oci_kv **out, size_t *n);

/* Refuses a string that is not one of names[0..n) with the list of valid ones. */
int jcheck_enum(const struct jctx *cx, const struct jpath *p, const char *value,
		const char *const *names, size_t n);
/* Refuses a path that does not start with '/'. */
int jcheck_abs(const struct jctx *cx, const struct jpath *p, const char *value);

#endif
