/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `ward spec [--bundle DIR] [--rootless]`: writes a starter config.json, the
 * one `runc spec` writes (as current runc does: no ambient capabilities, a
 * cgroup namespace on pure cgroup2 hosts), declared as runtime-spec 1.2.0.
 * It runs a busybox rootfs at ./rootfs once args and terminal suit the caller.
 */
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/util.h"
#include "../oci-spec/oci_config.h"
#include "cli.h"

static const char *opt_bundle;
static bool opt_rootless;

static const struct cli_opt spec_opts[] = {
	{"bundle", 'b', OPT_STRING, &opt_bundle, NULL, "path to the root of the bundle directory"},
	{"rootless", 0, OPT_BOOL, &opt_rootless, NULL,
	 "generate a configuration for a rootless container"},
	{NULL, 0, 0, NULL, NULL, NULL},
};

/* A heap copy of a NULL-terminated list of literals. */
static char **strv_dup(const char *const *src, size_t *n)
{
	size_t k = 0;
	while (src[k])
		k++;
	char **v = xcalloc(k, sizeof(*v));
	for (size_t i = 0; i < k; i++)
		v[i] = xstrdup(src[i]);
	*n = k;
	return v;
}

#define STRV(...) ((const char *const[]){__VA_ARGS__, NULL})

struct mount_default {
	const char *destination, *type, *source;
	const char *const *options;
};

static const struct mount_default default_mounts[] = {
	{"/proc", "proc", "proc", NULL},
	{"/dev", "tmpfs", "tmpfs", STRV("nosuid", "strictatime", "mode=755", "size=65536k")},
	{"/dev/pts", "devpts", "devpts",
	 STRV("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")},
	{"/dev/shm", "tmpfs", "shm", STRV("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")},
	{"/dev/mqueue", "mqueue", "mqueue", STRV("nosuid", "noexec", "nodev")},
	{"/sys", "sysfs", "sysfs", STRV("nosuid", "noexec", "nodev", "ro")},
	{"/sys/fs/cgroup", "cgroup", "cgroup", STRV("nosuid", "noexec", "nodev", "relatime", "ro")},
};

/* A rootless container cannot mount sysfs without its own network namespace: bind it. */
static const struct mount_default rootless_sys = {"/sys", "none", "/sys",
						  STRV("rbind", "nosuid", "noexec", "nodev", "ro")};

static void fill_mount(struct oci_mount *m, const struct mount_default *d, bool rootless)
{
	m->destination = xstrdup(d->destination);
	m->type = xstrdup(d->type);
	m->source = xstrdup(d->source);
	if (!d->options)
		return;
	m->options = strv_dup(d->options, &m->n_options);
	if (!rootless)
		return;
	/* without a mapping for them, uid= and gid= options cannot be honoured */
	size_t k = 0;
	for (size_t i = 0; i < m->n_options; i++) {
		if (str_has_prefix(m->options[i], "uid=") || str_has_prefix(m->options[i], "gid="))
			free(m->options[i]);
		else
			m->options[k++] = m->options[i];
	}
	m->n_options = k;
}

static bool cgroup2_unified(void)
{
	struct statfs st;
	return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

static void add_namespace(struct oci_linux *l, enum oci_ns_type t)
{
	l->namespaces[l->n_namespaces++].type = t;
}

/* The starter config; rootless as `runc spec --rootless` makes it. */
static struct oci_config *spec_config(bool rootless)
{
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	struct oci_config *c = xcalloc(1, sizeof(*c));

	c->oci_version = xstrdup(OCI_SPEC_VERSION);
	c->has_root = true;
	c->root.path = xstrdup("rootfs");
	c->root.readonly = true;
	c->hostname = xstrdup("runc");

	struct oci_process *p = &c->process;
	c->has_process = true;
	p->terminal = true;
	p->args = strv_dup(STRV("sh"), &p->n_args);
	p->env = strv_dup(STRV("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			       "TERM=xterm"),
			  &p->n_env);
	p->cwd = xstrdup("/");
	p->no_new_privileges = true;
	p->capabilities.present = true;
	p->capabilities.bounding = strv_dup(caps, &p->capabilities.n_bounding);
	p->capabilities.effective = strv_dup(caps, &p->capabilities.n_effective);
	p->capabilities.permitted = strv_dup(caps, &p->capabilities.n_permitted);
	p->rlimits = xcalloc(1, sizeof(*p->rlimits));
	p->n_rlimits = 1;
	p->rlimits[0].type = xstrdup("RLIMIT_NOFILE");
	p->rlimits[0].hard = 1024;
	p->rlimits[0].soft = 1024;

	c->n_mounts = ARRAY_SIZE(default_mounts);
	c->mounts = xcalloc(c->n_mounts, sizeof(*c->mounts));
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount_default *d = &default_mounts[i];
		if (rootless && strcmp(d->destination, "/sys") == 0)
			d = &rootless_sys;
		fill_mount(&c->mounts[i], d, rootless);
	}

	struct oci_linux *l = &c->linux_;
	l->present = true;
	l->masked_paths =
		strv_dup(STRV("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
			      "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
			      "/proc/sched_debug", "/sys/firmware", "/proc/scsi"),
			 &l->n_masked_paths);
	l->readonly_paths = strv_dup(
		STRV("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"),
		&l->n_readonly_paths);
	l->namespaces = xcalloc(OCI_NS_COUNT, sizeof(*l->namespaces));
	add_namespace(l, OCI_NS_PID);
	if (!rootless)
		add_namespace(l, OCI_NS_NETWORK);
	add_namespace(l, OCI_NS_IPC);
	add_namespace(l, OCI_NS_UTS);
	add_namespace(l, OCI_NS_MOUNT);
	if (cgroup2_unified())
		add_namespace(l, OCI_NS_CGROUP);

	if (rootless) {
		add_namespace(l, OCI_NS_USER);
		l->uid_mappings = xcalloc(1, sizeof(*l->uid_mappings));
		l->n_uid_mappings = 1;
		l->uid_mappings[0] = (struct oci_id_mapping){0, (uint32_t)geteuid(), 1};
		l->gid_mappings = xcalloc(1, sizeof(*l->gid_mappings));
		l->n_gid_mappings = 1;
		l->gid_mappings[0] = (struct oci_id_mapping){0, (uint32_t)getegid(), 1};
	} else {
		/* deny every device; the runtime adds the default ones back */
		l->resources.present = true;
		l->resources.devices = xcalloc(1, sizeof(*l->resources.devices));
		l->resources.n_devices = 1;
		l->resources.devices[0].allow = false;
		l->resources.devices[0].access = xstrdup("rwm");
	}
	return c;
}

/* Creates dir/config.json, refusing to replace one that exists (like runc). */
static int write_spec(const char *dir, const char *json, struct werr *e)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return werr_sys(e, "bundle %s", dir);
	_cleanup_close_ int fd = openat(dfd, "config.json",
					O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return werr_set(e, 0, "File config.json exists. Remove it first");
	if (fd < 0)
		return werr_sys(e, "create %s/config.json", dir);
	if (write_all(fd, json, strlen(json)) < 0 || close(take_fd(&fd)) < 0) {
		werr_sys(e, "write %s/config.json", dir);
		unlinkat(dfd, "config.json", 0);
		return -1;
	}
	return 0;
}

static int run_spec(struct cli_ctx *ctx, int argc, char **argv, struct werr *e)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	struct oci_config *c = spec_config(opt_rootless);
	char *json = oci_config_write(c, true);
	oci_config_free(c);
	if (!json)
		return werr_set(e, ENOMEM, "cannot write the default config");
	int r = write_spec(opt_bundle && *opt_bundle ? opt_bundle : ".", json, e);
	free(json);
	return r < 0 ? -1 : 0;
}

const struct cli_command cmd_spec = {
	.name = "spec",
	.summary = "create a new specification file",
	.usage = NULL,
	.description =
		"The spec command writes a starter config.json into the bundle directory (the\n"
		"   current directory unless --bundle is given). It runs \"sh\" in the rootfs\n"
		"   directory of the bundle with a terminal; edit \"args\" and \"terminal\" to "
		"suit.\n"
		"   An existing config.json is never replaced.\n\n"
		"   With --rootless the configuration suits an unprivileged user: a user "
		"namespace\n"
		"   mapping the caller to root, no network namespace, /sys bind-mounted and no\n"
		"   cgroup device rules.",
	.opts = spec_opts,
	.min_args = 0,
	.max_args = 0,
	.run = run_spec,
};
