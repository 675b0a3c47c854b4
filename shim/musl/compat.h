/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Included first in every file of the musl build of ward-supervisor (-include): the few
 * constants glibc 2.36's headers have and musl 1.2.3's lack. The values are the kernel's
 * (asm-generic/socket.h); glibc's headers, where they exist, say the same.
 */
#ifndef WARD_MUSL_COMPAT_H
#define WARD_MUSL_COMPAT_H

#define SO_TIMESTAMPING_OLD 37
#define SO_TIMESTAMPING_NEW 65

#endif
