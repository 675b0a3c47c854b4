/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host-side preparation of idmapped mounts (see rootfs_idmap_prepare in rootfs.h).
 */
#include <stdlib.h>
#include <unistd.h>

#include "../common/util.h"
#include "mount_opts.h"
#include "rootfs_internal.h"

int rootfs_idmap_prepare(const struct oci_config *cfg, const char *bundle, int **fds,
			 struct werr *e)
{
	*fds = NULL;
	bool any = false;
	for (size_t i = 0; i < cfg->n_mounts; i++)
		any = any || cfg->mounts[i].n_uid_mappings || cfg->mounts[i].n_gid_mappings;
	if (!any)
		return 0;
	int *v = xcalloc(cfg->n_mounts, sizeof(*v));
	for (size_t i = 0; i < cfg->n_mounts; i++)
		v[i] = -1;
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct oci_mount *m = &cfg->mounts[i];
		if (!m->n_uid_mappings && !m->n_gid_mappings)
			continue;
		struct mount_opts o;
		int rc = mount_opts_parse(m->options, m->n_options, &o, e);
		if (rc == 0) {
			rc = rootfs_idmap_tree(bundle, m, &o, &v[i], e);
			mount_opts_release(&o);
		}
		if (rc < 0) {
			rootfs_idmap_release(v, cfg->n_mounts);
			return werr_wrap(e, "mounts[%zu]", i);
		}
	}
	*fds = v;
	return 0;
}

void rootfs_idmap_release(int *fds, size_t n)
{
	if (!fds)
		return;
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}
