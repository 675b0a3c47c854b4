/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A policy's "files" member becomes three kernel mechanisms:
 *   - hidden paths are masked like linux.maskedPaths (a /dev/null bind over files, an
 *     empty read-only tmpfs over directories), after every config mount, so a secret
 *     or an engine socket bind-mounted in by the engine is covered too;
 *   - read-only and executable trees that hold no writable path become read-only bind
 *     mounts, like linux.readonlyPaths;
 *   - everything else is Landlock's (runtime/landlock.c), entered by each process.
 */
#include "file_policy.h"

#include <stdlib.h>
#include <string.h>

#include "../common/log.h"
#include "../common/util.h"

char *file_policy_expand(const char *policy_path, const char *cwd)
{
	if (strncmp(policy_path, "$cwd", 4) != 0)
		return xstrdup(policy_path);
	const char *rest = policy_path + 4;
	if (!cwd || !*cwd)
		cwd = "/";
	if (strcmp(cwd, "/") == 0 && !*rest) {
		log_debug("files: \"$cwd\" is the root: entry dropped");
		return NULL;
	}
	size_t n = strlen(cwd);
	while (n > 1 && cwd[n - 1] == '/')
		n--;
	if (n == 1)
		n = 0; /* "/" + "/sub" */
	return xasprintf("%.*s%s", (int)n, cwd, rest);
}

/* Whether `inner` is `outer` or lies below it (both clean absolute paths). */
static bool path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);
	if (strcmp(outer, "/") == 0)
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '\0' || inner[n] == '/');
}

static bool holds_writable(const struct ward_policy *p, const char *path, const char *cwd)
{
	for (size_t i = 0; i < p->files.writable.n; i++) {
		char *w = file_policy_expand(p->files.writable.paths[i], cwd);
		bool in = w && path_within(w, path);
		free(w);
		if (in)
			return true;
	}
	return false;
}

static void strv_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = s;
}

static void add_read_only(struct oci_config *cfg, const struct ward_policy *p,
			  const struct ward_path_set *set, const char *cwd)
{
	struct oci_linux *l = &cfg->linux_;
	for (size_t i = 0; i < set->n; i++) {
		char *path = file_policy_expand(set->paths[i], cwd);
		if (!path)
			continue;
		if (strcmp(path, "/") == 0 || holds_writable(p, path, cwd)) {
			free(path);
			continue;
		}
		strv_push(&l->readonly_paths, &l->n_readonly_paths, path);
	}
}

void file_policy_extend_config(struct oci_config *cfg, const struct ward_policy *p)
{
	if (!p->files.present)
		return;
	const char *cwd = cfg->has_process ? cfg->process.cwd : "/";
	struct oci_linux *l = &cfg->linux_;
	for (size_t i = 0; i < p->files.hidden.n; i++) {
		char *path = file_policy_expand(p->files.hidden.paths[i], cwd);
		if (path)
			strv_push(&l->masked_paths, &l->n_masked_paths, path);
	}
	if (!p->files.mount_read_only)
		return;
	add_read_only(cfg, p, &p->files.read_only, cwd);
	add_read_only(cfg, p, &p->files.executable, cwd);
}
