/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Malicious images and configs against the rootfs code (root only). Each attack aims at
 * a canary the test owns (a host temp dir or file); the test asserts the attack is
 * refused or lands inside the rootfs, and that the canary is unchanged.
 *
 *   /proc or /sys in the image is a symlink (absolute or relative) or a file
 *       -> refused (CVE-2019-19921 / CVE-2023-27561 class)
 *   a destination with "..", through a symlink to a host dir, through a dangling link
 *       -> lands inside the rootfs, nothing created on the host (CVE-2021-30465 class)
 *   a racer swapping a path component with a symlink to the host while mounting
 *       -> never reaches the host (openat2 and the fallback walker)
 *   the image's /dev/null is a symlink to a host file, a regular file, another device
 *       -> masking still uses a real 1:3 device, the host file unchanged (CVE-2025-31133)
 *   mounts into /proc: lxcfs-style files allowed, anything else refused, also through a
 *   symlink in the image; a non-procfs bind on /proc refused
 *   sysctl with no private procfs and a fake /proc in the image -> refused, fake file
 *   untouched (CVE-2019-16884 class)
 */
#include <linux/fs.h>
#include <sys/syscall.h>

#include "tap.h"
#include "test_rootfs_harness.h"

static char bundle[64] = "/tmp/ward-rootfs-attack-XXXXXX";
static char canary[64] = "/tmp/ward-canary-XXXXXX";
static char *rootfs;

/* Creates a fresh rootfs for one attack. */
static void fresh_rootfs(void)
{
	h_rm_rf(rootfs);
	build_rootfs(rootfs);
}

static char *in_rootfs(const char *path)
{
	return h_path(rootfs, path[0] == '/' ? path + 1 : path);
}

static void rootfs_symlink(const char *target, const char *path)
{
	char *p = in_rootfs(path);
	unlink(p);
	rmdir(p);
	if (symlink(target, p) < 0)
		h_die(p);
	free(p);
}

/* The canary dir holds exactly "keep" with its content, and is on the host's fs. */
static bool canary_intact(void)
{
	DIR *d = opendir(canary);
	int n = 0;
	bool keep = false;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		keep = keep || strcmp(de->d_name, "keep") == 0;
	}
	if (d)
		closedir(d);
	char *k = h_path(canary, "keep");
	char buf[16] = "";
	FILE *f = fopen(k, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	free(k);
	return n == 1 && keep && strcmp(buf, "CANARY") == 0;
}

static struct cfgb *base_config(void)
{
	struct cfgb *b = cfgb_new();
	cfg_std_ns(b);
	return b;
}

/* After a refusal, from inside the child's namespace: nothing mounted on the canary, and
 * no procfs/sysfs under the bundle except a legitimate one on the rootfs' /proc or /sys. */
static void on_error_mounts(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char *line = NULL;
	size_t cap = 0;
	int n = 0;
	char *proc = in_rootfs("/proc"), *sys = in_rootfs("/sys");
	while (f && getline(&line, &cap, f) > 0) {
		char mp[512];
		if (sscanf(line, "%*d %*d %*s %*s %511s", mp) != 1)
			continue;
		bool pseudo = strstr(line, " - proc ") || strstr(line, " - sysfs ");
		if (strncmp(mp, canary, strlen(canary)) == 0 ||
		    (pseudo && strncmp(mp, bundle, strlen(bundle)) == 0 && strcmp(mp, proc) != 0 &&
		     strcmp(mp, sys) != 0))
			n++;
	}
	free(line);
	free(proc);
	free(sys);
	if (f)
		fclose(f);
	emit("stray_mounts", "%d", n);
}

static void expect_refused(const char *name, struct cfgb *b, const char *msg_part,
			   const struct run_opts *base)
{
	struct results r;
	struct run_opts o = base ? *base : (struct run_opts){0};
	o.on_error = on_error_mounts;
	run_container(b, bundle, &o, &r);
	const char *err = res_get(&r, "err");
	TAP_OK(err && strstr(err, msg_part), "%s: refused (%s)", name, err ? err : "no error");
	EXPECT(&r, "stray_mounts", "0", "%s: nothing mounted under the bundle or the canary", name);
	TAP_OK(canary_intact(), "%s: host canary unchanged", name);
	TAP_OK(!res_get(&r, "leak"), "%s: no leak on the error path (sanitizer build)", name);
	res_free(&r);
	free(b);
}

static void attack_proc_sys(void)
{
	static const struct {
		const char *name, *path, *type, *link;
	} cases[] = {
		{"/proc -> host dir (absolute)", "/proc", "proc", NULL},
		{"/proc -> host dir (relative)", "/proc", "proc", "../../../../../../.."},
		{"/sys -> host dir", "/sys", "sysfs", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fresh_rootfs();
		char target[256];
		snprintf(target, sizeof(target), "%s%s", cases[i].link ? cases[i].link : "",
			 canary);
		rootfs_symlink(target, cases[i].path);
		struct cfgb *b = base_config();
		cfg_mount(b, cases[i].path, cases[i].type, cases[i].type, "nosuid,noexec,nodev");
		expect_refused(cases[i].name, b, "not a plain directory", NULL);
	}
	for (int walker = 0; walker < 2; walker++) {
		fresh_rootfs();
		char *p = in_rootfs("/proc");
		rmdir(p);
		h_write(p, "not a dir");
		free(p);
		struct cfgb *b = base_config();
		cfg_mount(b, "/proc", "proc", "proc", "");
		struct run_opts o = {.force_walker = walker};
		expect_refused(walker ? "/proc is a file (walker)" : "/proc is a file", b,
			       "not a plain directory", &o);
	}
	/* a bind onto a /sys that is a symlink is refused too, whatever the type */
	fresh_rootfs();
	rootfs_symlink(canary, "/sys");
	struct cfgb *b = base_config();
	cfg_mount(b, "/sys", "bind", "/sys", "rbind,ro");
	expect_refused("bind onto /sys -> host dir", b, "not a plain directory", NULL);
}

/* ---- destinations that try to leave the rootfs ---- */

static char escape_name[128];

static void inspect_escape(void)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/tmp/%s", rootfs, escape_name);
	emit_fs("dotdot_in_root", p);
	snprintf(p, sizeof(p), "/tmp/%s", escape_name);
	emit_node("dotdot_host", p);
	snprintf(p, sizeof(p), "%s%s/sub", rootfs, canary);
	emit_fs("abs_link_in_root", p);
	snprintf(p, sizeof(p), "%s%s/sub2", rootfs, canary);
	emit_fs("rel_link_in_root", p);
	snprintf(p, sizeof(p), "%s%s/newfile", rootfs, canary);
	emit_read("dangling_in_root", p);
}

static void attack_destinations(bool walker)
{
	const char *mode = walker ? "walker" : "openat2";
	fresh_rootfs();
	snprintf(escape_name, sizeof(escape_name), "%s-escape", strrchr(canary, '/') + 1);
	char dest[256], rel[256], *hostfile = h_path(bundle, "hostfile");
	snprintf(dest, sizeof(dest), "../../../../../../tmp/%s", escape_name);
	snprintf(rel, sizeof(rel), "../../../../../../../..%s", canary);
	rootfs_symlink(canary, "/evil");
	rootfs_symlink(rel, "/evil2");
	char dangling[256];
	snprintf(dangling, sizeof(dangling), "%s/newfile", canary);
	rootfs_symlink(dangling, "/etc/evil-file");

	struct cfgb *b = base_config();
	cfg_mount(b, dest, "tmpfs", "tmpfs", "size=64k");
	cfg_mount(b, "/evil/sub", "tmpfs", "tmpfs", "size=64k");
	cfg_mount(b, "/evil2/sub2", "tmpfs", "tmpfs", "size=64k");
	cfg_mount(b, "/etc/evil-file", "bind", hostfile, "bind,ro");
	struct run_opts o = {
		.force_walker = walker, .stop_after = "mount_all", .inspect = inspect_escape};
	struct results r;
	run_container(b, bundle, &o, &r);
	const char *err = res_get(&r, "err");
	TAP_OK(!err, "%s: escaping destinations mounted without error%s%s", mode, err ? ": " : "",
	       err ? err : "");
	EXPECT(&r, "dotdot_in_root", "tmpfs", "%s: ../../tmp/x lands in the rootfs", mode);
	EXPECT(&r, "dotdot_host", "ENOENT", "%s: ../../tmp/x did not reach the host", mode);
	EXPECT(&r, "abs_link_in_root", "tmpfs", "%s: via absolute link lands in the rootfs", mode);
	EXPECT(&r, "rel_link_in_root", "tmpfs", "%s: via relative ../ link lands in the rootfs",
	       mode);
	EXPECT(&r, "dangling_in_root", "[filedata]",
	       "%s: file bind via a dangling link to the host lands in the rootfs", mode);
	char hp[256];
	snprintf(hp, sizeof(hp), "/tmp/%s", escape_name);
	TAP_OK(access(hp, F_OK) < 0, "%s: no host directory made for ../ destination", mode);
	TAP_OK(canary_intact(), "%s: host canary unchanged (no sub, sub2, newfile)", mode);
	rmdir(hp);
	res_free(&r);
	free(b);
	free(hostfile);

	/* "/" itself, or a link to it, is never a mount target */
	fresh_rootfs();
	rootfs_symlink("/", "/rootlink");
	b = base_config();
	cfg_mount(b, "/rootlink", "tmpfs", "tmpfs", "");
	struct run_opts o2 = {.force_walker = walker};
	char name[64];
	snprintf(name, sizeof(name), "%s: destination resolving to /", mode);
	expect_refused(name, b, "root of the rootfs", &o2);
}

/* ---- a racer swaps a directory and a symlink to the host while we mount ---- */

static void inspect_race(void)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/sub", canary);
	emit_node("race_host", p);
}

static void attack_race(bool walker)
{
	const char *mode = walker ? "walker" : "openat2";
	fresh_rootfs();
	char *race = in_rootfs("/race"), *d = in_rootfs("/race/dir"), *l = in_rootfs("/race/link");
	h_mkdir(race);
	h_mkdir(d);
	if (symlink(canary, l) < 0)
		h_die(l);
	pid_t racer = fork();
	if (racer == 0) {
		for (;;)
			syscall(SYS_renameat2, AT_FDCWD, d, AT_FDCWD, l, RENAME_EXCHANGE);
	}
	int errors = 0, host_hits = 0;
	const int rounds = 40;
	for (int i = 0; i < rounds; i++) {
		struct cfgb *b = base_config();
		cfg_mount(b, "/race/dir/sub", "tmpfs", "tmpfs", "size=64k");
		struct run_opts o = {
			.force_walker = walker, .stop_after = "mount_all", .inspect = inspect_race};
		struct results r;
		run_container(b, bundle, &o, &r);
		if (res_get(&r, "err"))
			errors++; /* ENOTDIR/ELOOP mid-swap is fine: refusing is safe */
		const char *h = res_get(&r, "race_host");
		if (h && strcmp(h, "ENOENT") != 0)
			host_hits++;
		res_free(&r);
		free(b);
	}
	kill(racer, SIGKILL);
	waitpid(racer, NULL, 0);
	TAP_OK(host_hits == 0, "%s: %d racing mounts never reached the host dir (%d refused)", mode,
	       rounds, errors);
	TAP_OK(canary_intact(), "%s: host canary unchanged after the race", mode);
	free(race);
	free(d);
	free(l);
}

/* ---- the image's /dev/null is not /dev/null ---- */

static char *canary_file;

static void inspect_mask(void)
{
	emit_node("secret_node", "/etc/secret");
	emit_read("secret_read", "/etc/secret");
	emit_node("timer_list_node", "/proc/timer_list");
}

static void attack_devnull(const char *name, void (*plant)(const char *devnull), bool legacy)
{
	fresh_rootfs();
	h_write(canary_file, "CANARY");
	char *secret = in_rootfs("/etc/secret");
	h_write(secret, "SECRET");
	free(secret);
	char *devnull = in_rootfs("/dev/null");
	plant(devnull);
	free(devnull);

	/* no /dev mount: the image's /dev is what the container gets */
	struct cfgb *b = base_config();
	cfg_mount(b, "/proc", "proc", "proc", "nosuid,noexec,nodev");
	cfg_masked(b, "/etc/secret");
	cfg_masked(b, "/proc/timer_list");
	struct run_opts o = {.inspect = inspect_mask, .force_legacy = legacy};
	struct results r;
	run_container(b, bundle, &o, &r);
	const char *err = res_get(&r, "err");
	TAP_OK(!err, "%s: set up without error%s%s", name, err ? ": " : "", err ? err : "");
	EXPECT(&r, "secret_node", host_null_desc(), "%s: masked file is the real null device",
	       name);
	EXPECT(&r, "secret_read", "[]", "%s: masked file reads empty", name);
	EXPECT(&r, "timer_list_node", host_null_desc(), "%s: masked proc file is /dev/null", name);
	char buf[32] = "";
	FILE *f = fopen(canary_file, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	struct stat st;
	TAP_OK(strcmp(buf, "CANARY") == 0 && lstat(canary_file, &st) == 0 && S_ISREG(st.st_mode),
	       "%s: host canary file unchanged", name);
	res_free(&r);
	free(b);
}

static void plant_symlink(const char *devnull)
{
	if (symlink(canary_file, devnull) < 0)
		h_die(devnull);
}

static void plant_file(const char *devnull)
{
	h_write(devnull, "FAKE");
}

static void plant_zero(const char *devnull)
{
	if (mknod(devnull, S_IFCHR | 0666, makedev(1, 5)) < 0)
		h_die(devnull);
}

/* ---- mounts into /proc ---- */

static void inspect_cpuinfo(void)
{
	emit_read("cpuinfo", "/proc/cpuinfo");
}

static void attack_proc_mounts(void)
{
	char *hostfile = h_path(bundle, "hostfile");

	fresh_rootfs();
	struct cfgb *b = base_config();
	cfg_mount(b, "/proc", "proc", "proc", "");
	cfg_mount(b, "/proc/cpuinfo", "bind", hostfile, "bind,ro");
	struct run_opts o = {.inspect = inspect_cpuinfo};
	struct results r;
	run_container(b, bundle, &o, &r);
	EXPECT(&r, "cpuinfo", "[filedata]", "lxcfs-style bind onto /proc/cpuinfo allowed");
	res_free(&r);
	free(b);

	fresh_rootfs();
	b = base_config();
	cfg_mount(b, "/proc", "proc", "proc", "");
	cfg_mount(b, "/proc/sys/kernel/core_pattern", "bind", hostfile, "bind,ro");
	expect_refused("bind onto /proc/sys/kernel/core_pattern", b, "inside /proc", NULL);

	fresh_rootfs();
	rootfs_symlink("/proc/sys/kernel", "/innocent");
	b = base_config();
	cfg_mount(b, "/proc", "proc", "proc", "");
	cfg_mount(b, "/innocent/core_pattern", "bind", hostfile, "bind,ro");
	expect_refused("bind into /proc through an image symlink", b, "inside /proc", NULL);

	fresh_rootfs();
	rootfs_symlink("/proc/cpuinfo", "/innocent2");
	b = base_config();
	cfg_mount(b, "/proc", "proc", "proc", "");
	cfg_mount(b, "/proc/sys/kernel/ns_last_pid", "bind", hostfile, "bind,ro");
	cfg_mount(b, "/innocent2", "bind", hostfile, "bind,ro");
	expect_refused("an allowed /proc file reached through a symlink", b, "inside /proc", NULL);

	fresh_rootfs();
	b = base_config();
	cfg_mount(b, "/proc", "bind", bundle, "rbind");
	expect_refused("a non-procfs bind onto /proc", b, "only a procfs", NULL);
	free(hostfile);
}

/* ---- sysctl without a private procfs, through a fake /proc ---- */

static void attack_fake_proc_sysctl(void)
{
	fresh_rootfs();
	char *p = in_rootfs("/proc/sys");
	h_mkdir(p);
	free(p);
	p = in_rootfs("/proc/sys/kernel");
	h_mkdir(p);
	free(p);
	char *fake = in_rootfs("/proc/sys/kernel/domainname");
	h_write(fake, "FAKE");
	struct cfgb *b = base_config();
	cfg_sysctl(b, "kernel.domainname", "pwned");
	/* legacy mode: no fsopen, so no private procfs; the image's /proc is a plain dir */
	struct run_opts o = {.force_legacy = true};
	struct results r;
	run_container(b, bundle, &o, &r);
	const char *err = res_get(&r, "err");
	TAP_OK(err && strstr(err, "not the root of a procfs"),
	       "sysctl through a fake /proc refused (%s)", err ? err : "no error");
	char buf[16] = "";
	FILE *f = fopen(fake, "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	TAP_STREQ(buf, "FAKE", "the fake sysctl file was not written");
	res_free(&r);
	free(b);
	free(fake);
}

int main(void)
{
	if (geteuid() != 0) {
		tap_ok(1, "# SKIP needs root");
		return tap_done();
	}
	alarm(300);
	if (!mkdtemp(bundle) || !mkdtemp(canary))
		h_die("mkdtemp");
	rootfs = h_path(bundle, "rootfs");
	char *k = h_path(canary, "keep");
	h_write(k, "CANARY");
	free(k);
	char *hf = h_path(bundle, "hostfile");
	h_write(hf, "filedata");
	free(hf);
	canary_file = h_path(bundle, "canary-file");

	attack_proc_sys();
	attack_destinations(false);
	attack_destinations(true);
	attack_race(false);
	attack_race(true);
	attack_devnull("/dev/null -> host file", plant_symlink, false);
	attack_devnull("/dev/null -> host file (mount(2))", plant_symlink, true);
	attack_devnull("/dev/null is a regular file", plant_file, false);
	attack_devnull("/dev/null is /dev/zero", plant_zero, false);
	attack_proc_mounts();
	attack_fake_proc_sysctl();

	h_rm_rf(bundle);
	h_rm_rf(canary);
	TAP_OK(access(bundle, F_OK) < 0 && access(canary, F_OK) < 0, "temp dirs removed");
	free(rootfs);
	free(canary_file);
	return tap_done();
}
