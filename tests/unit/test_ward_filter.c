/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ward filter on the real kernel, without a supervisor: every refused
 * process operation is attempted from a filtered child (root, all
 * capabilities - so natively most would succeed) and must fail with the
 * documented errno; socket families, raw sockets, source routing and the
 * 64-bit-register trick are refused in BPF; and with the listener closed
 * (no supervisor), every notified call fails with ENOSYS while unnotified
 * ones still work (fail closed). Each child's results come back through a
 * shared page and are asserted here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/util.h"
#include "runtime/policy.h"
#include "runtime/ward_filter.h"
#include "tests/unit/tap.h"

#define MAX_RESULTS 96

struct result {
	char name[64];
	long ret;
	int err;
};

struct results {
	int n;
	bool loaded;
	char load_error[WERR_MSG_MAX];
	struct result r[MAX_RESULTS];
};

static struct results *res;

static void record(const char *name, long ret)
{
	if (res->n >= MAX_RESULTS)
		return;
	struct result *r = &res->r[res->n++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->ret = ret;
	r->err = ret < 0 ? errno : 0;
}

static const struct result *find(const char *name)
{
	for (int i = 0; i < res->n; i++)
		if (strcmp(res->r[i].name, name) == 0)
			return &res->r[i];
	return NULL;
}

static void expect_errno(const char *name, int err)
{
	const struct result *r = find(name);
	TAP_OK(r && r->ret == -1 && r->err == err, "%s refused with %s (got %ld, %s)", name,
	       policy_errno_name(err), r ? r->ret : 0, r ? strerror(r->err) : "not run");
}

static void expect_ok(const char *name)
{
	const struct result *r = find(name);
	TAP_OK(r && r->ret >= 0, "%s still works (got %ld, %s)", name, r ? r->ret : 0,
	       r ? strerror(r->err) : "not run");
}

/* Runs body in a child that loads the filter first (listener closed right away if any). */
static int run_filtered(const struct ward_filter *f, bool close_listener, void (*body)(void))
{
	memset(res, 0, sizeof(*res));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit nocore = {0, 0};
		setrlimit(RLIMIT_CORE, &nocore);
		/* nothing a child does may reach the host's mounts or session keyring */
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			_exit(90);
		if (syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, NULL) < 0)
			_exit(91);
		struct werr e;
		int lfd = -1;
		if (f && ward_filter_load(f, &lfd, &e) < 0) {
			snprintf(res->load_error, sizeof(res->load_error), "%s", e.msg);
			_exit(1);
		}
		res->loaded = true;
		if (lfd >= 0 && close_listener)
			close(lfd);
		body();
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return st;
}

static void *thread_fn(void *arg)
{
	return arg;
}

static char scratch_dir[64];

/* Runs one call in a grandchild: whatever it does natively (a new user namespace, a trace
 * relationship) ends with that process, and the calls after it start clean. */
#define SUB(name, expr)                                                                            \
	do {                                                                                       \
		pid_t sub_ = fork();                                                               \
		if (sub_ == 0) {                                                                   \
			record(name, (long)(expr));                                                \
			_exit(0);                                                                  \
		}                                                                                  \
		if (sub_ > 0)                                                                      \
			waitpid(sub_, NULL, 0);                                                    \
	} while (0)

static long clone_newuser(void)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (r == 0)
		_exit(0); /* the new child, natively */
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

static long clone3_plain(void)
{
	struct clone_args ca = {.flags = 0, .exit_signal = SIGCHLD};
	long r = syscall(SYS_clone3, &ca, sizeof(ca));
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

static long try_fork(void)
{
	pid_t r = fork();
	if (r == 0)
		_exit(0);
	if (r > 0)
		waitpid(r, NULL, 0);
	return r;
}

static long try_thread(void)
{
	pthread_t th;
	int r = pthread_create(&th, NULL, thread_fn, NULL);
	if (r == 0)
		pthread_join(th, NULL);
	errno = r;
	return r == 0 ? 0 : -1;
}

static void process_ops(void)
{
	char buf[16];
	struct iovec liov = {buf, sizeof(buf)}, riov = {buf, sizeof(buf)};
	char params[120] = {0};
	SUB("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
	SUB("unshare(CLONE_NEWUSER|CLONE_NEWNS)", unshare(CLONE_NEWUSER | CLONE_NEWNS));
	SUB("clone(CLONE_NEWUSER)", clone_newuser());
	SUB("clone3", clone3_plain());
	SUB("fork", try_fork());
	SUB("pthread_create (clone3 -> clone fallback)", try_thread());
	/* a private mount namespace (set up before the filter) keeps these away from the host */
	SUB("mount", mount("none", scratch_dir, "tmpfs", 0, NULL));
	SUB("umount2", umount2("/nonexistent-ward", MNT_DETACH));
	SUB("pivot_root", syscall(SYS_pivot_root, scratch_dir, scratch_dir));
	SUB("move_mount", syscall(SYS_move_mount, -1, "", -1, "", 0));
	SUB("open_tree", syscall(SYS_open_tree, AT_FDCWD, "/", 0));
	SUB("fsopen", syscall(SYS_fsopen, "tmpfs", 0));
	SUB("fsconfig", syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0));
	SUB("fsmount", syscall(SYS_fsmount, -1, 0, 0));
	SUB("fspick", syscall(SYS_fspick, AT_FDCWD, "/", 0));
	SUB("mount_setattr", syscall(SYS_mount_setattr, -1, "", 0, NULL, 0));
	SUB("ptrace(PTRACE_TRACEME)", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	SUB("process_vm_readv", process_vm_readv(getpid(), &liov, 1, &riov, 1, 0));
	SUB("process_vm_writev", process_vm_writev(getpid(), &liov, 1, &riov, 1, 0));
	/* -3: the session keyring, a private anonymous one (joined before the filter) */
	SUB("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0));
	SUB("add_key", syscall(SYS_add_key, "user", "ward", "x", 1, -3));
	SUB("request_key", syscall(SYS_request_key, "user", "ward-none", NULL, 0));
	SUB("bpf", syscall(SYS_bpf, 0, NULL, 0));
	SUB("perf_event_open", syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	SUB("init_module", syscall(SYS_init_module, NULL, 0, ""));
	SUB("finit_module", syscall(SYS_finit_module, -1, "", 0));
	SUB("delete_module", syscall(SYS_delete_module, "ward_nonexistent", 0));
	SUB("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0));
	SUB("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, "", 0));
	SUB("io_uring_setup", syscall(SYS_io_uring_setup, 1, params));
	SUB("io_uring_enter", syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0));
	SUB("io_uring_register", syscall(SYS_io_uring_register, -1, 0, NULL, 0));
	SUB("userfaultfd", syscall(SYS_userfaultfd, O_CLOEXEC));
	SUB("getppid", getppid());
}

static const char *const eperm_ops[] = {
	"unshare(CLONE_NEWUSER)",
	"unshare(CLONE_NEWUSER|CLONE_NEWNS)",
	"clone(CLONE_NEWUSER)",
	"mount",
	"umount2",
	"pivot_root",
	"move_mount",
	"open_tree",
	"fsopen",
	"fsconfig",
	"fsmount",
	"fspick",
	"mount_setattr",
	"ptrace(PTRACE_TRACEME)",
	"process_vm_readv",
	"process_vm_writev",
	"keyctl",
	"add_key",
	"request_key",
	"bpf",
	"perf_event_open",
	"init_module",
	"finit_module",
	"delete_module",
	"kexec_load",
	"kexec_file_load",
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	"userfaultfd",
};

static void socket_ops(void)
{
	record("socket(AF_PACKET)", socket(AF_PACKET, SOCK_RAW, 0));
	record("socket(AF_VSOCK)", socket(AF_VSOCK, SOCK_STREAM, 0));
	record("socket(AF_BLUETOOTH)", socket(AF_BLUETOOTH, SOCK_STREAM, 0));
	/* family 17 (AF_PACKET) with garbage in the upper half of the register */
	record("socket(AF_PACKET | 1<<32)",
	       syscall(SYS_socket, 0x100000000L | AF_PACKET, SOCK_RAW, 0));
	record("socket(AF_INET, SOCK_RAW)", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	record("socket(AF_INET6, SOCK_RAW|SOCK_CLOEXEC)",
	       socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
	record("socket(AF_INET, SOCK_PACKET)", socket(AF_INET, SOCK_PACKET, 0));
	record("socket(AF_INET6, SOCK_STREAM, IPPROTO_SCTP)",
	       socket(AF_INET6, SOCK_STREAM, IPPROTO_SCTP));
	int sp[2];
	record("socketpair(AF_PACKET)", socketpair(AF_PACKET, SOCK_DGRAM, 0, sp));
	record("socket(AF_INET, SOCK_STREAM)", socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	record("socket(AF_INET6, SOCK_DGRAM)", socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	record("socket(AF_UNIX)", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	record("socket(AF_NETLINK)", socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0));
	record("socketpair(AF_UNIX)", socketpair(AF_UNIX, SOCK_STREAM, 0, sp));

	int s4 = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int s6 = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned char lsrr[8] = {1, 0x83, 7, 4, 10, 0, 0, 1}; /* NOP + LSRR via 10.0.0.1 */
	record("setsockopt(IP_OPTIONS LSRR)",
	       setsockopt(s4, IPPROTO_IP, IP_OPTIONS, lsrr, sizeof(lsrr)));
	unsigned char rthdr[24] = {0, 2, 4, 1};
	record("setsockopt(IPV6_RTHDR)", setsockopt(s6, IPPROTO_IPV6, IPV6_RTHDR, rthdr, 24));
	record("setsockopt(IPV6_2292RTHDR)", setsockopt(s6, IPPROTO_IPV6, 5, rthdr, 24));
	record("setsockopt(IPV6_2292PKTOPTIONS)", setsockopt(s6, IPPROTO_IPV6, 6, rthdr, 24));
	int ttl = 9;
	record("setsockopt(IP_TTL)", setsockopt(s4, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)));
}

/* Every notified call, with nobody holding the listener. */
static void notified_ops(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET,
				  .sin_port = htons(9),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	record("connect", connect(t, (struct sockaddr *)&sin, sizeof(sin)));
	record("bind", bind(u, (struct sockaddr *)&sin, sizeof(sin)));
	record("listen", listen(t, 1));
	record("sendto with an address",
	       sendto(u, "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin)));
	struct iovec iov = {"x", 1};
	struct msghdr mh = {
		.msg_name = &sin, .msg_namelen = sizeof(sin), .msg_iov = &iov, .msg_iovlen = 1};
	record("sendmsg", sendmsg(u, &mh, 0));
	struct mmsghdr mm = {.msg_hdr = mh};
	record("sendmmsg", sendmmsg(u, &mm, 1, 0));
	struct msghdr noname = {.msg_iov = &iov, .msg_iovlen = 1};
	int sp[2];
	socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp);
	record("sendmsg without an address", sendmsg(sp[0], &noname, 0));
	record("sendto without an address", sendto(sp[0], "x", 1, 0, NULL, 0));
	record("send", send(sp[0], "x", 1, 0));
	record("write", write(sp[0], "x", 1));
	char *const argv[] = {"/bin/true", NULL};
	record("execve", execve("/bin/true", argv, environ));
	record("execveat", syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, environ, 0));
	record("getppid", getppid());
}

static void clean_scratch(void)
{
	static const char *const names[] = {"a", "b", "c"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s/%s", scratch_dir, names[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
}

/* File calls (scratch_dir is writable), with nobody holding the listener. */
static void file_ops(void)
{
	char a[128], b[128];
	snprintf(a, sizeof(a), "%s/a", scratch_dir);
	snprintf(b, sizeof(b), "%s/b", scratch_dir);
	record("openat O_RDONLY", openat(AT_FDCWD, "/proc/meminfo", O_RDONLY | O_CLOEXEC));
	record("open O_RDONLY", syscall(SYS_open, "/proc/meminfo", O_RDONLY));
	record("openat O_WRONLY|O_CREAT",
	       openat(AT_FDCWD, a, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	record("openat O_RDWR", openat(AT_FDCWD, a, O_RDWR | O_CLOEXEC));
	record("openat O_DIRECTORY", openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	record("openat O_PATH", openat(AT_FDCWD, "/proc/meminfo", O_PATH | O_CLOEXEC));
	uint64_t how[3] = {O_RDONLY | O_CLOEXEC, 0, 0};
	record("openat2", syscall(SYS_openat2, AT_FDCWD, "/proc/meminfo", how, sizeof(how)));
	cpu_set_t set;
	record("sched_getaffinity", syscall(SYS_sched_getaffinity, 0, sizeof(set), &set));
	struct sysinfo si;
	record("sysinfo", syscall(SYS_sysinfo, &si));
	record("rename", rename(a, b));
	record("renameat2", syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, 0));
	snprintf(b, sizeof(b), "%s/c", scratch_dir);
	record("mkdir", mkdir(b, 0700));
	record("unlink", unlink(a));
	record("truncate", truncate(a, 0));
	record("getppid", getppid());
}

static void test_file_calls(void)
{
	struct ward_policy *p;
	struct werr e;
	struct ward_filter f;
	/* default: the virtual /proc only - plain reads notified, the rest on the fast path */
	policy_load("default", &p, &e);
	ward_filter_build(p, &f, &e);
	TAP_OK((f.mediated & WARD_MED_VPROC) && !(f.mediated & WARD_MED_FILES),
	       "default: virtual /proc, no file audit");
	int st = run_filtered(&f, true, file_ops);
	TAP_OK(WIFEXITED(st) && res->loaded, "default filter loaded, listener closed");
	static const char *const vproc_enosys[] = {"openat O_RDONLY", "open O_RDONLY", "openat2",
						   "sched_getaffinity", "sysinfo"};
	for (size_t i = 0; i < ARRAY_SIZE(vproc_enosys); i++)
		expect_errno(vproc_enosys[i], ENOSYS);
	static const char *const vproc_ok[] = {"openat O_WRONLY|O_CREAT",
					       "openat O_RDWR",
					       "openat O_DIRECTORY",
					       "openat O_PATH",
					       "rename",
					       "mkdir",
					       "getppid"};
	for (size_t i = 0; i < ARRAY_SIZE(vproc_ok); i++)
		expect_ok(vproc_ok[i]);
	ward_filter_release(&f);
	policy_free(p);
	clean_scratch();

	/* agent: every file call of the audit set fails closed, fallbacks included */
	policy_load("agent", &p, &e);
	ward_filter_build(p, &f, &e);
	st = run_filtered(&f, true, file_ops);
	TAP_OK(WIFEXITED(st) && res->loaded, "agent filter loaded, listener closed");
	static const char *const files_enosys[] = {"openat O_RDONLY",
						   "open O_RDONLY",
						   "openat O_WRONLY|O_CREAT",
						   "openat O_RDWR",
						   "openat O_DIRECTORY",
						   "openat O_PATH",
						   "openat2",
						   "rename",
						   "renameat2",
						   "mkdir",
						   "unlink",
						   "truncate"};
	for (size_t i = 0; i < ARRAY_SIZE(files_enosys); i++)
		expect_errno(files_enosys[i], ENOSYS);
	expect_ok("getppid");
	ward_filter_release(&f);
	policy_free(p);
	clean_scratch();
}

static void int80(void)
{
	/* i386 getpid through int 0x80: another architecture for seccomp */
	long r = 20;
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	record("int 0x80 getpid", r);
}

static struct ward_policy *must_parse(const char *json)
{
	struct ward_policy *p = NULL;
	struct werr e;
	if (policy_parse(json, strlen(json), "test", &p, &e) < 0) {
		printf("# %s\n", e.msg);
		abort();
	}
	return p;
}

static void test_builtin_shapes(void)
{
	const char *const *names = policy_builtin_names();
	for (size_t i = 0; names[i]; i++) {
		struct ward_policy *p;
		struct ward_filter f;
		struct werr e;
		policy_load(names[i], &p, &e);
		int r = ward_filter_build(p, &f, &e);
		TAP_OK(r == 0, "built-in %s compiles (%s)", names[i], r ? e.msg : "ok");
		if (strcmp(names[i], "none") == 0)
			TAP_OK(f.prog.len == 0 && !f.has_listener, "none: no filter at all");
		else
			TAP_OK(f.prog.len > 0 && f.has_listener,
			       "%s: %u BPF instructions, with a listener", names[i], f.prog.len);
		if (strcmp(names[i], "agent") == 0)
			TAP_OK(f.mediated == (WARD_MED_CONNECT | WARD_MED_BIND | WARD_MED_LISTEN |
					      WARD_MED_SENDTO | WARD_MED_SENDMSG |
					      WARD_MED_SENDMMSG | WARD_MED_EXEC | WARD_MED_PROCESS |
					      WARD_MED_VPROC | WARD_MED_FILES),
			       "agent mediates network, exec, (audited) process refusals, files "
			       "and the virtual /proc");
		if (strcmp(names[i], "default") == 0)
			TAP_OK(!(f.mediated & WARD_MED_EXEC) && (f.mediated & WARD_MED_CONNECT),
			       "default mediates network (audit), not exec");
		ward_filter_release(&f);
		policy_free(p);
	}
	/* a policy that only refuses in BPF needs no supervisor */
	struct ward_policy *p = must_parse("{\"process\":{\"deny\":[\"all\"]}}");
	struct ward_filter f;
	struct werr e;
	TAP_OK(ward_filter_build(p, &f, &e) == 0 && f.prog.len > 0 && !f.has_listener &&
		       f.mediated == 0,
	       "refusals only: a filter without a listener");
	TAP_OK(ward_filter_check_oci(p, true, &e) == 0,
	       "refusals only: an OCI NOTIFY profile can coexist");
	ward_filter_release(&f);
	policy_free(p);
	/* audited refusals go through the supervisor */
	p = must_parse("{\"process\":{\"deny\":[\"ptrace\"]},\"audit\":{\"process\":true}}");
	TAP_OK(ward_filter_build(p, &f, &e) == 0 && f.has_listener &&
		       f.mediated == WARD_MED_PROCESS,
	       "audited refusals: a listener, only the process group notified");
	ward_filter_release(&f);
	policy_free(p);
	p = must_parse("{\"audit\":{\"process\":true}}");
	TAP_OK(ward_filter_build(p, &f, &e) == 0 && !f.has_listener && f.mediated == 0,
	       "audit.process without refusals notifies nothing");
	ward_filter_release(&f);
	policy_free(p);
	const char *name = NULL;
	TAP_OK(ward_filter_proc_group(SYS_ptrace, &name) == WARD_PROC_PTRACE && name &&
		       strcmp(name, "ptrace") == 0,
	       "ptrace is in the ptrace group");
	TAP_OK(ward_filter_proc_group(SYS_clone, &name) == WARD_PROC_USERNS && name &&
		       strcmp(name, "clone") == 0,
	       "clone is checked for user namespaces");
	TAP_OK(ward_filter_proc_group(SYS_fsopen, &name) == WARD_PROC_MOUNT,
	       "fsopen is in the mount group");
	TAP_OK(ward_filter_proc_group(SYS_getpid, &name) == 0 && !name, "getpid is in no group");
	TAP_OK(ward_filter_proc_group(SYS_clone3, &name) == 0,
	       "clone3 is not a refusal (ENOSYS in BPF)");
	policy_load("agent", &p, &e);
	TAP_OK(ward_filter_check_oci(p, true, &e) < 0 && strstr(e.msg, "--policy none"),
	       "agent + OCI NOTIFY refused: %s", e.msg);
	TAP_OK(ward_filter_check_oci(p, false, &e) == 0, "agent without OCI NOTIFY is fine");
	policy_free(p);
}

static void test_process_ops(void)
{
	struct ward_policy *p = must_parse("{\"process\":{\"deny\":[\"all\"]}}");
	struct ward_filter f;
	struct werr e;
	ward_filter_build(p, &f, &e);
	int st = run_filtered(&f, true, process_ops);
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && res->loaded, "filtered child ran (%s)",
	       res->load_error);
	for (size_t i = 0; i < ARRAY_SIZE(eperm_ops); i++)
		expect_errno(eperm_ops[i], EPERM);
	expect_errno("clone3", ENOSYS);
	expect_ok("fork");
	expect_ok("pthread_create (clone3 -> clone fallback)");
	expect_ok("getppid");

	/* the same calls without the filter: what the filter changed */
	run_filtered(NULL, true, process_ops);
	int native_eperm = 0;
	for (size_t i = 0; i < ARRAY_SIZE(eperm_ops); i++) {
		const struct result *r = find(eperm_ops[i]);
		if (r && r->ret == -1 && r->err == EPERM)
			native_eperm++;
		printf("#   native %s: %ld (%s)\n", eperm_ops[i], r ? r->ret : 0,
		       r && r->ret < 0 ? strerror(r->err) : "ok");
	}
	TAP_OK(native_eperm == 0, "natively (root) none of them fails with EPERM (%d did)",
	       native_eperm);
	ward_filter_release(&f);
	policy_free(p);

	/* a policy's own errno */
	p = must_parse("{\"process\":{\"deny\":[\"mount\"],\"errno\":\"ENOSYS\"}}");
	ward_filter_build(p, &f, &e);
	run_filtered(&f, true, process_ops);
	expect_errno("mount", ENOSYS);
	expect_errno("fsopen", ENOSYS);
	const struct result *r = find("userfaultfd");
	TAP_OK(r && !(r->ret == -1 && r->err == ENOSYS), "groups not listed are not refused");
	ward_filter_release(&f);
	policy_free(p);
}

static void test_socket_ops(void)
{
	struct ward_policy *p;
	struct werr e;
	policy_load("agent", &p, &e);
	struct ward_filter f;
	ward_filter_build(p, &f, &e);
	run_filtered(&f, true, socket_ops);
	TAP_OK(res->loaded, "agent filter loaded (%s)", res->load_error);
	expect_errno("socket(AF_PACKET)", EAFNOSUPPORT);
	expect_errno("socket(AF_VSOCK)", EAFNOSUPPORT);
	expect_errno("socket(AF_BLUETOOTH)", EAFNOSUPPORT);
	expect_errno("socket(AF_PACKET | 1<<32)", EAFNOSUPPORT);
	expect_errno("socket(AF_INET, SOCK_RAW)", EPERM);
	expect_errno("socket(AF_INET6, SOCK_RAW|SOCK_CLOEXEC)", EPERM);
	expect_errno("socket(AF_INET, SOCK_PACKET)", EAFNOSUPPORT);
	expect_errno("socket(AF_INET6, SOCK_STREAM, IPPROTO_SCTP)", EPROTONOSUPPORT);
	expect_errno("socketpair(AF_PACKET)", EAFNOSUPPORT);
	expect_ok("socket(AF_INET, SOCK_STREAM)");
	expect_ok("socket(AF_INET6, SOCK_DGRAM)");
	expect_ok("socket(AF_UNIX)");
	expect_ok("socket(AF_NETLINK)");
	expect_ok("socketpair(AF_UNIX)");
	expect_errno("setsockopt(IP_OPTIONS LSRR)", EPERM);
	expect_errno("setsockopt(IPV6_RTHDR)", EPERM);
	expect_errno("setsockopt(IPV6_2292RTHDR)", EPERM);
	expect_errno("setsockopt(IPV6_2292PKTOPTIONS)", EPERM);
	expect_ok("setsockopt(IP_TTL)");
	ward_filter_release(&f);
	policy_free(p);

	/* natively, as root: the raw and packet sockets exist, LSRR is accepted */
	run_filtered(NULL, true, socket_ops);
	expect_ok("socket(AF_PACKET)");
	expect_ok("socket(AF_PACKET | 1<<32)");
	expect_ok("socket(AF_INET, SOCK_RAW)");
	expect_ok("setsockopt(IP_OPTIONS LSRR)");
}

static void test_fail_closed(void)
{
	struct ward_policy *p;
	struct werr e;
	policy_load("agent", &p, &e);
	struct ward_filter f;
	ward_filter_build(p, &f, &e);
	int st = run_filtered(&f, true, notified_ops);
	TAP_OK(WIFEXITED(st) && res->loaded, "agent filter loaded, listener closed");
	static const char *const enosys[] = {
		"connect",  "bind",   "listen",   "sendto with an address",    "sendmsg",
		"sendmmsg", "execve", "execveat", "sendmsg without an address"};
	for (size_t i = 0; i < ARRAY_SIZE(enosys); i++)
		expect_errno(enosys[i], ENOSYS);
	expect_ok("sendto without an address");
	expect_ok("send");
	expect_ok("write");
	expect_ok("getppid");

	/* a second listener in the same process: EBUSY, with a clear message */
	memset(res, 0, sizeof(*res));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int l1 = -1, l2 = -1;
		struct werr e2;
		if (ward_filter_load(&f, &l1, &e2) < 0)
			_exit(2);
		if (ward_filter_load(&f, &l2, &e2) == 0)
			_exit(3);
		snprintf(res->load_error, sizeof(res->load_error), "%s", e2.msg);
		_exit(e2.errnum == EBUSY ? 0 : 4);
	}
	waitpid(pid, &st, 0);
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && strstr(res->load_error, "one per process"),
	       "second listener refused with EBUSY: %s", res->load_error);

	/* another architecture is killed */
	st = run_filtered(&f, true, int80);
	TAP_OK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
	       "i386 int 0x80 syscall kills the process (status 0x%x)", st);
	ward_filter_release(&f);
	policy_free(p);
}

int main(void)
{
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED)
		return 1;
	snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/ward-filter-XXXXXX");
	if (!mkdtemp(scratch_dir))
		return 1;
	test_builtin_shapes();
	test_process_ops();
	test_socket_ops();
	test_fail_closed();
	test_file_calls();
	rmdir(scratch_dir);
	return tap_done();
}
