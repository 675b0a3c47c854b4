/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Pure logic of the rootfs code, no privileges needed: mount option parsing (libmount
 * names, propagation, recursive attributes, data), bind attribute computation, sysctl
 * rules, and rootfs_validate's refusals with the JSON path in the message.
 */
#include <string.h>
#include <sys/mount.h>

#include "../../runtime/mount_opts.h"
#include "../../runtime/rootfs_internal.h"
#include "tap.h"
#include "test_rootfs_harness.h"

static void parse(const char *opts, struct mount_opts *o, int *rc)
{
	char buf[512];
	char *v[32];
	size_t n = 0;
	snprintf(buf, sizeof(buf), "%s", opts);
	char *save = NULL;
	for (char *t = strtok_r(buf, " ", &save); t && n < 32; t = strtok_r(NULL, " ", &save))
		v[n++] = t;
	struct werr e;
	*rc = mount_opts_parse(v, n, o, &e);
}

static void check_opts(void)
{
	struct mount_opts o;
	int rc;

	parse("ro nosuid nodev noexec relatime", &o, &rc);
	TAP_OK(rc == 0 && o.flags == (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME) &&
		       !o.bind && !o.data,
	       "flags from libmount names");
	mount_opts_release(&o);

	parse("ro rw suid", &o, &rc);
	TAP_OK(rc == 0 && !(o.flags & MS_RDONLY) && (o.cleared & MS_RDONLY) &&
		       (o.cleared & MS_NOSUID),
	       "rw and suid clear flags");
	mount_opts_release(&o);

	parse("rbind rprivate shared", &o, &rc);
	TAP_OK(rc == 0 && o.bind && o.recursive && o.n_propagation == 2 &&
		       o.propagation[0] == (MS_PRIVATE | MS_REC) && o.propagation[1] == MS_SHARED,
	       "rbind and propagation in order");
	mount_opts_release(&o);

	parse("bind", &o, &rc);
	TAP_OK(rc == 0 && o.bind && !o.recursive, "bind is not recursive");
	mount_opts_release(&o);

	parse("rro rnosuid rrw rnoatime", &o, &rc);
	TAP_OK(rc == 0 && o.rec_set == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME) &&
		       o.rec_clr == (MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME),
	       "recursive attributes (last wins)");
	mount_opts_release(&o);

	parse("mode=755 size=64k nr_inodes=10 defaults nofail x-systemd.foo", &o, &rc);
	TAP_STREQ(o.data, "mode=755,size=64k,nr_inodes=10", "data keeps fs options only");
	mount_opts_release(&o);

	parse("context=\"system_u:object_r:a,b\"", &o, &rc);
	TAP_STREQ(o.data, "context=\"system_u:object_r:a,b\"", "quoted value with a comma");
	mount_opts_release(&o);

	parse("idmap ridmap tmpcopyup", &o, &rc);
	TAP_OK(rc == 0 && o.idmap && o.ridmap && o.tmpcopyup && !o.data,
	       "idmap, ridmap, tmpcopyup");
	mount_opts_release(&o);

	parse("noatime strictatime", &o, &rc);
	TAP_OK(rc == 0 && (o.flags & MOUNT_MS_ATIME) == MS_STRICTATIME, "last atime mode wins");
	mount_opts_release(&o);

	char *empty[] = {(char *)""};
	struct werr e;
	TAP_OK(mount_opts_parse(empty, 1, &o, &e) < 0 && strstr(e.msg, "options[0]"),
	       "empty option refused: %s", e.msg);

	TAP_OK(mount_propagation_from_name("rslave") == (MS_SLAVE | MS_REC) &&
		       mount_propagation_from_name("unbindable") == MS_UNBINDABLE &&
		       mount_propagation_from_name("bogus") == 0,
	       "propagation names");
	TAP_OK(mount_ms_to_attr(MS_RDONLY | MS_NOEXEC | MS_STRICTATIME) ==
		       (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_STRICTATIME),
	       "MS_* to MOUNT_ATTR_*");
}

/* `ward features` advertises these: each is one ward itself acts on, none is passed on to the
 * filesystem as data */
extern const char *const mount_option_names[];

static void check_features_options(void)
{
	size_t n = 0, acted_on = 0;
	for (; mount_option_names[n]; n++) {
		char *one[] = {(char *)mount_option_names[n]};
		struct mount_opts o;
		struct werr e;
		if (mount_opts_parse(one, 1, &o, &e) == 0 && !o.data)
			acted_on++;
		else
			printf("# %s is advertised but not acted on\n", mount_option_names[n]);
		mount_opts_release(&o);
	}
	TAP_OK(n > 0 && acted_on == n, "all %zu advertised mount options are ward's own", n);
}

static void check_bind_attrs(void)
{
	struct mount_opts o;
	struct mount_bind_attrs a;
	int rc;

	parse("rbind ro", &o, &rc);
	rootfs_bind_attrs(&o, &a);
	TAP_OK(a.recursive && a.set == MOUNT_ATTR_RDONLY &&
		       a.clr == (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
				 MOUNT_ATTR_NOSYMFOLLOW) &&
		       a.clr_retry == 0 && !(a.clr & MOUNT_ATTR__ATIME),
	       "bind -o ro: exactly ro, atime kept, locked flags may stay");
	mount_opts_release(&o);

	parse("bind suid relatime", &o, &rc);
	rootfs_bind_attrs(&o, &a);
	TAP_OK((a.clr_retry & MOUNT_ATTR_NOSUID) && (a.clr & MOUNT_ATTR__ATIME) &&
		       (a.set & MOUNT_ATTR__ATIME) == MOUNT_ATTR_RELATIME,
	       "explicit suid must be cleared even when locked; atime set");
	mount_opts_release(&o);

	parse("rbind", &o, &rc);
	rootfs_bind_attrs(&o, &a);
	TAP_OK(a.set == 0 && a.clr == 0, "bind without flags keeps the source's");
	mount_opts_release(&o);
}

static int validate(struct cfgb *b, char *msg, size_t len)
{
	struct werr e;
	int rc = rootfs_validate(&b->c, &e);
	snprintf(msg, len, "%s", rc < 0 ? e.msg : "");
	return rc;
}

static struct cfgb *good(void)
{
	struct cfgb *b = cfgb_new();
	cfg_std_ns(b);
	cfg_mount(b, "/proc", "proc", "proc", "nosuid");
	cfg_mount(b, "/data", "bind", "/tmp", "rbind,ro");
	return b;
}

#define REFUSED(setup, part, name)                                                                 \
	do {                                                                                       \
		struct cfgb *b = good();                                                           \
		setup;                                                                             \
		char msg[WERR_MSG_MAX];                                                            \
		int rc = validate(b, msg, sizeof(msg));                                            \
		TAP_OK(rc < 0 && strstr(msg, part), "%s refused: %s", name, msg);                  \
		free(b);                                                                           \
	} while (0)

#define ACCEPTED(setup, name)                                                                      \
	do {                                                                                       \
		struct cfgb *b = good();                                                           \
		setup;                                                                             \
		char msg[WERR_MSG_MAX];                                                            \
		int rc = validate(b, msg, sizeof(msg));                                            \
		TAP_OK(rc == 0, "%s accepted%s%s", name, rc ? ": " : "", msg);                     \
		free(b);                                                                           \
	} while (0)

static void drop_ns(struct cfgb *b, enum oci_ns_type t)
{
	size_t k = 0;
	for (size_t i = 0; i < b->c.linux_.n_namespaces; i++)
		if (b->ns[i].type != t)
			b->ns[k++] = b->ns[i];
	b->c.linux_.n_namespaces = k;
}

static void check_validate(void)
{
	ACCEPTED((void)0, "a usual config");
	REFUSED(b->c.root.path = NULL, "root.path", "missing root.path");
	/* the host's mount namespace is inherited (the rootfs is then a detached copy) */
	ACCEPTED(drop_ns(b, OCI_NS_MOUNT), "no mount namespace");
	REFUSED(b->c.linux_.rootfs_propagation = (char *)"rshard", "linux.rootfsPropagation",
		"unknown rootfsPropagation");
	ACCEPTED(b->c.linux_.rootfs_propagation = (char *)"rshared", "rshared rootfsPropagation");
	REFUSED(cfg_mount(b, "", "tmpfs", "tmpfs", ""), "mounts[2].destination",
		"empty destination");
	REFUSED(cfg_mount(b, "/a/..", "tmpfs", "tmpfs", ""), "mounts[2].destination",
		"destination /");
	ACCEPTED(cfg_mount(b, "relative/dir", "tmpfs", "tmpfs", ""), "relative destination");
	REFUSED(cfg_mount(b, "/x", NULL, "src", "nosuid"), "mounts[2].type", "no type, no bind");
	REFUSED(cfg_mount(b, "/x", "bind", NULL, "rbind"), "mounts[2].source",
		"bind without source");
	REFUSED(cfg_mount(b, "/x", "bind", "/tmp", "bind,idmap"), "idmap needs",
		"idmap option without mappings");
	REFUSED(cfg_idmap(b, cfg_mount(b, "/x", "tmpfs", "tmpfs", ""), 0, 1000, 1),
		"only bind mounts", "mappings on a tmpfs");
	REFUSED(cfg_idmap(b, cfg_mount(b, "/x", "bind", "/tmp", "bind"), 0, 1000, 0), "size is 0",
		"mapping of size 0");
	REFUSED(cfg_mount(b, "/x", "bind", "/tmp", "bind,tmpcopyup"), "tmpcopyup",
		"tmpcopyup on a bind");
	REFUSED(cfg_masked(b, "proc/kcore"), "linux.maskedPaths[0]", "relative masked path");
	REFUSED(cfg_ro(b, "proc/sys"), "linux.readonlyPaths[0]", "relative readonly path");
	REFUSED(cfg_device(b, "x", "/dev/x", 1, 3, 0666, 0, 0), "linux.devices[0].type",
		"bad device type");
	REFUSED(cfg_device(b, "c", "dev/x", 1, 3, 0666, 0, 0), "linux.devices[0].path",
		"relative device path");
	REFUSED(cfg_device(b, "c", "/dev", 1, 3, 0666, 0, 0), "linux.devices[0].path",
		"device at /dev itself");
	REFUSED(b->c.linux_.mount_label = (char *)"system_u:object_r:container_file_t:s0",
		"linux.mountLabel", "mountLabel without SELinux");

	/* sysctl: only what the namespaces isolate */
	ACCEPTED(cfg_sysctl(b, "kernel.shmmax", "1"), "kernel.shmmax with an IPC namespace");
	ACCEPTED(cfg_sysctl(b, "fs.mqueue.queues_max", "1"), "fs.mqueue.* with IPC namespace");
	REFUSED((cfg_sysctl(b, "kernel.shmmax", "1"), drop_ns(b, OCI_NS_IPC)), "IPC namespace",
		"kernel.shmmax without an IPC namespace");
	ACCEPTED(cfg_sysctl(b, "net.ipv4.ip_forward", "1"), "net.* with a network namespace");
	ACCEPTED(cfg_sysctl(b, "net/ipv4/conf/eth0.100/forwarding", "1"),
		 "slash form with a dotted interface");
	REFUSED((cfg_sysctl(b, "net.ipv4.ip_forward", "1"), drop_ns(b, OCI_NS_NETWORK)),
		"network namespace", "net.* without a network namespace");
	REFUSED((cfg_sysctl(b, "net.core.somaxconn", "1"),
		 b->ns[b->c.linux_.n_namespaces - 1].path = (char *)"/proc/self/ns/net"),
		"host's", "net.* in the host's network namespace joined by path");
	ACCEPTED(cfg_sysctl(b, "kernel.domainname", "x"), "kernel.domainname with UTS");
	REFUSED((cfg_sysctl(b, "kernel.hostname", "x"), b->c.hostname = (char *)"h"), "hostname",
		"kernel.hostname conflicting with hostname");
	REFUSED(cfg_sysctl(b, "kernel.core_pattern", "|/evil"), "not isolated",
		"kernel.core_pattern");
	REFUSED(cfg_sysctl(b, "vm.overcommit_memory", "1"), "not isolated", "vm.*");
	REFUSED(cfg_sysctl(b, "user.max_user_namespaces", "0"), "user namespace",
		"user.* without a user namespace");
	REFUSED(cfg_sysctl(b, "net..ipv4", "1"), "invalid sysctl name", "empty component");
	REFUSED(cfg_sysctl(b, "net/../kernel/core_pattern", "1"), "invalid sysctl name",
		"dot-dot component");
	REFUSED(cfg_sysctl(b, "", "1"), "empty sysctl name", "empty sysctl name");
}

int main(void)
{
	check_opts();
	check_features_options();
	check_bind_attrs();
	check_validate();
	return tap_done();
}
