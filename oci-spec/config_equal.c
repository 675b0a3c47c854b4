/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Deep comparison of two configs, field by field. It exists so that tests and
 * the fuzzer can check the round trip parse(write(c)) == c; optional scalars
 * compare their has_ flags and, only when set, their values.
 */
#include <string.h>

#include "parse_internal.h"

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool strv_eq(char *const *a, size_t an, char *const *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool kv_eq(const struct oci_kv *a, size_t an, const struct oci_kv *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (!str_eq(a[i].key, b[i].key) || !str_eq(a[i].value, b[i].value))
			return false;
	return true;
}

static bool idmap_eq(const struct oci_id_mapping *a, size_t an, const struct oci_id_mapping *b,
		     size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (a[i].container_id != b[i].container_id || a[i].host_id != b[i].host_id ||
		    a[i].size != b[i].size)
			return false;
	return true;
}

/* An optional scalar: same presence, and the same value when present. */
#define OPT_EQ(a, b, f)  ((a)->has_##f == (b)->has_##f && (!(a)->has_##f || (a)->f == (b)->f))
#define STRV_EQ(a, b, f) strv_eq((a)->f, (a)->n_##f, (b)->f, (b)->n_##f)

static bool mount_eq(const struct oci_mount *a, const struct oci_mount *b)
{
	return str_eq(a->destination, b->destination) && str_eq(a->source, b->source) &&
	       str_eq(a->type, b->type) && STRV_EQ(a, b, options) &&
	       idmap_eq(a->uid_mappings, a->n_uid_mappings, b->uid_mappings, b->n_uid_mappings) &&
	       idmap_eq(a->gid_mappings, a->n_gid_mappings, b->gid_mappings, b->n_gid_mappings);
}

static bool hook_list_eq(const struct oci_hook_list *a, const struct oci_hook_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct oci_hook *x = &a->items[i], *y = &b->items[i];
		if (!str_eq(x->path, y->path) || !STRV_EQ(x, y, args) || !STRV_EQ(x, y, env) ||
		    !OPT_EQ(x, y, timeout))
			return false;
	}
	return true;
}

static bool caps_eq(const struct oci_capabilities *a, const struct oci_capabilities *b)
{
	return a->present == b->present && STRV_EQ(a, b, bounding) && STRV_EQ(a, b, effective) &&
	       STRV_EQ(a, b, inheritable) && STRV_EQ(a, b, permitted) && STRV_EQ(a, b, ambient);
}

static bool user_eq(const struct oci_user *a, const struct oci_user *b)
{
	if (a->uid != b->uid || a->gid != b->gid || !OPT_EQ(a, b, umask) ||
	    a->n_additional_gids != b->n_additional_gids || !str_eq(a->username, b->username))
		return false;
	for (size_t i = 0; i < a->n_additional_gids; i++)
		if (a->additional_gids[i] != b->additional_gids[i])
			return false;
	return true;
}

static bool scheduler_eq(const struct oci_scheduler *a, const struct oci_scheduler *b)
{
	return a->present == b->present && str_eq(a->policy, b->policy) && OPT_EQ(a, b, nice) &&
	       OPT_EQ(a, b, priority) && STRV_EQ(a, b, flags) && OPT_EQ(a, b, runtime) &&
	       OPT_EQ(a, b, deadline) && OPT_EQ(a, b, period);
}

bool oci_process_equal(const struct oci_process *a, const struct oci_process *b)
{
	if (a->terminal != b->terminal || a->has_console_size != b->has_console_size ||
	    (a->has_console_size &&
	     (a->console_height != b->console_height || a->console_width != b->console_width)))
		return false;
	if (!str_eq(a->cwd, b->cwd) || !STRV_EQ(a, b, env) || !STRV_EQ(a, b, args) ||
	    !str_eq(a->command_line, b->command_line) || a->n_rlimits != b->n_rlimits)
		return false;
	for (size_t i = 0; i < a->n_rlimits; i++)
		if (!str_eq(a->rlimits[i].type, b->rlimits[i].type) ||
		    a->rlimits[i].soft != b->rlimits[i].soft ||
		    a->rlimits[i].hard != b->rlimits[i].hard)
			return false;
	return str_eq(a->apparmor_profile, b->apparmor_profile) &&
	       caps_eq(&a->capabilities, &b->capabilities) &&
	       a->no_new_privileges == b->no_new_privileges && OPT_EQ(a, b, oom_score_adj) &&
	       scheduler_eq(&a->scheduler, &b->scheduler) &&
	       str_eq(a->selinux_label, b->selinux_label) &&
	       a->io_priority.present == b->io_priority.present &&
	       str_eq(a->io_priority.class, b->io_priority.class) &&
	       a->io_priority.priority == b->io_priority.priority &&
	       a->exec_cpu_affinity.present == b->exec_cpu_affinity.present &&
	       str_eq(a->exec_cpu_affinity.initial, b->exec_cpu_affinity.initial) &&
	       str_eq(a->exec_cpu_affinity.final, b->exec_cpu_affinity.final) &&
	       user_eq(&a->user, &b->user);
}

static bool memory_eq(const struct oci_memory *a, const struct oci_memory *b)
{
	return a->present == b->present && OPT_EQ(a, b, limit) && OPT_EQ(a, b, reservation) &&
	       OPT_EQ(a, b, swap) && OPT_EQ(a, b, kernel) && OPT_EQ(a, b, kernel_tcp) &&
	       OPT_EQ(a, b, swappiness) && OPT_EQ(a, b, disable_oom_killer) &&
	       OPT_EQ(a, b, use_hierarchy) && OPT_EQ(a, b, check_before_update);
}

static bool cpu_eq(const struct oci_cpu *a, const struct oci_cpu *b)
{
	return a->present == b->present && OPT_EQ(a, b, shares) && OPT_EQ(a, b, quota) &&
	       OPT_EQ(a, b, burst) && OPT_EQ(a, b, period) && OPT_EQ(a, b, realtime_runtime) &&
	       OPT_EQ(a, b, realtime_period) && str_eq(a->cpus, b->cpus) &&
	       str_eq(a->mems, b->mems) && OPT_EQ(a, b, idle);
}

static bool throttle_eq(const struct oci_throttle_list *a, const struct oci_throttle_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->items[i].major != b->items[i].major ||
		    a->items[i].minor != b->items[i].minor || a->items[i].rate != b->items[i].rate)
			return false;
	return true;
}

static bool block_io_eq(const struct oci_block_io *a, const struct oci_block_io *b)
{
	if (a->present != b->present || !OPT_EQ(a, b, weight) || !OPT_EQ(a, b, leaf_weight) ||
	    a->n_weight_device != b->n_weight_device)
		return false;
	for (size_t i = 0; i < a->n_weight_device; i++) {
		const struct oci_weight_device *x = &a->weight_device[i], *y = &b->weight_device[i];
		if (x->major != y->major || x->minor != y->minor || !OPT_EQ(x, y, weight) ||
		    !OPT_EQ(x, y, leaf_weight))
			return false;
	}
	return throttle_eq(&a->throttle_read_bps, &b->throttle_read_bps) &&
	       throttle_eq(&a->throttle_write_bps, &b->throttle_write_bps) &&
	       throttle_eq(&a->throttle_read_iops, &b->throttle_read_iops) &&
	       throttle_eq(&a->throttle_write_iops, &b->throttle_write_iops);
}

static bool resources_eq(const struct oci_resources *a, const struct oci_resources *b)
{
	if (a->present != b->present || a->n_devices != b->n_devices)
		return false;
	for (size_t i = 0; i < a->n_devices; i++) {
		const struct oci_device_cgroup *x = &a->devices[i], *y = &b->devices[i];
		if (x->allow != y->allow || !str_eq(x->type, y->type) || !OPT_EQ(x, y, major) ||
		    !OPT_EQ(x, y, minor) || !str_eq(x->access, y->access))
			return false;
	}
	if (!memory_eq(&a->memory, &b->memory) || !cpu_eq(&a->cpu, &b->cpu) ||
	    a->pids.present != b->pids.present || a->pids.limit != b->pids.limit ||
	    !block_io_eq(&a->block_io, &b->block_io) ||
	    a->n_hugepage_limits != b->n_hugepage_limits)
		return false;
	for (size_t i = 0; i < a->n_hugepage_limits; i++)
		if (!str_eq(a->hugepage_limits[i].page_size, b->hugepage_limits[i].page_size) ||
		    a->hugepage_limits[i].limit != b->hugepage_limits[i].limit)
			return false;
	if (a->network.present != b->network.present ||
	    !OPT_EQ(&a->network, &b->network, class_id) ||
	    a->network.n_priorities != b->network.n_priorities)
		return false;
	for (size_t i = 0; i < a->network.n_priorities; i++)
		if (!str_eq(a->network.priorities[i].name, b->network.priorities[i].name) ||
		    a->network.priorities[i].priority != b->network.priorities[i].priority)
			return false;
	if (a->n_rdma != b->n_rdma)
		return false;
	for (size_t i = 0; i < a->n_rdma; i++) {
		const struct oci_rdma *x = &a->rdma[i], *y = &b->rdma[i];
		if (!str_eq(x->device, y->device) || !OPT_EQ(x, y, hca_handles) ||
		    !OPT_EQ(x, y, hca_objects))
			return false;
	}
	return kv_eq(a->unified, a->n_unified, b->unified, b->n_unified);
}

static bool seccomp_eq(const struct oci_seccomp *a, const struct oci_seccomp *b)
{
	if (a->present != b->present || !str_eq(a->default_action, b->default_action) ||
	    !OPT_EQ(a, b, default_errno_ret) || !STRV_EQ(a, b, architectures) ||
	    !STRV_EQ(a, b, flags) || !str_eq(a->listener_path, b->listener_path) ||
	    !str_eq(a->listener_metadata, b->listener_metadata) || a->n_syscalls != b->n_syscalls)
		return false;
	for (size_t i = 0; i < a->n_syscalls; i++) {
		const struct oci_seccomp_syscall *x = &a->syscalls[i], *y = &b->syscalls[i];
		if (!STRV_EQ(x, y, names) || !str_eq(x->action, y->action) ||
		    !OPT_EQ(x, y, errno_ret) || x->n_args != y->n_args)
			return false;
		for (size_t j = 0; j < x->n_args; j++)
			if (x->args[j].index != y->args[j].index ||
			    x->args[j].value != y->args[j].value ||
			    x->args[j].value_two != y->args[j].value_two ||
			    !str_eq(x->args[j].op, y->args[j].op))
				return false;
	}
	return true;
}

static bool time_offset_eq(const struct oci_time_offset *a, const struct oci_time_offset *b)
{
	return a->present == b->present && a->secs == b->secs && a->nanosecs == b->nanosecs;
}

static bool linux_eq(const struct oci_linux *a, const struct oci_linux *b)
{
	if (a->present != b->present ||
	    !idmap_eq(a->uid_mappings, a->n_uid_mappings, b->uid_mappings, b->n_uid_mappings) ||
	    !idmap_eq(a->gid_mappings, a->n_gid_mappings, b->gid_mappings, b->n_gid_mappings) ||
	    !time_offset_eq(&a->time_monotonic, &b->time_monotonic) ||
	    !time_offset_eq(&a->time_boottime, &b->time_boottime) ||
	    !kv_eq(a->sysctl, a->n_sysctl, b->sysctl, b->n_sysctl) ||
	    !resources_eq(&a->resources, &b->resources) ||
	    !str_eq(a->cgroups_path, b->cgroups_path) || a->n_namespaces != b->n_namespaces ||
	    a->n_devices != b->n_devices)
		return false;
	for (size_t i = 0; i < a->n_namespaces; i++)
		if (a->namespaces[i].type != b->namespaces[i].type ||
		    !str_eq(a->namespaces[i].path, b->namespaces[i].path))
			return false;
	for (size_t i = 0; i < a->n_devices; i++) {
		const struct oci_device *x = &a->devices[i], *y = &b->devices[i];
		if (!str_eq(x->type, y->type) || !str_eq(x->path, y->path) ||
		    !OPT_EQ(x, y, major) || !OPT_EQ(x, y, minor) || !OPT_EQ(x, y, file_mode) ||
		    !OPT_EQ(x, y, uid) || !OPT_EQ(x, y, gid))
			return false;
	}
	const struct oci_intel_rdt *r = &a->intel_rdt, *s = &b->intel_rdt;
	return seccomp_eq(&a->seccomp, &b->seccomp) &&
	       str_eq(a->rootfs_propagation, b->rootfs_propagation) &&
	       STRV_EQ(a, b, masked_paths) && STRV_EQ(a, b, readonly_paths) &&
	       str_eq(a->mount_label, b->mount_label) && r->present == s->present &&
	       str_eq(r->clos_id, s->clos_id) && str_eq(r->l3_cache_schema, s->l3_cache_schema) &&
	       str_eq(r->mem_bw_schema, s->mem_bw_schema) && OPT_EQ(r, s, enable_cmt) &&
	       OPT_EQ(r, s, enable_mbm) && a->personality.present == b->personality.present &&
	       str_eq(a->personality.domain, b->personality.domain) &&
	       STRV_EQ(&a->personality, &b->personality, flags);
}

bool oci_config_equal(const struct oci_config *a, const struct oci_config *b)
{
	if (!str_eq(a->oci_version, b->oci_version) || a->has_root != b->has_root ||
	    (a->has_root &&
	     (!str_eq(a->root.path, b->root.path) || a->root.readonly != b->root.readonly)) ||
	    a->n_mounts != b->n_mounts)
		return false;
	for (size_t i = 0; i < a->n_mounts; i++)
		if (!mount_eq(&a->mounts[i], &b->mounts[i]))
			return false;
	if (a->has_process != b->has_process ||
	    (a->has_process && !oci_process_equal(&a->process, &b->process)))
		return false;
	return str_eq(a->hostname, b->hostname) && str_eq(a->domainname, b->domainname) &&
	       hook_list_eq(&a->hooks.prestart, &b->hooks.prestart) &&
	       hook_list_eq(&a->hooks.create_runtime, &b->hooks.create_runtime) &&
	       hook_list_eq(&a->hooks.create_container, &b->hooks.create_container) &&
	       hook_list_eq(&a->hooks.start_container, &b->hooks.start_container) &&
	       hook_list_eq(&a->hooks.poststart, &b->hooks.poststart) &&
	       hook_list_eq(&a->hooks.poststop, &b->hooks.poststop) &&
	       kv_eq(a->annotations, a->n_annotations, b->annotations, b->n_annotations) &&
	       linux_eq(&a->linux_, &b->linux_);
}
