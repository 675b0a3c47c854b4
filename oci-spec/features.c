/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime-spec features document (features.md, features-linux.md). Field
 * names and omitempty rules follow specs-go/features: lists are left out when
 * empty, the *bool fields are always written because ward always knows them.
 */
#include "oci_state.h"
#include "parse_internal.h"

static void write_list(struct jsonw *w, const char *key, const char *const *v)
{
	if (!v || !v[0])
		return;
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (; *v; v++)
		jsonw_str(w, *v);
	jsonw_arr_close(w);
}

static void write_enabled(struct jsonw *w, const char *key, bool enabled)
{
	jsonw_key(w, key);
	jsonw_obj_open(w);
	jsonw_key_bool(w, "enabled", enabled);
	jsonw_obj_close(w);
}

static void write_linux(struct jsonw *w, const struct oci_features *f)
{
	jsonw_key(w, "linux");
	jsonw_obj_open(w);
	write_list(w, "namespaces", f->namespaces);
	write_list(w, "capabilities", f->capabilities);

	jsonw_key(w, "cgroup");
	jsonw_obj_open(w);
	jsonw_key_bool(w, "v1", f->cgroup_v1);
	jsonw_key_bool(w, "v2", f->cgroup_v2);
	jsonw_key_bool(w, "systemd", f->cgroup_systemd);
	jsonw_key_bool(w, "systemdUser", f->cgroup_systemd_user);
	jsonw_key_bool(w, "rdma", f->cgroup_rdma);
	jsonw_obj_close(w);

	jsonw_key(w, "seccomp");
	jsonw_obj_open(w);
	jsonw_key_bool(w, "enabled", f->seccomp_enabled);
	write_list(w, "actions", f->seccomp_actions);
	write_list(w, "operators", f->seccomp_operators);
	write_list(w, "archs", f->seccomp_archs);
	write_list(w, "knownFlags", f->seccomp_known_flags);
	write_list(w, "supportedFlags", f->seccomp_supported_flags);
	jsonw_obj_close(w);

	write_enabled(w, "apparmor", f->apparmor_enabled);
	write_enabled(w, "selinux", f->selinux_enabled);
	write_enabled(w, "intelRdt", f->intel_rdt_enabled);

	jsonw_key(w, "mountExtensions");
	jsonw_obj_open(w);
	write_enabled(w, "idmap", f->idmap_mounts_enabled);
	jsonw_obj_close(w);

	jsonw_obj_close(w);
}

char *oci_features_write(const struct oci_features *f)
{
	struct jsonw w;
	jsonw_init(&w, true);
	jsonw_obj_open(&w);
	if (f->oci_version_min)
		jsonw_key_str(&w, "ociVersionMin", f->oci_version_min);
	if (f->oci_version_max)
		jsonw_key_str(&w, "ociVersionMax", f->oci_version_max);
	write_list(&w, "hooks", f->hooks);
	write_list(&w, "mountOptions", f->mount_options);
	write_linux(&w, f);
	oci_write_kv(&w, "annotations", f->annotations, f->n_annotations);
	write_list(&w, "potentiallyUnsafeConfigAnnotations", f->potentially_unsafe_annotations);
	jsonw_obj_close(&w);
	jsonw_raw(&w, "\n");
	return jsonw_take(&w);
}
