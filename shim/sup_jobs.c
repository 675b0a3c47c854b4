/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Calls that may block run off the event loop, on worker threads created on
 * demand: a job never waits for a busy worker (a new one is started, up to
 * MAX_WORKERS), so a blocking connect to a black hole stalls only its own
 * caller. Workers that
 * have been idle for WORKER_LINGER_SEC exit: an idle supervisor has no
 * thread but the loop. A worker whose job changed its root or credentials
 * (unix socket paths) exits right after that job.
 *
 * A caller can go away while its emulation blocks: a signal interrupts its
 * notified syscall (the kernel withdraws the notification, then restarts the
 * syscall for SA_RESTART handlers or returns EINTR), or it is killed. The
 * kernel tells the supervisor nothing, so the loop polls
 * SECCOMP_IOCTL_NOTIF_ID_VALID for every running job (every 20 ms while
 * jobs exist) and interrupts a job whose notification is gone with
 * SUP_KICK_SIGNAL (a handler without SA_RESTART: the blocked call returns
 * EINTR). A restarted connect is mediated afresh and, like the kernel's own
 * restart, waits for the connection already in progress. A kick that lands
 * late, in a worker's next job, shows up there as EINTR with the
 * notification still valid: the emulations retry then (sup_job_eintr_retry).
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WORKER_LINGER_SEC 2
/* A container that blocks thousands of threads in connects to a black hole must not make the
 * supervisor start thousands of threads: beyond this, jobs wait for a free worker. */
#define MAX_WORKERS 256

static pthread_cond_t work_cv = PTHREAD_COND_INITIALIZER;
static struct sup_job *queue_head, *queue_tail;
/* every queued job has a worker of its own: idle ones, or a new one when queued > idle */
static unsigned n_idle, n_queued;

static void kick_handler(int sig)
{
	(void)sig; /* only there to make blocking calls return EINTR */
}

int sup_jobs_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART */
	return sigaction(SUP_KICK_SIGNAL, &sa, NULL);
}

/*
 * A handling thread's deadline: a POSIX timer that sends SUP_KICK_SIGNAL to that thread alone
 * (SIGEV_THREAD_ID; raw system calls, as neither glibc nor musl wraps that portably), armed
 * around a call the thread makes itself that could block.
 */
struct kernel_sigevent {
	union sigval value;
	int signo;
	int notify;
	int tid;
	int pad[11];
};
#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
/* one timer per thread that handles calls (each listener's receiver): it signals that thread */
static __thread int deadline_timer = -1;

int sup_deadline_arm(long long ns)
{
	if (deadline_timer < 0) {
		struct kernel_sigevent ev;
		memset(&ev, 0, sizeof(ev));
		ev.signo = SUP_KICK_SIGNAL;
		ev.notify = SIGEV_THREAD_ID;
		ev.tid = (int)syscall(SYS_gettid);
		int id;
		if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id) < 0)
			return -1;
		deadline_timer = id;
	}
	struct itimerspec it = {.it_value = {ns / 1000000000, ns % 1000000000}};
	return (int)syscall(SYS_timer_settime, deadline_timer, 0, &it, NULL);
}

void sup_deadline_release(void)
{
	if (deadline_timer >= 0)
		syscall(SYS_timer_delete, deadline_timer);
	deadline_timer = -1;
}

void sup_deadline_disarm(void)
{
	struct itimerspec it;
	memset(&it, 0, sizeof(it));
	if (deadline_timer >= 0)
		syscall(SYS_timer_settime, deadline_timer, 0, &it, NULL);
}

bool sup_job_eintr_retry(struct sup_call *c, int err)
{
	return err == EINTR && sup_call_valid(c);
}

/* Takes the next queued job, waiting up to the linger time. Called with the lock held. */
static struct sup_job *next_job(struct sup *s)
{
	while (!queue_head) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += WORKER_LINGER_SEC;
		n_idle++;
		int r = pthread_cond_timedwait(&work_cv, &s->jobs_lock, &until);
		n_idle--;
		if (r == ETIMEDOUT && !queue_head)
			return NULL;
	}
	struct sup_job *j = queue_head;
	queue_head = j->qnext;
	if (!queue_head)
		queue_tail = NULL;
	n_queued--;
	j->th = pthread_self();
	j->started = true;
	return j;
}

static void *worker_main(void *arg)
{
	struct sup *s = arg;
	sigset_t kick;
	sigemptyset(&kick);
	sigaddset(&kick, SUP_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	pthread_mutex_lock(&s->jobs_lock);
	for (;;) {
		struct sup_job *j = next_job(s);
		if (!j)
			break;
		pthread_mutex_unlock(&s->jobs_lock);

		bool taint = false;
		j->fn(j->c, j->arg, &taint);
		if (!j->c->responded)
			sup_call_reply(j->c, 0, EIO, "error", NULL);
		sup_call_answer(j->c);

		pthread_mutex_lock(&s->jobs_lock);
		for (struct sup_job **pp = &s->jobs; *pp; pp = &(*pp)->next)
			if (*pp == j) {
				*pp = j->next;
				break;
			}
		s->n_jobs--;
		pthread_mutex_unlock(&s->jobs_lock);
		sup_call_free(j->c);
		free(j);
		uint64_t one = 1;
		if (write(s->wake_fd, &one, sizeof(one)) < 0) {
			/* the loop also polls: nothing else to do */
		}
		pthread_mutex_lock(&s->jobs_lock);
		if (taint)
			break; /* this thread's root or credentials are a container's now */
	}
	s->n_workers--;
	pthread_mutex_unlock(&s->jobs_lock);
	return NULL;
}

int sup_job_start(struct sup *s, struct sup_call *c,
		  void (*fn)(struct sup_call *c, void *arg, bool *taint), void *arg)
{
	/* the job answers on its own dup: the loop may close the listener meanwhile */
	if (!c->own_lfd) {
		int d = fcntl(c->lfd, F_DUPFD_CLOEXEC, 3);
		if (d < 0)
			return -1;
		c->lfd = d;
		c->own_lfd = true;
	}
	struct sup_job *j = calloc(1, sizeof(*j));
	if (!j)
		return -1;
	j->s = s;
	j->c = c;
	j->fn = fn;
	j->arg = arg;

	pthread_mutex_lock(&s->jobs_lock);
	int r = 0;
	if (n_queued + 1 > n_idle && s->n_workers < MAX_WORKERS) {
		pthread_attr_t attr;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		pthread_attr_setstacksize(&attr, SUP_WORKER_STACK);
		pthread_t th;
		r = pthread_create(&th, &attr, worker_main, s);
		pthread_attr_destroy(&attr);
		if (r == 0)
			s->n_workers++;
	}
	if (r == 0) {
		j->next = s->jobs;
		s->jobs = j;
		s->n_jobs++;
		if (queue_tail)
			queue_tail->qnext = j;
		else
			queue_head = j;
		queue_tail = j;
		n_queued++;
		pthread_cond_signal(&work_cv);
	}
	pthread_mutex_unlock(&s->jobs_lock);
	if (r != 0) {
		free(j);
		errno = r;
		return -1;
	}
	return 0;
}

unsigned sup_jobs_check(struct sup *s)
{
	pthread_mutex_lock(&s->jobs_lock);
	for (struct sup_job *j = s->jobs; j; j = j->next) {
		if (!j->started)
			continue;
		uint64_t id = j->c->n.id;
		/* kick again on every tick: the signal may land just before the call blocks */
		if (ioctl(j->c->lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0) {
			pthread_kill(j->th, SUP_KICK_SIGNAL);
			j->kicks++;
		}
	}
	unsigned n = s->n_jobs;
	pthread_mutex_unlock(&s->jobs_lock);
	return n;
}
