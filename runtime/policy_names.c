/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names used in policy documents and audit lines: process-operation groups,
 * socket families and the errnos a policy may choose.
 */
#include "policy.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "../common/util.h"

static const char *const group_names[] = {
	"userns", "mount",   "ptrace", "process_vm", "keyring",     "bpf",
	"perf",   "modules", "kexec",  "io_uring",   "userfaultfd",
};

const char *policy_proc_group_name(enum ward_proc_group g)
{
	for (unsigned i = 0; i < ARRAY_SIZE(group_names); i++)
		if ((unsigned)g == 1u << i)
			return group_names[i];
	return NULL;
}

static const struct {
	const char *name;
	int af;
} families[] = {
	{"unspec", AF_UNSPEC},
	{"unix", AF_UNIX},
	{"inet", AF_INET},
	{"ax25", AF_AX25},
	{"ipx", AF_IPX},
	{"appletalk", AF_APPLETALK},
	{"netrom", AF_NETROM},
	{"bridge", AF_BRIDGE},
	{"atmpvc", AF_ATMPVC},
	{"x25", AF_X25},
	{"inet6", AF_INET6},
	{"rose", AF_ROSE},
	{"decnet", AF_DECnet},
	{"netbeui", AF_NETBEUI},
	{"security", AF_SECURITY},
	{"key", AF_KEY},
	{"netlink", AF_NETLINK},
	{"packet", AF_PACKET},
	{"ash", AF_ASH},
	{"econet", AF_ECONET},
	{"atmsvc", AF_ATMSVC},
	{"rds", AF_RDS},
	{"sna", AF_SNA},
	{"irda", AF_IRDA},
	{"pppox", AF_PPPOX},
	{"wanpipe", AF_WANPIPE},
	{"llc", AF_LLC},
	{"ib", AF_IB},
	{"mpls", AF_MPLS},
	{"can", AF_CAN},
	{"tipc", AF_TIPC},
	{"bluetooth", AF_BLUETOOTH},
	{"iucv", AF_IUCV},
	{"rxrpc", AF_RXRPC},
	{"isdn", AF_ISDN},
	{"phonet", AF_PHONET},
	{"ieee802154", AF_IEEE802154},
	{"caif", AF_CAIF},
	{"alg", AF_ALG},
	{"nfc", AF_NFC},
	{"vsock", AF_VSOCK},
	{"kcm", AF_KCM},
	{"qipcrtr", AF_QIPCRTR},
	{"smc", AF_SMC},
	{"xdp", 44},
	{"mctp", 45},
};

int policy_family_from_name(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(families); i++)
		if (strcmp(families[i].name, name) == 0)
			return families[i].af;
	return -1;
}

const char *policy_family_name(int family)
{
	for (size_t i = 0; i < ARRAY_SIZE(families); i++)
		if (families[i].af == family)
			return families[i].name;
	return NULL;
}

static const struct {
	const char *name;
	int errnum;
} errnos[] = {
	{"EPERM", EPERM},
	{"EACCES", EACCES},
	{"ENOSYS", ENOSYS},
	{"EINVAL", EINVAL},
	{"EAFNOSUPPORT", EAFNOSUPPORT},
	{"EPROTONOSUPPORT", EPROTONOSUPPORT},
	{"ECONNREFUSED", ECONNREFUSED},
	{"ENETUNREACH", ENETUNREACH},
	{"EHOSTUNREACH", EHOSTUNREACH},
	{"EOPNOTSUPP", EOPNOTSUPP},
	{"EADDRNOTAVAIL", EADDRNOTAVAIL},
	{"EADDRINUSE", EADDRINUSE},
	{"EINPROGRESS", EINPROGRESS},
	{"EALREADY", EALREADY},
	{"EISCONN", EISCONN},
	{"ENOTCONN", ENOTCONN},
	{"ENOTSOCK", ENOTSOCK},
	{"EBADF", EBADF},
	{"EFAULT", EFAULT},
	{"EINTR", EINTR},
	{"EAGAIN", EAGAIN},
	{"EPIPE", EPIPE},
	{"ECONNRESET", ECONNRESET},
	{"ETIMEDOUT", ETIMEDOUT},
	{"EMSGSIZE", EMSGSIZE},
	{"ENOENT", ENOENT},
	{"ENOTDIR", ENOTDIR},
	{"ELOOP", ELOOP},
	{"ENAMETOOLONG", ENAMETOOLONG},
	{"ENOMEM", ENOMEM},
	{"ENOBUFS", ENOBUFS},
	{"EDESTADDRREQ", EDESTADDRREQ},
	{"ESRCH", ESRCH},
	{"ENXIO", ENXIO},
	{"EROFS", EROFS},
};

/* Errnos a policy may choose for refusals (a subset of the names above). */
static const char *const policy_errnos[] = {
	"EPERM",        "EACCES",      "ENOSYS",       "EINVAL",     "EAFNOSUPPORT",
	"ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "EOPNOTSUPP", NULL,
};

int policy_errno_from_name(const char *name)
{
	for (size_t i = 0; name && policy_errnos[i]; i++)
		if (strcmp(policy_errnos[i], name) == 0)
			for (size_t k = 0; k < ARRAY_SIZE(errnos); k++)
				if (strcmp(errnos[k].name, name) == 0)
					return errnos[k].errnum;
	return -1;
}

const char *policy_errno_name(int errnum)
{
	for (size_t k = 0; k < ARRAY_SIZE(errnos); k++)
		if (errnos[k].errnum == errnum)
			return errnos[k].name;
	return NULL;
}

int policy_proc_group_from_name(const char *name)
{
	for (unsigned i = 0; name && i < ARRAY_SIZE(group_names); i++)
		if (strcmp(group_names[i], name) == 0)
			return (int)(1u << i);
	return -1;
}
