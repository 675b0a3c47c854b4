/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "process" (also the whole of `exec --process` files). */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "parse_internal.h"

static int parse_console_size(const struct jctx *cx, const struct jpath *up, const struct jnode *po,
			      struct oci_process *p)
{
	const struct jnode *o;
	if (jf_obj(cx, up, po, "consoleSize", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath cp = JP_FIELD_OF(up, "consoleSize");
	p->has_console_size = true;
	if (jf_u32(cx, &cp, o, "height", true, &p->console_height, NULL) < 0 ||
	    jf_u32(cx, &cp, o, "width", true, &p->console_width, NULL) < 0)
		return -1;
	return 0;
}

static int parse_user(const struct jctx *cx, const struct jpath *up, const struct jnode *po,
		      struct oci_user *u)
{
	const struct jnode *o, *a;
	if (jf_obj(cx, up, po, "user", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "user");
	if (jf_u32(cx, &p, o, "uid", false, &u->uid, NULL) < 0 ||
	    jf_u32(cx, &p, o, "gid", false, &u->gid, NULL) < 0 ||
	    jf_u32(cx, &p, o, "umask", false, &u->umask, &u->has_umask) < 0 ||
	    jf_str(cx, &p, o, "username", false, &u->username) < 0 ||
	    jf_arr(cx, &p, o, "additionalGids", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath ap = JP_FIELD_OF(&p, "additionalGids");
	u->additional_gids = xcalloc(a->u.kids.n, sizeof(*u->additional_gids));
	u->n_additional_gids = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&ap, i);
		uint64_t v;
		if (jv_uint(cx, &ip, it, UINT32_MAX, &v) < 0)
			return -1;
		u->additional_gids[i] = (uint32_t)v;
	}
	return 0;
}

static int parse_capabilities(const struct jctx *cx, const struct jpath *up, const struct jnode *po,
			      struct oci_capabilities *c)
{
	const struct jnode *o;
	if (jf_obj(cx, up, po, "capabilities", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	/* names are not checked here: unknown ones are the runtime's warning to give */
	struct jpath p = JP_FIELD_OF(up, "capabilities");
	c->present = true;
	if (jf_strv(cx, &p, o, "bounding", &c->bounding, &c->n_bounding) < 0 ||
	    jf_strv(cx, &p, o, "effective", &c->effective, &c->n_effective) < 0 ||
	    jf_strv(cx, &p, o, "inheritable", &c->inheritable, &c->n_inheritable) < 0 ||
	    jf_strv(cx, &p, o, "permitted", &c->permitted, &c->n_permitted) < 0 ||
	    jf_strv(cx, &p, o, "ambient", &c->ambient, &c->n_ambient) < 0)
		return -1;
	return 0;
}

/* schema: ^RLIMIT_[A-Z]+$ */
static bool rlimit_name_ok(const char *s)
{
	if (strncmp(s, "RLIMIT_", 7) != 0 || !s[7])
		return false;
	for (s += 7; *s; s++)
		if (*s < 'A' || *s > 'Z')
			return false;
	return true;
}

struct rlimit_ref {
	const char *type;
	size_t pos;
};

static int cmp_rlimit_ref(const void *a, const void *b)
{
	const struct rlimit_ref *x = a, *y = b;
	int c = strcmp(x->type, y->type);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/*
 * "If rlimits contains duplicated entries with same type, the runtime MUST
 * generate an error." Sorting keeps this fast for any number of entries; the
 * entry reported is the earliest one that repeats an earlier type.
 */
static int check_rlimit_duplicates(const struct jctx *cx, const struct jpath *rp,
				   const struct oci_rlimit *r, size_t n)
{
	size_t dup = SIZE_MAX, first = 0;
	struct rlimit_ref *refs = xcalloc(n, sizeof(*refs));
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct rlimit_ref){r[i].type, i};
	qsort(refs, n, sizeof(*refs), cmp_rlimit_ref);
	for (size_t i = 1; i < n; i++)
		if (strcmp(refs[i].type, refs[i - 1].type) == 0 && refs[i].pos < dup) {
			/* the run's first entry is refs[i - 1] or earlier: find it */
			size_t j = i - 1;
			while (j > 0 && strcmp(refs[j - 1].type, refs[i].type) == 0)
				j--;
			dup = refs[i].pos;
			first = refs[j].pos;
		}
	free(refs);
	if (dup == SIZE_MAX)
		return 0;
	struct jpath ip = JP_INDEX_OF(rp, dup);
	struct jpath tp = JP_FIELD_OF(&ip, "type");
	return jerr(cx, &tp, "duplicate rlimit type %s (also at rlimits[%zu])", r[dup].type, first);
}

static int parse_rlimits(const struct jctx *cx, const struct jpath *up, const struct jnode *po,
			 struct oci_process *p)
{
	const struct jnode *a;
	char q[96];
	if (jf_arr(cx, up, po, "rlimits", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath rp = JP_FIELD_OF(up, "rlimits");
	p->rlimits = xcalloc(a->u.kids.n, sizeof(*p->rlimits));
	p->n_rlimits = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&rp, i);
		struct jpath tp = JP_FIELD_OF(&ip, "type");
		struct oci_rlimit *r = &p->rlimits[i];
		if (jv_type(cx, &ip, it, JT_OBJECT) < 0 ||
		    jf_str(cx, &ip, it, "type", true, &r->type) < 0)
			return -1;
		if (!rlimit_name_ok(r->type)) {
			jquote(r->type, strlen(r->type), q, sizeof(q));
			return jerr(cx, &tp,
				    "invalid rlimit type %s (expected RLIMIT_ and capitals)", q);
		}
		if (jf_u64(cx, &ip, it, "soft", true, &r->soft, NULL) < 0 ||
		    jf_u64(cx, &ip, it, "hard", true, &r->hard, NULL) < 0)
			return -1;
	}
	return check_rlimit_duplicates(cx, &rp, p->rlimits, p->n_rlimits);
}

static int parse_scheduler(const struct jctx *cx, const struct jpath *up, const struct jnode *po,
			   struct oci_scheduler *s)
{
	const struct jnode *o;
	if (jf_obj(cx, up, po, "scheduler", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "scheduler");
	struct jpath pp = JP_FIELD_OF(&p, "policy");
	struct jpath fp = JP_FIELD_OF(&p, "flags");
	s->present = true;
	if (jf_str(cx, &p, o, "policy", true, &s->policy) < 0 ||
	    jcheck_oci_enum(cx, &pp, s->policy, &oci_enum_sched_policies) < 0 ||
	    jf_i32(cx, &p, o, "nice", false, &s->nice, &s->has_nice) < 0 ||
	    jf_i32(cx, &p, o, "priority", false, &s->priority, &s->has_priority) < 0 ||
	    jf_strv(cx, &p, o, "flags", &s->flags, &s->n_flags) < 0 ||
	    jf_u64(cx, &p, o, "runtime", false, &s->runtime, &s->has_runtime) < 0 ||
	    jf_u64(cx, &p, o, "deadline", false, &s->deadline, &s->has_deadline) < 0 ||
	    jf_u64(cx, &p, o, "period", false, &s->period, &s->has_period) < 0)
		return -1;
	for (size_t i = 0; i < s->n_flags; i++) {
		struct jpath ip = JP_INDEX_OF(&fp, i);
		if (jcheck_oci_enum(cx, &ip, s->flags[i], &oci_enum_sched_flags) < 0)
			return -1;
	}
	return 0;
}

static int parse_io_priority(const struct jctx *cx, const struct jpath *up, const struct jnode *po,
			     struct oci_io_priority *io)
{
	const struct jnode *o;
	int64_t prio = 0;
	bool has;
	if (jf_obj(cx, up, po, "ioPriority", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "ioPriority");
	struct jpath cp = JP_FIELD_OF(&p, "class");
	io->present = true;
	/* the kernel's ioprio levels are 0 (highest) to 7 (lowest) */
	if (jf_str(cx, &p, o, "class", true, &io->class) < 0 ||
	    jcheck_oci_enum(cx, &cp, io->class, &oci_enum_ioprio_classes) < 0 ||
	    jf_int_range(cx, &p, o, "priority", false, 0, 7, &prio, &has) < 0)
		return -1;
	io->priority = (int32_t)prio;
	return 0;
}

/* schema: ^[0-9, -]*$ */
static int check_cpu_list(const struct jctx *cx, const struct jpath *up, const char *name,
			  const char *v)
{
	char q[96];
	if (!v || v[strspn(v, "0123456789, -")] == '\0')
		return 0;
	struct jpath p = JP_FIELD_OF(up, name);
	jquote(v, strlen(v), q, sizeof(q));
	return jerr(cx, &p, "invalid CPU list %s (expected e.g. \"0-3,7\")", q);
}

static int parse_exec_cpu_affinity(const struct jctx *cx, const struct jpath *up,
				   const struct jnode *po, struct oci_cpu_affinity *a)
{
	const struct jnode *o;
	if (jf_obj(cx, up, po, "execCPUAffinity", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "execCPUAffinity");
	a->present = true;
	if (jf_str(cx, &p, o, "initial", false, &a->initial) < 0 ||
	    check_cpu_list(cx, &p, "initial", a->initial) < 0 ||
	    jf_str(cx, &p, o, "final", false, &a->final) < 0 ||
	    check_cpu_list(cx, &p, "final", a->final) < 0)
		return -1;
	return 0;
}

int oci_parse_process_obj(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			  struct oci_process *out)
{
	int64_t adj;
	if (jf_bool(cx, p, o, "terminal", false, &out->terminal, NULL) < 0 ||
	    parse_console_size(cx, p, o, out) < 0 || parse_user(cx, p, o, &out->user) < 0 ||
	    jf_strv(cx, p, o, "args", &out->args, &out->n_args) < 0 ||
	    jf_str(cx, p, o, "commandLine", false, &out->command_line) < 0 ||
	    jf_strv(cx, p, o, "env", &out->env, &out->n_env) < 0 ||
	    jf_str(cx, p, o, "cwd", true, &out->cwd) < 0)
		return -1;
	struct jpath cwd = JP_FIELD_OF(p, "cwd");
	if (jcheck_abs(cx, &cwd, out->cwd) < 0 ||
	    parse_capabilities(cx, p, o, &out->capabilities) < 0 ||
	    parse_rlimits(cx, p, o, out) < 0 ||
	    jf_bool(cx, p, o, "noNewPrivileges", false, &out->no_new_privileges, NULL) < 0 ||
	    jf_str(cx, p, o, "apparmorProfile", false, &out->apparmor_profile) < 0 ||
	    jf_int_range(cx, p, o, "oomScoreAdj", false, -1000, 1000, &adj,
			 &out->has_oom_score_adj) < 0 ||
	    parse_scheduler(cx, p, o, &out->scheduler) < 0 ||
	    jf_str(cx, p, o, "selinuxLabel", false, &out->selinux_label) < 0 ||
	    parse_io_priority(cx, p, o, &out->io_priority) < 0 ||
	    parse_exec_cpu_affinity(cx, p, o, &out->exec_cpu_affinity) < 0)
		return -1;
	if (out->has_oom_score_adj)
		out->oom_score_adj = (int32_t)adj;
	return 0;
}
