/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ward features`: the runtime-spec features document. Everything listed here is something
 * ward really does; what is only parsed (intelRdt) or not built yet (systemd cgroups, the
 * supervisor policies other than "none") is reported as absent.
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../oci-spec/oci_state.h"
#include "cli.h"
#include "landlock.h"
#include "mount_opts.h"
#include "policy.h"
#include "process_attrs.h"
#include "seccomp_oci.h"
#include "version.h"

static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	NULL};
static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network", "pid",
					 "time",   "user", "uts",   NULL};
/* Every option mount_opts_parse() understands (a unit test checks each one parses). */
const char *const mount_option_names[] = {"async",         "atime",        "bind",
					  "defaults",      "dev",          "diratime",
					  "dirsync",       "exec",         "idmap",
					  "iversion",      "lazytime",     "loud",
					  "mand",          "noatime",      "nodev",
					  "nodiratime",    "noexec",       "noiversion",
					  "nolazytime",    "nomand",       "norelatime",
					  "nostrictatime", "nosuid",       "nosymfollow",
					  "private",       "rbind",        "relatime",
					  "remount",       "ridmap",       "ro",
					  "rprivate",      "rro",          "rrw",
					  "rnosuid",       "rsuid",        "rnodev",
					  "rdev",          "rnoexec",      "rexec",
					  "rnoatime",      "ratime",       "rrelatime",
					  "rnorelatime",   "rstrictatime", "rnostrictatime",
					  "rnodiratime",   "rdiratime",    "rnosymfollow",
					  "rsymfollow",    "rshared",      "rslave",
					  "runbindable",   "rw",           "shared",
					  "silent",        "slave",        "strictatime",
					  "suid",          "symfollow",    "sync",
					  "tmpcopyup",     "unbindable",   NULL};

/* "default,agent,audit,none": what --policy and dev.ward.policy accept by name. */
static char *builtin_policy_list(void)
{
	const char *const *names = policy_builtin_names();
	size_t len = 1;
	for (size_t i = 0; names[i]; i++)
		len += strlen(names[i]) + 1;
	char *s = xcalloc(1, len);
	for (size_t i = 0; names[i]; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, names[i]);
	}
	return s;
}

/* Idmapped mounts need mount_setattr (Linux 5.12): ENOSYS means this kernel has none. */
static bool idmap_supported(void)
{
	return syscall(SYS_mount_setattr, -1, "", 0, NULL, 0) == 0 || errno != ENOSYS;
}

/* The flags this kernel accepts, out of the ones ward knows. */
static const char **supported_seccomp_flags(void)
{
	const char *const *known = seccomp_oci_known_flags();
	size_t n = 0;
	while (known[n])
		n++;
	const char **out = xcalloc(n + 1, sizeof(*out));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (seccomp_oci_flag_supported(known[i]))
			out[k++] = known[i];
	return out;
}

static int run_features(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	char **caps = caps_known_names();
	_cleanup_free_ char *policies = builtin_policy_list();
	_cleanup_free_ const char **flags = supported_seccomp_flags();
	/* what the file policy can count on here (0: mounts only) */
	char landlock[16];
	snprintf(landlock, sizeof(landlock), "%d", landlock_abi());
	const struct oci_kv annotations[] = {
		{"dev.ward.version", WARD_VERSION},
		{"dev.ward.commit", WARD_COMMIT},
		{"dev.ward.policies", policies},
		{"dev.ward.landlock.abi", landlock},
	};
	struct oci_features f = {
		.oci_version_min = "1.0.0",
		.oci_version_max = OCI_SPEC_VERSION,
		.hooks = hooks,
		.mount_options = mount_option_names,
		.namespaces = namespaces,
		.capabilities = (const char *const *)caps,
		.cgroup_v1 = true,
		.cgroup_v2 = true,
		.cgroup_rdma = true,
		.seccomp_enabled = true,
		.seccomp_actions = seccomp_oci_known_actions(),
		.seccomp_operators = seccomp_oci_known_operators(),
		.seccomp_archs = seccomp_oci_known_archs(),
		.seccomp_known_flags = seccomp_oci_known_flags(),
		.seccomp_supported_flags = flags,
		.apparmor_enabled = lsm_apparmor_enabled(-1),
		.selinux_enabled = lsm_selinux_enabled(-1),
		.idmap_mounts_enabled = idmap_supported(),
		.annotations = annotations,
		.n_annotations = ARRAY_SIZE(annotations),
	};
	_cleanup_free_ char *doc = oci_features_write(&f);
	for (char **c = caps; c && *c; c++)
		free(*c);
	free(caps);
	if (!doc)
		return werr_set(e, ENOMEM, "features");
	printf("%s\n", doc);
	return 0;
}

const struct cli_command cmd_features = {
	.name = "features",
	.summary = "show the enabled features",
	.usage = "",
	.description = "Show the enabled features as a runtime-spec features document (JSON).",
	.min_args = 0,
	.max_args = 0,
	.run = run_features,
};
