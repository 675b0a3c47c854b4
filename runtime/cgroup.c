/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's cgroup: creating its directories on every hierarchy, joining
 * processes, freezing, listing, and removing exactly what was created.
 *
 * Layouts:
 *   v1      one directory per mounted v1 hierarchy (named ones like name=systemd too,
 *           so the container is tracked there as runc does);
 *   v2      one cgroup2 directory; controllers are enabled in cgroup.subtree_control
 *           of every ancestor;
 *   hybrid  the v1 directories carry the resources, and the same path is also created
 *           in the cgroup2 ("unified") mount and joined, as runc does, so the container
 *           is tracked there too. A controller that only the unified hierarchy has (on
 *           this machine: hugetlb) is applied there through its v2 files.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "cgroup_internal.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

static void sleep_us(long us)
{
	struct timespec ts = {0, us * 1000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* ---- lookups --------------------------------------------------------------------- */

const char *cg_v1_dir_of(const struct cgroup *cg, const char *ctrl)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (cg_list_has(cg->v1[i].controllers, ctrl, ','))
			return cg->v1[i].path;
	return NULL;
}

const char *cg_unified_controllers(struct cgroup *cg)
{
	if (!cg->unified)
		return "";
	if (!cg->unified_controllers) {
		struct werr e;
		char *s = NULL;
		if (cg_read(cg->unified, "cgroup.controllers", &s, &e) < 0)
			s = xstrdup("");
		cg->unified_controllers = cg_trim(s);
	}
	return cg->unified_controllers;
}

bool cg_where_is(struct cgroup *cg, const char *ctrl, struct cg_where *w)
{
	const char *d = cg_v1_dir_of(cg, ctrl);
	if (d) {
		*w = (struct cg_where){d, false};
		return true;
	}
	if (!cg->unified)
		return false;
	/* devices (eBPF) and the freezer are part of the cgroup2 core */
	if (strcmp(ctrl, "devices") == 0 || strcmp(ctrl, "freezer") == 0) {
		*w = (struct cg_where){cg->unified, true};
		return true;
	}
	const char *v2 = strcmp(ctrl, "blkio") == 0 ? "io" : ctrl;
	if (cg_list_has(cg_unified_controllers(cg), v2, ' ')) {
		*w = (struct cg_where){cg->unified, true};
		return true;
	}
	return false;
}

enum cgroup_mode cgroup_get_mode(const struct cgroup *cg)
{
	return cg->mode;
}

const char *cgroup_dir(const struct cgroup *cg, const char *ctrl)
{
	if (!ctrl || !*ctrl)
		return cg->unified;
	const char *d = cg_v1_dir_of(cg, ctrl);
	if (d)
		return d;
	return cg->mode == CGROUP_MODE_V2 ? cg->unified : NULL;
}

bool cgroup_dir_at(const struct cgroup *cg, size_t i, const char **controllers, const char **path)
{
	if (i < cg->n_v1) {
		*controllers = cg->v1[i].controllers;
		*path = cg->v1[i].path;
		return true;
	}
	if (i == cg->n_v1 && cg->unified) {
		*controllers = "";
		*path = cg->unified;
		return true;
	}
	return false;
}

/* ---- object ---------------------------------------------------------------------- */

void cgroup_free(struct cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n_v1; i++) {
		free(cg->v1[i].controllers);
		free(cg->v1[i].path);
	}
	free(cg->v1);
	free(cg->unified);
	for (size_t i = 0; i < cg->n_created; i++)
		free(cg->created[i]);
	free(cg->created);
	free(cg->unified_controllers);
	free(cg);
}

static void add_created(struct cgroup *cg, const char *dir)
{
	cg->created = xrealloc(cg->created, (cg->n_created + 1) * sizeof(*cg->created));
	cg->created[cg->n_created++] = xstrdup(dir);
}

/* ---- create ---------------------------------------------------------------------- */

static int cpuset_file(const char *dir, const char *name, char *buf, size_t len)
{
	/* a v1 cpuset mounted with "noprefix" names its files without "cpuset." */
	snprintf(buf, len, "cpuset.%s", name);
	if (!cg_exists(dir, buf))
		snprintf(buf, len, "%s", name);
	return 0;
}

/* v1 cpuset: a task can only join a cpuset with cpus and mems; copy the parent's when empty */
static int cpuset_fill_from_parent(const char *dir, struct werr *e)
{
	_cleanup_free_ char *parent = cg_join(dir, "..");
	static const char *const names[] = {"cpus", "mems"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char file[64];
		cpuset_file(dir, names[i], file, sizeof(file));
		_cleanup_free_ char *cur = NULL, *par = NULL;
		if (cg_read(dir, file, &cur, e) < 0)
			return -1;
		if (*cg_trim(cur))
			continue;
		if (cg_read(parent, file, &par, e) < 0)
			return -1;
		if (!*cg_trim(par))
			continue;
		if (cg_write(dir, file, par, e) < 0)
			return -1;
	}
	return 0;
}

/*
 * Enables every controller the cgroup has for its children (as runc does); errors are
 * left for the resource writes to report with the field's name. Only the missing ones are
 * written: a write to cgroup.subtree_control first waits for the kernel to drain dying
 * cgroups under the lock, even when it changes nothing (the parent of many containers
 * has them all enabled after the first).
 */
static void enable_subtree_controllers(const char *dir)
{
	struct werr e;
	_cleanup_free_ char *avail = NULL, *enabled = NULL;
	if (cg_read(dir, "cgroup.controllers", &avail, &e) < 0)
		return;
	if (cg_read(dir, "cgroup.subtree_control", &enabled, &e) < 0)
		enabled = xstrdup("");
	cg_trim(avail);
	cg_trim(enabled);
	size_t cap = strlen(avail) * 2 + 2;
	_cleanup_free_ char *missing = xcalloc(1, cap);
	_cleanup_free_ char *copy = xstrdup(avail);
	char *save = NULL;
	for (char *c = strtok_r(copy, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		if (cg_list_has(enabled, c, ' '))
			continue;
		if (*missing)
			strcat(missing, " ");
		strcat(missing, "+");
		strcat(missing, c);
	}
	if (!*missing || cg_write(dir, "cgroup.subtree_control", missing, &e) == 0)
		return;
	/* one at a time: enable what can be */
	free(copy);
	copy = xstrdup(missing);
	save = NULL;
	for (char *c = strtok_r(copy, " ", &save); c; c = strtok_r(NULL, " ", &save)) {
		if (cg_write(dir, "cgroup.subtree_control", c, &e) < 0)
			log_debug("cgroup: cannot enable %s in %s: %s", c + 1, dir, e.msg);
	}
}

/* mkdir every level of dir below mountpoint, recording what we created. */
static int make_dirs(struct cgroup *cg, const char *mountpoint, const char *dir, bool cpuset,
		     bool v2, struct werr *e)
{
	size_t mlen = strlen(mountpoint);
	if (strncmp(dir, mountpoint, mlen) != 0 || (dir[mlen] != '/' && dir[mlen] != '\0'))
		return werr_set(e, EINVAL, "cgroup %s is not below its mount %s", dir, mountpoint);
	_cleanup_free_ char *cur = xstrdup(mountpoint);
	const char *p = dir + mlen;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		/* cur is the parent here: let it hand its controllers down */
		if (v2)
			enable_subtree_controllers(cur);
		char *next = xasprintf("%s/%.*s", cur, (int)n, p);
		free(cur);
		cur = next;
		p += n;
		if (mkdir(cur, 0755) == 0)
			add_created(cg, cur);
		else if (errno != EEXIST)
			return werr_sys(e, "mkdir %s", cur);
		/* the leaf is filled after the resources are applied (user values first) */
		if (cpuset && *p && cpuset_fill_from_parent(cur, e) < 0)
			return werr_wrap(e, "cpuset %s", cur);
	}
	return 0;
}

static bool is_leaf(const struct cgroup *cg, const char *dir)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (strcmp(cg->v1[i].path, dir) == 0)
			return true;
	return cg->unified && strcmp(cg->unified, dir) == 0;
}

static bool was_created(const struct cgroup *cg, const char *dir)
{
	for (size_t i = 0; i < cg->n_created; i++)
		if (strcmp(cg->created[i], dir) == 0)
			return true;
	return false;
}

static int remove_created(struct cgroup *cg, struct werr *e);

int cgroup_create(const char *cgroups_path, const char *id, const struct oci_resources *res,
		  struct cgroup **out, struct werr *e)
{
	if ((!cgroups_path || !*cgroups_path) && (!id || !*id))
		return werr_set(e, EINVAL, "cgroup: neither linux.cgroupsPath nor an id was given");
	struct cg_mounts m;
	if (cg_mounts_load(&m, e) < 0)
		return werr_wrap(e, "cgroup");
	struct cgroup *cg = xcalloc(1, sizeof(*cg));
	_cleanup_free_ char *inner = NULL, *self = NULL;
	int r = -1;
	if (cg_mounts_mode(&m, &cg->mode, e) < 0)
		goto out;
	inner = cg_clean_path(cgroups_path && *cgroups_path ? cgroups_path : id);
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1u << 20, &self, NULL, e) < 0)
		goto out;

	for (size_t i = 0; i < m.n_v1; i++) {
		_cleanup_free_ char *own = cg_proc_cgroup_find(self, m.v1[i].controllers);
		char *dir = cg_resolve_dir(m.v1[i].mountpoint, m.v1[i].root, own, inner, false);
		if (!dir) {
			werr_set(e, ENOENT,
				 "cgroup: our own %s cgroup (%s) is not visible under %s",
				 m.v1[i].controllers, own ? own : "?", m.v1[i].mountpoint);
			goto out;
		}
		cg->v1 = xrealloc(cg->v1, (cg->n_v1 + 1) * sizeof(*cg->v1));
		cg->v1[cg->n_v1++] = (struct cg_v1_dir){xstrdup(m.v1[i].controllers), dir};
	}
	if (m.v2_mountpoint) {
		_cleanup_free_ char *own = cg_proc_cgroup_find(self, "");
		/* runc: on pure v2 a relative path hangs off our parent; in hybrid mode it treats
		 * the unified hierarchy like a v1 one */
		cg->unified = cg_resolve_dir(m.v2_mountpoint, m.v2_root, own, inner,
					     cg->mode == CGROUP_MODE_V2);
		if (!cg->unified) {
			werr_set(e, ENOENT,
				 "cgroup: our own cgroup2 cgroup (%s) is not visible under %s",
				 own ? own : "?", m.v2_mountpoint);
			goto out;
		}
	}
	/* the root cgroup is the host's: never a container's */
	for (size_t i = 0; i < m.n_v1; i++) {
		if (strcmp(cg->v1[i].path, m.v1[i].mountpoint) == 0) {
			werr_set(e, EINVAL,
				 "linux.cgroupsPath \"%s\" resolves to the root cgroup %s: "
				 "refusing to "
				 "put a container there",
				 cgroups_path ? cgroups_path : "", cg->v1[i].path);
			goto out;
		}
	}
	if (cg->unified && strcmp(cg->unified, m.v2_mountpoint) == 0) {
		werr_set(e, EINVAL,
			 "linux.cgroupsPath \"%s\" resolves to the root cgroup %s: refusing to put "
			 "a "
			 "container there",
			 cgroups_path ? cgroups_path : "", cg->unified);
		goto out;
	}

	for (size_t i = 0; i < cg->n_v1; i++) {
		if (make_dirs(cg, m.v1[i].mountpoint, cg->v1[i].path,
			      cg_list_has(cg->v1[i].controllers, "cpuset", ','), false, e) < 0)
			goto fail;
	}
	if (cg->unified && make_dirs(cg, m.v2_mountpoint, cg->unified, false, true, e) < 0)
		goto fail;

	/* an existing cgroup that still holds processes belongs to someone else */
	{
		pid_t *pids = NULL;
		size_t n = 0;
		if (cgroup_pids(cg, &pids, &n, e) < 0)
			goto fail;
		free(pids);
		if (n > 0) {
			werr_set(e, EEXIST,
				 "cgroup %s already exists and has %zu process(es) in it",
				 cg->n_v1 ? cg->v1[0].path : cg->unified, n);
			goto fail;
		}
	}

	if (res && cg_apply(cg, res, true, e) < 0)
		goto fail;
	if (!res) {
		struct oci_resources none = {0};
		if (cg_apply(cg, &none, true, e) < 0)
			goto fail;
	}
	{
		const char *cs = cg_v1_dir_of(cg, "cpuset");
		if (cs && cpuset_fill_from_parent(cs, e) < 0) {
			werr_wrap(e, "cpuset %s", cs);
			goto fail;
		}
	}
	log_debug("cgroup: created (%s layout) for %s", cgroup_mode_name(cg->mode), inner);
	*out = cg;
	cg = NULL;
	r = 0;
	goto out;
fail : {
	struct werr e2;
	if (remove_created(cg, &e2) < 0)
		log_warn("cgroup: cleanup after a failed create: %s", e2.msg);
}
out:
	cg_mounts_release(&m);
	cgroup_free(cg);
	return r;
}

/* ---- joining --------------------------------------------------------------------- */

static int write_pid(const char *dir, pid_t pid, struct werr *e)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (int i = 0;; i++) {
		if (cg_write(dir, "cgroup.procs", buf, e) == 0)
			return 0;
		/* EINVAL: the task may still be TASK_NEW (just forked); runc retries too */
		if (e->errnum != EINVAL || i >= 5)
			return -1;
		sleep_ms(30);
	}
}

int cgroup_add_pid(struct cgroup *cg, pid_t pid, struct werr *e)
{
	for (size_t i = 0; i < cg->n_v1; i++)
		if (write_pid(cg->v1[i].path, pid, e) < 0)
			return werr_wrap(e, "cgroup: add pid %d", (int)pid);
	if (cg->unified && write_pid(cg->unified, pid, e) < 0)
		return werr_wrap(e, "cgroup: add pid %d", (int)pid);
	return 0;
}

int cgroup_clone_target(struct cgroup *cg)
{
	if (cg->mode != CGROUP_MODE_V2 || cg->n_v1 > 0 || !cg->unified)
		return -1;
	return open(cg->unified, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

int cgroup_update(struct cgroup *cg, const struct oci_resources *res, struct werr *e)
{
	if (cg_apply(cg, res, false, e) < 0)
		return werr_wrap(e, "cgroup update");
	return 0;
}

/* ---- freezer --------------------------------------------------------------------- */

static int read_v1_state(const char *dir, char *buf, size_t len, struct werr *e)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(dir, "freezer.state", &s, e) < 0)
		return -1;
	snprintf(buf, len, "%s", cg_trim(s));
	return 0;
}

static int freeze_v1(const char *dir, struct werr *e)
{
	/*
	 * A v1 freezer can stay in FREEZING while tasks keep forking or joining; like runc,
	 * retry writing FROZEN, with an occasional thaw and pause to let it settle.
	 */
	for (int i = 0; i < 1000; i++) {
		if (i % 50 == 49) {
			struct werr e2;
			cg_write(dir, "freezer.state", "THAWED", &e2);
			sleep_ms(10);
		}
		if (cg_write(dir, "freezer.state", "FROZEN", e) < 0)
			goto fail;
		if (i % 25 == 24)
			sleep_us(10);
		char st[32];
		if (read_v1_state(dir, st, sizeof(st), e) < 0)
			goto fail;
		if (strcmp(st, "FROZEN") == 0)
			return 0;
		if (strcmp(st, "FREEZING") != 0) {
			werr_set(e, EIO, "unexpected freezer state %s while freezing %s", st, dir);
			goto fail;
		}
	}
	werr_set(e, EBUSY, "%s stayed FREEZING: unable to freeze", dir);
fail : {
	/* never leave a cgroup half frozen */
	struct werr e2;
	cg_write(dir, "freezer.state", "THAWED", &e2);
}
	return -1;
}

static int wait_v2_frozen(const char *dir, bool want, struct werr *e)
{
	for (int i = 0; i < 1000; i++) {
		uint64_t v;
		if (cg_read_key_u64(dir, "cgroup.events", "frozen", &v, e) < 0)
			return -1;
		if ((v != 0) == want)
			return 0;
		sleep_ms(10);
	}
	return werr_set(e, ETIMEDOUT, "%s: cgroup.events never said \"frozen %d\"", dir, want);
}

int cgroup_freeze(struct cgroup *cg, bool frozen, struct werr *e)
{
	struct cg_where w;
	if (!cg_where_is(cg, "freezer", &w))
		return werr_set(e, ENOTSUP,
				"cgroup: no freezer (the v1 freezer controller is not "
				"mounted and there is no cgroup2)");
	if (!w.v2) {
		if (frozen)
			return freeze_v1(w.dir, e) < 0 ? werr_wrap(e, "cgroup: pause") : 0;
		if (cg_write(w.dir, "freezer.state", "THAWED", e) < 0)
			return werr_wrap(e, "cgroup: resume");
		return 0;
	}
	if (cg_write(w.dir, "cgroup.freeze", frozen ? "1" : "0", e) < 0)
		return werr_wrap(e, "cgroup: %s", frozen ? "pause" : "resume");
	if (wait_v2_frozen(w.dir, frozen, e) < 0) {
		if (frozen) {
			struct werr e2;
			cg_write(w.dir, "cgroup.freeze", "0", &e2);
		}
		return werr_wrap(e, "cgroup: %s", frozen ? "pause" : "resume");
	}
	return 0;
}

int cgroup_is_frozen(struct cgroup *cg, bool *frozen, struct werr *e)
{
	struct cg_where w;
	*frozen = false;
	if (!cg_where_is(cg, "freezer", &w))
		return 0;
	if (w.v2) {
		_cleanup_free_ char *s = NULL;
		if (cg_read(w.dir, "cgroup.freeze", &s, e) < 0)
			return e->errnum == ENOENT ? 0 : -1;
		*frozen = strcmp(cg_trim(s), "1") == 0;
		return 0;
	}
	for (int i = 0; i < 1000; i++) {
		char st[32];
		if (read_v1_state(w.dir, st, sizeof(st), e) < 0)
			return -1;
		if (strcmp(st, "FREEZING") == 0) {
			sleep_ms(1);
			continue;
		}
		if (strcmp(st, "FROZEN") != 0)
			return 0;
		/* frozen by us, or only through a frozen ancestor? */
		uint64_t self;
		struct werr e2;
		if (cg_read_u64(w.dir, "freezer.self_freezing", &self, &e2) < 0)
			self = 1;
		*frozen = self == 1;
		return 0;
	}
	return werr_set(e, EBUSY, "%s stays FREEZING", w.dir);
}

/* ---- members --------------------------------------------------------------------- */

int cg_collect_pids(const char *dir, pid_t **pids, size_t *n, size_t *cap, struct werr *e)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(dir, "cgroup.procs", &s, e) < 0)
		return e->errnum == ENOENT || e->errnum == ENODEV ? 0 : -1;
	for (char *p = s; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*pids = xrealloc(*pids, *cap * sizeof(**pids));
		}
		(*pids)[(*n)++] = (pid_t)v;
		p = end;
		while (*p == '\n')
			p++;
	}
	/* processes of sub-cgroups the container made (runc's ps lists them too) */
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : werr_sys(e, "opendir %s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (cg_collect_pids(sub, pids, n, cap, e) < 0)
			return -1;
	}
	return 0;
}

/* The directory whose members we list: one v1 hierarchy every container process joins. */
static const char *members_dir(const struct cgroup *cg)
{
	static const char *const pref[] = {"pids", "freezer", "devices", "memory", "cpu"};
	if (cg->mode == CGROUP_MODE_V2)
		return cg->unified;
	for (size_t i = 0; i < ARRAY_SIZE(pref); i++) {
		const char *d = cg_v1_dir_of(cg, pref[i]);
		if (d)
			return d;
	}
	return cg->n_v1 ? cg->v1[0].path : cg->unified;
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct werr *e)
{
	size_t cap = 0;
	*pids = NULL;
	*n = 0;
	const char *dir = members_dir(cg);
	if (!dir)
		return 0;
	if (cg_collect_pids(dir, pids, n, &cap, e) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return werr_wrap(e, "cgroup: list processes");
	}
	return 0;
}

/* ---- destroy --------------------------------------------------------------------- */

static int kill_all(struct cgroup *cg, struct werr *e)
{
	/* cgroup.kill (Linux 5.14) kills the whole subtree atomically, forks included */
	if (cg->unified && cg_exists(cg->unified, "cgroup.kill")) {
		if (cg_write(cg->unified, "cgroup.kill", "1", e) < 0)
			return -1;
		if (cg->mode == CGROUP_MODE_V2)
			return 0;
	}
	/* v1: freeze so nothing forks between listing and killing, kill, thaw */
	const char *fz = cg_v1_dir_of(cg, "freezer");
	bool frozen = fz && freeze_v1(fz, e) == 0;
	pid_t *pids = NULL;
	size_t n = 0;
	int r = cgroup_pids(cg, &pids, &n, e);
	for (size_t i = 0; r == 0 && i < n; i++) {
		if (kill(pids[i], SIGKILL) < 0 && errno != ESRCH)
			log_debug("cgroup: kill %d: %s", (int)pids[i], strerror(errno));
	}
	free(pids);
	if (frozen) {
		struct werr e2;
		cg_write(fz, "freezer.state", "THAWED", &e2);
	}
	return r;
}

/* rmdir with retries: the kernel may still be tearing down exited tasks (EBUSY) */
static int rmdir_retry(const char *dir, bool leaf, struct werr *e)
{
	long delay = 10;
	for (int i = 0;; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY && errno != ENOTEMPTY)
			return werr_sys(e, "rmdir %s", dir);
		/* an ancestor shared with other containers is not ours to force */
		if (!leaf || i >= 8)
			return werr_sys(e, "rmdir %s", dir);
		sleep_ms(delay);
		if (delay < 320)
			delay *= 2;
	}
}

/* Removes cgroups the container created below its own directory, deepest first. */
static int remove_children(const char *dir, struct werr *e)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : werr_sys(e, "opendir %s", dir);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		_cleanup_free_ char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (remove_children(sub, e) < 0 || rmdir_retry(sub, true, e) < 0)
			return -1;
	}
	return 0;
}

static int remove_created(struct cgroup *cg, struct werr *e)
{
	int r = 0;
	for (size_t i = cg->n_created; i-- > 0;) {
		const char *dir = cg->created[i];
		bool leaf = is_leaf(cg, dir);
		struct werr e1;
		if (leaf && remove_children(dir, &e1) < 0) {
			if (r == 0)
				*e = e1;
			r = -1;
			continue;
		}
		if (rmdir_retry(dir, leaf, &e1) < 0) {
			if (!leaf) {
				log_debug("cgroup: keeping %s: %s", dir, e1.msg);
				continue;
			}
			if (r == 0)
				*e = e1;
			r = -1;
		}
	}
	return r;
}

int cgroup_destroy(struct cgroup *cg, bool kill_first, struct werr *e)
{
	if (kill_first) {
		if (kill_all(cg, e) < 0)
			return werr_wrap(e, "cgroup: kill processes");
		/* SIGKILL is not instant: wait (bounded) for the members to go */
		for (int i = 0;; i++) {
			pid_t *pids = NULL;
			size_t n = 0;
			if (cgroup_pids(cg, &pids, &n, e) < 0)
				return -1;
			free(pids);
			if (n == 0)
				break;
			if (i >= 1000)
				return werr_set(
					e, EBUSY,
					"cgroup: %zu process(es) still there 10s after SIGKILL", n);
			if (i % 100 == 99 && kill_all(cg, e) < 0)
				return werr_wrap(e, "cgroup: kill processes");
			sleep_ms(10);
		}
	}
	if (remove_created(cg, e) < 0)
		return werr_wrap(e, "cgroup: remove");
	/* what we did not create (a cgroup that existed before us) is left alone */
	for (size_t i = 0; i < cg->n_v1; i++)
		if (!was_created(cg, cg->v1[i].path))
			log_debug("cgroup: %s existed before the container: left in place",
				  cg->v1[i].path);
	return 0;
}
