/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.sysctl: only what the container's namespaces isolate (runc's rules), written
 * through a procfs we verified - our own detached instance when the kernel can make
 * one, else the container's /proc checked to be the root of a procfs - with no symlink,
 * ".." or mount crossing on the way, and the fd written to checked to be on procfs
 * (CVE-2019-16884 / CVE-2025-52881 class: a fake /proc must not receive our writes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "pathfd.h"
#include "rootfs_internal.h"

/* IPC sysctls isolated by an IPC namespace (besides fs.mqueue.*). */
static const char *const ipc_sysctls[] = {
	"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
};

/*
 * "net.ipv4.ip_forward" or "net/ipv4/ip_forward" -> dotted form for the rules and the
 * path below /proc/sys. In the dotted form a '.' inside a component (an interface named
 * "eth0.100") is written '/', as sysctl(8) does.
 */
static int sysctl_names(const char *key, char **dotted, char **path, struct werr *e)
{
	if (!key || !*key)
		return werr_set(e, 0, "empty sysctl name");
	size_t sep = strcspn(key, "./");
	char *swapped = xstrdup(key);
	for (char *c = swapped; *c; c++)
		*c = *c == '.' ? '/' : (*c == '/' ? '.' : *c);
	/* whichever separator comes first is the one the name uses */
	char *d, *p;
	if (key[sep] == '/') {
		d = swapped;
		p = xstrdup(key);
	} else {
		d = xstrdup(key);
		p = swapped;
	}
	/* path components: no empty ones, no "." or ".." */
	bool ok = p[0] != '/' && p[strlen(p) - 1] != '/' && !strstr(p, "//");
	_cleanup_free_ char *copy = xstrdup(p);
	char *save = NULL;
	for (char *t = strtok_r(copy, "/", &save); ok && t; t = strtok_r(NULL, "/", &save))
		ok = strcmp(t, ".") != 0 && strcmp(t, "..") != 0;
	if (!ok) {
		free(d);
		free(p);
		return werr_set(e, 0, "invalid sysctl name %s", key);
	}
	*dotted = d;
	*path = p;
	return 0;
}

/* A joined network namespace may be the host's own: then net.* is not ours to set. */
static bool is_host_netns(const char *path)
{
	struct stat a, b;
	if (stat(path, &a) < 0 || stat("/proc/self/ns/net", &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int rootfs_sysctl_check(const struct oci_config *cfg, const char *key, struct werr *e)
{
	_cleanup_free_ char *dotted = NULL, *path = NULL;
	if (sysctl_names(key, &dotted, &path, e) < 0)
		return -1;
	bool ipc = str_has_prefix(dotted, "fs.mqueue.");
	for (size_t i = 0; i < ARRAY_SIZE(ipc_sysctls); i++)
		ipc = ipc || strcmp(dotted, ipc_sysctls[i]) == 0;
	if (ipc) {
		if (!rootfs_config_ns(cfg, OCI_NS_IPC))
			return werr_set(e, 0, "%s needs an IPC namespace", key);
		return 0;
	}
	if (str_has_prefix(dotted, "net.")) {
		const struct oci_namespace *ns = rootfs_config_ns(cfg, OCI_NS_NETWORK);
		if (!ns)
			return werr_set(e, 0, "%s needs a network namespace", key);
		if (ns->path && is_host_netns(ns->path))
			return werr_set(e, 0, "%s: the network namespace joined is the host's",
					key);
		return 0;
	}
	if (strcmp(dotted, "kernel.domainname") == 0 || strcmp(dotted, "kernel.hostname") == 0) {
		if (!rootfs_config_ns(cfg, OCI_NS_UTS))
			return werr_set(e, 0, "%s needs a UTS namespace", key);
		if (strcmp(dotted, "kernel.hostname") == 0 && cfg->hostname)
			return werr_set(e, 0, "%s conflicts with the hostname field", key);
		if (strcmp(dotted, "kernel.domainname") == 0 && cfg->domainname)
			return werr_set(e, 0, "%s conflicts with the domainname field", key);
		return 0;
	}
	if (str_has_prefix(dotted, "user.")) {
		if (!rootfs_config_ns(cfg, OCI_NS_USER))
			return werr_set(e, 0, "%s needs a user namespace", key);
		return 0;
	}
	return werr_set(e, 0, "%s is not isolated by the container's namespaces", key);
}

/* The procfs to write through: ours, or the container's /proc if it is a real one. */
static int open_proc(struct rootfs_ctx *r, struct werr *e)
{
	if (r->proc_fd >= 0) {
		int fd = fcntl(r->proc_fd, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? werr_sys(e, "dup") : fd;
	}
	if (!r->pivoted)
		return werr_set(e, EINVAL, "sysctls are written after pivot_root");
	_cleanup_close_ int fd = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "open /proc");
	struct stat st;
	if (!pathfd_is_procfs(fd) || fstat(fd, &st) < 0 || st.st_ino != 1)
		return werr_set(e, EPERM, "/proc in the container is not the root of a procfs");
	return take_fd(&fd);
}

int rootfs_sysctl_apply(struct rootfs_ctx *r, struct werr *e)
{
	const struct oci_linux *l = &r->cfg->linux_;
	if (!l->n_sysctl)
		return 0;
	_cleanup_close_ int proc = open_proc(r, e);
	if (proc < 0)
		return -1;
	for (size_t i = 0; i < l->n_sysctl; i++) {
		const char *key = l->sysctl[i].key, *val = l->sysctl[i].value;
		if (rootfs_sysctl_check(r->cfg, key, e) < 0)
			return -1;
		_cleanup_free_ char *dotted = NULL, *path = NULL;
		if (sysctl_names(key, &dotted, &path, e) < 0)
			return -1;
		_cleanup_free_ char *rel = xasprintf("sys/%s", path);
		_cleanup_close_ int fd =
			pathfd_open_beneath_strict(proc, rel, O_WRONLY | O_NOCTTY | O_CLOEXEC, e);
		if (fd < 0)
			return werr_wrap(e, "%s", key);
		if (!pathfd_is_procfs(fd))
			return werr_set(e, EPERM, "%s: not a procfs file", key);
		if (write_all(fd, val ? val : "", val ? strlen(val) : 0) < 0)
			return werr_sys(e, "%s = %s", key, val ? val : "");
	}
	return 0;
}
