/* SPDX-License-Identifier: Apache-2.0 */
/*
 * <sys/pidfd.h> for the musl build of ward-supervisor: musl 1.2.3 has no pidfd wrappers
 * (glibc 2.36 does), so the ones the supervisor uses are raw system calls here.
 */
#ifndef WARD_MUSL_SYS_PIDFD_H
#define WARD_MUSL_SYS_PIDFD_H

#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline int pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

static inline int pidfd_getfd(int pidfd, int targetfd, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_getfd, pidfd, targetfd, flags);
}

static inline int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags);
}

#endif
