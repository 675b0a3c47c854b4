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
