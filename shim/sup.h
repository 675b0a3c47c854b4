/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Supervisor internals shared by the shim/ files.
 *
 * Threads: each seccomp listener has a receiver thread blocked in
 * SECCOMP_IOCTL_NOTIF_RECV (so the kernel's same-CPU wake-up applies) that
 * answers the calls that cannot block, under one lock shared with the event
 * loop (main thread: control socket, signals, timers); calls that can block (a
 * blocking connect or send, anything on a unix socket path, which needs the
 * caller's root, cwd and credentials) run in a thread created for that call.
 * The audit writer and the host-name resolver are threads that exist only
 * while they have work. An idle supervisor has one thread per listener plus
 * the loop.
 */
#ifndef WARD_SUP_H
#define WARD_SUP_H

#include <linux/seccomp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "../common/jsonw.h"
#include "../runtime/policy.h"

/* Newer than Debian 12's headers. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD 0x80 /* O_EXCL */
#endif

/* Signal that interrupts a job blocked in an emulated call whose caller went away. */
#define SUP_KICK_SIGNAL SIGUSR2

/* Largest payload copied for one emulated send (a stream send gets a short count beyond). */
#define SUP_MAX_SEND    (4u << 20)
#define SUP_MAX_CONTROL (64u << 10)
#define SUP_MAX_MMSG    64
#define SUP_AUDIT_LINE  4096

struct sup_audit;
struct sup_hosts;

struct sup {
	const struct ward_policy *pol;
	const char *id;
	const char *state_dir;
	int epfd;
	struct sup_audit *audit;
	struct sup_hosts *hosts;
	size_t notif_size, resp_size; /* from SECCOMP_GET_NOTIF_SIZES */
	bool sync_wakeup;             /* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP accepted */
	int proc_fd;                  /* the supervisor's /proc */
	int wake_fd;                  /* eventfd: a job finished */

	pthread_mutex_t jobs_lock;
	struct sup_job *jobs;
	unsigned n_jobs, n_workers;
	unsigned long long n_events;
};

/* One notification being handled. Heap-allocated; a job takes it over. */
struct sup_call {
	struct sup *s;
	int lfd; /* listener (a dup owned by the call when it runs in a job) */
	bool own_lfd;
	struct seccomp_notif n;
	uint64_t t0_ns; /* monotonic, when received */
	int pidfd;      /* the calling thread, -1 until opened */
	bool audit;     /* write an audit line at the end */
	bool responded; /* an answer is decided (pending until sup_call_answer) or sent */
	bool sent;
	/* the decided answer, sent by sup_call_answer once the handler has cleaned up */
	long ans_val;
	int ans_err;
	uint32_t ans_flags;
	const char *ans_decision, *ans_reported;
	uint64_t latency_ns; /* receive to answer */
	struct jsonw jw;
	char line[SUP_AUDIT_LINE];
};

/* ---- sup_call.c: responses and audit lines ---- */
struct sup_call *sup_call_new(struct sup *s, int lfd, const struct seccomp_notif *n);
/* Sends a decided answer that is still pending, then releases the call. */
void sup_call_free(struct sup_call *c);
/*
 * Sends the decided answer now. Handlers only decide (sup_call_reply, sup_call_continue); the
 * answer goes out once they have closed what they held: with SYNC_WAKE_UP the caller runs on
 * this CPU as soon as it is answered, so work done after the answer (closing a duplicated
 * socket can be its final close: a whole TCP teardown) would delay the caller's next call.
 */
void sup_call_answer(struct sup_call *c);
/* Starts the audit line (time, container, pid, comm, syscall); handlers add fields. */
void sup_call_audit_begin(struct sup_call *c, const char *syscall);
/* Decides the answer: val or -err; the audit line is finished and queued when it is sent. */
void sup_call_reply(struct sup_call *c, long val, int err, const char *decision,
		    const char *reported);
/* Decides CONTINUE (decision independent of memory), audit marked caller-reported. */
void sup_call_continue(struct sup_call *c);
/* Answers at once with a new fd in the caller (ADDFD with SEND: the call returns its number);
 * the fd number, or -1 with errno (the call then failed with that errno, or is gone). */
int sup_call_reply_fd(struct sup_call *c, int fd, bool cloexec, const char *decision);
/* Whether the notification is still alive (after reading target memory). */
bool sup_call_valid(struct sup_call *c);
uint64_t sup_now_ns(void);

/* ---- sup_target.c: reading the caller ---- */
int sup_target_pidfd(struct sup_call *c);
/* Reads exactly len bytes at addr; -1 with errno (EFAULT) otherwise. */
int sup_target_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/* Reads a NUL-terminated string (at most max-1 bytes); sets *truncated. */
int sup_target_read_str(pid_t pid, uint64_t addr, char *buf, size_t max, bool *truncated);
int sup_target_write(pid_t pid, uint64_t addr, const void *buf, size_t len);
/* The caller's fd, duplicated into the supervisor (same open file description). */
int sup_target_getfd(struct sup_call *c, int fd);
/* The calling thread's name (for audit lines). */
int sup_target_comm(struct sup_call *c, char *buf, size_t len);
/* Closes what the cache of recent callers holds for tasks that have exited. */
void sup_target_forget_dead(int proc_fd);

struct sup_creds {
	uid_t uid[4]; /* real, effective, saved, fs */
	gid_t gid[4];
	gid_t groups[64];
	int ngroups;
	mode_t umask;
	uint64_t cap_eff;
	pid_t tgid;
};
int sup_creds_read(int proc_fd, pid_t tid, struct sup_creds *cr);
/* Per-thread credential switch (raw syscalls: glibc would change every thread). */
int sup_creds_enter(const struct sup_creds *cr);
void sup_creds_leave(void);

/* ---- sup_net.c: network mediation. True: a job took the call (the caller must not free it). */
bool sup_net_connect(struct sup_call *c);
bool sup_net_bind(struct sup_call *c);
bool sup_net_listen(struct sup_call *c);
bool sup_net_sendto(struct sup_call *c);
bool sup_net_sendmsg(struct sup_call *c);
bool sup_net_sendmmsg(struct sup_call *c);

/* ---- sup_proc.c: refused process operations (audit.process). False: not one of them. */
bool sup_proc_refuse(struct sup_call *c);

/* ---- sup_hostsock.c: host sockets the unix rules deny, by inode (bind mounts rename) ---- */
struct sup_sock_id {
	dev_t dev;
	ino_t ino;
	const char *host_path; /* static, or a string of the policy */
};
#define SUP_MAX_SOCK_IDS 24
/* Looks them up now (stat in the calling thread's root: the host's). Returns how many. */
size_t sup_denied_host_sockets(const struct ward_policy *p, struct sup_sock_id *ids, size_t max);
/* The host path of the denied socket fd is (an O_PATH fd of a socket file), or NULL. */
const char *sup_sock_id_match(const struct sup_sock_id *ids, size_t n, int fd);

/* ---- sup_exec.c ---- */
void sup_exec_audit(struct sup_call *c, bool at);

/* ---- sup_jobs.c: calls that may block run in their own thread ---- */
struct sup_job {
	struct sup *s;
	struct sup_call *c;
	void (*fn)(struct sup_call *c, void *arg, bool *taint);
	void *arg;
	pthread_t th;
	bool started;
	unsigned kicks;
	struct sup_job *next;  /* all jobs (for the watchdog) */
	struct sup_job *qnext; /* the queue of jobs not started yet */
};
#define SUP_WORKER_STACK (128 * 1024)
/*
 * Runs fn(c, arg, &taint) on a worker; the job owns c and arg afterwards (fn frees arg).
 * fn sets *taint when it changed the thread's root, cwd or credentials for good.
 */
int sup_job_start(struct sup *s, struct sup_call *c,
		  void (*fn)(struct sup_call *c, void *arg, bool *taint), void *arg);
/* A blocking emulation saw EINTR: true if it was a stray kick (the caller still waits). */
bool sup_job_eintr_retry(struct sup_call *c, int err);
/*
 * For a thread that handles calls itself (a listener's receiver): SUP_KICK_SIGNAL interrupts
 * it (EINTR) once ns have passed, so a call it makes cannot stall it longer. Disarm right
 * after the call; a thread that ends releases its timer.
 */
int sup_deadline_arm(long long ns);
void sup_deadline_disarm(void);
void sup_deadline_release(void);
/* Watchdog tick: interrupts jobs whose notification is gone. Returns the jobs left. */
unsigned sup_jobs_check(struct sup *s);
int sup_jobs_init(void);

/* ---- sup_hosts.c: host names of the policy, resolved by the supervisor ---- */
struct sup_hosts *sup_hosts_new(const struct ward_policy *p);
void sup_hosts_free(struct sup_hosts *h);
bool sup_hosts_any(const struct sup_hosts *h);
/* Starts a background refresh (getaddrinfo) unless one is running. */
void sup_hosts_refresh(struct sup_hosts *h);
bool sup_hosts_match(void *h, const char *host, const struct in6_addr *addr);

/* ---- sup_audit.c ---- */
struct sup_audit *sup_audit_open(const char *path, uint64_t max_bytes, size_t buffer,
				 struct werr *e);
/* Queues one line (with its '\n'); never blocks on the disk; drops and counts when full.
 * Any thread may queue; only the loop starts the writer (sup_audit_kick): a job thread may
 * have entered a container's root, which threads it created would share. */
void sup_audit_write(struct sup_audit *a, const char *line, size_t len);
void sup_audit_kick(struct sup_audit *a);
/* Waits (at most timeout_ms) until every line queued so far is in the file: `ward audit`
 * asks for it, as lines otherwise wait up to a writer period in memory. The loop only. */
void sup_audit_flush(struct sup_audit *a, int timeout_ms);
/* Writes everything queued (at exit) and closes. */
void sup_audit_close(struct sup_audit *a);
unsigned long long sup_audit_dropped(struct sup_audit *a);

#endif
