/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internals shared by the cgroup_*.c files: the container cgroup object, the
 * host's cgroup mounts, small cgroupfs file helpers, the pure conversions
 * between OCI (cgroup v1 flavoured) values and cgroup v2 values, and the device
 * rule model used by both the v1 lists and the v2 eBPF program.
 */
#ifndef WARD_CGROUP_INTERNAL_H
#define WARD_CGROUP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include "../common/err.h"
#include "../oci-spec/oci_config.h"
#include "cgroup.h"

/* ---- mounts (cgroup_mounts.c) ------------------------------------------------------- */

/* One mounted v1 hierarchy (the first mount of each; named ones like name=systemd too). */
struct cg_v1_mount {
	char *controllers; /* "memory", "cpu,cpuacct", "name=systemd" (from the super options) */
	char *mountpoint;  /* "/sys/fs/cgroup/memory" */
	char *root;        /* the cgroup mounted there, "/" unless a subtree is bind-mounted */
	unsigned dev_major, dev_minor;
};

struct cg_mounts {
	struct cg_v1_mount *v1;
	size_t n_v1;
	char *v2_mountpoint; /* NULL when no cgroup2 is mounted */
	char *v2_root;
};

/* Parses the text of a mountinfo file (pure: unit-tested with fixtures). */
int cg_mounts_parse(const char *text, struct cg_mounts *m, struct werr *e);
int cg_mounts_load(struct cg_mounts *m, struct werr *e); /* /proc/self/mountinfo */
void cg_mounts_release(struct cg_mounts *m);
/* V1 when only v1 hierarchies exist, V2 when only cgroup2, HYBRID when both. */
int cg_mounts_mode(const struct cg_mounts *m, enum cgroup_mode *mode, struct werr *e);
/* true when the comma-separated list has the item */
bool cg_list_has(const char *list, const char *item, char sep);

/* ---- paths (cgroup_paths.c) --------------------------------------------------------- */

/*
 * runc's CleanPath: an absolute path is cleaned lexically (it cannot climb above "/"); a
 * relative one is cleaned as if it started at "/" and stays relative ("../../x" -> "x").
 * Returns "" for an empty input.
 */
char *cg_clean_path(const char *path);
/* Joins path pieces with single slashes and cleans the result (first piece absolute). */
char *cg_join(const char *a, const char *b);
/*
 * Looks up the line for a v1 hierarchy (controllers list, e.g. "cpu,cpuacct") or for
 * cgroup2 (controllers == "") in the text of a /proc/PID/cgroup file. NULL if absent.
 */
char *cg_proc_cgroup_find(const char *text, const char *controllers);

/*
 * The directory for `inner` (already cleaned) under one mount: absolute paths hang
 * off the mount point; relative ones off the process's own cgroup `own` (as seen
 * in /proc/self/cgroup, made relative to the mount's root). v2_parent: use the
 * parent of `own` (runc's cgroup v2 rule: our own cgroup holds processes, so it can
 * not delegate controllers to a child).
 */
char *cg_resolve_dir(const char *mountpoint, const char *mnt_root, const char *own,
		     const char *inner, bool v2_parent);

/* ---- files (cgroup_files.c) --------------------------------------------------------- */

/* Writes value to dir/file in one write(2), as cgroupfs requires. */
int cg_write(const char *dir, const char *file, const char *value, struct werr *e);
int cg_writef(const char *dir, const char *file, struct werr *e, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Reads dir/file (whole, NUL-terminated). */
int cg_read(const char *dir, const char *file, char **out, struct werr *e);
/* Reads a single number; "max" reads as UINT64_MAX. */
int cg_read_u64(const char *dir, const char *file, uint64_t *out, struct werr *e);
/* Reads the value of `key` in a "key value" lines file (memory.stat, cpu.stat, ...). */
int cg_read_key_u64(const char *dir, const char *file, const char *key, uint64_t *out,
		    struct werr *e);
bool cg_exists(const char *dir, const char *file);
/* Strips trailing whitespace in place. */
char *cg_trim(char *s);

/* ---- conversions (cgroup_convert.c, pure) ------------------------------------------- */

/* cpu.shares (v1, 2..262144) to cpu.weight (v2, 1..10000); 0 stays 0 (unset). */
uint64_t cg_shares_to_weight(uint64_t shares);
/* blkio.weight (v1, 10..1000) to io.weight (v2, 1..10000); 0 stays 0 (unset). */
uint64_t cg_blkio_weight_to_io_weight(uint64_t weight);
/*
 * OCI memory.swap is memory+swap (v1 memsw); v2 memory.swap.max is swap alone.
 * Inputs use runc's conventions: 0 unset, -1 unlimited. Output likewise.
 */
int cg_swap_to_v2(int64_t swap, int64_t limit, int64_t *out, struct werr *e);
/* v2 number: -1 (or any negative) -> "max", else the decimal value. buf >= 24 bytes. */
const char *cg_v2_num(int64_t v, char *buf, size_t len);
/* pids.max value following runc: >0 the number, 0 -> "1", <0 -> "max". */
const char *cg_pids_max(int64_t limit, char *buf, size_t len);
/* "hugepages-2048kB" -> "2MB" (runc's page size names). Caller frees. NULL if malformed. */
char *cg_hugepage_name(const char *dirent_name);

/* ---- devices (cgroup_devices.c, cgroup_devices_bpf.c) ------------------------------- */

#define CG_DEV_ACC_MKNOD 1u /* the kernel's BPF_DEVCG_ACC_* values */
#define CG_DEV_ACC_READ  2u
#define CG_DEV_ACC_WRITE 4u

struct cg_dev_rule {
	bool allow;
	char type;     /* 'a' (every device; major/minor/access ignored), 'c' or 'b' */
	int64_t major; /* -1: any */
	int64_t minor; /* -1: any */
	unsigned access;
};

/*
 * The rules a container gets: deny everything, then linux.resources.devices in order,
 * then runc's default allow list (mknod of any device, null, zero, full, random, urandom,
 * tty, console-less pts, ptmx, /dev/net/tun) - runc appends the latter unconditionally and
 * engines depend on it. Later rules win. Caller frees *out.
 */
int cg_dev_rules_build(const struct oci_device_cgroup *devs, size_t n, struct cg_dev_rule **out,
		       size_t *n_out, struct werr *e);
/* "c 1:3 rwm" / "a" as devices.allow and devices.deny want it. buf >= 64 bytes. */
const char *cg_dev_rule_v1(const struct cg_dev_rule *r, char *buf, size_t len);
int cg_devices_apply_v1(const char *dir, const struct cg_dev_rule *rules, size_t n, struct werr *e);

/* Generates the BPF_PROG_TYPE_CGROUP_DEVICE program (pure). Caller frees *out. */
int cg_devices_bpf_build(const struct cg_dev_rule *rules, size_t n, struct bpf_insn **out,
			 size_t *n_out, struct werr *e);
/* Loads the program and attaches it (BPF_F_ALLOW_MULTI) to the cgroup2 directory. */
int cg_devices_apply_v2(const char *dir, const struct cg_dev_rule *rules, size_t n, struct werr *e);

/* ---- the cgroup object (cgroup.c) --------------------------------------------------- */

struct cg_v1_dir {
	char *controllers; /* as in struct cg_v1_mount */
	char *path;        /* the container's directory in that hierarchy */
};

struct cgroup {
	enum cgroup_mode mode;
	struct cg_v1_dir *v1;
	size_t n_v1;
	/* cgroup2 directory: the container's cgroup (V2) or its tracking twin in the unified
	 * mount (HYBRID); NULL on V1 */
	char *unified;
	/* directories ward created, in creation order (parents first); destroy removes
	 * exactly these, deepest first */
	char **created;
	size_t n_created;
	char *unified_controllers; /* cache of <unified>/cgroup.controllers, lazily read */
};

/* Where a controller's files are: a v1 directory, or the cgroup2 directory. */
struct cg_where {
	const char *dir;
	bool v2;
};
/*
 * ctrl: "memory", "cpu", "cpuacct", "cpuset", "pids", "blkio" (v1) / "io" (v2), "hugetlb",
 * "net_cls", "net_prio", "rdma", "devices", "freezer". A v1 hierarchy holding it wins; else
 * the cgroup2 directory if the controller is enabled there (devices and freezer are always
 * there on cgroup2: they are built into the core).
 */
bool cg_where_is(struct cgroup *cg, const char *ctrl, struct cg_where *w);
/* Controllers enabled in the cgroup2 directory ("" when none), space separated. */
const char *cg_unified_controllers(struct cgroup *cg);
/* The v1 directory of a hierarchy holding ctrl, or NULL. */
const char *cg_v1_dir_of(const struct cgroup *cg, const char *ctrl);

/* Applies linux.resources (cgroup_apply.c). creating: also sets devices (update keeps them,
 * as runc's update does). */
int cg_apply(struct cgroup *cg, const struct oci_resources *res, bool creating, struct werr *e);

/* Recursive list of pids below dir (cgroup_procs.c). Appends to *pids. */
int cg_collect_pids(const char *dir, pid_t **pids, size_t *n, size_t *cap, struct werr *e);

#endif
