/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A container as later commands see it: its state directory under --root,
 * the per-container lock, and the state ward keeps there (state.json, ward's
 * own format; the runtime-spec state document is derived from it).
 *
 * Layout of <root>/<id>/:
 *   lock         flock()ed by every command acting on the container
 *   state.json   written atomically once create succeeds
 *   config.json  the bundle's config as it was at create (hooks, process defaults for exec)
 *   init.sock    present while init waits for `start` (status "created")
 */
#ifndef WARD_CONTAINER_H
#define WARD_CONTAINER_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"

enum container_status {
	STATUS_CREATING,
	STATUS_CREATED,
	STATUS_RUNNING,
	STATUS_PAUSED,
	STATUS_STOPPED,
};

struct container {
	char *root; /* --root */
	char *id;
	int dir_fd;  /* O_PATH|O_DIRECTORY of <root>/<id> */
	int lock_fd; /* holds the flock */

	/* from state.json */
	pid_t pid;
	unsigned long long pid_start; /* clock ticks since boot: tells a reused pid apart */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 */
	char *owner;
	char *cgroup;  /* cgroup_describe() string, NULL when none */
	char *policy;  /* supervisor policy selected at create */
	bool creating; /* no state.json yet */

	struct oci_config *config; /* loaded lazily by container_config() */
};

/* Container ids: what runc accepts ([A-Za-z0-9_+.-], 1..1024, not "." or ".."). */
int container_id_validate(const char *id, struct werr *e);

/* Creates <root>/<id> exclusively and locks it ("container with id exists" when taken). */
int container_new(const char *root, const char *id, struct container **out, struct werr *e);
/*
 * Opens an existing container; errnum ENOENT with "container does not exist". With lock, waits
 * for and holds the container's lock (commands that change it); without, it only reads the
 * atomically written state, and a container still being created shows as "creating".
 */
int container_open(const char *root, const char *id, bool lock, struct container **out,
		   struct werr *e);
/* Releases the lock early (e.g. `run` while it waits for the container to exit). */
void container_unlock(struct container *c);
int container_relock(struct container *c, struct werr *e);
/* Saves state.json (atomic) and config.json. */
int container_save(struct container *c, const char *config_json, size_t config_len, struct werr *e);
const struct oci_config *container_config(struct container *c, struct werr *e);
/* Removes the state dir (the container's lock is released with it). */
int container_remove_dir(struct container *c, struct werr *e);
void container_free(struct container *c);

/* Status from the real process: pid alive with the same start time, init.sock, freezer. */
enum container_status container_status(struct container *c);
const char *container_status_name(enum container_status s);
/* A pidfd for the container's init, verified to be the same process; -1 with ESRCH if gone. */
int container_pidfd(struct container *c, struct werr *e);

/* Signals init through a pidfd verified to be the same process (ESRCH: not running). */
int container_signal(struct container *c, int sig, struct werr *e);

/* runtime-spec state JSON for this container (for `ward state` and hooks). */
char *container_state_json(struct container *c, enum container_status s, bool pretty);

/*
 * The address of socket NAME in the container's state dir, for bind/connect. Engines nest state
 * roots deeply (dockerd: <exec-root>/runtime-runc/moby/<64-hex id>, 108 bytes under its default
 * /var/run/docker), past what sun_path holds: then the address goes through the dir's fd,
 * /proc/self/fd/N/NAME, which the kernel resolves like the full path. Valid while c->dir_fd is.
 */
socklen_t container_sock_addr(const struct container *c, const char *name, struct sockaddr_un *sa);

/* Every id under root, sorted. */
int container_list_ids(const char *root, char ***ids, size_t *n, struct werr *e);

#endif
