/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A compiled ward filter on disk: a fixed header (magic, whether it has a listener, the
 * mediated set, the instruction count) and the instructions, in this machine's byte
 * order. Written by the process that compiled it, read back by `ward exec` of the same
 * container (see ward_filter.h).
 */
#include "ward_filter.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../common/util.h"

#define FILTER_MAGIC "WARDBPF1"

struct filter_header {
	char magic[8];
	uint32_t has_listener;
	uint32_t mediated;
	uint32_t len;
	uint32_t reserved;
};

int ward_filter_save(const struct ward_filter *f, int dirfd, const char *name, struct werr *e)
{
	size_t body = (size_t)f->prog.len * sizeof(struct sock_filter);
	struct filter_header h = {
		.has_listener = f->has_listener, .mediated = f->mediated, .len = f->prog.len};
	memcpy(h.magic, FILTER_MAGIC, sizeof(h.magic));
	char *buf = xcalloc(1, sizeof(h) + body + 1);
	memcpy(buf, &h, sizeof(h));
	if (body)
		memcpy(buf + sizeof(h), f->prog.filter, body);
	int r = write_file_atomic_at(dirfd, name, buf, sizeof(h) + body, 0600, e);
	free(buf);
	return r < 0 ? werr_wrap(e, "save the ward filter") : 0;
}

int ward_filter_read(int dirfd, const char *name, struct ward_filter *out, struct werr *e)
{
	memset(out, 0, sizeof(*out));
	char *buf = NULL;
	size_t len = 0;
	struct filter_header h;
	size_t max = sizeof(h) + (size_t)WARD_MAX_INSNS * sizeof(struct sock_filter);
	if (read_file_at(dirfd, name, max, &buf, &len, e) < 0)
		return -1;
	if (len < sizeof(h)) {
		free(buf);
		return werr_set(e, EINVAL, "%s: truncated", name);
	}
	memcpy(&h, buf, sizeof(h));
	size_t body = (size_t)h.len * sizeof(struct sock_filter);
	/* never an empty program: that would be an exec without the ward filter */
	if (memcmp(h.magic, FILTER_MAGIC, sizeof(h.magic)) != 0 || h.len == 0 ||
	    h.len > WARD_MAX_INSNS || len != sizeof(h) + body || h.has_listener > 1) {
		free(buf);
		return werr_set(e, EINVAL, "%s: not a ward filter", name);
	}
	out->prog.filter = xcalloc(h.len, sizeof(struct sock_filter));
	memcpy(out->prog.filter, buf + sizeof(h), body);
	out->prog.len = (unsigned short)h.len;
	out->has_listener = h.has_listener;
	out->mediated = h.mediated;
	free(buf);
	return 0;
}
