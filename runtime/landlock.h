/* SPDX-License-Identifier: Apache-2.0 */
/* The Landlock domain of a policy (runtime/landlock.c). */
#ifndef WARD_LANDLOCK_H
#define WARD_LANDLOCK_H

#include "../common/err.h"
#include "policy.h"

/* The running kernel's Landlock ABI version, 0 when it has none (or it is disabled). */
int landlock_abi(void);

/*
 * Restricts the calling process (and everything it will exec or fork) to the policy's
 * file sets and TCP port rules; paths are resolved in the caller's root, "$cwd" is `cwd`.
 * Call with CAP_SYS_ADMIN or no_new_privs. Does nothing for policies without file
 * rules or port-specific network rules, or with "landlock": "off". A kernel without
 * Landlock (or too old for a part) is logged, or an error under "landlock": "required".
 */
int landlock_restrict(const struct ward_policy *p, const char *cwd, struct werr *e);

#endif
