/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Engine sockets by identity. The unix rules match names (the path as the
 * caller gave it and as it resolves in the caller's root), but a bind mount
 * can give the host's /var/run/docker.sock any name inside the container
 * (`-v /var/run/docker.sock:/tmp/x.sock`). A bind mount keeps the inode, so
 * the supervisor also refuses a connect or send to any socket file that is
 * the same inode as a host socket the rules deny by name.
 *
 * Which host sockets: the well-known engine socket locations below and every
 * absolute, glob-free path of the policy's unix rules - each one that the
 * rules deny when matched by its host name, and that exists as a socket.
 * They are looked up for every emulated call that names a unix path (engines
 * recreate their sockets on restart: a new inode), by the job thread before it
 * enters the caller's root: those calls run in a job anyway.
 */
#include "sup.h"

#include <string.h>
#include <sys/stat.h>

static const char *const known_engine_sockets[] = {
	"/var/run/docker.sock",
	"/run/docker.sock",
	"/run/containerd/containerd.sock",
	"/run/containerd/containerd.sock.ttrpc",
	"/var/run/containerd/containerd.sock",
	"/run/podman/podman.sock",
	"/var/run/crio/crio.sock",
	"/run/crio/crio.sock",
	"/run/buildkit/buildkitd.sock",
	"/var/run/dockershim.sock",
	"/run/docker/containerd/containerd.sock",
};

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

static void consider(const struct ward_policy *p, const char *path, struct sup_sock_id *ids,
		     size_t max, size_t *n)
{
	if (*n >= max || policy_match_unix_path(p, path) != WARD_DENY)
		return;
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	for (size_t i = 0; i < *n; i++)
		if (ids[i].dev == st.st_dev && ids[i].ino == st.st_ino)
			return;
	ids[*n].dev = st.st_dev;
	ids[*n].ino = st.st_ino;
	ids[*n].host_path = path;
	(*n)++;
}

size_t sup_denied_host_sockets(const struct ward_policy *p, struct sup_sock_id *ids, size_t max)
{
	size_t n = 0;
	if (!policy_unix_can_deny(p))
		return 0;
	for (size_t i = 0; i < sizeof(known_engine_sockets) / sizeof(known_engine_sockets[0]); i++)
		consider(p, known_engine_sockets[i], ids, max, &n);
	for (size_t i = 0; i < p->net.n_unix_rules; i++) {
		const char *path = p->net.unix_rules[i].path;
		if (path && path[0] == '/' && !has_glob(path))
			consider(p, path, ids, max, &n);
	}
	return n;
}

const char *sup_sock_id_match(const struct sup_sock_id *ids, size_t n, int fd)
{
	struct stat st;
	if (n == 0 || fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (ids[i].dev == st.st_dev && ids[i].ino == st.st_ino)
			return ids[i].host_path;
	return NULL;
}
