/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The built-in policies, compiled in so that `--policy agent` needs no file.
 * contrib/policies/<name>.json hold the same documents (test_policy checks
 * that each file parses to exactly the built-in policy): keep them in step.
 */
#include "policy.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"

static const char builtin_default[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"name\": \"default\",\n"
	"  \"description\": \"Compatible containers: dangerous kernel operations are refused, the "
	"network is allowed and audited.\",\n"
	"  \"process\": {\n"
	"    \"deny\": [\"all\"],\n"
	"    \"errno\": \"EPERM\",\n"
	"    \"execAudit\": false\n"
	"  },\n"
	"  \"network\": {\n"
	"    \"families\": { \"default\": \"allow\" },\n"
	"    \"rawSockets\": \"allow\",\n"
	"    \"sourceRouting\": \"allow\",\n"
	"    \"egressDefault\": \"allow\",\n"
	"    \"bindDefault\": \"allow\",\n"
	"    \"listenDefault\": \"allow\",\n"
	"    \"unixDefault\": \"allow\",\n"
	"    \"denyErrno\": \"EACCES\"\n"
	"  },\n"
	"  \"audit\": {\n"
	"    \"network\": true,\n"
	"    \"exec\": false\n"
	"  },\n"
	"  \"proc\": { \"virtualize\": true }\n"
	"}\n";

static const char builtin_agent[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"name\": \"agent\",\n"
	"  \"description\": \"Untrusted code (AI agents, CI jobs): egress denied unless a rule "
	"allows "
	"it, system paths read-only, container-engine sockets and credentials hidden, exec, files "
	"and network fully audited.\",\n"
	"  \"process\": {\n"
	"    \"deny\": [\"all\"],\n"
	"    \"errno\": \"EPERM\",\n"
	"    \"execAudit\": true\n"
	"  },\n"
	"  \"network\": {\n"
	"    \"families\": { \"default\": \"deny\", \"allow\": [\"unix\", \"inet\", \"inet6\", "
	"\"netlink\"] },\n"
	"    \"rawSockets\": \"deny\",\n"
	"    \"sourceRouting\": \"deny\",\n"
	"    \"egressDefault\": \"deny\",\n"
	"    \"egress\": [\n"
	"      { \"action\": \"allow\", \"loopback\": true, \"comment\": \"the container's own "
	"loopback (its network namespace)\" }\n"
	"    ],\n"
	"    \"bindDefault\": \"allow\",\n"
	"    \"listenDefault\": \"allow\",\n"
	"    \"unixDefault\": \"allow\",\n"
	"    \"unix\": [\n"
	"      { \"action\": \"deny\", \"path\": \"*docker.sock\" },\n"
	"      { \"action\": \"deny\", \"path\": \"*containerd.sock\" },\n"
	"      { \"action\": \"deny\", \"path\": \"*containerd.sock.ttrpc\" },\n"
	"      { \"action\": \"deny\", \"path\": \"*podman.sock\" },\n"
	"      { \"action\": \"deny\", \"path\": \"*crio.sock\" },\n"
	"      { \"action\": \"deny\", \"path\": \"*dockershim.sock\" },\n"
	"      { \"action\": \"deny\", \"path\": \"*buildkitd.sock\" },\n"
	"      { \"action\": \"deny\", \"path\": \"*containerd-shim*\" },\n"
	"      { \"action\": \"deny\", \"abstract\": \"*containerd-shim*\" }\n"
	"    ],\n"
	"    \"denyErrno\": \"EACCES\"\n"
	"  },\n"
	"  \"audit\": {\n"
	"    \"network\": true,\n"
	"    \"exec\": true,\n"
	"    \"process\": true,\n"
	"    \"files\": true\n"
	"  },\n"
	"  \"files\": {\n"
	"    \"comment\": \"system paths read-only, /tmp and the workdir writable, programs run "
	"only "
	"from system paths and the workdir, engine sockets and credentials hidden\",\n"
	"    \"readOnly\": [\"/\"],\n"
	"    \"writable\": [\"/tmp\", \"/var/tmp\", \"/dev\", \"/run/lock\", \"$cwd\"],\n"
	"    \"executable\": [\"/bin\", \"/sbin\", \"/usr\", \"/lib\", \"/lib32\", \"/lib64\", "
	"\"/libx32\", \"/opt\", \"$cwd\"],\n"
	"    \"hidden\": [\"/run/secrets\", \"/var/run/secrets\", \"/run/docker.sock\", "
	"\"/var/run/docker.sock\", \"/run/containerd\", \"/var/run/containerd\", "
	"\"/run/podman\", \"/run/crio\", \"/root/.ssh\", \"/root/.aws\", \"/root/.azure\", "
	"\"/root/.docker\", \"/root/.kube\", \"/root/.config/gcloud\", \"/root/.netrc\", "
	"\"/root/.git-credentials\"],\n"
	"    \"mountReadOnly\": true\n"
	"  },\n"
	"  \"proc\": { \"virtualize\": true },\n"
	"  \"landlock\": \"best-effort\"\n"
	"}\n";

static const char builtin_audit[] = "{\n"
				    "  \"version\": 1,\n"
				    "  \"name\": \"audit\",\n"
				    "  \"description\": \"Observation only: everything is allowed "
				    "and every mediated event is logged.\",\n"
				    "  \"process\": {\n"
				    "    \"deny\": [],\n"
				    "    \"errno\": \"EPERM\",\n"
				    "    \"execAudit\": true\n"
				    "  },\n"
				    "  \"network\": {\n"
				    "    \"families\": { \"default\": \"allow\" },\n"
				    "    \"rawSockets\": \"allow\",\n"
				    "    \"sourceRouting\": \"allow\",\n"
				    "    \"egressDefault\": \"allow\",\n"
				    "    \"bindDefault\": \"allow\",\n"
				    "    \"listenDefault\": \"allow\",\n"
				    "    \"unixDefault\": \"allow\",\n"
				    "    \"denyErrno\": \"EACCES\"\n"
				    "  },\n"
				    "  \"audit\": {\n"
				    "    \"network\": true,\n"
				    "    \"exec\": true,\n"
				    "    \"files\": true\n"
				    "  }\n"
				    "}\n";

static const char builtin_none[] =
	"{\n"
	"  \"version\": 1,\n"
	"  \"name\": \"none\",\n"
	"  \"description\": \"No supervisor and no ward filter: a plain OCI runtime.\",\n"
	"  \"supervise\": false\n"
	"}\n";

static const char *const builtin_names[] = {"default", "agent", "audit", "none", NULL};
static const char *const builtin_texts[] = {builtin_default, builtin_agent, builtin_audit,
					    builtin_none};

const char *const *policy_builtin_names(void)
{
	return builtin_names;
}

const char *policy_builtin_json(const char *name)
{
	for (size_t i = 0; name && builtin_names[i]; i++)
		if (strcmp(builtin_names[i], name) == 0)
			return builtin_texts[i];
	return NULL;
}

static bool looks_like_path(const char *s)
{
	size_t n = strlen(s);
	return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

/* "dir/agent-strict.json" -> "agent-strict" */
static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	if (n > 64)
		n = 64;
	char *r = xcalloc(1, n + 1);
	memcpy(r, base, n);
	return r;
}

int policy_load(const char *name_or_path, struct ward_policy **out, struct werr *e)
{
	*out = NULL;
	if (!name_or_path || !name_or_path[0])
		name_or_path = "default";
	if (!looks_like_path(name_or_path)) {
		const char *json = policy_builtin_json(name_or_path);
		if (!json)
			return werr_set(e, 0,
					"unknown policy \"%s\" (built-in policies: default, agent, "
					"audit, none; a policy file is named by a path with a '/' "
					"or a .json name)",
					name_or_path);
		_cleanup_free_ char *origin = xasprintf("built-in policy %s", name_or_path);
		if (policy_parse(json, strlen(json), origin, out, e) < 0)
			return -1;
		(*out)->source = xstrdup("builtin");
		return 0;
	}
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (read_file_at(AT_FDCWD, name_or_path, WARD_POLICY_MAX_BYTES, &text, &len, e) < 0)
		return werr_wrap(e, "policy %s", name_or_path);
	if (policy_parse(text, len, name_or_path, out, e) < 0)
		return -1;
	(*out)->source = xstrdup(name_or_path);
	if (!(*out)->name)
		(*out)->name = name_from_path(name_or_path);
	return 0;
}
