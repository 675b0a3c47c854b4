/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Policy documents: the built-ins, the files in contrib/policies/ (each must
 * parse, and the four built-in equivalents must mean exactly the built-ins),
 * strict validation with errors naming the JSON path, the matching rules
 * (CIDR, ports, protocols, loopback, the unspecified address, host names,
 * unix globs), and a mutation loop that must never crash the parser.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/policy.h"
#include "tests/unit/tap.h"

static char contrib_dir[PATH_MAX];

static void find_contrib(void)
{
	/* tests run from the top of the tree; fall back to the binary's location */
	if (access("contrib/policies/agent.json", R_OK) == 0) {
		snprintf(contrib_dir, sizeof(contrib_dir), "contrib/policies");
		return;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(contrib_dir, sizeof(contrib_dir), "%s/../../contrib/policies", dirname(exe));
}

static struct ward_policy *parse_str(const char *json, struct werr *e)
{
	struct ward_policy *p = NULL;
	werr_clear(e);
	if (policy_parse(json, strlen(json), "policy.json", &p, e) < 0)
		return NULL;
	return p;
}

/* Expects a parse error with exactly this message. */
static void expect_error(const char *json, const char *msg)
{
	struct werr e;
	struct ward_policy *p = parse_str(json, &e);
	TAP_OK(p == NULL, "refused: %.60s", msg);
	TAP_OK(strcmp(e.msg, msg) == 0, "error message: %.60s", msg);
	if (strcmp(e.msg, msg) != 0)
		printf("#   got:      %s\n#   expected: %s\n", e.msg, msg);
	policy_free(p);
}

static void test_builtins(void)
{
	const char *const *names = policy_builtin_names();
	size_t n = 0;
	for (; names[n]; n++) {
		struct ward_policy *p = NULL;
		struct werr e;
		werr_clear(&e);
		int r = policy_load(names[n], &p, &e);
		TAP_OK(r == 0, "built-in %s loads (%s)", names[n], e.msg);
		if (r == 0) {
			TAP_STREQ(p->name, names[n], "built-in %s has its name", names[n]);
			TAP_STREQ(p->source, "builtin", "built-in %s source", names[n]);
		}
		policy_free(p);
	}
	TAP_OK(n == 4, "four built-in policies");

	struct ward_policy *p = NULL;
	struct werr e;
	TAP_OK(policy_load(NULL, &p, &e) == 0 && strcmp(p->name, "default") == 0,
	       "no name means default");
	TAP_OK(p && p->supervise && p->process.deny == WARD_PROC_ALL &&
		       p->process.errnum == EPERM && !p->process.exec_audit,
	       "default: every process group refused with EPERM, exec not audited");
	TAP_OK(p && !policy_rules_can_deny(&p->net.egress) && p->audit.network,
	       "default: network allowed and audited");
	policy_free(p);

	TAP_OK(policy_load("agent", &p, &e) == 0, "agent loads");
	TAP_OK(p->net.egress.def == WARD_DENY && p->process.exec_audit && p->audit.exec &&
		       p->audit.network && p->net.raw_deny && p->net.source_routing_deny,
	       "agent: egress denied by default, exec and network audited, raw sockets and "
	       "source routing refused");
	TAP_OK(!policy_family_allowed(p, AF_PACKET) && !policy_family_allowed(p, AF_VSOCK) &&
		       policy_family_allowed(p, AF_INET) && policy_family_allowed(p, AF_INET6) &&
		       policy_family_allowed(p, AF_UNIX) && policy_family_allowed(p, AF_NETLINK),
	       "agent: only unix, inet, inet6, netlink sockets");
	TAP_OK(policy_match_unix_path(p, "/var/run/docker.sock") == WARD_DENY &&
		       policy_match_unix_path(p, "/run/containerd/containerd.sock") == WARD_DENY &&
		       policy_match_unix_path(p, "docker.sock") == WARD_DENY &&
		       policy_match_unix_path(p, "/run/podman/podman.sock") == WARD_DENY &&
		       policy_match_unix_path(p, "/tmp/app.sock") == WARD_ALLOW,
	       "agent: engine sockets denied, other unix paths allowed");
	TAP_OK(policy_match_unix_abstract(p, "/containerd-shim/k8s.io/abc/shim.sock", 37) ==
		       WARD_DENY,
	       "agent: containerd-shim abstract sockets denied");
	struct ward_endpoint lo = {.port = 8080, .proto = WARD_PROTO_TCP};
	inet_pton(AF_INET6, "::ffff:127.0.0.1", &lo.addr);
	policy_normalize_dest(&lo);
	struct ward_endpoint out = {.port = 443, .proto = WARD_PROTO_TCP};
	inet_pton(AF_INET6, "::ffff:93.184.216.34", &out.addr);
	policy_normalize_dest(&out);
	TAP_OK(policy_match_net(&p->net.egress, &lo, NULL, NULL, NULL) == WARD_ALLOW &&
		       policy_match_net(&p->net.egress, &out, NULL, NULL, NULL) == WARD_DENY,
	       "agent: loopback allowed, the internet denied");
	policy_free(p);

	TAP_OK(policy_load("audit", &p, &e) == 0 && p->process.deny == 0 && p->audit.exec &&
		       !policy_rules_can_deny(&p->net.egress) && !policy_unix_can_deny(p),
	       "audit: nothing refused, everything logged");
	policy_free(p);
	TAP_OK(policy_load("none", &p, &e) == 0 && !p->supervise, "none: no supervisor");
	policy_free(p);

	p = NULL;
	TAP_OK(policy_load("agnet", &p, &e) < 0 && p == NULL, "unknown built-in refused");
	TAP_OK(strstr(e.msg, "unknown policy \"agnet\"") && strstr(e.msg, "default, agent"),
	       "unknown built-in error lists the built-ins: %s", e.msg);
}

static void test_contrib(void)
{
	const char *const *names = policy_builtin_names();
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *path = xasprintf("%s/%s.json", contrib_dir, names[i]);
		struct ward_policy *f = NULL, *b = NULL;
		struct werr e;
		werr_clear(&e);
		int r = policy_load(path, &f, &e);
		TAP_OK(r == 0, "%s parses (%s)", path, e.msg);
		if (r < 0)
			continue;
		TAP_STREQ(f->source, path, "%s: source is the path", names[i]);
		policy_load(names[i], &b, &e);
		_cleanup_free_ char *fj = policy_to_json(f);
		_cleanup_free_ char *bj = policy_to_json(b);
		TAP_STREQ(fj, bj, "contrib/policies/%s.json means the built-in %s", names[i],
			  names[i]);
		policy_free(f);
		policy_free(b);
	}

	_cleanup_free_ char *ex = xasprintf("%s/example-agent-web.json", contrib_dir);
	struct ward_policy *p = NULL;
	struct werr e;
	werr_clear(&e);
	TAP_OK(policy_load(ex, &p, &e) == 0, "documented example parses (%s)", e.msg);
	if (!p)
		return;
	TAP_STREQ(p->name, "example-agent-web", "example name");
	TAP_OK(p->net.egress.n == 7 && p->net.egress.rules[3].host &&
		       strcmp(p->net.egress.rules[3].host, "api.example.com") == 0 &&
		       p->net.host_refresh_sec == 120 && p->audit.max_bytes == 67108864 &&
		       p->audit.buffer_kib == 128,
	       "example: rules, hosts, refresh and audit settings read");
	struct ward_endpoint meta = {.port = 80, .proto = WARD_PROTO_TCP};
	inet_pton(AF_INET6, "::ffff:169.254.169.254", &meta.addr);
	policy_normalize_dest(&meta);
	size_t idx = 99;
	TAP_OK(policy_match_net(&p->net.egress, &meta, NULL, NULL, &idx) == WARD_DENY && idx == 0,
	       "example: metadata service denied by rule 0");
	struct ward_endpoint dns = {.port = 53, .proto = WARD_PROTO_UDP};
	inet_pton(AF_INET6, "::ffff:10.0.0.2", &dns.addr);
	policy_normalize_dest(&dns);
	TAP_OK(policy_match_net(&p->net.egress, &dns, NULL, NULL, &idx) == WARD_ALLOW && idx == 2,
	       "example: DNS to the resolver allowed by rule 2");
	dns.port = 54;
	TAP_OK(policy_match_net(&p->net.egress, &dns, NULL, NULL, &idx) == WARD_DENY &&
		       idx == (size_t)-1,
	       "example: another port on the resolver falls to the default");
	struct ward_endpoint mirror = {.port = 8500, .proto = WARD_PROTO_TCP};
	inet_pton(AF_INET6, "::ffff:192.0.2.77", &mirror.addr);
	policy_normalize_dest(&mirror);
	TAP_OK(policy_match_net(&p->net.egress, &mirror, NULL, NULL, NULL) == WARD_ALLOW,
	       "example: port range in a subnet");
	mirror.proto = WARD_PROTO_UDP;
	TAP_OK(policy_match_net(&p->net.egress, &mirror, NULL, NULL, NULL) == WARD_DENY,
	       "example: protocol restricts the rule");
	policy_free(p);
}

static void test_errors(void)
{
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\"},{\"action\":\"allow\"},"
		     "{\"action\":\"allow\",\"cidr\":\"10.0.0.300/8\"}]}}",
		     "policy.json: network.egress[2].cidr: invalid CIDR \"10.0.0.300/8\"");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"cidr\":\"10.0.0.0/33\"}]}}",
		     "policy.json: network.egress[0].cidr: invalid CIDR \"10.0.0.0/33\"");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"cidr\":\"::1/129\"}]}}",
		     "policy.json: network.egress[0].cidr: invalid CIDR \"::1/129\"");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"cidr\":\"10.0.0.0/+8\"}]}}",
		     "policy.json: network.egress[0].cidr: invalid CIDR \"10.0.0.0/+8\"");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"cidrr\":\"10.0.0.0/8\"}]}}",
		     "policy.json: network.egress[0].cidrr: unknown field");
	expect_error("{\"network\":{\"egress\":[{\"cidr\":\"10.0.0.0/8\"}]}}",
		     "policy.json: network.egress[0].action: missing (\"allow\" or \"deny\")");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"permit\"}]}}",
		     "policy.json: network.egress[0].action: invalid action \"permit\" (expected "
		     "\"allow\" or \"deny\")");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"ports\":[\"90-80\"]}]}}",
		     "policy.json: network.egress[0].ports[0]: invalid port range \"90-80\" "
		     "(start > end)");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"ports\":[80,70000]}]}}",
		     "policy.json: network.egress[0].ports[1]: port 70000 is out of range "
		     "(0..65535)");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"ports\":[\"8x\"]}]}}",
		     "policy.json: network.egress[0].ports[0]: invalid port range \"8x\"");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"ports\":[]}]}}",
		     "policy.json: network.egress[0].ports: empty list (leave \"ports\" out to "
		     "match any port)");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"ports\":[true]}]}}",
		     "policy.json: network.egress[0].ports[0]: expected a port number or a "
		     "\"low-high\" string, got a boolean");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"host\":\"a b\"}]}}",
		     "policy.json: network.egress[0].host: invalid host name \"a b\"");
	expect_error("{\"network\":{\"bind\":[{\"action\":\"allow\",\"host\":\"x.org\"}]}}",
		     "policy.json: network.bind[0].host: host names are only for egress rules");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"host\":\"x.org\","
		     "\"cidr\":\"1.2.3.4\"}]}}",
		     "policy.json: network.egress[0].host: use either \"cidr\" or \"host\" in one "
		     "rule");
	expect_error("{\"network\":{\"egress\":[{\"action\":\"allow\",\"protocol\":\"sctp\"}]}}",
		     "policy.json: network.egress[0].protocol: unknown protocol \"sctp\" (tcp, udp "
		     "or icmp)");
	expect_error("{\"network\":{\"egress\":{}}}",
		     "policy.json: network.egress: expected an array, got an object");
	expect_error("{\"network\":{\"families\":{\"allow\":[\"inet\",\"carrier-pigeon\"]}}}",
		     "policy.json: network.families.allow[1]: unknown socket family "
		     "\"carrier-pigeon\"");
	expect_error("{\"network\":{\"families\":{\"allow\":[\"inet\"],\"deny\":[\"inet\"]}}}",
		     "policy.json: network.families: a family is both allowed and denied");
	expect_error("{\"network\":{\"denyErrno\":\"EWHATEVER\"}}",
		     "policy.json: network.denyErrno: unknown errno \"EWHATEVER\" (one of EPERM, "
		     "EACCES, ENOSYS, EINVAL, EAFNOSUPPORT, ECONNREFUSED, ENETUNREACH, "
		     "EHOSTUNREACH, EOPNOTSUPP)");
	expect_error("{\"network\":{\"hostRefreshSeconds\":0}}",
		     "policy.json: network.hostRefreshSeconds: 0 is out of range (1..86400)");
	expect_error("{\"network\":{\"unix\":[{\"action\":\"deny\"}]}}",
		     "policy.json: network.unix[0]: a unix rule needs exactly one of \"path\" or "
		     "\"abstract\"");
	expect_error("{\"network\":{\"unix\":[{\"action\":\"deny\",\"path\":\"a\",\"abstract\":"
		     "\"b\"}]}}",
		     "policy.json: network.unix[0]: a unix rule needs exactly one of \"path\" or "
		     "\"abstract\"");
	expect_error("{\"process\":{\"deny\":[\"mount\",\"reboot\"]}}",
		     "policy.json: process.deny[1]: unknown operation group \"reboot\" (all, "
		     "userns, mount, ptrace, process_vm, keyring, bpf, perf, modules, kexec, "
		     "io_uring, userfaultfd)");
	expect_error("{\"process\":{\"execAudit\":\"yes\"}}",
		     "policy.json: process.execAudit: expected true or false, got a string");
	expect_error("{\"audit\":{\"path\":\"relative.jsonl\"}}",
		     "policy.json: audit.path: must be an absolute path, got \"relative.jsonl\"");
	expect_error("{\"audit\":{\"maxBytes\":-5}}",
		     "policy.json: audit.maxBytes: expected a non-negative integer, got a number");
	expect_error("{\"version\":2}", "policy.json: version: 2 is out of range (1..1)");
	expect_error("{\"name\":\"a\",\"name\":\"b\"}", "policy.json: name: duplicate field");
	expect_error("{\"nmae\":\"x\"}", "policy.json: nmae: unknown field");
	expect_error("[]", "policy.json: expected a JSON object, got an array");
	expect_error("{\"comment\":5}", "policy.json: comment: expected a string, got a number");
	expect_error("{\"supervise\":false,\"process\":{\"deny\":[\"all\"]}}",
		     "policy.json: supervise: false (no filter) contradicts the process rules of "
		     "this policy");

	struct werr e;
	struct ward_policy *p = parse_str("{\"name\":", &e);
	TAP_OK(!p && str_has_prefix(e.msg, "policy.json: invalid JSON: ") && !strchr(e.msg, '\n'),
	       "truncated JSON refused on one line: %s", e.msg);
	p = parse_str("", &e);
	TAP_OK(!p && str_has_prefix(e.msg, "policy.json: invalid JSON"), "empty document refused");
	char nul[] = "{\"name\":\"a\"}\0x";
	TAP_OK(policy_parse(nul, sizeof(nul) - 1, "p.json", &p, &e) < 0 &&
		       strcmp(e.msg, "p.json: contains a NUL byte") == 0,
	       "embedded NUL refused");

	p = NULL;
	werr_clear(&e);
	TAP_OK(policy_load("/nonexistent/ward-policy.json", &p, &e) < 0 && e.errnum == ENOENT &&
		       strstr(e.msg, "/nonexistent/ward-policy.json"),
	       "missing policy file: %s", e.msg);

	/* a minimal document gets safe defaults and its name from the file */
	char dir[] = "/tmp/ward-policy-XXXXXX";
	TAP_OK(mkdtemp(dir) != NULL, "temp dir");
	_cleanup_free_ char *f = xasprintf("%s/strict-agent.json", dir);
	int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	TAP_OK(fd >= 0 && write(fd, "{}", 2) == 2, "write minimal policy");
	close(fd);
	TAP_OK(policy_load(f, &p, &e) == 0 && strcmp(p->name, "strict-agent") == 0 &&
		       p->supervise && p->net.deny_errno == EACCES &&
		       p->net.host_refresh_sec == 300 && p->audit.max_bytes == 16u << 20 &&
		       p->process.errnum == EPERM,
	       "minimal document: defaults and name from the file name");
	policy_free(p);
	unlink(f);
	rmdir(dir);
}

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;
	struct in_addr v4;
	if (inet_pton(AF_INET, s, &v4) == 1) {
		memset(&a, 0, sizeof(a));
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], &v4, 4);
	} else if (inet_pton(AF_INET6, s, &a) != 1) {
		abort();
	}
	return a;
}

static bool fake_hosts(void *ctx, const char *host, const struct in6_addr *addr)
{
	(void)ctx;
	struct in6_addr x = a6("203.0.113.9");
	return strcmp(host, "api.example.com") == 0 && memcmp(addr, &x, sizeof(x)) == 0;
}

static enum ward_action check(struct ward_policy *p, const char *addr, uint16_t port,
			      unsigned proto)
{
	struct ward_endpoint ep = {.addr = a6(addr), .port = port, .proto = proto};
	policy_normalize_dest(&ep);
	return policy_match_net(&p->net.egress, &ep, fake_hosts, NULL, NULL);
}

static void test_matching(void)
{
	struct in6_addr net;
	unsigned pfx;
	TAP_OK(policy_parse_cidr("10.1.2.3/8", &net, &pfx) == 0 && pfx == 104 &&
		       memcmp(&net,
			      &(struct in6_addr){.s6_addr = {[10] = 0xff, [11] = 0xff, [12] = 10}},
			      16) == 0,
	       "CIDR host bits cleared, IPv4 in the IPv6 view");
	TAP_OK(policy_parse_cidr("2001:db8::1", &net, &pfx) == 0 && pfx == 128, "bare v6 is /128");
	TAP_OK(policy_parse_cidr("1.2.3", &net, &pfx) < 0 &&
		       policy_parse_cidr("", &net, &pfx) < 0 &&
		       policy_parse_cidr("1.2.3.4/", &net, &pfx) < 0,
	       "malformed CIDRs refused");

	struct werr e;
	struct ward_policy *p = parse_str(
		"{\"network\":{\"egressDefault\":\"deny\",\"egress\":["
		"{\"action\":\"deny\",\"cidr\":\"127.0.0.1\",\"ports\":[25]},"
		"{\"action\":\"allow\",\"loopback\":true},"
		"{\"action\":\"allow\",\"cidr\":\"10.0.0.0/8\",\"protocol\":\"tcp\",\"ports\":[80,"
		"\"8000-8099\"]},"
		"{\"action\":\"allow\",\"family\":\"inet6\",\"cidr\":\"::/0\",\"ports\":[443]},"
		"{\"action\":\"allow\",\"host\":\"api.example.com\",\"ports\":[443]},"
		"{\"action\":\"allow\",\"loopback\":false,\"protocol\":\"icmp\"}]}}",
		&e);
	TAP_OK(p != NULL, "matching policy parses (%s)", e.msg);
	if (!p)
		return;
	TAP_OK(check(p, "127.0.0.1", 25, WARD_PROTO_TCP) == WARD_DENY, "first match wins (deny)");
	TAP_OK(check(p, "127.0.0.1", 26, WARD_PROTO_TCP) == WARD_ALLOW, "loopback rule");
	TAP_OK(check(p, "127.9.9.9", 25, WARD_PROTO_TCP) == WARD_ALLOW, "all of 127/8 is loopback");
	TAP_OK(check(p, "::1", 25, WARD_PROTO_TCP) == WARD_ALLOW, "::1 is loopback");
	TAP_OK(check(p, "0.0.0.0", 25, WARD_PROTO_TCP) == WARD_DENY,
	       "0.0.0.0 is matched as 127.0.0.1 (it connects locally)");
	TAP_OK(check(p, "::ffff:127.0.0.1", 25, WARD_PROTO_TCP) == WARD_DENY,
	       "v4-mapped loopback matched as IPv4");
	TAP_OK(check(p, "::ffff:0.0.0.0", 25, WARD_PROTO_TCP) == WARD_DENY,
	       "v4-mapped unspecified matched as 127.0.0.1");
	TAP_OK(check(p, "::", 26, WARD_PROTO_TCP) == WARD_ALLOW, ":: is matched as ::1");
	TAP_OK(check(p, "10.200.0.1", 80, WARD_PROTO_TCP) == WARD_ALLOW, "CIDR + port");
	TAP_OK(check(p, "10.200.0.1", 8099, WARD_PROTO_TCP) == WARD_ALLOW, "port range end");
	TAP_OK(check(p, "10.200.0.1", 8100, WARD_PROTO_TCP) == WARD_DENY, "past the range");
	TAP_OK(check(p, "10.200.0.1", 80, WARD_PROTO_UDP) == WARD_DENY, "protocol mismatch");
	TAP_OK(check(p, "::ffff:10.1.1.1", 80, WARD_PROTO_TCP) == WARD_ALLOW,
	       "v4-mapped destination matches the IPv4 rule");
	TAP_OK(check(p, "11.0.0.1", 80, WARD_PROTO_TCP) == WARD_DENY, "outside the CIDR");
	TAP_OK(check(p, "2001:db8::5", 443, WARD_PROTO_TCP) == WARD_ALLOW, "v6 rule");
	TAP_OK(check(p, "::ffff:11.0.0.1", 443, WARD_PROTO_TCP) == WARD_DENY,
	       "a v6 rule (::/0) does not match IPv4 destinations");
	TAP_OK(check(p, "203.0.113.9", 443, WARD_PROTO_TCP) == WARD_ALLOW,
	       "host rule matches a resolved address");
	TAP_OK(check(p, "203.0.113.10", 443, WARD_PROTO_TCP) == WARD_DENY,
	       "host rule: other addresses no");
	TAP_OK(check(p, "8.8.8.8", 0, WARD_PROTO_ICMP) == WARD_ALLOW, "icmp rule");
	TAP_OK(check(p, "10.1.1.1", 80, WARD_PROTO_ICMP) == WARD_ALLOW,
	       "a rule with ports does not match ICMP (the later icmp rule does)");
	struct ward_endpoint ep = {.addr = a6("203.0.113.9"), .port = 443, .proto = WARD_PROTO_TCP};
	policy_normalize_dest(&ep);
	TAP_OK(policy_match_net(&p->net.egress, &ep, NULL, NULL, NULL) == WARD_DENY,
	       "host rules never match without a resolver");
	TAP_OK(policy_rules_can_deny(&p->net.egress) && !policy_rules_can_deny(&p->net.bind),
	       "can_deny");
	policy_free(p);

	p = parse_str("{\"network\":{\"unixDefault\":\"deny\",\"unix\":["
		      "{\"action\":\"allow\",\"path\":\"/run/app/*.sock\"},"
		      "{\"action\":\"allow\",\"abstract\":\"app-*\"}]}}",
		      &e);
	TAP_OK(p && policy_match_unix_path(p, "/run/app/x.sock") == WARD_ALLOW &&
		       policy_match_unix_path(p, "/run/app/sub/x.sock") == WARD_ALLOW &&
		       policy_match_unix_path(p, "/run/other.sock") == WARD_DENY &&
		       policy_match_unix_abstract(p, "app-1", 5) == WARD_ALLOW &&
		       policy_match_unix_abstract(p, "app\0-1", 6) == WARD_DENY &&
		       policy_match_unix_abstract(p, "/run/app/x.sock", 15) == WARD_DENY,
	       "unix globs: paths and abstract names are separate; NUL shown as @");
	TAP_OK(p && policy_unix_can_deny(p), "unix can deny");
	policy_free(p);
}

/* Random byte flips, truncations and insertions: the parser answers, never crashes. */
static void test_mutations(void)
{
	const char *src = policy_builtin_json("agent");
	size_t n = strlen(src);
	char *buf = malloc(n + 64);
	unsigned seed = 12345;
	int ok = 0, refused = 0;
	for (int i = 0; i < 3000; i++) {
		memcpy(buf, src, n);
		size_t len = n;
		int edits = 1 + (int)(rand_r(&seed) % 4);
		for (int k = 0; k < edits; k++) {
			size_t pos = (size_t)rand_r(&seed) % len;
			switch (rand_r(&seed) % 3) {
			case 0:
				buf[pos] = (char)(rand_r(&seed) % 256);
				if (!buf[pos])
					buf[pos] = '{';
				break;
			case 1:
				len = pos + 1;
				break;
			default:
				memmove(buf + pos + 1, buf + pos, len - pos);
				buf[pos] = "{}[]\",:0-9a"[rand_r(&seed) % 11];
				len++;
				break;
			}
			if (len > n + 32)
				len = n + 32;
		}
		struct ward_policy *p = NULL;
		struct werr e;
		werr_clear(&e);
		if (policy_parse(buf, len, "fuzz.json", &p, &e) == 0) {
			ok++;
			char *j = policy_to_json(p);
			free(j);
			policy_free(p);
		} else if (str_has_prefix(e.msg, "fuzz.json: ")) {
			refused++;
		}
	}
	free(buf);
	TAP_OK(ok + refused == 3000, "3000 mutated documents: %d parsed, %d refused with a message",
	       ok, refused);
}

int main(void)
{
	find_contrib();
	test_builtins();
	test_contrib();
	test_errors();
	test_matching();
	test_mutations();
	return tap_done();
}
