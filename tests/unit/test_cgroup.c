/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The cgroup module against the real kernel, as root: once on the host's own
 * layout (hybrid on the development machine) and once on a pure cgroup2 layout
 * made in a private mount namespace (/sys/fs/cgroup lazily unmounted and replaced
 * by a cgroup2 mount). Every check reads the kernel's own state back: cgroup
 * files, /proc/PID/{stat,cgroup}, the exit status of processes that hit a limit.
 *
 * A check whose controller the layout does not offer is reported as
 * "ok N # SKIP <why>". Every cgroup and process a test makes is removed at the
 * end even after failures (a safety net walks every cgroup mount for our prefix).
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <yajl_tree.h>

#include "common/util.h"
#include "runtime/cgroup_internal.h"
#include "tap.h"

#define MiB (1024LL * 1024)

static char prefix[64];     /* "ward-test-<pid>", unique to this run */
static char nodes_dir[128]; /* scratch device nodes */
static pid_t procs[256];    /* every process we forked, for the final cleanup */
static size_t n_procs;
static const char *layout = "host";

static void skip(const char *why, const char *what)
{
	tap_n++;
	printf("ok %d - [%s] %s # SKIP %s\n", tap_n, layout, what, why);
	fflush(stdout);
}

static char *rdfile(const char *dir, const char *file)
{
	char *s = NULL;
	struct werr e = {0};
	if (!dir || cg_read(dir, file, &s, &e) < 0)
		return NULL;
	return cg_trim(s);
}

/* multi-line file contents as one TAP line */
static const char *flat(char *s)
{
	for (char *c = s; c && *c; c++)
		if (*c == '\n')
			*c = '|';
	return s ? s : "(unreadable)";
}

/* file == want (trimmed) */
static void expect_file(const char *dir, const char *file, const char *want)
{
	char *got = rdfile(dir, file);
	TAP_STREQ(got, want, "[%s] %s/%s", layout, dir ? dir : "(none)", file);
	free(got);
}

static void expect_contains(const char *dir, const char *file, const char *want)
{
	char *got = rdfile(dir, file);
	bool ok = got && strstr(got, want);
	TAP_OK(ok, "[%s] %s/%s contains \"%s\" (got \"%s\")", layout, dir ? dir : "(none)", file,
	       want, flat(got));
	free(got);
}

static bool dir_exists(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- processes ---------------------------------------------------------------------- */

static void track(pid_t p)
{
	if (p > 0 && n_procs < ARRAY_SIZE(procs))
		procs[n_procs++] = p;
}

static void reap(pid_t p, int *status)
{
	int st = 0;
	while (waitpid(p, &st, 0) < 0 && errno == EINTR) {
	}
	if (status)
		*status = st;
}

static void read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			memset(p, 0xff, len);
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Forks a child that waits until it has been moved into cg, then runs fn(arg, out_fd).
 * Returns the pid; results come back on *rfd.
 */
typedef void (*child_fn)(long arg, int out);

static pid_t spawn_in(struct cgroup *cg, child_fn fn, long arg, int *rfd)
{
	int go[2], res[2];
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		char c;
		close(go[1]);
		close(res[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(99);
		fn(arg, res[1]);
		_exit(0);
	}
	track(p);
	close(go[0]);
	close(res[1]);
	struct werr e = {0};
	int ok = p > 0 && cgroup_add_pid(cg, p, &e) == 0;
	if (p > 0 && !ok)
		printf("# add pid: %s\n", e.msg);
	if (write(go[1], ok ? "g" : "x", 1) != 1) {
	}
	close(go[1]);
	*rfd = res[0];
	if (!ok && p > 0) {
		kill(p, SIGKILL);
		return -1;
	}
	return p;
}

/* member: forks arg children that sleep, reports "ready", sleeps */
static void child_member(long arg, int out)
{
	for (long i = 0; i < arg; i++) {
		pid_t g = fork();
		if (g == 0) {
			for (;;)
				pause();
		}
	}
	if (write(out, "r", 1) != 1) {
	}
	for (;;)
		pause();
}

/* pids limit: fork until refused, report how many forks worked and the errno */
static void child_forker(long arg, int out)
{
	int res[2] = {0, 0};
	for (long i = 0; i < arg; i++) {
		pid_t g = fork();
		if (g == 0) {
			for (;;)
				pause();
		}
		if (g < 0) {
			res[1] = errno;
			break;
		}
		res[0]++;
	}
	if (write(out, res, sizeof(res)) != sizeof(res)) {
	}
	for (;;)
		pause();
}

/* memory hog: touch arg MiB; reaching the end means no limit stopped us */
static void child_hog(long arg, int out)
{
	(void)out;
	size_t len = (size_t)arg * MiB;
	char *p = malloc(len);
	if (!p)
		_exit(3);
	for (size_t i = 0; i < len; i += 4096)
		p[i] = (char)i;
	_exit(0);
}

/* devices: try the opens of the table below, report each errno (0 = opened) */
static const struct {
	const char *name;
	int flags;
} dev_probe[] = {
	{"kmsg", O_RDONLY},  {"kmsg", O_WRONLY}, {"loop0", O_RDONLY},
	{"loopctl", O_RDWR}, {"null", O_RDWR},
};

static void child_devices(long arg, int out)
{
	(void)arg;
	int res[ARRAY_SIZE(dev_probe) + 1];
	for (size_t i = 0; i < ARRAY_SIZE(dev_probe); i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s/%s", nodes_dir, dev_probe[i].name);
		int fd = open(p, dev_probe[i].flags | O_NONBLOCK | O_CLOEXEC);
		res[i] = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
	}
	/* mknod of any node is in runc's default allow list */
	char p[256];
	snprintf(p, sizeof(p), "%s/made-%d", nodes_dir, (int)getpid());
	res[ARRAY_SIZE(dev_probe)] = mknod(p, S_IFCHR | 0600, makedev(1, 11)) < 0 ? errno : 0;
	unlink(p);
	if (write(out, res, sizeof(res)) != sizeof(res)) {
	}
}

static int make_nodes(void)
{
	snprintf(nodes_dir, sizeof(nodes_dir), "/tmp/%s-nodes", prefix);
	if (mkdir(nodes_dir, 0700) < 0 && errno != EEXIST)
		return -1;
	static const struct {
		const char *name;
		mode_t type;
		unsigned ma, mi;
	} nodes[] = {
		{"kmsg", S_IFCHR, 1, 11},
		{"loop0", S_IFBLK, 7, 0},
		{"loopctl", S_IFCHR, 10, 237},
		{"null", S_IFCHR, 1, 3},
	};
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s/%s", nodes_dir, nodes[i].name);
		unlink(p);
		if (mknod(p, nodes[i].type | 0600, makedev(nodes[i].ma, nodes[i].mi)) < 0)
			return -1;
	}
	return 0;
}

static void remove_nodes(void)
{
	static const char *const names[] = {"kmsg", "loop0", "loopctl", "null"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s/%s", nodes_dir, names[i]);
		unlink(p);
	}
	rmdir(nodes_dir);
}

/* ---- cleanup safety net ------------------------------------------------------------- */

static void kill_tree(const char *dir)
{
	pid_t *p = NULL;
	size_t n = 0, cap = 0;
	struct werr e = {0};
	cg_collect_pids(dir, &p, &n, &cap, &e);
	for (size_t i = 0; i < n; i++)
		kill(p[i], SIGKILL);
	free(p);
	/* a v1 freezer holds killed tasks until thawed */
	if (cg_exists(dir, "freezer.state"))
		cg_write(dir, "freezer.state", "THAWED", &e);
	if (cg_exists(dir, "cgroup.freeze"))
		cg_write(dir, "cgroup.freeze", "0", &e);
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s/%s", dir, de->d_name);
		rm_tree(sub);
		free(sub);
	}
	closedir(d);
	kill_tree(dir);
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
		usleep(10000);
}

/* Removes every <mount>/<prefix>* directory on every cgroup mount we can see. */
static size_t sweep(bool remove)
{
	struct cg_mounts m;
	struct werr e = {0};
	size_t found = 0;
	if (cg_mounts_load(&m, &e) < 0)
		return 0;
	for (size_t i = 0; i <= m.n_v1; i++) {
		const char *mp = i < m.n_v1 ? m.v1[i].mountpoint : m.v2_mountpoint;
		if (!mp)
			continue;
		/* our own cgroup too, for the relative-path tests */
		char *dirs[2] = {xstrdup(mp), NULL};
		char *self = NULL;
		if (read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 20, &self, NULL, &e) == 0) {
			char *own =
				cg_proc_cgroup_find(self, i < m.n_v1 ? m.v1[i].controllers : "");
			if (own && strcmp(own, "/") != 0)
				dirs[1] = xasprintf("%s%s", mp, own);
			free(own);
			free(self);
		}
		for (size_t k = 0; k < 2; k++) {
			DIR *d = dirs[k] ? opendir(dirs[k]) : NULL;
			struct dirent *de;
			while (d && (de = readdir(d))) {
				if (de->d_type != DT_DIR ||
				    strncmp(de->d_name, prefix, strlen(prefix)))
					continue;
				found++;
				char *p = xasprintf("%s/%s", dirs[k], de->d_name);
				if (remove)
					rm_tree(p);
				else
					printf("# left behind: %s\n", p);
				free(p);
			}
			if (d)
				closedir(d);
			free(dirs[k]);
		}
	}
	cg_mounts_release(&m);
	return found;
}

static void cleanup_all(void)
{
	for (size_t i = 0; i < n_procs; i++)
		kill(procs[i], SIGKILL);
	sweep(true);
	for (size_t i = 0; i < n_procs; i++)
		waitpid(procs[i], NULL, WNOHANG);
}

/* ---- helpers on a cgroup ------------------------------------------------------------ */

static bool where(struct cgroup *cg, const char *ctrl, struct cg_where *w)
{
	return cg && cg_where_is(cg, ctrl, w);
}

static char *path_of(const char *leaf)
{
	return xasprintf("/%s-%s-%s", prefix, layout, leaf);
}

static void report_layout(void)
{
	struct cg_mounts m;
	struct werr e = {0};
	enum cgroup_mode mode;
	if (cg_mounts_load(&m, &e) < 0 || cg_mounts_mode(&m, &mode, &e) < 0) {
		printf("# [%s] no layout: %s\n", layout, e.msg);
		return;
	}
	printf("# [%s] layout %s; v1 hierarchies:", layout, cgroup_mode_name(mode));
	for (size_t i = 0; i < m.n_v1; i++)
		printf(" %s", m.v1[i].controllers);
	if (m.n_v1 == 0)
		printf(" none");
	char *ctrls = m.v2_mountpoint ? rdfile(m.v2_mountpoint, "cgroup.controllers") : NULL;
	printf("; cgroup2 at %s with controllers: %s (+ devices, freezer built in)\n",
	       m.v2_mountpoint ? m.v2_mountpoint : "(none)", ctrls && *ctrls ? ctrls : "none");
	free(ctrls);
	cg_mounts_release(&m);
}

/* ---- the suite ---------------------------------------------------------------------- */

static void fill_resources(struct oci_resources *r, struct oci_device_cgroup *devs,
			   struct oci_throttle_device *thr, struct oci_hugepage_limit *huge,
			   struct oci_kv *uni, struct cgroup *probe)
{
	struct cg_where w;
	memset(r, 0, sizeof(*r));
	r->present = true;
	if (where(probe, "memory", &w)) {
		r->memory = (struct oci_memory){
			.present = true,
			.has_limit = true,
			.limit = 64 * MiB,
			.has_reservation = true,
			.reservation = 32 * MiB,
			.has_swap = true,
			.swap = 64 * MiB,
			.has_kernel_tcp = true,
			.kernel_tcp = 16 * MiB,
			.has_kernel = true,
			.kernel = 32 * MiB,
			.has_swappiness = true,
			.swappiness = 10,
			.has_disable_oom_killer = true,
			.disable_oom_killer = false,
			.has_use_hierarchy = true,
			.use_hierarchy = true,
		};
	}
	if (where(probe, "cpu", &w)) {
		r->cpu.present = true;
		r->cpu.has_shares = true;
		r->cpu.shares = 512;
		r->cpu.has_quota = true;
		r->cpu.quota = 50000;
		r->cpu.has_period = true;
		r->cpu.period = 100000;
		r->cpu.has_burst = true;
		r->cpu.burst = 1000;
		r->cpu.has_idle = true;
		r->cpu.idle = 0;
		if (!w.v2 && cg_exists(w.dir, "cpu.rt_runtime_us")) {
			r->cpu.has_realtime_runtime = true;
			r->cpu.realtime_runtime = 10000;
			r->cpu.has_realtime_period = true;
			r->cpu.realtime_period = 1000000;
		}
	}
	if (where(probe, "cpuset", &w)) {
		r->cpu.present = true;
		r->cpu.cpus = "0";
		r->cpu.mems = "0";
	}
	if (where(probe, "pids", &w))
		r->pids = (struct oci_pids){.present = true, .limit = 50};
	if (where(probe, "blkio", &w)) {
		thr[0] = (struct oci_throttle_device){7, 0, 1048576};
		thr[1] = (struct oci_throttle_device){7, 0, 100};
		r->block_io.present = true;
		r->block_io.throttle_read_bps = (struct oci_throttle_list){&thr[0], 1};
		r->block_io.throttle_write_iops = (struct oci_throttle_list){&thr[1], 1};
		if ((!w.v2 &&
		     (cg_exists(w.dir, "blkio.weight") || cg_exists(w.dir, "blkio.bfq.weight"))) ||
		    (w.v2 &&
		     (cg_exists(w.dir, "io.weight") || cg_exists(w.dir, "io.bfq.weight")))) {
			r->block_io.has_weight = true;
			r->block_io.weight = 500;
		}
	}
	if (where(probe, "hugetlb", &w)) {
		huge[0] = (struct oci_hugepage_limit){"2MB", 4 * MiB};
		r->hugepage_limits = huge;
		r->n_hugepage_limits = 1;
	}
	static struct oci_net_priority prio[1] = {{"lo", 5}};
	if (probe && cg_v1_dir_of(probe, "net_cls")) {
		r->network.present = true;
		r->network.has_class_id = true;
		r->network.class_id = 0x100001;
	}
	if (probe && cg_v1_dir_of(probe, "net_prio")) {
		r->network.present = true;
		r->network.priorities = prio;
		r->network.n_priorities = 1;
	}
	devs[0] = (struct oci_device_cgroup){.allow = false, .access = "rwm"};
	devs[1] = (struct oci_device_cgroup){.allow = true,
					     .type = "c",
					     .has_major = true,
					     .major = 1,
					     .has_minor = true,
					     .minor = 11,
					     .access = "r"};
	devs[2] = (struct oci_device_cgroup){
		.allow = true, .type = "b", .has_major = true, .major = 7, .access = "rw"};
	r->devices = devs;
	r->n_devices = 3;
	if (probe && probe->unified) {
		uni[0] = (struct oci_kv){"cgroup.max.depth", "3"};
		r->unified = uni;
		r->n_unified = 1;
	}
}

static void check_readback(struct cgroup *cg, const struct oci_resources *r)
{
	struct cg_where w;
	if (r->memory.present && where(cg, "memory", &w)) {
		if (!w.v2) {
			expect_file(w.dir, "memory.limit_in_bytes", "67108864");
			expect_file(w.dir, "memory.soft_limit_in_bytes", "33554432");
			if (cg_exists(w.dir, "memory.memsw.limit_in_bytes"))
				expect_file(w.dir, "memory.memsw.limit_in_bytes", "67108864");
			else
				skip("no swap accounting", "memsw readback");
			expect_file(w.dir, "memory.swappiness", "10");
			if (cg_exists(w.dir, "memory.kmem.tcp.limit_in_bytes"))
				expect_file(w.dir, "memory.kmem.tcp.limit_in_bytes", "16777216");
			else
				skip("kernel dropped kmem.tcp", "kernelTCP readback");
			expect_contains(w.dir, "memory.oom_control", "oom_kill_disable 0");
		} else {
			expect_file(w.dir, "memory.max", "67108864");
			expect_file(w.dir, "memory.low", "33554432");
			if (cg_exists(w.dir, "memory.swap.max"))
				expect_file(w.dir, "memory.swap.max", "0");
			else
				skip("no swap accounting", "memory.swap.max readback");
		}
	} else {
		skip("no memory controller on this layout", "memory readback");
	}
	if (r->cpu.has_shares && where(cg, "cpu", &w)) {
		if (!w.v2) {
			expect_file(w.dir, "cpu.shares", "512");
			expect_file(w.dir, "cpu.cfs_quota_us", "50000");
			expect_file(w.dir, "cpu.cfs_period_us", "100000");
			if (cg_exists(w.dir, "cpu.cfs_burst_us"))
				expect_file(w.dir, "cpu.cfs_burst_us", "1000");
			expect_file(w.dir, "cpu.idle", "0");
			if (r->cpu.has_realtime_runtime) {
				expect_file(w.dir, "cpu.rt_runtime_us", "10000");
				expect_file(w.dir, "cpu.rt_period_us", "1000000");
			}
		} else {
			char want[32];
			snprintf(want, sizeof(want), "%llu",
				 (unsigned long long)cg_shares_to_weight(512));
			expect_file(w.dir, "cpu.weight", want);
			expect_file(w.dir, "cpu.max", "50000 100000");
			expect_file(w.dir, "cpu.max.burst", "1000");
		}
	} else {
		skip("no cpu controller on this layout", "cpu readback");
	}
	if (r->cpu.cpus && where(cg, "cpuset", &w)) {
		expect_file(w.dir, "cpuset.cpus", "0");
		expect_file(w.dir, "cpuset.mems", "0");
	} else {
		skip("no cpuset controller on this layout", "cpuset readback");
	}
	if (r->pids.present && where(cg, "pids", &w))
		expect_file(w.dir, "pids.max", "50");
	else
		skip("no pids controller on this layout", "pids readback");
	if (r->block_io.present && where(cg, "blkio", &w)) {
		if (!w.v2) {
			expect_contains(w.dir, "blkio.throttle.read_bps_device", "7:0 1048576");
			expect_contains(w.dir, "blkio.throttle.write_iops_device", "7:0 100");
			if (r->block_io.has_weight)
				expect_contains(w.dir,
						cg_exists(w.dir, "blkio.weight")
							? "blkio.weight"
							: "blkio.bfq.weight",
						"500");
		} else {
			expect_contains(w.dir, "io.max",
					"7:0 rbps=1048576 wbps=max riops=max wiops=100");
		}
	} else {
		skip("no blkio/io controller on this layout", "blkio readback");
	}
	if (r->n_hugepage_limits && where(cg, "hugetlb", &w)) {
		expect_file(w.dir, w.v2 ? "hugetlb.2MB.max" : "hugetlb.2MB.limit_in_bytes",
			    "4194304");
		if (cg_exists(w.dir,
			      w.v2 ? "hugetlb.2MB.rsvd.max" : "hugetlb.2MB.rsvd.limit_in_bytes"))
			expect_file(w.dir,
				    w.v2 ? "hugetlb.2MB.rsvd.max"
					 : "hugetlb.2MB.rsvd.limit_in_bytes",
				    "4194304");
		printf("# [%s] hugetlb applied through %s (%s)\n", layout, w.dir,
		       w.v2 ? "cgroup2 files" : "v1 files");
	} else {
		skip("no hugetlb controller on this layout", "hugetlb readback");
	}
	if (where(cg, "devices", &w) && !w.v2) {
		char *list = rdfile(w.dir, "devices.list");
		bool ok = list && strstr(list, "c 1:11 r") && strstr(list, "b 7:* rw") &&
			  strstr(list, "c 1:3 rwm") && !strstr(list, "a *:* rwm");
		TAP_OK(ok, "[%s] devices.list is the rule list: %s", layout, flat(list));
		free(list);
	}
	if (r->network.has_class_id)
		expect_file(cg_v1_dir_of(cg, "net_cls"), "net_cls.classid", "1048577");
	else
		skip("no net_cls hierarchy on this layout", "net_cls readback");
	if (r->network.n_priorities)
		expect_contains(cg_v1_dir_of(cg, "net_prio"), "net_prio.ifpriomap", "lo 5");
	else
		skip("no net_prio hierarchy on this layout", "net_prio readback");
	if (r->n_unified)
		expect_file(cg->unified, "cgroup.max.depth", "3");
	else
		skip("no cgroup2 on this layout", "unified readback");
}

static void check_devices(struct cgroup *cg)
{
	int rfd;
	pid_t p = spawn_in(cg, child_devices, 0, &rfd);
	int res[ARRAY_SIZE(dev_probe) + 1];
	read_all(rfd, res, sizeof(res));
	close(rfd);
	int st;
	if (p > 0)
		reap(p, &st);
	const int want[] = {0, EPERM, 0, EPERM, 0};
	for (size_t i = 0; i < ARRAY_SIZE(dev_probe); i++)
		TAP_OK(res[i] == want[i], "[%s] devices: open %s %s -> %s (want %s)", layout,
		       dev_probe[i].name,
		       dev_probe[i].flags == O_RDONLY   ? "r"
		       : dev_probe[i].flags == O_WRONLY ? "w"
							: "rw",
		       res[i] ? strerror(res[i]) : "ok", want[i] ? strerror(want[i]) : "ok");
	TAP_OK(res[ARRAY_SIZE(dev_probe)] == 0, "[%s] devices: mknod allowed by the defaults (%s)",
	       layout, res[ARRAY_SIZE(dev_probe)] ? strerror(res[ARRAY_SIZE(dev_probe)]) : "ok");
}

static void check_members(struct cgroup *cg, pid_t member, size_t expect_n)
{
	pid_t *pids = NULL;
	size_t n = 0;
	struct werr e = {0};
	int r = cgroup_pids(cg, &pids, &n, &e);
	bool has = false;
	for (size_t i = 0; i < n; i++)
		has = has || pids[i] == member;
	TAP_OK(r == 0 && n == expect_n && has, "[%s] cgroup_pids lists %zu processes (want %zu)",
	       layout, n, expect_n);
	free(pids);
	/* the kernel's view of the member */
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)member);
	char *self = NULL;
	if (read_file_at(AT_FDCWD, p, 1 << 16, &self, NULL, &e) == 0 && cg->unified) {
		char *v2 = cg_proc_cgroup_find(self, "");
		TAP_OK(v2 && strstr(cg->unified, v2) &&
			       strcmp(cg->unified + strlen(cg->unified) - strlen(v2), v2) == 0,
		       "[%s] member's cgroup2 cgroup is %s (%s)", layout, v2 ? v2 : "?",
		       cg->unified);
		free(v2);
	}
	const char *mem = cg_v1_dir_of(cg, "memory");
	if (self && mem) {
		char *v1 = cg_proc_cgroup_find(self, "memory");
		TAP_OK(v1 && strcmp(mem + strlen(mem) - strlen(v1), v1) == 0,
		       "[%s] member's memory cgroup is %s", layout, v1 ? v1 : "?");
		free(v1);
	}
	free(self);
}

static char proc_state(pid_t p)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)p);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return '?';
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	char *rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' ? rp[2] : '?';
}

static void check_freeze(struct cgroup *cg, pid_t member)
{
	struct werr e = {0};
	struct cg_where w;
	bool fr = true;
	int rc;
	TAP_OK(cgroup_is_frozen(cg, &fr, &e) == 0 && !fr, "[%s] not frozen at first", layout);
	rc = cgroup_freeze(cg, true, &e);
	TAP_OK(rc == 0, "[%s] freeze: %s", layout, rc == 0 ? "ok" : e.msg);
	TAP_OK(cgroup_is_frozen(cg, &fr, &e) == 0 && fr, "[%s] is_frozen after freeze", layout);
	if (where(cg, "freezer", &w) && !w.v2) {
		expect_file(w.dir, "freezer.state", "FROZEN");
		/* a task stopped by the v1 freezer sleeps uninterruptibly */
		TAP_OK(proc_state(member) == 'D', "[%s] frozen member is in state D (%c)", layout,
		       proc_state(member));
	} else if (where(cg, "freezer", &w)) {
		uint64_t v = 0;
		TAP_OK(cg_read_key_u64(w.dir, "cgroup.events", "frozen", &v, &e) == 0 && v == 1,
		       "[%s] cgroup.events says frozen 1", layout);
	}
	rc = cgroup_freeze(cg, false, &e);
	TAP_OK(rc == 0, "[%s] thaw: %s", layout, rc == 0 ? "ok" : e.msg);
	TAP_OK(cgroup_is_frozen(cg, &fr, &e) == 0 && !fr, "[%s] not frozen after thaw", layout);
	if (where(cg, "freezer", &w) && !w.v2) {
		expect_file(w.dir, "freezer.state", "THAWED");
		/* woken: running or back in its pause(), no longer stopped by the freezer (the
		 * wake-up reaches the task a moment after the state file says THAWED) */
		char stt = proc_state(member);
		for (int i = 0; i < 200 && stt == 'D'; i++) {
			usleep(5000);
			stt = proc_state(member);
		}
		TAP_OK(stt == 'S' || stt == 'R', "[%s] thawed member is no longer in state D (%c)",
		       layout, stt);
	} else if (where(cg, "freezer", &w)) {
		uint64_t v = 1;
		TAP_OK(cg_read_key_u64(w.dir, "cgroup.events", "frozen", &v, &e) == 0 && v == 0,
		       "[%s] cgroup.events says frozen 0", layout);
	}
}

static void check_stats(struct cgroup *cg, size_t members)
{
	struct jsonw w;
	struct werr e = {0};
	jsonw_init(&w, false);
	int r = cgroup_stats(cg, &w, &e);
	char *s = jsonw_take(&w);
	char err[256];
	yajl_val root = s ? yajl_tree_parse(s, err, sizeof(err)) : NULL;
	TAP_OK(r == 0 && root && YAJL_IS_OBJECT(root), "[%s] stats JSON parses", layout);
	if (root) {
		static const char *const keys[] = {"cpu",   "cpuset",  "memory",   "pids",
						   "blkio", "hugetlb", "intel_rdt"};
		bool all = true;
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
			const char *p[] = {keys[i], NULL};
			all = all && yajl_tree_get(root, p, yajl_t_object);
		}
		TAP_OK(all, "[%s] stats has cpu, cpuset, memory, pids, blkio, hugetlb, intel_rdt",
		       layout);
		const char *kp[] = {"cpu", "usage", "kernel", NULL};
		TAP_OK(yajl_tree_get(root, kp, yajl_t_number) != NULL,
		       "[%s] stats cpu.usage.kernel is a number", layout);
		const char *pc[] = {"pids", "current", NULL};
		yajl_val cur = yajl_tree_get(root, pc, yajl_t_number);
		TAP_OK(cur && YAJL_GET_INTEGER(cur) == (long long)members,
		       "[%s] stats pids.current == %zu", layout, members);
		struct cg_where wh;
		if (where(cg, "pids", &wh)) {
			const char *pl[] = {"pids", "limit", NULL};
			yajl_val lim = yajl_tree_get(root, pl, yajl_t_number);
			TAP_OK(lim && YAJL_GET_INTEGER(lim) == 50, "[%s] stats pids.limit == 50",
			       layout);
		}
		if (where(cg, "memory", &wh)) {
			const char *ml[] = {"memory", "usage", "limit", NULL};
			yajl_val lim = yajl_tree_get(root, ml, yajl_t_number);
			TAP_OK(lim && YAJL_GET_INTEGER(lim) == 64 * MiB,
			       "[%s] stats memory.usage.limit == 64 MiB", layout);
			const char *raw[] = {"memory", "raw", NULL};
			TAP_OK(yajl_tree_get(root, raw, yajl_t_object) != NULL,
			       "[%s] stats memory.raw is there", layout);
		}
		if (where(cg, "hugetlb", &wh)) {
			const char *hp[] = {"hugetlb", "2MB", "failcnt", NULL};
			TAP_OK(yajl_tree_get(root, hp, yajl_t_number) != NULL,
			       "[%s] stats hugetlb.2MB.failcnt is there", layout);
		}
	}
	printf("# [%s] stats: %s\n", layout, s ? s : e.msg);
	yajl_tree_free(root);
	free(s);
}

static void check_describe(struct cgroup *cg, size_t members)
{
	struct werr e = {0};
	char *d = cgroup_describe(cg);
	struct cgroup *again = NULL;
	int rc_1 = cgroup_open(d, &again, &e);
	TAP_OK(d && rc_1 == 0, "[%s] describe/open: %s", layout, again ? "ok" : e.msg);
	if (again) {
		char *d2 = cgroup_describe(again);
		TAP_STREQ(d2, d, "[%s] describe(open(describe)) is stable", layout);
		free(d2);
		pid_t *p = NULL;
		size_t n = 0;
		int rc = cgroup_pids(again, &p, &n, &e);
		TAP_OK(rc == 0 && n == members,
		       "[%s] the reopened cgroup lists the same %zu processes", layout, n);
		free(p);
		cgroup_free(again);
	}
	free(d);
}

/* Every directory of cg, recorded before destroy to check it is gone afterwards. */
static size_t dirs_of(struct cgroup *cg, char **out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < cg->n_created && n < max; i++)
		out[n++] = xstrdup(cg->created[i]);
	return n;
}

static void check_destroy(struct cgroup *cg, bool kill_first, pid_t *to_reap, size_t n_reap)
{
	char *dirs[64];
	size_t nd = dirs_of(cg, dirs, ARRAY_SIZE(dirs));
	struct werr e = {0};
	int rc = cgroup_destroy(cg, kill_first, &e);
	TAP_OK(rc == 0, "[%s] destroy%s: %s", layout, kill_first ? " (kill first)" : "",
	       rc == 0 ? "ok" : e.msg);
	for (size_t i = 0; i < n_reap; i++) {
		int st = 0;
		reap(to_reap[i], &st);
		TAP_OK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
		       "[%s] member %d was SIGKILLed by destroy", layout, (int)to_reap[i]);
	}
	bool gone = nd > 0;
	for (size_t i = 0; i < nd; i++) {
		if (dir_exists(dirs[i])) {
			gone = false;
			printf("# still there: %s\n", dirs[i]);
		}
		free(dirs[i]);
	}
	TAP_OK(gone, "[%s] destroy removed all %zu directories it created", layout, nd);
}

static void test_big(void)
{
	struct werr e = {0};
	/* a probe tells which controllers this layout offers */
	char *ppath = path_of("probe");
	struct cgroup *probe = NULL;
	struct oci_resources none = {0};
	int rc_2 = cgroup_create(ppath, "probe", &none, &probe, &e);
	TAP_OK(rc_2 == 0, "[%s] probe cgroup: %s", layout, probe ? "ok" : e.msg);
	struct oci_resources r;
	struct oci_device_cgroup devs[3];
	struct oci_throttle_device thr[2];
	struct oci_hugepage_limit huge[1];
	struct oci_kv uni[1];
	fill_resources(&r, devs, thr, huge, uni, probe);
	if (probe) {
		static const char *const all[] = {"memory", "cpu",     "cpuset",  "pids",
						  "blkio",  "hugetlb", "net_cls", "net_prio",
						  "rdma",   "devices", "freezer"};
		printf("# [%s] controllers usable by a container:", layout);
		for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
			struct cg_where w;
			if (where(probe, all[i], &w))
				printf(" %s(%s)", all[i], w.v2 ? "v2" : "v1");
		}
		printf("\n");
		char *dirs[64];
		size_t nd = dirs_of(probe, dirs, ARRAY_SIZE(dirs));
		TAP_OK(cgroup_destroy(probe, false, &e) == 0, "[%s] probe destroyed", layout);
		bool gone = true;
		for (size_t i = 0; i < nd; i++) {
			gone = gone && !dir_exists(dirs[i]);
			free(dirs[i]);
		}
		TAP_OK(gone && nd > 0, "[%s] probe directories gone", layout);
	}
	free(ppath);

	char *path = path_of("big");
	struct cgroup *cg = NULL;
	int rc = cgroup_create(path, "big", &r, &cg, &e);
	TAP_OK(rc == 0, "[%s] create with many fields: %s", layout, rc == 0 ? "ok" : e.msg);
	if (!cg) {
		cgroup_free(probe);
		free(path);
		return;
	}
	check_readback(cg, &r);
	check_devices(cg);

	int rfd;
	pid_t member = spawn_in(cg, child_member, 3, &rfd);
	char c = 0;
	read_all(rfd, &c, 1);
	close(rfd);
	TAP_OK(member > 0 && c == 'r', "[%s] a member process runs inside with 3 children", layout);
	check_members(cg, member, 4);
	check_freeze(cg, member);
	check_stats(cg, 4);
	check_describe(cg, 4);

	/* update: new values land, and a refused field changes nothing */
	struct cg_where w;
	if (where(cg, "pids", &w)) {
		struct oci_resources u = {.present = true, .pids = {.present = true, .limit = 77}};
		TAP_OK(cgroup_update(cg, &u, &e) == 0, "[%s] update pids.limit", layout);
		expect_file(w.dir, "pids.max", "77");
		/* rdma is refused wherever the rdma controller is missing */
		static struct oci_rdma rd = {
			.device = "mlx4_0", .has_hca_handles = true, .hca_handles = 1};
		struct oci_resources bad = {.present = true,
					    .pids = {.present = true, .limit = 88}};
		bad.rdma = &rd;
		bad.n_rdma = 1;
		struct cg_where rw;
		if (!where(cg, "rdma", &rw)) {
			rc = cgroup_update(cg, &bad, &e);
			TAP_OK(rc < 0 && strstr(e.msg, "rdma"), "[%s] update refusing rdma: %s",
			       layout, rc < 0 ? e.msg : "(accepted!)");
			expect_file(w.dir, "pids.max", "77");
		} else {
			skip("rdma is available", "refused update is atomic");
		}
	} else {
		skip("no pids controller on this layout", "update");
	}
	if (where(cg, "memory", &w)) {
		struct oci_resources u = {.present = true};
		u.memory = (struct oci_memory){.present = true,
					       .has_limit = true,
					       .limit = 96 * MiB,
					       .has_swap = true,
					       .swap = 128 * MiB};
		rc = cgroup_update(cg, &u, &e);
		TAP_OK(rc == 0, "[%s] update memory (growing): %s", layout, rc ? e.msg : "ok");
		expect_file(w.dir, w.v2 ? "memory.max" : "memory.limit_in_bytes", "100663296");
		if (!w.v2 && cg_exists(w.dir, "memory.memsw.limit_in_bytes"))
			expect_file(w.dir, "memory.memsw.limit_in_bytes", "134217728");
		u.memory.limit = 48 * MiB;
		u.memory.swap = 48 * MiB;
		rc = cgroup_update(cg, &u, &e);
		TAP_OK(rc == 0, "[%s] update memory (shrinking): %s", layout, rc ? e.msg : "ok");
		expect_file(w.dir, w.v2 ? "memory.max" : "memory.limit_in_bytes", "50331648");
		u.memory.has_check_before_update = true;
		u.memory.check_before_update = true;
		u.memory.limit = 4096;
		u.memory.has_swap = false;
		uint64_t usage = 0;
		cg_read_u64(w.dir, w.v2 ? "memory.current" : "memory.usage_in_bytes", &usage, &e);
		if (usage > 4096) {
			int rc_3 = cgroup_update(cg, &u, &e);
			TAP_OK(rc_3 < 0 && strstr(e.msg, "memory.limit") &&
				       strstr(e.msg, "checkBeforeUpdate"),
			       "[%s] checkBeforeUpdate refuses a limit under the usage (%llu): %s",
			       layout, (unsigned long long)usage, e.msg);
		} else {
			skip("the cgroup uses no memory yet", "checkBeforeUpdate");
		}
	} else {
		skip("no memory controller on this layout", "memory update");
	}
	if (where(cg, "cpu", &w) && w.v2) {
		struct oci_resources u = {.present = true};
		u.cpu = (struct oci_cpu){.present = true, .has_period = true, .period = 200000};
		TAP_OK(cgroup_update(cg, &u, &e) == 0, "[%s] update cpu.period alone", layout);
		expect_file(w.dir, "cpu.max", "50000 200000");
	}

	/* a sub-cgroup made by the container goes with it */
	const char *any = cg->n_v1 ? cg->v1[0].path : cg->unified;
	char *sub = xasprintf("%s/inner", any);
	TAP_OK(mkdir(sub, 0755) == 0, "[%s] container makes a sub-cgroup", layout);
	free(sub);

	pid_t reapme[1] = {member};
	check_destroy(cg, true, reapme, 1);
	cgroup_free(cg);
	cgroup_free(probe);
	free(path);
}

static void test_pids_limit(void)
{
	struct werr e = {0};
	struct cgroup *cg = NULL;
	char *path = path_of("pids");
	struct oci_resources r = {.present = true, .pids = {.present = true, .limit = 4}};
	int rc = cgroup_create(path, "pids", &r, &cg, &e);
	free(path);
	if (rc < 0) {
		TAP_OK(strstr(e.msg, "pids.limit") != NULL,
		       "[%s] pids limit refused naming the field: %s", layout, e.msg);
		skip("no pids controller on this layout", "pids limit refuses fork");
		return;
	}
	int rfd;
	pid_t p = spawn_in(cg, child_forker, 20, &rfd);
	int res[2] = {-1, -1};
	read_all(rfd, res, sizeof(res));
	close(rfd);
	/* the forker itself is one of the 4 */
	TAP_OK(res[0] == 3 && res[1] == EAGAIN,
	       "[%s] pids.max 4: fork worked %d times then failed with %s", layout, res[0],
	       res[1] > 0 ? strerror(res[1]) : "?");
	struct cg_where w;
	if (where(cg, "pids", &w))
		expect_file(w.dir, "pids.current", "4");
	pid_t reapme[1] = {p};
	check_destroy(cg, true, reapme, p > 0 ? 1 : 0);
	cgroup_free(cg);
}

static void test_oom(void)
{
	struct werr e = {0};
	struct cgroup *cg = NULL;
	char *path = path_of("oom");
	struct oci_resources r = {.present = true};
	r.memory = (struct oci_memory){.present = true,
				       .has_limit = true,
				       .limit = 32 * MiB,
				       .has_swap = true,
				       .swap = 32 * MiB};
	int rc = cgroup_create(path, "oom", &r, &cg, &e);
	free(path);
	if (rc < 0) {
		TAP_OK(strstr(e.msg, "memory.limit") != NULL,
		       "[%s] memory limit refused naming the field: %s", layout, e.msg);
		skip("no memory controller on this layout", "memory limit OOM-kills");
		return;
	}
	int rfd;
	pid_t p = spawn_in(cg, child_hog, 256, &rfd);
	close(rfd);
	int st = 0;
	if (p > 0)
		reap(p, &st);
	TAP_OK(p > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	       "[%s] a child touching 256 MiB under a 32 MiB limit is OOM-killed (status %#x)",
	       layout, st);
	struct cg_where w;
	uint64_t kills = 0;
	if (where(cg, "memory", &w))
		cg_read_key_u64(w.dir, w.v2 ? "memory.events" : "memory.oom_control", "oom_kill",
				&kills, &e);
	TAP_OK(kills >= 1, "[%s] the kernel counted %llu OOM kill(s) in the cgroup", layout,
	       (unsigned long long)kills);
	check_destroy(cg, false, NULL, 0);
	cgroup_free(cg);
}

static void test_devices_denylist(void)
{
	struct werr e = {0};
	struct cgroup *cg = NULL;
	char *path = path_of("denylist");
	struct oci_device_cgroup devs[2] = {
		{.allow = true, .type = "a", .access = "rwm"},
		{.allow = false,
		 .type = "c",
		 .has_major = true,
		 .major = 1,
		 .has_minor = true,
		 .minor = 11,
		 .access = "w"},
	};
	struct oci_resources r = {.present = true, .devices = devs, .n_devices = 2};
	int rc_4 = cgroup_create(path, "denylist", &r, &cg, &e);
	TAP_OK(rc_4 == 0, "[%s] allow-all + deny rule: %s", layout, cg ? "ok" : e.msg);
	free(path);
	if (!cg)
		return;
	int rfd;
	pid_t p = spawn_in(cg, child_devices, 0, &rfd);
	int res[ARRAY_SIZE(dev_probe) + 1];
	read_all(rfd, res, sizeof(res));
	close(rfd);
	if (p > 0)
		reap(p, NULL);
	TAP_OK(res[0] == 0 && res[1] == EPERM && res[3] == 0,
	       "[%s] deny-list mode: kmsg r ok (%d), kmsg w EPERM (%d), loop-control ok (%d)",
	       layout, res[0], res[1], res[3]);
	check_destroy(cg, false, NULL, 0);
	cgroup_free(cg);
}

static void test_refusals(void)
{
	struct werr e = {0};
	struct cgroup *cg = NULL;
	struct cgroup *probe = NULL;
	char *ppath = path_of("probe2");
	struct oci_resources none = {0};
	if (cgroup_create(ppath, "p", &none, &probe, &e) < 0) {
		TAP_OK(0, "[%s] probe: %s", layout, e.msg);
		free(ppath);
		return;
	}
	struct cg_where w;
	struct {
		const char *name;
		struct oci_resources r;
		bool applicable; /* the layout lacks what the field needs */
		const char *want;
	} cases[8];
	size_t n = 0;
	memset(cases, 0, sizeof(cases));

	cases[n].name = "blockIO.weight without a proportional I/O scheduler";
	cases[n].r.block_io =
		(struct oci_block_io){.present = true, .has_weight = true, .weight = 500};
	cases[n].applicable =
		!where(probe, "blkio", &w) ||
		(!w.v2 && !cg_exists(w.dir, "blkio.weight") &&
		 !cg_exists(w.dir, "blkio.bfq.weight")) ||
		(w.v2 && !cg_exists(w.dir, "io.weight") && !cg_exists(w.dir, "io.bfq.weight"));
	cases[n++].want = "blockIO";

	cases[n].name = "network.classID without net_cls";
	cases[n].r.network = (struct oci_network_res){
		.present = true, .has_class_id = true, .class_id = 0x100001};
	cases[n].applicable = !cg_v1_dir_of(probe, "net_cls") && probe->mode != CGROUP_MODE_V2;
	cases[n++].want = "network.classID";

	static struct oci_rdma rd = {.device = "mlx4_0", .has_hca_handles = true, .hca_handles = 2};
	cases[n].name = "rdma without the rdma controller";
	cases[n].r.rdma = &rd;
	cases[n].r.n_rdma = 1;
	cases[n].applicable = !where(probe, "rdma", &w);
	cases[n++].want = "rdma";

	static struct oci_kv uk = {"memory.max", "1000000"};
	cases[n].name = "unified memory.max without memory on cgroup2";
	cases[n].r.unified = &uk;
	cases[n].r.n_unified = 1;
	cases[n].applicable = !cg_list_has(cg_unified_controllers(probe), "memory", ' ');
	cases[n++].want = probe->unified ? "unified.memory.max" : "unified";

	static struct oci_kv slash = {"../memory.max", "1"};
	cases[n].name = "unified key with a slash";
	cases[n].r.unified = &slash;
	cases[n].r.n_unified = 1;
	cases[n].applicable = true;
	cases[n++].want = "unified";

	cases[n].name = "memory.limit without a memory controller";
	cases[n].r.memory =
		(struct oci_memory){.present = true, .has_limit = true, .limit = 1 << 30};
	cases[n].applicable = !where(probe, "memory", &w);
	cases[n++].want = "memory.limit";

	cases[n].name = "cpu.shares without a cpu controller";
	cases[n].r.cpu = (struct oci_cpu){.present = true, .has_shares = true, .shares = 100};
	cases[n].applicable = !where(probe, "cpu", &w);
	cases[n++].want = "cpu.shares";

	static struct oci_hugepage_limit hp = {"3MB", 1};
	cases[n].name = "hugepageLimits with a page size the kernel lacks";
	cases[n].r.hugepage_limits = &hp;
	cases[n].r.n_hugepage_limits = 1;
	cases[n].applicable = true;
	cases[n++].want = "hugepageLimits";

	for (size_t i = 0; i < n; i++) {
		if (!cases[i].applicable) {
			skip("this layout can apply it", cases[i].name);
			continue;
		}
		char *path = path_of("refused");
		cg = NULL;
		cases[i].r.present = true;
		int rc = cgroup_create(path, "x", &cases[i].r, &cg, &e);
		TAP_OK(rc < 0 && strstr(e.msg, cases[i].want), "[%s] refused: %s -> %s", layout,
		       cases[i].name, rc < 0 ? e.msg : "(accepted!)");
		/* and nothing was left behind */
		bool left = false;
		const char *mp = NULL;
		struct cg_mounts m;
		if (cg_mounts_load(&m, &e) == 0) {
			for (size_t k = 0; k <= m.n_v1; k++) {
				mp = k < m.n_v1 ? m.v1[k].mountpoint : m.v2_mountpoint;
				char *d = mp ? xasprintf("%s%s", mp, path) : NULL;
				if (d && dir_exists(d)) {
					left = true;
					printf("# left: %s\n", d);
				}
				free(d);
			}
			cg_mounts_release(&m);
		}
		TAP_OK(!left, "[%s] the refused create left no directory behind", layout);
		if (cg) {
			cgroup_destroy(cg, true, &e);
			cgroup_free(cg);
		}
		free(path);
	}
	cgroup_destroy(probe, false, &e);
	cgroup_free(probe);
	free(ppath);
}

static void test_paths_and_reuse(void)
{
	struct werr e = {0};
	/* relative path (and the default, the id) hangs off our own cgroup */
	char *id = xasprintf("%s-%s-rel", prefix, layout);
	struct cgroup *cg = NULL;
	int rc_5 = cgroup_create(NULL, id, NULL, &cg, &e);
	TAP_OK(rc_5 == 0, "[%s] default path (the id): %s", layout, cg ? "ok" : e.msg);
	if (cg) {
		char *self = NULL;
		read_file_at(AT_FDCWD, "/proc/self/cgroup", 1 << 20, &self, NULL, &e);
		struct cg_mounts m;
		memset(&m, 0, sizeof(m));
		bool all = cg_mounts_load(&m, &e) == 0;
		for (size_t i = 0; all && i < m.n_v1; i++) {
			char *own = cg_proc_cgroup_find(self, m.v1[i].controllers);
			char *want = xasprintf("%s%s/%s", m.v1[i].mountpoint,
					       own && strcmp(own, "/") ? own : "", id);
			if (strcmp(want, cg->v1[i].path) != 0) {
				printf("# %s != %s\n", cg->v1[i].path, want);
				all = false;
			}
			free(own);
			free(want);
		}
		if (all && m.v2_mountpoint) {
			char *own = cg_proc_cgroup_find(self, "");
			char *base = own ? xstrdup(own) : xstrdup("/");
			if (cg->mode == CGROUP_MODE_V2) {
				char *sl = strrchr(base, '/');
				if (sl && sl != base)
					*sl = '\0';
				else
					strcpy(base, "/");
			}
			char *want = xasprintf("%s%s/%s", m.v2_mountpoint,
					       strcmp(base, "/") ? base : "", id);
			all = strcmp(want, cg->unified) == 0;
			if (!all)
				printf("# %s != %s\n", cg->unified, want);
			free(own);
			free(base);
			free(want);
		}
		cg_mounts_release(&m);
		free(self);
		TAP_OK(all, "[%s] relative path resolves below our own cgroup%s", layout,
		       cg->mode == CGROUP_MODE_V2 ? "'s parent (v2)" : "");
		check_destroy(cg, false, NULL, 0);
		cgroup_free(cg);
	}
	free(id);

	/* nested absolute path: intermediate directories are created and removed */
	char *nested = xasprintf("/%s-%s-nest/a/b/../c", prefix, layout);
	cg = NULL;
	int rc_6 = cgroup_create(nested, "n", NULL, &cg, &e);
	TAP_OK(rc_6 == 0, "[%s] nested path: %s", layout, cg ? "ok" : e.msg);
	if (cg) {
		const char *d = cg->n_v1 ? cg->v1[0].path : cg->unified;
		TAP_OK(strstr(d, "-nest/a/c") && !strstr(d, ".."), "[%s] path is cleaned: %s",
		       layout, d);
		TAP_OK(cg->n_created == 3 * (cg->n_v1 + (cg->unified ? 1 : 0)),
		       "[%s] three levels created per hierarchy (%zu)", layout, cg->n_created);
		/* a populated existing cgroup is refused */
		int rfd;
		pid_t p = spawn_in(cg, child_member, 0, &rfd);
		char c = 0;
		read_all(rfd, &c, 1);
		close(rfd);
		struct cgroup *twin = NULL;
		int rc_7 = cgroup_create(nested, "n", NULL, &twin, &e);
		TAP_OK(rc_7 < 0 && e.errnum == EEXIST,
		       "[%s] a populated existing cgroup is refused: %s", layout, e.msg);
		cgroup_free(twin);
		pid_t reapme[1] = {p};
		check_destroy(cg, true, reapme, p > 0 ? 1 : 0);
		cgroup_free(cg);
	}
	free(nested);

	char *root = xstrdup("/");
	cg = NULL;
	int rc_8 = cgroup_create(root, "r", NULL, &cg, &e);
	TAP_OK(rc_8 < 0 && strstr(e.msg, "root cgroup"), "[%s] the root cgroup is refused: %s",
	       layout, e.msg);
	cgroup_free(cg);
	free(root);
}

static void run_suite(const char *name)
{
	layout = name;
	report_layout();
	test_big();
	test_pids_limit();
	test_oom();
	test_devices_denylist();
	test_refusals();
	test_paths_and_reuse();
}

/* ---- other layouts in private mount namespaces ------------------------------------- */

/* pure cgroup2: the host's /sys/fs/cgroup replaced by a cgroup2 mount */
static int setup_v2(void)
{
	if (umount2("/sys/fs/cgroup", MNT_DETACH) < 0)
		return -1;
	return mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL);
}

/*
 * pure v1: a tmpfs with the host's v1 hierarchies mounted again (same options, so the
 * same hierarchies) and no cgroup2 - plus a fresh net_cls,net_prio hierarchy, which the
 * host does not mount, so that the v1-only network fields can be applied.
 */
static int setup_v1(void)
{
	struct cg_mounts m;
	struct werr e = {0};
	if (cg_mounts_load(&m, &e) < 0)
		return -1;
	if (m.n_v1 == 0) {
		cg_mounts_release(&m);
		errno = ENOENT;
		return -1;
	}
	int r = -1;
	if (umount2("/sys/fs/cgroup", MNT_DETACH) < 0 ||
	    mount("tmpfs", "/sys/fs/cgroup", "tmpfs", 0, "mode=0755") < 0)
		goto out;
	for (size_t i = 0; i < m.n_v1; i++) {
		const char *base = strrchr(m.v1[i].mountpoint, '/');
		char *d = xasprintf("/sys/fs/cgroup/%s", base ? base + 1 : m.v1[i].controllers);
		if (mkdir(d, 0755) < 0 || mount("cgroup", d, "cgroup", 0, m.v1[i].controllers) < 0)
			printf("# [v1] cannot mount %s: %s\n", m.v1[i].controllers,
			       strerror(errno));
		free(d);
	}
	if (mkdir("/sys/fs/cgroup/net_cls,net_prio", 0755) < 0 ||
	    mount("cgroup", "/sys/fs/cgroup/net_cls,net_prio", "cgroup", 0, "net_cls,net_prio") < 0)
		printf("# [v1] no net_cls,net_prio hierarchy: %s\n", strerror(errno));
	r = 0;
out:
	cg_mounts_release(&m);
	return r;
}

static void run_in_namespace(const char *name, int (*setup)(void), enum cgroup_mode want)
{
	int st[2];
	if (pipe2(st, O_CLOEXEC) < 0)
		return;
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		close(st[0]);
		n_procs = 0;
		layout = name;
		int ok = unshare(CLONE_NEWNS) == 0 &&
			 mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0 && setup() == 0;
		if (!ok) {
			printf("# [%s] cannot make the private layout: %s\n", name,
			       strerror(errno));
			skip("no private cgroup mounts", name);
		} else {
			enum cgroup_mode mode;
			struct werr e = {0};
			TAP_OK(cgroup_detect(&mode, &e) == 0 && mode == want,
			       "[%s] the private mount namespace is detected as %s", name,
			       cgroup_mode_name(want));
			run_suite(name);
		}
		cleanup_all();
		int out[2] = {tap_n, tap_failed};
		if (write(st[1], out, sizeof(out)) != sizeof(out)) {
		}
		fflush(stdout);
		/* exit() (not _exit) so that a sanitizer build checks this half for leaks */
		exit(0);
	}
	close(st[1]);
	int in[2] = {-1, -1};
	read_all(st[0], in, sizeof(in));
	close(st[0]);
	int status = -1;
	if (p > 0)
		reap(p, &status);
	if (in[0] >= tap_n) {
		tap_n = in[0];
		tap_failed = in[1];
		TAP_OK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "[%s] the namespace child exited cleanly (status %#x)", name, status);
	} else {
		TAP_OK(0, "[%s] the namespace child reported its results", name);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	snprintf(prefix, sizeof(prefix), "ward-test-%d", (int)getpid());
	atexit(cleanup_all);
	if (make_nodes() < 0) {
		printf("# cannot make device nodes in /tmp: %s\n", strerror(errno));
		TAP_OK(0, "scratch device nodes");
		return tap_done();
	}
	enum cgroup_mode mode;
	struct werr e = {0};
	int rc = cgroup_detect(&mode, &e);
	TAP_OK(rc == 0, "host layout detected: %s", rc == 0 ? cgroup_mode_name(mode) : e.msg);
	if (rc < 0)
		return tap_done();
	run_suite(cgroup_mode_name(mode));
	cleanup_all();
	run_in_namespace("v2", setup_v2, CGROUP_MODE_V2);
	run_in_namespace("v1", setup_v1, CGROUP_MODE_V1);
	TAP_OK(sweep(false) == 0, "no cgroup of this test is left on any hierarchy");
	remove_nodes();
	return tap_done();
}
