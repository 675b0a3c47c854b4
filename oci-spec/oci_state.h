/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime-spec state document and the features document: models and writers. */
#ifndef WARD_OCI_STATE_H
#define WARD_OCI_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci_config.h"

/* The state of a container as `ward state` prints it (runtime-spec "State"). */
struct oci_state {
	const char *oci_version;
	const char *id;
	const char *
		status; /* creating, created, running, stopped (paused: ward extension like runc) */
	pid_t pid;      /* 0 when stopped: omitted */
	const char *bundle;
	const struct oci_kv *annotations;
	size_t n_annotations;
};

/* runtime-spec state JSON (pretty like runc's `state` output when pretty is true). */
char *oci_state_write(const struct oci_state *s, bool pretty);
/* Parses a state document (what hooks and listener agents receive); strings are heap copies. */
struct oci_state_owned {
	char *oci_version, *id, *status, *bundle;
	pid_t pid;
	struct oci_kv *annotations;
	size_t n_annotations;
};
int oci_state_parse(const char *json, size_t len, struct oci_state_owned *out, struct werr *e);
void oci_state_owned_free(struct oci_state_owned *s);

/* The runtime-spec features document (features.md); lists are NULL-terminated. */
struct oci_features {
	const char *oci_version_min;
	const char *oci_version_max;
	const char *const *hooks;
	const char *const *mount_options;
	const char *const *namespaces;
	const char *const *capabilities;
	bool cgroup_v1, cgroup_v2, cgroup_systemd, cgroup_systemd_user, cgroup_rdma;
	bool seccomp_enabled;
	const char *const *seccomp_actions;
	const char *const *seccomp_operators;
	const char *const *seccomp_archs;
	const char *const *seccomp_known_flags;
	const char *const *seccomp_supported_flags;
	bool apparmor_enabled;
	bool selinux_enabled;
	bool intel_rdt_enabled;
	bool idmap_mounts_enabled;
	const struct oci_kv *annotations; /* e.g. io.github.ward.version, dev.ward.policies */
	size_t n_annotations;
	const char *const *potentially_unsafe_annotations;
};

char *oci_features_write(const struct oci_features *f);

#endif
