/* SPDX-License-Identifier: Apache-2.0 */
/* `ward update`: new resource limits for a running container, from --resources or flags. */
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "cgroup.h"
#include "cli.h"
#include "container.h"

static const char *opt_resources, *opt_blkio_weight, *opt_cpu_period, *opt_cpu_quota,
	*opt_cpu_share, *opt_rt_period, *opt_rt_runtime, *opt_cpus, *opt_mems, *opt_kmem,
	*opt_kmem_tcp, *opt_memory, *opt_mem_res, *opt_swap, *opt_pids, *opt_l3, *opt_membw;

static const struct cli_opt update_opts[] = {
	{"resources", 'r', OPT_STRING, &opt_resources, NULL,
	 "path to a file containing the resources to update or '-' to read from the standard "
	 "input"},
	{"blkio-weight", 0, OPT_STRING, &opt_blkio_weight, NULL,
	 "specifies per cgroup weight, range is from 10 to 1000"},
	{"cpu-period", 0, OPT_STRING, &opt_cpu_period, NULL,
	 "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
	{"cpu-quota", 0, OPT_STRING, &opt_cpu_quota, NULL,
	 "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
	{"cpu-share", 0, OPT_STRING, &opt_cpu_share, NULL,
	 "CPU shares (relative weight vs. other containers)"},
	{"cpu-rt-period", 0, OPT_STRING, &opt_rt_period, NULL,
	 "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"},
	{"cpu-rt-runtime", 0, OPT_STRING, &opt_rt_runtime, NULL,
	 "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"},
	{"cpuset-cpus", 0, OPT_STRING, &opt_cpus, NULL, "CPU(s) to use"},
	{"cpuset-mems", 0, OPT_STRING, &opt_mems, NULL, "Memory node(s) to use"},
	{"kernel-memory", 0, OPT_STRING, &opt_kmem, NULL, "Kernel memory limit (in bytes)"},
	{"kernel-memory-tcp", 0, OPT_STRING, &opt_kmem_tcp, NULL,
	 "Kernel memory limit (in bytes) for tcp buffer"},
	{"memory", 0, OPT_STRING, &opt_memory, NULL, "Memory limit (in bytes)"},
	{"memory-reservation", 0, OPT_STRING, &opt_mem_res, NULL,
	 "Memory reservation or soft_limit (in bytes)"},
	{"memory-swap", 0, OPT_STRING, &opt_swap, NULL,
	 "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
	{"pids-limit", 0, OPT_STRING, &opt_pids, NULL,
	 "Maximum number of pids allowed in the container"},
	{"l3-cache-schema", 0, OPT_STRING, &opt_l3, NULL,
	 "The string of Intel RDT/CAT L3 cache schema"},
	{"mem-bw-schema", 0, OPT_STRING, &opt_membw, NULL,
	 "The string of Intel RDT/MBA memory bandwidth schema"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

/* Docker's RAMInBytes: a number with an optional binary suffix (k, m, g, t, p; b/ib optional). */
static int parse_bytes(const char *flag, const char *s, int64_t *out, struct werr *e)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno)
		return werr_code(e, EINVAL, "--%s: invalid value \"%s\"", flag, s);
	double mult = 1;
	switch (tolower((unsigned char)*end)) {
	case 'k':
		mult = 1024.0;
		end++;
		break;
	case 'm':
		mult = 1024.0 * 1024;
		end++;
		break;
	case 'g':
		mult = 1024.0 * 1024 * 1024;
		end++;
		break;
	case 't':
		mult = 1024.0 * 1024 * 1024 * 1024;
		end++;
		break;
	case 'p':
		mult = 1024.0 * 1024 * 1024 * 1024 * 1024;
		end++;
		break;
	default:
		break;
	}
	if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
		end += strlen(end);
	if (*end)
		return werr_code(e, EINVAL, "--%s: invalid size \"%s\"", flag, s);
	*out = (int64_t)(v * mult);
	return 0;
}

static int parse_num(const char *flag, const char *s, long long min, long long max, long long *out,
		     struct werr *e)
{
	if (parse_ll(s, min, max, out) < 0)
		return werr_code(e, EINVAL, "--%s: invalid value \"%s\"", flag, s);
	return 0;
}

/* Fills r from the individual flags; only the flags given are set. */
static int resources_from_flags(struct oci_resources *r, struct werr *e)
{
	long long v;
	int64_t b = 0;
	r->present = true;
	if (opt_blkio_weight) {
		if (parse_num("blkio-weight", opt_blkio_weight, 10, 1000, &v, e) < 0)
			return -1;
		r->block_io.present = r->block_io.has_weight = true;
		r->block_io.weight = (uint16_t)v;
	}
	struct oci_cpu *cpu = &r->cpu;
	if (opt_cpu_period) {
		if (parse_num("cpu-period", opt_cpu_period, 0, INT64_MAX, &v, e) < 0)
			return -1;
		cpu->present = cpu->has_period = true;
		cpu->period = (uint64_t)v;
	}
	if (opt_cpu_quota) {
		if (parse_num("cpu-quota", opt_cpu_quota, -1, INT64_MAX, &v, e) < 0)
			return -1;
		cpu->present = cpu->has_quota = true;
		cpu->quota = v;
	}
	if (opt_cpu_share) {
		if (parse_num("cpu-share", opt_cpu_share, 0, INT64_MAX, &v, e) < 0)
			return -1;
		cpu->present = cpu->has_shares = true;
		cpu->shares = (uint64_t)v;
	}
	if (opt_rt_period) {
		if (parse_num("cpu-rt-period", opt_rt_period, 0, INT64_MAX, &v, e) < 0)
			return -1;
		cpu->present = cpu->has_realtime_period = true;
		cpu->realtime_period = (uint64_t)v;
	}
	if (opt_rt_runtime) {
		if (parse_num("cpu-rt-runtime", opt_rt_runtime, -1, INT64_MAX, &v, e) < 0)
			return -1;
		cpu->present = cpu->has_realtime_runtime = true;
		cpu->realtime_runtime = v;
	}
	if (opt_cpus) {
		cpu->present = true;
		cpu->cpus = xstrdup(opt_cpus);
	}
	if (opt_mems) {
		cpu->present = true;
		cpu->mems = xstrdup(opt_mems);
	}
	struct oci_memory *m = &r->memory;
	const struct {
		const char *flag, *val;
		bool *has;
		int64_t *dst;
	} mem[] = {
		{"memory", opt_memory, &m->has_limit, &m->limit},
		{"memory-reservation", opt_mem_res, &m->has_reservation, &m->reservation},
		{"memory-swap", opt_swap, &m->has_swap, &m->swap},
		{"kernel-memory", opt_kmem, &m->has_kernel, &m->kernel},
		{"kernel-memory-tcp", opt_kmem_tcp, &m->has_kernel_tcp, &m->kernel_tcp},
	};
	for (size_t i = 0; i < ARRAY_SIZE(mem); i++) {
		if (!mem[i].val)
			continue;
		if (!strcmp(mem[i].val, "-1"))
			b = -1;
		else if (parse_bytes(mem[i].flag, mem[i].val, &b, e) < 0)
			return -1;
		m->present = *mem[i].has = true;
		*mem[i].dst = b;
	}
	if (opt_pids) {
		if (parse_num("pids-limit", opt_pids, -1, INT64_MAX, &v, e) < 0)
			return -1;
		r->pids.present = true;
		r->pids.limit = v;
	}
	if (opt_l3 || opt_membw)
		return werr_code(e, ENOTSUP, "Intel RDT is not supported by ward");
	return 0;
}

static int run_update(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	struct oci_resources *res = NULL;
	struct container *c = NULL;
	struct cgroup *cg = NULL;
	int rc = -1;

	if (opt_resources) {
		_cleanup_free_ char *buf = NULL;
		size_t len;
		int r = !strcmp(opt_resources, "-")
				? read_fd_all(STDIN_FILENO, OCI_CONFIG_MAX_BYTES, &buf, &len, e)
				: read_file_at(AT_FDCWD, opt_resources, OCI_CONFIG_MAX_BYTES, &buf,
					       &len, e);
		if (r < 0)
			return werr_wrap(e, "--resources");
		if (oci_resources_parse(buf, len, "resources", &res, e) < 0)
			return -1;
	} else {
		res = xcalloc(1, sizeof(*res));
		if (resources_from_flags(res, e) < 0)
			goto out;
	}
	if (container_open(ctx->root, argv[0], true, &c, e) < 0)
		goto out;
	enum container_status s = container_status(c);
	if (s == STATUS_STOPPED) {
		werr_set(e, 0, "container not running");
		goto out;
	}
	if (!c->cgroup) {
		werr_set(e, 0, "container %s has no cgroup", c->id);
		goto out;
	}
	if (cgroup_open(c->cgroup, &cg, e) < 0 || cgroup_update(cg, res, e) < 0)
		goto out;
	rc = 0;
out:
	cgroup_free(cg);
	container_free(c);
	oci_resources_free(res);
	return rc;
}

const struct cli_command cmd_update = {
	.name = "update",
	.summary = "update container resource constraints",
	.usage = "<container-id>",
	.description = "The update command changes the resource limits of a running container, "
		       "from a linux.resources JSON document (--resources) or individual flags.",
	.opts = update_opts,
	.min_args = 1,
	.max_args = 1,
	.run = run_update,
};
