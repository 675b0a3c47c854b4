/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the process_attrs*.c files; not an interface for other modules. */
#ifndef WARD_PROCESS_ATTRS_INTERNAL_H
#define WARD_PROCESS_ATTRS_INTERNAL_H

#include "process_attrs.h"

int scheduler_validate(const struct oci_scheduler *s, struct werr *e);
int io_priority_validate(const struct oci_io_priority *io, struct werr *e);
int personality_validate(const struct oci_personality *pers, struct werr *e);
int rlimits_validate(const struct oci_rlimit *r, size_t n, struct werr *e);

/*
 * procfs access that cannot be redirected: `proc_fd` must be a procfs
 * directory (-1: this opens /proc and checks it). The path is resolved below
 * it without magic links and without crossing a mount, and the opened file is
 * checked to be on procfs too.
 */
int procfs_dir_open(int proc_fd, struct werr *e); /* a new fd, checked */
int procfs_open(int proc_fd, const char *path, int flags, struct werr *e);
int procfs_write(int proc_fd, const char *path, const char *s, struct werr *e);
/* Reads a small proc file; returns -1 with errno set when it cannot be opened/read. */
int procfs_read(int proc_fd, const char *path, char *buf, size_t len);

int lsm_apply(const struct oci_process *p, int proc_fd, struct werr *e);
int lsm_validate(const struct oci_process *p, int proc_fd, struct werr *e);

int user_apply(const struct oci_user *u, int proc_fd, struct werr *e);

#endif
