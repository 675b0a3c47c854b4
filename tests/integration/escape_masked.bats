#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# CVE-2025-31133: maskedPaths are covered with a bind of /dev/null; when that /dev/null is
# the image's, the image decides what gets bound over the masked path (a symlink to a
# procfs file makes a writable copy of it appear where a file was to be hidden).
#
# Outcomes (recorded with ESCAPE_RUNTIME=/usr/sbin/runc, Debian's runc 1.1.5+ds1-1+deb12u1):
#   image /dev/null -> /proc/sys/kernel/hostname: runc FALLS - /etc/secret shows the procfs
#     file ("runc"); writing it failed here only because /proc/sys is also in readonlyPaths
#     (a procfs file outside readonlyPaths would be writable through the mask).
#   image /dev/null a regular file: runc refuses to start.
#   image /dev/null -> host canary path: runc masks with a null device (the symlink
#     resolves inside the container); the host is unchanged.
#   ward: does not fall - the mask is the host's /dev/null, opened before pivot_root and
#     checked to be the character device 1:3 on the very fd that is mounted.

load helpers
load escape_common

setup() {
	ward_common_setup
	esc_setup
}

teardown() {
	ward_common_teardown
}

# masked_bundle: the image's own /dev (no tmpfs over it), /etc/secret in the image and in
# maskedPaths, and a process that reports what the masked path is
masked_bundle() {
	setup_bundle sh -c 'echo "type=$(stat -c "%F %t:%T" /etc/secret)"; echo "content=$(cat /etc/secret)"; echo hello >/etc/secret 2>/dev/null && echo written=1 || echo written=0'
	echo SECRET >"$BUNDLE/rootfs/etc/secret"
	cfg_append .linux.maskedPaths /etc/secret
	"$PY" - "$BUNDLE/config.json" <<-'PY'
	import json, sys
	p = sys.argv[1]
	c = json.load(open(p))
	c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]
	json.dump(c, open(p, "w"))
	PY
	rm -f "$BUNDLE/rootfs/dev/null"
}

# check_masked OUTPUT: /etc/secret is the null device: empty, and writes vanish
check_masked() {
	echo "$1"
	grep -q '^type=character special file 1:3$' <<<"$1"
	grep -q '^content=$' <<<"$1"
}

@test "CVE-2025-31133: an image /dev/null symlink to a procfs file is not what masks a path" {
	masked_bundle
	ln -s /proc/sys/kernel/hostname "$BUNDLE/rootfs/dev/null"
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "status=$status"
	if ((status == 0)); then
		check_masked "$output"
	fi
	esc_assert_host_unchanged
}

@test "CVE-2025-31133: an image /dev/null that is a regular file is not what masks a path" {
	masked_bundle
	echo NOTNULL >"$BUNDLE/rootfs/dev/null"
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "status=$status"
	if ((status == 0)); then
		check_masked "$output"
	fi
	[ "$(cat "$BUNDLE/rootfs/dev/null")" = NOTNULL ]
	esc_assert_host_unchanged
}

@test "CVE-2025-31133: an image /dev/null symlink to a host file leaves the host file alone" {
	masked_bundle
	ln -s "$ESC_CANARY/file" "$BUNDLE/rootfs/dev/null"
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "status=$status"
	if ((status == 0)); then
		check_masked "$output"
	fi
	esc_assert_host_unchanged
}

@test "CVE-2025-31133: with a /dev tmpfs, masked paths in /proc are the null device" {
	setup_bundle sh -c 'for f in /proc/kcore /proc/keys /proc/timer_list; do [ -e $f ] && echo "$f=$(stat -c "%F %t:%T" $f)"; done; true'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	n=0
	while read -r line; do
		[[ $line == *"=character special file 1:3" ]]
		n=$((n + 1))
	done < <(grep '^/proc/' <<<"$output")
	[ "$n" -gt 0 ]
	esc_assert_host_unchanged
}
