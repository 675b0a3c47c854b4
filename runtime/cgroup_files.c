/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading and writing cgroupfs knobs. A knob must be written in a single write(2)
 * (the kernel parses each write on its own), never created (O_CREAT on cgroupfs
 * fails with a confusing EPERM/EACCES), and the error names the file and value.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "cgroup_internal.h"

/* cgroupfs files are small; memory.stat and friends stay well under this */
#define CG_FILE_MAX (1u << 20)

int cg_write(const char *dir, const char *file, const char *value, struct werr *e)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return werr_sys(e, "open %s", path);
	size_t len = strlen(value);
	ssize_t n;
	do {
		n = write(fd, value, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return werr_sys(e, "write \"%s\" to %s", value, path);
	if ((size_t)n != len)
		return werr_set(e, EIO, "short write of \"%s\" to %s", value, path);
	return 0;
}

int cg_writef(const char *dir, const char *file, struct werr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v;
	int r = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (r < 0)
		return werr_set(e, ENOMEM, "format value for %s", file);
	r = cg_write(dir, file, v, e);
	free(v);
	return r;
}

int cg_read(const char *dir, const char *file, char **out, struct werr *e)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	return read_file_at(AT_FDCWD, path, CG_FILE_MAX, out, NULL, e);
}

char *cg_trim(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

int cg_parse_u64(const char *s, uint64_t *out)
{
	if (strncmp(s, "max", 3) == 0 && (s[3] == '\0' || s[3] == '\n')) {
		*out = UINT64_MAX;
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || (*end && *end != '\n') || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int cg_text_key_u64(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, klen) == 0 && l[klen] == ' ')
			return cg_parse_u64(l + klen + 1, out) < 0 ? -1 : 0;
	errno = ENOENT;
	return -1;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *out, struct werr *e)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(dir, file, &s, e) < 0)
		return -1;
	if (cg_parse_u64(cg_trim(s), out) < 0)
		return werr_set(e, EINVAL, "%s/%s: not a number: \"%s\"", dir, file, s);
	return 0;
}

int cg_read_key_u64(const char *dir, const char *file, const char *key, uint64_t *out,
		    struct werr *e)
{
	_cleanup_free_ char *s = NULL;
	if (cg_read(dir, file, &s, e) < 0)
		return -1;
	if (cg_text_key_u64(s, key, out) == 0)
		return 0;
	if (errno == ENOENT)
		return werr_set(e, ENOENT, "%s/%s: no \"%s\" entry", dir, file, key);
	return werr_set(e, EINVAL, "%s/%s: bad value for %s", dir, file, key);
}

bool cg_exists(const char *dir, const char *file)
{
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, file);
	return access(path, F_OK) == 0;
}
