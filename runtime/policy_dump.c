/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A policy written back as canonical JSON: every field explicit, in a fixed
 * order. Two documents that mean the same policy dump identically, which is
 * how the tests check contrib/policies/ against the built-ins.
 */
#include "policy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>

#include "../common/jsonw.h"

static const char *action_str(enum ward_action a)
{
	return a == WARD_DENY ? "deny" : "allow";
}

static void dump_families(struct jsonw *w, const char *key, uint64_t mask)
{
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (int af = 0; af < WARD_AF_BITS; af++)
		if (mask & (1ull << af)) {
			const char *n = policy_family_name(af);
			jsonw_str(w, n ? n : "?");
		}
	jsonw_arr_close(w);
}

static void dump_cidr(struct jsonw *w, const struct ward_net_rule *r)
{
	char buf[INET6_ADDRSTRLEN + 8], addr[INET6_ADDRSTRLEN];
	if (IN6_IS_ADDR_V4MAPPED(&r->net) && r->prefix >= 96) {
		inet_ntop(AF_INET, &r->net.s6_addr[12], addr, sizeof(addr));
		snprintf(buf, sizeof(buf), "%s/%u", addr, r->prefix - 96);
	} else {
		inet_ntop(AF_INET6, &r->net, addr, sizeof(addr));
		snprintf(buf, sizeof(buf), "%s/%u", addr, r->prefix);
	}
	jsonw_key_str(w, "cidr", buf);
}

static void dump_rules(struct jsonw *w, const char *key, const char *def_key,
		       const struct ward_net_rules *rs)
{
	jsonw_key_str(w, def_key, action_str(rs->def));
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (size_t i = 0; i < rs->n; i++) {
		const struct ward_net_rule *r = &rs->rules[i];
		jsonw_obj_open(w);
		jsonw_key_str(w, "action", action_str(r->action));
		if (r->families)
			jsonw_key_str(w, "family", r->families == 1 ? "inet" : "inet6");
		if (r->protocols) {
			jsonw_key(w, "protocol");
			jsonw_arr_open(w);
			if (r->protocols & WARD_PROTO_TCP)
				jsonw_str(w, "tcp");
			if (r->protocols & WARD_PROTO_UDP)
				jsonw_str(w, "udp");
			if (r->protocols & WARD_PROTO_ICMP)
				jsonw_str(w, "icmp");
			jsonw_arr_close(w);
		}
		if (r->has_cidr)
			dump_cidr(w, r);
		if (r->host)
			jsonw_key_str(w, "host", r->host);
		if (r->loopback >= 0)
			jsonw_key_bool(w, "loopback", r->loopback == 1);
		if (r->n_ports) {
			jsonw_key(w, "ports");
			jsonw_arr_open(w);
			for (size_t k = 0; k < r->n_ports; k++) {
				char b[16];
				snprintf(b, sizeof(b), "%u-%u", r->ports[k].lo, r->ports[k].hi);
				jsonw_str(w, b);
			}
			jsonw_arr_close(w);
		}
		jsonw_obj_close(w);
	}
	jsonw_arr_close(w);
}

static void dump_paths(struct jsonw *w, const char *key, const struct ward_path_set *set)
{
	jsonw_key(w, key);
	jsonw_arr_open(w);
	for (size_t i = 0; i < set->n; i++)
		jsonw_str(w, set->paths[i]);
	jsonw_arr_close(w);
}

const char *policy_landlock_mode_name(enum ward_landlock_mode m)
{
	switch (m) {
	case WARD_LANDLOCK_REQUIRED:
		return "required";
	case WARD_LANDLOCK_OFF:
		return "off";
	case WARD_LANDLOCK_BEST_EFFORT:
		break;
	}
	return "best-effort";
}

char *policy_to_json(const struct ward_policy *p)
{
	struct jsonw w;
	jsonw_init(&w, true);
	jsonw_obj_open(&w);
	jsonw_key_int(&w, "version", WARD_POLICY_VERSION);
	if (p->name)
		jsonw_key_str(&w, "name", p->name);
	if (p->description)
		jsonw_key_str(&w, "description", p->description);
	jsonw_key_bool(&w, "supervise", p->supervise);

	jsonw_key(&w, "process");
	jsonw_obj_open(&w);
	jsonw_key(&w, "deny");
	jsonw_arr_open(&w);
	for (unsigned bit = 1; bit & WARD_PROC_ALL; bit <<= 1)
		if (p->process.deny & bit)
			jsonw_str(&w, policy_proc_group_name((enum ward_proc_group)bit));
	jsonw_arr_close(&w);
	jsonw_key_str(&w, "errno", policy_errno_name(p->process.errnum));
	jsonw_key_bool(&w, "execAudit", p->process.exec_audit);
	jsonw_obj_close(&w);

	jsonw_key(&w, "network");
	jsonw_obj_open(&w);
	jsonw_key(&w, "families");
	jsonw_obj_open(&w);
	jsonw_key_str(&w, "default", action_str(p->net.family_default));
	dump_families(&w, "allow", p->net.family_allow);
	dump_families(&w, "deny", p->net.family_deny);
	jsonw_obj_close(&w);
	jsonw_key_str(&w, "rawSockets", p->net.raw_deny ? "deny" : "allow");
	jsonw_key_str(&w, "sourceRouting", p->net.source_routing_deny ? "deny" : "allow");
	dump_rules(&w, "egress", "egressDefault", &p->net.egress);
	dump_rules(&w, "bind", "bindDefault", &p->net.bind);
	dump_rules(&w, "listen", "listenDefault", &p->net.listen);
	jsonw_key_str(&w, "unixDefault", action_str(p->net.unix_default));
	jsonw_key(&w, "unix");
	jsonw_arr_open(&w);
	for (size_t i = 0; i < p->net.n_unix_rules; i++) {
		const struct ward_unix_rule *r = &p->net.unix_rules[i];
		jsonw_obj_open(&w);
		jsonw_key_str(&w, "action", action_str(r->action));
		if (r->path)
			jsonw_key_str(&w, "path", r->path);
		if (r->abstract)
			jsonw_key_str(&w, "abstract", r->abstract);
		jsonw_obj_close(&w);
	}
	jsonw_arr_close(&w);
	jsonw_key_str(&w, "denyErrno", policy_errno_name(p->net.deny_errno));
	jsonw_key_uint(&w, "hostRefreshSeconds", p->net.host_refresh_sec);
	jsonw_obj_close(&w);

	jsonw_key(&w, "audit");
	jsonw_obj_open(&w);
	if (p->audit.path) /* absent: the state dir's audit.jsonl */
		jsonw_key_str(&w, "path", p->audit.path);
	jsonw_key_uint(&w, "maxBytes", p->audit.max_bytes);
	jsonw_key_uint(&w, "bufferKiB", p->audit.buffer_kib);
	jsonw_key_bool(&w, "network", p->audit.network);
	jsonw_key_bool(&w, "exec", p->audit.exec);
	jsonw_key_bool(&w, "process", p->audit.process);
	jsonw_key_bool(&w, "files", p->audit.files);
	jsonw_obj_close(&w);

	if (p->files.present) {
		jsonw_key(&w, "files");
		jsonw_obj_open(&w);
		dump_paths(&w, "readOnly", &p->files.read_only);
		dump_paths(&w, "writable", &p->files.writable);
		dump_paths(&w, "executable", &p->files.executable);
		dump_paths(&w, "hidden", &p->files.hidden);
		jsonw_key_bool(&w, "mountReadOnly", p->files.mount_read_only);
		jsonw_obj_close(&w);
	}
	jsonw_key(&w, "proc");
	jsonw_obj_open(&w);
	jsonw_key_bool(&w, "virtualize", p->proc.virtualize);
	jsonw_obj_close(&w);
	jsonw_key_str(&w, "landlock", policy_landlock_mode_name(p->landlock));
	jsonw_obj_close(&w);
	char *s = jsonw_take(&w);
	if (!s)
		abort();
	return s;
}
