/* SPDX-License-Identifier: Apache-2.0 */
/*
 * probe: a small static program that integration tests copy into a busybox
 * rootfs to see what busybox cannot show: capabilities, rlimits, open fds,
 * seccomp, ids, scheduling... Every result is one `key=value` line on stdout
 * so tests can grep for it. Built with -static (busybox images have no
 * dynamic loader) and uses nothing but libc and raw system calls.
 *
 *   probe caps | rlimits | fds | seccomp [NAME [ARGS...]] | ids | nnp | sched |
 *         ioprio | personality | oom | cpus | signals | pid | tty | dumpable |
 *         lsm | all
 *   probe syscall NAME|NUMBER [ARGS...]   run one system call: ret=, errno=, errname=
 *   probe sleep SECONDS                   stay alive (for exec/kill/ps tests)
 *
 * Exit status: 0, or 2 for a usage error. `probe syscall` exits 0 whatever the
 * call returned; a call killed by seccomp ends the process with SIGSYS.
 */
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------- system call names ---------- */

struct sysname {
	const char *name;
	long nr;
};

#if defined(__x86_64__)
/* Every x86_64 system call of the build machine's kernel headers; newer ones by number. */
/* clang-format off */
#define S(n) {#n, __NR_##n},
static const struct sysname sysnames[] = {
        S(read) S(write) S(open) S(close) S(stat) S(fstat) S(lstat) S(poll) S(lseek) S(mmap)
        S(mprotect) S(munmap) S(brk) S(rt_sigaction) S(rt_sigprocmask) S(rt_sigreturn) S(ioctl)
        S(pread64) S(pwrite64) S(readv) S(writev) S(access) S(pipe) S(select) S(sched_yield)
        S(mremap) S(msync) S(mincore) S(madvise) S(shmget) S(shmat) S(shmctl) S(dup) S(dup2)
        S(pause) S(nanosleep) S(getitimer) S(alarm) S(setitimer) S(getpid) S(sendfile) S(socket)
        S(connect) S(accept) S(sendto) S(recvfrom) S(sendmsg) S(recvmsg) S(shutdown) S(bind)
        S(listen) S(getsockname) S(getpeername) S(socketpair) S(setsockopt) S(getsockopt) S(clone)
        S(fork) S(vfork) S(execve) S(exit) S(wait4) S(kill) S(uname) S(semget) S(semop) S(semctl)
        S(shmdt) S(msgget) S(msgsnd) S(msgrcv) S(msgctl) S(fcntl) S(flock) S(fsync) S(fdatasync)
        S(truncate) S(ftruncate) S(getdents) S(getcwd) S(chdir) S(fchdir) S(rename) S(mkdir)
        S(rmdir) S(creat) S(link) S(unlink) S(symlink) S(readlink) S(chmod) S(fchmod) S(chown)
        S(fchown) S(lchown) S(umask) S(gettimeofday) S(getrlimit) S(getrusage) S(sysinfo) S(times)
        S(ptrace) S(getuid) S(syslog) S(getgid) S(setuid) S(setgid) S(geteuid) S(getegid)
        S(setpgid) S(getppid) S(getpgrp) S(setsid) S(setreuid) S(setregid) S(getgroups)
        S(setgroups) S(setresuid) S(getresuid) S(setresgid) S(getresgid) S(getpgid) S(setfsuid)
        S(setfsgid) S(getsid) S(capget) S(capset) S(rt_sigpending) S(rt_sigtimedwait)
        S(rt_sigqueueinfo) S(rt_sigsuspend) S(sigaltstack) S(utime) S(mknod) S(uselib)
        S(personality) S(ustat) S(statfs) S(fstatfs) S(sysfs) S(getpriority) S(setpriority)
        S(sched_setparam) S(sched_getparam) S(sched_setscheduler) S(sched_getscheduler)
        S(sched_get_priority_max) S(sched_get_priority_min) S(sched_rr_get_interval) S(mlock)
        S(munlock) S(mlockall) S(munlockall) S(vhangup) S(modify_ldt) S(pivot_root) S(_sysctl)
        S(prctl) S(arch_prctl) S(adjtimex) S(setrlimit) S(chroot) S(sync) S(acct) S(settimeofday)
        S(mount) S(umount2) S(swapon) S(swapoff) S(reboot) S(sethostname) S(setdomainname) S(iopl)
        S(ioperm) S(create_module) S(init_module) S(delete_module) S(get_kernel_syms)
        S(query_module) S(quotactl) S(nfsservctl) S(getpmsg) S(putpmsg) S(afs_syscall) S(tuxcall)
        S(security) S(gettid) S(readahead) S(setxattr) S(lsetxattr) S(fsetxattr) S(getxattr)
        S(lgetxattr) S(fgetxattr) S(listxattr) S(llistxattr) S(flistxattr) S(removexattr)
        S(lremovexattr) S(fremovexattr) S(tkill) S(time) S(futex) S(sched_setaffinity)
        S(sched_getaffinity) S(set_thread_area) S(io_setup) S(io_destroy) S(io_getevents)
        S(io_submit) S(io_cancel) S(get_thread_area) S(lookup_dcookie) S(epoll_create)
        S(epoll_ctl_old) S(epoll_wait_old) S(remap_file_pages) S(getdents64) S(set_tid_address)
        S(restart_syscall) S(semtimedop) S(fadvise64) S(timer_create) S(timer_settime)
        S(timer_gettime) S(timer_getoverrun) S(timer_delete) S(clock_settime) S(clock_gettime)
        S(clock_getres) S(clock_nanosleep) S(exit_group) S(epoll_wait) S(epoll_ctl) S(tgkill)
        S(utimes) S(vserver) S(mbind) S(set_mempolicy) S(get_mempolicy) S(mq_open) S(mq_unlink)
        S(mq_timedsend) S(mq_timedreceive) S(mq_notify) S(mq_getsetattr) S(kexec_load) S(waitid)
        S(add_key) S(request_key) S(keyctl) S(ioprio_set) S(ioprio_get) S(inotify_init)
        S(inotify_add_watch) S(inotify_rm_watch) S(migrate_pages) S(openat) S(mkdirat) S(mknodat)
        S(fchownat) S(futimesat) S(newfstatat) S(unlinkat) S(renameat) S(linkat) S(symlinkat)
        S(readlinkat) S(fchmodat) S(faccessat) S(pselect6) S(ppoll) S(unshare) S(set_robust_list)
        S(get_robust_list) S(splice) S(tee) S(sync_file_range) S(vmsplice) S(move_pages)
        S(utimensat) S(epoll_pwait) S(signalfd) S(timerfd_create) S(eventfd) S(fallocate)
        S(timerfd_settime) S(timerfd_gettime) S(accept4) S(signalfd4) S(eventfd2) S(epoll_create1)
        S(dup3) S(pipe2) S(inotify_init1) S(preadv) S(pwritev) S(rt_tgsigqueueinfo)
        S(perf_event_open) S(recvmmsg) S(fanotify_init) S(fanotify_mark) S(prlimit64)
        S(name_to_handle_at) S(open_by_handle_at) S(clock_adjtime) S(syncfs) S(sendmmsg) S(setns)
        S(getcpu) S(process_vm_readv) S(process_vm_writev) S(kcmp) S(finit_module) S(sched_setattr)
        S(sched_getattr) S(renameat2) S(seccomp) S(getrandom) S(memfd_create) S(kexec_file_load)
        S(bpf) S(execveat) S(userfaultfd) S(membarrier) S(mlock2) S(copy_file_range) S(preadv2)
        S(pwritev2) S(pkey_mprotect) S(pkey_alloc) S(pkey_free) S(statx) S(io_pgetevents) S(rseq)
        S(pidfd_send_signal) S(io_uring_setup) S(io_uring_enter) S(io_uring_register) S(open_tree)
        S(move_mount) S(fsopen) S(fsconfig) S(fsmount) S(fspick) S(pidfd_open) S(clone3)
        S(close_range) S(openat2) S(pidfd_getfd) S(faccessat2) S(process_madvise) S(epoll_pwait2)
        S(mount_setattr) S(quotactl_fd) S(landlock_create_ruleset) S(landlock_add_rule)
        S(landlock_restrict_self) S(memfd_secret) S(process_mrelease) S(futex_waitv)
        S(set_mempolicy_home_node)
};
#undef S
/* clang-format on */
#else
static const struct sysname sysnames[] = {
	{"getpid", SYS_getpid},
	{"getppid", SYS_getppid},
};
#endif

static long syscall_nr(const char *name)
{
	char *end;
	long n = strtol(name, &end, 0);
	if (*name && !*end)
		return n;
	for (size_t i = 0; i < ARRAY_SIZE(sysnames); i++)
		if (strcmp(sysnames[i].name, name) == 0)
			return sysnames[i].nr;
	return -1;
}

/* ---------- helpers ---------- */

/* Prints the value of one "Key:\tvalue" line of /proc/self/status as key=value. */
static void status_field(const char *field, const char *key)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[4096];
	size_t fl = strlen(field);
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, fl) != 0 || line[fl] != ':')
			continue;
		char *v = line + fl + 1;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		for (char *p = v; *p; p++)
			if (*p == '\t')
				*p = ' ';
		size_t l = strlen(v);
		while (l && v[l - 1] == ' ')
			v[--l] = '\0';
		printf("%s=%s\n", key, v);
	}
	if (f)
		fclose(f);
}

static const char *errname(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "unknown";
}

static void file_value(const char *path, const char *key)
{
	char buf[4096];
	FILE *f = fopen(path, "re");
	if (!f) {
		printf("%s=error:%s\n", key, errname(errno));
		return;
	}
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err) {
		printf("%s=error:%s\n", key, errname(err));
		return;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	printf("%s=%s\n", key, buf);
}

/* ---------- probes ---------- */

static void probe_caps(void)
{
	status_field("CapInh", "cap_inh");
	status_field("CapPrm", "cap_prm");
	status_field("CapEff", "cap_eff");
	status_field("CapBnd", "cap_bnd");
	status_field("CapAmb", "cap_amb");
	int sb = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	printf("securebits=0x%x\n", sb < 0 ? 0 : sb);
	printf("keepcaps=%d\n", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
}

static const struct {
	const char *name;
	int res;
} rlimits[] = {
	{"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
	{"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

static void print_limit(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

/* RLIMIT_NOFILE=1024:4096 (soft:hard) */
static void probe_rlimits(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimits); i++) {
		struct rlimit l;
		if (getrlimit(rlimits[i].res, &l) < 0) {
			printf("%s=error:%s\n", rlimits[i].name, errname(errno));
			continue;
		}
		printf("%s=", rlimits[i].name);
		print_limit(l.rlim_cur);
		putchar(':');
		print_limit(l.rlim_max);
		putchar('\n');
	}
}

/* fd.N=target for every open fd (the directory listing fd itself left out) */
static void probe_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d) {
		printf("fds=error:%s\n", errname(errno));
		return;
	}
	int self = dirfd(d), count = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		if (fd == self)
			continue;
		char target[PATH_MAX];
		ssize_t n = readlinkat(self, de->d_name, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		int fl = fcntl(fd, F_GETFD);
		printf("fd.%d=%s\n", fd, target);
		printf("fd.%d.cloexec=%d\n", fd, fl >= 0 && (fl & FD_CLOEXEC) ? 1 : 0);
		count++;
	}
	closedir(d);
	printf("fd_count=%d\n", count);
}

static long parse_arg(const char *s)
{
	return (long)strtoull(s, NULL, 0);
}

/* ret=, errno=, errname= of one raw system call */
static int run_syscall(int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "probe syscall NAME|NUMBER [ARGS...]\n");
		return 2;
	}
	long nr = syscall_nr(argv[0]);
	if (nr < 0) {
		printf("syscall=%s\nerror=unknown system call name\n", argv[0]);
		return 2;
	}
	long a[6] = {0};
	for (int i = 1; i < argc && i <= 6; i++)
		a[i - 1] = parse_arg(argv[i]);
	fflush(stdout);
	errno = 0;
	long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	int e = errno;
	printf("syscall=%s\nnr=%ld\nret=%ld\n", argv[0], nr, r);
	printf("errno=%d\nerrname=%s\n", r < 0 ? e : 0, r < 0 ? errname(e) : "0");
	return 0;
}

static void probe_seccomp(void)
{
	status_field("Seccomp", "seccomp");
	status_field("Seccomp_filters", "seccomp_filters");
	printf("seccomp_prctl=%d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

static void probe_ids(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("uid=%u\neuid=%u\nsuid=%u\n", r, e, s);
	printf("gid=%u\negid=%u\nsgid=%u\n", gr, ge, gs);
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);
	printf("groups=");
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", groups[i]);
	printf("\n");
	status_field("Umask", "umask");
}

static void probe_nnp(void)
{
	printf("nnp=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

struct sched_attr_k {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static void probe_sched(void)
{
	static const char *const policies[] = {"SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
					       "SCHED_BATCH",   "SCHED_ISO",  "SCHED_IDLE",
					       "SCHED_DEADLINE"};
	struct sched_attr_k a;
	memset(&a, 0, sizeof(a));
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) < 0) {
		printf("sched=error:%s\n", errname(errno));
		return;
	}
	uint32_t p = a.policy & ~0x40000000u; /* SCHED_RESET_ON_FORK */
	printf("sched_policy=%s\n", p < ARRAY_SIZE(policies) ? policies[p] : "unknown");
	printf("sched_policy_num=%u\n", a.policy);
	printf("sched_flags=0x%llx\n", (unsigned long long)a.flags);
	printf("sched_nice=%d\nsched_priority=%u\n", a.nice, a.priority);
	printf("sched_runtime=%llu\nsched_deadline=%llu\nsched_period=%llu\n",
	       (unsigned long long)a.runtime, (unsigned long long)a.deadline,
	       (unsigned long long)a.period);
	errno = 0;
	int nice = getpriority(PRIO_PROCESS, 0);
	printf("nice=%d\n", errno ? 0 : nice);
}

static void probe_ioprio(void)
{
	static const char *const classes[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT",
					      "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
	long v = syscall(SYS_ioprio_get, 1 /* IOPRIO_WHO_PROCESS */, 0);
	if (v < 0) {
		printf("ioprio=error:%s\n", errname(errno));
		return;
	}
	long cls = v >> 13;
	printf("ioprio_class=%s\n", cls >= 0 && cls < 4 ? classes[cls] : "unknown");
	printf("ioprio_level=%ld\n", v & 0x1fff);
}

static void probe_personality(void)
{
	int p = personality(0xffffffff);
	printf("personality=0x%x\n", (unsigned)p);
	printf("personality_domain=%s\n", (p & PER_MASK) == PER_LINUX32 ? "LINUX32"
					  : (p & PER_MASK) == PER_LINUX ? "LINUX"
									: "other");
}

static void probe_oom(void)
{
	file_value("/proc/self/oom_score_adj", "oom_score_adj");
	file_value("/proc/self/oom_score", "oom_score");
}

static void probe_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0) {
		printf("cpus=error:%s\n", errname(errno));
		return;
	}
	printf("cpus=");
	int first = 1;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		int end = c;
		while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, &set))
			end++;
		printf(first ? "%d" : ",%d", c);
		if (end > c)
			printf("-%d", end);
		first = 0;
		c = end;
	}
	printf("\ncpu_count=%d\n", CPU_COUNT(&set));
}

static void probe_signals(void)
{
	status_field("SigBlk", "sig_blocked");
	status_field("SigIgn", "sig_ignored");
	status_field("SigCgt", "sig_caught");
}

static void probe_pid(void)
{
	printf("pid=%d\nppid=%d\npgid=%d\nsid=%d\n", (int)getpid(), (int)getppid(), (int)getpgrp(),
	       (int)getsid(0));
}

static void probe_tty(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		char *n = isatty(fd) ? ttyname(fd) : NULL;
		printf("tty.%d=%s\n", fd, n ? n : (isatty(fd) ? "tty" : "no"));
	}
}

static void probe_dumpable(void)
{
	printf("dumpable=%d\n", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
}

static void probe_lsm(void)
{
	file_value("/proc/self/attr/current", "lsm_current");
	file_value("/proc/self/attr/apparmor/current", "apparmor_current");
}

static const struct {
	const char *name;
	void (*fn)(void);
} probes[] = {
	{"caps", probe_caps},       {"rlimits", probe_rlimits}, {"fds", probe_fds},
	{"seccomp", probe_seccomp}, {"ids", probe_ids},         {"nnp", probe_nnp},
	{"sched", probe_sched},     {"ioprio", probe_ioprio},   {"personality", probe_personality},
	{"oom", probe_oom},         {"cpus", probe_cpus},       {"signals", probe_signals},
	{"pid", probe_pid},         {"tty", probe_tty},         {"dumpable", probe_dumpable},
	{"lsm", probe_lsm},
};

static int usage(void)
{
	fprintf(stderr, "usage: probe caps|rlimits|fds|seccomp [NAME [ARGS]]|ids|nnp|sched|ioprio|"
			"personality|oom|cpus|signals|pid|tty|dumpable|lsm|all\n"
			"       probe syscall NAME|NUMBER [ARGS...]\n"
			"       probe sleep SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	if (strcmp(cmd, "syscall") == 0)
		return run_syscall(argc - 2, argv + 2);
	if (strcmp(cmd, "sleep") == 0) {
		unsigned s = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 3600;
		while ((s = sleep(s)) > 0)
			;
		return 0;
	}
	if (strcmp(cmd, "all") == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
			probes[i].fn();
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		if (strcmp(probes[i].name, cmd) != 0)
			continue;
		probes[i].fn();
		if (strcmp(cmd, "seccomp") == 0 && argc > 2)
			return run_syscall(argc - 2, argv + 2);
		return 0;
	}
	return usage();
}
