/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup as one JSON line kept in the container's state, so that later
 * commands (pause, update, events, ps, delete) reopen exactly the directories
 * `create` made - even if mounts or our own cgroup changed meanwhile - and delete
 * removes exactly what ward created:
 *
 *   {"version":1,"mode":"hybrid",
 *    "v1":[{"controllers":"cpu","path":"/sys/fs/cgroup/cpu/c1"},...],
 *    "unified":"/sys/fs/cgroup/unified/c1",
 *    "created":["/sys/fs/cgroup/cpu/c1",...]}
 */
#include <stdlib.h>
#include <string.h>

#include <yajl_tree.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "cgroup_internal.h"

char *cgroup_describe(const struct cgroup *cg)
{
	struct jsonw w;
	jsonw_init(&w, false);
	jsonw_obj_open(&w);
	jsonw_key_int(&w, "version", 1);
	jsonw_key_str(&w, "mode", cgroup_mode_name(cg->mode));
	jsonw_key(&w, "v1");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < cg->n_v1; i++) {
		jsonw_obj_open(&w);
		jsonw_key_str(&w, "controllers", cg->v1[i].controllers);
		jsonw_key_str(&w, "path", cg->v1[i].path);
		jsonw_obj_close(&w);
	}
	jsonw_arr_close(&w);
	jsonw_key_str(&w, "unified", cg->unified);
	jsonw_key_strv(&w, "created", cg->created, cg->n_created);
	jsonw_obj_close(&w);
	return jsonw_take(&w);
}

static const char *str_at(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(obj, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

/* a directory from the state must be absolute and clean: no "..", no "//" */
static bool sane_path(const char *p)
{
	if (!p || p[0] != '/')
		return false;
	_cleanup_free_ char *c = cg_clean_path(p);
	return strcmp(c, p) == 0 && strcmp(p, "/") != 0;
}

/* created directories must be one of ours or an ancestor of one (never anything else) */
static bool ancestor_or_self(const char *a, const char *leaf)
{
	size_t n = strlen(a);
	return strncmp(a, leaf, n) == 0 && (leaf[n] == '\0' || leaf[n] == '/');
}

int cgroup_open(const char *description, struct cgroup **out, struct werr *e)
{
	char errbuf[256];
	yajl_val root = yajl_tree_parse(description, errbuf, sizeof(errbuf));
	if (!root) {
		/* yajl's message spans lines (it draws an arrow); keep ours on one */
		for (char *c = errbuf; *c; c++)
			if (*c == '\n')
				*c = ' ';
		return werr_set(e, EINVAL, "cgroup description: %s", errbuf);
	}
	struct cgroup *cg = xcalloc(1, sizeof(*cg));
	int r = -1;
	const char *ver_path[] = {"version", NULL};
	yajl_val ver = yajl_tree_get(root, ver_path, yajl_t_number);
	if (!ver || !YAJL_IS_INTEGER(ver) || YAJL_GET_INTEGER(ver) != 1) {
		werr_set(e, EINVAL, "cgroup description: unknown version");
		goto out;
	}
	const char *mode = str_at(root, "mode");
	if (mode && strcmp(mode, "v1") == 0)
		cg->mode = CGROUP_MODE_V1;
	else if (mode && strcmp(mode, "v2") == 0)
		cg->mode = CGROUP_MODE_V2;
	else if (mode && strcmp(mode, "hybrid") == 0)
		cg->mode = CGROUP_MODE_HYBRID;
	else {
		werr_set(e, EINVAL, "cgroup description: bad mode");
		goto out;
	}
	const char *v1_path[] = {"v1", NULL};
	yajl_val v1 = yajl_tree_get(root, v1_path, yajl_t_array);
	size_t n = v1 ? YAJL_GET_ARRAY(v1)->len : 0;
	cg->v1 = xcalloc(n ? n : 1, sizeof(*cg->v1));
	for (size_t i = 0; i < n; i++) {
		yajl_val o = YAJL_GET_ARRAY(v1)->values[i];
		const char *c = YAJL_IS_OBJECT(o) ? str_at(o, "controllers") : NULL;
		const char *p = YAJL_IS_OBJECT(o) ? str_at(o, "path") : NULL;
		if (!c || !*c || !sane_path(p)) {
			werr_set(e, EINVAL, "cgroup description: bad v1 entry %zu", i);
			goto out;
		}
		cg->v1[i] = (struct cg_v1_dir){xstrdup(c), xstrdup(p)};
		cg->n_v1++;
	}
	const char *u = str_at(root, "unified");
	if (u) {
		if (!sane_path(u)) {
			werr_set(e, EINVAL, "cgroup description: bad unified path");
			goto out;
		}
		cg->unified = xstrdup(u);
	}
	if ((cg->mode == CGROUP_MODE_V2) != (cg->n_v1 == 0) ||
	    (cg->mode != CGROUP_MODE_V1) != !!u) {
		werr_set(e, EINVAL, "cgroup description: directories do not match mode %s", mode);
		goto out;
	}
	const char *cr_path[] = {"created", NULL};
	yajl_val cr = yajl_tree_get(root, cr_path, yajl_t_array);
	size_t nc = cr ? YAJL_GET_ARRAY(cr)->len : 0;
	cg->created = xcalloc(nc ? nc : 1, sizeof(*cg->created));
	for (size_t i = 0; i < nc; i++) {
		yajl_val s = YAJL_GET_ARRAY(cr)->values[i];
		const char *p = YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : NULL;
		bool ok = sane_path(p);
		bool below = false;
		for (size_t j = 0; ok && !below && j < cg->n_v1; j++)
			below = ancestor_or_self(p, cg->v1[j].path);
		if (ok && !below && cg->unified)
			below = ancestor_or_self(p, cg->unified);
		if (!ok || !below) {
			werr_set(e, EINVAL, "cgroup description: created entry %zu is not ours", i);
			goto out;
		}
		cg->created[cg->n_created++] = xstrdup(p);
	}
	*out = cg;
	cg = NULL;
	r = 0;
out:
	yajl_tree_free(root);
	cgroup_free(cg);
	return r;
}
