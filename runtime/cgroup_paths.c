/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the container's cgroup goes, following runc's cgroupfs driver:
 *
 *   - linux.cgroupsPath is cleaned lexically first (so "../../etc" cannot leave the
 *     cgroup mount);
 *   - an absolute path is taken below each hierarchy's mount point
 *     ("/ward/c1" -> /sys/fs/cgroup/memory/ward/c1);
 *   - a relative path is taken below the cgroup ward itself runs in (read from
 *     /proc/self/cgroup, relative to the mount's root): on v1 (and the hybrid unified
 *     twin) below our own cgroup, on pure v2 below its parent, because our own v2
 *     cgroup holds processes and so may not enable controllers for a child;
 *   - when cgroupsPath is absent the path is the container id, relative - runc's default
 *     (c.Name = id with the cgroupfs driver). We keep it rather than inventing a
 *     "/ward/<id>" tree so that ward drops in where runc was: engines that care
 *     (containerd, Docker, CRI-O) always pass cgroupsPath anyway.
 */
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "cgroup_internal.h"

char *cg_clean_path(const char *path)
{
	if (!path || !*path)
		return xstrdup("");
	if (path[0] == '/')
		return path_clean(path);
	/* relative: clean as if rooted, then make relative again */
	_cleanup_free_ char *rooted = xasprintf("/%s", path);
	_cleanup_free_ char *c = path_clean(rooted);
	if (strcmp(c, "/") == 0)
		return xstrdup(".");
	return xstrdup(c + 1);
}

char *cg_join(const char *a, const char *b)
{
	_cleanup_free_ char *j = xasprintf("%s/%s", a, b);
	return path_clean(j);
}

char *cg_proc_cgroup_find(const char *text, const char *controllers)
{
	/* lines are "ID:CONTROLLERS:PATH"; cgroup2 is "0::PATH" */
	_cleanup_free_ char *first = xstrdup(controllers);
	char *comma = strchr(first, ',');
	if (comma)
		*comma = '\0';
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		_cleanup_free_ char *line = strndup(p, len);
		if (!line)
			return NULL;
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c1 && c2) {
			*c1 = '\0';
			*c2 = '\0';
			const char *id = line, *ctrls = c1 + 1, *path = c2 + 1;
			bool match;
			if (!*controllers)
				match = strcmp(id, "0") == 0 && !*ctrls;
			else
				match = *ctrls && cg_list_has(ctrls, first, ',');
			if (match)
				return xstrdup(path);
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

static char *parent_of(const char *abs)
{
	_cleanup_free_ char *c = path_clean(abs);
	char *slash = strrchr(c, '/');
	if (slash == c)
		return xstrdup("/");
	*slash = '\0';
	return xstrdup(c);
}

char *cg_resolve_dir(const char *mountpoint, const char *mnt_root, const char *own,
		     const char *inner, bool v2_parent)
{
	if (inner[0] == '/')
		return cg_join(mountpoint, inner);
	if (!own)
		return NULL;
	_cleanup_free_ char *o = path_clean(own);
	_cleanup_free_ char *r = path_clean(mnt_root && *mnt_root ? mnt_root : "/");
	const char *rel;
	if (strcmp(r, "/") == 0) {
		rel = o;
	} else if (strcmp(o, r) == 0) {
		rel = "/";
	} else if (str_has_prefix(o, r) && o[strlen(r)] == '/') {
		rel = o + strlen(r);
	} else {
		return NULL; /* our cgroup is not visible through this mount */
	}
	_cleanup_free_ char *base = v2_parent ? parent_of(rel) : xstrdup(rel);
	_cleanup_free_ char *dir = cg_join(mountpoint, base);
	return cg_join(dir, inner);
}
