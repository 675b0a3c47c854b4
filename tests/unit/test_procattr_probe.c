/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The static probe helper (tests/helpers/probe.c) against real attributes: a
 * child applies a full process config in init order, execs the probe, and the
 * probe's key=value output must show exactly what was applied. This checks the
 * probe that integration tests rely on, and the attributes after an execve.
 * Skipped when build/helpers/probe has not been built (`make helpers`).
 */
#include <fcntl.h>
#include <libgen.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/process_attrs.h"
#include "runtime/seccomp_oci.h"
#include "tests/unit/tap.h"

#define BIT(c) (UINT64_C(1) << (c))

static char probe_path[4096];

static bool find_probe(const char *argv0)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", argv0);
	const char *cands[] = {NULL, "build/helpers/probe"};
	char rel[4096];
	snprintf(rel, sizeof(rel), "%s/../../build/helpers/probe", dirname(buf));
	cands[0] = rel;
	for (size_t i = 0; i < ARRAY_SIZE(cands); i++)
		if (access(cands[i], X_OK) == 0 && realpath(cands[i], probe_path))
			return true;
	return false;
}

struct run {
	struct oci_process p;
	struct oci_personality pers;
	struct seccomp_oci f;
	const char *affinity;
	char *const *probe_args;
};

/* Init order from process_attrs.h, then exec the probe with stdout to the pipe. */
static char *run_probe(struct run *r)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		abort();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct werr e;
		int lfd = -1;
		werr_clear(&e);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(90);
		if ((r->affinity && cpu_affinity_apply(r->affinity, &e) < 0) ||
		    process_apply_early(&r->p, &r->pers, -1, &e) < 0 ||
		    process_apply_confinement(&r->p, -1, &e) < 0 ||
		    (process_seccomp_before_identity(&r->p) &&
		     seccomp_oci_load(&r->f, &lfd, &e) < 0) ||
		    process_apply_identity(&r->p, -1, &e) < 0 ||
		    (!process_seccomp_before_identity(&r->p) &&
		     seccomp_oci_load(&r->f, &lfd, &e) < 0)) {
			dprintf(1, "error=%s\n", e.msg);
			_exit(91);
		}
		/* only stdio reaches the probe */
		close_range(3, ~0U, 0);
		execv(probe_path, r->probe_args);
		dprintf(1, "error=exec %s\n", probe_path);
		_exit(92);
	}
	close(pfd[1]);
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);
	for (ssize_t n; (n = read(pfd[0], buf + len, cap - 1 - len)) > 0;) {
		len += (size_t)n;
		if (len + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	return buf;
}

static const char *kv(const char *report, const char *key)
{
	static char val[8][1024];
	static int slot;
	char *out = val[slot++ % 8];
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

static char **strv(const char *const *names, size_t *n)
{
	size_t k = 0;
	while (names[k])
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

static void caps_set(struct oci_capabilities *c, const char *const *bep, const char *const *ia)
{
	static const char *const none[] = {NULL};
	c->present = true;
	c->bounding = strv(bep, &c->n_bounding);
	c->effective = strv(bep, &c->n_effective);
	c->permitted = strv(bep, &c->n_permitted);
	c->inheritable = strv(ia ? ia : none, &c->n_inheritable);
	c->ambient = strv(ia ? ia : none, &c->n_ambient);
}

static void caps_free(struct oci_capabilities *c)
{
	strv_free(c->bounding, c->n_bounding);
	strv_free(c->effective, c->n_effective);
	strv_free(c->permitted, c->n_permitted);
	strv_free(c->inheritable, c->n_inheritable);
	strv_free(c->ambient, c->n_ambient);
	memset(c, 0, sizeof(*c));
}

static const char *hex(uint64_t v)
{
	static char b[4][32];
	static int slot;
	char *o = b[slot++ % 4];
	snprintf(o, sizeof(b[0]), "%016llx", (unsigned long long)v);
	return o;
}

static void test_root_everything(void)
{
	static const char *const caps[] = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL};
	struct run r;
	memset(&r, 0, sizeof(r));
	caps_set(&r.p.capabilities, caps, NULL);
	r.p.no_new_privileges = true;
	struct oci_rlimit rl[] = {{.type = "RLIMIT_NOFILE", .soft = 100, .hard = 200},
				  {.type = "RLIMIT_CORE", .soft = 0, .hard = 0}};
	r.p.rlimits = rl;
	r.p.n_rlimits = 2;
	r.p.has_oom_score_adj = true;
	r.p.oom_score_adj = 321;
	r.p.scheduler = (struct oci_scheduler){
		.present = true, .policy = "SCHED_BATCH", .has_nice = true, .nice = 5};
	r.p.io_priority = (struct oci_io_priority){
		.present = true, .class = "IOPRIO_CLASS_BE", .priority = 4};
	r.p.user.has_umask = true;
	r.p.user.umask = 077;
	r.pers = (struct oci_personality){.present = true, .domain = "LINUX32"};
	r.affinity = "0";

	/* getppid gets errno 42, everything else is allowed */
	struct oci_seccomp_syscall sc = {
		.action = "SCMP_ACT_ERRNO", .has_errno_ret = true, .errno_ret = 42};
	char *names[] = {"getppid"};
	sc.names = names;
	sc.n_names = 1;
	struct oci_seccomp s = {.present = true,
				.default_action = "SCMP_ACT_ALLOW",
				.syscalls = &sc,
				.n_syscalls = 1};
	struct werr e;
	if (seccomp_oci_compile(&s, &r.f, &e) < 0)
		abort();

	char *all_args[] = {probe_path, "all", NULL};
	r.probe_args = all_args;
	char *out = run_probe(&r);
	uint64_t m = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE);
	TAP_STREQ(kv(out, "error"), "", "the init sequence and exec worked");
	TAP_STREQ(kv(out, "cap_eff"), hex(m), "probe: cap_eff");
	TAP_STREQ(kv(out, "cap_prm"), hex(m), "probe: cap_prm");
	TAP_STREQ(kv(out, "cap_bnd"), hex(m), "probe: cap_bnd");
	TAP_STREQ(kv(out, "cap_inh"), hex(0), "probe: cap_inh empty");
	TAP_STREQ(kv(out, "cap_amb"), hex(0), "probe: cap_amb empty");
	TAP_STREQ(kv(out, "securebits"), "0x0", "probe: securebits");
	TAP_STREQ(kv(out, "nnp"), "1", "probe: nnp");
	TAP_STREQ(kv(out, "seccomp"), "2", "probe: seccomp filter mode");
	TAP_STREQ(kv(out, "RLIMIT_NOFILE"), "100:200", "probe: RLIMIT_NOFILE");
	TAP_STREQ(kv(out, "RLIMIT_CORE"), "0:0", "probe: RLIMIT_CORE");
	TAP_STREQ(kv(out, "oom_score_adj"), "321", "probe: oom_score_adj");
	TAP_STREQ(kv(out, "personality_domain"), "LINUX32", "probe: personality");
	TAP_STREQ(kv(out, "sched_policy"), "SCHED_BATCH", "probe: scheduler policy");
	TAP_STREQ(kv(out, "sched_nice"), "5", "probe: nice");
	TAP_STREQ(kv(out, "ioprio_class"), "IOPRIO_CLASS_BE", "probe: io class");
	TAP_STREQ(kv(out, "ioprio_level"), "4", "probe: io level");
	TAP_STREQ(kv(out, "cpus"), "0", "probe: cpus");
	TAP_STREQ(kv(out, "umask"), "0077", "probe: umask");
	TAP_STREQ(kv(out, "uid"), "0", "probe: uid");
	TAP_STREQ(kv(out, "fd_count"), "3", "probe: only stdio is open");
	TAP_STREQ(kv(out, "fd.0"), "/dev/null", "probe: fd 0 target");
	free(out);

	char *sys_args[] = {probe_path, "syscall", "getppid", NULL};
	r.probe_args = sys_args;
	out = run_probe(&r);
	TAP_STREQ(kv(out, "errno"), "42", "probe syscall getppid: errno 42 from the filter");
	TAP_STREQ(kv(out, "errname"), "ENOMSG", "probe syscall: errno name");
	free(out);

	char *seccomp_args[] = {probe_path, "seccomp", "getpid", NULL};
	r.probe_args = seccomp_args;
	out = run_probe(&r);
	TAP_OK(strcmp(kv(out, "seccomp"), "2") == 0 && strcmp(kv(out, "errno"), "0") == 0 &&
		       atoi(kv(out, "ret")) > 0,
	       "probe seccomp NAME: mode and the call's result");
	free(out);

	seccomp_oci_release(&r.f);
	caps_free(&r.p.capabilities);
}

static void test_user_ambient(void)
{
	static const char *const nbs[] = {"CAP_NET_BIND_SERVICE", NULL};
	struct run r;
	memset(&r, 0, sizeof(r));
	caps_set(&r.p.capabilities, nbs, nbs);
	r.p.user.uid = 1000;
	r.p.user.gid = 1001;
	uint32_t gids[] = {5, 6, 7};
	r.p.user.additional_gids = gids;
	r.p.user.n_additional_gids = 3;
	char *args[] = {probe_path, "all", NULL};
	r.probe_args = args;
	char *out = run_probe(&r);
	TAP_STREQ(kv(out, "uid"), "1000", "probe: uid 1000 (%s)", kv(out, "error"));
	TAP_STREQ(kv(out, "euid"), "1000", "probe: euid");
	TAP_STREQ(kv(out, "gid"), "1001", "probe: gid");
	TAP_STREQ(kv(out, "groups"), "5,6,7", "probe: groups");
	TAP_STREQ(kv(out, "cap_amb"), hex(BIT(CAP_NET_BIND_SERVICE)), "probe: ambient kept");
	TAP_STREQ(kv(out, "cap_eff"), hex(BIT(CAP_NET_BIND_SERVICE)),
		  "probe: non-root effective = ambient after exec");
	TAP_STREQ(kv(out, "nnp"), "0", "probe: nnp off");
	TAP_STREQ(kv(out, "seccomp"), "0", "probe: no filter");
	free(out);
	caps_free(&r.p.capabilities);
}

int main(int argc, char **argv)
{
	struct werr e;
	(void)argc;
	log_open("/dev/null", WLOG_TEXT, false, &e);
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	if (!find_probe(argv[0])) {
		printf("1..0 # SKIP build/helpers/probe not built (make helpers)\n");
		return 0;
	}
	test_root_everything();
	test_user_ambient();
	log_close();
	return tap_done();
}
