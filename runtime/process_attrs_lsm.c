/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.apparmorProfile and process.selinuxLabel: both are "on exec"
 * labels written to procfs, applied by the kernel at execve.  A label asked
 * for on a host without that LSM is refused: running the container without the
 * confinement its config demands would be a silent downgrade.
 */
#include "process_attrs_internal.h"

#include <stdio.h>
#include <string.h>

#include "../common/cleanup.h"
#include "../common/util.h"

static bool set(const char *s)
{
	return s && s[0];
}

/* AppArmor answers reads of its own attr directory only when it is the active LSM. */
bool lsm_apparmor_enabled(int proc_fd)
{
	char buf[256];
	return procfs_read(proc_fd, "thread-self/attr/apparmor/current", buf, sizeof(buf)) > 0;
}

/* selinuxfs is registered only when SELinux was enabled at boot. */
bool lsm_selinux_enabled(int proc_fd)
{
	char buf[4096];
	if (procfs_read(proc_fd, "filesystems", buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, "\tselinuxfs\n") != NULL;
}

int lsm_validate(const struct oci_process *p, int proc_fd, struct werr *e)
{
	if (set(p->apparmor_profile) && !lsm_apparmor_enabled(proc_fd))
		return werr_set(e, 0,
				"process.apparmorProfile \"%s\" is set but AppArmor is not enabled "
				"on this host",
				p->apparmor_profile);
	if (set(p->selinux_label) && !lsm_selinux_enabled(proc_fd))
		return werr_set(e, 0,
				"process.selinuxLabel \"%s\" is set but SELinux is not enabled on "
				"this host",
				p->selinux_label);
	return 0;
}

int lsm_apply(const struct oci_process *p, int proc_fd, struct werr *e)
{
	if (lsm_validate(p, proc_fd, e) < 0)
		return -1;
	if (set(p->apparmor_profile)) {
		_cleanup_free_ char *cmd = xasprintf("exec %s", p->apparmor_profile);
		/* Kernels since 5.8 have AppArmor's own directory; older ones only attr/exec. */
		if (procfs_write(proc_fd, "thread-self/attr/apparmor/exec", cmd, e) < 0) {
			if (e->errnum != ENOENT)
				return werr_wrap(e, "apply AppArmor profile \"%s\"",
						 p->apparmor_profile);
			if (procfs_write(proc_fd, "thread-self/attr/exec", cmd, e) < 0)
				return werr_wrap(e, "apply AppArmor profile \"%s\"",
						 p->apparmor_profile);
		}
	}
	if (set(p->selinux_label) &&
	    procfs_write(proc_fd, "thread-self/attr/exec", p->selinux_label, e) < 0)
		return werr_wrap(e, "set SELinux exec label \"%s\"", p->selinux_label);
	return 0;
}
