/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json: the top level (ociVersion, root, mounts, hooks, hostname,
 * domainname, annotations); process and linux have their own files.
 * Unknown members are ignored as runtime-spec requires; "windows", "solaris",
 * "vm" and "zos" are therefore skipped without a look.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "parse_internal.h"

static int parse_root(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
		      struct oci_root *r)
{
	if (jf_str(cx, p, o, "path", true, &r->path) < 0)
		return -1;
	return jf_bool(cx, p, o, "readonly", false, &r->readonly, NULL);
}

int oci_parse_id_mappings(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
			  const char *name, struct oci_id_mapping **out, size_t *n)
{
	const struct jnode *a;
	if (jf_arr(cx, up, obj, name, &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, name);
	*out = xcalloc(a->u.kids.n, sizeof(**out));
	*n = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		struct oci_id_mapping *m = &(*out)[i];
		if (jv_type(cx, &ip, it, JT_OBJECT) < 0 ||
		    jf_u32(cx, &ip, it, "containerID", true, &m->container_id, NULL) < 0 ||
		    jf_u32(cx, &ip, it, "hostID", true, &m->host_id, NULL) < 0 ||
		    jf_u32(cx, &ip, it, "size", true, &m->size, NULL) < 0)
			return -1;
	}
	return 0;
}

static int parse_mount(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
		       struct oci_mount *m)
{
	if (jv_type(cx, p, o, JT_OBJECT) < 0)
		return -1;
	/*
	 * A relative destination is allowed on Linux (deprecated, taken relative
	 * to "/"), so it is not refused here.
	 */
	if (jf_str(cx, p, o, "destination", true, &m->destination) < 0 ||
	    jf_str(cx, p, o, "source", false, &m->source) < 0 ||
	    jf_str(cx, p, o, "type", false, &m->type) < 0 ||
	    jf_strv(cx, p, o, "options", &m->options, &m->n_options) < 0 ||
	    oci_parse_id_mappings(cx, p, o, "uidMappings", &m->uid_mappings, &m->n_uid_mappings) <
		    0 ||
	    oci_parse_id_mappings(cx, p, o, "gidMappings", &m->gid_mappings, &m->n_gid_mappings) <
		    0)
		return -1;
	/* "If specified, it MUST be specified along with gidMappings" (and vice versa) */
	if (!m->n_uid_mappings != !m->n_gid_mappings) {
		struct jpath f = JP_FIELD_OF(p, m->n_uid_mappings ? "gidMappings" : "uidMappings");
		return jerr(cx, &f, "required when %s is given",
			    m->n_uid_mappings ? "uidMappings" : "gidMappings");
	}
	return 0;
}

static int parse_mounts(const struct jctx *cx, const struct jnode *root, struct oci_config *c)
{
	const struct jnode *a;
	if (jf_arr(cx, NULL, root, "mounts", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(NULL, "mounts");
	c->mounts = xcalloc(a->u.kids.n, sizeof(*c->mounts));
	c->n_mounts = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		if (parse_mount(cx, &ip, it, &c->mounts[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_hook(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
		      struct oci_hook *h)
{
	int64_t timeout;
	if (jv_type(cx, p, o, JT_OBJECT) < 0 || jf_str(cx, p, o, "path", true, &h->path) < 0)
		return -1;
	struct jpath pp = JP_FIELD_OF(p, "path");
	if (jcheck_abs(cx, &pp, h->path) < 0 ||
	    jf_strv(cx, p, o, "args", &h->args, &h->n_args) < 0 ||
	    jf_strv(cx, p, o, "env", &h->env, &h->n_env) < 0 ||
	    jf_int_range(cx, p, o, "timeout", false, 1, INT32_MAX, &timeout, &h->has_timeout) < 0)
		return -1;
	if (h->has_timeout)
		h->timeout = (int)timeout;
	return 0;
}

static int parse_hook_list(const struct jctx *cx, const struct jpath *up, const struct jnode *o,
			   const char *name, struct oci_hook_list *l)
{
	const struct jnode *a;
	if (jf_arr(cx, up, o, name, &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, name);
	l->items = xcalloc(a->u.kids.n, sizeof(*l->items));
	l->n = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		if (parse_hook(cx, &ip, it, &l->items[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_hooks(const struct jctx *cx, const struct jnode *root, struct oci_hooks *h)
{
	const struct jnode *o;
	if (jf_obj(cx, NULL, root, "hooks", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(NULL, "hooks");
	if (parse_hook_list(cx, &p, o, "prestart", &h->prestart) < 0 ||
	    parse_hook_list(cx, &p, o, "createRuntime", &h->create_runtime) < 0 ||
	    parse_hook_list(cx, &p, o, "createContainer", &h->create_container) < 0 ||
	    parse_hook_list(cx, &p, o, "startContainer", &h->start_container) < 0 ||
	    parse_hook_list(cx, &p, o, "poststart", &h->poststart) < 0 ||
	    parse_hook_list(cx, &p, o, "poststop", &h->poststop) < 0)
		return -1;
	return 0;
}

static int parse_config(const struct jctx *cx, const struct jnode *root, struct oci_config *c)
{
	const struct jnode *o;

	if (jf_str(cx, NULL, root, "ociVersion", true, &c->oci_version) < 0)
		return -1;

	if (jf_obj(cx, NULL, root, "root", false, &o) < 0)
		return -1;
	if (o) {
		struct jpath p = JP_FIELD_OF(NULL, "root");
		c->has_root = true;
		if (parse_root(cx, &p, o, &c->root) < 0)
			return -1;
	}
	if (parse_mounts(cx, root, c) < 0)
		return -1;

	if (jf_obj(cx, NULL, root, "process", false, &o) < 0)
		return -1;
	if (o) {
		struct jpath p = JP_FIELD_OF(NULL, "process");
		c->has_process = true;
		if (oci_parse_process_obj(cx, &p, o, &c->process) < 0)
			return -1;
	}

	if (jf_str(cx, NULL, root, "hostname", false, &c->hostname) < 0 ||
	    jf_str(cx, NULL, root, "domainname", false, &c->domainname) < 0 ||
	    parse_hooks(cx, root, &c->hooks) < 0 ||
	    jf_map_str(cx, NULL, root, "annotations", &c->annotations, &c->n_annotations) < 0)
		return -1;

	if (jf_obj(cx, NULL, root, "linux", false, &o) < 0)
		return -1;
	if (o) {
		struct jpath p = JP_FIELD_OF(NULL, "linux");
		c->linux_.present = true;
		if (oci_parse_linux_obj(cx, &p, o, &c->linux_) < 0)
			return -1;
	}
	return 0;
}

/* Parses the document and checks that it is an object; doc is freed on error. */
static int parse_doc(const char *json, size_t len, const char *origin, struct jdoc *doc,
		     struct werr *e)
{
	if (len > OCI_CONFIG_MAX_BYTES)
		return werr_set(e, 0, "%s: document is larger than %u bytes", origin,
				OCI_CONFIG_MAX_BYTES);
	if (jdoc_parse(json, len, origin, doc, e) < 0)
		return -1;
	if (doc->root->type != JT_OBJECT) {
		werr_set(e, 0, "%s: expected a JSON object at the top level, got %s", origin,
			 jtype_desc(doc->root));
		jdoc_free(doc);
		return -1;
	}
	return 0;
}

int oci_config_parse(const char *json, size_t len, const char *origin, struct oci_config **out,
		     struct werr *e)
{
	struct jdoc doc;
	struct jctx cx = {.origin = origin ? origin : "config.json", .e = e};

	if (parse_doc(json, len, cx.origin, &doc, e) < 0)
		return -1;
	struct oci_config *c = xcalloc(1, sizeof(*c));
	int r = parse_config(&cx, doc.root, c);
	jdoc_free(&doc);
	if (r < 0) {
		oci_config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int oci_process_parse(const char *json, size_t len, const char *origin, struct oci_process **out,
		      struct werr *e)
{
	struct jdoc doc;
	struct jctx cx = {.origin = origin ? origin : "process.json", .e = e};

	if (parse_doc(json, len, cx.origin, &doc, e) < 0)
		return -1;
	struct oci_process *p = xcalloc(1, sizeof(*p));
	int r = oci_parse_process_obj(&cx, NULL, doc.root, p);
	jdoc_free(&doc);
	if (r < 0) {
		oci_process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int oci_resources_parse(const char *json, size_t len, const char *origin,
			struct oci_resources **out, struct werr *e)
{
	struct jdoc doc;
	struct jctx cx = {.origin = origin ? origin : "resources", .e = e};

	if (parse_doc(json, len, cx.origin, &doc, e) < 0)
		return -1;
	struct oci_resources *r = xcalloc(1, sizeof(*r));
	int rc = oci_parse_resources_obj(&cx, NULL, doc.root, r);
	jdoc_free(&doc);
	if (rc < 0) {
		oci_resources_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

void oci_resources_free(struct oci_resources *r)
{
	if (!r)
		return;
	oci_resources_release(r);
	free(r);
}

int oci_config_load(const char *path, struct oci_config **out, struct werr *e)
{
	char *buf;
	size_t len;

	if (read_file_at(AT_FDCWD, path, OCI_CONFIG_MAX_BYTES, &buf, &len, e) < 0)
		return -1;
	int r = oci_config_parse(buf, len, path, out, e);
	free(buf);
	return r;
}

const char *oci_config_annotation(const struct oci_config *c, const char *key)
{
	for (size_t i = 0; i < c->n_annotations; i++)
		if (c->annotations[i].key && strcmp(c->annotations[i].key, key) == 0)
			return c->annotations[i].value;
	return NULL;
}
