/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy documents: yajl's tree parser, then a strict walk that fills struct
 * ward_policy. Every error names the file and the JSON path of the offending
 * value; unknown fields are errors, because a misspelt rule in a security
 * policy must not silently mean "allow".
 */
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "../common/util.h"

#include "policy_parse_internal.h"

int pp_fail(struct pctx *c, const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && path[0])
		return werr_set(c->e, 0, "%s: %s: %s", c->origin, path, msg);
	return werr_set(c->e, 0, "%s: %s", c->origin, msg);
}

void pp_subpath(char *out, const char *base, const char *key)
{
	if (snprintf(out, PATH_MAX_LEN, "%s%s%s", base, base[0] ? "." : "", key) >= PATH_MAX_LEN)
		out[PATH_MAX_LEN - 1] = '\0';
}

void pp_indexpath(char *out, const char *base, size_t i)
{
	if (snprintf(out, PATH_MAX_LEN, "%s[%zu]", base, i) >= PATH_MAX_LEN)
		out[PATH_MAX_LEN - 1] = '\0';
}

const char *pp_type_name(yajl_val v)
{
	if (!v || YAJL_IS_NULL(v))
		return "null";
	if (YAJL_IS_STRING(v))
		return "a string";
	if (YAJL_IS_NUMBER(v))
		return "a number";
	if (YAJL_IS_OBJECT(v))
		return "an object";
	if (YAJL_IS_ARRAY(v))
		return "an array";
	return "a boolean";
}

int pp_check_keys(struct pctx *c, yajl_val obj, const char *path, const char *const *allowed)
{
	if (!YAJL_IS_OBJECT(obj))
		return pp_fail(c, path, "expected an object, got %s", pp_type_name(obj));
	for (size_t i = 0; i < obj->u.object.len; i++) {
		const char *k = obj->u.object.keys[i];
		for (size_t j = 0; j < i; j++)
			if (strcmp(obj->u.object.keys[j], k) == 0) {
				char p[PATH_MAX_LEN];
				pp_subpath(p, path, k);
				return pp_fail(c, p, "duplicate field");
			}
		if (strcmp(k, "comment") == 0) {
			if (!YAJL_IS_STRING(obj->u.object.values[i])) {
				char p[PATH_MAX_LEN];
				pp_subpath(p, path, k);
				return pp_fail(c, p, "expected a string, got %s",
					       pp_type_name(obj->u.object.values[i]));
			}
			continue;
		}
		bool ok = false;
		for (size_t j = 0; allowed[j] && !ok; j++)
			ok = strcmp(allowed[j], k) == 0;
		if (!ok) {
			char p[PATH_MAX_LEN];
			pp_subpath(p, path, k);
			return pp_fail(c, p, "unknown field");
		}
	}
	return 0;
}

yajl_val pp_field(yajl_val obj, const char *key)
{
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

int pp_get_string(struct pctx *c, yajl_val obj, const char *base, const char *key, const char **out)
{
	yajl_val v = pp_field(obj, key);
	if (!v)
		return 0;
	char p[PATH_MAX_LEN];
	pp_subpath(p, base, key);
	if (!YAJL_IS_STRING(v))
		return pp_fail(c, p, "expected a string, got %s", pp_type_name(v));
	*out = YAJL_GET_STRING(v);
	return 0;
}

int pp_get_bool(struct pctx *c, yajl_val obj, const char *base, const char *key, bool *out)
{
	yajl_val v = pp_field(obj, key);
	if (!v)
		return 0;
	char p[PATH_MAX_LEN];
	pp_subpath(p, base, key);
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return pp_fail(c, p, "expected true or false, got %s", pp_type_name(v));
	*out = YAJL_IS_TRUE(v);
	return 0;
}

int pp_get_uint(struct pctx *c, yajl_val obj, const char *base, const char *key,
		unsigned long long min, unsigned long long max, unsigned long long *out)
{
	yajl_val v = pp_field(obj, key);
	if (!v)
		return 0;
	char p[PATH_MAX_LEN];
	pp_subpath(p, base, key);
	if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0)
		return pp_fail(c, p, "expected a non-negative integer, got %s", pp_type_name(v));
	long long n = YAJL_GET_INTEGER(v);
	if ((unsigned long long)n < min || (unsigned long long)n > max)
		return pp_fail(c, p, "%lld is out of range (%llu..%llu)", n, min, max);
	*out = (unsigned long long)n;
	return 0;
}

int pp_get_action(struct pctx *c, yajl_val obj, const char *base, const char *key,
		  enum ward_action *out)
{
	const char *s = NULL;
	if (pp_get_string(c, obj, base, key, &s) < 0)
		return -1;
	if (!s)
		return 0;
	if (strcmp(s, "allow") == 0) {
		*out = WARD_ALLOW;
	} else if (strcmp(s, "deny") == 0) {
		*out = WARD_DENY;
	} else {
		char p[PATH_MAX_LEN];
		pp_subpath(p, base, key);
		return pp_fail(c, p, "invalid action \"%s\" (expected \"allow\" or \"deny\")", s);
	}
	return 0;
}

int pp_get_errno(struct pctx *c, yajl_val obj, const char *base, const char *key, int *out)
{
	const char *s = NULL;
	if (pp_get_string(c, obj, base, key, &s) < 0)
		return -1;
	if (!s)
		return 0;
	int n = policy_errno_from_name(s);
	if (n < 0) {
		char p[PATH_MAX_LEN];
		pp_subpath(p, base, key);
		return pp_fail(c, p,
			       "unknown errno \"%s\" (one of EPERM, EACCES, ENOSYS, EINVAL, "
			       "EAFNOSUPPORT, ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EOPNOTSUPP)",
			       s);
	}
	*out = n;
	return 0;
}

int pp_get_array(struct pctx *c, yajl_val obj, const char *base, const char *key, yajl_val *out)
{
	*out = NULL;
	yajl_val v = pp_field(obj, key);
	if (!v)
		return 0;
	if (!YAJL_IS_ARRAY(v)) {
		char p[PATH_MAX_LEN];
		pp_subpath(p, base, key);
		return pp_fail(c, p, "expected an array, got %s", pp_type_name(v));
	}
	*out = v;
	return 0;
}

/* ---- CIDR and ports ---- */

int policy_parse_cidr(const char *s, struct in6_addr *net, unsigned *prefix)
{
	char buf[INET6_ADDRSTRLEN + 8];
	if (!s || strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	long long plen = -1;
	if (slash) {
		*slash = '\0';
		if (parse_ll(slash + 1, 0, 128, &plen) < 0)
			return -1;
		/* no "/08", "/+8" or "/ 8": digits only */
		for (const char *d = slash + 1; *d; d++)
			if (*d < '0' || *d > '9')
				return -1;
	}
	struct in_addr v4;
	memset(net, 0, sizeof(*net));
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		if (plen > 32)
			return -1;
		net->s6_addr[10] = 0xff;
		net->s6_addr[11] = 0xff;
		memcpy(&net->s6_addr[12], &v4, 4);
		*prefix = (unsigned)(plen < 0 ? 32 : plen) + 96;
	} else if (inet_pton(AF_INET6, buf, net) == 1) {
		*prefix = (unsigned)(plen < 0 ? 128 : plen);
	} else {
		return -1;
	}
	/* Host bits are cleared: "10.1.2.3/8" means 10.0.0.0/8. */
	for (unsigned bit = *prefix; bit < 128; bit++)
		net->s6_addr[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
	return 0;
}

static int parse_port_value(const char *s, uint16_t *out)
{
	long long v;
	if (!s[0] || s[0] == '+' || s[0] == '-' || parse_ll(s, 0, 65535, &v) < 0)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int parse_ports(struct pctx *c, yajl_val arr, const char *path, struct ward_net_rule *r)
{
	size_t n = arr->u.array.len;
	if (n == 0)
		return pp_fail(c, path, "empty list (leave \"ports\" out to match any port)");
	r->ports = xcalloc(n, sizeof(*r->ports));
	for (size_t i = 0; i < n; i++) {
		yajl_val v = arr->u.array.values[i];
		char p[PATH_MAX_LEN];
		pp_indexpath(p, path, i);
		struct ward_port_range pr;
		if (YAJL_IS_INTEGER(v)) {
			long long x = YAJL_GET_INTEGER(v);
			if (x < 0 || x > 65535)
				return pp_fail(c, p, "port %lld is out of range (0..65535)", x);
			pr.lo = pr.hi = (uint16_t)x;
		} else if (YAJL_IS_STRING(v)) {
			char buf[32];
			const char *s = YAJL_GET_STRING(v);
			if (strlen(s) >= sizeof(buf))
				return pp_fail(c, p, "invalid port range \"%s\"", s);
			strcpy(buf, s);
			char *dash = strchr(buf, '-');
			if (dash)
				*dash = '\0';
			if (parse_port_value(buf, &pr.lo) < 0 ||
			    (dash && parse_port_value(dash + 1, &pr.hi) < 0))
				return pp_fail(c, p, "invalid port range \"%s\"", s);
			if (!dash)
				pr.hi = pr.lo;
			if (pr.lo > pr.hi)
				return pp_fail(c, p, "invalid port range \"%s\" (start > end)", s);
		} else {
			return pp_fail(c, p,
				       "expected a port number or a \"low-high\" string, got %s",
				       pp_type_name(v));
		}
		r->ports[r->n_ports++] = pr;
	}
	return 0;
}

/* ---- rules ---- */

static bool valid_host_name(const char *h)
{
	size_t len = strlen(h);
	if (len == 0 || len > 253)
		return false;
	for (const char *p = h; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
			return false;
	return h[0] != '.' && h[0] != '-';
}

static int parse_protocols(struct pctx *c, yajl_val v, const char *path, unsigned *out)
{
	size_t n = 1;
	yajl_val *vals = &v;
	if (YAJL_IS_ARRAY(v)) {
		n = v->u.array.len;
		vals = v->u.array.values;
		if (n == 0)
			return pp_fail(c, path, "empty list");
	}
	for (size_t i = 0; i < n; i++) {
		char p[PATH_MAX_LEN];
		if (YAJL_IS_ARRAY(v))
			pp_indexpath(p, path, i);
		else
			memcpy(p, path, strnlen(path, PATH_MAX_LEN - 1) + 1),
				p[PATH_MAX_LEN - 1] = '\0';
		if (!YAJL_IS_STRING(vals[i]))
			return pp_fail(c, p, "expected a string, got %s", pp_type_name(vals[i]));
		const char *s = YAJL_GET_STRING(vals[i]);
		if (strcmp(s, "tcp") == 0)
			*out |= WARD_PROTO_TCP;
		else if (strcmp(s, "udp") == 0)
			*out |= WARD_PROTO_UDP;
		else if (strcmp(s, "icmp") == 0)
			*out |= WARD_PROTO_ICMP;
		else
			return pp_fail(c, p, "unknown protocol \"%s\" (tcp, udp or icmp)", s);
	}
	return 0;
}

static int parse_net_rule(struct pctx *c, yajl_val v, const char *path, bool local,
			  struct ward_net_rule *r)
{
	static const char *const keys[] = {"action", "family",   "protocol", "cidr",
					   "host",   "loopback", "ports",    NULL};
	memset(r, 0, sizeof(*r));
	r->loopback = -1;
	if (pp_check_keys(c, v, path, keys) < 0)
		return -1;
	if (!pp_field(v, "action")) {
		char p[PATH_MAX_LEN];
		pp_subpath(p, path, "action");
		return pp_fail(c, p, "missing (\"allow\" or \"deny\")");
	}
	if (pp_get_action(c, v, path, "action", &r->action) < 0)
		return -1;

	const char *fam = NULL, *cidr = NULL, *host = NULL;
	if (pp_get_string(c, v, path, "family", &fam) < 0 ||
	    pp_get_string(c, v, path, "cidr", &cidr) < 0 ||
	    pp_get_string(c, v, path, "host", &host) < 0)
		return -1;
	char p[PATH_MAX_LEN];
	if (fam) {
		pp_subpath(p, path, "family");
		if (strcmp(fam, "inet") == 0)
			r->families = 1;
		else if (strcmp(fam, "inet6") == 0)
			r->families = 2;
		else
			return pp_fail(c, p, "invalid family \"%s\" (\"inet\" or \"inet6\")", fam);
	}
	yajl_val proto = pp_field(v, "protocol");
	if (proto) {
		pp_subpath(p, path, "protocol");
		if (parse_protocols(c, proto, p, &r->protocols) < 0)
			return -1;
	}
	if (cidr) {
		pp_subpath(p, path, "cidr");
		if (policy_parse_cidr(cidr, &r->net, &r->prefix) < 0)
			return pp_fail(c, p, "invalid CIDR \"%s\"", cidr);
		r->has_cidr = true;
	}
	if (host) {
		pp_subpath(p, path, "host");
		if (local)
			return pp_fail(c, p, "host names are only for egress rules");
		if (cidr)
			return pp_fail(c, p, "use either \"cidr\" or \"host\" in one rule");
		if (!valid_host_name(host))
			return pp_fail(c, p, "invalid host name \"%s\"", host);
		r->host = xstrdup(host);
	}
	yajl_val lb = pp_field(v, "loopback");
	if (lb) {
		bool b = false;
		if (pp_get_bool(c, v, path, "loopback", &b) < 0)
			return -1;
		r->loopback = b;
	}
	yajl_val ports;
	if (pp_get_array(c, v, path, "ports", &ports) < 0)
		return -1;
	if (ports) {
		pp_subpath(p, path, "ports");
		if (parse_ports(c, ports, p, r) < 0)
			return -1;
	}
	return 0;
}

static int parse_net_rules(struct pctx *c, yajl_val net, const char *base, const char *key,
			   const char *default_key, bool local, struct ward_net_rules *out)
{
	if (pp_get_action(c, net, base, default_key, &out->def) < 0)
		return -1;
	yajl_val arr;
	if (pp_get_array(c, net, base, key, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	char path[PATH_MAX_LEN];
	pp_subpath(path, base, key);
	out->rules = xcalloc(arr->u.array.len, sizeof(*out->rules));
	for (size_t i = 0; i < arr->u.array.len; i++) {
		char p[PATH_MAX_LEN];
		pp_indexpath(p, path, i);
		out->n++;
		if (parse_net_rule(c, arr->u.array.values[i], p, local, &out->rules[i]) < 0)
			return -1;
	}
	return 0;
}

static int parse_unix_rules(struct pctx *c, yajl_val net, const char *base, struct ward_policy *pol)
{
	static const char *const keys[] = {"action", "path", "abstract", NULL};
	if (pp_get_action(c, net, base, "unixDefault", &pol->net.unix_default) < 0)
		return -1;
	yajl_val arr;
	if (pp_get_array(c, net, base, "unix", &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	char path[PATH_MAX_LEN];
	pp_subpath(path, base, "unix");
	pol->net.unix_rules = xcalloc(arr->u.array.len, sizeof(*pol->net.unix_rules));
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val v = arr->u.array.values[i];
		struct ward_unix_rule *r = &pol->net.unix_rules[i];
		char p[PATH_MAX_LEN];
		pp_indexpath(p, path, i);
		pol->net.n_unix_rules++;
		if (pp_check_keys(c, v, p, keys) < 0)
			return -1;
		if (!pp_field(v, "action")) {
			char q[PATH_MAX_LEN];
			pp_subpath(q, p, "action");
			return pp_fail(c, q, "missing (\"allow\" or \"deny\")");
		}
		const char *sp = NULL, *ab = NULL;
		if (pp_get_action(c, v, p, "action", &r->action) < 0 ||
		    pp_get_string(c, v, p, "path", &sp) < 0 ||
		    pp_get_string(c, v, p, "abstract", &ab) < 0)
			return -1;
		if (!sp == !ab)
			return pp_fail(c, p,
				       "a unix rule needs exactly one of \"path\" or \"abstract\"");
		if (sp && !sp[0]) {
			char q[PATH_MAX_LEN];
			pp_subpath(q, p, "path");
			return pp_fail(c, q, "empty pattern");
		}
		r->path = sp ? xstrdup(sp) : NULL;
		r->abstract = ab ? xstrdup(ab) : NULL;
	}
	return 0;
}

static int parse_family_list(struct pctx *c, yajl_val obj, const char *base, const char *key,
			     uint64_t *out)
{
	yajl_val arr;
	if (pp_get_array(c, obj, base, key, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	char path[PATH_MAX_LEN];
	pp_subpath(path, base, key);
	for (size_t i = 0; i < arr->u.array.len; i++) {
		yajl_val v = arr->u.array.values[i];
		char p[PATH_MAX_LEN];
		pp_indexpath(p, path, i);
		if (!YAJL_IS_STRING(v))
			return pp_fail(c, p, "expected a family name, got %s", pp_type_name(v));
		int af = policy_family_from_name(YAJL_GET_STRING(v));
		if (af < 0 || af >= WARD_AF_BITS)
			return pp_fail(c, p, "unknown socket family \"%s\"", YAJL_GET_STRING(v));
		*out |= 1ull << af;
	}
	return 0;
}

static int parse_network(struct pctx *c, yajl_val net, struct ward_policy *pol)
{
	static const char *const keys[] = {
		"families",           "rawSockets", "sourceRouting", "egress",
		"egressDefault",      "bind",       "bindDefault",   "listen",
		"listenDefault",      "unix",       "unixDefault",   "denyErrno",
		"hostRefreshSeconds", NULL};
	static const char *const fam_keys[] = {"default", "allow", "deny", NULL};
	const char *base = "network";
	if (pp_check_keys(c, net, base, keys) < 0)
		return -1;

	yajl_val fam = pp_field(net, "families");
	if (fam) {
		const char *fb = "network.families";
		if (pp_check_keys(c, fam, fb, fam_keys) < 0 ||
		    pp_get_action(c, fam, fb, "default", &pol->net.family_default) < 0 ||
		    parse_family_list(c, fam, fb, "allow", &pol->net.family_allow) < 0 ||
		    parse_family_list(c, fam, fb, "deny", &pol->net.family_deny) < 0)
			return -1;
		if (pol->net.family_allow & pol->net.family_deny)
			return pp_fail(c, fb, "a family is both allowed and denied");
	}
	enum ward_action raw = WARD_ALLOW, srr = WARD_ALLOW;
	if (pp_get_action(c, net, base, "rawSockets", &raw) < 0 ||
	    pp_get_action(c, net, base, "sourceRouting", &srr) < 0)
		return -1;
	pol->net.raw_deny = raw == WARD_DENY;
	pol->net.source_routing_deny = srr == WARD_DENY;

	if (parse_net_rules(c, net, base, "egress", "egressDefault", false, &pol->net.egress) < 0 ||
	    parse_net_rules(c, net, base, "bind", "bindDefault", true, &pol->net.bind) < 0 ||
	    parse_net_rules(c, net, base, "listen", "listenDefault", true, &pol->net.listen) < 0 ||
	    parse_unix_rules(c, net, base, pol) < 0 ||
	    pp_get_errno(c, net, base, "denyErrno", &pol->net.deny_errno) < 0)
		return -1;
	unsigned long long refresh = pol->net.host_refresh_sec;
	if (pp_get_uint(c, net, base, "hostRefreshSeconds", 1, 86400, &refresh) < 0)
		return -1;
	pol->net.host_refresh_sec = (unsigned)refresh;
	return 0;
}

static int parse_process(struct pctx *c, yajl_val proc, struct ward_policy *pol)
{
	static const char *const keys[] = {"deny", "errno", "execAudit", NULL};
	const char *base = "process";
	if (pp_check_keys(c, proc, base, keys) < 0 ||
	    pp_get_errno(c, proc, base, "errno", &pol->process.errnum) < 0 ||
	    pp_get_bool(c, proc, base, "execAudit", &pol->process.exec_audit) < 0)
		return -1;
	yajl_val arr;
	if (pp_get_array(c, proc, base, "deny", &arr) < 0)
		return -1;
	for (size_t i = 0; arr && i < arr->u.array.len; i++) {
		yajl_val v = arr->u.array.values[i];
		char p[PATH_MAX_LEN];
		pp_indexpath(p, "process.deny", i);
		if (!YAJL_IS_STRING(v))
			return pp_fail(c, p, "expected a string, got %s", pp_type_name(v));
		const char *s = YAJL_GET_STRING(v);
		if (strcmp(s, "all") == 0) {
			pol->process.deny |= WARD_PROC_ALL;
			continue;
		}
		int g = policy_proc_group_from_name(s);
		if (g < 0)
			return pp_fail(
				c, p,
				"unknown operation group \"%s\" (all, userns, mount, ptrace, "
				"process_vm, keyring, bpf, perf, modules, kexec, io_uring, "
				"userfaultfd)",
				s);
		pol->process.deny |= (uint32_t)g;
	}
	return 0;
}

static int parse_audit(struct pctx *c, yajl_val a, struct ward_policy *pol)
{
	static const char *const keys[] = {"path", "maxBytes", "bufferKiB", "network",
					   "exec", "process",  "files",     NULL};
	const char *base = "audit";
	if (pp_check_keys(c, a, base, keys) < 0)
		return -1;
	const char *path = NULL;
	unsigned long long max = pol->audit.max_bytes, buf = pol->audit.buffer_kib;
	if (pp_get_string(c, a, base, "path", &path) < 0 ||
	    pp_get_uint(c, a, base, "maxBytes", 4096, 1ull << 40, &max) < 0 ||
	    pp_get_uint(c, a, base, "bufferKiB", 4, 16384, &buf) < 0 ||
	    pp_get_bool(c, a, base, "network", &pol->audit.network) < 0 ||
	    pp_get_bool(c, a, base, "exec", &pol->audit.exec) < 0 ||
	    pp_get_bool(c, a, base, "process", &pol->audit.process) < 0 ||
	    pp_get_bool(c, a, base, "files", &pol->audit.files) < 0)
		return -1;
	if (path) {
		if (path[0] != '/')
			return pp_fail(c, "audit.path", "must be an absolute path, got \"%s\"",
				       path);
		pol->audit.path = xstrdup(path);
	}
	pol->audit.max_bytes = max;
	pol->audit.buffer_kib = (unsigned)buf;
	return 0;
}

static void set_defaults(struct ward_policy *p)
{
	p->supervise = true;
	p->process.errnum = EPERM;
	p->net.family_default = WARD_ALLOW;
	p->net.egress.def = WARD_ALLOW;
	p->net.bind.def = WARD_ALLOW;
	p->net.listen.def = WARD_ALLOW;
	p->net.unix_default = WARD_ALLOW;
	p->net.deny_errno = EACCES;
	p->net.host_refresh_sec = 300;
	p->audit.max_bytes = 16ull << 20;
	p->audit.buffer_kib = 64;
}

static int parse_root(struct pctx *c, yajl_val root, struct ward_policy *pol)
{
	static const char *const keys[] = {"version", "name",     "description", "supervise",
					   "process", "network",  "audit",       "files",
					   "proc",    "landlock", NULL};
	if (!YAJL_IS_OBJECT(root))
		return pp_fail(c, NULL, "expected a JSON object, got %s", pp_type_name(root));
	if (pp_check_keys(c, root, "", keys) < 0)
		return -1;
	unsigned long long version = WARD_POLICY_VERSION;
	if (pp_get_uint(c, root, "", "version", WARD_POLICY_VERSION, WARD_POLICY_VERSION,
			&version) < 0)
		return -1;
	const char *name = NULL, *desc = NULL;
	if (pp_get_string(c, root, "", "name", &name) < 0 ||
	    pp_get_string(c, root, "", "description", &desc) < 0 ||
	    pp_get_bool(c, root, "", "supervise", &pol->supervise) < 0)
		return -1;
	if (name && (!name[0] || strlen(name) > 64))
		return pp_fail(c, "name", "must be 1 to 64 characters");
	pol->name = name ? xstrdup(name) : NULL;
	pol->description = desc ? xstrdup(desc) : NULL;
	yajl_val v;
	if ((v = pp_field(root, "process")) && parse_process(c, v, pol) < 0)
		return -1;
	if ((v = pp_field(root, "network")) && parse_network(c, v, pol) < 0)
		return -1;
	if ((v = pp_field(root, "audit")) && parse_audit(c, v, pol) < 0)
		return -1;
	if ((v = pp_field(root, "files")) && pp_parse_files(c, v, pol) < 0)
		return -1;
	if ((v = pp_field(root, "proc")) && pp_parse_proc(c, v, pol) < 0)
		return -1;
	if ((v = pp_field(root, "landlock")) && pp_parse_landlock(c, v, pol) < 0)
		return -1;
	if (!pol->supervise && (pol->process.deny || pol->process.exec_audit ||
				pol->audit.process || pol->audit.files || pol->proc.virtualize))
		return pp_fail(c, "supervise",
			       "false (no filter) contradicts the process rules of this policy");
	return 0;
}

int policy_parse(const char *json, size_t len, const char *origin, struct ward_policy **out,
		 struct werr *e)
{
	struct pctx c = {.origin = origin ? origin : "policy", .e = e};
	*out = NULL;
	if (len > WARD_POLICY_MAX_BYTES)
		return pp_fail(&c, NULL, "larger than %d bytes", WARD_POLICY_MAX_BYTES);
	if (memchr(json, '\0', len))
		return pp_fail(&c, NULL, "contains a NUL byte");
	char *text = xcalloc(1, len + 1);
	memcpy(text, json, len);
	char errbuf[256];
	yajl_val root = yajl_tree_parse(text, errbuf, sizeof(errbuf));
	free(text);
	if (!root) {
		/* yajl's message spans lines (with a caret); keep its first line */
		errbuf[strcspn(errbuf, "\n")] = '\0';
		return pp_fail(&c, NULL, "invalid JSON: %s", errbuf[0] ? errbuf : "parse error");
	}
	struct ward_policy *pol = xcalloc(1, sizeof(*pol));
	set_defaults(pol);
	int r = parse_root(&c, root, pol);
	yajl_tree_free(root);
	if (r < 0) {
		policy_free(pol);
		return -1;
	}
	*out = pol;
	return 0;
}

static void free_rules(struct ward_net_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->rules[i].host);
		free(r->rules[i].ports);
	}
	free(r->rules);
}

void policy_free(struct ward_policy *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->description);
	free(p->source);
	free_rules(&p->net.egress);
	free_rules(&p->net.bind);
	free_rules(&p->net.listen);
	for (size_t i = 0; i < p->net.n_unix_rules; i++) {
		free(p->net.unix_rules[i].path);
		free(p->net.unix_rules[i].abstract);
	}
	free(p->net.unix_rules);
	free(p->audit.path);
	pp_free_files(p);
	free(p);
}
