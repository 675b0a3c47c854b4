/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Applying config.json's process attributes to the calling process. Used by
 * container init (after pivot_root) and by `ward exec` processes (after
 * joining the container's namespaces), always in this order, which follows
 * runc's standard_init_linux.go and finalizeNamespace():
 *
 *   1. process_apply_early(): oomScoreAdj, rlimits, personality, scheduler,
 *      ioPriority.  These need the runtime's privileges (an RT policy, the RT io
 *      class), so they come while the process still has them.
 *   2. process_apply_confinement(): AppArmor exec profile, SELinux exec label,
 *      then noNewPrivileges.  NNP comes last because AppArmor refuses a
 *      profile change requested after no_new_privs is set.
 *   3. If process_seccomp_before_identity(): the caller loads the seccomp
 *      filter(s) now.  Without no_new_privs the kernel only lets a process with
 *      CAP_SYS_ADMIN install a filter, and step 4 may drop that capability, so
 *      the filter must allow what step 4 calls: prctl, capget, capset, fstat,
 *      fchown (stdio), setgroups, setresgid, setresuid, umask (Docker's default
 *      profile does; runc has the same constraint). Step 4 opens nothing in
 *      /proc unless setgroups is refused. A filter with SCMP_ACT_NOTIFY rules
 *      must have its listener handed over before step 4 runs, or a notified
 *      call there would wait forever.
 *   4. process_apply_identity(): non-dumpable until execve, bounding set dropped, PR_SET_KEEPCAPS,
 * stdio ownership, setgroups(additionalGids), setresgid, setresuid, keep-caps cleared,
 * effective/permitted/inheritable set with capset, ambient raised, umask.
 *   5. The caller: process_chdir(cwd), closes every fd not preserved, loads seccomp
 *      (when NNP is set: as late as possible), execve.
 *
 * execCPUAffinity is not part of these steps: it only applies to `ward exec`
 * processes, "initial" before they join the container's cgroup and "final"
 * after, so the exec code calls cpu_affinity_apply() at those two points.
 *
 * Every /proc write goes through `proc_fd`, a directory fd of a real procfs
 * (checked with fstatfs; -1 opens /proc and checks it), resolved without
 * following magic links or crossing mounts, so a container's fake /proc or a
 * bind mount over /proc/self/attr/exec cannot redirect the write
 * (CVE-2019-16884 class).
 */
#ifndef WARD_PROCESS_ATTRS_H
#define WARD_PROCESS_ATTRS_H

#include <stdbool.h>
#include <sched.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

/* `pers` is linux.personality (may be NULL or not present). */
int process_apply_early(const struct oci_process *p, const struct oci_personality *pers,
			int proc_fd, struct werr *e);
int process_apply_confinement(const struct oci_process *p, int proc_fd, struct werr *e);
int process_apply_identity(const struct oci_process *p, int proc_fd, struct werr *e);

/* chdir(cwd), refused when the result is not below the process's root (a cwd through a
 * runtime fd, /proc/self/fd/N: CVE-2024-21626). Step 5's chdir. */
int process_chdir(const char *cwd, struct werr *e);

/* True when seccomp must be loaded between confinement and identity (no NNP requested). */
bool process_seccomp_before_identity(const struct oci_process *p);

/*
 * Checks everything that can be checked before clone (rlimit names and
 * hard >= soft, scheduler policy/flags/ranges, ioPriority class and level,
 * personality domain and flags, capability names, execCPUAffinity lists, LSM
 * availability for requested labels), so create fails before any process
 * exists. `pers` may be NULL. proc_fd as above (used for LSM detection).
 */
int process_attrs_validate(const struct oci_process *p, const struct oci_personality *pers,
			   int proc_fd, struct werr *e);

/* --- pieces, exposed for `ward exec`, `ward features` and the unit tests --- */

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown. */
int rlimit_from_name(const char *name);
const char *rlimit_name(int resource); /* NULL when unknown */
int rlimits_apply(const struct oci_rlimit *r, size_t n, struct werr *e);

/* "0-3,7" -> set. Refuses empty lists, reversed ranges and CPUs >= CPU_SETSIZE. */
int cpu_list_parse(const char *list, cpu_set_t *out, struct werr *e);
int cpu_affinity_apply(const char *list, struct werr *e);

int personality_apply(const struct oci_personality *pers, struct werr *e);
int scheduler_apply(const struct oci_scheduler *s, struct werr *e);
int io_priority_apply(const struct oci_io_priority *io, struct werr *e);
int oom_score_adj_apply(int proc_fd, int value, struct werr *e);

/* LSMs active in the running kernel, detected through procfs. */
bool lsm_apparmor_enabled(int proc_fd);
bool lsm_selinux_enabled(int proc_fd);

/* --- capabilities (runtime/caps.c, libcap) --- */

/* Capability name ("CAP_SYS_ADMIN", exact spelling) to number; -1 when this kernel lacks it. */
int caps_from_name(const char *name);
/*
 * Checks every name in every set without applying anything. A name this kernel
 * does not know is not an error: it is logged as a warning and ignored, like
 * runc does, because engines send capability names newer than an old kernel
 * knows. Empty names are errors. Ambient names not also in permitted and
 * inheritable are warned about (the kernel cannot raise them; they are skipped).
 */
int caps_validate(const struct oci_capabilities *c, struct werr *e);
/* The names of every capability this kernel and libcap know (for `ward features`). */
char **caps_known_names(void); /* NULL-terminated, heap; free each and the array */
/*
 * The two halves process_apply_identity() calls around the uid change:
 * caps_apply_bounding() drops (PR_CAPBSET_DROP) every capability the bounding
 * list does not name; caps_apply_sets() sets effective, permitted and
 * inheritable with one capset and raises ambient. Inheritable is what the config
 * lists that it also lists as ambient (the rest is dropped with a warning: a non-root
 * process gains inheritable capabilities from any file with matching inheritable file
 * capabilities, CVE-2022-29162 / CVE-2022-27650); when the capabilities object
 * is absent, bounding/effective/permitted are left alone but inheritable and
 * ambient are still cleared, so nothing the runtime inherited reaches the
 * container (CVE-2022-29162 class).
 */
int caps_apply_bounding(const struct oci_capabilities *c, struct werr *e);
int caps_apply_sets(const struct oci_capabilities *c, struct werr *e);
/*
 * `exec --cap NAME`: adds NAME to bounding, effective and permitted, never to
 * inheritable (runc's fix for CVE-2022-29162); to ambient only when the
 * process config already lists inheritable capabilities, as runc does.
 */
int caps_add_exec_cap(struct oci_capabilities *c, const char *name, struct werr *e);

#endif
