/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "../shim/sup_proto.h"
#include "../shim/supervisor.h"
#include "cli.h"
#include "init.h"

int main(int argc, char **argv)
{
	/* `ward create` re-executes itself as the container's supervisor */
	if (argc > 1 && strcmp(argv[1], SUP_ARGV1) == 0)
		return supervisor_cli(argc, argv);
	/* before any fd of our own exists: --preserve-fds passes on only what our caller gave */
	record_inherited_fds();
	return cli_main(argc, argv);
}
