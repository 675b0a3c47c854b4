/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Refused process operations (policy audit.process): the ward filter
 * notifies the calls of the process.deny groups instead of refusing them in
 * BPF, and the supervisor refuses them here with the policy's errno and
 * writes a line. The decision uses the registers only (the syscall number,
 * and for unshare/clone the flags, exactly BPF's conditions), so nothing the
 * caller can rewrite matters; memory is never read. The line carries the
 * register arguments that say what was attempted, by name.
 */
#include "sup.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "../common/util.h"
#include "../runtime/ward_filter.h"

/* Register arguments worth a name in the line: index and name; 'x' = hex, 'd' = signed. */
struct arg_desc {
	const char *syscall;
	struct {
		int idx;
		char fmt;
		const char *key;
	} a[4];
};

static const struct arg_desc arg_descs[] = {
	{"unshare", {{0, 'x', "flags"}}},
	{"clone", {{0, 'x', "flags"}}},
	{"mount", {{3, 'x', "mountflags"}}},
	{"umount2", {{1, 'x', "flags"}}},
	{"open_tree", {{0, 'd', "dfd"}, {2, 'x', "flags"}}},
	{"move_mount", {{0, 'd', "from_dfd"}, {2, 'd', "to_dfd"}, {4, 'x', "flags"}}},
	{"fsopen", {{1, 'x', "flags"}}},
	{"fsconfig", {{0, 'd', "fd"}, {1, 'd', "cmd"}}},
	{"fsmount", {{0, 'd', "fd"}, {1, 'x', "flags"}, {2, 'x', "attr_flags"}}},
	{"fspick", {{0, 'd', "dfd"}, {2, 'x', "flags"}}},
	{"mount_setattr", {{0, 'd', "dfd"}, {2, 'x', "flags"}}},
	{"ptrace", {{0, 'd', "request"}, {1, 'd', "target_pid"}}},
	{"process_vm_readv", {{0, 'd', "target_pid"}}},
	{"process_vm_writev", {{0, 'd', "target_pid"}}},
	{"keyctl", {{0, 'd', "operation"}}},
	{"bpf", {{0, 'd', "cmd"}}},
	{"perf_event_open", {{1, 'd', "target_pid"}, {2, 'd', "cpu"}, {4, 'x', "flags"}}},
	{"init_module", {{1, 'd', "len"}}},
	{"finit_module", {{0, 'd', "fd"}, {2, 'x', "flags"}}},
	{"delete_module", {{1, 'x', "flags"}}},
	{"kexec_load", {{1, 'd', "nr_segments"}, {3, 'x', "flags"}}},
	{"kexec_file_load", {{0, 'd', "kernel_fd"}, {1, 'd', "initrd_fd"}, {4, 'x', "flags"}}},
	{"io_uring_setup", {{0, 'd', "entries"}}},
	{"io_uring_enter", {{0, 'd', "fd"}}},
	{"io_uring_register", {{0, 'd', "fd"}, {1, 'd', "opcode"}}},
	{"userfaultfd", {{0, 'x', "flags"}}},
};

static void add_args(struct jsonw *w, const char *name, const __u64 *args)
{
	for (size_t i = 0; i < ARRAY_SIZE(arg_descs); i++) {
		if (strcmp(arg_descs[i].syscall, name) != 0)
			continue;
		for (size_t k = 0; k < 4 && arg_descs[i].a[k].key; k++) {
			uint64_t v = args[arg_descs[i].a[k].idx];
			if (arg_descs[i].a[k].fmt == 'x') {
				char hex[24];
				snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)v);
				jsonw_key_str(w, arg_descs[i].a[k].key, hex);
			} else {
				/* int arguments: the kernel reads the low 32 bits */
				jsonw_key_int(w, arg_descs[i].a[k].key, (int32_t)v);
			}
		}
		return;
	}
}

bool sup_proc_refuse(struct sup_call *c)
{
	const struct ward_policy *p = c->s->pol;
	const char *name;
	unsigned group = ward_filter_proc_group(c->n.data.nr, &name);
	if (!group || !(p->process.deny & group) || !p->audit.process)
		return false;
	/* BPF notifies unshare/clone only with CLONE_NEWUSER; anything else is not ours */
	if (group == WARD_PROC_USERNS && !(c->n.data.args[0] & CLONE_NEWUSER))
		return false;
	sup_call_audit_begin(c, name);
	jsonw_key_str(&c->jw, "group", policy_proc_group_name((enum ward_proc_group)group));
	add_args(&c->jw, name, c->n.data.args);
	jsonw_key_str(&c->jw, "rule", "process.deny");
	sup_call_reply(c, 0, p->process.errnum, "deny", NULL);
	return true;
}
