/* SPDX-License-Identifier: Apache-2.0 */
/*
 * CPU-side process attributes: process.scheduler (sched_setattr),
 * process.ioPriority (ioprio_set), linux.personality and
 * process.execCPUAffinity (sched_setaffinity).  glibc wraps neither
 * sched_setattr nor ioprio_set, hence the raw system calls.
 */
#include "process_attrs_internal.h"

#include <ctype.h>
#include <limits.h>
#include <linux/ioprio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../common/util.h"

/*
 * The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER1). <linux/sched/types.h>
 * cannot be included next to glibc's <sched.h> (both define sched_param).
 */
struct sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};
_Static_assert(sizeof(struct sched_attr) == 56, "struct sched_attr is SCHED_ATTR_SIZE_VER1");

struct name_val {
	const char *name;
	unsigned long long val;
};

static int lookup(const struct name_val *t, size_t n, const char *name, unsigned long long *out)
{
	if (!name)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0) {
			*out = t[i].val;
			return 0;
		}
	return -1;
}

/* ---- scheduler ---- */

/* SCHED_ISO is in the spec but was never merged into Linux: the kernel refuses it. */
static const struct name_val sched_policies[] = {
	{"SCHED_OTHER", 0}, {"SCHED_FIFO", 1}, {"SCHED_RR", 2},       {"SCHED_BATCH", 3},
	{"SCHED_ISO", 4},   {"SCHED_IDLE", 5}, {"SCHED_DEADLINE", 6},
};

static const struct name_val sched_flags[] = {
	{"SCHED_FLAG_RESET_ON_FORK", 0x01},  {"SCHED_FLAG_RECLAIM", 0x02},
	{"SCHED_FLAG_DL_OVERRUN", 0x04},     {"SCHED_FLAG_KEEP_POLICY", 0x08},
	{"SCHED_FLAG_KEEP_PARAMS", 0x10},    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
	{"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
};

static int sched_to_attr(const struct oci_scheduler *s, struct sched_attr *a, struct werr *e)
{
	unsigned long long policy, flags = 0;
	if (lookup(sched_policies, ARRAY_SIZE(sched_policies), s->policy, &policy) < 0)
		return werr_set(e, 0, "process.scheduler.policy: unknown policy \"%s\"",
				s->policy ? s->policy : "");
	for (size_t i = 0; i < s->n_flags; i++) {
		unsigned long long f;
		if (lookup(sched_flags, ARRAY_SIZE(sched_flags), s->flags[i], &f) < 0)
			return werr_set(e, 0, "process.scheduler.flags[%zu]: unknown flag \"%s\"",
					i, s->flags[i] ? s->flags[i] : "");
		flags |= f;
	}
	bool fair = policy == 0 || policy == 3; /* OTHER, BATCH */
	bool rt = policy == 1 || policy == 2;   /* FIFO, RR */
	bool dl = policy == 6;
	/* Like runc: nice is range-checked where it means something, ignored elsewhere. */
	if (fair && s->has_nice && (s->nice < -20 || s->nice > 19))
		return werr_set(e, 0, "process.scheduler.nice: %d is outside -20..19", s->nice);
	if (s->has_priority && s->priority != 0 && !rt)
		return werr_set(e, 0,
				"process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a "
				"priority, not %s",
				s->policy);
	if (rt && (!s->has_priority || s->priority < 1 || s->priority > 99))
		return werr_set(e, 0, "process.scheduler.priority: %s needs a priority in 1..99",
				s->policy);
	if (!dl && ((s->has_runtime && s->runtime) || (s->has_deadline && s->deadline) ||
		    (s->has_period && s->period)))
		return werr_set(e, 0,
				"process.scheduler: runtime, deadline and period are only for "
				"SCHED_DEADLINE");
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->sched_policy = (uint32_t)policy;
	a->sched_flags = flags;
	a->sched_nice = s->has_nice ? s->nice : 0;
	a->sched_priority = s->has_priority ? (uint32_t)s->priority : 0;
	a->sched_runtime = s->has_runtime ? s->runtime : 0;
	a->sched_deadline = s->has_deadline ? s->deadline : 0;
	a->sched_period = s->has_period ? s->period : 0;
	/* The spec has the clamp flags but no clamp values: -1 asks for the defaults. */
	a->sched_util_min = UINT32_MAX;
	a->sched_util_max = UINT32_MAX;
	return 0;
}

int scheduler_validate(const struct oci_scheduler *s, struct werr *e)
{
	struct sched_attr a;
	if (!s->present)
		return 0;
	return sched_to_attr(s, &a, e);
}

int scheduler_apply(const struct oci_scheduler *s, struct werr *e)
{
	struct sched_attr a;
	if (!s->present)
		return 0;
	if (sched_to_attr(s, &a, e) < 0)
		return -1;
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return werr_sys(e, "sched_setattr(%s)", s->policy);
	return 0;
}

/* ---- I/O priority ---- */

static const struct name_val io_classes[] = {
	{"IOPRIO_CLASS_RT", IOPRIO_CLASS_RT},
	{"IOPRIO_CLASS_BE", IOPRIO_CLASS_BE},
	{"IOPRIO_CLASS_IDLE", IOPRIO_CLASS_IDLE},
};

static int io_value(const struct oci_io_priority *io, int *out, struct werr *e)
{
	unsigned long long cls;
	if (lookup(io_classes, ARRAY_SIZE(io_classes), io->class, &cls) < 0)
		return werr_set(e, 0, "process.ioPriority.class: unknown class \"%s\"",
				io->class ? io->class : "");
	if (io->priority < 0 || io->priority > 7)
		return werr_set(e, 0, "process.ioPriority.priority: %d is outside 0..7",
				io->priority);
	*out = (int)IOPRIO_PRIO_VALUE(cls, io->priority);
	return 0;
}

int io_priority_validate(const struct oci_io_priority *io, struct werr *e)
{
	int v;
	return io->present ? io_value(io, &v, e) : 0;
}

int io_priority_apply(const struct oci_io_priority *io, struct werr *e)
{
	int v;
	if (!io->present)
		return 0;
	if (io_value(io, &v, e) < 0)
		return -1;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, v) < 0)
		return werr_sys(e, "ioprio_set(%s, %d)", io->class, io->priority);
	return 0;
}

/* ---- personality ---- */

static const struct name_val pers_domains[] = {
	{"LINUX", PER_LINUX},
	{"LINUX32", PER_LINUX32},
};

/*
 * The spec defines no flag values yet; runc ignores flags with a warning. ward
 * accepts the kernel's own flag names (so ADDR_NO_RANDOMIZE works) and refuses
 * anything else, since an unknown name can only be a mistake.
 */
static const struct name_val pers_flags[] = {
	{"UNAME26", UNAME26},
	{"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
	{"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
	{"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
	{"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
	{"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
	{"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
	{"SHORT_INODE", SHORT_INODE},
	{"WHOLE_SECONDS", WHOLE_SECONDS},
	{"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
	{"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
};

static int pers_value(const struct oci_personality *pers, unsigned long *out, struct werr *e)
{
	unsigned long long dom, v;
	if (lookup(pers_domains, ARRAY_SIZE(pers_domains), pers->domain, &dom) < 0)
		return werr_set(e, 0, "linux.personality.domain: unknown domain \"%s\"",
				pers->domain ? pers->domain : "");
	for (size_t i = 0; i < pers->n_flags; i++) {
		unsigned long long f;
		if (lookup(pers_flags, ARRAY_SIZE(pers_flags), pers->flags[i], &f) < 0)
			return werr_set(e, 0, "linux.personality.flags[%zu]: unknown flag \"%s\"",
					i, pers->flags[i] ? pers->flags[i] : "");
		dom |= f;
	}
	v = dom;
	*out = (unsigned long)v;
	return 0;
}

int personality_validate(const struct oci_personality *pers, struct werr *e)
{
	unsigned long v;
	return pers && pers->present ? pers_value(pers, &v, e) : 0;
}

int personality_apply(const struct oci_personality *pers, struct werr *e)
{
	unsigned long v;
	if (!pers || !pers->present)
		return 0;
	if (pers_value(pers, &v, e) < 0)
		return -1;
	if (personality(v) < 0)
		return werr_sys(e, "personality(%s)", pers->domain);
	/* personality() returns the old value even when it ignored the new one. */
	int now = personality(0xffffffff);
	if (now < 0 || (unsigned long)now != v)
		return werr_set(e, EINVAL, "personality(%s): the kernel kept 0x%x", pers->domain,
				(unsigned)now);
	return 0;
}

/* ---- CPU affinity ---- */

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

static int parse_cpu(const char **p, unsigned long *out)
{
	char *end;
	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	unsigned long v = strtoul(*p, &end, 10);
	if (errno || v >= CPU_SETSIZE)
		return -1;
	*p = end;
	*out = v;
	return 0;
}

int cpu_list_parse(const char *list, cpu_set_t *out, struct werr *e)
{
	CPU_ZERO(out);
	const char *p = skip_space(list ? list : "");
	if (!*p)
		return werr_set(e, 0, "empty CPU list");
	for (;;) {
		unsigned long a, b;
		p = skip_space(p);
		if (parse_cpu(&p, &a) < 0)
			return werr_set(e, 0, "CPU list \"%s\": expected a CPU number below %d",
					list, CPU_SETSIZE);
		b = a;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &b) < 0 || b < a)
				return werr_set(e, 0, "CPU list \"%s\": bad range", list);
		}
		for (unsigned long c = a; c <= b; c++)
			CPU_SET(c, out);
		p = skip_space(p);
		if (*p == '\0')
			return 0;
		if (*p != ',')
			return werr_set(e, 0, "CPU list \"%s\": unexpected '%c'", list, *p);
		p++;
	}
}

int cpu_affinity_apply(const char *list, struct werr *e)
{
	cpu_set_t set;
	if (!list)
		return 0;
	if (cpu_list_parse(list, &set, e) < 0)
		return -1;
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		return werr_sys(e, "set CPU affinity to \"%s\"", list);
	return 0;
}
