/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy decisions as pure functions of the policy and an endpoint the
 * supervisor copied out of the container's memory. Nothing here reads the
 * container or keeps state, so workers can call it concurrently.
 */
#include "policy.h"

#include <fnmatch.h>
#include <string.h>

bool policy_is_loopback(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_V4MAPPED(a))
		return a->s6_addr[12] == 127;
	return IN6_IS_ADDR_LOOPBACK(a);
}

void policy_normalize_dest(struct ward_endpoint *ep)
{
	ep->v4 = IN6_IS_ADDR_V4MAPPED(&ep->addr);
	if (ep->v4) {
		static const uint8_t any4[4];
		if (memcmp(&ep->addr.s6_addr[12], any4, 4) == 0)
			ep->addr.s6_addr[12] = 127, ep->addr.s6_addr[15] = 1;
	} else if (IN6_IS_ADDR_UNSPECIFIED(&ep->addr)) {
		ep->addr = in6addr_loopback;
	}
}

static bool cidr_is_v4(const struct ward_net_rule *r)
{
	return IN6_IS_ADDR_V4MAPPED(&r->net) && r->prefix >= 96;
}

static bool in_prefix(const struct in6_addr *a, const struct in6_addr *net, unsigned prefix)
{
	unsigned full = prefix / 8, rest = prefix % 8;
	if (memcmp(a->s6_addr, net->s6_addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return (a->s6_addr[full] & mask) == (net->s6_addr[full] & mask);
}

static bool rule_matches(const struct ward_net_rule *r, const struct ward_endpoint *ep,
			 ward_host_match_fn host_match, void *ctx)
{
	if (r->families && !(r->families & (ep->v4 ? 1u : 2u)))
		return false;
	if (r->protocols && !(r->protocols & ep->proto))
		return false;
	if (r->has_cidr && (cidr_is_v4(r) != ep->v4 || !in_prefix(&ep->addr, &r->net, r->prefix)))
		return false;
	if (r->host && (!host_match || !host_match(ctx, r->host, &ep->addr)))
		return false;
	if (r->loopback >= 0 && policy_is_loopback(&ep->addr) != (r->loopback == 1))
		return false;
	if (r->n_ports) {
		/* ports only mean something for TCP and UDP */
		if (!(ep->proto & (WARD_PROTO_TCP | WARD_PROTO_UDP)))
			return false;
		bool hit = false;
		for (size_t i = 0; i < r->n_ports && !hit; i++)
			hit = ep->port >= r->ports[i].lo && ep->port <= r->ports[i].hi;
		if (!hit)
			return false;
	}
	return true;
}

enum ward_action policy_match_net(const struct ward_net_rules *rules,
				  const struct ward_endpoint *ep, ward_host_match_fn host_match,
				  void *ctx, size_t *rule_index)
{
	for (size_t i = 0; i < rules->n; i++)
		if (rule_matches(&rules->rules[i], ep, host_match, ctx)) {
			if (rule_index)
				*rule_index = i;
			return rules->rules[i].action;
		}
	if (rule_index)
		*rule_index = (size_t)-1;
	return rules->def;
}

enum ward_action policy_match_unix_path(const struct ward_policy *p, const char *path)
{
	for (size_t i = 0; i < p->net.n_unix_rules; i++) {
		const struct ward_unix_rule *r = &p->net.unix_rules[i];
		if (r->path && fnmatch(r->path, path, 0) == 0)
			return r->action;
	}
	return p->net.unix_default;
}

enum ward_action policy_match_unix_abstract(const struct ward_policy *p, const char *name,
					    size_t len)
{
	/* Abstract names may hold NUL bytes; they are matched (and shown) as '@'. */
	char buf[110];
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	for (size_t i = 0; i < len; i++)
		buf[i] = name[i] ? name[i] : '@';
	buf[len] = '\0';
	for (size_t i = 0; i < p->net.n_unix_rules; i++) {
		const struct ward_unix_rule *r = &p->net.unix_rules[i];
		if (r->abstract && fnmatch(r->abstract, buf, 0) == 0)
			return r->action;
	}
	return p->net.unix_default;
}

bool policy_family_allowed(const struct ward_policy *p, int family)
{
	if (family >= 0 && family < WARD_AF_BITS) {
		if (p->net.family_deny & (1ull << family))
			return false;
		if (p->net.family_allow & (1ull << family))
			return true;
	}
	return p->net.family_default == WARD_ALLOW;
}

bool policy_rules_can_deny(const struct ward_net_rules *r)
{
	if (r->def == WARD_DENY)
		return true;
	for (size_t i = 0; i < r->n; i++)
		if (r->rules[i].action == WARD_DENY)
			return true;
	return false;
}

bool policy_unix_can_deny(const struct ward_policy *p)
{
	if (p->net.unix_default == WARD_DENY)
		return true;
	for (size_t i = 0; i < p->net.n_unix_rules; i++)
		if (p->net.unix_rules[i].action == WARD_DENY)
			return true;
	return false;
}
