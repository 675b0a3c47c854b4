#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The supervisor on real containers: fail closed when it dies, `ward exec` processes
# mediated like init's descendants, the refused process operations, the audit log, and the
# supervisor's own lifetime (gone with the container, its memory when idle).

load helpers
load supervisor_lib

PORT=5000

# proc_gone PID: exited (a zombie waiting for its reaper counts as gone)
proc_gone() {
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# wait_output FILE TEXT: waits (at most 20 s) until FILE contains TEXT
wait_output() {
	local n=0
	until grep -qF -- "$2" "$1" 2>/dev/null; do
		((n++ < 400)) || {
			echo "no '$2' in $1:" >&2
			cat "$1" >&2
			return 1
		}
		sleep 0.05
	done
}

# start_container ID [POLICY]: create + start with stdio in $WARD_TEST_DIR/out-ID
start_container() {
	ward_cmd --policy "${2:-agent}" create -b "$BUNDLE" "$1" >"$WARD_TEST_DIR/out-$1" 2>&1
	ward_cmd start "$1"
}

@test "fail closed: with the supervisor killed, mediated calls fail with ENOSYS and no fallback gets around it" {
	sup_netns
	sup_witnesses $PORT
	setup_bundle sup_net connect tcp 127.0.0.1 $PORT + waitfile /go + \
		connect tcp 127.0.0.1 $PORT + connect udp 127.0.0.1 $PORT + sendto udp ::1 $PORT + \
		sendto tcp ::1 $PORT + sendmsg udp 127.0.0.1 $PORT + sendmmsg udp ::1 $PORT + \
		connect tcp $DENIED4 $PORT + sendmmsg udp $DENIED6 $PORT + \
		unshare-user + clone-user + clone3-user + fork + pthread + clone-thread + \
		spawn /bin/true + fexecve /bin/true + execve /bin/true + pid
	sup_bundle_netns
	id=$(new_id)
	start_container "$id"
	out=$WARD_TEST_DIR/out-$id
	# mediated and answered while the supervisor lives
	wait_output "$out" "connect tcp 127.0.0.1 $PORT: ok"
	sup=$(sup_pid "$id")
	[ -n "$sup" ]
	kill -KILL "$sup"
	n=0
	until proc_gone "$sup"; do
		((n++ < 200))
		sleep 0.05
	done
	touch "$BUNDLE/rootfs/go"
	wait_for_status "$id" stopped 30
	sup_witnesses_stop
	output=$(cat "$out")
	echo "$output"
	# every mediated call now fails with ENOSYS, whatever its destination
	for op in "connect tcp 127.0.0.1" "connect udp 127.0.0.1" "sendto udp ::1" "sendto tcp ::1" \
		"sendmsg udp 127.0.0.1" "sendmmsg udp ::1" "connect tcp $DENIED4" "sendmmsg udp $DENIED6"; do
		[[ $output == *"$op $PORT: ENOSYS"* ]] || { echo "not ENOSYS: $op" >&2; false; }
	done
	# new user namespaces: agent audits its refusals, so they are notified too and fail
	# with ENOSYS now; the fallbacks: clone3 -> clone is checked on its flags, posix_spawn
	# and fexecve end in a notified execve; nothing was executed (the last line is printed
	# after the execs)
	[[ $output == *"unshare-user: ENOSYS"* ]]
	[[ $output == *"clone-user: ENOSYS"* ]]
	[[ $output == *"clone3-user: ENOSYS"* ]]
	[[ $output == *"spawn /bin/true: ENOSYS"* ]]
	[[ $output == *"fexecve /bin/true: ENOSYS"* ]]
	[[ $output == *"execve /bin/true: ENOSYS"* ]]
	[[ $output == *"pid: 1"* ]]
	# what needs no supervisor still works
	[[ $output == *"fork: ok"* ]]
	[[ $output == *"pthread: ok"* ]]
	[[ $output == *"clone-thread: ok"* ]]
	# nothing left the container after the supervisor died
	[ "$(sup_seen tcp 127.0.0.1 $PORT)" -eq 1 ]
	for a in 127.0.0.1 ::1 $DENIED4 $DENIED6; do
		[ "$(sup_seen udp "$a" $PORT)" -eq 0 ]
	done
	for a in ::1 $DENIED4 $DENIED6; do
		[ "$(sup_seen tcp "$a" $PORT)" -eq 0 ]
	done
}

@test "fail closed: a call pending in the supervisor when it dies fails with ENOSYS" {
	sup_netns
	# a listener that never accepts: its queue holds one connection, then SYNs are dropped
	log=$WARD_TEST_DIR/w-stuck
	nsenter --net="$NETNS" "$SUP_NET" serve-stuck tcp 127.0.0.1 5001 "$log" &
	echo $! >>"$WARD_TEST_DIR/sup_pids"
	n=0
	until [[ -e $log.ready ]]; do
		((n++ < 200))
		sleep 0.05
	done
	setup_bundle sup_net connect tcp 127.0.0.1 5001 + connect tcp 127.0.0.1 5001 + pid
	sup_bundle_netns
	id=$(new_id)
	start_container "$id"
	out=$WARD_TEST_DIR/out-$id
	wait_output "$out" "connect tcp 127.0.0.1 5001: ok"
	init=$(state_field "$id" pid)
	# the second connect waits in the supervisor (a blocking connect runs on its worker)
	n=0
	until [[ $(cat "/proc/$init/wchan" 2>/dev/null) == seccomp_do_user_notification* ]]; do
		((n++ < 400))
		sleep 0.05
	done
	sup=$(sup_pid "$id")
	[ -n "$sup" ]
	kill -KILL "$sup"
	wait_for_status "$id" stopped 30
	cat "$out"
	grep -q "^connect tcp 127.0.0.1 5001: ENOSYS$" "$out"
	grep -q "^pid: 1$" "$out"
}

@test "fail closed: ward exec into a container whose supervisor is dead runs nothing" {
	sup_netns
	sup_serve tcp $DENIED4 $PORT
	setup_bundle sup_net sleep 1000
	sup_bundle_netns
	id=$(new_id)
	start_container "$id"
	sup=$(sup_pid "$id")
	[ -n "$sup" ]
	kill -KILL "$sup"
	n=0
	until proc_gone "$sup"; do
		((n++ < 200))
		sleep 0.05
	done
	run ward_cmd exec "$id" sup_net connect tcp $DENIED4 $PORT
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output != *"connect tcp"* ]]
	sup_witnesses_stop
	[ "$(sup_seen tcp $DENIED4 $PORT)" -eq 0 ]
}

@test "exec: ward exec'd processes are mediated exactly like init's descendants; audit lines carry their pid" {
	sup_netns
	sup_witnesses $PORT
	ops="connect tcp 127.0.0.1 $PORT + connect tcp $DENIED4 $PORT + sendto udp $DENIED6 $PORT +"
	ops+=" sendmsg udp ::1 $PORT + unshare-user + clone-user + clone3-user + pthread"
	# init's descendant: a child of the shell that is pid 1
	setup_bundle sh -c "sup_net $ops; echo init-done; exec sup_net sleep 1000"
	sup_bundle_netns
	id=$(new_id)
	start_container "$id"
	wait_output "$WARD_TEST_DIR/out-$id" init-done
	from_init=$(grep -v init-done "$WARD_TEST_DIR/out-$id")

	# shellcheck disable=SC2086
	run ward_cmd exec --pid-file "$WARD_TEST_DIR/xpid" "$id" sup_net $ops
	echo "init's descendant:"
	echo "$from_init"
	echo "exec'd:"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$from_init" ]
	[[ $output == *"connect tcp $DENIED4 $PORT: EACCES"* ]]
	[[ $output == *"unshare-user: EPERM"* ]]
	xpid=$(cat "$WARD_TEST_DIR/xpid")

	# the container's policy applies, not the --policy of the exec command
	run ward_cmd --policy none exec "$id" sup_net connect tcp $DENIED4 $PORT
	echo "$output"
	[[ $output == *"connect tcp $DENIED4 $PORT: EACCES"* ]]

	# a detached exec as well
	ward_cmd exec -d --pid-file "$WARD_TEST_DIR/dpid" "$id" sup_net connect tcp $DENIED4 $PORT
	dpid=$(cat "$WARD_TEST_DIR/dpid")
	n=0
	until proc_gone "$dpid"; do
		((n++ < 400))
		sleep 0.05
	done
	sup_witnesses_stop
	[ "$(sup_seen tcp 127.0.0.1 $PORT)" -eq 2 ]
	[ "$(sup_seen udp ::1 $PORT)" -eq 2 ]
	[ "$(sup_seen tcp $DENIED4 $PORT)" -eq 0 ]
	[ "$(sup_seen udp $DENIED6 $PORT)" -eq 0 ]

	# the audit lines name the exec'd processes by their host pid
	sup_audit_fields_ok "$id"
	for p in "$xpid" "$dpid"; do
		[ "$(sup_audit_count "$id" "e.get('syscall') == 'connect' and e['pid'] == $p and \
			e['address'] == '$DENIED4' and e['decision'] == 'deny' and e['comm'] == 'sup_net'")" -eq 1 ]
		[ "$(sup_audit_count "$id" "e.get('syscall') == 'execve' and e['pid'] == $p and \
			e['argv'][0] == 'sup_net'")" -eq 1 ]
	done
	[ "$(sup_audit_count "$id" "e.get('syscall') == 'sendto' and e['pid'] == $xpid and \
		e['address'] == '$DENIED6' and e['errno'] == 13")" -eq 1 ]
	[ "$(sup_audit_count "$id" "e.get('syscall') == 'unshare' and e['pid'] == $xpid and \
		e['decision'] == 'deny' and e['flags'] == '0x10000000'")" -eq 1 ]
	# and the exec'd process's own listener was handed to the same supervisor
	[ "$(sup_audit_count "$id" "e.get('event') == 'listener-added' and e['pid'] == $xpid")" -eq 1 ]
}

# ward create saves the filter it compiled (filter.bpf in the state dir) and ward exec loads
# it; whatever is wrong with that file, exec compiles the policy again and never runs a
# process without the filter
@test "exec: the filter saved at create serves ward exec; a missing, corrupt, empty or foreign one is compiled again" {
	setup_bundle sleep 1000
	id=$(new_id)
	start_container "$id"
	f="$WARD_ROOT/$id/filter.bpf"
	[ -s "$f" ]
	other=$(new_id)
	ward_cmd --policy default create -b "$BUNDLE" "$other" </dev/null >/dev/null 2>&1
	for variant in saved missing corrupt empty foreign; do
		case $variant in
		missing) rm -f "$f" ;;
		corrupt) head -c 100 /dev/urandom >"$f" ;;
		# a well-formed header announcing no instruction at all
		empty) printf 'WARDBPF1\001\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' >"$f" ;;
		# default's program (this container runs agent) does not mediate file calls
		foreign) cp "$WARD_ROOT/$other/filter.bpf" "$f" ;;
		esac
		run ward_cmd --debug exec "$id" sup_net unshare-user
		echo "$variant: $output"
		[[ $output == *"unshare-user: EPERM"* ]]
		case $variant in
		saved | missing) [[ $output != *"compiling the policy again"* ]] ;;
		*) [[ $output == *"compiling the policy again"* ]] ;;
		esac
	done
}

@test "attack: a seccomp filter of the container's own cannot override the ward filter" {
	sup_netns
	sup_witnesses $PORT
	# ALLOW, LOG and TRACE rank below USER_NOTIF: the ward filter's notification wins; a
	# second listener is refused by the kernel (one per filter tree)
	setup_bundle sup_net own-filter notify + own-filter allow + own-filter log + \
		own-filter trace + connect tcp $DENIED4 $PORT + connect tcp 127.0.0.1 $PORT
	sup_bundle_netns
	run ward_cmd --policy agent run -b "$BUNDLE" "$(new_id)"
	sup_witnesses_stop
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"own-filter notify: EBUSY"* ]]
	for a in allow log trace; do
		[[ $output == *"own-filter $a: ok"* ]]
	done
	[[ $output == *"connect tcp $DENIED4 $PORT: EACCES"* ]]
	[[ $output == *"connect tcp 127.0.0.1 $PORT: ok"* ]]
	[ "$(sup_seen tcp $DENIED4 $PORT)" -eq 0 ]
	[ "$(sup_seen tcp 127.0.0.1 $PORT)" -eq 1 ]
}

# The refused operations of the built-in policies, as `probe syscall NAME ARGS` (arguments
# that make each call fail harmlessly, with an error other than EPERM, when it is allowed).
REFUSED=(
	"unshare 0x10000000"
	"mount 0 0 0 0 0"
	"umount2 0 0"
	"pivot_root 0 0"
	"open_tree -1 0 0"
	"move_mount -1 0 -1 0 0"
	"fsopen 0 0"
	"fsconfig -1 0 0 0 0"
	"fsmount -1 0 0"
	"fspick -1 0 0"
	"mount_setattr -1 0 0 0 0"
	"ptrace 2 999999 0 0"
	"process_vm_readv 999999 0 0 0 0 0"
	"process_vm_writev 999999 0 0 0 0 0"
	"keyctl 0xffff 0 0 0 0"
	"add_key 0 0 0 0 0"
	"request_key 0 0 0 0"
	"bpf 0xffff 0 0"
	"perf_event_open 0 0 -1 -1 0"
	"init_module 0 0 0"
	"finit_module -1 0 0"
	"delete_module 0 0"
	"kexec_load 0 0 0 0xdead0000"
	"kexec_file_load -1 -1 0 0 0"
	"io_uring_setup 0 0"
	"io_uring_enter -1 0 0 0 0 0"
	"io_uring_register -1 0 0 0"
	"userfaultfd 0"
)

# refused_bundle: a container that attempts every REFUSED call (and clone/clone3 with a new
# user namespace), printing "NAME: ERRNAME" per call, with every capability (so that it is the
# filter, not a missing capability, that refuses; CAP_SYS_RESOURCE is not ours to give here)
refused_bundle() {
	setup_bundle sh /refuse.sh
	{
		local c
		for c in "${REFUSED[@]}"; do
			echo "probe syscall $c | sed -n 's/^errname=/${c%% *}: /p'"
		done
		echo "sup_net clone-user + clone3-user + fork + pthread"
	} >"$BUNDLE/rootfs/refuse.sh"
	local caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_DAC_READ_SEARCH","CAP_FOWNER","CAP_FSETID",
		"CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_LINUX_IMMUTABLE",
		"CAP_NET_BIND_SERVICE","CAP_NET_BROADCAST","CAP_NET_ADMIN","CAP_NET_RAW","CAP_IPC_LOCK",
		"CAP_IPC_OWNER","CAP_SYS_MODULE","CAP_SYS_RAWIO","CAP_SYS_CHROOT","CAP_SYS_PTRACE",
		"CAP_SYS_PACCT","CAP_SYS_ADMIN","CAP_SYS_BOOT","CAP_SYS_NICE",
		"CAP_SYS_TIME","CAP_SYS_TTY_CONFIG","CAP_MKNOD","CAP_LEASE","CAP_AUDIT_WRITE",
		"CAP_AUDIT_CONTROL","CAP_SETFCAP","CAP_MAC_OVERRIDE","CAP_MAC_ADMIN","CAP_SYSLOG",
		"CAP_WAKE_ALARM","CAP_BLOCK_SUSPEND","CAP_AUDIT_READ","CAP_PERFMON","CAP_BPF",
		"CAP_CHECKPOINT_RESTORE"]'
	for set in bounding effective permitted; do
		cfg_set ".process.capabilities.$set" "$caps"
	done
}

@test "refusals: every refused operation of default and agent is refused from inside (EPERM; clone3 ENOSYS); agent logs each" {
	refused_bundle
	for pol in default agent; do
		id=$(new_id)
		start_container "$id" $pol
		wait_for_status "$id" stopped 30
		output=$(cat "$WARD_TEST_DIR/out-$id")
		echo "== $pol"
		echo "$output"
		for c in "${REFUSED[@]}"; do
			[[ $output == *"${c%% *}: EPERM"* ]] || { echo "$pol: ${c%% *} not EPERM" >&2; false; }
		done
		[[ $output == *"clone-user: EPERM"* ]]
		[[ $output == *"clone3-user: ENOSYS"* ]]
		[[ $output == *"fork: ok"* && $output == *"pthread: ok"* ]]
		sup_audit_fields_ok "$id"
		if [[ $pol == default ]]; then
			# refused in BPF, no round trip: no line
			[ "$(sup_audit_count "$id" "e.get('rule') == 'process.deny'")" -eq 0 ]
			continue
		fi
		# agent (audit.process): one line per refused call, with its group and errno
		for c in "${REFUSED[@]}" clone; do
			n=$(sup_audit_count "$id" "e.get('syscall') == '${c%% *}' and e['decision'] == 'deny' \
				and e['errno'] == 1 and e['error'] == 'EPERM' and e['rule'] == 'process.deny' \
				and e['group'] != '' and e['comm'] in ('probe', 'sup_net')")
			[ "$n" -eq 1 ] || { echo "agent: $n lines for ${c%% *}" >&2; false; }
		done
		[ "$(sup_audit_count "$id" "e.get('syscall') == 'unshare' and e['flags'] == '0x10000000' \
			and e['group'] == 'userns'")" -eq 1 ]
		[ "$(sup_audit_count "$id" "e.get('syscall') == 'ptrace' and e['request'] == 2 \
			and e['target_pid'] == 999999 and e['group'] == 'ptrace'")" -eq 1 ]
		# clone3 is answered in BPF (glibc's cue to fall back to clone), and plain clones
		# (fork, pthread) are not mediated
		[ "$(sup_audit_count "$id" "e.get('syscall') in ('clone3',)")" -eq 0 ]
		[ "$(sup_audit_count "$id" "e.get('syscall') == 'clone'")" -eq 1 ]
	done
}

@test "refusals (control): without the filter the same calls are not refused with EPERM" {
	refused_bundle
	run ward_cmd --policy none run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	eperm=()
	for c in "${REFUSED[@]}"; do
		[[ $output == *"${c%% *}: EPERM"* ]] && eperm+=("${c%% *}")
	done
	[[ $output == *"clone3-user: ok"* ]]
	[[ $output == *"clone-user: ok"* ]]
	sup_comment "without the filter: $(tr "\n" " " <<<"$output")"
	[ "${#eperm[@]}" -eq 0 ] || { echo "EPERM without the filter: ${eperm[*]}" >&2; false; }
}

@test "audit: ward audit has one line per mediated event with time, container, pid, comm, syscall, arguments, decision, errno, latency" {
	sup_netns
	sup_witnesses $PORT
	setup_bundle sup_net connect tcp 127.0.0.1 $PORT + connect tcp $DENIED4 $PORT + \
		sendto udp ::1 $PORT + sendmsg udp $DENIED6 $PORT + sendmmsg udp 127.0.0.1 $PORT + \
		execve /bin/true
	sup_bundle_netns
	id=$(new_id)
	start_container "$id"
	wait_for_status "$id" stopped
	sup_witnesses_stop
	cat "$WARD_TEST_DIR/out-$id"
	ward_cmd audit "$id"
	sup_audit_fields_ok "$id"
	# the container's process: the one that handed its listener over
	pid=$(ward_cmd audit "$id" |
		"$PY" -c 'import json,sys
for l in sys.stdin:
    e = json.loads(l)
    if e.get("event") == "listener-added":
        print(e["pid"]); break')
	[ -n "$pid" ]
	# each call of the container, exactly once, with its decoded arguments
	c() { sup_audit_count "$id" "e.get('syscall') == '$1' and e['pid'] == $pid and $2"; }
	[ "$(c connect "e['address'] == '127.0.0.1' and e['port'] == $PORT and e['protocol'] == 'tcp' \
		and e['family'] == 'inet' and e['decision'] == 'allow' and e['errno'] == 0")" -eq 1 ]
	[ "$(c connect "e['address'] == '$DENIED4' and e['decision'] == 'deny' and e['errno'] == 13 \
		and e['error'] == 'EACCES'")" -eq 1 ]
	[ "$(c sendto "e['address'] == '::1' and e['family'] == 'inet6' and e['protocol'] == 'udp' \
		and e['decision'] == 'allow' and e['bytes'] == 1")" -eq 1 ]
	[ "$(c sendmsg "e['address'] == '$DENIED6' and e['decision'] == 'deny'")" -eq 1 ]
	[ "$(c sendmmsg "e['decision'] == 'allow'")" -eq 1 ]
	[ "$(c execve "e['path'] == '/bin/true' and e['argv'] == ['/bin/true']")" -eq 1 ]
	# and nothing else from the container's process (the udp connect+send made no line:
	# connect is the one mediated there)
	[ "$(sup_audit_count "$id" "'syscall' in e")" -eq 7 ]
	# the first execve is init's own exec of sup_net
	[ "$(c execve "e['argv'][0] == 'sup_net'")" -eq 1 ]
	# latency is a number, time an RFC 3339 UTC stamp
	[ "$(sup_audit_count "$id" "'syscall' in e and isinstance(e['latency_us'], int) and \
		e['time'].endswith('Z') and 'T' in e['time']")" -eq 7 ]
}

# the supervisor writes audit lines in batches; ward audit has it write out what it holds
@test "audit: ward audit shows an event as soon as the call returned" {
	setup_bundle sleep 1000
	id=$(new_id)
	start_container "$id"
	for i in $(seq 20); do
		ward_cmd exec "$id" true
		[ "$(sup_audit_count "$id" "e.get('syscall') == 'execve' and e['argv'] == ['true']")" -eq "$i" ]
	done
}

@test "lifetime: ward delete stops the supervisor and nothing is left running; idle memory reported" {
	setup_bundle sup_net sleep 1000
	id=$(new_id)
	start_container "$id" agent
	sup=$(sup_pid "$id")
	[ -n "$sup" ]
	# idle: the loop and init's listener's receiver, once the start-up work (audit writer,
	# host names) is done
	n=0
	until [ "$(awk '/^Threads:/ {print $2}' "/proc/$sup/status")" -eq 2 ]; do
		((n++ < 200))
		sleep 0.05
	done
	# not a parent of the container, with no stdio inherited
	init=$(state_field "$id" pid)
	[ "$(awk '/^PPid:/ {print $2}' "/proc/$init/status")" != "$sup" ]
	for fd in 0 1 2; do
		[ "$(readlink "/proc/$sup/fd/$fd")" = /dev/null ]
	done
	# exec'd processes come and go: their listeners, fds and threads do not stay behind
	fds=$(ls "/proc/$sup/fd" | wc -l)
	for i in $(seq 20); do
		ward_cmd exec "$id" sup_net pid >/dev/null
	done
	n=0
	until [ "$(ls "/proc/$sup/fd" | wc -l)" -eq "$fds" ] &&
		[ "$(awk '/^Threads:/ {print $2}' "/proc/$sup/status")" -eq 2 ]; do
		((n++ < 200)) || { ls -l "/proc/$sup/fd"; false; }
		sleep 0.05
	done
	[ "$(sup_audit_count "$id" "e.get('event') == 'listener-added'")" -eq 21 ]
	[ "$(sup_audit_count "$id" "e.get('event') == 'listener-closed'")" -eq 20 ]
	rss=$(awk '/^Rss:/ {print $2}' "/proc/$sup/smaps_rollup")
	pss=$(awk '/^Pss:/ {print $2}' "/proc/$sup/smaps_rollup")
	anon=$(awk '/^Pss_Anon:/ {print $2}' "/proc/$sup/smaps_rollup")
	uss=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$sup/smaps_rollup")
	sup_comment "idle supervisor: Rss ${rss} kB, Pss ${pss} kB, Uss ${uss} kB (anonymous ${anon} kB)"

	ward_cmd delete --force "$id"
	# delete returns once the supervisor has exited
	proc_gone "$sup"
	proc_gone "$init"
	[ ! -e "$WARD_ROOT/$id" ]
	[ -z "$(sup_pid "$id")" ]
}

@test "lifetime: the supervisor of a run container exits with it" {
	setup_bundle sup_net pid
	id=$(new_id)
	run ward_cmd --policy agent run -b "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"pid: 1"* ]]
	# no warning about the supervisor from the implicit delete
	[[ $output != *supervisor* ]]
	[ -z "$(sup_pid "$id")" ]
}
