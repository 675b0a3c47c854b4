/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Applying config.json's process attributes to the calling process, in the
 * order the kernel requires. Used by container init (after pivot_root) and by
 * `ward exec` processes (after joining the container's namespaces).
 *
 *   process_apply_early():  rlimits, oomScoreAdj, personality, scheduler, ioPriority,
 *                           execCPUAffinity.initial -- while still privileged
 *   process_apply_identity(): bounding set, keep-caps, supplementary groups, gid, uid,
 *                           then effective/permitted/inheritable/ambient capabilities, umask
 *   process_apply_late():   noNewPrivileges, apparmor/selinux exec labels
 * then the caller installs seccomp and execs.
 */
#ifndef WARD_PROCESS_ATTRS_H
#define WARD_PROCESS_ATTRS_H

#include <stdbool.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

int process_apply_early(const struct oci_process *p, struct werr *e);
int process_apply_identity(const struct oci_process *p, struct werr *e);
int process_apply_late(const struct oci_process *p, struct werr *e);

/* Capability name ("CAP_SYS_ADMIN") to number, -1 when unknown to libcap. */
int caps_from_name(const char *name);
/* Validates every name in every set without applying anything (create fails early). */
int caps_validate(const struct oci_capabilities *c, struct werr *e);
/* The names of every capability this kernel and libcap know (for `ward features`). */
char **caps_known_names(void); /* NULL-terminated, heap */

/* Checks everything that can be checked before clone (names of rlimits, schedulers,
 * capabilities, personality domains, LSM availability), so create fails before any
 * process exists. */
int process_attrs_validate(const struct oci_process *p, struct werr *e);

#endif
