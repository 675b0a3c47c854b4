/* SPDX-License-Identifier: Apache-2.0 */
#include "mountinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"

/* A host with many containers can have tens of thousands of mounts. */
#define MOUNTINFO_MAX (64u << 20)

/* Undoes the kernel's \ooo escapes in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') << 6 | (r[2] - '0') << 3 | (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* The next space-separated field of *p (NUL-terminated in place), NULL at the line's end. */
static char *field(char **p)
{
	char *s = *p;
	if (!s || !*s)
		return NULL;
	char *sp = strchr(s, ' ');
	if (sp) {
		*sp = '\0';
		*p = sp + 1;
	} else {
		*p = NULL;
	}
	return s;
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *m)
{
	char *p = line, *id = field(&p), *parent = field(&p), *dev = field(&p);
	char *root = field(&p), *target = field(&p), *vfs = field(&p);
	if (!id || !parent || !dev || !root || !target || !vfs)
		return -1;
	/* optional fields ("shared:1", "master:2") up to the "-" separator */
	char *f;
	while ((f = field(&p)) && strcmp(f, "-") != 0) {
	}
	char *fstype = f ? field(&p) : NULL, *source = field(&p), *fs_opts = field(&p);
	if (!fstype || !source || !fs_opts)
		return -1;
	char *end;
	m->id = (int)strtol(id, &end, 10);
	if (*end)
		return -1;
	m->parent = (int)strtol(parent, &end, 10);
	if (*end)
		return -1;
	char tail;
	if (sscanf(dev, "%u:%u%c", &m->dev_major, &m->dev_minor, &tail) != 2)
		return -1;
	unescape(root);
	unescape(target);
	unescape(fstype);
	unescape(source);
	unescape(fs_opts);
	m->root = root;
	m->target = target;
	m->vfs_opts = vfs;
	m->fstype = fstype;
	m->source = source;
	m->fs_opts = fs_opts;
	return 0;
}

int mountinfo_parse(char *text, struct mountinfo *mi, struct werr *e)
{
	memset(mi, 0, sizeof(*mi));
	mi->text = text;
	size_t lines = 0;
	for (const char *c = text; *c; c++)
		lines += *c == '\n';
	mi->e = xcalloc(lines + 1, sizeof(*mi->e));
	char *save = NULL;
	size_t no = 0;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		no++;
		if (mountinfo_parse_line(line, &mi->e[mi->n]) < 0) {
			mountinfo_free(mi);
			return werr_set(e, EIO, "mountinfo line %zu: cannot parse", no);
		}
		mi->n++;
	}
	return 0;
}

int mountinfo_read(const char *path, struct mountinfo *mi, struct werr *e)
{
	char *text = NULL;
	size_t len = 0;
	memset(mi, 0, sizeof(*mi));
	if (read_file_at(AT_FDCWD, path, MOUNTINFO_MAX, &text, &len, e) < 0)
		return -1;
	if (mountinfo_parse(text, mi, e) < 0)
		return werr_wrap(e, "%s", path);
	return 0;
}

void mountinfo_free(struct mountinfo *mi)
{
	free(mi->e);
	free(mi->text);
	memset(mi, 0, sizeof(*mi));
}
