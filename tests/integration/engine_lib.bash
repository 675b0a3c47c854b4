# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the engine tests (podman.bats, cri.bats): process and cgroup checks.
# Load after helpers: `load engine_lib`.

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z ]]
}

# dead PID: the opposite of alive, as a command that fails (`! alive` would not fail a
# bats test: errexit ignores negated commands).
dead() {
	if alive "$1"; then
		echo "process $1 still runs: $(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline")" >&2
		return 1
	fi
}

# cgroup_file PID CONTROLLER FILE: the path of FILE in PID's cgroup of a v1 controller.
cgroup_file() {
	local path
	path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$1/cgroup")
	echo "/sys/fs/cgroup/$2$path/$3"
}
