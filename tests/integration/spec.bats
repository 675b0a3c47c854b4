#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# `ward spec` writes the config.json `runc spec` writes (declared as runtime-spec 1.2.0,
# without ambient capabilities, as current runc), and runc itself runs it with a busybox
# rootfs. Runs as root; runc and busybox-static come from the dependency script.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
WARD=${WARD:-$REPO/build/ward}
PY=/usr/bin/python3

setup() {
	command -v runc >/dev/null || {
		echo "runc is not installed (scripts/install-deps installs it)" >&2
		return 1
	}
	[[ -x $WARD ]] || {
		echo "no ward binary at $WARD" >&2
		return 1
	}
	TMP=$(mktemp -d /tmp/ward-spec-test.XXXXXX)
	RUNC_ROOT=$TMP/runc-state
	IDS=()
}

teardown() {
	local id
	for id in "${IDS[@]}"; do
		runc --root "$RUNC_ROOT" delete --force "$id" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}

# make_rootfs DIR: a busybox rootfs with every applet linked in /bin
make_rootfs() {
	mkdir -p "$1/rootfs/bin"
	cp /bin/busybox "$1/rootfs/bin/busybox"
	chroot "$1/rootfs" /bin/busybox --install -s /bin
}

# edit FILE PYTHON-EXPR: rewrites the JSON in FILE, which the expression sees as `c`
edit() {
	"$PY" - "$1" "$2" <<'EOF'
import json, sys
path, expr = sys.argv[1], sys.argv[2]
c = json.load(open(path))
exec(expr)
json.dump(c, open(path, "w"), indent=2)
EOF
}

# same_config A B: the two configs are equal once ociVersion and ambient caps are set aside
same_config() {
	"$PY" - "$1" "$2" <<'EOF'
import json, sys
def norm(path):
    c = json.load(open(path))
    c.pop("ociVersion")
    c["process"]["capabilities"].pop("ambient", None)
    return c
a, b = norm(sys.argv[1]), norm(sys.argv[2])
if a != b:
    print(json.dumps(a, indent=1, sort_keys=True)); print(json.dumps(b, indent=1, sort_keys=True))
    sys.exit(1)
EOF
}

@test "spec writes runc's default config.json as runtime-spec 1.2.0" {
	mkdir "$TMP/ward" "$TMP/runc"
	(cd "$TMP/runc" && runc spec)
	run "$WARD" spec --bundle "$TMP/ward"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run same_config "$TMP/runc/config.json" "$TMP/ward/config.json"
	echo "$output"
	[ "$status" -eq 0 ]
	run "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["ociVersion"], "ambient" in c["process"]["capabilities"])' "$TMP/ward/config.json"
	[ "$output" = "1.2.0 False" ]
}

@test "spec --rootless matches runc spec --rootless" {
	mkdir "$TMP/ward" "$TMP/runc"
	(cd "$TMP/runc" && runc spec --rootless)
	(cd "$TMP/ward" && "$WARD" spec --rootless)
	run same_config "$TMP/runc/config.json" "$TMP/ward/config.json"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "spec -b is --bundle, and the current directory is the default" {
	mkdir "$TMP/b" "$TMP/cwd"
	"$WARD" spec -b "$TMP/b"
	(cd "$TMP/cwd" && "$WARD" spec)
	cmp "$TMP/b/config.json" "$TMP/cwd/config.json"
}

@test "spec refuses to replace an existing config.json" {
	echo '{"ociVersion": "mine"}' >"$TMP/config.json"
	run "$WARD" spec --bundle "$TMP"
	[ "$status" -ne 0 ]
	[[ $output == *"File config.json exists. Remove it first"* ]]
	[ "$(cat "$TMP/config.json")" = '{"ociVersion": "mine"}' ]
}

@test "spec fails for a missing bundle directory and takes no arguments" {
	run "$WARD" spec --bundle "$TMP/missing"
	[ "$status" -ne 0 ]
	[[ $output == *"$TMP/missing"*"No such file or directory"* ]]
	[ ! -e "$TMP/missing" ]
	mkdir "$TMP/args"
	cd "$TMP/args"
	run "$WARD" spec extra
	[ "$status" -ne 0 ]
	[[ $output == *'"spec" requires exactly 0 argument(s)'* ]]
	[ ! -e "$TMP/args/config.json" ]
}

@test "runc runs the spec with a busybox rootfs" {
	make_rootfs "$TMP"
	"$WARD" spec --bundle "$TMP"
	edit "$TMP/config.json" 'c["process"]["terminal"] = False; c["process"]["args"] = ["/bin/true"]'
	IDS+=(ward-spec-true-$$)
	run runc --root "$RUNC_ROOT" run --bundle "$TMP" "ward-spec-true-$$"
	echo "$output"
	[ "$status" -eq 0 ]

	# the process really ran inside the container: its hostname and exit status come back
	edit "$TMP/config.json" 'c["process"]["args"] = ["sh", "-c", "echo in $(hostname); exit 7"]'
	IDS+=(ward-spec-sh-$$)
	run runc --root "$RUNC_ROOT" run --bundle "$TMP" "ward-spec-sh-$$"
	echo "$output"
	[ "$status" -eq 7 ]
	[ "$output" = "in runc" ]
}

@test "runc runs the --rootless spec (user namespace) with a busybox rootfs" {
	make_rootfs "$TMP"
	"$WARD" spec --rootless --bundle "$TMP"
	edit "$TMP/config.json" 'c["process"]["terminal"] = False; c["process"]["args"] = ["sh", "-c", "cat /proc/self/uid_map"]'
	IDS+=(ward-spec-rootless-$$)
	run runc --root "$RUNC_ROOT" run --bundle "$TMP" "ward-spec-rootless-$$"
	echo "$output"
	[ "$status" -eq 0 ]
	# one id mapped: container root to our own uid
	read -r inside outside count <<<"$output"
	[ "$inside" = 0 ] && [ "$outside" = "$(id -u)" ] && [ "$count" = 1 ]
}
