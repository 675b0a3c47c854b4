#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# State directories whose socket paths do not fit a sockaddr_un (107 bytes): containerd's
# shim passes --root <Root>/<namespace> and ids are 64 hex digits, so a Root of some 30
# characters is already too long for "<root>/<id>/init.sock". runc keeps no socket there;
# ward must work all the same (it binds and connects through /proc/self/fd/<state dir>).

load helpers

@test "create, start, exec, kill and delete with a --root too long for socket paths" {
	setup_bundle sleep 1000
	local root id
	root=$WARD_ROOT/$(printf 'r%.0s' {1..60})/k8s.io
	id=$(printf 'a%.0s' {1..64})
	echo "$id" >>"$WARD_TEST_DIR/ids"
	# (under $WARD_ROOT: teardown finds the state and kills what it names)
	# the premise: the plain path is longer than sun_path
	(($(printf '%s/%s/init.sock' "$root" "$id" | wc -c) > 107))
	mkdir -p "$root"
	cd "$BUNDLE"
	"$WARD" --root "$root" create "$id" </dev/null
	[[ -S $root/$id/init.sock ]]
	[[ $("$WARD" --root "$root" state "$id" | json_get .status) == created ]]
	"$WARD" --root "$root" start "$id"
	[[ $("$WARD" --root "$root" state "$id" | json_get .status) == running ]]
	[[ ! -e $root/$id/init.sock ]]
	run "$WARD" --root "$root" exec "$id" echo in-exec
	[[ $status == 0 && $output == in-exec ]]
	"$WARD" --root "$root" kill "$id" KILL
	"$WARD" --root "$root" delete --force "$id"
	[[ ! -e $root/$id ]]
}
