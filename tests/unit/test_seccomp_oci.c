/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp compiled and loaded for real: filters are compiled in the
 * parent (as `ward create` does before clone) and loaded in a forked child,
 * which then makes the system calls and reports what the kernel did (errno,
 * return value, signal). Filters use getppid(2) as the target: it is harmless,
 * ignores its arguments (so seccomp sees whatever we put in the registers) and
 * has a result the parent knows.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/seccomp_oci.h"
#include "tests/unit/tap.h"

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

static pid_t child_pid;

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
		/* KILL actions end in SIGSYS, which would dump core. */
		struct rlimit nocore = {0, 0};
		setrlimit(RLIMIT_CORE, &nocore);
		fn(arg);
		_exit(0);
	}
	child_pid = pid;
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

/* ---------- building linux.seccomp by hand ---------- */

static struct oci_seccomp *sc_new(const char *def)
{
	struct oci_seccomp *s = calloc(1, sizeof(*s));
	s->present = true;
	s->default_action = strdup(def);
	return s;
}

static char **strv_add(char **v, size_t *n, const char *x)
{
	v = realloc(v, (*n + 1) * sizeof(*v));
	v[(*n)++] = strdup(x);
	return v;
}

/* Adds a rule for the names (NULL-terminated); the pointer is valid until the next sc_rule. */
static struct oci_seccomp_syscall *sc_rule(struct oci_seccomp *s, const char *action, ...)
{
	s->syscalls = realloc(s->syscalls, (s->n_syscalls + 1) * sizeof(*s->syscalls));
	struct oci_seccomp_syscall *r = &s->syscalls[s->n_syscalls++];
	memset(r, 0, sizeof(*r));
	r->action = strdup(action);
	va_list ap;
	va_start(ap, action);
	for (const char *n; (n = va_arg(ap, const char *));)
		r->names = strv_add(r->names, &r->n_names, n);
	va_end(ap);
	return r;
}

static void sc_arg(struct oci_seccomp_syscall *r, uint32_t index, const char *op, uint64_t value,
		   uint64_t value_two)
{
	r->args = realloc(r->args, (r->n_args + 1) * sizeof(*r->args));
	r->args[r->n_args++] = (struct oci_seccomp_arg){
		.index = index, .op = strdup(op), .value = value, .value_two = value_two};
}

static void sc_free(struct oci_seccomp *s)
{
	for (size_t i = 0; i < s->n_syscalls; i++) {
		struct oci_seccomp_syscall *r = &s->syscalls[i];
		for (size_t j = 0; j < r->n_names; j++)
			free(r->names[j]);
		for (size_t j = 0; j < r->n_args; j++)
			free(r->args[j].op);
		free(r->names);
		free(r->args);
		free(r->action);
	}
	for (size_t i = 0; i < s->n_architectures; i++)
		free(s->architectures[i]);
	for (size_t i = 0; i < s->n_flags; i++)
		free(s->flags[i]);
	free(s->architectures);
	free(s->flags);
	free(s->syscalls);
	free(s->default_action);
	free(s);
}

/* ---------- a child that loads a filter and then does something ---------- */

struct job {
	struct seccomp_oci f;
	void (*after)(struct job *j, int listener);
	long args[6];
	long calls[8][6];
	int n_calls;
	const char *sock_path;
};

static void rep_call(const char *key, long r)
{
	if (r < 0)
		rep("%s=errno:%d\n", key, errno);
	else
		rep("%s=%ld\n", key, r);
}

static void child_load(void *arg)
{
	struct job *j = arg;
	struct werr e;
	int listener = -1;
	werr_clear(&e);
	if (seccomp_oci_load(&j->f, &listener, &e) < 0) {
		rep("error=%s\n", e.msg);
		return;
	}
	rep("loaded=1\nlistener=%d\n", listener >= 0 ? 1 : 0);
	if (j->after)
		j->after(j, listener);
	else
		rep_call("getppid", syscall(SYS_getppid, j->args[0], j->args[1], j->args[2],
					    j->args[3], j->args[4], j->args[5]));
	for (int i = 0; i < j->n_calls; i++) {
		char key[16];
		long *a = j->calls[i];
		snprintf(key, sizeof(key), "c%d", i);
		rep_call(key, syscall(SYS_getppid, a[0], a[1], a[2], a[3], a[4], a[5]));
	}
}

/* Compiles s, runs child_load with it; returns the report. */
static char *compile_and_run(struct oci_seccomp *s, struct job *j, int *wstatus)
{
	struct werr e;
	werr_clear(&e);
	if (seccomp_oci_compile(s, &j->f, &e) < 0) {
		char *r = malloc(strlen(e.msg) + 32);
		sprintf(r, "compile_error=%s\n", e.msg);
		return r;
	}
	char *r = run_child(child_load, j, wstatus);
	seccomp_oci_release(&j->f);
	return r;
}

static const char *ppid_str(void)
{
	static char b[32];
	snprintf(b, sizeof(b), "%d", (int)getpid());
	return b;
}

/* ---------- error messages ---------- */

static void expect_compile_error(struct oci_seccomp *s, const char *want, const char *what)
{
	struct seccomp_oci f;
	struct werr e;
	werr_clear(&e);
	int r = seccomp_oci_compile(s, &f, &e);
	TAP_OK(r < 0 && strstr(e.msg, want), "%s: %s", what, e.msg);
	if (r == 0)
		seccomp_oci_release(&f);
	sc_free(s);
}

static void test_errors(void)
{
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	sc_rule(s, "SCMP_ACT_LOG", "getpid", NULL);
	sc_rule(s, "SCMP_ACT_FOO", "gettid", NULL);
	expect_compile_error(s, "linux.seccomp.syscalls[2].action: unknown action \"SCMP_ACT_FOO\"",
			     "unknown rule action");

	expect_compile_error(sc_new("SCMP_ACT_NOPE"),
			     "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_NOPE\"",
			     "unknown default action");

	s = sc_new("SCMP_ACT_ALLOW");
	sc_arg(sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL), 0, "SCMP_CMP_SIMILAR", 1, 0);
	expect_compile_error(s,
			     "linux.seccomp.syscalls[0].args[0].op: unknown operator "
			     "\"SCMP_CMP_SIMILAR\"",
			     "unknown operator");

	s = sc_new("SCMP_ACT_ALLOW");
	sc_arg(sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL), 6, "SCMP_CMP_EQ", 1, 0);
	expect_compile_error(s, "linux.seccomp.syscalls[0].args[0].index: 6 is not", "arg index 6");

	s = sc_new("SCMP_ACT_ALLOW");
	s->architectures = strv_add(s->architectures, &s->n_architectures, "SCMP_ARCH_X86_64");
	s->architectures = strv_add(s->architectures, &s->n_architectures, "SCMP_ARCH_VAX");
	expect_compile_error(s,
			     "linux.seccomp.architectures[1]: unknown architecture "
			     "\"SCMP_ARCH_VAX\"",
			     "unknown architecture");

	s = sc_new("SCMP_ACT_ALLOW");
	s->flags = strv_add(s->flags, &s->n_flags, "SECCOMP_FILTER_FLAG_FAST");
	expect_compile_error(s, "linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FAST\"",
			     "unknown flag");

	expect_compile_error(sc_new("SCMP_ACT_NOTIFY"),
			     "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default",
			     "NOTIFY as default action");

	s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_NOTIFY", "getppid", "write", NULL);
	expect_compile_error(s,
			     "linux.seccomp.syscalls[0]: SCMP_ACT_NOTIFY cannot be used for write",
			     "NOTIFY on write");

	s = sc_new("SCMP_ACT_ALLOW");
	struct oci_seccomp_syscall *r = sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	r->has_errno_ret = true;
	r->errno_ret = 70000;
	expect_compile_error(s, "linux.seccomp.syscalls[0].action: errnoRet 70000 does not fit",
			     "errnoRet too large");

	s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_ERRNO", NULL);
	expect_compile_error(s, "linux.seccomp.syscalls[0].names: no system call named",
			     "rule without names");

	s = sc_new("SCMP_ACT_ALLOW");
	for (uint64_t v = 0; v < 4500; v++)
		sc_arg(sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL), 0, "SCMP_CMP_EQ", v, 0);
	expect_compile_error(s, "BPF instructions, the kernel takes at most 4096",
			     "an oversized filter is refused before loading");

	/* Absent linux.seccomp compiles to "no filter" and loads as a no-op. */
	struct oci_seccomp none = {0};
	struct seccomp_oci f;
	struct werr e;
	int fd = 5;
	TAP_OK(seccomp_oci_compile(&none, &f, &e) == 0 && f.prog.len == 0 &&
		       seccomp_oci_load(&f, &fd, &e) == 0 && fd == -1,
	       "no linux.seccomp: nothing compiled, nothing loaded");
}

/* ---------- actions ---------- */

/* What a child (and the sanitizer runtime in it) needs under a deny-by-default filter. */
#define CHILD_NEEDS                                                                                \
	"write", "exit_group", "exit", "rt_sigreturn", "mmap", "munmap", "sigaltstack",            \
		"rt_sigprocmask", "madvise", "gettid", "getpid", "prctl"

static void test_errno_actions(void)
{
	struct job j = {0};
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	char *r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), "errno:1", "SCMP_ACT_ERRNO defaults to EPERM (%s%s)",
		  kv(r, "error"), kv(r, "compile_error"));
	TAP_STREQ(kv(r, "listener"), "0", "no NOTIFY rule: no listener fd");
	free(r);
	sc_free(s);

	s = sc_new("SCMP_ACT_ALLOW");
	struct oci_seccomp_syscall *rule = sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	rule->has_errno_ret = true;
	rule->errno_ret = 42;
	r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), "errno:42", "SCMP_ACT_ERRNO with errnoRet 42");
	free(r);
	sc_free(s);

	/* defaultAction ERRNO with defaultErrnoRet; allow just what the child needs. */
	s = sc_new("SCMP_ACT_ERRNO");
	s->has_default_errno_ret = true;
	s->default_errno_ret = 38;
	sc_rule(s, "SCMP_ACT_ALLOW", CHILD_NEEDS, NULL);
	r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), "errno:38", "defaultAction ERRNO with defaultErrnoRet 38");
	free(r);
	sc_free(s);

	/* TRACE with nobody tracing: the kernel fails the call with ENOSYS. */
	s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_TRACE", "getppid", NULL);
	r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), "errno:38", "SCMP_ACT_TRACE without a tracer gives ENOSYS");
	free(r);
	sc_free(s);

	s = sc_new("SCMP_ACT_ERRNO");
	sc_rule(s, "SCMP_ACT_ALLOW", CHILD_NEEDS, "getppid", NULL);
	sc_rule(s, "SCMP_ACT_LOG", "getpid", NULL);
	r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), ppid_str(), "SCMP_ACT_ALLOW under a deny-by-default filter");
	free(r);
	sc_free(s);

	s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_LOG", "getppid", NULL);
	r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), ppid_str(), "SCMP_ACT_LOG lets the call run");
	free(r);
	sc_free(s);

	/* A rule with the default action is skipped (libseccomp would refuse it). */
	s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_ALLOW", "getppid", NULL);
	sc_rule(s, "SCMP_ACT_ERRNO", "gettid", NULL);
	r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), ppid_str(),
		  "a rule equal to the default action is skipped (%s)", kv(r, "compile_error"));
	free(r);
	sc_free(s);

	/* Unknown syscall names are ignored; the known ones in the same rule still apply. */
	s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_ERRNO", "no_such_syscall_ever", "getppid", "another_fake", NULL);
	r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), "errno:1", "unknown syscall names ignored (%s)",
		  kv(r, "compile_error"));
	free(r);
	sc_free(s);

	/* Loading never sets no_new_privs by itself. */
	s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_ERRNO", "gettid", NULL);
	j.after = NULL;
	r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "loaded"), "1", "filter loaded by root without NNP");
	free(r);
	sc_free(s);
}

static void after_nnp(struct job *j, int listener)
{
	(void)j;
	(void)listener;
	rep("nnp=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

static void child_load_as_user(void *arg)
{
	struct job *j = arg;
	struct werr e;
	int fd;
	if (setresgid(1000, 1000, 1000) < 0 || setresuid(1000, 1000, 1000) < 0)
		_exit(90);
	if (seccomp_oci_load(&j->f, &fd, &e) < 0)
		rep("error=%s\n", e.msg);
	else
		rep("loaded=1\n");
}

static void test_privilege(void)
{
	struct job j = {0};
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_ERRNO", "gettid", NULL);
	j.after = after_nnp;
	char *r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "nnp"), "0", "loading leaves no_new_privs off");
	free(r);

	struct werr e;
	seccomp_oci_compile(s, &j.f, &e);
	r = run_child(child_load_as_user, &j, NULL);
	TAP_OK(strstr(kv(r, "error"), "CAP_SYS_ADMIN") != NULL,
	       "without NNP and without CAP_SYS_ADMIN the load fails clearly: %s", kv(r, "error"));
	free(r);
	seccomp_oci_release(&j.f);
	sc_free(s);
}

static void test_kill_actions(void)
{
	static const char *const kills[] = {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
					    "SCMP_ACT_KILL_THREAD"};
	for (size_t i = 0; i < ARRAY_SIZE(kills); i++) {
		struct job j = {0};
		struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
		sc_rule(s, kills[i], "getppid", NULL);
		int st = 0;
		char *r = compile_and_run(s, &j, &st);
		TAP_OK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS && !strstr(r, "getppid="),
		       "%s kills the caller with SIGSYS (status 0x%x %s)", kills[i], st,
		       kv(r, "error"));
		free(r);
		sc_free(s);
	}
}

static void *thread_getppid(void *arg)
{
	(void)arg;
	rep_call("thread", syscall(SYS_getppid));
	return NULL;
}

static void after_thread(struct job *j, int listener)
{
	(void)j;
	(void)listener;
	pthread_t t;
	if (pthread_create(&t, NULL, thread_getppid, NULL) != 0)
		_exit(91);
	pthread_join(t, NULL);
	rep("alive=1\n");
}

static void test_kill_thread_vs_process(void)
{
	struct job j = {.after = after_thread};
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_KILL_THREAD", "getppid", NULL);
	int st = 0;
	char *r = compile_and_run(s, &j, &st);
	TAP_OK(strcmp(kv(r, "alive"), "1") == 0 && !strstr(r, "thread=") && WIFEXITED(st),
	       "KILL_THREAD kills only the calling thread");
	free(r);
	sc_free(s);

	s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_KILL_PROCESS", "getppid", NULL);
	r = compile_and_run(s, &j, &st);
	TAP_OK(!strstr(r, "alive=") && WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	       "KILL_PROCESS kills the whole process from another thread");
	free(r);
	sc_free(s);
}

static volatile sig_atomic_t trap_code, trap_nr, trap_data;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trap_code = si->si_code;
	trap_nr = si->si_syscall;
	trap_data = si->si_errno;
}

static void after_trap(struct job *j, int listener)
{
	(void)j;
	(void)listener;
	syscall(SYS_getppid);
	rep("code=%d\nnr=%d\n", (int)trap_code, (int)trap_nr);
}

static void child_trap(void *arg)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	sigaction(SIGSYS, &sa, NULL);
	child_load(arg);
}

static void test_trap(void)
{
	struct job j = {.after = after_trap};
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_TRAP", "getppid", NULL);
	struct werr e;
	seccomp_oci_compile(s, &j.f, &e);
	int st;
	char *r = run_child(child_trap, &j, &st);
	char want[16];
	snprintf(want, sizeof(want), "%d", SYS_getppid);
	TAP_STREQ(kv(r, "code"), "1", "SCMP_ACT_TRAP delivers SIGSYS with si_code SYS_SECCOMP");
	TAP_STREQ(kv(r, "nr"), want, "si_syscall names getppid");
	free(r);
	seccomp_oci_release(&j.f);
	sc_free(s);
}

/* ---------- argument comparisons ---------- */

struct cmp_case {
	const char *op;
	uint64_t value, value_two;
	long match[3], nomatch[2];
};

static void test_arg_ops(void)
{
	static const struct cmp_case cases[] = {
		{"SCMP_CMP_EQ", 5, 0, {5, 5, 5}, {6, 4}},
		{"SCMP_CMP_NE", 5, 0, {6, 4, 0}, {5, 5}},
		{"SCMP_CMP_LT", 5, 0, {4, 0, 1}, {5, 6}},
		{"SCMP_CMP_LE", 5, 0, {5, 4, 0}, {6, 7}},
		{"SCMP_CMP_GT", 5, 0, {6, 100, 7}, {5, 0}},
		{"SCMP_CMP_GE", 5, 0, {5, 6, 100}, {4, 0}},
		/* value is the mask, valueTwo the datum */
		{"SCMP_CMP_MASKED_EQ", 0xf0, 0x30, {0x30, 0x3f, 0x130}, {0x40, 0x0f}},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct cmp_case *c = &cases[i];
		struct job j = {0};
		struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
		struct oci_seccomp_syscall *rule = sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
		rule->has_errno_ret = true;
		rule->errno_ret = 99;
		/* the same comparison on argument 2, to show the index is honoured */
		sc_arg(rule, 2, c->op, c->value, c->value_two);
		for (int k = 0; k < 3; k++)
			j.calls[j.n_calls++][2] = c->match[k];
		for (int k = 0; k < 2; k++)
			j.calls[j.n_calls++][2] = c->nomatch[k];
		/* right value on the wrong argument */
		j.calls[j.n_calls][0] = c->match[0];
		j.calls[j.n_calls++][2] = c->nomatch[0];
		char *r = compile_and_run(s, &j, NULL);
		bool ok = true;
		for (int k = 0; k < 3; k++) {
			char key[8];
			snprintf(key, sizeof(key), "c%d", k);
			ok &= strcmp(kv(r, key), "errno:99") == 0;
		}
		for (int k = 3; k < 6; k++) {
			char key[8];
			snprintf(key, sizeof(key), "c%d", k);
			ok &= strcmp(kv(r, key), ppid_str()) == 0;
		}
		TAP_OK(ok, "%s matches exactly the intended values on arg 2 (%s%s)", c->op,
		       kv(r, "error"), kv(r, "compile_error"));
		free(r);
		sc_free(s);
	}

	/* The full 64 bits are compared. */
	struct job j = {0};
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	sc_arg(sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL), 0, "SCMP_CMP_EQ", 0x100000005ull, 0);
	j.calls[j.n_calls++][0] = 5;
	j.calls[j.n_calls++][0] = (long)0x100000005ull;
	char *r = compile_and_run(s, &j, NULL);
	TAP_OK(strcmp(kv(r, "c0"), ppid_str()) == 0 && strcmp(kv(r, "c1"), "errno:1") == 0,
	       "EQ compares all 64 bits (%s %s)", kv(r, "c0"), kv(r, "c1"));
	free(r);
	sc_free(s);

	/* Distinct indexes: one rule, conditions ANDed. */
	j = (struct job){0};
	s = sc_new("SCMP_ACT_ALLOW");
	struct oci_seccomp_syscall *rule = sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	sc_arg(rule, 0, "SCMP_CMP_EQ", 1, 0);
	sc_arg(rule, 1, "SCMP_CMP_EQ", 2, 0);
	j.calls[0][0] = 1, j.calls[0][1] = 2;
	j.calls[1][0] = 1, j.calls[1][1] = 3;
	j.calls[2][0] = 0, j.calls[2][1] = 2;
	j.n_calls = 3;
	r = compile_and_run(s, &j, NULL);
	TAP_OK(strcmp(kv(r, "c0"), "errno:1") == 0 && strcmp(kv(r, "c1"), ppid_str()) == 0 &&
		       strcmp(kv(r, "c2"), ppid_str()) == 0,
	       "args on different indexes are ANDed (%s %s %s)", kv(r, "c0"), kv(r, "c1"),
	       kv(r, "c2"));
	free(r);
	sc_free(s);

	/* Same index twice: one rule per arg, so they are ORed (runc's behaviour). */
	j = (struct job){0};
	s = sc_new("SCMP_ACT_ALLOW");
	rule = sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	sc_arg(rule, 0, "SCMP_CMP_EQ", 1, 0);
	sc_arg(rule, 0, "SCMP_CMP_EQ", 2, 0);
	j.calls[0][0] = 1;
	j.calls[1][0] = 2;
	j.calls[2][0] = 3;
	j.n_calls = 3;
	r = compile_and_run(s, &j, NULL);
	TAP_OK(strcmp(kv(r, "c0"), "errno:1") == 0 && strcmp(kv(r, "c1"), "errno:1") == 0 &&
		       strcmp(kv(r, "c2"), ppid_str()) == 0,
	       "two args on the same index are ORed (%s %s %s %s)", kv(r, "c0"), kv(r, "c1"),
	       kv(r, "c2"), kv(r, "compile_error"));
	free(r);
	sc_free(s);
}

/* ---------- flags ---------- */

static void after_tsync(struct job *j, int listener)
{
	(void)j;
	(void)listener;
	after_thread(j, listener);
}

static int tsync_pipe[2];

static void *thread_wait_then_call(void *arg)
{
	(void)arg;
	char c;
	if (read(tsync_pipe[0], &c, 1) != 1)
		return NULL;
	rep_call("thread", syscall(SYS_getppid));
	return NULL;
}

/* Starts a thread before loading, so TSYNC has someone to synchronize. */
static void child_tsync(void *arg)
{
	struct job *j = arg;
	struct werr e;
	int fd;
	pthread_t t;
	if (pipe(tsync_pipe) < 0 || pthread_create(&t, NULL, thread_wait_then_call, NULL) != 0)
		_exit(92);
	if (seccomp_oci_load(&j->f, &fd, &e) < 0)
		rep("error=%s\n", e.msg);
	if (write(tsync_pipe[1], "x", 1) != 1)
		_exit(93);
	pthread_join(t, NULL);
}

static void test_flags(void)
{
	const char *const *known = seccomp_oci_known_flags();
	size_t n = 0;
	bool all = true;
	for (; known[n]; n++)
		all &= seccomp_oci_flag_supported(known[n]);
	TAP_OK(n == 4 && all, "the 4 spec flags are known and this kernel supports them");
	TAP_OK(!seccomp_oci_flag_supported("SECCOMP_FILTER_FLAG_NOPE"), "unknown flag unsupported");

	for (int with = 0; with <= 1; with++) {
		struct job j = {0};
		struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
		sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
		if (with)
			s->flags = strv_add(s->flags, &s->n_flags, "SECCOMP_FILTER_FLAG_TSYNC");
		struct werr e;
		seccomp_oci_compile(s, &j.f, &e);
		char *r = run_child(child_tsync, &j, NULL);
		if (with)
			TAP_STREQ(kv(r, "thread"), "errno:1",
				  "TSYNC: a thread started before loading is filtered too (%s)",
				  kv(r, "error"));
		else
			TAP_STREQ(kv(r, "thread"), ppid_str(),
				  "without TSYNC an earlier thread is not filtered");
		free(r);
		seccomp_oci_release(&j.f);
		sc_free(s);
	}

	static const char *const others[] = {"SECCOMP_FILTER_FLAG_LOG",
					     "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
	for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
		struct job j = {0};
		struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
		sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
		s->flags = strv_add(s->flags, &s->n_flags, others[i]);
		char *r = compile_and_run(s, &j, NULL);
		TAP_STREQ(kv(r, "getppid"), "errno:1", "filter with %s loads and works (%s)",
			  others[i], kv(r, "error"));
		free(r);
		sc_free(s);
	}

	/* WAIT_KILLABLE_RECV without NOTIFY is dropped; with NOTIFY it loads with a listener. */
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_ERRNO", "getppid", NULL);
	s->flags = strv_add(s->flags, &s->n_flags, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	struct job j = {0};
	char *r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), "errno:1", "WAIT_KILLABLE_RECV without NOTIFY is ignored (%s)",
		  kv(r, "error"));
	free(r);
	sc_free(s);
	(void)after_tsync;
}

/* ---------- NOTIFY and listenerPath ---------- */

static void after_notify_closed(struct job *j, int listener)
{
	(void)j;
	close(listener);
	rep_call("getppid", syscall(SYS_getppid));
}

/* A second filter with a listener in the same process: the kernel says EBUSY. */
static void after_notify_twice(struct job *j, int listener)
{
	struct werr e;
	int second = -1;
	(void)listener;
	if (seccomp_oci_load(&j->f, &second, &e) < 0)
		rep("second=%s\n", e.msg);
	else
		rep("second=loaded\n");
}

static void after_notify_send(struct job *j, int listener)
{
	struct werr e;
	char state[256];
	snprintf(state, sizeof(state),
		 "{\"ociVersion\":\"1.2.0\",\"id\":\"t1\",\"status\":\"creating\",\"pid\":%d,"
		 "\"bundle\":\"/b\"}",
		 (int)getpid());
	if (seccomp_oci_send_listener(j->sock_path, "meta=1;x", getpid(), state, listener, &e) <
	    0) {
		rep("error=%s\n", e.msg);
		return;
	}
	close(listener);
	rep_call("getppid", syscall(SYS_getppid));
}

static int recv_with_fd(int sock, char **json, int *fd)
{
	char buf[65536];
	size_t len = 0;
	*fd = -1;
	for (;;) {
		union {
			char b[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr a;
		} ctl;
		struct iovec iov = {buf + len, sizeof(buf) - 1 - len};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl.b,
				    .msg_controllen = sizeof(ctl.b)};
		struct pollfd pfd = {sock, POLLIN, 0};
		if (poll(&pfd, 1, 30000) <= 0)
			return -1;
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0)
			return -1;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(fd, CMSG_DATA(c), sizeof(int));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*json = strdup(buf);
	return 0;
}

static const char *jstr(yajl_val root, const char **path)
{
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

static void test_notify(void)
{
	/* Listener fd closed: notified calls fail with ENOSYS (fail closed). */
	struct job j = {.after = after_notify_closed};
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	sc_rule(s, "SCMP_ACT_NOTIFY", "getppid", NULL);
	char *r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "listener"), "1", "NOTIFY: loading returns a listener fd (%s)",
		  kv(r, "error"));
	TAP_STREQ(kv(r, "getppid"), "errno:38", "listener closed: the notified call gets ENOSYS");
	free(r);

	j = (struct job){.after = after_notify_twice};
	r = compile_and_run(s, &j, NULL);
	TAP_OK(strstr(kv(r, "second"), "already has a seccomp notify listener") != NULL,
	       "a second listener in one process is refused clearly: %s", kv(r, "second"));
	free(r);

	/* An agent socket receives the state JSON and the fd, and answers the call. */
	char dir[] = "/tmp/ward-test-seccomp-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	char path[64]; /* fits sun_path (108) */
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0)
		abort();

	s->flags = strv_add(s->flags, &s->n_flags, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	struct werr e;
	j = (struct job){.after = after_notify_send, .sock_path = path};
	TAP_OK(seccomp_oci_compile(s, &j.f, &e) == 0 && j.f.has_notify,
	       "NOTIFY + WAIT_KILLABLE_RECV compiles (%s)", e.msg);

	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		abort();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		report_fd = p[1];
		child_load(&j);
		_exit(0);
	}
	close(p[1]);

	struct pollfd pfd = {ls, POLLIN, 0};
	int conn = poll(&pfd, 1, 30000) == 1 ? accept4(ls, NULL, NULL, SOCK_CLOEXEC) : -1;
	char *json = NULL;
	int nfd = -1;
	TAP_OK(conn >= 0 && recv_with_fd(conn, &json, &nfd) == 0 && nfd >= 0,
	       "agent received a message with an fd attached");
	if (conn >= 0)
		close(conn);

	char errbuf[256];
	yajl_val root = json ? yajl_tree_parse(json, errbuf, sizeof(errbuf)) : NULL;
	TAP_OK(root != NULL, "the message is JSON: %s", json ? json : "(none)");
	const char *p_ver[] = {"ociVersion", NULL}, *p_fds[] = {"fds", NULL},
		   *p_pid[] = {"pid", NULL}, *p_meta[] = {"metadata", NULL},
		   *p_id[] = {"state", "id", NULL}, *p_st[] = {"state", "status", NULL};
	yajl_val fds = root ? yajl_tree_get(root, p_fds, yajl_t_array) : NULL;
	yajl_val jpid = root ? yajl_tree_get(root, p_pid, yajl_t_number) : NULL;
	TAP_STREQ(root ? jstr(root, p_ver) : NULL, "1.2.0", "ociVersion");
	const char *fd0 = fds && YAJL_GET_ARRAY(fds)->len == 1 &&
					  YAJL_IS_STRING(YAJL_GET_ARRAY(fds)->values[0])
				  ? YAJL_GET_ARRAY(fds)->values[0]->u.string
				  : NULL;
	TAP_STREQ(fd0, "seccompFd", "fds is [\"seccompFd\"]");
	TAP_OK(jpid && YAJL_GET_INTEGER(jpid) == pid, "pid is the container process");
	TAP_STREQ(root ? jstr(root, p_meta) : NULL, "meta=1;x", "metadata is listenerMetadata");
	TAP_STREQ(root ? jstr(root, p_id) : NULL, "t1", "state.id is the container id");
	TAP_STREQ(root ? jstr(root, p_st) : NULL, "creating", "state.status");
	if (root)
		yajl_tree_free(root);
	free(json);

	/* Answer the child's getppid() through the received fd. */
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	bool answered = false;
	if (nfd >= 0 && seccomp_notify_alloc(&req, &resp) == 0) {
		struct pollfd nf = {nfd, POLLIN, 0};
		if (poll(&nf, 1, 30000) == 1 && seccomp_notify_receive(nfd, req) == 0) {
			TAP_OK(req->data.nr == SYS_getppid && (pid_t)req->pid == pid,
			       "notification is the child's getppid (nr %d pid %u)", req->data.nr,
			       req->pid);
			resp->id = req->id;
			resp->val = 4242;
			resp->error = 0;
			resp->flags = 0;
			answered = seccomp_notify_respond(nfd, resp) == 0;
		}
		seccomp_notify_free(req, resp);
	}
	TAP_OK(answered, "agent answered the notification");
	if (nfd >= 0)
		close(nfd);

	char out[4096];
	size_t len = 0;
	for (ssize_t n; (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0;)
		len += (size_t)n;
	out[len] = '\0';
	close(p[0]);
	if (!answered)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	TAP_STREQ(kv(out, "getppid"), "4242", "the container process got the agent's answer (%s)",
		  kv(out, "error"));

	close(ls);
	unlink(path);
	rmdir(dir);
	seccomp_oci_release(&j.f);
	sc_free(s);

	/* Sending to a path nobody listens on fails with the path in the message. */
	TAP_OK(seccomp_oci_send_listener(path, NULL, 1, "{}", 0, &e) < 0 && strstr(e.msg, path) &&
		       strstr(e.msg, "connect"),
	       "no agent: %s", e.msg);
	char *msg = seccomp_oci_process_state(NULL, 7, "{\"id\":\"x\"}");
	TAP_STREQ(msg,
		  "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":7,\"state\":{\"id\":"
		  "\"x\"}}",
		  "empty metadata is left out of the process state");
	free(msg);
}

static void test_archs(void)
{
	struct job j = {0};
	struct oci_seccomp *s = sc_new("SCMP_ACT_ALLOW");
	static const char *const a[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
					"SCMP_ARCH_AARCH64"};
	for (size_t i = 0; i < ARRAY_SIZE(a); i++)
		s->architectures = strv_add(s->architectures, &s->n_architectures, a[i]);
	sc_rule(s, "SCMP_ACT_ERRNO", "getppid", "socketcall", NULL);
	char *r = compile_and_run(s, &j, NULL);
	TAP_STREQ(kv(r, "getppid"), "errno:1",
		  "native + x86 + x32 + aarch64 filter (incl. the native arch again) works (%s%s)",
		  kv(r, "error"), kv(r, "compile_error"));
	free(r);
	sc_free(s);

	const char *const *names = seccomp_oci_known_archs();
	size_t n = 0;
	while (names[n])
		n++;
	TAP_OK(n >= 19, "at least 19 architectures known (%zu)", n);
	const char *const *ops = seccomp_oci_known_operators();
	const char *const *acts = seccomp_oci_known_actions();
	size_t no = 0, na = 0;
	while (ops[no])
		no++;
	while (acts[na])
		na++;
	TAP_OK(no == 7 && na == 9, "7 operators and 9 actions known");
}

int main(void)
{
	struct werr e;
	log_open("/dev/null", WLOG_TEXT, false, &e);
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	test_errors();
	test_errno_actions();
	test_privilege();
	test_kill_actions();
	test_kill_thread_vs_process();
	test_trap();
	test_arg_ops();
	test_flags();
	test_notify();
	test_archs();
	log_close();
	return tap_done();
}
