/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /proc/self/mountinfo, one entry per line (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * Paths come unescaped (the kernel writes space, tab, newline and backslash as \ooo).
 */
#ifndef WARD_MOUNTINFO_H
#define WARD_MOUNTINFO_H

#include <stddef.h>

#include "../common/err.h"

struct mountinfo_entry {
	int id, parent;
	unsigned dev_major, dev_minor;
	const char *root;     /* the mounted directory inside its filesystem */
	const char *target;   /* where it is mounted */
	const char *vfs_opts; /* per-mount options: "rw,nosuid" */
	const char *fstype;
	const char *source;
	const char *fs_opts; /* superblock options */
};

struct mountinfo {
	struct mountinfo_entry *e;
	size_t n;
	char *text; /* the file, split in place: the entries point into it */
};

/* Splits one line (without its newline) in place; the entry points into it. 0, or -1 when
 * the line is malformed. */
int mountinfo_parse_line(char *line, struct mountinfo_entry *m);
/* Reads and parses a mountinfo file (in file order: parents before children). */
int mountinfo_read(const char *path, struct mountinfo *mi, struct werr *e);
/* Parses text in place (taking ownership of it, freed by mountinfo_free). */
int mountinfo_parse(char *text, struct mountinfo *mi, struct werr *e);
void mountinfo_free(struct mountinfo *mi);

#endif
