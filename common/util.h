/* SPDX-License-Identifier: Apache-2.0 */
#ifndef WARD_UTIL_H
#define WARD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Reads a whole file (at most max bytes; more is an error) into a NUL-terminated heap buffer. */
int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *out_len,
		 struct werr *e);
int read_fd_all(int fd, size_t max, char **out, size_t *out_len, struct werr *e);

/* Writes data to dir/name through a temporary file and rename(), so readers see old or new. */
int write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
			 struct werr *e);

/* Writes a short string to an existing file (proc/sys/cgroup knobs). */
int write_file_str_at(int dirfd, const char *path, const char *s, struct werr *e);

/* Writes all of buf, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);

/* mkdir -p; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode, struct werr *e);

/* Heap sprintf that aborts on out-of-memory (the only sane reaction in a short-lived CLI). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xstrdup(const char *s);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);

/* A NULL-terminated shallow copy of n strings (for execve); free() the array only. */
char **strv_terminated(char *const *v, size_t n);

bool str_has_prefix(const char *s, const char *prefix);
/*
 * Lexically cleans a path into an absolute one: "a//b/./c/../d" -> "/a/b/d";
 * ".." at the top stays at "/". Returns a heap string.
 */
char *path_clean(const char *path);

/* Parses a whole decimal string into a long long within [min, max]. */
int parse_ll(const char *s, long long min, long long max, long long *out);

/* Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat), 0 if gone. */
unsigned long long proc_start_time(pid_t pid);

#endif
