#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Many create/start/kill/delete cycles leave nothing behind: no mount, cgroup, container
# process, supervisor or state dir.

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
	pids=()
	for ((i = 0; i < CYCLES; i++)); do
		id=$prefix-$i
		echo "$id" >>"$WARD_TEST_DIR/ids"
		ward_cmd create -b "$BUNDLE" "$id"
		ward_cmd start "$id"
		pids+=("$(state_field "$id" pid)")
		ward_cmd kill "$id" KILL
		ward_cmd delete --force "$id"
	done
	[ -z "$(ls -A "$WARD_ROOT")" ]
	[ "$(wc -l </proc/self/mountinfo)" -eq "$mounts_before" ]
	[ -z "$(cgroup_dirs "$prefix")" ]
	# no container process of ours is left running, nor a supervisor
	for pid in "${pids[@]}"; do
		[ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
	done
	run pgrep -f "__supervise --state-dir $WARD_ROOT" -r R,S,D
	[ "$status" -eq 1 ]
}
