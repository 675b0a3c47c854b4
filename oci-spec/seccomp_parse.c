/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "linux.seccomp". Syscall names are not checked: unknown ones are skipped later. */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "parse_internal.h"

/* "Some actions like SCMP_ACT_ERRNO and SCMP_ACT_TRACE allow to specify the errno code" */
static bool action_takes_errno(const char *action)
{
	return strcmp(action, "SCMP_ACT_ERRNO") == 0 || strcmp(action, "SCMP_ACT_TRACE") == 0;
}

static int check_errno_ret(const struct jctx *cx, const struct jpath *up, const char *field,
			   const char *action_field, bool has, const char *action)
{
	if (!has || action_takes_errno(action))
		return 0;
	struct jpath p = JP_FIELD_OF(up, field);
	return jerr(cx, &p, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE (%s is %s)",
		    action_field, action);
}

static int parse_arg(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
		     struct oci_seccomp_arg *a)
{
	bool has;
	struct jpath op = JP_FIELD_OF(p, "op");
	/* a syscall has six argument registers */
	if (jv_type(cx, p, o, JT_OBJECT) < 0)
		return -1;
	int64_t idx;
	if (jf_int_range(cx, p, o, "index", true, 0, 5, &idx, NULL) < 0 ||
	    jf_u64(cx, p, o, "value", true, &a->value, NULL) < 0 ||
	    jf_u64(cx, p, o, "valueTwo", false, &a->value_two, &has) < 0 ||
	    jf_str(cx, p, o, "op", true, &a->op) < 0 ||
	    jcheck_oci_enum(cx, &op, a->op, &oci_enum_seccomp_ops) < 0)
		return -1;
	a->index = (uint32_t)idx;
	return 0;
}

static int parse_syscall(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			 struct oci_seccomp_syscall *s)
{
	const struct jnode *a;
	struct jpath np = JP_FIELD_OF(p, "names");
	struct jpath ap = JP_FIELD_OF(p, "action");

	if (jv_type(cx, p, o, JT_OBJECT) < 0)
		return -1;
	const struct jnode *names = jobj_member(o, "names");
	if (!names)
		return jerr(cx, &np, "required field missing");
	if (names->type == JT_NULL)
		return jerr(cx, &np, "expected an array, got null");
	if (jf_strv(cx, p, o, "names", &s->names, &s->n_names) < 0)
		return -1;
	if (s->n_names == 0)
		return jerr(cx, &np, "must contain at least one syscall name");
	if (jf_str(cx, p, o, "action", true, &s->action) < 0 ||
	    jcheck_oci_enum(cx, &ap, s->action, &oci_enum_seccomp_actions) < 0 ||
	    jf_u32(cx, p, o, "errnoRet", false, &s->errno_ret, &s->has_errno_ret) < 0 ||
	    check_errno_ret(cx, p, "errnoRet", "action", s->has_errno_ret, s->action) < 0 ||
	    jf_arr(cx, p, o, "args", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath argsp = JP_FIELD_OF(p, "args");
	s->args = xcalloc(a->u.kids.n, sizeof(*s->args));
	s->n_args = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&argsp, i);
		if (parse_arg(cx, &ip, it, &s->args[i]) < 0)
			return -1;
	}
	return 0;
}

static int check_enum_list(const struct jctx *cx, const struct jpath *up, const char *name,
			   char **v, size_t n, const struct oci_enum *en)
{
	struct jpath p = JP_FIELD_OF(up, name);
	for (size_t i = 0; i < n; i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		if (jcheck_oci_enum(cx, &ip, v[i], en) < 0)
			return -1;
	}
	return 0;
}

int oci_parse_seccomp_obj(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			  struct oci_seccomp *s)
{
	const struct jnode *a;
	struct jpath dp = JP_FIELD_OF(p, "defaultAction");

	if (jf_str(cx, p, o, "defaultAction", true, &s->default_action) < 0 ||
	    jcheck_oci_enum(cx, &dp, s->default_action, &oci_enum_seccomp_actions) < 0 ||
	    jf_u32(cx, p, o, "defaultErrnoRet", false, &s->default_errno_ret,
		   &s->has_default_errno_ret) < 0 ||
	    check_errno_ret(cx, p, "defaultErrnoRet", "defaultAction", s->has_default_errno_ret,
			    s->default_action) < 0 ||
	    jf_strv(cx, p, o, "architectures", &s->architectures, &s->n_architectures) < 0 ||
	    check_enum_list(cx, p, "architectures", s->architectures, s->n_architectures,
			    &oci_enum_seccomp_archs) < 0 ||
	    jf_strv(cx, p, o, "flags", &s->flags, &s->n_flags) < 0 ||
	    check_enum_list(cx, p, "flags", s->flags, s->n_flags, &oci_enum_seccomp_flags) < 0 ||
	    jf_str(cx, p, o, "listenerPath", false, &s->listener_path) < 0 ||
	    jf_str(cx, p, o, "listenerMetadata", false, &s->listener_metadata) < 0)
		return -1;
	/* "This field MUST NOT be set if listenerPath is not set" */
	if (s->listener_metadata && !s->listener_path) {
		struct jpath mp = JP_FIELD_OF(p, "listenerMetadata");
		return jerr(cx, &mp, "must not be set without listenerPath");
	}
	if (jf_arr(cx, p, o, "syscalls", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath sp = JP_FIELD_OF(p, "syscalls");
	s->syscalls = xcalloc(a->u.kids.n, sizeof(*s->syscalls));
	s->n_syscalls = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&sp, i);
		if (parse_syscall(cx, &ip, it, &s->syscalls[i]) < 0)
			return -1;
	}
	return 0;
}
