/* SPDX-License-Identifier: Apache-2.0 */
/* Which namespaces a container gets, joining those given by path, and id mappings. */
#ifndef WARD_NAMESPACES_H
#define WARD_NAMESPACES_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

struct ns_plan {
	int clone_flags;                /* new namespaces, CLONE_NEW* */
	const char *join[OCI_NS_COUNT]; /* paths of namespaces to join, NULL otherwise */
	bool new_time;                  /* unshare(CLONE_NEWTIME) before cloning init */
	bool new_cgroup;                /* init unshares it after joining its cgroup */
	bool any_join;
	bool has_userns; /* new or joined */
	bool has_netns;  /* new or joined */
	bool has_utsns;
};

int ns_plan_build(const struct oci_config *cfg, struct ns_plan *plan, struct werr *e);
int ns_clone_flag(enum oci_ns_type t);

/* In the stage process: joins every namespace given by path (user first). */
int ns_join_paths(const struct ns_plan *plan, struct werr *e);
/* In the stage process: a new time namespace for the children, with linux.timeOffsets. */
int ns_unshare_time(const struct oci_config *cfg, struct werr *e);
/* In the parent: writes uid_map and gid_map of pid (root needs no setgroups change). */
int ns_write_id_maps(pid_t pid, const struct oci_config *cfg, struct werr *e);

#endif
