/* SPDX-License-Identifier: Apache-2.0 */
/*
 * User namespaces that exist only to describe an id-mapping for an idmapped mount
 * (mount_setattr MOUNT_ATTR_IDMAP takes a user namespace fd, not a table).
 */
#ifndef WARD_MOUNT_IDMAP_H
#define WARD_MOUNT_IDMAP_H

#include <stddef.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

/*
 * Returns an fd of a fresh user namespace whose uid_map/gid_map are the given mappings
 * ("containerID hostID size" lines, as runc writes them: files owned by containerID on
 * the source appear as hostID). The caller must be privileged over every hostID.
 */
int mount_idmap_userns(const struct oci_id_mapping *uids, size_t n_uids,
		       const struct oci_id_mapping *gids, size_t n_gids, struct werr *e);

#endif
