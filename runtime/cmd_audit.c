/* SPDX-License-Identifier: Apache-2.0 */
/* `ward audit`: the supervisor's audit log of a container, oldest first (rotated part first). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "cli.h"
#include "container.h"
#include "supervisor_client.h"

/* Copies a file to stdout; a missing file is simply empty. */
static int cat_at(int dirfd, const char *name, struct werr *e)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : werr_sys(e, "open %s", name);
	char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
			return werr_sys(e, "write");
	return n < 0 ? werr_sys(e, "read %s", name) : 0;
}

static int run_audit(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)argc;
	struct container *c = NULL;
	if (container_open(ctx->root, argv[0], false, &c, e) < 0)
		return -1;
	/* the supervisor writes its lines in batches: the ones it still holds first */
	_cleanup_free_ char *dir = xasprintf("%s/%s", c->root, c->id);
	struct werr fe;
	if (supervisor_flush_audit(dir, &fe) < 0)
		log_debug("audit: %s", fe.msg);
	int r = cat_at(c->dir_fd, "audit.jsonl.1", e);
	if (r == 0)
		r = cat_at(c->dir_fd, "audit.jsonl", e);
	container_free(c);
	return r;
}

const struct cli_command cmd_audit = {
	.name = "audit",
	.summary = "print the supervisor's audit log of a container (JSON lines)",
	.usage = "<container-id>",
	.description = "The audit command prints every event the container's supervisor mediated, "
		       "one JSON object a line: time, container, pid, comm, syscall, arguments, "
		       "decision, errno and latency.",
	.min_args = 1,
	.max_args = 1,
	.run = run_audit,
};
