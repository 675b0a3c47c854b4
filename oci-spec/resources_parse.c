/* SPDX-License-Identifier: Apache-2.0 */
/* config.json "linux.resources": every cgroup controller of runtime-spec v1.2 plus "unified". */
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"
#include "parse_internal.h"

static int parse_device_cgroup(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			       struct oci_device_cgroup *d)
{
	static const char *const types[] = {"a", "c", "b"};
	char q[96];
	if (jv_type(cx, p, o, JT_OBJECT) < 0 ||
	    jf_bool(cx, p, o, "allow", true, &d->allow, NULL) < 0 ||
	    jf_str(cx, p, o, "type", false, &d->type) < 0)
		return -1;
	/* "" is what Go leaves for "all devices" */
	if (d->type && !d->type[0]) {
		free(d->type);
		d->type = NULL;
	}
	struct jpath tp = JP_FIELD_OF(p, "type");
	if (d->type && jcheck_enum(cx, &tp, d->type, types, ARRAY_SIZE(types)) < 0)
		return -1;
	if (jf_i64(cx, p, o, "major", false, &d->major, &d->has_major) < 0 ||
	    jf_i64(cx, p, o, "minor", false, &d->minor, &d->has_minor) < 0 ||
	    jf_str(cx, p, o, "access", false, &d->access) < 0)
		return -1;
	if (d->access && d->access[strspn(d->access, "rwm")] != '\0') {
		struct jpath ap = JP_FIELD_OF(p, "access");
		jquote(d->access, strlen(d->access), q, sizeof(q));
		return jerr(cx, &ap, "invalid access %s (expected letters of \"rwm\")", q);
	}
	return 0;
}

static int parse_device_cgroups(const struct jctx *cx, const struct jpath *up,
				const struct jnode *ro, struct oci_resources *r)
{
	const struct jnode *a;
	if (jf_arr(cx, up, ro, "devices", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "devices");
	r->devices = xcalloc(a->u.kids.n, sizeof(*r->devices));
	r->n_devices = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		if (parse_device_cgroup(cx, &ip, it, &r->devices[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_memory(const struct jctx *cx, const struct jpath *up, const struct jnode *ro,
			struct oci_memory *m)
{
	const struct jnode *o;
	if (jf_obj(cx, up, ro, "memory", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "memory");
	m->present = true;
	if (jf_i64(cx, &p, o, "limit", false, &m->limit, &m->has_limit) < 0 ||
	    jf_i64(cx, &p, o, "reservation", false, &m->reservation, &m->has_reservation) < 0 ||
	    jf_i64(cx, &p, o, "swap", false, &m->swap, &m->has_swap) < 0 ||
	    jf_i64(cx, &p, o, "kernel", false, &m->kernel, &m->has_kernel) < 0 ||
	    jf_i64(cx, &p, o, "kernelTCP", false, &m->kernel_tcp, &m->has_kernel_tcp) < 0 ||
	    jf_u64(cx, &p, o, "swappiness", false, &m->swappiness, &m->has_swappiness) < 0 ||
	    jf_bool(cx, &p, o, "disableOOMKiller", false, &m->disable_oom_killer,
		    &m->has_disable_oom_killer) < 0 ||
	    jf_bool(cx, &p, o, "useHierarchy", false, &m->use_hierarchy, &m->has_use_hierarchy) <
		    0 ||
	    jf_bool(cx, &p, o, "checkBeforeUpdate", false, &m->check_before_update,
		    &m->has_check_before_update) < 0)
		return -1;
	return 0;
}

static int parse_cpu(const struct jctx *cx, const struct jpath *up, const struct jnode *ro,
		     struct oci_cpu *c)
{
	const struct jnode *o;
	if (jf_obj(cx, up, ro, "cpu", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "cpu");
	c->present = true;
	if (jf_u64(cx, &p, o, "shares", false, &c->shares, &c->has_shares) < 0 ||
	    jf_i64(cx, &p, o, "quota", false, &c->quota, &c->has_quota) < 0 ||
	    jf_u64(cx, &p, o, "burst", false, &c->burst, &c->has_burst) < 0 ||
	    jf_u64(cx, &p, o, "period", false, &c->period, &c->has_period) < 0 ||
	    jf_i64(cx, &p, o, "realtimeRuntime", false, &c->realtime_runtime,
		   &c->has_realtime_runtime) < 0 ||
	    jf_u64(cx, &p, o, "realtimePeriod", false, &c->realtime_period,
		   &c->has_realtime_period) < 0 ||
	    jf_str(cx, &p, o, "cpus", false, &c->cpus) < 0 ||
	    jf_str(cx, &p, o, "mems", false, &c->mems) < 0 ||
	    jf_i64(cx, &p, o, "idle", false, &c->idle, &c->has_idle) < 0)
		return -1;
	return 0;
}

static int parse_pids(const struct jctx *cx, const struct jpath *up, const struct jnode *ro,
		      struct oci_pids *pi)
{
	const struct jnode *o;
	if (jf_obj(cx, up, ro, "pids", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "pids");
	pi->present = true;
	return jf_i64(cx, &p, o, "limit", true, &pi->limit, NULL);
}

static int parse_weight_devices(const struct jctx *cx, const struct jpath *up,
				const struct jnode *bo, struct oci_block_io *b)
{
	const struct jnode *a;
	if (jf_arr(cx, up, bo, "weightDevice", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "weightDevice");
	b->weight_device = xcalloc(a->u.kids.n, sizeof(*b->weight_device));
	b->n_weight_device = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		struct oci_weight_device *w = &b->weight_device[i];
		if (jv_type(cx, &ip, it, JT_OBJECT) < 0 ||
		    jf_i64(cx, &ip, it, "major", true, &w->major, NULL) < 0 ||
		    jf_i64(cx, &ip, it, "minor", true, &w->minor, NULL) < 0 ||
		    jf_u16(cx, &ip, it, "weight", false, &w->weight, &w->has_weight) < 0 ||
		    jf_u16(cx, &ip, it, "leafWeight", false, &w->leaf_weight, &w->has_leaf_weight) <
			    0)
			return -1;
		/* "You MUST specify at least one of weight or leafWeight in a given entry" */
		if (!w->has_weight && !w->has_leaf_weight)
			return jerr(cx, &ip, "needs at least one of weight or leafWeight");
	}
	return 0;
}

static int parse_throttle(const struct jctx *cx, const struct jpath *up, const struct jnode *bo,
			  const char *name, struct oci_throttle_list *l)
{
	const struct jnode *a;
	if (jf_arr(cx, up, bo, name, &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, name);
	l->items = xcalloc(a->u.kids.n, sizeof(*l->items));
	l->n = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		struct oci_throttle_device *t = &l->items[i];
		if (jv_type(cx, &ip, it, JT_OBJECT) < 0 ||
		    jf_i64(cx, &ip, it, "major", true, &t->major, NULL) < 0 ||
		    jf_i64(cx, &ip, it, "minor", true, &t->minor, NULL) < 0 ||
		    jf_u64(cx, &ip, it, "rate", true, &t->rate, NULL) < 0)
			return -1;
	}
	return 0;
}

static int parse_block_io(const struct jctx *cx, const struct jpath *up, const struct jnode *ro,
			  struct oci_block_io *b)
{
	const struct jnode *o;
	if (jf_obj(cx, up, ro, "blockIO", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "blockIO");
	b->present = true;
	if (jf_u16(cx, &p, o, "weight", false, &b->weight, &b->has_weight) < 0 ||
	    jf_u16(cx, &p, o, "leafWeight", false, &b->leaf_weight, &b->has_leaf_weight) < 0 ||
	    parse_weight_devices(cx, &p, o, b) < 0 ||
	    parse_throttle(cx, &p, o, "throttleReadBpsDevice", &b->throttle_read_bps) < 0 ||
	    parse_throttle(cx, &p, o, "throttleWriteBpsDevice", &b->throttle_write_bps) < 0 ||
	    parse_throttle(cx, &p, o, "throttleReadIOPSDevice", &b->throttle_read_iops) < 0 ||
	    parse_throttle(cx, &p, o, "throttleWriteIOPSDevice", &b->throttle_write_iops) < 0)
		return -1;
	return 0;
}

/* schema: ^[1-9][0-9]*[KMG]B$ */
static bool page_size_ok(const char *s)
{
	if (*s < '1' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9')
		s++;
	return (s[0] == 'K' || s[0] == 'M' || s[0] == 'G') && s[1] == 'B' && s[2] == '\0';
}

static int parse_hugepages(const struct jctx *cx, const struct jpath *up, const struct jnode *ro,
			   struct oci_resources *r)
{
	const struct jnode *a;
	char q[96];
	if (jf_arr(cx, up, ro, "hugepageLimits", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "hugepageLimits");
	r->hugepage_limits = xcalloc(a->u.kids.n, sizeof(*r->hugepage_limits));
	r->n_hugepage_limits = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&p, i);
		struct jpath sp = JP_FIELD_OF(&ip, "pageSize");
		struct oci_hugepage_limit *h = &r->hugepage_limits[i];
		if (jv_type(cx, &ip, it, JT_OBJECT) < 0 ||
		    jf_str(cx, &ip, it, "pageSize", true, &h->page_size) < 0)
			return -1;
		if (!page_size_ok(h->page_size)) {
			jquote(h->page_size, strlen(h->page_size), q, sizeof(q));
			return jerr(cx, &sp,
				    "invalid page size %s (expected e.g. \"2MB\" or \"1GB\")", q);
		}
		if (jf_u64(cx, &ip, it, "limit", true, &h->limit, NULL) < 0)
			return -1;
	}
	return 0;
}

static int parse_network(const struct jctx *cx, const struct jpath *up, const struct jnode *ro,
			 struct oci_network_res *n)
{
	const struct jnode *o, *a;
	if (jf_obj(cx, up, ro, "network", false, &o) < 0)
		return -1;
	if (!o)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "network");
	n->present = true;
	if (jf_u32(cx, &p, o, "classID", false, &n->class_id, &n->has_class_id) < 0 ||
	    jf_arr(cx, &p, o, "priorities", &a) < 0)
		return -1;
	if (!a || a->u.kids.n == 0)
		return 0;
	struct jpath ap = JP_FIELD_OF(&p, "priorities");
	n->priorities = xcalloc(a->u.kids.n, sizeof(*n->priorities));
	n->n_priorities = a->u.kids.n;
	size_t i = 0;
	for (const struct jnode *it = a->u.kids.first; it; it = it->next, i++) {
		struct jpath ip = JP_INDEX_OF(&ap, i);
		struct oci_net_priority *np = &n->priorities[i];
		if (jv_type(cx, &ip, it, JT_OBJECT) < 0 ||
		    jf_str(cx, &ip, it, "name", true, &np->name) < 0 ||
		    jf_u32(cx, &ip, it, "priority", true, &np->priority, NULL) < 0)
			return -1;
	}
	return 0;
}

static int parse_rdma(const struct jctx *cx, const struct jpath *up, const struct jnode *ro,
		      struct oci_resources *r)
{
	const struct jnode *o, **m;
	if (jf_obj(cx, up, ro, "rdma", false, &o) < 0)
		return -1;
	if (!o || o->u.kids.n == 0)
		return 0;
	struct jpath p = JP_FIELD_OF(up, "rdma");
	size_t n = jobj_unique_members(o, &m);
	r->rdma = xcalloc(n, sizeof(*r->rdma));
	r->n_rdma = n;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct jpath kp = {
			.up = &p, .kind = JP_MAPKEY, .key = m[i]->key, .key_len = m[i]->key_len};
		struct oci_rdma *d = &r->rdma[i];
		if (m[i]->key_len == 0)
			rc = jerr(cx, &kp, "key must not be empty");
		else if (strlen(m[i]->key) != m[i]->key_len)
			rc = jerr(cx, &kp, "key contains a NUL character");
		else if (jv_type(cx, &kp, m[i], JT_OBJECT) < 0 ||
			 jf_u32(cx, &kp, m[i], "hcaHandles", false, &d->hca_handles,
				&d->has_hca_handles) < 0 ||
			 jf_u32(cx, &kp, m[i], "hcaObjects", false, &d->hca_objects,
				&d->has_hca_objects) < 0)
			rc = -1;
		/* "You MUST specify at least one of the hcaHandles or hcaObjects" */
		else if (!d->has_hca_handles && !d->has_hca_objects)
			rc = jerr(cx, &kp, "needs at least one of hcaHandles or hcaObjects");
		else
			d->device = xstrdup(m[i]->key);
	}
	free(m);
	return rc;
}

int oci_parse_resources_obj(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			    struct oci_resources *r)
{
	if (parse_device_cgroups(cx, p, o, r) < 0 || parse_memory(cx, p, o, &r->memory) < 0 ||
	    parse_cpu(cx, p, o, &r->cpu) < 0 || parse_pids(cx, p, o, &r->pids) < 0 ||
	    parse_block_io(cx, p, o, &r->block_io) < 0 || parse_hugepages(cx, p, o, r) < 0 ||
	    parse_network(cx, p, o, &r->network) < 0 || parse_rdma(cx, p, o, r) < 0 ||
	    jf_map_str(cx, p, o, "unified", &r->unified, &r->n_unified) < 0)
		return -1;
	return 0;
}
