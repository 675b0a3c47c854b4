/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.seccomp.listenerPath: hands the notify listener fd of a container
 * process to a seccomp agent, as the runtime-spec describes: one connection to
 * the agent's unix stream socket, one sendmsg carrying the
 * ContainerProcessState JSON with the fd attached as SCM_RIGHTS.
 */
#include "seccomp_oci.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/jsonw.h"
#include "../common/util.h"

char *seccomp_oci_process_state(const char *metadata, pid_t pid, const char *state_json)
{
	struct jsonw w;
	jsonw_init(&w, false);
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "ociVersion", OCI_SPEC_VERSION);
	jsonw_key(&w, "fds");
	jsonw_arr_open(&w);
	jsonw_str(&w, "seccompFd");
	jsonw_arr_close(&w);
	jsonw_key_int(&w, "pid", pid);
	if (metadata && metadata[0])
		jsonw_key_str(&w, "metadata", metadata);
	/* The state object is already JSON: splice it in as the last member. */
	jsonw_key(&w, "state");
	jsonw_raw(&w, state_json && state_json[0] ? state_json : "{}");
	w.after_key = false;
	jsonw_obj_close(&w);
	char *s = jsonw_take(&w);
	if (!s)
		abort(); /* only out of memory makes the heap writer fail */
	return s;
}

static int send_with_fd(int sock, const char *msg, size_t len, int fd, struct werr *e)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = (void *)msg, .iov_len = len};
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));

	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return werr_sys(e, "send the seccomp listener");
	/* A stream socket may take less than all; the fd went with the first byte. */
	for (size_t off = (size_t)n; off < len;) {
		ssize_t m = send(sock, msg + off, len - off, MSG_NOSIGNAL);
		if (m < 0 && errno == EINTR)
			continue;
		if (m < 0)
			return werr_sys(e, "send the container process state");
		off += (size_t)m;
	}
	return 0;
}

int seccomp_oci_agent_connect(const char *listener_path, struct werr *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (!listener_path || !listener_path[0])
		return werr_set(e, 0, "linux.seccomp.listenerPath is empty");
	if (strlen(listener_path) >= sizeof(sa.sun_path))
		return werr_set(e, ENAMETOOLONG,
				"linux.seccomp.listenerPath \"%s\" is longer than a unix socket "
				"path can be",
				listener_path);
	memcpy(sa.sun_path, listener_path, strlen(listener_path) + 1);

	_cleanup_close_ int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return werr_sys(e, "socket");
	int r;
	do
		r = connect(sock, (struct sockaddr *)&sa, sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return werr_sys(e, "connect to the seccomp agent at %s", listener_path);
	return take_fd(&sock);
}

int seccomp_oci_send_listener_on(int sock, const char *metadata, pid_t pid, const char *state_json,
				 int listener_fd, struct werr *e)
{
	if (listener_fd < 0)
		return werr_set(e, EBADF, "linux.seccomp.listenerPath: no listener fd to send");
	_cleanup_free_ char *msg = seccomp_oci_process_state(metadata, pid, state_json);
	if (send_with_fd(sock, msg, strlen(msg), listener_fd, e) < 0)
		return werr_wrap(e, "seccomp agent");
	return 0;
}

int seccomp_oci_send_listener(const char *listener_path, const char *metadata, pid_t pid,
			      const char *state_json, int listener_fd, struct werr *e)
{
	_cleanup_close_ int sock = seccomp_oci_agent_connect(listener_path, e);
	if (sock < 0)
		return -1;
	if (seccomp_oci_send_listener_on(sock, metadata, pid, state_json, listener_fd, e) < 0)
		return werr_wrap(e, "%s", listener_path);
	return 0;
}
