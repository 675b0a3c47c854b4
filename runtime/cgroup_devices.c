/* SPDX-License-Identifier: Apache-2.0 */
/*
 * linux.resources.devices as an ordered rule list, and its cgroup v1 form.
 *
 * Semantics (the same for v1 and the v2 eBPF program): the container starts with
 * every device denied; rules apply in order and a later rule wins over an earlier
 * one; an allow rule grants a request when the request's access is within the
 * rule's, a deny rule refuses a request sharing any access bit with it (that is
 * how the v1 kernel treats allow-list and deny-list exceptions); a rule of type
 * "a" resets everything (the kernel ignores the rest of an "a" line).
 *
 * runc's default allow list is appended after the config's rules, exactly as runc
 * does (its own comment calls it "incorrect and arguably insecure", and keeps it
 * because engines depend on it: mknod of any node, the standard character devices,
 * /dev/pts/N, /dev/ptmx and /dev/net/tun). runc drops a default entry when
 * linux.devices redefines that path; that needs linux.devices, which is not ours
 * to see here, so ward always keeps them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "cgroup_internal.h"

#define RWM (CG_DEV_ACC_READ | CG_DEV_ACC_WRITE | CG_DEV_ACC_MKNOD)

static const struct cg_dev_rule default_rules[] = {
	{true, 'c', -1, -1, CG_DEV_ACC_MKNOD}, /* mknod of any char device */
	{true, 'b', -1, -1, CG_DEV_ACC_MKNOD}, /* mknod of any block device */
	{true, 'c', 1, 3, RWM},                /* /dev/null */
	{true, 'c', 1, 8, RWM},                /* /dev/random */
	{true, 'c', 1, 7, RWM},                /* /dev/full */
	{true, 'c', 5, 0, RWM},                /* /dev/tty */
	{true, 'c', 1, 5, RWM},                /* /dev/zero */
	{true, 'c', 1, 9, RWM},                /* /dev/urandom */
	{true, 'c', 136, -1, RWM},             /* /dev/pts/N */
	{true, 'c', 5, 2, RWM},                /* /dev/ptmx */
	{true, 'c', 10, 200, RWM},             /* /dev/net/tun */
};

static int parse_access(const char *s, unsigned *out)
{
	unsigned a = 0;
	if (!s || !*s) {
		/* absent: the whole set, as the kernel reads a v1 rule without access */
		*out = RWM;
		return 0;
	}
	for (const char *p = s; *p; p++) {
		switch (*p) {
		case 'r':
			a |= CG_DEV_ACC_READ;
			break;
		case 'w':
			a |= CG_DEV_ACC_WRITE;
			break;
		case 'm':
			a |= CG_DEV_ACC_MKNOD;
			break;
		default:
			return -1;
		}
	}
	*out = a;
	return 0;
}

int cg_dev_rules_build(const struct oci_device_cgroup *devs, size_t n, struct cg_dev_rule **out,
		       size_t *n_out, struct werr *e)
{
	size_t total = 1 + n + ARRAY_SIZE(default_rules);
	_cleanup_free_ struct cg_dev_rule *r = xcalloc(total, sizeof(*r));
	size_t k = 0;
	r[k++] = (struct cg_dev_rule){false, 'a', -1, -1, RWM};
	for (size_t i = 0; i < n; i++) {
		const struct oci_device_cgroup *d = &devs[i];
		struct cg_dev_rule x = {.allow = d->allow, .major = -1, .minor = -1};
		const char *t = d->type && *d->type ? d->type : "a";
		if (strcmp(t, "a") != 0 && strcmp(t, "c") != 0 && strcmp(t, "b") != 0)
			return werr_set(
				e, EINVAL,
				"linux.resources.devices[%zu].type: \"%s\" is not a, c or b", i, t);
		x.type = t[0];
		if (d->has_major) {
			if (d->major < -1 || d->major > UINT32_MAX)
				return werr_set(e, EINVAL,
						"linux.resources.devices[%zu].major: %" PRId64
						" is out of range",
						i, d->major);
			x.major = d->major;
		}
		if (d->has_minor) {
			if (d->minor < -1 || d->minor > UINT32_MAX)
				return werr_set(e, EINVAL,
						"linux.resources.devices[%zu].minor: %" PRId64
						" is out of range",
						i, d->minor);
			x.minor = d->minor;
		}
		if (parse_access(d->access, &x.access) < 0)
			return werr_set(
				e, EINVAL,
				"linux.resources.devices[%zu].access: \"%s\" is not a subset "
				"of \"rwm\"",
				i, d->access);
		r[k++] = x;
	}
	for (size_t i = 0; i < ARRAY_SIZE(default_rules); i++)
		r[k++] = default_rules[i];
	*out = take_ptr(r);
	*n_out = k;
	return 0;
}

static void num_or_star(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "*");
	else
		snprintf(buf, len, "%" PRId64, v);
}

const char *cg_dev_rule_v1(const struct cg_dev_rule *r, char *buf, size_t len)
{
	if (r->type == 'a') {
		snprintf(buf, len, "a");
		return buf;
	}
	char maj[24], min[24], acc[4];
	size_t k = 0;
	num_or_star(maj, sizeof(maj), r->major);
	num_or_star(min, sizeof(min), r->minor);
	if (r->access & CG_DEV_ACC_READ)
		acc[k++] = 'r';
	if (r->access & CG_DEV_ACC_WRITE)
		acc[k++] = 'w';
	if (r->access & CG_DEV_ACC_MKNOD)
		acc[k++] = 'm';
	acc[k] = '\0';
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, acc);
	return buf;
}

int cg_devices_apply_v1(const char *dir, const struct cg_dev_rule *rules, size_t n, struct werr *e)
{
	for (size_t i = 0; i < n; i++) {
		char buf[64];
		if (rules[i].type != 'a' && rules[i].access == 0)
			continue; /* an empty access set changes nothing */
		if (cg_write(dir, rules[i].allow ? "devices.allow" : "devices.deny",
			     cg_dev_rule_v1(&rules[i], buf, sizeof(buf)), e) < 0)
			return -1;
	}
	return 0;
}
