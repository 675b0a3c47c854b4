#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The supervisor's own program, ward-supervisor: where ward finds it, what it runs from (a
# copy no process can write, like ward's own: CVE-2019-5736), a clear error without it, and
# what it keeps resident when idle (the reason it is a program of its own).

load helpers

SUP_BIN=$(dirname "$WARD")/ward-supervisor

# the pid of the container's supervisor, from `ward state`
sup_of() {
	state_field "$1" supervisorPid
}

@test "supervisor binary: ward runs ward-supervisor from beside itself, from a read-only copy" {
	[ -x "$SUP_BIN" ]
	setup_bundle sleep 100
	id=$(new_id)
	ward_cmd --policy default create -b "$BUNDLE" "$id"
	sup=$(sup_of "$id")
	[ -n "$sup" ] && [ "$sup" -gt 0 ]
	read -r -d '' argv0 <"/proc/$sup/cmdline" || true
	[ "$argv0" = ward-supervisor ]
	grep -q "__supervise" "/proc/$sup/cmdline"
	# The attack of CVE-2019-5736 on this process: keep a handle on its /proc/PID/exe, wait
	# until nothing executes the file (ETXTBSY no longer protects it), reopen it for writing.
	"$PY" - "$sup" "$SUP_BIN" "$WARD_TEST_DIR/reopen" <<'PY' &
import errno, os, sys, time
pid, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
fd = os.open("/proc/%s/exe" % pid, os.O_PATH)
a, b = os.fstat(fd), os.stat(path)
same = (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)
open(out + ".ready", "w").close()
while os.path.exists("/proc/%s" % pid):
    time.sleep(0.05)
try:
    os.close(os.open("/proc/self/fd/%d" % fd, os.O_WRONLY))
    res = "writable"
except OSError as e:
    res = errno.errorcode.get(e.errno, str(e.errno))
open(out, "w").write("%s %s\n" % ("same" if same else "copy", res))
PY
	attacker=$!
	n=0
	until [ -e "$WARD_TEST_DIR/reopen.ready" ]; do
		((n++ < 200))
		sleep 0.05
	done
	ward_cmd delete -f "$id"
	wait "$attacker"
	cat "$WARD_TEST_DIR/reopen"
	# the bind-mounted copy (same inode) refuses with EROFS; the sealed memfd with EPERM
	grep -qxE 'same EROFS|copy EPERM' "$WARD_TEST_DIR/reopen"
}

@test "supervisor binary: found in ../libexec/ward/ beside an installed ward; a clear error without it" {
	[ -x "$SUP_BIN" ]
	prefix=$WARD_TEST_DIR/prefix
	mkdir -p "$prefix/bin" "$prefix/libexec/ward"
	cp "$WARD" "$prefix/bin/ward"
	setup_bundle sleep 100
	# no supervisor anywhere it looks (unless one is installed at the built-in path)
	run "$prefix/bin/ward" --root "$WARD_ROOT" --policy default create -b "$BUNDLE" "$(new_id)"
	if [[ $status -ne 0 ]]; then
		echo "$output"
		[[ $output == *"ward-supervisor is missing"* ]]
		[[ $output == *"$prefix/bin/ward"* ]]
	fi
	# policy none needs no supervisor
	id=$(new_id)
	"$prefix/bin/ward" --root "$WARD_ROOT" --policy none create -b "$BUNDLE" "$id"
	[ -z "$(sup_of "$id")" ] || [ "$(sup_of "$id")" = 0 ]
	"$prefix/bin/ward" --root "$WARD_ROOT" delete -f "$id"
	# the installed layout: <prefix>/bin/ward, <prefix>/libexec/ward/ward-supervisor
	cp "$SUP_BIN" "$prefix/libexec/ward/ward-supervisor"
	id=$(new_id)
	"$prefix/bin/ward" --root "$WARD_ROOT" --policy default create -b "$BUNDLE" "$id"
	sup=$(sup_of "$id")
	[ -n "$sup" ] && [ "$sup" -gt 0 ]
	run "$PY" -c 'import os, sys; a, b = os.stat(sys.argv[1]), os.stat(sys.argv[2]); print((a.st_dev, a.st_ino) == (b.st_dev, b.st_ino))' \
		"/proc/$sup/exe" "$prefix/libexec/ward/ward-supervisor"
	[ "$output" = True ]
	"$prefix/bin/ward" --root "$WARD_ROOT" delete -f "$id"
}

@test "supervisor binary: not a command to run by hand" {
	[ -x "$SUP_BIN" ]
	run "$SUP_BIN"
	[ "$status" -eq 2 ]
	[[ $output == *"started by ward"* ]]
}

@test "supervisor binary: an idle supervisor keeps under 1 MiB resident (static build)" {
	[ -x "$SUP_BIN" ]
	if readelf -l "$SUP_BIN" | grep -q INTERP; then
		skip "ward-supervisor is dynamically linked (no musl-gcc, or a sanitizer build)"
	fi
	setup_bundle sleep 100
	id=$(new_id)
	ward_cmd --policy agent create -b "$BUNDLE" "$id"
	ward_cmd start "$id"
	sup=$(sup_of "$id")
	sleep 1.5 # the audit writer has written the start lines and gone
	rss=$(awk '/^Rss:/ {print $2}' "/proc/$sup/smaps_rollup")
	pss=$(awk '/^Pss:/ {print $2}' "/proc/$sup/smaps_rollup")
	libs=$(grep -c '\.so' "/proc/$sup/maps" || true)
	echo "# idle supervisor: Rss $rss kB, Pss $pss kB, shared libraries mapped: $libs" >&3
	[ "$libs" -eq 0 ]
	[ "$rss" -lt 1024 ]
}
