/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure logic of the cgroup module, no kernel needed: v1->v2 conversions, path
 * cleaning and resolution, mountinfo layout detection on fixtures of the three
 * layouts, device rule lists and their eBPF program, and the state description.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "runtime/cgroup_internal.h"
#include "tap.h"

static void test_shares(void)
{
	TAP_OK(cg_shares_to_weight(0) == 0, "shares 0 is unset");
	TAP_OK(cg_shares_to_weight(2) == 1, "shares 2 -> weight 1");
	TAP_OK(cg_shares_to_weight(1) == 1, "shares below 2 clamp to weight 1");
	TAP_OK(cg_shares_to_weight(262144) == 10000, "shares 262144 -> weight 10000");
	TAP_OK(cg_shares_to_weight(1000000) == 10000, "shares above the range clamp to 10000");
	/* 1 + (1022 * 9999) / 262142 = 1 + 38 */
	TAP_OK(cg_shares_to_weight(1024) == 39, "shares 1024 -> weight 39 (runc's linear formula)");
	TAP_OK(cg_shares_to_weight(512) == 1 + (510ull * 9999) / 262142, "shares 512");
	uint64_t prev = 0;
	int mono = 1;
	for (uint64_t s = 2; s <= 262144; s += 997) {
		uint64_t w = cg_shares_to_weight(s);
		if (w < prev || w < 1 || w > 10000)
			mono = 0;
		prev = w;
	}
	TAP_OK(mono, "shares->weight is monotonic within [1, 10000]");
}

static void test_blkio_weight(void)
{
	TAP_OK(cg_blkio_weight_to_io_weight(0) == 0, "blkio weight 0 is unset");
	TAP_OK(cg_blkio_weight_to_io_weight(10) == 1, "blkio 10 -> io 1");
	TAP_OK(cg_blkio_weight_to_io_weight(1000) == 10000, "blkio 1000 -> io 10000");
	TAP_OK(cg_blkio_weight_to_io_weight(500) == 1 + (490ull * 9999) / 990,
	       "blkio 500 -> io 4950");
	TAP_OK(cg_blkio_weight_to_io_weight(5) == 1, "blkio below 10 clamps");
}

static void test_swap(void)
{
	struct werr e = {0};
	int64_t out = 99;
	TAP_OK(cg_swap_to_v2(0, 0, &out, &e) == 0 && out == 0, "swap unset stays unset");
	TAP_OK(cg_swap_to_v2(0, -1, &out, &e) == 0 && out == -1,
	       "memory unlimited, swap unset -> swap unlimited");
	TAP_OK(cg_swap_to_v2(-1, 100, &out, &e) == 0 && out == -1, "swap -1 -> max");
	TAP_OK(cg_swap_to_v2(300, 100, &out, &e) == 0 && out == 200,
	       "memory+swap 300, memory 100 -> swap.max 200");
	TAP_OK(cg_swap_to_v2(100, 100, &out, &e) == 0 && out == 0,
	       "memory+swap == memory -> no swap");
	TAP_OK(cg_swap_to_v2(300, -1, &out, &e) == 0 && out == 300,
	       "unlimited memory: memory+swap is all swap");
	int rc_1 = cg_swap_to_v2(300, 0, &out, &e);
	TAP_OK(rc_1 < 0 && strstr(e.msg, "memory limit"),
	       "swap without a memory limit is refused: %s", e.msg);
	TAP_OK(cg_swap_to_v2(50, 100, &out, &e) < 0, "memory+swap below memory is refused");
	char buf[32];
	TAP_STREQ(cg_v2_num(-1, buf, sizeof(buf)), "max", "v2 number -1 is max");
	TAP_STREQ(cg_v2_num(4096, buf, sizeof(buf)), "4096", "v2 number 4096");
	TAP_STREQ(cg_pids_max(-1, buf, sizeof(buf)), "max", "pids -1 -> max");
	TAP_STREQ(cg_pids_max(0, buf, sizeof(buf)), "1", "pids 0 -> 1 (runc)");
	TAP_STREQ(cg_pids_max(42, buf, sizeof(buf)), "42", "pids 42");
}

static void test_hugepage_names(void)
{
	char *a = cg_hugepage_name("hugepages-2048kB");
	char *b = cg_hugepage_name("hugepages-1048576kB");
	char *c = cg_hugepage_name("hugepages-64kB");
	char *d = cg_hugepage_name("hugepages-xkB");
	TAP_STREQ(a, "2MB", "hugepages-2048kB is 2MB");
	TAP_STREQ(b, "1GB", "hugepages-1048576kB is 1GB");
	TAP_STREQ(c, "64KB", "hugepages-64kB is 64KB");
	TAP_OK(d == NULL, "malformed hugepage dir is rejected");
	free(a);
	free(b);
	free(c);
	free(d);
}

static void check_clean(const char *in, const char *want)
{
	char *got = cg_clean_path(in);
	TAP_STREQ(got, want, "clean \"%s\"", in);
	free(got);
}

static void test_paths(void)
{
	check_clean("", "");
	check_clean("/a/b/../c", "/a/c");
	check_clean("/../../etc", "/etc");
	check_clean("//x///y/", "/x/y");
	check_clean("../../x", "x");
	check_clean("a/./b/../../../c", "c");
	check_clean(".", ".");
	check_clean("/", "/");

	const char *self = "12:pids:/user.slice\n4:cpu,cpuacct:/a/b\n1:name=systemd:/init.scope\n"
			   "0::/user.slice/session-1.scope\n";
	char *p = cg_proc_cgroup_find(self, "cpu,cpuacct");
	TAP_STREQ(p, "/a/b", "own cgroup for a joint cpu,cpuacct hierarchy");
	free(p);
	p = cg_proc_cgroup_find(self, "cpuacct");
	TAP_STREQ(p, "/a/b", "own cgroup found by one of its controllers");
	free(p);
	p = cg_proc_cgroup_find(self, "name=systemd");
	TAP_STREQ(p, "/init.scope", "own cgroup of a named hierarchy");
	free(p);
	p = cg_proc_cgroup_find(self, "");
	TAP_STREQ(p, "/user.slice/session-1.scope", "own cgroup2 cgroup");
	free(p);
	p = cg_proc_cgroup_find(self, "memory");
	TAP_OK(p == NULL, "absent hierarchy gives NULL");
	free(p);

	char *d = cg_resolve_dir("/sys/fs/cgroup/memory", "/", "/x/y", "/ward/c1", false);
	TAP_STREQ(d, "/sys/fs/cgroup/memory/ward/c1", "absolute path hangs off the mount point");
	free(d);
	d = cg_resolve_dir("/sys/fs/cgroup/memory", "/", "/x/y", "c1", false);
	TAP_STREQ(d, "/sys/fs/cgroup/memory/x/y/c1", "v1 relative path hangs off our own cgroup");
	free(d);
	d = cg_resolve_dir("/sys/fs/cgroup", "/", "/user.slice/s.scope", "c1", true);
	TAP_STREQ(d, "/sys/fs/cgroup/user.slice/c1", "v2 relative path hangs off our parent");
	free(d);
	d = cg_resolve_dir("/sys/fs/cgroup", "/", "/", "c1", true);
	TAP_STREQ(d, "/sys/fs/cgroup/c1", "v2 relative path below the root stays at the root");
	free(d);
	d = cg_resolve_dir("/sys/fs/cgroup/cpu", "/docker/abc", "/docker/abc/sub", "c1", false);
	TAP_STREQ(d, "/sys/fs/cgroup/cpu/sub/c1", "own cgroup is taken relative to the mount root");
	free(d);
	d = cg_resolve_dir("/sys/fs/cgroup/cpu", "/docker/abc", "/other", "c1", false);
	TAP_OK(d == NULL, "own cgroup outside the mount root is refused");
	free(d);
}

static const char mi_hybrid[] =
	"22 28 0:20 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
	"31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
	"rw,xattr,name=systemd\n"
	"36 31 0:33 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,noprefix,cpuset\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
	"90 60 0:32 /docker /mnt/mem\\040dup rw - cgroup cgroup rw,memory\n";

static const char mi_v2[] =
	"22 28 0:20 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
	"26 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";

static const char mi_v1[] = "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"
			    "32 31 0:29 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
			    "33 31 0:30 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n";

static void test_mounts(void)
{
	struct werr e = {0};
	struct cg_mounts m;
	enum cgroup_mode mode;
	TAP_OK(cg_mounts_parse(mi_hybrid, &m, &e) == 0, "hybrid mountinfo parses");
	TAP_OK(cg_mounts_mode(&m, &mode, &e) == 0 && mode == CGROUP_MODE_HYBRID,
	       "hybrid layout detected");
	TAP_OK(m.n_v1 == 4, "four v1 hierarchies (a second mount of memory is not a new one): %zu",
	       m.n_v1);
	TAP_STREQ(m.n_v1 > 0 ? m.v1[0].controllers : NULL, "cpu,cpuacct",
		  "joint hierarchy keeps both controllers");
	TAP_STREQ(m.n_v1 > 2 ? m.v1[2].controllers : NULL, "name=systemd",
		  "named hierarchy is kept, other options dropped");
	TAP_STREQ(m.n_v1 > 3 ? m.v1[3].controllers : NULL, "cpuset",
		  "noprefix is not a controller");
	TAP_STREQ(m.n_v1 > 1 ? m.v1[1].mountpoint : NULL, "/sys/fs/cgroup/memory",
		  "the /sys/fs/cgroup mount of a hierarchy wins over another mount of it");
	TAP_STREQ(m.v2_mountpoint, "/sys/fs/cgroup/unified", "unified mount found");
	cg_mounts_release(&m);

	TAP_OK(cg_mounts_parse(mi_v2, &m, &e) == 0 && cg_mounts_mode(&m, &mode, &e) == 0 &&
		       mode == CGROUP_MODE_V2 && m.n_v1 == 0,
	       "pure v2 layout detected");
	TAP_STREQ(m.v2_mountpoint, "/sys/fs/cgroup", "v2 mount point");
	cg_mounts_release(&m);

	TAP_OK(cg_mounts_parse(mi_v1, &m, &e) == 0 && cg_mounts_mode(&m, &mode, &e) == 0 &&
		       mode == CGROUP_MODE_V1 && m.n_v1 == 2 && !m.v2_mountpoint,
	       "pure v1 layout detected");
	cg_mounts_release(&m);

	int rc_2 = cg_mounts_parse("22 28 0:20 / /sys rw - sysfs sysfs rw\n", &m, &e);
	TAP_OK(rc_2 < 0 && strstr(e.msg, "no cgroup"), "no cgroup mounted is an error: %s", e.msg);
	cg_mounts_release(&m);
	TAP_OK(cg_mounts_parse("garbage\n\n1 2\n", &m, &e) < 0, "garbage is not a cgroup layout");
	cg_mounts_release(&m);
}

static void test_devices(void)
{
	struct werr e = {0};
	struct oci_device_cgroup devs[3] = {
		{.allow = false, .access = "rwm"},
		{.allow = true,
		 .type = "c",
		 .has_major = true,
		 .major = 1,
		 .has_minor = true,
		 .minor = 11,
		 .access = "r"},
		{.allow = true, .type = "b", .has_major = true, .major = 7, .access = "rw"},
	};
	struct cg_dev_rule *r = NULL;
	size_t n = 0;
	TAP_OK(cg_dev_rules_build(devs, 3, &r, &n, &e) == 0, "device rules build");
	TAP_OK(n == 1 + 3 + 11, "deny-all + 3 config rules + 11 runc defaults: %zu", n);
	char buf[64];
	TAP_STREQ(n > 0 ? cg_dev_rule_v1(&r[0], buf, sizeof(buf)) : NULL, "a",
		  "starts with deny a");
	TAP_OK(n > 0 && !r[0].allow, "first rule denies");
	TAP_STREQ(n > 2 ? cg_dev_rule_v1(&r[2], buf, sizeof(buf)) : NULL, "c 1:11 r", "c 1:11 r");
	TAP_STREQ(n > 3 ? cg_dev_rule_v1(&r[3], buf, sizeof(buf)) : NULL, "b 7:* rw",
		  "absent minor is a wildcard");
	TAP_STREQ(n > 4 ? cg_dev_rule_v1(&r[4], buf, sizeof(buf)) : NULL, "c *:* m",
		  "runc defaults follow: mknod of any char device");

	struct bpf_insn *prog = NULL;
	size_t np = 0;
	TAP_OK(cg_devices_bpf_build(r, n, &prog, &np, &e) == 0, "bpf program builds");
	TAP_OK(np > 8 && prog[np - 1].code == (BPF_JMP | BPF_EXIT) &&
		       prog[np - 2].code == (BPF_ALU | BPF_MOV | BPF_K) && prog[np - 2].imm == 0,
	       "program ends with a default deny");
	int jumps_ok = 1;
	for (size_t i = 0; i < np; i++) {
		uint8_t cls = BPF_CLASS(prog[i].code);
		if ((cls == BPF_JMP32 || cls == BPF_JMP) && BPF_OP(prog[i].code) != BPF_EXIT) {
			long target = (long)i + 1 + prog[i].off;
			if (prog[i].off <= 0 || target >= (long)np)
				jumps_ok = 0;
		}
	}
	TAP_OK(jumps_ok, "every jump goes forward and stays inside the program");
	free(prog);
	free(r);

	/* an "a" rule hides everything before it */
	struct oci_device_cgroup allow_all[2] = {
		{.allow = true, .type = "c", .has_major = true, .major = 1, .access = "rwm"},
		{.allow = true, .type = "a", .access = "rwm"},
	};
	TAP_OK(cg_dev_rules_build(allow_all, 2, &r, &n, &e) == 0, "allow-all rules build");
	size_t np2 = 0;
	TAP_OK(cg_devices_bpf_build(r, n, &prog, &np2, &e) == 0, "allow-all program builds");
	TAP_OK(np2 < np, "rules before an \"a\" rule are not compiled (%zu < %zu insns)", np2, np);
	free(prog);
	free(r);

	struct oci_device_cgroup bad[1] = {{.allow = true, .type = "x", .access = "r"}};
	int rc_3 = cg_dev_rules_build(bad, 1, &r, &n, &e);
	TAP_OK(rc_3 < 0 && strstr(e.msg, "devices[0].type"),
	       "bad type refused naming the field: %s", e.msg);
	struct oci_device_cgroup bad2[1] = {{.allow = true, .type = "c", .access = "rx"}};
	int rc_4 = cg_dev_rules_build(bad2, 1, &r, &n, &e);
	TAP_OK(rc_4 < 0 && strstr(e.msg, "devices[0].access"),
	       "bad access refused naming the field: %s", e.msg);
}

static void test_describe(void)
{
	struct werr e = {0};
	const char *desc =
		"{\"version\":1,\"mode\":\"hybrid\",\"v1\":[{\"controllers\":\"cpu,cpuacct\","
		"\"path\":\"/sys/fs/cgroup/cpu,cpuacct/w/"
		"c1\"},{\"controllers\":\"memory\",\"path\":"
		"\"/sys/fs/cgroup/memory/w/c1\"}],\"unified\":\"/sys/fs/cgroup/unified/w/c1\","
		"\"created\":[\"/sys/fs/cgroup/cpu,cpuacct/w\",\"/sys/fs/cgroup/cpu,cpuacct/w/c1\","
		"\"/sys/fs/cgroup/unified/w/c1\"]}";
	struct cgroup *cg = NULL;
	int rc_5 = cgroup_open(desc, &cg, &e);
	TAP_OK(rc_5 == 0, "description opens: %s", cg ? "" : e.msg);
	if (!cg)
		return;
	TAP_OK(cgroup_get_mode(cg) == CGROUP_MODE_HYBRID, "mode survives");
	TAP_STREQ(cgroup_dir(cg, "cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/w/c1",
		  "controller lookup in a joint hierarchy");
	TAP_STREQ(cgroup_dir(cg, ""), "/sys/fs/cgroup/unified/w/c1", "cgroup2 dir");
	TAP_OK(cgroup_dir(cg, "pids") == NULL, "absent controller");
	char *again = cgroup_describe(cg);
	TAP_STREQ(again, desc, "describe(open(x)) == x");
	TAP_OK(again && !strchr(again, '\n'), "description is a single line");
	free(again);
	cgroup_free(cg);

	static const char *const bad[] = {
		"not json",
		"{\"version\":2,\"mode\":\"v2\",\"v1\":[],\"unified\":\"/sys/fs/cgroup/x\"}",
		"{\"version\":1,\"mode\":\"v9\",\"v1\":[],\"unified\":\"/sys/fs/cgroup/x\"}",
		"{\"version\":1,\"mode\":\"v2\",\"v1\":[],\"unified\":\"/sys/fs/cgroup/../x\"}",
		"{\"version\":1,\"mode\":\"v2\",\"v1\":[],\"unified\":\"/sys/fs/cgroup/x\","
		"\"created\":[\"/etc\"]}",
		"{\"version\":1,\"mode\":\"v1\",\"v1\":[],\"unified\":\"/sys/fs/cgroup/x\"}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cg = NULL;
		int rc_6 = cgroup_open(bad[i], &cg, &e);
		TAP_OK(rc_6 < 0 && cg == NULL, "bad description %zu refused: %s", i, e.msg);
	}
}

int main(void)
{
	test_shares();
	test_blkio_weight();
	test_swap();
	test_hugepage_names();
	test_paths();
	test_mounts();
	test_devices();
	test_describe();
	return tap_done();
}
