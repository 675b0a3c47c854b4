/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The audit log: JSON lines appended to a file, written by a thread that
 * exists only while lines keep coming (it exits after WRITER_LINGER_SEC
 * without any), so a slow disk never holds up an answer to the container. Lines wait in a memory
 * buffer (policy audit.bufferKiB); when it is full, new lines are dropped and counted, and the next
 * write starts with {"event":"audit-dropped","count":N}. Past audit.maxBytes the file is renamed to
 * <path>.1 (replacing the previous one) and a new file is started: at most about 2 x maxBytes on
 * disk. Buffers are freed when the writer goes idle.
 */
#include "sup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/util.h"

#define WRITER_LINGER_SEC 1
/* Lines are written in batches: the writer looks every WRITER_PERIOD_MS (or when the buffer
 * is half full) instead of being woken for each line, which would cost a wake-up per call. */
#define WRITER_PERIOD_MS 100

struct sup_audit {
	pthread_mutex_t lock;
	pthread_cond_t idle;
	char *path, *path1;
	int fd;
	uint64_t size, max;
	size_t cap;
	char *buf; /* lines waiting */
	size_t len;
	char *spare; /* the writer's other buffer, kept while it runs */
	unsigned long long dropped, dropped_total;
	bool writing; /* a writer thread runs */
	bool waiting; /* ... and waits for lines */
	bool closing;
	pthread_cond_t more;
	/* bytes of lines queued and written so far, for sup_audit_flush */
	uint64_t queued, written;
	pthread_cond_t wrote;
};

static int open_log(struct sup_audit *a, struct werr *e)
{
	a->fd = open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (a->fd < 0)
		return werr_sys(e, "open the audit log %s", a->path);
	struct stat st;
	a->size = fstat(a->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

struct sup_audit *sup_audit_open(const char *path, uint64_t max_bytes, size_t buffer,
				 struct werr *e)
{
	struct sup_audit *a = calloc(1, sizeof(*a));
	if (!a) {
		werr_set(e, ENOMEM, "audit");
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->idle, NULL);
	pthread_cond_init(&a->more, NULL);
	pthread_cond_init(&a->wrote, NULL);
	a->path = xstrdup(path);
	a->path1 = xasprintf("%s.1", path);
	a->max = max_bytes;
	a->cap = buffer < 4096 ? 4096 : buffer;
	if (open_log(a, e) < 0) {
		free(a->path);
		free(a->path1);
		free(a);
		return NULL;
	}
	return a;
}

static void rotate(struct sup_audit *a)
{
	struct werr e;
	close(a->fd);
	a->fd = -1;
	if (rename(a->path, a->path1) < 0) {
		/* keep appending to the same file rather than lose lines */
	}
	if (open_log(a, &e) < 0)
		a->fd = -1;
}

/* Writes whole lines, rotating first whenever the next lines would pass maxBytes. */
static void write_out(struct sup_audit *a, const char *data, size_t len)
{
	while (len > 0 && a->fd >= 0) {
		size_t room = a->size < a->max ? (size_t)(a->max - a->size) : 0;
		size_t chunk = len;
		if (chunk > room) {
			/* the lines that still fit; a single longer line goes alone */
			const char *cut = NULL;
			for (const char *p = data; p < data + room; p++)
				if (*p == '\n')
					cut = p;
			if (cut) {
				chunk = (size_t)(cut - data) + 1;
			} else if (a->size > 0) {
				rotate(a);
				continue;
			} else {
				const char *nl = memchr(data, '\n', len);
				chunk = nl ? (size_t)(nl - data) + 1 : len;
			}
		}
		if (write_all(a->fd, data, chunk) < 0)
			return;
		a->size += chunk;
		data += chunk;
		len -= chunk;
	}
}

static void *writer_main(void *arg)
{
	struct sup_audit *a = arg;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		int empty = 0;
		while (!a->closing && a->len < a->cap / 2 &&
		       (empty * WRITER_PERIOD_MS < WRITER_LINGER_SEC * 1000)) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += WRITER_PERIOD_MS * 1000000L;
			if (until.tv_nsec >= 1000000000L) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000L;
			}
			a->waiting = true;
			pthread_cond_timedwait(&a->more, &a->lock, &until);
			a->waiting = false;
			if (a->len > 0 || a->dropped > 0)
				break;
			empty++;
		}
		if (a->len == 0 && a->dropped == 0)
			break;
		char *data = a->buf;
		size_t len = a->len;
		unsigned long long dropped = a->dropped;
		a->buf = a->spare; /* double buffering: lines keep coming while we write */
		a->spare = NULL;
		a->len = 0;
		a->dropped = 0;
		pthread_mutex_unlock(&a->lock);

		if (dropped) {
			char note[128];
			int n = snprintf(note, sizeof(note),
					 "{\"event\":\"audit-dropped\",\"count\":%llu}\n", dropped);
			write_out(a, note, (size_t)n);
		}
		write_out(a, data, len);
		pthread_mutex_lock(&a->lock);
		a->written += len;
		pthread_cond_broadcast(&a->wrote);
		if (!a->spare)
			a->spare = data;
		else
			free(data);
	}
	/* idle: give the buffers back */
	free(a->spare);
	a->spare = NULL;
	if (a->len == 0) {
		free(a->buf);
		a->buf = NULL;
	}
	a->writing = false;
	pthread_cond_broadcast(&a->idle);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

void sup_audit_write(struct sup_audit *a, const char *line, size_t len)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	if (!a->buf && len <= a->cap)
		a->buf = malloc(a->cap);
	if (!a->buf || a->len + len > a->cap) {
		a->dropped++;
		a->dropped_total++;
	} else {
		memcpy(a->buf + a->len, line, len);
		a->len += len;
		a->queued += len;
	}
	if (a->waiting && a->len >= a->cap / 2)
		pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
}

/* Starts the writer when lines wait and none runs. Lock held. */
static void start_writer(struct sup_audit *a)
{
	if (a->writing || (a->len == 0 && a->dropped == 0))
		return;
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	if (pthread_create(&th, &attr, writer_main, a) == 0)
		a->writing = true;
	pthread_attr_destroy(&attr);
}

void sup_audit_kick(struct sup_audit *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	start_writer(a);
	pthread_mutex_unlock(&a->lock);
}

void sup_audit_flush(struct sup_audit *a, int timeout_ms)
{
	if (!a)
		return;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&a->lock);
	uint64_t target = a->queued;
	start_writer(a);
	while (a->written < target && a->writing) {
		if (a->waiting)
			pthread_cond_signal(&a->more); /* now, not at the next period */
		if (pthread_cond_timedwait(&a->wrote, &a->lock, &until) != 0)
			break;
	}
	pthread_mutex_unlock(&a->lock);
}

unsigned long long sup_audit_dropped(struct sup_audit *a)
{
	pthread_mutex_lock(&a->lock);
	unsigned long long n = a->dropped_total;
	pthread_mutex_unlock(&a->lock);
	return n;
}

void sup_audit_close(struct sup_audit *a)
{
	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	if (a->waiting)
		pthread_cond_signal(&a->more);
	a->closing = true;
	while (a->writing)
		pthread_cond_wait(&a->idle, &a->lock);
	char *data = a->buf;
	size_t len = a->len;
	unsigned long long dropped = a->dropped;
	a->buf = NULL;
	pthread_mutex_unlock(&a->lock);
	if (dropped) {
		char note[128];
		int n = snprintf(note, sizeof(note),
				 "{\"event\":\"audit-dropped\",\"count\":%llu}\n", dropped);
		write_out(a, note, (size_t)n);
	}
	if (data)
		write_out(a, data, len);
	free(data);
	if (a->fd >= 0)
		close(a->fd);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->idle);
	pthread_cond_destroy(&a->more);
	free(a->path);
	free(a->path1);
	free(a);
}
