/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starting the supervisor and talking to it (see supervisor_client.h and
 * shim/sup_proto.h for the protocol).
 */
#include "supervisor_client.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../shim/sup_proto.h"
#include "exe_seal.h"
#include "pathfd.h"
#include "ward_filter.h"

extern char **environ;

/* How long `ward delete` waits for a stopped supervisor to exit. */
#define SUP_STOP_TIMEOUT_MS 5000

/*
 * A sockaddr for <dir>/supervisor.sock. Paths longer than sun_path go through
 * an O_PATH fd of the directory: "/proc/self/fd/N/supervisor.sock".
 */
static int sock_addr(const char *dir, struct sockaddr_un *sa, socklen_t *len, int *dirfd,
		     struct werr *e)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	*dirfd = -1;
	int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dir, SUP_SOCKET_NAME);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path)) {
		*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (*dirfd < 0)
			return werr_sys(e, "open %s", dir);
		n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", *dirfd,
			     SUP_SOCKET_NAME);
	}
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
	return 0;
}

static int make_listen_socket(const char *state_dir, struct werr *e)
{
	struct sockaddr_un sa;
	socklen_t len;
	_cleanup_close_ int dirfd = -1;
	if (sock_addr(state_dir, &sa, &len, &dirfd, e) < 0)
		return -1;
	_cleanup_close_ int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return werr_sys(e, "socket");
	/* a stale socket of an earlier supervisor with the same state dir */
	if (unlink(sa.sun_path) < 0 && errno != ENOENT)
		return werr_sys(e, "remove %s", sa.sun_path);
	mode_t old = umask(077);
	int r = bind(s, (struct sockaddr *)&sa, len);
	umask(old);
	if (r < 0)
		return werr_sys(e, "bind %s/%s", state_dir, SUP_SOCKET_NAME);
	if (listen(s, 64) < 0)
		return werr_sys(e, "listen on %s/%s", state_dir, SUP_SOCKET_NAME);
	return take_fd(&s);
}

static bool policy_is_path(const char *p)
{
	size_t n = strlen(p);
	return strchr(p, '/') || (n > 5 && strcmp(p + n - 5, ".json") == 0);
}

/* The environment for the supervisor: ours, with glibc told to keep it small. */
static char **supervisor_env(void)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = xcalloc(n + 2, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!str_has_prefix(environ[i], "GLIBC_TUNABLES="))
			env[k++] = environ[i];
	/* no cache of dead thread stacks, one malloc arena */
	env[k++] = "GLIBC_TUNABLES=glibc.pthread.stack_cache_size=0:glibc.malloc.arena_max=1";
	env[k] = NULL;
	return env;
}

static const char *binary_override;

void supervisor_set_binary(const char *path)
{
	binary_override = path;
}

/* <directory of path>/<rel> when that is an executable file, else NULL. */
static char *exe_beside(const char *path, const char *rel)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return NULL;
	char *p = xasprintf("%.*s/%s", (int)(slash - path), path, rel);
	struct stat st;
	if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
		return p;
	free(p);
	return NULL;
}

#ifdef WARD_LIBEXECDIR
#define SUP_BUILTIN_PATH WARD_LIBEXECDIR "/" SUP_BINARY
#else
#define SUP_BUILTIN_PATH NULL
#endif

char *supervisor_binary(struct werr *e)
{
	if (binary_override)
		return xstrdup(binary_override);
	const char *self = exe_original_path();
	char *p = NULL;
	/* the build tree, and installs that keep both in one directory */
	if (self && (p = exe_beside(self, SUP_BINARY)))
		return p;
	/* <prefix>/bin/ward with <prefix>/libexec/ward/ward-supervisor */
	if (self && (p = exe_beside(self, "../libexec/ward/" SUP_BINARY)))
		return p;
	const char *builtin = SUP_BUILTIN_PATH;
	if (builtin && (p = exe_beside(builtin, SUP_BINARY)))
		return p;
	werr_set(e, ENOENT,
		 "the supervisor binary %s is missing (looked beside %s, in ../libexec/ward/ "
		 "from there%s%s)",
		 SUP_BINARY, self ? self : "the ward binary, whose path is unknown,",
		 builtin ? " and at " : "", builtin ? builtin : "");
	return NULL;
}

/* Only async-signal-safe calls from here to execve. */
__attribute__((noreturn)) static void exec_supervisor(int lsock, int report, int exe, char **argv,
						      char **envp)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/* move what we keep above the stdio slots first */
	int l = fcntl(lsock, F_DUPFD_CLOEXEC, 10);
	int r = fcntl(report, F_DUPFD_CLOEXEC, 10);
	int x = fcntl(exe, F_DUPFD_CLOEXEC, 10);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (l < 0 || r < 0 || x < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(null, 2) < 0 || dup2(l, 3) < 0 || dup3(r, 4, O_CLOEXEC) < 0 ||
	    dup3(x, 5, O_CLOEXEC) < 0)
		_exit(126);
	/* nothing else the caller had open may reach the supervisor (5 closes on exec) */
	close_range(6, ~0u, 0);
	execve("/proc/self/fd/5", argv, envp);
	int err = errno;
	if (write(4, &err, sizeof(err)) < 0) {
		/* the parent will see an early EOF */
	}
	_exit(127);
}

int supervisor_spawn_begin(const char *state_dir, const char *container_id,
			   const char *policy_name_or_path, struct supervisor_spawn *sp,
			   struct werr *e)
{
	sp->mid = -1;
	sp->report = -1;
	sp->binary = NULL;
	const char *policy =
		policy_name_or_path && *policy_name_or_path ? policy_name_or_path : "default";
	_cleanup_free_ char *abs_policy = NULL;
	if (policy_is_path(policy)) {
		abs_policy = realpath(policy, NULL);
		if (!abs_policy)
			return werr_sys(e, "policy %s", policy);
		policy = abs_policy;
	}
	_cleanup_free_ char *binary = supervisor_binary(e);
	if (!binary)
		return -1;
	/* a copy no process can write, like ward's own (exe_seal.h) */
	_cleanup_close_ int exe = exe_seal_open(binary, e);
	if (exe < 0)
		return werr_wrap(e, "protect the supervisor binary");
	_cleanup_close_ int lsock = make_listen_socket(state_dir, e);
	if (lsock < 0)
		return werr_wrap(e, "supervisor");

	char *argv[] = {SUP_BINARY,    SUP_ARGV1,
			"--state-dir", (char *)state_dir,
			"--id",        (char *)(container_id ? container_id : ""),
			"--policy",    (char *)policy,
			"--listen-fd", "3",
			NULL};
	_cleanup_free_ char **envp = supervisor_env();
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return werr_sys(e, "pipe");

	pid_t mid = fork();
	if (mid < 0) {
		int err = errno;
		close(p[0]);
		close(p[1]);
		return werr_set(e, err, "fork the supervisor");
	}
	if (mid == 0) {
		/* the middle process: a new session, then the supervisor, then gone */
		close(p[0]);
		if (setsid() < 0)
			_exit(125);
		pid_t sup = fork();
		if (sup < 0)
			_exit(124);
		if (sup == 0)
			exec_supervisor(lsock, p[1], exe, argv, envp);
		int32_t v = sup;
		_exit(write(p[1], &v, sizeof(v)) == sizeof(v) ? 0 : 123);
	}
	close(p[1]);
	sp->mid = mid;
	sp->report = p[0];
	sp->binary = take_ptr(binary);
	return 0;
}

int supervisor_spawn_end(struct supervisor_spawn *sp, pid_t *pid, struct werr *e)
{
	if (sp->mid < 0)
		return 0;
	int st = 0;
	while (waitpid(sp->mid, &st, 0) < 0 && errno == EINTR)
		;
	sp->mid = -1;
	int32_t got = -1;
	ssize_t n = read(sp->report, &got, sizeof(got));
	int exec_err = 0;
	ssize_t m = 0;
	if (n == sizeof(got)) {
		/* EOF means the exec worked (the pipe end was close-on-exec) */
		do
			m = read(sp->report, &exec_err, sizeof(exec_err));
		while (m < 0 && errno == EINTR);
	}
	close(sp->report);
	sp->report = -1;
	_cleanup_free_ char *binary = sp->binary;
	sp->binary = NULL;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || n != sizeof(got))
		return werr_set(e, 0, "start the supervisor: helper process failed (status %d)",
				st);
	if (m == sizeof(exec_err))
		return werr_set(e, exec_err, "start the supervisor: exec %s", binary);
	if (pid)
		*pid = got;
	return 0;
}

int supervisor_spawn(const char *state_dir, const char *container_id,
		     const char *policy_name_or_path, pid_t *pid, struct werr *e)
{
	struct supervisor_spawn sp;
	if (supervisor_spawn_begin(state_dir, container_id, policy_name_or_path, &sp, e) < 0)
		return -1;
	return supervisor_spawn_end(&sp, pid, e);
}

int supervisor_connect(const char *state_dir, struct werr *e)
{
	struct sockaddr_un sa;
	socklen_t len;
	_cleanup_close_ int dirfd = -1;
	if (sock_addr(state_dir, &sa, &len, &dirfd, e) < 0)
		return -1;
	_cleanup_close_ int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return werr_sys(e, "socket");
	int r;
	do
		r = connect(s, (struct sockaddr *)&sa, len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return werr_sys(e, "connect to the supervisor at %s/%s", state_dir,
				SUP_SOCKET_NAME);
	return take_fd(&s);
}

/*
 * One message and its reply. under_filter: the caller runs under its own ward filter whose
 * listener is not handed over yet, where only write(2) and read(2) may be used (send(2) is
 * sendto, which the filter may hand to a supervisor that is not listening yet); elsewhere
 * send() with MSG_NOSIGNAL, so a supervisor gone meanwhile is EPIPE, not SIGPIPE.
 */
static int transact(int sock, const struct sup_msg *m, struct sup_reply *rep, bool under_filter,
		    struct werr *e)
{
	ssize_t n;
	do
		n = under_filter ? write(sock, m, sizeof(*m))
				 : send(sock, m, sizeof(*m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* a supervisor exiting on its own resets connections still in its backlog, and the
	 * reset can come before our message as well as before its reply */
	if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
		return werr_code(e, EPIPE, "the supervisor closed the connection");
	if (n != (ssize_t)sizeof(*m))
		return werr_sys(e, "send to the supervisor");
	do
		n = read(sock, rep, sizeof(*rep));
	while (n < 0 && errno == EINTR);
	if (n == 0 || (n < 0 && errno == ECONNRESET))
		return werr_code(e, EPIPE, "the supervisor closed the connection");
	if (n < 0)
		return werr_sys(e, "read the supervisor's reply");
	if (n != (ssize_t)sizeof(*rep) || rep->magic != SUP_MAGIC)
		return werr_set(e, EPROTO, "bad reply from the supervisor");
	return 0;
}

int supervisor_handoff(int sock, int listener_fd, pid_t pid, struct werr *e)
{
	struct sup_msg m = {.magic = SUP_MAGIC,
			    .version = SUP_VERSION,
			    .type = SUP_MSG_HANDOFF,
			    .pid = pid,
			    .fd = listener_fd};
	struct sup_reply rep;
	if (transact(sock, &m, &rep, true, e) < 0)
		return werr_wrap(e, "hand the seccomp listener to the supervisor");
	if (rep.error)
		return werr_set(e, rep.error,
				"the supervisor could not take the seccomp listener (fd %d of pid "
				"%d)",
				listener_fd, pid);
	return 0;
}

int supervisor_install_filter(const struct ward_filter *f, int sock, pid_t host_pid, struct werr *e)
{
	int listener = -1;
	if (f->prog.len == 0)
		return 0;
	if (f->has_listener && sock < 0)
		return werr_set(e, EINVAL, "the ward filter needs the supervisor, not connected");
	if (ward_filter_load(f, &listener, e) < 0)
		return -1;
	if (listener < 0)
		return 0;
	/* from here to the handoff's reply: write(2) and read(2) only */
	int r = supervisor_handoff(sock, listener, host_pid, e);
	close(listener);
	return r;
}

static int simple(const char *state_dir, enum sup_msg_type type, struct sup_reply *rep,
		  struct werr *e)
{
	_cleanup_close_ int s = supervisor_connect(state_dir, e);
	if (s < 0)
		return -1;
	struct sup_msg m = {.magic = SUP_MAGIC, .version = SUP_VERSION, .type = (uint16_t)type};
	return transact(s, &m, rep, false, e);
}

/* Waits until the process behind pidfd has exited, at most timeout_ms; true if it has. */
static bool wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	for (;;) {
		int r = poll(&p, 1, timeout_ms);
		if (r >= 0)
			return r > 0;
		if (errno != EINTR)
			return false;
	}
}

int supervisor_stop(const char *state_dir, struct werr *e)
{
	_cleanup_close_ int s = supervisor_connect(state_dir, e);
	if (s < 0) {
		if (e->errnum == ENOENT || e->errnum == ECONNREFUSED) {
			werr_clear(e);
			return 0;
		}
		return werr_wrap(e, "stop the supervisor");
	}
	/*
	 * Its pid first (PING), as a pidfd: the supervisor is not our child, and
	 * `ward delete` must not return while it still runs. The pid cannot have been
	 * reused when the STOP below is answered: the supervisor was alive after
	 * pidfd_open.
	 */
	struct sup_msg m = {.magic = SUP_MAGIC, .version = SUP_VERSION, .type = SUP_MSG_PING};
	struct sup_reply rep;
	if (transact(s, &m, &rep, false, e) < 0) {
		if (e->errnum == EPIPE) {
			werr_clear(e);
			return 0; /* it was exiting on its own */
		}
		return werr_wrap(e, "stop the supervisor");
	}
	_cleanup_close_ int pidfd = rep.pid > 0 ? (int)syscall(SYS_pidfd_open, rep.pid, 0) : -1;
	m.type = SUP_MSG_STOP;
	if (transact(s, &m, &rep, false, e) < 0) {
		if (e->errnum != EPIPE)
			return werr_wrap(e, "stop the supervisor");
		werr_clear(e);
	}
	close(s);
	s = -1;
	if (pidfd < 0)
		return 0;
	/* it flushes its audit log and exits at once; a hung one is killed */
	if (!wait_exit(pidfd, SUP_STOP_TIMEOUT_MS)) {
		syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		wait_exit(pidfd, SUP_STOP_TIMEOUT_MS);
		return werr_set(e, ETIMEDOUT,
				"stop the supervisor: pid %d did not exit within %d ms; killed",
				(int)rep.pid, SUP_STOP_TIMEOUT_MS);
	}
	return 0;
}

int supervisor_flush_audit(const char *state_dir, struct werr *e)
{
	struct sup_reply rep;
	if (simple(state_dir, SUP_MSG_FLUSH, &rep, e) == 0)
		return 0;
	if (e->errnum == ENOENT || e->errnum == ECONNREFUSED || e->errnum == EPIPE) {
		werr_clear(e); /* no supervisor (any more): everything it wrote is in the file */
		return 0;
	}
	return -1;
}

int supervisor_ping(const char *state_dir, pid_t *pid, unsigned *listeners, struct werr *e)
{
	struct sup_reply rep;
	if (simple(state_dir, SUP_MSG_PING, &rep, e) < 0)
		return -1;
	if (pid)
		*pid = rep.pid;
	if (listeners)
		*listeners = rep.listeners;
	return 0;
}
