# SPDX-License-Identifier: Apache-2.0
# Shared by the escape_*.bats files: the regression tests for known runtime escapes
# (issue 7). Load after `load helpers`.
#
# Every attack aims only at canaries the test itself creates:
#   - a private copy of the runtime binary (ESC_BIN): the tests run that copy, so an
#     attack on "the runtime binary" can only ever hit the copy;
#   - a host directory of its own ($ESC_CANARY) with one file whose content is known;
#   - the real binary ($WARD as it was before the test) is hashed before and after.
#
# The same files can be pointed at another runc-compatible runtime to see whether it falls
# to the same attack: ESCAPE_RUNTIME=/usr/sbin/runc bats tests/integration/escape_*.bats
# (the binary is copied too, so the attack never touches the installed one).

ESC_RUNTIME=${ESCAPE_RUNTIME:-$WARD}

# esc_setup: the common per-test state. Call from setup() after ward_common_setup.
esc_setup() {
	ESC_CANARY=$WARD_TEST_DIR/host-canary
	mkdir -p "$ESC_CANARY"
	echo "canary $$ $RANDOM" >"$ESC_CANARY/file"
	ESC_CANARY_SUM=$(esc_tree_sum "$ESC_CANARY")
	# the binary under test: a copy, so that a successful attack hits only the copy (a
	# wrapper script, e.g. tests/tools/ward-noopenat2, runs as it is: esc_need_elf)
	ESC_BIN=$WARD_TEST_DIR/runtime-bin
	if esc_is_elf "$ESC_RUNTIME"; then
		cp "$ESC_RUNTIME" "$ESC_BIN"
		chmod 0755 "$ESC_BIN"
		# ward finds its supervisor program beside itself
		local sup
		sup=$(dirname "$ESC_RUNTIME")/ward-supervisor
		if [[ -x $sup ]]; then
			cp "$sup" "$WARD_TEST_DIR/ward-supervisor"
		fi
	else
		ESC_BIN=$ESC_RUNTIME
	fi
	ESC_BIN_SUM=$(sha256sum <"$ESC_BIN")
	ESC_REAL_SUM=$(sha256sum <"$ESC_RUNTIME")
	WARD_REAL=$WARD
	WARD=$ESC_BIN
	ESC_HOST_MOUNTS=$(esc_host_mounts)
}

esc_is_elf() {
	[[ $(head -c 4 "$1" | od -An -c | tr -d ' ') == '177ELF' ]]
}

# esc_need_elf: skips a test that attacks the runtime binary itself when the runtime under
# test is a wrapper script (it could not be copied as the attack's canary)
esc_need_elf() {
	esc_is_elf "$ESC_BIN" || skip "the runtime under test is a wrapper script, not a binary"
}

# esc_is_ward: true when the runtime under test is ward (ward-only settings apply)
esc_is_ward() {
	[[ $ESC_RUNTIME == "$WARD_REAL" ]]
}

# esc_tree_sum DIR: one hash over names, types, modes, sizes and contents below DIR
esc_tree_sum() {
	(cd "$1" && find . -printf '%p %y %m %s\n' | sort && find . -type f -print0 | sort -z |
		xargs -0r sha256sum) | sha256sum
}

# The host mounts an attack of this test could have made: the host's "/" itself (root,
# mount point, options), anything mounted on or below the canary, and anything whose
# source is inside the test's directory but is mounted outside it. (Other tests running
# at the same time mount and unmount elsewhere on the host: those are not compared.)
esc_host_mounts() {
	awk -v d="$WARD_TEST_DIR" -v c="$ESC_CANARY" '
		$5 == "/" { print $4, $5, $6; next }
		$5 == c || index($5, c "/") == 1 { print $4, $5; next }
		index($4, d) == 1 && index($5, d) != 1 { print $4, $5 }' /proc/1/mountinfo | sort
}

# esc_assert_host_unchanged: the canary dir, both binaries and the host mount table are
# as they were at setup. Prints what changed.
esc_assert_host_unchanged() {
	local bad=0
	if [[ $(esc_tree_sum "$ESC_CANARY") != "$ESC_CANARY_SUM" ]]; then
		echo "host canary directory changed:" >&2
		ls -la "$ESC_CANARY" >&2
		tail -c 200 "$ESC_CANARY/file" >&2 || true
		bad=1
	fi
	if [[ $(sha256sum <"$ESC_BIN") != "$ESC_BIN_SUM" ]]; then
		echo "the runtime binary (test copy) was modified" >&2
		bad=1
	fi
	if [[ $(sha256sum <"$ESC_RUNTIME") != "$ESC_REAL_SUM" ]]; then
		echo "the real runtime binary was modified" >&2
		bad=1
	fi
	local now
	now=$(esc_host_mounts)
	if [[ $now != "$ESC_HOST_MOUNTS" ]]; then
		echo "host mount table changed:" >&2
		diff <(echo "$ESC_HOST_MOUNTS") <(echo "$now") >&2 || true
		bad=1
	fi
	return $bad
}

# esc_policy_none: no supervisor (plain OCI runtime). Attacks on the runtime binary use it
# so that no long-lived host process keeps the binary busy (ETXTBSY) by accident.
esc_policy_none() {
	cfg_set '.annotations["dev.ward.policy"]' none
}

# esc_copy_libs ROOTFS BINARY: copies the dynamic loader and the libraries BINARY needs
# into ROOTFS at their host paths (an image that ships glibc, like most do).
esc_copy_libs() {
	local rootfs=$1 bin=$2 lib
	while read -r lib; do
		[[ -n $lib && -e $lib ]] || continue
		mkdir -p "$rootfs$(dirname "$lib")"
		cp -L "$lib" "$rootfs$lib"
	done < <(ldd "$bin" | awk '/=>/ { print $3 } !/=>/ && $1 ~ /^\// { print $1 }')
}

# esc_wait_file FILE PATTERN [SECONDS]: waits until FILE has a line matching PATTERN
esc_wait_file() {
	local f=$1 pat=$2 n=$((${3:-20} * 10))
	while ((n-- > 0)); do
		grep -qE "$pat" "$f" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for /$pat/ in $f:" >&2
	cat "$f" >&2 2>/dev/null || true
	return 1
}

# esc_value FILE KEY: the value of the last KEY=value line in FILE
esc_value() {
	grep -E "^$2=" "$1" | tail -n 1 | cut -d= -f2-
}
