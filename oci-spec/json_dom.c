/* SPDX-License-Identifier: Apache-2.0 */
/* Builds a jnode tree from yajl's parse events, with a nesting limit and located errors. */
#include "json_read.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "../common/util.h"

/* ---- arena: every node and string of a document, released in one go ---- */

struct jarena_chunk {
	struct jarena_chunk *next;
	size_t used, cap;
	alignas(max_align_t) unsigned char data[];
};

#define ARENA_CHUNK (64u << 10)

static void *arena_alloc(struct jdoc *doc, size_t size)
{
	size = (size + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
	struct jarena_chunk *c = doc->chunks;
	if (!c || c->cap - c->used < size) {
		size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
		c = xcalloc(1, sizeof(*c) + cap);
		c->cap = cap;
		c->next = doc->chunks;
		doc->chunks = c;
	}
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

static char *arena_strndup(struct jdoc *doc, const char *s, size_t len)
{
	char *r = arena_alloc(doc, len + 1);
	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

void jdoc_free(struct jdoc *doc)
{
	struct jarena_chunk *c = doc->chunks;
	while (c) {
		struct jarena_chunk *next = c->next;
		free(c);
		c = next;
	}
	doc->chunks = NULL;
	doc->root = NULL;
}

/* ---- tree building from yajl callbacks ---- */

struct builder {
	struct jdoc *doc;
	struct jnode *stack[JSON_MAX_DEPTH]; /* open objects and arrays */
	int depth;
	const char *key; /* member name waiting for its value (top of stack is an object) */
	size_t key_len;
	bool have_key;
	bool too_deep;
};

static struct jnode *new_node(struct builder *b, enum jtype t)
{
	struct jnode *n = arena_alloc(b->doc, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->type = t;
	return n;
}

/* Attaches a finished (or just opened) value to its parent, or makes it the root. */
static void attach(struct builder *b, struct jnode *n)
{
	if (b->depth == 0) {
		b->doc->root = n;
		return;
	}
	struct jnode *parent = b->stack[b->depth - 1];
	if (parent->type == JT_OBJECT) {
		n->key = b->key;
		n->key_len = (uint32_t)b->key_len;
		b->have_key = false;
	}
	if (parent->u.kids.last)
		parent->u.kids.last->next = n;
	else
		parent->u.kids.first = n;
	parent->u.kids.last = n;
	parent->u.kids.n++;
}

static int cb_null(void *ctx)
{
	struct builder *b = ctx;
	attach(b, new_node(b, JT_NULL));
	return 1;
}

static int cb_bool(void *ctx, int v)
{
	struct builder *b = ctx;
	struct jnode *n = new_node(b, JT_BOOL);
	n->b = v != 0;
	attach(b, n);
	return 1;
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	struct builder *b = ctx;
	struct jnode *n = new_node(b, JT_NUMBER);
	n->u.str.s = arena_strndup(b->doc, s, len);
	n->u.str.len = len;
	n->integral = memchr(s, '.', len) == NULL && memchr(s, 'e', len) == NULL &&
		      memchr(s, 'E', len) == NULL;
	attach(b, n);
	return 1;
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	struct builder *b = ctx;
	struct jnode *n = new_node(b, JT_STRING);
	n->u.str.s = arena_strndup(b->doc, (const char *)s, len);
	n->u.str.len = len;
	attach(b, n);
	return 1;
}

static int open_container(struct builder *b, enum jtype t)
{
	if (b->depth >= JSON_MAX_DEPTH) {
		b->too_deep = true;
		return 0; /* cancels the parse */
	}
	struct jnode *n = new_node(b, t);
	attach(b, n);
	b->stack[b->depth++] = n;
	return 1;
}

static int cb_start_map(void *ctx)
{
	return open_container(ctx, JT_OBJECT);
}

static int cb_start_array(void *ctx)
{
	return open_container(ctx, JT_ARRAY);
}

static int cb_end(void *ctx)
{
	struct builder *b = ctx;
	b->depth--;
	return 1;
}

static int cb_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct builder *b = ctx;
	b->key = arena_strndup(b->doc, (const char *)key, len);
	b->key_len = len;
	b->have_key = true;
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_bool,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_map_key,
	.yajl_end_map = cb_end,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end,
};

/* Is the key safe to show as ".key" rather than ["key"]? */
static bool plain_key(const char *k, size_t len)
{
	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		      (i > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

static void fill_segment(struct jpath *seg, const struct jpath *up, const char *key, size_t key_len)
{
	seg->up = up;
	seg->kind = plain_key(key, key_len) ? JP_FIELD : JP_MAPKEY;
	seg->key = key;
	seg->key_len = key_len;
}

/* Where the parser stood when it stopped, as a path (empty at the top level). */
static void builder_path(const struct builder *b, char *buf, size_t size)
{
	struct jpath segs[JSON_MAX_DEPTH];
	const struct jpath *up = NULL;
	int n = 0;

	for (int i = 0; i < b->depth; i++) {
		const struct jnode *c = b->stack[i];
		bool top = i == b->depth - 1;
		struct jpath *seg = &segs[n];
		if (c->type == JT_ARRAY) {
			size_t idx = c->u.kids.n;
			if (!top && idx > 0)
				idx--; /* the open child is the last element */
			seg->up = up;
			seg->kind = JP_INDEX;
			seg->index = idx;
		} else if (!top && c->u.kids.last) {
			fill_segment(seg, up, c->u.kids.last->key, c->u.kids.last->key_len);
		} else if (top && b->have_key) {
			fill_segment(seg, up, b->key, b->key_len);
		} else {
			continue;
		}
		up = seg;
		n++;
	}
	buf[0] = '\0';
	if (up)
		jpath_render(up, buf, size);
}

static void locate(const char *json, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (json[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * at_end: the error came from yajl_complete_parse (the text stopped early), so
 * it is located at the end; otherwise yajl has just consumed the offending byte.
 */
static int syntax_error(yajl_handle h, const struct builder *b, const char *json, size_t len,
			bool at_end, const char *origin, struct werr *e)
{
	char path[512], what[256];
	size_t off = at_end ? len : yajl_get_bytes_consumed(h), line, col;

	if (!at_end && off > 0)
		off--;
	if (off > len)
		off = len;
	builder_path(b, path, sizeof(path));
	if (b->too_deep) {
		snprintf(what, sizeof(what), "nested deeper than %d levels", JSON_MAX_DEPTH);
	} else {
		unsigned char *m = yajl_get_error(h, 0, (const unsigned char *)json, len);
		snprintf(what, sizeof(what), "%s", m ? (const char *)m : "parse error");
		if (m)
			yajl_free_error(h, m);
		size_t l = strlen(what);
		while (l > 0 && (what[l - 1] == '\n' || what[l - 1] == ' ' || what[l - 1] == '.'))
			what[--l] = '\0';
	}
	locate(json, off, &line, &col);
	if (path[0])
		return werr_set(e, 0, "%s: %s: invalid JSON at line %zu, column %zu: %s", origin,
				path, line, col, what);
	return werr_set(e, 0, "%s: invalid JSON at line %zu, column %zu: %s", origin, line, col,
			what);
}

/* Only JSON whitespace (or nothing at all). */
static bool blank(const char *json, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (json[i] != ' ' && json[i] != '\t' && json[i] != '\n' && json[i] != '\r')
			return false;
	return true;
}

int jdoc_parse(const char *json, size_t len, const char *origin, struct jdoc *doc, struct werr *e)
{
	struct builder b = {.doc = doc};
	doc->root = NULL;
	doc->chunks = NULL;

	yajl_handle h = yajl_alloc(&callbacks, NULL, &b);
	if (!h)
		return werr_set(e, ENOMEM, "%s: cannot allocate a JSON parser", origin);
	/* strict RFC 8259: no comments, one value, valid UTF-8 (yajl's defaults) */
	yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
	bool at_end = false;
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		at_end = true;
	}
	if (st != yajl_status_ok && blank(json, len))
		werr_set(e, 0, "%s: invalid JSON: the document is empty", origin);
	else if (st != yajl_status_ok)
		syntax_error(h, &b, json, len, at_end, origin, e);
	if (st != yajl_status_ok || !doc->root) {
		yajl_free(h);
		jdoc_free(doc);
		return -1;
	}
	yajl_free(h);
	return 0;
}

/* ---- paths ---- */

void jquote(const char *s, size_t len, char *buf, size_t size)
{
	const size_t max_shown = 64;
	size_t o = 0, i = 0;

	if (size < 8) {
		if (size)
			buf[0] = '\0';
		return;
	}
	size_t shown = len > max_shown ? max_shown : len;
	buf[o++] = '"';
	while (i < shown) {
		unsigned char c = (unsigned char)s[i];
		/* a UTF-8 sequence is copied whole or not at all */
		size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
		bool esc = c == '"' || c == '\\', ctl = c < 0x20 || c == 0x7f;
		size_t need = esc ? 2 : ctl ? 4 : n;
		/* keep room for the closing quote, "..." and the NUL */
		if (i + n > len || o + need + 5 > size)
			break;
		if (esc) {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (ctl) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		} else {
			memcpy(buf + o, s + i, n);
			o += n;
		}
		i += n;
	}
	buf[o++] = '"';
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/* One segment as text (snprintf-like: returns the length it needs). */
static size_t render_segment(const struct jpath *p, bool first, char *buf, size_t size)
{
	char q[272];
	int n = 0;

	switch (p->kind) {
	case JP_FIELD:
		n = snprintf(buf, size, "%s%.*s", first ? "" : ".", (int)p->key_len, p->key);
		break;
	case JP_INDEX:
		n = snprintf(buf, size, "[%zu]", p->index);
		break;
	case JP_MAPKEY:
		jquote(p->key, p->key_len, q, sizeof(q));
		n = snprintf(buf, size, "[%s]", q);
		break;
	}
	return n > 0 ? (size_t)n : 0;
}

/*
 * A path too long for buf loses whole segments at its start, shown as "...",
 * so that what is left is still a well-formed path ending where the fault is.
 */
void jpath_render(const struct jpath *p, char *buf, size_t size)
{
	enum { MAX_SEGS = JSON_MAX_DEPTH + 16 };
	const struct jpath *segs[MAX_SEGS];
	size_t lens[MAX_SEGS], n = 0, total = 0, start = 0;
	bool elided = false;

	if (size == 0)
		return;
	buf[0] = '\0';
	/* the segments from the root down; a chain deeper than MAX_SEGS keeps its tail */
	for (const struct jpath *s = p; s; s = s->up) {
		if (n == MAX_SEGS) {
			elided = true;
			break;
		}
		memmove(segs + 1, segs, n * sizeof(*segs));
		segs[0] = s;
		n++;
	}
	for (size_t i = 0; i < n; i++) {
		lens[i] = render_segment(segs[i], i == 0, NULL, 0);
		total += lens[i];
	}
	/* drop leading segments until "..." plus the rest fits (the last one always does) */
	while ((elided || start > 0 ? total + 3 : total) >= size && start + 1 < n) {
		total -= lens[start++];
		if (segs[start]->kind == JP_FIELD)
			total--; /* it loses its leading dot after "..." */
	}
	size_t o = 0;
	if (elided || start > 0)
		o += (size_t)snprintf(buf, size, "...");
	for (size_t i = start; i < n && o < size; i++)
		o += render_segment(segs[i], i == start, buf + o, size - o);
}
