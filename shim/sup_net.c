/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Network mediation: connect, bind, listen, sendto (with an address),
 * sendmsg and sendmmsg.
 *
 * When the policy can deny a call, it is never answered CONTINUE: the
 * supervisor copies the arguments out of the caller (sockaddr, msghdr, iovec
 * data, control data), takes the caller's socket with pidfd_getfd (the same
 * open file description: O_NONBLOCK, SO_SNDTIMEO, the connection state are
 * shared), checks SECCOMP_IOCTL_NOTIF_ID_VALID, decides on its own copy and
 * performs the call itself on the duplicate with that copy. The caller gets
 * the emulation's result or errno: EINPROGRESS for a non-blocking connect,
 * ECONNREFUSED from a real refusal, the policy's denyErrno (EACCES by
 * default) for a policy refusal. A second thread rewriting the sockaddr
 * changes nothing: the kernel never reads the caller's memory again.
 * When the policy cannot deny anything for a call class (default and audit
 * policies), the call is read for the audit line and answered CONTINUE,
 * marked "reported": "caller".
 *
 * Addresses are interpreted the way the kernel will for the socket's domain
 * (SO_DOMAIN of the duplicate): AF_UNSPEC is a disconnect for connect but an
 * IPv4 destination for sends on AF_INET sockets (udp_sendmsg does that);
 * AF_INET on an AF_INET6 socket is an IPv4 destination; the unspecified
 * address is matched as loopback, and the emulation then connects or sends
 * to that loopback address (a bound socket would otherwise reach its own bound
 * address, any address with IP_FREEBIND). Malformed addresses get the kernel's
 * errno without emulation.
 *
 * Acting as the caller: the emulation runs with the supervisor's credentials
 * unless something makes them visible:
 *   - unix sockets (any call): peer credentials (SO_PEERCRED at connect,
 *     SCM_CREDENTIALS the kernel attaches to sends) would say root; the
 *     emulating thread takes the caller's uids, gids, groups and effective
 *     capabilities first (per-thread raw syscalls). The peer still sees the
 *     supervisor's pid: that cannot be borrowed.
 *   - unix socket paths: resolved in a thread that enters the caller's root
 *     and cwd (unshare(CLONE_FS), chroot to /proc/TID/root, fchdir to
 *     /proc/TID/cwd, the caller's umask). For connect and sends the path is
 *     opened O_PATH once, the unix rules are matched against both the path as
 *     given and the path it resolves to (so a symlink to docker.sock is caught)
 *     and the call goes through /proc/self/fd/N of that very inode (no second
 *     lookup a racing rename could redirect).
 *   - bind to a port: CAP_NET_BIND_SERVICE is dropped from the emulating
 *     thread when the caller lacks it, so the container netns's
 *     ip_unprivileged_port_start applies as it would to the caller.
 * Control data of an emulated sendmsg: SCM_RIGHTS fds are taken from the
 * caller with pidfd_getfd and passed on; SCM_CREDENTIALS (the supervisor
 * could vouch for any pid/uid), SOL_SOCKET options needing privileges
 * (SO_MARK, SO_PRIORITY), IP_RETOPTS and IPv6 extension headers (source
 * routing, hop-by-hop options) and any other protocol level than IP, IPv6,
 * UDP, ALG and TLS are refused with EPERM.
 *
 * Blocking calls (a connect on a blocking stream socket, a send without
 * O_NONBLOCK/MSG_DONTWAIT) and everything needing the caller's root run in
 * a job thread (sup_jobs.c); the rest is answered on the loop.
 * A blocking send interrupted by a signal to the caller is cut short: bytes
 * the emulation already queued cannot be reported to the caller, whose
 * restarted send may repeat them (a seccomp user-notification limit).
 */
#include "sup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/util.h"

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef SOL_ALG
#define SOL_ALG 279
#endif
#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef SCM_TXTIME
#define SCM_TXTIME 61
#endif
#define MAX_FDS_PER_MSG 253 /* SCM_MAX_FD */

struct sock_info {
	int domain, type, proto;
	bool nonblock;
};

enum dest_kind {
	DEST_NONE,      /* no address: the connected peer */
	DEST_INET,      /* ep is set */
	DEST_UNIX_PATH, /* path is set */
	DEST_UNIX_ABSTRACT,
	DEST_UNIX_UNNAMED,
	DEST_DISCONNECT, /* connect(AF_UNSPEC) */
	DEST_OTHER,      /* another family: its socket() was allowed */
};

struct dest {
	enum dest_kind kind;
	int err; /* the kernel's errno for a malformed address: answered without emulation */
	int family;
	struct ward_endpoint ep;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	size_t plen;
};

struct net_msg {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	bool has_name;
	struct dest d;
	char *data;
	size_t datalen;
	char *control;
	size_t controllen;
	int fds[MAX_FDS_PER_MSG];
	int nfds;
	uint64_t len_addr; /* sendmmsg: where msg_len goes in the caller */
};

enum op_kind { OP_CONNECT, OP_BIND, OP_LISTEN, OP_SEND };

struct net_op {
	enum op_kind kind;
	int sock;
	struct sock_info si;
	int flags; /* send flags as the caller gave them */
	int backlog;
	bool mmsg;
	size_t n;       /* messages to send (a batch may be cut short) */
	size_t n_alloc; /* messages allocated (all are freed) */
	struct net_msg *m;
	struct sup_creds cr;
	bool need_view;  /* unix path: the caller's root and cwd */
	bool need_creds; /* unix socket: the caller's credentials */
	bool drop_bind_cap;
	int fddir; /* our /proc/thread-self/fd, for unix paths */
	int cwdfd; /* the caller's cwd, for unix paths */
	char resolved[PATH_MAX];
	/* unix paths: the host sockets the rules deny, by inode (looked up before enter_view) */
	struct sup_sock_id host_ids[SUP_MAX_SOCK_IDS];
	size_t n_host_ids;
	const char *denied_host_sock; /* the one a path turned out to be */
};

/* ---------- helpers ---------- */

/*
 * One spare single-message op (with its message), kept between calls: allocating and freeing
 * ~6 KiB per call made musl's allocator map and unmap a fresh group of pages every time.
 * Taken and given back with atomic exchanges: jobs free ops on their own threads.
 */
static struct net_op *spare_op;

static struct net_op *op_new(enum op_kind kind, size_t n)
{
	struct net_op *op = n == 1 ? __atomic_exchange_n(&spare_op, NULL, __ATOMIC_ACQ_REL) : NULL;
	if (op) {
		struct net_msg *m = op->m;
		memset(op, 0, sizeof(*op));
		memset(m, 0, sizeof(*m));
		op->m = m;
	} else {
		op = calloc(1, sizeof(*op));
		if (!op)
			return NULL;
	}
	op->kind = kind;
	op->sock = -1;
	op->fddir = -1;
	op->cwdfd = -1;
	op->n = n;
	op->n_alloc = n;
	if (n && !op->m) {
		op->m = calloc(n, sizeof(*op->m));
		if (!op->m) {
			free(op);
			return NULL;
		}
	}
	return op;
}

static void op_free(struct net_op *op)
{
	if (!op)
		return;
	for (size_t i = 0; i < op->n_alloc; i++) {
		free(op->m[i].data);
		free(op->m[i].control);
		for (int k = 0; k < op->m[i].nfds; k++)
			if (op->m[i].fds[k] >= 0)
				close(op->m[i].fds[k]);
	}
	if (op->sock >= 0)
		close(op->sock);
	if (op->fddir >= 0)
		close(op->fddir);
	if (op->cwdfd >= 0)
		close(op->cwdfd);
	if (op->n_alloc == 1)
		op = __atomic_exchange_n(&spare_op, op, __ATOMIC_ACQ_REL);
	if (op)
		free(op->m);
	free(op);
}

static int get_sock_info(int fd, struct sock_info *si)
{
	socklen_t l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &si->domain, &l) < 0)
		return -1;
	l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &si->type, &l) < 0)
		return -1;
	l = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &si->proto, &l) < 0)
		si->proto = 0;
	int fl = fcntl(fd, F_GETFL);
	si->nonblock = fl >= 0 && (fl & O_NONBLOCK);
	return 0;
}

static unsigned proto_bit(const struct sock_info *si)
{
	switch (si->proto) {
	case IPPROTO_TCP:
	case IPPROTO_MPTCP:
		return WARD_PROTO_TCP;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return WARD_PROTO_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return WARD_PROTO_ICMP;
	default:
		return 0;
	}
}

static void set_v4(struct dest *d, const struct sockaddr_in *sin)
{
	d->kind = DEST_INET;
	d->family = AF_INET;
	memset(&d->ep.addr, 0, sizeof(d->ep.addr));
	d->ep.addr.s6_addr[10] = d->ep.addr.s6_addr[11] = 0xff;
	memcpy(&d->ep.addr.s6_addr[12], &sin->sin_addr, 4);
	d->ep.port = ntohs(sin->sin_port);
}

static void set_v6(struct dest *d, const struct sockaddr_in6 *sin6)
{
	d->kind = DEST_INET;
	d->family = AF_INET6;
	d->ep.addr = sin6->sin6_addr;
	d->ep.port = ntohs(sin6->sin6_port);
}

/*
 * What the address means for a socket of this domain, as the kernel reads it.
 * `kind` is the operation (connect, bind or a send).
 */
static void classify(const struct sock_info *si, enum op_kind kind, const struct net_msg *m,
		     struct dest *d)
{
	memset(d, 0, sizeof(*d));
	const struct sockaddr *sa = (const struct sockaddr *)&m->addr;
	socklen_t len = m->addrlen;
	d->ep.proto = proto_bit(si);
	if (!m->has_name || len < sizeof(sa_family_t)) {
		d->kind = DEST_NONE; /* no address the kernel could use */
		return;
	}
	int fam = sa->sa_family;
	d->family = fam;
	switch (si->domain) {
	case AF_INET:
		if (kind == OP_CONNECT && fam == AF_UNSPEC) {
			d->kind = DEST_DISCONNECT;
		} else if (len < sizeof(struct sockaddr_in)) {
			d->err = EINVAL;
		} else if (kind == OP_BIND) {
			const struct sockaddr_in *sin = (const void *)sa;
			/* inet_bind's compatibility: AF_UNSPEC only with INADDR_ANY */
			if (fam == AF_INET ||
			    (fam == AF_UNSPEC && sin->sin_addr.s_addr == htonl(INADDR_ANY)))
				set_v4(d, sin);
			else
				d->err = EAFNOSUPPORT;
		} else if (fam == AF_INET || fam == AF_UNSPEC) {
			set_v4(d, (const void *)sa); /* udp_sendmsg treats AF_UNSPEC as AF_INET */
		} else {
			d->err = EAFNOSUPPORT;
		}
		break;
	case AF_INET6:
		if (kind == OP_CONNECT && fam == AF_UNSPEC) {
			d->kind = DEST_DISCONNECT;
		} else if (kind == OP_BIND) {
			if (len < 24)
				d->err = EINVAL;
			else if (fam != AF_INET6)
				d->err = EAFNOSUPPORT;
			else
				set_v6(d, (const void *)sa);
		} else if (fam == AF_INET6 || (fam == AF_UNSPEC && len >= 24)) {
			/* raw IPv6 sockets read an AF_UNSPEC name as IPv6: match it so */
			if (len < 24)
				d->err = EINVAL;
			else
				set_v6(d, (const void *)sa);
		} else if (fam == AF_INET) {
			if (len < sizeof(struct sockaddr_in))
				d->err = EINVAL;
			else
				set_v4(d, (const void *)sa);
		} else if (fam == AF_UNSPEC) {
			d->kind = DEST_NONE; /* udpv6_sendmsg ignores it */
		} else {
			d->err = EAFNOSUPPORT;
		}
		break;
	case AF_UNIX: {
		if (kind == OP_CONNECT && fam == AF_UNSPEC) {
			d->kind = DEST_DISCONNECT;
			break;
		}
		if (fam != AF_UNIX) {
			d->err = EINVAL;
			break;
		}
		const struct sockaddr_un *sun = (const void *)sa;
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);
		if (plen == 0) {
			d->kind = DEST_UNIX_UNNAMED;
		} else if (sun->sun_path[0] == '\0') {
			d->kind = DEST_UNIX_ABSTRACT;
			d->plen = plen - 1;
			memcpy(d->path, sun->sun_path + 1, d->plen);
		} else {
			/* the kernel cuts the name at its first NUL */
			d->kind = DEST_UNIX_PATH;
			d->plen = strnlen(sun->sun_path, plen);
			memcpy(d->path, sun->sun_path, d->plen);
			d->path[d->plen] = '\0';
		}
		break;
	}
	default:
		d->kind = DEST_OTHER;
		break;
	}
}

static void audit_dest(struct jsonw *w, const struct dest *d)
{
	char buf[INET6_ADDRSTRLEN];
	const char *fam = policy_family_name(d->family);
	switch (d->kind) {
	case DEST_INET:
		jsonw_key_str(w, "family", IN6_IS_ADDR_V4MAPPED(&d->ep.addr) ? "inet" : "inet6");
		if (IN6_IS_ADDR_V4MAPPED(&d->ep.addr))
			inet_ntop(AF_INET, &d->ep.addr.s6_addr[12], buf, sizeof(buf));
		else
			inet_ntop(AF_INET6, &d->ep.addr, buf, sizeof(buf));
		jsonw_key_str(w, "address", buf);
		jsonw_key_uint(w, "port", d->ep.port);
		if (d->ep.proto)
			jsonw_key_str(w, "protocol",
				      d->ep.proto == WARD_PROTO_TCP   ? "tcp"
				      : d->ep.proto == WARD_PROTO_UDP ? "udp"
								      : "icmp");
		break;
	case DEST_UNIX_PATH:
		jsonw_key_str(w, "family", "unix");
		jsonw_key_str(w, "path", d->path);
		break;
	case DEST_UNIX_ABSTRACT: {
		char name[sizeof(d->path)];
		for (size_t i = 0; i < d->plen; i++)
			name[i] = d->path[i] ? d->path[i] : '@';
		name[d->plen] = '\0';
		jsonw_key_str(w, "family", "unix");
		jsonw_key_str(w, "abstract", name);
		break;
	}
	case DEST_UNIX_UNNAMED:
		jsonw_key_str(w, "family", "unix");
		break;
	case DEST_DISCONNECT:
		jsonw_key_str(w, "family", "unspec");
		break;
	default:
		if (fam)
			jsonw_key_str(w, "family", fam);
		break;
	}
}

/* ---------- decisions ---------- */

static bool egress_can_deny(const struct ward_policy *p)
{
	return policy_rules_can_deny(&p->net.egress) || policy_unix_can_deny(p);
}

/* Decides for one message; unix paths are decided later, in the caller's view. */
static enum ward_action decide(struct sup *s, enum op_kind kind, struct dest *d, char *rule,
			       size_t rlen)
{
	const struct ward_policy *p = s->pol;
	size_t idx = (size_t)-1;
	enum ward_action a = WARD_ALLOW;
	const char *set = NULL;
	if (d->kind == DEST_INET) {
		struct ward_endpoint ep = d->ep;
		if (kind == OP_BIND) {
			ep.v4 = IN6_IS_ADDR_V4MAPPED(&ep.addr);
			a = policy_match_net(&p->net.bind, &ep, NULL, NULL, &idx);
			set = "bind";
		} else {
			policy_normalize_dest(&ep);
			a = policy_match_net(&p->net.egress, &ep, sup_hosts_match, s->hosts, &idx);
			set = "egress";
		}
	} else if (d->kind == DEST_UNIX_ABSTRACT && kind != OP_BIND) {
		a = policy_match_unix_abstract(p, d->path, d->plen);
		set = "unix";
	}
	if (set && idx != (size_t)-1)
		snprintf(rule, rlen, "network.%s[%zu]", set, idx);
	else if (set)
		snprintf(rule, rlen, "network.%sDefault", set);
	return a;
}

/* ---------- running the emulation ---------- */

/* In a job thread only: take the caller's root, cwd and umask for this thread. */
static int enter_view(struct sup_call *c, struct net_op *op)
{
	char p[48];
	int proc = c->s->proc_fd;
	snprintf(p, sizeof(p), "%u/root", c->n.pid);
	int root = openat(proc, p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%u/cwd", c->n.pid);
	op->cwdfd = openat(proc, p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int cwd = op->cwdfd;
	op->fddir = openat(proc, "thread-self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r = -1;
	if (root >= 0 && cwd >= 0 && op->fddir >= 0 && unshare(CLONE_FS) == 0 &&
	    fchdir(root) == 0 && chroot(".") == 0 && fchdir(cwd) == 0)
		r = 0;
	int saved = errno;
	if (r == 0)
		umask(op->cr.umask);
	if (root >= 0)
		close(root);
	errno = saved;
	return r;
}

/*
 * A unix path, in the caller's view: opened O_PATH (following symlinks, as
 * connect does), checked against the unix rules as given and as resolved,
 * and replaced in m->addr by the name of that fd in our fd directory (cwd).
 */
static int unix_path_prepare(struct sup_call *c, struct net_op *op, struct net_msg *m, int *pathfd,
			     bool *denied)
{
	const struct ward_policy *p = c->s->pol;
	*denied = false;
	*pathfd = -1;
	/* relative names are the caller's: back to its cwd (an earlier message left us elsewhere)
	 */
	if (fchdir(op->cwdfd) < 0)
		return -1;
	*pathfd = open(m->d.path, O_PATH | O_CLOEXEC);
	if (*pathfd < 0)
		return -1;
	char name[16];
	snprintf(name, sizeof(name), "%d", *pathfd);
	ssize_t n = readlinkat(op->fddir, name, op->resolved, sizeof(op->resolved) - 1);
	op->resolved[n > 0 ? n : 0] = '\0';
	if (policy_match_unix_path(p, m->d.path) == WARD_DENY ||
	    (n > 0 && policy_match_unix_path(p, op->resolved) == WARD_DENY)) {
		*denied = true;
		return 0;
	}
	/* a host socket the rules deny, bind-mounted under another name */
	op->denied_host_sock = sup_sock_id_match(op->host_ids, op->n_host_ids, *pathfd);
	if (op->denied_host_sock) {
		*denied = true;
		return 0;
	}
	struct sockaddr_un *sun = (struct sockaddr_un *)&m->addr;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, name, strlen(name) + 1);
	m->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name) + 1);
	/* the name is relative to our cwd: the fd directory */
	return fchdir(op->fddir);
}

static int cap_bind_drop(bool drop, bool *changed)
{
	*changed = false;
	if (!drop)
		return 0;
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	if (!(d[0].effective & (1u << CAP_NET_BIND_SERVICE)))
		return 0;
	d[0].effective &= ~(1u << CAP_NET_BIND_SERVICE);
	if (syscall(SYS_capset, &h, d) < 0)
		return -1;
	*changed = true;
	return 0;
}

static void cap_bind_restore(bool changed)
{
	if (!changed)
		return;
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) == 0) {
		d[0].effective |= d[0].permitted & (1u << CAP_NET_BIND_SERVICE);
		syscall(SYS_capset, &h, d);
	}
}

static ssize_t send_one(struct sup_call *c, struct net_op *op, struct net_msg *m, bool *denied,
			int *err)
{
	int pathfd = -1;
	*denied = false;
	if (m->d.kind == DEST_UNIX_PATH) {
		if (unix_path_prepare(c, op, m, &pathfd, denied) < 0 || *denied) {
			*err = *denied ? 0 : errno;
			if (pathfd >= 0)
				close(pathfd);
			return -1;
		}
	}
	struct iovec iov = {m->data, m->datalen};
	struct msghdr mh = {
		.msg_name = m->has_name ? &m->addr : NULL,
		.msg_namelen = m->has_name ? m->addrlen : 0,
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = m->controllen ? m->control : NULL,
		.msg_controllen = m->controllen,
	};
	ssize_t r;
	while ((r = sendmsg(op->sock, &mh, op->flags | MSG_NOSIGNAL)) < 0 &&
	       sup_job_eintr_retry(c, errno))
		;
	*err = r < 0 ? errno : 0;
	if (pathfd >= 0)
		close(pathfd);
	return r;
}

static void record_result(struct sup_call *c, struct net_op *op, long val, int err, bool denied,
			  const char *rule)
{
	if (c->audit) {
		if (op->resolved[0])
			jsonw_key_str(&c->jw, "resolved", op->resolved);
		if (op->denied_host_sock)
			jsonw_key_str(&c->jw, "hostSocket", op->denied_host_sock);
		if (denied)
			jsonw_key_str(&c->jw, "rule", rule);
	}
	if (denied) {
		sup_call_reply(c, 0, c->s->pol->net.deny_errno, "deny", NULL);
		return;
	}
	if (err == EPIPE && op->kind == OP_SEND && !(op->flags & MSG_NOSIGNAL)) {
		/* the kernel would have raised SIGPIPE in the caller */
		int pfd = sup_target_pidfd(c);
		if (pfd >= 0)
			syscall(SYS_pidfd_send_signal, pfd, SIGPIPE, NULL, 0);
	}
	sup_call_reply(c, val, err, "allow", NULL);
}

/* Runs the decided operation in the current thread (the loop or a job) and answers. */
static void run_op(struct sup_call *c, void *arg)
{
	struct net_op *op = arg;
	bool in_creds = false, cap_changed = false, denied = false;
	long val = 0;
	int err = 0;
	char rule[64] = "network.unixDefault";

	if (op->need_view) {
		/* still in the host's root: a fresh job thread (a view is never left) */
		op->n_host_ids = sup_denied_host_sockets(c->s->pol, op->host_ids, SUP_MAX_SOCK_IDS);
		if (enter_view(c, op) < 0) {
			err = errno;
			goto out;
		}
	}
	if (op->need_creds) {
		if (sup_creds_enter(&op->cr) < 0) {
			err = errno;
			goto out;
		}
		in_creds = true;
	}
	switch (op->kind) {
	case OP_CONNECT: {
		struct net_msg *m = &op->m[0];
		int pathfd = -1;
		if (m->d.kind == DEST_UNIX_PATH &&
		    (unix_path_prepare(c, op, m, &pathfd, &denied) < 0 || denied)) {
			err = denied ? 0 : errno;
		} else {
			int r;
			/* a retried blocking connect waits for the one in progress */
			while ((r = connect(op->sock, (struct sockaddr *)&m->addr, m->addrlen)) <
				       0 &&
			       sup_job_eintr_retry(c, errno))
				;
			if (r < 0)
				err = errno;
		}
		if (pathfd >= 0)
			close(pathfd);
		break;
	}
	case OP_BIND: {
		struct net_msg *m = &op->m[0];
		if (cap_bind_drop(op->drop_bind_cap, &cap_changed) < 0)
			err = errno;
		else if (bind(op->sock, (struct sockaddr *)&m->addr, m->addrlen) < 0)
			err = errno;
		cap_bind_restore(cap_changed);
		break;
	}
	case OP_LISTEN:
		if (listen(op->sock, op->backlog) < 0)
			err = errno;
		break;
	case OP_SEND: {
		size_t sent = 0;
		for (size_t i = 0; i < op->n; i++) {
			bool d = false;
			int e = 0;
			ssize_t r = send_one(c, op, &op->m[i], &d, &e);
			if (r < 0 || d) {
				/* sendmmsg: an error after the first message ends the batch */
				if (i == 0 || !op->mmsg) {
					err = e;
					denied = d;
				}
				break;
			}
			if (op->mmsg) {
				unsigned int len = (unsigned int)r;
				sup_target_write((pid_t)c->n.pid, op->m[i].len_addr, &len,
						 sizeof(len));
			}
			sent = op->mmsg ? i + 1 : (size_t)r;
		}
		val = (long)sent;
		break;
	}
	}
out:
	if (in_creds)
		sup_creds_leave();
	record_result(c, op, val, err, denied, rule);
	op_free(op);
}

static void job_run_op(struct sup_call *c, void *arg, bool *taint)
{
	struct net_op *op = arg;
	/* a root or credentials taken for unix paths are not given back: retire the worker */
	*taint = op->need_view;
	run_op(c, arg);
}

static bool op_blocking(const struct net_op *op)
{
	if (op->si.nonblock)
		return false;
	switch (op->kind) {
	case OP_CONNECT:
		return op->si.type == SOCK_STREAM || op->si.type == SOCK_SEQPACKET;
	case OP_SEND:
		return !(op->flags & MSG_DONTWAIT);
	default:
		return false;
	}
}

/*
 * A blocking connect of an internet stream socket to a loopback address is first made here,
 * on the loop, under a deadline of FAST_CONNECT_NS: on loopback the handshake is done within
 * the connect call itself, and the call then costs no hand-off to a worker thread and back
 * (which doubled its cost). A connect that takes longer (a listener whose backlog is full
 * drops the SYN) is interrupted by the deadline's signal: the kernel goes on with the
 * handshake, and the job that takes the call over waits for it (a second blocking connect
 * waits for the one in progress, see run_op). So the loop is held up for at most
 * FAST_CONNECT_NS by one call. Other destinations take at least a network round trip: a job
 * from the start.
 *
 * The deadline is longer than a scheduler tick (4 ms at HZ=250, 10 ms at HZ=100) on purpose:
 * a timer that would expire before the next tick must reprogram the CPU's timer hardware,
 * when armed and again when cancelled, and in a virtual machine each of those is an exit to
 * the hypervisor. Measured here: a 1 ms deadline made the emulated connect cost 25 us more,
 * a 5 ms one nothing measurable.
 */
#define FAST_CONNECT_NS (20 * 1000 * 1000)
static bool fast_connect(struct sup_call *c, struct net_op *op)
{
	struct net_msg *m = &op->m[0];
	if (op->kind != OP_CONNECT || m->d.kind != DEST_INET || op->si.type != SOCK_STREAM ||
	    !policy_is_loopback(&m->d.ep.addr))
		return false;
	if (sup_deadline_arm(FAST_CONNECT_NS) < 0)
		return false;
	int r = connect(op->sock, (struct sockaddr *)&m->addr, m->addrlen);
	int err = r < 0 ? errno : 0;
	sup_deadline_disarm();
	if (err == EINTR)
		return false; /* still connecting: a job waits for the rest */
	record_result(c, op, 0, err, false, "");
	op_free(op);
	return true;
}

/* Runs the operation here or in a job; takes ownership of op. True: a job owns the call. */
static bool dispatch(struct sup_call *c, struct net_op *op)
{
	bool need_creds_read = op->need_creds || op->need_view || op->kind == OP_BIND;
	if (need_creds_read && sup_creds_read(c->s->proc_fd, (pid_t)c->n.pid, &op->cr) < 0) {
		sup_call_reply(c, 0, EPERM, "error", NULL);
		op_free(op);
		return false;
	}
	if (op->kind == OP_BIND)
		op->drop_bind_cap = !(op->cr.cap_eff & (1ull << CAP_NET_BIND_SERVICE));
	if (!op->need_view && op_blocking(op) && fast_connect(c, op))
		return false;
	if (op->need_view || op_blocking(op)) {
		if (sup_job_start(c->s, c, job_run_op, op) == 0)
			return true;
		sup_call_reply(c, 0, EAGAIN, "error", NULL);
		op_free(op);
		return false;
	}
	run_op(c, op);
	return false;
}

/* Common preparation: the socket, its kind, the validity check. 0 or an errno. */
static int take_socket(struct sup_call *c, struct net_op *op, int fd)
{
	op->sock = sup_target_getfd(c, fd);
	if (op->sock < 0)
		return errno == EBADF ? EBADF : errno;
	if (get_sock_info(op->sock, &op->si) < 0)
		return errno;
	if (!sup_call_valid(c))
		return -1; /* the caller is gone: nothing to answer */
	op->need_creds = op->si.domain == AF_UNIX;
	return 0;
}

/* Finishes a call that failed before emulation (err > 0) or whose caller left (err < 0). */
static void fail(struct sup_call *c, struct net_op *op, int err)
{
	if (err > 0)
		sup_call_reply(c, 0, err, "error", NULL);
	op_free(op);
}

/*
 * The unspecified destination (0.0.0.0, ::, ::ffff:0.0.0.0) is "this host",
 * and decide() matched it as loopback. But which address the kernel would pick
 * depends on the socket: an IPv4 socket bound to X connects (and sends) to X
 * itself - and with IP_FREEBIND, X can be any address, one that leaves the
 * host. So the emulation uses the loopback address that was checked: what was
 * decided is what is done.
 */
static void pin_unspecified(const struct sock_info *si, struct net_msg *m)
{
	bool in6 = m->d.family == AF_INET6 || (si->domain == AF_INET6 && m->d.family == AF_UNSPEC);
	if (in6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&m->addr;
		static const uint8_t zero4[4];
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
			s6->sin6_addr = in6addr_loopback;
		else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
			 memcmp(&s6->sin6_addr.s6_addr[12], zero4, 4) == 0)
			s6->sin6_addr.s6_addr[12] = 127, s6->sin6_addr.s6_addr[15] = 1;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&m->addr;
		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
}

/* Decides every message; 0 to go on, else answered (denied or invalid). */
static int decide_all(struct sup_call *c, struct net_op *op)
{
	for (size_t i = 0; i < op->n; i++) {
		struct net_msg *m = &op->m[i];
		classify(&op->si, op->kind, m, &m->d);
		if (i == 0 && c->audit)
			audit_dest(&c->jw, &m->d);
		if (m->d.err) {
			if (i > 0 && op->mmsg) {
				op->n = i; /* send what came before; the next call gets the error */
				return 0;
			}
			sup_call_reply(c, 0, m->d.err, "error", NULL);
			return -1;
		}
		char rule[64] = "";
		if (decide(c->s, op->kind, &m->d, rule, sizeof(rule)) == WARD_DENY) {
			if (i > 0 && op->mmsg) {
				op->n = i;
				return 0;
			}
			if (c->audit)
				jsonw_key_str(&c->jw, "rule", rule);
			sup_call_reply(c, 0, c->s->pol->net.deny_errno, "deny", NULL);
			return -1;
		}
		if (m->d.kind == DEST_UNIX_PATH)
			op->need_view = true;
		if (m->d.kind == DEST_INET && op->kind != OP_BIND)
			pin_unspecified(&op->si, m);
	}
	return 0;
}

static int read_addr(struct sup_call *c, uint64_t addr, uint64_t len, struct net_msg *m)
{
	m->has_name = addr != 0;
	if (!addr)
		return 0;
	if (len > sizeof(m->addr))
		return EINVAL;
	m->addrlen = (socklen_t)len;
	if (sup_target_read((pid_t)c->n.pid, addr, &m->addr, len) < 0)
		return EFAULT;
	return 0;
}

/* Audit-only mediation: the address as the caller shows it, then CONTINUE. */
static void audit_only(struct sup_call *c, uint64_t addr, uint64_t len)
{
	if (c->audit && addr && len <= sizeof(struct sockaddr_storage)) {
		struct net_msg m;
		memset(&m, 0, sizeof(m));
		if (read_addr(c, addr, len, &m) == 0) {
			/* without the socket, the family of the address stands for its domain */
			struct sock_info si = {.domain = m.addr.ss_family};
			struct dest d;
			classify(&si, OP_CONNECT, &m, &d);
			audit_dest(&c->jw, &d);
		}
	}
	sup_call_continue(c);
}

/* ---------- handlers ---------- */

bool sup_net_connect(struct sup_call *c)
{
	const struct ward_policy *p = c->s->pol;
	const __u64 *a = c->n.data.args;
	if (p->audit.network)
		sup_call_audit_begin(c, "connect");
	if (c->audit)
		jsonw_key_int(&c->jw, "fd", (int)a[0]);
	if (!egress_can_deny(p)) {
		audit_only(c, a[1], a[2]);
		return false;
	}
	struct net_op *op = op_new(OP_CONNECT, 1);
	if (!op) {
		sup_call_reply(c, 0, ENOMEM, "error", NULL);
		return false;
	}
	int err = read_addr(c, a[1], (uint32_t)a[2], &op->m[0]);
	if (err || (err = take_socket(c, op, (int)a[0])) != 0) {
		fail(c, op, err);
		return false;
	}
	if (decide_all(c, op) < 0) {
		op_free(op);
		return false;
	}
	return dispatch(c, op);
}

bool sup_net_bind(struct sup_call *c)
{
	const struct ward_policy *p = c->s->pol;
	const __u64 *a = c->n.data.args;
	if (p->audit.network)
		sup_call_audit_begin(c, "bind");
	if (c->audit)
		jsonw_key_int(&c->jw, "fd", (int)a[0]);
	if (!policy_rules_can_deny(&p->net.bind) && !policy_unix_can_deny(p)) {
		audit_only(c, a[1], a[2]);
		return false;
	}
	struct net_op *op = op_new(OP_BIND, 1);
	if (!op) {
		sup_call_reply(c, 0, ENOMEM, "error", NULL);
		return false;
	}
	int err = read_addr(c, a[1], (uint32_t)a[2], &op->m[0]);
	if (!err && !op->m[0].has_name)
		err = EFAULT;
	if (err || (err = take_socket(c, op, (int)a[0])) != 0) {
		fail(c, op, err);
		return false;
	}
	if (decide_all(c, op) < 0) {
		op_free(op);
		return false;
	}
	return dispatch(c, op);
}

bool sup_net_listen(struct sup_call *c)
{
	const struct ward_policy *p = c->s->pol;
	const __u64 *a = c->n.data.args;
	if (p->audit.network)
		sup_call_audit_begin(c, "listen");
	if (c->audit) {
		jsonw_key_int(&c->jw, "fd", (int)a[0]);
		jsonw_key_int(&c->jw, "backlog", (int)a[1]);
	}
	if (!policy_rules_can_deny(&p->net.listen)) {
		sup_call_continue(c);
		return false;
	}
	struct net_op *op = op_new(OP_LISTEN, 1);
	if (!op) {
		sup_call_reply(c, 0, ENOMEM, "error", NULL);
		return false;
	}
	op->backlog = (int)a[1];
	int err = take_socket(c, op, (int)a[0]);
	if (err) {
		fail(c, op, err);
		return false;
	}
	/* the port is the socket's own (kernel state of the very socket we act on) */
	struct net_msg *m = &op->m[0];
	socklen_t len = sizeof(m->addr);
	if (getsockname(op->sock, (struct sockaddr *)&m->addr, &len) == 0) {
		m->has_name = true;
		m->addrlen = len;
	}
	classify(&op->si, OP_BIND, m, &m->d);
	if (c->audit)
		audit_dest(&c->jw, &m->d);
	if (m->d.kind == DEST_INET) {
		size_t idx;
		struct ward_endpoint ep = m->d.ep;
		ep.v4 = IN6_IS_ADDR_V4MAPPED(&ep.addr);
		if (policy_match_net(&p->net.listen, &ep, NULL, NULL, &idx) == WARD_DENY) {
			if (c->audit) {
				char rule[64];
				if (idx != (size_t)-1)
					snprintf(rule, sizeof(rule), "network.listen[%zu]", idx);
				else
					snprintf(rule, sizeof(rule), "network.listenDefault");
				jsonw_key_str(&c->jw, "rule", rule);
			}
			sup_call_reply(c, 0, p->net.deny_errno, "deny", NULL);
			op_free(op);
			return false;
		}
	}
	op->need_creds = false; /* listen needs no credentials */
	return dispatch(c, op);
}

/* Reads a control buffer and takes its SCM_RIGHTS fds; 0 or an errno. */
static int read_control(struct sup_call *c, uint64_t addr, size_t len, struct net_msg *m)
{
	if (!addr || len == 0)
		return 0;
	if (len > SUP_MAX_CONTROL)
		return ENOBUFS;
	m->control = malloc(len);
	if (!m->control)
		return ENOMEM;
	m->controllen = len;
	if (sup_target_read((pid_t)c->n.pid, addr, m->control, len) < 0)
		return EFAULT;
	bool srr_deny = c->s->pol->net.source_routing_deny;
	struct msghdr mh = {.msg_control = m->control, .msg_controllen = len};
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_len < CMSG_LEN(0) || (char *)cm + cm->cmsg_len > m->control + len)
			return EINVAL;
		switch (cm->cmsg_level) {
		case SOL_SOCKET:
			if (cm->cmsg_type == SCM_RIGHTS) {
				size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				int *fds = (int *)(void *)CMSG_DATA(cm);
				for (size_t i = 0; i < n; i++) {
					if (m->nfds >= MAX_FDS_PER_MSG)
						return EINVAL;
					int mine = sup_target_getfd(c, fds[i]);
					if (mine < 0)
						return EBADF;
					m->fds[m->nfds++] = mine;
					fds[i] = mine;
				}
			} else if (cm->cmsg_type != SO_TIMESTAMPING_OLD &&
				   cm->cmsg_type != SO_TIMESTAMPING_NEW &&
				   cm->cmsg_type != SCM_TXTIME) {
				return EPERM; /* SCM_CREDENTIALS, SO_MARK, SO_PRIORITY ... */
			}
			break;
		case SOL_IP:
			if (cm->cmsg_type == IP_RETOPTS && srr_deny)
				return EPERM;
			break;
		case SOL_IPV6:
			if (cm->cmsg_type == IPV6_HOPOPTS || cm->cmsg_type == IPV6_RTHDR ||
			    cm->cmsg_type == IPV6_DSTOPTS || cm->cmsg_type == IPV6_RTHDRDSTOPTS ||
			    cm->cmsg_type == 3 /* IPV6_2292HOPOPTS */ ||
			    cm->cmsg_type == 4 /* IPV6_2292DSTOPTS */ ||
			    cm->cmsg_type == 5 /* IPV6_2292RTHDR */)
				return EPERM;
			break;
		case SOL_UDP:
		case SOL_ALG:
		case SOL_TLS:
			break;
		default:
			return EPERM; /* e.g. SCTP's destination-address messages */
		}
	}
	return 0;
}

/* Copies the data of an iovec array (at most SUP_MAX_SEND bytes in total). */
static int read_iov(struct sup_call *c, const struct sock_info *si, uint64_t iov_addr,
		    size_t iovlen, struct net_msg *m)
{
	if (iovlen > 1024)
		return EMSGSIZE;
	struct iovec *riov = NULL;
	if (iovlen) {
		riov = calloc(iovlen, sizeof(*riov));
		if (!riov)
			return ENOMEM;
		if (sup_target_read((pid_t)c->n.pid, iov_addr, riov, iovlen * sizeof(*riov)) < 0) {
			free(riov);
			return EFAULT;
		}
	}
	size_t total = 0;
	size_t keep = iovlen;
	for (size_t i = 0; i < iovlen; i++) {
		if (riov[i].iov_len > SSIZE_MAX - total) {
			free(riov);
			return EINVAL;
		}
		if (total + riov[i].iov_len > SUP_MAX_SEND) {
			if (si->type != SOCK_STREAM) {
				free(riov);
				return EMSGSIZE;
			}
			/* a stream send may be short: send the first SUP_MAX_SEND bytes */
			riov[i].iov_len = SUP_MAX_SEND - total;
			keep = i + 1;
			total = SUP_MAX_SEND;
			break;
		}
		total += riov[i].iov_len;
	}
	m->data = malloc(total ? total : 1);
	if (!m->data) {
		free(riov);
		return ENOMEM;
	}
	m->datalen = total;
	if (total) {
		struct iovec local = {m->data, total};
		ssize_t n = process_vm_readv((pid_t)c->n.pid, &local, 1, riov, keep, 0);
		if (n != (ssize_t)total) {
			free(riov);
			return EFAULT;
		}
	}
	free(riov);
	return 0;
}

bool sup_net_sendto(struct sup_call *c)
{
	const struct ward_policy *p = c->s->pol;
	const __u64 *a = c->n.data.args;
	if (p->audit.network)
		sup_call_audit_begin(c, "sendto");
	if (c->audit) {
		jsonw_key_int(&c->jw, "fd", (int)a[0]);
		jsonw_key_uint(&c->jw, "bytes", a[2]);
	}
	if (!egress_can_deny(p)) {
		audit_only(c, a[4], a[5]);
		return false;
	}
	struct net_op *op = op_new(OP_SEND, 1);
	if (!op) {
		sup_call_reply(c, 0, ENOMEM, "error", NULL);
		return false;
	}
	op->flags = (int)a[3];
	struct net_msg *m = &op->m[0];
	int err = read_addr(c, a[4], (uint32_t)a[5], m);
	if (err || (err = take_socket(c, op, (int)a[0])) != 0) {
		fail(c, op, err);
		return false;
	}
	size_t len = (size_t)a[2];
	if (len > SUP_MAX_SEND) {
		if (op->si.type != SOCK_STREAM) {
			fail(c, op, EMSGSIZE);
			return false;
		}
		len = SUP_MAX_SEND;
	}
	m->data = malloc(len ? len : 1);
	m->datalen = len;
	if (!m->data) {
		fail(c, op, ENOMEM);
		return false;
	}
	if (len && sup_target_read((pid_t)c->n.pid, a[1], m->data, len) < 0) {
		fail(c, op, EFAULT);
		return false;
	}
	if (!sup_call_valid(c)) {
		fail(c, op, -1);
		return false;
	}
	if (decide_all(c, op) < 0) {
		op_free(op);
		return false;
	}
	return dispatch(c, op);
}

/* One struct msghdr from the caller into m (name, data, control). */
static int read_msghdr(struct sup_call *c, const struct sock_info *si, const struct msghdr *umh,
		       struct net_msg *m)
{
	socklen_t namelen = umh->msg_name ? umh->msg_namelen : 0;
	if ((int)namelen < 0)
		return EINVAL;
	if (namelen > sizeof(m->addr))
		namelen = sizeof(m->addr); /* the kernel truncates too */
	int err = read_addr(c, (uint64_t)(uintptr_t)umh->msg_name, namelen, m);
	if (!err)
		err = read_iov(c, si, (uint64_t)(uintptr_t)umh->msg_iov, umh->msg_iovlen, m);
	if (!err)
		err = read_control(c, (uint64_t)(uintptr_t)umh->msg_control, umh->msg_controllen,
				   m);
	return err;
}

bool sup_net_sendmsg(struct sup_call *c)
{
	const struct ward_policy *p = c->s->pol;
	const __u64 *a = c->n.data.args;
	bool can_deny = egress_can_deny(p);
	struct msghdr umh;
	int rerr = sup_target_read((pid_t)c->n.pid, a[1], &umh, sizeof(umh)) < 0 ? EFAULT : 0;
	/* only sends to an address are worth a line, unless refused */
	if (p->audit.network && !rerr && umh.msg_name)
		sup_call_audit_begin(c, "sendmsg");
	if (c->audit)
		jsonw_key_int(&c->jw, "fd", (int)a[0]);
	if (!can_deny) {
		audit_only(c, rerr ? 0 : (uint64_t)(uintptr_t)umh.msg_name,
			   rerr ? 0 : umh.msg_namelen);
		return false;
	}
	struct net_op *op = op_new(OP_SEND, 1);
	if (!op) {
		sup_call_reply(c, 0, ENOMEM, "error", NULL);
		return false;
	}
	op->flags = (int)a[2];
	int err = rerr;
	if (!err)
		err = take_socket(c, op, (int)a[0]);
	if (!err)
		err = read_msghdr(c, &op->si, &umh, &op->m[0]);
	if (!err && !sup_call_valid(c))
		err = -1;
	if (err) {
		if (err == EPERM && !c->audit && p->audit.network) {
			sup_call_audit_begin(c, "sendmsg");
			jsonw_key_int(&c->jw, "fd", (int)a[0]);
			jsonw_key_str(&c->jw, "note", "control message not emulated");
		}
		fail(c, op, err);
		return false;
	}
	if (c->audit) {
		jsonw_key_uint(&c->jw, "bytes", op->m[0].datalen);
		if (op->m[0].nfds)
			jsonw_key_int(&c->jw, "fds", op->m[0].nfds);
	}
	if (decide_all(c, op) < 0) {
		op_free(op);
		return false;
	}
	return dispatch(c, op);
}

bool sup_net_sendmmsg(struct sup_call *c)
{
	const struct ward_policy *p = c->s->pol;
	const __u64 *a = c->n.data.args;
	if (p->audit.network)
		sup_call_audit_begin(c, "sendmmsg");
	if (c->audit) {
		jsonw_key_int(&c->jw, "fd", (int)a[0]);
		jsonw_key_uint(&c->jw, "messages", (unsigned)a[2]);
	}
	if (!egress_can_deny(p)) {
		sup_call_continue(c);
		return false;
	}
	size_t vlen = (unsigned)a[2];
	if (vlen > SUP_MAX_MMSG)
		vlen = SUP_MAX_MMSG; /* fewer messages sent is a valid sendmmsg result */
	if (vlen == 0) {
		sup_call_reply(c, 0, 0, "allow", NULL);
		return false;
	}
	struct net_op *op = op_new(OP_SEND, vlen);
	if (!op) {
		sup_call_reply(c, 0, ENOMEM, "error", NULL);
		return false;
	}
	op->mmsg = true;
	op->flags = (int)a[3];
	int err = take_socket(c, op, (int)a[0]);
	struct mmsghdr *umm = err ? NULL : calloc(vlen, sizeof(*umm));
	if (!err && !umm)
		err = ENOMEM;
	if (!err && sup_target_read((pid_t)c->n.pid, a[1], umm, vlen * sizeof(*umm)) < 0)
		err = EFAULT;
	for (size_t i = 0; !err && i < vlen; i++) {
		err = read_msghdr(c, &op->si, &umm[i].msg_hdr, &op->m[i]);
		op->m[i].len_addr =
			a[1] + i * sizeof(struct mmsghdr) + offsetof(struct mmsghdr, msg_len);
		if (err && i > 0) {
			op->n = i; /* send the good ones; the next call reports the error */
			err = 0;
			break;
		}
	}
	free(umm);
	if (!err && !sup_call_valid(c))
		err = -1;
	if (err) {
		fail(c, op, err);
		return false;
	}
	if (decide_all(c, op) < 0) {
		op_free(op);
		return false;
	}
	return dispatch(c, op);
}
