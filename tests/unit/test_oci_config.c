/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.json parser and writer: round trips of configs that set every field,
 * the valid corpus (runc, crun and Docker configs), every hand-written
 * malformed config against its expected message, and the parser's rules
 * (null, repeated keys, limits, process files, loading from disk).
 */
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci-spec/oci_config.h"
#include "oci_test_util.h"
#include "tap.h"

#define VALID_DIR     CONFIG_DATA_DIR "/valid"
#define MALFORMED_DIR CONFIG_DATA_DIR "/malformed"

/* A pointer value no allocator returns: *out must still hold it after a failure. */
#define UNTOUCHED ((struct oci_config *)(uintptr_t)0x5a5a5a5a)

static struct oci_config *parse_ok(const char *json, size_t len, const char *what)
{
	struct werr e;
	struct oci_config *c = NULL;
	if (oci_config_parse(json, len, "config.json", &c, &e) < 0) {
		printf("# %s: %s\n", what, e.msg);
		return NULL;
	}
	return c;
}

/* parse(write(c)) == c, for the pretty and the compact form. */
static void check_round_trip(const struct oci_config *c, const char *what)
{
	for (int pretty = 0; pretty <= 1; pretty++) {
		char *out = oci_config_write(c, pretty);
		TAP_OK(out != NULL, "%s: written (%s)", what, pretty ? "pretty" : "compact");
		if (!out)
			continue;
		struct oci_config *again = parse_ok(out, strlen(out), what);
		TAP_OK(again && oci_config_equal(c, again), "%s: parse(write(c)) == c (%s)", what,
		       pretty ? "pretty" : "compact");
		/* a second trip gives the very same text */
		char *out2 = again ? oci_config_write(again, pretty) : NULL;
		TAP_OK(out2 && strcmp(out, out2) == 0, "%s: writing is stable (%s)", what,
		       pretty ? "pretty" : "compact");
		free(out2);
		oci_config_free(again);
		free(out);
	}
}

static void test_valid_corpus(void)
{
	size_t n;
	char **names = list_dir(VALID_DIR, ".json", &n);
	TAP_OK(n >= 5, "valid corpus has %zu documents", n);
	for (size_t i = 0; i < n; i++) {
		char path[512];
		size_t len;
		snprintf(path, sizeof(path), "%s/%s", VALID_DIR, names[i]);
		char *json = slurp(path, &len);
		struct oci_config *c = json ? parse_ok(json, len, names[i]) : NULL;
		TAP_OK(c != NULL, "%s parses", names[i]);
		if (c) {
			TAP_OK(oci_config_equal(c, c), "%s equals itself", names[i]);
			check_round_trip(c, names[i]);
		}
		oci_config_free(c);
		free(json);
	}
	free_list(names);
}

/*
 * full.json sets every field of the model. Writing what was parsed must give
 * back the same JSON (apart from members that are not Linux's), which shows
 * that no field is dropped by the parser or by the writer.
 */
static void test_full_every_field(void)
{
	static const char *const not_linux[] = {"windows", "vm", "x-unknown-extension", NULL};
	struct werr e;
	size_t len;
	char *json = slurp(VALID_DIR "/full.json", &len);
	struct oci_config *c = json ? parse_ok(json, len, "full.json") : NULL;
	TAP_OK(c != NULL, "full.json parses");
	if (!c) {
		free(json);
		return;
	}
	char *out = oci_config_write(c, true);
	struct jdoc a, b;
	bool parsed = jdoc_parse(json, len, "full.json", &a, &e) == 0;
	parsed = parsed && jdoc_parse(out, strlen(out), "written", &b, &e) == 0;
	TAP_OK(parsed, "full.json and its rewrite are JSON");
	if (parsed) {
		TAP_OK(json_equal(a.root, b.root, not_linux),
		       "write(parse(full.json)) holds every field of full.json");
		jdoc_free(&a);
		jdoc_free(&b);
	}

	/* values at the edges of their types survive */
	TAP_OK(c->process.rlimits[1].hard == UINT64_MAX, "uint64 max rlimit");
	TAP_OK(c->linux_.resources.memory.kernel == INT64_MIN, "int64 min memory.kernel");
	TAP_OK(c->linux_.resources.memory.swap == INT64_MAX, "int64 max memory.swap");
	TAP_OK(c->process.user.gid == UINT32_MAX, "uint32 max gid");
	TAP_OK(c->process.oom_score_adj == -1000 && c->process.has_oom_score_adj, "oomScoreAdj");
	TAP_OK(c->linux_.resources.block_io.leaf_weight == 65535, "uint16 max leafWeight");
	TAP_OK(c->linux_.time_monotonic.present && c->linux_.time_monotonic.secs == INT64_MIN &&
		       c->linux_.time_monotonic.nanosecs == UINT32_MAX,
	       "timeOffsets monotonic");
	TAP_OK(c->linux_.n_namespaces == 8 && c->linux_.namespaces[7].type == OCI_NS_TIME,
	       "eight namespaces, the last one time");
	TAP_STREQ(c->linux_.namespaces[1].path, "/var/run/netns/neta", "namespace path");
	TAP_STREQ(c->process.args[2], "echo \"quoted\" \\ back\tslash\xc3\xa9\xf0\x9f\x98\x80",
		  "escapes and surrogate pairs decode to UTF-8");
	TAP_OK(c->linux_.seccomp.syscalls[9].args[5].value_two == UINT64_MAX,
	       "seccomp valueTwo uint64 max");
	TAP_OK(c->hooks.create_runtime.items[0].has_timeout &&
		       c->hooks.create_runtime.items[0].timeout == INT32_MAX,
	       "hook timeout");
	TAP_STREQ(oci_config_annotation(c, "dev.ward.policy"), "agent", "annotation lookup");
	TAP_OK(oci_config_annotation(c, "missing") == NULL, "absent annotation is NULL");
	TAP_STREQ(c->linux_.resources.rdma[1].device, "mlx4_0", "rdma map key");
	TAP_OK(!c->linux_.resources.rdma[1].has_hca_handles &&
		       c->linux_.resources.rdma[1].has_hca_objects &&
		       c->linux_.resources.rdma[1].hca_objects == 1000,
	       "rdma optional members");
	TAP_OK(c->linux_.resources.memory.has_disable_oom_killer &&
		       !c->linux_.resources.memory.disable_oom_killer,
	       "an explicit false is kept apart from absent");
	TAP_STREQ(c->mounts[2].destination, "relative/is/deprecated",
		  "relative mount destination is accepted (deprecated, not invalid)");
	check_round_trip(c, "full.json");
	free(out);
	oci_config_free(c);
	free(json);
}

static char *trim_newline(char *s)
{
	size_t l = strlen(s);
	while (l > 0 && (s[l - 1] == '\n' || s[l - 1] == '\r'))
		s[--l] = '\0';
	return s;
}

/* Every malformed/X.json is refused with exactly the message in X.err, leaving *out alone. */
static void test_malformed_corpus(void)
{
	size_t n;
	char **names = list_dir(MALFORMED_DIR, ".json", &n);
	TAP_OK(n >= 100, "malformed corpus has %zu documents", n);
	for (size_t i = 0; i < n; i++) {
		char path[512];
		size_t len, elen;
		struct werr e;
		snprintf(path, sizeof(path), "%s/%s", MALFORMED_DIR, names[i]);
		char *json = slurp(path, &len);
		strcpy(path + strlen(path) - 5, ".err");
		char *want = slurp(path, &elen);
		if (!json || !want) {
			TAP_OK(0, "%s has a .err file", names[i]);
			free(json);
			free(want);
			continue;
		}
		trim_newline(want);
		struct oci_config *c = UNTOUCHED;
		werr_clear(&e);
		int r = oci_config_parse(json, len, "config.json", &c, &e);
		TAP_OK(r < 0 && c == UNTOUCHED, "%s is refused, *out untouched", names[i]);
		TAP_STREQ(e.msg, want, "%s: message", names[i]);
		if (r == 0)
			oci_config_free(c);
		free(json);
		free(want);
	}
	free_list(names);
}

static void expect_error(const char *json, const char *want, const char *what)
{
	struct werr e;
	struct oci_config *c = UNTOUCHED;
	werr_clear(&e);
	int r = oci_config_parse(json, strlen(json), "config.json", &c, &e);
	TAP_OK(r < 0 && c == UNTOUCHED, "%s: refused", what);
	TAP_STREQ(e.msg, want, "%s: message", what);
	if (r == 0)
		oci_config_free(c);
}

static void test_rules(void)
{
	struct oci_config *c;

	/* null means absent, like Go's decoder */
	const char *nulls = "{\"ociVersion\":\"1.2.0\",\"process\":null,\"linux\":{\"sysctl\":"
			    "null,\"resources\":{\"memory\":{\"limit\":null}}},\"hostname\":null}";
	c = parse_ok(nulls, strlen(nulls), "nulls");
	TAP_OK(c && !c->has_process && !c->hostname && c->linux_.resources.present &&
		       c->linux_.resources.memory.present && !c->linux_.resources.memory.has_limit,
	       "null members are absent");
	oci_config_free(c);

	/* a repeated member: the last one counts (what Go's encoding/json does) */
	const char *dup = "{\"ociVersion\":\"1.0.0\",\"hostname\":\"a\",\"ociVersion\":\"1.2.0\","
			  "\"annotations\":{\"k\":\"1\",\"j\":\"x\",\"k\":\"2\"}}";
	c = parse_ok(dup, strlen(dup), "repeated keys");
	TAP_STREQ(c ? c->oci_version : NULL, "1.2.0", "repeated member: last wins");
	TAP_OK(c && c->n_annotations == 2, "repeated map key kept once");
	TAP_STREQ(c ? oci_config_annotation(c, "k") : NULL, "2", "repeated map key: last value");
	oci_config_free(c);

	/* unknown members, at every level, are ignored */
	const char *unk =
		"{\"ociVersion\":\"1.2.0\",\"future\":{\"x\":[1,{}]},\"process\":{\"cwd\":"
		"\"/\",\"newThing\":true},\"linux\":{\"netDevices\":{\"eth0\":{}},"
		"\"memoryPolicy\":{\"mode\":\"MPOL_BIND\"}}}";
	c = parse_ok(unk, strlen(unk), "unknown members");
	TAP_OK(c != NULL, "unknown members are ignored");
	oci_config_free(c);

	/* "" for optional enums means unset, as Go writes nothing for it */
	const char *empty = "{\"ociVersion\":\"1.2.0\",\"linux\":{\"rootfsPropagation\":\"\","
			    "\"namespaces\":[{\"type\":\"pid\",\"path\":\"\"}],\"resources\":{"
			    "\"devices\":[{\"allow\":false,\"type\":\"\",\"access\":\"rwm\"}]}}}";
	c = parse_ok(empty, strlen(empty), "empty enums");
	TAP_OK(c && !c->linux_.rootfs_propagation && !c->linux_.namespaces[0].path &&
		       !c->linux_.resources.devices[0].type,
	       "empty rootfsPropagation, namespace path and device type mean unset");
	oci_config_free(c);

	/* runc and Docker write recursive propagation modes */
	const char *rslave =
		"{\"ociVersion\":\"1.2.0\",\"linux\":{\"rootfsPropagation\":\"rslave\"}}";
	c = parse_ok(rslave, strlen(rslave), "rslave");
	TAP_STREQ(c ? c->linux_.rootfs_propagation : NULL, "rslave", "rslave accepted");
	oci_config_free(c);

	/* "-0" is zero, even where negative numbers are refused */
	const char *mz =
		"{\"ociVersion\":\"1.2.0\",\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":-0}}}";
	c = parse_ok(mz, strlen(mz), "-0");
	TAP_OK(c && c->process.user.uid == 0, "-0 is a valid uint32");
	oci_config_free(c);

	/* the document must be a JSON object and not too big */
	expect_error("null", "config.json: expected a JSON object at the top level, got null",
		     "top-level null");
	expect_error("  \n ", "config.json: invalid JSON: the document is empty", "blank document");
	size_t big = OCI_CONFIG_MAX_BYTES + 1;
	char *huge = xcalloc(1, big + 1);
	memset(huge, ' ', big);
	huge[0] = '{';
	huge[big - 1] = '}';
	struct werr e;
	c = UNTOUCHED;
	TAP_OK(oci_config_parse(huge, big, "config.json", &c, &e) < 0 && c == UNTOUCHED,
	       "document over OCI_CONFIG_MAX_BYTES refused");
	TAP_STREQ(e.msg, "config.json: document is larger than 4194304 bytes",
		  "over-long document message");
	/* exactly at the limit is fine (ociVersion and spaces) */
	memcpy(huge, "{\"ociVersion\":\"1.2.0\"", 21);
	huge[big - 1] = ' ';
	huge[OCI_CONFIG_MAX_BYTES - 1] = '}';
	c = parse_ok(huge, OCI_CONFIG_MAX_BYTES, "4 MiB document");
	TAP_OK(c != NULL, "document of exactly OCI_CONFIG_MAX_BYTES accepted");
	oci_config_free(c);
	free(huge);

	/* length is honoured: bytes after len are not read, a NUL before len is refused */
	const char *withnul = "{\"ociVersion\":\"1.2.0\"}\0garbage";
	c = parse_ok(withnul, 22, "explicit length");
	TAP_OK(c != NULL, "parsing stops at len");
	oci_config_free(c);
	c = UNTOUCHED;
	TAP_OK(oci_config_parse(withnul, 25, "config.json", &c, &e) < 0 && c == UNTOUCHED,
	       "NUL byte inside the document refused");
	TAP_OK(error_names_path(e.msg, "config.json"), "NUL byte message: %s", e.msg);

	/* origin names the file in every message */
	c = UNTOUCHED;
	TAP_OK(oci_config_parse("{}", 2, "/bundle/config.json", &c, &e) < 0, "{} lacks ociVersion");
	TAP_STREQ(e.msg, "/bundle/config.json: ociVersion: required field missing",
		  "origin prefixes the message");

	/* namespace names */
	TAP_STREQ(oci_ns_type_name(OCI_NS_NETWORK), "network", "oci_ns_type_name");
	TAP_OK(oci_ns_type_name(OCI_NS_COUNT) == NULL, "oci_ns_type_name out of range");
	TAP_OK(oci_ns_type_from_name("cgroup") == OCI_NS_CGROUP, "oci_ns_type_from_name");
	TAP_OK(oci_ns_type_from_name("net") == -1, "unknown namespace name");
}

static void test_process_parse(void)
{
	struct werr e;
	struct oci_process *p = (struct oci_process *)UNTOUCHED;
	const char *ok = "{\"terminal\":true,\"user\":{\"uid\":1,\"gid\":2,\"additionalGids\":[3]},"
			 "\"args\":[\"sh\",\"-c\",\"ls\"],\"env\":[\"A=B\"],\"cwd\":\"/tmp\","
			 "\"capabilities\":{\"bounding\":[\"CAP_KILL\"]},\"noNewPrivileges\":true,"
			 "\"oomScoreAdj\":5,\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\"}}";
	TAP_OK(oci_process_parse(ok, strlen(ok), "process.json", &p, &e) == 0,
	       "process.json parses");
	if (p != (struct oci_process *)UNTOUCHED) {
		TAP_OK(p->terminal && p->user.uid == 1 && p->user.gid == 2 && p->n_args == 3 &&
			       p->capabilities.present && p->no_new_privileges &&
			       p->oom_score_adj == 5 && p->io_priority.present,
		       "process fields");
		char *out = oci_process_write(p, false);
		struct oci_process *q = NULL;
		TAP_OK(out && oci_process_parse(out, strlen(out), "w", &q, &e) == 0 &&
			       oci_process_equal(p, q),
		       "process round trip");
		oci_process_free(q);
		free(out);
		oci_process_free(p);
	}

	static const struct {
		const char *json, *want;
	} bad[] = {
		{"{\"cwd\":\"/\",\"user\":{\"uid\":\"root\"}}",
		 "process.json: user.uid: expected an integer, got a string"},
		{"{\"args\":[\"sh\"]}", "process.json: cwd: required field missing"},
		{"{\"cwd\":\"relative\"}",
		 "process.json: cwd: must be an absolute path, got \"relative\""},
		{"{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_CPU\",\"soft\":1,\"hard\":-1}]}",
		 "process.json: rlimits[0].hard: value -1 out of range (0..18446744073709551615)"},
		{"[]", "process.json: expected a JSON object at the top level, got an array"},
		{"{\"cwd\":\"/\",\"env\":[\"A\"", "process.json: env[1]: invalid JSON at line 1, "
						  "column 22: parse error: premature EOF"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		p = (struct oci_process *)UNTOUCHED;
		werr_clear(&e);
		int r = oci_process_parse(bad[i].json, strlen(bad[i].json), "process.json", &p, &e);
		TAP_OK(r < 0 && p == (struct oci_process *)UNTOUCHED, "bad process %zu refused", i);
		TAP_STREQ(e.msg, bad[i].want, "bad process %zu message", i);
	}
}

static void test_load(void)
{
	struct werr e;
	struct oci_config *c = UNTOUCHED;
	char dir[] = "/tmp/ward-test-oci-XXXXXX";
	TAP_OK(mkdtemp(dir) != NULL, "temp dir");
	char *path = xasprintf("%s/config.json", dir);

	TAP_OK(oci_config_load(path, &c, &e) < 0 && c == UNTOUCHED && e.errnum == ENOENT,
	       "missing config.json: ENOENT");

	FILE *f = fopen(path, "w");
	fputs("{\"ociVersion\":\"1.2.0\",\"linux\":{\"resources\":{\"pids\":{\"limit\":\"x\"}}}}",
	      f);
	fclose(f);
	TAP_OK(oci_config_load(path, &c, &e) < 0 && c == UNTOUCHED, "bad config.json refused");
	char *want = xasprintf("%s: linux.resources.pids.limit: expected an integer, got a string",
			       path);
	TAP_STREQ(e.msg, want, "load names the file");
	free(want);

	f = fopen(path, "w");
	fputs("{\"ociVersion\":\"1.2.0\"}", f);
	fclose(f);
	TAP_OK(oci_config_load(path, &c, &e) == 0 && c != UNTOUCHED, "good config.json loads");
	if (c != UNTOUCHED)
		oci_config_free(c);

	/* a file over the limit is refused while reading, before any parsing */
	TAP_OK(truncate(path, OCI_CONFIG_MAX_BYTES + 10) == 0, "grow config.json");
	c = UNTOUCHED;
	TAP_OK(oci_config_load(path, &c, &e) < 0 && c == UNTOUCHED && e.errnum == EFBIG,
	       "oversized config.json refused (%s)", e.msg);
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	test_valid_corpus();
	test_full_every_field();
	test_malformed_corpus();
	test_rules();
	test_process_parse();
	test_load();
	return tap_done();
}
