/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI hooks: each hook runs with the container state JSON on stdin, exactly its own args and
 * env, and an optional timeout after which it is killed and counts as failed.
 */
#ifndef WARD_HOOKS_H
#define WARD_HOOKS_H

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

/* Runs every hook of the list in order; stops at the first failure. `kind` names the list in
 * errors ("createRuntime"). */
int hooks_run(const struct oci_hook_list *hooks, const char *kind, const char *state_json,
	      struct werr *e);

/* Runs every hook of the list in order, logging a warning for each one that fails: the spec's
 * rule for poststart and poststop ("the remaining hooks and lifecycle continue"). */
void hooks_run_warn(const struct oci_hook_list *hooks, const char *kind, const char *state_json);

#endif
