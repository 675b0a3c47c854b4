/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ward-supervisor: the per-container supervisor as a program of its own.
 *
 * One of these runs beside every supervised container for as long as the container lives,
 * so what it keeps resident counts hundreds of times: it links only the supervisor, the
 * policy code and common/ (no libmount, libcap, CLI), statically, against musl when the
 * build has musl-gcc (see the Makefile), and it is started only by supervisor_spawn()
 * (runtime/supervisor_client.h) as
 *   ward-supervisor __supervise --state-dir D --id ID --policy P --listen-fd 3
 */
#include <stdio.h>
#include <string.h>

#include "sup_proto.h"
#include "supervisor.h"

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], SUP_ARGV1) != 0) {
		fprintf(stderr,
			"%s: started by ward for each supervised container; not a command "
			"to run by hand\n",
			argc > 0 ? argv[0] : SUP_BINARY);
		return 2;
	}
	return supervisor_cli(argc, argv);
}
