/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp: names to libseccomp values, rules into a filter, the filter
 * out as BPF, and the BPF into the kernel. See seccomp_oci.h for the rules
 * this follows and why.
 */
#include "seccomp_oci.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* Kernel limit on one filter program (BPF_MAXINSNS). */
#define SECCOMP_MAX_INSNS 4096

/* ---- names ---- */

enum act_kind {
	ACT_KILL,
	ACT_KILL_THREAD,
	ACT_KILL_PROCESS,
	ACT_TRAP,
	ACT_ERRNO,
	ACT_TRACE,
	ACT_ALLOW,
	ACT_LOG,
	ACT_NOTIFY
};

static const char *const action_names[] = {
	[ACT_KILL] = "SCMP_ACT_KILL",
	[ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
	[ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
	[ACT_TRAP] = "SCMP_ACT_TRAP",
	[ACT_ERRNO] = "SCMP_ACT_ERRNO",
	[ACT_TRACE] = "SCMP_ACT_TRACE",
	[ACT_ALLOW] = "SCMP_ACT_ALLOW",
	[ACT_LOG] = "SCMP_ACT_LOG",
	[ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
	NULL,
};

static const struct {
	const char *name;
	enum scmp_compare op;
} operators[] = {
	{"SCMP_CMP_NE", SCMP_CMP_NE},
	{"SCMP_CMP_LT", SCMP_CMP_LT},
	{"SCMP_CMP_LE", SCMP_CMP_LE},
	{"SCMP_CMP_EQ", SCMP_CMP_EQ},
	{"SCMP_CMP_GE", SCMP_CMP_GE},
	{"SCMP_CMP_GT", SCMP_CMP_GT},
	{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};
static const char *const operator_names[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL,
};

static const struct {
	const char *name;
	uint32_t arch;
} archs[] = {
	{"SCMP_ARCH_X86", SCMP_ARCH_X86},
	{"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
	{"SCMP_ARCH_X32", SCMP_ARCH_X32},
	{"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
	{"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
	{"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
	{"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
	{"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
	{"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
	{"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
	{"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
	{"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
	{"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
	{"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
	{"SCMP_ARCH_S390", SCMP_ARCH_S390},
	{"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
	{"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
	{"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
	{"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
	{"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#endif
#ifdef SCMP_ARCH_M68K
	{"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#endif
#ifdef SCMP_ARCH_SH
	{"SCMP_ARCH_SH", SCMP_ARCH_SH},
	{"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#endif
};
static const char *arch_names[ARRAY_SIZE(archs) + 1];

static const struct {
	const char *name;
	unsigned int flag;
} flags[] = {
	{"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	{"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	{"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	{"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
};
static const char *flag_names[ARRAY_SIZE(flags) + 1];

const char *const *seccomp_oci_known_actions(void)
{
	return action_names;
}

const char *const *seccomp_oci_known_operators(void)
{
	return operator_names;
}

const char *const *seccomp_oci_known_archs(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(archs); i++)
		arch_names[i] = archs[i].name;
	return arch_names;
}

const char *const *seccomp_oci_known_flags(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++)
		flag_names[i] = flags[i].name;
	return flag_names;
}

static int flag_from_name(const char *name, unsigned int *out)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(flags); i++)
		if (strcmp(flags[i].name, name) == 0) {
			*out = flags[i].flag;
			return 0;
		}
	return -1;
}

bool seccomp_oci_flag_supported(const char *name)
{
	unsigned int f;
	if (flag_from_name(name, &f) < 0)
		return false;
	/* A NULL program: EFAULT once the flags passed the check, EINVAL when not known. */
	if (f == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f, NULL);
	return r < 0 && errno == EFAULT;
}

/* ---- actions ---- */

static int action_parse(const char *name, bool has_errno, uint32_t errno_ret, const char *field,
			uint32_t *act, enum act_kind *kind, struct werr *e)
{
	int k = -1;
	for (int i = 0; name && action_names[i]; i++)
		if (strcmp(action_names[i], name) == 0)
			k = i;
	if (k < 0)
		return werr_set(e, 0, "%s: unknown action \"%s\"", field, name ? name : "");
	if (has_errno && errno_ret > 0xffff)
		return werr_set(e, 0, "%s: errnoRet %u does not fit in 16 bits", field, errno_ret);
	uint16_t ret = has_errno ? (uint16_t)errno_ret : EPERM;
	switch ((enum act_kind)k) {
	case ACT_KILL:
	case ACT_KILL_THREAD:
		*act = SCMP_ACT_KILL_THREAD;
		break;
	case ACT_KILL_PROCESS:
		*act = SCMP_ACT_KILL_PROCESS;
		break;
	case ACT_TRAP:
		*act = SCMP_ACT_TRAP;
		break;
	case ACT_ERRNO:
		*act = SCMP_ACT_ERRNO(ret);
		break;
	case ACT_TRACE:
		*act = SCMP_ACT_TRACE(ret);
		break;
	case ACT_ALLOW:
		*act = SCMP_ACT_ALLOW;
		break;
	case ACT_LOG:
		*act = SCMP_ACT_LOG;
		break;
	case ACT_NOTIFY:
		*act = SCMP_ACT_NOTIFY;
		break;
	}
	if (has_errno && k != ACT_ERRNO && k != ACT_TRACE)
		log_debug("%s: errnoRet is ignored for %s", field, name);
	*kind = (enum act_kind)k;
	return 0;
}

/* ---- rules ---- */

static int args_to_cmps(const struct oci_seccomp_syscall *sc, size_t idx, struct scmp_arg_cmp *cmp,
			bool *shared_index, struct werr *e)
{
	unsigned int seen = 0;
	*shared_index = false;
	for (size_t j = 0; j < sc->n_args; j++) {
		const struct oci_seccomp_arg *a = &sc->args[j];
		if (a->index > 5)
			return werr_set(e, 0,
					"linux.seccomp.syscalls[%zu].args[%zu].index: %u is not a "
					"system call argument (0..5)",
					idx, j, a->index);
		size_t k;
		for (k = 0; k < ARRAY_SIZE(operators); k++)
			if (a->op && strcmp(operators[k].name, a->op) == 0)
				break;
		if (k == ARRAY_SIZE(operators))
			return werr_set(
				e, 0,
				"linux.seccomp.syscalls[%zu].args[%zu].op: unknown operator "
				"\"%s\"",
				idx, j, a->op ? a->op : "");
		if (seen & (1u << a->index))
			*shared_index = true;
		seen |= 1u << a->index;
		/* For MASKED_EQ libseccomp's datum_a is the mask, datum_b the value. */
		cmp[j] = (struct scmp_arg_cmp){.arg = a->index,
					       .op = operators[k].op,
					       .datum_a = a->value,
					       .datum_b = a->value_two};
	}
	return 0;
}

static int add_syscall_rules(scmp_filter_ctx ctx, const struct oci_seccomp_syscall *sc, size_t idx,
			     uint32_t act, struct werr *e)
{
	if (sc->n_args > 6 * 8)
		return werr_set(e, 0, "linux.seccomp.syscalls[%zu].args: too many arguments", idx);
	struct scmp_arg_cmp cmp[6 * 8];
	bool shared;
	if (args_to_cmps(sc, idx, cmp, &shared, e) < 0)
		return -1;
	if (!shared && sc->n_args > 6)
		return werr_set(e, 0, "linux.seccomp.syscalls[%zu].args: too many arguments", idx);

	for (size_t n = 0; n < sc->n_names; n++) {
		const char *name = sc->names[n];
		if (!name || !name[0])
			return werr_set(e, 0, "linux.seccomp.syscalls[%zu].names[%zu]: empty name",
					idx, n);
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			log_debug("unknown seccomp syscall \"%s\" ignored", name);
			continue;
		}
		int r;
		if (!shared) {
			r = seccomp_rule_add_array(ctx, act, nr, (unsigned int)sc->n_args,
						   sc->n_args ? cmp : NULL);
		} else {
			r = 0;
			for (size_t j = 0; j < sc->n_args && r == 0; j++)
				r = seccomp_rule_add_array(ctx, act, nr, 1, &cmp[j]);
		}
		if (r < 0)
			return werr_set(e, -r, "linux.seccomp.syscalls[%zu]: add the rule for %s",
					idx, name);
	}
	return 0;
}

/* Syscalls the loading process itself needs before its listener fd is handed over. */
static bool notify_forbidden(const char *name)
{
	return name && (strcmp(name, "write") == 0 || strcmp(name, "sendmsg") == 0);
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_fprog *prog, struct werr *e)
{
	_cleanup_close_ int fd = memfd_create("ward-seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return werr_set(e, -r, "export the seccomp filter as BPF");
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return werr_sys(e, "seek the exported seccomp filter");
	if (size == 0 || size % (off_t)sizeof(struct sock_filter) != 0)
		return werr_set(e, EINVAL, "libseccomp exported %lld bytes of BPF",
				(long long)size);
	size_t insns = (size_t)size / sizeof(struct sock_filter);
	if (insns > SECCOMP_MAX_INSNS)
		return werr_set(e, E2BIG,
				"linux.seccomp: the filter needs %zu BPF instructions, the kernel "
				"takes at most %d",
				insns, SECCOMP_MAX_INSNS);
	char *buf = NULL;
	size_t len;
	if (read_fd_all(fd, (size_t)size, &buf, &len, e) < 0)
		return werr_wrap(e, "read the exported seccomp filter");
	if (len != (size_t)size) {
		free(buf);
		return werr_set(e, EIO, "short read of the exported seccomp filter");
	}
	prog->filter = (struct sock_filter *)(void *)buf;
	prog->len = (unsigned short)insns;
	return 0;
}

static int compile_rules(scmp_filter_ctx ctx, const struct oci_seccomp *s, uint32_t def_act,
			 struct seccomp_oci *out, struct werr *e)
{
	for (size_t i = 0; i < s->n_architectures; i++) {
		const char *name = s->architectures[i];
		size_t k;
		for (k = 0; k < ARRAY_SIZE(archs); k++)
			if (name && strcmp(archs[k].name, name) == 0)
				break;
		if (k == ARRAY_SIZE(archs))
			return werr_set(
				e, 0,
				"linux.seccomp.architectures[%zu]: unknown architecture \"%s\"", i,
				name ? name : "");
		int r = seccomp_arch_add(ctx, archs[k].arch);
		if (r < 0 && r != -EEXIST) /* the native arch is always there */
			return werr_set(e, -r, "linux.seccomp.architectures[%zu]: add %s", i, name);
	}

	for (size_t i = 0; i < s->n_flags; i++) {
		unsigned int f;
		if (flag_from_name(s->flags[i], &f) < 0)
			return werr_set(e, 0, "linux.seccomp.flags[%zu]: unknown flag \"%s\"", i,
					s->flags[i] ? s->flags[i] : "");
		out->flags |= f;
	}

	char field[64];
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct oci_seccomp_syscall *sc = &s->syscalls[i];
		uint32_t act;
		enum act_kind kind;
		snprintf(field, sizeof(field), "linux.seccomp.syscalls[%zu].action", i);
		if (action_parse(sc->action, sc->has_errno_ret, sc->errno_ret, field, &act, &kind,
				 e) < 0)
			return -1;
		if (sc->n_names == 0)
			return werr_set(
				e, 0, "linux.seccomp.syscalls[%zu].names: no system call named", i);
		if (kind == ACT_NOTIFY) {
			for (size_t n = 0; n < sc->n_names; n++)
				if (notify_forbidden(sc->names[n]))
					return werr_set(
						e, 0,
						"linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY "
						"cannot be used for %s (the runtime needs it to "
						"hand the listener over)",
						i, sc->names[n]);
			out->has_notify = true;
		}
		if (act == def_act) {
			log_debug(
				"linux.seccomp.syscalls[%zu]: same action as the default, skipped",
				i);
			continue;
		}
		if (add_syscall_rules(ctx, sc, i, act, e) < 0)
			return -1;
	}

	if ((out->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) && !out->has_notify) {
		/* The flag only changes how notified calls wait; the kernel refuses it alone. */
		log_debug(
			"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored: no SCMP_ACT_NOTIFY rule");
		out->flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	return 0;
}

int seccomp_oci_compile(const struct oci_seccomp *s, struct seccomp_oci *out, struct werr *e)
{
	memset(out, 0, sizeof(*out));
	if (!s->present)
		return 0;

	uint32_t def_act;
	enum act_kind def_kind;
	if (action_parse(s->default_action, s->has_default_errno_ret, s->default_errno_ret,
			 "linux.seccomp.defaultAction", &def_act, &def_kind, e) < 0)
		return -1;
	if (def_kind == ACT_NOTIFY)
		return werr_set(
			e, 0,
			"linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
			"action (the runtime could not hand the listener over)");

	scmp_filter_ctx ctx = seccomp_init(def_act);
	if (!ctx)
		return werr_set(e, ENOMEM, "linux.seccomp: cannot create a filter");
	/* no_new_privs belongs to process.noNewPrivileges, never to the filter. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* A binary tree of syscalls keeps long profiles fast (libseccomp <= 2.5.4 mishandles
	 * it for empty filters, hence the threshold runc uses too). */
	if (r == 0 && s->n_syscalls > 32 && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		log_debug("seccomp binary tree optimization not available");
	if (r < 0) {
		seccomp_release(ctx);
		return werr_set(e, -r, "linux.seccomp: configure the filter");
	}
	if (compile_rules(ctx, s, def_act, out, e) < 0 || export_bpf(ctx, &out->prog, e) < 0) {
		seccomp_release(ctx);
		seccomp_oci_release(out);
		return -1;
	}
	seccomp_release(ctx);
	return 0;
}

void seccomp_oci_release(struct seccomp_oci *f)
{
	free(f->prog.filter);
	memset(f, 0, sizeof(*f));
}

int seccomp_oci_load(const struct seccomp_oci *f, int *listener_fd, struct werr *e)
{
	*listener_fd = -1;
	if (f->prog.len == 0)
		return 0;
	unsigned long fl = f->flags;
	if (f->has_notify)
		fl |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	/* With a listener, TSYNC can only report failure as ESRCH (the fd takes the return). */
	if ((fl & SECCOMP_FILTER_FLAG_TSYNC) && (fl & SECCOMP_FILTER_FLAG_NEW_LISTENER))
		fl |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, fl, &f->prog);
	if (r < 0) {
		if (errno == EACCES)
			return werr_set(e, EACCES,
					"load the seccomp filter: without no_new_privs this needs "
					"CAP_SYS_ADMIN");
		if (errno == EINVAL && f->flags)
			return werr_set(
				e, EINVAL,
				"load the seccomp filter: the kernel refuses the filter or its "
				"flags (0x%lx)",
				fl);
		if (errno == EBUSY && (fl & SECCOMP_FILTER_FLAG_NEW_LISTENER))
			return werr_set(e, EBUSY,
					"load the seccomp filter: this process already has a "
					"seccomp notify listener and the kernel allows only one");
		if (errno == ESRCH)
			return werr_set(e, ESRCH,
					"load the seccomp filter: another thread could not be "
					"synchronized (TSYNC)");
		return werr_sys(e, "load the seccomp filter");
	}
	if (fl & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		*listener_fd = (int)r;
	} else if (r > 0) {
		/* TSYNC without a listener returns the id of a thread that could not sync. */
		return werr_set(
			e, ESRCH,
			"load the seccomp filter: thread %ld could not be synchronized (TSYNC)", r);
	}
	return 0;
}
