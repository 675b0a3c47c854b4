/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The supervisor, attacked on the real kernel (root): a supervisor started
 * with supervisor_spawn() into a temporary state dir, "container" children
 * that install the ward filter and hand their listener over, loopback
 * servers in this process that count what really arrives.
 *
 *   egress: allowed and denied ports over TCP and UDP, IPv4 and IPv6, by
 *     connect, sendto, sendmsg, sendmmsg; the unspecified address; v4-mapped
 *     addresses; the AF_UNSPEC sendto quirk; non-blocking connect;
 *   unix: an engine socket (docker.sock) and a symlink to it; credentials of
 *     the emulation (file permissions, SO_PEERCRED) are the caller's;
 *     abstract names;
 *   bind/listen rules; the privileged-port check applies to the caller;
 *   exec audit; the audit log (parsed with yajl) has a line per event;
 *   the supervisor's resident memory idle (reported), per-call latency
 *   (reported, no assertion).
 * Test binaries route "__supervise" to the supervisor like ward's CLI does.
 */
#include <arpa/inet.h>
#include <linux/sched.h>
#include <sched.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <yajl/yajl_tree.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/policy.h"
#include "shim/supervisor.h"
#include "tests/unit/sup_harness.h"
#include "tests/unit/tap.h"

struct h_shared *H;

static char state_dir[64];
static struct h_server tcp4_ok, tcp4_no, tcp6_ok, tcp6_no, udp4_ok, udp4_no, udp6_ok, udp6_no;
static int unix_engine = -1, unix_app = -1, unix_private = -1, unix_abs_ok = -1, unix_abs_no = -1;
static uint16_t listen_denied_port;
static struct ward_filter filter;
static pid_t sup_pid;

static void expect_ok(const char *name)
{
	const struct h_result *r = h_find(name);
	TAP_OK(r && r->ret >= 0, "%s: allowed (got %ld, %s)", name, r ? r->ret : 0,
	       r ? strerror(r->err) : "not run");
}

static void expect_err(const char *name, int err)
{
	const struct h_result *r = h_find(name);
	TAP_OK(r && r->ret == -1 && r->err == err, "%s: %s (got %ld, %s)", name,
	       policy_errno_name(err), r ? r->ret : 0, r ? strerror(r->err) : "not run");
}

static uint16_t free_port(void)
{
	struct h_server s;
	h_server_open(&s, AF_INET, SOCK_STREAM, 1);
	uint16_t p = s.port;
	h_server_close(&s);
	return p;
}

static int unix_listener(const char *path, mode_t mode)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0)
		return -1;
	chmod(path, mode);
	return fd;
}

static int abstract_listener(const char *name)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n = strlen(name);
	memcpy(sa.sun_path + 1, name, n);
	if (bind(fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0 ||
	    listen(fd, 16) < 0)
		return -1;
	return fd;
}

static char *write_policy(const char *dir, const char *name, const char *extra_audit)
{
	char *path = xasprintf("%s/%s.json", dir, name);
	char *json = xasprintf(
		"{\"name\":\"%s\",\"process\":{\"deny\":[\"all\"],\"execAudit\":true},"
		"\"network\":{\"families\":{\"default\":\"deny\",\"allow\":[\"unix\",\"inet\","
		"\"inet6\",\"netlink\"]},\"rawSockets\":\"deny\",\"sourceRouting\":\"deny\","
		"\"egressDefault\":\"deny\",\"egress\":["
		"{\"action\":\"allow\",\"cidr\":\"127.0.0.1/32\",\"ports\":[%u,%u]},"
		"{\"action\":\"allow\",\"cidr\":\"::1/128\",\"ports\":[%u,%u]}],"
		"\"bindDefault\":\"allow\",\"bind\":[{\"action\":\"deny\",\"ports\":[81]}],"
		"\"listenDefault\":\"allow\",\"listen\":[{\"action\":\"deny\",\"ports\":[%u]}],"
		"\"unixDefault\":\"allow\",\"unix\":[{\"action\":\"deny\",\"path\":\"*docker."
		"sock\"},"
		"{\"action\":\"deny\",\"abstract\":\"*containerd-shim*\"}]},"
		"\"audit\":{\"network\":true,\"exec\":true%s}}",
		name, tcp4_ok.port, udp4_ok.port, tcp6_ok.port, udp6_ok.port, listen_denied_port,
		extra_audit ? extra_audit : "");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, json, strlen(json)) < 0)
		abort();
	close(fd);
	free(json);
	return path;
}

/* ---------- egress ---------- */

static long try_connect(int family, int type, const void *sa, socklen_t len, bool nonblock)
{
	int s = socket(family, type | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (s < 0)
		return -1;
	long r = connect(s, sa, len);
	int err = errno;
	if (r == 0 && type == SOCK_DGRAM)
		send(s, "x", 1, 0);
	close(s);
	errno = err;
	return r;
}

static long try_sendto(int family, const void *sa, socklen_t len)
{
	int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	long r = sendto(s, "x", 1, 0, sa, len);
	int err = errno;
	close(s);
	errno = err;
	return r;
}

static long try_sendmsg(int family, const void *sa, socklen_t len)
{
	int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct iovec iov = {"xy", 2};
	struct msghdr mh = {
		.msg_name = (void *)sa, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
	long r = sendmsg(s, &mh, 0);
	int err = errno;
	close(s);
	errno = err;
	return r;
}

static void egress_body(void)
{
	struct sockaddr_in a4 = h_sin(tcp4_ok.port), d4 = h_sin(tcp4_no.port);
	struct sockaddr_in6 a6 = h_sin6(tcp6_ok.port), d6 = h_sin6(tcp6_no.port);
	struct sockaddr_in u4 = h_sin(udp4_ok.port), n4 = h_sin(udp4_no.port);
	struct sockaddr_in6 u6 = h_sin6(udp6_ok.port), n6 = h_sin6(udp6_no.port);
	h_record("tcp4 connect allowed", try_connect(AF_INET, SOCK_STREAM, &a4, sizeof(a4), false));
	h_record("tcp4 connect denied", try_connect(AF_INET, SOCK_STREAM, &d4, sizeof(d4), false));
	h_record("tcp6 connect allowed",
		 try_connect(AF_INET6, SOCK_STREAM, &a6, sizeof(a6), false));
	h_record("tcp6 connect denied", try_connect(AF_INET6, SOCK_STREAM, &d6, sizeof(d6), false));
	h_record("udp4 connect allowed", try_connect(AF_INET, SOCK_DGRAM, &u4, sizeof(u4), false));
	h_record("udp4 connect denied", try_connect(AF_INET, SOCK_DGRAM, &n4, sizeof(n4), false));
	h_record("udp6 connect allowed", try_connect(AF_INET6, SOCK_DGRAM, &u6, sizeof(u6), false));
	h_record("udp6 connect denied", try_connect(AF_INET6, SOCK_DGRAM, &n6, sizeof(n6), false));
	h_record("udp4 sendto allowed", try_sendto(AF_INET, &u4, sizeof(u4)));
	h_record("udp4 sendto denied", try_sendto(AF_INET, &n4, sizeof(n4)));
	h_record("udp6 sendto allowed", try_sendto(AF_INET6, &u6, sizeof(u6)));
	h_record("udp6 sendto denied", try_sendto(AF_INET6, &n6, sizeof(n6)));
	h_record("udp4 sendmsg allowed", try_sendmsg(AF_INET, &u4, sizeof(u4)));
	h_record("udp4 sendmsg denied", try_sendmsg(AF_INET, &n4, sizeof(n4)));
	h_record("udp6 sendmsg denied", try_sendmsg(AF_INET6, &n6, sizeof(n6)));

	/* the kernel's udp_sendmsg takes AF_UNSPEC as AF_INET */
	struct sockaddr_in unspec = n4;
	unspec.sin_family = AF_UNSPEC;
	h_record("udp4 sendto AF_UNSPEC to a denied port",
		 try_sendto(AF_INET, &unspec, sizeof(unspec)));
	/* 0.0.0.0 connects to the local host */
	struct sockaddr_in any = d4;
	any.sin_addr.s_addr = htonl(INADDR_ANY);
	h_record("tcp4 connect 0.0.0.0 denied port",
		 try_connect(AF_INET, SOCK_STREAM, &any, sizeof(any), false));
	/* IPv4 through an IPv6 socket */
	struct sockaddr_in6 m6 = h_sin6(tcp4_no.port);
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &m6.sin6_addr);
	h_record("tcp6 connect v4-mapped denied",
		 try_connect(AF_INET6, SOCK_STREAM, &m6, sizeof(m6), false));
	m6.sin6_port = htons(tcp4_ok.port);
	h_record("tcp6 connect v4-mapped allowed",
		 try_connect(AF_INET6, SOCK_STREAM, &m6, sizeof(m6), false));
	struct sockaddr_in net = h_sin(80);
	inet_pton(AF_INET, "192.0.2.1", &net.sin_addr);
	h_record("tcp4 connect to the internet",
		 try_connect(AF_INET, SOCK_STREAM, &net, sizeof(net), false));

	/* non-blocking: EINPROGRESS (or an immediate success on loopback), then connected */
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	long r = connect(s, (struct sockaddr *)&a4, sizeof(a4));
	int err = errno;
	if (r < 0 && err == EINPROGRESS) {
		struct pollfd p = {s, POLLOUT, 0};
		poll(&p, 1, 5000);
		int soerr = -1;
		socklen_t l = sizeof(soerr);
		getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &l);
		r = soerr == 0 ? 0 : -1;
	}
	errno = err;
	h_record("tcp4 non-blocking connect allowed", r);
	int fl = fcntl(s, F_GETFL);
	h_record("non-blocking flag kept", (fl & O_NONBLOCK) ? 0 : -1);
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	h_record("tcp4 non-blocking connect denied",
		 connect(s, (struct sockaddr *)&d4, sizeof(d4)));
	close(s);

	/* sendmmsg: both allowed, then allowed + denied (stops after the first) */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct iovec iov = {"m", 1};
	struct mmsghdr mm[2];
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &u4;
		mm[i].msg_hdr.msg_namelen = sizeof(u4);
	}
	r = sendmmsg(s, mm, 2, 0);
	h_record("sendmmsg two allowed", r);
	h_record("sendmmsg msg_len written back",
		 mm[0].msg_len == 1 && mm[1].msg_len == 1 ? 0 : -1);
	mm[1].msg_hdr.msg_name = &n4;
	h_record("sendmmsg allowed then denied", sendmmsg(s, mm, 2, 0));
	mm[0].msg_hdr.msg_name = &n4;
	h_record("sendmmsg denied first", sendmmsg(s, mm, 2, 0));
	close(s);

	/* connected UDP: send() carries no address and is not mediated */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	connect(s, (struct sockaddr *)&u4, sizeof(u4));
	h_record("udp4 send on a connected socket", send(s, "c", 1, 0));
	/* sendmsg without a name: emulated, goes to the connected peer */
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	h_record("udp4 sendmsg without a name", sendmsg(s, &mh, 0));
	/* with an fd passed along: allowed and taken from us by pidfd_getfd */
	close(s);

	/* bad addresses get the kernel's errno */
	struct sockaddr_in shortsa = a4;
	h_record("connect with a short address",
		 try_connect(AF_INET, SOCK_STREAM, &shortsa, 8, false));
	h_record("connect with a bad pointer",
		 try_connect(AF_INET, SOCK_STREAM, (void *)16, sizeof(a4), false));
	h_record("connect on a bad fd", connect(999, (struct sockaddr *)&a4, sizeof(a4)));
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		_exit(92);
	h_record("connect on a pipe", connect(pfd[0], (struct sockaddr *)&a4, sizeof(a4)));
	close(pfd[0]);
	close(pfd[1]);

	/* source routing through ancillary data */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	union {
		char buf[CMSG_SPACE(8)];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct msghdr rmh = {.msg_name = &u4,
			     .msg_namelen = sizeof(u4),
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&rmh);
	cm->cmsg_level = IPPROTO_IP;
	cm->cmsg_type = IP_RETOPTS;
	cm->cmsg_len = CMSG_LEN(8);
	unsigned char lsrr[8] = {1, 0x83, 7, 4, 127, 0, 0, 1};
	memcpy(CMSG_DATA(cm), lsrr, 8);
	h_record("sendmsg with IP_RETOPTS", sendmsg(s, &rmh, 0));
	close(s);
}

static void test_egress(void)
{
	long before_ok[4] = {h_server_drain(&udp4_ok), h_server_drain(&udp6_ok),
			     h_server_drain(&tcp4_ok), h_server_drain(&tcp6_ok)};
	(void)before_ok;
	memset(H, 0, sizeof(*H));
	int st = h_wait(h_spawn(state_dir, &filter, egress_body));
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "egress child ran (status 0x%x) %s", st,
	       H->setup_error);
	expect_ok("tcp4 connect allowed");
	expect_err("tcp4 connect denied", EACCES);
	expect_ok("tcp6 connect allowed");
	expect_err("tcp6 connect denied", EACCES);
	expect_ok("udp4 connect allowed");
	expect_err("udp4 connect denied", EACCES);
	expect_ok("udp6 connect allowed");
	expect_err("udp6 connect denied", EACCES);
	expect_ok("udp4 sendto allowed");
	expect_err("udp4 sendto denied", EACCES);
	expect_ok("udp6 sendto allowed");
	expect_err("udp6 sendto denied", EACCES);
	expect_ok("udp4 sendmsg allowed");
	expect_err("udp4 sendmsg denied", EACCES);
	expect_err("udp6 sendmsg denied", EACCES);
	expect_err("udp4 sendto AF_UNSPEC to a denied port", EACCES);
	expect_err("tcp4 connect 0.0.0.0 denied port", EACCES);
	expect_err("tcp6 connect v4-mapped denied", EACCES);
	expect_ok("tcp6 connect v4-mapped allowed");
	expect_err("tcp4 connect to the internet", EACCES);
	expect_ok("tcp4 non-blocking connect allowed");
	expect_ok("non-blocking flag kept");
	expect_err("tcp4 non-blocking connect denied", EACCES);
	const struct h_result *r = h_find("sendmmsg two allowed");
	TAP_OK(r && r->ret == 2, "sendmmsg: two allowed messages sent (got %ld)", r ? r->ret : -9);
	expect_ok("sendmmsg msg_len written back");
	r = h_find("sendmmsg allowed then denied");
	TAP_OK(r && r->ret == 1, "sendmmsg: stops before the denied message (got %ld)",
	       r ? r->ret : -9);
	expect_err("sendmmsg denied first", EACCES);
	expect_ok("udp4 send on a connected socket");
	expect_ok("udp4 sendmsg without a name");
	expect_err("connect with a short address", EINVAL);
	expect_err("connect with a bad pointer", EFAULT);
	expect_err("connect on a bad fd", EBADF);
	expect_err("connect on a pipe", ENOTSOCK);
	expect_err("sendmsg with IP_RETOPTS", EPERM);

	usleep(100000); /* let datagrams land */
	TAP_OK(h_server_drain(&tcp4_no) == 0 && h_server_drain(&tcp6_no) == 0,
	       "denied TCP servers saw no connection");
	TAP_OK(h_server_drain(&udp4_no) == 0 && h_server_drain(&udp6_no) == 0,
	       "denied UDP servers saw no datagram");
	long t4 = h_server_drain(&tcp4_ok), t6 = h_server_drain(&tcp6_ok);
	long u4 = h_server_drain(&udp4_ok), u6 = h_server_drain(&udp6_ok);
	TAP_OK(t4 >= 3 && t6 >= 1, "allowed TCP servers accepted (v4 %ld, v6 %ld)", t4, t6);
	TAP_OK(u4 >= 6 && u6 >= 2, "allowed UDP servers received (v4 %ld, v6 %ld)", u4, u6);
}

/* ---------- unix sockets ---------- */

static long try_unix(const char *path, bool abstract)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;
	if (abstract) {
		memcpy(sa.sun_path + 1, path, strlen(path));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
	} else {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		len = sizeof(sa);
	}
	long r = connect(s, (struct sockaddr *)&sa, len);
	int err = errno;
	close(s);
	errno = err;
	return r;
}

static void unix_body(void)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/docker.sock", state_dir);
	h_record("unix connect docker.sock", try_unix(p, false));
	snprintf(p, sizeof(p), "%s/innocent", state_dir);
	h_record("unix connect symlink to docker.sock", try_unix(p, false));
	if (chdir(state_dir) == 0)
		h_record("unix connect relative symlink", try_unix("innocent", false));
	snprintf(p, sizeof(p), "%s/app.sock", state_dir);
	h_record("unix connect app.sock", try_unix(p, false));
	snprintf(p, sizeof(p), "%s/missing.sock", state_dir);
	h_record("unix connect missing", try_unix(p, false));
	h_record("unix connect abstract shim", try_unix("/containerd-shim/x.sock", true));
	h_record("unix connect abstract app", try_unix("ward-test-app", true));

	/* fds passed along an emulated sendmsg are the caller's own */
	int sp[2], pp[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) < 0 || pipe2(pp, O_CLOEXEC) < 0)
		_exit(94);
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {"f", 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = CMSG_SPACE(sizeof(int))};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &pp[1], sizeof(int));
	h_record("sendmsg SCM_RIGHTS", sendmsg(sp[0], &mh, 0));
	char b[4];
	struct iovec riov = {b, sizeof(b)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} rctl;
	struct msghdr rmh = {.msg_iov = &riov,
			     .msg_iovlen = 1,
			     .msg_control = rctl.buf,
			     .msg_controllen = sizeof(rctl.buf)};
	long got = recvmsg(sp[1], &rmh, MSG_CMSG_CLOEXEC);
	struct cmsghdr *rc = got > 0 ? CMSG_FIRSTHDR(&rmh) : NULL;
	int passed = -1;
	if (rc && rc->cmsg_type == SCM_RIGHTS)
		memcpy(&passed, CMSG_DATA(rc), sizeof(int));
	long wr = passed >= 0 ? write(passed, "z", 1) : -1;
	char z = 0;
	h_record("the passed fd is the caller's pipe",
		 wr == 1 && read(pp[0], &z, 1) == 1 && z == 'z' ? 0 : -1);
	struct ucred uc = {.pid = getpid(), .uid = 0, .gid = 0};
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
	mh.msg_controllen = CMSG_SPACE(sizeof(uc));
	h_record("sendmsg SCM_CREDENTIALS", sendmsg(sp[0], &mh, 0));

	/* as an unprivileged user: the emulation must not lend the supervisor's rights */
	if (syscall(SYS_setresgid, 1000, 1000, 1000) < 0 ||
	    syscall(SYS_setresuid, 1000, 1000, 1000) < 0)
		_exit(91);
	snprintf(p, sizeof(p), "%s/private.sock", state_dir);
	h_record("uid 1000 unix connect root-only socket", try_unix(p, false));
	snprintf(p, sizeof(p), "%s/app.sock", state_dir);
	h_record("uid 1000 unix connect app.sock", try_unix(p, false));
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in lo = h_sin(82);
	h_record("uid 1000 bind port 82", bind(s, (struct sockaddr *)&lo, sizeof(lo)));
	close(s);
}

static void test_unix(void)
{
	memset(H, 0, sizeof(*H));
	int st = h_wait(h_spawn(state_dir, &filter, unix_body));
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "unix child ran (0x%x) %s", st,
	       H->setup_error);
	expect_err("unix connect docker.sock", EACCES);
	expect_err("unix connect symlink to docker.sock", EACCES);
	expect_err("unix connect relative symlink", EACCES);
	expect_ok("unix connect app.sock");
	expect_err("unix connect missing", ENOENT);
	expect_err("unix connect abstract shim", EACCES);
	expect_ok("unix connect abstract app");
	expect_ok("sendmsg SCM_RIGHTS");
	expect_ok("the passed fd is the caller's pipe");
	expect_err("sendmsg SCM_CREDENTIALS", EPERM);
	expect_err("uid 1000 unix connect root-only socket", EACCES);
	expect_ok("uid 1000 unix connect app.sock");
	long start = -1;
	_cleanup_free_ char *txt = NULL;
	size_t len;
	struct werr e;
	if (read_file_at(AT_FDCWD, "/proc/sys/net/ipv4/ip_unprivileged_port_start", 64, &txt, &len,
			 &e) == 0)
		start = strtol(txt, NULL, 10);
	if (start > 82)
		expect_err("uid 1000 bind port 82", EACCES);
	else
		TAP_OK(1, "# SKIP ip_unprivileged_port_start is %ld", start);

	/* what the servers saw: nothing on the engine socket; the caller's uid as the peer */
	int c = accept4(unix_engine, NULL, NULL, SOCK_CLOEXEC);
	TAP_OK(c < 0, "the engine socket accepted nothing");
	if (c >= 0)
		close(c);
	int got = 0;
	uid_t peer_uid = 12345;
	while ((c = accept4(unix_app, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		struct ucred uc;
		socklen_t l = sizeof(uc);
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &l) == 0)
			peer_uid = uc.uid;
		got++;
		close(c);
	}
	TAP_OK(got == 2, "app.sock accepted both connects (%d)", got);
	TAP_OK(peer_uid == 1000, "SO_PEERCRED of the emulated connect shows the caller's uid (%u)",
	       peer_uid);
	c = accept4(unix_private, NULL, NULL, SOCK_CLOEXEC);
	TAP_OK(c < 0, "the root-only socket accepted nothing");
	if (c >= 0)
		close(c);
	c = accept4(unix_abs_no, NULL, NULL, SOCK_CLOEXEC);
	TAP_OK(c < 0, "the denied abstract socket accepted nothing");
	if (c >= 0)
		close(c);
}

/* ---------- bind and listen ---------- */

static void bind_body(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in b = h_sin(81);
	h_record("bind port 81 (rule)", bind(s, (struct sockaddr *)&b, sizeof(b)));
	b.sin_port = 0;
	h_record("bind port 0", bind(s, (struct sockaddr *)&b, sizeof(b)));
	h_record("listen on an ephemeral port", listen(s, 4));
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	b.sin_port = htons(listen_denied_port);
	h_record("bind the listen-denied port", bind(s, (struct sockaddr *)&b, sizeof(b)));
	h_record("listen on the denied port", listen(s, 4));
	close(s);
	/* AF_UNSPEC bind with INADDR_ANY is an AF_INET bind for the kernel */
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in u = h_sin(81);
	u.sin_family = AF_UNSPEC;
	u.sin_addr.s_addr = htonl(INADDR_ANY);
	h_record("bind AF_UNSPEC to port 81", bind(s, (struct sockaddr *)&u, sizeof(u)));
	close(s);
	/* a unix socket path, created in the caller's view with its umask */
	umask(0077);
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/bound-by-child.sock", state_dir);
	h_record("bind a unix path", bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	close(s);
}

static void test_bind_listen(void)
{
	memset(H, 0, sizeof(*H));
	int st = h_wait(h_spawn(state_dir, &filter, bind_body));
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "bind child ran (0x%x)", st);
	expect_err("bind port 81 (rule)", EACCES);
	expect_ok("bind port 0");
	expect_ok("listen on an ephemeral port");
	expect_ok("bind the listen-denied port");
	expect_err("listen on the denied port", EACCES);
	expect_err("bind AF_UNSPEC to port 81", EACCES);
	expect_ok("bind a unix path");
	char p[128];
	struct stat sb;
	snprintf(p, sizeof(p), "%s/bound-by-child.sock", state_dir);
	TAP_OK(stat(p, &sb) == 0 && S_ISSOCK(sb.st_mode) && (sb.st_mode & 0777) == 0700,
	       "the unix socket exists with the caller's umask (mode %o)", sb.st_mode & 0777);
	unlink(p);
}

/* ---------- exec audit ---------- */

static void exec_body(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *const argv[] = {"true", "ward-exec-marker", NULL};
		execv("/bin/true", argv);
		_exit(127);
	}
	int st = h_wait(pid);
	errno = 0;
	h_record("exec /bin/true", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1);
	/* a process operation refused in BPF, with the supervisor running */
	h_record("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER));
	struct clone_args ca = {.exit_signal = SIGCHLD};
	h_record("clone3", syscall(SYS_clone3, &ca, sizeof(ca)));
	h_record("mount", mount("none", state_dir, "tmpfs", 0, NULL));
}

static void test_exec(void)
{
	memset(H, 0, sizeof(*H));
	int st = h_wait(h_spawn(state_dir, &filter, exec_body));
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec child ran (0x%x)", st);
	expect_ok("exec /bin/true");
	expect_err("unshare(CLONE_NEWUSER)", EPERM);
	expect_err("clone3", ENOSYS);
	expect_err("mount", EPERM);
}

/* ---------- the audit log ---------- */

static const char *jstr(yajl_val o, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(o, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

static long long jint(yajl_val o, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(o, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : -1;
}

static void test_audit(void)
{
	_cleanup_free_ char *path = xasprintf("%s/audit.jsonl", state_dir);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	struct werr e;
	TAP_OK(read_file_at(AT_FDCWD, path, 64u << 20, &text, &len, &e) == 0, "audit.jsonl read");
	if (!text)
		return;
	int lines = 0, bad = 0, missing = 0;
	int deny_tcp4 = 0, allow_tcp4 = 0, deny_udp6 = 0, exec_marker = 0, unix_resolved = 0;
	int starts = 0, listeners = 0, caller_reported = 0;
	for (char *l = text; *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = '\0';
		char err[128];
		yajl_val o = yajl_tree_parse(l, err, sizeof(err));
		lines++;
		if (!o) {
			bad++;
		} else if (jstr(o, "syscall")) {
			static const char *const req[] = {"time",    "container", "comm",
							  "syscall", "decision",  "reported"};
			for (size_t i = 0; i < ARRAY_SIZE(req); i++)
				if (!jstr(o, req[i]))
					missing++;
			if (jint(o, "pid") <= 0 || jint(o, "errno") < 0 ||
			    jint(o, "latency_us") < 0)
				missing++;
			const char *sc = jstr(o, "syscall"), *dec = jstr(o, "decision");
			const char *addr = jstr(o, "address");
			long long port = jint(o, "port");
			if (strcmp(sc, "connect") == 0 && addr && strcmp(addr, "127.0.0.1") == 0 &&
			    port == tcp4_no.port && strcmp(dec, "deny") == 0 &&
			    jint(o, "errno") == EACCES && jstr(o, "error") &&
			    strcmp(jstr(o, "error"), "EACCES") == 0 && jstr(o, "rule") &&
			    strcmp(jstr(o, "family"), "inet") == 0)
				deny_tcp4++;
			if (strcmp(sc, "connect") == 0 && addr && strcmp(addr, "127.0.0.1") == 0 &&
			    port == tcp4_ok.port && strcmp(dec, "allow") == 0 &&
			    jint(o, "errno") == 0 && strcmp(jstr(o, "reported"), "supervisor") == 0)
				allow_tcp4++;
			if (strcmp(sc, "sendto") == 0 && addr && strcmp(addr, "::1") == 0 &&
			    port == udp6_no.port && strcmp(dec, "deny") == 0)
				deny_udp6++;
			if (strcmp(sc, "execve") == 0 && strstr(l, "\"ward-exec-marker\"") &&
			    jstr(o, "path") && strcmp(jstr(o, "path"), "/bin/true") == 0)
				exec_marker++;
			if (strcmp(sc, "execve") == 0 && strcmp(jstr(o, "reported"), "caller") == 0)
				caller_reported++;
			if (strcmp(sc, "connect") == 0 && jstr(o, "resolved") &&
			    strstr(jstr(o, "resolved"), "docker.sock") && strcmp(dec, "deny") == 0)
				unix_resolved++;
			if (strcmp(jstr(o, "container"), "test-ctr") != 0)
				missing++;
		} else if (jstr(o, "event")) {
			if (strcmp(jstr(o, "event"), "supervisor-start") == 0)
				starts++;
			if (strcmp(jstr(o, "event"), "listener-added") == 0)
				listeners++;
		}
		yajl_tree_free(o);
		if (!nl)
			break;
		l = nl + 1;
	}
	printf("# audit.jsonl: %d lines\n", lines);
	TAP_OK(lines > 40 && bad == 0, "every audit line is JSON (%d lines, %d bad)", lines, bad);
	TAP_OK(missing == 0,
	       "every syscall line has time, container, pid, comm, syscall, decision, "
	       "errno, latency_us, reported (%d missing)",
	       missing);
	TAP_OK(deny_tcp4 >= 1, "denied TCP connect logged with address, port, rule, EACCES (%d)",
	       deny_tcp4);
	TAP_OK(allow_tcp4 >= 1, "allowed TCP connect logged as emulated by the supervisor (%d)",
	       allow_tcp4);
	TAP_OK(deny_udp6 >= 1, "denied IPv6 sendto logged (%d)", deny_udp6);
	TAP_OK(exec_marker == 1, "execve logged with path and argv (%d)", exec_marker);
	TAP_OK(caller_reported >= 1, "exec lines are marked caller-reported");
	TAP_OK(unix_resolved >= 1, "unix connect through a symlink logged with the resolved path");
	TAP_OK(starts == 1 && listeners >= 5, "supervisor start and %d listener hand-overs logged",
	       listeners);
}

/* ---------- memory and latency (reported, not asserted) ---------- */

static void report_rss(const char *when)
{
	long rss = h_proc_kb(sup_pid, "status", "VmRSS");
	long anon = h_proc_kb(sup_pid, "status", "RssAnon");
	long file = h_proc_kb(sup_pid, "status", "RssFile");
	long pss = h_proc_kb(sup_pid, "smaps_rollup", "Pss");
	long thr = h_proc_kb(sup_pid, "status", "Threads");
	printf("# supervisor memory %s: VmRSS %ld KiB (RssAnon %ld, RssFile %ld), Pss %ld KiB, "
	       "threads %ld\n",
	       when, rss, anon, file, pss, thr);
	TAP_OK(rss > 0, "supervisor resident memory %s: %ld KiB", when, rss);
}

#define LAT_N 2000

static void latency_body(void)
{
	struct sockaddr_in a4 = h_sin(tcp4_ok.port);
	double t0 = h_now_us();
	for (int i = 0; i < LAT_N; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		connect(s, (struct sockaddr *)&a4, sizeof(a4));
		struct linger lg = {1, 0};
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	H->values[0] = (h_now_us() - t0) / LAT_N;
	t0 = h_now_us();
	for (int i = 0; i < LAT_N; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		connect(s, (struct sockaddr *)&a4, sizeof(a4));
		struct linger lg = {1, 0};
		setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(s);
	}
	H->values[1] = (h_now_us() - t0) / LAT_N;
	struct sockaddr_in u4 = h_sin(udp4_ok.port);
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	t0 = h_now_us();
	for (int i = 0; i < LAT_N; i++)
		sendto(s, "l", 1, 0, (struct sockaddr *)&u4, sizeof(u4));
	H->values[2] = (h_now_us() - t0) / LAT_N;
	close(s);
	t0 = h_now_us();
	for (int i = 0; i < 1000000; i++)
		syscall(SYS_getppid);
	H->values[3] = (h_now_us() - t0) / 1000000 * 1000; /* ns */
}

static void test_latency(void)
{
	double med[4], nat[4];
	memset(H, 0, sizeof(*H));
	int st = h_wait(h_spawn(state_dir, &filter, latency_body));
	memcpy(med, H->values, sizeof(med));
	memset(H, 0, sizeof(*H));
	h_wait(h_spawn(state_dir, NULL, latency_body));
	memcpy(nat, H->values, sizeof(nat));
	TAP_OK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "latency child ran");
	printf("# per call (socket+connect+close), mediated vs native: non-blocking connect %.1f "
	       "vs %.1f us, blocking connect (job thread) %.1f vs %.1f us\n",
	       med[0], nat[0], med[1], nat[1]);
	printf("# sendto with an address: %.1f vs %.1f us; unmediated getppid: %.0f vs %.0f ns\n",
	       med[2], nat[2], med[3], nat[3]);
	h_server_drain(&tcp4_ok);
	h_server_drain(&udp4_ok);
}

/* ---------- setup ---------- */

static void setup_servers(void)
{
	h_server_open(&tcp4_ok, AF_INET, SOCK_STREAM, 4096);
	h_server_open(&tcp4_no, AF_INET, SOCK_STREAM, 4096);
	h_server_open(&tcp6_ok, AF_INET6, SOCK_STREAM, 4096);
	h_server_open(&tcp6_no, AF_INET6, SOCK_STREAM, 4096);
	h_server_open(&udp4_ok, AF_INET, SOCK_DGRAM, 0);
	h_server_open(&udp4_no, AF_INET, SOCK_DGRAM, 0);
	h_server_open(&udp6_ok, AF_INET6, SOCK_DGRAM, 0);
	h_server_open(&udp6_no, AF_INET6, SOCK_DGRAM, 0);
	int rcv = 1 << 20;
	setsockopt(udp4_ok.fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	h_server_thread(&tcp4_ok); /* the latency loop connects thousands of times */
	h_server_thread(&udp4_ok);
	listen_denied_port = free_port();
	char p[128];
	snprintf(p, sizeof(p), "%s/docker.sock", state_dir);
	unix_engine = unix_listener(p, 0666);
	snprintf(p, sizeof(p), "%s/app.sock", state_dir);
	unix_app = unix_listener(p, 0666);
	snprintf(p, sizeof(p), "%s/private.sock", state_dir);
	unix_private = unix_listener(p, 0600);
	snprintf(p, sizeof(p), "%s/innocent", state_dir);
	if (symlink("docker.sock", p) < 0)
		abort();
	unix_abs_ok = abstract_listener("ward-test-app");
	unix_abs_no = abstract_listener("/containerd-shim/x.sock");
	/* the unprivileged child must be able to reach the sockets */
	chmod(state_dir, 0755);
}

static void cleanup_dir(const char *dir)
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

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "__supervise") == 0)
		return supervisor_cli(argc, argv);
	h_use_test_supervisor();
	alarm(600);
	H = mmap(NULL, sizeof(*H), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	snprintf(state_dir, sizeof(state_dir), "/tmp/ward-sup-XXXXXX");
	if (H == MAP_FAILED || !mkdtemp(state_dir))
		return 1;
	setup_servers();
	h_sanitizer_logs(state_dir);
	_cleanup_free_ char *policy_path = write_policy(state_dir, "test-agent", NULL);
	struct ward_policy *pol = NULL;
	struct werr e;
	werr_clear(&e);
	TAP_OK(policy_load(policy_path, &pol, &e) == 0, "test policy loads (%s)", e.msg);
	TAP_OK(pol && ward_filter_build(pol, &filter, &e) == 0 && filter.has_listener,
	       "test policy compiles with a listener");

	int canary = open("/dev/zero", O_RDONLY); /* no O_CLOEXEC on purpose */
	int r = supervisor_spawn(state_dir, "test-ctr", policy_path, &sup_pid, &e);
	close(canary);
	TAP_OK(r == 0 && sup_pid > 0, "supervisor spawned (pid %d) %s", sup_pid, r ? e.msg : "");
	if (r < 0)
		return tap_done();
	/* detached: not our child, its own session, stdio on /dev/null */
	TAP_OK(waitpid(sup_pid, NULL, WNOHANG) < 0 && errno == ECHILD,
	       "the supervisor is not a child of the spawner");
	/* double fork: the middle process made the session and left, so the supervisor is
	 * in a session of its own (and, not being its leader, can never get a terminal) */
	pid_t sid = getsid(sup_pid);
	TAP_OK(sid > 0 && sid != getsid(0) && sid != sup_pid && getpgid(sup_pid) != getpgid(0),
	       "the supervisor is in another session, not its leader (sid %d)", sid);
	char link[64], target[64];
	snprintf(link, sizeof(link), "/proc/%d/fd/1", sup_pid);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	TAP_STREQ(target, "/dev/null", "the supervisor's stdout is /dev/null");
	int leaked_fds = 0;
	_cleanup_free_ char *fddir = xasprintf("/proc/%d/fd", sup_pid);
	DIR *d = opendir(fddir);
	for (struct dirent *de; d && (de = readdir(d));) {
		if (de->d_name[0] == '.')
			continue;
		char l2[300], t2[256];
		snprintf(l2, sizeof(l2), "%s/%s", fddir, de->d_name);
		ssize_t k = readlink(l2, t2, sizeof(t2) - 1);
		t2[k > 0 ? k : 0] = '\0';
		if (strcmp(t2, "/dev/zero") == 0 || strstr(t2, "pipe:") || strstr(t2, "tty") ||
		    strstr(t2, "/dev/pts"))
			leaked_fds++;
	}
	if (d)
		closedir(d);
	TAP_OK(leaked_fds == 0, "no inherited fd (canary, pipes, terminals) in the supervisor");
	/* the test itself stays connected, so the supervisor outlives each container child */
	int keep = supervisor_connect(state_dir, &e);
	TAP_OK(keep >= 0, "control connection (%s)", keep < 0 ? e.msg : "ok");
	pid_t ping_pid = 0;
	TAP_OK(supervisor_ping(state_dir, &ping_pid, NULL, &e) == 0 && ping_pid == sup_pid,
	       "ping answers with the supervisor's pid");
	usleep(1500000); /* past the audit writer's linger time: truly idle */
	report_rss("after start, idle");
	TAP_OK(h_proc_kb(sup_pid, "status", "Threads") == 1, "an idle supervisor has one thread");

	test_egress();
	test_unix();
	test_bind_listen();
	test_exec();
	test_latency();
	usleep(2500000); /* workers and the audit writer linger, then exit */
	report_rss("idle after ~10000 mediated calls");
	TAP_OK(h_proc_kb(sup_pid, "status", "Threads") == 1, "idle again: one thread");

	/* the last listener is gone and the test hangs up: the supervisor exits by itself */
	close(keep);
	TAP_OK(h_wait_gone(sup_pid, 10000), "supervisor exits after the last listener and client");
	test_audit();
	TAP_OK(h_sanitizer_reports(state_dir) == 0, "no sanitizer report from the supervisor");

	policy_free(pol);
	ward_filter_release(&filter);
	h_server_close(&tcp4_ok);
	h_server_close(&udp4_ok);
	struct h_server *rest[] = {&tcp4_no, &tcp6_ok, &tcp6_no, &udp4_no, &udp6_ok, &udp6_no};
	for (size_t i = 0; i < ARRAY_SIZE(rest); i++)
		h_server_close(rest[i]);
	close(unix_engine);
	close(unix_app);
	close(unix_private);
	close(unix_abs_ok);
	close(unix_abs_no);
	cleanup_dir(state_dir);
	return tap_done();
}
