/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Container cgroups on v1, pure v2 and hybrid hosts (layout detected from the
 * mounted filesystems, never guessed from the kernel version).
 *
 * Lifecycle as `ward create` uses it:
 *   cgroup_create()   make the cgroup (every controller) and apply linux.resources
 *   cgroup_add_pid()  move the stage process in before it clones init, so init and the
 *                     cgroup namespace root start inside it
 *   cgroup_describe() a string saved in the container's state (survives the process)
 *   cgroup_open()     later commands (state, pause, update, events, ps, delete) re-open it
 *   cgroup_destroy()  remove it (optionally killing what is left inside first)
 */
#ifndef WARD_CGROUP_H
#define WARD_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

#include "../common/err.h"
#include "../common/jsonw.h"
#include "../oci-spec/oci_config.h"

enum cgroup_mode {
	CGROUP_MODE_V1,     /* every controller on a v1 hierarchy */
	CGROUP_MODE_V2,     /* /sys/fs/cgroup is cgroup2 */
	CGROUP_MODE_HYBRID, /* v1 controllers plus a cgroup2 mount (e.g. /sys/fs/cgroup/unified) */
};

struct cgroup;

int cgroup_detect(enum cgroup_mode *mode, struct werr *e);

/*
 * cgroups_path: linux.cgroupsPath (NULL: a default derived from id). Relative paths are
 * resolved against ward's own cgroup, as runc does. Creates every directory needed;
 * on failure removes what it created.
 */
int cgroup_create(const char *cgroups_path, const char *id, const struct oci_resources *res,
                  struct cgroup **out, struct werr *e);
int cgroup_add_pid(struct cgroup *cg, pid_t pid, struct werr *e);
int cgroup_update(struct cgroup *cg, const struct oci_resources *res, struct werr *e);
int cgroup_freeze(struct cgroup *cg, bool frozen, struct werr *e);
/* paused: true when the freezer says FROZEN */
int cgroup_is_frozen(struct cgroup *cg, bool *frozen, struct werr *e);
/* Every pid in the cgroup (host view), from cgroup.procs. Caller frees *pids. */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct werr *e);
/* Writes the "data" object of a runc-style `events --stats` line (cpu, memory, pids, blkio,
 * hugetlb) into w. */
int cgroup_stats(struct cgroup *cg, struct jsonw *w, struct werr *e);
/* kill_first: SIGKILL everything inside and wait for it to empty before removing. */
int cgroup_destroy(struct cgroup *cg, bool kill_first, struct werr *e);

/* A single-line string describing the cgroup, to be kept in the state dir; and back. */
char *cgroup_describe(const struct cgroup *cg);
int cgroup_open(const char *description, struct cgroup **out, struct werr *e);
void cgroup_free(struct cgroup *cg);

#endif
