/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OCI mount options -> flags, propagation, recursive attributes and data, with libmount
 * naming the classic mount(8) options.
 */
#include "mount_opts.h"

#include <libmount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"

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

/*
 * Finds `name` in a libmount map. Map names may end in "=" (needs a value), "[=]"
 * (value optional), or be prefixes (MNT_PREFIX, e.g. "x-").
 */
static const struct libmnt_optmap *optmap_find(const struct libmnt_optmap *map, const char *name,
					       bool has_value)
{
	size_t len = strlen(name);
	for (; map && map->name; map++) {
		const char *mn = map->name;
		size_t ml = strlen(mn);
		if (map->mask & MNT_PREFIX) {
			if (strncmp(name, mn, ml) == 0)
				return map;
			continue;
		}
		if (ml > 3 && strcmp(mn + ml - 3, "[=]") == 0) {
			if (len == ml - 3 && strncmp(name, mn, len) == 0)
				return map;
			continue;
		}
		if (mn[ml - 1] == '=') {
			if (has_value && len == ml - 1 && strncmp(name, mn, len) == 0)
				return map;
			continue;
		}
		if (!has_value && strcmp(name, mn) == 0)
			return map;
	}
	return NULL;
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

	const struct libmnt_optmap *m =
		optmap_find(mnt_get_builtin_optmap(MNT_LINUX_MAP), name, value != NULL);
	if (m) {
		unsigned long id = (unsigned long)m->id;
		if (id & MS_BIND) {
			o->bind = true;
			o->recursive = o->recursive || (id & MS_REC);
		} else if (id & MOUNT_MS_PROPAGATION) {
			if (o->n_propagation == MOUNT_OPTS_MAX_PROPAGATION)
				return werr_set(e, EINVAL, "too many propagation options");
			o->propagation[o->n_propagation++] = id;
		} else if (id & MS_REMOUNT) {
			o->remount = true;
		} else if (m->mask & MNT_INVERT) {
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
	/* mount(8)'s own options (defaults, nofail, x-*, ...) mean nothing to the kernel. */
	if (optmap_find(mnt_get_builtin_optmap(MNT_USERSPACE_MAP), name, value != NULL))
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
		/* One OCI option normally is one mount(8) option; libmount splits (and
		 * unquotes-aware checks) anything fancier such as context="a,b". */
		_cleanup_free_ char *copy = xstrdup(options[i]);
		char *p = copy;
		for (;;) {
			char *name, *value;
			size_t namesz, valuesz;
			int r = mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz);
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
