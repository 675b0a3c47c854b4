/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers shared by the oci-spec unit tests: reading the test corpus, a JSON
 * text builder for mutated documents, a JSON tree comparison and a check that
 * an error message has the form "<origin>: <JSON path>: <why>".
 * Header-only so that each test stays a single binary.
 */
#ifndef WARD_OCI_TEST_UTIL_H
#define WARD_OCI_TEST_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "oci-spec/json_read.h"

/* Test data lives under tests/data/configs; tests/run starts us from the top of the tree. */
#define CONFIG_DATA_DIR "tests/data/configs"

static inline char *slurp(const char *path, size_t *len)
{
	struct werr e;
	char *buf = NULL;
	if (read_file_at(AT_FDCWD, path, 64u << 20, &buf, len, &e) < 0) {
		printf("# cannot read %s: %s\n", path, e.msg);
		return NULL;
	}
	return buf;
}

static inline int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of dir's files ending in suffix; NULL-terminated, heap. */
static inline char **list_dir(const char *dir, const char *suffix, size_t *n)
{
	DIR *d = opendir(dir);
	size_t cap = 16, k = 0, sl = strlen(suffix);
	char **v = xcalloc(cap + 1, sizeof(*v));
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l <= sl || strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		if (k == cap) {
			cap *= 2;
			v = xrealloc(v, (cap + 1) * sizeof(*v));
		}
		v[k++] = xstrdup(de->d_name);
	}
	if (d)
		closedir(d);
	qsort(v, k, sizeof(*v), cmp_names);
	v[k] = NULL;
	*n = k;
	return v;
}

static inline void free_list(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* ---- a growing text buffer ---- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static inline void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (b->len + n + 1 > cap)
			cap *= 2;
		b->s = xrealloc(b->s, cap);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static inline void sb_quoted(struct sbuf *b, const char *s, size_t len)
{
	sb_puts(b, "\"");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sb_put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_put(b, esc, 6);
		} else {
			sb_put(b, (const char *)&s[i], 1);
		}
	}
	sb_puts(b, "\"");
}

/* ---- JSON trees ---- */

/* Same JSON value: objects as sets of (last-wins) members, numbers by their text. */
static inline bool json_equal(const struct jnode *a, const struct jnode *b,
			      const char *const *ignore_keys)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case JT_NULL:
		return true;
	case JT_BOOL:
		return a->b == b->b;
	case JT_NUMBER:
	case JT_STRING:
		return a->u.str.len == b->u.str.len &&
		       memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
	case JT_ARRAY: {
		if (a->u.kids.n != b->u.kids.n)
			return false;
		for (const struct jnode *x = a->u.kids.first, *y = b->u.kids.first; x;
		     x = x->next, y = y->next)
			if (!json_equal(x, y, NULL))
				return false;
		return true;
	}
	case JT_OBJECT: {
		const struct jnode **ma, **mb;
		size_t na = jobj_unique_members(a, &ma), nb = jobj_unique_members(b, &mb);
		size_t ka = 0, kb = 0;
		bool ok = true;
		for (size_t i = 0; i < na && ok; i++) {
			bool ignored = false;
			for (const char *const *k = ignore_keys; k && *k; k++)
				ignored |= strcmp(ma[i]->key, *k) == 0;
			if (ignored)
				continue;
			ka++;
			const struct jnode *other = jobj_member(b, ma[i]->key);
			ok = other && json_equal(ma[i], other, NULL);
			if (!ok)
				printf("#   differs at member \"%s\"\n", ma[i]->key);
		}
		for (size_t i = 0; i < nb; i++) {
			bool ignored = false;
			for (const char *const *k = ignore_keys; k && *k; k++)
				ignored |= strcmp(mb[i]->key, *k) == 0;
			kb += !ignored;
		}
		free(ma);
		free(mb);
		if (ok && ka != kb)
			printf("#   member count differs: %zu vs %zu\n", ka, kb);
		return ok && ka == kb;
	}
	}
	return false;
}

/* ---- error message shape ---- */

static inline bool ident_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* Consumes a JSON path ("a.b[3][\"k\"]") at *s; true if one was there. */
static inline bool eat_path(const char **s)
{
	const char *p = *s;
	bool any = false;
	if (strncmp(p, "...", 3) == 0)
		p += 3; /* leading segments left out of a long path */
	for (;;) {
		if (*p == '[' && p[1] == '"') {
			p += 2;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (strncmp(p, "\"]", 2) != 0) {
				if (strncmp(p, "\"...]", 5) != 0)
					return false;
				p += 3;
			}
			p += 2;
		} else if (*p == '[') {
			p++;
			if (*p < '0' || *p > '9')
				return false;
			while (*p >= '0' && *p <= '9')
				p++;
			if (*p++ != ']')
				return false;
		} else if ((any && *p == '.' && ident_char(p[1], true)) ||
			   (!any && ident_char(*p, true))) {
			if (*p == '.')
				p++;
			while (ident_char(*p, false))
				p++;
		} else {
			break;
		}
		any = true;
	}
	*s = p;
	return any;
}

/*
 * "<origin>: <path>: <why>", or for faults of the document as a whole
 * "<origin>: invalid JSON ...", "<origin>: expected a JSON object at the top
 * level ..." and "<origin>: document is larger than ...".
 */
static inline bool error_names_path(const char *msg, const char *origin)
{
	size_t ol = strlen(origin);
	if (strncmp(msg, origin, ol) != 0 || strncmp(msg + ol, ": ", 2) != 0)
		return false;
	const char *s = msg + ol + 2;
	if (str_has_prefix(s, "invalid JSON") || str_has_prefix(s, "expected a JSON object") ||
	    str_has_prefix(s, "document is larger than"))
		return true;
	if (!eat_path(&s))
		return false;
	return s[0] == ':' && s[1] == ' ' && s[2] != '\0';
}

#endif
