/* SPDX-License-Identifier: Apache-2.0 */
#include "console.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "../common/cleanup.h"

#ifndef DEVPTS_SUPER_MAGIC
#define DEVPTS_SUPER_MAGIC 0x1cd1
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

int console_socket_connect(const char *path, struct werr *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return werr_code(e, ENAMETOOLONG, "console socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return werr_sys(e, "console socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		werr_sys(e, "connect to console socket %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int check_devpts(int fd, const char *what, struct werr *e)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return werr_sys(e, "statfs %s", what);
	if (sf.f_type != DEVPTS_SUPER_MAGIC)
		return werr_code(e, EPERM, "%s is not on a devpts filesystem", what);
	return 0;
}

int console_open_pty(int ptmx_dirfd, const char *ptmx_path, int *master, int *slave, struct werr *e)
{
	_cleanup_close_ int m =
		openat(ptmx_dirfd, ptmx_path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
	if (m < 0)
		return werr_sys(e, "open %s", ptmx_path);
	if (check_devpts(m, "pty master", e) < 0)
		return -1;
	int unlock = 0;
	if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
		return werr_sys(e, "unlock pty");
	_cleanup_close_ int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return werr_sys(e, "open pty peer");
	if (check_devpts(s, "pty peer", e) < 0)
		return -1;
	*master = take_fd(&m);
	*slave = take_fd(&s);
	return 0;
}

int console_set_size(int fd, uint32_t rows, uint32_t cols, struct werr *e)
{
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
		return werr_sys(e, "set console size");
	return 0;
}

int send_fd(int sock, const char *name, int fd, struct werr *e)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	memset(cbuf, 0, sizeof(cbuf));
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
		return werr_sys(e, "send fd");
	return 0;
}

int recv_fd(int sock, int *fd, struct werr *e)
{
	char data[4096];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf)};
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return werr_sys(e, "receive fd");
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)))
		return werr_code(e, EPROTO, "no file descriptor received");
	memcpy(fd, CMSG_DATA(c), sizeof(int));
	return 0;
}

int console_make_controlling(int slave, struct werr *e)
{
	if (setsid() < 0)
		return werr_sys(e, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return werr_sys(e, "set controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return werr_sys(e, "dup pty to fd %d", fd);
	return 0;
}
