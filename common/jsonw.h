/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small streaming JSON writer: commas, escaping and optional two-space
 * indentation are handled here so that callers only say what to write.  It
 * writes either into a caller's fixed buffer (log lines: no allocation) or into
 * a growing heap buffer (state.json, features, `ward state`).
 */
#ifndef WARD_JSONW_H
#define WARD_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_MAX_DEPTH 64

struct jsonw {
	char *buf;
	size_t len, cap;
	bool fixed;  /* buf belongs to the caller and cannot grow */
	bool failed; /* out of room or out of memory */
	bool pretty; /* indent like Go's json.MarshalIndent(v, "", "  ") */
	int depth;
	bool first[JSONW_MAX_DEPTH]; /* nothing written yet at this depth */
	bool after_key;
};

void jsonw_init(struct jsonw *w, bool pretty);
void jsonw_init_buf(struct jsonw *w, char *buf, size_t cap);

void jsonw_obj_open(struct jsonw *w);
void jsonw_obj_close(struct jsonw *w);
void jsonw_arr_open(struct jsonw *w);
void jsonw_arr_close(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_str(struct jsonw *w, const char *s); /* NULL writes null */
void jsonw_int(struct jsonw *w, long long v);
void jsonw_uint(struct jsonw *w, unsigned long long v);
void jsonw_double(struct jsonw *w, double v);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);
/* Appends text verbatim, outside of any comma logic. */
void jsonw_raw(struct jsonw *w, const char *s);

void jsonw_key_str(struct jsonw *w, const char *key, const char *s);
void jsonw_key_int(struct jsonw *w, const char *key, long long v);
void jsonw_key_uint(struct jsonw *w, const char *key, unsigned long long v);
void jsonw_key_bool(struct jsonw *w, const char *key, bool v);
void jsonw_key_strv(struct jsonw *w, const char *key, char *const *v, size_t n);

/* Appends '\n' and NUL-terminates; returns the length, or -1 if it did not fit. */
int jsonw_finish_line(struct jsonw *w);
/* For heap writers: NUL-terminates and hands the buffer over (NULL on failure). */
char *jsonw_take(struct jsonw *w);
void jsonw_free(struct jsonw *w);

#endif
