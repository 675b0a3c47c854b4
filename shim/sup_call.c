/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One notification: its answer (a result, an errno or CONTINUE) and its audit
 * line. The line is built in a fixed buffer inside the call (no allocation on
 * the hot path) and queued to the audit writer once the answer is sent, so it
 * can carry the supervisor's latency. Handlers decide the answer; it is sent
 * after they have released what they held (sup_call_answer).
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "../common/util.h"

uint64_t sup_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One spare call kept between notifications (like sup_net.c's spare op): no allocator
 * round trip to the kernel per call. Atomic: jobs free their calls on their own threads. */
static struct sup_call *spare_call;

struct sup_call *sup_call_new(struct sup *s, int lfd, const struct seccomp_notif *n)
{
	struct sup_call *c = __atomic_exchange_n(&spare_call, NULL, __ATOMIC_ACQ_REL);
	if (!c)
		c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	c->s = s;
	c->lfd = lfd;
	c->own_lfd = false;
	c->n = *n;
	c->t0_ns = sup_now_ns();
	c->pidfd = -1;
	c->audit = false;
	c->responded = false;
	c->sent = false;
	c->line[0] = '\0';
	return c;
}

void sup_call_free(struct sup_call *c)
{
	if (!c)
		return;
	sup_call_answer(c);
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->own_lfd && c->lfd >= 0)
		close(c->lfd);
	free(__atomic_exchange_n(&spare_call, c, __ATOMIC_ACQ_REL));
}

void sup_call_audit_begin(struct sup_call *c, const char *syscall)
{
	struct timespec ts;
	struct tm tm;
	char when[40], comm[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t k = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + k, sizeof(when) - k, ".%06ldZ", ts.tv_nsec / 1000);
	sup_target_comm(c, comm, sizeof(comm));

	c->audit = true;
	jsonw_init_buf(&c->jw, c->line, sizeof(c->line));
	jsonw_obj_open(&c->jw);
	jsonw_key_str(&c->jw, "time", when);
	jsonw_key_str(&c->jw, "container", c->s->id);
	jsonw_key_int(&c->jw, "pid", c->n.pid);
	jsonw_key_str(&c->jw, "comm", comm);
	jsonw_key_str(&c->jw, "syscall", syscall);
}

static void send_resp(struct sup_call *c, long val, int err, uint32_t flags)
{
	/* the kernel's struct may one day be larger; it reads resp_size bytes */
	union {
		struct seccomp_notif_resp r;
		char pad[128];
	} u;
	memset(&u, 0, sizeof(u));
	u.r.id = c->n.id;
	u.r.val = err ? 0 : val;
	u.r.error = err ? -err : 0;
	u.r.flags = flags;
	c->responded = true;
	c->sent = true;
	/* measured before the answer: with SYNC_WAKE_UP the caller runs inside the ioctl */
	c->latency_ns = sup_now_ns() - c->t0_ns;
	if (ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_SEND, &u) < 0 && c->audit) {
		/* ENOENT: the caller was interrupted or killed meanwhile */
		jsonw_key_str(&c->jw, "note",
			      errno == ENOENT ? "caller gone before the answer" : "answer failed");
	}
}

/* The fields known once the answer is decided (formatted before it is sent). */
static void audit_outcome(struct sup_call *c, int err, const char *decision, const char *reported)
{
	struct jsonw *w = &c->jw;
	jsonw_key_str(w, "decision", decision);
	jsonw_key_int(w, "errno", err);
	if (err) {
		const char *name = policy_errno_name(err);
		jsonw_key_str(w, "error", name ? name : strerror(err));
	}
	jsonw_key_str(w, "reported", reported);
}

/* Closes the line (latency last: it is only known once the answer went out) and queues it. */
static void audit_queue(struct sup_call *c)
{
	struct jsonw *w = &c->jw;
	jsonw_key_uint(w, "latency_us", c->latency_ns / 1000);
	jsonw_obj_close(w);
	int n = jsonw_finish_line(w);
	if (n > 0)
		sup_audit_write(c->s->audit, c->line, (size_t)n);
}

static void decide(struct sup_call *c, long val, int err, uint32_t flags, const char *decision,
		   const char *reported)
{
	if (c->responded)
		return; /* the first decision stands */
	c->responded = true;
	c->ans_val = val;
	c->ans_err = err;
	c->ans_flags = flags;
	c->ans_decision = decision;
	c->ans_reported = reported;
}

void sup_call_reply(struct sup_call *c, long val, int err, const char *decision,
		    const char *reported)
{
	decide(c, val, err, 0, decision, reported ? reported : "supervisor");
}

void sup_call_continue(struct sup_call *c)
{
	decide(c, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE, "allow", "caller");
}

void sup_call_answer(struct sup_call *c)
{
	if (!c->responded || c->sent)
		return;
	if (c->pidfd >= 0) {
		close(c->pidfd);
		c->pidfd = -1;
	}
	if (c->audit)
		audit_outcome(c, c->ans_err, c->ans_decision, c->ans_reported);
	send_resp(c, c->ans_val, c->ans_err, c->ans_flags);
	if (c->audit)
		audit_queue(c);
}

int sup_call_reply_fd(struct sup_call *c, int fd, bool cloexec, const char *decision)
{
	/* the fd arrives and the call returns its number in one step (Linux 5.14+) */
	struct seccomp_notif_addfd a = {
		.id = c->n.id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = (__u32)fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	c->latency_ns = sup_now_ns() - c->t0_ns;
	int r = ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_ADDFD, &a);
	if (r < 0 && errno != ENOENT) {
		/* not installed (EMFILE past the caller's limit ...): the call fails with it */
		decide(c, 0, errno, 0, "error", "supervisor");
		sup_call_answer(c);
		return r;
	}
	c->responded = true;
	c->sent = true;
	if (!c->audit)
		return r;
	if (r < 0)
		jsonw_key_str(&c->jw, "note", "caller gone before the answer");
	else
		jsonw_key_int(&c->jw, "fd", r);
	audit_outcome(c, 0, decision, "supervisor");
	audit_queue(c);
	return r;
}

bool sup_call_valid(struct sup_call *c)
{
	uint64_t id = c->n.id;
	return ioctl(c->lfd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}
