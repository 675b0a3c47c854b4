#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Start-up cost of running create/run/exec from a sealed copy of ward (runtime/exe_seal.h).
#
#   bench/exe-seal.sh [N]      (default N=300; needs root for the read-only bind mount)
#
# `ward create --help` re-executes ward from its sealed copy before printing the help;
# `ward state --help` does not. The difference of their median times is the cost of the
# seal: with the read-only bind mount (default) and with the memfd copy (the fallback,
# forced with WARD_EXE_SEAL=memfd). Prints microseconds per invocation.
set -euo pipefail
cd "$(dirname "$0")/.."
WARD=${WARD:-$PWD/build/ward}
n=${1:-300}

# median_us CMD...: median wall time of CMD in microseconds over n runs (the median, as
# other work on the machine makes the mean noisy)
median_us() {
	local t0 t1 i
	for ((i = 0; i < n; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

base=$(median_us "$WARD" state --help)
bind=$(median_us "$WARD" create --help)
memfd=$(WARD_EXE_SEAL=memfd median_us "$WARD" create --help)
size=$(stat -c %s "$WARD")
echo "ward binary: $size bytes, $n runs each"
echo "no seal (state --help):           ${base} us"
echo "read-only bind (create --help):   ${bind} us  (+$((bind - base)) us)"
echo "sealed memfd (create --help):     ${memfd} us  (+$((memfd - base)) us)"
