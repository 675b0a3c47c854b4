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
#include <stddef.h>
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

/* From /proc/self/mountinfo: which cgroup filesystems are mounted. */
int cgroup_detect(enum cgroup_mode *mode, struct werr *e);
const char *cgroup_mode_name(enum cgroup_mode m); /* "v1", "v2", "hybrid" */

/*
 * cgroups_path: linux.cgroupsPath (NULL or "": the container id, relative, which is runc's
 * default). Paths are cleaned lexically; absolute ones hang off each hierarchy's mount
 * point, relative ones off ward's own cgroup (on pure v2: its parent), as runc does.
 * Creates every directory needed, then applies res (may be NULL) - including the device
 * rules: deny all, res->devices in order, then runc's default allow list. A field this
 * host cannot apply is refused with an error naming it (fields runc ignores on a layout
 * are ignored with a debug log). On failure removes what it created. An existing cgroup
 * is reused only when it has no processes.
 */
int cgroup_create(const char *cgroups_path, const char *id, const struct oci_resources *res,
		  struct cgroup **out, struct werr *e);
/* Moves pid into every directory of the cgroup (v1 hierarchies and the cgroup2 one). */
int cgroup_add_pid(struct cgroup *cg, pid_t pid, struct werr *e);
/*
 * An O_DIRECTORY fd of the cgroup for clone3's CLONE_INTO_CGROUP, when one clone can put a
 * process in all of it (a pure cgroup2 layout), else -1. Writing a pid into cgroup.procs
 * afterwards costs a migration (~0.3 ms here); being born there costs almost nothing.
 */
int cgroup_clone_target(struct cgroup *cg);

/* A cgroup number ("123", "max" = UINT64_MAX; a trailing newline is fine): 0 or -1. */
int cg_parse_u64(const char *s, uint64_t *out);
/* The number after `key` in "key value" lines (memory.stat, cpu.stat): 0, or -1 with
 * errno ENOENT (no such key) or EINVAL. */
int cg_text_key_u64(const char *text, const char *key, uint64_t *out);
/* Applies the fields that are set, like create; device rules are left as they are
 * (runc's update does not change them either). All refusals happen before any write. */
int cgroup_update(struct cgroup *cg, const struct oci_resources *res, struct werr *e);
/* v1: freezer.state FROZEN/THAWED, waiting until the state settles; v2: cgroup.freeze and
 * cgroup.events "frozen 1". */
int cgroup_freeze(struct cgroup *cg, bool frozen, struct werr *e);
/* paused: true when the freezer says FROZEN */
int cgroup_is_frozen(struct cgroup *cg, bool *frozen, struct werr *e);
/* Every pid in the cgroup and its sub-cgroups (host view), from cgroup.procs. Caller frees
 * *pids. */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct werr *e);
/* Writes the "data" object of a runc-style `events --stats` line (cpu, memory, pids, blkio,
 * hugetlb) into w. */
int cgroup_stats(struct cgroup *cg, struct jsonw *w, struct werr *e);
/* kill_first: SIGKILL everything inside (cgroup.kill where the kernel has it, else freeze +
 * kill + thaw) and wait (bounded) for it to empty. Then removes the directories ward
 * created - sub-cgroups the container made inside its own directory included - deepest
 * first, retrying on EBUSY; ancestors still used by others are left. */
int cgroup_destroy(struct cgroup *cg, bool kill_first, struct werr *e);

/* A single-line JSON string describing the cgroup (layout, directories, what ward created),
 * to be kept in the state dir; and back. */
char *cgroup_describe(const struct cgroup *cg);
int cgroup_open(const char *description, struct cgroup **out, struct werr *e);
void cgroup_free(struct cgroup *cg);

/* Read-only views (for tests, `ps`, and bind-mounting cgroup dirs without a cgroupns). */
enum cgroup_mode cgroup_get_mode(const struct cgroup *cg);
/* The directory holding controller ctrl ("memory", "pids", "name=systemd", ...), or with
 * ctrl NULL or "" the cgroup2 directory; NULL when there is none. */
const char *cgroup_dir(const struct cgroup *cg, const char *ctrl);
/* Iterates the container's directories: v1 hierarchies (controllers like "cpu,cpuacct"),
 * then the cgroup2 one (controllers ""). false past the end. */
bool cgroup_dir_at(const struct cgroup *cg, size_t i, const char **controllers, const char **path);

#endif
