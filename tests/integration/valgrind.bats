#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The short-lived commands release everything they allocate: valgrind finds no leak and no
# invalid access in spec, features, help, state, list, ps, events, kill and failing commands.

load helpers

# ward is a static binary, in which valgrind cannot follow malloc and free: the same
# program linked dynamically stands in for it here (build/ward-dynamic).
WARD_VG=${WARD_DYNAMIC:-$REPO/build/ward-dynamic}

vg() {
	valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
		--trace-children=no "$WARD_VG" --root "$WARD_ROOT" "$@"
}

@test "valgrind: spec, features, help and usage errors leak nothing" {
	command -v valgrind
	cd "$WARD_TEST_DIR"
	run vg spec
	[ "$status" -eq 0 ]
	run vg features
	[ "$status" -eq 0 ]
	run vg --help
	[ "$status" -eq 0 ]
	run vg state --bogus x
	[ "$status" -eq 1 ]
	run vg nosuchcommand
	[ "$status" -eq 3 ]
	run vg --log "$WARD_TEST_DIR/log.json" --log-format json state nosuch
	[ "$status" -eq 1 ]
}

@test "valgrind: a malformed config.json is refused without a leak" {
	setup_bundle /bin/true
	cfg_set .linux.resources.memory.limit '"lots"'
	run vg create -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"linux.resources.memory.limit: expected an integer"* ]]
}

@test "valgrind: state, list, ps, events, kill of a running container leak nothing" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id"
	for cmd in "state $id" "list" "list --format json" "ps --format json $id" \
		"events --stats $id" "kill $id 0" "audit $id"; do
		# shellcheck disable=SC2086
		run vg $cmd
		echo "$cmd: $output"
		[ "$status" -eq 0 ]
	done
}
