/* SPDX-License-Identifier: Apache-2.0 */
/*
 * <sys/stat.h> for the musl builds: musl 1.2.3 has no statx (1.2.5 does). The structure
 * is the kernel's (include/uapi/linux/stat.h, 256 bytes); <linux/stat.h> itself would
 * redefine musl's S_IF* macros.
 */
#ifndef WARD_MUSL_SYS_STAT_H
#define WARD_MUSL_SYS_STAT_H

#include_next <sys/stat.h>

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef STATX_INO
struct statx_timestamp {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t __reserved;
};

struct statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t __spare0[1];
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major;
	uint32_t stx_rdev_minor;
	uint32_t stx_dev_major;
	uint32_t stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t __spare3[12];
};
_Static_assert(sizeof(struct statx) == 256, "struct statx is the kernel's");

#define STATX_TYPE            0x00000001U
#define STATX_MODE            0x00000002U
#define STATX_INO             0x00000100U
#define STATX_MNT_ID          0x00001000U
#define AT_STATX_SYNC_AS_STAT 0x0000
#define AT_STATX_DONT_SYNC    0x4000

static inline int statx(int dfd, const char *path, int flags, unsigned int mask, struct statx *buf)
{
	return (int)syscall(SYS_statx, dfd, path, flags, mask, buf);
}
#endif

#endif
