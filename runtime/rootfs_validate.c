/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What can be refused about the filesystem part of a config before any process exists,
 * with the JSON path of the offending field in the message.
 */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "mount_opts.h"
#include "pathfd.h"
#include "rootfs_internal.h"

static int validate_mount(const struct oci_mount *m, size_t i, struct werr *e)
{
	if (!m->destination || !*m->destination)
		return werr_set(e, 0, "mounts[%zu].destination is required", i);
	if (m->destination[0] != '/')
		log_warn("mounts[%zu].destination %s is relative: taken as relative to /", i,
			 m->destination);
	_cleanup_free_ char *dest = path_clean(m->destination);
	if (strcmp(dest, "/") == 0)
		return werr_set(e, 0, "mounts[%zu].destination: cannot mount over /", i);

	struct mount_opts o;
	if (mount_opts_parse(m->options, m->n_options, &o, e) < 0)
		return werr_wrap(e, "mounts[%zu]", i);
	const char *type = (m->type && *m->type) ? m->type : NULL;
	bool bind = o.bind || (type && strcmp(type, "bind") == 0);
	bool idmap_opt = o.idmap || o.ridmap;
	bool tmpcopyup = o.tmpcopyup;
	mount_opts_release(&o);

	if (!bind && !type)
		return werr_set(e, 0, "mounts[%zu].type is required (or a bind option)", i);
	if (bind && (!m->source || !*m->source))
		return werr_set(e, 0, "mounts[%zu].source is required for a bind mount", i);
	if (tmpcopyup && (bind || strcmp(type, "tmpfs") != 0))
		return werr_set(e, 0, "mounts[%zu].options: tmpcopyup applies to tmpfs only", i);
	bool mapped = m->n_uid_mappings || m->n_gid_mappings;
	if (mapped) {
		if (!m->n_uid_mappings || !m->n_gid_mappings)
			return werr_set(e, 0,
					"mounts[%zu]: uidMappings and gidMappings go together", i);
		if (!bind)
			return werr_set(
				e, 0, "mounts[%zu].uidMappings: only bind mounts can be id-mapped",
				i);
		for (size_t k = 0; k < m->n_uid_mappings; k++)
			if (!m->uid_mappings[k].size)
				return werr_set(e, 0, "mounts[%zu].uidMappings[%zu].size is 0", i,
						k);
		for (size_t k = 0; k < m->n_gid_mappings; k++)
			if (!m->gid_mappings[k].size)
				return werr_set(e, 0, "mounts[%zu].gidMappings[%zu].size is 0", i,
						k);
	} else if (idmap_opt) {
		return werr_set(e, 0,
				"mounts[%zu].options: idmap needs uidMappings and gidMappings", i);
	}
	return 0;
}

static int validate_device(const struct oci_device *d, size_t i, struct werr *e)
{
	if (!d->path || d->path[0] != '/')
		return werr_set(e, 0, "linux.devices[%zu].path must be absolute", i);
	_cleanup_free_ char *clean = path_clean(d->path);
	if (strcmp(clean, "/") == 0 || strcmp(clean, "/dev") == 0)
		return werr_set(e, 0, "linux.devices[%zu].path %s is not a device path", i,
				d->path);
	if (!d->type || strlen(d->type) != 1 || !strchr("cbup", d->type[0]))
		return werr_set(e, 0, "linux.devices[%zu].type must be c, b, u or p", i);
	if (d->type[0] != 'p' && (!d->has_major || !d->has_minor))
		return werr_set(e, 0, "linux.devices[%zu]: major and minor are required", i);
	if (d->type[0] != 'p' &&
	    (d->major < 0 || d->minor < 0 || d->major > 0xfff || d->minor > 0xfffff))
		return werr_set(e, 0, "linux.devices[%zu]: major/minor out of range", i);
	return 0;
}

int rootfs_validate(const struct oci_config *cfg, struct werr *e)
{
	const struct oci_linux *l = &cfg->linux_;
	if (!cfg->has_root || !cfg->root.path || !*cfg->root.path)
		return werr_set(e, 0, "root.path is required");
	if (l->rootfs_propagation && *l->rootfs_propagation &&
	    !mount_propagation_from_name(l->rootfs_propagation))
		return werr_set(e, 0, "linux.rootfsPropagation: unknown value \"%s\"",
				l->rootfs_propagation);
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (validate_mount(&cfg->mounts[i], i, e) < 0)
			return -1;
	for (size_t i = 0; i < l->n_sysctl; i++)
		if (rootfs_sysctl_check(cfg, l->sysctl[i].key, e) < 0)
			return werr_wrap(e, "linux.sysctl");
	for (size_t i = 0; i < l->n_masked_paths; i++)
		if (!l->masked_paths[i] || l->masked_paths[i][0] != '/')
			return werr_set(e, 0, "linux.maskedPaths[%zu] must be absolute", i);
	for (size_t i = 0; i < l->n_readonly_paths; i++)
		if (!l->readonly_paths[i] || l->readonly_paths[i][0] != '/')
			return werr_set(e, 0, "linux.readonlyPaths[%zu] must be absolute", i);
	for (size_t i = 0; i < l->n_devices; i++)
		if (validate_device(&l->devices[i], i, e) < 0)
			return -1;
	if (l->mount_label && *l->mount_label && access("/sys/fs/selinux/enforce", F_OK) != 0)
		return werr_set(e, 0, "linux.mountLabel: SELinux is not enabled on this host");
	return 0;
}
