/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI mount options -> flags, propagation, recursive attributes and data. The classic
 * options mean what mount(8) documents for them.
 */
#include "mount_opts.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "optstr.h"

/* runc's recursive options (mount_setattr with AT_RECURSIVE). */
static const struct {
	const char *name;
	uint64_t set;
	uint64_t clr;
} rec_opts[] = {
	{"rro", MOUNT_ATTR_RDONLY, 0},
	{"rrw", 0, MOUNT_ATTR_RDONLY},
	{"rnosuid", MOUNT_ATTR_NOSUID, 0},
	{"rsuid", 0, MOUNT_ATTR_NOSUID},
	{"rnodev", MOUNT_ATTR_NODEV, 0},
	{"rdev", 0, MOUNT_ATTR_NODEV},
	{"rnoexec", MOUNT_ATTR_NOEXEC, 0},
	{"rexec", 0, MOUNT_ATTR_NOEXEC},
	{"rnodiratime", MOUNT_ATTR_NODIRATIME, 0},
	{"rdiratime", 0, MOUNT_ATTR_NODIRATIME},
	{"rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
	{"rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
	/* atime is one field: changing it means clearing all of it and setting one value */
	{"rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
	{"rnorelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
	{"rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
	{"ratime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
	{"rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
	{"rnostrictatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
};

uint64_t mount_ms_to_attr(unsigned long ms)
{
	uint64_t a = 0;
	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOSYMFOLLOW)
		a |= MOUNT_ATTR_NOSYMFOLLOW;
	if (ms & MS_STRICTATIME)
		a |= MOUNT_ATTR_STRICTATIME;
	else if (ms & MS_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	return a;
}

unsigned long mount_propagation_from_name(const char *name)
{
	static const struct {
		const char *name;
		unsigned long ms;
	} names[] = {
		{"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
		{"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
		{"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
		{"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i].name) == 0)
			return names[i].ms;
	return 0;
}

/* mount(8)'s filesystem-independent options: the MS_* flag each sets, or clears. */
static const struct {
	const char *name;
	unsigned long ms;
	bool clear;
} linux_opts[] = {
	{"ro", MS_RDONLY, false},
	{"rw", MS_RDONLY, true},
	{"nosuid", MS_NOSUID, false},
	{"suid", MS_NOSUID, true},
	{"nodev", MS_NODEV, false},
	{"dev", MS_NODEV, true},
	{"noexec", MS_NOEXEC, false},
	{"exec", MS_NOEXEC, true},
	{"sync", MS_SYNCHRONOUS, false},
	{"async", MS_SYNCHRONOUS, true},
	{"dirsync", MS_DIRSYNC, false},
	{"mand", MS_MANDLOCK, false},
	{"nomand", MS_MANDLOCK, true},
	{"noatime", MS_NOATIME, false},
	{"atime", MS_NOATIME, true},
	{"nodiratime", MS_NODIRATIME, false},
	{"diratime", MS_NODIRATIME, true},
	{"relatime", MS_RELATIME, false},
	{"norelatime", MS_RELATIME, true},
	{"strictatime", MS_STRICTATIME, false},
	{"nostrictatime", MS_STRICTATIME, true},
	{"lazytime", MS_LAZYTIME, false},
	{"nolazytime", MS_LAZYTIME, true},
	{"iversion", MS_I_VERSION, false},
	{"noiversion", MS_I_VERSION, true},
	{"nosymfollow", MS_NOSYMFOLLOW, false},
	{"symfollow", MS_NOSYMFOLLOW, true},
	{"silent", MS_SILENT, false},
	{"loud", MS_SILENT, true},
	{"remount", MS_REMOUNT, false},
	{"bind", MS_BIND, false},
	{"rbind", MS_BIND | MS_REC, false},
};

/*
 * Options only mount(8) and fstab readers act on: they mean nothing to the kernel and are
 * dropped rather than passed to the filesystem (which would refuse them). A trailing "="
 * means the option takes a value; "*" a prefix.
 */
static const char *const userspace_opts[] = {
	"defaults",    "auto",     "noauto",  "user",  "user=",   "nouser",
	"users",       "owner",    "noowner", "group", "nogroup", "_netdev",
	"nofail",      "comment=", "loop",    "loop=", "offset=", "sizelimit=",
	"encryption=", "uhelper=", "helper=", "x-*",   "X-*",
};

static bool userspace_opt(const char *name, bool has_value)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < ARRAY_SIZE(userspace_opts); i++) {
		const char *u = userspace_opts[i];
		size_t ul = strlen(u);
		if (u[ul - 1] == '*') {
			if (strncmp(name, u, ul - 1) == 0)
				return true;
		} else if (u[ul - 1] == '=') {
			if (has_value && len == ul - 1 && strncmp(name, u, len) == 0)
				return true;
		} else if (!has_value && strcmp(name, u) == 0) {
			return true;
		}
	}
	return false;
}

static void data_append(char **data, const char *name, const char *value)
{
	char *n;
	if (*data)
		n = value ? xasprintf("%s,%s=%s", *data, name, value)
			  : xasprintf("%s,%s", *data, name);
	else
		n = value ? xasprintf("%s=%s", name, value) : xstrdup(name);
	free(*data);
	*data = n;
}

/* Applies one option. */
static int opt_apply(struct mount_opts *o, const char *name, const char *value, struct werr *e)
{
	if (!value) {
		for (size_t i = 0; i < ARRAY_SIZE(rec_opts); i++) {
			if (strcmp(name, rec_opts[i].name) == 0) {
				o->rec_set = (o->rec_set & ~rec_opts[i].clr) | rec_opts[i].set;
				o->rec_clr = (o->rec_clr & ~rec_opts[i].set) | rec_opts[i].clr;
				return 0;
			}
		}
		if (strcmp(name, "idmap") == 0) {
			o->idmap = true;
			return 0;
		}
		if (strcmp(name, "ridmap") == 0) {
			o->ridmap = true;
			return 0;
		}
		if (strcmp(name, "tmpcopyup") == 0) {
			o->tmpcopyup = true;
			return 0;
		}
	}

	if (!value) {
		unsigned long prop = mount_propagation_from_name(name);
		if (prop) {
			if (o->n_propagation == MOUNT_OPTS_MAX_PROPAGATION)
				return werr_set(e, EINVAL, "too many propagation options");
			o->propagation[o->n_propagation++] = prop;
			return 0;
		}
		for (size_t i = 0; i < ARRAY_SIZE(linux_opts); i++) {
			if (strcmp(name, linux_opts[i].name) != 0)
				continue;
			unsigned long id = linux_opts[i].ms;
			if (id & MS_BIND) {
				o->bind = true;
				o->recursive = o->recursive || (id & MS_REC);
			} else if (id & MS_REMOUNT) {
				o->remount = true;
			} else if (linux_opts[i].clear) {
				o->flags &= ~id;
				o->cleared |= id;
			} else {
				/* the atime modes exclude each other: the last one named wins */
				if (id & MOUNT_MS_ATIME)
					o->flags &= ~(unsigned long)MOUNT_MS_ATIME;
				o->flags |= id;
				o->cleared &= ~id;
			}
			return 0;
		}
	}
	if (userspace_opt(name, value != NULL))
		return 0;
	data_append(&o->data, name, value);
	return 0;
}

int mount_opts_parse(char *const *options, size_t n, struct mount_opts *out, struct werr *e)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		if (!options[i] || !*options[i]) {
			mount_opts_release(out);
			return werr_set(e, EINVAL, "options[%zu]: empty option", i);
		}
		/* One OCI option normally is one mount(8) option; "a,b" is split (quotes
		 * kept together: context="a,b"). */
		const char *p = options[i];
		for (;;) {
			const char *name, *value;
			size_t namesz, valuesz;
			int r = optstr_next(&p, &name, &namesz, &value, &valuesz);
			if (r == 1)
				break;
			if (r < 0 || namesz == 0) {
				mount_opts_release(out);
				return werr_set(e, EINVAL, "options[%zu]: cannot parse \"%s\"", i,
						options[i]);
			}
			_cleanup_free_ char *nm = strndup(name, namesz);
			_cleanup_free_ char *val = value ? strndup(value, valuesz) : NULL;
			if (!nm || (value && !val))
				abort();
			if (opt_apply(out, nm, val, e) < 0) {
				mount_opts_release(out);
				return werr_wrap(e, "options[%zu]", i);
			}
		}
	}
	return 0;
}

void mount_opts_release(struct mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}
