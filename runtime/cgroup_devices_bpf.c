/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device access on cgroup v2: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE
 * attached to the container's cgroup. The kernel runs it for every open and mknod
 * of a device node by a process in the cgroup, with the device type, access and
 * major:minor in struct bpf_cgroup_dev_ctx; returning 0 refuses with EPERM.
 *
 * The program is generated here and loaded with raw bpf(2) calls (no libbpf: the
 * program is a few instructions per rule). It walks the rules from the last to the
 * first and the first rule that matches decides, which is "later rules win"; when
 * none matches the answer is deny (the rule list always starts with deny-all).
 *
 * RLIMIT_MEMLOCK (8 MiB here, not raisable without CAP_SYS_RESOURCE) does not limit
 * this: since Linux 5.11 BPF memory is charged to the memory cgroup instead, and the
 * program is tiny anyway.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "cgroup_internal.h"

#define RWM (CG_DEV_ACC_READ | CG_DEV_ACC_WRITE | CG_DEV_ACC_MKNOD)

/* registers: r1 ctx (then scratch), r2 type, r3 access, r4 major, r5 minor, r0 verdict */
static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i;
	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

#define LDX_W(dst, src, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define AND32_K(dst, k)      insn(BPF_ALU | BPF_AND | BPF_K, dst, 0, 0, k)
#define RSH32_K(dst, k)      insn(BPF_ALU | BPF_RSH | BPF_K, dst, 0, 0, k)
#define MOV32_X(dst, src)    insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV32_K(dst, k)      insn(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, k)
#define JNE32_K(dst, k, off) insn(BPF_JMP32 | BPF_JNE | BPF_K, dst, 0, off, k)
#define JNE32_X(dst, src, o) insn(BPF_JMP32 | BPF_JNE | BPF_X, dst, src, o, 0)
#define JEQ32_K(dst, k, off) insn(BPF_JMP32 | BPF_JEQ | BPF_K, dst, 0, off, k)
#define EXIT()               insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* How many instructions the block of one rule takes. */
static size_t block_len(const struct cg_dev_rule *r)
{
	if (r->type == 'a')
		return 2; /* r0 = verdict; exit */
	size_t n = 1 + 2; /* type check; r0 = verdict; exit */
	if ((r->access & RWM) != RWM)
		n += 3;
	if (r->major >= 0)
		n++;
	if (r->minor >= 0)
		n++;
	return n;
}

int cg_devices_bpf_build(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **out,
			 size_t *n_out, struct werr *e)
{
	/* rules before the last "a" rule can never decide: skip them */
	size_t first = 0;
	for (size_t i = n; i > 0; i--) {
		if (rules[i - 1].type == 'a') {
			first = i - 1;
			break;
		}
	}
	size_t total = 6 + 2;
	for (size_t i = first; i < n; i++)
		total += block_len(&rules[i]);
	_cleanup_free_ struct bpf_insn *p = xcalloc(total, sizeof(*p));
	size_t k = 0;

	/* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; };
	 * access_type = (access << 16) | type */
	p[k++] = LDX_W(BPF_REG_2, BPF_REG_1, 0);
	p[k++] = AND32_K(BPF_REG_2, 0xffff);
	p[k++] = LDX_W(BPF_REG_3, BPF_REG_1, 0);
	p[k++] = RSH32_K(BPF_REG_3, 16);
	p[k++] = LDX_W(BPF_REG_4, BPF_REG_1, 4);
	p[k++] = LDX_W(BPF_REG_5, BPF_REG_1, 8);

	for (size_t i = n; i > first; i--) {
		const struct cg_dev_rule *r = &rules[i - 1];
		size_t end = k + block_len(r); /* where the next rule's block starts */
#define TO_NEXT() ((int16_t)(end - (k + 1)))
		if (r->type != 'a') {
			int32_t t = r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK;
			if (r->major > INT32_MAX || r->minor > INT32_MAX)
				return werr_set(e, EINVAL, "device number %lld:%lld is too large",
						(long long)r->major, (long long)r->minor);
			p[k] = JNE32_K(BPF_REG_2, t, TO_NEXT());
			k++;
			if ((r->access & RWM) != RWM) {
				p[k++] = MOV32_X(BPF_REG_1, BPF_REG_3);
				p[k++] = AND32_K(BPF_REG_1, (int32_t)(r->access & RWM));
				if (r->allow) /* the request must be within the rule */
					p[k] = JNE32_X(BPF_REG_1, BPF_REG_3, TO_NEXT());
				else /* the request must share a bit with the rule */
					p[k] = JEQ32_K(BPF_REG_1, 0, TO_NEXT());
				k++;
			}
			if (r->major >= 0) {
				p[k] = JNE32_K(BPF_REG_4, (int32_t)r->major, TO_NEXT());
				k++;
			}
			if (r->minor >= 0) {
				p[k] = JNE32_K(BPF_REG_5, (int32_t)r->minor, TO_NEXT());
				k++;
			}
		}
#undef TO_NEXT
		p[k++] = MOV32_K(BPF_REG_0, r->allow ? 1 : 0);
		p[k++] = EXIT();
	}
	/* nothing matched: deny. Unreachable (and so refused by the verifier) when the
	 * first compiled rule is an "a" rule, which decides every request. */
	if (first >= n || rules[first].type != 'a') {
		p[k++] = MOV32_K(BPF_REG_0, 0);
		p[k++] = EXIT();
	}
	*n_out = k;
	*out = take_ptr(p);
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int prog_load(const struct bpf_insn *prog, size_t n, struct werr *e)
{
	static const char license[] = "Apache-2.0";
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t)license;
	int fd;
	for (int tries = 0;; tries++) {
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
		/* the verifier can be interrupted by a signal and then says EAGAIN */
		if (fd >= 0 || errno != EAGAIN || tries >= 10)
			break;
	}
	if (fd >= 0)
		return fd;
	int err = errno;
	/* again with the verifier's log, for a useful message */
	_cleanup_free_ char *log = xcalloc(1, 65536);
	attr.log_level = 1;
	attr.log_buf = (uint64_t)(uintptr_t)log;
	attr.log_size = 65536;
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0) {
		log_debug("BPF_PROG_LOAD succeeded on retry after: %s", strerror(err));
		return fd;
	}
	/* the verifier log is multi-line; errors are one line */
	cg_trim(log);
	for (char *c = log; *c; c++)
		if (*c == '\n')
			*c = ';';
	if (err == EPERM)
		return werr_set(e, err,
				"load the device eBPF program (BPF_PROG_LOAD needs CAP_BPF or "
				"CAP_SYS_ADMIN%s%s)",
				*log ? "; verifier: " : "", log);
	return werr_set(e, err, "load the device eBPF program%s%s", *log ? "; verifier: " : "",
			log);
}

int cg_devices_apply_v2(const char *dir, const struct cg_dev_rule *rules, size_t n, struct werr *e)
{
	_cleanup_free_ struct bpf_insn *prog = NULL;
	size_t np;
	if (cg_devices_bpf_build(rules, n, &prog, &np, e) < 0)
		return -1;
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return werr_sys(e, "open %s", dir);
	_cleanup_close_ int pfd = prog_load(prog, np, e);
	if (pfd < 0)
		return -1;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)dfd;
	attr.attach_bpf_fd = (uint32_t)pfd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* ALLOW_MULTI: programs of ancestors (or an engine's own) keep running too; every
	 * attached program must allow an access */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &attr) < 0)
		return werr_sys(e, "attach the device eBPF program to %s", dir);
	/* the attachment holds the program; our fd closes here */
	log_debug("attached a %zu-instruction device program to %s", np, dir);
	return 0;
}
