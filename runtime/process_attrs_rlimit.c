/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.rlimits: every RLIMIT_* name the kernel has, applied with setrlimit.
 *
 * Without CAP_SYS_RESOURCE (absent even for root on some hosts) the kernel
 * refuses to raise a hard limit, and RLIMIT_NOFILE also cannot exceed
 * fs.nr_open; the error names the rlimit and the values so the cause is plain.
 */
#include "process_attrs.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "../common/util.h"

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
	{"RLIMIT_CPU", RLIMIT_CPU},           {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	{"RLIMIT_DATA", RLIMIT_DATA},         {"RLIMIT_STACK", RLIMIT_STACK},
	{"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_RSS", RLIMIT_RSS},
	{"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	{"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},   {"RLIMIT_AS", RLIMIT_AS},
	{"RLIMIT_LOCKS", RLIMIT_LOCKS},       {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	{"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
	{"RLIMIT_RTPRIO", RLIMIT_RTPRIO},     {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

int rlimit_from_name(const char *name)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(rlimit_names[i].name, name) == 0)
			return rlimit_names[i].resource;
	return -1;
}

const char *rlimit_name(int resource)
{
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (rlimit_names[i].resource == resource)
			return rlimit_names[i].name;
	return NULL;
}

/* "unlimited" reads better than 18446744073709551615 in an error message. */
static const char *limit_str(uint64_t v, char *buf, size_t len)
{
	if (v == (uint64_t)RLIM_INFINITY)
		return "unlimited";
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

int rlimits_apply(const struct oci_rlimit *r, size_t n, struct werr *e)
{
	for (size_t i = 0; i < n; i++) {
		int res = rlimit_from_name(r[i].type);
		if (res < 0)
			return werr_set(e, 0, "process.rlimits[%zu]: unknown rlimit type \"%s\"", i,
					r[i].type ? r[i].type : "");
		struct rlimit lim = {.rlim_cur = r[i].soft, .rlim_max = r[i].hard};
		if (setrlimit(res, &lim) == 0)
			continue;
		int err = errno;
		char s[32], h[32], ch[32];
		struct rlimit cur;
		if (err == EPERM && getrlimit(res, &cur) == 0 && lim.rlim_max > cur.rlim_max)
			return werr_set(
				e, err,
				"set %s to soft %s hard %s: raising the hard limit above %s "
				"needs CAP_SYS_RESOURCE",
				r[i].type, limit_str(r[i].soft, s, sizeof(s)),
				limit_str(r[i].hard, h, sizeof(h)),
				limit_str(cur.rlim_max, ch, sizeof(ch)));
		return werr_set(e, err, "set %s to soft %s hard %s", r[i].type,
				limit_str(r[i].soft, s, sizeof(s)),
				limit_str(r[i].hard, h, sizeof(h)));
	}
	return 0;
}
