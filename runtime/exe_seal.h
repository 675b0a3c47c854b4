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
 * Cost (bench/exe-seal.sh, this VM): one extra execve and dynamic link of ward, about
 * 1 ms per create/run/exec with the bind mount; the memfd copy adds the copy of the
 * binary (1.7 MB, ~0.5 ms) and that much shared memory per supervisor, which is why it
 * is only the fallback.
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

#endif
