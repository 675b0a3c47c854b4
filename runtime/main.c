/* SPDX-License-Identifier: Apache-2.0 */
#include "../common/log.h"
#include "cli.h"
#include "exe_seal.h"
#include "init.h"

int main(int argc, char **argv)
{
	/* commands that start container processes run from a copy of ward that no process can
	 * write, before anything else happens (CVE-2019-5736, see exe_seal.h) */
	struct werr e;
	if (exe_seal_wanted(argc, argv) && exe_seal_reexec(argv, &e) < 0) {
		log_fatal(&e);
		return 1;
	}
	/* before any fd of our own exists: --preserve-fds passes on only what our caller gave */
	record_inherited_fds();
	return cli_main(argc, argv);
}
