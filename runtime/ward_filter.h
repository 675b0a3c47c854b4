/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ward filter: a seccomp BPF program generated from a policy.
 *
 * What BPF decides alone (register arguments, no round trip, no race):
 *   - process operations of the policy's groups -> SCMP_ACT_ERRNO(process.errno):
 *     mount family, ptrace, process_vm_*, keyrings, bpf, perf_event_open,
 *     modules, kexec, io_uring (its SQEs connect/send without any syscall
 *     seccomp could see), userfaultfd; unshare/clone with CLONE_NEWUSER
 *     (masked compare on the flags register);
 *   - clone3 -> ENOSYS when new user namespaces are refused: its flags live in
 *     a struct in memory that BPF cannot read, and ENOSYS is what makes glibc
 *     (and Go, Rust's std) fall back to clone(2), whose flags ARE in a register
 *     and are checked above;
 *   - socket()/socketpair() families -> EAFNOSUPPORT, raw inet sockets (and
 *     the legacy AF_INET+SOCK_PACKET that the kernel turns into a packet
 *     socket) -> EPERM, compared on the low 32 bits (the kernel ignores the
 *     upper half of an int argument; a 64-bit compare could be dodged);
 *   - SCTP sockets -> EPROTONOSUPPORT when egress can be denied (SCTP connects
 *     through setsockopt and control messages, outside connect's address);
 *   - source routing (setsockopt IP_OPTIONS, IPV6_RTHDR, IPV6_2292RTHDR,
 *     IPV6_2292PKTOPTIONS) -> EPERM: it would route an allowed connection
 *     through a denied first hop;
 *   - any other architecture (i386 int 0x80, x32) -> the process is killed,
 *     because none of the rules above would apply to its syscall numbers.
 *
 * What is notified to the supervisor (SCMP_ACT_NOTIFY) - only where the
 * policy can deny something or wants an audit line:
 *   connect, bind, listen, sendto with a non-NULL address (a NULL address is
 *   decided in BPF: the kernel uses the connected peer), sendmsg, sendmmsg,
 *   and execve/execveat when exec is audited;
 *   the process operations above (same conditions on the registers) when the
 *   policy audits them (audit.process): the supervisor refuses each one with
 *   the policy's errno from the registers alone and logs it. The decision is
 *   the same as BPF's; only the round trip and the line are added, and with the
 *   supervisor gone they fail with ENOSYS instead. clone3 stays in BPF (ENOSYS
 *   is glibc's cue to fall back to clone, not a refusal worth a line).
 *
 *   proc.virtualize (WARD_MED_VPROC): open/openat whose flags register could
 *   be a plain read - the access mode O_RDONLY and none of O_CREAT,
 *   O_DIRECTORY (which O_TMPFILE includes) or O_PATH (one masked compare:
 *   (flags & (O_ACCMODE|O_CREAT|O_DIRECTORY|O_PATH)) == 0), so writes, creates,
 *   directory walks (find, ls -R) and O_PATH lookups stay on the fast path;
 *   openat2 always (its flags live in memory); sched_getaffinity and sysinfo,
 *   which the supervisor emulates with the container's CPU and memory limits.
 *   The supervisor answers an open of one of the virtual files (/proc/meminfo,
 *   cpuinfo, stat, uptime, loadavg, /sys/devices/system/cpu/online) with a
 *   sealed memfd and CONTINUEs every other one: no security decision rests on
 *   the path it read, so a racing thread can only make itself see the host's
 *   real file, which the kernel's own /proc shows it anyway.
 *   audit.files (WARD_MED_FILES): open, openat, openat2 and creat with any
 *   flags, rename, renameat, renameat2, unlink, unlinkat, rmdir, link, linkat,
 *   symlink, symlinkat, mkdir, mkdirat and truncate; each gets a line marked
 *   "reported": "caller" and CONTINUE. The wall for files is Landlock and the
 *   mount flags, never a path read from memory.
 *
 * Fail closed: when the supervisor (the listener's only holder) is gone, the
 * kernel answers every notified call with ENOSYS. The libc fallbacks ENOSYS
 * triggers are covered: sendmmsg -> sendmsg/sendto-with-address (notified,
 * ENOSYS as well; sendto without an address only reaches a peer a mediated
 * connect approved), execveat -> execve (notified), clone3 -> clone (refused in
 * BPF whatever the supervisor does). accept4/accept are not mediated, so they
 * have no fallback to cover. File calls: openat2 -> openat (ENOSYS is the cue
 * for that fallback in systemd, Go and friends; openat is notified as well:
 * with audit.files every open, with proc.virtualize alone every read-only one,
 * and a write open that gets through was never a security decision of the
 * supervisor); renameat2 -> renameat -> rename, unlinkat <-> unlink/rmdir,
 * linkat -> link, symlinkat -> symlink, mkdirat -> mkdir, openat -> open and
 * creat are all in the same set, so each fallback fails the same way;
 * sched_getaffinity and sysinfo fail with ENOSYS (nproc and free then report an
 * error rather than the host's numbers).
 *
 * One listener per filter tree: the kernel refuses a second
 * SECCOMP_FILTER_FLAG_NEW_LISTENER in a process that already has one (EBUSY).
 * A config whose linux.seccomp uses SCMP_ACT_NOTIFY (a listenerPath agent)
 * therefore cannot run under a supervising policy: ward_filter_check_oci()
 * refuses the combination with a message that names --policy none.
 */
#ifndef WARD_WARD_FILTER_H
#define WARD_WARD_FILTER_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

#include "../common/err.h"
#include "policy.h"

/* Which syscalls the filter notifies (for the supervisor and the tests). */
enum ward_mediated {
	WARD_MED_CONNECT = 1u << 0,
	WARD_MED_BIND = 1u << 1,
	WARD_MED_LISTEN = 1u << 2,
	WARD_MED_SENDTO = 1u << 3, /* only with an address */
	WARD_MED_SENDMSG = 1u << 4,
	WARD_MED_SENDMMSG = 1u << 5,
	WARD_MED_EXEC = 1u << 6, /* execve, execveat */
	/* the process.deny groups, answered (and logged) by the supervisor: audit.process */
	WARD_MED_PROCESS = 1u << 7,
	/* proc.virtualize: read-only opens, openat2, sched_getaffinity, sysinfo */
	WARD_MED_VPROC = 1u << 8,
	/* audit.files: every open, creat, rename*, unlink*, rmdir, link*, symlink*, mkdir*,
	 * truncate */
	WARD_MED_FILES = 1u << 9,
};

/* The kernel's limit for one classic BPF program (BPF_MAXINSNS). */
#define WARD_MAX_INSNS 4096

struct ward_filter {
	struct sock_fprog prog; /* exported BPF (heap); len 0: no filter (policy none) */
	bool has_listener;      /* notified calls exist: load returns a listener fd */
	uint32_t mediated;      /* enum ward_mediated bits */
};

/* The notified set for a policy (what ward_filter_build will put in NOTIFY rules). */
uint32_t ward_filter_mediated(const struct ward_policy *p);

/*
 * The process operation a notified syscall number belongs to: its group
 * (enum ward_proc_group bit; WARD_PROC_USERNS for unshare and clone, whose
 * flags the caller must still check) and its name, or 0 when it is none of
 * them. Thread-safe.
 */
unsigned ward_filter_proc_group(long nr, const char **name);

/* Compiles the policy (nothing is loaded). A "none" policy gives an empty filter. */
int ward_filter_build(const struct ward_policy *p, struct ward_filter *out, struct werr *e);

/*
 * Loads the filter into the calling thread (the process must be
 * single-threaded or accept that only this thread is filtered; init and exec
 * processes are). *listener_fd gets the notify fd (O_CLOEXEC) when
 * f->has_listener, else -1. Needs no_new_privs or CAP_SYS_ADMIN.
 * After loading, the caller must make NO notified call (connect, sendmsg,
 * execve ...) before the supervisor holds the listener: hand it over with
 * supervisor_handoff(), which uses only write(2) and read(2).
 */
int ward_filter_load(const struct ward_filter *f, int *listener_fd, struct werr *e);
void ward_filter_release(struct ward_filter *f);

/*
 * The compiled filter in a file of the container's state dir (ward_filter_file.c): `ward
 * create` saves the program it built, and `ward exec` loads it instead of compiling the
 * policy again (libseccomp takes 0.5 ms for default, 1.5 ms for agent here). The state
 * dir is ward's own (root, 0700 parents); a file that does not parse is refused.
 */
int ward_filter_save(const struct ward_filter *f, int dirfd, const char *name, struct werr *e);
int ward_filter_read(int dirfd, const char *name, struct ward_filter *out, struct werr *e);

/* Refuses a supervising policy together with an OCI profile that wants the listener too. */
int ward_filter_check_oci(const struct ward_policy *p, bool oci_has_notify, struct werr *e);

#endif
