/* SPDX-License-Identifier: Apache-2.0 */
#include "namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

int ns_clone_flag(enum oci_ns_type t)
{
	switch (t) {
	case OCI_NS_PID:
		return CLONE_NEWPID;
	case OCI_NS_NETWORK:
		return CLONE_NEWNET;
	case OCI_NS_MOUNT:
		return CLONE_NEWNS;
	case OCI_NS_IPC:
		return CLONE_NEWIPC;
	case OCI_NS_UTS:
		return CLONE_NEWUTS;
	case OCI_NS_USER:
		return CLONE_NEWUSER;
	case OCI_NS_CGROUP:
		return CLONE_NEWCGROUP;
	case OCI_NS_TIME:
		return CLONE_NEWTIME;
	case OCI_NS_COUNT:
		break;
	}
	return 0;
}

int ns_plan_build(const struct oci_config *cfg, struct ns_plan *plan, struct werr *e)
{
	const struct oci_linux *l = &cfg->linux_;
	bool seen[OCI_NS_COUNT] = {false};
	memset(plan, 0, sizeof(*plan));

	for (size_t i = 0; i < l->n_namespaces; i++) {
		const struct oci_namespace *ns = &l->namespaces[i];
		if (seen[ns->type])
			return werr_code(e, EINVAL,
					 "linux.namespaces[%zu]: duplicate namespace type %s", i,
					 oci_ns_type_name(ns->type));
		seen[ns->type] = true;
		if (ns->path && *ns->path) {
			if (ns->path[0] != '/')
				return werr_code(e, EINVAL,
						 "linux.namespaces[%zu].path: must be absolute: %s",
						 i, ns->path);
			if (access(ns->path, F_OK) < 0)
				return werr_sys(e, "linux.namespaces[%zu].path: %s", i, ns->path);
			plan->join[ns->type] = ns->path;
			plan->any_join = true;
		} else if (ns->type == OCI_NS_TIME) {
			plan->new_time = true;
		} else if (ns->type == OCI_NS_CGROUP) {
			plan->new_cgroup = true;
		} else {
			plan->clone_flags |= ns_clone_flag(ns->type);
		}
	}
	plan->has_userns = seen[OCI_NS_USER];
	plan->has_netns = seen[OCI_NS_NETWORK];
	plan->has_utsns = seen[OCI_NS_UTS];

	bool new_user = plan->clone_flags & CLONE_NEWUSER;
	if (new_user && (!l->n_uid_mappings || !l->n_gid_mappings))
		return werr_code(e, EINVAL,
				 "linux.uidMappings/gidMappings: a new user namespace "
				 "needs both mappings");
	if (!new_user && (l->n_uid_mappings || l->n_gid_mappings))
		return werr_code(e, EINVAL,
				 "linux.uidMappings: given without a new user namespace");
	if ((l->time_monotonic.present || l->time_boottime.present) && !plan->new_time)
		return werr_code(e, EINVAL,
				 "linux.timeOffsets: given without a new time namespace");
	if (cfg->hostname && *cfg->hostname && !seen[OCI_NS_UTS])
		return werr_code(e, EINVAL, "hostname: setting it needs a uts namespace");
	if (cfg->domainname && *cfg->domainname && !seen[OCI_NS_UTS])
		return werr_code(e, EINVAL, "domainname: setting it needs a uts namespace");
	return 0;
}

int ns_join_paths(const struct ns_plan *plan, struct werr *e)
{
	/* the user namespace first: it grants the rights to join the others */
	static const enum oci_ns_type order[] = {OCI_NS_USER,    OCI_NS_IPC,  OCI_NS_UTS,
						 OCI_NS_NETWORK, OCI_NS_PID,  OCI_NS_CGROUP,
						 OCI_NS_TIME,    OCI_NS_MOUNT};
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const char *p = plan->join[order[i]];
		if (!p)
			continue;
		_cleanup_close_ int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return werr_sys(e, "open %s namespace %s", oci_ns_type_name(order[i]), p);
		if (setns(fd, ns_clone_flag(order[i])) < 0)
			return werr_sys(e, "join %s namespace %s", oci_ns_type_name(order[i]), p);
	}
	return 0;
}

int ns_unshare_time(const struct oci_config *cfg, struct werr *e)
{
	const struct oci_linux *l = &cfg->linux_;
	if (unshare(CLONE_NEWTIME) < 0)
		return werr_sys(e, "create time namespace");
	char buf[128];
	int n = 0;
	if (l->time_monotonic.present)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "monotonic %lld %u\n",
			      (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.present)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "boottime %lld %u\n",
			      (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	if (n == 0)
		return 0;
	_cleanup_close_ int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write_all(fd, buf, (size_t)n) < 0)
		return werr_sys(e, "linux.timeOffsets: write /proc/self/timens_offsets");
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mapping *m, size_t n,
		     struct werr *e)
{
	char path[64];
	size_t cap = n * 40 + 1, len = 0;
	_cleanup_free_ char *buf = xcalloc(1, cap);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%u %u %u\n", m[i].container_id,
					m[i].host_id, m[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "open %s", path);
	/* the kernel wants the whole map in one write */
	ssize_t w = write(fd, buf, len);
	if (w != (ssize_t)len)
		return werr_sys(e, "write %s", file);
	return 0;
}

int ns_write_id_maps(pid_t pid, const struct oci_config *cfg, struct werr *e)
{
	const struct oci_linux *l = &cfg->linux_;
	if (write_map(pid, "uid_map", l->uid_mappings, l->n_uid_mappings, e) < 0)
		return werr_wrap(e, "linux.uidMappings");
	if (write_map(pid, "gid_map", l->gid_mappings, l->n_gid_mappings, e) < 0)
		return werr_wrap(e, "linux.gidMappings");
	return 0;
}
