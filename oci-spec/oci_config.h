/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Typed model of an OCI runtime-spec v1.2 config.json (Linux).
 *
 * Conventions:
 *   - strings are heap `char *`, NULL when absent;
 *   - arrays are `T *items` + `size_t n_items` (string arrays: `char **` + count);
 *   - optional scalars carry a `has_<field>` flag (false when absent);
 *   - maps are arrays of key/value pairs in document order.
 * Everything is owned by the struct and released with oci_config_free().
 */
#ifndef WARD_OCI_CONFIG_H
#define WARD_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define OCI_SPEC_VERSION "1.2.0"
/* config.json larger than this is refused rather than parsed */
#define OCI_CONFIG_MAX_BYTES (4u << 20)
/* objects and arrays nested deeper than this are refused (config.json itself needs 7) */
#define OCI_CONFIG_MAX_DEPTH 64

struct oci_kv {
	char *key;
	char *value;
};

struct oci_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct oci_mount {
	char *destination; /* required */
	char *source;
	char *type;
	char **options;
	size_t n_options;
	struct oci_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct oci_id_mapping *gid_mappings;
	size_t n_gid_mappings;
};

struct oci_hook {
	char *path; /* required, absolute */
	char **args;
	size_t n_args;
	char **env;
	size_t n_env;
	bool has_timeout;
	int timeout; /* seconds, > 0 */
};

struct oci_hook_list {
	struct oci_hook *items;
	size_t n;
};

struct oci_hooks {
	struct oci_hook_list prestart; /* deprecated, still honoured */
	struct oci_hook_list create_runtime;
	struct oci_hook_list create_container;
	struct oci_hook_list start_container;
	struct oci_hook_list poststart;
	struct oci_hook_list poststop;
};

struct oci_rlimit {
	char *type; /* "RLIMIT_NOFILE" ... */
	uint64_t soft;
	uint64_t hard;
};

struct oci_capabilities {
	bool present; /* "capabilities" object given */
	char **bounding;
	size_t n_bounding;
	char **effective;
	size_t n_effective;
	char **inheritable;
	size_t n_inheritable;
	char **permitted;
	size_t n_permitted;
	char **ambient;
	size_t n_ambient;
};

struct oci_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username;
};

struct oci_scheduler {
	bool present;
	char *policy; /* required: SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO,
			 SCHED_IDLE, SCHED_DEADLINE */
	bool has_nice;
	int32_t nice;
	bool has_priority;
	int32_t priority;
	char **flags;
	size_t n_flags;
	bool has_runtime;
	uint64_t runtime;
	bool has_deadline;
	uint64_t deadline;
	bool has_period;
	uint64_t period;
};

struct oci_io_priority {
	bool present;
	char *class; /* required: IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
	int32_t priority;
};

struct oci_cpu_affinity {
	bool present;
	char *initial;
	char *final;
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height;
	uint32_t console_width;
	char *cwd; /* required, absolute */
	char **env;
	size_t n_env;
	char **args;
	size_t n_args;
	char *command_line; /* Windows only; parsed and ignored */
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	char *apparmor_profile;
	struct oci_capabilities capabilities;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
	struct oci_scheduler scheduler;
	char *selinux_label;
	struct oci_io_priority io_priority;
	struct oci_cpu_affinity exec_cpu_affinity;
	struct oci_user user;
};

struct oci_root {
	char *path; /* required */
	bool readonly;
};

enum oci_ns_type {
	OCI_NS_PID,
	OCI_NS_NETWORK,
	OCI_NS_MOUNT,
	OCI_NS_IPC,
	OCI_NS_UTS,
	OCI_NS_USER,
	OCI_NS_CGROUP,
	OCI_NS_TIME,
	OCI_NS_COUNT
};

struct oci_namespace {
	enum oci_ns_type type;
	char *path; /* NULL: create a new one */
};

struct oci_time_offset {
	bool present;
	int64_t secs;
	uint32_t nanosecs;
};

struct oci_device {
	char *type; /* required: c, b, u or p */
	char *path; /* required */
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

struct oci_device_cgroup {
	bool allow; /* required */
	char *type; /* a, c or b; NULL means all */
	bool has_major;
	int64_t major;
	bool has_minor;
	int64_t minor;
	char *access; /* subset of "rwm" */
};

struct oci_memory {
	bool present;
	bool has_limit;
	int64_t limit;
	bool has_reservation;
	int64_t reservation;
	bool has_swap;
	int64_t swap;
	bool has_kernel;
	int64_t kernel;
	bool has_kernel_tcp;
	int64_t kernel_tcp;
	bool has_swappiness;
	uint64_t swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
};

struct oci_cpu {
	bool present;
	bool has_shares;
	uint64_t shares;
	bool has_quota;
	int64_t quota;
	bool has_burst;
	uint64_t burst;
	bool has_period;
	uint64_t period;
	bool has_realtime_runtime;
	int64_t realtime_runtime;
	bool has_realtime_period;
	uint64_t realtime_period;
	char *cpus;
	char *mems;
	bool has_idle;
	int64_t idle;
};

struct oci_pids {
	bool present;
	int64_t limit; /* required when present */
};

struct oci_weight_device {
	int64_t major;
	int64_t minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
};

struct oci_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct oci_throttle_list {
	struct oci_throttle_device *items;
	size_t n;
};

struct oci_block_io {
	bool present;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
	struct oci_weight_device *weight_device;
	size_t n_weight_device;
	struct oci_throttle_list throttle_read_bps;
	struct oci_throttle_list throttle_write_bps;
	struct oci_throttle_list throttle_read_iops;
	struct oci_throttle_list throttle_write_iops;
};

struct oci_hugepage_limit {
	char *page_size; /* required, e.g. "2MB" */
	uint64_t limit;  /* required */
};

struct oci_net_priority {
	char *name;
	uint32_t priority;
};

struct oci_network_res {
	bool present;
	bool has_class_id;
	uint32_t class_id;
	struct oci_net_priority *priorities;
	size_t n_priorities;
};

struct oci_rdma {
	char *device; /* map key */
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
};

struct oci_resources {
	bool present;
	struct oci_device_cgroup *devices;
	size_t n_devices;
	struct oci_memory memory;
	struct oci_cpu cpu;
	struct oci_pids pids;
	struct oci_block_io block_io;
	struct oci_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;
	struct oci_network_res network;
	struct oci_rdma *rdma;
	size_t n_rdma;
	struct oci_kv *unified;
	size_t n_unified;
};

struct oci_seccomp_arg {
	uint32_t index; /* required, 0..5 */
	uint64_t value; /* required */
	uint64_t value_two;
	char *op; /* required: SCMP_CMP_NE, _LT, _LE, _EQ, _GE, _GT, _MASKED_EQ */
};

struct oci_seccomp_syscall {
	char **names; /* required, at least one */
	size_t n_names;
	char *action; /* required: SCMP_ACT_* */
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oci_seccomp_arg *args;
	size_t n_args;
};

struct oci_seccomp {
	bool present;
	char *default_action; /* required */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures;
	size_t n_architectures;
	char **flags;
	size_t n_flags;
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t n_syscalls;
};

struct oci_intel_rdt {
	bool present;
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	bool has_enable_cmt;
	bool enable_cmt;
	bool has_enable_mbm;
	bool enable_mbm;
};

struct oci_personality {
	bool present;
	char *domain; /* required: LINUX or LINUX32 */
	char **flags;
	size_t n_flags;
};

struct oci_linux {
	bool present;
	struct oci_id_mapping *uid_mappings;
	size_t n_uid_mappings;
	struct oci_id_mapping *gid_mappings;
	size_t n_gid_mappings;
	struct oci_time_offset time_monotonic;
	struct oci_time_offset time_boottime;
	struct oci_kv *sysctl;
	size_t n_sysctl;
	struct oci_resources resources;
	char *cgroups_path;
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_device *devices;
	size_t n_devices;
	struct oci_seccomp seccomp;
	char *rootfs_propagation; /* shared, slave, private, unbindable, rshared, ... */
	char **masked_paths;
	size_t n_masked_paths;
	char **readonly_paths;
	size_t n_readonly_paths;
	char *mount_label;
	struct oci_intel_rdt intel_rdt;
	struct oci_personality personality;
};

struct oci_config {
	char *oci_version; /* required */
	struct oci_root root;
	bool has_root;
	struct oci_mount *mounts;
	size_t n_mounts;
	bool has_process;
	struct oci_process process;
	char *hostname;
	char *domainname;
	struct oci_hooks hooks;
	struct oci_kv *annotations;
	size_t n_annotations;
	struct oci_linux linux_;
};

/*
 * Parses a config document. `origin` prefixes error messages (usually
 * "config.json"), giving e.g.
 *   config.json: linux.resources.memory.limit: expected an integer, got a string
 * On error nothing is allocated and *out is untouched.
 */
int oci_config_parse(const char *json, size_t len, const char *origin, struct oci_config **out,
		     struct werr *e);
/* Reads and parses a file (refusing documents over OCI_CONFIG_MAX_BYTES). */
int oci_config_load(const char *path, struct oci_config **out, struct werr *e);
void oci_config_free(struct oci_config *c);

/* Parses just a "process" object (used by `exec --process FILE`). */
int oci_process_parse(const char *json, size_t len, const char *origin, struct oci_process **out,
		      struct werr *e);
void oci_process_free(struct oci_process *p);

/* Parses a bare linux.resources object (`update --resources FILE`). */
int oci_resources_parse(const char *json, size_t len, const char *origin,
			struct oci_resources **out, struct werr *e);
void oci_resources_free(struct oci_resources *r);

/* Serialises a config back to JSON (round trips: parse(write(c)) equals c). */
char *oci_config_write(const struct oci_config *c, bool pretty);
/* The same for a bare process object (what `exec --process` reads). */
char *oci_process_write(const struct oci_process *p, bool pretty);

/* Deep, field-by-field equality (what the round trip promise is checked with). */
bool oci_config_equal(const struct oci_config *a, const struct oci_config *b);
bool oci_process_equal(const struct oci_process *a, const struct oci_process *b);

/* Annotation lookup; NULL when absent. */
const char *oci_config_annotation(const struct oci_config *c, const char *key);

const char *oci_ns_type_name(enum oci_ns_type t); /* "pid", "network", ... */
int oci_ns_type_from_name(const char *name);      /* -1 when unknown */

#endif
