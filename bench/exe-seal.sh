#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Start-up cost of running create/run/exec from a sealed copy of ward (runtime/exe_seal.h).
#
#   bench/exe-seal.sh [N]      (default N=300; needs root for the read-only bind mount)
#
# `ward create --help` re-executes ward from its sealed copy before printing the help;
# `ward state --help` does not. The difference of their mean times is the cost of the
# seal: with the read-only bind mount (default) and with the memfd copy (the fallback,
# forced with WARD_EXE_SEAL=memfd). Prints microseconds per invocation.
set -euo pipefail
cd "$(dirname "$0")/.."
WARD=${WARD:-$PWD/build/ward}
n=${1:-300}

# mean_us CMD...: mean wall time of CMD in microseconds over n runs
mean_us() {
	local t0 t1 i
	t0=$(date +%s%N)
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / n / 1000))
}

base=$(mean_us "$WARD" state --help)
bind=$(mean_us "$WARD" create --help)
memfd=$(WARD_EXE_SEAL=memfd mean_us "$WARD" create --help)
size=$(stat -c %s "$WARD")
echo "ward binary: $size bytes, $n runs each"
echo "no seal (state --help):           ${base} us"
echo "read-only bind (create --help):   ${bind} us  (+$((bind - base)) us)"
echo "sealed memfd (create --help):     ${memfd} us  (+$((memfd - base)) us)"
