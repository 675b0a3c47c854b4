/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The closed value sets of runtime-spec v1.2 (config.md, config-linux.md and
 * schema/defs-linux.json), used to refuse unknown values with the list of
 * valid ones.
 */
#include <string.h>

#include "../common/util.h"
#include "parse_internal.h"

#define OCI_ENUM(name, ...)                                                                        \
	static const char *const name##_names[] = {__VA_ARGS__};                                   \
	const struct oci_enum name = {name##_names, ARRAY_SIZE(name##_names)}

/* Order matches enum oci_ns_type. */
OCI_ENUM(oci_enum_ns_types, "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");

/*
 * The spec lists shared, slave, private and unbindable; runc and Docker also
 * use the recursive forms (moby writes "rslave" and "rshared"), so accept them.
 */
OCI_ENUM(oci_enum_rootfs_propagation, "shared", "slave", "private", "unbindable", "rshared",
	 "rslave", "rprivate", "runbindable");

OCI_ENUM(oci_enum_device_types, "c", "b", "u", "p");

OCI_ENUM(oci_enum_seccomp_actions, "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
	 "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",
	 "SCMP_ACT_NOTIFY");

OCI_ENUM(oci_enum_seccomp_ops, "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	 "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ");

OCI_ENUM(oci_enum_seccomp_archs, "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
	 "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",
	 "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
	 "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
	 "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64");

OCI_ENUM(oci_enum_seccomp_flags, "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
	 "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");

OCI_ENUM(oci_enum_sched_policies, "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
	 "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE");

OCI_ENUM(oci_enum_sched_flags, "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
	 "SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY", "SCHED_FLAG_KEEP_PARAMS",
	 "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX");

OCI_ENUM(oci_enum_ioprio_classes, "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE");

OCI_ENUM(oci_enum_personality_domains, "LINUX", "LINUX32");

const char *oci_ns_type_name(enum oci_ns_type t)
{
	if ((unsigned)t >= OCI_NS_COUNT)
		return NULL;
	return oci_enum_ns_types.names[t];
}

int oci_ns_type_from_name(const char *name)
{
	for (size_t i = 0; i < oci_enum_ns_types.n; i++)
		if (strcmp(name, oci_enum_ns_types.names[i]) == 0)
			return (int)i;
	return -1;
}
