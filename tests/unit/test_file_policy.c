/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The policy's "files", "proc" and "landlock" members: parsing (normal forms and errors
 * naming the JSON path), "$cwd" expansion, and the mount rules they add to a config.
 * The kernel side (Landlock) is tested by tests/integration/file_policy.bats.
 */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci-spec/oci_config.h"
#include "runtime/file_policy.h"
#include "runtime/policy.h"
#include "tap.h"

static struct ward_policy *parse(const char *json, struct werr *e)
{
	struct ward_policy *p = NULL;
	werr_clear(e);
	if (policy_parse(json, strlen(json), "policy.json", &p, e) < 0)
		return NULL;
	return p;
}

static void expect_error(const char *json, const char *msg)
{
	struct werr e;
	struct ward_policy *p = parse(json, &e);
	TAP_OK(!p, "refused: %s", json);
	TAP_STREQ(e.msg, msg, "message for %s", json);
	policy_free(p);
}

static bool set_is(const struct ward_path_set *s, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	if (s->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s->paths[i], want[i]) != 0)
			return false;
	return true;
}

static void test_parse(void)
{
	struct werr e;
	struct ward_policy *p = parse("{\"files\":{\"readOnly\":[\"/\",\"//usr//lib/\"],"
				      "\"writable\":[\"$cwd\",\"$cwd/out/\",\"/tmp\"],"
				      "\"hidden\":[\"/run/secrets\"]},"
				      "\"proc\":{\"virtualize\":true},\"landlock\":\"required\","
				      "\"audit\":{\"files\":true}}",
				      &e);
	TAP_OK(p != NULL, "a files member parses (%s)", p ? "" : e.msg);
	if (!p)
		return;
	TAP_OK(p->files.present && p->files.mount_read_only, "present, mountReadOnly by default");
	TAP_OK(set_is(&p->files.read_only, (const char *const[]){"/", "/usr/lib", NULL}),
	       "paths are normalised (single slashes, no trailing one)");
	TAP_OK(set_is(&p->files.writable, (const char *const[]){"$cwd", "$cwd/out", "/tmp", NULL}),
	       "$cwd entries are kept for expansion");
	TAP_OK(p->files.executable.n == 0 && p->files.hidden.n == 1, "absent sets are empty");
	TAP_OK(p->proc.virtualize && p->audit.files && p->landlock == WARD_LANDLOCK_REQUIRED,
	       "proc.virtualize, audit.files, landlock");

	/* the saved copy (exec reads it back) means the same policy */
	_cleanup_free_ char *json = policy_to_json(p);
	struct ward_policy *q = parse(json, &e);
	_cleanup_free_ char *json2 = q ? policy_to_json(q) : NULL;
	TAP_STREQ(json2 ? json2 : e.msg, json, "round trip through policy_to_json");
	policy_free(q);
	policy_free(p);

	p = parse("{\"version\":1}", &e);
	TAP_OK(p && !p->files.present && !p->proc.virtualize &&
		       p->landlock == WARD_LANDLOCK_BEST_EFFORT,
	       "without the members: no file rules, no virtual /proc, best-effort Landlock");
	policy_free(p);
}

static void test_errors(void)
{
	expect_error("{\"files\":{\"writable\":[\"/tmp\",\"tmp/x\"]}}",
		     "policy.json: files.writable[1]: \"tmp/x\" is not an absolute path (or "
		     "\"$cwd\")");
	expect_error("{\"files\":{\"readOnly\":[\"/usr/../etc\"]}}",
		     "policy.json: files.readOnly[0]: \"/usr/../etc\": \".\" and \"..\" are not "
		     "allowed in policy paths");
	expect_error("{\"files\":{\"hidden\":[\"/\"]}}",
		     "policy.json: files.hidden[0]: the root cannot be hidden");
	expect_error("{\"files\":{\"executable\":\"/bin\"}}",
		     "policy.json: files.executable: expected an array, got a string");
	expect_error("{\"files\":{\"executable\":[1]}}",
		     "policy.json: files.executable[0]: expected a path string, got a number");
	expect_error("{\"files\":{\"writeable\":[\"/tmp\"]}}",
		     "policy.json: files.writeable: unknown field");
	expect_error("{\"files\":{\"readOnly\":[\"$cwdx\"]}}",
		     "policy.json: files.readOnly[0]: \"$cwdx\" is not an absolute path (or "
		     "\"$cwd\")");
	expect_error("{\"landlock\":\"strict\"}",
		     "policy.json: landlock: invalid mode \"strict\" (expected \"best-effort\", "
		     "\"required\" or \"off\")");
	expect_error("{\"proc\":{\"virtualise\":true}}",
		     "policy.json: proc.virtualise: unknown field");
	expect_error("{\"supervise\":false,\"proc\":{\"virtualize\":true}}",
		     "policy.json: supervise: false (no filter) contradicts the process rules of "
		     "this policy");
}

static void test_expand(void)
{
	struct {
		const char *path, *cwd, *want;
	} cases[] = {
		{"/tmp", "/work", "/tmp"},
		{"$cwd", "/work", "/work"},
		{"$cwd/out", "/work/", "/work/out"},
		{"$cwd/out", "/", "/out"},
		{"$cwd", "/", NULL},
		{"$cwd", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *got = file_policy_expand(cases[i].path, cases[i].cwd);
		TAP_OK(cases[i].want ? got && strcmp(got, cases[i].want) == 0 : got == NULL,
		       "expand %s with cwd %s -> %s (got %s)", cases[i].path,
		       cases[i].cwd ? cases[i].cwd : "(none)",
		       cases[i].want ? cases[i].want : "dropped", got ? got : "dropped");
	}
}

static bool has(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void test_extend_config(void)
{
	struct werr e;
	const char *cfg_json = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"rootfs\"},"
			       "\"process\":{\"cwd\":\"/usr/src/app\",\"args\":[\"sh\"]},"
			       "\"linux\":{\"maskedPaths\":[\"/proc/kcore\"]}}";
	struct oci_config *cfg = NULL;
	werr_clear(&e);
	TAP_OK(oci_config_parse(cfg_json, strlen(cfg_json), "config.json", &cfg, &e) == 0,
	       "fixture config parses");
	struct ward_policy *p = NULL;
	TAP_OK(policy_load("agent", &p, &e) == 0, "agent loads");
	if (!cfg || !p)
		return;
	file_policy_extend_config(cfg, p);
	struct oci_linux *l = &cfg->linux_;
	TAP_OK(has(l->masked_paths, l->n_masked_paths, "/proc/kcore") &&
		       has(l->masked_paths, l->n_masked_paths, "/run/secrets") &&
		       has(l->masked_paths, l->n_masked_paths, "/var/run/docker.sock"),
	       "hidden paths join the config's masked paths");
	TAP_OK(has(l->readonly_paths, l->n_readonly_paths, "/bin") &&
		       has(l->readonly_paths, l->n_readonly_paths, "/lib"),
	       "system trees without writable paths become read-only mounts");
	TAP_OK(!has(l->readonly_paths, l->n_readonly_paths, "/usr") &&
		       !has(l->readonly_paths, l->n_readonly_paths, "/"),
	       "a tree holding a writable path (the workdir under /usr, /tmp under /) is left to "
	       "Landlock");
	TAP_OK(!has(l->readonly_paths, l->n_readonly_paths, "/usr/src/app"),
	       "the writable workdir is not made read-only");
	policy_free(p);
	oci_config_free(cfg);
}

int main(void)
{
	test_parse();
	test_errors();
	test_expand();
	test_extend_config();
	return tap_done();
}
