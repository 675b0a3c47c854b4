#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The policy's file sets (issue: file policy and kernel backstops), attacked from inside
# real containers: under `agent` a container cannot write outside its writable set, run
# programs from /tmp or read hidden paths - tried through symlinks, hard links, "..",
# /proc/self/root, openat2, a directory fd passed in and racing renames - while what the
# policy allows keeps working. Each attack is also run under a policy without file rules
# (the control), so a test that proves nothing fails.
#
# Writes to the host side are checked on the host (the rootfs files), not only by what the
# container says.

load helpers
load supervisor_lib

setup() {
	sup_setup
	[[ -x $WARD_HELPERS_DIR/attack_files ]] || skip "static helpers missing: make helpers"
	setup_bundle
	cfg_set .root.readonly false
	cfg_set .process.cwd /work
	ROOTFS=$BUNDLE/rootfs
	mkdir -p "$ROOTFS/work"
	sha_passwd=$(sha256sum <"$ROOTFS/etc/passwd")
}

teardown() {
	sup_teardown
}

# in_container POLICY SCRIPT: runs `sh -c SCRIPT` in a new container; output in $output.
in_container() {
	local id
	id=$(new_id fp)
	cfg_set .process.args "$(printf '%s' "$2" | "$PY" -c 'import json,sys; print(json.dumps(["sh","-c",sys.stdin.read()]))')"
	run ward_cmd --policy "$1" run -b "$BUNDLE" "$id"
	echo "# $1: $output" | head -c 4000 >&3
}

# the writes a container tries against the system files: each prints "WROTE <n>" if the
# kernel let it through
WRITE_ATTACKS='
cd /tmp
echo x >>/etc/passwd && echo "WROTE append"
echo x >/etc/new1 && echo "WROTE create"
echo x >/tmp/../etc/new2 && echo "WROTE dotdot"
echo x >/proc/self/root/etc/new3 && echo "WROTE procroot"
echo x >/proc/1/root/etc/new4 && echo "WROTE proc1root"
ln -s /etc/passwd /tmp/sl && echo x >>/tmp/sl && echo "WROTE symlink"
ln /etc/passwd /tmp/hl && echo x >>/tmp/hl && echo "WROTE hardlink"
mv /etc/group /tmp/group && echo "WROTE rename"
rm /etc/hostname && echo "WROTE unlink"
mkdir /etc/d && echo "WROTE mkdir"
r=$(attack_files openat2 w /etc/passwd); [ "$r" = ok ] && echo "WROTE openat2"
r=$(cd / && attack_files openat2 w etc/passwd beneath); [ "$r" = ok ] && echo "WROTE openat2-beneath"
true >/etc/passwd && echo "WROTE truncate"
echo done
'

host_unchanged() {
	[ "$(sha256sum <"$ROOTFS/etc/passwd")" = "$sha_passwd" ]
	[ ! -e "$ROOTFS/etc/new1" ] && [ ! -e "$ROOTFS/etc/new2" ] && [ ! -e "$ROOTFS/etc/new3" ]
	[ ! -e "$ROOTFS/etc/new4" ] && [ ! -e "$ROOTFS/etc/d" ]
	[ -e "$ROOTFS/etc/group" ] && [ -e "$ROOTFS/etc/hostname" ]
}

@test "agent: no write reaches the system files (direct, .., /proc/self/root, symlink, hard link, rename, openat2)" {
	echo host >"$ROOTFS/etc/hostname"
	in_container agent "$WRITE_ATTACKS"
	[[ $output == *done* ]]
	[[ $output != *WROTE* ]]
	host_unchanged
}

@test "agent as a non-root user without no_new_privs, files world-writable: Landlock alone refuses" {
	echo host >"$ROOTFS/etc/hostname"
	chmod 0666 "$ROOTFS/etc/passwd"
	chmod 0777 "$ROOTFS/etc"
	cfg_set .process.user '{"uid": 1000, "gid": 1000}'
	cfg_set .process.noNewPrivileges false
	in_container agent "$WRITE_ATTACKS"
	[[ $output == *done* ]]
	[[ $output != *WROTE* ]]
	host_unchanged
}

@test "control: without file rules the same writes succeed" {
	echo host >"$ROOTFS/etc/hostname"
	in_container default "$WRITE_ATTACKS"
	[[ $output == *"WROTE append"* ]]
	[[ $output == *"WROTE create"* ]]
	[[ $output == *"WROTE procroot"* ]]
	[[ $output == *"WROTE openat2"* ]]
	[ "$(sha256sum <"$ROOTFS/etc/passwd")" != "$sha_passwd" ]
}

@test "agent: what the policy allows still works (a script built and run in the workdir, /tmp, reads)" {
	in_container agent '
set -e
cd /work
printf "#!/bin/sh\necho built-and-ran \$((6 * 7))\n" >hello.sh
chmod +x hello.sh
./hello.sh
cp /bin/busybox ./echo
./echo copied-binary-runs
echo data >/tmp/f && cat /tmp/f
mkdir -p /tmp/a/b && mv /tmp/f /tmp/a/b/g && rm -r /tmp/a
echo x >/dev/null && head -c 4 /dev/zero | wc -c
grep -q root /etc/passwd && echo reads-ok
ls /usr /bin >/dev/null && echo lists-ok
'
	[ "$status" -eq 0 ]
	[[ $output == *"built-and-ran 42"* ]]
	[[ $output == *copied-binary-runs* ]]
	[[ $output == *data* ]]
	[[ $output == *reads-ok* ]]
	[[ $output == *lists-ok* ]]
	[ -x "$ROOTFS/work/hello.sh" ]
}

@test "agent: programs do not run from /tmp (exec denied, also through a symlink and a hard link)" {
	in_container agent '
cp /bin/busybox /tmp/true && { /tmp/true && echo "RAN tmp"; }
mkdir /work/l && ln -s /tmp/true /work/l/true && { /work/l/true && echo "RAN symlink"; }
mkdir /work/h && ln /tmp/true /work/h/true && { /work/h/true && echo "RAN hardlink"; }
cp /tmp/true /work/true && /work/true && echo "copy in workdir runs"
echo done
'
	[[ $output == *done* ]]
	[[ $output != *RAN* ]]
	[[ $output == *"copy in workdir runs"* ]]
	in_container default 'cp /bin/busybox /tmp/true && /tmp/true && echo "RAN tmp"'
	[[ $output == *"RAN tmp"* ]]
}

# a secret directory and an engine socket bind-mounted in, as an engine would
hidden_setup() {
	mkdir -p "$WARD_TEST_DIR/secrets"
	echo TOPSECRET >"$WARD_TEST_DIR/secrets/token"
	cfg_append .mounts '{"destination": "/run/secrets", "type": "bind", "source": "'"$WARD_TEST_DIR/secrets"'", "options": ["rbind", "ro"]}'
	sup_netns
	sup_bundle_netns
	sup_serve_unix engine.sock
	touch "$ROOTFS/engine.sock"
	cfg_append .mounts '{"destination": "/var/run/docker.sock", "type": "bind", "source": "'"$WARD_TEST_DIR/engine.sock"'", "options": ["bind"]}'
	mkdir -p "$ROOTFS/var/run"
}

HIDDEN_ATTACKS='
cat /run/secrets/token
cat /proc/self/root/run/secrets/token
cat /tmp/../run/secrets/token
ln -s /run/secrets/token /tmp/s && cat /tmp/s
attack_files openat2 r /run/secrets/token
cp -r /run/secrets /tmp/copy && cat /tmp/copy/token
sup_net unix-connect /var/run/docker.sock
stat -c "engine-sock-is %F" /var/run/docker.sock
echo done
'

@test "agent: hidden paths stay hidden (secrets dir, engine socket) however they are reached" {
	hidden_setup
	in_container agent "$HIDDEN_ATTACKS"
	[[ $output == *done* ]]
	[[ $output != *TOPSECRET* ]]
	[[ $output != *"docker.sock: ok"* ]]
	# masked by the kernel (a /dev/null bind), not only refused by the supervisor's rule
	[[ $output == *"engine-sock-is character special file"* ]]
	[ ! -s "$WARD_TEST_DIR/w-unix-engine.sock" ]
}

@test "control: without file rules the secret and the engine socket are reachable" {
	hidden_setup
	in_container audit "$HIDDEN_ATTACKS"
	[ "$(grep -c TOPSECRET <<<"$output")" -eq 5 ]
	[[ $output == *"docker.sock: ok"* ]]
	[[ $output == *"engine-sock-is socket"* ]]
}

@test "agent: a host directory fd passed in (--preserve-fds) leads nowhere" {
	local hostdir=$WARD_TEST_DIR/hostdir id
	mkdir -p "$hostdir"
	echo hostdata >"$hostdir/existing"
	cfg_set .process.args '["sh", "-c", "attack_files at 3 w pwned1; attack_files at 3 r existing; echo x >/proc/self/fd/3/pwned2 && echo WROTE; cat /proc/self/fd/3/existing; echo done"]'
	id=$(new_id fp)
	run ward_cmd --policy agent run --preserve-fds 1 -b "$BUNDLE" "$id" 3<"$hostdir"
	echo "# $output" >&3
	[[ $output == *done* ]]
	[[ $output != *WROTE* ]]
	[[ $output != *hostdata* ]]
	[[ $output == *EACCES* ]]
	[ ! -e "$hostdir/pwned1" ] && [ ! -e "$hostdir/pwned2" ]
	# control: the same fd under a policy without file rules is the host directory
	id=$(new_id fp)
	run ward_cmd --policy default run --preserve-fds 1 -b "$BUNDLE" "$id" 3<"$hostdir"
	[[ $output == *hostdata* ]]
	[ -e "$hostdir/pwned1" ]
}

@test "agent: racing renames never carry a write into a read-only tree (20000 opens each)" {
	in_container agent '
: >/tmp/good
attack_files race /tmp/good /etc/passwd 20000
attack_files dirrace /tmp 20000
'
	[[ $output =~ opened=([0-9]+)\ bad=0 ]]
	((BASH_REMATCH[1] > 0))
	[[ $output =~ created=([0-9]+)\ escaped=0 ]]
	((BASH_REMATCH[1] > 0))
	[ "$(sha256sum <"$ROOTFS/etc/passwd")" = "$sha_passwd" ]
	[ ! -e "$ROOTFS/etc/pwned" ]
}

@test "control: the dirrace does escape without file rules (the attack is real)" {
	in_container default 'attack_files dirrace /tmp 20000'
	[[ $output =~ escaped=1 ]]
	rm -f "$ROOTFS/etc/pwned"
}

@test "agent: ward exec processes get the same file rules" {
	local id
	id=$(new_id fp)
	cfg_set .process.args '["sleep", "1000"]'
	ward_cmd --policy agent create -b "$BUNDLE" "$id" >/dev/null 2>&1 </dev/null
	ward_cmd start "$id"
	run ward_cmd exec "$id" sh -c 'echo x >>/etc/passwd && echo WROTE; echo ok >/tmp/x && cat /tmp/x; cp /bin/busybox /tmp/true; /tmp/true && echo RAN; echo done'
	echo "# $output" >&3
	[[ $output == *done* ]]
	[[ $output != *WROTE* ]]
	[[ $output != *RAN* ]]
	[[ $output == *ok* ]]
	run ward_cmd exec --cwd /tmp "$id" sh -c 'cat /run/secrets/none 2>&1; echo x >/usr/x && echo WROTE; echo done'
	[[ $output != *WROTE* ]]
	[ "$(sha256sum <"$ROOTFS/etc/passwd")" = "$sha_passwd" ]
	ward_cmd kill "$id" KILL
}

@test "a workdir the image lacks is created and writable under agent" {
	rmdir "$ROOTFS/work"
	cfg_set .process.cwd /new/work
	in_container agent 'pwd; echo x >f && echo wrote-in-workdir'
	[[ $output == *"/new/work"* ]]
	[[ $output == *wrote-in-workdir* ]]
	[ -f "$ROOTFS/new/work/f" ]
}

@test "a cwd of / does not make the whole root writable" {
	cfg_set .process.cwd /
	in_container agent 'echo x >/etc/new1 && echo WROTE; echo x >/tmp/ok && echo tmp-ok'
	[[ $output != *WROTE* ]]
	[[ $output == *tmp-ok* ]]
}

@test "TCP ports: Landlock alone walls off connects when the policy runs without a supervisor" {
	sup_netns
	sup_bundle_netns
	sup_serve tcp 127.0.0.1 7001
	sup_serve tcp 127.0.0.1 7002
	cat >"$WARD_TEST_DIR/ports.json" <<-'EOF'
		{
		  "version": 1,
		  "name": "ports-only",
		  "supervise": false,
		  "network": {
		    "egressDefault": "deny",
		    "egress": [ { "action": "allow", "protocol": "tcp", "ports": [7001] } ]
		  }
		}
	EOF
	cfg_set .process.args '["sh", "-c", "sup_net connect tcp 127.0.0.1 7001; sup_net connect tcp 127.0.0.1 7002; echo done"]'
	local id
	id=$(new_id fp)
	run ward_cmd --policy "$WARD_TEST_DIR/ports.json" run -b "$BUNDLE" "$id"
	echo "# $output" >&3
	[[ $output == *done* ]]
	[ -z "$(sup_pid "$id")" ]
	[ "$(sup_seen tcp 127.0.0.1 7001)" -ge 1 ]
	[ "$(sup_seen tcp 127.0.0.1 7002)" -eq 0 ]
	[[ $output == *"7002: EACCES"* ]]
}

@test "landlock \"required\" runs here (the kernel has Landlock); a malformed file set is refused with its JSON path" {
	local abi
	abi=$(ward_cmd features | json_get '.annotations["dev.ward.landlock.abi"]')
	echo "# landlock ABI $abi" >&3
	((abi >= 1)) || skip "this kernel has no Landlock"
	cat >"$WARD_TEST_DIR/req.json" <<-'EOF'
		{ "version": 1, "landlock": "required",
		  "files": { "readOnly": ["/"], "writable": ["/tmp"], "executable": ["/bin"] } }
	EOF
	in_container "$WARD_TEST_DIR/req.json" 'echo x >/etc/new1 && echo WROTE; echo x >/tmp/y && echo ok'
	[[ $output == *ok* ]]
	[[ $output != *WROTE* ]]
	cat >"$WARD_TEST_DIR/bad.json" <<-'EOF'
		{ "version": 1, "files": { "writable": ["/tmp", "tmp/x"] } }
	EOF
	local id
	id=$(new_id fp)
	run ward_cmd --policy "$WARD_TEST_DIR/bad.json" run -b "$BUNDLE" "$id"
	[ "$status" -ne 0 ]
	[[ $output == *"files.writable[1]"* ]]
	[ ! -d "$WARD_ROOT/$id" ]
}

@test "agent under a seccomp profile that refuses the landlock calls (loaded before the user change): the rules still hold" {
	echo host >"$ROOTFS/etc/hostname"
	cfg_set .process.noNewPrivileges false
	cfg_set .linux.seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	in_container agent "$WRITE_ATTACKS"
	[[ $output == *done* ]]
	[[ $output != *WROTE* ]]
	[[ $output != *"landlock unavailable"* ]]
	host_unchanged
}
