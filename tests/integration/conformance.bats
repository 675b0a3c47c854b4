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

# validation: linux_seccomp (a profile with getcwd -> ERRNO). The cwd check after chdir
# (CVE-2024-21626) used getcwd, which the profile - loaded before the user change without
# noNewPrivileges - refuses; runc 1.1.5 fails this test the same way.
@test "seccomp without noNewPrivileges: a profile refusing getcwd does not break the cwd check" {
	setup_bundle sh -c 'echo started'
	cfg_set .process.noNewPrivileges false
	cfg_set .process.cwd /tmp
	cfg_set .linux.seccomp '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getcwd"],"action":"SCMP_ACT_ERRNO"}]}'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
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

# config_ns_drop TYPE: removes the namespace entry of that type from config.json
config_ns_drop() {
	"$PY" - "$BUNDLE/config.json" "$1" <<'PY'
import json, sys
p, t = sys.argv[1:3]
c = json.load(open(p))
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != t]
json.dump(c, open(p, "w"), indent="\t")
PY
}

# mount_count [PID]: lines of /proc/PID/mountinfo (default: ours)
mount_count() {
	wc -l <"/proc/${1:-self}/mountinfo"
}

# validation: linux_ns_itype. A namespace type missing from the config is inherited from
# the runtime, the mount namespace too. That namespace is the host's: ward must not mount
# anything in it (the container's root is a detached copy of its tree).
@test "no mount namespace in the config: the host's is inherited and left untouched" {
	setup_bundle sleep 1000
	config_ns_drop mount
	before=$(mount_count)
	id=$(new_id)
	ward_cmd create -b "$BUNDLE" "$id" >/dev/null 2>&1
	pid=$(state_field "$id" pid)
	[ "$(readlink /proc/$pid/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ]
	[ "$(mount_count)" -eq "$before" ]
	run ward_cmd start "$id"
	[ "$status" -eq 0 ]
	# init and exec'd processes see the container's tree, not the host's, and cannot
	# climb out of it
	[ -e /proc/$pid/root/bin/busybox ]
	[ ! -e /proc/$pid/root/$BATS_TEST_FILENAME ]
	run ward_cmd exec "$id" sh -c 'cd /../../.. && ls'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(ls "$BUNDLE/rootfs")" ]
	run ward_cmd exec "$id" test -e "$BATS_TEST_FILENAME"
	[ "$status" -ne 0 ]
	ward_cmd kill "$id" KILL
	wait_for_status "$id" stopped
	ward_cmd delete "$id"
	[ "$(mount_count)" -eq "$before" ]
}

# validation: linux_ns_path (mnt). A mount namespace joined by path: the container is in
# it, and its mount table (someone else's) is not changed either.
@test "a mount namespace joined by path: the container is in it and its table is untouched" {
	setup_bundle sleep 1000
	config_ns_drop mount
	unshare --mount sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	holder=$!
	echo "$holder" >"$WARD_TEST_DIR/holder"
	for _ in $(seq 50); do
		[ "$(readlink /proc/$holder/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.1
	done
	cfg_append .linux.namespaces "{\"type\":\"mount\",\"path\":\"/proc/$holder/ns/mnt\"}"
	before=$(mount_count "$holder")
	id=$(new_id)
	# (the container inherits stdio: a file, not `run`'s pipe)
	ward_cmd run -d -b "$BUNDLE" "$id" >"$WARD_TEST_DIR/out" 2>&1
	pid=$(state_field "$id" pid)
	[ "$(readlink /proc/$pid/ns/mnt)" = "$(readlink /proc/$holder/ns/mnt)" ]
	[ "$(mount_count "$holder")" -eq "$before" ]
	# the holder keeps its root; the container has its own
	[ -e "/proc/$holder/root/$BATS_TEST_FILENAME" ]
	[ ! -e "/proc/$pid/root/$BATS_TEST_FILENAME" ]
	run ward_cmd exec "$id" test -e "$BATS_TEST_FILENAME"
	[ "$status" -ne 0 ]
	run ward_cmd exec "$id" test -e /bin/busybox
	[ "$status" -eq 0 ]
	ward_cmd delete --force "$id"
	kill -KILL "$holder"
	wait "$holder" 2>/dev/null || true
}

# Not a validation test, but it broke lifecycle.bats and shows in validation runs' stderr:
# the supervisor exits on its own when the container's last process is gone, and a delete
# racing with that must not warn (it got ECONNRESET about 1 run in 20).
@test "run: no supervisor warning when it exits on its own before delete stops it" {
	setup_bundle true
	for i in $(seq 60); do
		ward_cmd run -b "$BUNDLE" "$(new_id)" >>"$WARD_TEST_DIR/out" 2>&1
	done
	cat "$WARD_TEST_DIR/out"
	[ ! -s "$WARD_TEST_DIR/out" ]
}

teardown() {
	if [[ -f ${WARD_TEST_DIR:-}/holder ]]; then
		kill -KILL "$(cat "$WARD_TEST_DIR/holder")" 2>/dev/null || true
	fi
	ward_common_teardown
}
