#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The core lifecycle and the path attacks with openat2(2) answering ENOSYS (a kernel before
# 5.6, or a seccomp profile that predates it): ward must fall back to its user-space walker
# and to mount-id checks, with the same results. Every ward command here runs under
# tests/helpers/attack_noopenat2, whose seccomp filter is inherited by container init,
# the container's processes and the supervisor.
#
# The whole integration suite can be run the same way:
#   WARD=$PWD/tests/tools/ward-noopenat2 tests/run tests/integration/*.bats

load helpers
load escape_common

setup() {
	ward_common_setup
	esc_setup
	# ward (the test's copy) behind the filter
	local w=$WARD_TEST_DIR/ward-noopenat2
	printf '#!/bin/sh\nexec %s %s "$@"\n' "$WARD_HELPERS_DIR/attack_noopenat2" "$ESC_BIN" >"$w"
	chmod 0755 "$w"
	WARD=$w
}

teardown() {
	ward_common_teardown
}

@test "noopenat2: the filter is in force for ward's children and the container" {
	setup_bundle /bin/probe syscall openat2 -100 0 0 0
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^errname=ENOSYS$' <<<"$output"
}

@test "noopenat2: create/start/exec/delete with binds, tmpfs, masked and readonly paths" {
	mkdir -p "$WARD_TEST_DIR/vol"
	echo volume-data >"$WARD_TEST_DIR/vol/data"
	setup_bundle sleep 1000
	echo SECRET >"$BUNDLE/rootfs/etc/secret"
	cfg_set .root.readonly false
	cfg_append .mounts "{\"destination\": \"/mnt/vol\", \"type\": \"bind\", \"source\": \"$WARD_TEST_DIR/vol\", \"options\": [\"bind\", \"ro\"]}"
	cfg_append .mounts '{"destination": "/mnt/scratch/deep/dir", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	cfg_append .linux.maskedPaths /etc/secret
	cfg_append .linux.readonlyPaths /etc
	id=$(new_id)
	ward_cmd create -b "$BUNDLE" "$id" >/dev/null 2>&1
	[ "$(state_field "$id" status)" = created ]
	ward_cmd start "$id"
	[ "$(state_field "$id" status)" = running ]
	run ward_cmd exec "$id" sh -c '
		cat /mnt/vol/data
		echo x >/mnt/vol/new 2>/dev/null && echo vol-writable
		stat -f -c "scratch=%T" /mnt/scratch/deep/dir
		echo "secret=$(stat -c "%t:%T" /etc/secret):$(cat /etc/secret)"
		touch /etc/newfile 2>/dev/null && echo etc-writable
		echo "kcore=$(stat -c "%t:%T" /proc/kcore 2>/dev/null)"
		/bin/probe syscall openat2 -100 0 0 0 | grep errname'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^volume-data$' <<<"$output"
	[[ $output != *vol-writable* ]]
	grep -q '^scratch=tmpfs$' <<<"$output"
	grep -q '^secret=1:3:$' <<<"$output"
	[[ $output != *etc-writable* ]]
	grep -q '^errname=ENOSYS$' <<<"$output"
	run ward_cmd exec --cwd /proc/self/fd/6 "$id" /bin/true
	[ "$status" -ne 0 ]
	ward_cmd kill "$id" KILL
	wait_for_status "$id" stopped
	ward_cmd delete "$id"
	[ ! -e "$WARD_ROOT/$id" ]
	[ ! -e "$WARD_TEST_DIR/vol/new" ]
	esc_assert_host_unchanged
}

@test "noopenat2: image symlinks out of the root stay inside it (mount targets, /proc)" {
	setup_bundle /bin/true
	# a mount destination through an absolute symlink to a host path, and one with ..
	ln -s "$ESC_CANARY" "$BUNDLE/rootfs/mnt/out"
	ln -s ../../../../../../.. "$BUNDLE/rootfs/mnt/up"
	cfg_append .mounts '{"destination": "/mnt/out/sub", "type": "tmpfs", "source": "tmpfs"}'
	cfg_append .mounts '{"destination": "/mnt/up/escape-dir", "type": "tmpfs", "source": "tmpfs"}'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ ! -e /escape-dir ]
	[ -d "$BUNDLE/rootfs/escape-dir" ]
	[ -d "$BUNDLE/rootfs$ESC_CANARY/sub" ]
	rm -rf "$BUNDLE/rootfs/proc"
	ln -s /sys "$BUNDLE/rootfs/proc"
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -ne 0 ]
	esc_assert_host_unchanged
}

@test "noopenat2: a destination swapped with a symlink to the host while 50 containers are created" {
	vol=$WARD_TEST_DIR/vol
	mkdir -p "$vol/d"
	ln -s "$ESC_CANARY/race" "$vol/l"
	"$WARD_HELPERS_DIR/attack_swap" "$vol/d" "$vol/l" 120 "$WARD_TEST_DIR/stop" >"$WARD_TEST_DIR/racer.out" &
	racer=$!
	setup_bundle sleep 1000
	cfg_append .mounts "{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$vol\", \"options\": [\"bind\", \"rw\"]}"
	cfg_append .mounts '{"destination": "/vol/d/sub/deeper", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	made=0 inside=0
	for i in $(seq 1 50); do
		id=$(new_id v)
		if ward_cmd create -b "$BUNDLE" "$id" >"$WARD_TEST_DIR/create.out" 2>&1; then
			made=$((made + 1))
			pid=$(state_field "$id" pid)
			if awk '{ print $5 " " $9 }' "/proc/$pid/mountinfo" | grep -qE '/deeper tmpfs$'; then
				inside=$((inside + 1))
			fi
			ward_cmd delete --force "$id"
		fi
	done
	touch "$WARD_TEST_DIR/stop"
	wait "$racer"
	cat "$WARD_TEST_DIR/racer.out"
	echo "made=$made inside=$inside"
	[ "$(esc_value "$WARD_TEST_DIR/racer.out" swaps)" -gt 1000 ]
	[ "$made" -eq "$inside" ]
	[ ! -e "$ESC_CANARY/race" ]
	esc_assert_host_unchanged
}

@test "noopenat2: /proc writes never reach a fake /proc and still set the real values" {
	setup_bundle sh -c 'cat /proc/self/oom_score_adj'
	cfg_set .process.oomScoreAdj 123
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = 123 ]
	# a fake /proc (no procfs mounted): the value goes to ward's own procfs, never to the fake
	rm -rf "$BUNDLE/rootfs/proc"
	mkdir -p "$BUNDLE/rootfs/proc/self"
	echo FAKE >"$BUNDLE/rootfs/proc/self/oom_score_adj"
	"$PY" - "$BUNDLE/config.json" <<-'PY'
	import json, sys
	p = sys.argv[1]
	c = json.load(open(p))
	c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/proc"]
	c["linux"]["maskedPaths"] = []
	c["linux"]["readonlyPaths"] = []
	json.dump(c, open(p, "w"))
	PY
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = FAKE ]
	[ "$(cat "$BUNDLE/rootfs/proc/self/oom_score_adj")" = FAKE ]
	esc_assert_host_unchanged
}
