/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `events --stats` data, shaped like runc's types.Stats so that tools reading
 * runc's output read ours: the same keys, the same units (nanoseconds for cpu,
 * bytes for memory), the same v1-style figures synthesised from v2 files
 * (swap = memory+swap, blkio "Read"/"Write" tables), and Go's omitempty
 * rules (a zero field tagged omitempty is left out).
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "cgroup_internal.h"

/* Reads a number, 0 when the file is absent or unreadable (stats are best effort). */
static uint64_t rd(const char *dir, const char *file)
{
	uint64_t v = 0;
	struct werr e;
	if (!dir || cg_read_u64(dir, file, &v, &e) < 0)
		return 0;
	return v;
}

static uint64_t rd_key(const char *dir, const char *file, const char *key)
{
	uint64_t v = 0;
	struct werr e;
	if (!dir || cg_read_key_u64(dir, file, key, &v, &e) < 0)
		return 0;
	return v;
}

static void key_uint_nz(struct jsonw *w, const char *k, uint64_t v)
{
	if (v)
		jsonw_key_uint(w, k, v);
}

/* "1 2 3" or one value a line -> array; NULL dir or missing file writes nothing */
static size_t parse_list(const char *s, uint64_t *out, size_t max)
{
	size_t n = 0;
	for (const char *p = s; *p && n < max;) {
		char *end;
		unsigned long long v = strtoull(p, &end, 10);
		if (end == p)
			break;
		out[n++] = v;
		p = end;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	return n;
}

static void key_u64_array_nz(struct jsonw *w, const char *k, const uint64_t *v, size_t n)
{
	if (n == 0)
		return;
	jsonw_key(w, k);
	jsonw_arr_open(w);
	for (size_t i = 0; i < n; i++)
		jsonw_uint(w, v[i]);
	jsonw_arr_close(w);
}

/* ---- cpu ------------------------------------------------------------------------- */

#define MAX_CPUS 4096

static void cpu_v1(struct jsonw *w, const char *acct, const char *cpu)
{
	static uint64_t percpu[MAX_CPUS], pk[MAX_CPUS], pu[MAX_CPUS];
	size_t n_percpu = 0, n_pk = 0;
	uint64_t total = rd(acct, "cpuacct.usage");
	struct werr e;
	_cleanup_free_ char *s = NULL, *all = NULL;
	if (acct && cg_read(acct, "cpuacct.usage_percpu", &s, &e) == 0)
		n_percpu = parse_list(s, percpu, MAX_CPUS);
	/* cpuacct.stat is in USER_HZ ticks; runc reports nanoseconds */
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t tick_ns = hz > 0 ? 1000000000ull / (uint64_t)hz : 10000000ull;
	uint64_t user = rd_key(acct, "cpuacct.stat", "user") * tick_ns;
	uint64_t kernel = rd_key(acct, "cpuacct.stat", "system") * tick_ns;
	/* "cpu user system" header, then "N user_ns system_ns" per cpu */
	if (acct && cg_read(acct, "cpuacct.usage_all", &all, &e) == 0) {
		char *line = strchr(all, '\n');
		while (line && *++line && n_pk < MAX_CPUS) {
			unsigned long long c, u, k;
			if (sscanf(line, "%llu %llu %llu", &c, &u, &k) != 3)
				break;
			pu[n_pk] = u;
			pk[n_pk] = k;
			n_pk++;
			line = strchr(line, '\n');
		}
	}
	jsonw_key(w, "usage");
	jsonw_obj_open(w);
	key_uint_nz(w, "total", total);
	key_u64_array_nz(w, "percpu", percpu, n_percpu);
	key_u64_array_nz(w, "percpu_kernel", pk, n_pk);
	key_u64_array_nz(w, "percpu_user", pu, n_pk);
	jsonw_key_uint(w, "kernel", kernel);
	jsonw_key_uint(w, "user", user);
	jsonw_obj_close(w);
	jsonw_key(w, "throttling");
	jsonw_obj_open(w);
	key_uint_nz(w, "periods", rd_key(cpu, "cpu.stat", "nr_periods"));
	key_uint_nz(w, "throttledPeriods", rd_key(cpu, "cpu.stat", "nr_throttled"));
	key_uint_nz(w, "throttledTime", rd_key(cpu, "cpu.stat", "throttled_time"));
	jsonw_obj_close(w);
}

static void cpu_v2(struct jsonw *w, const char *dir)
{
	/* cpu.stat exists in every cgroup2 directory, with or without the cpu controller */
	jsonw_key(w, "usage");
	jsonw_obj_open(w);
	key_uint_nz(w, "total", rd_key(dir, "cpu.stat", "usage_usec") * 1000);
	jsonw_key_uint(w, "kernel", rd_key(dir, "cpu.stat", "system_usec") * 1000);
	jsonw_key_uint(w, "user", rd_key(dir, "cpu.stat", "user_usec") * 1000);
	jsonw_obj_close(w);
	jsonw_key(w, "throttling");
	jsonw_obj_open(w);
	key_uint_nz(w, "periods", rd_key(dir, "cpu.stat", "nr_periods"));
	key_uint_nz(w, "throttledPeriods", rd_key(dir, "cpu.stat", "nr_throttled"));
	key_uint_nz(w, "throttledTime", rd_key(dir, "cpu.stat", "throttled_usec") * 1000);
	jsonw_obj_close(w);
}

/* "0-3,8" -> [0,1,2,3,8] */
static void cpuset_list(struct jsonw *w, const char *k, const char *dir, const char *file)
{
	_cleanup_free_ char *s = NULL;
	struct werr e;
	if (!dir || cg_read(dir, file, &s, &e) < 0 || !*cg_trim(s))
		return;
	jsonw_key(w, k);
	jsonw_arr_open(w);
	_cleanup_free_ char *copy = xstrdup(s);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned a, b;
		int n = sscanf(t, "%u-%u", &a, &b);
		if (n == 1)
			b = a;
		if (n < 1 || b < a || b - a > MAX_CPUS)
			continue;
		for (unsigned i = a; i <= b; i++)
			jsonw_uint(w, i);
	}
	jsonw_arr_close(w);
}

static void cpuset(struct jsonw *w, const char *dir)
{
	jsonw_key(w, "cpuset");
	jsonw_obj_open(w);
	cpuset_list(w, "cpus", dir, "cpuset.cpus");
	jsonw_key_uint(w, "cpu_exclusive", rd(dir, "cpuset.cpu_exclusive"));
	cpuset_list(w, "mems", dir, "cpuset.mems");
	jsonw_key_uint(w, "mem_hardwall", rd(dir, "cpuset.mem_hardwall"));
	jsonw_key_uint(w, "mem_exclusive", rd(dir, "cpuset.mem_exclusive"));
	jsonw_key_uint(w, "memory_migrate", rd(dir, "cpuset.memory_migrate"));
	jsonw_key_uint(w, "memory_spread_page", rd(dir, "cpuset.memory_spread_page"));
	jsonw_key_uint(w, "memory_spread_slab", rd(dir, "cpuset.memory_spread_slab"));
	jsonw_key_uint(w, "memory_pressure", rd(dir, "cpuset.memory_pressure"));
	jsonw_key_uint(w, "sched_load_balance", rd(dir, "cpuset.sched_load_balance"));
	_cleanup_free_ char *s = NULL;
	struct werr e;
	long long lvl = 0;
	if (dir && cg_read(dir, "cpuset.sched_relax_domain_level", &s, &e) == 0)
		parse_ll(cg_trim(s), INT64_MIN, INT64_MAX, &lvl);
	jsonw_key_int(w, "sched_relax_domain_level", lvl);
	jsonw_obj_close(w);
}

/* ---- memory ---------------------------------------------------------------------- */

struct kv {
	char *k;
	uint64_t v;
};

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k);
}

/* memory.stat as a sorted list (Go marshals maps with sorted keys) */
static size_t read_kv(const char *dir, const char *file, struct kv **out)
{
	*out = NULL;
	_cleanup_free_ char *s = NULL;
	struct werr e;
	if (!dir || cg_read(dir, file, &s, &e) < 0)
		return 0;
	size_t n = 0, cap = 0;
	char *save = NULL;
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*out = xrealloc(*out, cap * sizeof(**out));
		}
		(*out)[n].k = xstrdup(line);
		(*out)[n].v = strtoull(sp + 1, NULL, 10);
		n++;
	}
	qsort(*out, n, sizeof(**out), kv_cmp);
	return n;
}

static void free_kv(struct kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(kv[i].k);
	free(kv);
}

static uint64_t kv_get(const struct kv *kv, size_t n, const char *k)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(kv[i].k, k) == 0)
			return kv[i].v;
	return 0;
}

static void mem_entry(struct jsonw *w, const char *k, uint64_t limit, uint64_t usage, uint64_t max,
		      uint64_t failcnt)
{
	jsonw_key(w, k);
	jsonw_obj_open(w);
	jsonw_key_uint(w, "limit", limit);
	key_uint_nz(w, "usage", usage);
	key_uint_nz(w, "max", max);
	jsonw_key_uint(w, "failcnt", failcnt);
	jsonw_obj_close(w);
}

static void mem_entry_v1(struct jsonw *w, const char *k, const char *dir, const char *prefix)
{
	char f[4][96];
	snprintf(f[0], sizeof(f[0]), "%s.limit_in_bytes", prefix);
	snprintf(f[1], sizeof(f[1]), "%s.usage_in_bytes", prefix);
	snprintf(f[2], sizeof(f[2]), "%s.max_usage_in_bytes", prefix);
	snprintf(f[3], sizeof(f[3]), "%s.failcnt", prefix);
	mem_entry(w, k, rd(dir, f[0]), rd(dir, f[1]), rd(dir, f[2]), rd(dir, f[3]));
}

static void memory(struct jsonw *w, const char *dir, bool v2)
{
	struct kv *raw;
	size_t n = read_kv(dir, "memory.stat", &raw);
	jsonw_key(w, "memory");
	jsonw_obj_open(w);
	key_uint_nz(w, "cache", kv_get(raw, n, v2 ? "file" : "cache"));
	if (!v2) {
		mem_entry_v1(w, "usage", dir, "memory");
		mem_entry_v1(w, "swap", dir, "memory.memsw");
		mem_entry_v1(w, "kernel", dir, "memory.kmem");
		mem_entry_v1(w, "kernelTCP", dir, "memory.kmem.tcp");
	} else {
		uint64_t use = rd(dir, "memory.current"), lim = rd(dir, "memory.max");
		uint64_t swap = rd(dir, "memory.swap.current"), slim = rd(dir, "memory.swap.max");
		mem_entry(w, "usage", lim, use, rd(dir, "memory.peak"), 0);
		/* v1 compatibility, as runc: swap figures include memory */
		if (dir && cg_exists(dir, "memory.swap.current"))
			mem_entry(w, "swap", slim == UINT64_MAX ? UINT64_MAX : slim + lim,
				  swap + use, 0, 0);
		else
			mem_entry(w, "swap", 0, 0, 0, 0);
		mem_entry(w, "kernel", 0, 0, 0, 0);
		mem_entry(w, "kernelTCP", 0, 0, 0, 0);
	}
	if (n) {
		jsonw_key(w, "raw");
		jsonw_obj_open(w);
		for (size_t i = 0; i < n; i++)
			jsonw_key_uint(w, raw[i].k, raw[i].v);
		jsonw_obj_close(w);
	}
	jsonw_obj_close(w);
	free_kv(raw, n);
}

/* ---- pids ------------------------------------------------------------------------ */

static void pids(struct jsonw *w, struct cgroup *cg)
{
	struct cg_where wh;
	uint64_t cur = 0, lim = 0;
	if (cg_where_is(cg, "pids", &wh)) {
		cur = rd(wh.dir, "pids.current");
		lim = rd(wh.dir, "pids.max");
		if (lim == UINT64_MAX)
			lim = 0; /* runc reports "no limit" as 0 */
	} else if (cg->mode == CGROUP_MODE_V2) {
		/* no pids controller: count the members, as runc does */
		pid_t *p = NULL;
		size_t n = 0;
		struct werr e;
		if (cgroup_pids(cg, &p, &n, &e) == 0)
			cur = n;
		free(p);
	}
	jsonw_key(w, "pids");
	jsonw_obj_open(w);
	key_uint_nz(w, "current", cur);
	key_uint_nz(w, "limit", lim);
	jsonw_obj_close(w);
}

/* ---- blkio ----------------------------------------------------------------------- */

struct bentry {
	uint64_t major, minor, value;
	char op[16];
};

struct btable {
	struct bentry *e;
	size_t n, cap;
};

static void btable_add(struct btable *t, uint64_t ma, uint64_t mi, const char *op, uint64_t v)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->e = xrealloc(t->e, t->cap * sizeof(*t->e));
	}
	struct bentry *x = &t->e[t->n++];
	x->major = ma;
	x->minor = mi;
	x->value = v;
	snprintf(x->op, sizeof(x->op), "%s", op);
}

/* v1 "8:0 Read 123" lines ("Total N" skipped); false when the file is absent */
static bool read_blkio_v1(const char *dir, const char *file, struct btable *t)
{
	_cleanup_free_ char *s = NULL;
	struct werr e;
	if (cg_read(dir, file, &s, &e) < 0)
		return false;
	char *save = NULL;
	for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long ma, mi, v;
		char op[16];
		if (sscanf(line, "%llu:%llu %15s %llu", &ma, &mi, op, &v) == 4)
			btable_add(t, ma, mi, op, v);
		else if (sscanf(line, "%llu:%llu %llu", &ma, &mi, &v) == 3)
			btable_add(t, ma, mi, "", v);
	}
	return true;
}

static void btable_write(struct jsonw *w, const char *k, const struct btable *t)
{
	if (t->n == 0)
		return;
	jsonw_key(w, k);
	jsonw_arr_open(w);
	for (size_t i = 0; i < t->n; i++) {
		jsonw_obj_open(w);
		key_uint_nz(w, "major", t->e[i].major);
		key_uint_nz(w, "minor", t->e[i].minor);
		if (t->e[i].op[0])
			jsonw_key_str(w, "op", t->e[i].op);
		key_uint_nz(w, "value", t->e[i].value);
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void blkio(struct jsonw *w, struct cgroup *cg)
{
	struct btable bytes = {0}, ios = {0};
	struct cg_where wh;
	if (cg_where_is(cg, "blkio", &wh) && !wh.v2) {
		/* like runc: the first family whose first file has entries (bfq, then the
		 * throttling layer's recursive and plain counters) */
		static const char *const fam[][2] = {
			{"blkio.bfq.io_serviced_recursive", "blkio.bfq.io_service_bytes_recursive"},
			{"blkio.io_serviced_recursive", "blkio.io_service_bytes_recursive"},
			{"blkio.throttle.io_serviced_recursive",
			 "blkio.throttle.io_service_bytes_recursive"},
			{"blkio.throttle.io_serviced", "blkio.throttle.io_service_bytes"},
		};
		for (size_t i = 0; i < ARRAY_SIZE(fam); i++) {
			if (!read_blkio_v1(wh.dir, fam[i][0], &ios) || ios.n == 0)
				continue;
			read_blkio_v1(wh.dir, fam[i][1], &bytes);
			break;
		}
	} else {
		const char *dir = cg_where_is(cg, "blkio", &wh) ? wh.dir : NULL;
		_cleanup_free_ char *s = NULL;
		struct werr e;
		if (dir && cg_read(dir, "io.stat", &s, &e) == 0) {
			char *save = NULL;
			for (char *line = strtok_r(s, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save)) {
				unsigned long long ma, mi;
				int off;
				if (sscanf(line, "%llu:%llu%n", &ma, &mi, &off) != 2)
					continue;
				char *save2 = NULL;
				for (char *kv = strtok_r(line + off, " ", &save2); kv;
				     kv = strtok_r(NULL, " ", &save2)) {
					char *eq = strchr(kv, '=');
					if (!eq)
						continue;
					*eq = '\0';
					uint64_t v = strtoull(eq + 1, NULL, 10);
					if (strcmp(kv, "rbytes") == 0)
						btable_add(&bytes, ma, mi, "Read", v);
					else if (strcmp(kv, "wbytes") == 0)
						btable_add(&bytes, ma, mi, "Write", v);
					else if (strcmp(kv, "rios") == 0)
						btable_add(&ios, ma, mi, "Read", v);
					else if (strcmp(kv, "wios") == 0)
						btable_add(&ios, ma, mi, "Write", v);
				}
			}
		}
	}
	jsonw_key(w, "blkio");
	jsonw_obj_open(w);
	btable_write(w, "ioServiceBytesRecursive", &bytes);
	btable_write(w, "ioServicedRecursive", &ios);
	jsonw_obj_close(w);
	free(bytes.e);
	free(ios.e);
}

/* ---- hugetlb --------------------------------------------------------------------- */

static void hugetlb(struct jsonw *w, struct cgroup *cg)
{
	jsonw_key(w, "hugetlb");
	jsonw_obj_open(w);
	struct cg_where wh;
	_cleanup_closedir_ DIR *d = NULL;
	if (cg_where_is(cg, "hugetlb", &wh))
		d = opendir("/sys/kernel/mm/hugepages");
	/* directory order is arbitrary; Go sorts map keys: collect, sort, write */
	char *names[64];
	size_t n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)) && n < ARRAY_SIZE(names)) {
		char *ps = cg_hugepage_name(de->d_name);
		if (ps)
			names[n++] = ps;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	for (size_t i = 0; i < n; i++) {
		const char *ps = names[i];
		char f[128];
		uint64_t usage, max = 0, failcnt;
		if (wh.v2) {
			snprintf(f, sizeof(f), "hugetlb.%s.rsvd.current", ps);
			if (!cg_exists(wh.dir, f))
				snprintf(f, sizeof(f), "hugetlb.%s.current", ps);
			usage = rd(wh.dir, f);
			snprintf(f, sizeof(f), "hugetlb.%s.events", ps);
			failcnt = rd_key(wh.dir, f, "max");
		} else {
			const char *rsvd = ".rsvd";
			snprintf(f, sizeof(f), "hugetlb.%s.rsvd.usage_in_bytes", ps);
			if (!cg_exists(wh.dir, f))
				rsvd = "";
			snprintf(f, sizeof(f), "hugetlb.%s%s.usage_in_bytes", ps, rsvd);
			usage = rd(wh.dir, f);
			snprintf(f, sizeof(f), "hugetlb.%s%s.max_usage_in_bytes", ps, rsvd);
			max = rd(wh.dir, f);
			snprintf(f, sizeof(f), "hugetlb.%s%s.failcnt", ps, rsvd);
			failcnt = rd(wh.dir, f);
		}
		jsonw_key(w, ps);
		jsonw_obj_open(w);
		key_uint_nz(w, "usage", usage);
		key_uint_nz(w, "max", max);
		jsonw_key_uint(w, "failcnt", failcnt);
		jsonw_obj_close(w);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	jsonw_obj_close(w);
}

/* ---- all ------------------------------------------------------------------------- */

int cgroup_stats(struct cgroup *cg, struct jsonw *w, struct werr *e)
{
	struct cg_where wh;
	jsonw_obj_open(w);

	jsonw_key(w, "cpu");
	jsonw_obj_open(w);
	const char *acct = cg_v1_dir_of(cg, "cpuacct");
	if (acct)
		cpu_v1(w, acct, cg_v1_dir_of(cg, "cpu"));
	else if (cg->unified)
		cpu_v2(w, cg->unified);
	else
		cpu_v1(w, NULL, cg_v1_dir_of(cg, "cpu"));
	jsonw_obj_close(w);

	cpuset(w, cg_v1_dir_of(cg, "cpuset"));

	bool mem = cg_where_is(cg, "memory", &wh);
	memory(w, mem ? wh.dir : NULL, mem && wh.v2);

	pids(w, cg);
	blkio(w, cg);
	hugetlb(w, cg);

	/* runc always has these two; ward does not do Intel RDT or interface stats */
	jsonw_key(w, "intel_rdt");
	jsonw_obj_open(w);
	jsonw_obj_close(w);
	jsonw_key(w, "network_interfaces");
	jsonw_null(w);

	jsonw_obj_close(w);
	if (w->failed)
		return werr_set(e, ENOMEM, "cgroup stats: JSON output failed");
	return 0;
}
