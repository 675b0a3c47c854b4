/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "options" of an OCI mount, split into what the kernel wants: MS_* flags (named
 * as mount(8) documents them, so "ro", "nosuid", "relatime"... mean what mount(8)
 * means), propagation changes in order, recursive attributes (runc's "rro", "rnosuid"...
 * applied with mount_setattr AT_RECURSIVE), idmap requests, and the filesystem-specific
 * rest ("mode=755,size=64k") as the data string.
 */
#ifndef WARD_MOUNT_OPTS_H
#define WARD_MOUNT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define MOUNT_OPTS_MAX_PROPAGATION 8

struct mount_opts {
	unsigned long flags;   /* MS_* requested (RDONLY, NOSUID, NODEV, NOEXEC, atime...) */
	unsigned long cleared; /* MS_* explicitly turned off ("rw", "suid", "dev", ...) */
	bool bind;             /* "bind" or "rbind" */
	bool recursive;        /* "rbind" */
	bool remount;
	unsigned long propagation[MOUNT_OPTS_MAX_PROPAGATION]; /* MS_SHARED|MS_REC ... */
	size_t n_propagation;
	uint64_t rec_set; /* MOUNT_ATTR_* to set on the whole tree ("rro", "rnosuid"...) */
	uint64_t rec_clr; /* MOUNT_ATTR_* to clear on the whole tree ("rrw", "rsuid"...) */
	bool idmap;       /* "idmap": id-map the top mount */
	bool ridmap;      /* "ridmap": id-map every mount of the tree */
	bool tmpcopyup;   /* runc/crun extension: copy the target's content into a new tmpfs */
	char *data;       /* filesystem options, NULL when none */
};

/* Parses an OCI options array. Fails on malformed options (empty, bad quoting) and on
 * more than MOUNT_OPTS_MAX_PROPAGATION propagation changes. */
int mount_opts_parse(char *const *options, size_t n, struct mount_opts *out, struct werr *e);
void mount_opts_release(struct mount_opts *o);

/* MS_* mount-level flags -> MOUNT_ATTR_* (RDONLY, NOSUID, NODEV, NOEXEC, atime, NODIRATIME,
 * NOSYMFOLLOW); superblock flags are not mount attributes and are ignored. */
uint64_t mount_ms_to_attr(unsigned long ms);

/* MS_* flags that belong to a mount (as opposed to the superblock or to the operation). */
#define MOUNT_MS_VFS_FLAGS                                                                         \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME | MS_NOSYMFOLLOW)
#define MOUNT_MS_ATIME       (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)
#define MOUNT_MS_PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

/* Names a propagation value ("rslave", "shared"...) as MS_* flags; 0 when unknown. */
unsigned long mount_propagation_from_name(const char *name);

#endif
