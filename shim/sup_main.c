/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supervisor's process: startup, the control socket, the event loop.
 *
 * One epoll loop watches the control socket and its connections, a signalfd
 * (SIGTERM/SIGINT/SIGHUP: stop), an eventfd (a job finished, a listener hung
 * up) and two timerfds that are armed only when needed: the job watchdog
 * (20 ms, while jobs run) and a slow timer (host-name refresh; the exit check
 * before any listener arrived).
 *
 * Each seccomp listener has a receiver thread blocked in
 * SECCOMP_IOCTL_NOTIF_RECV itself, not in epoll: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
 * wakes a task waiting there on the caller's CPU (the caller then sleeps until
 * the answer: a synchronous hand-over), but the hint is lost through epoll's
 * wake-up, and waking the supervisor on the other vCPU of this VM cost 40-70 µs
 * per call (measured: openat 50-90 µs checked, 13 µs with both on one CPU).
 * Handlers and the loop's own work run under one mutex (handle_lock), so they
 * stay as serial as in a single loop; blocking emulations still go to jobs.
 *
 * Exit: when the last listener hangs up (the kernel reports EPOLLHUP once no
 * task uses the filter) after at least one was handed over and no control
 * connection or job is left; on SUP_MSG_STOP or a signal; or when no listener
 * ever arrived and nobody has been connected for a minute (a create that
 * failed before its init connected). Listeners are closed on the way out,
 * so every pending and future notified call of the container fails with
 * ENOSYS: fail closed.
 */
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/jsonw.h"
#include "../common/log.h"
#include "../common/util.h"
#include "sup.h"
#include "sup_file.h"
#include "sup_proto.h"

#define IDLE_EXIT_SEC  60
#define WATCHDOG_NS    (20 * 1000 * 1000)
#define SWEEP_DELAY_NS (200 * 1000 * 1000)

enum src_kind {
	SRC_LSOCK,
	SRC_CONTROL,
	SRC_LISTENER,
	SRC_SIGNAL,
	SRC_WAKE,
	SRC_WATCHDOG,
	SRC_SLOW
};

struct loop;

struct src {
	enum src_kind kind;
	int fd;
	pid_t pid; /* listeners: who handed it over */
	struct src *next;
	/* listeners: the receiver thread, and its end (set by it, read by the loop) */
	struct loop *L;
	pthread_t thread;
	void *notif_buf;
	_Atomic bool finished;
};

struct loop {
	struct sup s;
	struct src lsock, sig, wake, watchdog, slow;
	struct src *conns, *listeners;
	unsigned n_conns, n_listeners;
	bool ever_listener, stopping, watchdog_armed;
	bool sweep_pending;          /* sweep the caller cache at the next slow tick */
	pthread_mutex_t handle_lock; /* handlers (receiver threads) and the loop's work */
	time_t last_activity;
	time_t next_refresh;
};

static int ep_add(struct loop *L, struct src *src, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = src};
	return epoll_ctl(L->s.epfd, EPOLL_CTL_ADD, src->fd, &ev);
}

static void src_remove(struct loop *L, struct src **list, struct src *src)
{
	if (src->kind != SRC_LISTENER) /* listeners are not in the epoll set */
		epoll_ctl(L->s.epfd, EPOLL_CTL_DEL, src->fd, NULL);
	close(src->fd);
	for (struct src **pp = list; *pp; pp = &(*pp)->next)
		if (*pp == src) {
			*pp = src->next;
			break;
		}
	free(src);
}

static void audit_event(struct loop *L, const char *event, pid_t pid, const char *extra_key,
			const char *extra)
{
	char line[512], when[40];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t k = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + k, sizeof(when) - k, ".%06ldZ", ts.tv_nsec / 1000);
	struct jsonw w;
	jsonw_init_buf(&w, line, sizeof(line));
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "time", when);
	jsonw_key_str(&w, "container", L->s.id);
	jsonw_key_str(&w, "event", event);
	jsonw_key_int(&w, "pid", pid);
	if (extra_key)
		jsonw_key_str(&w, extra_key, extra);
	if (strcmp(event, "supervisor-stop") == 0) {
		jsonw_key_uint(&w, "events", L->s.n_events);
		jsonw_key_uint(&w, "dropped", sup_audit_dropped(L->s.audit));
	}
	jsonw_obj_close(&w);
	int n = jsonw_finish_line(&w);
	if (n > 0)
		sup_audit_write(L->s.audit, line, (size_t)n);
}

/* ---------- timers ---------- */

static void timer_set(int fd, long long first_ns, long long period_ns)
{
	struct itimerspec it = {
		.it_value = {first_ns / 1000000000, first_ns % 1000000000},
		.it_interval = {period_ns / 1000000000, period_ns % 1000000000},
	};
	timerfd_settime(fd, 0, &it, NULL);
}

/*
 * The slow timer runs only for host refreshes, the wait for a first listener
 * and one sweep of the caller cache shortly after a listener hung up.
 */
static void slow_timer_update(struct loop *L)
{
	long long period = 0;
	if (sup_hosts_any(L->s.hosts))
		period = (long long)L->s.pol->net.host_refresh_sec * 1000000000ll;
	if (!L->ever_listener && (period == 0 || period > 10 * 1000000000ll))
		period = 10 * 1000000000ll;
	timer_set(L->slow.fd, L->sweep_pending ? SWEEP_DELAY_NS : period, period);
}

static void on_slow_timer(struct loop *L)
{
	uint64_t ticks;
	if (read(L->slow.fd, &ticks, sizeof(ticks)) < 0)
		return;
	time_t now = time(NULL);
	if (sup_hosts_any(L->s.hosts) && now >= L->next_refresh) {
		sup_hosts_refresh(L->s.hosts);
		L->next_refresh = now + (time_t)L->s.pol->net.host_refresh_sec;
	}
	if (L->sweep_pending) {
		sup_target_forget_dead(L->s.proc_fd);
		L->sweep_pending = false;
	}
	if (!L->ever_listener && L->n_conns == 0 && now - L->last_activity >= IDLE_EXIT_SEC) {
		log_warn("supervisor: no listener arrived within %d s; exiting", IDLE_EXIT_SEC);
		L->stopping = true;
	}
	if (L->ever_listener)
		slow_timer_update(L);
}

static void on_watchdog(struct loop *L)
{
	uint64_t ticks;
	if (read(L->watchdog.fd, &ticks, sizeof(ticks)) < 0)
		return;
	if (sup_jobs_check(&L->s) == 0) {
		timer_set(L->watchdog.fd, 0, 0);
		L->watchdog_armed = false;
	}
}

/* ---------- notifications ---------- */

static void handle_notification(struct loop *L, struct src *l, const struct seccomp_notif *n)
{
	struct sup *s = &L->s;
	s->n_events++;
	struct sup_call *c = sup_call_new(s, l->fd, n);
	if (!c) {
		struct seccomp_notif_resp r = {.id = n->id, .error = -ENOMEM};
		ioctl(l->fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
		return;
	}
	bool taken = false;
	if (n->data.arch != AUDIT_ARCH_X86_64) {
		sup_call_reply(c, 0, ENOSYS, "error", NULL);
	} else {
		switch (n->data.nr) {
		case SYS_connect:
			taken = sup_net_connect(c);
			break;
		case SYS_bind:
			taken = sup_net_bind(c);
			break;
		case SYS_listen:
			taken = sup_net_listen(c);
			break;
		case SYS_sendto:
			taken = sup_net_sendto(c);
			break;
		case SYS_sendmsg:
			taken = sup_net_sendmsg(c);
			break;
		case SYS_sendmmsg:
			taken = sup_net_sendmmsg(c);
			break;
		case SYS_execve:
			sup_exec_audit(c, false);
			break;
		case SYS_execveat:
			sup_exec_audit(c, true);
			break;
		/* file calls: sup_file.c (audit.files) and sup_vproc.c (proc.virtualize) */
		case SYS_open:
		case SYS_openat:
		case SYS_openat2:
		case SYS_creat:
			sup_file_open(c);
			break;
		case SYS_sched_getaffinity:
			sup_vproc_affinity(c);
			break;
		case SYS_sysinfo:
			sup_vproc_sysinfo(c);
			break;
		default:
			/* a refused process operation, or else not ours: refuse, never CONTINUE */
			if (!sup_proc_refuse(c) && !sup_file_audit(c))
				sup_call_reply(c, 0, ENOSYS, "error", NULL);
			break;
		}
	}
	if (!taken)
		sup_call_free(c);
}

/*
 * A listener's receiver thread: blocks in RECV (where the kernel's same-CPU wake-up
 * applies), handles each notification under handle_lock, and ends when the listener
 * hangs up (no task uses the filter any more: RECV fails and poll reports POLLHUP).
 */
static void *receiver_main(void *arg)
{
	struct src *l = arg;
	struct loop *L = l->L;
	for (;;) {
		memset(l->notif_buf, 0, L->s.notif_size);
		if (ioctl(l->fd, SECCOMP_IOCTL_NOTIF_RECV, l->notif_buf) == 0) {
			struct seccomp_notif n;
			memcpy(&n, l->notif_buf, sizeof(n));
			pthread_mutex_lock(&L->handle_lock);
			handle_notification(L, l, &n);
			pthread_mutex_unlock(&L->handle_lock);
			sup_audit_kick(L->s.audit);
			continue;
		}
		/* ENOENT: a caller interrupted before we got to it, or no task left; EINTR */
		if (errno != ENOENT && errno != EINTR)
			break;
		struct pollfd p = {.fd = l->fd, .events = POLLIN};
		if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
			break;
	}
	sup_deadline_release();
	atomic_store(&l->finished, true);
	uint64_t one = 1;
	if (write(L->s.wake_fd, &one, sizeof(one)) < 0) {
		/* the counter cannot overflow here */
	}
	return NULL;
}

static int receiver_start(struct loop *L, struct src *l)
{
	l->L = L;
	l->notif_buf = calloc(1, L->s.notif_size);
	if (!l->notif_buf)
		return ENOMEM;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SUP_WORKER_STACK);
	int r = pthread_create(&l->thread, &attr, receiver_main, l);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		free(l->notif_buf);
		return r;
	}
	return 0;
}

/* The loop's side of a hang-up: joins the finished receivers and forgets their listeners. */
static void reap_listeners(struct loop *L)
{
	struct src *l = L->listeners;
	while (l) {
		struct src *next = l->next;
		if (atomic_load(&l->finished)) {
			pthread_join(l->thread, NULL);
			audit_event(L, "listener-closed", l->pid, NULL, NULL);
			free(l->notif_buf);
			src_remove(L, &L->listeners, l);
			L->n_listeners--;
			/*
			 * A process (tree) is gone: so are the fds cached for its threads. The
			 * hang-up can come while its last task is still being released, so once
			 * more a little later.
			 */
			sup_target_forget_dead(L->s.proc_fd);
			L->sweep_pending = true;
			slow_timer_update(L);
		}
		l = next;
	}
}

/* ---------- control connections ---------- */

static void reply(struct loop *L, int fd, int error)
{
	struct sup_reply r = {
		.magic = SUP_MAGIC, .error = error, .pid = getpid(), .listeners = L->n_listeners};
	if (write(fd, &r, sizeof(r)) < 0) {
		/* the client went away; nothing to tell it */
	}
}

static bool is_seccomp_listener(int proc_fd, int fd)
{
	char path[48], target[64];
	snprintf(path, sizeof(path), "self/fd/%d", fd);
	ssize_t n = readlinkat(proc_fd, path, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:seccomp notify") == 0;
}

static int take_listener(struct loop *L, int conn, const struct sup_msg *m, int passed_fd)
{
	pid_t pid = m->pid;
	if (pid <= 0) {
		struct ucred uc;
		socklen_t len = sizeof(uc);
		if (getsockopt(conn, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
			return errno;
		pid = uc.pid;
	}
	int lfd = passed_fd;
	if (lfd < 0) {
		int pidfd = pidfd_open(pid, 0);
		if (pidfd < 0)
			return errno;
		lfd = (int)syscall(SYS_pidfd_getfd, pidfd, m->fd, 0);
		int saved = errno;
		close(pidfd);
		if (lfd < 0)
			return saved;
	}
	if (!is_seccomp_listener(L->s.proc_fd, lfd)) {
		close(lfd);
		return EBADF;
	}
	/* the kernel's same-CPU hand-over cuts each round trip (Linux 6.6+) */
	L->s.sync_wakeup =
		ioctl(lfd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0;
	struct src *src = calloc(1, sizeof(*src));
	if (!src) {
		close(lfd);
		return ENOMEM;
	}
	src->kind = SRC_LISTENER;
	src->fd = lfd;
	src->pid = pid;
	int rc = receiver_start(L, src);
	if (rc != 0) {
		close(lfd);
		free(src);
		return rc;
	}
	src->next = L->listeners;
	L->listeners = src;
	L->n_listeners++;
	L->ever_listener = true;
	audit_event(L, "listener-added", pid, "syncWakeUp", L->s.sync_wakeup ? "yes" : "no");
	slow_timer_update(L);
	return 0;
}

/* `ward audit` waits at most this long for the lines the supervisor still holds. */
#define SUP_FLUSH_TIMEOUT_MS 2000

static void on_control(struct loop *L, struct src *conn, uint32_t events)
{
	struct sup_msg m;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf)};
	ssize_t n =
		(events & EPOLLIN) ? recvmsg(conn->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) : 0;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		src_remove(L, &L->conns, conn);
		L->n_conns--;
		L->last_activity = time(NULL);
		return;
	}
	int passed = -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&passed, CMSG_DATA(cm), sizeof(int));
	if ((size_t)n != sizeof(m) || m.magic != SUP_MAGIC || m.version != SUP_VERSION) {
		if (passed >= 0)
			close(passed);
		reply(L, conn->fd, EPROTO);
		return;
	}
	switch (m.type) {
	case SUP_MSG_HANDOFF:
		reply(L, conn->fd, take_listener(L, conn->fd, &m, passed));
		return;
	case SUP_MSG_STOP:
		L->stopping = true;
		break;
	case SUP_MSG_PING:
		break;
	case SUP_MSG_FLUSH:
		sup_audit_flush(L->s.audit, SUP_FLUSH_TIMEOUT_MS);
		break;
	default:
		if (passed >= 0)
			close(passed);
		reply(L, conn->fd, EPROTO);
		return;
	}
	if (passed >= 0)
		close(passed);
	reply(L, conn->fd, 0);
}

static void on_accept(struct loop *L)
{
	int fd = accept4(L->lsock.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct src *src = calloc(1, sizeof(*src));
	if (!src) {
		close(fd);
		return;
	}
	src->kind = SRC_CONTROL;
	src->fd = fd;
	if (ep_add(L, src, EPOLLIN) < 0) {
		close(fd);
		free(src);
		return;
	}
	src->next = L->conns;
	L->conns = src;
	L->n_conns++;
	L->last_activity = time(NULL);
}

/* ---------- setup and loop ---------- */

static int make_fd(struct loop *L, struct src *src, enum src_kind kind, int fd)
{
	src->kind = kind;
	src->fd = fd;
	if (fd < 0 || ep_add(L, src, EPOLLIN) < 0)
		return -1;
	return 0;
}

static int setup(struct loop *L, const struct supervisor_opts *o, struct werr *e)
{
	struct sup *s = &L->s;
	s->id = o->container_id ? o->container_id : "";
	s->state_dir = o->state_dir;
	pthread_mutex_init(&s->jobs_lock, NULL);
	pthread_mutex_init(&L->handle_lock, NULL);
	s->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->proc_fd < 0)
		return werr_sys(e, "open /proc");

	struct ward_policy *pol;
	if (policy_load(o->policy, &pol, e) < 0)
		return -1;
	s->pol = pol;

	_cleanup_free_ char *apath = pol->audit.path ? xstrdup(pol->audit.path)
						     : xasprintf("%s/audit.jsonl", o->state_dir);
	s->audit = sup_audit_open(apath, pol->audit.max_bytes, (size_t)pol->audit.buffer_kib * 1024,
				  e);
	if (!s->audit)
		return -1;
	s->hosts = sup_hosts_new(pol);

	struct seccomp_notif_sizes sz;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return werr_sys(e, "SECCOMP_GET_NOTIF_SIZES");
	s->notif_size = sz.seccomp_notif > sizeof(struct seccomp_notif)
				? sz.seccomp_notif
				: sizeof(struct seccomp_notif);
	s->resp_size = sz.seccomp_notif_resp;

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return werr_sys(e, "epoll_create1");
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (make_fd(L, &L->lsock, SRC_LSOCK, o->listen_fd) < 0 ||
	    make_fd(L, &L->sig, SRC_SIGNAL, signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    make_fd(L, &L->wake, SRC_WAKE, s->wake_fd) < 0 ||
	    make_fd(L, &L->watchdog, SRC_WATCHDOG,
		    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    make_fd(L, &L->slow, SRC_SLOW,
		    timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) < 0)
		return werr_sys(e, "set up the event loop");
	if (sup_jobs_init() < 0)
		return werr_sys(e, "install the job signal handler");
	L->last_activity = time(NULL);
	sup_hosts_refresh(s->hosts);
	L->next_refresh = L->last_activity + (time_t)pol->net.host_refresh_sec;
	slow_timer_update(L);
	return 0;
}

static bool done(const struct loop *L)
{
	if (L->stopping)
		return true;
	return L->ever_listener && L->n_listeners == 0 && L->n_conns == 0 && L->s.n_jobs == 0;
}

static void run(struct loop *L)
{
	struct epoll_event evs[16];
	while (!done(L)) {
		int n = epoll_wait(L->s.epfd, evs, (int)ARRAY_SIZE(evs), -1);
		if (n < 0 && errno != EINTR)
			break;
		pthread_mutex_lock(&L->handle_lock);
		for (int i = 0; i < n && !L->stopping; i++) {
			struct src *src = evs[i].data.ptr;
			uint32_t ev = evs[i].events;
			switch (src->kind) {
			case SRC_LSOCK:
				on_accept(L);
				break;
			case SRC_CONTROL:
				on_control(L, src, ev);
				break;
			case SRC_LISTENER: /* not in the set: receiver threads */
				break;
			case SRC_SIGNAL: {
				struct signalfd_siginfo si;
				if (read(src->fd, &si, sizeof(si)) > 0)
					L->stopping = true;
				break;
			}
			case SRC_WAKE: {
				uint64_t v;
				if (read(src->fd, &v, sizeof(v)) < 0) {
					/* EAGAIN: already drained */
				}
				reap_listeners(L);
				break;
			}
			case SRC_WATCHDOG:
				on_watchdog(L);
				break;
			case SRC_SLOW:
				on_slow_timer(L);
				break;
			}
		}
		pthread_mutex_lock(&L->s.jobs_lock);
		unsigned jobs = L->s.n_jobs;
		pthread_mutex_unlock(&L->s.jobs_lock);
		if (jobs && !L->watchdog_armed) {
			timer_set(L->watchdog.fd, WATCHDOG_NS, WATCHDOG_NS);
			L->watchdog_armed = true;
		}
		pthread_mutex_unlock(&L->handle_lock);
		sup_audit_kick(L->s.audit);
	}
	/* from here on no notification is handled: one received now stays unanswered and
	 * fails with ENOSYS when this process ends */
	pthread_mutex_lock(&L->handle_lock);
}

int supervisor_main(const struct supervisor_opts *o)
{
	static struct loop L; /* static: nothing of it on the stack of a tiny process */
	struct werr e;
	werr_clear(&e);
	prctl(PR_SET_NAME, "ward-supervise");
	if (chdir("/") < 0) {
		/* nothing depends on the cwd */
	}
	umask(077);
	/* keep the heap small: big buffers are mmap'd and go back to the kernel when freed */
#ifdef M_ARENA_MAX
	mallopt(M_MMAP_THRESHOLD, 32 * 1024);
	mallopt(M_ARENA_MAX, 1);
#endif
	signal(SIGPIPE, SIG_IGN);

	if (o->state_dir) {
		_cleanup_free_ char *logp = xasprintf("%s/supervisor.log", o->state_dir);
		struct werr le;
		if (log_open(logp, WLOG_JSON, false, &le) < 0) {
			/* without a log file, errors still end the process with a status */
		}
	}
	if (setup(&L, o, &e) < 0) {
		log_fatal(&e);
		return 1;
	}
	audit_event(&L, "supervisor-start", getpid(), "policy", L.s.pol->name);
	sup_audit_kick(L.s.audit);
	run(&L);

	/* fail closed: no listener outlives the loop (a receiver blocked in RECV holds its
	 * file until this process exits, which comes right after) */
	while (L.listeners) {
		struct src *l = L.listeners;
		L.listeners = l->next;
		close(l->fd);
	}
	sup_vproc_release();
	audit_event(&L, "supervisor-stop", getpid(), NULL, NULL);
	sup_audit_close(L.s.audit);
	log_close();
	return 0;
}

int supervisor_cli(int argc, char **argv)
{
	struct supervisor_opts o = {.listen_fd = -1};
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (strcmp(k, "--state-dir") == 0) {
			o.state_dir = v;
		} else if (strcmp(k, "--id") == 0) {
			o.container_id = v;
		} else if (strcmp(k, "--policy") == 0) {
			o.policy = v;
		} else if (strcmp(k, "--listen-fd") == 0) {
			long long fd;
			if (parse_ll(v, 0, 1 << 20, &fd) < 0)
				return 2;
			o.listen_fd = (int)fd;
		} else {
			return 2;
		}
	}
	if (!o.state_dir || !o.policy || o.listen_fd < 0)
		return 2;
	return supervisor_main(&o);
}
