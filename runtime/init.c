/* SPDX-License-Identifier: Apache-2.0 */
#include "init.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../oci-spec/oci_state.h"
#include "console.h"
#include "hooks.h"
#include "landlock.h"
#include "process_attrs.h"
#include "rootfs.h"
#include "supervisor_client.h"
#include "sync.h"

#ifndef KEYCTL_JOIN_SESSION_KEYRING
#define KEYCTL_JOIN_SESSION_KEYRING 1
#endif

static char *hook_state(const struct init_ctx *ctx, pid_t host_pid, const char *status)
{
	struct oci_state st = {
		.oci_version = ctx->cfg->oci_version,
		.id = ctx->id,
		.status = status,
		.pid = host_pid,
		.bundle = ctx->bundle,
		.annotations = ctx->cfg->annotations,
		.n_annotations = ctx->cfg->n_annotations,
	};
	return oci_state_write(&st, false);
}

/*
 * Engines written in Go sort a failed start by Go's errno texts, which are lower case: `docker
 * run` exits 127 when the message says "no such file or directory" and 126 for "permission
 * denied" (runc's wording), 125 for anything else. glibc capitalises its strerror, so the
 * cause of a failed lookup is spelt Go's way for the user to get Docker's documented code.
 */
static void exec_lookup_error(struct werr *e, int errnum, const char *argv0)
{
	char cause[128];
	snprintf(cause, sizeof(cause), "%s", strerror(errnum));
	cause[0] = (char)tolower((unsigned char)cause[0]);
	werr_code(e, errnum, "exec: \"%s\": %s", argv0, cause);
}

char *init_lookup_executable(const char *argv0, char *const *env, size_t n_env, struct werr *e)
{
	struct stat st;
	if (strchr(argv0, '/')) {
		if (stat(argv0, &st) < 0)
			return exec_lookup_error(e, errno, argv0), NULL;
		/* refused now, like runc does, rather than by execve after `start` */
		if (!S_ISREG(st.st_mode) || access(argv0, X_OK) < 0)
			return exec_lookup_error(e, EACCES, argv0), NULL;
		return xstrdup(argv0);
	}
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (size_t i = 0; i < n_env; i++)
		if (str_has_prefix(env[i], "PATH="))
			path = env[i] + 5;
	_cleanup_free_ char *copy = xstrdup(path);
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *dir ? dir : ".", argv0);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	werr_code(e, ENOENT, "exec: \"%s\": executable file not found in $PATH", argv0);
	return NULL;
}

int init_prepare_fds(int preserve_fds, const unsigned char *inherited, struct werr *e)
{
	unsigned int first_closed = 3 + (unsigned int)preserve_fds;
	if (syscall(SYS_close_range, first_closed, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return werr_sys(e, "mark fds close-on-exec");
	for (int i = 0; i < preserve_fds; i++) {
		int fd = 3 + i;
		int fl = fcntl(fd, F_GETFD);
		if (fl < 0)
			continue;
		if (inherited[i])
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
		else
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
	return 0;
}

void init_reset_signals(void)
{
	sigset_t none;
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static int setup_terminal(const struct init_ctx *ctx, struct rootfs_ctx *r, int *slave,
			  struct werr *e)
{
	int master = -1;
	/* the devpts instance this container mounted, never a path it could have swapped */
	_cleanup_close_ int devpts = rootfs_open_devpts(r, e);
	if (devpts < 0)
		return werr_wrap(e, "process.terminal");
	if (console_open_pty(devpts, "ptmx", &master, slave, e) < 0)
		return werr_wrap(e, "process.terminal");
	const struct oci_process *p = &ctx->cfg->process;
	if (p->has_console_size &&
	    console_set_size(master, p->console_height, p->console_width, e) < 0) {
		close(master);
		return -1;
	}
	int r1 = rootfs_bind_console(r, *slave, e);
	if (r1 == 0)
		r1 = send_fd(ctx->console_fd, "/dev/console", master, e);
	close(master);
	if (r1 < 0)
		return werr_wrap(e, "process.terminal");
	return 0;
}

/* a private procfs of the container's pid namespace, or -1: the container's, checked */
static int init_proc_fd = -1;

/* Everything up to READY. Returns the slave pty (or -1) through *slave. */
static int init_setup(const struct init_ctx *ctx, pid_t *host_pid, int *slave, struct werr *e)
{
	const struct oci_config *cfg = ctx->cfg;
	int32_t pid;
	struct rootfs_ctx r;
	int rc = -1;

	if (sync_expect(ctx->sync_fd, SYNC_GO, &pid, e) < 0)
		return -1;
	*host_pid = pid;
	if (ctx->plan->clone_flags & CLONE_NEWUSER) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return werr_sys(e, "become root in the user namespace");
	}
	if (ctx->plan->new_cgroup && unshare(CLONE_NEWCGROUP) < 0)
		return werr_sys(e, "create cgroup namespace");
	if (cfg->hostname && *cfg->hostname &&
	    sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		return werr_sys(e, "hostname: sethostname");
	if (cfg->domainname && *cfg->domainname &&
	    setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
		return werr_sys(e, "domainname: setdomainname");
	if (!ctx->no_new_keyring) {
		_cleanup_free_ char *name = xasprintf("_ses.%s", ctx->id);
		/* EPERM/ENOSYS: keyrings unavailable (e.g. refused by a seccomp profile) */
		if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS &&
		    errno != EPERM)
			return werr_sys(e, "join session keyring");
	}

	if (rootfs_ctx_init(&r, cfg, ctx->bundle, ctx->no_pivot, e) < 0)
		return -1;
	r.idmap_fds = ctx->idmap_fds;
	if (rootfs_mount_all(&r, e) < 0)
		goto out;
	/* our own procfs instance, attached nowhere: the process attributes are written there,
	 * never through the container's /proc (CVE-2019-16884, CVE-2025-52881) */
	if (r.proc_fd >= 0)
		init_proc_fd = fcntl(r.proc_fd, F_DUPFD_CLOEXEC, 3);
	if (cfg->process.terminal && setup_terminal(ctx, &r, slave, e) < 0)
		goto out;
	if (cfg->hooks.prestart.n || cfg->hooks.create_runtime.n) {
		if (sync_send(ctx->sync_fd, SYNC_HOOKS, 0, e) < 0 ||
		    sync_expect(ctx->sync_fd, SYNC_HOOKS_DONE, NULL, e) < 0)
			goto out;
	}
	if (cfg->hooks.create_container.n) {
		_cleanup_free_ char *st = hook_state(ctx, *host_pid, "created");
		if (hooks_run(&cfg->hooks.create_container, "createContainer", st, e) < 0)
			goto out;
	}
	if (rootfs_pivot(&r, e) < 0 || rootfs_finalize(&r, e) < 0)
		goto out;
	rc = 0;
out:
	rootfs_ctx_release(&r);
	return rc;
}

/*
 * Loads ward's filter (its listener goes to the supervisor), then the config's seccomp filter (a
 * NOTIFY listener goes to linux.seccomp.listenerPath). Ward's comes first so that the
 * container's own profile cannot refuse the calls the handoff needs.
 */
static int load_seccomp(const struct init_ctx *ctx, pid_t host_pid, struct werr *e)
{
	int listener = -1;
	if (supervisor_install_filter(ctx->ward, ctx->sup_sock, host_pid, e) < 0)
		return werr_wrap(e, "supervisor");
	if (!ctx->seccomp)
		return 0;
	if (seccomp_oci_load(ctx->seccomp, &listener, e) < 0)
		return -1;
	if (listener < 0)
		return 0;
	const struct oci_seccomp *s = &ctx->cfg->linux_.seccomp;
	int r = 0;
	if (ctx->agent_sock >= 0) {
		_cleanup_free_ char *st = hook_state(ctx, host_pid, "creating");
		r = seccomp_oci_send_listener_on(ctx->agent_sock, s->listener_metadata, host_pid,
						 st, listener, e);
	}
	close(listener);
	return r;
}

static int init_process(const struct init_ctx *ctx, pid_t host_pid, int slave, char **exe,
			struct werr *e)
{
	const struct oci_process *p = &ctx->cfg->process;
	if (process_apply_early(p, &ctx->cfg->linux_.personality, init_proc_fd, e) < 0)
		return -1;
	if (slave >= 0) {
		if (console_make_controlling(slave, e) < 0)
			return werr_wrap(e, "process.terminal");
		close(slave);
	} else if (setsid() < 0 && errno != EPERM) {
		return werr_sys(e, "setsid");
	}
	if (process_apply_confinement(p, init_proc_fd, e) < 0)
		return -1;
	/* without no_new_privs only a privileged process may install a filter: do it now */
	/* still privileged (Landlock needs CAP_SYS_ADMIN where no_new_privs is off), and
	 * before the config's seccomp profile, which may not allow the landlock calls */
	if (landlock_restrict(ctx->policy, p->cwd, e) < 0)
		return werr_wrap(e, "policy");
	if (process_seccomp_before_identity(p) && load_seccomp(ctx, host_pid, e) < 0)
		return -1;
	if (process_apply_identity(p, init_proc_fd, e) < 0)
		return -1;
	/* as the container user: the cwd must be reachable with its rights */
	if (process_chdir(p->cwd, e) < 0)
		return -1;
	*exe = init_lookup_executable(p->args[0], p->env, p->n_env, e);
	if (!*exe)
		return werr_wrap(e, "process.args[0]");
	return 0;
}

/* Blocks until `ward start` connects; returns the connection (closed by exec). */
static int wait_for_start(const struct init_ctx *ctx, struct werr *e)
{
	int conn;
	do
		conn = accept4(ctx->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		return werr_sys(e, "wait for start");
	char b;
	if (read(conn, &b, 1) != 1) {
		close(conn);
		return werr_sys(e, "read start request");
	}
	return conn;
}

static void __attribute__((noreturn)) fail_start(int conn, const struct werr *e)
{
	if (write_all(conn, e->msg, strlen(e->msg)) < 0) {
		/* start already gone: nobody to tell */
	}
	_exit(127);
}

void container_init(const struct init_ctx *ctx)
{
	struct werr e;
	pid_t host_pid = 0;
	int slave = -1;
	_cleanup_free_ char *exe = NULL;

	werr_clear(&e);
	/* a flock lives as long as any fd of it: create's lock must die with create */
	close(ctx->state_lock_fd);
	close(ctx->state_dir_fd);
	/*
	 * Nobody may ptrace or read our memory before we exec (CVE-2016-9962 class). In a new user
	 * namespace that would also make our own /proc/self root-owned and unusable for setup.
	 */
	if (!(ctx->plan->clone_flags & CLONE_NEWUSER))
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* if create dies while we set up, we die too: nothing half-made survives */
	if (ctx->direct_child)
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* fds first: a config seccomp filter loaded by init_process may refuse close_range */
	if (init_setup(ctx, &host_pid, &slave, &e) < 0 ||
	    init_prepare_fds(ctx->preserve_fds, ctx->inherited, &e) < 0 ||
	    init_process(ctx, host_pid, slave, &exe, &e) < 0) {
		sync_send_error(ctx->sync_fd, &e);
		_exit(1);
	}
	/* create returns once it reads READY: its exit must no longer kill us */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (sync_send(ctx->sync_fd, SYNC_READY, 0, &e) < 0)
		_exit(1);
	close(ctx->sync_fd);

	int conn = wait_for_start(ctx, &e);
	if (conn < 0)
		_exit(127);
	const struct oci_config *cfg = ctx->cfg;
	if (cfg->hooks.start_container.n) {
		_cleanup_free_ char *st = hook_state(ctx, host_pid, "created");
		if (hooks_run(&cfg->hooks.start_container, "startContainer", st, &e) < 0)
			fail_start(conn, &e);
	}
	init_reset_signals();
	/* with no_new_privs the filter comes as late as possible: right before exec */
	if (!process_seccomp_before_identity(&cfg->process) && load_seccomp(ctx, host_pid, &e) < 0)
		fail_start(conn, &e);
	char **argv = strv_terminated(cfg->process.args, cfg->process.n_args);
	char **envp = strv_terminated(cfg->process.env, cfg->process.n_env);
	execve(exe, argv, envp);
	werr_sys(&e, "exec %s", exe);
	fail_start(conn, &e);
}

unsigned char ward_inherited_fds[PRESERVE_FDS_MAX];

/*
 * One poll() over the range instead of a fcntl() per fd (1024 system calls, ~1 ms here): a
 * closed fd comes back POLLNVAL. poll() takes no more entries than RLIMIT_NOFILE allows, so
 * fds from that limit up (open only if the limit was lowered after they were) are asked one
 * by one.
 */
void record_inherited_fds(void)
{
	static struct pollfd p[PRESERVE_FDS_MAX];
	struct rlimit rl;
	int n = 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		n = rl.rlim_cur >= (rlim_t)PRESERVE_FDS_MAX + 3 ? PRESERVE_FDS_MAX
		    : rl.rlim_cur > 3                           ? (int)rl.rlim_cur - 3
								: 0;
	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = 3 + i};
	if (n > 0 && poll(p, (nfds_t)n, 0) < 0)
		n = 0;
	for (int i = 0; i < n; i++)
		ward_inherited_fds[i] = !(p[i].revents & POLLNVAL);
	for (int i = n; i < PRESERVE_FDS_MAX; i++)
		ward_inherited_fds[i] = fcntl(3 + i, F_GETFD) >= 0;
}
