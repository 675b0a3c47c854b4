/* SPDX-License-Identifier: Apache-2.0 */
#include "create.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "../oci-spec/oci_state.h"
#include "cgroup.h"
#include "console.h"
#include "hooks.h"
#include "init.h"
#include "namespaces.h"
#include "process_attrs.h"
#include "rootfs.h"
#include "seccomp_oci.h"
#include "file_policy.h"
#include "policy.h"
#include "supervisor_client.h"
#include "sync.h"
#include "ward_filter.h"

/*
 * fork-like clone into new namespaces: returns 0 in the child. With cgroup_fd >= 0 the
 * child is born in that cgroup (*joined says whether it was: a kernel without
 * CLONE_INTO_CGROUP, or one refusing it, gets a plain clone and the caller moves it).
 */
static pid_t clone_ns(int flags, int cgroup_fd, bool *joined)
{
	struct clone_args args = {.flags = (unsigned long long)flags, .exit_signal = SIGCHLD};
	*joined = false;
	long r = -1;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (unsigned long long)cgroup_fd;
		r = syscall(SYS_clone3, &args, sizeof(args));
		if (r >= 0) {
			*joined = true;
			return (pid_t)r;
		}
		args.flags &= ~(unsigned long long)CLONE_INTO_CGROUP;
		args.cgroup = 0;
	}
	r = syscall(SYS_clone3, &args, sizeof(args));
	if (r < 0 && errno == ENOSYS)
		r = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
	return (pid_t)r;
}

int wait_pidfd_exit(int pidfd, int timeout_ms)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int r;
	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	return r > 0 ? 0 : -1;
}

int write_pid_file(const char *path, pid_t pid, struct werr *e)
{
	_cleanup_free_ char *abs = NULL;
	_cleanup_free_ char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	const char *dir = ".", *base = copy;
	if (slash) {
		*slash = '\0';
		dir = slash == copy ? "/" : copy;
		base = slash + 1;
	}
	_cleanup_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return werr_sys(e, "pid file directory %s", dir);
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write_file_atomic_at(dfd, base, buf, (size_t)n, 0644, e) < 0)
		return werr_wrap(e, "pid file %s", path);
	return 0;
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char b[64];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(b + n, sizeof(b) - n, ".%09ldZ", ts.tv_nsec);
	return xstrdup(b);
}

/* The user's name from /etc/passwd (ward is static: no NSS modules), else "#uid". */
static char *owner_name(void)
{
	uid_t uid = geteuid();
	_cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		char *save = NULL, *name = strtok_r(line, ":", &save);
		char *pass = name ? strtok_r(NULL, ":", &save) : NULL;
		char *id = pass ? strtok_r(NULL, ":", &save) : NULL;
		char *end;
		if (id && *id && strtoul(id, &end, 10) == uid && *end == '\0')
			return xstrdup(name);
	}
	return xasprintf("#%d", (int)uid);
}

/* The listening socket `ward start` connects to; init inherits it. */
static int make_start_socket(struct container *c, struct werr *e)
{
	struct sockaddr_un sa;
	socklen_t len;
	container_sock_addr(c, "init.sock", &sa, &len);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return werr_sys(e, "start socket");
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 1) < 0)
		return werr_sys(e, "bind %s/%s/init.sock", c->root, c->id);
	if (fchmodat(c->dir_fd, "init.sock", 0600, 0) < 0)
		return werr_sys(e, "chmod %s/%s/init.sock", c->root, c->id);
	return take_fd(&fd);
}

struct create_run {
	const struct create_opts *o;
	struct oci_config *cfg;
	char *config_json;
	size_t config_len;
	char *bundle;
	struct ns_plan plan;
	struct seccomp_oci seccomp;
	bool has_seccomp;
	struct container *c;
	struct cgroup *cg;
	int listen_fd, console_fd, sync[2];
	int *idmap_fds;    /* one per mount, -1 where not idmapped; NULL when none */
	char *policy_name; /* built-in name or absolute path of a policy file */
	struct ward_policy *policy;
	struct ward_filter ward;
	int sup_sock;
	bool cg_joined; /* init was cloned into its cgroup */
	bool sup_started;
	struct supervisor_spawn sup_spawn;
	int agent_sock; /* linux.seccomp.listenerPath, connected on the host side */
	pid_t init_pid;
	int init_pidfd;
};

static int load_bundle(struct create_run *r, struct werr *e)
{
	char buf[PATH_MAX];
	const char *b = r->o->bundle && *r->o->bundle ? r->o->bundle : ".";
	if (!realpath(b, buf))
		return werr_sys(e, "bundle %s", b);
	r->bundle = xstrdup(buf);
	_cleanup_close_ int dfd = open(r->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return werr_sys(e, "bundle %s", r->bundle);
	if (read_file_at(dfd, "config.json", OCI_CONFIG_MAX_BYTES, &r->config_json, &r->config_len,
			 e) < 0)
		return werr_wrap(e, "bundle %s", r->bundle);
	if (oci_config_parse(r->config_json, r->config_len, "config.json", &r->cfg, e) < 0)
		return -1;
	return 0;
}

/* Whether `name` is one of the comma-separated `list`. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *s = list; *s;) {
		size_t len = strcspn(s, ",");
		if (len == n && strncmp(s, name, n) == 0)
			return true;
		s += len;
		if (*s == ',')
			s++;
	}
	return false;
}

/*
 * The annotation (e.g. from a Kubernetes pod) wins over the global flag; "default"
 * otherwise. Pod authors write annotations, so an operator can bound what they pick
 * with --allowed-policies (e.g. "agent,default": never "none").
 */
static int select_policy(struct create_run *r, struct werr *e)
{
	const char *flag = r->o->policy && *r->o->policy ? r->o->policy : "default";
	const char *p = oci_config_annotation(r->cfg, "dev.ward.policy");
	if (p && *p && strcmp(p, flag) != 0 && r->o->allowed_policies &&
	    !in_list(r->o->allowed_policies, p))
		return werr_code(e, EPERM,
				 "annotation dev.ward.policy=%s: not among --allowed-policies (%s)",
				 p, r->o->allowed_policies);
	if (!p || !*p)
		p = flag;
	if (strchr(p, '/')) {
		char abs[PATH_MAX];
		if (!realpath(p, abs))
			return werr_sys(e, "policy file %s", p);
		r->policy_name = xstrdup(abs);
	} else {
		r->policy_name = xstrdup(p);
	}
	return policy_load(r->policy_name, &r->policy, e);
}

static int validate(struct create_run *r, struct werr *e)
{
	const struct oci_config *cfg = r->cfg;
	if (!cfg->has_root || !cfg->root.path)
		return werr_code(e, EINVAL, "config.json: root: required by ward");
	if (!cfg->has_process)
		return werr_code(e, EINVAL, "config.json: process: required to create a container");
	if (cfg->process.n_args == 0)
		return werr_code(e, EINVAL, "config.json: process.args: must not be empty");
	if (cfg->process.terminal && r->o->console_fd < 0 && !r->o->console_socket)
		return werr_code(e, EINVAL,
				 "process.terminal is true: --console-socket is required");
	if (!cfg->process.terminal && r->o->console_socket)
		return werr_code(e, EINVAL, "--console-socket given but process.terminal is false");
	if (r->o->preserve_fds < 0 || r->o->preserve_fds > PRESERVE_FDS_MAX)
		return werr_code(e, EINVAL, "--preserve-fds: must be between 0 and %d",
				 PRESERVE_FDS_MAX);
	if (select_policy(r, e) < 0)
		return -1;
	/* the policy's hidden and read-only paths, applied by the rootfs code like the config's */
	file_policy_extend_config(r->cfg, r->policy);
	if (ns_plan_build(cfg, &r->plan, e) < 0 || rootfs_validate(cfg, e) < 0 ||
	    process_attrs_validate(&cfg->process, &cfg->linux_.personality, -1, e) < 0)
		return -1;
	if (cfg->linux_.seccomp.present) {
		if (seccomp_oci_compile(&cfg->linux_.seccomp, &r->seccomp, e) < 0)
			return -1;
		r->has_seccomp = true;
	}
	if (ward_filter_check_oci(r->policy, r->has_seccomp && r->seccomp.has_notify, e) < 0 ||
	    ward_filter_build(r->policy, &r->ward, e) < 0)
		return -1;
	return 0;
}

/* The stage process joins namespaces given by path (and makes a time namespace), then clones
 * init into the new ones. Our own process must never enter the container's namespaces. */
static void __attribute__((noreturn)) stage_main(struct create_run *r, const struct init_ctx *ictx)
{
	struct werr e;
	werr_clear(&e);
	if (ns_join_paths(&r->plan, &e) < 0 ||
	    (r->plan.new_time && ns_unshare_time(r->cfg, &e) < 0)) {
		sync_send_error(r->sync[1], &e);
		_exit(1);
	}
	bool joined;
	pid_t pid = clone_ns(r->plan.clone_flags, -1, &joined);
	if (pid < 0) {
		werr_sys(&e, "clone container init");
		sync_send_error(r->sync[1], &e);
		_exit(1);
	}
	if (pid == 0)
		container_init(ictx);
	if (sync_send(r->sync[1], SYNC_PID, pid, &e) < 0)
		_exit(1);
	_exit(0);
}

static int spawn_init(struct create_run *r, struct werr *e)
{
	bool staged = r->plan.any_join || r->plan.new_time;
	struct init_ctx ictx = {
		.cfg = r->cfg,
		.id = r->o->id,
		.bundle = r->bundle,
		.sync_fd = r->sync[1],
		.listen_fd = r->listen_fd,
		.console_fd = r->console_fd,
		.no_pivot = r->o->no_pivot,
		.no_new_keyring = r->o->no_new_keyring,
		.preserve_fds = r->o->preserve_fds,
		.inherited = ward_inherited_fds,
		.plan = &r->plan,
		.seccomp = r->has_seccomp ? &r->seccomp : NULL,
		.direct_child = !staged,
		.idmap_fds = r->idmap_fds,
		.ward = &r->ward,
		.sup_sock = r->sup_sock,
		.agent_sock = r->agent_sock,
		.state_lock_fd = r->c->lock_fd,
		.state_dir_fd = r->c->dir_fd,
		.policy = r->policy,
	};
	if (!staged) {
		/* born in its cgroup, unless a new cgroup namespace must be rooted there: the
		 * kernel makes the namespaces before it moves the child */
		_cleanup_close_ int cgfd = r->cg && !(r->plan.clone_flags & CLONE_NEWCGROUP)
						   ? cgroup_clone_target(r->cg)
						   : -1;
		pid_t pid = clone_ns(r->plan.clone_flags, cgfd, &r->cg_joined);
		if (pid < 0)
			return werr_sys(e, "clone container init");
		if (pid == 0) {
			close(r->sync[0]);
			container_init(&ictx);
		}
		r->init_pid = pid;
	} else {
		pid_t stage = fork();
		if (stage < 0)
			return werr_sys(e, "fork stage process");
		if (stage == 0) {
			close(r->sync[0]);
			stage_main(r, &ictx);
		}
		int32_t pid = 0;
		int rc = sync_expect(r->sync[0], SYNC_PID, &pid, e);
		int status;
		while (waitpid(stage, &status, 0) < 0 && errno == EINTR)
			;
		if (rc < 0)
			return -1;
		r->init_pid = pid;
	}
	close(r->sync[1]);
	r->sync[1] = -1;
	r->init_pidfd = (int)syscall(SYS_pidfd_open, r->init_pid, 0);
	if (r->init_pidfd < 0)
		return werr_sys(e, "pidfd of container init");
	return 0;
}

static char *creating_state(struct create_run *r)
{
	struct oci_state st = {
		.oci_version = r->cfg->oci_version,
		.id = r->o->id,
		.status = "creating",
		.pid = r->init_pid,
		.bundle = r->bundle,
		.annotations = r->cfg->annotations,
		.n_annotations = r->cfg->n_annotations,
	};
	return oci_state_write(&st, false);
}

static int drive_init(struct create_run *r, struct werr *e)
{
	const struct oci_config *cfg = r->cfg;
	if (r->plan.clone_flags & CLONE_NEWUSER && ns_write_id_maps(r->init_pid, cfg, e) < 0)
		return -1;
	if (r->cg && !r->cg_joined && cgroup_add_pid(r->cg, r->init_pid, e) < 0)
		return werr_wrap(e, "join cgroup");
	if (sync_send(r->sync[0], SYNC_GO, r->init_pid, e) < 0)
		return -1;
	if (cfg->hooks.prestart.n || cfg->hooks.create_runtime.n) {
		if (sync_expect(r->sync[0], SYNC_HOOKS, NULL, e) < 0)
			return -1;
		_cleanup_free_ char *st = creating_state(r);
		if (hooks_run(&cfg->hooks.prestart, "prestart", st, e) < 0 ||
		    hooks_run(&cfg->hooks.create_runtime, "createRuntime", st, e) < 0)
			return -1;
		if (sync_send(r->sync[0], SYNC_HOOKS_DONE, 0, e) < 0)
			return -1;
	}
	return sync_expect(r->sync[0], SYNC_READY, NULL, e);
}

static void create_run_release(struct create_run *r)
{
	if (r->sync[0] >= 0)
		close(r->sync[0]);
	if (r->sync[1] >= 0)
		close(r->sync[1]);
	if (r->listen_fd >= 0)
		close(r->listen_fd);
	if (r->console_fd >= 0 && r->console_fd != r->o->console_fd)
		close(r->console_fd);
	if (r->init_pidfd >= 0)
		close(r->init_pidfd);
	if (r->has_seccomp)
		seccomp_oci_release(&r->seccomp);
	if (r->idmap_fds)
		rootfs_idmap_release(r->idmap_fds, r->cfg->n_mounts);
	if (r->sup_sock >= 0)
		close(r->sup_sock);
	if (r->agent_sock >= 0)
		close(r->agent_sock);
	ward_filter_release(&r->ward);
	policy_free(r->policy);
	free(r->policy_name);
	cgroup_free(r->cg);
	container_free(r->c);
	oci_config_free(r->cfg);
	free(r->config_json);
	free(r->bundle);
}

/*
 * The supervisor runs detached from us and from init. We connect to it here, on the host side:
 * init inherits the connected socket (a container root could not open the socket file).
 */
static int start_supervisor(struct create_run *r, struct werr *e)
{
	_cleanup_free_ char *dir = xasprintf("%s/%s", r->o->root, r->o->id);
	if (supervisor_spawn_begin(dir, r->o->id, r->policy_name, &r->sup_spawn, e) < 0)
		return werr_wrap(e, "start supervisor");
	r->sup_started = true;
	r->sup_sock = supervisor_connect(dir, e);
	return r->sup_sock < 0 ? werr_wrap(e, "connect to supervisor") : 0;
}

/* `exec` applies the policy the container was created with, even if its file changes later. */
static int save_policy(struct container *c, const struct ward_policy *p, struct werr *e)
{
	_cleanup_free_ char *json = policy_to_json(p);
	if (!json)
		return werr_code(e, ENOMEM, "serialise the policy");
	return write_file_atomic_at(c->dir_fd, "policy.json", json, strlen(json), 0600, e);
}

/* Undoes a failed create: the process, its cgroup and the state dir. */
static void create_rollback(struct create_run *r)
{
	struct werr ignored;
	if (r->init_pid > 0) {
		kill(r->init_pid, SIGKILL);
		if (r->init_pidfd >= 0)
			wait_pidfd_exit(r->init_pidfd, -1);
		waitpid(r->init_pid, NULL, __WALL);
	}
	if (r->cg && cgroup_destroy(r->cg, true, &ignored) < 0)
		log_warn("cleanup after failed create: %s", ignored.msg);
	if (r->sup_started) {
		if (supervisor_spawn_end(&r->sup_spawn, NULL, &ignored) < 0)
			log_warn("cleanup after failed create: %s", ignored.msg);
		_cleanup_free_ char *dir = xasprintf("%s/%s", r->o->root, r->o->id);
		if (supervisor_stop(dir, &ignored) < 0)
			log_warn("cleanup after failed create: %s", ignored.msg);
	}
	if (r->c && container_remove_dir(r->c, &ignored) < 0)
		log_warn("cleanup after failed create: %s", ignored.msg);
}

int container_create(const struct create_opts *o, struct container **out, struct werr *e)
{
	struct create_run r = {.o = o,
			       .listen_fd = -1,
			       .console_fd = o->console_fd,
			       .sync = {-1, -1},
			       .init_pidfd = -1,
			       .sup_sock = -1,
			       .sup_spawn = {.mid = -1, .report = -1},
			       .agent_sock = -1};
	int rc = -1;

	if (container_id_validate(o->id, e) < 0 || load_bundle(&r, e) < 0 || validate(&r, e) < 0)
		goto out;
	if (container_new(o->root, o->id, &r.c, e) < 0)
		goto out;
	if ((r.listen_fd = make_start_socket(r.c, e)) < 0)
		goto fail;
	if (cgroup_create(r.cfg->linux_.cgroups_path, o->id, &r.cfg->linux_.resources, &r.cg, e) <
	    0)
		goto fail;
	if (o->console_socket && (r.console_fd = console_socket_connect(o->console_socket, e)) < 0)
		goto fail;
	if (r.ward.has_listener && start_supervisor(&r, e) < 0)
		goto fail;
	const struct oci_seccomp *sc = &r.cfg->linux_.seccomp;
	if (r.has_seccomp && r.seccomp.has_notify && sc->listener_path && *sc->listener_path &&
	    (r.agent_sock = seccomp_oci_agent_connect(sc->listener_path, e)) < 0)
		goto fail;
	/* idmapped mounts need the host's rights over the source: made here, attached by init */
	if (rootfs_idmap_prepare(r.cfg, r.bundle, &r.idmap_fds, e) < 0)
		goto fail;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, r.sync) < 0) {
		werr_sys(e, "socketpair");
		goto fail;
	}
	if (spawn_init(&r, e) < 0 || drive_init(&r, e) < 0)
		goto fail;
	if (supervisor_spawn_end(&r.sup_spawn, NULL, e) < 0) {
		werr_wrap(e, "start supervisor");
		goto fail;
	}

	struct container *c = r.c;
	c->pid = r.init_pid;
	c->pid_start = proc_start_time(r.init_pid);
	c->bundle = xstrdup(r.bundle);
	c->rootfs = r.cfg->root.path[0] == '/' ? xstrdup(r.cfg->root.path)
					       : xasprintf("%s/%s", r.bundle, r.cfg->root.path);
	c->created = now_rfc3339();
	c->owner = owner_name();
	c->cgroup = r.cg ? cgroup_describe(r.cg) : NULL;
	c->policy = take_ptr(r.policy_name);
	if (container_save(c, r.config_json, r.config_len, e) < 0)
		goto fail;
	if (save_policy(c, r.policy, e) < 0)
		goto fail;
	if (r.ward.prog.len && ward_filter_save(&r.ward, c->dir_fd, "filter.bpf", e) < 0)
		goto fail;
	if (o->pid_file && write_pid_file(o->pid_file, r.init_pid, e) < 0)
		goto fail;
	*out = take_ptr(r.c);
	rc = 0;
	goto out;
fail:
	create_rollback(&r);
out:
	create_run_release(&r);
	return rc;
}
