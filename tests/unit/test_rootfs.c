/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The container's filesystem view, end to end (root only): a busybox rootfs, a config
 * like runc's default plus binds, devices, sysctls, masks and read-only paths; the
 * rootfs steps run as pid 1 of new namespaces, which then reports what it sees. Run in
 * several variants: new mount API + openat2, the openat2 fallback walker, classic
 * mount(2), both fallbacks, a user namespace, --no-pivot, a cgroup namespace.
 */
#include "tap.h"
#include "test_rootfs_harness.h"

static char bundle[64] = "/tmp/ward-rootfs-test-XXXXXX";
static char *rootfs, *hostrw, *recsrc;

static void setup_bundle(void)
{
	if (!mkdtemp(bundle))
		h_die("mkdtemp");
	rootfs = h_path(bundle, "rootfs");
	build_rootfs(rootfs);
	char *p = h_path(bundle, "hostdata");
	h_mkdir(p);
	char *f = h_path(p, "hello");
	h_write(f, "hostdata");
	free(f);
	free(p);
	hostrw = h_path(bundle, "hostrw");
	h_mkdir(hostrw);
	recsrc = h_path(bundle, "recsrc");
	h_mkdir(recsrc);
	p = h_path(recsrc, "sub");
	h_mkdir(p);
	free(p);
	p = h_path(bundle, "shsrc");
	h_mkdir(p);
	free(p);
	p = h_path(bundle, "hostfile");
	h_write(p, "filedata");
	free(p);
	/* content for the tmpcopyup tmpfs */
	p = h_path(rootfs, "copy");
	h_mkdir(p);
	chmod(p, 0711);
	f = h_path(p, "a");
	h_write(f, "A");
	chmod(f, 0640);
	if (chown(f, 1000, 1000) < 0)
		h_die("chown");
	free(f);
	f = h_path(p, "d");
	h_mkdir(f);
	free(f);
	f = h_path(p, "d/b");
	h_write(f, "B");
	free(f);
	f = h_path(p, "l");
	if (symlink("a", f) < 0)
		h_die(f);
	free(f);
	free(p);
	p = h_path(bundle, "idmsrc");
	h_mkdir(p);
	f = h_path(p, "idfile");
	h_write(f, "id");
	if (chown(f, 0, 0) < 0)
		h_die("chown");
	chmod(f, 0644);
	free(f);
	free(p);
}

/* In the child's namespace: give /rec a submount, so that rro and ro differ. */
static void pre_mount(const char *b)
{
	char *p = h_path(b, "recsrc/sub");
	if (mount("tmpfs", p, "tmpfs", 0, "size=64k") < 0)
		h_die("mount recsrc/sub");
	free(p);
}

/* A pure cgroup2 host, seen from a private mount namespace. */
static void pre_mount_v2(const char *b)
{
	pre_mount(b);
	if (umount2("/sys/fs/cgroup", MNT_DETACH) < 0 ||
	    mount("cgroup2", "/sys/fs/cgroup", "cgroup2", 0, NULL) < 0)
		h_die("cgroup2 view");
}

struct variant {
	const char *name;
	bool userns, cgroupns, no_pivot, walker, legacy;
	bool pure_v2;     /* the host looks like pure cgroup v2 */
	int old_kernel;   /* errno a seccomp filter gives openat2 and the new mount API */
	const char *prop; /* linux.rootfsPropagation */
};

static struct cfgb *main_config(const struct variant *v)
{
	struct cfgb *b = cfgb_new();
	cfg_std_ns(b);
	if (v->userns)
		cfg_ns(b, OCI_NS_USER);
	if (v->cgroupns)
		cfg_ns(b, OCI_NS_CGROUP);
	b->c.root.readonly = true;
	cfg_mount(b, "/proc", "proc", "proc", "nosuid,noexec,nodev");
	cfg_mount(b, "/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k");
	cfg_mount(b, "/dev/pts", "devpts", "devpts",
		  "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5");
	cfg_mount(b, "/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=65536k");
	cfg_mount(b, "/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev");
	cfg_mount(b, "/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro");
	/* without a cgroup namespace the mount is read-only even when asked rw */
	if (v->pure_v2)
		cfg_mount(b, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid,noexec,nodev,rw");
	else
		cfg_mount(b, "/sys/fs/cgroup", "cgroup", "cgroup",
			  "nosuid,noexec,nodev,relatime,ro");
	b->c.linux_.rootfs_propagation = (char *)v->prop;
	cfg_mount(b, "/copy", "tmpfs", "tmpfs", "tmpcopyup,size=1m");
	cfg_mount(b, "/data-ro", "bind", "hostdata", "rbind,ro,rprivate");
	cfg_mount(b, "data-rw", "none", hostrw, "bind,rw"); /* relative destination */
	cfg_mount(b, "/tmp", "tmpfs", "tmpfs", "nosuid,nodev,mode=1777");
	cfg_mount(b, "/ro-tmp", "tmpfs", "tmpfs", "ro,mode=755");
	/* recursive attributes need mount_setattr */
	cfg_mount(b, "/rec", "bind", recsrc, v->old_kernel ? "rbind,ro" : "rbind,rro");
	cfg_mount(b, "/rec2", "bind", recsrc, "rbind,ro");
	cfg_mount(b, "/etc/bound-file", "bind", "hostfile", "bind,ro");
	cfg_mount(b, "/shared-vol", "bind", "shsrc", "rbind,rshared");
	bool new_api = !v->legacy && !v->old_kernel;
	if (new_api) {
		struct oci_mount *m = cfg_mount(b, "/idm", "bind", "idmsrc", "bind,idmap");
		cfg_idmap(b, m, 0, 1000, 1);
	}
	cfg_device(b, "c", "/dev/fuse", 10, 229, 0600, 1000, 1000);
	cfg_device(b, "c", "/dev/net/tun", 10, 200, 0666, 0, 0);
	cfg_device(b, "p", "/dev/myfifo", 0, 0, 0600, 0, 0);
	static const char *const masked[] = {"/proc/kcore", "/proc/timer_list", "/proc/keys",
					     "/proc/acpi",  "/sys/firmware",    "/proc/nothing"};
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++)
		cfg_masked(b, masked[i]);
	static const char *const ro[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
					 "/proc/sysrq-trigger"};
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++)
		cfg_ro(b, ro[i]);
	cfg_sysctl(b, "kernel.domainname", "ward.test");
	cfg_sysctl(b, "net.ipv4.ip_forward", "1");
	cfg_sysctl(b, "kernel/shmmax", "12345678");
	return b;
}

static void emit_dir_mask(const char *key, const char *path)
{
	int n = 0;
	DIR *d = opendir(path);
	if (!d) {
		emit(key, "%s", errname(errno));
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	struct statvfs sv;
	statvfs(path, &sv);
	emit(key, "%d %s", n, (sv.f_flag & ST_RDONLY) ? "ro" : "rw");
}

static void run_busybox(void)
{
	int p[2];
	if (pipe(p) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("/bin/sh", "sh", "-c",
		      "cat /data-ro/hello; echo; ls /dev/fd >/dev/null && echo fdok", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	char buf[256];
	ssize_t n, total = 0;
	while ((n = read(p[0], buf + total, sizeof(buf) - 1 - (size_t)total)) > 0)
		total += n;
	buf[total > 0 ? total : 0] = '\0';
	close(p[0]);
	waitpid(pid, NULL, 0);
	size_t l = strlen(buf);
	while (l && buf[l - 1] == '\n')
		buf[--l] = '\0';
	emit("busybox", "%s", buf);
}

static void inspect_main(void)
{
	char cwd[256] = "";
	emit("pid", "%d", getpid());
	emit_link("proc_self", "/proc/self");
	emit("cwd", "%s", getcwd(cwd, sizeof(cwd)) ? cwd : "?");
	emit_read("marker", "/etc/ward-rootfs-marker");

	emit_node("dev_null", "/dev/null");
	emit_node("dev_zero", "/dev/zero");
	emit_node("dev_full", "/dev/full");
	emit_node("dev_random", "/dev/random");
	emit_node("dev_urandom", "/dev/urandom");
	emit_node("dev_tty", "/dev/tty");
	emit_node("dev_fuse", "/dev/fuse");
	emit_node("dev_tun", "/dev/net/tun");
	emit_node("dev_fifo", "/dev/myfifo");
	emit_link("link_fd", "/dev/fd");
	emit_link("link_stdin", "/dev/stdin");
	emit_link("link_stdout", "/dev/stdout");
	emit_link("link_stderr", "/dev/stderr");
	emit_link("link_ptmx", "/dev/ptmx");
	emit_link("link_core", "/dev/core");
	emit_open_write("devnull_write", "/dev/null");
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	emit("ptmx_open", "%s", errname(fd < 0 ? errno : 0));
	if (fd >= 0)
		close(fd);
	emit_node("console", "/dev/console");

	emit_fs("fs_dev", "/dev");
	emit_fs("fs_pts", "/dev/pts");
	emit_fs("fs_shm", "/dev/shm");
	emit_node("shm_mode", "/dev/shm");
	emit_fs("fs_mqueue", "/dev/mqueue");
	emit_fs("fs_proc", "/proc");
	emit_fs("fs_sys", "/sys");
	emit_vfs("sys_vfs", "/sys");
	emit_fs("fs_cgroup", "/sys/fs/cgroup");
	emit_fs("cg_memory_fs", "/sys/fs/cgroup/memory");
	emit_vfs("cg_memory_vfs", "/sys/fs/cgroup/memory");
	emit("cg_memory_limit", "%s",
	     errname(access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) < 0 ? errno : 0));
	emit_open_write("cg_write", "/sys/fs/cgroup/memory/memory.limit_in_bytes");
	emit_fs("cg_unified_fs", "/sys/fs/cgroup/unified");
	emit_vfs("cg_root_vfs", "/sys/fs/cgroup");
	emit_open_write("cg_v2_write", "/sys/fs/cgroup/cgroup.procs");
	emit_propagation("prop_root", "/");

	emit_fs("copy_fs", "/copy");
	emit_node("copy_dir", "/copy");
	emit_read("copy_a", "/copy/a");
	emit_node("copy_a_node", "/copy/a");
	emit_read("copy_b", "/copy/d/b");
	emit_link("copy_l", "/copy/l");
	emit_create("copy_create", "/copy/new");

	emit_read("data_ro", "/data-ro/hello");
	emit_create("data_ro_create", "/data-ro/new");
	emit_vfs("data_ro_vfs", "/data-ro");
	emit_create("data_rw_create", "/data-rw/written");
	emit_node("tmp", "/tmp");
	emit_create("tmp_create", "/tmp/x");
	emit_node("ro_tmp", "/ro-tmp");
	emit_create("ro_tmp_create", "/ro-tmp/x");
	emit_create("rec_top", "/rec/x");
	emit_create("rec_sub", "/rec/sub/x");
	emit_create("rec2_top", "/rec2/x");
	emit_create("rec2_sub", "/rec2/sub/x");
	emit_read("file_bind", "/etc/bound-file");
	emit_propagation("prop_shared", "/shared-vol");
	emit_propagation("prop_data_ro", "/data-ro");
	emit_node("idm", "/idm/idfile");

	emit_node("mask_timer_list", "/proc/timer_list");
	emit_read("mask_timer_list_read", "/proc/timer_list");
	emit_node("mask_keys", "/proc/keys");
	emit_dir_mask("mask_acpi", "/proc/acpi");
	emit_dir_mask("mask_firmware", "/sys/firmware");
	emit_node("mask_kcore", "/proc/kcore");

	emit_open_write("ro_proc_sys", "/proc/sys/kernel/domainname");
	emit_vfs("ro_proc_bus", "/proc/bus");
	emit_vfs("ro_proc_irq", "/proc/irq");
	emit_read("sysctl_domainname", "/proc/sys/kernel/domainname");
	emit_read("sysctl_ip_forward", "/proc/sys/net/ipv4/ip_forward");
	emit_read("sysctl_shmmax", "/proc/sys/kernel/shmmax");

	emit_create("root_create", "/newfile");
	emit_vfs("root_vfs", "/");
	run_busybox();
}

/* The host's node as emit_node would print it (devices bound from the host). */
static char *host_node(const char *path)
{
	struct stat st;
	char *s;
	if (lstat(path, &st) < 0)
		return strdup("ENOENT");
	if (asprintf(&s, "c %u:%u %04o %u:%u", major(st.st_rdev), minor(st.st_rdev),
		     st.st_mode & 07777, st.st_uid, st.st_gid) < 0)
		abort();
	return s;
}

static bool starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* No mount made by the container may show up in the host's mount table. */
static const char *cur_variant;
static void at_mounted(pid_t child)
{
	(void)child;
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char *line = NULL;
	size_t cap = 0;
	int leaks = 0;
	while (f && getline(&line, &cap, f) > 0)
		if (strstr(line, bundle))
			leaks++;
	free(line);
	if (f)
		fclose(f);
	TAP_OK(leaks == 0, "%s: no mount reaches the host's mount table (%d)", cur_variant, leaks);
}

static void check_variant(const struct variant *v)
{
	struct cfgb *b = main_config(v);
	struct results r;
	int *idmap_fds = NULL;
	struct werr e;

	cur_variant = v->name;
	/* a user namespace cannot id-map a host filesystem: the runtime prepares it */
	if (v->userns && rootfs_idmap_prepare(&b->c, bundle, &idmap_fds, &e) < 0)
		TAP_OK(0, "%s: idmap prepare: %s", v->name, e.msg);
	struct run_opts o = {
		.no_pivot = v->no_pivot,
		.console = true,
		.force_walker = v->walker,
		.force_legacy = v->legacy,
		.old_kernel_errno = v->old_kernel,
		.idmap_fds = idmap_fds,
		.pre_mount = v->pure_v2 ? pre_mount_v2 : pre_mount,
		.inspect = inspect_main,
		.at_mounted = at_mounted,
	};
	char *written = h_path(hostrw, "written");
	unlink(written);
	run_container(b, bundle, &o, &r);
	rootfs_idmap_release(idmap_fds, b->c.n_mounts);

	const char *err = res_get(&r, "err");
	TAP_OK(!err, "%s: rootfs set up without error%s%s", v->name, err ? ": " : "",
	       err ? err : "");
	TAP_OK(!res_get(&r, "leak"), "%s: no leak in the rootfs code (sanitizer build)", v->name);
	TAP_OK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s: container exited cleanly",
	       v->name);
	EXPECT(&r, "pid", "1", "%s: runs as pid 1", v->name);
	EXPECT(&r, "proc_self", "1", "%s: /proc is the container's pid namespace", v->name);
	EXPECT(&r, "cwd", "/", "%s: cwd is /", v->name);
	EXPECT(&r, "marker", "[marker]", "%s: / is the rootfs", v->name);

	if (v->userns) {
		static const char *const devs[][2] = {
			{"dev_null", "/dev/null"},       {"dev_zero", "/dev/zero"},
			{"dev_full", "/dev/full"},       {"dev_random", "/dev/random"},
			{"dev_urandom", "/dev/urandom"}, {"dev_tty", "/dev/tty"},
			{"dev_fuse", "/dev/fuse"},       {"dev_tun", "/dev/net/tun"},
		};
		for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
			char *want = host_node(devs[i][1]);
			EXPECT(&r, devs[i][0], want, "%s: %s bound from the host", v->name,
			       devs[i][1]);
			free(want);
		}
	} else {
		EXPECT(&r, "dev_null", "c 1:3 0666 0:0", "%s: /dev/null", v->name);
		EXPECT(&r, "dev_zero", "c 1:5 0666 0:0", "%s: /dev/zero", v->name);
		EXPECT(&r, "dev_full", "c 1:7 0666 0:0", "%s: /dev/full", v->name);
		EXPECT(&r, "dev_random", "c 1:8 0666 0:0", "%s: /dev/random", v->name);
		EXPECT(&r, "dev_urandom", "c 1:9 0666 0:0", "%s: /dev/urandom", v->name);
		EXPECT(&r, "dev_tty", "c 5:0 0666 0:0", "%s: /dev/tty", v->name);
		EXPECT(&r, "dev_fuse", "c 10:229 0600 1000:1000", "%s: linux.devices /dev/fuse",
		       v->name);
		EXPECT(&r, "dev_tun", "c 10:200 0666 0:0",
		       "%s: linux.devices /dev/net/tun (parent made)", v->name);
	}
	EXPECT(&r, "dev_fifo", "p 0600 0:0", "%s: linux.devices fifo", v->name);
	EXPECT(&r, "link_fd", "/proc/self/fd", "%s: /dev/fd", v->name);
	EXPECT(&r, "link_stdin", "/proc/self/fd/0", "%s: /dev/stdin", v->name);
	EXPECT(&r, "link_stdout", "/proc/self/fd/1", "%s: /dev/stdout", v->name);
	EXPECT(&r, "link_stderr", "/proc/self/fd/2", "%s: /dev/stderr", v->name);
	EXPECT(&r, "link_ptmx", "pts/ptmx", "%s: /dev/ptmx", v->name);
	EXPECT(&r, "link_core", access("/proc/kcore", F_OK) == 0 ? "/proc/kcore" : "ENOENT",
	       "%s: /dev/core only with a kcore", v->name);
	EXPECT(&r, "devnull_write", "ok", "%s: /dev/null writable", v->name);
	EXPECT(&r, "ptmx_open", "ok", "%s: /dev/ptmx opens (devpts ptmxmode=0666)", v->name);
	char want[64];
	snprintf(want, sizeof(want), "c 136:%s",
		 res_get(&r, "pty_minor") ? res_get(&r, "pty_minor") : "?");
	TAP_OK(starts(res_get(&r, "console"), want), "%s: /dev/console is the pty (%s)", v->name,
	       res_get(&r, "console") ? res_get(&r, "console") : "none");

	EXPECT(&r, "fs_dev", "tmpfs", "%s: /dev tmpfs", v->name);
	EXPECT(&r, "fs_pts", "devpts", "%s: /dev/pts devpts", v->name);
	EXPECT(&r, "fs_shm", "tmpfs", "%s: /dev/shm tmpfs", v->name);
	EXPECT(&r, "shm_mode", "d 1777 0:0", "%s: /dev/shm mode", v->name);
	EXPECT(&r, "fs_mqueue", "mqueue", "%s: /dev/mqueue", v->name);
	EXPECT(&r, "fs_proc", "proc", "%s: /proc", v->name);
	EXPECT(&r, "fs_sys", "sysfs", "%s: /sys", v->name);
	EXPECT(&r, "sys_vfs", "ro,nosuid,nodev,noexec", "%s: /sys flags", v->name);
	if (v->pure_v2) {
		EXPECT(&r, "fs_cgroup", "cgroup2", "%s: /sys/fs/cgroup is cgroup2", v->name);
		if (v->cgroupns) {
			EXPECT(&r, "cg_root_vfs", "rw,nosuid,nodev,noexec",
			       "%s: cgroup2 writable as asked, inside a cgroup namespace", v->name);
			EXPECT(&r, "cg_v2_write", "ok", "%s: cgroup.procs writable", v->name);
		} else {
			EXPECT(&r, "cg_root_vfs", "ro,nosuid,nodev,noexec",
			       "%s: cgroup2 read-only without a cgroup namespace, though asked rw",
			       v->name);
			EXPECT(&r, "cg_v2_write", "EROFS", "%s: cgroup.procs not writable",
			       v->name);
		}
	} else {
		EXPECT(&r, "fs_cgroup", "tmpfs", "%s: /sys/fs/cgroup (v1 host) is a tmpfs",
		       v->name);
		EXPECT(&r, "cg_memory_fs", "cgroup", "%s: memory hierarchy", v->name);
		TAP_OK(starts(res_get(&r, "cg_memory_vfs"), "ro"), "%s: memory hierarchy read-only",
		       v->name);
		EXPECT(&r, "cg_memory_limit", "ok", "%s: the container's memory cgroup files",
		       v->name);
		EXPECT(&r, "cg_write", "EROFS", "%s: cgroup files not writable", v->name);
		EXPECT(&r, "cg_unified_fs", "cgroup2", "%s: hybrid unified hierarchy", v->name);
	}
	const char *pr = res_get(&r, "prop_root");
	if (v->prop && strcmp(v->prop, "rshared") == 0)
		TAP_OK(starts(pr, "shared:"), "%s: / is shared (%s)", v->name, pr ? pr : "none");
	else
		TAP_OK(pr && (strcmp(pr, "private") == 0 || starts(pr, "master:")),
		       "%s: / is private or a slave (%s)", v->name, pr ? pr : "none");

	EXPECT(&r, "copy_fs", "tmpfs", "%s: tmpcopyup mount is a tmpfs", v->name);
	EXPECT(&r, "copy_dir", "d 0711 0:0", "%s: tmpcopyup keeps the directory mode", v->name);
	EXPECT(&r, "copy_a", "[A]", "%s: tmpcopyup copied a file", v->name);
	EXPECT(&r, "copy_a_node", "f 0640 1000:1000", "%s: tmpcopyup kept mode and owner", v->name);
	EXPECT(&r, "copy_b", "[B]", "%s: tmpcopyup copied a subdirectory", v->name);
	EXPECT(&r, "copy_l", "a", "%s: tmpcopyup copied a symlink", v->name);
	EXPECT(&r, "copy_create", "ok", "%s: tmpcopyup mount writable", v->name);
	char *img = h_path(rootfs, "copy/new");
	TAP_OK(access(img, F_OK) < 0, "%s: the image's directory was not written", v->name);
	free(img);

	EXPECT(&r, "data_ro", "[hostdata]", "%s: ro bind reads (relative source)", v->name);
	EXPECT(&r, "data_ro_create", "EROFS", "%s: ro bind refuses writes", v->name);
	EXPECT(&r, "data_ro_vfs", "ro", "%s: ro bind flags are exactly ro", v->name);
	EXPECT(&r, "data_rw_create", "ok", "%s: rw bind writable (relative destination)", v->name);
	TAP_OK(access(written, F_OK) == 0, "%s: write through the rw bind reached the host dir",
	       v->name);
	unlink(written);
	free(written);
	EXPECT(&r, "tmp", "d 1777 0:0", "%s: tmpfs mode", v->name);
	EXPECT(&r, "tmp_create", "ok", "%s: tmpfs writable", v->name);
	EXPECT(&r, "ro_tmp", "d 0755 0:0", "%s: ro tmpfs mode", v->name);
	EXPECT(&r, "ro_tmp_create", "EROFS", "%s: ro tmpfs read-only after finalize", v->name);
	EXPECT(&r, "rec_top", "EROFS", "%s: rro top", v->name);
	if (!v->old_kernel)
		EXPECT(&r, "rec_sub", "EROFS", "%s: rro submount", v->name);
	EXPECT(&r, "rec2_top", "EROFS", "%s: ro top", v->name);
	EXPECT(&r, "rec2_sub", "ok", "%s: ro leaves the submount writable", v->name);
	EXPECT(&r, "file_bind", "[filedata]", "%s: file bind", v->name);
	TAP_OK(starts(res_get(&r, "prop_shared"), "shared:"), "%s: rshared bind is shared (%s)",
	       v->name, res_get(&r, "prop_shared") ? res_get(&r, "prop_shared") : "none");
	if (v->prop) /* rootfsPropagation applies to the whole tree last, as with runc */
		TAP_OK(starts(res_get(&r, "prop_data_ro"), "shared:"),
		       "%s: rshared root makes the rprivate bind shared too", v->name);
	else
		EXPECT(&r, "prop_data_ro", "private", "%s: rprivate bind is private", v->name);
	if (!v->legacy && !v->old_kernel)
		EXPECT(&r, "idm", "f 0644 1000:1000", "%s: idmapped bind shows uid 0 as 1000",
		       v->name);

	EXPECT(&r, "mask_timer_list", host_null_desc(), "%s: masked file is /dev/null", v->name);
	EXPECT(&r, "mask_timer_list_read", "[]", "%s: masked file reads empty", v->name);
	EXPECT(&r, "mask_keys", host_null_desc(), "%s: second masked file", v->name);
	EXPECT(&r, "mask_acpi", "0 ro", "%s: masked dir empty and read-only", v->name);
	EXPECT(&r, "mask_firmware", "0 ro", "%s: masked /sys dir", v->name);
	EXPECT(&r, "mask_kcore", "ENOENT", "%s: absent masked path skipped", v->name);
	EXPECT(&r, "ro_proc_sys", "EROFS", "%s: /proc/sys read-only", v->name);
	TAP_OK(starts(res_get(&r, "ro_proc_bus"), "ro"), "%s: /proc/bus read-only", v->name);
	TAP_OK(starts(res_get(&r, "ro_proc_irq"), "ro"), "%s: /proc/irq read-only", v->name);
	EXPECT(&r, "sysctl_domainname", "[ward.test]", "%s: sysctl kernel.domainname", v->name);
	EXPECT(&r, "sysctl_ip_forward", "[1]", "%s: sysctl net.ipv4.ip_forward", v->name);
	EXPECT(&r, "sysctl_shmmax", "[12345678]", "%s: sysctl kernel/shmmax", v->name);
	EXPECT(&r, "root_create", "EROFS", "%s: root.readonly", v->name);
	TAP_OK(starts(res_get(&r, "root_vfs"), "ro"), "%s: / mounted ro", v->name);
	EXPECT(&r, "busybox", "hostdata|fdok", "%s: busybox runs in the rootfs", v->name);
	res_free(&r);
	free(b);
}

static void inspect_host_sys(void)
{
	emit_fs("fs_sys", "/sys");
	emit_vfs("sys_vfs", "/sys");
	emit_fs("fs_sys_cgroup", "/sys/fs/cgroup");
	emit_vfs("sys_cgroup_vfs", "/sys/fs/cgroup");
	emit_open_write("sys_write", "/sys/kernel/mm/transparent_hugepage/enabled");
}

/* Without a network namespace of its own, the container gets the host's /sys bound
 * read-only throughout (submounts like /sys/fs/cgroup included). */
static void check_host_netns_sysfs(void)
{
	struct cfgb *b = cfgb_new();
	cfg_ns(b, OCI_NS_MOUNT);
	cfg_ns(b, OCI_NS_PID);
	cfg_mount(b, "/proc", "proc", "proc", "nosuid,noexec,nodev");
	cfg_mount(b, "/sys", "sysfs", "sysfs", "nosuid,noexec,nodev");
	struct run_opts o = {.inspect = inspect_host_sys};
	struct results r;
	run_container(b, bundle, &o, &r);
	const char *err = res_get(&r, "err");
	TAP_OK(!err, "host netns: set up without error%s%s", err ? ": " : "", err ? err : "");
	EXPECT(&r, "fs_sys", "sysfs", "host netns: /sys is a sysfs");
	EXPECT(&r, "sys_vfs", "ro,nosuid,nodev,noexec",
	       "host netns: /sys read-only, as asked + ro");
	EXPECT(&r, "fs_sys_cgroup", "tmpfs", "host netns: the host's /sys submounts come along");
	TAP_OK(starts(res_get(&r, "sys_cgroup_vfs"), "ro"),
	       "host netns: /sys submounts read-only too");
	EXPECT(&r, "sys_write", "EROFS", "host netns: sysfs files not writable");
	res_free(&r);
	free(b);
}

int main(void)
{
	if (geteuid() != 0) {
		tap_ok(1, "# SKIP needs root");
		return tap_done();
	}
	alarm(300);
	setup_bundle();
	static const struct variant variants[] = {
		{.name = "new-api"},
		{.name = "walker", .walker = true},
		{.name = "legacy", .legacy = true},
		{.name = "walker+legacy", .walker = true, .legacy = true},
		{.name = "userns", .userns = true},
		{.name = "userns+legacy", .userns = true, .legacy = true},
		{.name = "no-pivot", .no_pivot = true},
		{.name = "cgroupns", .cgroupns = true},
		{.name = "cgroup2", .pure_v2 = true},
		{.name = "cgroup2+cgroupns", .pure_v2 = true, .cgroupns = true},
		{.name = "rshared", .prop = "rshared"},
		{.name = "old-kernel(ENOSYS)", .old_kernel = ENOSYS},
		{.name = "old-profile(EPERM)", .old_kernel = EPERM},
		{.name = "userns+old-kernel", .userns = true, .old_kernel = ENOSYS},
	};
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		check_variant(&variants[i]);

	check_host_netns_sysfs();

	/* the host side is unchanged: the image got no device nodes, the host dirs are
	 * as they were */
	char *p = h_path(rootfs, "dev/null");
	TAP_OK(access(p, F_OK) < 0, "nothing was created in the image's /dev");
	free(p);
	h_rm_rf(bundle);
	TAP_OK(access(bundle, F_OK) < 0, "bundle removed");
	free(rootfs);
	free(hostrw);
	free(recsrc);
	return tap_done();
}
