/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Serialising a config back to JSON, in the field order of runtime-spec's Go
 * structs and leaving out what they mark omitempty, so the output reads like
 * what runc and the engines write. Whatever the parser reads, this writes:
 * parse(write(c)) equals c.
 */
#include <string.h>

#include "parse_internal.h"

void oci_write_strv(struct jsonw *w, const char *key, char *const *v, size_t n)
{
	if (n)
		jsonw_key_strv(w, key, v, n);
}

void oci_write_kv(struct jsonw *w, const char *key, const struct oci_kv *kv, size_t n)
{
	if (!n)
		return;
	jsonw_key(w, key);
	jsonw_obj_open(w);
	for (size_t i = 0; i < n; i++)
		jsonw_key_str(w, kv[i].key ? kv[i].key : "", kv[i].value ? kv[i].value : "");
	jsonw_obj_close(w);
}

static void opt_str(struct jsonw *w, const char *key, const char *s)
{
	if (s)
		jsonw_key_str(w, key, s);
}

void oci_write_id_mappings(struct jsonw *w, const char *key, const struct oci_id_mapping *m,
			   size_t n)
{
	if (!n)
		return;
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_open(w);
		jsonw_key_uint(w, "containerID", m[i].container_id);
		jsonw_key_uint(w, "hostID", m[i].host_id);
		jsonw_key_uint(w, "size", m[i].size);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void write_user(struct jsonw *w, const struct oci_user *u)
{
	jsonw_key(w, "user");
	jsonw_obj_open(w);
	jsonw_key_uint(w, "uid", u->uid);
	jsonw_key_uint(w, "gid", u->gid);
	if (u->has_umask)
		jsonw_key_uint(w, "umask", u->umask);
	if (u->n_additional_gids) {
		jsonw_key(w, "additionalGids");
		jsonw_arr_open(w);
		for (size_t i = 0; i < u->n_additional_gids; i++)
			jsonw_uint(w, u->additional_gids[i]);
		jsonw_arr_close(w);
	}
	opt_str(w, "username", u->username);
	jsonw_obj_close(w);
}

static void write_capabilities(struct jsonw *w, const struct oci_capabilities *c)
{
	if (!c->present)
		return;
	jsonw_key(w, "capabilities");
	jsonw_obj_open(w);
	oci_write_strv(w, "bounding", c->bounding, c->n_bounding);
	oci_write_strv(w, "effective", c->effective, c->n_effective);
	oci_write_strv(w, "inheritable", c->inheritable, c->n_inheritable);
	oci_write_strv(w, "permitted", c->permitted, c->n_permitted);
	oci_write_strv(w, "ambient", c->ambient, c->n_ambient);
	jsonw_obj_close(w);
}

static void write_rlimits(struct jsonw *w, const struct oci_rlimit *r, size_t n)
{
	if (!n)
		return;
	jsonw_key(w, "rlimits");
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_open(w);
		jsonw_key_str(w, "type", r[i].type ? r[i].type : "");
		jsonw_key_uint(w, "hard", r[i].hard);
		jsonw_key_uint(w, "soft", r[i].soft);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void write_scheduler(struct jsonw *w, const struct oci_scheduler *s)
{
	if (!s->present)
		return;
	jsonw_key(w, "scheduler");
	jsonw_obj_open(w);
	jsonw_key_str(w, "policy", s->policy ? s->policy : "");
	if (s->has_nice)
		jsonw_key_int(w, "nice", s->nice);
	if (s->has_priority)
		jsonw_key_int(w, "priority", s->priority);
	oci_write_strv(w, "flags", s->flags, s->n_flags);
	if (s->has_runtime)
		jsonw_key_uint(w, "runtime", s->runtime);
	if (s->has_deadline)
		jsonw_key_uint(w, "deadline", s->deadline);
	if (s->has_period)
		jsonw_key_uint(w, "period", s->period);
	jsonw_obj_close(w);
}

void oci_write_process(struct jsonw *w, const struct oci_process *p)
{
	jsonw_obj_open(w);
	if (p->terminal)
		jsonw_key_bool(w, "terminal", true);
	if (p->has_console_size) {
		jsonw_key(w, "consoleSize");
		jsonw_obj_open(w);
		jsonw_key_uint(w, "height", p->console_height);
		jsonw_key_uint(w, "width", p->console_width);
		jsonw_obj_close(w);
	}
	write_user(w, &p->user);
	oci_write_strv(w, "args", p->args, p->n_args);
	opt_str(w, "commandLine", p->command_line);
	oci_write_strv(w, "env", p->env, p->n_env);
	jsonw_key_str(w, "cwd", p->cwd ? p->cwd : "");
	write_capabilities(w, &p->capabilities);
	write_rlimits(w, p->rlimits, p->n_rlimits);
	if (p->no_new_privileges)
		jsonw_key_bool(w, "noNewPrivileges", true);
	opt_str(w, "apparmorProfile", p->apparmor_profile);
	if (p->has_oom_score_adj)
		jsonw_key_int(w, "oomScoreAdj", p->oom_score_adj);
	write_scheduler(w, &p->scheduler);
	opt_str(w, "selinuxLabel", p->selinux_label);
	if (p->io_priority.present) {
		jsonw_key(w, "ioPriority");
		jsonw_obj_open(w);
		jsonw_key_str(w, "class", p->io_priority.class ? p->io_priority.class : "");
		jsonw_key_int(w, "priority", p->io_priority.priority);
		jsonw_obj_close(w);
	}
	if (p->exec_cpu_affinity.present) {
		jsonw_key(w, "execCPUAffinity");
		jsonw_obj_open(w);
		opt_str(w, "initial", p->exec_cpu_affinity.initial);
		opt_str(w, "final", p->exec_cpu_affinity.final);
		jsonw_obj_close(w);
	}
	jsonw_obj_close(w);
}

static void write_mounts(struct jsonw *w, const struct oci_mount *m, size_t n)
{
	if (!n)
		return;
	jsonw_key(w, "mounts");
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++) {
		jsonw_obj_open(w);
		jsonw_key_str(w, "destination", m[i].destination ? m[i].destination : "");
		opt_str(w, "type", m[i].type);
		opt_str(w, "source", m[i].source);
		oci_write_strv(w, "options", m[i].options, m[i].n_options);
		oci_write_id_mappings(w, "uidMappings", m[i].uid_mappings, m[i].n_uid_mappings);
		oci_write_id_mappings(w, "gidMappings", m[i].gid_mappings, m[i].n_gid_mappings);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void write_hook_list(struct jsonw *w, const char *key, const struct oci_hook_list *l)
{
	if (!l->n)
		return;
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (size_t i = 0; i < l->n; i++) {
		const struct oci_hook *h = &l->items[i];
		jsonw_obj_open(w);
		jsonw_key_str(w, "path", h->path ? h->path : "");
		oci_write_strv(w, "args", h->args, h->n_args);
		oci_write_strv(w, "env", h->env, h->n_env);
		if (h->has_timeout)
			jsonw_key_int(w, "timeout", h->timeout);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void write_hooks(struct jsonw *w, const struct oci_hooks *h)
{
	if (!h->prestart.n && !h->create_runtime.n && !h->create_container.n &&
	    !h->start_container.n && !h->poststart.n && !h->poststop.n)
		return;
	jsonw_key(w, "hooks");
	jsonw_obj_open(w);
	write_hook_list(w, "prestart", &h->prestart);
	write_hook_list(w, "createRuntime", &h->create_runtime);
	write_hook_list(w, "createContainer", &h->create_container);
	write_hook_list(w, "startContainer", &h->start_container);
	write_hook_list(w, "poststart", &h->poststart);
	write_hook_list(w, "poststop", &h->poststop);
	jsonw_obj_close(w);
}

char *oci_config_write(const struct oci_config *c, bool pretty)
{
	struct jsonw w;
	jsonw_init(&w, pretty);
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "ociVersion", c->oci_version ? c->oci_version : "");
	if (c->has_process) {
		jsonw_key(&w, "process");
		oci_write_process(&w, &c->process);
	}
	if (c->has_root) {
		jsonw_key(&w, "root");
		jsonw_obj_open(&w);
		jsonw_key_str(&w, "path", c->root.path ? c->root.path : "");
		if (c->root.readonly)
			jsonw_key_bool(&w, "readonly", true);
		jsonw_obj_close(&w);
	}
	opt_str(&w, "hostname", c->hostname);
	opt_str(&w, "domainname", c->domainname);
	write_mounts(&w, c->mounts, c->n_mounts);
	write_hooks(&w, &c->hooks);
	oci_write_kv(&w, "annotations", c->annotations, c->n_annotations);
	if (c->linux_.present) {
		jsonw_key(&w, "linux");
		oci_write_linux(&w, &c->linux_);
	}
	jsonw_obj_close(&w);
	if (pretty)
		jsonw_raw(&w, "\n");
	return jsonw_take(&w);
}

char *oci_process_write(const struct oci_process *p, bool pretty)
{
	struct jsonw w;
	jsonw_init(&w, pretty);
	oci_write_process(&w, p);
	if (pretty)
		jsonw_raw(&w, "\n");
	return jsonw_take(&w);
}
