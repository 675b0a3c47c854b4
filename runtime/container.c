/* SPDX-License-Identifier: Apache-2.0 */
#include "container.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "../common/cleanup.h"
#include "../common/jsonw.h"
#include "../common/util.h"
#include "../oci-spec/oci_state.h"
#include "cgroup.h"

#define STATE_MAX_BYTES (1u << 20)

int container_id_validate(const char *id, struct werr *e)
{
	size_t n = strlen(id);
	if (n == 0 || n > 1024 || !strcmp(id, ".") || !strcmp(id, ".."))
		return werr_set(e, 0, "invalid container id format: %s", id);
	for (const char *p = id; *p; p++) {
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '+' || ch == '-' || ch == '.'))
			return werr_set(e, 0, "invalid container id format: %s", id);
	}
	return 0;
}

static struct container *container_alloc(const char *root, const char *id)
{
	struct container *c = xcalloc(1, sizeof(*c));
	c->root = xstrdup(root);
	c->id = xstrdup(id);
	c->dir_fd = -1;
	c->lock_fd = -1;
	return c;
}

static int lock_dir(struct container *c, struct werr *e)
{
	c->lock_fd = openat(c->dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (c->lock_fd < 0)
		return werr_sys(e, "open lock of container %s", c->id);
	if (flock(c->lock_fd, LOCK_EX) < 0)
		return werr_sys(e, "lock container %s", c->id);
	/* a concurrent delete may have removed the directory while we waited */
	struct stat st;
	if (fstat(c->lock_fd, &st) < 0 || st.st_nlink == 0)
		return werr_code(e, ENOENT, "container does not exist");
	return 0;
}

int container_new(const char *root, const char *id, struct container **out, struct werr *e)
{
	if (container_id_validate(id, e) < 0)
		return -1;
	if (mkdir_p(root, 0711, e) < 0)
		return werr_wrap(e, "create state root");
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return werr_sys(e, "open state root %s", root);
	if (mkdirat(rootfd, id, 0711) < 0) {
		if (errno == EEXIST)
			return werr_set(e, 0, "container with id exists: %s", id);
		return werr_sys(e, "create state dir for %s", id);
	}
	struct container *c = container_alloc(root, id);
	c->dir_fd = openat(rootfd, id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dir_fd < 0 || lock_dir(c, e) < 0) {
		if (c->dir_fd < 0)
			werr_sys(e, "open state dir of %s", id);
		unlinkat(c->dir_fd, "lock", 0);
		unlinkat(rootfd, id, AT_REMOVEDIR);
		container_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static const char *tree_str(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_string);
	return v ? YAJL_GET_STRING(v) : NULL;
}

static long long tree_int(yajl_val root, const char *key)
{
	const char *path[] = {key, NULL};
	yajl_val v = yajl_tree_get(root, path, yajl_t_number);
	return v && YAJL_IS_INTEGER(v) ? YAJL_GET_INTEGER(v) : 0;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int load_state(struct container *c, struct werr *e)
{
	_cleanup_free_ char *buf = NULL;
	char errbuf[256];
	if (read_file_at(c->dir_fd, "state.json", STATE_MAX_BYTES, &buf, NULL, e) < 0) {
		if (e->errnum == ENOENT)
			return werr_code(e, ENOENT, "container %s is still being created", c->id);
		return werr_wrap(e, "read state of %s", c->id);
	}
	yajl_val t = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
	if (!t)
		return werr_code(e, EINVAL, "state of %s is corrupt: %s", c->id, errbuf);
	c->pid = (pid_t)tree_int(t, "pid");
	c->pid_start = (unsigned long long)tree_int(t, "pidStart");
	c->bundle = dup_or_null(tree_str(t, "bundle"));
	c->rootfs = dup_or_null(tree_str(t, "rootfs"));
	c->created = dup_or_null(tree_str(t, "created"));
	c->owner = dup_or_null(tree_str(t, "owner"));
	c->cgroup = dup_or_null(tree_str(t, "cgroup"));
	c->policy = dup_or_null(tree_str(t, "policy"));
	yajl_tree_free(t);
	return 0;
}

int container_open(const char *root, const char *id, bool lock, struct container **out,
		   struct werr *e)
{
	if (container_id_validate(id, e) < 0)
		return -1;
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0) {
		if (errno == ENOENT)
			return werr_code(e, ENOENT, "container does not exist");
		return werr_sys(e, "open state root %s", root);
	}
	struct container *c = container_alloc(root, id);
	c->dir_fd = openat(rootfd, id, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dir_fd < 0) {
		container_free(c);
		if (errno == ENOENT || errno == ENOTDIR)
			return werr_code(e, ENOENT, "container does not exist");
		return werr_sys(e, "open state dir of %s", id);
	}
	if (lock && lock_dir(c, e) < 0) {
		container_free(c);
		return -1;
	}
	if (load_state(c, e) < 0) {
		if (lock || e->errnum != ENOENT) {
			container_free(c);
			return -1;
		}
		c->creating = true;
	}
	*out = c;
	return 0;
}

void container_unlock(struct container *c)
{
	if (c->lock_fd >= 0) {
		close(c->lock_fd);
		c->lock_fd = -1;
	}
}

int container_relock(struct container *c, struct werr *e)
{
	container_unlock(c);
	return lock_dir(c, e);
}

int container_save(struct container *c, const char *config_json, size_t config_len, struct werr *e)
{
	struct jsonw w;
	jsonw_init(&w, false);
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "id", c->id);
	jsonw_key_int(&w, "pid", c->pid);
	jsonw_key_uint(&w, "pidStart", c->pid_start);
	jsonw_key_str(&w, "bundle", c->bundle);
	jsonw_key_str(&w, "rootfs", c->rootfs);
	jsonw_key_str(&w, "created", c->created);
	jsonw_key_str(&w, "owner", c->owner);
	if (c->cgroup)
		jsonw_key_str(&w, "cgroup", c->cgroup);
	if (c->policy)
		jsonw_key_str(&w, "policy", c->policy);
	jsonw_obj_close(&w);
	_cleanup_free_ char *s = jsonw_take(&w);
	if (!s)
		return werr_code(e, ENOMEM, "serialise state");
	if (config_json &&
	    write_file_atomic_at(c->dir_fd, "config.json", config_json, config_len, 0600, e) < 0)
		return -1;
	return write_file_atomic_at(c->dir_fd, "state.json", s, strlen(s), 0600, e);
}

const struct oci_config *container_config(struct container *c, struct werr *e)
{
	if (c->config)
		return c->config;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (read_file_at(c->dir_fd, "config.json", OCI_CONFIG_MAX_BYTES, &buf, &len, e) < 0)
		return NULL;
	if (oci_config_parse(buf, len, "config.json", &c->config, e) < 0)
		return NULL;
	return c->config;
}

/* Removes every entry of a directory fd (one level: the state dir has no subdirectories). */
static int clear_dir(int dirfd, struct werr *e)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return werr_sys(e, "open state dir");
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return werr_sys(e, "read state dir");
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) < 0 && errno != ENOENT)
			return werr_sys(e, "remove %s", de->d_name);
	}
	return 0;
}

int container_remove_dir(struct container *c, struct werr *e)
{
	if (clear_dir(c->dir_fd, e) < 0)
		return werr_wrap(e, "remove state of %s", c->id);
	_cleanup_close_ int rootfd = open(c->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || unlinkat(rootfd, c->id, AT_REMOVEDIR) < 0)
		return werr_sys(e, "remove state dir of %s", c->id);
	return 0;
}

void container_sock_addr(const struct container *c, const char *name, struct sockaddr_un *sa,
			 socklen_t *len)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	int n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s/%s", c->root, c->id, name);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
		n = snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", c->dir_fd,
			     name);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
}

void container_free(struct container *c)
{
	if (!c)
		return;
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	free(c->root);
	free(c->id);
	free(c->bundle);
	free(c->rootfs);
	free(c->created);
	free(c->owner);
	free(c->cgroup);
	free(c->policy);
	oci_config_free(c->config);
	free(c);
}

/* True when pid is the same live (not zombie) process that was recorded at create. */
static bool init_alive(const struct container *c)
{
	if (c->pid <= 0)
		return false;
	unsigned long long st = proc_start_time(c->pid);
	if (st == 0 || st != c->pid_start)
		return false;
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)c->pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

enum container_status container_status(struct container *c)
{
	if (c->creating)
		return STATUS_CREATING;
	if (!init_alive(c))
		return STATUS_STOPPED;
	if (faccessat(c->dir_fd, "init.sock", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return STATUS_CREATED;
	if (c->cgroup) {
		struct cgroup *cg = NULL;
		struct werr ignored;
		bool frozen = false;
		if (cgroup_open(c->cgroup, &cg, &ignored) == 0) {
			if (cgroup_is_frozen(cg, &frozen, &ignored) < 0)
				frozen = false;
			cgroup_free(cg);
		}
		if (frozen)
			return STATUS_PAUSED;
	}
	return STATUS_RUNNING;
}

const char *container_status_name(enum container_status s)
{
	static const char *const names[] = {"creating", "created", "running", "paused", "stopped"};
	return names[s];
}

int container_pidfd(struct container *c, struct werr *e)
{
	int fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (fd < 0)
		return werr_code(e, ESRCH, "container %s is not running", c->id);
	/* the pidfd pins the process: check after opening that it is still the one we started */
	if (!init_alive(c)) {
		close(fd);
		return werr_code(e, ESRCH, "container %s is not running", c->id);
	}
	return fd;
}

int container_signal(struct container *c, int sig, struct werr *e)
{
	int fd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (fd < 0 && errno == ENOSYS) {
		/* no pidfds (old kernel, valgrind): the start time check narrows the reuse window
		 */
		if (!init_alive(c))
			return werr_code(e, ESRCH, "container not running");
		if (kill(c->pid, sig) < 0)
			return werr_sys(e, "signal container %s", c->id);
		return 0;
	}
	if (fd < 0 || !init_alive(c)) {
		if (fd >= 0)
			close(fd);
		return werr_code(e, ESRCH, "container not running");
	}
	int r = (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
	close(fd);
	if (r < 0)
		return werr_sys(e, "signal container %s", c->id);
	return 0;
}

char *container_state_json(struct container *c, enum container_status s, bool pretty)
{
	struct werr ignored;
	const struct oci_config *cfg = container_config(c, &ignored);
	struct oci_state st = {
		.oci_version = cfg && cfg->oci_version ? cfg->oci_version : OCI_SPEC_VERSION,
		.id = c->id,
		.status = container_status_name(s),
		.pid = s == STATUS_STOPPED ? 0 : c->pid,
		.bundle = c->bundle,
		.annotations = cfg ? cfg->annotations : NULL,
		.n_annotations = cfg ? cfg->n_annotations : 0,
	};
	return oci_state_write(&st, pretty);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int container_list_ids(const char *root, char ***ids, size_t *n, struct werr *e)
{
	*ids = NULL;
	*n = 0;
	_cleanup_closedir_ DIR *d = opendir(root);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return werr_sys(e, "open state root %s", root);
	}
	struct dirent *de;
	size_t cap = 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || de->d_type != DT_DIR)
			continue;
		if (*n + 1 >= cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xrealloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = xstrdup(de->d_name);
	}
	if (*n)
		qsort(*ids, *n, sizeof(**ids), cmp_str);
	return 0;
}
