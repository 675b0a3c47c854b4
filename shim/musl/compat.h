/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Included first in every file of the musl builds of ward and ward-supervisor (-include):
 * the few constants and wrappers glibc 2.36's headers have and musl 1.2.3's lack. The
 * values are the kernel's (asm-generic/socket.h); glibc's headers, where they exist, say
 * the same. sys/mount.h, sys/stat.h and sys/pidfd.h beside this file add the rest.
 */
#ifndef WARD_MUSL_COMPAT_H
#define WARD_MUSL_COMPAT_H

#define SO_TIMESTAMPING_OLD 37
#define SO_TIMESTAMPING_NEW 65

#include <sys/syscall.h>
#include <unistd.h>

static inline int close_range(unsigned int first, unsigned int last, int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

#endif
