/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generated malformed configs: thousands of mutations of the valid corpus
 * (type swaps, deletions, repeated members, huge and odd numbers, odd strings,
 * deep nesting, truncation, random bytes). Each one must either parse - and
 * then round-trip exactly - or be refused with "<origin>: <JSON path>: why"
 * (or a whole-document error), leaving *out alone. Crashes and leaks show up
 * as a failing binary (the SAN build runs this with LeakSanitizer).
 *
 * The sequence is fixed by a seed (WARD_MUTATION_SEED overrides it) so that a
 * failure can be replayed.
 */
#include <inttypes.h>
#include <stdint.h>

#include "oci-spec/oci_config.h"
#include "oci_test_util.h"
#include "tap.h"

#define MUTATIONS_PER_DOC 500
#define UNTOUCHED         ((void *)(uintptr_t)0x5a5a5a5a)

enum kind {
	K_TYPE_SWAP,
	K_DELETE,
	K_DUPLICATE,
	K_NUMBER,
	K_STRING,
	K_LONG_STRING,
	K_DEEP,
	K_TRUNCATE,
	K_FLIP,
	K_INSERT,
	K_COUNT
};

static const char *const kind_names[K_COUNT] = {
	"type swap",   "deletion",     "repeated member", "odd number",   "odd string",
	"long string", "deep nesting", "truncation",      "random bytes", "inserted bytes",
};

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: small, fast and reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static size_t rnd_below(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

/* ---- re-serialising a tree with one node changed ---- */

struct mutator {
	enum kind kind;
	size_t target;  /* pre-order number of the node to change */
	size_t counter; /* pre-order number of the next node */
};

static size_t subtree_size(const struct jnode *n)
{
	size_t k = 1;
	if (n->type == JT_OBJECT || n->type == JT_ARRAY)
		for (const struct jnode *c = n->u.kids.first; c; c = c->next)
			k += subtree_size(c);
	return k;
}

static const char *swap_value(const struct jnode *n)
{
	static const struct {
		enum jtype t;
		const char *text;
	} values[] = {
		{JT_STRING, "\"x\""},    {JT_NUMBER, "7"},      {JT_NUMBER, "-1"},
		{JT_BOOL, "true"},       {JT_BOOL, "false"},    {JT_NULL, "null"},
		{JT_OBJECT, "{}"},       {JT_ARRAY, "[]"},      {JT_NUMBER, "1.5"},
		{JT_STRING, "\"/abs\""}, {JT_ARRAY, "[\"x\"]"}, {JT_OBJECT, "{\"x\":1}"},
	};
	for (;;) {
		size_t i = rnd_below(ARRAY_SIZE(values));
		if (values[i].t != n->type)
			return values[i].text;
	}
}

static const char *odd_number(void)
{
	static const char *const v[] = {
		"18446744073709551615",
		"18446744073709551616",
		"9223372036854775807",
		"9223372036854775808",
		"-9223372036854775808",
		"-9223372036854775809",
		"4294967295",
		"4294967296",
		"65536",
		"-1",
		"-0",
		"0",
		"1e400",
		"1E2",
		"0.0000001",
		"-2147483649",
		"2147483648",
		"1001",
		"-1001",
		"6",
		"8",
		"99999999999999999999999999999999999999999999999999999999999999",
	};
	return v[rnd_below(ARRAY_SIZE(v))];
}

static const char *odd_string(void)
{
	static const char *const v[] = {
		"\"\"",
		"\"relative/path\"",
		"\"\\u0000\"",
		"\"a\\u0000b\"",
		"\"SCMP_BOGUS\"",
		"\"\\ud800\"",
		"\"\\u00e9\\u2603\"",
		"\"rwx\"",
		"\"/\"",
		"\"MB:\\n\"",
		"\"0-3,7\"",
		"\"2mb\"",
		"\"RLIMIT_\"",
		"\"pid\"",
		"\"c\"",
		"\"SCMP_ACT_ERRNO\"",
	};
	return v[rnd_below(ARRAY_SIZE(v))];
}

static void emit(struct sbuf *b, const struct jnode *n, struct mutator *m);

static void emit_plain(struct sbuf *b, const struct jnode *n, struct mutator *m)
{
	switch (n->type) {
	case JT_NULL:
		sb_puts(b, "null");
		break;
	case JT_BOOL:
		sb_puts(b, n->b ? "true" : "false");
		break;
	case JT_NUMBER:
		sb_put(b, n->u.str.s, n->u.str.len);
		break;
	case JT_STRING:
		sb_quoted(b, n->u.str.s, n->u.str.len);
		break;
	case JT_OBJECT:
	case JT_ARRAY: {
		bool obj = n->type == JT_OBJECT, first = true;
		sb_puts(b, obj ? "{" : "[");
		for (const struct jnode *c = n->u.kids.first; c; c = c->next) {
			bool here = m->counter == m->target;
			if (here && m->kind == K_DELETE) {
				m->counter += subtree_size(c);
				continue;
			}
			int times = here && m->kind == K_DUPLICATE ? 2 : 1;
			for (int t = 0; t < times; t++) {
				if (!first)
					sb_puts(b, ",");
				first = false;
				if (obj) {
					sb_quoted(b, c->key, c->key_len);
					sb_puts(b, ":");
				}
				if (t == 1) {
					/* the repeat: the same member again, unchanged */
					struct mutator none = {.kind = K_COUNT, .target = SIZE_MAX};
					emit(b, c, &none);
				} else {
					emit(b, c, m);
				}
			}
		}
		sb_puts(b, obj ? "}" : "]");
		break;
	}
	}
}

static void emit(struct sbuf *b, const struct jnode *n, struct mutator *m)
{
	bool here = m->counter++ == m->target;
	if (!here) {
		emit_plain(b, n, m);
		return;
	}
	switch (m->kind) {
	case K_TYPE_SWAP:
		sb_puts(b, swap_value(n));
		m->counter += subtree_size(n) - 1;
		break;
	case K_NUMBER:
		sb_puts(b, odd_number());
		m->counter += subtree_size(n) - 1;
		break;
	case K_STRING:
		sb_puts(b, odd_string());
		m->counter += subtree_size(n) - 1;
		break;
	case K_LONG_STRING: {
		size_t len = 1 + rnd_below(200000);
		char *s = xcalloc(1, len + 1);
		memset(s, 'A' + (int)rnd_below(26), len);
		s[0] = '/';
		sb_quoted(b, s, len);
		free(s);
		m->counter += subtree_size(n) - 1;
		break;
	}
	case K_DEEP: {
		size_t depth = 1 + rnd_below(100);
		bool objects = rnd() & 1;
		for (size_t i = 0; i < depth; i++)
			sb_puts(b, objects ? "{\"a\":" : "[");
		emit_plain(b, n, m);
		for (size_t i = 0; i < depth; i++)
			sb_puts(b, objects ? "}" : "]");
		break;
	}
	default:
		/* deletion and repetition are done by the parent; the root has none */
		emit_plain(b, n, m);
		break;
	}
}

/* ---- byte-level damage ---- */

static void damage_bytes(struct sbuf *b, enum kind kind)
{
	static const char inserts[] = "{}[]\",:\\0123456789-.eEtfn \x01\x7f\xff\xc3";
	if (b->len == 0)
		return;
	switch (kind) {
	case K_TRUNCATE:
		b->len = rnd_below(b->len);
		b->s[b->len] = '\0';
		break;
	case K_FLIP: {
		size_t n = 1 + rnd_below(4);
		for (size_t i = 0; i < n; i++)
			b->s[rnd_below(b->len)] = (char)rnd_below(256);
		break;
	}
	case K_INSERT: {
		size_t at = rnd_below(b->len), n = 1 + rnd_below(3);
		char ins[4];
		for (size_t i = 0; i < n; i++)
			ins[i] = inserts[rnd_below(sizeof(inserts) - 1)];
		sb_put(b, ins, n); /* grow, then move the tail */
		memmove(b->s + at + n, b->s + at, b->len - n - at);
		memcpy(b->s + at, ins, n);
		break;
	}
	default:
		break;
	}
}

/* ---- checking one mutated document ---- */

struct tally {
	size_t total, accepted, refused, bad;
	size_t refused_by_kind[K_COUNT], by_kind[K_COUNT];
};

static void report_bad(const char *what, enum kind kind, const char *why, const struct sbuf *b)
{
	char excerpt[200];
	jquote(b->s, b->len < 150 ? b->len : 150, excerpt, sizeof(excerpt));
	printf("# %s (%s): %s\n#   document: %s (%zu bytes)\n", what, kind_names[kind], why,
	       excerpt, b->len);
}

static void check_config(const struct sbuf *b, const char *what, enum kind kind, struct tally *t)
{
	struct werr e;
	struct oci_config *c = UNTOUCHED;
	werr_clear(&e);
	t->total++;
	t->by_kind[kind]++;
	if (oci_config_parse(b->s, b->len, "mut.json", &c, &e) < 0) {
		if (c != UNTOUCHED) {
			t->bad++;
			report_bad(what, kind, "*out changed on failure", b);
		} else if (!error_names_path(e.msg, "mut.json")) {
			t->bad++;
			report_bad(what, kind, e.msg, b);
		} else {
			t->refused++;
			t->refused_by_kind[kind]++;
		}
		return;
	}
	/* accepted: it must survive a round trip unchanged */
	char *out = oci_config_write(c, false);
	struct oci_config *again = NULL;
	if (!out || oci_config_parse(out, strlen(out), "rewritten", &again, &e) < 0 ||
	    !oci_config_equal(c, again)) {
		t->bad++;
		report_bad(what, kind, out ? "round trip differs" : "cannot write", b);
	} else {
		t->accepted++;
	}
	oci_config_free(again);
	oci_config_free(c);
	free(out);
}

static void check_process(const struct sbuf *b, const char *what, enum kind kind, struct tally *t)
{
	struct werr e;
	struct oci_process *p = UNTOUCHED;
	werr_clear(&e);
	t->total++;
	t->by_kind[kind]++;
	if (oci_process_parse(b->s, b->len, "process.json", &p, &e) < 0) {
		if (p != UNTOUCHED || !error_names_path(e.msg, "process.json")) {
			t->bad++;
			report_bad(what, kind, e.msg, b);
		} else {
			t->refused++;
			t->refused_by_kind[kind]++;
		}
		return;
	}
	char *out = oci_process_write(p, false);
	struct oci_process *again = NULL;
	if (!out || oci_process_parse(out, strlen(out), "rewritten", &again, &e) < 0 ||
	    !oci_process_equal(p, again)) {
		t->bad++;
		report_bad(what, kind, "round trip differs", b);
	} else {
		t->accepted++;
	}
	oci_process_free(again);
	oci_process_free(p);
	free(out);
}

/* Mutates `root` n times and checks each result with `check`. */
static void mutate_doc(const struct jnode *root, const char *what, size_t n, bool process_only,
		       struct tally *all)
{
	struct tally t = {0};
	size_t nodes = subtree_size(root);
	for (size_t i = 0; i < n; i++) {
		enum kind kind = (enum kind)rnd_below(K_COUNT);
		struct mutator m = {.kind = kind, .target = rnd_below(nodes)};
		struct sbuf b = {0};
		if (kind == K_TRUNCATE || kind == K_FLIP || kind == K_INSERT) {
			m.target = SIZE_MAX;
			emit(&b, root, &m);
			damage_bytes(&b, kind);
		} else {
			emit(&b, root, &m);
		}
		if (!b.s)
			sb_puts(&b, "");
		if (process_only)
			check_process(&b, what, kind, &t);
		else
			check_config(&b, what, kind, &t);
		free(b.s);
	}
	TAP_OK(t.bad == 0 && t.total == n,
	       "%s: %zu mutations: %zu accepted and round-tripped, %zu refused with a path, %zu "
	       "bad",
	       what, t.total, t.accepted, t.refused, t.bad);
	all->total += t.total;
	all->accepted += t.accepted;
	all->refused += t.refused;
	all->bad += t.bad;
	for (int k = 0; k < K_COUNT; k++) {
		all->by_kind[k] += t.by_kind[k];
		all->refused_by_kind[k] += t.refused_by_kind[k];
	}
}

int main(void)
{
	const char *seed_env = getenv("WARD_MUTATION_SEED");
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x77617264u;
	rng_state = seed ? seed : 1;
	printf("# seed %" PRIu64 " (set WARD_MUTATION_SEED to replay another)\n", seed);

	struct tally all = {0};
	size_t n;
	char **names = list_dir(CONFIG_DATA_DIR "/valid", ".json", &n);
	TAP_OK(n >= 5, "%zu valid documents to mutate", n);
	for (size_t i = 0; i < n; i++) {
		char path[512];
		size_t len;
		struct werr e;
		struct jdoc doc;
		snprintf(path, sizeof(path), "%s/valid/%s", CONFIG_DATA_DIR, names[i]);
		char *json = slurp(path, &len);
		if (!json || jdoc_parse(json, len, names[i], &doc, &e) < 0) {
			TAP_OK(0, "%s readable", names[i]);
			free(json);
			continue;
		}
		mutate_doc(doc.root, names[i], MUTATIONS_PER_DOC, false, &all);
		/* the process object alone, as `exec --process` reads it */
		const struct jnode *proc = jobj_member(doc.root, "process");
		if (proc && proc->type == JT_OBJECT) {
			char what[600];
			snprintf(what, sizeof(what), "%s process", names[i]);
			mutate_doc(proc, what, MUTATIONS_PER_DOC / 3, true, &all);
		}
		jdoc_free(&doc);
		free(json);
	}
	free_list(names);

	TAP_OK(all.total >= 1000, "%zu generated documents in all (at least 1000)", all.total);
	TAP_OK(all.bad == 0, "none crashed, leaked into *out or gave a message without a path");
	TAP_OK(all.accepted > 0 && all.refused > 0,
	       "both outcomes occur (%zu accepted, %zu refused)", all.accepted, all.refused);
	for (int k = 0; k < K_COUNT; k++)
		TAP_OK(all.by_kind[k] > 0, "%s: %zu of %zu refused", kind_names[k],
		       all.refused_by_kind[k], all.by_kind[k]);
	/* a cut document is never whole JSON; swaps and deep nesting mostly break the schema */
	TAP_OK(all.refused_by_kind[K_TRUNCATE] == all.by_kind[K_TRUNCATE],
	       "every truncated document refused");
	TAP_OK(all.refused_by_kind[K_TYPE_SWAP] > all.by_kind[K_TYPE_SWAP] / 2 &&
		       all.refused_by_kind[K_DEEP] > all.by_kind[K_DEEP] / 2,
	       "most type swaps and deep nestings refused");
	return tap_done();
}
