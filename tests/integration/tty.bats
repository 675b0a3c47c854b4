#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Terminals: process.terminal with the pty master handed to the engine over
# --console-socket (create/start, exec), and `ward run` in the foreground relaying a
# terminal it owns. The engine's side is tests/tools/console_recv (what containerd and
# Docker do); the user's terminal is tests/tools/ptyrun.py (a fresh pty per test).
#
# The same file runs against runc as a control: WARD=/usr/sbin/runc bats tty.bats

load helpers

setup_file() {
	# console_recv: from the Makefile's build dir when it has a rule, else built here
	export CONSOLE_RECV=$REPO/build/tools/console_recv
	if [[ ! -x $CONSOLE_RECV || $CONSOLE_RECV -ot $REPO/tests/tools/console_recv.c ]]; then
		CONSOLE_RECV=$BATS_FILE_TMPDIR/console_recv
		gcc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$CONSOLE_RECV" \
			"$REPO/tests/tools/console_recv.c"
	fi
}

setup() {
	ward_common_setup
	: >"$WARD_TEST_DIR/recv.pids"
	PTYRUN=("$PY" "$REPO/tests/tools/ptyrun.py")
}

teardown() {
	ward_common_teardown
	# receivers still running (a failed test): ours, by pid
	local pid
	while read -r pid; do
		if kill -KILL "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null || true
		fi
	done <"$WARD_TEST_DIR/recv.pids"
}

# tty_bundle ARG...: a bundle running ARGs on a terminal of 33 rows and 101 columns.
tty_bundle() {
	setup_bundle "$@"
	cfg_set .process.terminal true
	cfg_set .process.consoleSize '{"height": 33, "width": 101}'
}

# recv_start NAME [console_recv OPTION...]: starts a receiver on $WARD_TEST_DIR/NAME.sock
# in the background (output in NAME.out, what it received in NAME.info) and returns once
# it accepts connections.
recv_start() {
	local name=$1 d=$WARD_TEST_DIR
	shift
	"$CONSOLE_RECV" -T 60 -m "$d/$name.info" "$@" "$d/$name.sock" \
		>"$d/$name.out" 2>"$d/$name.err" </dev/null 3>&- &
	local pid=$!
	echo "$pid" >>"$d/recv.pids"
	eval "RECV_PID_$name=$pid"
	local n=600
	while [[ ! -S $d/$name.sock ]]; do
		if ! kill -0 "$pid" 2>/dev/null || ((n-- == 0)); then
			echo "console_recv $name did not come up:" >&2
			cat "$d/$name.err" >&2
			return 1
		fi
		sleep 0.05
	done
}

# recv_wait NAME: waits for the receiver to finish (the pty closed) and checks it ended
# well; `output` is then what the process wrote, without carriage returns.
recv_wait() {
	local name=$1 d=$WARD_TEST_DIR pid rc=0
	eval "pid=\$RECV_PID_$name"
	wait "$pid" || rc=$?
	output=$(tr -d '\r' <"$d/$name.out")
	if ((rc != 0)); then
		echo "console_recv $name exited $rc: $(cat "$d/$name.err")" >&2
		echo "its output: $output" >&2
		return 1
	fi
}

# recv_info NAME KEY: a value from what the receiver recorded (name, ptn, rows, cols, closed).
recv_info() {
	sed -n "s/^$2=//p" "$WARD_TEST_DIR/$1.info"
}

# wait_output NAME TEXT: waits until the receiver's output contains TEXT.
wait_output() {
	local n=600
	until grep -qF -- "$2" "$WARD_TEST_DIR/$1.out" 2>/dev/null; do
		if ((n-- == 0)); then
			echo "no '$2' in the output of $1: $(cat "$WARD_TEST_DIR/$1.out")" >&2
			return 1
		fi
		sleep 0.05
	done
}

# run_quiet CMD...: like bats' run, but through a file: a wrongly started container that
# inherited our stdout must not keep the test waiting for its end.
run_quiet() {
	status=0
	"$@" >"$WARD_TEST_DIR/run.out" 2>&1 </dev/null 3>&- || status=$?
	output=$(cat "$WARD_TEST_DIR/run.out")
}

# create_start ID SOCKNAME: ward create with the console socket, then start.
create_start() {
	ward_cmd create --bundle "$BUNDLE" --console-socket "$WARD_TEST_DIR/$2.sock" "$1"
	ward_cmd start "$1"
}

# check_fds_on_pty PID PTYPATH: the process has exactly fds 0, 1, 2 open and each is the
# pty peer PTYPATH (same device and same devpts instance: compared by st_dev and st_rdev).
check_fds_on_pty() {
	local pid=$1 pty=$2 want got fd fds
	want=$(stat -L -c '%d %t:%T' "$pty")
	fds=$(ls /proc/"$pid"/fd | sort -n | tr '\n' ' ')
	if [[ $fds != "0 1 2 " ]]; then
		echo "pid $pid has fds: $fds(want exactly 0 1 2)" >&2
		ls -l /proc/"$pid"/fd >&2
		return 1
	fi
	for fd in 0 1 2; do
		got=$(stat -L -c '%d %t:%T' "/proc/$pid/fd/$fd")
		if [[ $got != "$want" ]]; then
			echo "pid $pid fd $fd is '$got', the pty peer $pty is '$want'" >&2
			return 1
		fi
	done
}

@test "create --console-socket: the engine receives a pty master and sees the process's output" {
	tty_bundle sh -c 'tty; echo out-line'
	id=$(new_id)
	recv_start con
	create_start "$id" con
	recv_wait con
	echo "$output"
	# a real pty master (console_recv checked TIOCGPTN), and what runs on the peer prints
	ptn=$(recv_info con ptn)
	[[ $ptn =~ ^[0-9]+$ ]]
	[[ $output == *out-line* ]]
	# tty names the pty peer of that master (or the console it is bound to)
	tty_line=$(grep -m1 '^/dev/' <<<"$output")
	[[ $tty_line == "/dev/pts/$ptn" || $tty_line == /dev/console ]]
}

@test "create --console-socket: consoleSize is the window size on both ends" {
	tty_bundle sh -c 'stty size'
	id=$(new_id)
	recv_start con
	create_start "$id" con
	recv_wait con
	echo "$output"
	[[ $(recv_info con rows) == 33 && $(recv_info con cols) == 101 ]]
	[[ $output == *"33 101"* ]]
}

@test "create --console-socket: input written to the master reaches the process" {
	tty_bundle sh -c 'echo ready; read x; echo "got:$x"'
	id=$(new_id)
	recv_start con -w ready -i $'hello there\n'
	create_start "$id" con
	recv_wait con
	echo "$output"
	grep -qx 'got:hello there' <<<"$output"
}

@test "create --console-socket: the pty is the controlling terminal of the process's session" {
	# /proc/self/stat read by the shell itself: pid comm state ppid pgrp session tty_nr tpgid
	tty_bundle sh -c ': </dev/tty && echo ctty-open
		read -r pid comm st ppid pgrp sess ttynr tpgid rest </proc/self/stat
		echo "stat:$pid:$pgrp:$sess:$ttynr:$tpgid"
		stat -L -c "dev:%t:%T" /proc/self/fd/0'
	id=$(new_id)
	recv_start con
	create_start "$id" con
	recv_wait con
	echo "$output"
	# /dev/tty opens only for a process with a controlling terminal
	grep -qx ctty-open <<<"$output"
	IFS=: read -r _ pid pgrp sess ttynr tpgid < <(grep '^stat:' <<<"$output")
	IFS=: read -r _ major minor < <(grep '^dev:' <<<"$output")
	# the process leads its session, and that session's terminal is the pty on its stdin
	[[ $sess == "$pid" ]]
	major=$((16#$major)) minor=$((16#$minor))
	[[ $ttynr == $(((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12))) ]]
	# its process group is the terminal's foreground group
	[[ $tpgid == "$pgrp" ]]
}

@test "create --console-socket: /dev/console inside is the container's pty" {
	tty_bundle sh -c '[ -c /dev/console ] && echo console-is-chardev
		stat -c "console:%t:%T" /dev/console
		stat -L -c "stdin:%t:%T" /proc/self/fd/0'
	id=$(new_id)
	recv_start con
	create_start "$id" con
	recv_wait con
	echo "$output"
	grep -qx console-is-chardev <<<"$output"
	console=$(sed -n 's/^console://p' <<<"$output")
	stdin=$(sed -n 's/^stdin://p' <<<"$output")
	[[ -n $console && $console == "$stdin" ]]
}

@test "create --console-socket: the pty master does not leak into the container" {
	tty_bundle sh -c 'ls /proc/self/fd | tr "\n" " "; echo; echo ready; read x'
	id=$(new_id)
	recv_start con
	create_start "$id" con
	wait_output con ready
	# inside: ls sees 0, 1, 2 and its own directory fd, nothing else
	run grep -x '0 1 2 3 ' < <(tr -d '\r' <"$WARD_TEST_DIR/con.out")
	[[ $status == 0 ]] || {
		cat "$WARD_TEST_DIR/con.out"
		false
	}
	# from the host: the waiting shell holds exactly 0, 1, 2, all the pty peer
	pid=$(state_field "$id" pid)
	ptn=$(recv_info con ptn)
	check_fds_on_pty "$pid" "/proc/$pid/root/dev/pts/$ptn"
	ward_cmd kill "$id" KILL
	recv_wait con
}

@test "create --console-socket: the pty closes when the process exits (no copy of the peer kept by ward)" {
	tty_bundle sh -c 'echo bye'
	id=$(new_id)
	recv_start con
	create_start "$id" con
	# console_recv ends only at EIO: when nothing holds the peer any more (not ward create,
	# not a supervisor); it would time out otherwise
	recv_wait con
	[[ $(recv_info con closed) == 1 ]]
	[[ $output == *bye* ]]
	wait_for_status "$id" stopped
}

@test "create --console-socket: a resize through the master reaches the process" {
	tty_bundle sh -c 'echo ready; while [ "$(stty size)" != "50 132" ]; do sleep 0.1; done
		echo "resized:$(stty size)"'
	id=$(new_id)
	recv_start con -w ready -s 50x132
	create_start "$id" con
	recv_wait con
	echo "$output"
	grep -qx 'resized:50 132' <<<"$output"
}

@test "run -d --console-socket: the engine receives the pty, the process runs on it" {
	tty_bundle sh -c 'tty; stty size; echo ready; read x; echo "got:$x"'
	id=$(new_id)
	recv_start con -w ready -i $'via-run\n'
	ward_cmd run -d --bundle "$BUNDLE" --console-socket "$WARD_TEST_DIR/con.sock" "$id"
	recv_wait con
	echo "$output"
	ptn=$(recv_info con ptn)
	grep -qE "^/dev/(pts/$ptn|console)\$" <<<"$output"
	grep -qx '33 101' <<<"$output"
	grep -qx 'got:via-run' <<<"$output"
}

@test "create with terminal and no --console-socket is refused with a clear message" {
	tty_bundle true
	id=$(new_id)
	run_quiet ward_cmd create --bundle "$BUNDLE" "$id"
	echo "$output"
	[[ $status != 0 ]]
	[[ $output =~ console[-\ ]socket ]]
	# nothing is left of it
	run ward_cmd state "$id"
	[[ $status != 0 ]]
}

@test "run -d with terminal and no --console-socket is refused with a clear message" {
	tty_bundle sleep 1000
	id=$(new_id)
	run_quiet ward_cmd run -d --bundle "$BUNDLE" "$id"
	echo "$output"
	[[ $status != 0 ]]
	[[ $output =~ console[-\ ]socket ]]
	run ward_cmd state "$id"
	[[ $status != 0 ]]
	[[ -z $(ward_cmd list -q) ]]
}

@test "--console-socket with process.terminal false is refused (as runc does)" {
	setup_bundle true
	id=$(new_id)
	recv_start con
	run_quiet ward_cmd create --bundle "$BUNDLE" --console-socket "$WARD_TEST_DIR/con.sock" "$id"
	echo "$output"
	[[ $status != 0 ]]
	[[ $output =~ console[-\ ]socket|terminal ]]
	run ward_cmd state "$id"
	[[ $status != 0 ]]
}

@test "create with a console socket nobody listens on fails cleanly" {
	tty_bundle true
	id=$(new_id)
	run_quiet ward_cmd create --bundle "$BUNDLE" --console-socket "$WARD_TEST_DIR/nobody.sock" "$id"
	echo "$output"
	[[ $status != 0 ]]
	[[ $output == *nobody.sock* ]]
	run ward_cmd state "$id"
	[[ $status != 0 ]]
	[[ -z $(ward_cmd list -q) ]]
}

# exec_container ID: a running container (no terminal) to exec into.
exec_container() {
	setup_bundle sleep 1000
	ward_cmd run -d --bundle "$BUNDLE" "$1" </dev/null >/dev/null 2>&1 3>&-
	wait_for_status "$1" running
}

@test "exec -d --tty --console-socket: a new pty, with output, input and controlling terminal" {
	id=$(new_id)
	exec_container "$id"
	recv_start ex -w ready -i $'from-engine\n'
	ward_cmd exec -d --tty --console-socket "$WARD_TEST_DIR/ex.sock" \
		--pid-file "$WARD_TEST_DIR/ex.pid" "$id" \
		sh -c 'tty; : </dev/tty && echo ctty-open; echo ready; read x; echo "got:$x"'
	[[ -s $WARD_TEST_DIR/ex.pid ]]
	recv_wait ex
	echo "$output"
	ptn=$(recv_info ex ptn)
	tty_line=$(grep -m1 '^/dev/' <<<"$output")
	[[ $tty_line == "/dev/pts/$ptn" ]]
	grep -qx ctty-open <<<"$output"
	grep -qx 'got:from-engine' <<<"$output"
}

@test "exec --process with terminal and consoleSize: the window size on both ends" {
	id=$(new_id)
	exec_container "$id"
	cat >"$WARD_TEST_DIR/process.json" <<-'EOF'
		{"terminal": true, "consoleSize": {"height": 21, "width": 77},
		 "user": {"uid": 0, "gid": 0}, "cwd": "/",
		 "env": ["PATH=/bin:/sbin:/usr/bin:/usr/sbin", "TERM=xterm"],
		 "args": ["sh", "-c", "stty size"]}
	EOF
	recv_start ex
	ward_cmd exec -d --console-socket "$WARD_TEST_DIR/ex.sock" \
		--process "$WARD_TEST_DIR/process.json" "$id"
	recv_wait ex
	echo "$output"
	[[ $(recv_info ex rows) == 21 && $(recv_info ex cols) == 77 ]]
	[[ $output == *"21 77"* ]]
}

@test "exec -d --tty: the pty master does not leak into the exec'd process" {
	id=$(new_id)
	exec_container "$id"
	recv_start ex
	ward_cmd exec -d --tty --console-socket "$WARD_TEST_DIR/ex.sock" \
		--pid-file "$WARD_TEST_DIR/ex.pid" "$id" \
		sh -c 'ls /proc/self/fd | tr "\n" " "; echo; echo ready; read x'
	wait_output ex ready
	run grep -x '0 1 2 3 ' < <(tr -d '\r' <"$WARD_TEST_DIR/ex.out")
	[[ $status == 0 ]] || {
		cat "$WARD_TEST_DIR/ex.out"
		false
	}
	pid=$(cat "$WARD_TEST_DIR/ex.pid")
	ptn=$(recv_info ex ptn)
	check_fds_on_pty "$pid" "/proc/$pid/root/dev/pts/$ptn"
	kill -KILL "$pid"
	recv_wait ex
	[[ $(recv_info ex closed) == 1 ]]
}

@test "exec -d --tty without --console-socket is refused with a clear message" {
	id=$(new_id)
	exec_container "$id"
	run_quiet ward_cmd exec -d --tty "$id" true
	echo "$output"
	[[ $status != 0 ]]
	[[ $output =~ console[-\ ]socket ]]
}

# wait_size ROWS COLS: shell code that waits until the terminal has that size, then prints
# "size:ROWS COLS". A runtime relaying its own terminal copies the size to the container's
# pty once the process runs (runc does it after start too), so the first moments may
# still show the initial size; what matters is that the user's size arrives.
wait_size() {
	echo "until [ \"\$(stty size 2>/dev/null)\" = \"$1 $2\" ]; do sleep 0.1; done; echo size:\$(stty size)"
}

# ptyrun_ward ARG...: `ward run` (ARGs) in the foreground on a fresh terminal of 40x120.
# Sets status/output like bats' run; output without carriage returns.
ptyrun_ward() {
	local rc=0
	"${PTYRUN[@]}" --timeout 60 "$@" >"$WARD_TEST_DIR/pty.out" 2>"$WARD_TEST_DIR/pty.err" || rc=$?
	status=$rc
	output=$(tr -d '\r' <"$WARD_TEST_DIR/pty.out")
	echo "ptyrun exited $status; stderr: $(cat "$WARD_TEST_DIR/pty.err")"
	echo "output: $output"
}

@test "run in the foreground relays its own terminal: tty, size, input, exit status" {
	tty_bundle sh -c "tty; $(wait_size 40 120); echo ready; read x; echo got:\$x; exit 7"
	id=$(new_id)
	ptyrun_ward --size 40x120 --termios-report "$WARD_TEST_DIR/termios" \
		--wait ready --input $'typed\n' -- \
		"$WARD" --root "$WARD_ROOT" run --bundle "$BUNDLE" "$id"
	[[ $status == 7 ]]
	grep -qE '^/dev/(pts/[0-9]+|console)$' <<<"$output"
	# the outer terminal's size, not consoleSize: the user's window wins, as with runc
	grep -qx 'size:40 120' <<<"$output"
	grep -qx 'got:typed' <<<"$output"
	# the user's terminal is left as it was found (no raw mode left behind)
	[[ $(cat "$WARD_TEST_DIR/termios") == termios=same ]]
	# and the container is gone (no --keep)
	run ward_cmd state "$id"
	[[ $status != 0 ]]
}

@test "run in the foreground: resizing the user's terminal reaches the container" {
	tty_bundle sh -c 'echo ready; while [ "$(stty size)" != "50 132" ]; do sleep 0.1; done
		echo "resized:$(stty size)"'
	id=$(new_id)
	ptyrun_ward --size 40x120 --wait ready --resize 50x132 -- \
		"$WARD" --root "$WARD_ROOT" run --bundle "$BUNDLE" "$id"
	[[ $status == 0 ]]
	grep -qx 'resized:50 132' <<<"$output"
}

@test "run in the foreground: Ctrl-C typed on the terminal interrupts the container" {
	# the container terminal's ^C sends SIGINT to its foreground group: sleep dies, and
	# `sh -c` (which catches SIGINT) exits 130; the shell is not the last command's exec,
	# since the kernel would shield a pid-1 sleep from the signal
	tty_bundle sh -c 'echo ready; sleep 1000; echo not-interrupted'
	id=$(new_id)
	ptyrun_ward --wait ready --input $'\x03' -- \
		"$WARD" --root "$WARD_ROOT" run --bundle "$BUNDLE" "$id"
	[[ $status == 130 ]]
	[[ $output != *not-interrupted* ]]
}

@test "run in the foreground: the process's session has the pty as controlling terminal" {
	tty_bundle sh -c ': </dev/tty && echo ctty-open
		read -r pid comm st ppid pgrp sess rest </proc/self/stat; echo "sess:$pid:$sess"'
	id=$(new_id)
	ptyrun_ward -- "$WARD" --root "$WARD_ROOT" run --bundle "$BUNDLE" "$id"
	[[ $status == 0 ]]
	grep -qx ctty-open <<<"$output"
	IFS=: read -r _ pid sess < <(grep '^sess:' <<<"$output")
	[[ -n $pid && $pid == "$sess" ]]
}

@test "exec --tty in the foreground relays the user's terminal: tty, size, input, exit status" {
	id=$(new_id)
	exec_container "$id"
	ptyrun_ward --size 28x99 --termios-report "$WARD_TEST_DIR/termios" \
		--wait ready --input $'exec-typed\n' -- \
		"$WARD" --root "$WARD_ROOT" exec --tty "$id" \
		sh -c "tty; $(wait_size 28 99); echo ready; read x; echo got:\$x; exit 9"
	[[ $status == 9 ]]
	grep -qE '^/dev/pts/[0-9]+$' <<<"$output"
	grep -qx 'size:28 99' <<<"$output"
	grep -qx 'got:exec-typed' <<<"$output"
	[[ $(cat "$WARD_TEST_DIR/termios") == termios=same ]]
	# the container runs on
	[[ $(state_field "$id" status) == running ]]
}
