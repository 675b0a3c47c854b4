/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ward's own mount-table and option-string parsing (runtime/mountinfo.c,
 * runtime/optstr.c): the kernel's escapes, optional fields, quoting, malformed input,
 * and the live /proc/self/mountinfo against statx's mount ids.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../common/util.h"
#include "../../runtime/mountinfo.h"
#include "../../runtime/optstr.h"
#include "tap.h"

static void test_parse_lines(void)
{
	struct werr e;
	struct mountinfo mi;
	char *text = xstrdup(
		"36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n"
		"40 36 0:21 / /with\\040space\\134back rw shared:7 unbindable - tmpfs my\\011src "
		"rw,size=64k\n"
		"41 36 0:22 / /plain rw - proc proc rw\n");
	TAP_OK(mountinfo_parse(text, &mi, &e) == 0, "three lines parse");
	TAP_OK(mi.n == 3, "three entries");
	TAP_OK(mi.e[0].id == 36 && mi.e[0].parent == 35, "ids");
	TAP_OK(mi.e[0].dev_major == 98 && mi.e[0].dev_minor == 0, "device numbers");
	TAP_STREQ(mi.e[0].root, "/mnt1", "root");
	TAP_STREQ(mi.e[0].target, "/mnt2", "target");
	TAP_STREQ(mi.e[0].vfs_opts, "rw,noatime", "per-mount options");
	TAP_STREQ(mi.e[0].fstype, "ext3", "type after one optional field");
	TAP_STREQ(mi.e[0].fs_opts, "rw,errors=continue", "superblock options");
	TAP_STREQ(mi.e[1].target, "/with space\\back", "\\040 and \\134 unescaped");
	TAP_STREQ(mi.e[1].source, "my\tsrc", "source unescaped");
	TAP_STREQ(mi.e[1].fstype, "tmpfs", "type after two optional fields");
	TAP_STREQ(mi.e[2].fstype, "proc", "no optional field");
	mountinfo_free(&mi);
}

static void test_parse_malformed(void)
{
	static const char *bad[] = {
		"36 35 98:0 /a /b rw master:1 ext3 /dev/root rw\n", /* no separator */
		"36 35 98:0 /a\n",                                  /* truncated */
		"x 35 98:0 /a /b rw - ext3 /dev/root rw\n",         /* id not a number */
		"36 35 98:0 /a /b rw -\n",                          /* nothing after "-" */
		"36 35 98 /a /b rw - ext3 /dev/root rw\n",          /* no minor number */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct werr e;
		struct mountinfo mi;
		int r = mountinfo_parse(xstrdup(bad[i]), &mi, &e);
		TAP_OK(r < 0 && strstr(e.msg, "line 1"), "malformed line %zu refused with its line",
		       i);
	}
}

/* Every mount id of the live table is unique, and the root's statx id is among them. */
static void test_live_table(void)
{
	struct werr e;
	struct mountinfo mi;
	TAP_OK(mountinfo_read("/proc/self/mountinfo", &mi, &e) == 0, "the live table parses");
	struct statx stx;
	bool found = false;
	if (statx(AT_FDCWD, "/", 0, STATX_MNT_ID, &stx) == 0)
		for (size_t i = 0; i < mi.n; i++)
			found = found || (unsigned)mi.e[i].id == stx.stx_mnt_id;
	TAP_OK(found, "the mount of / is in it");
	mountinfo_free(&mi);
}

static void test_optstr(void)
{
	const char *p = "rw,mode=755,context=\"a,b\",x", *n, *v;
	size_t nl, vl;
	TAP_OK(optstr_next(&p, &n, &nl, &v, &vl) == 0 && nl == 2 && !v, "flag option");
	TAP_OK(optstr_next(&p, &n, &nl, &v, &vl) == 0 && nl == 4 && v && vl == 3 &&
		       strncmp(v, "755", 3) == 0,
	       "value option");
	TAP_OK(optstr_next(&p, &n, &nl, &v, &vl) == 0 && nl == 7 && vl == 5 &&
		       strncmp(v, "\"a,b\"", 5) == 0,
	       "a quoted comma stays in the value");
	TAP_OK(optstr_next(&p, &n, &nl, &v, &vl) == 0 && nl == 1, "last option");
	TAP_OK(optstr_next(&p, &n, &nl, &v, &vl) == 1, "end");

	const char *bad[] = {"a,,b", ",a", "ctx=\"open", "a=\"b,c"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *q = bad[i];
		int r;
		while ((r = optstr_next(&q, &n, &nl, &v, &vl)) == 0) {
		}
		TAP_OK(r < 0, "malformed \"%s\" refused", bad[i]);
	}
	const char *q = "a,";
	TAP_OK(optstr_next(&q, &n, &nl, &v, &vl) == 0 && optstr_next(&q, &n, &nl, &v, &vl) == 1,
	       "a trailing comma ends the list");

	const char *val = NULL;
	size_t len = 0;
	TAP_OK(optstr_has("rw,cpu,name=systemd", "cpu", NULL, NULL), "has a flag");
	TAP_OK(optstr_has("rw,cpu,name=systemd", "name", &val, &len) && len == 7 &&
		       strncmp(val, "systemd", 7) == 0,
	       "has a value");
	TAP_OK(!optstr_has("rw,cpuacct", "cpu", NULL, NULL), "a prefix is not the option");
	TAP_OK(!optstr_has("", "cpu", NULL, NULL), "empty string");
}

int main(void)
{
	test_parse_lines();
	test_parse_malformed();
	test_live_table();
	test_optstr();
	return tap_done();
}
