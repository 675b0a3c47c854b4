/* SPDX-License-Identifier: Apache-2.0 */
#include "sync.h"

#include <string.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

static const char *sync_name(uint32_t t)
{
	switch (t) {
	case SYNC_PID:
		return "pid";
	case SYNC_GO:
		return "go";
	case SYNC_HOOKS:
		return "hooks";
	case SYNC_HOOKS_DONE:
		return "hooks-done";
	case SYNC_READY:
		return "ready";
	case SYNC_ERROR:
		return "error";
	}
	return "unknown";
}

static int send_msg(int fd, const struct sync_msg *m)
{
	size_t len = offsetof(struct sync_msg, text) + strlen(m->text) + 1;
	ssize_t n;
	do
		n = send(fd, m, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

int sync_send(int fd, enum sync_type type, int32_t value, struct werr *e)
{
	struct sync_msg m = {.type = type, .value = value};
	if (send_msg(fd, &m) < 0)
		return werr_sys(e, "sync: send %s", sync_name(type));
	return 0;
}

int sync_send_error(int fd, const struct werr *err)
{
	struct sync_msg m = {.type = SYNC_ERROR, .value = err->errnum};
	snprintf(m.text, sizeof(m.text), "%s", err->msg);
	return send_msg(fd, &m);
}

int sync_expect(int fd, enum sync_type type, int32_t *value, struct werr *e)
{
	struct sync_msg m;
	ssize_t n;
	do
		n = recv(fd, &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return werr_sys(e, "sync: waiting for %s", sync_name(type));
	if (n == 0)
		return werr_set(e, 0, "container init exited before %s", sync_name(type));
	if (n < (ssize_t)offsetof(struct sync_msg, text) + 1)
		return werr_code(e, EPROTO, "sync: short message while waiting for %s",
				 sync_name(type));
	m.text[sizeof(m.text) - 1] = '\0';
	if (m.type == SYNC_ERROR) {
		/* the child's message is already complete; keep its errno for callers */
		snprintf(e->msg, sizeof(e->msg), "%s", m.text);
		e->errnum = m.value;
		return -1;
	}
	if (m.type != (uint32_t)type)
		return werr_code(e, EPROTO, "sync: expected %s, got %s", sync_name(type),
				 sync_name(m.type));
	if (value)
		*value = m.value;
	return 0;
}
