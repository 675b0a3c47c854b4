/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "linux" (resources and seccomp have their own files). */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "parse_internal.h"

static int parse_namespaces(const struct jctx *cx, const struct jpath *up, const struct jnode *lo,
			    struct oci_linux *l)
{
	const struct jnode *a;
	char *type = NULL;
	size_t seen_at[OCI_NS_COUNT] = {0};
	bool seen[OCI_NS_COUNT] = {false};

	if (jf_arr(cx, up, lo, "namespaces", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "namespaces");
	l->namespaces = xcalloc(a->u.kids.n, sizeof(*l->namespaces));
	l->n_namespaces = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		struct jpath tp = JP_FIELD_OF(&ip, "type");
		struct jpath pp = JP_FIELD_OF(&ip, "path");
		struct oci_namespace *ns = &l->namespaces[i];
		if (jv_type(cx, &ip, it, JT_OBJECT) < 0 ||
		    jf_str(cx, &ip, it, "type", true, &type) < 0)
			return -1;
		int t = oci_ns_type_from_name(type);
		if (t < 0) {
			jcheck_oci_enum(cx, &tp, type, &oci_enum_ns_types);
			free(type);
			return -1;
		}
		free(type);
		type = NULL;
		if (seen[t])
			return jerr(cx, &tp,
				    "duplicate namespace type \"%s\" (also at namespaces[%zu])",
				    oci_ns_type_name((enum oci_ns_type)t), seen_at[t]);
		seen[t] = true;
		seen_at[t] = i;
		ns->type = (enum oci_ns_type)t;
		if (jf_str(cx, &ip, it, "path", false, &ns->path) < 0)
			return -1;
		/* an empty path means "create one", as with Go's omitempty */
		if (ns->path && !ns->path[0]) {
			free(ns->path);
			ns->path = NULL;
		}
		if (ns->path && jcheck_abs(cx, &pp, ns->path) < 0)
			return -1;
	}
	return 0;
}

static int parse_time_offsets(const struct jctx *cx, const struct jpath *up, const struct jnode *lo,
			      struct oci_linux *l)
{
	const struct jnode *o, **m;
	char q[96];
	if (jf_obj(cx, up, lo, "timeOffsets", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "timeOffsets");
	size_t n = jobj_unique_members(o, &m);
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		struct jpath kp = {
			.up = &p, .kind = JP_MAPKEY, .key = m[i]->key, .key_len = m[i]->key_len};
		struct oci_time_offset *t = NULL;
		/* time_namespaces(7): only these two clocks can be offset */
		if (m[i]->key_len == 9 && memcmp(m[i]->key, "monotonic", 9) == 0) {
			t = &l->time_monotonic;
		} else if (m[i]->key_len == 8 && memcmp(m[i]->key, "boottime", 8) == 0) {
			t = &l->time_boottime;
		} else {
			jquote(m[i]->key, m[i]->key_len, q, sizeof(q));
			r = jerr(cx, &kp, "unknown clock %s (expected monotonic or boottime)", q);
			break;
		}
		if (m[i]->type == JT_NULL)
			continue;
		bool has;
		t->present = true;
		if (jv_type(cx, &kp, m[i], JT_OBJECT) < 0 ||
		    jf_i64(cx, &kp, m[i], "secs", false, &t->secs, &has) < 0 ||
		    jf_u32(cx, &kp, m[i], "nanosecs", false, &t->nanosecs, &has) < 0)
			r = -1;
	}
	free(m);
	return r;
}

static int parse_devices(const struct jctx *cx, const struct jpath *up, const struct jnode *lo,
			 struct oci_linux *l)
{
	const struct jnode *a;
	if (jf_arr(cx, up, lo, "devices", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "devices");
	l->devices = xcalloc(a->u.kids.n, sizeof(*l->devices));
	l->n_devices = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		struct jpath tp = JP_FIELD_OF(&ip, "type");
		struct oci_device *d = &l->devices[i];
		if (jv_type(cx, &ip, it, JT_OBJECT) < 0 ||
		    jf_str(cx, &ip, it, "type", true, &d->type) < 0 ||
		    jcheck_oci_enum(cx, &tp, d->type, &oci_enum_device_types) < 0 ||
		    jf_str(cx, &ip, it, "path", true, &d->path) < 0 ||
		    jf_i64(cx, &ip, it, "major", false, &d->major, &d->has_major) < 0 ||
		    jf_i64(cx, &ip, it, "minor", false, &d->minor, &d->has_minor) < 0 ||
		    jf_u32(cx, &ip, it, "fileMode", false, &d->file_mode, &d->has_file_mode) < 0 ||
		    jf_u32(cx, &ip, it, "uid", false, &d->uid, &d->has_uid) < 0 ||
		    jf_u32(cx, &ip, it, "gid", false, &d->gid, &d->has_gid) < 0)
			return -1;
		/* "major, minor (int64, REQUIRED unless type is p)" */
		if (strcmp(d->type, "p") != 0 && (!d->has_major || !d->has_minor)) {
			struct jpath mp = JP_FIELD_OF(&ip, d->has_major ? "minor" : "major");
			return jerr(cx, &mp, "required field missing (for device type \"%s\")",
				    d->type);
		}
	}
	return 0;
}

static int check_abs_list(const struct jctx *cx, const struct jpath *up, const char *name, char **v,
			  size_t n)
{
	struct jpath p = JP_FIELD_OF(up, name);
	for (size_t i = 0; i < n; i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		if (jcheck_abs(cx, &ip, v[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_intel_rdt(const struct jctx *cx, const struct jpath *up, const struct jnode *lo,
			   struct oci_intel_rdt *r)
{
	const struct jnode *o;
	char q[96];
	if (jf_obj(cx, up, lo, "intelRdt", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "intelRdt");
	r->present = true;
	if (jf_str(cx, &p, o, "closID", false, &r->clos_id) < 0 ||
	    jf_str(cx, &p, o, "l3CacheSchema", false, &r->l3_cache_schema) < 0 ||
	    jf_str(cx, &p, o, "memBwSchema", false, &r->mem_bw_schema) < 0 ||
	    jf_bool(cx, &p, o, "enableCMT", false, &r->enable_cmt, &r->has_enable_cmt) < 0 ||
	    jf_bool(cx, &p, o, "enableMBM", false, &r->enable_mbm, &r->has_enable_mbm) < 0)
		return -1;
	/* "The value MUST start with MB: and MUST NOT contain newlines" */
	if (r->mem_bw_schema &&
	    (strncmp(r->mem_bw_schema, "MB:", 3) != 0 || strchr(r->mem_bw_schema, '\n'))) {
		struct jpath mp = JP_FIELD_OF(&p, "memBwSchema");
		jquote(r->mem_bw_schema, strlen(r->mem_bw_schema), q, sizeof(q));
		return jerr(cx, &mp, "must start with \"MB:\" and be one line, got %s", q);
	}
	return 0;
}

static int parse_personality(const struct jctx *cx, const struct jpath *up, const struct jnode *lo,
			     struct oci_personality *pe)
{
	const struct jnode *o;
	if (jf_obj(cx, up, lo, "personality", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "personality");
	struct jpath dp = JP_FIELD_OF(&p, "domain");
	pe->present = true;
	if (jf_str(cx, &p, o, "domain", true, &pe->domain) < 0 ||
	    jcheck_oci_enum(cx, &dp, pe->domain, &oci_enum_personality_domains) < 0 ||
	    jf_strv(cx, &p, o, "flags", &pe->flags, &pe->n_flags) < 0)
		return -1;
	return 0;
}

/* An optional enum string where "" means unset (Go writes nothing for it either). */
static int opt_enum_str(const struct jctx *cx, const struct jpath *up, const struct jnode *o,
			const char *name, const struct oci_enum *en, char **out)
{
	if (jf_str(cx, up, o, name, false, out) < 0)
		return -1;
	if (*out && !**out) {
		free(*out);
		*out = NULL;
	}
	struct jpath p = JP_FIELD_OF(up, name);
	if (*out && jcheck_oci_enum(cx, &p, *out, en) < 0)
		return -1;
	return 0;
}

int oci_parse_linux_obj(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			struct oci_linux *l)
{
	const struct jnode *ro, *so;

	if (oci_parse_id_mappings(cx, p, o, "uidMappings", &l->uid_mappings, &l->n_uid_mappings) <
		    0 ||
	    oci_parse_id_mappings(cx, p, o, "gidMappings", &l->gid_mappings, &l->n_gid_mappings) <
		    0 ||
	    jf_map_str(cx, p, o, "sysctl", &l->sysctl, &l->n_sysctl) < 0)
		return -1;

	if (jf_obj(cx, p, o, "resources", false, &ro) < 0)
		return -1;
	if (ro) {
		struct jpath rp = JP_FIELD_OF(p, "resources");
		l->resources.present = true;
		if (oci_parse_resources_obj(cx, &rp, ro, &l->resources) < 0)
			return -1;
	}

	if (jf_str(cx, p, o, "cgroupsPath", false, &l->cgroups_path) < 0 ||
	    parse_namespaces(cx, p, o, l) < 0 || parse_devices(cx, p, o, l) < 0)
		return -1;

	if (jf_obj(cx, p, o, "seccomp", false, &so) < 0)
		return -1;
	if (so) {
		struct jpath sp = JP_FIELD_OF(p, "seccomp");
		l->seccomp.present = true;
		if (oci_parse_seccomp_obj(cx, &sp, so, &l->seccomp) < 0)
			return -1;
	}

	/* masked and read-only paths "MUST be absolute paths in the container namespace" */
	if (opt_enum_str(cx, p, o, "rootfsPropagation", &oci_enum_rootfs_propagation,
			 &l->rootfs_propagation) < 0 ||
	    jf_strv(cx, p, o, "maskedPaths", &l->masked_paths, &l->n_masked_paths) < 0 ||
	    check_abs_list(cx, p, "maskedPaths", l->masked_paths, l->n_masked_paths) < 0 ||
	    jf_strv(cx, p, o, "readonlyPaths", &l->readonly_paths, &l->n_readonly_paths) < 0 ||
	    check_abs_list(cx, p, "readonlyPaths", l->readonly_paths, l->n_readonly_paths) < 0 ||
	    jf_str(cx, p, o, "mountLabel", false, &l->mount_label) < 0 ||
	    parse_intel_rdt(cx, p, o, &l->intel_rdt) < 0 ||
	    parse_personality(cx, p, o, &l->personality) < 0 || parse_time_offsets(cx, p, o, l) < 0)
		return -1;
	return 0;
}
