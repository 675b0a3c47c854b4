/* SPDX-License-Identifier: Apache-2.0 */
#include "cli.h"
#include "init.h"

int main(int argc, char **argv)
{
	/* before any fd of our own exists: --preserve-fds passes on only what our caller gave */
	record_inherited_fds();
	return cli_main(argc, argv);
}
