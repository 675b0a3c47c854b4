/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The virtual /proc generators (shim/sup_vproc_gen.c) on fixture host text and
 * fixture cgroup numbers, plus the open-flags decoding of the file audit.
 */
#include <stdlib.h>
#include <string.h>

#include "../../shim/sup_file.h"
#include "../../shim/sup_vproc.h"
#include "tap.h"

static const char host_meminfo[] = "MemTotal:       24684096 kB\n"
				   "MemFree:        23502904 kB\n"
				   "MemAvailable:   23889816 kB\n"
				   "Buffers:            6648 kB\n"
				   "Cached:           810380 kB\n"
				   "SwapCached:            0 kB\n"
				   "Active:           274828 kB\n"
				   "Inactive:         733772 kB\n"
				   "SwapTotal:       1048572 kB\n"
				   "SwapFree:        1048572 kB\n"
				   "Shmem:              8872 kB\n"
				   "SReclaimable:      60000 kB\n"
				   "HugePages_Total:       0\n"
				   "Hugepagesize:       2048 kB\n";

static const char host_cpuinfo[] = "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n\n"
				   "processor\t: 1\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n\n"
				   "processor\t: 2\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n\n"
				   "processor\t: 3\nvendor_id\t: GenuineIntel\nflags\t\t: fpu\n\n";

static const char host_stat[] = "cpu  100 0 50 10000 0 0 0 0 0 0\n"
				"cpu0 25 0 12 2500 0 0 0 0 0 0\n"
				"cpu1 25 0 12 2500 0 0 0 0 0 0\n"
				"cpu2 25 0 13 2500 0 0 0 0 0 0\n"
				"cpu3 25 0 13 2500 0 0 0 0 0 0\n"
				"intr 12345 0\nctxt 999\nbtime 1700000000\nprocesses 42\n"
				"procs_running 1\nprocs_blocked 0\n";

/* Runs a generator into a heap string. */
#define GEN(call, outp)                                                                            \
	do {                                                                                       \
		size_t len_;                                                                       \
		FILE *f_ = open_memstream(&(outp), &len_);                                         \
		int r_ = (call);                                                                   \
		fclose(f_);                                                                        \
		TAP_OK(r_ == 0, "%s succeeds", #call);                                             \
	} while (0)

static unsigned long long field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;
	size_t k = strlen(prefix);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += strncmp(l, prefix, k) == 0;
	return n;
}

static void base_limits(struct vproc_limits *l)
{
	memset(l, 0, sizeof(*l));
	l->mem_limit = l->swap_limit = UINT64_MAX;
	l->hz = 100;
	for (int c = 0; c < 4; c++)
		CPU_SET(c, &l->cpuset);
}

static void test_meminfo(void)
{
	struct vproc_limits l;
	base_limits(&l);
	l.have_mem = true;
	l.mem_limit = 256ull << 20;
	l.mem_usage = 100ull << 20;
	l.cache = 40ull << 20;
	l.active_file = 10ull << 20;
	l.inactive_file = 20ull << 20;
	l.active_anon = 30ull << 20;
	l.shmem = 1ull << 20;
	l.have_swap = true;
	l.swap_limit = 64ull << 20;
	l.swap_usage = 4ull << 20;
	char *out = NULL;
	GEN(vproc_meminfo(f_, host_meminfo, &l), out);
	TAP_OK(field(out, "MemTotal:") == 262144, "MemTotal is the 256 MiB limit (%llu kB)",
	       field(out, "MemTotal:"));
	TAP_OK(field(out, "MemFree:") == 262144 - 102400, "MemFree is limit - usage");
	TAP_OK(field(out, "MemAvailable:") == 262144 - 102400 + 30720,
	       "MemAvailable adds the file cache");
	TAP_OK(field(out, "Cached:") == 40960 && field(out, "Buffers:") == 0,
	       "Cached from memory.stat, Buffers 0");
	TAP_OK(field(out, "Active:") == 30720 + 10240, "Active = anon + file");
	TAP_OK(field(out, "SwapTotal:") == 65536 && field(out, "SwapFree:") == 61440,
	       "swap from the swap limit and usage");
	TAP_OK(field(out, "SReclaimable:") == 0, "host slab not shown on v1");
	TAP_OK(strstr(out, "HugePages_Total:       0\n") &&
		       strstr(out, "Hugepagesize:       2048 kB"),
	       "other lines are the host's, unchanged");
	TAP_OK(strstr(out, "MemTotal:         262144 kB\n") != NULL, "the kernel's column layout");
	free(out);

	/* no limit: the host's total, the container's usage */
	l.mem_limit = UINT64_MAX;
	l.have_swap = false;
	GEN(vproc_meminfo(f_, host_meminfo, &l), out);
	TAP_OK(field(out, "MemTotal:") == 24684096, "unlimited: the host's MemTotal");
	TAP_OK(field(out, "SwapTotal:") == 1048572, "no swap numbers: the host's swap lines");
	free(out);

	/* a limit above the host's memory */
	l.mem_limit = 1ull << 50;
	GEN(vproc_meminfo(f_, host_meminfo, &l), out);
	TAP_OK(field(out, "MemTotal:") == 24684096, "a limit above the host: the host's total");
	free(out);

	/* no memory controller: the host's file as it is */
	l.have_mem = false;
	GEN(vproc_meminfo(f_, host_meminfo, &l), out);
	TAP_STREQ(out, host_meminfo, "no memory numbers: the host's text");
	free(out);

	/* sysinfo follows the same numbers */
	l.have_mem = true;
	l.mem_limit = 256ull << 20;
	l.uptime = 12.7;
	l.runnable = 2;
	l.threads = 5;
	struct sysinfo si = {.mem_unit = 1, .totalswap = 7, .freeswap = 3};
	vproc_sysinfo(&si, host_meminfo, &l);
	TAP_OK(si.totalram == 256ull << 20 && si.mem_unit == 1, "sysinfo: totalram is the limit");
	TAP_OK(si.freeram == (256ull - 100) << 20, "sysinfo: freeram = limit - usage");
	TAP_OK(si.uptime == 12 && si.procs == 5 && si.loads[0] == 2ul << SI_LOAD_SHIFT,
	       "sysinfo: uptime, procs and loads are the container's");
	TAP_OK(si.totalswap == 7, "sysinfo: no swap numbers keep the host's swap");

	out = NULL;
	size_t len;
	FILE *f = open_memstream(&out, &len);
	TAP_OK(vproc_meminfo(f, "garbage\n", &l) < 0, "a meminfo without MemTotal is refused");
	fclose(f);
	free(out);
}

static void test_cpus(void)
{
	struct vproc_limits l;
	base_limits(&l);
	cpu_set_t s;
	TAP_OK(vproc_parse_cpulist("0-2,5\n", &s) == 0 && CPU_COUNT(&s) == 4 && CPU_ISSET(5, &s) &&
		       !CPU_ISSET(3, &s),
	       "cpu list 0-2,5");
	TAP_OK(vproc_parse_cpulist("3-1", &s) < 0 && vproc_parse_cpulist("x", &s) < 0,
	       "malformed cpu lists are refused");

	/* cpuset 1,3 */
	CPU_ZERO(&l.cpuset);
	CPU_SET(1, &l.cpuset);
	CPU_SET(3, &l.cpuset);
	char *out = NULL;
	GEN(vproc_cpuinfo(f_, host_cpuinfo, &l), out);
	TAP_OK(count_lines(out, "processor") == 2, "cpuinfo: two processors");
	TAP_OK(strstr(out, "processor\t: 0\n") && strstr(out, "processor\t: 1\n") &&
		       !strstr(out, "processor\t: 3"),
	       "cpuinfo: renumbered 0 and 1");
	free(out);
	GEN(vproc_cpu_online(f_, &l), out);
	TAP_STREQ(out, "0-1\n", "cpu/online for two CPUs");
	free(out);

	/* a quota of 1.5 CPUs on all four: two CPUs */
	base_limits(&l);
	l.quota_cpus = 2;
	GEN(vproc_cpuinfo(f_, host_cpuinfo, &l), out);
	TAP_OK(count_lines(out, "processor") == 2, "cpuinfo: quota of 2 CPUs");
	free(out);
	l.quota_cpus = 1;
	GEN(vproc_cpu_online(f_, &l), out);
	TAP_STREQ(out, "0\n", "cpu/online for a quota of one CPU");
	free(out);

	unsigned char mask[8] = {0x0f, 0x01};
	vproc_affinity_cut(mask, sizeof(mask), 2);
	TAP_OK(mask[0] == 0x03 && mask[1] == 0, "affinity: the first two CPUs kept");
}

static void test_stat_uptime(void)
{
	struct vproc_limits l;
	base_limits(&l);
	l.quota_cpus = 1;
	l.have_cpu_usage = true;
	l.usage_ns = 3000000000ull;
	l.user_ns = 2000000000ull;
	l.system_ns = 1000000000ull;
	l.uptime = 10.0;
	char *out = NULL;
	GEN(vproc_stat(f_, host_stat, &l), out);
	TAP_OK(count_lines(out, "cpu") == 2, "stat: cpu and cpu0 only");
	TAP_OK(strstr(out, "cpu  200 0 100 700 0 0 0 0 0 0\n") != NULL,
	       "stat: user/system from the cgroup, idle = age - both");
	TAP_OK(strstr(out, "cpu0 200 0 100 700 ") != NULL, "stat: cpu0 the same");
	TAP_OK(strstr(out, "btime 1700000000\n") && strstr(out, "ctxt 999\n"),
	       "stat: other lines are the host's");
	free(out);

	/* per-CPU numbers on a cpuset of 2 and 3 */
	static const uint64_t pu[4] = {0, 0, 1000000000ull, 3000000000ull};
	static const uint64_t ps[4] = {0, 0, 0, 1000000000ull};
	base_limits(&l);
	CPU_ZERO(&l.cpuset);
	CPU_SET(2, &l.cpuset);
	CPU_SET(3, &l.cpuset);
	l.percpu_user_ns = pu;
	l.percpu_sys_ns = ps;
	l.n_percpu = 4;
	l.uptime = 10.0;
	GEN(vproc_stat(f_, host_stat, &l), out);
	TAP_OK(strstr(out, "cpu0 100 0 0 900 ") && strstr(out, "cpu1 300 0 100 600 ") &&
		       strstr(out, "cpu  400 0 100 1500 "),
	       "stat: per-CPU usage of host CPUs 2 and 3 as cpu0 and cpu1");
	free(out);

	base_limits(&l);
	l.quota_cpus = 2;
	l.have_cpu_usage = true;
	l.usage_ns = 5000000000ull;
	l.uptime = 10.0;
	GEN(vproc_uptime(f_, &l), out);
	TAP_STREQ(out, "10.00 15.00\n", "uptime: age, idle = age x 2 CPUs - 5 s used");
	free(out);

	l.runnable = 3;
	l.threads = 7;
	l.last_pid = 42;
	GEN(vproc_loadavg(f_, &l), out);
	TAP_STREQ(out, "3.00 3.00 3.00 3/7 42\n", "loadavg from the runnable threads");
	free(out);
}

static void test_flags(void)
{
	char b[256];
	sup_file_open_flags(0, b, sizeof(b));
	TAP_STREQ(b, "O_RDONLY", "flags 0");
	sup_file_open_flags(01 | 0100 | 01000 | 02000000, b, sizeof(b));
	TAP_STREQ(b, "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC", "a creating write open");
	sup_file_open_flags(02 | 020200000, b, sizeof(b));
	TAP_STREQ(b, "O_RDWR|O_TMPFILE", "O_TMPFILE is named whole");
	sup_file_open_flags(0x80000000u, b, sizeof(b));
	TAP_STREQ(b, "O_RDONLY|0x80000000", "unknown bits in hex");
}

int main(void)
{
	test_meminfo();
	test_cpus();
	test_stat_uptime();
	test_flags();
	return tap_done();
}
