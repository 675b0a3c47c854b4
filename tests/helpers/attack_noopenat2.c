/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attack_noopenat2: runs a program with openat2(2) answering ENOSYS, as on a kernel before
 * 5.6 or under a seccomp profile that predates it, so that ward's fallbacks (the
 * user-space path walker, the mount-id check of procfs writes) are what runs.
 *
 *   attack_noopenat2 PROGRAM [ARG...]
 *
 * Installs a seccomp filter (inherited by every descendant: ward, container init, the
 * container's processes, the supervisor) that fails openat2 with ENOSYS and allows the
 * rest, then execs PROGRAM. Needs CAP_SYS_ADMIN (no no_new_privs is set, so setuid
 * programs keep working).
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: attack_noopenat2 PROGRAM [ARG...]\n");
		return 2;
	}
#if defined(__x86_64__)
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(f) / sizeof(f[0]), .filter = f};
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		fprintf(stderr, "attack_noopenat2: seccomp: %s\n", strerror(errno));
		return 1;
	}
#else
#error "attack_noopenat2: only x86_64 is handled"
#endif
	execvp(argv[1], argv + 1);
	fprintf(stderr, "attack_noopenat2: exec %s: %s\n", argv[1], strerror(errno));
	return 127;
}
