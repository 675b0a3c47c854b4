/* SPDX-License-Identifier: Apache-2.0 */
/* The state document (write, parse, errors) and the features document. */
#include <stdint.h>

#include "oci-spec/oci_state.h"
#include "oci_test_util.h"
#include "tap.h"

static void test_state_write(void)
{
	struct oci_kv ann[] = {{"com.example", "v"}, {"dev.ward.policy", "agent"}};
	struct oci_state s = {
		.oci_version = "1.2.0",
		.id = "c1",
		.status = "running",
		.pid = 4242,
		.bundle = "/run/bundles/c1",
		.annotations = ann,
		.n_annotations = 2,
	};
	char *out = oci_state_write(&s, false);
	TAP_STREQ(out,
		  "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"running\",\"pid\":4242,"
		  "\"bundle\":\"/run/bundles/c1\",\"annotations\":{\"com.example\":\"v\","
		  "\"dev.ward.policy\":\"agent\"}}",
		  "state, compact, field order of runtime-spec");
	free(out);

	/* stopped: pid 0 is omitted (Go omitempty), as are empty annotations */
	s.status = "stopped";
	s.pid = 0;
	s.n_annotations = 0;
	out = oci_state_write(&s, true);
	TAP_STREQ(out,
		  "{\n  \"ociVersion\": \"1.2.0\",\n  \"id\": \"c1\",\n  \"status\": \"stopped\",\n"
		  "  \"bundle\": \"/run/bundles/c1\"\n}\n",
		  "state, pretty, no pid when stopped");
	free(out);

	/* strings are escaped */
	s.id = "a\"b\\c\n";
	s.oci_version = NULL;
	out = oci_state_write(&s, false);
	TAP_STREQ(out,
		  "{\"ociVersion\":\"" OCI_SPEC_VERSION "\",\"id\":\"a\\\"b\\\\c\\n\",\"status\":"
		  "\"stopped\",\"bundle\":\"/run/bundles/c1\"}",
		  "escaping, default ociVersion");
	free(out);
}

static void test_state_parse(void)
{
	struct werr e;
	struct oci_state_owned o;
	struct oci_kv ann[] = {{"k", "v"}};
	struct oci_state s = {.oci_version = "1.2.0",
			      .id = "web",
			      .status = "created",
			      .pid = 77,
			      .bundle = "/b",
			      .annotations = ann,
			      .n_annotations = 1};
	char *out = oci_state_write(&s, true);
	TAP_OK(oci_state_parse(out, strlen(out), &o, &e) == 0, "state parses back");
	TAP_OK(!strcmp(o.oci_version, "1.2.0") && !strcmp(o.id, "web") &&
		       !strcmp(o.status, "created") && o.pid == 77 && !strcmp(o.bundle, "/b") &&
		       o.n_annotations == 1 && !strcmp(o.annotations[0].key, "k") &&
		       !strcmp(o.annotations[0].value, "v"),
	       "state round trip");
	oci_state_owned_free(&o);
	free(out);

	/* what runc writes for a paused container, with unknown members */
	const char *runc =
		"{\"ociVersion\":\"1.0.2-dev\",\"id\":\"x\",\"pid\":1,\"status\":\"paused\","
		"\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"created\":\"2024-01-01\"}";
	TAP_OK(oci_state_parse(runc, strlen(runc), &o, &e) == 0, "runc state (paused) parses");
	oci_state_owned_free(&o);

	static const struct {
		const char *json, *want;
	} bad[] = {
		{"{\"ociVersion\":\"1.2.0\",\"status\":\"running\",\"bundle\":\"/b\"}",
		 "state.json: id: required field missing"},
		{"{\"ociVersion\":\"1.2.0\",\"id\":\"x\",\"status\":\"exploded\",\"bundle\":\"/"
		 "b\"}",
		 "state.json: status: invalid value \"exploded\" (expected one of: creating, "
		 "created, "
		 "running, stopped, paused)"},
		{"{\"ociVersion\":\"1.2.0\",\"id\":\"x\",\"status\":\"running\",\"pid\":-4,"
		 "\"bundle\":"
		 "\"/b\"}",
		 "state.json: pid: value -4 out of range (0..2147483647)"},
		{"{\"ociVersion\":\"1.2.0\",\"id\":\"x\",\"status\":\"running\",\"pid\":\"4\","
		 "\"bundle\":\"/"
		 "b\"}",
		 "state.json: pid: expected an integer, got a string"},
		{"{\"ociVersion\":\"1.2.0\",\"id\":\"x\",\"status\":\"running\",\"bundle\":\"/b\","
		 "\"annotations\":{\"a\":[]}}",
		 "state.json: annotations[\"a\"]: expected a string, got an array"},
		{"[]", "state.json: expected a JSON object at the top level, got an array"},
		{"{\"id\":",
		 "state.json: id: invalid JSON at line 1, column 7: parse error: premature EOF"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&o, 0x5a, sizeof(o));
		struct oci_state_owned before = o;
		werr_clear(&e);
		int r = oci_state_parse(bad[i].json, strlen(bad[i].json), &o, &e);
		TAP_OK(r < 0 && memcmp(&o, &before, sizeof(o)) == 0,
		       "bad state %zu refused, untouched", i);
		TAP_STREQ(e.msg, bad[i].want, "bad state %zu message", i);
	}
}

static const struct jnode *at(const struct jnode *n, const char *a, const char *b, const char *c)
{
	const char *keys[] = {a, b, c};
	for (size_t i = 0; i < 3 && keys[i] && n; i++)
		n = n->type == JT_OBJECT ? jobj_member(n, keys[i]) : NULL;
	return n;
}

static void test_features(void)
{
	static const char *const hooks[] = {"prestart", "createRuntime", "poststop", NULL};
	static const char *const ns[] = {"pid", "network", NULL};
	static const char *const none[] = {NULL};
	static const char *const actions[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_NOTIFY", NULL};
	static const char *const unsafe[] = {"dev.ward.", NULL};
	struct oci_kv ann[] = {{"io.github.ward.version", "0.1.0"}};
	struct oci_features f = {
		.oci_version_min = "1.0.0",
		.oci_version_max = "1.2.0",
		.hooks = hooks,
		.mount_options = none,
		.namespaces = ns,
		.cgroup_v1 = true,
		.cgroup_v2 = true,
		.seccomp_enabled = true,
		.seccomp_actions = actions,
		.idmap_mounts_enabled = true,
		.annotations = ann,
		.n_annotations = 1,
		.potentially_unsafe_annotations = unsafe,
	};
	struct werr e;
	struct jdoc d;
	char *out = oci_features_write(&f);
	TAP_OK(out && jdoc_parse(out, strlen(out), "features", &d, &e) == 0,
	       "features document is JSON");
	if (!out)
		return;
	const struct jnode *r = d.root;
	TAP_STREQ(at(r, "ociVersionMin", NULL, NULL)->u.str.s, "1.0.0", "ociVersionMin");
	TAP_STREQ(at(r, "ociVersionMax", NULL, NULL)->u.str.s, "1.2.0", "ociVersionMax");
	TAP_OK(at(r, "hooks", NULL, NULL)->u.kids.n == 3, "hooks listed");
	TAP_OK(at(r, "mountOptions", NULL, NULL) == NULL, "an empty list is left out (omitempty)");
	TAP_OK(at(r, "linux", "namespaces", NULL)->u.kids.n == 2, "linux.namespaces");
	TAP_OK(at(r, "linux", "capabilities", NULL) == NULL, "absent list is left out");
	TAP_OK(at(r, "linux", "cgroup", "v1")->b && at(r, "linux", "cgroup", "v2")->b &&
		       !at(r, "linux", "cgroup", "systemd")->b &&
		       !at(r, "linux", "cgroup", "systemdUser")->b &&
		       !at(r, "linux", "cgroup", "rdma")->b,
	       "cgroup booleans, false ones written too");
	TAP_OK(at(r, "linux", "seccomp", "enabled")->b &&
		       at(r, "linux", "seccomp", "actions")->u.kids.n == 2 &&
		       !at(r, "linux", "seccomp", "operators"),
	       "seccomp");
	TAP_OK(at(r, "linux", "apparmor", "enabled")->type == JT_BOOL &&
		       !at(r, "linux", "selinux", "enabled")->b &&
		       !at(r, "linux", "intelRdt", "enabled")->b,
	       "apparmor, selinux, intelRdt");
	const struct jnode *idmap = at(r, "linux", "mountExtensions", "idmap");
	TAP_OK(idmap && jobj_member(idmap, "enabled")->b, "mountExtensions.idmap.enabled");
	TAP_STREQ(at(r, "annotations", "io.github.ward.version", NULL)->u.str.s, "0.1.0",
		  "annotations");
	TAP_OK(at(r, "potentiallyUnsafeConfigAnnotations", NULL, NULL)->u.kids.n == 1,
	       "potentiallyUnsafeConfigAnnotations");
	TAP_OK(out[strlen(out) - 1] == '\n' && strstr(out, "\n  \"linux\": {\n") != NULL,
	       "pretty, ends with a newline");
	jdoc_free(&d);
	free(out);
}

int main(void)
{
	test_state_write();
	test_state_parse();
	test_features();
	return tap_done();
}
