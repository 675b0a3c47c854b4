/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Attacks on the supervisor's guarantees (root, real kernel):
 *
 *   TOCTOU: an attacker thread flips the port of a sockaddr between an
 *     allowed and a denied one while the main thread connects with it,
 *     100000 times; a listener on the denied port must never see a
 *     connection. A naive checker that answers CONTINUE after checking the
 *     same memory is attacked the same way first, to show the attack works.
 *   fail closed: the supervisor is killed (SIGKILL); the container's next
 *     connect, sendto, sendmsg, sendmmsg, bind, listen and execve fail with
 *     ENOSYS and nothing reaches the denied (or even the allowed) port;
 *     clone3 and CLONE_NEWUSER stay refused (BPF) with no supervisor.
 *   concurrency: two containers (two listeners, one supervisor); one blocks
 *     in a connect to a black hole (a listener whose accept queue is full),
 *     the other's mediated calls go on; a signal interrupts the blocked
 *     connect (EINTR, no SA_RESTART) and the supervisor's worker is released
 *     (ID_VALID watchdog); a SIGKILLed caller releases its worker too.
 *   audit bounds: a tiny audit.maxBytes rotates to audit.jsonl.1.
 */
#include <arpa/inet.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/policy.h"
#include "shim/sup.h"
#include "shim/supervisor.h"
#include "tests/unit/sup_harness.h"
#include "tests/unit/tap.h"

struct h_shared *H;

#define TOCTOU_N 100000

static struct h_server ok_srv, no_srv, hole, udp_ok;
static int hole_filler = -1;

static char *make_dir(void)
{
	char *d = xstrdup("/tmp/ward-atk-XXXXXX");
	if (!mkdtemp(d))
		abort();
	return d;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(dir);
}

static char *write_policy(const char *dir, uint64_t max_bytes)
{
	char *path = xasprintf("%s/attack.json", dir);
	char *json = xasprintf(
		"{\"name\":\"attack\",\"process\":{\"deny\":[\"all\"],\"execAudit\":true},"
		"\"network\":{\"egressDefault\":\"deny\",\"egress\":[{\"action\":\"allow\","
		"\"cidr\":\"127.0.0.1/32\",\"ports\":[%u,%u,%u]}]},"
		"\"audit\":{\"network\":true,\"exec\":true,\"maxBytes\":%llu}}",
		ok_srv.port, hole.port, udp_ok.port, (unsigned long long)max_bytes);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, json, strlen(json)) < 0)
		abort();
	close(fd);
	free(json);
	return path;
}

static int build_filter(const char *policy_path, struct ward_filter *f)
{
	struct ward_policy *p;
	struct werr e;
	if (policy_load(policy_path, &p, &e) < 0)
		return -1;
	int r = ward_filter_build(p, f, &e);
	policy_free(p);
	return r;
}

/* ---------- TOCTOU ---------- */

static struct sockaddr_in race_sa;
static atomic_bool race_stop;

static void *flipper(void *arg)
{
	uint16_t a = htons(ok_srv.port), d = htons(no_srv.port);
	volatile uint16_t *port = &race_sa.sin_port;
	(void)arg;
	while (!atomic_load_explicit(&race_stop, memory_order_relaxed)) {
		*port = d;
		*port = a;
	}
	return NULL;
}

/* The attack; stops early when H->flag is set (the denied port was reached). */
static void race_body(void)
{
	race_sa = h_sin(ok_srv.port);
	pthread_t th;
	if (pthread_create(&th, NULL, flipper, NULL) != 0)
		_exit(93);
	long ok = 0, denied = 0, other = 0;
	for (int i = 0; i < TOCTOU_N && !atomic_load(&H->flag); i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0) {
			other++;
			continue;
		}
		int r = connect(s, (struct sockaddr *)&race_sa, sizeof(race_sa));
		if (r == 0)
			ok++;
		else if (errno == EACCES)
			denied++;
		else
			other++;
		struct linger lg = {1, 0}; /* RST on close: no TIME_WAIT pile-up */
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	atomic_store(&race_stop, true);
	pthread_join(th, NULL);
	H->counters[0] = ok;
	H->counters[1] = denied;
	H->counters[2] = other;
}

/* A denied-port watcher that raises H->flag on the first connection. */
static void *watch_denied(void *arg)
{
	(void)arg;
	while (!atomic_load(&no_srv.stop)) {
		struct pollfd p = {no_srv.fd, POLLIN, 0};
		if (poll(&p, 1, 50) > 0 && h_server_drain(&no_srv) > 0)
			atomic_store(&H->flag, 1);
	}
	return NULL;
}

/* The wrong way: check the caller's memory, then CONTINUE. */
struct naive {
	int lfd;
	uint16_t allowed;
	atomic_bool stop;
};

static void *naive_checker(void *arg)
{
	struct naive *nv = arg;
	struct pollfd p = {nv->lfd, POLLIN, 0};
	while (!atomic_load(&nv->stop)) {
		if (poll(&p, 1, 50) <= 0)
			continue;
		if (p.revents & POLLHUP)
			break;
		struct seccomp_notif n;
		memset(&n, 0, sizeof(n));
		if (ioctl(nv->lfd, SECCOMP_IOCTL_NOTIF_RECV, &n) < 0)
			continue;
		struct seccomp_notif_resp r = {.id = n.id};
		r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		if (n.data.nr == SYS_connect) {
			struct sockaddr_in sin;
			struct iovec l = {&sin, sizeof(sin)};
			struct iovec rm = {(void *)(uintptr_t)n.data.args[1], sizeof(sin)};
			if (process_vm_readv((pid_t)n.pid, &l, 1, &rm, 1, 0) != sizeof(sin) ||
			    ntohs(sin.sin_port) != nv->allowed) {
				r.flags = 0;
				r.error = -EACCES;
			}
		}
		ioctl(nv->lfd, SECCOMP_IOCTL_NOTIF_SEND, &r);
	}
	return NULL;
}

static void naive_body(void)
{
	/* the listener stays with us until the parent took a copy */
	atomic_store(&H->stage, 1);
	while (atomic_load(&H->stage) != 2)
		usleep(1000);
	close((int)H->counters[15]);
	race_body();
}

static void test_naive_checker(const struct ward_filter *f)
{
	memset(H, 0, sizeof(*H));
	h_server_drain(&ok_srv);
	h_server_drain(&no_srv);
	atomic_store(&no_srv.hits, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int lfd = -1;
		struct werr e;
		if (ward_filter_load(f, &lfd, &e) < 0)
			_exit(90);
		H->counters[15] = lfd;
		naive_body();
		_exit(0);
	}
	while (atomic_load(&H->stage) != 1)
		usleep(1000);
	int pidfd = pidfd_open(pid, 0);
	struct naive nv = {.lfd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)H->counters[15], 0),
			   .allowed = ok_srv.port};
	close(pidfd);
	pthread_t th, w;
	pthread_create(&th, NULL, naive_checker, &nv);
	atomic_store(&no_srv.stop, false);
	pthread_create(&w, NULL, watch_denied, NULL);
	atomic_store(&H->stage, 2);
	int st = h_wait(pid);
	atomic_store(&nv.stop, true);
	atomic_store(&no_srv.stop, true);
	pthread_join(th, NULL);
	pthread_join(w, NULL);
	close(nv.lfd);
	long leaked = h_server_drain(&no_srv);
	TAP_OK(WIFEXITED(st), "naive-checker child ran");
	TAP_OK(leaked > 0,
	       "control: a check-then-CONTINUE supervisor lets the racing thread through (%ld "
	       "connections reached the denied port after %ld attempts)",
	       leaked, H->counters[0] + H->counters[1] + H->counters[2]);
}

static void test_toctou(const char *dir, const struct ward_filter *f)
{
	memset(H, 0, sizeof(*H));
	h_server_drain(&no_srv);
	atomic_store(&no_srv.hits, 0);
	double t0 = h_now_us();
	int st = h_wait(h_spawn(dir, f, race_body));
	double secs = (h_now_us() - t0) / 1e6;
	long leaked = h_server_drain(&no_srv);
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "TOCTOU child ran (0x%x) %s", st,
	       H->setup_error);
	long ok = H->counters[0], denied = H->counters[1], other = H->counters[2];
	printf("# TOCTOU: %ld connects allowed, %ld refused, %ld other errors in %.1f s\n", ok,
	       denied, other, secs);
	TAP_OK(ok + denied + other == TOCTOU_N, "%d attempts made", TOCTOU_N);
	TAP_OK(ok > 0 && denied > 0, "the race really flipped the address (both outcomes seen)");
	TAP_OK(other == 0, "no other errors (%ld)", other);
	TAP_OK(leaked == 0, "the denied port never saw a connection (%ld)", leaked);
}

/* ---------- fail closed ---------- */

static void closed_body(void)
{
	atomic_store(&H->stage, 1);
	while (atomic_load(&H->stage) != 2)
		usleep(1000);
	struct sockaddr_in ok = h_sin(ok_srv.port), no = h_sin(no_srv.port), u = h_sin(udp_ok.port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	h_record("connect allowed port", connect(s, (struct sockaddr *)&ok, sizeof(ok)));
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	h_record("connect denied port", connect(s, (struct sockaddr *)&no, sizeof(no)));
	close(s);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	h_record("sendto", sendto(s, "x", 1, 0, (struct sockaddr *)&u, sizeof(u)));
	struct iovec iov = {"x", 1};
	struct msghdr mh = {
		.msg_name = &u, .msg_namelen = sizeof(u), .msg_iov = &iov, .msg_iovlen = 1};
	h_record("sendmsg", sendmsg(s, &mh, 0));
	struct mmsghdr mm = {.msg_hdr = mh};
	h_record("sendmmsg (falls back to sendmsg in libcs)", sendmmsg(s, &mm, 1, 0));
	struct sockaddr_in any = h_sin(0);
	h_record("bind", bind(s, (struct sockaddr *)&any, sizeof(any)));
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	h_record("listen", listen(s, 1));
	close(s);
	char *const argv[] = {"/bin/true", NULL};
	h_record("execve", execve("/bin/true", argv, environ));
	struct clone_args ca = {.exit_signal = SIGCHLD};
	h_record("clone3", syscall(SYS_clone3, &ca, sizeof(ca)));
	long c = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
	if (c == 0)
		_exit(0);
	h_record("clone(CLONE_NEWUSER) (clone3's fallback)", c);
	h_record("getppid", getppid());
}

static void test_fail_closed(const struct ward_filter *f, const char *policy_path)
{
	_cleanup_free_ char *dir = make_dir();
	pid_t sup;
	struct werr e;
	TAP_OK(supervisor_spawn(dir, "closed", policy_path, &sup, &e) == 0, "second supervisor");
	memset(H, 0, sizeof(*H));
	h_server_drain(&ok_srv);
	long ok_before = atomic_load(&ok_srv.hits);
	h_server_drain(&no_srv);
	atomic_store(&no_srv.hits, 0);
	pid_t child = h_spawn(dir, f, closed_body);
	while (atomic_load(&H->stage) != 1 && waitpid(child, NULL, WNOHANG) == 0)
		usleep(1000);
	kill(sup, SIGKILL);
	TAP_OK(h_wait_gone(sup, 5000), "supervisor killed");
	atomic_store(&H->stage, 2);
	int st = h_wait(child);
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child ran after the kill (0x%x) %s", st,
	       H->setup_error);
	static const char *const enosys[] = {"connect allowed port",
					     "connect denied port",
					     "sendto",
					     "sendmsg",
					     "sendmmsg (falls back to sendmsg in libcs)",
					     "bind",
					     "listen",
					     "execve"};
	for (size_t i = 0; i < ARRAY_SIZE(enosys); i++) {
		const struct h_result *r = h_find(enosys[i]);
		TAP_OK(r && r->ret == -1 && r->err == ENOSYS,
		       "no supervisor: %s fails with ENOSYS "
		       "(got %ld, %s)",
		       enosys[i], r ? r->ret : 0, r ? strerror(r->err) : "not run");
	}
	const struct h_result *r = h_find("clone3");
	TAP_OK(r && r->ret == -1 && r->err == ENOSYS, "clone3 refused (ENOSYS from BPF)");
	r = h_find("clone(CLONE_NEWUSER) (clone3's fallback)");
	TAP_OK(r && r->ret == -1 && r->err == EPERM, "the clone fallback is refused too (EPERM)");
	r = h_find("getppid");
	TAP_OK(r && r->ret > 0, "unmediated calls still work");
	usleep(100000);
	TAP_OK(h_server_drain(&no_srv) == 0, "the denied port saw nothing");
	TAP_OK(h_server_drain(&ok_srv) == ok_before, "not even the allowed port was reached");
	remove_dir(dir);
}

/* ---------- two containers, a black hole, signals ---------- */

static void on_usr1(int sig)
{
	(void)sig;
}

static void blocked_body(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1; /* no SA_RESTART: the interrupted connect returns EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	struct sockaddr_in bh = h_sin(hole.port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	atomic_store(&H->stage, 1);
	long r = connect(s, (struct sockaddr *)&bh, sizeof(bh));
	h_record("black-hole connect", r);
	atomic_store(&H->flag, 1);
	/* wait to be killed: the second round kills a blocked caller */
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	atomic_store(&H->stage, 3);
	connect(s, (struct sockaddr *)&bh, sizeof(bh));
	_exit(0);
}

static void busy_body(void)
{
	struct sockaddr_in ok = h_sin(ok_srv.port);
	long good = 0;
	for (int i = 0; i < 200; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(s, (struct sockaddr *)&ok, sizeof(ok)) == 0)
			good++;
		struct linger lg = {1, 0};
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	H->counters[5] = good;
	/* the other container is still stuck */
	H->counters[6] = atomic_load(&H->flag) == 0;
}

static long threads_of(pid_t pid)
{
	return h_proc_kb(pid, "status", "Threads");
}

static bool wait_threads(pid_t pid, long want, int ms)
{
	for (int i = 0; i < ms / 20; i++) {
		if (threads_of(pid) == want)
			return true;
		usleep(20000);
	}
	return false;
}

static void test_concurrency(const char *dir, const struct ward_filter *f, pid_t sup)
{
	memset(H, 0, sizeof(*H));
	pid_t a = h_spawn(dir, f, blocked_body);
	while (atomic_load(&H->stage) != 1)
		usleep(1000);
	usleep(200000); /* let A's connect reach the black hole */
	pid_t b = h_spawn(dir, f, busy_body);
	int st = h_wait(b);
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "second container ran (0x%x)", st);
	TAP_OK(H->counters[5] == 200, "its 200 mediated connects all went through (%ld)",
	       H->counters[5]);
	TAP_OK(H->counters[6] == 1, "while the first container was still blocked in its connect");
	long busy = threads_of(sup);
	printf("# supervisor threads while a connect is blocked: %ld\n", busy);

	kill(a, SIGUSR1);
	for (int i = 0; i < 500 && !atomic_load(&H->flag); i++)
		usleep(10000);
	const struct h_result *r = h_find("black-hole connect");
	TAP_OK(r && r->ret == -1 && r->err == EINTR,
	       "a signal interrupts the blocked connect: EINTR (got %ld, %s)", r ? r->ret : 0,
	       r ? strerror(r->err) : "not returned");
	/* the first connect still waits in the kernel for the black hole; its worker must have
	 * been released by the watchdog, while the caller blocks again in a second connect */
	while (atomic_load(&H->stage) != 3)
		usleep(1000);
	usleep(100000);
	kill(a, SIGKILL);
	h_wait(a);
	bool released = wait_threads(sup, 1, 8000);
	TAP_OK(released,
	       "interrupted and killed callers release their workers; idle workers exit (threads: "
	       "%ld)",
	       threads_of(sup));
}

/* ---------- host names ---------- */

static void hosts_body(void)
{
	struct sockaddr_in ok = h_sin(ok_srv.port), no = h_sin(no_srv.port);
	long r = -1;
	/* the supervisor resolves in the background: rules match once the name is known */
	for (int i = 0; i < 500 && r != 0; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		r = connect(s, (struct sockaddr *)&ok, sizeof(ok));
		close(s);
		if (r != 0)
			usleep(10000);
	}
	h_record("connect to localhost's address, allowed port", r);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	h_record("connect to localhost's address, other port",
		 connect(s, (struct sockaddr *)&no, sizeof(no)));
	close(s);
}

static void test_hosts(void)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *path = xasprintf("%s/hosts.json", dir);
	_cleanup_free_ char *json = xasprintf(
		"{\"network\":{\"egressDefault\":\"deny\",\"egress\":[{\"action\":\"allow\","
		"\"host\":\"localhost\",\"ports\":[%u]}],\"hostRefreshSeconds\":60}}",
		ok_srv.port);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, json, strlen(json)) < 0)
		abort();
	close(fd);
	struct ward_filter f;
	TAP_OK(build_filter(path, &f) == 0, "host-name policy compiles");
	pid_t sup;
	struct werr e;
	TAP_OK(supervisor_spawn(dir, "hosts", path, &sup, &e) == 0, "host-name supervisor");
	memset(H, 0, sizeof(*H));
	h_server_drain(&no_srv);
	atomic_store(&no_srv.hits, 0);
	int st = h_wait(h_spawn(dir, &f, hosts_body));
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "host-name child ran");
	const struct h_result *r = h_find("connect to localhost's address, allowed port");
	TAP_OK(r && r->ret == 0, "a rule naming \"localhost\" allows 127.0.0.1 once resolved");
	r = h_find("connect to localhost's address, other port");
	TAP_OK(r && r->ret == -1 && r->err == EACCES, "the rule's ports still apply (EACCES)");
	TAP_OK(h_server_drain(&no_srv) == 0, "nothing reached the other port");
	TAP_OK(h_wait_gone(sup, 10000), "host-name supervisor exited");
	ward_filter_release(&f);
	remove_dir(dir);
}

/* ---------- audit rotation ---------- */

static void chatty_body(void)
{
	struct sockaddr_in u = h_sin(udp_ok.port);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	for (int i = 0; i < 3000; i++)
		sendto(s, "a", 1, 0, (struct sockaddr *)&u, sizeof(u));
	close(s);
}

static void test_rotation(void)
{
	_cleanup_free_ char *dir = make_dir();
	_cleanup_free_ char *policy = write_policy(dir, 65536);
	struct ward_filter f;
	TAP_OK(build_filter(policy, &f) == 0, "rotation policy");
	pid_t sup;
	struct werr e;
	TAP_OK(supervisor_spawn(dir, "rot", policy, &sup, &e) == 0, "rotation supervisor");
	memset(H, 0, sizeof(*H));
	int st = h_wait(h_spawn(dir, &f, chatty_body));
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "chatty child ran");
	TAP_OK(h_wait_gone(sup, 10000), "supervisor exited after its only container");
	_cleanup_free_ char *a = xasprintf("%s/audit.jsonl", dir);
	_cleanup_free_ char *a1 = xasprintf("%s/audit.jsonl.1", dir);
	struct stat s0, s1;
	TAP_OK(stat(a, &s0) == 0 && stat(a1, &s1) == 0, "audit.jsonl and audit.jsonl.1 exist");
	TAP_OK(s0.st_size <= 65536 && s1.st_size <= 65536 && s1.st_size > 0,
	       "both bounded by maxBytes (%lld, %lld)", (long long)s0.st_size,
	       (long long)s1.st_size);
	ward_filter_release(&f);
	remove_dir(dir);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "__supervise") == 0)
		return supervisor_cli(argc, argv);
	h_use_test_supervisor();
	alarm(900);
	H = mmap(NULL, sizeof(*H), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (H == MAP_FAILED)
		return 1;
	h_server_open(&ok_srv, AF_INET, SOCK_STREAM, 4096);
	h_server_open(&no_srv, AF_INET, SOCK_STREAM, 4096);
	h_server_open(&udp_ok, AF_INET, SOCK_DGRAM, 0);
	h_server_thread(&ok_srv);
	h_server_thread(&udp_ok);
	/* the black hole: backlog 0 holds one unaccepted connection, then SYNs are dropped */
	h_server_open(&hole, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in bh = h_sin(hole.port);
	hole_filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	connect(hole_filler, (struct sockaddr *)&bh, sizeof(bh));
	usleep(50000);

	_cleanup_free_ char *dir = make_dir();
	h_sanitizer_logs(dir);
	_cleanup_free_ char *policy = write_policy(dir, 16u << 20);
	struct ward_filter f;
	TAP_OK(build_filter(policy, &f) == 0, "attack policy compiles");
	pid_t sup;
	struct werr e;
	TAP_OK(supervisor_spawn(dir, "attack", policy, &sup, &e) == 0, "supervisor spawned");
	int keep = supervisor_connect(dir, &e);
	TAP_OK(keep >= 0, "test stays connected");

	test_naive_checker(&f);
	test_toctou(dir, &f);
	test_concurrency(dir, &f, sup);
	test_fail_closed(&f, policy);
	test_rotation();
	test_hosts();

	close(keep);
	TAP_OK(h_wait_gone(sup, 10000), "supervisor exits when the test hangs up");
	TAP_OK(h_sanitizer_reports(dir) == 0, "no sanitizer report from the supervisors");
	ward_filter_release(&f);
	remove_dir(dir);
	close(hole_filler);
	h_server_close(&ok_srv);
	h_server_close(&udp_ok);
	h_server_close(&no_srv);
	h_server_close(&hole);
	return tap_done();
}
