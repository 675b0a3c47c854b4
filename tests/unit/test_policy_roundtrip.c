/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ward create` saves the container's policy with policy_to_json() and `ward exec` parses it
 * back: every built-in and every contrib policy must survive the trip unchanged.
 */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/util.h"
#include "../../runtime/policy.h"
#include "tap.h"

static void roundtrip(const char *what, const struct ward_policy *p)
{
	struct werr e;
	char *json = policy_to_json(p);
	TAP_OK(json != NULL, "%s: serialised", what);
	if (!json)
		return;
	struct ward_policy *back = NULL;
	int r = policy_parse(json, strlen(json), "policy.json", &back, &e);
	TAP_OK(r == 0, "%s: parses back%s%s", what, r ? ": " : "", r ? e.msg : "");
	if (r == 0) {
		char *again = policy_to_json(back);
		TAP_STREQ(again, json, "%s: same document after the round trip", what);
		free(again);
		policy_free(back);
	}
	free(json);
}

int main(void)
{
	struct werr e;
	for (const char *const *n = policy_builtin_names(); *n; n++) {
		struct ward_policy *p = NULL;
		TAP_OK(policy_load(*n, &p, &e) == 0, "built-in %s loads", *n);
		if (p) {
			roundtrip(*n, p);
			policy_free(p);
		}
	}
	glob_t g;
	if (glob("contrib/policies/*.json", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct ward_policy *p = NULL;
			TAP_OK(policy_load(g.gl_pathv[i], &p, &e) == 0, "%s loads", g.gl_pathv[i]);
			if (p) {
				roundtrip(g.gl_pathv[i], p);
				policy_free(p);
			}
		}
		globfree(&g);
	}
	return tap_done();
}
