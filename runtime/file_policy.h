/* SPDX-License-Identifier: Apache-2.0 */
/* The mount side of a policy's "files" member (runtime/file_policy.c). */
#ifndef WARD_FILE_POLICY_H
#define WARD_FILE_POLICY_H

#include "../common/err.h"
#include "../oci-spec/oci_config.h"
#include "policy.h"

/*
 * A policy path as a container path: "$cwd" replaced by the process cwd. NULL when the
 * path is "$cwd"-based and the cwd is "/": the root as a writable or executable place
 * would undo every other rule, so such an entry is dropped (and logged).
 */
char *file_policy_expand(const char *policy_path, const char *cwd);

/*
 * Adds the policy's mount-level rules to the in-memory config (never to the saved
 * config.json): hidden paths to linux.maskedPaths, and read-only and executable paths
 * that contain no writable one to linux.readonlyPaths (when mountReadOnly is on). The
 * rootfs code then applies them like the config's own, before the container runs.
 */
void file_policy_extend_config(struct oci_config *cfg, const struct ward_policy *p);

#endif
