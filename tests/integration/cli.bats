#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The command-line frame: version, help, usage errors and exit codes, logging, features,
# spec. Expected behaviour is runc's (Debian's runc 1.1.5), which engines rely on.

load helpers
bats_require_minimum_version 1.5.0

@test "--version prints version, commit, spec and libseccomp lines" {
	run --separate-stderr "$WARD" --version
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = "ward version $(cat "$REPO/VERSION")" ]
	[[ ${lines[1]} =~ ^commit:\ ([0-9a-f]{7,40}|unknown)$ ]]
	[ "${lines[2]}" = "spec: 1.2.0" ]
	# the library ward runs with, which on Debian is the version pkg-config reports
	[ "${lines[3]}" = "libseccomp: $(pkg-config --modversion libseccomp)" ]
	[ -z "$stderr" ]

	local long=$output
	run "$WARD" -v
	[ "$status" -eq 0 ]
	[ "$output" = "$long" ]
}

@test "--help, help and no arguments print the command list and exit 0" {
	run --separate-stderr "$WARD" --help
	[ "$status" -eq 0 ]
	[[ $output == *USAGE:* ]]
	[[ $output == *COMMANDS:* ]]
	[[ $output == *"GLOBAL OPTIONS:"* ]]
	local c
	for c in features spec help; do
		grep -qE "^   ${c}[ ,]" <<<"$output" || {
			echo "command $c not listed"
			false
		}
	done
	for c in --root --log --log-format --debug --systemd-cgroup --policy; do
		grep -qE "^   $c( |,|$)" <<<"$output" || {
			echo "global option $c not listed"
			false
		}
	done
	local help=$output

	run --separate-stderr "$WARD" help
	[ "$status" -eq 0 ]
	[ "$output" = "$help" ]
	run --separate-stderr "$WARD" h
	[ "$status" -eq 0 ]
	[ "$output" = "$help" ]
	run --separate-stderr "$WARD"
	[ "$status" -eq 0 ]
	[ "$output" = "$help" ]
}

@test "every listed command has help of its own" {
	run "$WARD" help
	[ "$status" -eq 0 ]
	local cmds c
	# command lines of the COMMANDS: section, help itself excluded
	cmds=$(sed -n '/^COMMANDS:/,/^$/p' <<<"$output" | awk 'NR > 1 && NF { sub(/,$/, "", $1); print $1 }' |
		grep -v '^help$')
	[ -n "$cmds" ]
	for c in $cmds; do
		run --separate-stderr "$WARD" help "$c"
		[ "$status" -eq 0 ]
		[[ $output == *"ward $c"* ]]
		run --separate-stderr "$WARD" "$c" --help
		[ "$status" -eq 0 ]
		[[ $output == *"ward $c"* ]]
	done
}

@test "unknown command exits 3 with 'No help topic'" {
	run --separate-stderr "$WARD" nosuch
	[ "$status" -eq 3 ]
	[[ $stderr == *"No help topic for 'nosuch'"* ]]
	[ -z "$output" ]

	run --separate-stderr "$WARD" help nosuch
	[ "$status" -eq 3 ]
	[[ $stderr == *"No help topic for 'nosuch'"* ]]
}

@test "unknown global flag exits 1 with 'flag provided but not defined'" {
	run --separate-stderr "$WARD" --nosuch features
	[ "$status" -eq 1 ]
	[[ $stderr == *"flag provided but not defined: -nosuch"* ]]

	run --separate-stderr "$WARD" -nosuch=1 features
	[ "$status" -eq 1 ]
	[[ $stderr == *"flag provided but not defined: -nosuch"* ]]
}

@test "unknown command flag exits 1 with 'flag provided but not defined'" {
	run --separate-stderr "$WARD" features --nosuch
	[ "$status" -eq 1 ]
	[[ $stderr == *"flag provided but not defined: -nosuch"* ]]
}

@test "a global flag missing its value is a usage error" {
	run --separate-stderr "$WARD" --root
	[ "$status" -eq 1 ]
	[[ $stderr == *"flag needs an argument"* ]]
}

@test "--log-format json writes one JSON line with level, msg and time" {
	local log=$BATS_TEST_TMPDIR/ward.log
	run --separate-stderr "$WARD" --log "$log" --log-format json nosuch
	[ "$status" -eq 3 ]
	[ -s "$log" ]
	"$PY" - "$log" <<'PY'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
rec = json.loads(lines[0])
assert set(rec) == {"level", "msg", "time"}, rec
assert rec["level"] == "error", rec
assert "No help topic for 'nosuch'" in rec["msg"], rec
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", rec["time"]), rec
PY
	# the error still reaches the caller's stderr (containerd shows it), once
	[ "$(grep -c "No help topic for 'nosuch'" <<<"$stderr")" -eq 1 ]
}

@test "--log without --log-format writes logrus text lines" {
	local log=$BATS_TEST_TMPDIR/ward.log
	run --separate-stderr "$WARD" --log "$log" nosuch
	[ "$status" -eq 3 ]
	run cat "$log"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} =~ ^time=\"[0-9T:Z-]+\"\ level=error\ msg=\".*No\ help\ topic\ for\ \'nosuch\'.*\"$ ]]
}

@test "--log appends to an existing file" {
	local log=$BATS_TEST_TMPDIR/ward.log
	echo "earlier line" >"$log"
	run "$WARD" --log "$log" --log-format json nosuch
	[ "$status" -eq 3 ]
	[ "$(head -n1 "$log")" = "earlier line" ]
	[ "$(wc -l <"$log")" -eq 2 ]
}

@test "an unknown --log-format is refused" {
	run --separate-stderr "$WARD" --log-format yaml features
	[ "$status" -eq 1 ]
	[[ $stderr == *"invalid log-format: yaml"* ]]
	[ -z "$output" ]
}

@test "features prints a JSON document" {
	run --separate-stderr "$WARD" features
	[ "$status" -eq 0 ]
	"$PY" -m json.tool <<<"$output" >/dev/null
	# the document names the spec versions ward accepts, up to the one --version prints
	[ "$(json_get .ociVersionMin <<<"$output")" = "1.0.0" ]
	[ "$(json_get .ociVersionMax <<<"$output")" = "1.2.0" ]
}

@test "features output pipes into python3 -m json.tool" {
	"$WARD" features | "$PY" -m json.tool >/dev/null
}

@test "--systemd-cgroup is refused with a clear message" {
	run --separate-stderr "$WARD" --root "$WARD_ROOT" --systemd-cgroup features
	[ "$status" -eq 1 ]
	[[ $stderr == *systemd-cgroup* ]]
	[[ $stderr == *"not supported"* ]]
	[ -z "$output" ]
}

@test "spec writes a config.json that runc runs with a busybox rootfs" {
	mkdir -p "$BUNDLE"
	run --separate-stderr "$WARD" spec --bundle "$BUNDLE"
	[ "$status" -eq 0 ]
	"$PY" -m json.tool "$BUNDLE/config.json" >/dev/null
	[ "$(cfg_get .root.path)" = rootfs ]

	"$MKBUNDLE" "$BUNDLE" --rootfs-only
	cfg_set .process.terminal false
	cfg_set .process.args '["sh", "-c", "echo spec-ok"]'
	local id rroot=$BATS_TEST_TMPDIR/runc-root
	id=$(new_id spec)
	run --separate-stderr runc --root "$rroot" run -b "$BUNDLE" "$id" </dev/null
	runc --root "$rroot" delete -f "$id" >/dev/null 2>&1 || true
	echo "runc: $stderr"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = spec-ok ]
}

@test "spec refuses to overwrite an existing config.json" {
	mkdir -p "$BUNDLE"
	echo '{"mine": true}' >"$BUNDLE/config.json"
	run --separate-stderr "$WARD" spec --bundle "$BUNDLE"
	[ "$status" -eq 1 ]
	[[ $stderr == *"config.json exists"* ]]
	[ "$(cat "$BUNDLE/config.json")" = '{"mine": true}' ]
}

@test "--allowed-policies: an annotation outside the list is refused and leaves nothing; the flag's own policy and listed ones run" {
	setup_bundle true
	cfg_set '.annotations["dev.ward.policy"]' none
	local id
	id=$(new_id)
	run ward_cmd --policy agent --allowed-policies agent,default run -b "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	[[ $output == *"annotation dev.ward.policy=none: not among --allowed-policies (agent,default)"* ]]
	[ ! -e "$WARD_ROOT/$id" ]
	cfg_set '.annotations["dev.ward.policy"]' default
	id=$(new_id)
	ward_cmd --policy agent --allowed-policies agent,default create -b "$BUNDLE" "$id" \
		>/dev/null 2>&1 </dev/null
	[ "$(state_field "$id" policy)" = default ]
	ward_cmd delete --force "$id"
	cfg_set '.annotations["dev.ward.policy"]' agent
	id=$(new_id)
	run ward_cmd --policy agent --allowed-policies default run -b "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	# without the flag the annotation may pick anything (the design's default)
	cfg_set '.annotations["dev.ward.policy"]' none
	id=$(new_id)
	run ward_cmd --policy agent run -b "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
}
