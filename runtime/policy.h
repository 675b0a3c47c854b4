/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Supervisor policies: what the ward filter refuses in BPF, what the
 * supervisor mediates, and what it writes to the audit log.
 *
 * A policy is a JSON document (see contrib/policies/README.md for the format)
 * selected by a built-in name ("default", "agent", "audit", "none") or by a
 * file path. Parsing is strict: unknown fields and wrong types are errors
 * naming the JSON path, e.g.
 *   policy.json: network.egress[2].cidr: invalid CIDR "10.0.0.300/8"
 *
 * The parsed model is plain data; matching (policy_match.c) is pure and
 * thread-safe, so the supervisor's workers can decide in parallel.
 */
#ifndef WARD_POLICY_H
#define WARD_POLICY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/err.h"

#define WARD_POLICY_VERSION 1
/* Largest policy file accepted. */
#define WARD_POLICY_MAX_BYTES (1024 * 1024)

enum ward_action { WARD_ALLOW = 0, WARD_DENY = 1 };

/* Process operations the filter refuses in BPF (register arguments suffice for all). */
enum ward_proc_group {
	WARD_PROC_USERNS = 1u << 0,      /* clone/unshare with CLONE_NEWUSER; clone3 -> ENOSYS */
	WARD_PROC_MOUNT = 1u << 1,       /* mount, umount2, pivot_root, new mount API */
	WARD_PROC_PTRACE = 1u << 2,      /* ptrace */
	WARD_PROC_PROCESS_VM = 1u << 3,  /* process_vm_readv/writev */
	WARD_PROC_KEYRING = 1u << 4,     /* keyctl, add_key, request_key */
	WARD_PROC_BPF = 1u << 5,         /* bpf */
	WARD_PROC_PERF = 1u << 6,        /* perf_event_open */
	WARD_PROC_MODULES = 1u << 7,     /* init_module, finit_module, delete_module */
	WARD_PROC_KEXEC = 1u << 8,       /* kexec_load, kexec_file_load */
	WARD_PROC_IO_URING = 1u << 9,    /* io_uring_*: its ops would bypass seccomp entirely */
	WARD_PROC_USERFAULTFD = 1u << 10 /* userfaultfd */
};
#define WARD_PROC_ALL ((1u << 11) - 1)

/* Socket protocols a rule can name (from SO_PROTOCOL of the socket). */
enum ward_proto { WARD_PROTO_TCP = 1u << 0, WARD_PROTO_UDP = 1u << 1, WARD_PROTO_ICMP = 1u << 2 };

struct ward_port_range {
	uint16_t lo, hi;
};

/*
 * One network rule. Every present field must match (AND); absent fields match
 * anything. Addresses are kept as IPv6 (IPv4 as ::ffff:a.b.c.d, prefix + 96).
 */
struct ward_net_rule {
	enum ward_action action;
	unsigned families;  /* bit 0: inet, bit 1: inet6; 0 = both */
	unsigned protocols; /* enum ward_proto bits; 0 = any */
	bool has_cidr;
	struct in6_addr net;
	unsigned prefix; /* 0..128 in the IPv6 view */
	char *host;      /* resolved by the supervisor; matches its current addresses */
	int loopback;    /* -1 any, 0 non-loopback only, 1 loopback only */
	struct ward_port_range *ports;
	size_t n_ports; /* 0 = any port */
};

struct ward_net_rules {
	enum ward_action def;
	struct ward_net_rule *rules; /* first match wins */
	size_t n;
};

/* Unix-socket rule: a glob (fnmatch, no FNM_PATHNAME) on the path or the abstract name. */
struct ward_unix_rule {
	enum ward_action action;
	char *path;     /* pathname sockets; NULL: rule is for abstract names */
	char *abstract; /* abstract names without the leading NUL */
};

/* A list of absolute container paths; "$cwd" in a policy stands for process.cwd. */
struct ward_path_set {
	char **paths;
	size_t n;
};

/* How much the kernel's Landlock LSM is asked for. */
enum ward_landlock_mode {
	WARD_LANDLOCK_BEST_EFFORT = 0, /* the best ABI there is; what it lacks is logged */
	WARD_LANDLOCK_REQUIRED,        /* create fails when Landlock is missing or too old */
	WARD_LANDLOCK_OFF
};

/* Socket families 0..63 as a bit mask (AF_MAX is 46 today). */
#define WARD_AF_BITS 64

struct ward_policy {
	char *name;
	char *description;
	char *source;   /* "builtin" or the file path it came from */
	bool supervise; /* false: policy "none", no filter and no supervisor */

	struct {
		uint32_t deny; /* enum ward_proc_group bits */
		int errnum;    /* errno for refused operations (default EPERM) */
		bool exec_audit;
	} process;

	struct {
		enum ward_action family_default;
		uint64_t family_allow, family_deny; /* explicit lists */
		bool raw_deny;                      /* SOCK_RAW / SOCK_PACKET for inet, inet6 */
		bool source_routing_deny;           /* IP_OPTIONS, IPv6 routing headers */
		struct ward_net_rules egress, bind, listen;
		enum ward_action unix_default;
		struct ward_unix_rule *unix_rules;
		size_t n_unix_rules;
		int deny_errno;            /* errno for refused connect/send (EACCES) */
		unsigned host_refresh_sec; /* re-resolve host names this often */
	} net;

	struct {
		char *path;         /* NULL: <statedir>/audit.jsonl */
		uint64_t max_bytes; /* rotate to <path>.1 beyond this */
		unsigned buffer_kib;
		bool network; /* connect/bind/listen/sends with an address */
		bool exec;    /* execve/execveat with argv */
		/*
		 * Refused process operations (process.deny) are notified and answered by
		 * the supervisor instead of BPF, so that each one has a line: one round
		 * trip per refused call, refused with ENOSYS when the supervisor is gone.
		 */
		bool process;
		bool files; /* opens (with flags), renames, unlinks, links: caller-reported */
	} audit;

	/*
	 * What the container may read, write and execute. `present` false (no "files"
	 * member): no file restrictions. Enforced by the kernel: Landlock rules (read-only,
	 * writable, executable beneath each path; nothing elsewhere), read-only bind mounts
	 * of the read-only and executable paths that hold no writable one, and hidden paths
	 * masked like linux.maskedPaths. See runtime/file_policy.c.
	 */
	struct {
		bool present;
		struct ward_path_set read_only, writable, executable, hidden;
		bool mount_read_only; /* also make read-only paths read-only mounts */
	} files;

	/* Virtualized /proc and /sys cpu files computed from the container's cgroup. */
	struct {
		bool virtualize;
	} proc;

	enum ward_landlock_mode landlock;
};

/*
 * Loads a built-in policy by name, or a file when name_or_path contains a '/'
 * or ends in ".json" (a file always wins over nothing; an unknown bare name is
 * an error listing the built-ins).
 */
int policy_load(const char *name_or_path, struct ward_policy **out, struct werr *e);
/* Parses a JSON document; `origin` prefixes error messages ("policy.json"). */
int policy_parse(const char *json, size_t len, const char *origin, struct ward_policy **out,
		 struct werr *e);
void policy_free(struct ward_policy *p);

/* The built-in names (NULL-terminated) and their JSON text. */
const char *const *policy_builtin_names(void);
const char *policy_builtin_json(const char *name);

/* The policy as canonical JSON (heap string): for tests, `ward features` and debugging. */
char *policy_to_json(const struct ward_policy *p);

/* ---- names ---- */
const char *policy_landlock_mode_name(enum ward_landlock_mode m);
const char *policy_proc_group_name(enum ward_proc_group g);
int policy_proc_group_from_name(const char *name); /* group bit or -1 */
int policy_family_from_name(const char *name);     /* AF_* or -1 */
const char *policy_family_name(int family);        /* "inet", ... or NULL */
int policy_errno_from_name(const char *name);      /* "EACCES" -> 13, -1 if unknown */
const char *policy_errno_name(int errnum);         /* NULL if not one we name */

/* ---- matching (pure) ---- */

/* Parses "a.b.c.d/n", "x::y/n" or a bare address; the result is in the IPv6 view. */
int policy_parse_cidr(const char *s, struct in6_addr *net, unsigned *prefix);

/* A destination or local address in the IPv6 view (IPv4 mapped). */
struct ward_endpoint {
	struct in6_addr addr;
	uint16_t port;
	bool v4;        /* the address is IPv4 (mapped) */
	unsigned proto; /* enum ward_proto bit of the socket, 0 if other */
};

/*
 * Resolved host names for rules with "host": the supervisor passes a lookup
 * that says whether an address currently belongs to rule->host.
 */
typedef bool (*ward_host_match_fn)(void *ctx, const char *host, const struct in6_addr *addr);

bool policy_is_loopback(const struct in6_addr *a);
/*
 * Normalizes a destination as the kernel will route it: the unspecified
 * address (0.0.0.0, ::, ::ffff:0.0.0.0) connects to the local host, so it is
 * matched as loopback (127.0.0.1 / ::1).
 */
void policy_normalize_dest(struct ward_endpoint *ep);

enum ward_action policy_match_net(const struct ward_net_rules *rules,
				  const struct ward_endpoint *ep, ward_host_match_fn host_match,
				  void *ctx, size_t *rule_index);
/* Unix paths and abstract names (abstract: name without the NUL, may contain NULs: len). */
enum ward_action policy_match_unix_path(const struct ward_policy *p, const char *path);
enum ward_action policy_match_unix_abstract(const struct ward_policy *p, const char *name,
					    size_t len);
/* Whether socket(family, ...) is allowed by the family lists. */
bool policy_family_allowed(const struct ward_policy *p, int family);
/* Whether any rule of the set can deny (else mediation is audit-only). */
bool policy_rules_can_deny(const struct ward_net_rules *r);
bool policy_unix_can_deny(const struct ward_policy *p);

#endif
