/* SPDX-License-Identifier: Apache-2.0 */
#include "exec.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/log.h"
#include "../common/util.h"
#include "cgroup.h"
#include "console.h"
#include "init.h"
#include "mount_fd.h"
#include "namespaces.h"
#include "process_attrs.h"
#include "seccomp_oci.h"
#include "landlock.h"
#include "policy.h"
#include "supervisor_client.h"
#include "sync.h"
#include "ward_filter.h"

static const char *const ns_files[OCI_NS_COUNT] = {
	[OCI_NS_PID] = "pid",       [OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt",
	[OCI_NS_IPC] = "ipc",       [OCI_NS_UTS] = "uts",     [OCI_NS_USER] = "user",
	[OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

/* The namespaces of pid that differ from ours: the ones to join. */
static int namespaces_to_join(pid_t pid, struct werr *e)
{
	int flags = 0;
	for (int t = 0; t < OCI_NS_COUNT; t++) {
		char path[64];
		struct stat theirs, ours;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns_files[t]);
		if (stat(path, &theirs) < 0) {
			if (errno == ENOENT)
				continue; /* namespace type unknown to this kernel */
			return werr_sys(e, "stat %s", path);
		}
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_files[t]);
		if (stat(path, &ours) < 0)
			return werr_sys(e, "stat %s", path);
		if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev)
			flags |= ns_clone_flag((enum oci_ns_type)t);
	}
	return flags;
}

/* No mount namespace of its own (none, or joined by path): init is chrooted into a copy of
 * its rootfs that no namespace shows (rootfs.h), so exec enters it through init's root. */
static bool shares_mount_ns(const struct oci_config *cfg)
{
	for (size_t i = 0; i < cfg->linux_.n_namespaces; i++) {
		const struct oci_namespace *ns = &cfg->linux_.namespaces[i];
		if (ns->type == OCI_NS_MOUNT)
			return ns->path && *ns->path;
	}
	return true;
}

struct exec_child {
	const struct exec_opts *o;
	const struct ward_filter *ward;
	int sup_sock;
	pid_t host_pid; /* our pid as the host (and the supervisor) sees it */
	const struct oci_personality *personality;
	struct seccomp_oci *seccomp;
	int agent_sock; /* linux.seccomp.listenerPath, connected before we entered the container */
	const char *listener_metadata;
	char *state_json; /* for the seccomp agent */
	int sync_fd;
	int console_fd;
	const struct ward_policy *policy;
	const char *container_cwd; /* process.cwd of the container: the policy's "$cwd" */
};

/* As in init: ward's filter and its handoff first, then the container's own profile. */
static int load_seccomp(const struct exec_child *x, struct werr *e)
{
	int listener = -1;
	if (supervisor_install_filter(x->ward, x->sup_sock, x->host_pid, e) < 0)
		return werr_wrap(e, "supervisor");
	if (!x->seccomp)
		return 0;
	if (seccomp_oci_load(x->seccomp, &listener, e) < 0)
		return -1;
	int r = 0;
	if (listener >= 0 && x->agent_sock >= 0)
		r = seccomp_oci_send_listener_on(x->agent_sock, x->listener_metadata, x->host_pid,
						 x->state_json, listener, e);
	if (listener >= 0)
		close(listener);
	return r;
}

static int exec_setup(struct exec_child *x, char **exe, struct werr *e)
{
	const struct oci_process *p = x->o->process;
	int slave = -1;
	if (p->exec_cpu_affinity.present && p->exec_cpu_affinity.initial &&
	    cpu_affinity_apply(p->exec_cpu_affinity.initial, e) < 0)
		return werr_wrap(e, "process.execCPUAffinity.initial");
	/* the parent moves us into the container's cgroup, then lets us go on */
	int32_t host_pid;
	if (sync_expect(x->sync_fd, SYNC_GO, &host_pid, e) < 0)
		return -1;
	x->host_pid = host_pid;
	if (p->exec_cpu_affinity.present && p->exec_cpu_affinity.final &&
	    cpu_affinity_apply(p->exec_cpu_affinity.final, e) < 0)
		return werr_wrap(e, "process.execCPUAffinity.final");
	/* a procfs instance of our own in the container's pid namespace for the attribute
	 * writes; where the kernel refuses one (a user namespace whose /proc is partly masked),
	 * the container's /proc, checked on every open */
	int proc_fd = -1;
	struct werr pe;
	if (mount_new_fs_detached("proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, &proc_fd, &pe) <
	    0)
		proc_fd = -1;
	if (process_apply_early(p, x->personality, proc_fd, e) < 0)
		return -1;
	if (p->terminal) {
		int master;
		if (console_open_pty(AT_FDCWD, "/dev/pts/ptmx", &master, &slave, e) < 0)
			return werr_wrap(e, "process.terminal");
		if (p->has_console_size &&
		    console_set_size(master, p->console_height, p->console_width, e) < 0)
			return -1;
		int r = send_fd(x->console_fd, "/dev/pts/ptmx", master, e);
		close(master);
		if (r < 0 || console_make_controlling(slave, e) < 0)
			return werr_wrap(e, "process.terminal");
		close(slave);
	} else if (setsid() < 0 && errno != EPERM) {
		return werr_sys(e, "setsid");
	}
	if (process_apply_confinement(p, proc_fd, e) < 0)
		return -1;
	/* as in init: privileged still, and before the config's seccomp profile */
	if (landlock_restrict(x->policy, x->container_cwd, e) < 0)
		return werr_wrap(e, "policy");
	if (process_seccomp_before_identity(p) && load_seccomp(x, e) < 0)
		return -1;
	if (process_apply_identity(p, proc_fd, e) < 0)
		return -1;
	if (process_chdir(p->cwd, e) < 0)
		return -1;
	*exe = init_lookup_executable(p->args[0], p->env, p->n_env, e);
	if (!*exe)
		return werr_wrap(e, "process.args[0]");
	return init_prepare_fds(x->o->preserve_fds, ward_inherited_fds, e);
}

static void __attribute__((noreturn)) exec_child_main(struct exec_child *x)
{
	struct werr e;
	char *exe = NULL;
	werr_clear(&e);
	if (exec_setup(x, &exe, &e) < 0)
		goto fail;
	init_reset_signals();
	if (!process_seccomp_before_identity(x->o->process) && load_seccomp(x, &e) < 0)
		goto fail;
	const struct oci_process *p = x->o->process;
	execve(exe, strv_terminated(p->args, p->n_args), strv_terminated(p->env, p->n_env));
	werr_sys(&e, "exec %s", exe);
fail:
	sync_send_error(x->sync_fd, &e);
	_exit(127);
}

/* The policy as it was at create (state dir copy), not as its file reads today. */
static int load_container_policy(struct container *c, struct ward_policy **out, struct werr *e)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	if (read_file_at(c->dir_fd, "policy.json", 1u << 20, &buf, &len, e) < 0)
		return werr_wrap(e, "policy of container %s", c->id);
	return policy_parse(buf, len, "policy.json", out, e);
}

/* The filter create compiled from that policy; compiled again for a container whose state
 * has none (created by an earlier ward, or with an empty filter). */
static int load_container_filter(struct container *c, const struct ward_policy *policy,
				 struct ward_filter *out, struct werr *e)
{
	if (!policy->supervise)
		return ward_filter_build(policy, out, e); /* no filter: nothing saved */
	struct werr fe;
	if (ward_filter_read(c->dir_fd, "filter.bpf", out, &fe) == 0) {
		/* made from this policy: the same calls mediated */
		if (out->mediated == ward_filter_mediated(policy))
			return 0;
		werr_set(&fe, EINVAL, "filter.bpf does not match policy.json");
		ward_filter_release(out);
	}
	if (fe.errnum != ENOENT)
		log_debug("exec: %s; compiling the policy again", fe.msg);
	return ward_filter_build(policy, out, e);
}

int container_exec(struct container *c, const struct exec_opts *o, pid_t *out_pid, struct werr *e)
{
	const struct oci_config *cfg = container_config(c, e);
	if (!cfg)
		return -1;
	if (!o->process->n_args)
		return werr_code(e, EINVAL, "process args cannot be empty");
	if (process_attrs_validate(o->process, &cfg->linux_.personality, -1, e) < 0)
		return -1;
	_cleanup_close_ int pidfd = container_pidfd(c, e);
	if (pidfd < 0)
		return -1;
	int flags = namespaces_to_join(c->pid, e);
	if (flags < 0)
		return -1;
	_cleanup_close_ int root_fd = -1;
	if (shares_mount_ns(cfg)) {
		char rp[64];
		snprintf(rp, sizeof(rp), "/proc/%d/root", (int)c->pid);
		root_fd = open(rp, O_PATH | O_DIRECTORY | O_CLOEXEC);
		/* still alive after the open: the pid was not reused under us */
		if (root_fd < 0 || syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
			return werr_sys(e, "open the root of container %s", c->id);
	}

	struct seccomp_oci sc;
	bool has_seccomp = false;
	if (cfg->linux_.seccomp.present) {
		if (seccomp_oci_compile(&cfg->linux_.seccomp, &sc, e) < 0)
			return -1;
		has_seccomp = true;
	}
	/* the container's policy applies to exec'd processes exactly as to init's descendants */
	struct ward_policy *policy = NULL;
	struct ward_filter ward = {0};
	int sup_sock = -1, agent_sock = -1;
	struct cgroup *cg = NULL;
	int console_fd = o->console_fd;
	int sv[2] = {-1, -1};
	pid_t pid = -1;
	int rc = -1;
	if (load_container_policy(c, &policy, e) < 0 ||
	    load_container_filter(c, policy, &ward, e) < 0)
		goto out;
	if (ward.has_listener) {
		_cleanup_free_ char *dir = xasprintf("%s/%s", c->root, c->id);
		if ((sup_sock = supervisor_connect(dir, e)) < 0) {
			werr_wrap(e, "exec: the container's supervisor");
			goto out;
		}
	}
	const struct oci_seccomp *osc = &cfg->linux_.seccomp;
	if (has_seccomp && sc.has_notify && osc->listener_path && *osc->listener_path &&
	    (agent_sock = seccomp_oci_agent_connect(osc->listener_path, e)) < 0)
		goto out;
	if (c->cgroup && cgroup_open(c->cgroup, &cg, e) < 0)
		goto out;
	if (o->console_socket && (console_fd = console_socket_connect(o->console_socket, e)) < 0)
		goto out;
	if (o->process->terminal && console_fd < 0) {
		werr_code(e, EINVAL, "--tty needs --console-socket when detached");
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		werr_sys(e, "socketpair");
		goto out;
	}
	pid_t mid = fork();
	if (mid < 0) {
		werr_sys(e, "fork");
		goto out;
	}
	if (mid == 0) {
		/* joins, then clones the real process as a sibling: our parent's child, not ours */
		struct werr ce;
		close(sv[0]);
		/* the container's lock must not outlive this command in our child */
		close(c->lock_fd);
		if (flags && setns(pidfd, flags) < 0) {
			werr_sys(&ce, "join the namespaces of container %s", c->id);
			sync_send_error(sv[1], &ce);
			_exit(1);
		}
		if (root_fd >= 0 && (fchdir(root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)) {
			werr_sys(&ce, "enter the root of container %s", c->id);
			sync_send_error(sv[1], &ce);
			_exit(1);
		}
		/* no host directory (the state dir) and no pidfd goes into the container's pid
		 * namespace with the exec process (CVE-2016-9962) */
		close(pidfd);
		pidfd = -1;
		close(c->dir_fd);
		c->dir_fd = -1;
		/* with CLONE_PARENT the kernel takes our own exit signal (SIGCHLD): it must be 0
		 * here */
		struct clone_args args = {.flags = CLONE_PARENT};
		long child = syscall(SYS_clone3, &args, sizeof(args));
		if (child < 0) {
			werr_sys(&ce, "clone exec process");
			sync_send_error(sv[1], &ce);
			_exit(1);
		}
		if (child == 0) {
			struct exec_child x = {
				.o = o,
				.ward = &ward,
				.sup_sock = sup_sock,
				.personality = &cfg->linux_.personality,
				.seccomp = has_seccomp ? &sc : NULL,
				.agent_sock = agent_sock,
				.listener_metadata = cfg->linux_.seccomp.listener_metadata,
				.state_json = container_state_json(c, STATUS_RUNNING, false),
				.sync_fd = sv[1],
				.console_fd = console_fd,
				.policy = policy,
				.container_cwd = cfg->process.cwd,
			};
			exec_child_main(&x);
		}
		_exit(sync_send(sv[1], SYNC_PID, (int32_t)child, &ce) < 0);
	}
	close(sv[1]);
	sv[1] = -1;
	int32_t p32 = 0;
	int r = sync_expect(sv[0], SYNC_PID, &p32, e);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		goto out;
	pid = p32;
	if (cg && cgroup_add_pid(cg, pid, e) < 0) {
		werr_wrap(e, "exec: join the container's cgroup");
		goto out;
	}
	if (sync_send(sv[0], SYNC_GO, pid, e) < 0)
		goto out;
	/* EOF: the process exec'd (its end was close-on-exec); a message: it failed */
	struct sync_msg m;
	ssize_t n;
	do
		n = recv(sv[0], &m, sizeof(m), 0);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		m.text[sizeof(m.text) - 1] = '\0';
		/* the child's message is complete already */
		werr_code(e, m.value, "%s", m.text);
		goto out;
	}
	*out_pid = pid;
	pid = -1;
	rc = 0;
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (console_fd >= 0 && console_fd != o->console_fd)
		close(console_fd);
	if (has_seccomp)
		seccomp_oci_release(&sc);
	if (sup_sock >= 0)
		close(sup_sock);
	if (agent_sock >= 0)
		close(agent_sock);
	ward_filter_release(&ward);
	policy_free(policy);
	cgroup_free(cg);
	return rc;
}
