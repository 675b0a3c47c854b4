#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Mount destinations and pseudo filesystems the image or a racing container controls:
# CVE-2021-30465 and CVE-2024-45310 (a destination component swapped for a symlink to a
# host path while containers are created), CVE-2019-19921 and CVE-2023-27561 (/proc or /sys
# of the image is a symlink or not a directory), and mounts that reach into /proc.
#
# Outcomes (recorded with ESCAPE_RUNTIME=/usr/sbin/runc, Debian's runc 1.1.5+ds1-1+deb12u1):
#   racing swap, 100 creates: runc does not fall (no host file made, mounts inside the root).
#   /proc or /sys a symlink:  runc refuses /proc ("must be mounted on ordinary directory")
#                             and follows a /sys symlink inside the root (no escape).
#   mounts into /proc:        runc refuses them.
#   ward: does not fall to any (targets resolved as fds inside the root with RESOLVE_IN_ROOT,
#         created without following symlinks out, /proc and /sys must be plain directories).

load helpers
load escape_common

setup() {
	ward_common_setup
	esc_setup
}

teardown() {
	ward_common_teardown
}

# mount_points PID: the mount points of PID's mount namespace, one per line
mount_points() {
	awk '{ print $5 " " $9 }' "/proc/$1/mountinfo"
}

@test "CVE-2021-30465/CVE-2024-45310: a destination swapped with a symlink to the host while 100 containers are created" {
	vol=$WARD_TEST_DIR/vol
	mkdir -p "$vol/d" "$WARD_TEST_DIR/src"
	echo src >"$WARD_TEST_DIR/src/marker"
	# where a runtime that re-walks the path would end up: inside the host canary dir
	ln -s "$ESC_CANARY/race" "$vol/l"

	# the racer: container A shares the volume and swaps d and l without pause
	setup_bundle /bin/attack_swap /vol/d /vol/l 120 /tmp/stop
	cfg_set .root.readonly false
	cfg_append .mounts "{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$vol\", \"options\": [\"bind\", \"rw\"]}"
	mv "$BUNDLE" "$WARD_TEST_DIR/racer"
	racer=$(new_id racer)
	rout=$WARD_TEST_DIR/racer.out
	ward_cmd run -d -b "$WARD_TEST_DIR/racer" "$racer" >"$rout" 2>&1
	esc_wait_file "$rout" '^ready=1'

	# the victims: the volume at /vol, then mounts below the racing component
	setup_bundle sleep 1000
	cfg_append .mounts "{\"destination\": \"/vol\", \"type\": \"bind\", \"source\": \"$vol\", \"options\": [\"bind\", \"rw\"]}"
	cfg_append .mounts '{"destination": "/vol/d/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=64k"]}'
	cfg_append .mounts "{\"destination\": \"/vol/d/src\", \"type\": \"bind\", \"source\": \"$WARD_TEST_DIR/src\", \"options\": [\"bind\", \"ro\"]}"
	made=0 refused=0 inside=0
	for i in $(seq 1 100); do
		id=$(new_id v)
		if ward_cmd create -b "$BUNDLE" "$id" >"$WARD_TEST_DIR/create.out" 2>&1; then
			made=$((made + 1))
			pid=$(state_field "$id" pid)
			# both mounts are in the container: under the volume (whichever name it has now),
			# or at the symlink's target resolved inside the root
			mp=$(mount_points "$pid")
			if grep -qE '/sub tmpfs$' <<<"$mp" && grep -qE '/src ' <<<"$mp"; then
				inside=$((inside + 1))
			else
				echo "container $i: mounts missing:" >&2
				echo "$mp" >&2
			fi
			ward_cmd delete --force "$id"
		else
			refused=$((refused + 1))
			echo "create $i refused: $(cat "$WARD_TEST_DIR/create.out")"
		fi
	done
	touch "$WARD_TEST_DIR/racer/rootfs/tmp/stop"
	esc_wait_file "$rout" '^done=1' 20
	cat "$rout"
	echo "made=$made refused=$refused inside=$inside"
	[ "$(esc_value "$rout" swaps)" -gt 1000 ]
	[ "$made" -eq "$inside" ]
	[ ! -e "$ESC_CANARY/race" ]
	esc_assert_host_unchanged
}

@test "CVE-2019-19921/CVE-2023-27561: /proc of the image is a symlink: refused" {
	setup_bundle /bin/true
	for target in /tmp/fakeproc "$ESC_CANARY" /sys ../../; do
		rm -rf "$BUNDLE/rootfs/proc"
		mkdir -p "$BUNDLE/rootfs/tmp/fakeproc"
		ln -s "$target" "$BUNDLE/rootfs/proc"
		run ward_cmd run -b "$BUNDLE" "$(new_id)"
		echo "/proc -> $target: $status $output"
		[ "$status" -ne 0 ]
		# nothing was mounted or made where the symlink points
		[ -z "$(ls -A "$BUNDLE/rootfs/tmp/fakeproc")" ]
	done
	esc_assert_host_unchanged
}

@test "CVE-2019-19921/CVE-2023-27561: /proc of the image is a file, /sys a symlink: refused" {
	setup_bundle /bin/true
	rm -rf "$BUNDLE/rootfs/proc"
	echo fake >"$BUNDLE/rootfs/proc"
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "/proc a file: $status $output"
	[ "$status" -ne 0 ]

	rm -f "$BUNDLE/rootfs/proc"
	mkdir "$BUNDLE/rootfs/proc"
	rm -rf "$BUNDLE/rootfs/sys"
	ln -s "$ESC_CANARY" "$BUNDLE/rootfs/sys"
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "/sys -> canary: $status $output"
	if esc_is_ward; then
		[ "$status" -ne 0 ]
	fi
	esc_assert_host_unchanged
}

@test "mounts that reach into /proc (directly or through an image symlink) are refused" {
	setup_bundle /bin/true
	echo data >"$WARD_TEST_DIR/file"
	ln -s /proc/self/attr/exec "$BUNDLE/rootfs/tmp/attr"
	ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/tmp/cp"
	for dest in /proc/self/attr/exec /proc/sys/kernel/core_pattern /proc/1/attr/current \
		/tmp/attr /tmp/cp; do
		cp "$BUNDLE/config.json" "$WARD_TEST_DIR/config.orig"
		cfg_append .mounts "{\"destination\": \"$dest\", \"type\": \"bind\", \"source\": \"$WARD_TEST_DIR/file\", \"options\": [\"bind\"]}"
		run ward_cmd run -b "$BUNDLE" "$(new_id)"
		echo "$dest: $status $output"
		[ "$status" -ne 0 ]
		cp "$WARD_TEST_DIR/config.orig" "$BUNDLE/config.json"
	done
	esc_assert_host_unchanged
}
