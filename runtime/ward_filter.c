/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ward filter from a policy, with libseccomp; exported as BPF so that the
 * child loads it with one seccomp(2) call. See ward_filter.h for what is
 * decided where, and why.
 */
#include "ward_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"

#ifndef IPV6_2292PKTOPTIONS
#define IPV6_2292PKTOPTIONS 6
#endif
#ifndef IPV6_2292RTHDR
#define IPV6_2292RTHDR 5
#endif

/* int arguments: compare the low 32 bits only, as the kernel reads them */
#define INT_EQ(i, v) SCMP_CMP((i), SCMP_CMP_MASKED_EQ, 0xffffffffu, (uint32_t)(v))

static const struct {
	enum ward_proc_group group;
	const char *names[12];
} proc_syscalls[] = {
	{WARD_PROC_MOUNT,
	 {"mount", "umount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen",
	  "fsconfig", "fsmount", "fspick", "mount_setattr", NULL}},
	{WARD_PROC_PTRACE, {"ptrace", NULL}},
	{WARD_PROC_PROCESS_VM, {"process_vm_readv", "process_vm_writev", NULL}},
	{WARD_PROC_KEYRING, {"keyctl", "add_key", "request_key", NULL}},
	{WARD_PROC_BPF, {"bpf", NULL}},
	{WARD_PROC_PERF, {"perf_event_open", NULL}},
	{WARD_PROC_MODULES, {"init_module", "finit_module", "delete_module", NULL}},
	{WARD_PROC_KEXEC, {"kexec_load", "kexec_file_load", NULL}},
	{WARD_PROC_IO_URING, {"io_uring_setup", "io_uring_enter", "io_uring_register", NULL}},
	{WARD_PROC_USERFAULTFD, {"userfaultfd", NULL}},
};

uint32_t ward_filter_mediated(const struct ward_policy *p)
{
	if (!p->supervise)
		return 0;
	uint32_t m = 0;
	bool unix_deny = policy_unix_can_deny(p);
	bool audit = p->audit.network;
	if (audit || unix_deny || policy_rules_can_deny(&p->net.egress))
		m |= WARD_MED_CONNECT | WARD_MED_SENDTO | WARD_MED_SENDMSG | WARD_MED_SENDMMSG;
	if (audit || unix_deny || policy_rules_can_deny(&p->net.bind))
		m |= WARD_MED_BIND;
	if (audit || policy_rules_can_deny(&p->net.listen))
		m |= WARD_MED_LISTEN;
	if (p->process.exec_audit || p->audit.exec)
		m |= WARD_MED_EXEC;
	if (p->audit.process && p->process.deny)
		m |= WARD_MED_PROCESS;
	if (p->proc.virtualize)
		m |= WARD_MED_VPROC;
	if (p->audit.files)
		m |= WARD_MED_FILES;
	return m;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t act, const char *name, unsigned n,
		    const struct scmp_arg_cmp *cmp, struct werr *e)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		log_debug("ward filter: %s unknown to libseccomp on this architecture", name);
		return 0;
	}
	int r = seccomp_rule_add_array(ctx, act, nr, n, n ? cmp : NULL);
	if (r < 0)
		return werr_set(e, -r, "ward filter: add the rule for %s", name);
	return 0;
}

/* Syscall numbers of proc_syscalls (and unshare, clone), resolved once. */
static struct {
	pthread_once_t once;
	int nr[ARRAY_SIZE(proc_syscalls)][12];
	int unshare, clone;
} proc_nrs = {.once = PTHREAD_ONCE_INIT};

static void resolve_proc_nrs(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(proc_syscalls); i++)
		for (size_t k = 0; k < 12; k++)
			proc_nrs.nr[i][k] =
				proc_syscalls[i].names[k]
					? seccomp_syscall_resolve_name(proc_syscalls[i].names[k])
					: __NR_SCMP_ERROR;
	proc_nrs.unshare = seccomp_syscall_resolve_name("unshare");
	proc_nrs.clone = seccomp_syscall_resolve_name("clone");
}

unsigned ward_filter_proc_group(long nr, const char **name)
{
	pthread_once(&proc_nrs.once, resolve_proc_nrs);
	*name = NULL;
	if (nr < 0 || nr == __NR_SCMP_ERROR)
		return 0;
	if (nr == proc_nrs.unshare || nr == proc_nrs.clone) {
		*name = nr == proc_nrs.unshare ? "unshare" : "clone";
		return WARD_PROC_USERNS;
	}
	for (size_t i = 0; i < ARRAY_SIZE(proc_syscalls); i++)
		for (size_t k = 0; proc_syscalls[i].names[k]; k++)
			if (proc_nrs.nr[i][k] == nr) {
				*name = proc_syscalls[i].names[k];
				return proc_syscalls[i].group;
			}
	return 0;
}

static int add_process_rules(scmp_filter_ctx ctx, const struct ward_policy *p, struct werr *e)
{
	/* audited refusals go to the supervisor, which answers with the same errno */
	uint32_t deny = (ward_filter_mediated(p) & WARD_MED_PROCESS)
				? SCMP_ACT_NOTIFY
				: SCMP_ACT_ERRNO((uint16_t)p->process.errnum);
	for (size_t i = 0; i < ARRAY_SIZE(proc_syscalls); i++) {
		if (!(p->process.deny & proc_syscalls[i].group))
			continue;
		for (size_t k = 0; proc_syscalls[i].names[k]; k++)
			if (add_rule(ctx, deny, proc_syscalls[i].names[k], 0, NULL, e) < 0)
				return -1;
	}
	if (p->process.deny & WARD_PROC_USERNS) {
		struct scmp_arg_cmp newuser =
			SCMP_CMP(0, SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
		if (add_rule(ctx, deny, "unshare", 1, &newuser, e) < 0 ||
		    add_rule(ctx, deny, "clone", 1, &newuser, e) < 0 ||
		    add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, e) < 0)
			return -1;
	}
	return 0;
}

static int add_socket_rules(scmp_filter_ctx ctx, const struct ward_policy *p, struct werr *e)
{
	uint32_t afno = SCMP_ACT_ERRNO(EAFNOSUPPORT);
	for (int af = 0; af < WARD_AF_BITS; af++) {
		if (policy_family_allowed(p, af))
			continue;
		struct scmp_arg_cmp fam = INT_EQ(0, af);
		if (add_rule(ctx, afno, "socket", 1, &fam, e) < 0 ||
		    add_rule(ctx, afno, "socketpair", 1, &fam, e) < 0)
			return -1;
	}
	bool packet_denied = !policy_family_allowed(p, AF_PACKET);
	uint32_t perm = SCMP_ACT_ERRNO(EPERM);
	static const int inet_families[] = {AF_INET, AF_INET6};
	for (size_t i = 0; i < ARRAY_SIZE(inet_families); i++) {
		int af = inet_families[i];
		if (!policy_family_allowed(p, af))
			continue; /* the whole family is refused already */
		/* the socket type shares its register with SOCK_NONBLOCK|SOCK_CLOEXEC */
		struct scmp_arg_cmp raw[2] = {INT_EQ(0, af),
					      SCMP_CMP(1, SCMP_CMP_MASKED_EQ, 0xf, SOCK_RAW)};
		struct scmp_arg_cmp pkt[2] = {INT_EQ(0, af),
					      SCMP_CMP(1, SCMP_CMP_MASKED_EQ, 0xf, SOCK_PACKET)};
		if (p->net.raw_deny && add_rule(ctx, perm, "socket", 2, raw, e) < 0)
			return -1;
		/* the kernel turns (AF_INET, SOCK_PACKET) into a packet socket */
		if (af == AF_INET && (p->net.raw_deny || packet_denied) &&
		    add_rule(ctx, packet_denied ? afno : perm, "socket", 2, pkt, e) < 0)
			return -1;
	}
	/* SCTP names destinations outside connect/sendmsg's address (SCTP_SOCKOPT_CONNECTX,
	 * SCTP_SENDINFO/DSTADDR control messages): refused when egress can be denied */
	if (policy_rules_can_deny(&p->net.egress)) {
		for (size_t i = 0; i < ARRAY_SIZE(inet_families); i++) {
			struct scmp_arg_cmp sctp[2] = {INT_EQ(0, inet_families[i]),
						       INT_EQ(2, IPPROTO_SCTP)};
			if (policy_family_allowed(p, inet_families[i]) &&
			    add_rule(ctx, SCMP_ACT_ERRNO(EPROTONOSUPPORT), "socket", 2, sctp, e) <
				    0)
				return -1;
		}
	}
	if (p->net.source_routing_deny) {
		static const int opts[][2] = {{IPPROTO_IP, IP_OPTIONS},
					      {IPPROTO_IPV6, IPV6_RTHDR},
					      {IPPROTO_IPV6, IPV6_2292RTHDR},
					      {IPPROTO_IPV6, IPV6_2292PKTOPTIONS}};
		for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
			struct scmp_arg_cmp c[2] = {INT_EQ(1, opts[i][0]), INT_EQ(2, opts[i][1])};
			if (add_rule(ctx, perm, "setsockopt", 2, c, e) < 0)
				return -1;
		}
	}
	return 0;
}

/* The file calls: see ward_filter.h for which are notified under which switch. */
static int add_file_rules(scmp_filter_ctx ctx, uint32_t med, struct werr *e)
{
	uint32_t n = SCMP_ACT_NOTIFY;
	if (med & WARD_MED_FILES) {
		static const char *const all[] = {
			"open",      "openat",    "openat2",  "creat",   "rename",   "renameat",
			"renameat2", "unlink",    "unlinkat", "rmdir",   "link",     "linkat",
			"symlink",   "symlinkat", "mkdir",    "mkdirat", "truncate",
		};
		for (size_t i = 0; i < ARRAY_SIZE(all); i++)
			if (add_rule(ctx, n, all[i], 0, NULL, e) < 0)
				return -1;
	} else if (med & WARD_MED_VPROC) {
		/* only what can be a plain read of a file: see ward_filter.h */
		uint32_t mask = O_ACCMODE | O_CREAT | O_DIRECTORY | O_PATH;
		struct scmp_arg_cmp rd1 = SCMP_CMP(1, SCMP_CMP_MASKED_EQ, mask, 0);
		struct scmp_arg_cmp rd2 = SCMP_CMP(2, SCMP_CMP_MASKED_EQ, mask, 0);
		if (add_rule(ctx, n, "open", 1, &rd1, e) < 0 ||
		    add_rule(ctx, n, "openat", 1, &rd2, e) < 0 ||
		    add_rule(ctx, n, "openat2", 0, NULL, e) < 0)
			return -1;
	}
	if ((med & WARD_MED_VPROC) && (add_rule(ctx, n, "sched_getaffinity", 0, NULL, e) < 0 ||
				       add_rule(ctx, n, "sysinfo", 0, NULL, e) < 0))
		return -1;
	return 0;
}

static int add_notify_rules(scmp_filter_ctx ctx, uint32_t med, struct werr *e)
{
	uint32_t n = SCMP_ACT_NOTIFY;
	struct scmp_arg_cmp has_addr = SCMP_CMP(4, SCMP_CMP_NE, 0);
	if ((med & WARD_MED_CONNECT) && add_rule(ctx, n, "connect", 0, NULL, e) < 0)
		return -1;
	if ((med & WARD_MED_BIND) && add_rule(ctx, n, "bind", 0, NULL, e) < 0)
		return -1;
	if ((med & WARD_MED_LISTEN) && add_rule(ctx, n, "listen", 0, NULL, e) < 0)
		return -1;
	if ((med & WARD_MED_SENDTO) && add_rule(ctx, n, "sendto", 1, &has_addr, e) < 0)
		return -1;
	if ((med & WARD_MED_SENDMSG) && add_rule(ctx, n, "sendmsg", 0, NULL, e) < 0)
		return -1;
	if ((med & WARD_MED_SENDMMSG) && add_rule(ctx, n, "sendmmsg", 0, NULL, e) < 0)
		return -1;
	if ((med & WARD_MED_EXEC) && (add_rule(ctx, n, "execve", 0, NULL, e) < 0 ||
				      add_rule(ctx, n, "execveat", 0, NULL, e) < 0))
		return -1;
	return add_file_rules(ctx, med, e);
}

static int export_prog(scmp_filter_ctx ctx, struct sock_fprog *prog, struct werr *e)
{
	_cleanup_close_ int fd = memfd_create("ward-filter-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "memfd_create");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return werr_set(e, -r, "export the ward filter as BPF");
	off_t size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
	    lseek(fd, 0, SEEK_SET) < 0)
		return werr_set(e, EINVAL, "libseccomp exported %lld bytes of BPF",
				(long long)size);
	size_t insns = (size_t)size / sizeof(struct sock_filter);
	if (insns > WARD_MAX_INSNS)
		return werr_set(e, E2BIG, "the ward filter needs %zu BPF instructions (max %d)",
				insns, WARD_MAX_INSNS);
	char *buf = NULL;
	size_t len = 0;
	if (read_fd_all(fd, (size_t)size, &buf, &len, e) < 0)
		return werr_wrap(e, "read the exported ward filter");
	if (len != (size_t)size) {
		free(buf);
		return werr_set(e, EIO, "short read of the exported ward filter");
	}
	prog->filter = (struct sock_filter *)(void *)buf;
	prog->len = (unsigned short)insns;
	return 0;
}

int ward_filter_build(const struct ward_policy *p, struct ward_filter *out, struct werr *e)
{
	memset(out, 0, sizeof(*out));
	if (!p->supervise)
		return 0;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return werr_set(e, ENOMEM, "ward filter: cannot create a filter");
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r == 0 && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		log_debug("ward filter: binary tree optimization not available");
	out->mediated = ward_filter_mediated(p);
	if (r < 0) {
		werr_set(e, -r, "ward filter: configure the filter");
	} else if (add_process_rules(ctx, p, e) == 0 && add_socket_rules(ctx, p, e) == 0 &&
		   add_notify_rules(ctx, out->mediated, e) == 0 &&
		   export_prog(ctx, &out->prog, e) == 0) {
		out->has_listener = out->mediated != 0;
		seccomp_release(ctx);
		return 0;
	}
	seccomp_release(ctx);
	ward_filter_release(out);
	return werr_wrap(e, "policy %s", p->name ? p->name : "?");
}

void ward_filter_release(struct ward_filter *f)
{
	free(f->prog.filter);
	memset(f, 0, sizeof(*f));
}

int ward_filter_load(const struct ward_filter *f, int *listener_fd, struct werr *e)
{
	*listener_fd = -1;
	if (f->prog.len == 0)
		return 0;
	unsigned long flags = f->has_listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &f->prog);
	if (r < 0) {
		if (errno == EBUSY)
			return werr_set(
				e, EBUSY,
				"load the ward filter: this process already has a seccomp "
				"notify listener (a linux.seccomp SCMP_ACT_NOTIFY profile?) "
				"and the kernel allows one per process");
		if (errno == EACCES)
			return werr_set(
				e, EACCES,
				"load the ward filter: needs no_new_privs or CAP_SYS_ADMIN");
		return werr_sys(e, "load the ward filter");
	}
	if (f->has_listener)
		*listener_fd = (int)r;
	return 0;
}

int ward_filter_check_oci(const struct ward_policy *p, bool oci_has_notify, struct werr *e)
{
	if (!oci_has_notify || !p->supervise)
		return 0;
	struct ward_filter f;
	if (ward_filter_build(p, &f, e) < 0)
		return -1;
	bool needs = f.has_listener;
	ward_filter_release(&f);
	if (!needs)
		return 0;
	return werr_set(
		e, 0,
		"linux.seccomp uses SCMP_ACT_NOTIFY (a seccomp agent gets the listener) and "
		"policy \"%s\" needs the listener for the ward supervisor; the kernel allows "
		"one listener per process: run this container with --policy none (or "
		"annotation dev.ward.policy=none), or drop the NOTIFY rules",
		p->name ? p->name : "?");
}
