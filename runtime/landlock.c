/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The file policy's kernel wall: a Landlock domain built from the policy's path
 * sets (and TCP port rules derived from its network rules), entered by every
 * container process right before it drops its privileges.
 *
 * Landlock checks each access against the path the kernel itself resolved, so
 * symlinks, "..", /proc/self/root, openat2 and fds passed in lead nowhere the
 * rules do not allow, and no rename race can widen them.
 *
 * Debian 12's <linux/landlock.h> stops at ABI 2, so the ABI used here is spelt
 * out below (uapi values, stable by the kernel's promise).
 */
#include "landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "file_policy.h"
#include "pathfd.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule       445
#define __NR_landlock_restrict_self  446
#endif

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
	uint64_t scoped;             /* ABI 6 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_RULE_PATH_BENEATH      1
#define LL_RULE_NET_PORT          2

#define LL_FS_EXECUTE     (1ull << 0)
#define LL_FS_WRITE_FILE  (1ull << 1)
#define LL_FS_READ_FILE   (1ull << 2)
#define LL_FS_READ_DIR    (1ull << 3)
#define LL_FS_REMOVE_DIR  (1ull << 4)
#define LL_FS_REMOVE_FILE (1ull << 5)
#define LL_FS_MAKE_CHAR   (1ull << 6)
#define LL_FS_MAKE_DIR    (1ull << 7)
#define LL_FS_MAKE_REG    (1ull << 8)
#define LL_FS_MAKE_SOCK   (1ull << 9)
#define LL_FS_MAKE_FIFO   (1ull << 10)
#define LL_FS_MAKE_BLOCK  (1ull << 11)
#define LL_FS_MAKE_SYM    (1ull << 12)
#define LL_FS_REFER       (1ull << 13) /* ABI 2 */
#define LL_FS_TRUNCATE    (1ull << 14) /* ABI 3 */
#define LL_FS_IOCTL_DEV   (1ull << 15) /* ABI 5 */

#define LL_NET_BIND_TCP    (1ull << 0) /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1)

/* A port set larger than this is not worth one rule per port: no TCP backstop then. */
#define LL_MAX_PORT_RULES 4096

/* What each ABI can handle. */
static uint64_t fs_rights_of_abi(int abi)
{
	uint64_t r = (LL_FS_MAKE_SYM << 1) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

#define LL_READ (LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_IOCTL_DEV)
#define LL_EXEC (LL_READ | LL_FS_EXECUTE)
/* Everything but device nodes (which need CAP_MKNOD and the devices cgroup besides). */
#define LL_WRITE                                                                                   \
	(LL_READ | LL_FS_WRITE_FILE | LL_FS_REMOVE_DIR | LL_FS_REMOVE_FILE | LL_FS_MAKE_DIR |      \
	 LL_FS_MAKE_REG | LL_FS_MAKE_SOCK | LL_FS_MAKE_FIFO | LL_FS_MAKE_SYM | LL_FS_REFER |       \
	 LL_FS_TRUNCATE)

int landlock_abi(void)
{
	long v = syscall(__NR_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	return v < 0 ? 0 : (int)v;
}

/* Sets bit p of `ports` for every TCP port an allow rule of `r` names; false when some
 * rule allows every port (or the default does), i.e. there is nothing to wall off. */
static bool allowed_tcp_ports(const struct ward_net_rules *r, uint8_t *ports)
{
	if (r->def == WARD_ALLOW)
		return false;
	for (size_t i = 0; i < r->n; i++) {
		const struct ward_net_rule *rule = &r->rules[i];
		if (rule->action != WARD_ALLOW)
			continue;
		if (rule->protocols && !(rule->protocols & WARD_PROTO_TCP))
			continue;
		if (rule->n_ports == 0)
			return false;
		for (size_t j = 0; j < rule->n_ports; j++)
			for (unsigned p = rule->ports[j].lo; p <= rule->ports[j].hi; p++)
				ports[p / 8] |= (uint8_t)(1u << (p % 8));
	}
	return true;
}

static size_t count_ports(const uint8_t *ports)
{
	size_t n = 0;
	for (unsigned p = 0; p < 65536; p++)
		n += (ports[p / 8] >> (p % 8)) & 1;
	return n;
}

struct ll_build {
	int ruleset;
	uint64_t handled_fs;
	const char *cwd;
};

static int add_path(struct ll_build *b, const char *policy_path, uint64_t access, bool create,
		    struct werr *e)
{
	_cleanup_free_ char *path = file_policy_expand(policy_path, b->cwd);
	if (!path)
		return 0;
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create && strncmp(policy_path, "$cwd", 4) == 0) {
		/* a workdir the image lacks: make it, as runc makes a missing cwd */
		struct werr me;
		werr_clear(&me);
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root >= 0)
			fd = pathfd_mkdir_all_in_root(root, path, 0755, &me);
		if (fd < 0) {
			log_warn("files: cannot create the writable workdir %s: %s", path,
				 me.msg[0] ? me.msg : strerror(errno));
			return 0;
		}
	}
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			log_debug("files: %s does not exist: no rule", path);
			return 0;
		}
		return werr_sys(e, "files: open %s", path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return werr_sys(e, "files: fstat %s", path);
	struct ll_path_beneath_attr a = {.allowed_access = access & b->handled_fs, .parent_fd = fd};
	/* directory-only rights on a file are refused by the kernel (EINVAL) */
	if (!S_ISDIR(st.st_mode))
		a.allowed_access &= LL_FS_EXECUTE | LL_FS_WRITE_FILE | LL_FS_READ_FILE |
				    LL_FS_TRUNCATE | LL_FS_IOCTL_DEV;
	if (syscall(__NR_landlock_add_rule, b->ruleset, LL_RULE_PATH_BENEATH, &a, 0) < 0)
		return werr_sys(e, "files: landlock rule for %s", path);
	return 0;
}

static int add_paths(struct ll_build *b, const struct ward_path_set *set, uint64_t access,
		     bool create, struct werr *e)
{
	for (size_t i = 0; i < set->n; i++)
		if (add_path(b, set->paths[i], access, create, e) < 0)
			return -1;
	return 0;
}

static int add_ports(struct ll_build *b, const uint8_t *ports, uint64_t access, struct werr *e)
{
	for (unsigned p = 0; p < 65536; p++) {
		if (!((ports[p / 8] >> (p % 8)) & 1))
			continue;
		struct ll_net_port_attr a = {.allowed_access = access, .port = p};
		if (syscall(__NR_landlock_add_rule, b->ruleset, LL_RULE_NET_PORT, &a, 0) < 0)
			return werr_sys(e, "landlock rule for TCP port %u", p);
	}
	return 0;
}

/* Which TCP accesses the network rules let Landlock wall off, with their allowed ports. */
static uint64_t plan_ports(const struct ward_policy *p, uint8_t *connect, uint8_t *bind)
{
	uint64_t net = 0;
	if (allowed_tcp_ports(&p->net.egress, connect)) {
		if (count_ports(connect) <= LL_MAX_PORT_RULES)
			net |= LL_NET_CONNECT_TCP;
		else
			log_debug("landlock: egress allows too many ports for a TCP backstop");
	}
	if (allowed_tcp_ports(&p->net.bind, bind)) {
		if (count_ports(bind) <= LL_MAX_PORT_RULES)
			net |= LL_NET_BIND_TCP;
		else
			log_debug("landlock: bind allows too many ports for a TCP backstop");
	}
	return net;
}

int landlock_restrict(const struct ward_policy *p, const char *cwd, struct werr *e)
{
	if (p->landlock == WARD_LANDLOCK_OFF)
		return 0;
	_cleanup_free_ uint8_t *connect = xcalloc(1, 65536 / 8);
	_cleanup_free_ uint8_t *bind = xcalloc(1, 65536 / 8);
	uint64_t want_net = plan_ports(p, connect, bind);
	if (!p->files.present && !want_net)
		return 0;

	int abi = landlock_abi();
	if (abi < 1) {
		if (p->landlock == WARD_LANDLOCK_REQUIRED)
			return werr_set(e, EOPNOTSUPP,
					"policy %s requires Landlock, which this kernel lacks",
					p->name ? p->name : "?");
		log_warn("landlock unavailable: the file policy is enforced by mounts only");
		return 0;
	}
	uint64_t handled_net = abi >= 4 ? want_net : 0;
	if (want_net && !handled_net) {
		if (p->landlock == WARD_LANDLOCK_REQUIRED)
			return werr_set(
				e, EOPNOTSUPP,
				"policy %s requires Landlock TCP rules (ABI 4), this kernel "
				"has ABI %d",
				p->name ? p->name : "?", abi);
		log_warn("landlock ABI %d has no TCP rules: the network policy has no kernel "
			 "backstop",
			 abi);
	}
	if (p->files.present && abi < 3)
		log_warn("landlock ABI %d: %s not enforced by Landlock", abi,
			 abi < 2 ? "truncation and cross-directory links/renames" : "truncation");

	struct ll_build b = {.cwd = cwd};
	b.handled_fs = p->files.present ? fs_rights_of_abi(abi) : 0;
	if (!b.handled_fs && !handled_net)
		return 0;
	struct ll_ruleset_attr attr = {.handled_access_fs = b.handled_fs,
				       .handled_access_net = handled_net};
	size_t size = abi >= 6 ? sizeof(attr) : abi >= 4 ? 16 : 8;
	b.ruleset = (int)syscall(__NR_landlock_create_ruleset, &attr, size, 0);
	if (b.ruleset < 0)
		return werr_sys(e, "landlock: create ruleset");
	int rc = -1;
	if (b.handled_fs && (add_paths(&b, &p->files.read_only, LL_READ, false, e) < 0 ||
			     add_paths(&b, &p->files.executable, LL_EXEC, false, e) < 0 ||
			     add_paths(&b, &p->files.writable, LL_WRITE, true, e) < 0))
		goto out;
	if ((handled_net & LL_NET_CONNECT_TCP) && add_ports(&b, connect, LL_NET_CONNECT_TCP, e) < 0)
		goto out;
	if ((handled_net & LL_NET_BIND_TCP) && add_ports(&b, bind, LL_NET_BIND_TCP, e) < 0)
		goto out;
	if (syscall(__NR_landlock_restrict_self, b.ruleset, 0) < 0) {
		werr_sys(e, "landlock: restrict self");
		goto out;
	}
	log_debug("landlock ABI %d: fs 0x%llx net 0x%llx", abi, (unsigned long long)b.handled_fs,
		  (unsigned long long)handled_net);
	rc = 0;
out:
	close(b.ruleset);
	return rc;
}
