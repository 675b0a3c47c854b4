/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The ward binary as container processes see it (CVE-2019-5736).
 *
 * Container init and `exec` processes are forked from ward and run ward's code inside the
 * container until they execve the container's program; a container can also make the kernel
 * re-run /proc/self/exe of such a process (a "#!/proc/self/exe" script). Whoever gets
 * /proc/PID/exe of that process could reopen the binary for writing once nothing executes
 * it any more, and replace the host's ward.
 *
 * So the commands that start container processes (create, run, exec) first re-execute
 * ward from a copy nobody can write:
 *   1. a read-only bind mount of the binary, cloned detached with open_tree() and
 *      never attached anywhere: reopening it for writing fails with EROFS, nothing is
 *      copied (same page cache), the mount vanishes with the last process running it;
 *   2. when that is refused (no CAP_SYS_ADMIN, kernel < 5.12): a memfd copy sealed
 *      against writes (F_SEAL_WRITE|SHRINK|GROW|SEAL), like runc's cloned binary.
 * A binary that already sits on a read-only mount or in a sealed memfd runs as it is.
 *
 * Cost (bench/exe-seal.sh, medians on this 2-core VM while other work ran, load ~4):
 * `ward state --help` 4.7 ms; the same with the seal: +2.5 ms with the bind mount (one
 * more execve and dynamic link of ward), +4.5 ms with the memfd (plus the copy of the
 * 1.8 MB binary, and that much shared memory for as long as a supervisor runs from it,
 * which is why it is only the fallback). Paid by create, run and exec only.
 */
#ifndef WARD_EXE_SEAL_H
#define WARD_EXE_SEAL_H

#include <stdbool.h>

#include "../common/err.h"

/* True when argv names a command that starts processes in a container. */
bool exe_seal_wanted(int argc, char **argv);

/* True when /proc/self/exe cannot be opened for writing by anyone: it is on a read-only
 * mount or is a write-sealed memfd. */
bool exe_is_sealed(void);

/*
 * When the running binary is not sealed, re-executes it (same argv and environment) from
 * a sealed copy and does not return. Returns 0 when it is sealed already, -1 with *e when
 * no sealed copy could be made or executed (the caller must not go on: fail closed).
 * The environment variable WARD_EXE_SEAL=memfd forces the memfd copy (tests, benchmark).
 */
int exe_seal_reexec(char **argv, struct werr *e);

/*
 * An fd to execute `path` from (through /proc/self/fd/N) that no process can write: the file
 * itself when it sits on a read-only mount, else a detached read-only bind mount of it, else
 * a sealed memfd copy (as above). Used for ward itself and for the supervisor binary.
 */
int exe_seal_open(const char *path, struct werr *e);

/* The path ward was started from (before any sealed re-exec), or NULL when unknown. */
const char *exe_original_path(void);

#endif
