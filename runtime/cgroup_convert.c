/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The OCI resources are cgroup v1 shaped; cgroup v2 wants other ranges and
 * meanings. These conversions are the ones runc documents and uses, so a
 * container gets the same v2 values under ward as under runc.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "cgroup_internal.h"

/*
 * Linear map of [2, 262144] onto [1, 10000]:  weight = 1 + ((shares - 2) * 9999) / 262142.
 * This is the formula runc 1.1 (the runc on this machine) and crun document; newer runc
 * moved to a curve that maps the default 1024 onto 100, but the linear one is the
 * documented contract engines were built against.
 */
uint64_t cg_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* Linear map of [10, 1000] onto [1, 10000]:  io.weight = 1 + (weight - 10) * 9999 / 990. */
uint64_t cg_blkio_weight_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	if (weight < 10)
		weight = 10;
	if (weight > 1000)
		weight = 1000;
	return 1 + (weight - 10) * 9999 / 990;
}

int cg_swap_to_v2(int64_t swap, int64_t limit, int64_t *out, struct werr *e)
{
	if (limit == -1 && swap == 0) {
		/* "unlimited memory, swap not given" means both unlimited, as on v1 */
		*out = -1;
		return 0;
	}
	if (swap == -1 || swap == 0) {
		*out = swap;
		return 0;
	}
	if (limit == -1) {
		/* no memory limit: the memory+swap figure is all swap */
		*out = swap;
		return 0;
	}
	if (limit == 0)
		return werr_set(e, EINVAL,
				"a swap limit needs a memory limit (memory.swap is "
				"memory+swap)");
	if (limit < 0)
		return werr_set(e, EINVAL, "invalid memory limit %" PRId64, limit);
	if (swap < limit)
		return werr_set(e, EINVAL,
				"memory.swap (%" PRId64 ", memory+swap) is lower than memory.limit "
				"(%" PRId64 ")",
				swap, limit);
	*out = swap - limit;
	return 0;
}

const char *cg_v2_num(int64_t v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}

const char *cg_pids_max(int64_t limit, char *buf, size_t len)
{
	if (limit > 0)
		snprintf(buf, len, "%" PRId64, limit);
	else if (limit == 0)
		snprintf(buf, len, "1"); /* runc: 0 is a limit, written as 1 like systemd does */
	else
		snprintf(buf, len, "max");
	return buf;
}

char *cg_hugepage_name(const char *name)
{
	static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
	const char *p = name;
	if (str_has_prefix(p, "hugepages-"))
		p += strlen("hugepages-");
	char *end;
	errno = 0;
	unsigned long long kb = strtoull(p, &end, 10);
	if (errno || end == p || strcmp(end, "kB") != 0 || kb == 0)
		return NULL;
	/* in bytes, then the largest unit that keeps it whole (runc prints %g of the ratio,
	 * which for the power-of-two page sizes the kernel offers is always whole) */
	double v = (double)kb * 1024.0;
	size_t u = 0;
	while (v >= 1024.0 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024.0;
		u++;
	}
	return xasprintf("%g%s", v, units[u]);
}
