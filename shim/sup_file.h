/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File calls in the supervisor: the audit of file operations (audit.files,
 * sup_file.c) and the virtual /proc files (proc.virtualize, sup_vproc.c).
 * Both are notified by the ward filter (runtime/ward_filter.h says which calls
 * under which switch); neither ever decides on a path read from memory.
 */
#ifndef WARD_SUP_FILE_H
#define WARD_SUP_FILE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "sup.h"

/* An open, creat, openat or openat2 as the supervisor read it. */
struct sup_open {
	const char *syscall;
	int dirfd; /* AT_FDCWD for open and creat */
	uint64_t path_addr;
	uint64_t flags, mode, resolve; /* openat2: from struct open_how in memory */
	bool how_ok;                   /* openat2: the struct could be read */
	bool have_path, truncated;
	char path[PATH_MAX];
};

/* ---- sup_file.c ---- */
/* open/creat/openat/openat2: the audit line (audit.files), the virtual file or CONTINUE. */
void sup_file_open(struct sup_call *c);
/* rename*, unlink*, rmdir, link*, symlink*, mkdir*, truncate: a line and CONTINUE.
 * False when the call is none of them (or audit.files is off). */
bool sup_file_audit(struct sup_call *c);
/* "O_WRONLY|O_CREAT|O_CLOEXEC" (unknown bits as hex). */
void sup_file_open_flags(uint64_t flags, char *buf, size_t len);

/* ---- sup_vproc.c ---- */
/* Answers the open with the virtual file when it names one (true), else does nothing. */
bool sup_vproc_open(struct sup_call *c, const struct sup_open *o);
/* sched_getaffinity(2) and sysinfo(2) with the container's CPUs and memory. */
void sup_vproc_affinity(struct sup_call *c);
void sup_vproc_sysinfo(struct sup_call *c);
/* Frees what the first virtual open loaded (the container's cgroup). */
void sup_vproc_release(void);

#endif
