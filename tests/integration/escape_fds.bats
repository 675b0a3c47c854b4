#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# CVE-2016-9962 and CVE-2024-21626: runtime file descriptors that reach the container.
#
# Outcomes (recorded with ESCAPE_RUNTIME=/usr/sbin/runc, Debian's runc 1.1.5+ds1-1+deb12u1):
#   fd inventory: runc passes (0,1,2 only).
#   process.cwd=/proc/self/fd/N: runc does not fall (the deb12u1 update carries the
#     CVE-2024-21626 fix: runc refuses a cwd outside the root).
#   exec --cwd /proc/self/fd/N: runc does not fall.
#   racing /proc/PID/fd of the exec process: runc does not fall.
#   ward before the fixes: exec --cwd /proc/self/fd/N FELL for the N of the exec process's
#     host directory fds (state dir, cgroup dirs): cwd outside the root, canary written;
#     the exec process stayed dumpable after dropping capabilities, so the racer could open
#     its fds too.
#   ward now: the cwd is checked to be below the root after chdir (refused otherwise),
#     the exec process is non-dumpable until execve, every fd is close-on-exec.

load helpers
load escape_common

setup() {
	ward_common_setup
	esc_setup
}

teardown() {
	ward_common_teardown
}

# fds_of OUTPUT: the fd numbers a `probe fds` printed, space separated
fds_of() {
	grep -oE '^fd\.[0-9]+=' <<<"$1" | tr -dc '0-9\n' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

@test "fd inventory: the container's process has exactly stdio (with and without a supervisor)" {
	for policy in default none; do
		rm -rf "$BUNDLE"
		setup_bundle /bin/probe fds
		esc_is_ward && cfg_set '.annotations["dev.ward.policy"]' "$policy"
		run ward_cmd run -b "$BUNDLE" "$(new_id)"
		echo "$policy: $output"
		[ "$status" -eq 0 ]
		[ "$(fds_of "$output")" = "0 1 2" ]
	done
}

@test "fd inventory: --preserve-fds passes exactly the fds asked for" {
	setup_bundle /bin/probe fds
	run ward_cmd run --preserve-fds 2 -b "$BUNDLE" "$(new_id)" 3</dev/null 4</dev/null 5</dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(fds_of "$output")" = "0 1 2 3 4" ]
}

@test "fd inventory: an exec'd process has exactly stdio" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id" >/dev/null 2>&1
	run ward_cmd exec "$id" /bin/probe fds
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(fds_of "$output")" = "0 1 2" ]
	# and nothing the runtime holds is visible through the exec'd process's /proc
	run ward_cmd exec "$id" sh -c 'ls -l /proc/self/fd/ | grep -c -- "->"'
	[ "$status" -eq 0 ]
}

@test "CVE-2024-21626: process.cwd=/proc/self/fd/N is refused or stays inside the root (N=3..20)" {
	setup_bundle /bin/attack_fds cwd "$ESC_CANARY/file"
	for n in $(seq 3 20); do
		cfg_set .process.cwd "/proc/self/fd/$n"
		out=$WARD_TEST_DIR/cwd-$n.out
		rc=0
		timeout 60 "$WARD" --root "$WARD_ROOT" run -b "$BUNDLE" "$(new_id)" >"$out" 2>&1 || rc=$?
		echo "N=$n rc=$rc: $(tr '\n' ' ' <"$out")"
		if ((rc == 0)); then
			[ "$(esc_value "$out" unreachable)" = 0 ]
			[ "$(esc_value "$out" escaped)" = 0 ]
		fi
	done
	esc_assert_host_unchanged
}

@test "CVE-2024-21626: exec --cwd /proc/self/fd/N is refused or stays inside the root (N=3..20)" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id" >/dev/null 2>&1
	for n in $(seq 3 20); do
		out=$WARD_TEST_DIR/exec-cwd-$n.out
		rc=0
		timeout 60 "$WARD" --root "$WARD_ROOT" exec --cwd "/proc/self/fd/$n" "$id" \
			/bin/attack_fds cwd "$ESC_CANARY/file" >"$out" 2>&1 || rc=$?
		echo "N=$n rc=$rc: $(tr '\n' ' ' <"$out")"
		if ((rc == 0)); then
			[ "$(esc_value "$out" unreachable)" = 0 ]
			[ "$(esc_value "$out" escaped)" = 0 ]
		fi
	done
	esc_assert_host_unchanged
}

@test "CVE-2016-9962: a racer cannot open the fds of runtime exec processes (40 execs)" {
	setup_bundle /bin/attack_fds race "$ESC_CANARY/file" 120 /tmp/stop-race
	cfg_set .root.readonly false
	id=$(new_id)
	out=$WARD_TEST_DIR/race.out
	ward_cmd run -d -b "$BUNDLE" "$id" >"$out" 2>&1
	esc_wait_file "$out" '^ready=1'
	for i in $(seq 1 40); do
		ward_cmd exec "$id" /bin/true
	done
	touch "$BUNDLE/rootfs/tmp/stop-race"
	esc_wait_file "$out" '^done=1' 30
	cat "$out"
	[ "$(esc_value "$out" tried)" -gt 0 ]
	[ "$(esc_value "$out" escaped)" = 0 ]
	esc_assert_host_unchanged
}
