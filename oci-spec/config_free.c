/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Releasing a config. Every function copes with a partly filled struct (the
 * parser sets array counts before filling the zeroed elements), which is how a
 * failed parse leaves nothing behind.
 */
#include <stdlib.h>

#include "parse_internal.h"

void oci_strv_release(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void oci_kv_release(struct oci_kv *kv, size_t n)
{
	if (!kv)
		return;
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

static void mount_release(struct oci_mount *m)
{
	free(m->destination);
	free(m->source);
	free(m->type);
	oci_strv_release(m->options, m->n_options);
	free(m->uid_mappings);
	free(m->gid_mappings);
}

static void hook_list_release(struct oci_hook_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].path);
		oci_strv_release(l->items[i].args, l->items[i].n_args);
		oci_strv_release(l->items[i].env, l->items[i].n_env);
	}
	free(l->items);
}

void oci_process_release(struct oci_process *p)
{
	free(p->cwd);
	oci_strv_release(p->env, p->n_env);
	oci_strv_release(p->args, p->n_args);
	free(p->command_line);
	for (size_t i = 0; i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	oci_strv_release(p->capabilities.bounding, p->capabilities.n_bounding);
	oci_strv_release(p->capabilities.effective, p->capabilities.n_effective);
	oci_strv_release(p->capabilities.inheritable, p->capabilities.n_inheritable);
	oci_strv_release(p->capabilities.permitted, p->capabilities.n_permitted);
	oci_strv_release(p->capabilities.ambient, p->capabilities.n_ambient);
	free(p->scheduler.policy);
	oci_strv_release(p->scheduler.flags, p->scheduler.n_flags);
	free(p->selinux_label);
	free(p->io_priority.class);
	free(p->exec_cpu_affinity.initial);
	free(p->exec_cpu_affinity.final);
	free(p->user.additional_gids);
	free(p->user.username);
}

void oci_resources_release(struct oci_resources *r)
{
	for (size_t i = 0; i < r->n_devices; i++) {
		free(r->devices[i].type);
		free(r->devices[i].access);
	}
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_device);
	free(r->block_io.throttle_read_bps.items);
	free(r->block_io.throttle_write_bps.items);
	free(r->block_io.throttle_read_iops.items);
	free(r->block_io.throttle_write_iops.items);
	for (size_t i = 0; i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	oci_kv_release(r->unified, r->n_unified);
}

void oci_seccomp_release(struct oci_seccomp *s)
{
	free(s->default_action);
	oci_strv_release(s->architectures, s->n_architectures);
	oci_strv_release(s->flags, s->n_flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		struct oci_seccomp_syscall *sc = &s->syscalls[i];
		oci_strv_release(sc->names, sc->n_names);
		free(sc->action);
		for (size_t j = 0; j < sc->n_args; j++)
			free(sc->args[j].op);
		free(sc->args);
	}
	free(s->syscalls);
}

void oci_linux_release(struct oci_linux *l)
{
	free(l->uid_mappings);
	free(l->gid_mappings);
	oci_kv_release(l->sysctl, l->n_sysctl);
	oci_resources_release(&l->resources);
	free(l->cgroups_path);
	for (size_t i = 0; i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	for (size_t i = 0; i < l->n_devices; i++) {
		free(l->devices[i].type);
		free(l->devices[i].path);
	}
	free(l->devices);
	oci_seccomp_release(&l->seccomp);
	free(l->rootfs_propagation);
	oci_strv_release(l->masked_paths, l->n_masked_paths);
	oci_strv_release(l->readonly_paths, l->n_readonly_paths);
	free(l->mount_label);
	free(l->intel_rdt.clos_id);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	free(l->personality.domain);
	oci_strv_release(l->personality.flags, l->personality.n_flags);
}

void oci_config_free(struct oci_config *c)
{
	if (!c)
		return;
	free(c->oci_version);
	free(c->root.path);
	for (size_t i = 0; i < c->n_mounts; i++)
		mount_release(&c->mounts[i]);
	free(c->mounts);
	oci_process_release(&c->process);
	free(c->hostname);
	free(c->domainname);
	hook_list_release(&c->hooks.prestart);
	hook_list_release(&c->hooks.create_runtime);
	hook_list_release(&c->hooks.create_container);
	hook_list_release(&c->hooks.start_container);
	hook_list_release(&c->hooks.poststart);
	hook_list_release(&c->hooks.poststop);
	oci_kv_release(c->annotations, c->n_annotations);
	oci_linux_release(&c->linux_);
	free(c);
}

void oci_process_free(struct oci_process *p)
{
	if (!p)
		return;
	oci_process_release(p);
	free(p);
}
