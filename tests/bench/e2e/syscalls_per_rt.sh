#!/bin/bash
# System calls per round trip of one bench_e2e path, load-independent (docs/performance.md):
# the path runs twice under `strace -f -c` (every process: client, daemon, firmware) with
# two round-trip counts; the difference of the counts over the difference of the round
# trips cancels boot and teardown.
#   tests/bench/e2e/syscalls_per_rt.sh [BUILD_DIR] [floor|inproc|hop|daemon] [MODE|HOST/FW]
set -euo pipefail
build=${1:-build/default}
path=${2:-inproc}
mode=${3:-blocking} # IPCC wait modes (bench_e2e's fifth argument)
bench=$build/tests/bench/e2e/bench_e2e
fw=$build/fw-sample/echo/echo
command -v strace >/dev/null || { echo "$0: needs strace (apt-get install strace)" >&2; exit 2; }
[ -x "$bench" ] || { echo "$0: $bench not built (cmake --build --preset default)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# bench_e2e runs n/4+1 warm-up round trips, then rounds x n.
for n in 1000 5000; do
	strace -f -c -o "$tmp/$n" "$bench" "$fw" $n 2 "$path" "$mode" >/dev/null
done
python3 - "$tmp/1000" "$tmp/5000" "$path" "$mode" <<'PY'
import re, sys
def load(f):
    d = {}
    for l in open(f):
        m = re.match(r'\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(\w+)$', l.rstrip())
        if m:
            d[m.group(2)] = int(m.group(1))
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
rt = (5000 * 2 + 5000 // 4 + 1) - (1000 * 2 + 1000 // 4 + 1)
print(f"system calls per round trip, path {sys.argv[3]}, modes {sys.argv[4]} (every process):")
for k in sorted(b, key=lambda k: -(b[k] - a.get(k, 0))):
    v = (b[k] - a.get(k, 0)) / rt
    if abs(v) >= 0.01:
        print(f"  {k:<12} {v:6.2f}")
PY
