/* SPDX-License-Identifier: Apache-2.0 */
/* `start` and the teardown that `delete` and `run` share. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "cgroup.h"
#include "create.h"
#include "hooks.h"
#include "supervisor_client.h"

static int connect_init(struct container *c, struct werr *e)
{
	struct sockaddr_un sa;
	socklen_t len = container_sock_addr(c, "init.sock", &sa);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return werr_sys(e, "socket");
	if (connect(fd, (struct sockaddr *)&sa, len) < 0)
		return werr_sys(e, "container %s: contact init", c->id);
	return take_fd(&fd);
}

int container_start(struct container *c, struct werr *e)
{
	enum container_status s = container_status(c);
	if (s != STATUS_CREATED) {
		if (s == STATUS_STOPPED)
			return werr_set(e, 0, "cannot start a container that has stopped");
		return werr_set(e, 0, "cannot start an already %s container",
				container_status_name(s));
	}
	_cleanup_close_ int fd = connect_init(c, e);
	if (fd < 0)
		return -1;
	/* from here on the container counts as started, whatever init makes of it */
	unlinkat(c->dir_fd, "init.sock", 0);
	if (send(fd, "s", 1, MSG_NOSIGNAL) != 1)
		return werr_sys(e, "container %s: send start", c->id);
	char msg[WERR_MSG_MAX];
	ssize_t n;
	do
		n = read(fd, msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return werr_sys(e, "container %s: wait for exec", c->id);
	if (n > 0) {
		/* init could not exec: it sent why before exiting */
		msg[n] = '\0';
		return werr_set(e, 0, "%s", msg);
	}
	const struct oci_config *cfg = container_config(c, e);
	if (!cfg)
		return -1;
	if (cfg->hooks.poststart.n) {
		_cleanup_free_ char *st = container_state_json(c, STATUS_RUNNING, false);
		/* the spec: a failing poststart hook is a warning, the container keeps running */
		hooks_run_warn(&cfg->hooks.poststart, "poststart", st);
	}
	return 0;
}

int container_destroy(struct container *c, struct werr *e)
{
	if (container_status(c) != STATUS_STOPPED) {
		struct werr ignored;
		int pidfd = container_pidfd(c, &ignored);
		if (pidfd >= 0) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			wait_pidfd_exit(pidfd, -1);
			close(pidfd);
		}
	}
	if (c->cgroup) {
		struct cgroup *cg = NULL;
		if (cgroup_open(c->cgroup, &cg, e) < 0)
			return werr_wrap(e, "delete %s", c->id);
		int r = cgroup_destroy(cg, true, e);
		cgroup_free(cg);
		if (r < 0)
			return werr_wrap(e, "delete %s", c->id);
	}
	/* the supervisor would go on its own once the last listener closes: do not wait for that */
	_cleanup_free_ char *dir = xasprintf("%s/%s", c->root, c->id);
	struct werr se;
	if (supervisor_stop(dir, &se) < 0)
		log_warn("delete %s: %s", c->id, se.msg);
	struct werr ce;
	const struct oci_config *cfg = container_config(c, &ce);
	if (cfg && cfg->hooks.poststop.n) {
		_cleanup_free_ char *st = container_state_json(c, STATUS_STOPPED, false);
		hooks_run_warn(&cfg->hooks.poststop, "poststop", st);
	}
	return container_remove_dir(c, e);
}
