/* SPDX-License-Identifier: Apache-2.0 */
#include "jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonw_init(struct jsonw *w, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->pretty = pretty;
	w->first[0] = true;
}

void jsonw_init_buf(struct jsonw *w, char *buf, size_t cap)
{
	jsonw_init(w, false);
	w->buf = buf;
	w->cap = cap;
	w->fixed = true;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (w->failed)
		return;
	/* keep one byte for the terminating NUL */
	if (w->len + n + 1 > w->cap) {
		if (w->fixed) {
			w->failed = true;
			return;
		}
		size_t cap = w->cap ? w->cap : 256;
		while (w->len + n + 1 > cap)
			cap *= 2;
		char *nb = realloc(w->buf, cap);
		if (!nb) {
			w->failed = true;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void jsonw_raw(struct jsonw *w, const char *s)
{
	put(w, s, strlen(s));
}

static void newline_indent(struct jsonw *w)
{
	if (!w->pretty)
		return;
	put(w, "\n", 1);
	for (int i = 0; i < w->depth; i++)
		put(w, "  ", 2);
}

/* Comma and indentation before a value or key at the current depth. */
static void before_item(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			put(w, ",", 1);
		newline_indent(w);
	}
	w->first[w->depth] = false;
}

static void open_(struct jsonw *w, char c)
{
	before_item(w);
	put(w, &c, 1);
	if (w->depth + 1 >= JSONW_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jsonw *w, char c)
{
	bool empty = w->first[w->depth];
	if (w->depth > 0)
		w->depth--;
	if (!empty)
		newline_indent(w);
	put(w, &c, 1);
}

void jsonw_obj_open(struct jsonw *w)
{
	open_(w, '{');
}
void jsonw_obj_close(struct jsonw *w)
{
	close_(w, '}');
}
void jsonw_arr_open(struct jsonw *w)
{
	open_(w, '[');
}
void jsonw_arr_close(struct jsonw *w)
{
	close_(w, ']');
}

static void put_escaped(struct jsonw *w, const char *s)
{
	put(w, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		switch (*p) {
		case '"':
			put(w, "\\\"", 2);
			break;
		case '\\':
			put(w, "\\\\", 2);
			break;
		case '\n':
			put(w, "\\n", 2);
			break;
		case '\r':
			put(w, "\\r", 2);
			break;
		case '\t':
			put(w, "\\t", 2);
			break;
		default:
			if (*p < 0x20) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				put(w, esc, 6);
			} else {
				put(w, (const char *)p, 1);
			}
		}
	}
	put(w, "\"", 1);
}

void jsonw_key(struct jsonw *w, const char *key)
{
	before_item(w);
	put_escaped(w, key);
	put(w, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->after_key = true;
}

void jsonw_str(struct jsonw *w, const char *s)
{
	if (!s) {
		jsonw_null(w);
		return;
	}
	before_item(w);
	put_escaped(w, s);
}

void jsonw_int(struct jsonw *w, long long v)
{
	char b[32];
	before_item(w);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%lld", v));
}

void jsonw_uint(struct jsonw *w, unsigned long long v)
{
	char b[32];
	before_item(w);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%llu", v));
}

void jsonw_double(struct jsonw *w, double v)
{
	char b[64];
	before_item(w);
	put(w, b, (size_t)snprintf(b, sizeof(b), "%.17g", v));
}

void jsonw_bool(struct jsonw *w, bool v)
{
	before_item(w);
	jsonw_raw(w, v ? "true" : "false");
}

void jsonw_null(struct jsonw *w)
{
	before_item(w);
	jsonw_raw(w, "null");
}

void jsonw_key_str(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_str(w, s);
}

void jsonw_key_int(struct jsonw *w, const char *key, long long v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void jsonw_key_uint(struct jsonw *w, const char *key, unsigned long long v)
{
	jsonw_key(w, key);
	jsonw_uint(w, v);
}

void jsonw_key_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}

void jsonw_key_strv(struct jsonw *w, const char *key, char *const *v, size_t n)
{
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		jsonw_str(w, v[i]);
	jsonw_arr_close(w);
}

int jsonw_finish_line(struct jsonw *w)
{
	put(w, "\n", 1);
	if (w->failed)
		return -1;
	return (int)w->len;
}

char *jsonw_take(struct jsonw *w)
{
	if (w->failed || !w->buf) {
		jsonw_free(w);
		return NULL;
	}
	char *r = w->buf;
	w->buf = NULL;
	return r;
}

void jsonw_free(struct jsonw *w)
{
	if (!w->fixed)
		free(w->buf);
	w->buf = NULL;
}
