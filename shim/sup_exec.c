/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exec audit: the path and argv are copied for the audit line and the call
 * goes on with CONTINUE. That is sound because the decision (allow) does not
 * depend on what was read: the line is marked "reported": "caller", since the
 * caller could change the strings between our read and the kernel's.
 */
#include "sup.h"

#include <stdio.h>
#include <string.h>

#define EXEC_MAX_ARGS   64
#define EXEC_ARGV_BYTES 2048

void sup_exec_audit(struct sup_call *c, bool at)
{
	const struct ward_policy *p = c->s->pol;
	if (!(p->audit.exec || p->process.exec_audit)) {
		sup_call_continue(c);
		return;
	}
	pid_t pid = (pid_t)c->n.pid;
	uint64_t path_addr = at ? c->n.data.args[1] : c->n.data.args[0];
	uint64_t argv_addr = at ? c->n.data.args[2] : c->n.data.args[1];
	sup_call_audit_begin(c, at ? "execveat" : "execve");
	struct jsonw *w = &c->jw;
	if (at) {
		jsonw_key_int(w, "dirfd", (int)c->n.data.args[0]);
		jsonw_key_int(w, "flags", (int)c->n.data.args[4]);
	}

	/* read everything first: it is logged only if the caller still waits (below) */
	char path[1024];
	bool trunc = false, any_trunc = false;
	bool have_path = sup_target_read_str(pid, path_addr, path, sizeof(path), &trunc) == 0;
	any_trunc |= trunc;
	char args[EXEC_ARGV_BYTES]; /* the arguments, one after another with their NULs */
	size_t used = 0;
	int nargs = 0;
	for (int i = 0; argv_addr && i < EXEC_MAX_ARGS + 1; i++) {
		uint64_t ptr;
		if (sup_target_read(pid, argv_addr + (uint64_t)i * 8, &ptr, 8) < 0 || !ptr)
			break;
		if (i == EXEC_MAX_ARGS || sizeof(args) - used < 2) {
			any_trunc = true;
			break;
		}
		if (sup_target_read_str(pid, ptr, args + used, sizeof(args) - used, &trunc) < 0)
			break;
		any_trunc |= trunc;
		used += strlen(args + used) + 1;
		nargs++;
	}
	/*
	 * The strings were read by pid: if the caller is gone (killed meanwhile), the
	 * pid may name another process by now, and what we read is not the caller's.
	 */
	if (sup_call_valid(c)) {
		if (have_path)
			jsonw_key_str(w, "path", path);
		jsonw_key(w, "argv");
		jsonw_arr_open(w);
		for (size_t off = 0; nargs-- > 0; off += strlen(args + off) + 1)
			jsonw_str(w, args + off);
		jsonw_arr_close(w);
		if (any_trunc)
			jsonw_key_bool(w, "truncated", true);
	}
	sup_call_continue(c);
}
