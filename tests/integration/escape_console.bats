#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# CVE-2025-52565: the console (/dev/console bound to the pty peer) set up through paths
# the image controls: /dev/console a symlink into /proc, /dev/pts a symlink to a host
# directory with a fake ptmx.
#
# Outcomes (recorded with ESCAPE_RUNTIME=/usr/sbin/runc, Debian's runc 1.1.5+ds1-1+deb12u1):
#   /dev/console -> /proc/sys/kernel/hostname: runc FALLS - it bind-mounts the pty over the
#     procfs file the symlink names (the container's /proc/sys/kernel/hostname becomes a
#     tty; with /proc/sysrq-trigger or core_pattern the same hides or exposes host files).
#   /dev/pts -> host directory: runc does not fall (fails to start).
#   ward before the fix: followed the /dev/console symlink inside the root the same way
#     (pty bound over the procfs file), and opened /dev/pts through the image's path in
#     the host's view (the host directory's fake ptmx was opened read-write).
#   ward now: the pty comes from TIOCGPTPEER on the master of the devpts instance that
#     /dev/pts resolves to inside the root (checked to be a devpts root), /dev/console is
#     a plain file of /dev that replaces whatever the image had there.

load helpers
load escape_common

setup_file() {
	export CONSOLE_RECV=$REPO/build/tools/console_recv
	if [[ ! -x $CONSOLE_RECV || $CONSOLE_RECV -ot $REPO/tests/tools/console_recv.c ]]; then
		CONSOLE_RECV=$BATS_FILE_TMPDIR/console_recv
		gcc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$CONSOLE_RECV" \
			"$REPO/tests/tools/console_recv.c"
	fi
}

setup() {
	ward_common_setup
	esc_setup
	RECV_PID=
}

teardown() {
	ward_common_teardown
	if [[ -n $RECV_PID ]] && kill -KILL "$RECV_PID" 2>/dev/null; then
		wait "$RECV_PID" 2>/dev/null || true
	fi
}

# console_bundle: the image's own /dev (no tmpfs over it), a terminal, and a process that
# shows what /dev/console and the procfs file are
console_bundle() {
	setup_bundle sh -c 'echo "console=$(stat -c %F /dev/console)"; echo "link=$(readlink /dev/console)"; echo "hostfile=$(cat /proc/sys/kernel/hostname 2>&1)"; echo "tty=$(tty)"'
	cfg_set .process.terminal true
	"$PY" - "$BUNDLE/config.json" <<-'PY'
	import json, sys
	p = sys.argv[1]
	c = json.load(open(p))
	c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/dev"]
	json.dump(c, open(p, "w"))
	PY
}

# run_console: creates and starts the container with a console receiver; its output in
# $WARD_TEST_DIR/console.out, ward's status in $rc
run_console() {
	local d=$WARD_TEST_DIR
	"$CONSOLE_RECV" -T 30 "$d/console.sock" >"$d/console.out" 2>"$d/console.err" </dev/null 3>&- &
	RECV_PID=$!
	local n=200
	until [[ -S $d/console.sock ]] || ((n-- == 0)); do sleep 0.05; done
	id=$(new_id)
	rc=0
	ward_cmd create -b "$BUNDLE" --console-socket "$d/console.sock" "$id" >"$d/create.out" 2>&1 || rc=$?
	if ((rc == 0)); then
		ward_cmd start "$id"
		wait "$RECV_PID" || true
	else
		kill -KILL "$RECV_PID" 2>/dev/null || true
		wait "$RECV_PID" 2>/dev/null || true
	fi
	RECV_PID=
	echo "create: $rc $(cat "$d/create.out")"
	tr -d '\r' <"$d/console.out"
}

@test "CVE-2025-52565: an image /dev/console symlink into /proc does not get the pty bound over the procfs file" {
	console_bundle
	ln -s /proc/sys/kernel/hostname "$BUNDLE/rootfs/dev/console"
	run_console
	out=$(tr -d '\r' <"$WARD_TEST_DIR/console.out")
	if ((rc == 0)); then
		# the procfs file still is the procfs file, and /dev/console is the pty itself
		grep -q '^hostfile=runc$' <<<"$out"
		grep -q '^console=character special file$' <<<"$out"
		grep -q '^link=$' <<<"$out"
	fi
	esc_assert_host_unchanged
}

@test "CVE-2025-52565: an image /dev/console symlink to a host path changes nothing on the host" {
	console_bundle
	ln -s "$ESC_CANARY/file" "$BUNDLE/rootfs/dev/console"
	run_console
	esc_assert_host_unchanged
}

@test "CVE-2025-52565: an image /dev (or /dev/pts) symlink to a host directory is not used for the pty" {
	for what in dev dev/pts; do
		console_bundle
		# a host directory with a fake ptmx: the image names it by its host path
		hostdev=$WARD_TEST_DIR/host-$what
		mkdir -p "$hostdev/pts"
		mkfifo "$hostdev/pts/ptmx"
		rm -rf "${BUNDLE:?}/rootfs/$what"
		if [[ $what == dev ]]; then
			ln -s "$hostdev" "$BUNDLE/rootfs/dev"
		else
			ln -s "$hostdev/pts" "$BUNDLE/rootfs/dev/pts"
		fi
		# a reader blocked opening the FIFO wakes up when anyone opens it for writing
		flag=$WARD_TEST_DIR/opened-${what//\//-}
		timeout 60 sh -c 'exec 3<"$1"; echo opened >"$2"' _ "$hostdev/pts/ptmx" "$flag" &
		reader=$!
		run_console
		out=$(tr -d '\r' <"$WARD_TEST_DIR/console.out")
		sleep 0.2
		kill "$reader" 2>/dev/null || true
		wait "$reader" 2>/dev/null || true
		# the host's fake ptmx was never opened
		[ ! -e "$flag" ]
		if esc_is_ward; then
			# the devpts instance the config mounted (inside the root) served the terminal
			[ "$rc" -eq 0 ]
			grep -q '^console=character special file$' <<<"$out"
		fi
		rm -rf "$BUNDLE"
	done
	esc_assert_host_unchanged
}
