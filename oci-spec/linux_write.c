/* SPDX-License-Identifier: Apache-2.0 */
/* Serialising config.json "linux" (Go struct order, omitempty as in runtime-spec's specs-go). */
#include "parse_internal.h"

static void opt_str(struct jsonw *w, const char *key, const char *s)
{
	if (s)
		jsonw_key_str(w, key, s);
}

static void write_device_cgroups(struct jsonw *w, const struct oci_device_cgroup *d, size_t n)
{
	if (!n)
		return;
	jsonw_key(w, "devices");
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_open(w);
		jsonw_key_bool(w, "allow", d[i].allow);
		opt_str(w, "type", d[i].type);
		if (d[i].has_major)
			jsonw_key_int(w, "major", d[i].major);
		if (d[i].has_minor)
			jsonw_key_int(w, "minor", d[i].minor);
		opt_str(w, "access", d[i].access);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void write_memory(struct jsonw *w, const struct oci_memory *m)
{
	if (!m->present)
		return;
	jsonw_key(w, "memory");
	jsonw_obj_open(w);
	if (m->has_limit)
		jsonw_key_int(w, "limit", m->limit);
	if (m->has_reservation)
		jsonw_key_int(w, "reservation", m->reservation);
	if (m->has_swap)
		jsonw_key_int(w, "swap", m->swap);
	if (m->has_kernel)
		jsonw_key_int(w, "kernel", m->kernel);
	if (m->has_kernel_tcp)
		jsonw_key_int(w, "kernelTCP", m->kernel_tcp);
	if (m->has_swappiness)
		jsonw_key_uint(w, "swappiness", m->swappiness);
	if (m->has_disable_oom_killer)
		jsonw_key_bool(w, "disableOOMKiller", m->disable_oom_killer);
	if (m->has_use_hierarchy)
		jsonw_key_bool(w, "useHierarchy", m->use_hierarchy);
	if (m->has_check_before_update)
		jsonw_key_bool(w, "checkBeforeUpdate", m->check_before_update);
	jsonw_obj_close(w);
}

static void write_cpu(struct jsonw *w, const struct oci_cpu *c)
{
	if (!c->present)
		return;
	jsonw_key(w, "cpu");
	jsonw_obj_open(w);
	if (c->has_shares)
		jsonw_key_uint(w, "shares", c->shares);
	if (c->has_quota)
		jsonw_key_int(w, "quota", c->quota);
	if (c->has_burst)
		jsonw_key_uint(w, "burst", c->burst);
	if (c->has_period)
		jsonw_key_uint(w, "period", c->period);
	if (c->has_realtime_runtime)
		jsonw_key_int(w, "realtimeRuntime", c->realtime_runtime);
	if (c->has_realtime_period)
		jsonw_key_uint(w, "realtimePeriod", c->realtime_period);
	opt_str(w, "cpus", c->cpus);
	opt_str(w, "mems", c->mems);
	if (c->has_idle)
		jsonw_key_int(w, "idle", c->idle);
	jsonw_obj_close(w);
}

static void write_throttle(struct jsonw *w, const char *key, const struct oci_throttle_list *l)
{
	if (!l->n)
		return;
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (size_t i = 0; i < l->n; i++) {
		jsonw_obj_open(w);
		jsonw_key_int(w, "major", l->items[i].major);
		jsonw_key_int(w, "minor", l->items[i].minor);
		jsonw_key_uint(w, "rate", l->items[i].rate);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void write_block_io(struct jsonw *w, const struct oci_block_io *b)
{
	if (!b->present)
		return;
	jsonw_key(w, "blockIO");
	jsonw_obj_open(w);
	if (b->has_weight)
		jsonw_key_uint(w, "weight", b->weight);
	if (b->has_leaf_weight)
		jsonw_key_uint(w, "leafWeight", b->leaf_weight);
	if (b->n_weight_device) {
		jsonw_key(w, "weightDevice");
		jsonw_arr_open(w);
		for (size_t i = 0; i < b->n_weight_device; i++) {
			const struct oci_weight_device *d = &b->weight_device[i];
			jsonw_obj_open(w);
			jsonw_key_int(w, "major", d->major);
			jsonw_key_int(w, "minor", d->minor);
			if (d->has_weight)
				jsonw_key_uint(w, "weight", d->weight);
			if (d->has_leaf_weight)
				jsonw_key_uint(w, "leafWeight", d->leaf_weight);
			jsonw_obj_close(w);
		}
		jsonw_arr_close(w);
	}
	write_throttle(w, "throttleReadBpsDevice", &b->throttle_read_bps);
	write_throttle(w, "throttleWriteBpsDevice", &b->throttle_write_bps);
	write_throttle(w, "throttleReadIOPSDevice", &b->throttle_read_iops);
	write_throttle(w, "throttleWriteIOPSDevice", &b->throttle_write_iops);
	jsonw_obj_close(w);
}

static void write_resources(struct jsonw *w, const struct oci_resources *r)
{
	if (!r->present)
		return;
	jsonw_key(w, "resources");
	jsonw_obj_open(w);
	write_device_cgroups(w, r->devices, r->n_devices);
	write_memory(w, &r->memory);
	write_cpu(w, &r->cpu);
	if (r->pids.present) {
		jsonw_key(w, "pids");
		jsonw_obj_open(w);
		jsonw_key_int(w, "limit", r->pids.limit);
		jsonw_obj_close(w);
	}
	write_block_io(w, &r->block_io);
	if (r->n_hugepage_limits) {
		jsonw_key(w, "hugepageLimits");
		jsonw_arr_open(w);
		for (size_t i = 0; i < r->n_hugepage_limits; i++) {
			const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
			jsonw_obj_open(w);
			jsonw_key_str(w, "pageSize", h->page_size ? h->page_size : "");
			jsonw_key_uint(w, "limit", h->limit);
			jsonw_obj_close(w);
		}
		jsonw_arr_close(w);
	}
	if (r->network.present) {
		jsonw_key(w, "network");
		jsonw_obj_open(w);
		if (r->network.has_class_id)
			jsonw_key_uint(w, "classID", r->network.class_id);
		if (r->network.n_priorities) {
			jsonw_key(w, "priorities");
			jsonw_arr_open(w);
			for (size_t i = 0; i < r->network.n_priorities; i++) {
				const struct oci_net_priority *p = &r->network.priorities[i];
				jsonw_obj_open(w);
				jsonw_key_str(w, "name", p->name ? p->name : "");
				jsonw_key_uint(w, "priority", p->priority);
				jsonw_obj_close(w);
			}
			jsonw_arr_close(w);
		}
		jsonw_obj_close(w);
	}
	if (r->n_rdma) {
		jsonw_key(w, "rdma");
		jsonw_obj_open(w);
		for (size_t i = 0; i < r->n_rdma; i++) {
			const struct oci_rdma *d = &r->rdma[i];
			jsonw_key(w, d->device ? d->device : "");
			jsonw_obj_open(w);
			if (d->has_hca_handles)
				jsonw_key_uint(w, "hcaHandles", d->hca_handles);
			if (d->has_hca_objects)
				jsonw_key_uint(w, "hcaObjects", d->hca_objects);
			jsonw_obj_close(w);
		}
		jsonw_obj_close(w);
	}
	oci_write_kv(w, "unified", r->unified, r->n_unified);
	jsonw_obj_close(w);
}

static void write_namespaces(struct jsonw *w, const struct oci_namespace *ns, size_t n)
{
	if (!n)
		return;
	jsonw_key(w, "namespaces");
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		const char *t = oci_ns_type_name(ns[i].type);
		jsonw_obj_open(w);
		jsonw_key_str(w, "type", t ? t : "");
		opt_str(w, "path", ns[i].path);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void write_devices(struct jsonw *w, const struct oci_device *d, size_t n)
{
	if (!n)
		return;
	jsonw_key(w, "devices");
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_open(w);
		jsonw_key_str(w, "path", d[i].path ? d[i].path : "");
		jsonw_key_str(w, "type", d[i].type ? d[i].type : "");
		if (d[i].has_major)
			jsonw_key_int(w, "major", d[i].major);
		if (d[i].has_minor)
			jsonw_key_int(w, "minor", d[i].minor);
		if (d[i].has_file_mode)
			jsonw_key_uint(w, "fileMode", d[i].file_mode);
		if (d[i].has_uid)
			jsonw_key_uint(w, "uid", d[i].uid);
		if (d[i].has_gid)
			jsonw_key_uint(w, "gid", d[i].gid);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void write_syscall(struct jsonw *w, const struct oci_seccomp_syscall *s)
{
	jsonw_obj_open(w);
	jsonw_key_strv(w, "names", s->names, s->n_names);
	jsonw_key_str(w, "action", s->action ? s->action : "");
	if (s->has_errno_ret)
		jsonw_key_uint(w, "errnoRet", s->errno_ret);
	if (s->n_args) {
		jsonw_key(w, "args");
		jsonw_arr_open(w);
		for (size_t i = 0; i < s->n_args; i++) {
			const struct oci_seccomp_arg *a = &s->args[i];
			jsonw_obj_open(w);
			jsonw_key_uint(w, "index", a->index);
			jsonw_key_uint(w, "value", a->value);
			if (a->value_two)
				jsonw_key_uint(w, "valueTwo", a->value_two);
			jsonw_key_str(w, "op", a->op ? a->op : "");
			jsonw_obj_close(w);
		}
		jsonw_arr_close(w);
	}
	jsonw_obj_close(w);
}

static void write_seccomp(struct jsonw *w, const struct oci_seccomp *s)
{
	if (!s->present)
		return;
	jsonw_key(w, "seccomp");
	jsonw_obj_open(w);
	jsonw_key_str(w, "defaultAction", s->default_action ? s->default_action : "");
	if (s->has_default_errno_ret)
		jsonw_key_uint(w, "defaultErrnoRet", s->default_errno_ret);
	oci_write_strv(w, "architectures", s->architectures, s->n_architectures);
	oci_write_strv(w, "flags", s->flags, s->n_flags);
	opt_str(w, "listenerPath", s->listener_path);
	opt_str(w, "listenerMetadata", s->listener_metadata);
	if (s->n_syscalls) {
		jsonw_key(w, "syscalls");
		jsonw_arr_open(w);
		for (size_t i = 0; i < s->n_syscalls; i++)
			write_syscall(w, &s->syscalls[i]);
		jsonw_arr_close(w);
	}
	jsonw_obj_close(w);
}

static void write_time_offset(struct jsonw *w, const char *clock, const struct oci_time_offset *t)
{
	if (!t->present)
		return;
	jsonw_key(w, clock);
	jsonw_obj_open(w);
	jsonw_key_int(w, "secs", t->secs);
	jsonw_key_uint(w, "nanosecs", t->nanosecs);
	jsonw_obj_close(w);
}

void oci_write_linux(struct jsonw *w, const struct oci_linux *l)
{
	jsonw_obj_open(w);
	oci_write_id_mappings(w, "uidMappings", l->uid_mappings, l->n_uid_mappings);
	oci_write_id_mappings(w, "gidMappings", l->gid_mappings, l->n_gid_mappings);
	oci_write_kv(w, "sysctl", l->sysctl, l->n_sysctl);
	write_resources(w, &l->resources);
	opt_str(w, "cgroupsPath", l->cgroups_path);
	write_namespaces(w, l->namespaces, l->n_namespaces);
	write_devices(w, l->devices, l->n_devices);
	write_seccomp(w, &l->seccomp);
	opt_str(w, "rootfsPropagation", l->rootfs_propagation);
	oci_write_strv(w, "maskedPaths", l->masked_paths, l->n_masked_paths);
	oci_write_strv(w, "readonlyPaths", l->readonly_paths, l->n_readonly_paths);
	opt_str(w, "mountLabel", l->mount_label);
	if (l->intel_rdt.present) {
		const struct oci_intel_rdt *r = &l->intel_rdt;
		jsonw_key(w, "intelRdt");
		jsonw_obj_open(w);
		opt_str(w, "closID", r->clos_id);
		opt_str(w, "l3CacheSchema", r->l3_cache_schema);
		opt_str(w, "memBwSchema", r->mem_bw_schema);
		if (r->has_enable_cmt)
			jsonw_key_bool(w, "enableCMT", r->enable_cmt);
		if (r->has_enable_mbm)
			jsonw_key_bool(w, "enableMBM", r->enable_mbm);
		jsonw_obj_close(w);
	}
	if (l->personality.present) {
		jsonw_key(w, "personality");
		jsonw_obj_open(w);
		jsonw_key_str(w, "domain", l->personality.domain ? l->personality.domain : "");
		oci_write_strv(w, "flags", l->personality.flags, l->personality.n_flags);
		jsonw_obj_close(w);
	}
	if (l->time_monotonic.present || l->time_boottime.present) {
		jsonw_key(w, "timeOffsets");
		jsonw_obj_open(w);
		write_time_offset(w, "monotonic", &l->time_monotonic);
		write_time_offset(w, "boottime", &l->time_boottime);
		jsonw_obj_close(w);
	}
	jsonw_obj_close(w);
}
