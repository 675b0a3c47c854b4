#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# CVE-2019-5736: the runtime binary overwritten from inside the container through
# /proc/PID/exe of a runtime process.
#
# The image ships glibc and a script "#!/proc/self/exe --log=/tmp/fifo". `exec` of that
# script makes the kernel re-run whatever /proc/self/exe is in the runtime's exec process:
# the runtime binary runs inside the container and blocks on the FIFO; the container's
# attack_exe takes an fd of it through /proc/PID/exe and, once nothing executes the binary
# any more, reopens it through /proc/self/fd/N for writing and appends a marker.
#
# Outcome (recorded by running this file with ESCAPE_RUNTIME=/usr/sbin/runc):
#   runc 1.1.5: does not fall - it runs from a sealed memfd copy (write_open=ok on the memfd,
#               write refused with EPERM by the seal; the binary is untouched).
#   ward before the fix (init and exec forked from the on-disk binary): FELL - the marker
#               was appended to the binary (write_open=ok, wrote=25).
#   ward now: create/run/exec re-execute from a read-only detached bind mount of the
#               binary (runtime/exe_seal.c): the reopen fails with EROFS.

load helpers
load escape_common

setup() {
	ward_common_setup
	esc_setup
}

teardown() {
	ward_common_teardown
}

@test "CVE-2019-5736: the runtime binary cannot be reopened for writing through /proc/PID/exe" {
	esc_need_elf
	setup_bundle /bin/attack_exe watch /tmp/fifo 30
	cfg_set .root.readonly false
	esc_policy_none
	esc_copy_libs "$BUNDLE/rootfs" "$ESC_BIN"
	printf '#!/proc/self/exe --log=/tmp/fifo\n' >"$BUNDLE/rootfs/bin/evil"
	chmod 0755 "$BUNDLE/rootfs/bin/evil"

	id=$(new_id)
	out=$WARD_TEST_DIR/attack.out
	ward_cmd run -d -b "$BUNDLE" "$id" >"$out" 2>&1
	esc_wait_file "$out" '^ready=1'
	# the runtime re-runs itself in the container; it fails once released: ignore status
	timeout 60 "$WARD" --root "$WARD_ROOT" exec "$id" /bin/evil >"$WARD_TEST_DIR/exec.out" 2>&1 || true
	esc_wait_file "$out" '^done=1' 40
	cat "$out"
	# the attack must have reached the runtime process: otherwise this test proves nothing
	[ "$(esc_value "$out" grabbed)" = 1 ]
	[ "$(esc_value "$out" write_open)" != ok ] || [ "$(esc_value "$out" wrote)" -le 0 ]
	esc_assert_host_unchanged
}

@test "CVE-2019-5736: a created container's init cannot be grabbed through /proc/1/exe" {
	# Before `start`, pid 1 of the container is the runtime's init, running the runtime
	# binary. A process exec'd into the created container takes /proc/1/exe and, after
	# start has exec'd the real process, tries to write it. init must be unreachable
	# (non-dumpable, more capabilities than the attacker) or not the writable binary.
	setup_bundle sleep 1000
	esc_policy_none
	id=$(new_id)
	ward_cmd create -b "$BUNDLE" "$id" >/dev/null 2>&1
	out=$WARD_TEST_DIR/grab.out
	ward_cmd exec -d "$id" /bin/attack_exe grab 1 10 >"$out" 2>&1
	esc_wait_file "$out" '^grabbed='
	ward_cmd start "$id"
	esc_wait_file "$out" '^done=1' 20
	cat "$out"
	[ "$(esc_value "$out" write_open)" != ok ] || [ "$(esc_value "$out" wrote)" -le 0 ]
	esc_assert_host_unchanged
}
