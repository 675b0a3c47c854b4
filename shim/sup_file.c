/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File calls: the audit of opens, renames, unlinks, links, mkdirs and
 * truncates (policy audit.files), and the door to the virtual /proc files for
 * opens (proc.virtualize, sup_vproc.c).
 *
 * Every audited call goes on with CONTINUE: the supervisor never decides on a
 * path it read from memory, because another thread of the caller can rewrite
 * it between our read and the kernel's (the wall for files is the Landlock
 * domain and the mount flags, which the kernel applies to what it really
 * resolves). So each line says "reported": "caller": the paths are what the
 * caller's memory held when we looked. They are logged only if the
 * notification is still alive after the read (else the pid may already name
 * someone else).
 */
#include "sup_file.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "../common/util.h"

/* The kernel's O_* bits (x86_64; userspace headers hide some, e.g. O_LARGEFILE). */
static const struct {
	const char *name;
	uint64_t bits;
} open_bits[] = {
	{"O_CREAT", 0100},        {"O_EXCL", 0200},         {"O_NOCTTY", 0400},
	{"O_TRUNC", 01000},       {"O_APPEND", 02000},      {"O_NONBLOCK", 04000},
	{"O_SYNC", 04010000},     {"O_DSYNC", 010000},      {"O_ASYNC", 020000},
	{"O_DIRECT", 040000},     {"O_LARGEFILE", 0100000}, {"O_TMPFILE", 020200000},
	{"O_DIRECTORY", 0200000}, {"O_NOFOLLOW", 0400000},  {"O_NOATIME", 01000000},
	{"O_CLOEXEC", 02000000},  {"O_PATH", 010000000},
};

void sup_file_open_flags(uint64_t flags, char *buf, size_t len)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
	size_t used = (size_t)snprintf(buf, len, "%s", acc[flags & 3]);
	uint64_t rest = flags & ~(uint64_t)3;
	for (size_t i = 0; i < ARRAY_SIZE(open_bits) && used < len; i++)
		if ((rest & open_bits[i].bits) == open_bits[i].bits) {
			used += (size_t)snprintf(buf + used, len - used, "|%s", open_bits[i].name);
			rest &= ~open_bits[i].bits;
		}
	if (rest && used < len)
		snprintf(buf + used, len - used, "|0x%" PRIx64, rest);
}

static void key_mode(struct jsonw *w, const char *key, uint64_t mode)
{
	char s[16];
	snprintf(s, sizeof(s), "0%03" PRIo64, mode & 07777);
	jsonw_key_str(w, key, s);
}

static void key_hex(struct jsonw *w, const char *key, uint64_t v)
{
	char s[24];
	snprintf(s, sizeof(s), "0x%" PRIx64, v);
	jsonw_key_str(w, key, s);
}

/* An int register as the kernel reads it (AT_FDCWD is -100). */
static int reg_int(uint64_t v)
{
	return (int)(int32_t)v;
}

/* ---- opens ---- */

static bool decode_open(struct sup_call *c, struct sup_open *o)
{
	const __u64 *a = c->n.data.args;
	memset(o, 0, sizeof(*o));
	o->dirfd = AT_FDCWD;
	switch (c->n.data.nr) {
	case SYS_open:
		o->syscall = "open";
		o->path_addr = a[0];
		o->flags = (uint32_t)a[1];
		o->mode = a[2];
		break;
	case SYS_creat:
		o->syscall = "creat";
		o->path_addr = a[0];
		o->flags = O_CREAT | O_WRONLY | O_TRUNC;
		o->mode = a[1];
		break;
	case SYS_openat:
		o->syscall = "openat";
		o->dirfd = reg_int(a[0]);
		o->path_addr = a[1];
		o->flags = (uint32_t)a[2];
		o->mode = a[3];
		break;
	case SYS_openat2: {
		o->syscall = "openat2";
		o->dirfd = reg_int(a[0]);
		o->path_addr = a[1];
		/* struct open_how {u64 flags, mode, resolve}: read from memory (the kernel
		 * rejects a size below 24, so do we) */
		uint64_t how[3];
		o->how_ok = a[3] >= sizeof(how) &&
			    sup_target_read((pid_t)c->n.pid, a[2], how, sizeof(how)) == 0;
		if (o->how_ok) {
			o->flags = how[0];
			o->mode = how[1];
			o->resolve = how[2];
		}
		break;
	}
	default:
		return false;
	}
	o->have_path = sup_target_read_str((pid_t)c->n.pid, o->path_addr, o->path, sizeof(o->path),
					   &o->truncated) == 0;
	return true;
}

void sup_file_open(struct sup_call *c)
{
	const struct ward_policy *p = c->s->pol;
	struct sup_open o;
	if (!decode_open(c, &o)) {
		sup_call_reply(c, 0, ENOSYS, "error", NULL);
		return;
	}
	if (p->audit.files) {
		sup_call_audit_begin(c, o.syscall);
		struct jsonw *w = &c->jw;
		if (o.dirfd != AT_FDCWD || c->n.data.nr == SYS_openat ||
		    c->n.data.nr == SYS_openat2)
			jsonw_key_int(w, "dirfd", o.dirfd);
		if (c->n.data.nr != SYS_openat2 || o.how_ok) {
			char flags[256];
			sup_file_open_flags(o.flags, flags, sizeof(flags));
			jsonw_key_str(w, "flags", flags);
			if (o.flags & (O_CREAT | 020000000))
				key_mode(w, "mode", o.mode);
			if (o.resolve)
				key_hex(w, "resolve", o.resolve);
		}
	}
	/* answers itself with the virtual file (and finishes the line) when it is one */
	if (p->proc.virtualize && sup_vproc_open(c, &o))
		return;
	if (p->audit.files && sup_call_valid(c)) {
		if (o.have_path)
			jsonw_key_str(&c->jw, "path", o.path);
		if (o.truncated)
			jsonw_key_bool(&c->jw, "truncated", true);
	}
	sup_call_continue(c);
}

/* ---- the other file calls: their arguments by register ---- */

enum arg_kind { A_PATH, A_DIRFD, A_MODE, A_HEX, A_INT };

struct file_desc {
	long nr;
	const char *name;
	struct {
		int idx;
		enum arg_kind kind;
		const char *key;
	} a[5];
};

static const struct file_desc file_descs[] = {
	{SYS_rename, "rename", {{0, A_PATH, "oldpath"}, {1, A_PATH, "newpath"}}},
	{SYS_renameat,
	 "renameat",
	 {{0, A_DIRFD, "olddirfd"},
	  {1, A_PATH, "oldpath"},
	  {2, A_DIRFD, "newdirfd"},
	  {3, A_PATH, "newpath"}}},
	{SYS_renameat2,
	 "renameat2",
	 {{0, A_DIRFD, "olddirfd"},
	  {1, A_PATH, "oldpath"},
	  {2, A_DIRFD, "newdirfd"},
	  {3, A_PATH, "newpath"},
	  {4, A_HEX, "flags"}}},
	{SYS_unlink, "unlink", {{0, A_PATH, "path"}}},
	{SYS_unlinkat,
	 "unlinkat",
	 {{0, A_DIRFD, "dirfd"}, {1, A_PATH, "path"}, {2, A_HEX, "flags"}}},
	{SYS_rmdir, "rmdir", {{0, A_PATH, "path"}}},
	{SYS_link, "link", {{0, A_PATH, "oldpath"}, {1, A_PATH, "newpath"}}},
	{SYS_linkat,
	 "linkat",
	 {{0, A_DIRFD, "olddirfd"},
	  {1, A_PATH, "oldpath"},
	  {2, A_DIRFD, "newdirfd"},
	  {3, A_PATH, "newpath"},
	  {4, A_HEX, "flags"}}},
	{SYS_symlink, "symlink", {{0, A_PATH, "target"}, {1, A_PATH, "path"}}},
	{SYS_symlinkat,
	 "symlinkat",
	 {{0, A_PATH, "target"}, {1, A_DIRFD, "dirfd"}, {2, A_PATH, "path"}}},
	{SYS_mkdir, "mkdir", {{0, A_PATH, "path"}, {1, A_MODE, "mode"}}},
	{SYS_mkdirat, "mkdirat", {{0, A_DIRFD, "dirfd"}, {1, A_PATH, "path"}, {2, A_MODE, "mode"}}},
	{SYS_truncate, "truncate", {{0, A_PATH, "path"}, {1, A_INT, "length"}}},
};

bool sup_file_audit(struct sup_call *c)
{
	const struct file_desc *d = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(file_descs); i++)
		if (file_descs[i].nr == c->n.data.nr)
			d = &file_descs[i];
	if (!d || !c->s->pol->audit.files)
		return false;
	sup_call_audit_begin(c, d->name);
	struct jsonw *w = &c->jw;
	pid_t pid = (pid_t)c->n.pid;
	/* registers first, then the strings, which are logged only if the caller still waits */
	char paths[2][1024];
	bool have[2] = {false, false}, trunc[2] = {false, false};
	int np = 0;
	for (size_t k = 0; k < 5 && d->a[k].key; k++) {
		uint64_t v = c->n.data.args[d->a[k].idx];
		switch (d->a[k].kind) {
		case A_PATH:
			if (np < 2) {
				have[np] = sup_target_read_str(pid, v, paths[np], sizeof(paths[np]),
							       &trunc[np]) == 0;
				np++;
			}
			break;
		case A_DIRFD:
			jsonw_key_int(w, d->a[k].key, reg_int(v));
			break;
		case A_MODE:
			key_mode(w, d->a[k].key, v);
			break;
		case A_HEX:
			key_hex(w, d->a[k].key, v);
			break;
		case A_INT:
			jsonw_key_int(w, d->a[k].key, (long long)v);
			break;
		}
	}
	if (sup_call_valid(c)) {
		bool any_trunc = false;
		np = 0;
		for (size_t k = 0; k < 5 && d->a[k].key; k++) {
			if (d->a[k].kind != A_PATH || np >= 2)
				continue;
			if (have[np])
				jsonw_key_str(w, d->a[k].key, paths[np]);
			any_trunc |= trunc[np];
			np++;
		}
		if (any_trunc)
			jsonw_key_bool(w, "truncated", true);
	}
	sup_call_continue(c);
	return true;
}
