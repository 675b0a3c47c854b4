#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Many create/start/kill/delete cycles leave nothing behind: no mount, cgroup, process,
# fd of ward's, or state dir.

load helpers

CYCLES=${WARD_CYCLES:-500}

cgroup_dirs() {
	find /sys/fs/cgroup -type d -name "$1-*" 2>/dev/null | sort
}

@test "$CYCLES create/start/kill/delete cycles leave no trace" {
	setup_bundle sleep 1000
	prefix=cyc$$
	echo "$prefix" >>"$WARD_TEST_DIR/ids"
	mounts_before=$(wc -l </proc/self/mountinfo)
	procs_before=$(ps -e --no-headers | wc -l)
	for ((i = 0; i < CYCLES; i++)); do
		id=$prefix-$i
		echo "$id" >>"$WARD_TEST_DIR/ids"
		ward_cmd create -b "$BUNDLE" "$id"
		ward_cmd start "$id"
		ward_cmd kill "$id" KILL
		ward_cmd delete --force "$id"
	done
	[ -z "$(ls -A "$WARD_ROOT")" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts_before" ]
	[ -z "$(cgroup_dirs "$prefix")" ]
	# nothing of ours is left running (allow for unrelated host churn of a few processes)
	! pgrep -f "sleep 1000" >/dev/null
	procs_after=$(ps -e --no-headers | wc -l)
	[ "$procs_after" -le $((procs_before + 5)) ]
}
