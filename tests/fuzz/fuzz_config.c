/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the config.json parser (`make fuzz`). Every input must
 * either be refused with a message of the form "<origin>: <path>: why", or
 * parse, and then write, parse again and compare equal. The same bytes are fed
 * to the process and state parsers. Any violation aborts, which libFuzzer
 * reports as a crash; AddressSanitizer and LeakSanitizer watch the rest.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci-spec/oci_config.h"
#include "../../oci-spec/oci_state.h"
#include "../unit/oci_test_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz_config: %s: %s\n", what, msg);
	abort();
}

static void config(const char *json, size_t len, bool pretty)
{
	struct werr e;
	struct oci_config *c = NULL, *again = NULL;
	if (oci_config_parse(json, len, "config.json", &c, &e) < 0) {
		if (c)
			fail("config: *out set on failure", e.msg);
		if (!error_names_path(e.msg, "config.json"))
			fail("config: message without a JSON path", e.msg);
		return;
	}
	char *out = oci_config_write(c, pretty);
	if (!out)
		fail("config", "cannot write a parsed config");
	if (oci_config_parse(out, strlen(out), "rewritten", &again, &e) < 0)
		fail("config: written config does not parse", e.msg);
	if (!oci_config_equal(c, again))
		fail("config", "parse(write(c)) != c");
	oci_config_free(again);
	oci_config_free(c);
	free(out);
}

static void process(const char *json, size_t len)
{
	struct werr e;
	struct oci_process *p = NULL, *again = NULL;
	if (oci_process_parse(json, len, "process.json", &p, &e) < 0) {
		if (p || !error_names_path(e.msg, "process.json"))
			fail("process: bad failure", e.msg);
		return;
	}
	char *out = oci_process_write(p, false);
	if (!out || oci_process_parse(out, strlen(out), "rewritten", &again, &e) < 0 ||
	    !oci_process_equal(p, again))
		fail("process", "round trip differs");
	oci_process_free(again);
	oci_process_free(p);
	free(out);
}

static void state(const char *json, size_t len)
{
	struct werr e;
	struct oci_state_owned s;
	if (oci_state_parse(json, len, &s, &e) < 0) {
		if (!error_names_path(e.msg, "state.json"))
			fail("state: message without a JSON path", e.msg);
		return;
	}
	struct oci_state w = {s.oci_version, s.id,          s.status,       s.pid,
			      s.bundle,      s.annotations, s.n_annotations};
	char *out = oci_state_write(&w, false);
	if (!out)
		fail("state", "cannot write");
	free(out);
	oci_state_owned_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	config(json, size, size & 1);
	process(json, size);
	state(json, size);
	return 0;
}
