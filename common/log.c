/* SPDX-License-Identifier: Apache-2.0 */
#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonw.h"

static int log_fd = STDERR_FILENO;
static enum log_format log_fmt = WLOG_TEXT;
static bool log_dbg;

static const char *const level_names[] = {"debug", "info", "warning", "error"};

int log_open(const char *path, enum log_format fmt, bool debug, struct werr *e)
{
	log_fmt = fmt;
	log_dbg = debug;
	if (path && *path && strcmp(path, "/dev/stderr") != 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return werr_sys(e, "open log file %s", path);
		log_fd = fd;
	}
	return 0;
}

void log_close(void)
{
	if (log_fd != STDERR_FILENO) {
		close(log_fd);
		log_fd = STDERR_FILENO;
	}
}

bool log_debug_enabled(void)
{
	return log_dbg;
}

static void rfc3339(char *buf, size_t len, long long epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int log_format_line(char *buf, size_t len, enum log_format fmt, enum log_level lvl, const char *msg,
		    long long epoch_sec)
{
	char ts[40];
	struct jsonw w;

	rfc3339(ts, sizeof(ts), epoch_sec);
	if (fmt == WLOG_JSON) {
		jsonw_init_buf(&w, buf, len);
		jsonw_obj_open(&w);
		jsonw_key_str(&w, "level", level_names[lvl]);
		jsonw_key_str(&w, "msg", msg);
		jsonw_key_str(&w, "time", ts);
		jsonw_obj_close(&w);
		return jsonw_finish_line(&w);
	}
	/* logrus' text form: quoted values with Go-style escapes */
	jsonw_init_buf(&w, buf, len);
	jsonw_raw(&w, "time=\"");
	jsonw_raw(&w, ts);
	jsonw_raw(&w, "\" level=");
	jsonw_raw(&w, level_names[lvl]);
	jsonw_raw(&w, " msg=");
	jsonw_str(&w, msg);
	return jsonw_finish_line(&w);
}

static void log_write(enum log_level lvl, const char *msg)
{
	char line[WERR_MSG_MAX * 2 + 128];
	int n = log_format_line(line, sizeof(line), log_fmt, lvl, msg, (long long)time(NULL));
	if (n > 0 && write(log_fd, line, (size_t)n) < 0) {
		/* nowhere left to report a failing log */
	}
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[WERR_MSG_MAX];
	va_list ap;

	if (lvl == WLOG_DEBUG && !log_dbg)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_write(lvl, msg);
}

void log_fatal(const struct werr *e)
{
	log_write(WLOG_ERROR, e->msg);
	if (log_fd != STDERR_FILENO)
		dprintf(STDERR_FILENO, "%s\n", e->msg);
}
