/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A throw-away child unshares a user namespace; we write its maps, keep an fd of the
 * namespace and let the child go. The namespace lives on through the fd.
 */
#include "mount_idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"

static char *format_map(const struct oci_id_mapping *m, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%u %u %u\n", s, m[i].container_id, m[i].host_id, m[i].size);
		free(s);
		s = t;
	}
	return s;
}

static int write_map(pid_t pid, const char *file, const char *map, struct werr *e)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "open %s", path);
	/* the kernel takes a map in exactly one write */
	ssize_t n = write(fd, map, strlen(map));
	if (n < 0 || (size_t)n != strlen(map))
		return werr_sys(e, "write %s", file);
	return 0;
}

int mount_idmap_userns(const struct oci_id_mapping *uids, size_t n_uids,
		       const struct oci_id_mapping *gids, size_t n_gids, struct werr *e)
{
	if (!n_uids || !n_gids)
		return werr_set(e, EINVAL,
				"an idmapped mount needs both uidMappings and gidMappings");
	_cleanup_free_ char *umap = format_map(uids, n_uids);
	_cleanup_free_ char *gmap = format_map(gids, n_gids);
	int ready[2], go[2];
	if (pipe2(ready, O_CLOEXEC) < 0)
		return werr_sys(e, "pipe");
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return werr_sys(e, "pipe");
	}
	pid_t pid = fork();
	if (pid < 0) {
		werr_sys(e, "fork");
		close(ready[0]);
		close(ready[1]);
		close(go[0]);
		close(go[1]);
		return -1;
	}
	if (pid == 0) {
		/* Our pid as /proc knows it: fork() answers in our pid namespace, which
		 * is not the one of the /proc we can see when we run as container init. */
		char self[16] = "";
		ssize_t len = readlink("/proc/self", self, sizeof(self) - 1);
		close(ready[0]);
		close(go[1]);
		if (len <= 0 || unshare(CLONE_NEWUSER) < 0)
			_exit(1);
		if (write(ready[1], self, (size_t)len) != len)
			_exit(1);
		close(ready[1]);
		/* wait until the parent is done with our namespace (EOF) */
		char c;
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(ready[1]);
	close(go[0]);

	int nsfd = -1;
	char self[16] = "";
	ssize_t r;
	do
		r = read(ready[0], self, sizeof(self) - 1);
	while (r < 0 && errno == EINTR);
	long long procpid;
	if (r <= 0 || parse_ll(self, 1, INT32_MAX, &procpid) < 0) {
		werr_set(e, EPERM, "could not create a user namespace for the id-mapping");
		goto out;
	}
	if (write_map((pid_t)procpid, "uid_map", umap, e) < 0 ||
	    write_map((pid_t)procpid, "gid_map", gmap, e) < 0) {
		werr_wrap(e, "id-mapping");
		goto out;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%lld/ns/user", procpid);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		werr_sys(e, "open %s", path);
out:
	close(ready[0]);
	close(go[1]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return nsfd;
}
