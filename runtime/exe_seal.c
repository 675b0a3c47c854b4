/* SPDX-License-Identifier: Apache-2.0 */
/* Re-executing ward from a copy of itself that cannot be written (see exe_seal.h). */
#include "exe_seal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "pathfd.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* Set across our own re-exec: a second pass that still finds the binary unsealed is an
 * error, never another exec (no loop). Removed before anything else runs. */
#define SEAL_MARK     "_WARD_EXE_SEALED"
#define SEAL_MARK_SET SEAL_MARK "=1"
/* Also set across that re-exec: the path the binary was run from, which the sealed copy's
 * /proc/self/exe no longer tells (the supervisor binary is found next to it). */
#define EXE_PATH_VAR "_WARD_EXE_PATH"

static char original_path[PATH_MAX];

extern char **environ;

bool exe_seal_wanted(int argc, char **argv)
{
	static const char *const commands[] = {"create", "run", "exec"};
	for (int i = 1; i < argc; i++)
		for (size_t k = 0; k < ARRAY_SIZE(commands); k++)
			if (strcmp(argv[i], commands[k]) == 0)
				return true;
	return false;
}

bool exe_is_sealed(void)
{
	struct statvfs sv;
	if (statvfs("/proc/self/exe", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return true;
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	int seals = fcntl(fd, F_GET_SEALS);
	const int need = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;
	return seals >= 0 && (seals & need) == need;
}

/* environ plus the mark and our path (*path_var, to free), for the re-executed ward */
static char **marked_env(char **path_var)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = xcalloc(n + 3, sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!str_has_prefix(environ[i], SEAL_MARK "=") &&
		    !str_has_prefix(environ[i], EXE_PATH_VAR "="))
			env[k++] = environ[i];
	env[k++] = (char *)SEAL_MARK_SET;
	*path_var = NULL;
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0 && self[0] == '/') {
		self[len] = '\0';
		*path_var = xasprintf("%s=%s", EXE_PATH_VAR, self);
		env[k++] = *path_var;
	}
	env[k] = NULL;
	return env;
}

const char *exe_original_path(void)
{
	if (original_path[0])
		return original_path;
	ssize_t len = readlink("/proc/self/exe", original_path, sizeof(original_path) - 1);
	/* a detached mount reads as "/", a memfd as "/memfd:..." */
	if (len <= 1 || original_path[0] != '/' || str_has_prefix(original_path, "/memfd:")) {
		original_path[0] = '\0';
		return NULL;
	}
	original_path[len] = '\0';
	return original_path;
}

/* A detached, read-only bind mount of the binary: an O_PATH fd of the file in it. */
static int ro_bind_copy(const char *path, struct werr *e)
{
	_cleanup_close_ int tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return werr_sys(e, "clone a bind mount of %s", path);
	struct mount_attr a = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return werr_sys(e, "make the bind mount of %s read-only", path);
	return take_fd(&tree);
}

/* A memfd holding a copy of the binary, sealed against any change. */
static int memfd_copy(const char *path, struct werr *e)
{
	_cleanup_close_ int src = open(path, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return werr_sys(e, "open %s", path);
	struct stat st;
	if (fstat(src, &st) < 0)
		return werr_sys(e, "fstat %s", path);
	/* MFD_EXEC: kernels with vm.memfd_noexec (6.3+) want exec asked for explicitly */
	_cleanup_close_ int m = memfd_create("ward", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (m < 0 && errno == EINVAL)
		m = memfd_create("ward", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0)
		return werr_sys(e, "memfd for a copy of %s", path);
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(m, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return werr_set(e, n < 0 ? errno : EIO, "copy %s", path);
	}
	if (fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return werr_sys(e, "seal the copy of %s", path);
	return take_fd(&m);
}

int exe_seal_open(const char *path, struct werr *e)
{
	struct statvfs sv;
	if (statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
		int fd = open(path, O_PATH | O_CLOEXEC);
		return fd >= 0 ? fd : werr_sys(e, "open %s", path);
	}
	const char *force = getenv("WARD_EXE_SEAL");
	bool memfd_only = force && strcmp(force, "memfd") == 0;
	struct werr be;
	werr_clear(&be);
	int fd = memfd_only ? -1 : ro_bind_copy(path, &be);
	if (fd < 0) {
		if (!memfd_only)
			log_debug("%s: using a sealed memfd copy instead", be.msg);
		fd = memfd_copy(path, e);
	}
	return fd;
}

int exe_seal_reexec(char **argv, struct werr *e)
{
	bool second_pass = getenv(SEAL_MARK) != NULL;
	const char *orig = getenv(EXE_PATH_VAR);
	if (second_pass && orig && orig[0] == '/' && strlen(orig) < sizeof(original_path))
		strcpy(original_path, orig);
	unsetenv(SEAL_MARK);
	unsetenv(EXE_PATH_VAR);
	if (second_pass) {
		/* an exec through /proc/self/fd/N names the process "N": ps and top would show
		 * every ward process as "3" */
		const char *base = strrchr(argv[0], '/');
		prctl(PR_SET_NAME, base ? base + 1 : argv[0]);
	}
	if (exe_is_sealed())
		return 0;
	if (second_pass)
		return werr_set(
			e, EPERM,
			"ward re-executed itself from a sealed copy, but the binary it runs "
			"is still writable");

	int fd = exe_seal_open("/proc/self/exe", e);
	if (fd < 0)
		return werr_wrap(e, "protect the ward binary from the container");
	_cleanup_free_ char *path_var = NULL;
	_cleanup_free_ char **env = marked_env(&path_var);
	/* through /proc/self/fd (what fexecve does): works for the O_PATH fd of the bind mount
	 * and the memfd alike, on kernels without execveat and under valgrind */
	char path[PATHFD_PROC_LEN];
	execve(pathfd_proc_path(path, fd), argv, env);
	int err = errno;
	close(fd);
	return werr_set(e, err, "re-execute ward from its sealed copy");
}
