/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ward features`: the runtime-spec features document. Everything listed here is something
 * ward really does; what is only parsed (intelRdt) or not built yet (systemd cgroups, the
 * supervisor policies other than "none") is reported as absent.
 */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../oci-spec/oci_state.h"
#include "cli.h"
#include "mount_options.h"
#include "process_attrs.h"
#include "version.h"

static const char *const hooks[] = {"prestart",  "createRuntime", "createContainer",
                                    "startContainer", "poststart", "poststop", NULL};
static const char *const namespaces[] = {"cgroup", "ipc", "mount", "network", "pid",
                                         "time",   "user", "uts", NULL};
static const char *const seccomp_actions[] = {
	"SCMP_ACT_ALLOW",        "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
	"SCMP_ACT_KILL_THREAD",  "SCMP_ACT_LOG",   "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
	"SCMP_ACT_TRAP",         NULL};
static const char *const seccomp_operators[] = {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                                "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                                                "SCMP_CMP_NE", NULL};
static const char *const seccomp_archs[] = {
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM",     "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
	"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
	"SCMP_ARCH_PPC",     "SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_RISCV64",
	"SCMP_ARCH_S390",    "SCMP_ARCH_S390X",   "SCMP_ARCH_X32",      "SCMP_ARCH_X86",
	"SCMP_ARCH_X86_64",  NULL};
static const char *const seccomp_flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                            "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                            "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};

static bool lsm_enabled(const char *name)
{
	_cleanup_free_ char *lsms = NULL;
	struct werr e;
	if (read_file_at(AT_FDCWD, "/sys/kernel/security/lsm", 4096, &lsms, NULL, &e) < 0)
		return false;
	for (char *save = NULL, *t = strtok_r(lsms, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save))
		if (!strcmp(t, name))
			return true;
	return false;
}

static int run_features(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	char **caps = caps_known_names();
	const struct oci_kv annotations[] = {
		{"dev.ward.version", WARD_VERSION},
		{"dev.ward.commit", WARD_COMMIT},
		{"dev.ward.policies", "none"},
	};
	struct oci_features f = {
		.oci_version_min = "1.0.0",
		.oci_version_max = OCI_SPEC_VERSION,
		.hooks = hooks,
		.mount_options = mount_option_names(),
		.namespaces = namespaces,
		.capabilities = (const char *const *)caps,
		.cgroup_v1 = true,
		.cgroup_v2 = true,
		.cgroup_rdma = true,
		.seccomp_enabled = true,
		.seccomp_actions = seccomp_actions,
		.seccomp_operators = seccomp_operators,
		.seccomp_archs = seccomp_archs,
		.seccomp_known_flags = seccomp_flags,
		.seccomp_supported_flags = seccomp_flags,
		.apparmor_enabled = lsm_enabled("apparmor"),
		.selinux_enabled = lsm_enabled("selinux"),
		.idmap_mounts_enabled = mount_idmap_supported(),
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
