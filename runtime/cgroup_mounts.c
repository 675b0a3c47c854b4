/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Finding the host's cgroup hierarchies from mountinfo. The layout (v1, pure v2,
 * hybrid) is read from what is mounted, never guessed from the kernel version:
 * a kernel that supports cgroup2 may still run with v1 hierarchies, and a v1
 * controller stays bound to its v1 hierarchy even where cgroup2 is also mounted.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "cgroup_internal.h"
#include "mountinfo.h"

/* Controllers a v1 hierarchy can carry; other super options (rw, noprefix, ...) are not. */
static const char *const known_controllers[] = {
	"cpuset",  "cpu",        "cpuacct",  "blkio",   "io",   "memory", "devices", "freezer",
	"net_cls", "perf_event", "net_prio", "hugetlb", "pids", "rdma",   "misc",    "debug",
};

bool cg_list_has(const char *list, const char *item, char sep)
{
	size_t n = strlen(item);
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, sep);
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, item, n) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

/* The controllers of a v1 mount from its super options, e.g. "rw,cpu,cpuacct" -> "cpu,cpuacct". */
static char *v1_controllers(const char *superopts)
{
	size_t cap = strlen(superopts) + 1;
	char *out = xcalloc(1, cap);
	_cleanup_free_ char *copy = xstrdup(superopts);
	char *save = NULL;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool keep = str_has_prefix(tok, "name=");
		for (size_t i = 0; !keep && i < ARRAY_SIZE(known_controllers); i++)
			keep = strcmp(tok, known_controllers[i]) == 0;
		if (!keep)
			continue;
		if (*out)
			strcat(out, ",");
		strcat(out, tok);
	}
	return out;
}

/* Prefer the canonical places when a hierarchy is mounted several times. */
static bool under_sys_fs_cgroup(const char *mp)
{
	return strcmp(mp, "/sys/fs/cgroup") == 0 || str_has_prefix(mp, "/sys/fs/cgroup/");
}

static int v2_rank(const char *mp)
{
	if (strcmp(mp, "/sys/fs/cgroup") == 0)
		return 3;
	if (strcmp(mp, "/sys/fs/cgroup/unified") == 0)
		return 2;
	if (under_sys_fs_cgroup(mp))
		return 1;
	return 0;
}

static void add_v1(struct cg_mounts *m, const struct mountinfo_entry *l)
{
	_cleanup_free_ char *ctrls = v1_controllers(l->fs_opts);
	if (!*ctrls)
		return; /* a v1 mount with neither controllers nor a name: nothing to use */
	for (size_t i = 0; i < m->n_v1; i++) {
		struct cg_v1_mount *v = &m->v1[i];
		if (v->dev_major != l->dev_major || v->dev_minor != l->dev_minor)
			continue;
		/* the same hierarchy again: keep the better placed mount */
		if (!under_sys_fs_cgroup(v->mountpoint) && under_sys_fs_cgroup(l->target)) {
			free(v->mountpoint);
			free(v->root);
			v->mountpoint = xstrdup(l->target);
			v->root = xstrdup(l->root);
		}
		return;
	}
	m->v1 = xrealloc(m->v1, (m->n_v1 + 1) * sizeof(*m->v1));
	m->v1[m->n_v1++] = (struct cg_v1_mount){
		.controllers = take_ptr(ctrls),
		.mountpoint = xstrdup(l->target),
		.root = xstrdup(l->root),
		.dev_major = l->dev_major,
		.dev_minor = l->dev_minor,
	};
}

int cg_mounts_parse(const char *text, struct cg_mounts *m, struct werr *e)
{
	memset(m, 0, sizeof(*m));
	int v2_best = -1;
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mountinfo_entry l;
		if (mountinfo_parse_line(line, &l) < 0)
			continue; /* a malformed line names no hierarchy */
		if (strcmp(l.fstype, "cgroup") == 0) {
			add_v1(m, &l);
		} else if (strcmp(l.fstype, "cgroup2") == 0 && v2_rank(l.target) > v2_best) {
			v2_best = v2_rank(l.target);
			free(m->v2_mountpoint);
			free(m->v2_root);
			m->v2_mountpoint = xstrdup(l.target);
			m->v2_root = xstrdup(l.root);
		}
	}
	if (m->n_v1 == 0 && !m->v2_mountpoint)
		return werr_set(e, 0,
				"no cgroup filesystem is mounted (neither cgroup nor cgroup2)");
	return 0;
}

int cg_mounts_load(struct cg_mounts *m, struct werr *e)
{
	_cleanup_free_ char *text = NULL;
	if (read_file_at(AT_FDCWD, "/proc/self/mountinfo", 64u << 20, &text, NULL, e) < 0)
		return -1;
	return cg_mounts_parse(text, m, e);
}

void cg_mounts_release(struct cg_mounts *m)
{
	for (size_t i = 0; i < m->n_v1; i++) {
		free(m->v1[i].controllers);
		free(m->v1[i].mountpoint);
		free(m->v1[i].root);
	}
	free(m->v1);
	free(m->v2_mountpoint);
	free(m->v2_root);
	memset(m, 0, sizeof(*m));
}

int cg_mounts_mode(const struct cg_mounts *m, enum cgroup_mode *mode, struct werr *e)
{
	if (m->n_v1 > 0 && m->v2_mountpoint)
		*mode = CGROUP_MODE_HYBRID;
	else if (m->n_v1 > 0)
		*mode = CGROUP_MODE_V1;
	else if (m->v2_mountpoint)
		*mode = CGROUP_MODE_V2;
	else
		return werr_set(e, 0, "no cgroup filesystem is mounted");
	return 0;
}

int cgroup_detect(enum cgroup_mode *mode, struct werr *e)
{
	struct cg_mounts m;
	if (cg_mounts_load(&m, e) < 0)
		return werr_wrap(e, "detect cgroup layout");
	int r = cg_mounts_mode(&m, mode, e);
	cg_mounts_release(&m);
	return r;
}

const char *cgroup_mode_name(enum cgroup_mode m)
{
	switch (m) {
	case CGROUP_MODE_V1:
		return "v1";
	case CGROUP_MODE_V2:
		return "v2";
	case CGROUP_MODE_HYBRID:
		return "hybrid";
	}
	return "unknown";
}
