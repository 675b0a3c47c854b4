/* SPDX-License-Identifier: Apache-2.0 */
/*
 * In-root path resolution (runtime/pathfd.c), run twice: through openat2 and through
 * the user-space walker (pathfd_force_fallback), plus a differential pass comparing
 * the two on every test path. The tree lives in a temp dir with symlinks that try to
 * leave it (absolute, relative "..", links to real host directories, /proc magic links).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <seccomp.h>
#include <sys/syscall.h>

#include "../../common/cleanup.h"
#include "../../common/util.h"
#include "../../runtime/pathfd.h"
#include "tap.h"

static char root[64] = "/tmp/ward-pathfd-root-XXXXXX";
static char outside[64] = "/tmp/ward-pathfd-out-XXXXXX";
static int root_fd = -1;

static void put(const char *rel, const char *content)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	FILE *f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(content, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, 0755) < 0) {
		perror(p);
		exit(2);
	}
}

static void link_(const char *target, const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p) < 0) {
		perror(p);
		exit(2);
	}
}

static void build_tree(void)
{
	char t[512];
	dir("a");
	dir("a/b");
	put("a/b/file", "F");
	link_("/a", "abs");
	link_("a/b", "rel");
	link_("../../../../../../", "up");
	link_("../../..", "a/b/toroot");
	link_("/../../etc", "escape");
	link_("loop2", "loop1");
	link_("loop1", "loop2");
	link_("/a/created", "dangling");
	link_("/made/here", "dang2");
	snprintf(t, sizeof(t), "%s/secret", outside);
	link_(t, "hostlink");
	link_(outside, "hostdir");
	put("plain", "P");
}

static bool same_file(int fd, const char *rel)
{
	char p[512];
	struct stat a, b;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (fd < 0 || fstat(fd, &a) < 0 || lstat(p, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static bool exists_rel(const char *rel)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return lstat(p, &st) == 0;
}

static bool exists_out(const char *rel)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", outside, rel);
	return lstat(p, &st) == 0;
}

/* open in root, returning the fd or -errno */
static int oir(const char *path, int flags)
{
	struct werr e;
	int fd = pathfd_open_in_root(root_fd, path, flags, 0644, &e);
	return fd >= 0 ? fd : -(e.errnum ? e.errnum : 1000);
}

static void check_resolution(const char *mode)
{
	int fd;

	fd = oir("a/b/file", O_RDONLY);
	char buf[8] = "";
	TAP_OK(fd >= 0 && read(fd, buf, sizeof(buf)) == 1 && buf[0] == 'F', "%s: plain path", mode);
	if (fd >= 0)
		close(fd);

	static const char *const same[] = {
		"/abs/b/file",         "rel/file",         "../../../a/b/file", "up/a/b/file",
		"a/b/toroot/a/b/file", "/a/./b/../b/file", "abs/../a/b/file",   "//a//b//file",
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		fd = oir(same[i], O_PATH);
		TAP_OK(same_file(fd, "a/b/file"), "%s: %s stays in the root", mode, same[i]);
		if (fd >= 0)
			close(fd);
	}

	fd = oir("hostlink", O_RDONLY);
	TAP_OK(fd == -ENOENT, "%s: absolute link to a host file resolves in the root (got %d)",
	       mode, fd);
	if (fd >= 0)
		close(fd);
	fd = oir("escape", O_PATH);
	TAP_OK(fd == -ENOENT, "%s: /../../etc is the root's /etc (got %d)", mode, fd);
	if (fd >= 0)
		close(fd);
	fd = oir("loop1", O_PATH);
	TAP_OK(fd == -ELOOP, "%s: symlink loop is ELOOP (got %d)", mode, fd);
	if (fd >= 0)
		close(fd);
	fd = oir("a/b/file/x", O_PATH);
	TAP_OK(fd == -ENOTDIR, "%s: through a file is ENOTDIR (got %d)", mode, fd);
	if (fd >= 0)
		close(fd);

	fd = oir("abs", O_PATH | O_NOFOLLOW);
	struct stat st;
	TAP_OK(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode),
	       "%s: O_NOFOLLOW|O_PATH gives the link itself", mode);
	if (fd >= 0)
		close(fd);
	fd = oir("abs", O_RDONLY | O_NOFOLLOW);
	TAP_OK(fd == -ELOOP, "%s: O_NOFOLLOW open of a link is ELOOP (got %d)", mode, fd);
	if (fd >= 0)
		close(fd);

	fd = oir("/", O_PATH);
	TAP_OK(same_file(fd, "."), "%s: / is the root", mode);
	if (fd >= 0)
		close(fd);
	fd = oir("", O_PATH);
	TAP_OK(same_file(fd, "."), "%s: empty path is the root", mode);
	if (fd >= 0)
		close(fd);

	/* O_CREAT through a dangling absolute link creates inside the root */
	fd = oir("dangling", O_WRONLY | O_CREAT);
	TAP_OK(fd >= 0 && exists_rel("a/created"), "%s: O_CREAT through a dangling link (got %d)",
	       mode, fd);
	if (fd >= 0)
		close(fd);
	unlinkat(root_fd, "a/created", 0);
	fd = oir("plain", O_WRONLY | O_CREAT | O_EXCL);
	TAP_OK(fd == -EEXIST, "%s: O_EXCL on an existing file (got %d)", mode, fd);
	if (fd >= 0)
		close(fd);
}

static void check_creation(const char *mode)
{
	struct werr e;
	int fd = pathfd_mkdir_all_in_root(root_fd, "x/y/z", 0755, &e);
	TAP_OK(same_file(fd, "x/y/z"), "%s: mkdir -p x/y/z", mode);
	if (fd >= 0)
		close(fd);
	fd = pathfd_mkdir_all_in_root(root_fd, "/abs/n1/n2", 0755, &e);
	TAP_OK(same_file(fd, "a/n1/n2"), "%s: mkdir -p through an absolute link", mode);
	if (fd >= 0)
		close(fd);
	fd = pathfd_mkdir_all_in_root(root_fd, "hostdir/evil", 0755, &e);
	char in_root[512];
	snprintf(in_root, sizeof(in_root), "%s/evil", outside + 1);
	TAP_OK(fd >= 0 && !exists_out("evil") && same_file(fd, in_root),
	       "%s: mkdir -p through a link to a host dir stays in the root", mode);
	if (fd >= 0)
		close(fd);
	fd = pathfd_mkdir_all_in_root(root_fd, "plain/sub", 0755, &e);
	TAP_OK(fd < 0 && e.errnum == ENOTDIR, "%s: mkdir -p through a file fails ENOTDIR", mode);
	if (fd >= 0)
		close(fd);

	fd = pathfd_mount_target(root_fd, "newf/file1", false, &e);
	struct stat st;
	TAP_OK(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && same_file(fd, "newf/file1"),
	       "%s: file mount target with its parent", mode);
	if (fd >= 0)
		close(fd);
	fd = pathfd_mount_target(root_fd, "dang2", false, &e);
	TAP_OK(fd >= 0 && same_file(fd, "made/here"),
	       "%s: file mount target through a dangling link", mode);
	if (fd >= 0)
		close(fd);
	fd = pathfd_mount_target(root_fd, "/tdir/../tdir2/d", true, &e);
	TAP_OK(same_file(fd, "tdir2/d") && !exists_rel("tdir"), "%s: dir mount target, cleaned",
	       mode);
	if (fd >= 0)
		close(fd);
	fd = pathfd_mount_target(root_fd, "plain", true, &e);
	TAP_OK(same_file(fd, "plain"), "%s: existing target returned as is", mode);
	if (fd >= 0)
		close(fd);

	TAP_OK(pathfd_symlink_in_root(root_fd, "/target", "links/l1", &e) == 0 &&
		       exists_rel("links/l1"),
	       "%s: symlink in root with parent", mode);
	TAP_OK(pathfd_symlink_in_root(root_fd, "/target", "links/l1", &e) < 0 && e.errnum == EEXIST,
	       "%s: second symlink is EEXIST", mode);

	char *base = NULL;
	fd = pathfd_open_parent_in_root(root_fd, "/rel/../q/name", 0755, &base, &e);
	TAP_OK(fd >= 0 && base && strcmp(base, "name") == 0 && same_file(fd, "q"),
	       "%s: parent of a cleaned path", mode);
	free(base);
	if (fd >= 0)
		close(fd);
	base = NULL;
	fd = pathfd_open_parent_in_root(root_fd, "/", 0755, &base, &e);
	TAP_OK(fd < 0 && e.errnum == EINVAL, "%s: / has no parent", mode);
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void reset_created(void)
{
	static const char *const made[] = {"x",     "a/n1",  "newf", "made",
					   "tdir2", "links", "q",    NULL};
	char p[512];
	for (size_t i = 0; made[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, made[i]);
		nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	}
	snprintf(p, sizeof(p), "%s/tmp", root);
	nftw(p, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void check_clean(void)
{
	static const char *const cases[][2] = {
		{"a//b/./c/../d", "/a/b/d"},
		{"../../x", "/x"},
		{"", "/"},
		{"/", "/"},
		{"a/..", "/"},
		{"..a/b", "/..a/b"},
		{"/a/b/", "/a/b"},
		{"../../../../tmp/escape", "/tmp/escape"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *c = path_clean(cases[i][0]);
		TAP_STREQ(c, cases[i][1], "clean \"%s\"", cases[i][0]);
		free(c);
	}
}

static void check_strict(const char *mode)
{
	struct werr e;
	int fd = pathfd_open_beneath_strict(root_fd, "a/b/file", O_RDONLY, &e);
	TAP_OK(same_file(fd, "a/b/file"), "%s: strict open of a plain path", mode);
	if (fd >= 0)
		close(fd);
	static const char *const bad[] = {"abs/b/file", "../a", "/a", "rel/file", "a/b/toroot"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fd = pathfd_open_beneath_strict(root_fd, bad[i], O_PATH, &e);
		TAP_OK(fd < 0, "%s: strict open refuses %s", mode, bad[i]);
		if (fd >= 0)
			close(fd);
	}
}

/* openat2 and the walker agree on every path (same inode, or same errno). */
static void check_differential(void)
{
	static const char *const paths[] = {
		"a/b/file", "/abs/b/file",   "rel/file",   "up/a", "a/b/toroot/plain", "hostlink",
		"escape",   "loop1",         "a/b/file/x", "abs",  "dangling",         "plain/",
		"a/b/",     "nonexistent/x", "hostdir",    "..",   "a/../../..",
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct werr e1, e2;
		pathfd_force_fallback = false;
		int a = pathfd_open_in_root(root_fd, paths[i], O_PATH, 0, &e1);
		int b = pathfd_open_in_root_walk(root_fd, paths[i], O_PATH, 0, &e2);
		bool agree;
		if (a >= 0 && b >= 0) {
			struct stat sa, sb;
			agree = fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
				sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
		} else {
			agree = a < 0 && b < 0 && e1.errnum == e2.errnum;
		}
		TAP_OK(agree, "openat2 and walker agree on %s (%d/%d, %d/%d)", paths[i], a,
		       a < 0 ? e1.errnum : 0, b, b < 0 ? e2.errnum : 0);
		if (a >= 0)
			close(a);
		if (b >= 0)
			close(b);
	}
}

/*
 * The real thing rather than the test flag: a seccomp filter makes openat2 fail (ENOSYS
 * as on an old kernel, EPERM as with an old container profile); every path must still
 * resolve exactly as openat2 resolved it.
 */
static const char *const seccomp_paths[] = {
	"a/b/file", "/abs/b/file", "rel/file",   "up/a",       "a/b/toroot/plain",
	"hostlink", "escape",      "loop1",      "a/b/file/x", "abs",
	"plain/",   "..",          "a/../../..",
};
#define N_SECCOMP_PATHS (sizeof(seccomp_paths) / sizeof(seccomp_paths[0]))

struct answer {
	ino_t ino;
	int err;
};

static struct answer resolve(const char *path)
{
	struct werr e;
	struct answer a = {0, 0};
	int fd = pathfd_open_in_root(root_fd, path, O_PATH, 0, &e);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0)
		a.ino = st.st_ino;
	else
		a.err = fd >= 0 ? -1 : e.errnum;
	if (fd >= 0)
		close(fd);
	return a;
}

static void check_seccomp(int err, const char *name)
{
	struct answer want[N_SECCOMP_PATHS], got[N_SECCOMP_PATHS];
	pathfd_force_fallback = false;
	for (size_t i = 0; i < N_SECCOMP_PATHS; i++)
		want[i] = resolve(seccomp_paths[i]);
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
		int blocked = 0;
		if (ctx &&
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)err), SYS_openat2, 0) == 0 &&
		    seccomp_load(ctx) == 0)
			blocked = pathfd_syscall_missing(SYS_openat2);
		seccomp_release(ctx);
		struct answer a[N_SECCOMP_PATHS];
		for (size_t i = 0; i < N_SECCOMP_PATHS; i++)
			a[i] = resolve(seccomp_paths[i]);
		if (write(p[1], &blocked, sizeof(blocked)) < 0 || write(p[1], a, sizeof(a)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	int blocked = 0;
	bool ok = read(p[0], &blocked, sizeof(blocked)) == sizeof(blocked) &&
		  read(p[0], got, sizeof(got)) == sizeof(got);
	close(p[0]);
	waitpid(pid, NULL, 0);
	TAP_OK(ok && blocked, "%s: openat2 is blocked in the child", name);
	for (size_t i = 0; ok && i < N_SECCOMP_PATHS; i++)
		TAP_OK(got[i].ino == want[i].ino && got[i].err == want[i].err,
		       "%s: %s resolves as with openat2 (%lu/%d vs %lu/%d)", name, seccomp_paths[i],
		       (unsigned long)got[i].ino, got[i].err, (unsigned long)want[i].ino,
		       want[i].err);
}

/* A directory we hold moved out of the root is detected. */
static void check_moved_out(void)
{
	struct werr e;
	char from[512], to[512];
	dir("mv");
	dir("mv/inner");
	int fd = openat(root_fd, "mv/inner", O_PATH | O_DIRECTORY | O_CLOEXEC);
	TAP_OK(pathfd_check_below(root_fd, fd, &e) == 0, "check_below: inside the root");
	snprintf(from, sizeof(from), "%s/mv", root);
	snprintf(to, sizeof(to), "%s/mv", outside);
	TAP_OK(rename(from, to) == 0, "move the directory out of the root");
	TAP_OK(pathfd_check_below(root_fd, fd, &e) < 0 && e.errnum == EXDEV,
	       "check_below: a directory moved out is EXDEV");
	close(fd);
	snprintf(from, sizeof(from), "%s/mv/inner", outside);
	rmdir(from);
	rmdir(to);
}

/* /proc magic links never lead out: openat2 refuses them, the walker resolves their text
 * inside the root. Runs in a child with a private mount namespace (needs root). */
static void check_magic_links(const char *mode)
{
	if (geteuid() != 0) {
		TAP_OK(1, "# SKIP %s: magic links need root", mode);
		return;
	}
	int pfd[2];
	if (pipe(pfd) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		char res[8] = "fail";
		char p[512];
		if (unshare(CLONE_NEWNS) == 0 &&
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
			snprintf(p, sizeof(p), "%s/proc", root);
			mkdir(p, 0755);
			if (mount("proc", p, "proc", 0, NULL) == 0) {
				struct werr e;
				int fd = pathfd_open_in_root(root_fd, "proc/self/root/etc/passwd",
							     O_RDONLY, 0, &e);
				struct stat a, b;
				bool host = fd >= 0 && fstat(fd, &a) == 0 &&
					    stat("/etc/passwd", &b) == 0 && a.st_ino == b.st_ino &&
					    a.st_dev == b.st_dev;
				snprintf(res, sizeof(res), "%s", host ? "host" : "ok");
			}
		}
		if (write(pfd[1], res, strlen(res)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	char buf[16] = "";
	ssize_t n = read(pfd[0], buf, sizeof(buf) - 1);
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	if (n > 0)
		buf[n] = '\0';
	TAP_STREQ(buf, "ok", "%s: /proc/self/root magic link does not reach the host", mode);
	char p[512];
	snprintf(p, sizeof(p), "%s/proc", root);
	rmdir(p);
}

int main(void)
{
	if (!mkdtemp(root) || !mkdtemp(outside)) {
		perror("mkdtemp");
		return 2;
	}
	char secret[512];
	snprintf(secret, sizeof(secret), "%s/secret", outside);
	FILE *f = fopen(secret, "w");
	if (f) {
		fputs("HOST", f);
		fclose(f);
	}
	build_tree();
	root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);

	check_clean();
	const char *modes[] = {"openat2", "walker"};
	for (int m = 0; m < 2; m++) {
		pathfd_force_fallback = m == 1;
		check_resolution(modes[m]);
		check_creation(modes[m]);
		check_strict(modes[m]);
		check_magic_links(modes[m]);
		reset_created();
	}
	pathfd_force_fallback = false;
	check_differential();
	check_seccomp(ENOSYS, "seccomp ENOSYS");
	check_seccomp(EPERM, "seccomp EPERM");
	check_moved_out();

	close(root_fd);
	nftw(root, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	nftw(outside, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
