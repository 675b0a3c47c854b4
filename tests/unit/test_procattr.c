/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Process attributes applied for real: each case forks a child (as root),
 * applies attributes to it, and the child reports what the kernel shows
 * (/proc/self/status, getrlimit, sched_getattr...) over a pipe as key=value
 * lines. Expected capability masks are built from <linux/capability.h>
 * numbers, independently of the code under test.
 */
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/ioprio.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/process_attrs.h"
#include "tests/unit/tap.h"

#define BIT(c) (UINT64_C(1) << (c))

/* ---------- child runner ---------- */

static int report_fd = -1;

__attribute__((format(printf, 1, 2))) static void rep(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(report_fd, buf, (size_t)n) < 0)
		_exit(99);
}

/* Copies the interesting /proc/self/status lines as key=value. */
static void rep_status(void)
{
	static const char *keys[] = {"Uid",    "Gid",        "Groups",  "Umask",
				     "CapInh", "CapPrm",     "CapEff",  "CapBnd",
				     "CapAmb", "NoNewPrivs", "Seccomp", NULL};
	FILE *f = fopen("/proc/self/status", "re");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		for (int i = 0; keys[i]; i++) {
			if (strcmp(keys[i], line) != 0)
				continue;
			char *v = colon + 1;
			while (*v == '\t' || *v == ' ')
				v++;
			v[strcspn(v, "\n")] = '\0';
			for (char *p = v; *p; p++)
				if (*p == '\t')
					*p = ' ';
			/* "Groups: 10 20 " has a trailing blank */
			size_t l = strlen(v);
			while (l > 0 && v[l - 1] == ' ')
				v[--l] = '\0';
			rep("%s=%s\n", keys[i], v);
		}
	}
	if (f)
		fclose(f);
}

/* Runs fn in a child; returns its report (heap) and its wait status. */
static char *run_child(void (*fn)(void *), void *arg, int *wstatus)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		close(p[0]);
		report_fd = p[1];
		fn(arg);
		_exit(0);
	}
	close(p[1]);
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	for (;;) {
		if (len + 1 >= cap)
			buf = realloc(buf, cap *= 2);
		ssize_t n = read(p[0], buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (wstatus)
		*wstatus = st;
	return buf;
}

/* Value of "key=" in a report, copied into a static buffer ("" when absent). */
static const char *kv(const char *report, const char *key)
{
	static char val[4][1024];
	static int slot;
	char *out = val[slot++ % 4];
	size_t kl = strlen(key);
	out[0] = '\0';
	for (const char *l = report; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		if (ll > kl && strncmp(l, key, kl) == 0 && l[kl] == '=') {
			size_t vl = ll - kl - 1;
			if (vl >= sizeof(val[0]))
				vl = sizeof(val[0]) - 1;
			memcpy(out, l + kl + 1, vl);
			out[vl] = '\0';
			return out;
		}
		l = nl ? nl + 1 : NULL;
	}
	return out;
}

static uint64_t kv_hex(const char *report, const char *key)
{
	return strtoull(kv(report, key), NULL, 16);
}

static const char *hex(uint64_t v)
{
	static char b[4][32];
	static int slot;
	char *o = b[slot++ % 4];
	snprintf(o, sizeof(b[0]), "%016llx", (unsigned long long)v);
	return o;
}

/* ---------- config builders ---------- */

static char **strv(const char *const *names, size_t *n)
{
	size_t k = 0;
	while (names && names[k])
		k++;
	char **v = calloc(k + 1, sizeof(*v));
	for (size_t i = 0; i < k; i++)
		v[i] = strdup(names[i]);
	*n = k;
	return v;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

struct capspec {
	const char *const *b, *const *e, *const *i, *const *p, *const *a;
};

static void caps_fill(struct oci_capabilities *c, const struct capspec *s)
{
	memset(c, 0, sizeof(*c));
	c->present = true;
	c->bounding = strv(s->b, &c->n_bounding);
	c->effective = strv(s->e, &c->n_effective);
	c->inheritable = strv(s->i, &c->n_inheritable);
	c->permitted = strv(s->p, &c->n_permitted);
	c->ambient = strv(s->a, &c->n_ambient);
}

static void caps_clear(struct oci_capabilities *c)
{
	strv_free(c->bounding, c->n_bounding);
	strv_free(c->effective, c->n_effective);
	strv_free(c->inheritable, c->n_inheritable);
	strv_free(c->permitted, c->n_permitted);
	strv_free(c->ambient, c->n_ambient);
	memset(c, 0, sizeof(*c));
}

static const char *const docker_caps[] = {"CAP_CHOWN",
					  "CAP_DAC_OVERRIDE",
					  "CAP_FSETID",
					  "CAP_FOWNER",
					  "CAP_MKNOD",
					  "CAP_NET_RAW",
					  "CAP_SETGID",
					  "CAP_SETUID",
					  "CAP_SETFCAP",
					  "CAP_SETPCAP",
					  "CAP_NET_BIND_SERVICE",
					  "CAP_SYS_CHROOT",
					  "CAP_KILL",
					  "CAP_AUDIT_WRITE",
					  NULL};
static const uint64_t docker_mask = BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) |
				    BIT(CAP_FOWNER) | BIT(CAP_MKNOD) | BIT(CAP_NET_RAW) |
				    BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_SETFCAP) |
				    BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
				    BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);

/* The full set of this kernel, from the runtime's own bounding set. */
static uint64_t full_mask(void)
{
	char *r = run_child((void (*)(void *))rep_status, NULL, NULL);
	uint64_t m = kv_hex(r, "CapBnd");
	free(r);
	return m;
}

static bool have_cap(int cap)
{
	char *r = run_child((void (*)(void *))rep_status, NULL, NULL);
	uint64_t m = kv_hex(r, "CapEff");
	free(r);
	return m & BIT(cap);
}

/* ---------- the child side of the identity tests ---------- */

struct ident_case {
	struct oci_process p;
	/* give the child some inheritable + ambient caps first, as a leaky parent would */
	bool preload_inheritable;
	/* after applying, exec this command with stdout into the report (status after exec) */
	bool exec_after;
};

static void preload_inh(void)
{
	/* CapInh = KILL, CapAmb = KILL: what a careless parent could hand down. */
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		_exit(97);
	d[0].inheritable |= 1u << CAP_KILL;
	if (syscall(SYS_capset, &h, d) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) < 0)
		_exit(98);
}

static void child_identity(void *arg)
{
	struct ident_case *c = arg;
	struct werr e;
	werr_clear(&e);
	if (c->preload_inheritable)
		preload_inh();
	if (process_apply_identity(&c->p, -1, &e) < 0) {
		rep("error=%s\n", e.msg);
		return;
	}
	rep("ok=1\n");
	rep_status();
	if (c->exec_after) {
		/* grep prints "CapPrm:\t..." lines of the exec'd process itself */
		if (dup2(report_fd, 1) < 0)
			_exit(96);
		execl("/bin/sh", "sh", "-c",
		      "sed -n 's/^\\(Cap[A-Za-z]*\\):[[:space:]]*/exec\\1=/p' /proc/self/status",
		      (char *)NULL);
		_exit(95);
	}
}

static void test_cap_names(void)
{
	TAP_OK(caps_from_name("CAP_CHOWN") == CAP_CHOWN, "CAP_CHOWN is %d", CAP_CHOWN);
	TAP_OK(caps_from_name("CAP_SYS_ADMIN") == CAP_SYS_ADMIN, "CAP_SYS_ADMIN is %d",
	       CAP_SYS_ADMIN);
	TAP_OK(caps_from_name("cap_chown") == -1, "lower-case names are not OCI names");
	TAP_OK(caps_from_name("12") == -1, "bare numbers are refused");
	TAP_OK(caps_from_name("CAP_NOT_A_CAP") == -1, "unknown name gives -1");
	TAP_OK(caps_from_name("SYS_ADMIN") == -1, "name without CAP_ prefix gives -1");
	TAP_OK(caps_from_name(NULL) == -1, "NULL gives -1");

	char **names = caps_known_names();
	size_t n = 0;
	bool all_prefixed = true, has_chown = false;
	for (; names[n]; n++) {
		all_prefixed &= strncmp(names[n], "CAP_", 4) == 0;
		has_chown |= strcmp(names[n], "CAP_CHOWN") == 0;
		all_prefixed &= caps_from_name(names[n]) >= 0;
	}
	int bits = __builtin_popcountll(full_mask() | BIT(CAP_SYS_RESOURCE));
	TAP_OK(n >= (size_t)bits, "caps_known_names lists at least the %d the kernel has (got %zu)",
	       bits, n);
	TAP_OK(all_prefixed && has_chown, "every known name is CAP_* and round-trips");
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void test_caps_validate(void)
{
	struct oci_capabilities c;
	struct werr e;
	static const char *const with_unknown[] = {"CAP_CHOWN", "CAP_FROM_THE_FUTURE", NULL};
	caps_fill(&c, &(struct capspec){.b = with_unknown, .e = with_unknown, .p = with_unknown});
	werr_clear(&e);
	TAP_OK(caps_validate(&c, &e) == 0, "unknown capability names are ignored, not errors");
	caps_clear(&c);

	static const char *const empty[] = {"CAP_CHOWN", "", NULL};
	caps_fill(&c, &(struct capspec){.b = empty});
	TAP_OK(caps_validate(&c, &e) < 0 &&
		       strstr(e.msg, "process.capabilities.bounding[1]: empty capability name"),
	       "empty name refused naming the field: %s", e.msg);
	caps_clear(&c);

	static const char *const kill[] = {"CAP_KILL", NULL};
	static const char *const chown_[] = {"CAP_CHOWN", NULL};
	caps_fill(&c, &(struct capspec){.e = kill, .p = chown_});
	TAP_OK(caps_validate(&c, &e) < 0 && strstr(e.msg, "effective") && strstr(e.msg, "CAP_KILL"),
	       "effective outside permitted refused: %s", e.msg);
	caps_clear(&c);
}

static void test_docker_caps_root(void)
{
	struct ident_case c = {0};
	caps_fill(&c.p.capabilities,
		  &(struct capspec){.b = docker_caps, .e = docker_caps, .p = docker_caps});
	c.preload_inheritable = true;
	c.exec_after = true;
	char *r = run_child(child_identity, &c, NULL);
	TAP_STREQ(kv(r, "ok"), "1", "root with Docker's default caps: applied (%s)",
		  kv(r, "error"));
	TAP_STREQ(kv(r, "CapBnd"), hex(docker_mask), "CapBnd is exactly Docker's set");
	TAP_STREQ(kv(r, "CapPrm"), hex(docker_mask), "CapPrm is exactly Docker's set");
	TAP_STREQ(kv(r, "CapEff"), hex(docker_mask), "CapEff is exactly Docker's set");
	TAP_STREQ(kv(r, "CapInh"), hex(0), "CapInh stays empty when not asked (was preloaded)");
	TAP_STREQ(kv(r, "CapAmb"), hex(0), "CapAmb is empty (was preloaded)");
	TAP_STREQ(kv(r, "Uid"), "0 0 0 0", "uid 0");
	TAP_STREQ(kv(r, "Groups"), "", "no supplementary groups left from the runtime");
	TAP_STREQ(kv(r, "Umask"), "0022", "umask defaults to 0022");
	/* After execve root's permitted set is bounding | inheritable: nothing extra. */
	TAP_STREQ(kv(r, "execCapPrm"), hex(docker_mask), "after exec CapPrm is still Docker's set");
	TAP_STREQ(kv(r, "execCapInh"), hex(0), "after exec CapInh is empty");
	free(r);
	caps_clear(&c.p.capabilities);
}

static void test_nonroot_user(void)
{
	static const char *const two[] = {"CAP_NET_BIND_SERVICE", "CAP_CHOWN", NULL};
	struct ident_case c = {0};
	caps_fill(&c.p.capabilities, &(struct capspec){.b = two, .e = two, .p = two});
	c.p.user.uid = 1000;
	c.p.user.gid = 1001;
	uint32_t gids[] = {10, 20};
	c.p.user.additional_gids = gids;
	c.p.user.n_additional_gids = 2;
	c.p.user.has_umask = true;
	c.p.user.umask = 027;
	char *r = run_child(child_identity, &c, NULL);
	TAP_STREQ(kv(r, "ok"), "1", "uid 1000 with two caps: applied (%s)", kv(r, "error"));
	TAP_STREQ(kv(r, "Uid"), "1000 1000 1000 1000", "real/effective/saved/fs uid 1000");
	TAP_STREQ(kv(r, "Gid"), "1001 1001 1001 1001", "all gids 1001");
	TAP_STREQ(kv(r, "Groups"), "10 20", "additionalGids are the only groups");
	TAP_STREQ(kv(r, "Umask"), "0027", "umask 027");
	uint64_t m = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_CHOWN);
	TAP_STREQ(kv(r, "CapPrm"), hex(m), "permitted kept across setuid (keep-caps)");
	TAP_STREQ(kv(r, "CapEff"), hex(m), "effective set after setuid");
	TAP_STREQ(kv(r, "CapBnd"), hex(m), "bounding reduced");
	TAP_STREQ(kv(r, "CapInh"), hex(0), "inheritable empty");
	TAP_STREQ(kv(r, "CapAmb"), hex(0), "ambient empty");
	free(r);
	c.p.user.additional_gids = NULL;
	caps_clear(&c.p.capabilities);
}

static void test_ambient(void)
{
	static const char *const nbs[] = {"CAP_NET_BIND_SERVICE", NULL};
	struct ident_case c = {0};
	caps_fill(&c.p.capabilities,
		  &(struct capspec){.b = nbs, .e = nbs, .p = nbs, .i = nbs, .a = nbs});
	c.p.user.uid = 1000;
	c.p.user.gid = 1000;
	c.exec_after = true;
	char *r = run_child(child_identity, &c, NULL);
	uint64_t m = BIT(CAP_NET_BIND_SERVICE);
	TAP_STREQ(kv(r, "ok"), "1", "ambient NET_BIND_SERVICE for uid 1000: applied (%s)",
		  kv(r, "error"));
	TAP_STREQ(kv(r, "CapAmb"), hex(m), "CapAmb has NET_BIND_SERVICE");
	TAP_STREQ(kv(r, "CapInh"), hex(m), "CapInh has what was asked");
	TAP_STREQ(kv(r, "execCapEff"), hex(m), "after exec a non-root process keeps it (ambient)");
	TAP_STREQ(kv(r, "execCapPrm"), hex(m), "after exec permitted = ambient");
	free(r);
	caps_clear(&c.p.capabilities);

	/* Ambient without inheritable: the kernel cannot raise it; skipped, not fatal. */
	caps_fill(&c.p.capabilities, &(struct capspec){.b = nbs, .e = nbs, .p = nbs, .a = nbs});
	c.exec_after = false;
	r = run_child(child_identity, &c, NULL);
	TAP_STREQ(kv(r, "ok"), "1", "ambient not in inheritable is skipped (%s)", kv(r, "error"));
	TAP_STREQ(kv(r, "CapAmb"), hex(0), "CapAmb stays empty");
	TAP_STREQ(kv(r, "CapInh"), hex(0), "CapInh stays empty");
	free(r);
	caps_clear(&c.p.capabilities);
}

static void test_caps_absent(void)
{
	struct ident_case c = {0};
	c.preload_inheritable = true;
	uint64_t full = full_mask();
	char *r = run_child(child_identity, &c, NULL);
	TAP_STREQ(kv(r, "ok"), "1", "no capabilities object: applied (%s)", kv(r, "error"));
	TAP_STREQ(kv(r, "CapInh"), hex(0), "inherited CapInh is cleared even without the object");
	TAP_STREQ(kv(r, "CapAmb"), hex(0), "inherited CapAmb is cleared");
	TAP_STREQ(kv(r, "CapBnd"), hex(full), "bounding untouched");
	TAP_STREQ(kv(r, "CapPrm"), hex(full), "permitted untouched");
	free(r);
}

static void test_inheritable_asked(void)
{
	static const char *const k[] = {"CAP_KILL", "CAP_CHOWN", NULL};
	static const char *const kill[] = {"CAP_KILL", NULL};
	struct ident_case c = {0};
	caps_fill(&c.p.capabilities, &(struct capspec){.b = k, .e = k, .p = k, .i = kill});
	char *r = run_child(child_identity, &c, NULL);
	/* CVE-2022-29162 / CVE-2022-27650: inheritable only for ambient capabilities */
	TAP_STREQ(kv(r, "ok"), "1", "inheritable without ambient: applied (%s)", kv(r, "error"));
	TAP_STREQ(kv(r, "CapInh"), hex(0), "inheritable not given unless it is also ambient");
	free(r);
	caps_clear(&c.p.capabilities);
}

static void test_exec_cap(void)
{
	struct oci_capabilities c;
	struct werr e;
	caps_fill(&c, &(struct capspec){.b = docker_caps, .e = docker_caps, .p = docker_caps});
	TAP_OK(caps_add_exec_cap(&c, "CAP_SYS_PTRACE", &e) == 0, "exec --cap CAP_SYS_PTRACE");
	TAP_OK(c.n_bounding == 15 && strcmp(c.bounding[14], "CAP_SYS_PTRACE") == 0 &&
		       c.n_effective == 15 && c.n_permitted == 15,
	       "added to bounding, effective, permitted");
	TAP_OK(c.n_inheritable == 0 && c.n_ambient == 0, "never to inheritable or ambient");
	TAP_OK(caps_add_exec_cap(&c, "CAP_SYS_PTRACE", &e) == 0 && c.n_bounding == 15,
	       "adding twice keeps one entry");

	struct ident_case ic = {0};
	ic.p.capabilities = c;
	char *r = run_child(child_identity, &ic, NULL);
	TAP_STREQ(kv(r, "CapEff"), hex(docker_mask | BIT(CAP_SYS_PTRACE)),
		  "exec --cap: CapEff has the extra cap");
	TAP_STREQ(kv(r, "CapInh"), hex(0), "exec --cap: CapInh empty (CVE-2022-29162)");
	free(r);
	caps_clear(&c);
}

/* ---------- confinement ---------- */

static void child_confine(void *arg)
{
	struct oci_process *p = arg;
	struct werr e;
	werr_clear(&e);
	if (process_apply_confinement(p, -1, &e) < 0)
		rep("error=%s\n", e.msg);
	else
		rep("ok=1\n");
	rep_status();
}

static bool file_says_y(const char *path)
{
	char b[4] = "";
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(b, sizeof(b), f))
			b[0] = '\0';
		fclose(f);
	}
	return b[0] == 'Y';
}

static void test_confinement(void)
{
	struct oci_process p = {0};
	p.no_new_privileges = true;
	char *r = run_child(child_confine, &p, NULL);
	TAP_STREQ(kv(r, "NoNewPrivs"), "1", "noNewPrivileges sets no_new_privs");
	free(r);
	p.no_new_privileges = false;
	r = run_child(child_confine, &p, NULL);
	TAP_STREQ(kv(r, "NoNewPrivs"), "0", "no_new_privs stays off when not asked");
	free(r);
	TAP_OK(process_seccomp_before_identity(&p), "without NNP seccomp goes before identity");
	p.no_new_privileges = true;
	TAP_OK(!process_seccomp_before_identity(&p), "with NNP seccomp goes last");
	p.no_new_privileges = false;

	struct werr e;
	bool aa = file_says_y("/sys/module/apparmor/parameters/enabled");
	TAP_OK(lsm_apparmor_enabled(-1) == aa, "AppArmor detection agrees with sysfs (%d)", aa);
	p.apparmor_profile = "ward-test-profile";
	if (!aa) {
		r = run_child(child_confine, &p, NULL);
		TAP_OK(strstr(kv(r, "error"), "AppArmor is not enabled") != NULL,
		       "apparmorProfile without AppArmor refused: %s", kv(r, "error"));
		free(r);
		TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 &&
			       strstr(e.msg, "process.apparmorProfile"),
		       "validate refuses it before clone: %s", e.msg);
	} else {
		TAP_OK(1, "# SKIP AppArmor is enabled here");
		TAP_OK(1, "# SKIP AppArmor is enabled here");
	}
	p.apparmor_profile = NULL;

	struct stat st;
	bool se = stat("/sys/fs/selinux/enforce", &st) == 0;
	TAP_OK(lsm_selinux_enabled(-1) == se, "SELinux detection agrees with selinuxfs (%d)", se);
	p.selinux_label = "system_u:system_r:container_t:s0";
	if (!se) {
		r = run_child(child_confine, &p, NULL);
		TAP_OK(strstr(kv(r, "error"), "SELinux is not enabled") != NULL,
		       "selinuxLabel without SELinux refused: %s", kv(r, "error"));
		free(r);
	} else {
		TAP_OK(1, "# SKIP SELinux is enabled here");
	}
	p.selinux_label = NULL;
}

/* ---------- rlimits ---------- */

struct rl_case {
	struct oci_rlimit *r;
	size_t n;
};

static void child_rlimits(void *arg)
{
	struct rl_case *c = arg;
	struct werr e;
	werr_clear(&e);
	if (rlimits_apply(c->r, c->n, &e) < 0)
		rep("error=%s\n", e.msg);
	else
		rep("ok=1\n");
	struct rlimit l;
	getrlimit(RLIMIT_NOFILE, &l);
	rep("nofile=%llu/%llu\n", (unsigned long long)l.rlim_cur, (unsigned long long)l.rlim_max);
	getrlimit(RLIMIT_CORE, &l);
	rep("core=%llu/%llu\n", (unsigned long long)l.rlim_cur, (unsigned long long)l.rlim_max);
}

static void test_rlimits(void)
{
	static const char *const all[] = {
		"RLIMIT_CPU",      "RLIMIT_FSIZE", "RLIMIT_DATA",   "RLIMIT_STACK",
		"RLIMIT_CORE",     "RLIMIT_RSS",   "RLIMIT_NPROC",  "RLIMIT_NOFILE",
		"RLIMIT_MEMLOCK",  "RLIMIT_AS",    "RLIMIT_LOCKS",  "RLIMIT_SIGPENDING",
		"RLIMIT_MSGQUEUE", "RLIMIT_NICE",  "RLIMIT_RTPRIO", "RLIMIT_RTTIME"};
	bool names_ok = true;
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		int res = rlimit_from_name(all[i]);
		struct rlimit l;
		names_ok &= res >= 0 && getrlimit(res, &l) == 0 &&
			    strcmp(rlimit_name(res), all[i]) == 0;
	}
	TAP_OK(names_ok, "all 16 RLIMIT_* names resolve and getrlimit accepts them");
	TAP_OK(rlimit_from_name("RLIMIT_FOO") == -1, "unknown rlimit name gives -1");

	/* Every rlimit set to its current value: all names go through setrlimit. */
	struct oci_rlimit same[ARRAY_SIZE(all)];
	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		struct rlimit l;
		getrlimit(rlimit_from_name(all[i]), &l);
		same[i] = (struct oci_rlimit){
			.type = (char *)all[i], .soft = l.rlim_cur, .hard = l.rlim_max};
	}
	struct rl_case c = {same, ARRAY_SIZE(all)};
	char *r = run_child(child_rlimits, &c, NULL);
	TAP_STREQ(kv(r, "ok"), "1", "all 16 rlimits applied at their current values (%s)",
		  kv(r, "error"));
	free(r);

	struct oci_rlimit lower[] = {{.type = "RLIMIT_NOFILE", .soft = 100, .hard = 200},
				     {.type = "RLIMIT_CORE", .soft = 0, .hard = 4096}};
	c = (struct rl_case){lower, 2};
	r = run_child(child_rlimits, &c, NULL);
	TAP_STREQ(kv(r, "nofile"), "100/200", "RLIMIT_NOFILE soft 100 hard 200 read back");
	TAP_STREQ(kv(r, "core"), "0/4096", "RLIMIT_CORE soft 0 hard 4096 read back");
	free(r);

	struct rlimit cur;
	getrlimit(RLIMIT_NOFILE, &cur);
	if (!have_cap(CAP_SYS_RESOURCE) && cur.rlim_max != RLIM_INFINITY) {
		struct oci_rlimit up[] = {{.type = "RLIMIT_NOFILE",
					   .soft = cur.rlim_max + 1,
					   .hard = cur.rlim_max + 1}};
		c = (struct rl_case){up, 1};
		r = run_child(child_rlimits, &c, NULL);
		const char *err = kv(r, "error");
		TAP_OK(strstr(err, "RLIMIT_NOFILE") && strstr(err, "CAP_SYS_RESOURCE") &&
			       strstr(err, "Operation not permitted"),
		       "raising above the hard limit fails naming the rlimit: %s", err);
		free(r);
	} else {
		TAP_OK(1, "# SKIP CAP_SYS_RESOURCE is available here");
	}

	struct werr e;
	struct oci_process p = {0};
	struct oci_rlimit bad[] = {{.type = "RLIMIT_NOFILE", .soft = 10, .hard = 10},
				   {.type = "RLIMIT_FOO", .soft = 1, .hard = 1}};
	p.rlimits = bad;
	p.n_rlimits = 2;
	TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 &&
		       strstr(e.msg, "process.rlimits[1]: unknown rlimit type \"RLIMIT_FOO\""),
	       "unknown rlimit refused naming the field: %s", e.msg);
	struct oci_rlimit inv[] = {{.type = "RLIMIT_CORE", .soft = 10, .hard = 5}};
	p.rlimits = inv;
	p.n_rlimits = 1;
	TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 && strstr(e.msg, "above its hard"),
	       "soft above hard refused: %s", e.msg);
	struct oci_rlimit dup[] = {{.type = "RLIMIT_CORE", .soft = 1, .hard = 5},
				   {.type = "RLIMIT_CORE", .soft = 1, .hard = 5}};
	p.rlimits = dup;
	p.n_rlimits = 2;
	TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 && strstr(e.msg, "given twice"),
	       "duplicate rlimit refused: %s", e.msg);
}

/* ---------- oom, personality, scheduler, ioprio, affinity ---------- */

struct early_case {
	struct oci_process p;
	struct oci_personality pers;
	int proc_fd;
};

struct sched_attr_k {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static void child_early(void *arg)
{
	struct early_case *c = arg;
	struct werr e;
	werr_clear(&e);
	if (process_apply_early(&c->p, &c->pers, c->proc_fd, &e) < 0)
		rep("error=%s\n", e.msg);
	else
		rep("ok=1\n");
	char b[64] = "";
	FILE *f = fopen("/proc/self/oom_score_adj", "re");
	if (f && fgets(b, sizeof(b), f))
		b[strcspn(b, "\n")] = '\0';
	if (f)
		fclose(f);
	rep("oom=%s\n", b);
	rep("personality=0x%x\n", (unsigned)personality(0xffffffff));
	struct sched_attr_k a = {0};
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) == 0)
		rep("policy=%u\nnice=%d\nprio=%u\nruntime=%llu\ndeadline=%llu\nperiod=%llu\n",
		    a.policy, a.nice, a.priority, (unsigned long long)a.runtime,
		    (unsigned long long)a.deadline, (unsigned long long)a.period);
	long io = syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0);
	rep("ioclass=%ld\niolevel=%ld\n", io >> 13, io & 0x1fff);
}

static void test_oom(void)
{
	struct early_case c = {.proc_fd = -1};
	c.p.has_oom_score_adj = true;
	c.p.oom_score_adj = 500;
	char *r = run_child(child_early, &c, NULL);
	TAP_STREQ(kv(r, "oom"), "500", "oomScoreAdj 500 read back from /proc/self/oom_score_adj");
	free(r);

	if (!have_cap(CAP_SYS_RESOURCE)) {
		c.p.oom_score_adj = -500;
		r = run_child(child_early, &c, NULL);
		TAP_OK(strstr(kv(r, "error"), "oomScoreAdj -500") &&
			       strstr(kv(r, "error"), "CAP_SYS_RESOURCE"),
		       "a negative oomScoreAdj without CAP_SYS_RESOURCE explains itself: %s",
		       kv(r, "error"));
		free(r);
	} else {
		TAP_OK(1, "# SKIP CAP_SYS_RESOURCE is available here");
	}

	/* A proc_fd that is not procfs is refused (no write to a fake /proc). */
	c.p.oom_score_adj = 100;
	c.proc_fd = open("/tmp", O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = run_child(child_early, &c, NULL);
	TAP_OK(strstr(kv(r, "error"), "not the root of a procfs mount") != NULL,
	       "a non-procfs proc_fd is refused: %s", kv(r, "error"));
	free(r);
	close(c.proc_fd);

	/* A real procfs fd works. */
	c.proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	r = run_child(child_early, &c, NULL);
	TAP_STREQ(kv(r, "oom"), "100", "oomScoreAdj through an explicit procfs fd");
	free(r);
	close(c.proc_fd);
}

/* Bind-mounts a file over /proc/self/oom_score_adj in a private mount namespace. */
static void child_overmount(void *arg)
{
	(void)arg;
	struct werr e;
	char path[64];
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		rep("error=setup: %s\n", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)getpid());
	if (mount("/proc/self/status", path, NULL, MS_BIND, NULL) < 0) {
		rep("error=bind: %s\n", strerror(errno));
		return;
	}
	werr_clear(&e);
	if (oom_score_adj_apply(-1, 300, &e) < 0)
		rep("refused=%s\n", e.msg);
	else
		rep("refused=\n");
}

static void test_overmount(void)
{
	char *r = run_child(child_overmount, NULL, NULL);
	TAP_OK(strstr(kv(r, "refused"), "covered by another mount") != NULL,
	       "a bind mount over a /proc file is detected, nothing written: %s%s",
	       kv(r, "refused"), kv(r, "error"));
	free(r);
}

static void test_personality(void)
{
	struct early_case c = {.proc_fd = -1};
	char *flagv[] = {"ADDR_NO_RANDOMIZE"};
	c.pers = (struct oci_personality){.present = true, .domain = "LINUX32"};
	char *r = run_child(child_early, &c, NULL);
	char want[32];
	snprintf(want, sizeof(want), "0x%x", PER_LINUX32);
	TAP_STREQ(kv(r, "personality"), want, "personality LINUX32 (%s)", kv(r, "error"));
	free(r);
	c.pers.flags = flagv;
	c.pers.n_flags = 1;
	c.pers.domain = "LINUX";
	r = run_child(child_early, &c, NULL);
	snprintf(want, sizeof(want), "0x%x", PER_LINUX | ADDR_NO_RANDOMIZE);
	TAP_STREQ(kv(r, "personality"), want, "personality LINUX + ADDR_NO_RANDOMIZE");
	free(r);

	struct werr e;
	struct oci_process p = {0};
	c.pers.domain = "LINUX64";
	TAP_OK(process_attrs_validate(&p, &c.pers, -1, &e) < 0 &&
		       strstr(e.msg, "linux.personality.domain: unknown domain \"LINUX64\""),
	       "unknown domain refused: %s", e.msg);
	c.pers.domain = "LINUX";
	char *badf[] = {"ADDR_RANDOM"};
	c.pers.flags = badf;
	TAP_OK(process_attrs_validate(&p, &c.pers, -1, &e) < 0 &&
		       strstr(e.msg, "linux.personality.flags[0]: unknown flag \"ADDR_RANDOM\""),
	       "unknown flag refused: %s", e.msg);
}

static void test_scheduler(void)
{
	struct early_case c = {.proc_fd = -1};
	c.p.scheduler = (struct oci_scheduler){
		.present = true, .policy = "SCHED_BATCH", .has_nice = true, .nice = 7};
	char *r = run_child(child_early, &c, NULL);
	TAP_STREQ(kv(r, "policy"), "3", "SCHED_BATCH applied (%s)", kv(r, "error"));
	TAP_STREQ(kv(r, "nice"), "7", "nice 7 applied");
	free(r);

	c.p.scheduler = (struct oci_scheduler){.present = true, .policy = "SCHED_IDLE"};
	r = run_child(child_early, &c, NULL);
	TAP_STREQ(kv(r, "policy"), "5", "SCHED_IDLE applied (%s)", kv(r, "error"));
	free(r);

	c.p.scheduler = (struct oci_scheduler){
		.present = true, .policy = "SCHED_FIFO", .has_priority = true, .priority = 10};
	r = run_child(child_early, &c, NULL);
	if (strstr(kv(r, "error"), "Operation not permitted")) {
		TAP_OK(1, "# SKIP SCHED_FIFO refused here (RT group scheduling): %s",
		       kv(r, "error"));
		TAP_OK(1, "# SKIP");
	} else {
		TAP_STREQ(kv(r, "policy"), "1", "SCHED_FIFO applied (%s)", kv(r, "error"));
		TAP_STREQ(kv(r, "prio"), "10", "priority 10 applied");
	}
	free(r);

	c.p.scheduler = (struct oci_scheduler){.present = true,
					       .policy = "SCHED_DEADLINE",
					       .has_runtime = true,
					       .runtime = 1000000,
					       .has_deadline = true,
					       .deadline = 10000000,
					       .has_period = true,
					       .period = 10000000};
	r = run_child(child_early, &c, NULL);
	if (strstr(kv(r, "error"), "sched_setattr") &&
	    (strstr(kv(r, "error"), "Device or resource busy") ||
	     strstr(kv(r, "error"), "Operation not permitted"))) {
		TAP_OK(1, "# SKIP SCHED_DEADLINE refused here: %s", kv(r, "error"));
		TAP_OK(1, "# SKIP");
	} else {
		TAP_STREQ(kv(r, "policy"), "6", "SCHED_DEADLINE applied (%s)", kv(r, "error"));
		TAP_STREQ(kv(r, "runtime"), "1000000", "runtime 1ms read back");
	}
	free(r);

	struct werr e;
	struct {
		struct oci_scheduler s;
		const char *msg;
	} bad[] = {
		{{.present = true, .policy = "SCHED_FAST"}, "unknown policy \"SCHED_FAST\""},
		{{.present = true, .policy = "SCHED_OTHER", .has_priority = true, .priority = 5},
		 "only SCHED_FIFO and SCHED_RR take a priority"},
		{{.present = true, .policy = "SCHED_RR"}, "needs a priority in 1..99"},
		{{.present = true, .policy = "SCHED_OTHER", .has_runtime = true, .runtime = 5},
		 "only for SCHED_DEADLINE"},
		{{.present = true, .policy = "SCHED_OTHER", .has_nice = true, .nice = 20},
		 "nice: 20 is outside -20..19"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct oci_process p = {0};
		p.scheduler = bad[i].s;
		TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 && strstr(e.msg, bad[i].msg) &&
			       strstr(e.msg, "process.scheduler"),
		       "scheduler refused: %s", e.msg);
	}
	char *fl[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_WHATEVER"};
	struct oci_process p = {0};
	p.scheduler = (struct oci_scheduler){
		.present = true, .policy = "SCHED_OTHER", .flags = fl, .n_flags = 2};
	TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 &&
		       strstr(e.msg,
			      "process.scheduler.flags[1]: unknown flag \"SCHED_FLAG_WHATEVER\""),
	       "unknown scheduler flag refused: %s", e.msg);
}

static void test_ioprio(void)
{
	struct early_case c = {.proc_fd = -1};
	c.p.io_priority = (struct oci_io_priority){
		.present = true, .class = "IOPRIO_CLASS_BE", .priority = 3};
	char *r = run_child(child_early, &c, NULL);
	TAP_OK(strcmp(kv(r, "ioclass"), "2") == 0 && strcmp(kv(r, "iolevel"), "3") == 0,
	       "IOPRIO_CLASS_BE level 3 read back (%s/%s %s)", kv(r, "ioclass"), kv(r, "iolevel"),
	       kv(r, "error"));
	free(r);
	c.p.io_priority = (struct oci_io_priority){
		.present = true, .class = "IOPRIO_CLASS_RT", .priority = 1};
	r = run_child(child_early, &c, NULL);
	TAP_OK(strcmp(kv(r, "ioclass"), "1") == 0 && strcmp(kv(r, "iolevel"), "1") == 0,
	       "IOPRIO_CLASS_RT level 1 read back (%s/%s %s)", kv(r, "ioclass"), kv(r, "iolevel"),
	       kv(r, "error"));
	free(r);
	c.p.io_priority = (struct oci_io_priority){.present = true, .class = "IOPRIO_CLASS_IDLE"};
	r = run_child(child_early, &c, NULL);
	TAP_STREQ(kv(r, "ioclass"), "3", "IOPRIO_CLASS_IDLE read back (%s)", kv(r, "error"));
	free(r);

	struct werr e;
	struct oci_process p = {0};
	p.io_priority = (struct oci_io_priority){
		.present = true, .class = "IOPRIO_CLASS_BE", .priority = 8};
	TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 &&
		       strstr(e.msg, "process.ioPriority.priority: 8 is outside 0..7"),
	       "io priority 8 refused: %s", e.msg);
	p.io_priority.class = "IOPRIO_CLASS_NONE";
	p.io_priority.priority = 0;
	TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 &&
		       strstr(e.msg, "process.ioPriority.class: unknown class"),
	       "unknown io class refused: %s", e.msg);
}

static void child_affinity(void *arg)
{
	struct werr e;
	cpu_set_t set;
	if (cpu_affinity_apply(arg, &e) < 0)
		rep("error=%s\n", e.msg);
	sched_getaffinity(0, sizeof(set), &set);
	rep("count=%d\ncpu0=%d\n", CPU_COUNT(&set), CPU_ISSET(0, &set) ? 1 : 0);
}

static void test_cpus(void)
{
	struct werr e;
	cpu_set_t s;
	TAP_OK(cpu_list_parse("0-3,7", &s, &e) == 0 && CPU_COUNT(&s) == 5 && CPU_ISSET(7, &s) &&
		       CPU_ISSET(2, &s) && !CPU_ISSET(4, &s),
	       "\"0-3,7\" parses to 0,1,2,3,7");
	TAP_OK(cpu_list_parse(" 1 , 3 ", &s, &e) == 0 && CPU_COUNT(&s) == 2, "blanks allowed");
	const char *bad[] = {"", "3-1", "a", "0,", "1024", "0-", "-1", "1;2"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		TAP_OK(cpu_list_parse(bad[i], &s, &e) < 0, "\"%s\" refused: %s", bad[i], e.msg);

	char *r = run_child(child_affinity, "0", NULL);
	TAP_OK(strcmp(kv(r, "count"), "1") == 0 && strcmp(kv(r, "cpu0"), "1") == 0,
	       "affinity \"0\" applied (%s %s)", kv(r, "count"), kv(r, "error"));
	free(r);

	struct oci_process p = {0};
	p.exec_cpu_affinity =
		(struct oci_cpu_affinity){.present = true, .initial = "0-1", .final = "x"};
	TAP_OK(process_attrs_validate(&p, NULL, -1, &e) < 0 &&
		       strstr(e.msg, "process.execCPUAffinity.final"),
	       "bad execCPUAffinity.final refused: %s", e.msg);
}

/* ---------- stdio ownership ---------- */

static void child_stdio(void *arg)
{
	struct ident_case *c = arg;
	struct werr e;
	int pfd[2];
	char path[] = "/tmp/ward-test-stdio-XXXXXX";
	int file = mkstemp(path);
	if (file < 0 || pipe(pfd) < 0)
		_exit(90);
	unlink(path);
	/* stdin: a pipe; stdout: a regular (host) file */
	dup2(pfd[0], 0);
	dup2(file, 1);
	if (process_apply_identity(&c->p, -1, &e) < 0) {
		rep("error=%s\n", e.msg);
		return;
	}
	struct stat a, b;
	fstat(0, &a);
	fstat(1, &b);
	rep("pipe_uid=%u\nfile_uid=%u\n", (unsigned)a.st_uid, (unsigned)b.st_uid);
}

static void test_stdio(void)
{
	struct ident_case c = {0};
	c.p.user.uid = 1234;
	c.p.user.gid = 1234;
	char *r = run_child(child_stdio, &c, NULL);
	TAP_STREQ(kv(r, "pipe_uid"), "1234", "a pipe on stdin is handed to the container user (%s)",
		  kv(r, "error"));
	TAP_STREQ(kv(r, "file_uid"), "0", "a regular file on stdout keeps its host owner");
	free(r);
}

static void test_validate_ok(void)
{
	struct werr e;
	struct oci_process p = {0};
	caps_fill(&p.capabilities,
		  &(struct capspec){.b = docker_caps, .e = docker_caps, .p = docker_caps});
	struct oci_rlimit rl[] = {{.type = "RLIMIT_NOFILE", .soft = 1024, .hard = 1024}};
	p.rlimits = rl;
	p.n_rlimits = 1;
	p.has_oom_score_adj = true;
	p.oom_score_adj = 100;
	p.scheduler = (struct oci_scheduler){.present = true, .policy = "SCHED_OTHER"};
	p.io_priority = (struct oci_io_priority){.present = true, .class = "IOPRIO_CLASS_BE"};
	struct oci_personality pers = {.present = true, .domain = "LINUX"};
	int pfd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	werr_clear(&e);
	TAP_OK(process_attrs_validate(&p, &pers, pfd, &e) == 0,
	       "a Docker-like process validates (%s)", e.msg);
	p.oom_score_adj = 1001;
	TAP_OK(process_attrs_validate(&p, &pers, pfd, &e) < 0 && strstr(e.msg, "oomScoreAdj"),
	       "oomScoreAdj 1001 refused: %s", e.msg);
	close(pfd);
	caps_clear(&p.capabilities);
}

int main(void)
{
	struct werr e;
	/* Warnings about unknown caps go to a log nobody reads in tests. */
	log_open("/dev/null", WLOG_TEXT, false, &e);
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	test_cap_names();
	test_caps_validate();
	test_docker_caps_root();
	test_nonroot_user();
	test_ambient();
	test_caps_absent();
	test_inheritable_asked();
	test_exec_cap();
	test_confinement();
	test_rlimits();
	test_oom();
	test_overmount();
	test_personality();
	test_scheduler();
	test_ioprio();
	test_cpus();
	test_stdio();
	test_validate_ok();
	log_close();
	return tap_done();
}
