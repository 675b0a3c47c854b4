/* SPDX-License-Identifier: Apache-2.0 */
/* Re-executing ward from a copy of itself that cannot be written (see exe_seal.h). */
#include "exe_seal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
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

/* environ plus the mark, for the re-executed ward */
static char **marked_env(void)
{
	size_t n = 0;
	while (environ && environ[n])
		n++;
	char **env = xcalloc(n + 2, sizeof(*env));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!str_has_prefix(environ[i], SEAL_MARK "="))
			env[k++] = environ[i];
	env[k++] = (char *)SEAL_MARK_SET;
	env[k] = NULL;
	return env;
}

/* A detached, read-only bind mount of the binary: an O_PATH fd of the file in it. */
static int ro_bind_copy(struct werr *e)
{
	_cleanup_close_ int tree =
		open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return werr_sys(e, "clone a bind mount of the ward binary");
	struct mount_attr a = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &a, sizeof(a)) < 0)
		return werr_sys(e, "make the bind mount of the ward binary read-only");
	return take_fd(&tree);
}

/* A memfd holding a copy of the binary, sealed against any change. */
static int memfd_copy(struct werr *e)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return werr_sys(e, "open the ward binary");
	struct stat st;
	if (fstat(src, &st) < 0)
		return werr_sys(e, "fstat the ward binary");
	/* MFD_EXEC: kernels with vm.memfd_noexec (6.3+) want exec asked for explicitly */
	_cleanup_close_ int m = memfd_create("ward", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (m < 0 && errno == EINVAL)
		m = memfd_create("ward", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0)
		return werr_sys(e, "memfd for a copy of the ward binary");
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(m, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return werr_set(e, n < 0 ? errno : EIO, "copy the ward binary");
	}
	if (fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return werr_sys(e, "seal the copy of the ward binary");
	return take_fd(&m);
}

int exe_seal_reexec(char **argv, struct werr *e)
{
	bool second_pass = getenv(SEAL_MARK) != NULL;
	unsetenv(SEAL_MARK);
	if (exe_is_sealed())
		return 0;
	if (second_pass)
		return werr_set(
			e, EPERM,
			"ward re-executed itself from a sealed copy, but the binary it runs "
			"is still writable");

	const char *force = getenv("WARD_EXE_SEAL");
	bool memfd_only = force && strcmp(force, "memfd") == 0;
	struct werr be;
	werr_clear(&be);
	int fd = memfd_only ? -1 : ro_bind_copy(&be);
	if (fd < 0) {
		if (!memfd_only)
			log_debug("%s: using a sealed memfd copy instead", be.msg);
		fd = memfd_copy(e);
		if (fd < 0)
			return werr_wrap(e, "protect the ward binary from the container");
	}
	_cleanup_free_ char **env = marked_env();
	/* through /proc/self/fd (what fexecve does): works for the O_PATH fd of the bind mount
	 * and the memfd alike, on kernels without execveat and under valgrind */
	char path[PATHFD_PROC_LEN];
	execve(pathfd_proc_path(path, fd), argv, env);
	int err = errno;
	close(fd);
	return werr_set(e, err, "re-execute ward from its sealed copy");
}
