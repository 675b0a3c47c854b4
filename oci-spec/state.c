/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime-spec state document (runtime.md "State", specs-go State):
 *   {"ociVersion", "id", "status", "pid" (omitted when 0), "bundle", "annotations"}
 * written by `ward state` and given to hooks on stdin.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "json_read.h"
#include "oci_state.h"
#include "parse_internal.h"

char *oci_state_write(const struct oci_state *s, bool pretty)
{
	struct jsonw w;
	jsonw_init(&w, pretty);
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "ociVersion", s->oci_version ? s->oci_version : OCI_SPEC_VERSION);
	jsonw_key_str(&w, "id", s->id ? s->id : "");
	jsonw_key_str(&w, "status", s->status ? s->status : "");
	if (s->pid > 0)
		jsonw_key_int(&w, "pid", s->pid);
	jsonw_key_str(&w, "bundle", s->bundle ? s->bundle : "");
	oci_write_kv(&w, "annotations", s->annotations, s->n_annotations);
	jsonw_obj_close(&w);
	if (pretty)
		jsonw_raw(&w, "\n");
	return jsonw_take(&w);
}

void oci_state_owned_free(struct oci_state_owned *s)
{
	free(s->oci_version);
	free(s->id);
	free(s->status);
	free(s->bundle);
	oci_kv_release(s->annotations, s->n_annotations);
	memset(s, 0, sizeof(*s));
}

static int parse_state(const struct jctx *cx, const struct jnode *o, struct oci_state_owned *s)
{
	static const char *const statuses[] = {"creating", "created", "running", "stopped",
					       "paused"};
	struct jpath sp = JP_FIELD_OF(NULL, "status");
	int64_t pid = 0;
	bool has;

	if (jf_str(cx, NULL, o, "ociVersion", true, &s->oci_version) < 0 ||
	    jf_str(cx, NULL, o, "id", true, &s->id) < 0 ||
	    jf_str(cx, NULL, o, "status", true, &s->status) < 0 ||
	    jcheck_enum(cx, &sp, s->status, statuses, ARRAY_SIZE(statuses)) < 0 ||
	    jf_int_range(cx, NULL, o, "pid", false, 0, INT32_MAX, &pid, &has) < 0 ||
	    jf_str(cx, NULL, o, "bundle", true, &s->bundle) < 0 ||
	    jf_map_str(cx, NULL, o, "annotations", &s->annotations, &s->n_annotations) < 0)
		return -1;
	s->pid = (pid_t)pid;
	return 0;
}

int oci_state_parse(const char *json, size_t len, struct oci_state_owned *out, struct werr *e)
{
	struct jdoc doc;
	struct jctx cx = {.origin = "state.json", .e = e};
	struct oci_state_owned s;

	memset(&s, 0, sizeof(s));
	if (len > OCI_CONFIG_MAX_BYTES)
		return werr_set(e, 0, "%s: document is larger than %u bytes", cx.origin,
				OCI_CONFIG_MAX_BYTES);
	if (jdoc_parse(json, len, cx.origin, &doc, e) < 0)
		return -1;
	int r;
	if (doc.root->type != JT_OBJECT)
		r = werr_set(e, 0, "%s: expected a JSON object at the top level, got %s", cx.origin,
			     jtype_desc(doc.root));
	else
		r = parse_state(&cx, doc.root, &s);
	jdoc_free(&doc);
	if (r < 0) {
		oci_state_owned_free(&s);
		return -1;
	}
	*out = s;
	return 0;
}
