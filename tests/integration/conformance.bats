#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Regression tests for behaviours the OCI runtime-tools validation suite checks
# (github.com/opencontainers/runtime-tools, validation/): each test names the validation
# test that found the bug.

load helpers

# Without noNewPrivileges the config's filter is loaded before the user change, so every
# later step of init runs under it. runtime-tools' default profile (validation: default,
# create, state, kill, ... - nearly all) allows no close_range.
@test "seccomp without noNewPrivileges: a profile refusing close_range does not break init" {
	setup_bundle sh -c 'echo started'
	cfg_set .process.noNewPrivileges false
	cfg_set .linux.seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["close_range"],"action":"SCMP_ACT_ERRNO"}]}'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *started* ]]
	# the same with the supervisor off: the fix must not depend on it
	run ward_cmd --policy none run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *started* ]]
}

# validation: poststart_fail, poststop_fail. The spec: a failing poststart or poststop hook
# is logged as a warning and "the remaining hooks and lifecycle continue as if the hook had
# succeeded" - every later hook of the list still runs.
@test "a failing poststart/poststop hook is a warning; the hooks after it still run" {
	setup_bundle sleep 1000
	out=$WARD_TEST_DIR/hooks.out
	for kind in poststart poststop; do
		cfg_append .hooks.$kind '{"path":"/bin/false","args":["false"]}'
		cfg_append .hooks.$kind "{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"echo $kind-2 >>$out\"]}"
	done
	id=$(new_id)
	ward_cmd create -b "$BUNDLE" "$id" >/dev/null 2>&1
	run ward_cmd start "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststart hook 0"* ]]
	[ "$(cat "$out")" = poststart-2 ]
	[ "$(state_field "$id" status)" = running ]
	ward_cmd kill "$id" KILL
	wait_for_status "$id" stopped
	run ward_cmd delete "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"poststop hook 0"* ]]
	[ "$(cat "$out")" = "$(printf 'poststart-2\npoststop-2')" ]
	[ ! -e "$WARD_ROOT/$id" ]
}
