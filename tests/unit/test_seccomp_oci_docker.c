/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Docker's default seccomp profile must load unchanged. The profile below has
 * the shape dockerd writes into config.json for a default `docker run` on
 * amd64 (includes/excludes already resolved for the default capabilities): one
 * long allow list with names this libseccomp does not know, personality values
 * as separate EQ rules, socket with an NE rule, clone guarded by a MASKED_EQ on
 * the namespace flags, clone3 answered with ENOSYS. It is parsed here with a
 * small yajl_tree reader (the config parser lives elsewhere) and then used the
 * way container init uses it, together with the process attributes.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "common/log.h"
#include "common/util.h"
#include "runtime/process_attrs.h"
#include "runtime/seccomp_oci.h"
#include "tests/unit/tap.h"

static const char docker_profile_json[] =
	"{\n"
	" \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
	" \"defaultErrnoRet\": 1,\n"
	" \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"],\n"
	" \"syscalls\": [\n"
	"  {\n"
	"   \"names\": [\n"
	"     \"accept\", \"accept4\", \"access\", \"adjtimex\", \"alarm\", \"bind\", \"brk\", "
	"\"cachestat\",\n"
	"     \"capget\", \"capset\", \"chdir\", \"chmod\", \"chown\", \"chown32\", "
	"\"clock_adjtime\",\n"
	"     \"clock_adjtime64\", \"clock_getres\", \"clock_getres_time64\", \"clock_gettime\",\n"
	"     \"clock_gettime64\", \"clock_nanosleep\", \"clock_nanosleep_time64\", \"close\",\n"
	"     \"close_range\", \"connect\", \"copy_file_range\", \"creat\", \"dup\", \"dup2\", "
	"\"dup3\",\n"
	"     \"epoll_create\", \"epoll_create1\", \"epoll_ctl\", \"epoll_ctl_old\", "
	"\"epoll_pwait\",\n"
	"     \"epoll_pwait2\", \"epoll_wait\", \"epoll_wait_old\", \"eventfd\", \"eventfd2\",\n"
	"     \"execve\", \"execveat\", \"exit\", \"exit_group\", \"faccessat\", \"faccessat2\",\n"
	"     \"fadvise64\", \"fadvise64_64\", \"fallocate\", \"fanotify_mark\", \"fchdir\", "
	"\"fchmod\",\n"
	"     \"fchmodat\", \"fchmodat2\", \"fchown\", \"fchown32\", \"fchownat\", \"fcntl\", "
	"\"fcntl64\",\n"
	"     \"fdatasync\", \"fgetxattr\", \"flistxattr\", \"flock\", \"fork\", "
	"\"fremovexattr\",\n"
	"     \"fsetxattr\", \"fstat\", \"fstat64\", \"fstatat64\", \"fstatfs\", \"fstatfs64\", "
	"\"fsync\",\n"
	"     \"ftruncate\", \"ftruncate64\", \"futex\", \"futex_requeue\", \"futex_time64\",\n"
	"     \"futex_wait\", \"futex_waitv\", \"futex_wake\", \"futimesat\", \"getcpu\", "
	"\"getcwd\",\n"
	"     \"getdents\", \"getdents64\", \"getegid\", \"getegid32\", \"geteuid\", "
	"\"geteuid32\",\n"
	"     \"getgid\", \"getgid32\", \"getgroups\", \"getgroups32\", \"getitimer\", "
	"\"getpeername\",\n"
	"     \"getpgid\", \"getpgrp\", \"getpid\", \"getppid\", \"getpriority\", \"getrandom\",\n"
	"     \"getresgid\", \"getresgid32\", \"getresuid\", \"getresuid32\", \"getrlimit\",\n"
	"     \"get_robust_list\", \"getrusage\", \"getsid\", \"getsockname\", \"getsockopt\",\n"
	"     \"get_thread_area\", \"gettid\", \"gettimeofday\", \"getuid\", \"getuid32\", "
	"\"getxattr\",\n"
	"     \"inotify_add_watch\", \"inotify_init\", \"inotify_init1\", \"inotify_rm_watch\",\n"
	"     \"io_cancel\", \"ioctl\", \"io_destroy\", \"io_getevents\", \"io_pgetevents\",\n"
	"     \"io_pgetevents_time64\", \"ioprio_get\", \"ioprio_set\", \"io_setup\", "
	"\"io_submit\",\n"
	"     \"ipc\", \"kill\", \"landlock_add_rule\", \"landlock_create_ruleset\",\n"
	"     \"landlock_restrict_self\", \"lchown\", \"lchown32\", \"lgetxattr\", \"link\", "
	"\"linkat\",\n"
	"     \"listen\", \"listxattr\", \"llistxattr\", \"_llseek\", \"lremovexattr\", "
	"\"lseek\",\n"
	"     \"lsetxattr\", \"lstat\", \"lstat64\", \"madvise\", \"map_shadow_stack\", "
	"\"membarrier\",\n"
	"     \"memfd_create\", \"memfd_secret\", \"mincore\", \"mkdir\", \"mkdirat\", \"mknod\",\n"
	"     \"mknodat\", \"mlock\", \"mlock2\", \"mlockall\", \"mmap\", \"mmap2\", "
	"\"mprotect\",\n"
	"     \"mq_getsetattr\", \"mq_notify\", \"mq_open\", \"mq_timedreceive\",\n"
	"     \"mq_timedreceive_time64\", \"mq_timedsend\", \"mq_timedsend_time64\", "
	"\"mq_unlink\",\n"
	"     \"mremap\", \"mseal\", \"msgctl\", \"msgget\", \"msgrcv\", \"msgsnd\", \"msync\", "
	"\"munlock\",\n"
	"     \"munlockall\", \"munmap\", \"name_to_handle_at\", \"nanosleep\", \"newfstatat\",\n"
	"     \"_newselect\", \"open\", \"openat\", \"openat2\", \"pause\", \"pidfd_open\",\n"
	"     \"pidfd_send_signal\", \"pipe\", \"pipe2\", \"pkey_alloc\", \"pkey_free\",\n"
	"     \"pkey_mprotect\", \"poll\", \"ppoll\", \"ppoll_time64\", \"prctl\", \"pread64\", "
	"\"preadv\",\n"
	"     \"preadv2\", \"prlimit64\", \"process_mrelease\", \"pselect6\", "
	"\"pselect6_time64\",\n"
	"     \"pwrite64\", \"pwritev\", \"pwritev2\", \"read\", \"readahead\", \"readlink\",\n"
	"     \"readlinkat\", \"readv\", \"recv\", \"recvfrom\", \"recvmmsg\", "
	"\"recvmmsg_time64\",\n"
	"     \"recvmsg\", \"remap_file_pages\", \"removexattr\", \"rename\", \"renameat\",\n"
	"     \"renameat2\", \"restart_syscall\", \"rmdir\", \"rseq\", \"rt_sigaction\",\n"
	"     \"rt_sigpending\", \"rt_sigprocmask\", \"rt_sigqueueinfo\", \"rt_sigreturn\",\n"
	"     \"rt_sigsuspend\", \"rt_sigtimedwait\", \"rt_sigtimedwait_time64\",\n"
	"     \"rt_tgsigqueueinfo\", \"sched_getaffinity\", \"sched_getattr\", "
	"\"sched_getparam\",\n"
	"     \"sched_get_priority_max\", \"sched_get_priority_min\", \"sched_getscheduler\",\n"
	"     \"sched_rr_get_interval\", \"sched_rr_get_interval_time64\", \"sched_setaffinity\",\n"
	"     \"sched_setattr\", \"sched_setparam\", \"sched_setscheduler\", \"sched_yield\",\n"
	"     \"seccomp\", \"select\", \"semctl\", \"semget\", \"semop\", \"semtimedop\",\n"
	"     \"semtimedop_time64\", \"send\", \"sendfile\", \"sendfile64\", \"sendmmsg\", "
	"\"sendmsg\",\n"
	"     \"sendto\", \"setfsgid\", \"setfsgid32\", \"setfsuid\", \"setfsuid32\", \"setgid\",\n"
	"     \"setgid32\", \"setgroups\", \"setgroups32\", \"setitimer\", \"setpgid\", "
	"\"setpriority\",\n"
	"     \"setregid\", \"setregid32\", \"setresgid\", \"setresgid32\", \"setresuid\",\n"
	"     \"setresuid32\", \"setreuid\", \"setreuid32\", \"setrlimit\", \"set_robust_list\",\n"
	"     \"setsid\", \"setsockopt\", \"set_thread_area\", \"set_tid_address\", \"setuid\",\n"
	"     \"setuid32\", \"setxattr\", \"shmat\", \"shmctl\", \"shmdt\", \"shmget\", "
	"\"shutdown\",\n"
	"     \"sigaltstack\", \"signalfd\", \"signalfd4\", \"sigprocmask\", \"sigreturn\",\n"
	"     \"socketcall\", \"socketpair\", \"splice\", \"stat\", \"stat64\", \"statfs\", "
	"\"statfs64\",\n"
	"     \"statx\", \"symlink\", \"symlinkat\", \"sync\", \"sync_file_range\", \"syncfs\",\n"
	"     \"sysinfo\", \"tee\", \"tgkill\", \"time\", \"timer_create\", \"timer_delete\",\n"
	"     \"timer_getoverrun\", \"timer_gettime\", \"timer_gettime64\", \"timer_settime\",\n"
	"     \"timer_settime64\", \"timerfd_create\", \"timerfd_gettime\", "
	"\"timerfd_gettime64\",\n"
	"     \"timerfd_settime\", \"timerfd_settime64\", \"times\", \"tkill\", \"truncate\",\n"
	"     \"truncate64\", \"ugetrlimit\", \"umask\", \"uname\", \"unlink\", \"unlinkat\", "
	"\"utime\",\n"
	"     \"utimensat\", \"utimensat_time64\", \"utimes\", \"vfork\", \"vmsplice\", "
	"\"wait4\",\n"
	"     \"waitid\", \"waitpid\", \"write\", \"writev\"\n"
	"   ],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\"\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"process_vm_readv\", \"process_vm_writev\", \"ptrace\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\"\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"socket\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\",\n"
	"   \"args\": [\n"
	"     {\"index\": 0, \"value\": 40, \"valueTwo\": 0, \"op\": \"SCMP_CMP_NE\"}\n"
	"   ]\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"personality\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\",\n"
	"   \"args\": [\n"
	"     {\"index\": 0, \"value\": 0, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}\n"
	"   ]\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"personality\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\",\n"
	"   \"args\": [\n"
	"     {\"index\": 0, \"value\": 8, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}\n"
	"   ]\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"personality\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\",\n"
	"   \"args\": [\n"
	"     {\"index\": 0, \"value\": 131072, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}\n"
	"   ]\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"personality\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\",\n"
	"   \"args\": [\n"
	"     {\"index\": 0, \"value\": 131080, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}\n"
	"   ]\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"personality\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\",\n"
	"   \"args\": [\n"
	"     {\"index\": 0, \"value\": 4294967295, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}\n"
	"   ]\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"arch_prctl\", \"modify_ldt\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\"\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"chroot\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\"\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"clone\"],\n"
	"   \"action\": \"SCMP_ACT_ALLOW\",\n"
	"   \"args\": [\n"
	"     {\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": "
	"\"SCMP_CMP_MASKED_EQ\"}\n"
	"   ]\n"
	"  },\n"
	"  {\n"
	"   \"names\": [\"clone3\"],\n"
	"   \"action\": \"SCMP_ACT_ERRNO\",\n"
	"   \"errnoRet\": 38\n"
	"  }\n"
	" ]\n"
	"}\n";

/* ---------- a minimal linux.seccomp reader for this test ---------- */

static yajl_val jget(yajl_val obj, const char *key)
{
	const char *path[] = {key, NULL};
	return yajl_tree_get(obj, path, yajl_t_any);
}

static char **jstrv(yajl_val arr, size_t *n)
{
	*n = 0;
	if (!arr || !YAJL_IS_ARRAY(arr))
		return NULL;
	size_t len = YAJL_GET_ARRAY(arr)->len;
	char **v = calloc(len + 1, sizeof(*v));
	for (size_t i = 0; i < len; i++)
		v[(*n)++] = strdup(YAJL_GET_ARRAY(arr)->values[i]->u.string);
	return v;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void seccomp_free(struct oci_seccomp *s)
{
	for (size_t i = 0; i < s->n_syscalls; i++) {
		struct oci_seccomp_syscall *r = &s->syscalls[i];
		strv_free(r->names, r->n_names);
		for (size_t j = 0; j < r->n_args; j++)
			free(r->args[j].op);
		free(r->args);
		free(r->action);
	}
	free(s->syscalls);
	strv_free(s->architectures, s->n_architectures);
	strv_free(s->flags, s->n_flags);
	free(s->default_action);
	memset(s, 0, sizeof(*s));
}

static int profile_read(const char *json, struct oci_seccomp *s)
{
	char err[256];
	yajl_val root = yajl_tree_parse(json, err, sizeof(err));
	if (!root)
		return -1;
	memset(s, 0, sizeof(*s));
	s->present = true;
	s->default_action = strdup(jget(root, "defaultAction")->u.string);
	yajl_val v = jget(root, "defaultErrnoRet");
	if (v) {
		s->has_default_errno_ret = true;
		s->default_errno_ret = (uint32_t)YAJL_GET_INTEGER(v);
	}
	s->architectures = jstrv(jget(root, "architectures"), &s->n_architectures);
	s->flags = jstrv(jget(root, "flags"), &s->n_flags);
	yajl_val sys = jget(root, "syscalls");
	size_t n = YAJL_GET_ARRAY(sys)->len;
	s->syscalls = calloc(n, sizeof(*s->syscalls));
	for (size_t i = 0; i < n; i++) {
		yajl_val o = YAJL_GET_ARRAY(sys)->values[i];
		struct oci_seccomp_syscall *r = &s->syscalls[s->n_syscalls++];
		r->names = jstrv(jget(o, "names"), &r->n_names);
		r->action = strdup(jget(o, "action")->u.string);
		if ((v = jget(o, "errnoRet"))) {
			r->has_errno_ret = true;
			r->errno_ret = (uint32_t)YAJL_GET_INTEGER(v);
		}
		yajl_val args = jget(o, "args");
		size_t na = args ? YAJL_GET_ARRAY(args)->len : 0;
		r->args = na ? calloc(na, sizeof(*r->args)) : NULL;
		for (size_t k = 0; k < na; k++) {
			yajl_val a = YAJL_GET_ARRAY(args)->values[k];
			struct oci_seccomp_arg *x = &r->args[r->n_args++];
			x->index = (uint32_t)YAJL_GET_INTEGER(jget(a, "index"));
			x->value = (uint64_t)YAJL_GET_INTEGER(jget(a, "value"));
			v = jget(a, "valueTwo");
			x->value_two = v ? (uint64_t)YAJL_GET_INTEGER(v) : 0;
			x->op = strdup(jget(a, "op")->u.string);
		}
	}
	yajl_tree_free(root);
	return 0;
}

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

static void rep_call(const char *key, long r)
{
	if (r < 0)
		rep("%s=errno:%d\n", key, errno);
	else
		rep("%s=ok\n", key);
}

static void rep_status_line(const char *want)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		size_t wl = strlen(want);
		if (strncmp(line, want, wl) == 0 && line[wl] == ':') {
			char *v = line + wl + 1;
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			rep("%s=%s\n", want, v);
		}
	}
	if (f)
		fclose(f);
}

/* What the Docker profile allows and refuses, seen from inside. */
static void probe_docker_rules(void)
{
	rep_call("getpid", syscall(SYS_getpid));
	rep_call("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
	rep_call("unshare_user", unshare(CLONE_NEWUSER));
	rep_call("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0));
	rep_call("clone3", syscall(SYS_clone3, NULL, 0));
	rep_call("clone_newns", syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0));
	pid_t pid = fork();
	if (pid == 0)
		_exit(7);
	int st = 0;
	if (pid > 0)
		waitpid(pid, &st, 0);
	rep("fork=%s\n", pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 7 ? "ok" : "failed");
	rep_call("pers_query", personality(0xffffffff));
	rep_call("pers_linux32", personality(PER_LINUX32));
	rep_call("pers_linux", personality(PER_LINUX));
	rep_call("pers_norandom", personality(ADDR_NO_RANDOMIZE));
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	rep_call("socket_unix", s);
	if (s >= 0)
		close(s);
	rep_call("socket_vsock", socket(40, SOCK_STREAM | SOCK_CLOEXEC, 0));
}

struct docker_job {
	struct seccomp_oci f;
	struct oci_process p;
};

static void child_plain(void *arg)
{
	struct docker_job *j = arg;
	struct werr e;
	int fd;
	if (seccomp_oci_load(&j->f, &fd, &e) < 0) {
		rep("error=%s\n", e.msg);
		return;
	}
	probe_docker_rules();
}

/* The init sequence of process_attrs.h with the Docker profile. */
static void child_init(void *arg)
{
	struct docker_job *j = arg;
	struct werr e;
	int fd = -1;
	werr_clear(&e);
	if (process_apply_early(&j->p, NULL, -1, &e) < 0 ||
	    process_apply_confinement(&j->p, -1, &e) < 0 ||
	    (process_seccomp_before_identity(&j->p) && seccomp_oci_load(&j->f, &fd, &e) < 0) ||
	    process_apply_identity(&j->p, -1, &e) < 0 ||
	    (!process_seccomp_before_identity(&j->p) && seccomp_oci_load(&j->f, &fd, &e) < 0)) {
		rep("error=%s\n", e.msg);
		return;
	}
	rep("ok=1\n");
	rep_status_line("Uid");
	rep_status_line("CapEff");
	rep_status_line("Seccomp");
	rep_status_line("NoNewPrivs");
	rep_call("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
	fflush(stdout);
	if (dup2(report_fd, 1) < 0)
		_exit(90);
	execl("/bin/sh", "sh", "-c", "echo exec=ok", (char *)NULL);
	rep("exec=errno:%d\n", errno);
}

static char **caps_strv(size_t *n)
{
	static const char *const docker_caps[] = {
		"CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
		"CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
		"CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
		"CAP_KILL",    "CAP_AUDIT_WRITE"};
	char **v = calloc(ARRAY_SIZE(docker_caps), sizeof(*v));
	for (size_t i = 0; i < ARRAY_SIZE(docker_caps); i++)
		v[i] = strdup(docker_caps[i]);
	*n = ARRAY_SIZE(docker_caps);
	return v;
}

int main(void)
{
	struct werr e;
	log_open("/dev/null", WLOG_TEXT, false, &e);
	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	struct docker_job j;
	memset(&j, 0, sizeof(j));
	struct oci_seccomp s;
	memset(&s, 0, sizeof(s));
	int rd = profile_read(docker_profile_json, &s);
	TAP_OK(rd == 0 && s.n_syscalls == 12 && s.n_architectures == 3 &&
		       s.syscalls[0].n_names > 300,
	       "Docker-shaped profile read (%zu rules, %zu names in the allow list)", s.n_syscalls,
	       s.n_syscalls ? s.syscalls[0].n_names : 0);

	werr_clear(&e);
	TAP_OK(seccomp_oci_compile(&s, &j.f, &e) == 0, "the profile compiles unchanged (%s)",
	       e.msg);
	TAP_OK(j.f.prog.len > 100 && j.f.prog.len < 4096 && !j.f.has_notify && j.f.flags == 0,
	       "BPF of %u instructions, within the kernel's limit", j.f.prog.len);

	int st = 0;
	char *r = run_child(child_plain, &j, &st);
	TAP_STREQ(kv(r, "getpid"), "ok", "allowed call runs (%s)", kv(r, "error"));
	TAP_STREQ(kv(r, "mount"), "errno:1", "mount refused with defaultErrnoRet EPERM");
	TAP_STREQ(kv(r, "unshare_user"), "errno:1", "unshare refused");
	TAP_STREQ(kv(r, "keyctl"), "errno:1", "keyctl refused");
	TAP_STREQ(kv(r, "clone3"), "errno:38", "clone3 gets ENOSYS from its errnoRet");
	TAP_STREQ(kv(r, "clone_newns"), "errno:1", "clone with CLONE_NEWNS refused (MASKED_EQ)");
	TAP_STREQ(kv(r, "fork"), "ok", "plain fork (clone without namespace flags) works");
	TAP_STREQ(kv(r, "pers_query"), "ok", "personality(0xffffffff) allowed");
	TAP_OK(strcmp(kv(r, "pers_linux32"), "ok") == 0 && strcmp(kv(r, "pers_linux"), "ok") == 0,
	       "personality LINUX32 and back to LINUX allowed");
	TAP_STREQ(kv(r, "pers_norandom"), "errno:1", "personality(ADDR_NO_RANDOMIZE) refused");
	TAP_STREQ(kv(r, "socket_unix"), "ok", "socket(AF_UNIX) allowed");
	TAP_STREQ(kv(r, "socket_vsock"), "errno:1", "socket(AF_VSOCK) refused (NE rule)");
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child exited normally");
	free(r);

	/* Full init sequence, no NNP: seccomp goes in before the capability drop. */
	j.p.capabilities.present = true;
	j.p.capabilities.bounding = caps_strv(&j.p.capabilities.n_bounding);
	j.p.capabilities.effective = caps_strv(&j.p.capabilities.n_effective);
	j.p.capabilities.permitted = caps_strv(&j.p.capabilities.n_permitted);
	j.p.user.uid = 1000;
	j.p.user.gid = 1000;
	r = run_child(child_init, &j, NULL);
	TAP_STREQ(kv(r, "ok"), "1", "init sequence without NNP under Docker's profile (%s)",
		  kv(r, "error"));
	TAP_STREQ(kv(r, "Uid"), "1000\t1000\t1000\t1000", "running as uid 1000");
	TAP_STREQ(kv(r, "Seccomp"), "2", "seccomp filter mode");
	TAP_STREQ(kv(r, "NoNewPrivs"), "0", "no_new_privs off");
	TAP_STREQ(kv(r, "mount"), "errno:1", "mount refused");
	TAP_STREQ(kv(r, "exec"), "ok", "execve of a shell works under the profile");
	free(r);

	/* With NNP: identity first, seccomp last, loaded without CAP_SYS_ADMIN. */
	j.p.no_new_privileges = true;
	r = run_child(child_init, &j, NULL);
	TAP_STREQ(kv(r, "ok"), "1", "init sequence with NNP, seccomp last (%s)", kv(r, "error"));
	TAP_STREQ(kv(r, "NoNewPrivs"), "1", "no_new_privs on");
	TAP_STREQ(kv(r, "Seccomp"), "2", "seccomp filter mode");
	TAP_STREQ(kv(r, "exec"), "ok", "execve works");
	free(r);

	strv_free(j.p.capabilities.bounding, j.p.capabilities.n_bounding);
	strv_free(j.p.capabilities.effective, j.p.capabilities.n_effective);
	strv_free(j.p.capabilities.permitted, j.p.capabilities.n_permitted);
	seccomp_oci_release(&j.f);
	seccomp_free(&s);
	log_close();
	return tap_done();
}
