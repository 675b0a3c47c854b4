/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Harness for the rootfs tests (needs root): builds a busybox rootfs in a temp bundle,
 * fills a struct oci_config by hand, and runs the rootfs steps in a grandchild that is
 * pid 1 of new namespaces (the ones the config lists; a user namespace gets an identity
 * mapping written by the parent, as ward create would). The grandchild reports what it
 * observes as "key=value" lines over a pipe; the test process asserts on them. Every
 * mount lives in the child's private mount namespace and vanishes with it.
 */
#ifndef WARD_TEST_ROOTFS_HARNESS_H
#define WARD_TEST_ROOTFS_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>
#include <sys/syscall.h>

#include "../../oci-spec/oci_config.h"
#include "../../runtime/mount_fd.h"
#include "../../runtime/pathfd.h"
#include "../../runtime/rootfs.h"

/* ---- a config built by hand, without the parser (no heap in the model) ---- */

#define CFGB_MAX 32

struct cfgb_mount {
	char buf[512];
	char *opts[24];
};

struct cfgb {
	struct oci_config c;
	struct oci_mount mounts[CFGB_MAX];
	struct cfgb_mount mstore[CFGB_MAX];
	struct oci_id_mapping idmaps[CFGB_MAX][2];
	struct oci_namespace ns[OCI_NS_COUNT];
	struct oci_kv sysctl[CFGB_MAX];
	char *masked[CFGB_MAX], *ro[CFGB_MAX];
	struct oci_device devs[CFGB_MAX];
};

static inline struct cfgb *cfgb_new(void)
{
	struct cfgb *b = calloc(1, sizeof(*b));
	if (!b)
		abort();
	b->c.oci_version = (char *)"1.2.0";
	b->c.has_root = true;
	b->c.root.path = (char *)"rootfs";
	b->c.mounts = b->mounts;
	b->c.linux_.present = true;
	b->c.linux_.namespaces = b->ns;
	b->c.linux_.sysctl = b->sysctl;
	b->c.linux_.masked_paths = b->masked;
	b->c.linux_.readonly_paths = b->ro;
	b->c.linux_.devices = b->devs;
	return b;
}

/* opts: comma separated ("" for none). Returns the mount for further tweaks. */
static inline struct oci_mount *cfg_mount(struct cfgb *b, const char *dest, const char *type,
					  const char *src, const char *opts)
{
	size_t i = b->c.n_mounts++;
	struct oci_mount *m = &b->mounts[i];
	struct cfgb_mount *s = &b->mstore[i];
	m->destination = (char *)dest;
	m->type = (char *)type;
	m->source = (char *)src;
	snprintf(s->buf, sizeof(s->buf), "%s", opts);
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s->buf, ",", &save); t && n < 24; t = strtok_r(NULL, ",", &save))
		s->opts[n++] = t;
	m->options = s->opts;
	m->n_options = n;
	return m;
}

static inline void cfg_idmap(struct cfgb *b, struct oci_mount *m, uint32_t cid, uint32_t hid,
			     uint32_t size)
{
	size_t i = (size_t)(m - b->mounts);
	b->idmaps[i][0] = (struct oci_id_mapping){cid, hid, size};
	b->idmaps[i][1] = (struct oci_id_mapping){cid, hid, size};
	m->uid_mappings = &b->idmaps[i][0];
	m->n_uid_mappings = 1;
	m->gid_mappings = &b->idmaps[i][1];
	m->n_gid_mappings = 1;
}

static inline void cfg_ns(struct cfgb *b, enum oci_ns_type t)
{
	b->ns[b->c.linux_.n_namespaces++] = (struct oci_namespace){.type = t};
}

static inline void cfg_sysctl(struct cfgb *b, const char *k, const char *v)
{
	b->sysctl[b->c.linux_.n_sysctl++] = (struct oci_kv){(char *)k, (char *)v};
}

static inline void cfg_masked(struct cfgb *b, const char *p)
{
	b->masked[b->c.linux_.n_masked_paths++] = (char *)p;
}

static inline void cfg_ro(struct cfgb *b, const char *p)
{
	b->ro[b->c.linux_.n_readonly_paths++] = (char *)p;
}

static inline void cfg_device(struct cfgb *b, const char *type, const char *path, int64_t maj,
			      int64_t min, uint32_t mode, uint32_t uid, uint32_t gid)
{
	b->devs[b->c.linux_.n_devices++] = (struct oci_device){
		.type = (char *)type,
		.path = (char *)path,
		.has_major = true,
		.major = maj,
		.has_minor = true,
		.minor = min,
		.has_file_mode = true,
		.file_mode = mode,
		.has_uid = true,
		.uid = uid,
		.has_gid = true,
		.gid = gid,
	};
}

/* The usual namespaces of a container (mount, pid, ipc, uts, network). */
static inline void cfg_std_ns(struct cfgb *b)
{
	cfg_ns(b, OCI_NS_MOUNT);
	cfg_ns(b, OCI_NS_PID);
	cfg_ns(b, OCI_NS_IPC);
	cfg_ns(b, OCI_NS_UTS);
	cfg_ns(b, OCI_NS_NETWORK);
}

static inline bool cfg_has_ns(const struct cfgb *b, enum oci_ns_type t)
{
	for (size_t i = 0; i < b->c.linux_.n_namespaces; i++)
		if (b->ns[i].type == t)
			return true;
	return false;
}

/* ---- files ---- */

static inline void h_die(const char *what)
{
	fprintf(stderr, "harness: %s: %s\n", what, strerror(errno));
	exit(2);
}

static inline void h_write(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");
	if (!f)
		h_die(path);
	fputs(content, f);
	fclose(f);
}

static inline void h_mkdir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		h_die(path);
}

static inline void h_copy(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (in < 0 || out < 0)
		h_die(from);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			h_die(to);
	close(in);
	close(out);
	chmod(to, mode);
}

static inline char *h_path(const char *a, const char *b)
{
	char *p;
	if (asprintf(&p, "%s/%s", a, b) < 0)
		abort();
	return p;
}

/* A busybox rootfs: bin/busybox and a few applet links, the usual empty directories. */
static inline void build_rootfs(const char *rootfs)
{
	static const char *const dirs[] = {"", "bin", "dev", "etc", "proc", "sys", "tmp", "root"};
	static const char *const applets[] = {"sh", "cat", "ls", "echo", "stat", "mount"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = h_path(rootfs, dirs[i]);
		h_mkdir(p);
		free(p);
	}
	char *bb = h_path(rootfs, "bin/busybox");
	h_copy("/bin/busybox", bb, 0755);
	free(bb);
	for (size_t i = 0; i < sizeof(applets) / sizeof(applets[0]); i++) {
		char *l = h_path(rootfs, "bin");
		char *p = h_path(l, applets[i]);
		if (symlink("busybox", p) < 0)
			h_die(p);
		free(p);
		free(l);
	}
	char *f = h_path(rootfs, "etc/passwd");
	h_write(f, "root:x:0:0:root:/root:/bin/sh\n");
	free(f);
	f = h_path(rootfs, "etc/ward-rootfs-marker");
	h_write(f, "marker");
	free(f);
}

static inline int h_rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void h_rm_rf(const char *path)
{
	nftw(path, h_rm_cb, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* ---- observations from inside ---- */

static int h_out_fd = -1;

__attribute__((format(printf, 2, 3))) static inline void emit(const char *key, const char *fmt, ...)
{
	char val[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	for (char *c = val; *c; c++)
		if (*c == '\n')
			*c = '|';
	dprintf(h_out_fd, "%s=%s\n", key, val);
}

static inline const char *errname(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case EROFS:
		return "EROFS";
	case ENOENT:
		return "ENOENT";
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case ELOOP:
		return "ELOOP";
	case ENOTDIR:
		return "ENOTDIR";
	case EEXIST:
		return "EEXIST";
	default:
		return strerror(err);
	}
}

/* "c 1:3 0666 0:0", "p 0600 0:0", "f 0644 0:0", "d 0755 0:0", "l" or an errno name. */
static inline void emit_node(const char *key, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		emit(key, "%s", errname(errno));
		return;
	}
	unsigned int mode = st.st_mode & 07777;
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		emit(key, "%c %u:%u %04o %u:%u", S_ISCHR(st.st_mode) ? 'c' : 'b', major(st.st_rdev),
		     minor(st.st_rdev), mode, st.st_uid, st.st_gid);
	else if (S_ISFIFO(st.st_mode))
		emit(key, "p %04o %u:%u", mode, st.st_uid, st.st_gid);
	else if (S_ISDIR(st.st_mode))
		emit(key, "d %04o %u:%u", mode, st.st_uid, st.st_gid);
	else if (S_ISLNK(st.st_mode))
		emit(key, "l");
	else
		emit(key, "f %04o %u:%u", mode, st.st_uid, st.st_gid);
}

static inline void emit_link(const char *key, const char *path)
{
	char buf[256];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0) {
		emit(key, "%s", errname(errno));
		return;
	}
	buf[n] = '\0';
	emit(key, "%s", buf);
}

/* Result of creating a file (ok / EROFS / ...). */
static inline void emit_create(const char *key, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	emit(key, "%s", errname(fd < 0 ? errno : 0));
	if (fd >= 0)
		close(fd);
}

static inline void emit_open_write(const char *key, const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	emit(key, "%s", errname(fd < 0 ? errno : 0));
	if (fd >= 0)
		close(fd);
}

static inline void emit_read(const char *key, const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		emit(key, "%s", errname(errno));
		return;
	}
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		emit(key, "%s", errname(errno));
		return;
	}
	buf[n] = '\0';
	size_t l = strlen(buf);
	while (l && buf[l - 1] == '\n')
		buf[--l] = '\0';
	emit(key, "[%s]", buf);
}

static inline const char *fs_name(long type)
{
	switch (type) {
	case 0x9fa0:
		return "proc";
	case 0x62656572:
		return "sysfs";
	case 0x01021994:
		return "tmpfs";
	case 0x1cd1:
		return "devpts";
	case 0x19800202:
		return "mqueue";
	case 0x27e0eb:
		return "cgroup";
	case 0x63677270:
		return "cgroup2";
	case 0xef53:
		return "ext4";
	default:
		return "other";
	}
}

static inline void emit_fs(const char *key, const char *path)
{
	struct statfs sfs;
	if (statfs(path, &sfs) < 0)
		emit(key, "%s", errname(errno));
	else
		emit(key, "%s", fs_name((long)sfs.f_type));
}

/* Mount flags of the mount holding path: "ro,nosuid,nodev,noexec" subset. */
static inline void emit_vfs(const char *key, const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0) {
		emit(key, "%s", errname(errno));
		return;
	}
	emit(key, "%s%s%s%s", (sv.f_flag & ST_RDONLY) ? "ro" : "rw",
	     (sv.f_flag & ST_NOSUID) ? ",nosuid" : "", (sv.f_flag & ST_NODEV) ? ",nodev" : "",
	     (sv.f_flag & ST_NOEXEC) ? ",noexec" : "");
}

/* Optional fields of the mountinfo line of mount point `mp` ("shared:3", "" ...). */
static inline void emit_propagation(const char *key, const char *mp)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char *line = NULL;
	size_t cap = 0;
	const char *res = "absent";
	char found[256] = "";
	while (f && getline(&line, &cap, f) > 0) {
		char mpt[512];
		if (sscanf(line, "%*d %*d %*s %*s %511s", mpt) != 1 || strcmp(mpt, mp) != 0)
			continue;
		char *dash = strstr(line, " - ");
		if (dash)
			*dash = '\0';
		/* fields after the 6th are optional tags */
		char *p = line;
		for (int i = 0; i < 6 && p; i++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		snprintf(found, sizeof(found), "%s", p ? p : "");
		res = found;
	}
	free(line);
	if (f)
		fclose(f);
	emit(key, "%s", *res ? res : "private");
}

/* ---- running ---- */

struct run_opts {
	bool no_pivot;
	bool console;
	bool force_walker;
	bool force_legacy;
	/* a seccomp filter makes the new mount API and openat2 fail with this errno (an
	 * old kernel: ENOSYS; an old container profile: EPERM), 0 for none */
	int old_kernel_errno;
	const int *idmap_fds;
	/* in the child's private mount namespace, before the rootfs code runs */
	void (*pre_mount)(const char *bundle);
	/* inside the container after rootfs_finalize (or after the step `stop_after`) */
	void (*inspect)(void);
	/* "mount_all" or "pivot": stop (and inspect) after that step */
	const char *stop_after;
	/* inside, right after a rootfs step failed (still the host's view of paths) */
	void (*on_error)(void);
	/* in the test process while the container sits after rootfs_mount_all */
	void (*at_mounted)(pid_t child);
};

#define RES_MAX 256
struct results {
	char *key[RES_MAX];
	char *val[RES_MAX];
	size_t n;
	int status;
};

static inline const char *res_get(const struct results *r, const char *key)
{
	for (size_t i = r->n; i > 0; i--)
		if (strcmp(r->key[i - 1], key) == 0)
			return r->val[i - 1];
	return NULL;
}

static inline void res_free(struct results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->key[i]);
		free(r->val[i]);
	}
	r->n = 0;
}

/* In the sanitizer build, the rootfs code's own leaks are checked inside the container
 * (the children leave with _exit, which skips LeakSanitizer's exit check). */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

static inline void leak_check(void)
{
	if (__lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check())
		emit("leak", "LeakSanitizer found leaks (see stderr)");
}

static inline void container_steps(struct rootfs_ctx *rp, struct cfgb *b, const char *bundle,
				   const struct run_opts *o, int go_fd)
{
#define r (*rp)
	struct werr e;
	char c;

	pathfd_force_fallback = o->force_walker;
	mount_force_legacy = o->force_legacy;
	if (rootfs_ctx_init(&r, &b->c, bundle, o->no_pivot, &e) < 0) {
		emit("err", "init: %s", e.msg);
		if (o->on_error)
			o->on_error();
		return;
	}
	r.idmap_fds = o->idmap_fds;
	if (rootfs_mount_all(&r, &e) < 0) {
		emit("err", "mount_all: %s", e.msg);
		if (o->on_error)
			o->on_error();
		rootfs_ctx_release(&r);
		return;
	}
	emit("stage", "mounted");
	if (read(go_fd, &c, 1) != 1)
		return;
	if (o->stop_after && strcmp(o->stop_after, "mount_all") == 0) {
		if (o->inspect)
			o->inspect();
		rootfs_ctx_release(&r);
		return;
	}
	if (o->console) {
		int ptmx =
			pathfd_open_in_root(r.rootfs_fd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0, &e);
		int unlock = 0;
		int slave = -1;
		if (ptmx >= 0 && ioctl(ptmx, TIOCSPTLCK, &unlock) == 0)
			slave = ioctl(ptmx, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (slave < 0) {
			emit("err", "console: no pty: %s", strerror(errno));
			if (o->on_error)
				o->on_error();
			return;
		}
		struct stat st;
		fstat(slave, &st);
		emit("pty_minor", "%u", minor(st.st_rdev));
		if (rootfs_bind_console(&r, slave, &e) < 0) {
			emit("err", "console: %s", e.msg);
			if (o->on_error)
				o->on_error();
			return;
		}
		close(slave);
		close(ptmx);
	}
	if (rootfs_pivot(&r, &e) < 0) {
		emit("err", "pivot: %s", e.msg);
		if (o->on_error)
			o->on_error();
		rootfs_ctx_release(&r);
		return;
	}
	if (!(o->stop_after && strcmp(o->stop_after, "pivot") == 0) &&
	    rootfs_finalize(&r, &e) < 0) {
		emit("err", "finalize: %s", e.msg);
		if (o->on_error)
			o->on_error();
		rootfs_ctx_release(&r);
		return;
	}
	rootfs_ctx_release(&r);
	if (o->inspect)
		o->inspect();
#undef r
}

/* Pretends the kernel has no openat2 and no new mount API. */
static inline int deny_new_syscalls(int err)
{
	static const int calls[] = {SYS_openat2,  SYS_open_tree, SYS_move_mount, SYS_fsopen,
				    SYS_fsconfig, SYS_fsmount,   SYS_fspick,     SYS_mount_setattr};
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc = ctx ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < sizeof(calls) / sizeof(calls[0]); i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), calls[i], 0);
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	return rc;
}

static inline void container_main(struct cfgb *b, const char *bundle, const struct run_opts *o,
				  int go_fd)
{
	if (o->old_kernel_errno && deny_new_syscalls(o->old_kernel_errno) < 0) {
		emit("err", "harness: seccomp filter failed");
		return;
	}
	struct rootfs_ctx r;
	memset(&r, 0, sizeof(r));
	r.rootfs_fd = r.proc_fd = -1;
	container_steps(&r, b, bundle, o, go_fd);
	rootfs_ctx_release(&r);
	leak_check();
}

static inline void write_idmap(pid_t pid, const char *file, const char *map)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/%s", (int)pid, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, map, strlen(map)) < 0)
		fprintf(stderr, "harness: %s: %s\n", p, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Runs the rootfs steps for config b in new namespaces; fills res. */
static inline void run_container(struct cfgb *b, const char *bundle, const struct run_opts *o,
				 struct results *res)
{
	int c2p[2], p2c[2];
	memset(res, 0, sizeof(*res));
	if (pipe2(c2p, O_CLOEXEC) < 0 || pipe2(p2c, O_CLOEXEC) < 0)
		h_die("pipe");
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		h_die("fork");
	if (pid == 0) {
		close(c2p[0]);
		close(p2c[1]);
		h_out_fd = c2p[1];
		char c;
		if (cfg_has_ns(b, OCI_NS_USER)) {
			if (unshare(CLONE_NEWUSER) < 0) {
				emit("err", "harness: unshare user: %s", strerror(errno));
				_exit(0);
			}
			emit("userns", "ready");
			if (read(p2c[0], &c, 1) != 1)
				_exit(3);
		}
		int fl = CLONE_NEWNS;
		if (cfg_has_ns(b, OCI_NS_PID))
			fl |= CLONE_NEWPID;
		if (cfg_has_ns(b, OCI_NS_IPC))
			fl |= CLONE_NEWIPC;
		if (cfg_has_ns(b, OCI_NS_UTS))
			fl |= CLONE_NEWUTS;
		if (cfg_has_ns(b, OCI_NS_NETWORK))
			fl |= CLONE_NEWNET;
		if (cfg_has_ns(b, OCI_NS_CGROUP))
			fl |= CLONE_NEWCGROUP;
		if (unshare(fl) < 0) {
			emit("err", "harness: unshare: %s", strerror(errno));
			_exit(0);
		}
		/* the harness' own safety net: nothing here reaches the host */
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
			_exit(4);
		if (o->pre_mount)
			o->pre_mount(bundle);
		pid_t g = fork();
		if (g == 0) {
			container_main(b, bundle, o, p2c[0]);
			_exit(0);
		}
		int st = 0;
		waitpid(g, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	}
	close(c2p[1]);
	close(p2c[0]);
	FILE *in = fdopen(c2p[0], "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, in)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		if (strcmp(line, "userns=ready") == 0) {
			write_idmap(pid, "uid_map", "0 0 4294967295\n");
			write_idmap(pid, "gid_map", "0 0 4294967295\n");
			if (write(p2c[1], "g", 1) != 1)
				h_die("write");
			continue;
		}
		if (strcmp(line, "stage=mounted") == 0) {
			if (o->at_mounted)
				o->at_mounted(pid);
			if (write(p2c[1], "g", 1) != 1)
				h_die("write");
			continue;
		}
		char *eq = strchr(line, '=');
		if (!eq || res->n == RES_MAX)
			continue;
		*eq = '\0';
		res->key[res->n] = strdup(line);
		res->val[res->n] = strdup(eq + 1);
		res->n++;
	}
	free(line);
	fclose(in);
	close(p2c[1]);
	waitpid(pid, &res->status, 0);
}

/* Asserts key == expected. */
#define EXPECT(res, key, expected, ...) TAP_STREQ(res_get((res), (key)), (expected), __VA_ARGS__)

/*
 * What a mask made from the host's /dev/null looks like: the real 1:3 device, with the host
 * node's own owner (another program on the machine may have changed it; masks bind the node).
 */
static inline const char *host_null_desc(void)
{
	static char d[64];
	struct stat st;
	if (stat("/dev/null", &st) < 0)
		return "c 1:3 0666 0:0";
	snprintf(d, sizeof(d), "c 1:3 %04o %u:%u", (unsigned)(st.st_mode & 07777),
		 (unsigned)st.st_uid, (unsigned)st.st_gid);
	return d;
}

#endif
